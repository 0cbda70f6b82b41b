/* spindle-application.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "spindle-application-private.h"
#include "spindle-attach-dialog.h"
#include "spindle-catalog.h"
#include "spindle-clock.h"
#include "spindle-early-start.h"
#include "spindle-preferences-window.h"
#include "spindle-recorder.h"
#include "spindle-recording.h"
#include "spindle-remote.h"
#include "spindle-replay-window.h"
#include "spindle-window.h"

G_DEFINE_FINAL_TYPE (SpindleApplication, spindle_application, GTK_TYPE_APPLICATION)

/* Settings, applied live to the set and the clock ***************************/

static void
apply_setting (SpindleApplication *self,
               const char         *key)
{
  GSettings *s = self->settings;

  if (g_str_equal (key, "stop-grace-ms"))
    spindle_worker_set_set_stop_grace (self->set, g_settings_get_uint (s, key) * (gint64) 1000);
  else if (g_str_equal (key, "cancel-grace-ms"))
    spindle_worker_set_set_cancel_grace (self->set, g_settings_get_uint (s, key) * (gint64) 1000);
  else if (g_str_equal (key, "auto-escalate"))
    spindle_worker_set_set_auto_escalate (self->set, g_settings_get_boolean (s, key));
  else if (g_str_equal (key, "default-deadline-ms"))
    spindle_worker_set_set_default_deadline (self->set, g_settings_get_uint (s, key) * (gint64) 1000);
  else if (g_str_equal (key, "stack-size-kib"))
    spindle_worker_set_set_stack_size (self->set, g_settings_get_uint (s, key) * (gsize) 1024);
  else if (g_str_equal (key, "refresh-interval-ms"))
    spindle_clock_set_interval (spindle_clock_get_default (), g_settings_get_uint (s, key));
}

static void
on_settings_changed (SpindleApplication *self,
                     const char         *key)
{
  apply_setting (self, key);
}

static void
apply_settings (SpindleApplication *self)
{
  static const char * const keys[] = {
    "stop-grace-ms", "cancel-grace-ms", "auto-escalate", "default-deadline-ms", "stack-size-kib",
    "refresh-interval-ms",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    apply_setting (self, keys[i]);

  /* --refresh outranks the setting, until the setting changes. */
  if (self->refresh_ms != 0)
    spindle_clock_set_interval (spindle_clock_get_default (), self->refresh_ms);
}

/* Actions *******************************************************************/

static gpointer
ref_window (gconstpointer window,
            gpointer      unused)
{
  return g_object_ref ((gpointer) window);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows;

  if (gtk_application_get_windows (app) == NULL)
    {
      g_application_quit (G_APPLICATION (app));
      return;
    }

  /* a window with nothing live closes at once, leaving the app's list */
  windows = g_list_copy_deep (gtk_application_get_windows (app), ref_window, NULL);
  for (GList *l = windows; l != NULL; l = l->next)
    if (SPINDLE_IS_WINDOW (l->data))
      spindle_window_request_quit (l->data);
  g_list_free_full (windows, g_object_unref);
}

static GtkWindow *
find_preferences (GtkApplication *app)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (SPINDLE_IS_PREFERENCES_WINDOW (l->data))
      return l->data;

  return NULL;
}

/* One preferences window: asking again brings it forward. */
static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *preferences = find_preferences (app);

  if (preferences == NULL)
    {
      preferences = GTK_WINDOW (spindle_preferences_window_new (gtk_application_get_active_window (app)));
      gtk_window_set_application (preferences, app);
    }

  gtk_window_present (preferences);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *authors[] = { "The Spindle authors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_show_about_dialog (parent,
                         "program-name", "Spindle",
                         "logo-icon-name", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Watch threads stop, or not: a thread monitor that shows "
                                       "what stopping and cancelling a worker does, step by step"),
                         "copyright", "© 2026 The Spindle authors",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors,
                         /* Translators: your names, one a line, shown in the About dialog */
                         "translator-credits", _("translator-credits"),
                         "system-information", "GTK " G_STRINGIFY (GTK_MAJOR_VERSION) "." G_STRINGIFY (GTK_MINOR_VERSION),
                         NULL);
}

/* Attach to Program… lists the exporting programs; one chosen there
 * comes back as attach-program with its bus name.
 */
static void
attach_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *dialog = NULL;

  for (GList *l = gtk_application_get_windows (app); l != NULL && dialog == NULL; l = l->next)
    if (SPINDLE_IS_ATTACH_DIALOG (l->data))
      dialog = l->data;

  if (dialog == NULL)
    {
      dialog = GTK_WINDOW (spindle_attach_dialog_new (gtk_application_get_active_window (app)));
      gtk_window_set_application (dialog, app);
    }

  gtk_window_present (dialog);
}

