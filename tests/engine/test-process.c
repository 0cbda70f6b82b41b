/* test-process.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spindle-test-process.h"

/* Command workers, run through the reaper helper of the build tree
 * (SPINDLE_REAPER). Every process a test starts carries a marker in its
 * arguments (a sleep of mark seconds), so that "nothing left behind" is
 * checked over the whole machine, not only among the reaper's children.
 */

/* Unique to this test program: other copies of it may run at once. */
static char mark[32];

#define MARK ((const char *) mark)

static const char *
result_string (SpindleWorker *worker,
               const char    *key)
{
  GVariant *result = spindle_worker_get_result (worker);
  const char *value = NULL;

  g_assert_nonnull (result);
  g_assert_true (g_variant_lookup (result, key, "&s", &value));
  return value;
}

static gint32
result_int (SpindleWorker *worker,
            const char    *key)
{
  GVariant *result = spindle_worker_get_result (worker);
  gint32 value = G_MININT32;

  g_assert_nonnull (result);
  g_assert_true (g_variant_lookup (result, key, "i", &value));
  return value;
}

static gboolean
phase_has_cond (gpointer data)
{
  SpindleWorker *worker = ((gpointer *) data)[0];
  const char *needle = ((gpointer *) data)[1];
  const char *phase = spindle_worker_get_phase (worker);

  return phase != NULL && strstr (phase, needle) != NULL;
}

static void
wait_phase (SpindleWorker *worker,
            const char    *needle)
{
  gpointer data[] = { worker, (gpointer) needle };

  spindle_test_wait_until_full (phase_has_cond, data, SPINDLE_TEST_GUARD_MS, needle);
}

static gboolean
no_marked_cond (gpointer data)
{
  return spindle_test_count_marked (MARK) == 0;
}

typedef SpindleTestPidFile PidFile;

/* The stubborn tree is in place: both sleeps run, and the last one has
 * left the command's session.
 */
static gboolean
tree_ready_cond (gpointer data)
{
  PidFile *file = data;
  g_auto(GStrv) pids = NULL;
  pid_t escapee;

  if (!spindle_test_pid_file_full (file))
    return FALSE;
  pids = spindle_test_pid_file_read (file);
  escapee = atoi (pids[3]);
  return spindle_test_is_sleep (atoi (pids[2])) && spindle_test_is_sleep (escapee) &&
         spindle_test_process_session (escapee) == escapee;
}

/* A tree that ignores SIGTERM: the command, a child shell, its sleep and
 * a setsid() sleep that left the group. Each writes its pid (dash's $$ is
 * the outer shell's, so the child shell names itself through sh -c).
 */
static char **
stubborn_tree_argv (PidFile *file)
{
  g_autofree char *script = g_strdup_printf (
      "trap '' TERM; "
      "echo $$ >> %1$s; "
      "sh -c 'echo $$ >> %1$s; sleep @MARK@ & echo $! >> %1$s; "
      "setsid sleep @MARK@ & echo $! >> %1$s; wait' & "
      "wait",
      file->path);

  return spindle_test_sh_argv (script, MARK);
}

/* Exit statuses and output *************************************************/

static void
test_exit_zero (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("echo first; echo to-stderr >&2; echo last-out", MARK), NULL);
  g_assert_cmpstr (spindle_worker_get_kind (worker), ==, "command");
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (result_int (worker, "exit-status"), ==, 0);
  g_assert_cmpint (result_int (worker, "signal"), ==, 0);
  g_assert_cmpint (result_int (worker, "pid"), >, 0);
  g_assert_cmpstr (result_string (worker, "stdout"), ==, "first\nlast-out");
  g_assert_cmpstr (result_string (worker, "stderr"), ==, "to-stderr");
  spindle_test_assert_report_has (worker, "(sh) exited with status 0, reaped");
  spindle_test_assert_report_has (worker, "Reap the process helper");
  g_assert_true (g_str_has_suffix (spindle_worker_get_phase (worker), "exited with status 0"));
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

static void
test_exit_three (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  const GError *error;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("echo something went wrong >&2; exit 3", MARK), NULL);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  error = spindle_worker_get_error (worker);
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 3);
  g_assert_nonnull (strstr (error->message, "exited with status 3"));
  g_assert_nonnull (strstr (error->message, "something went wrong"));
  spindle_test_assert_report_has (worker, "(sh) exited with status 3, reaped");
}

static void
test_crash (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  const GError *error;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("echo about to crash >&2; kill -SEGV $$", MARK), NULL);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  error = spindle_worker_get_error (worker);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "SIGSEGV"));
  g_assert_nonnull (strstr (error->message, "about to crash"));
  spindle_test_assert_report_has (worker, "(sh) was killed by SIGSEGV, reaped");
  g_assert_nonnull (strstr (spindle_worker_get_phase (worker), "SIGSEGV"));
}

