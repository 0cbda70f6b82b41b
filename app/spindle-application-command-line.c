/* spindle-application-command-line.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-application-private.h"
#include "spindle-catalog.h"
#include "spindle-early-start.h"
#include "spindle-recording.h"
#include "spindle-remote.h"

#define MIN_REFRESH_MS 100
#define MAX_REFRESH_MS 10000

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
 * line on stderr, before anything registers or opens a window. Returns
 * %TRUE when it has set @exit_status and the process exits; %FALSE when
 * GApplication carries on.
 */
gboolean
_spindle_application_handle_command_line (SpindleApplication   *self,
                                          char               ***arguments,
                                          int                 *exit_status)
{
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

  return FALSE;
}
