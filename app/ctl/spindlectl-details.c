/* spindlectl-details.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * spindlectl details: one worker's diagnosis now, its cleanup report and
 * its event log, as text or JSON.
 */

#define G_LOG_DOMAIN "spindlectl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "spindlectl-private.h"

static const char *
outcome_label (const char *nick)
{
  if (g_strcmp0 (nick, "ok") == 0)
    return _("ok");
  if (g_strcmp0 (nick, "failed") == 0)
    return _("failed");
  if (g_strcmp0 (nick, "not-run") == 0)
    return _("not run");
  return nick;
}

static char *
format_duration (gint64 usec)
{
  if (usec < 1000)
    /* TRANSLATORS: a duration in microseconds */
    return g_strdup_printf (_("%d µs"), (int) usec);
  if (usec < G_USEC_PER_SEC)
    /* TRANSLATORS: a duration in milliseconds */
    return g_strdup_printf (_("%.1f ms"), usec / 1000.0);
  return ctl_format_elapsed (usec);
}

static void
append_cleanup (GString  *out,
                GVariant *cleanup)
{
  const char *label, *outcome, *message;
  GVariantIter iter;
  gint64 duration;

  g_string_append_printf (out, "%s\n", _("Cleanup report:"));
  if (cleanup == NULL || g_variant_n_children (cleanup) == 0)
    {
      g_string_append_printf (out, "  %s\n", _("(no cleanup steps yet)"));
      return;
    }

  g_variant_iter_init (&iter, cleanup);
  while (g_variant_iter_next (&iter, "(&s&s&sx)", &label, &outcome, &message, &duration))
    {
      g_autofree char *took = format_duration (duration);

      g_string_append_printf (out, "  %-7s %s (%s)", outcome_label (outcome), label, took);
      if (message[0] != '\0')
        g_string_append_printf (out, ": %s", message);
      g_string_append_c (out, '\n');
    }
}

static void
append_history (GString  *out,
                GVariant *history)
{
  const char *kind, *what;
  GVariantIter iter;
  gint64 when, first = -1;

  if (history == NULL || g_variant_n_children (history) == 0)
    return;

  g_string_append_printf (out, "%s\n", _("Event log:"));
  g_variant_iter_init (&iter, history);
  while (g_variant_iter_next (&iter, "(x&s&s)", &when, &kind, &what))
    {
      if (first < 0)
        first = when;
      g_string_append_printf (out, "  +%8.3f s  %-12s %s\n",
                              (when - first) / (double) G_USEC_PER_SEC, kind, what);
    }
}

static void
print_text (CtlProgram *program,
            GVariant   *worker,
            GVariant   *details)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GVariant) cleanup = g_variant_lookup_value (details, "cleanup", G_VARIANT_TYPE ("a(sssx)"));
  g_autoptr(GVariant) history = g_variant_lookup_value (details, "history", G_VARIANT_TYPE ("a(xss)"));
  const char *name = "", *state = "", *diagnosis = NULL;
  guint64 id = 0;

  g_variant_lookup (worker, "id", "t", &id);
  g_variant_lookup (worker, "name", "&s", &name);
  g_variant_lookup (worker, "state", "&s", &state);
  /* TRANSLATORS: worker id, worker name, program name, PID, state */
  g_string_append_printf (out, _("Worker %llu “%s” of %s (PID %u): %s"),
                          (unsigned long long) id, name, ctl_program_name (program), program->pid,
                          ctl_state_label (state));
  g_string_append_c (out, '\n');
  if (g_variant_lookup (details, "diagnosis", "&s", &diagnosis) && diagnosis[0] != '\0')
    g_string_append_printf (out, "%s %s\n", _("Diagnosis:"), diagnosis);
  append_cleanup (out, cleanup);
  append_history (out, history);
  fputs (out->str, stdout);
}

static void
add_history_json (JsonBuilder *builder,
                  GVariant    *history)
{
  const char *kind, *what;
  GVariantIter iter;
  gint64 when;

  json_builder_begin_array (builder);
  if (history != NULL)
    {
      g_variant_iter_init (&iter, history);
      while (g_variant_iter_next (&iter, "(x&s&s)", &when, &kind, &what))
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "time");
          json_builder_add_int_value (builder, when);
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, kind);
          json_builder_set_member_name (builder, "what");
          json_builder_add_string_value (builder, what);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
}

static void
print_json (CtlProgram *program,
            GVariant   *worker,
            GVariant   *details)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GVariant) cleanup = g_variant_lookup_value (details, "cleanup", G_VARIANT_TYPE ("a(sssx)"));
  g_autoptr(GVariant) history = g_variant_lookup_value (details, "history", G_VARIANT_TYPE ("a(xss)"));
  const char *diagnosis = "";

  g_variant_lookup (details, "diagnosis", "&s", &diagnosis);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, program->pid);
  json_builder_set_member_name (builder, "worker");
  ctl_json_add_worker (builder, worker, g_get_monotonic_time ());
  json_builder_set_member_name (builder, "diagnosis");
  json_builder_add_string_value (builder, diagnosis);
  json_builder_set_member_name (builder, "cleanup");
  ctl_json_add_cleanup (builder, cleanup);
  json_builder_set_member_name (builder, "history");
  add_history_json (builder, history);
  json_builder_end_object (builder);
  ctl_print_json (builder);
}

int
ctl_command_details (GDBusConnection *bus,
                     int              argc,
                     char           **argv)
{
  static const char *const known[] = { "--json", NULL };
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(CtlProgram) program = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char **rest = NULL;
  GVariant *worker;
  guint64 id = 0;
  guint pid = 0;
  int n_rest = 0;

  rest = ctl_split_options ("details", argc, argv, known, options, &n_rest);
  if (rest == NULL)
    return CTL_EXIT_USAGE;
  if (n_rest != 2)
    return ctl_usage_error (_("“%s” takes a PID and a WORKER"), "details");
  if (!ctl_parse_pid (rest[0], &pid))
    return ctl_usage_error (_("“%s” is not a process id"), rest[0]);

  program = ctl_resolve_worker (bus, pid, rest[1], &id);
  if (program == NULL)
    return CTL_EXIT_FAILED;

  reply = g_dbus_connection_call_sync (bus, program->bus_name, CTL_OBJECT_PATH,
                                       CTL_INTERFACE, "Details", g_variant_new ("(t)", id),
                                       G_VARIANT_TYPE ("(a{sv})"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, &error);
  if (reply == NULL)
    {
      ctl_explain_error (error, pid, rest[1]);
      return CTL_EXIT_FAILED;
    }

  g_variant_get (reply, "(@a{sv})", &details);
  worker = g_hash_table_lookup (program->workers, &id);
  if (worker == NULL)
    {
      /* a numeric id the snapshot did not hold, but the program knew */
      worker = g_variant_new_parsed ("{'id': <%t>}", id);
      g_hash_table_insert (program->workers, g_memdup2 (&id, sizeof id), g_variant_ref_sink (worker));
    }

  if (g_hash_table_contains (options, "--json"))
    print_json (program, worker, details);
  else
    print_text (program, worker, details);
  return CTL_EXIT_OK;
}