static void
test_exec_fails (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *argv[] = { "/nonexistent/spindle-no-such-program", NULL };
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn_command (set, NULL, argv, NULL, &error);
  g_assert_no_error (error);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (spindle_worker_get_error (worker), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  spindle_test_assert_report_has (worker, "Reap the process helper");
}

/* The reaper starts the command on a stack of its own, in its memory: a
 * script without "#!", which execvp() runs with /bin/sh after copying the
 * whole argument vector onto that stack, gets room for all of it.
 */
#define SCRIPT_ARGS 20000

static void
test_script_many_arguments (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) argv = g_new0 (char *, SCRIPT_ARGS + 2);
  SpindleWorker *worker;
  int fd;

  fd = g_file_open_tmp ("spindle-script-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, "test $# -eq " G_STRINGIFY (SCRIPT_ARGS) " || exit 3\n", -1, &error));
  g_assert_no_errno (g_chmod (path, 0700));

  argv[0] = g_strdup (path);
  for (guint i = 1; i <= SCRIPT_ARGS; i++)
    argv[i] = g_strdup ("x");

  worker = spindle_test_spawn_command (set, g_steal_pointer (&argv), NULL);
  spindle_test_wait_terminal (worker);
  g_unlink (path);

  g_assert_no_error (spindle_worker_get_error (worker));
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
}

/* The reaper run directly on `true` with @extra arguments, its cgroup
 * forced: its "contained" record, the pids in its names cut out. */
static char *
reaper_containment (const char *const *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) reaper = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  g_autoptr(GRegex) names = g_regex_new ("spindle-[0-9]+-[0-9]+", 0, 0, NULL);
  g_auto(GStrv) lines = NULL;
  int control[2], records[2];
  char buf[4096];
  ssize_t n;

  g_assert_no_errno (pipe2 (control, O_CLOEXEC));
  g_assert_no_errno (pipe2 (records, O_CLOEXEC));
  g_subprocess_launcher_take_fd (launcher, control[0], 3);
  g_subprocess_launcher_take_fd (launcher, records[1], 4);
  g_subprocess_launcher_setenv (launcher, "SPINDLE_PROCESS_CONTAINMENT", "cgroup", TRUE);

  g_ptr_array_add (args, (char *) g_getenv ("SPINDLE_REAPER"));
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, (char *) "--");
  g_ptr_array_add (args, (char *) "true");
  g_ptr_array_add (args, NULL);
  reaper = g_subprocess_launcher_spawnv (launcher, (const char *const *) args->pdata, &error);
  g_assert_no_error (error);
  g_clear_object (&launcher);

  while ((n = read (records[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    g_string_append_len (report, buf, MAX (n, 0));
  close (records[0]);
  close (control[1]);
  g_assert_true (g_subprocess_wait (reaper, NULL, &error));
  g_assert_no_error (error);

  lines = g_strsplit (report->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "contained "))
      return g_regex_replace_literal (names, lines[i], -1, 0, "spindle-N-N", 0, NULL);

  g_error ("no containment in the reaper's report: %s", report->str);
}

/* The host names the cgroup v2 mount it found to the reaper, which finds
 * it alone where it is not named: the two agree, and a mount named as
 * none is none. */
static void
test_reaper_cgroup_mount (void)
{
  const char *none[] = { NULL };
  const char *absent[] = { "--cgroup-mount", "", NULL };
  g_autofree char *found = reaper_containment (none);
  g_autofree char *named = NULL;
  g_autofree char *unmounted = reaper_containment (absent);
  g_autofree char *point = NULL;
  g_autofree char *root = NULL;
  g_autofree char *mountinfo = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL));
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL && point == NULL; i++)
    if (strstr (lines[i], " - cgroup2 ") != NULL)
      {
        g_auto(GStrv) fields = g_strsplit (lines[i], " ", 6);

        root = g_strcompress (fields[3]);
        point = g_strcompress (fields[4]);
      }

  if (point != NULL)
    {
      const char *given[] = { "--cgroup-mount", point, "--cgroup-root", root, NULL };

      named = reaper_containment (given);
      g_assert_cmpstr (found, ==, named);
    }
  else
    g_assert_nonnull (strstr (found, "no cgroup v2 hierarchy is mounted"));

  g_assert_true (g_str_has_prefix (unmounted, "contained group "));
  g_assert_nonnull (strstr (unmounted, "no cgroup v2 hierarchy is mounted"));
}

/* Only the tail is kept, and only the last lines are shown. */
static void
test_output_bounded (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleCommandOptions options = { .output_limit = 512 };
  SpindleWorker *worker;
  const char *out;

  worker = spindle_test_spawn_command (set,
                                       spindle_test_sh_argv ("i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done; "
                                                             "echo err-tail >&2", MARK),
                                       &options);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  out = result_string (worker, "stdout");
  g_assert_true (g_str_has_suffix (out, "line-1998\nline-1999"));
  g_assert_true (g_str_has_prefix (out, "line-1990\n"));
  g_assert_cmpstr (result_string (worker, "stderr"), ==, "err-tail");
}

/* The working directory and the environment reach the command. */
static void
test_cwd_and_env (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *envp[] = { "SPINDLE_TEST_VALUE=from-the-host", "PATH=/usr/bin:/bin", NULL };
  SpindleCommandOptions options = { .cwd = "/", .envp = envp };
  SpindleWorker *worker;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("echo \"$(pwd) $SPINDLE_TEST_VALUE\"", MARK), &options);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpstr (result_string (worker, "stdout"), ==, "/ from-the-host");
}

/* The host ignores SIGUSR1 and blocks SIGUSR2 (the worker's thread
 * inherits the mask): the helper, started with every signal blocked and
 * the host's ignored ones still ignored, gives its command neither, in
 * either containment.
 */
