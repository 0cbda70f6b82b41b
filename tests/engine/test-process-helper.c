/* test-process-helper.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spindle-test-process.h"

/* What the reaper helper does around the command's exec, as the worker's
 * user sees it: a command killed before its exec is named after its
 * program, not after the helper; the helper keeps no copy of the
 * command's stdin once the command has it, so that input nobody reads
 * any more is dropped while the helper still runs.
 *
 * Every command carries a marker in its arguments (a sleep of mark
 * seconds), so that "nothing left behind" is checked over the machine.
 */

static char mark[32];

#define MARK ((const char *) mark)

/* A command killed before its exec ********************************************/

/* A systemd user manager, mocked on its private socket (a direct
 * connection, no bus), that kills the paused process it is asked to
 * place, logs its pid and refuses the scope: the helper then lets a dead
 * process "exec". Arguments: the socket and the log. It ends at the end
 * of its stdin, which the test never writes.
 */
static const char killing_manager[] =
  "import os, signal, sys\n"
  "from gi.repository import Gio, GLib\n"
  "socket_path, log_path = sys.argv[1:3]\n"
  SPINDLE_TEST_MOCK_MANAGER_XML
  "log = open(log_path, 'a', buffering=1)\n"
  "def call(conn, sender, path, iface, method, params, inv):\n"
  "    name, mode, props, aux = params.unpack()\n"
  "    pids = dict(props)['PIDs']\n"
  "    for pid in pids:\n"
  "        os.kill(pid, signal.SIGKILL)\n"
  "    log.write('killed=%s\\n' % ','.join(str(p) for p in pids))\n"
  "    inv.return_dbus_error('org.freedesktop.systemd1.UnitExists', 'its process was killed')\n"
  "node = Gio.DBusNodeInfo.new_for_xml(XML)\n"
  SPINDLE_TEST_MOCK_MANAGER_PEERS
  "server = Gio.DBusServer.new_sync('unix:path=' + socket_path, Gio.DBusServerFlags.NONE,\n"
  "                                 Gio.dbus_generate_guid(), None, None)\n"
  "server.connect('new-connection', on_peer)\n"
  "server.start()\n"
  "loop = GLib.MainLoop()\n"
  "def test_gone(channel, condition):\n"
  "    loop.quit()\n"
  "    return False\n"
  "GLib.io_add_watch(GLib.IOChannel.unix_new(0), GLib.PRIORITY_DEFAULT,\n"
  "                  GLib.IOCondition.IN | GLib.IOCondition.HUP, test_gone)\n"
  "log.write('ready\\n')\n"
  "loop.run()\n";

/* The pid the manager killed, from its log. */
static int
killed_pid (SpindleTestMock *mock)
{
  g_autofree char *log = NULL;
  const char *killed;

  spindle_test_mock_wait_log (mock, "killed=");
  g_assert_true (g_file_get_contents (mock->log, &log, NULL, NULL));
  killed = strstr (log, "killed=");
  g_assert_nonnull (killed);
  return atoi (killed + 7);
}

/* The process forked paused for a scope is killed before the helper lets
 * it exec: the report names it after its program ("sleep"), as its exec
 * would have, and says that it never got there; the worker fails saying
 * so too. The helper's own name appears nowhere.
 */
static void
test_killed_before_exec (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *step = NULL;
  g_autofree char *text = NULL;
  const char *argv[] = { "sleep", MARK, NULL };
  const GError *failure;
  SpindleTestForced forced;
  SpindleTestMock mock = { 0 };
  SpindleWorker *worker;

  if (spindle_test_skip_without_mock (FALSE))
    return;

  spindle_test_mock_init (&mock, FALSE);
  mock.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                   "/usr/bin/python3", "-c", killing_manager, mock.socket, mock.log, NULL);
  g_assert_no_error (error);
  spindle_test_mock_wait_log (&mock, "ready\n");
  spindle_test_forced_init (&forced, "systemd");
  spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", mock.dir);
  set = spindle_test_set_new ();

  worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), &forced.options);
  spindle_test_wait_terminal (worker);

  text = spindle_test_report_text (worker);
  failure = spindle_worker_get_error (worker);
  g_test_message ("%s\n%s", failure != NULL ? failure->message : "no error", text);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (failure, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED);
  g_assert_cmpstr (failure->message, ==, "The command “sleep” was killed by SIGKILL before its exec");

  step = g_strdup_printf ("Command %d (sleep) was killed by SIGKILL before its exec, reaped", killed_pid (&mock));
  g_assert_true (spindle_test_report_has_step (worker, step, SPINDLE_CLEANUP_OUTCOME_OK));
  spindle_test_assert_report_lacks (worker, "spindle-reaper");
  spindle_test_assert_no_failed_step (worker);

  spindle_worker_set_clear_finished (set);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 1);
  spindle_test_mock_stop (&mock);
  spindle_test_forced_clear (&forced);
}

