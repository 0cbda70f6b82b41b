/* test-process-tree.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A process worker's processes as rows under it: one row per process of
 * its tree, nested as the processes are, with the process's pid, name and
 * kernel state; rows that are no workers (no request acts on them, the
 * set does not count them), that end when their process is gone, and
 * that agree with the cleanup report after a kill.
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spindle-test-process.h"

/* Unique to this test program: what its commands leave is found by it. */
static char mark[32];

#define MARK ((const char *) mark)

typedef SpindleTestPidFile PidFile;

/* The only item of @model, which must hold one. */
static SpindleWorker *
only_child (SpindleWorker *worker)
{
  GListModel *children = spindle_worker_get_children (worker);
  g_autoptr(SpindleWorker) child = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (children), ==, 1);
  child = g_list_model_get_item (children, 0);
  return child;  /* held by the store */
}

static void
assert_process_row (SpindleWorker *row,
                    SpindleWorker *parent,
                    pid_t          pid,
                    const char    *name)
{
  g_assert_true (spindle_worker_is_tree_process (row));
  g_assert_true (spindle_worker_get_parent (row) == parent);
  g_assert_cmpint (spindle_worker_get_tid (row), ==, pid);
  g_assert_cmpstr (spindle_worker_get_name (row), ==, name);
  g_assert_cmpstr (spindle_worker_get_kind (row), ==, "process");
  g_assert_cmpint (spindle_worker_get_state (row), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpint (spindle_worker_get_started_at (row), >, 0);
  g_assert_cmpint (spindle_worker_get_started_at (row), <=, g_get_monotonic_time ());
  g_assert_nonnull (spindle_worker_get_kernel_state (row));
}

/* The worker's thread has the command's pid from the helper's report,
 * which may come after the command wrote it.
 */
static gboolean
info_has_pid (gpointer data)
{
  SpindleProcessInfo *info = data;

  spindle_process_info_update (info);
  return spindle_process_info_get_pid (info) > 0;
}

static void
wait_info_pid (SpindleWorker *worker)
{
  spindle_test_wait_until (info_has_pid, spindle_process_info_get_for_worker (worker), SPINDLE_TEST_GUARD_MS);
}

/* The command, a child shell, and its sleep, each writing its pid. */
static gboolean
nested_ready (gpointer data)
{
  PidFile *file = data;
  g_auto(GStrv) pids = NULL;

  if (!spindle_test_pid_file_full (file))
    return FALSE;
  pids = spindle_test_pid_file_read (file);
  return spindle_test_is_sleep (atoi (pids[2])) && spindle_test_process_state (atoi (pids[2])) == 'S';
}

static SpindleWorker *
spawn_nested_tree (SpindleWorkerSet *set,
                   PidFile          *file)
{
  g_autofree char *script = NULL;
  SpindleWorker *worker;

  spindle_test_pid_file_init (file, 3);
  script = g_strdup_printf ("echo $$ >> %1$s; "
                            "sh -c 'echo $$ >> %1$s; sleep @MARK@ & echo $! >> %1$s; wait' & "
                            "wait",
                            file->path);
  worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, MARK), NULL);
  spindle_test_wait_until (nested_ready, file, SPINDLE_TEST_GUARD_MS);
  wait_info_pid (worker);
  return worker;
}

/* The rows mirror the tree: command → child → grandchild. */
static void
test_rows_follow_tree (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_auto(GStrv) pids = NULL;
  SpindleProcessInfo *info;
  SpindleWorker *worker, *command, *child, *grandchild;
  PidFile file;

  worker = spawn_nested_tree (set, &file);
  pids = spindle_test_pid_file_read (&file);
  info = spindle_process_info_get_for_worker (worker);
  g_assert_false (spindle_worker_is_tree_process (worker));

  spindle_process_info_update (info);

  command = only_child (worker);
  assert_process_row (command, worker, atoi (pids[0]), "sh");
  child = only_child (command);
  assert_process_row (child, command, atoi (pids[1]), "sh");
  grandchild = only_child (child);
  assert_process_row (grandchild, child, atoi (pids[2]), "sleep");
  g_assert_cmpstr (spindle_worker_get_kernel_state (grandchild), ==, "S");
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (grandchild)), ==, 0);
  g_assert_cmpuint (spindle_worker_get_id (grandchild), !=, spindle_worker_get_id (worker));
  g_assert_cmpuint (spindle_worker_get_id (child), !=, spindle_worker_get_id (grandchild));

  /* a second walk finds the same rows */
  spindle_process_info_update (info);
  g_assert_true (only_child (worker) == command);
  g_assert_true (only_child (only_child (command)) == grandchild);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  spindle_test_pid_file_clear (&file);
}

