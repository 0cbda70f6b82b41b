/* spindlectl-list.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * spindlectl list: every program that exports its workers, found by the
 * well-known-name prefix, each with a snapshot of its workers, as a table
 * or as one JSON document with stable keys.
 */

#define G_LOG_DOMAIN "spindlectl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spindlectl-private.h"

typedef enum
{
  FIELD_STRING,
  FIELD_INT,
  FIELD_DOUBLE,
  FIELD_BOOL,
} FieldKind;

typedef struct
{
  const char *key;
  FieldKind   kind;
} Field;

/* The worker keys of the protocol, in the order JSON lists them: every
 * key is always written (null when a program left it out), so scripts can
 * rely on them. */
static const Field worker_fields[] = {
  { "id", FIELD_INT },          { "set", FIELD_INT },
  { "parent", FIELD_INT },      { "name", FIELD_STRING },
  { "kind", FIELD_STRING },     { "tid", FIELD_INT },
  { "pid", FIELD_INT },         { "state", FIELD_STRING },
  { "stop-reason", FIELD_STRING }, { "started-at", FIELD_INT },
  { "finished-at", FIELD_INT }, { "phase", FIELD_STRING },
  { "progress", FIELD_DOUBLE }, { "waiting-for", FIELD_STRING },
  { "deadline", FIELD_INT },    { "escalation", FIELD_STRING },
  { "escalation-at", FIELD_INT }, { "unresponsive", FIELD_BOOL },
  { "error", FIELD_STRING },    { "result", FIELD_STRING },
};

static const Field program_fields[] = {
  { "name", FIELD_STRING },     { "version", FIELD_STRING },
  { "control", FIELD_BOOL },    { "n-sets", FIELD_INT },
  { "n-workers", FIELD_INT },   { "interval-ms", FIELD_INT },
};

static gint64
variant_to_int (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    return (gint64) MIN (g_variant_get_uint64 (value), (guint64) G_MAXINT64);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return g_variant_get_int64 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    return g_variant_get_int32 (value);
  return 0;
}

/* A value of another type than the protocol says is written as null,
 * never guessed at. */