/* Input nobody reads ****************************************************/

/* Far more than a pipe holds: the host is still writing it when the
 * command ends. */
#define INPUT_SIZE (1024 * 1024)

/* The command ends at once, without reading its input, leaving a process
 * that does not read it either (its stdin is /dev/null) and that keeps
 * the worker running (it ignores, from its parent, the stop signal the
 * helper sends what the command leaves, and the grace before the SIGKILL
 * is long). That
 * process waits for the host to let go of the input's pipe (its write end
 * gone from the host's descriptors): the host's next write meets EPIPE
 * once no process holds the read end. A helper that kept its own copy
 * of the read end kept the host writing into a full pipe until the
 * grace ran out, and the process was killed first.
 */
static void
test_unread_input_dropped (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autofree char *script = NULL;
  const char *out = NULL;
  SpindleCommandOptions options = { 0 };
  SpindleWorker *worker;
  GVariant *result;

  script = g_strdup_printf ("# @MARK@\n"
                            "p=$(readlink /proc/self/fd/0)\n"
                            "case $p in pipe:*) ;; *) echo \"stdin is $p\"; exit 1 ;; esac\n"
                            "trap '' TERM\n"
                            "(exec </dev/null\n"
                            " while ls -l /proc/%d/fd | grep -qF \"$p\"; do sleep 0.02; done\n"
                            " echo input dropped) &\n"
                            "exit 0\n", (int) getpid ());
  input = g_bytes_new_take (g_malloc0 (INPUT_SIZE), INPUT_SIZE);
  options.stdin_data = input;
  options.leftover_grace_usec = 20 * G_USEC_PER_SEC;
  set = spindle_test_set_new ();

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, MARK), &options);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  result = spindle_worker_get_result (worker);
  g_assert_true (g_variant_lookup (result, "stdout", "&s", &out));
  g_assert_cmpstr (out, ==, "input dropped");
  spindle_test_assert_report_has (worker, "Descendant ");
  spindle_test_assert_report_lacks (worker, "was killed by");
  spindle_test_assert_no_failed_step (worker);

  spindle_worker_set_clear_finished (set);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

/* A helper that never ends *****************************************************/

/* A helper that says it started, then ignores its orders, their end of
 * file and every signal but SIGKILL. After a force the host waits for
 * its report and then for its exit within one bound, the helper's worst
 * case and a margin, from the kill order; then it SIGKILLs it and says
 * so. (The two waits each took the whole bound: 28 s instead of 14.)
 */
static gboolean
marked_cond (gpointer data)
{
  return spindle_test_count_marked (MARK) > 0;
}

static gboolean
no_marked_cond (gpointer data)
{
  return spindle_test_count_marked (MARK) == 0;
}

static gboolean
step_failed_saying (SpindleWorker *worker,
                    const char    *needle)
{
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (worker);

  for (guint i = 0; report != NULL && i < spindle_cleanup_report_get_n_steps (report); i++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, i);

      if (step->outcome == SPINDLE_CLEANUP_OUTCOME_FAILED && step->message != NULL &&
          strstr (step->message, needle) != NULL)
        return TRUE;
    }

  return FALSE;
}

static void
test_stuck_helper_one_bound (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *script = NULL;
  const char *argv[] = { "true", NULL };
  SpindleWorker *worker;
  gint64 forced, took_ms;

  script = g_strdup_printf ("#!/bin/sh\n"
                            "trap '' TERM INT HUP PIPE\n"
                            "echo \"started $$\" >&4\n"
                            "exec sleep %s\n", MARK);
  worker = spindle_test_spawn_under_helper (set, script, argv, marked_cond, NULL);

  forced = g_get_monotonic_time ();
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  took_ms = (g_get_monotonic_time () - forced) / 1000;

  /* the bound is 14 s (spindle-reaper-bounds.h and spindle-process.c) */
  g_assert_cmpint (took_ms, >=, 13 * 1000);
  g_assert_cmpint (took_ms, <, 21 * 1000);
  g_assert_true (step_failed_saying (worker, "did not give its full report"));
  g_assert_true (step_failed_saying (worker, "did not end within 14000 ms and was killed"));

  spindle_test_wait_until (no_marked_cond, NULL, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  spindle_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7424.%d", (int) getpid ());

  g_test_add_func ("/engine/process-helper/killed-before-exec", test_killed_before_exec);
  g_test_add_func ("/engine/process-helper/unread-input-dropped", test_unread_input_dropped);
  g_test_add_func ("/engine/process-helper/stuck-helper-one-bound", test_stuck_helper_one_bound);

  return g_test_run ();
}