static void
test_signals_at_default (void)
{
  const char *containments[] = { "cgroup", "group" };
  struct sigaction ignore = { .sa_handler = SIG_IGN }, old_action;
  sigset_t usr2, old_mask;

  sigemptyset (&usr2);
  sigaddset (&usr2, SIGUSR2);
  sigaction (SIGUSR1, &ignore, &old_action);
  pthread_sigmask (SIG_BLOCK, &usr2, &old_mask);

  for (guint i = 0; i < G_N_ELEMENTS (containments); i++)
    {
      g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
      g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "SPINDLE_PROCESS_CONTAINMENT", containments[i], TRUE);
      SpindleCommandOptions options = { .envp = (const char * const *) envp };
      SpindleWorker *worker;

      worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("grep -E '^Sig(Blk|Ign):' /proc/self/status # @MARK@",
                                                                      MARK), &options);
      spindle_test_wait_terminal (worker);

      g_test_message ("%s: %s", containments[i], result_string (worker, "stdout"));
      g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
      g_assert_cmpstr (result_string (worker, "stdout"), ==, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000");
    }

  pthread_sigmask (SIG_SETMASK, &old_mask, NULL);
  sigaction (SIGUSR1, &old_action, NULL);
}

/* Input ********************************************************************/

/* Without input, the command's stdin is /dev/null: a read ends at once. */
static void
test_stdin_default_null (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("cat; echo read-the-end # @MARK@", MARK), NULL);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpstr (result_string (worker, "stdout"), ==, "read-the-end");
}

/* Input larger than a pipe holds (64 KiB) reaches the command whole, in
 * order, as it drains the pipe; then its stdin ends.
 */
static void
test_stdin_data (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *length = NULL;
  SpindleCommandOptions options = { 0 };
  SpindleWorker *worker;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (input, "line-%05u\n", i);
  bytes = g_bytes_new (input->str, input->len);
  options.stdin_data = bytes;
  length = g_strdup_printf ("%" G_GSIZE_FORMAT, input->len);

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("tee /dev/stderr | wc -c # @MARK@", MARK), &options);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (result_int (worker, "exit-status"), ==, 0);
  g_assert_cmpstr (result_string (worker, "stdout"), ==, length);
  g_assert_true (g_str_has_suffix (result_string (worker, "stderr"), "line-19998\nline-19999"));
}

/* A command that ends without reading its input, larger than the pipe
 * holds: the worker ends with it, the rest of the input dropped.
 */
static void
test_stdin_unread (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *input = g_malloc0 (1024 * 1024);
  g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&input), 1024 * 1024);
  SpindleCommandOptions options = { .stdin_data = bytes };
  SpindleWorker *worker;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("exec 0<&-; echo closed # @MARK@", MARK), &options);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpstr (result_string (worker, "stdout"), ==, "closed");
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

/* With stop_closes_stdin, the input is written and the stdin kept open;
 * a stop closes it and sends no signal: the command reads the end of its
 * input and exits 0, and the worker is STOPPED.
 */
static void
test_stop_closes_stdin (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GBytes) bytes = g_bytes_new_static ("first\n", 6);
  SpindleCommandOptions options = { .stdin_data = bytes, .stop_closes_stdin = TRUE };
  g_autofree char *script = NULL;
  SpindleWorker *worker;
  PidFile file;

  spindle_test_pid_file_init (&file, 1);
  script = g_strdup_printf ("trap 'echo got-term; exit 9' TERM; "
                            "read line; echo $line > %s; n=0; "
                            "while read more; do n=$((n+1)); done; echo \"$line then $n, then the end\" # @MARK@",
                            file.path);
  worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, MARK), &options);
  spindle_test_wait_until (spindle_test_pid_file_full, &file, SPINDLE_TEST_GUARD_MS);
  spindle_test_pid_file_clear (&file);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpstr (result_string (worker, "stdout"), ==, "first then 0, then the end");
  g_assert_cmpint (result_int (worker, "exit-status"), ==, 0);
  g_assert_cmpint (result_int (worker, "signal"), ==, 0);
  spindle_test_assert_report_has (worker, "(sh) exited with status 0, reaped");
}

/* The pid file names a process that runs sleep by now. */
static gboolean
sleep_written_cond (gpointer data)
{
  g_auto(GStrv) pids = NULL;

  if (!spindle_test_pid_file_full (data))
    return FALSE;
  pids = spindle_test_pid_file_read (data);
  return spindle_test_is_sleep (atoi (pids[0]));
}

/* A command that does not end at the end of its input is still running
 * after such a stop (no signal reached it); a force-cancel ends it.
 */
static void
test_stop_closes_stdin_then_force (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleCommandOptions options = { .stop_closes_stdin = TRUE };
  g_autofree char *script = NULL;
  SpindleWorker *worker;
  PidFile file;

  spindle_test_pid_file_init (&file, 1);
  script = g_strdup_printf ("cat; sleep @MARK@ & echo $! > %s; wait", file.path);
  worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, MARK), &options);
  wait_phase (worker, "running");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);

  spindle_worker_request_stop (worker);
  /* cat read the end of its input: the sleep starts, and stays */
  spindle_test_wait_until (sleep_written_cond, &file, SPINDLE_TEST_GUARD_MS);
  spindle_test_pid_file_clear (&file);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  spindle_test_assert_report_has (worker, "(sleep) was killed by SIGKILL, reaped");
  spindle_test_wait_until (no_marked_cond, NULL, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

/* Stop and force ************************************************************/

static void
test_stop (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *argv[] = { "sleep", MARK, NULL };
  SpindleWorker *worker;

  worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), NULL);
  wait_phase (worker, "running");
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (result_int (worker, "signal"), ==, SIGTERM);
  spindle_test_assert_report_has (worker, "(sleep) was killed by SIGTERM, reaped");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

