/* test-function.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spindle-test-util.h"

/* Function workers: this program registers functions, and runs one of them
 * when it is executed again for a function worker. Processes the functions
 * start carry a marker argument, as in test-process.c.
 */

static char mark[32];

/* The functions, run in a fresh copy of this program ***********************/

static int
echo_args (const char * const *args,
           gpointer            user_data)
{
  g_autofree char *joined = g_strjoinv (" ", (char **) args);

  printf ("%s %s\n", (const char *) user_data, joined);
  return 0;
}

static int
exit_with (const char * const *args,
           gpointer            user_data)
{
  fprintf (stderr, "giving up with %s\n", args[0]);
  return atoi (args[0]);
}

static int
crash (const char * const *args,
       gpointer            user_data)
{
  fprintf (stderr, "about to abort\n");
  abort ();
}

/* Ignores SIGTERM and leaves a child, and a setsid() escapee, behind. */
static int
stubborn (const char * const *args,
          gpointer            user_data)
{
  g_autofree char *script = g_strdup_printf ("sleep %1$s & setsid sleep %1$s & wait", args[0]);

  signal (SIGTERM, SIG_IGN);
  return system (script);
}

static void
register_functions (void)
{
  spindle_function_register ("echo-args", echo_args, (gpointer) "echo:");
  spindle_function_register ("exit-with", exit_with, NULL);
  spindle_function_register ("crash", crash, NULL);
  spindle_function_register ("stubborn", stubborn, NULL);
}

/* Helpers ********************************************************************/

static guint
count_marked (guint *n_sleeps)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint n = 0, sleeps = 0;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/cmdline", name);
      g_autofree char *contents = NULL;
      gsize len;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &contents, &len, NULL))
        continue;
      for (gsize i = 0; i < len; i += strlen (contents + i) + 1)
        if (g_str_equal (contents + i, mark))
          {
            n++;
            sleeps += g_str_equal (contents, "sleep");
            break;
          }
    }

  if (n_sleeps != NULL)
    *n_sleeps = sleeps;
  return n;
}

static gboolean
two_sleeps_cond (gpointer data)
{
  guint sleeps = 0;

  count_marked (&sleeps);
  return sleeps == 2;
}

static SpindleWorker *
spawn_function (SpindleWorkerSet   *set,
                const char         *function,
                const char * const *args)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_worker_set_spawn_function (set, NULL, function, args, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (worker);
  return worker;
}

static const char *
result_string (SpindleWorker *worker,
               const char    *key)
{
  const char *value = NULL;

  g_assert_nonnull (spindle_worker_get_result (worker));
  g_assert_true (g_variant_lookup (spindle_worker_get_result (worker), key, "&s", &value));
  return value;
}

/* The tests ******************************************************************/

static void
test_runs_function (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *args[] = { "a", "b c", NULL };
  SpindleWorker *worker = spawn_function (set, "echo-args", args);

  g_assert_cmpstr (spindle_worker_get_name (worker), ==, "echo-args a b c");
  g_assert_cmpstr (spindle_worker_get_kind (worker), ==, "function");
  spindle_test_wait_terminal (worker);

  g_assert_no_error (spindle_worker_get_error (worker));
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  /* the fresh process registered the same functions, with their data */
  g_assert_cmpstr (result_string (worker, "stdout"), ==, "echo: a b c");
}

static void
test_exit_status (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *args[] = { "3", NULL };
  SpindleWorker *worker = spawn_function (set, "exit-with", args);
  const GError *error;

  spindle_test_wait_terminal (worker);
  error = spindle_worker_get_error (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (error, G_SPAWN_EXIT_ERROR, 3);
  g_assert_nonnull (strstr (error->message, "giving up with 3"));
}

static void
test_crash (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker = spawn_function (set, "crash", NULL);
  const GError *error;

  spindle_test_wait_terminal (worker);
  error = spindle_worker_get_error (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "SIGABRT"));
  g_assert_nonnull (strstr (error->message, "about to abort"));
}

static void
test_unknown_function (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (spindle_worker_set_spawn_function (set, NULL, "no-such-function", NULL, NULL, &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_UNKNOWN_KIND);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
}

/* The point of a function worker: a force-cancel kills it and all it
 * started, which no thread could be.
 */
static void
test_force_kills_tree (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  const char *args[] = { mark, NULL };
  SpindleWorker *worker = spawn_function (set, "stubborn", args);

  spindle_test_wait_until (two_sleeps_cond, NULL, SPINDLE_TEST_GUARD_MS);
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpuint (count_marked (NULL), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int status;

  register_functions ();
  if (spindle_function_run_requested (argc, argv, &status))
    return status;

  spindle_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7324.%d", (int) getpid ());

  g_test_add_func ("/engine/function/runs-function", test_runs_function);
  g_test_add_func ("/engine/function/exit-status", test_exit_status);
  g_test_add_func ("/engine/function/crash", test_crash);
  g_test_add_func ("/engine/function/unknown-function", test_unknown_function);
  g_test_add_func ("/engine/function/force-kills-tree", test_force_kills_tree);

  return g_test_run ();
}
