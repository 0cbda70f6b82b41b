/* spindlectl-watch.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * spindlectl watch: one program's workers, live. It subscribes, applies
 * each Update to its copy and acknowledges it, subscribes again when the
 * program dropped it, and ends when the program leaves the bus or on
 * Ctrl+C. On a terminal it redraws in place; on a pipe it writes one
 * block per update, so that scripts can follow it.
 */

#define G_LOG_DOMAIN "spindlectl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "spindlectl-private.h"

/* On a terminal, elapsed times move on between updates. */
#define REDRAW_INTERVAL_MS 1000

typedef struct
{
  GDBusConnection *bus;
  CtlProgram      *program;
  GMainLoop       *loop;
  char            *owner;
  guint            interval_ms;
  guint            update_id;
  guint            dropped_id;
  guint            owner_id;
  guint            redraw_id;
  guint            sigint_id;
  guint            sigterm_id;
  gboolean         tty;
  int              status;
  char            *note;       /* shown with the next frame */
} Watch;

static void
draw (Watch *watch)
{
  g_autoptr(GString) out = g_string_new (NULL);

  ctl_append_program_table (out, watch->program, g_get_monotonic_time ());
  if (watch->program->dropped > 0)
    {
      g_string_append_printf (out, ngettext ("%llu short-lived worker came and went unseen",
                                             "%llu short-lived workers came and went unseen",
                                             watch->program->dropped),
                              (unsigned long long) watch->program->dropped);
      g_string_append_c (out, '\n');
    }
  if (watch->note != NULL)
    g_string_append_printf (out, "%s\n", watch->note);

  if (watch->tty)
    {
      /* home, then each line cleared to its end, then the rest of the
       * screen: no flicker of a full clear */
      g_autoptr(GString) screen = g_string_new ("\033[H");
      g_auto(GStrv) split = g_strsplit (out->str, "\n", -1);

      for (guint i = 0; split[i] != NULL; i++)
        g_string_append_printf (screen, "%s\033[K%s", split[i], split[i + 1] != NULL ? "\n" : "");
      g_string_append (screen, "\033[J");
      fputs (screen->str, stdout);
    }
  else
    {
      g_string_append_c (out, '\n');
      fputs (out->str, stdout);
    }
  fflush (stdout);
}

static void
finish (Watch      *watch,
        const char *message)
{
  if (message != NULL)
    {
      printf ("%s%s\n", watch->tty ? "\n" : "", message);
      fflush (stdout);
    }
  g_main_loop_quit (watch->loop);
}

