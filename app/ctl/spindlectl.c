/* spindlectl.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * spindlectl: lists and controls the workers of programs that export them
 * on the session bus, in the tradition of gdbus and busctl. It speaks the
 * protocol of dev.spindle.Spindle1.Program.xml and links no engine.
 */

#define G_LOG_DOMAIN "spindlectl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "spindlectl-private.h"

static void
print_usage_line (FILE *stream)
{
  fprintf (stream, "%s\n  spindlectl [--help] [--version] %s\n",
           _("Usage:"), _("COMMAND [ARGUMENTS…]"));
}

#define HELP_WIDTH 78

/* Text wrapped at HELP_WIDTH terminal columns, the first line after
 * @first spaces, the others after @indent. Lines break at spaces and, as
 * Chinese has none, between two wide characters; widths are display
 * columns (a CJK character takes two). */
static gboolean
breaks_before (const char *p,
               const char *line_start)
{
  if (p == line_start)
    return FALSE;
  if (*p == ' ')
    return TRUE;
  return g_unichar_iswide (g_utf8_get_char (p)) ||
         g_unichar_iswide (g_utf8_get_char (g_utf8_prev_char (p)));
}

static void
print_hanging (const char *text,
               int         first,
               int         indent)
{
  const char *line = text;
  int margin = first;

  while (*line != '\0')
    {
      const char *p = line;
      const char *cut = NULL;
      guint column = margin;

      for (; *p != '\0'; p = g_utf8_next_char (p))
        {
          if (breaks_before (p, line))
            cut = p;
          column += ctl_char_width (g_utf8_get_char (p));
          if (column > HELP_WIDTH && cut != NULL)
            break;
        }
      if (*p == '\0')
        cut = p;
      printf ("%*s%.*s\n", margin, "", (int) (cut - line), line);
      line = cut;
      while (*line == ' ')
        line++;
      margin = indent;
    }
}

static void
print_wrapped (const char *text,
               int         indent)
{
  print_hanging (text, indent, indent);
}

static void
print_command (const char *synopsis,
               const char *description)
{
  printf ("  %s\n", synopsis);
  print_wrapped (description, 6);
}

static void
print_help (void)
{
  print_usage_line (stdout);
  putchar ('\n');
  print_wrapped (_("Lists and controls the workers of programs that use libspindle-1 and "
                   "export them on the session bus (spindle_worker_set_export(), or "
                   "SPINDLE_EXPORT=1 in their environment)."), 0);
  printf ("\n%s\n", _("Commands:"));
  print_command ("list [--json]",
                 _("Every exporting program and its workers: id, name, state, elapsed time."));
  print_command ("watch [--interval=MS] PID",
                 _("A live view of one program's workers, until it exits or Ctrl+C."));
  print_command ("stop PID WORKER",
                 _("Asks a worker to stop: its stop flag, its waits and its cancellable."));
  print_command ("cancel PID WORKER",
                 _("Force-cancels a worker (a Python body is interrupted instead)."));
  print_command ("abandon PID WORKER",
                 _("Gives up on a worker that never dies; its resources are reported leaked."));
  print_command ("details [--json] PID WORKER",
                 _("A worker's diagnosis now, its cleanup report and its event log."));
  print_command ("help", _("Shows this help."));
  putchar ('\n');
  print_wrapped (_("PID is the process id of an exporting program. WORKER is a worker's id, "
                   "or its name when no other worker of that program bears it. Control "
                   "commands work only in a program that allowed control."), 0);
  putchar ('\n');
  printf ("%s\n"
          "  spindlectl list\n"
          "  spindlectl list --json\n"
          "  spindlectl watch 4242\n"
          "  spindlectl stop 4242 indexer\n"
          "  spindlectl details 4242 7\n\n",
          _("Examples:"));
  printf ("%s\n", _("Exit status:"));
  print_hanging (_("0  success"), 2, 5);
  print_hanging (_("1  the operation failed: no such program or worker, control not allowed, "
                   "the worker already finished"), 2, 5);
  print_hanging (_("2  usage error: unknown command or bad arguments"), 2, 5);
}

static void
print_version (void)
{
  printf ("spindlectl %s\n", PACKAGE_VERSION);
}

int
ctl_usage_error (const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "spindlectl: %s\n", message);
  fprintf (stderr, _("Try “spindlectl --help” for more information."));
  fputc ('\n', stderr);
  return CTL_EXIT_USAGE;
}

gboolean
ctl_parse_pid (const char *text,
               guint      *pid)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT32, &value, NULL))
    return FALSE;
  *pid = value;
  return TRUE;
}