/* A row is no worker: no request reaches its process on its own, and the
 * set counts the process worker alone.
 */
static void
test_rows_are_not_workers (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_auto(GStrv) pids = NULL;
  SpindleWorker *worker, *grandchild;
  PidFile file;

  worker = spawn_nested_tree (set, &file);
  pids = spindle_test_pid_file_read (&file);
  spindle_process_info_update (spindle_process_info_get_for_worker (worker));
  grandchild = spindle_test_find_process_row (worker, atoi (pids[2]));
  g_assert_nonnull (grandchild);

  spindle_worker_request_stop (grandchild);
  spindle_worker_force_cancel (grandchild);
  spindle_worker_abandon (grandchild);
  g_assert_cmpint (spindle_worker_get_state (grandchild), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpint (spindle_worker_get_stop_reason (grandchild), ==, SPINDLE_STOP_REASON_NONE);
  g_assert_cmpint (spindle_test_process_state (atoi (pids[2])), ==, 'S');
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);

  /* the worker's stop reaches its rows' processes through the helper,
   * never through the rows (they have no job to ask) */
  spindle_worker_set_stop_all (set);
  spindle_worker_set_cancel_all (set);
  spindle_test_wait_terminal (worker);
  /* the stop's SIGTERM may end the tree before the cancel */
  g_assert_true (spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_STOPPED ||
                 spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  spindle_test_pid_file_clear (&file);
}

/* After a kill, with no walk asked for: every row is over, each with the
 * report's step for its pid, and each process the report names has a row.
 */
static void
test_rows_agree_with_report (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_auto(GStrv) pids = NULL;
  SpindleCleanupReport *report;
  SpindleWorker *worker;
  guint n_named = 0;
  PidFile file;

  worker = spawn_nested_tree (set, &file);
  pids = spindle_test_pid_file_read (&file);
  spindle_process_info_update (spindle_process_info_get_for_worker (worker));

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  spindle_test_collect_rows (worker, rows);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < rows->len; i++)
    {
      SpindleWorker *row = g_ptr_array_index (rows, i);
      g_autofree char *needle = g_strdup_printf (" %d (", spindle_worker_get_tid (row));

      g_assert_cmpint (spindle_worker_get_state (row), ==, SPINDLE_WORKER_STATE_FINISHED);
      g_assert_cmpint (spindle_worker_get_finished_at (row), >=, spindle_worker_get_started_at (row));
      g_assert_null (spindle_worker_get_kernel_state (row));
      g_assert_nonnull (spindle_worker_get_phase (row));
      g_assert_nonnull (strstr (spindle_worker_get_phase (row), needle));
      g_assert_nonnull (strstr (spindle_worker_get_phase (row), "killed by SIGKILL"));
      spindle_test_assert_report_has (worker, spindle_worker_get_phase (row));
    }

  report = spindle_worker_get_cleanup_report (worker);
  for (guint i = 0; i < spindle_cleanup_report_get_n_steps (report); i++)
    {
      const char *label = spindle_cleanup_report_get_step (report, i)->label;
      int pid = 0;

      if ((g_str_has_prefix (label, "Command ") && sscanf (label, "Command %d", &pid) == 1) ||
          (g_str_has_prefix (label, "Descendant ") && sscanf (label, "Descendant %d", &pid) == 1))
        {
          g_assert_nonnull (spindle_test_find_process_row (worker, pid));
          n_named++;
        }
    }
  g_assert_cmpuint (n_named, ==, 3);
  for (guint i = 0; pids[i] != NULL; i++)
    g_assert_cmpint (spindle_test_process_state (atoi (pids[i])), ==, 0);
  spindle_test_pid_file_clear (&file);
}

/* A process forked after the last walk, killed before the next one: the
 * report names it, so it gets a row at the end, over at once.
 */
static gboolean
sleep_listed (gpointer data)
{
  PidFile *file = data;
  g_auto(GStrv) pids = NULL;

  if (!spindle_test_pid_file_full (file))
    return FALSE;
  pids = spindle_test_pid_file_read (file);
  return spindle_test_is_sleep (atoi (pids[1]));
}