static void
show_attach_error (GtkApplication *app,
                   const GError   *error)
{
  GtkWidget *dialog;

  dialog = gtk_message_dialog_new (gtk_application_get_active_window (app),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE,
                                   "%s", _("Could not attach to the program"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", error->message);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_program_attached (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GtkApplication) app = user_data;
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GError) error = NULL;

  g_application_release (G_APPLICATION (app));
  set = spindle_worker_set_attach_finish (result, &error);
  if (set == NULL)
    {
      show_attach_error (app, error);
      return;
    }

  gtk_window_present (GTK_WINDOW (spindle_window_new (app, set)));
}

static void
attach_program_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);

  g_application_hold (G_APPLICATION (app));
  spindle_worker_set_attach_async (g_variant_get_string (parameter, NULL), NULL,
                                   on_program_attached, g_object_ref (app));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "attach", attach_action },
  { "attach-program", attach_program_action, "s" },
  { "preferences", preferences_action },
  { "about", about_action },
};

/* SIGTERM and SIGINT *********************************************************/

/* A session logging out or a Ctrl+C in a terminal has no one to answer a
 * dialog: the set is shut down as Stop and Quit does it, escalating within
 * the grace periods, and the application quits once every worker, and so
 * every process worker's tree, is gone. A second signal forces at once.
 */
static void
close_windows (SpindleApplication *self)
{
  GList *windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (self)),
                                     ref_window, NULL);

  /* destroyed, not closed: closing would ask about live workers */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free_full (windows, g_object_unref);
}

static void
on_signal_shutdown_done (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(SpindleApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!spindle_worker_set_shutdown_finish (SPINDLE_WORKER_SET (source), result, &error))
    g_printerr ("%s: %s\n", g_get_prgname (), error->message);

  close_windows (self);
  g_application_release (G_APPLICATION (self));
  g_application_quit (G_APPLICATION (self));
}

static void
shut_down_on_signal (SpindleApplication *self,
                     const char         *signal_name)
{
  guint n_live = spindle_worker_set_get_n_live (self->set);

  if (self->signalled)
    {
      g_printerr (_("%s: %s again: cancelling every worker now\n"), g_get_prgname (), signal_name);
      spindle_worker_set_cancel_all (self->set);
      return;
    }

  self->signalled = TRUE;
  if (n_live > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "%s: %s: stopping %u worker, then quitting\n",
                             "%s: %s: stopping %u workers, then quitting\n", n_live),
                g_get_prgname (), signal_name, n_live);

  g_application_hold (G_APPLICATION (self));
  spindle_worker_set_shutdown_async (self->set, NULL, on_signal_shutdown_done, g_object_ref (self));
}

static gboolean
on_sigterm (gpointer user_data)
{
  shut_down_on_signal (user_data, "SIGTERM");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer user_data)
{
  shut_down_on_signal (user_data, "SIGINT");
  return G_SOURCE_CONTINUE;
}

/* GApplication **************************************************************/

static void
load_style (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/dev/spindle/Spindle/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* --run's command, as a process worker of the set the window shows. */
static void
run_requested (SpindleApplication *self)
{
  g_auto(GStrv) argv = g_steal_pointer (&self->run_argv);
  g_autoptr(GError) error = NULL;

  if (argv == NULL)
    return;

  if (spindle_worker_set_spawn_command (self->set, NULL, (const char * const *) argv, NULL, &error) == NULL)
    g_printerr (_("%s: could not run “%s”: %s\n"), g_get_prgname (), argv[0], error->message);
}

/* --record: from the first worker on, until Spindle quits. */
static void
record_requested (SpindleApplication *self)
{
  g_autofree char *path = g_steal_pointer (&self->record_path);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  self->recorder = spindle_recorder_new_for_path (self->set, path, 0, &error);
  if (self->recorder == NULL)
    g_printerr (_("%s: cannot record to “%s”: %s\n"), g_get_prgname (), path, error->message);
}

/* Early start ***************************************************************/

/* Before the first worker: the set, with the settings applied. */
static void
ensure_set (SpindleApplication *self)
{
  if (self->set != NULL)
    return;

  self->set = spindle_worker_set_new ();
  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed),
                           self, G_CONNECT_SWAPPED);
  apply_settings (self);
}

/* From the first worker on, so that a signal during start-up shuts the
 * workers down instead of killing the process under them.
 */
static void
watch_signals (SpindleApplication *self)
{
  if (self->sigterm_id != 0)
    return;

  self->sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm, self);
  self->sigint_id = g_unix_signal_add (SIGINT, on_sigint, self);
}

static void
start_demo (SpindleApplication *self)
{
  g_autoptr(GError) error = NULL;
  guint n_entries;

  spindle_catalog_get_entries (&n_entries);
  if (spindle_catalog_spawn_demo (self->set, &error) < n_entries)
    g_warning ("Could not start the demo set: %s", error->message);
  self->demo = FALSE;
}

