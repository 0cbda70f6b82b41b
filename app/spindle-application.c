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

#include "spindle-application.h"
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

#define MIN_REFRESH_MS 100
#define MAX_REFRESH_MS 10000

struct _SpindleApplication
{
  GtkApplication    parent_instance;

  SpindleWorkerSet *set;
  GSettings        *settings;

  /* from the command line, used by the first activation */
  GArray           *requests;      /* of SpindleWorkerRequest */
  guint             refresh_ms;
  gboolean          demo;
  char            **run_argv;      /* --run's command, or NULL */
  char             *record_path;   /* --record's file, or NULL */
  SpindleRecording *replay;        /* the recording given as an operand */
  char             *replay_name;
  char             *export_path;   /* --export-trace's file, or NULL */
  SpindleRecorder  *recorder;
  char             *attach_target; /* --attach's PID, or NULL */
  SpindleWorkerSet *attached;      /* its workers, attached before the first window */

  /* SIGTERM and SIGINT shut the set down and quit, with no dialog */
  guint             sigterm_id;
  guint             sigint_id;
  gboolean          signalled;

  gpointer          heap_fence;    /* see spindle_early_start_reserve_heap () */
};

G_DEFINE_FINAL_TYPE (SpindleApplication, spindle_application, GTK_TYPE_APPLICATION)

/* Command line **************************************************************/

/* What GOption fills in. Arguments stay bytes (FILENAME) so that text the
 * locale cannot convert is reported here, by name, not by GOption.
 */
typedef struct
{
  gboolean   demo;
  gboolean   version;
  gboolean   run;
  char     **workers;
  char      *refresh;
  char     **command;   /* the operands after --run */
  char      *record;
  char      *export_trace;
  char      *attach;
  char      *recording;  /* the one operand without --run */
} Arguments;

static void
arguments_clear (Arguments *args)
{
  g_clear_pointer (&args->workers, g_strfreev);
  g_clear_pointer (&args->refresh, g_free);
  g_clear_pointer (&args->command, g_strfreev);
  g_clear_pointer (&args->record, g_free);
  g_clear_pointer (&args->export_trace, g_free);
  g_clear_pointer (&args->attach, g_free);
  g_clear_pointer (&args->recording, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Arguments, arguments_clear)

static char *
dup_known_kinds (void)
{
  g_autoptr(GString) kinds = g_string_new (NULL);
  const SpindleCatalogEntry *entries;
  guint n_entries;

  entries = spindle_catalog_get_entries (&n_entries);
  for (guint i = 0; i < n_entries; i++)
    g_string_append_printf (kinds, "%s%s", i > 0 ? ", " : "", entries[i].kind);

  return g_string_free (g_steal_pointer (&kinds), FALSE);
}

static GOptionContext *
create_option_context (Arguments *args)
{
  const GOptionEntry entries[] = {
    { "demo", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &args->demo,
      N_("Start with the demo set: one worker of each kind"), NULL },
    { "workers", 'w', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME_ARRAY, &args->workers,
      N_("Start N workers of KIND (repeatable; in all, as many as the system’s thread limits allow)"),
      N_("KIND=N") },
    { "refresh", 'r', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &args->refresh,
      N_("Refresh the live figures every MS milliseconds (100 to 10000)"), N_("MS") },
    { "run", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &args->run,
      N_("Run COMMAND, given after “--”, as a process worker that a force-cancel kills with "
         "all its descendants"), NULL },
    { "record", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &args->record,
      N_("Record the session to FILE, to replay later with “spindle FILE”"), N_("FILE") },
    { "export-trace", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &args->export_trace,
      N_("Write the recording given as FILE as a Chrome trace (for Perfetto) to OUT, and exit"), N_("OUT") },
    { "attach", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &args->attach,
      N_("Show the workers of the running program PID, which exports them (SPINDLE_EXPORT=1)"), N_("PID") },
    { "version", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &args->version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };
  g_autofree char *known = dup_known_kinds ();
  g_autofree char *description = g_strdup_printf (_("Worker kinds: %s.\n"
                                                     "Example: spindle --run -- sleep 60\n"
                                                     "Replay a recording: spindle session.spindle\n"
                                                     "Watch a program that exports its workers: spindle --attach 1234\n"), known);
  GOptionContext *context = g_option_context_new (_("[FILE | --run -- COMMAND [ARGUMENT…]]"));

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("A thread monitor: start worker threads, stop or cancel them, "
                                  "and see what their cleanup did."));
  g_option_context_set_description (context, description);

  return context;
}

/* Bytes from the command line, made fit to print. */
static char *
printable (const char *arg)
{
  return g_utf8_make_valid (arg, -1);
}

static gboolean
check_utf8 (const char  *option,
            const char  *arg,
            GError     **error)
{
  g_autofree char *shown = NULL;

  if (g_utf8_validate (arg, -1, NULL))
    return TRUE;

  shown = printable (arg);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("invalid %s “%s”: not valid UTF-8 text"), option, shown);
  return FALSE;
}