/* A configured stop signal is the one sent. */
static void
test_stop_signal (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleCommandOptions options = { .stop_signal = SIGINT };
  g_autofree char *script = NULL;
  SpindleWorker *worker;
  PidFile file;

  /* the stop must come after the trap is set */
  spindle_test_pid_file_init (&file, 1);
  script = g_strdup_printf ("trap 'echo got-int; exit 0' INT; echo $$ > %s; sleep @MARK@ & wait", file.path);
  worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, MARK), &options);
  spindle_test_wait_until (spindle_test_pid_file_full, &file, SPINDLE_TEST_GUARD_MS);
  spindle_test_pid_file_clear (&file);
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpstr (result_string (worker, "stdout"), ==, "got-int");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
}

static void
assert_alive (char **pids)
{
  for (guint i = 0; pids[i] != NULL; i++)
    {
      char state = spindle_test_process_state (atoi (pids[i]));

      g_assert_true (state != 0 && state != 'Z');
    }
}

static void
test_force_kills_tree (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_auto(GStrv) pids = NULL;
  SpindleWorker *worker;
  PidFile file;

  spindle_test_pid_file_init (&file, 4);
  worker = spindle_test_spawn_command (set, stubborn_tree_argv (&file), NULL);
  spindle_test_wait_until (tree_ready_cond, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);
  g_assert_cmpuint (g_strv_length (pids), ==, 4);

  spindle_worker_request_stop (worker);
  wait_phase (worker, "stopping");
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  assert_alive (pids);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  for (guint i = 0; pids[i] != NULL; i++)
    {
      g_autofree char *needle = g_strdup_printf (" %s (", pids[i]);

      g_assert_cmpint (spindle_test_process_state (atoi (pids[i])), ==, 0);
      spindle_test_assert_report_has (worker, needle);
    }
  {
    g_autofree char *escapee = g_strdup_printf ("Descendant %s (sleep) was killed by SIGKILL, reaped", pids[3]);

    spindle_test_assert_report_has (worker, escapee);
  }
  spindle_test_assert_report_has (worker, "Command ");
  g_assert_cmpuint (spindle_cleanup_report_count (spindle_worker_get_cleanup_report (worker),
                                                  SPINDLE_CLEANUP_OUTCOME_FAILED), ==, 0);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
  spindle_test_pid_file_clear (&file);
}

/* Force without a stop first, while the command runs. */
static void
test_force_at_once (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *argv[] = { "sleep", MARK, NULL };
  SpindleWorker *worker;

  worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), NULL);
  wait_phase (worker, "running");
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  /* "running" comes as the command's process is made: the kill can reach
   * it before its exec, and the report names its program either way */
  spindle_test_assert_report_has (worker, "(sleep) was killed by SIGKILL");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

/* What the command leaves behind when it ends by itself goes too. */
static void
test_leftovers_reaped (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("sleep @MARK@ & setsid sleep @MARK@ & exit 0", MARK), NULL);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  spindle_test_assert_report_has (worker, "(sh) exited with status 0, reaped");
  spindle_test_assert_report_has (worker, "Descendant ");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
}

/* A set's shutdown escalates by itself: the stop is ignored, the grace
 * runs out, the force kills the tree.
 */
static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  gint *done = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (spindle_worker_set_shutdown_finish (SPINDLE_WORKER_SET (object), result, &error));
  g_assert_no_error (error);
  *done = 1;
}

static void
test_shutdown_escalates (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_auto(GStrv) pids = NULL;
  SpindleWorker *worker;
  gint done = 0;
  PidFile file;

  spindle_worker_set_set_stop_grace (set, 200 * 1000);
  spindle_test_pid_file_init (&file, 4);
  worker = spindle_test_spawn_command (set, stubborn_tree_argv (&file), NULL);
  spindle_test_wait_until (tree_ready_cond, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);

  spindle_worker_set_shutdown_async (set, NULL, shutdown_cb, &done);
  spindle_test_wait_flag (&done);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_SHUTDOWN);
  for (guint i = 0; pids[i] != NULL; i++)
    g_assert_cmpint (spindle_test_process_state (atoi (pids[i])), ==, 0);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
  spindle_test_pid_file_clear (&file);
}

/* A helper that dies leaving a process that holds its report's pipe (as
 * a command it forked paused and never ran could): the pipe never ends,
 * but the helper's exit does end the following, and the worker FAILS,
 * saying the helper did not tell how the command ended.
 */
static void
test_helper_gone_pipe_held (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *script = NULL;
  g_auto(GStrv) pids = NULL;
  const char *argv[] = { "true", NULL };
  SpindleWorker *worker;
  const GError *error;
  PidFile file;

  spindle_test_pid_file_init (&file, 1);
  script = g_strdup_printf ("#!/bin/sh\nsleep %s & echo $! > %s\nexit 0\n", MARK, file.path);
  worker = spindle_test_spawn_under_helper (set, script, argv, spindle_test_pid_file_full, &file);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  error = spindle_worker_get_error (worker);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "ended without telling how"));
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);

  /* the sleep still holds the pipe: it is this test's to end */
  pids = spindle_test_pid_file_read (&file);
  g_assert_cmpint (kill (atoi (pids[0]), SIGKILL), ==, 0);
  spindle_test_wait_until (no_marked_cond, NULL, SPINDLE_TEST_GUARD_MS);
  spindle_test_pid_file_clear (&file);
}

/* The host dies ****************************************************************/

/* The reaper run by hand, as the engine runs it: closing its order channel
 * is what the host's death looks like to it.
 */