static gboolean
is_remote (const char *remote,
           const char *name)
{
  return g_strcmp0 (remote, name) == 0;
}

static char *
explain_remote (const char *remote,
                const char *message,
                guint       pid,
                const char *worker)
{
  if (is_remote (remote, "org.freedesktop.DBus.Error.ServiceUnknown") ||
      is_remote (remote, "org.freedesktop.DBus.Error.NameHasNoOwner"))
    return g_strdup_printf (_("No program with PID %u exports its workers"), pid);
  if (is_remote (remote, "org.freedesktop.DBus.Error.UnknownMethod") ||
      is_remote (remote, "org.freedesktop.DBus.Error.UnknownObject") ||
      is_remote (remote, "org.freedesktop.DBus.Error.UnknownInterface"))
    return g_strdup_printf (_("Program %u does not speak this version of Spindle’s protocol"), pid);
  if (is_remote (remote, CTL_ERROR_PREFIX "NotAllowed"))
    return g_strdup_printf (_("Program %u does not allow control of its workers"), pid);
  if (is_remote (remote, CTL_ERROR_PREFIX "UnknownWorker"))
    return g_strdup_printf (_("Program %u has no worker “%s”"), pid, worker);
  if (is_remote (remote, CTL_ERROR_PREFIX "Finished"))
    return g_strdup_printf (_("Worker “%s” of program %u has already finished"), worker, pid);
  if (is_remote (remote, CTL_ERROR_PREFIX "NotResponding"))
    return g_strdup_printf (_("Program %u is not responding (its main loop did not take the request); nothing was done"), pid);
  if (is_remote (remote, "org.freedesktop.DBus.Error.NoReply") ||
      is_remote (remote, "org.freedesktop.DBus.Error.Timeout"))
    return g_strdup_printf (_("Program %u did not answer in time"), pid);
  /* TRANSLATORS: %u is a program's PID, %s what it answered */
  return g_strdup_printf (_("Program %u refused: %s"), pid, message);
}

/* One line on stderr: what went wrong in words, never a raw D-Bus error
 * name. */
void
ctl_explain_error (GError     *error,
                   guint       pid,
                   const char *worker)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);
  g_autofree char *text = NULL;

  if (remote != NULL)
    {
      g_dbus_error_strip_remote_error (error);
      text = explain_remote (remote, error->message, pid, worker);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    text = g_strdup_printf (_("Program %u did not answer in time"), pid);
  else
    text = g_strdup (error->message);

  fprintf (stderr, "spindlectl: %s\n", text);
}

typedef struct
{
  const char *command;
  const char *method;
} ControlMethod;

static const ControlMethod control_methods[] = {
  { "stop",    "Stop" },
  { "cancel",  "ForceCancel" },
  { "abandon", "Abandon" },
};

static void
print_done (const ControlMethod *control,
            const char          *worker,
            guint                pid)
{
  if (g_str_equal (control->command, "stop"))
    /* TRANSLATORS: %s is a worker's id or name, %u its program's PID */
    printf (_("Asked worker “%s” of program %u to stop."), worker, pid);
  else if (g_str_equal (control->command, "cancel"))
    /* TRANSLATORS: %s is a worker's id or name, %u its program's PID */
    printf (_("Force-cancelled worker “%s” of program %u."), worker, pid);
  else
    /* TRANSLATORS: %s is a worker's id or name, %u its program's PID */
    printf (_("Abandoned worker “%s” of program %u."), worker, pid);
  putchar ('\n');
}

static const ControlMethod *
find_control (const char *command)
{
  for (guint i = 0; i < G_N_ELEMENTS (control_methods); i++)
    if (g_str_equal (control_methods[i].command, command))
      return &control_methods[i];
  return NULL;
}

/* PID and WORKER of a command that takes exactly those two. */
static gboolean
parse_target (const char  *command,
              int          argc,
              char       **argv,
              guint       *pid,
              int         *status)
{
  if (argc != 2)
    {
      *status = ctl_usage_error (_("“%s” takes a PID and a WORKER"), command);
      return FALSE;
    }
  if (!ctl_parse_pid (argv[0], pid))
    {
      *status = ctl_usage_error (_("“%s” is not a process id"), argv[0]);
      return FALSE;
    }
  return TRUE;
}

/* The program's snapshot and the id that WORKER names in it. */
CtlProgram *
ctl_resolve_worker (GDBusConnection *bus,
                    guint            pid,
                    const char      *spec,
                    guint64         *id)
{
  g_autoptr(CtlProgram) program = ctl_program_new (pid);
  g_autoptr(GError) error = NULL;

  if (!ctl_program_snapshot (program, bus, &error) ||
      !ctl_program_find_worker (program, spec, id, &error))
    {
      ctl_explain_error (error, pid, spec);
      return NULL;
    }
  return g_steal_pointer (&program);
}