static gboolean
parse_worker_request (const char            *arg,
                      SpindleWorkerRequest  *request,
                      GError               **error)
{
  g_autofree char *kind = NULL;
  const char *equals;
  guint64 count;

  if (!check_utf8 ("--workers", arg, error))
    return FALSE;

  equals = strchr (arg, '=');
  if (equals == NULL || equals == arg)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--workers expects KIND=N, for example sleeper=3, not “%s”"), arg);
      return FALSE;
    }

  kind = g_strndup (arg, equals - arg);
  if (spindle_catalog_lookup (kind) == NULL)
    {
      g_autofree char *known = dup_known_kinds ();

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("unknown worker kind “%s” (known kinds: %s)"), kind, known);
      return FALSE;
    }

  if (!g_ascii_string_to_unsigned (equals + 1, 10, 1, G_MAXUINT, &count, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("invalid count “%s” for %s: expected a whole number from 1 up"),
                   equals + 1, kind);
      return FALSE;
    }

  request->kind = g_steal_pointer (&kind);
  request->count = (guint) count;

  return TRUE;
}

static gboolean
parse_refresh (const char  *arg,
               guint       *refresh_ms,
               GError     **error)
{
  guint64 value;

  if (!check_utf8 ("--refresh", arg, error))
    return FALSE;

  if (!g_ascii_string_to_unsigned (arg, 10, MIN_REFRESH_MS, MAX_REFRESH_MS, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("invalid --refresh “%s”: expected milliseconds from %d to %d"),
                   arg, MIN_REFRESH_MS, MAX_REFRESH_MS);
      return FALSE;
    }

  *refresh_ms = (guint) value;

  return TRUE;
}

/* The program must be there: a typo is a usage error, not a failed worker. */
static gboolean
check_command (char    **command,
               GError  **error)
{
  g_autofree char *program = g_find_program_in_path (command[0]);
  g_autofree char *shown = NULL;

  if (program != NULL)
    return TRUE;

  shown = printable (command[0]);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--run: cannot find the program “%s” (not in PATH, or not executable)"), shown);
  return FALSE;
}

/* Every option together must fit in the process's one thread budget. */
static gboolean
check_budget (SpindleApplication  *self,
              GError             **error)
{
  /* a command worker is one thread that follows its process */
  guint64 threads = self->run_argv != NULL ? 1 : 0;

  if (self->demo)
    {
      const SpindleCatalogEntry *entries;
      guint n_entries;

      entries = spindle_catalog_get_entries (&n_entries);
      for (guint i = 0; i < n_entries; i++)
        threads += spindle_catalog_get_thread_cost (entries[i].kind);
    }

  for (guint i = 0; i < self->requests->len; i++)
    {
      SpindleWorkerRequest *request = &g_array_index (self->requests, SpindleWorkerRequest, i);

      threads += (guint64) request->count * spindle_catalog_get_thread_cost (request->kind);
    }

  return spindle_thread_budget_check (0, threads, error);
}

/* --record, --export-trace and a recording to replay. A recording that
 * cannot be read is a usage error, said before any window opens.
 */
static gboolean
apply_recording_arguments (SpindleApplication  *self,
                           Arguments           *args,
                           GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *shown = NULL;

  if (args->export_trace != NULL && args->recording == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("--export-trace needs the recording to export, for example: "
                     "--export-trace trace.json session.spindle"));
      return FALSE;
    }
  if (args->recording != NULL && (args->demo || args->workers != NULL || args->record != NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("a recording is replayed on its own: --demo, --workers and --record "
                     "start a live session"));
      return FALSE;
    }

  self->record_path = g_steal_pointer (&args->record);
  self->export_path = g_steal_pointer (&args->export_trace);
  if (args->recording == NULL)
    return TRUE;

  self->replay = spindle_recording_load_path (args->recording, &local_error);
  if (self->replay == NULL)
    {
      shown = printable (args->recording);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", shown, local_error->message);
      return FALSE;
    }
  self->replay_name = g_path_get_basename (args->recording);
  return TRUE;
}