static void
test_host_gone (void)
{
  const char *reaper = g_getenv (SPINDLE_REAPER_ENV);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pids = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GString) report = g_string_new (NULL);
  int control[2], report_pipe[2];
  int source_fds[2], target_fds[2] = { 3, 4 };
  GPid pid;
  PidFile file;
  int status;

  g_assert_nonnull (reaper);
  spindle_test_pid_file_init (&file, 4);
  {
    g_auto(GStrv) command = stubborn_tree_argv (&file);
    const char *args[] = { reaper, "--", command[0], command[1], command[2], NULL };

    argv = g_strdupv ((char **) args);
  }

  g_assert_cmpint (pipe2 (control, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (report_pipe, O_CLOEXEC), ==, 0);
  source_fds[0] = control[0];
  source_fds[1] = report_pipe[1];
  g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                    -1, -1, -1, source_fds, target_fds, 2,
                                    &pid, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  close (control[0]);
  close (report_pipe[1]);

  spindle_test_wait_until (tree_ready_cond, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);
  assert_alive (pids);

  /* the host is gone */
  close (control[1]);

  for (;;)
    {
      struct pollfd pfd = { report_pipe[0], POLLIN, 0 };
      char buf[1024];
      ssize_t n;

      g_assert_cmpint (poll (&pfd, 1, SPINDLE_TEST_GUARD_MS), ==, 1);
      n = read (report_pipe[0], buf, sizeof buf);
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        break;
      g_string_append_len (report, buf, n);
    }
  close (report_pipe[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  g_test_message ("the reaper's report:\n%s", report->str);
  g_assert_true (g_str_has_suffix (report->str, "done\n"));
  g_assert_null (strstr (report->str, "unreaped"));
  for (guint i = 0; pids[i] != NULL; i++)
    {
      g_autofree char *needle = g_strdup_printf (" %s ", pids[i]);

      g_assert_cmpint (spindle_test_process_state (atoi (pids[i])), ==, 0);
      g_assert_nonnull (strstr (report->str, needle));
    }
  {
    g_autofree char *escapee = g_strdup_printf ("reaped %s signaled 9 sleep\n", pids[3]);

    g_assert_nonnull (strstr (report->str, escapee));
  }
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  spindle_test_pid_file_clear (&file);
}

/* A command within a body ******************************************************/

static guint
count_steps (SpindleWorker *worker,
             const char    *needle)
{
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (worker);
  guint n = 0;

  for (guint i = 0; i < spindle_cleanup_report_get_n_steps (report); i++)
    n += strstr (spindle_cleanup_report_get_step (report, i)->label, needle) != NULL;

  return n;
}

/* Two commands one after the other, their outputs joined as the result. */
static GVariant *
two_commands_body (SpindleJob  *job,
                   gpointer     data,
                   GError     **error)
{
  const char *first[] = { "sh", "-c", "echo one", NULL };
  const char *second[] = { "sh", "-c", "echo two", NULL };
  g_autoptr(GVariant) one = spindle_job_run_command (job, first, NULL, error);
  g_autoptr(GVariant) two = NULL;
  const char *out1 = NULL, *out2 = NULL;

  if (one == NULL)
    return NULL;
  g_variant_ref_sink (one);
  /* the first helper is gone before the second starts */
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);

  two = spindle_job_run_command (job, second, NULL, error);
  if (two == NULL)
    return NULL;
  g_variant_ref_sink (two);

  g_variant_lookup (one, "stdout", "&s", &out1);
  g_variant_lookup (two, "stdout", "&s", &out2);
  return g_variant_new_take_string (g_strconcat (out1, " ", out2, NULL));
}

static void
test_run_command_in_body (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn (set, "two commands", two_commands_body, NULL, NULL, &error);
  g_assert_no_error (error);
  spindle_test_wait_terminal (worker);

  g_assert_no_error (spindle_worker_get_error (worker));
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpstr (g_variant_get_string (spindle_worker_get_result (worker), NULL), ==, "one two");
  g_assert_cmpuint (count_steps (worker, "(sh) exited with status 0, reaped"), ==, 2);
  g_assert_cmpuint (count_steps (worker, "Reap the process helper"), ==, 2);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

static gboolean
remove_file_step (gpointer   data,
                  GError   **error)
{
  return g_unlink (data) == 0;
}

/* A body whose own cleanup step must still run after the tree is killed.
 * What it uses belongs to the test: an unwound body frees nothing.
 */
typedef struct
{
  PidFile  file;
  char   **argv;
} StubbornBody;

static GVariant *
stubborn_in_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  StubbornBody *body = data;

  spindle_job_push_cleanup (job, "Remove the pid file", remove_file_step, body->file.path);
  return spindle_job_run_command (job, (const char * const *) body->argv, NULL, error);
}

static void
test_run_command_force (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pids = NULL;
  SpindleWorker *worker;
  StubbornBody body;

  spindle_test_pid_file_init (&body.file, 4);
  body.argv = stubborn_tree_argv (&body.file);
  worker = spindle_worker_set_spawn (set, "stubborn in a body", stubborn_in_body, &body, NULL, &error);
  g_assert_no_error (error);
  spindle_test_wait_until (tree_ready_cond, &body.file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&body.file);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  for (guint i = 0; pids[i] != NULL; i++)
    g_assert_cmpint (spindle_test_process_state (atoi (pids[i])), ==, 0);
  {
    g_autofree char *escapee = g_strdup_printf ("Descendant %s (sleep) was killed by SIGKILL, reaped", pids[3]);

    spindle_test_assert_report_has (worker, escapee);
  }
  spindle_test_assert_report_has (worker, "Reap the process helper");
  spindle_test_assert_report_has (worker, "Remove the pid file");
  g_assert_false (g_file_test (body.file.path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
  g_strfreev (body.argv);
  spindle_test_pid_file_clear (&body.file);
}

/* Process figures ***************************************************************/

static GVariant *
idle_body (SpindleJob  *job,
           gpointer     data,
           GError     **error)
{
  return NULL;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *n)
{
  (*n)++;
}

static gboolean
tree_has (const char * const *tree,
          const char         *pid)
{
  g_autofree char *prefix = g_strdup_printf ("%s ", pid);

  for (guint i = 0; tree != NULL && tree[i] != NULL; i++)
    if (g_str_has_prefix (tree[i], prefix))
      return TRUE;
  return FALSE;
}

/* A command worker's pid, its tree's processes and memory, on request. */
static void
test_process_info (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) pids = NULL;
  SpindleProcessInfo *info;
  SpindleWorker *worker, *thread;
  guint n_pid_notifies = 0;
  gint64 cpu;
  PidFile file;

  thread = spindle_worker_set_spawn (set, "a thread", idle_body, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (spindle_process_info_get_for_worker (thread));

  spindle_test_pid_file_init (&file, 4);
  worker = spindle_test_spawn_command (set, stubborn_tree_argv (&file), NULL);
  info = spindle_process_info_get_for_worker (worker);
  g_assert_nonnull (info);
  g_signal_connect (info, "notify::pid", G_CALLBACK (count_notify), &n_pid_notifies);
  spindle_test_wait_until (tree_ready_cond, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);

  spindle_process_info_update (info);
  g_assert_cmpint (spindle_process_info_get_pid (info), ==, atoi (pids[0]));
  g_assert_cmpuint (n_pid_notifies, ==, 1);
  g_assert_cmpuint (g_strv_length ((char **) spindle_process_info_get_tree (info)), ==, 4);
  for (guint i = 0; pids[i] != NULL; i++)
    g_assert_true (tree_has (spindle_process_info_get_tree (info), pids[i]));
  g_assert_cmpuint (spindle_process_info_get_memory (info), >, 0);
  g_assert_cmpint (spindle_process_info_get_cpu_time (info), >=, 0);

  /* a second update with nothing changed notifies nothing */
  spindle_process_info_update (info);
  g_assert_cmpuint (n_pid_notifies, ==, 1);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  cpu = spindle_process_info_get_cpu_time (info);
  spindle_process_info_update (info);
  g_assert_cmpint (spindle_process_info_get_pid (info), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) spindle_process_info_get_tree (info)), ==, 0);
  g_assert_cmpuint (spindle_process_info_get_memory (info), ==, 0);
  g_assert_cmpint (spindle_process_info_get_cpu_time (info), ==, cpu);
  spindle_test_pid_file_clear (&file);
}

/* Many cycles ******************************************************************/

static void
test_spawn_kill_cycles (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  guint fds_before = spindle_test_count_fds ();
  guint cycles = 200;

  for (guint i = 0; i < cycles; i++)
    {
      const char *argv[] = { "sleep", MARK, NULL };
      SpindleWorker *worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), NULL);

      /* every other cycle kills before the command is known to run */
      if (i % 2 == 0)
        wait_phase (worker, "running");
      spindle_worker_force_cancel (worker);
      spindle_test_wait_terminal (worker);
      g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
      g_assert_cmpuint (spindle_cleanup_report_count (spindle_worker_get_cleanup_report (worker),
                                                      SPINDLE_CLEANUP_OUTCOME_FAILED), ==, 0);
      spindle_worker_set_clear_finished (set);
    }

  spindle_test_wait_until (no_marked_cond, NULL, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
  g_assert_cmpuint (spindle_test_count_fds (), ==, fds_before);
}

