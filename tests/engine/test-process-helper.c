/* test-process-helper.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <unistd.h>

#include "spindle-test-process.h"

/* What the reaper helper does around the command's exec, as the worker's
 * user sees it: the helper keeps no copy of the command's stdin once the
 * command has it, so that input nobody reads any more is dropped while
 * the helper still runs.
 *
 * Every command carries a marker in its arguments (a sleep of mark
 * seconds), so that "nothing left behind" is checked over the machine.
 */

static char mark[32];

#define MARK ((const char *) mark)

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

int
main (int    argc,
      char **argv)
{
  spindle_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7424.%d", (int) getpid ());

  g_test_add_func ("/engine/process-helper/unread-input-dropped", test_unread_input_dropped);

  return g_test_run ();
}