static void
test_unseen_process_gets_row (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *fifo = NULL;
  g_autofree char *script = NULL;
  g_autofree char *needle = NULL;
  g_auto(GStrv) pids = NULL;
  SpindleWorker *worker, *unseen;
  PidFile file;
  int fd;

  spindle_test_pid_file_init (&file, 1);
  fifo = g_build_filename (file.dir, "go", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  script = g_strdup_printf ("echo $$ >> %1$s; read line < %2$s; sleep @MARK@ & echo $! >> %1$s; wait",
                            file.path, fifo);
  worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, MARK), NULL);
  spindle_test_wait_until (spindle_test_pid_file_full, &file, SPINDLE_TEST_GUARD_MS);
  wait_info_pid (worker);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (worker)), ==, 1);

  fd = open (fifo, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, "go\n", 3), ==, 3);
  close (fd);
  file.wanted = 2;
  spindle_test_wait_until (sleep_listed, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);
  g_assert_null (spindle_test_find_process_row (worker, atoi (pids[1])));

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  unseen = spindle_test_find_process_row (worker, atoi (pids[1]));
  g_assert_nonnull (unseen);
  g_assert_true (spindle_worker_is_tree_process (unseen));
  g_assert_cmpint (spindle_worker_get_state (unseen), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpstr (spindle_worker_get_name (unseen), ==, "sleep");
  needle = g_strdup_printf ("Descendant %s (sleep) was killed by SIGKILL, reaped", pids[1]);
  g_assert_cmpstr (spindle_worker_get_phase (unseen), ==, needle);
  spindle_test_assert_report_has (worker, needle);
  g_unlink (fifo);
  spindle_test_pid_file_clear (&file);
}

/* A process that ends while the worker runs: its row ends, the others
 * stay; one that calls exec takes its new name.
 */
static gboolean
gone_cond (gpointer data)
{
  return spindle_test_process_state (GPOINTER_TO_INT (data)) == 0;
}

static void
test_row_ends_with_process (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *script = NULL;
  g_auto(GStrv) pids = NULL;
  SpindleProcessInfo *info;
  SpindleWorker *worker, *command, *sleeper;
  PidFile file;
  pid_t pid;

  spindle_test_pid_file_init (&file, 1);
  script = g_strdup_printf ("sleep @MARK@ & echo $! >> %s; wait; exec sleep @MARK@", file.path);
  worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, MARK), NULL);
  spindle_test_wait_until (spindle_test_pid_file_full, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);
  pid = atoi (pids[0]);
  info = spindle_process_info_get_for_worker (worker);
  wait_info_pid (worker);
  command = only_child (worker);
  sleeper = spindle_test_find_process_row (worker, pid);
  g_assert_nonnull (sleeper);
  g_assert_true (spindle_worker_get_parent (sleeper) == command);

  kill (pid, SIGKILL);
  spindle_test_wait_until (gone_cond, GINT_TO_POINTER (pid), SPINDLE_TEST_GUARD_MS);
  spindle_process_info_update (info);
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (spindle_worker_get_state (command), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_true (spindle_worker_get_parent (sleeper) == command);

  /* the shell went on to exec sleep: the same process, a new name */
  spindle_test_wait_until (spindle_test_is_sleep_cond, GINT_TO_POINTER (spindle_worker_get_tid (command)),
                           SPINDLE_TEST_GUARD_MS);
  spindle_process_info_update (info);
  g_assert_cmpstr (spindle_worker_get_name (command), ==, "sleep");
  g_assert_true (only_child (worker) == command);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  spindle_test_pid_file_clear (&file);
}

/* A setsid() escapee whose parent is gone belongs to the reaper helper:
 * its row is the worker's, beside the command's.
 */
typedef struct
{
  pid_t escapee;
  pid_t helper;
} Adopted;

static gboolean
adopted_cond (gpointer data)
{
  Adopted *adopted = data;

  return spindle_test_is_sleep (adopted->escapee) &&
         spindle_test_process_session (adopted->escapee) == adopted->escapee &&
         spindle_test_parent_of (adopted->escapee) == adopted->helper;
}

static void
test_adopted_orphan (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *script = NULL;
  g_auto(GStrv) pids = NULL;
  SpindleProcessInfo *info;
  SpindleWorker *worker, *escapee;
  Adopted adopted;
  PidFile file;

  spindle_test_pid_file_init (&file, 2);
  script = g_strdup_printf ("echo $$ >> %1$s; (setsid sleep @MARK@ & echo $! >> %1$s); exec sleep @MARK@",
                            file.path);
  worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, MARK), NULL);
  spindle_test_wait_until (spindle_test_pid_file_full, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);
  adopted.escapee = atoi (pids[1]);
  adopted.helper = spindle_test_parent_of (atoi (pids[0]));
  g_assert_cmpint (adopted.helper, >, 0);
  spindle_test_wait_until (adopted_cond, &adopted, SPINDLE_TEST_GUARD_MS);

  info = spindle_process_info_get_for_worker (worker);
  wait_info_pid (worker);
  escapee = spindle_test_find_process_row (worker, adopted.escapee);
  g_assert_nonnull (escapee);
  g_assert_true (spindle_worker_get_parent (escapee) == worker);
  g_assert_cmpint (spindle_worker_get_state (escapee), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpuint (g_strv_length ((char **) spindle_process_info_get_tree (info)), ==, 2);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (escapee), ==, SPINDLE_WORKER_STATE_FINISHED);
  spindle_test_assert_report_has (worker, spindle_worker_get_phase (escapee));
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  spindle_test_pid_file_clear (&file);
}