/* The command line's workers, a share of them started before GTK (see
 * spindle-early-start.c). Not before GApplication registers, though:
 * without a session bus (as under xvfb-run), GDBus runs dbus-launch and
 * waits for it, which took half a second while thousands of threads
 * started, more than the whole of GTK's start-up.
 */
static void
start_early (SpindleApplication *self)
{
  if (!self->demo && self->requests->len == 0)
    return;

  if (self->heap_fence == NULL)
    self->heap_fence = spindle_early_start_reserve_heap (spindle_early_start_count (self->requests));
  ensure_set (self);
  watch_signals (self);
  record_requested (self);

  /* one notify::n-live, instead of one per worker */
  g_object_freeze_notify (G_OBJECT (self->set));

  /* first, as the list has shown it */
  if (self->demo)
    start_demo (self);

  spindle_early_start_spawn (self->requests, self->set);

  g_object_thaw_notify (G_OBJECT (self->set));
}

/* See _spindle_application_handle_command_line (). */
static gboolean
spindle_application_local_command_line (GApplication   *app,
                                        char         ***arguments,
                                        int            *exit_status)
{
  if (_spindle_application_handle_command_line (SPINDLE_APPLICATION (app), arguments, exit_status))
    return TRUE;

  return G_APPLICATION_CLASS (spindle_application_parent_class)->local_command_line (app, arguments, exit_status);
}

static void
spindle_application_activate (GApplication *app)
{
  SpindleApplication *self = SPINDLE_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (self->replay != NULL)
    {
      g_autoptr(SpindleRecording) replay = g_steal_pointer (&self->replay);

      gtk_window_present (GTK_WINDOW (spindle_replay_window_new (GTK_APPLICATION (app), replay,
                                                                 self->replay_name)));
      return;
    }

  if (self->attached != NULL)
    {
      g_autoptr(SpindleWorkerSet) attached = g_steal_pointer (&self->attached);

      gtk_window_present (GTK_WINDOW (spindle_window_new (GTK_APPLICATION (app), attached)));
      return;
    }

  record_requested (self);
  if (window == NULL)
    window = GTK_WINDOW (spindle_window_new (GTK_APPLICATION (app), self->set));

  gtk_window_present (window);
  spindle_early_start_hand_over (self->requests, SPINDLE_WINDOW (window));
  run_requested (self);
}

static void
spindle_application_startup (GApplication *app)
{
  SpindleApplication *self = SPINDLE_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  gboolean display_named = g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;

  /* The command line's workers, while GTK starts; but GTK's start-up
   * exits the process when it finds no display, and then nothing may have
   * started (threads, a command, a recording half made): without a
   * display named in the environment, they start once GTK has.
   */
  if (display_named)
    start_early (self);

  G_APPLICATION_CLASS (spindle_application_parent_class)->startup (app);

  if (!display_named)
    start_early (self);

  load_style ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);

  /* already there when the command line started workers */
  ensure_set (self);
  watch_signals (self);
}

static void
spindle_application_shutdown (GApplication *app)
{
  SpindleApplication *self = SPINDLE_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->sigterm_id, g_source_remove);
  g_clear_handle_id (&self->sigint_id, g_source_remove);
  if (self->recorder != NULL && !spindle_recorder_close (self->recorder, &error))
    g_printerr (_("%s: the recording is incomplete: %s\n"), g_get_prgname (), error->message);
  g_clear_object (&self->recorder);
  g_clear_object (&self->settings);
  g_clear_object (&self->set);

  G_APPLICATION_CLASS (spindle_application_parent_class)->shutdown (app);
}

static void
spindle_application_finalize (GObject *object)
{
  SpindleApplication *self = SPINDLE_APPLICATION (object);

  g_clear_pointer (&self->requests, g_array_unref);
  g_clear_pointer (&self->run_argv, g_strfreev);
  g_clear_pointer (&self->record_path, g_free);
  g_clear_pointer (&self->export_path, g_free);
  g_clear_pointer (&self->attach_target, g_free);
  g_clear_object (&self->attached);
  g_clear_pointer (&self->replay_name, g_free);
  g_clear_object (&self->replay);
  g_clear_pointer (&self->heap_fence, g_free);

  G_OBJECT_CLASS (spindle_application_parent_class)->finalize (object);
}

static void
spindle_application_class_init (SpindleApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = spindle_application_finalize;

  app_class->local_command_line = spindle_application_local_command_line;
  app_class->activate = spindle_application_activate;
  app_class->startup = spindle_application_startup;
  app_class->shutdown = spindle_application_shutdown;
}

static void
spindle_application_init (SpindleApplication *self)
{
  self->requests = spindle_early_start_new_requests ();
}

SpindleApplication *
spindle_application_new (void)
{
  return g_object_new (SPINDLE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

SpindleWorkerSet *
spindle_application_get_worker_set (SpindleApplication *self)
{
  g_return_val_if_fail (SPINDLE_IS_APPLICATION (self), NULL);

  return self->set;
}