/* The helper runs once per process worker: it links the C library only,
 * whose exec costs a fraction of GLib's, and statically, so that no
 * shared library is loaded at all (but for a sanitizer's runtime, which
 * must be shared, with the C library then). It is the command's parent. */
static void
test_helper_links_libc_only (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *argv[] = { "sleep", MARK, NULL };
  g_autofree char *stat_path = NULL;
  g_autofree char *stat = NULL;
  g_autofree char *maps_path = NULL;
  g_autofree char *maps = NULL;
  g_autofree char *exe_path = NULL;
  g_autofree char *exe = NULL;
  SpindleProcessInfo *info;
  SpindleWorker *worker;
  int ppid = 0;

  worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), NULL);
  wait_phase (worker, "running");
  info = spindle_process_info_get_for_worker (worker);
  spindle_process_info_update (info);
  g_assert_cmpint (spindle_process_info_get_pid (info), >, 0);

  stat_path = g_strdup_printf ("/proc/%d/stat", spindle_process_info_get_pid (info));
  g_assert_true (g_file_get_contents (stat_path, &stat, NULL, NULL));
  g_assert_cmpint (sscanf (strrchr (stat, ')') + 2, "%*c %d", &ppid), ==, 1);
  exe_path = g_strdup_printf ("/proc/%d/exe", ppid);
  exe = g_file_read_link (exe_path, NULL);
  g_assert_nonnull (exe);
  g_assert_true (g_str_has_suffix (exe, "/spindle-reaper"));

  maps_path = g_strdup_printf ("/proc/%d/maps", ppid);
  g_assert_true (g_file_get_contents (maps_path, &maps, NULL, NULL));
  g_assert_null (strstr (maps, "libglib-2.0"));
  if (strstr (maps, "libasan") == NULL && strstr (maps, "libubsan") == NULL)
    g_assert_null (strstr (maps, ".so"));

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
}