int
ctl_command_control (GDBusConnection *bus,
                     const char      *command,
                     int              argc,
                     char           **argv)
{
  const ControlMethod *control = find_control (command);
  g_autoptr(CtlProgram) program = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint64 id = 0;
  guint pid = 0;
  int status = CTL_EXIT_OK;

  if (!parse_target (command, argc, argv, &pid, &status))
    return status;

  program = ctl_resolve_worker (bus, pid, argv[1], &id);
  if (program == NULL)
    return CTL_EXIT_FAILED;

  reply = g_dbus_connection_call_sync (bus, program->bus_name, CTL_OBJECT_PATH,
                                       CTL_INTERFACE, control->method,
                                       g_variant_new ("(t)", id), G_VARIANT_TYPE_UNIT,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, &error);
  if (reply == NULL)
    {
      ctl_explain_error (error, pid, argv[1]);
      return CTL_EXIT_FAILED;
    }

  print_done (control, argv[1], pid);
  return CTL_EXIT_OK;
}

/* Commands take their options anywhere among their arguments, as
 * busctl's do; "--" ends them. Returns the arguments that are not
 * options, or NULL after a usage error. */
char **
ctl_split_options (const char  *command,
                   int          argc,
                   char       **argv,
                   const char  *const *known,
                   GHashTable  *found,
                   int         *n_rest)
{
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  gboolean options = TRUE;

  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      g_autofree char *name = NULL;
      const char *value;

      if (!options || arg[0] != '-' || arg[1] == '\0')
        {
          g_ptr_array_add (rest, argv[i]);
          continue;
        }
      if (g_str_equal (arg, "--"))
        {
          options = FALSE;
          continue;
        }
      value = strchr (arg, '=');
      name = value != NULL ? g_strndup (arg, value - arg) : g_strdup (arg);
      if (!g_strv_contains (known, name))
        {
          ctl_usage_error (_("Unknown option “%s” for “%s”"), arg, command);
          return NULL;
        }
      g_hash_table_insert (found, g_steal_pointer (&name), g_strdup (value != NULL ? value + 1 : ""));
    }

  *n_rest = rest->len;
  g_ptr_array_add (rest, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&rest), FALSE);
}

typedef int (*CommandFunc) (GDBusConnection *bus, int argc, char **argv);

typedef struct
{
  const char  *name;
  CommandFunc  func;
} Command;

static const Command commands[] = {
  { "list",    ctl_command_list },
  { "watch",   ctl_command_watch },
  { "details", ctl_command_details },
};

/* A session bus only: the programs and spindlectl belong to one user. */
static int
run_command (const char  *name,
             int          argc,
             char       **argv)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  CommandFunc func = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      func = commands[i].func;

  if (func == NULL && find_control (name) == NULL)
    return ctl_usage_error (_("Unknown command “%s”"), name);

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      fprintf (stderr, "spindlectl: %s: %s\n", _("Cannot reach the session bus"), error->message);
      return CTL_EXIT_FAILED;
    }

  if (func != NULL)
    return func (bus, argc, argv);
  return ctl_command_control (bus, name, argc, argv);
}

/* The installed catalogues, or the build tree's when spindlectl runs from
 * it: <build>/app/ctl/spindlectl finds them in <build>/po. */
static char *
locale_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *ninja = NULL;

  if (exe == NULL)
    return g_strdup (LOCALEDIR);

  dir = g_path_get_dirname (exe);
  ninja = g_build_filename (dir, "..", "..", "build.ninja", NULL);
  if (g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
    return g_build_filename (dir, "..", "..", "po", NULL);

  return g_strdup (LOCALEDIR);
}

static void
setup_i18n (void)
{
  g_autofree char *catalogues = locale_dir ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, catalogues);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

static gboolean
wants_help (int    argc,
            char **argv)
{
  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        return FALSE;
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        return TRUE;
    }
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  const char *command;

  setup_i18n ();

  if (argc < 2)
    {
      print_usage_line (stderr);
      return ctl_usage_error (_("No command given"));
    }

  command = argv[1];
  if (g_str_equal (command, "help") || wants_help (argc - 1, argv + 1))
    {
      print_help ();
      return CTL_EXIT_OK;
    }
  if (g_str_equal (command, "--version"))
    {
      print_version ();
      return CTL_EXIT_OK;
    }
  if (command[0] == '-')
    return ctl_usage_error (_("Unknown option “%s”"), command);

  return run_command (command, argc - 2, argv + 2);
}
