/* test-process-rows.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A process worker's processes in the window: its row expands to a row
 * per process (the command, its child, its grandchild) with the pid in
 * the TID column, rows that are no workers: their buttons do nothing, the
 * counts do not count them, and the side pane says whose process each is.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "spindle-test-util.h"
#include "spindle-ui-test-util.h"
#include "spindle-window-private.h"
#include "spindle-worker-details.h"

typedef SpindleUiFixture Fixture;

static char mark[32];

#define MARK ((const char *) mark)

typedef struct
{
  SpindleWorker *worker;
  pid_t          pid;
} Lookup;

/* The panel's clock walked the tree and made the process's row. */
static gboolean
has_process_row (Lookup *lookup)
{
  return spindle_test_find_process_row (lookup->worker, lookup->pid) != NULL;
}

static SpindleWorker *
wait_process_row (SpindleWorker *worker,
                  pid_t          pid)
{
  Lookup lookup = { worker, pid };

  spindle_ui_test_wait (has_process_row, &lookup);
  return spindle_test_find_process_row (worker, pid);
}

static gboolean
tree_ready (SpindleTestPidFile *file)
{
  g_auto(GStrv) pids = NULL;

  if (!spindle_test_pid_file_full (file))
    return FALSE;
  pids = spindle_test_pid_file_read (file);
  return spindle_test_process_state (atoi (pids[2])) == 'S';
}

/* The title's counts, the set's and the list's "N workers" count the
 * process worker alone, its rows of processes shown or not.
 */
static void
assert_counts (Fixture *fixture)
{
  g_assert_cmpstr (gtk_label_get_label (fixture->window->subtitle_label), ==,
                   "1 running · 0 stopping · 0 finished");
  g_assert_cmpuint (spindle_worker_set_get_n_live (fixture->set), ==, 1);
  g_assert_cmpstr (gtk_label_get_label (fixture->window->shown_label), ==, "1 worker");
}

/* A row of a process offers no action of its own: its buttons are
 * insensitive and say why, and the process is untouched.
 */
static void
check_row_buttons (Fixture       *fixture,
                   SpindleWorker *process)
{
  GtkWidget *stop = spindle_ui_test_find_row_button (fixture->window, process, "row-stop");
  GtkWidget *cancel = spindle_ui_test_find_row_button (fixture->window, process, "row-cancel");
  g_autofree char *stop_tip = NULL;
  g_autofree char *cancel_tip = NULL;

  g_assert_nonnull (stop);
  g_assert_nonnull (cancel);
  g_assert_false (gtk_widget_get_sensitive (stop));
  g_assert_false (gtk_widget_get_sensitive (cancel));
  stop_tip = _spindle_window_query_tooltip (stop);
  cancel_tip = _spindle_window_query_tooltip (cancel);
  g_assert_true (g_str_has_prefix (stop_tip, "A process of a process worker"));
  g_assert_cmpstr (cancel_tip, ==, stop_tip);

  g_assert_cmpint (spindle_worker_get_state (process), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpint (spindle_test_process_state (spindle_worker_get_tid (process)), ==, 'S');
}

/* The window with a process's pane, for a person to look at. */
static void
save_screenshot (Fixture *fixture)
{
  const char *dir = g_getenv ("SPINDLE_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;

  spindle_ui_test_wait_drawn (fixture->window);
  path = g_build_filename (dir, "process-rows.png", NULL);
  spindle_ui_test_save_png (GTK_WIDGET (fixture->window), path);
}

static void
check_details (Fixture       *fixture,
               SpindleWorker *process,
               SpindleWorker *worker)
{
  GtkWidget *details = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_WORKER_DETAILS, NULL, NULL);
  GtkWidget *label, *stop;
  g_autofree char *expected = NULL;

  spindle_ui_test_select (fixture->window, process);
  g_assert_true (spindle_worker_details_get_worker (SPINDLE_WORKER_DETAILS (details)) == process);

  label = spindle_ui_test_find (details, GTK_TYPE_LABEL, "process_label", NULL);
  expected = g_strdup_printf ("Process %d (sleep) of the process worker “%s”", spindle_worker_get_tid (process),
                              spindle_worker_get_name (worker));
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (label)), expected));
  g_assert_nonnull (spindle_ui_test_find (details, GTK_TYPE_LABEL, NULL, "Process ID"));

  stop = spindle_ui_test_find_action_button (details, "details.stop");
  g_assert_nonnull (stop);
  g_assert_false (gtk_widget_is_visible (stop));
  g_assert_false (gtk_widget_is_sensitive (stop));
  save_screenshot (fixture);

  /* the process worker's own pane keeps its actions */
  spindle_ui_test_select (fixture->window, worker);
  g_assert_true (gtk_widget_is_visible (stop));
  g_assert_true (gtk_widget_is_sensitive (stop));
  g_assert_nonnull (spindle_ui_test_find (details, GTK_TYPE_LABEL, NULL, "Thread ID"));
}