/* --attach shows another program's workers: nothing of this one's. */
static gboolean
check_attach (Arguments  *args,
              GError    **error)
{
  if (args->attach == NULL)
    return TRUE;

  if (!check_utf8 ("--attach", args->attach, error))
    return FALSE;

  if (args->demo || args->workers != NULL || args->run || args->record != NULL ||
      args->recording != NULL || args->export_trace != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("--attach shows another program’s workers on its own: --demo, --workers, "
                     "--run, --record and a recording are for Spindle’s own"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
apply_arguments (SpindleApplication  *self,
                 Arguments           *args,
                 GError             **error)
{
  if (!check_attach (args, error))
    return FALSE;
  self->attach_target = g_steal_pointer (&args->attach);

  self->demo = args->demo;

  if (args->refresh != NULL && !parse_refresh (args->refresh, &self->refresh_ms, error))
    return FALSE;

  for (guint i = 0; args->workers != NULL && args->workers[i] != NULL; i++)
    {
      SpindleWorkerRequest request = { 0 };

      if (!parse_worker_request (args->workers[i], &request, error))
        return FALSE;
      g_array_append_val (self->requests, request);
    }

  if (args->command != NULL)
    {
      if (!check_command (args->command, error))
        return FALSE;
      g_clear_pointer (&self->run_argv, g_strfreev);
      self->run_argv = g_steal_pointer (&args->command);
    }

  if (!apply_recording_arguments (self, args, error))
    return FALSE;

  return check_budget (self, error);
}

/* After the options, --run's command, or one recording to replay. GOption
 * leaves a "--" in place when operands follow it.
 */
static gboolean
take_operands (Arguments  *args,
               char      **argv,
               GError    **error)
{
  char **operands = argv[0] != NULL ? argv + 1 : argv;
  g_autofree char *shown = NULL;

  if (operands[0] != NULL && g_str_equal (operands[0], "--"))
    operands++;

  if (args->run && operands[0] == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("--run needs a command after “--”, for example: --run -- sleep 60"));
      return FALSE;
    }

  if (!args->run && operands[0] != NULL && operands[1] != NULL)
    {
      shown = printable (operands[1]);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("unexpected argument “%s”: spindle takes one recording to replay, "
                     "or a command after “--run --”"), shown);
      return FALSE;
    }

  if (args->run)
    args->command = g_strdupv (operands);
  else
    args->recording = g_strdup (operands[0]);
  return TRUE;
}

/* What GApplication gets back is the program name alone. */
static void
drop_operands (char **argv)
{
  for (guint i = 1; argv[0] != NULL && argv[i] != NULL; i++)
    g_clear_pointer (&argv[i], g_free);
}

/* GOption's messages say what is wrong, not where to look next. */
static gboolean
parse_options (GOptionContext   *context,
               Arguments        *args,
               char           ***argv,
               GError          **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_option_context_parse_strv (context, argv, &local_error) &&
      take_operands (args, *argv, &local_error))
    return TRUE;

  g_set_error (error, local_error->domain, local_error->code, _("%s (see “%s --help”)"),
               local_error->message, g_get_prgname ());
  return FALSE;
}

static gboolean
parse_command_line (SpindleApplication   *self,
                    char               ***argv,
                    gboolean             *version,
                    GError              **error)
{
  g_auto(Arguments) args = { 0 };
  g_autoptr(GOptionContext) context = create_option_context (&args);

  if (!parse_options (context, &args, argv, error))
    return FALSE;
  drop_operands (*argv);

  *version = args.version;
  if (args.version)
    return TRUE;

  return apply_arguments (self, &args, error);
}

static void
print_usage_error (const GError *error)
{
  g_autofree char *message = printable (error->message);

  g_printerr ("%s: %s\n", g_get_prgname (), message);
}

/* --export-trace: the recording as a Chrome trace, with no window. */
static int
export_trace (SpindleApplication *self)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->export_path);
  g_autoptr(GError) error = NULL;

  if (!spindle_recording_save_chrome_trace (self->replay, file, &error))
    {
      g_printerr (_("%s: cannot write the trace: %s\n"), g_get_prgname (), error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}

/* --attach: the program's workers are in the set before any window
 * opens, so that a PID that exports nothing is said on stderr, with exit
 * status 1 and no window.
 */
typedef struct
{
  SpindleWorkerSet *set;
  GError           *error;
  gboolean          done;
} AttachWait;

static void
on_attached_at_start (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  AttachWait *wait = user_data;

  wait->set = spindle_worker_set_attach_finish (result, &wait->error);
  wait->done = TRUE;
}

static gboolean
attach_at_start (SpindleApplication *self)
{
  AttachWait wait = { 0 };

  spindle_worker_set_attach_async (self->attach_target, NULL, on_attached_at_start, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);

  if (wait.set == NULL)
    {
      g_printerr (_("%s: cannot attach to %s: %s\n"), g_get_prgname (), self->attach_target,
                  wait.error->message);
      g_error_free (wait.error);
      return FALSE;
    }

  self->attached = wait.set;
  return TRUE;
}

/* GApplication would parse the options itself and exit with status 1 on a
 * bad command line; every such error exits with status 2 here, with one
 * line on stderr, before anything registers or opens a window.
 */
static gboolean
spindle_application_local_command_line (GApplication   *app,
                                        char         ***arguments,
                                        int            *exit_status)
{
  SpindleApplication *self = SPINDLE_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  gboolean version = FALSE;

  if (!parse_command_line (self, arguments, &version, &error))
    {
      print_usage_error (error);
      *exit_status = SPINDLE_EXIT_USAGE;
      return TRUE;
    }

  if (version)
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      *exit_status = EXIT_SUCCESS;
      return TRUE;
    }

  if (self->export_path != NULL)
    {
      *exit_status = export_trace (self);
      return TRUE;
    }

  if (self->attach_target != NULL && !attach_at_start (self))
    {
      *exit_status = EXIT_FAILURE;
      return TRUE;
    }

  return G_APPLICATION_CLASS (spindle_application_parent_class)->local_command_line (app, arguments, exit_status);
}

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