/* A step about no process may hold what reads as "PID (NAME)": here the
 * group's reason names a manager's socket that refuses, in a directory so
 * named, with a number no pid can be. No row is made of it: the worker's
 * one process has the one row.
 */
static char *
refusing_manager_make (const char *parent)
{
  char *runtime = g_build_filename (parent, "2000000000 (made up)", NULL);

  spindle_test_dead_manager_bind (runtime);
  return runtime;
}

static void
test_no_row_from_step_words (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("spindle-process-XXXXXX", &error);
  g_autofree char *runtime = NULL;
  g_autofree char *systemd_dir = NULL;
  g_autofree char *socket_path = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  SpindleCommandOptions options = { 0 };
  const char *argv[] = { "sleep", MARK, NULL };
  SpindleWorker *worker;
  pid_t pid;

  g_assert_no_error (error);
  runtime = refusing_manager_make (dir);
  envp = g_environ_setenv (envp, "SPINDLE_PROCESS_CONTAINMENT", "systemd", TRUE);
  envp = g_environ_setenv (envp, "XDG_RUNTIME_DIR", runtime, TRUE);
  options.envp = (const char * const *) envp;
  worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), &options);
  wait_info_pid (worker);
  pid = spindle_process_info_get_pid (spindle_process_info_get_for_worker (worker));
  g_assert_nonnull (spindle_test_find_process_row (worker, pid));

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  spindle_test_assert_report_has (worker, "/2000000000 (made up)/systemd/private");
  spindle_test_collect_rows (worker, rows);
  for (guint i = 0; i < rows->len; i++)
    g_test_message ("row %d (%s): %s", spindle_worker_get_tid (g_ptr_array_index (rows, i)),
                    spindle_worker_get_name (g_ptr_array_index (rows, i)),
                    spindle_worker_get_phase (g_ptr_array_index (rows, i)));
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpint (spindle_worker_get_tid (g_ptr_array_index (rows, 0)), ==, pid);
  g_assert_cmpstr (spindle_worker_get_name (g_ptr_array_index (rows, 0)), ==, "sleep");

  systemd_dir = g_build_filename (runtime, "systemd", NULL);
  socket_path = g_build_filename (systemd_dir, "private", NULL);
  g_assert_no_errno (g_unlink (socket_path));
  g_assert_no_errno (g_rmdir (systemd_dir));
  g_assert_no_errno (g_rmdir (runtime));
  g_assert_no_errno (g_rmdir (dir));
}

/* A thread worker has no process info and no rows. */
static GVariant *
idle_body (SpindleJob  *job,
           gpointer     data,
           GError     **error)
{
  return NULL;
}

static void
test_thread_worker_has_none (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker = spindle_test_spawn (set, "thread", idle_body, NULL);

  spindle_test_wait_terminal (worker);
  g_assert_null (spindle_process_info_get_for_worker (worker));
  g_assert_false (spindle_worker_is_tree_process (worker));
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (worker)), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  spindle_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7322.%d", (int) getpid ());

  if (spindle_test_skip_without_reaper ("/engine/process-tree/no-reaper"))
    return g_test_run ();

  g_test_add_func ("/engine/process-tree/rows-follow-tree", test_rows_follow_tree);
  g_test_add_func ("/engine/process-tree/rows-are-not-workers", test_rows_are_not_workers);
  g_test_add_func ("/engine/process-tree/rows-agree-with-report", test_rows_agree_with_report);
  g_test_add_func ("/engine/process-tree/unseen-process-gets-row", test_unseen_process_gets_row);
  g_test_add_func ("/engine/process-tree/row-ends-with-process", test_row_ends_with_process);
  g_test_add_func ("/engine/process-tree/adopted-orphan", test_adopted_orphan);
  g_test_add_func ("/engine/process-tree/no-row-from-step-words", test_no_row_from_step_words);
  g_test_add_func ("/engine/process-tree/thread-worker-has-none", test_thread_worker_has_none);

  return g_test_run ();
}