static void
test_process_rows (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *pid_text = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) pids = NULL;
  SpindleTestPidFile file;
  SpindleWorker *worker, *command, *child, *grandchild;

  spindle_test_pid_file_init (&file, 3);
  script = g_strdup_printf ("echo $$ >> %1$s; "
                            "sh -c 'echo $$ >> %1$s; sleep @MARK@ & echo $! >> %1$s; wait' & "
                            "wait",
                            file.path);
  argv = spindle_test_sh_argv (script, MARK);
  worker = spindle_worker_set_spawn_command (fixture->set, NULL, (const char * const *) argv, NULL, &error);
  g_assert_no_error (error);
  spindle_ui_test_wait (tree_ready, &file);
  pids = spindle_test_pid_file_read (&file);

  command = wait_process_row (worker, atoi (pids[0]));
  child = wait_process_row (worker, atoi (pids[1]));
  grandchild = wait_process_row (worker, atoi (pids[2]));
  g_assert_true (spindle_worker_get_parent (grandchild) == child);
  g_assert_true (spindle_worker_get_parent (child) == command);

  /* the worker's row is expanded to its processes, nested as they are */
  spindle_ui_test_wait_row (fixture->window, worker);
  spindle_ui_test_wait_row (fixture->window, command);
  spindle_ui_test_wait_row (fixture->window, child);
  spindle_ui_test_wait_row (fixture->window, grandchild);
  pid_text = g_strdup_printf ("%d", spindle_worker_get_tid (grandchild));
  spindle_ui_test_wait_row_shows (fixture->window, grandchild, pid_text);
  spindle_ui_test_wait_row_shows (fixture->window, grandchild, "sleep");
  /* its kernel state, as the tree's walks read it */
  spindle_ui_test_wait_row_shows (fixture->window, grandchild, "sleeping");
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 4);

  spindle_ui_test_settle (fixture->window);
  assert_counts (fixture);
  check_row_buttons (fixture, grandchild);
  check_details (fixture, grandchild, worker);
  spindle_ui_test_settle (fixture->window);
  assert_counts (fixture);

  /* the worker's kill ends them all, and the rows say so */
  spindle_worker_force_cancel (worker);
  spindle_ui_test_wait_terminal (worker);
  spindle_ui_test_wait_row_shows (fixture->window, grandchild, "finished");
  g_assert_cmpint (spindle_worker_get_state (grandchild), ==, SPINDLE_WORKER_STATE_FINISHED);
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpstr (gtk_label_get_label (fixture->window->subtitle_label), ==,
                   "0 running · 0 stopping · 1 finished");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  spindle_test_pid_file_clear (&file);
}

int
main (int    argc,
      char **argv)
{
  spindle_ui_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7323.%d", (int) getpid ());

  if (spindle_test_skip_without_reaper ("/ui/process-rows/no-reaper"))
    return g_test_run ();

  spindle_ui_test_add ("/ui/process-rows/expand-count-act", test_process_rows);

  return g_test_run ();
}