static void
ack (Watch   *watch,
     guint64  seq)
{
  /* no reply is awaited: a lost Ack only makes the program drop us,
   * which SubscriptionDropped then mends */
  g_dbus_connection_call (watch->bus, watch->owner, CTL_OBJECT_PATH, CTL_INTERFACE,
                          "Ack", g_variant_new ("(t)", seq), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

static void
on_update (GDBusConnection *bus,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         user_data)
{
  Watch *watch = user_data;
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GVariant) removed = NULL;
  guint64 seq;
  guint32 dropped;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(tuaa{sv}at)")))
    return;

  g_variant_get (parameters, "(tu@aa{sv}@at)", &seq, &dropped, &changed, &removed);
  /* an Update of a subscription that a newer snapshot replaced */
  if (seq <= watch->program->seq)
    return;

  ctl_program_apply_update (watch->program, changed, removed);
  watch->program->seq = seq;
  watch->program->dropped += dropped;
  ack (watch, seq);
  draw (watch);
  g_clear_pointer (&watch->note, g_free);
}

static gboolean
subscribe (Watch *watch)
{
  g_autoptr(GError) error = NULL;

  if (ctl_program_subscribe (watch->program, watch->bus, watch->interval_ms, &error))
    return TRUE;

  ctl_explain_error (error, watch->program->pid, "");
  watch->status = CTL_EXIT_FAILED;
  return FALSE;
}

static void
on_dropped (GDBusConnection *bus,
            const char      *sender,
            const char      *path,
            const char      *interface,
            const char      *signal,
            GVariant        *parameters,
            gpointer         user_data)
{
  Watch *watch = user_data;
  const char *reason = "";

  if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(s)")))
    g_variant_get (parameters, "(&s)", &reason);

  /* the program let us go for falling behind: a fresh snapshot mends it */
  if (!subscribe (watch))
    {
      finish (watch, NULL);
      return;
    }

  g_free (watch->note);
  /* TRANSLATORS: %s is the program's reason, e.g. "more than 8 updates
   * were not acknowledged" */
  watch->note = g_strdup_printf (_("The program dropped this view (%s); subscribed again."), reason);
  draw (watch);
  if (!watch->tty)
    g_clear_pointer (&watch->note, g_free);
}

static void
on_owner_changed (GDBusConnection *bus,
                  const char      *sender,
                  const char      *path,
                  const char      *interface,
                  const char      *signal,
                  GVariant        *parameters,
                  gpointer         user_data)
{
  Watch *watch = user_data;
  g_autofree char *message = NULL;
  const char *name, *old_owner, *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (g_strcmp0 (new_owner, watch->owner) == 0)
    return;

  message = g_strdup_printf (_("Program %u has exited; its workers are shown as last seen."),
                             watch->program->pid);
  finish (watch, message);
}

static gboolean
on_redraw (gpointer user_data)
{
  draw (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  Watch *watch = user_data;
  g_autofree char *message = NULL;

  ctl_program_unsubscribe (watch->program, watch->bus);
  message = g_strdup_printf (_("Stopped watching program %u."), watch->program->pid);
  finish (watch, message);
  return G_SOURCE_CONTINUE;
}

static char *
name_owner (GDBusConnection *bus,
            const char      *name,
            GError         **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *owner = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
  if (reply != NULL)
    g_variant_get (reply, "(s)", &owner);
  return owner;
}

/* Signals are followed before the snapshot is asked for, so that no
 * Update nor the program's exit can slip between the two. */
static void
follow_signals (Watch *watch)
{
  watch->update_id = g_dbus_connection_signal_subscribe (watch->bus, watch->owner, CTL_INTERFACE,
                                                         "Update", CTL_OBJECT_PATH, NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE,
                                                         on_update, watch, NULL);
  watch->dropped_id = g_dbus_connection_signal_subscribe (watch->bus, watch->owner, CTL_INTERFACE,
                                                          "SubscriptionDropped", CTL_OBJECT_PATH,
                                                          NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                          on_dropped, watch, NULL);
  watch->owner_id = g_dbus_connection_signal_subscribe (watch->bus, "org.freedesktop.DBus",
                                                        "org.freedesktop.DBus", "NameOwnerChanged",
                                                        "/org/freedesktop/DBus",
                                                        watch->program->bus_name,
                                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                                        on_owner_changed, watch, NULL);
}

static void
watch_clear (Watch *watch)
{
  if (watch->update_id != 0)
    g_dbus_connection_signal_unsubscribe (watch->bus, watch->update_id);
  if (watch->dropped_id != 0)
    g_dbus_connection_signal_unsubscribe (watch->bus, watch->dropped_id);
  if (watch->owner_id != 0)
    g_dbus_connection_signal_unsubscribe (watch->bus, watch->owner_id);
  g_clear_handle_id (&watch->redraw_id, g_source_remove);
  g_clear_handle_id (&watch->sigint_id, g_source_remove);
  g_clear_handle_id (&watch->sigterm_id, g_source_remove);
  g_clear_pointer (&watch->program, ctl_program_free);
  g_clear_pointer (&watch->loop, g_main_loop_unref);
  g_clear_pointer (&watch->owner, g_free);
  g_clear_pointer (&watch->note, g_free);
}

static int
run (Watch *watch)
{
  g_autoptr(GError) error = NULL;

  watch->owner = name_owner (watch->bus, watch->program->bus_name, &error);
  if (watch->owner == NULL)
    {
      ctl_explain_error (error, watch->program->pid, "");
      return CTL_EXIT_FAILED;
    }

  follow_signals (watch);
  if (!subscribe (watch))
    return watch->status;

  watch->loop = g_main_loop_new (NULL, FALSE);
  watch->sigint_id = g_unix_signal_add (SIGINT, on_interrupt, watch);
  watch->sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, watch);
  if (watch->tty)
    {
      fputs ("\033[?25l\033[2J", stdout);
      watch->redraw_id = g_timeout_add (REDRAW_INTERVAL_MS, on_redraw, watch);
    }

  draw (watch);
  g_main_loop_run (watch->loop);
  if (watch->tty)
    fputs ("\033[?25h", stdout);
  fflush (stdout);
  return watch->status;
}

static gboolean
parse_interval (const char *text,
                guint      *interval_ms)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;
  *interval_ms = value;
  return TRUE;
}

int
ctl_command_watch (GDBusConnection *bus,
                   int              argc,
                   char           **argv)
{
  static const char *const known[] = { "--interval", NULL };
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char **rest = NULL;
  const char *interval;
  Watch watch = { .bus = bus, .tty = isatty (STDOUT_FILENO), .status = CTL_EXIT_OK };
  guint pid = 0;
  int n_rest = 0;
  int status;

  rest = ctl_split_options ("watch", argc, argv, known, options, &n_rest);
  if (rest == NULL)
    return CTL_EXIT_USAGE;
  if (n_rest != 1)
    return ctl_usage_error (_("“watch” takes one PID"));
  if (!ctl_parse_pid (rest[0], &pid))
    return ctl_usage_error (_("“%s” is not a process id"), rest[0]);
  interval = g_hash_table_lookup (options, "--interval");
  if (interval != NULL && !parse_interval (interval, &watch.interval_ms))
    return ctl_usage_error (_("--interval takes a number of milliseconds"));

  watch.program = ctl_program_new (pid);
  status = run (&watch);
  watch_clear (&watch);
  return status;
}