static gboolean
many_marked_cond (gpointer data)
{
  return spindle_test_count_marked (MARK) >= GPOINTER_TO_UINT (data);
}

/* A setsid() escapee forking as fast as it can while the kill walks the
 * tree: the kill still leaves nothing behind and reports nothing unreaped
 * (what it might fork after the walk is for the next sweep, well before
 * the kill's bound; whether a fork lands there is up to the scheduler). */
static void
test_force_kills_forking_escapee (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleCleanupReport *report;
  SpindleWorker *worker;
  gint64 start;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("setsid sh -c 'while :; do sleep @MARK@ & done' & wait", MARK), NULL);
  spindle_test_wait_until_full (many_marked_cond, GUINT_TO_POINTER (20), SPINDLE_TEST_GUARD_MS,
                                "the escapee's sleeps");

  start = g_get_monotonic_time ();
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  g_test_message ("killed and reported in %.1f ms",
                  (g_get_monotonic_time () - start) / 1000.0);

  report = spindle_worker_get_cleanup_report (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpuint (spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_FAILED), ==, 0);
  spindle_test_assert_report_has (worker, "(sleep) was killed by SIGKILL, reaped");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

/* Prompt delivery ***************************************************************/

static gboolean
never_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* The newest set's event source on the default context: the one attached
 * last under that name before a source added now.
 */
static GSource *
newest_event_source (void)
{
  guint probe = g_idle_add (never_cb, NULL);
  GSource *found = NULL;

  for (guint id = probe - 1; id > 0 && found == NULL; id--)
    {
      GSource *source = g_main_context_find_source_by_id (NULL, id);

      if (source != NULL && g_strcmp0 (g_source_get_name (source), "[spindle] worker events") == 0)
        found = source;
    }

  g_source_remove (probe);
  return found;
}

static void
stop_and_clear (SpindleWorkerSet *set,
                SpindleWorker    *worker)
{
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  spindle_worker_set_clear_finished (set);
}

/* Progress is coalesced: alone, it arms the set's source for a dispatch
 * some time after the last one. The first "running" is news, and brings
 * that dispatch forward to now. Checked without dispatching, on the
 * source's ready time, so that the machine's speed does not matter.
 */
static void
test_running_not_coalesced (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *argv[] = { "sleep", MARK, NULL };
  GSource *events = newest_event_source ();
  gboolean checked = FALSE;

  g_assert_nonnull (events);
  for (guint attempt = 0; attempt < 20 && !checked; attempt++)
    {
      SpindleWorker *worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), NULL);
      gint64 deadline;

      spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
      /* delivered along with the start itself: nothing to tell apart */
      if (spindle_worker_get_phase (worker) != NULL && strstr (spindle_worker_get_phase (worker), "running") != NULL)
        {
          stop_and_clear (set, worker);
          continue;
        }

      /* No event announces a ready time set from the worker's thread, and
       * iterating the context here would dispatch the very source under
       * test: its ready time is polled, under the usual guard. */
      deadline = g_get_monotonic_time () + SPINDLE_TEST_GUARD_MS * G_TIME_SPAN_MILLISECOND;
      while (g_source_get_ready_time (events) != 0)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("the running phase did not bring the dispatch forward (ready at %" G_GINT64_FORMAT ")",
                     g_source_get_ready_time (events));
          g_usleep (G_TIME_SPAN_MILLISECOND);
        }

      g_main_context_iteration (NULL, FALSE);
      g_assert_nonnull (strstr (spindle_worker_get_phase (worker), "running"));
      stop_and_clear (set, worker);
      checked = TRUE;
    }

  if (!checked)
    g_test_skip ("the running phase came with the start every time");
}

/* A child process that holds one thread of this process stopped, as a
 * worker's thread that the machine does not schedule (a process cannot
 * ptrace its own threads). Only async-signal-safe calls in the child.
 */
typedef struct
{
  pid_t pid;
  int   release_fd;
} Stall;

/* Keeps only @a and @b above stderr: the child must hold no end of the
 * release pipe's writer, nor any channel of the workers. */
static void
close_all_but (int a,
               int b)
{
  int low = MIN (a, b), high = MAX (a, b);

  if (syscall (SYS_close_range, (unsigned) high + 1, ~0U, 0U) < 0)
    for (int fd = high + 1; fd < 4096; fd++)
      close (fd);
  for (int fd = 3; fd < high; fd++)
    if (fd != low)
      close (fd);
}

static void
stall_child (pid_t tid,
             int   ready_fd,
             int   release_fd)
{
  char ok = '0', byte;
  int status;

  close_all_but (ready_fd, release_fd);
  if (ptrace (PTRACE_SEIZE, tid, NULL, NULL) == 0 &&
      ptrace (PTRACE_INTERRUPT, tid, NULL, NULL) == 0 &&
      waitpid (tid, &status, __WALL) == tid)
    ok = '1';
  if (write (ready_fd, &ok, 1) != 1)
    _exit (1);
  while (read (release_fd, &byte, 1) < 0 && errno == EINTR)
    ;
  if (ok == '1')
    ptrace (PTRACE_DETACH, tid, NULL, NULL);
  _exit (0);
}