static void
add_field (JsonBuilder *builder,
           GVariant    *dict,
           const Field *field)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, field->key, NULL);

  json_builder_set_member_name (builder, field->key);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else if (field->kind == FIELD_STRING && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    json_builder_add_string_value (builder, g_variant_get_string (value, NULL));
  else if (field->kind == FIELD_INT && g_variant_type_is_basic (g_variant_get_type (value)))
    json_builder_add_int_value (builder, variant_to_int (value));
  else if (field->kind == FIELD_DOUBLE && g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    json_builder_add_double_value (builder, g_variant_get_double (value));
  else if (field->kind == FIELD_BOOL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    json_builder_add_boolean_value (builder, g_variant_get_boolean (value));
  else
    json_builder_add_null_value (builder);
}

void
ctl_json_add_cleanup (JsonBuilder *builder,
                      GVariant    *cleanup)
{
  GVariantIter iter;
  const char *label, *outcome, *message;
  gint64 duration;

  json_builder_begin_array (builder);
  if (cleanup != NULL && g_variant_is_of_type (cleanup, G_VARIANT_TYPE ("a(sssx)")))
    {
      g_variant_iter_init (&iter, cleanup);
      while (g_variant_iter_next (&iter, "(&s&s&sx)", &label, &outcome, &message, &duration))
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "label");
          json_builder_add_string_value (builder, label);
          json_builder_set_member_name (builder, "outcome");
          json_builder_add_string_value (builder, outcome);
          json_builder_set_member_name (builder, "message");
          json_builder_add_string_value (builder, message);
          json_builder_set_member_name (builder, "duration-us");
          json_builder_add_int_value (builder, duration);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
}

void
ctl_json_add_worker (JsonBuilder *builder,
                     GVariant    *worker,
                     gint64       now)
{
  g_autoptr(GVariant) cleanup = g_variant_lookup_value (worker, "cleanup", NULL);

  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (worker_fields); i++)
    add_field (builder, worker, &worker_fields[i]);
  json_builder_set_member_name (builder, "elapsed-us");
  json_builder_add_int_value (builder, ctl_worker_elapsed (worker, now));
  json_builder_set_member_name (builder, "cleanup");
  ctl_json_add_cleanup (builder, cleanup);
  json_builder_end_object (builder);
}

void
ctl_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static void
add_program_json (JsonBuilder *builder,
                  CtlProgram  *program,
                  gint64       now)
{
  g_autoptr(GPtrArray) tree = ctl_program_tree (program);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, program->pid);
  json_builder_set_member_name (builder, "bus-name");
  json_builder_add_string_value (builder, program->bus_name);
  for (guint i = 0; i < G_N_ELEMENTS (program_fields); i++)
    add_field (builder, program->info, &program_fields[i]);
  json_builder_set_member_name (builder, "workers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < tree->len; i++)
    ctl_json_add_worker (builder, g_ptr_array_index (tree, i), now);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static int
compare_pids (gconstpointer a,
              gconstpointer b)
{
  guint pid_a = *(const guint *) a;
  guint pid_b = *(const guint *) b;

  return (pid_a > pid_b) - (pid_a < pid_b);
}

/* The PIDs in the names on the bus that carry the prefix, in order. */
static GArray *
exporting_pids (GDBusConnection *bus,
                GError         **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree const char **names = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListNames", NULL,
                                       G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, error);
  if (reply == NULL)
    return NULL;

  g_variant_get (reply, "(^a&s)", &names);
  for (guint i = 0; names[i] != NULL; i++)
    {
      guint pid;

      if (g_str_has_prefix (names[i], CTL_NAME_PREFIX "p") &&
          ctl_parse_pid (names[i] + strlen (CTL_NAME_PREFIX "p"), &pid))
        g_array_append_val (pids, pid);
    }

  g_array_sort (pids, compare_pids);
  return g_steal_pointer (&pids);
}

static gboolean
is_gone (GError *error)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  return g_strcmp0 (remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
         g_strcmp0 (remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0;
}

/* Snapshots of every exporting program; one that exited meanwhile is
 * left out quietly, one that answered wrongly is named on stderr. */
static GPtrArray *
snapshot_all (GDBusConnection *bus,
              GArray          *pids,
              gboolean        *complete)
{
  GPtrArray *programs = g_ptr_array_new_with_free_func ((GDestroyNotify) ctl_program_free);

  *complete = TRUE;
  for (guint i = 0; i < pids->len; i++)
    {
      g_autoptr(CtlProgram) program = ctl_program_new (g_array_index (pids, guint, i));
      g_autoptr(GError) error = NULL;

      if (ctl_program_snapshot (program, bus, &error))
        g_ptr_array_add (programs, g_steal_pointer (&program));
      else if (!is_gone (error))
        {
          ctl_explain_error (error, program->pid, "");
          *complete = FALSE;
        }
    }

  return programs;
}

static void
print_json (GPtrArray *programs,
            gint64     now)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "programs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < programs->len; i++)
    add_program_json (builder, g_ptr_array_index (programs, i), now);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  ctl_print_json (builder);
}

static void
print_tables (GPtrArray *programs,
              gint64     now)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (programs->len == 0)
    {
      printf ("%s\n", _("No program exports its workers on this session bus."));
      return;
    }

  for (guint i = 0; i < programs->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '\n');
      ctl_append_program_table (out, g_ptr_array_index (programs, i), now);
    }
  fputs (out->str, stdout);
}

int
ctl_command_list (GDBusConnection *bus,
                  int              argc,
                  char           **argv)
{
  static const char *const known[] = { "--json", NULL };
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GArray) pids = NULL;
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char **rest = NULL;
  gboolean complete;
  int n_rest = 0;

  rest = ctl_split_options ("list", argc, argv, known, options, &n_rest);
  if (rest == NULL)
    return CTL_EXIT_USAGE;
  if (n_rest > 0)
    return ctl_usage_error (_("“list” takes no arguments"));

  pids = exporting_pids (bus, &error);
  if (pids == NULL)
    {
      fprintf (stderr, "spindlectl: %s\n", error->message);
      return CTL_EXIT_FAILED;
    }

  programs = snapshot_all (bus, pids, &complete);
  if (g_hash_table_contains (options, "--json"))
    print_json (programs, g_get_monotonic_time ());
  else
    print_tables (programs, g_get_monotonic_time ());

  return complete ? CTL_EXIT_OK : CTL_EXIT_FAILED;
}