/* FALSE when this machine does not let the test stop a thread. */
static gboolean
stall_thread (pid_t  tid,
              Stall *stall)
{
  int ready[2], release[2];
  char ok = '0';

  g_assert_no_errno (pipe2 (ready, O_CLOEXEC));
  g_assert_no_errno (pipe2 (release, O_CLOEXEC));
  /* for Yama's ptrace_scope 1, which lets only ancestors trace */
  prctl (PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);

  stall->pid = fork ();
  g_assert_cmpint (stall->pid, >=, 0);
  if (stall->pid == 0)
    stall_child (tid, ready[1], release[0]);

  close (ready[1]);
  close (release[0]);
  stall->release_fd = release[1];
  g_assert_cmpint (read (ready[0], &ok, 1), ==, 1);
  close (ready[0]);
  prctl (PR_SET_PTRACER, 0, 0, 0, 0);

  return ok == '1';
}

static void
stall_release (Stall *stall)
{
  int status = 0;

  close (stall->release_fd);
  g_assert_cmpint (waitpid (stall->pid, &status, 0), ==, stall->pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

/* The order goes to the helper from the thread that asks: the command
 * ends while the worker's own thread is held stopped. Released, the
 * thread reports the end as it would have.
 */
static void
order_while_stalled (gboolean force)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *argv[] = { "sleep", MARK, NULL };
  SpindleWorker *worker;
  Stall stall;

  worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), NULL);
  wait_phase (worker, "running");
  if (!stall_thread (spindle_worker_get_tid (worker), &stall))
    {
      stall_release (&stall);
      stop_and_clear (set, worker);
      g_test_skip ("this machine does not let a test stop one of its threads with ptrace");
      return;
    }

  if (force)
    spindle_worker_force_cancel (worker);
  else
    spindle_worker_request_stop (worker);
  spindle_test_wait_until (no_marked_cond, NULL, SPINDLE_TEST_GUARD_MS);

  stall_release (&stall);
  spindle_test_wait_terminal (worker);
  if (force)
    {
      g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
      spindle_test_assert_report_has (worker, "(sleep) was killed by SIGKILL, reaped");
    }
  else
    {
      g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
      g_assert_cmpint (result_int (worker, "signal"), ==, SIGTERM);
      spindle_test_assert_report_has (worker, "(sleep) was killed by SIGTERM, reaped");
    }
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

static void
test_stop_order_direct (void)
{
  order_while_stalled (FALSE);
}

static void
test_kill_order_direct (void)
{
  order_while_stalled (TRUE);
}

int
main (int    argc,
      char **argv)
{
  spindle_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7321.%d", (int) getpid ());

  if (spindle_test_skip_without_reaper ("/engine/process/no-reaper"))
    return g_test_run ();

  g_test_add_func ("/engine/process/exit-zero", test_exit_zero);
  g_test_add_func ("/engine/process/exit-three", test_exit_three);
  g_test_add_func ("/engine/process/crash", test_crash);
  g_test_add_func ("/engine/process/exec-fails", test_exec_fails);
  g_test_add_func ("/engine/process/output-bounded", test_output_bounded);
  g_test_add_func ("/engine/process/cwd-and-env", test_cwd_and_env);
  g_test_add_func ("/engine/process/signals-at-default", test_signals_at_default);
  g_test_add_func ("/engine/process/stdin-default-null", test_stdin_default_null);
  g_test_add_func ("/engine/process/stdin-data", test_stdin_data);
  g_test_add_func ("/engine/process/stdin-unread", test_stdin_unread);
  g_test_add_func ("/engine/process/stop-closes-stdin", test_stop_closes_stdin);
  g_test_add_func ("/engine/process/stop-closes-stdin-then-force", test_stop_closes_stdin_then_force);
  g_test_add_func ("/engine/process/helper-gone-pipe-held", test_helper_gone_pipe_held);
  g_test_add_func ("/engine/process/stop", test_stop);
  g_test_add_func ("/engine/process/stop-signal", test_stop_signal);
  g_test_add_func ("/engine/process/force-kills-tree", test_force_kills_tree);
  g_test_add_func ("/engine/process/force-at-once", test_force_at_once);
  g_test_add_func ("/engine/process/leftovers-reaped", test_leftovers_reaped);
  g_test_add_func ("/engine/process/shutdown-escalates", test_shutdown_escalates);
  g_test_add_func ("/engine/process/host-gone", test_host_gone);
  g_test_add_func ("/engine/process/spawn-kill-cycles", test_spawn_kill_cycles);
  g_test_add_func ("/engine/process/run-command-in-body", test_run_command_in_body);
  g_test_add_func ("/engine/process/run-command-force", test_run_command_force);
  g_test_add_func ("/engine/process/process-info", test_process_info);
  g_test_add_func ("/engine/process/helper-links-libc-only", test_helper_links_libc_only);
  g_test_add_func ("/engine/process/force-kills-forking-escapee", test_force_kills_forking_escapee);
  g_test_add_func ("/engine/process/running-not-coalesced", test_running_not_coalesced);
  g_test_add_func ("/engine/process/stop-order-direct", test_stop_order_direct);
  g_test_add_func ("/engine/process/kill-order-direct", test_kill_order_direct);
  g_test_add_func ("/engine/process/script-many-arguments", test_script_many_arguments);
  g_test_add_func ("/engine/process/reaper-cgroup-mount", test_reaper_cgroup_mount);

  return g_test_run ();
}
