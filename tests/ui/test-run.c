/* test-run.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spindle-run-dialog.h"
#include "spindle-test-util.h"
#include "spindle-ui-test-util.h"

/* Process workers from the application's side: `spindle --run -- COMMAND`,
 * and Spindle itself receiving SIGTERM or SIGINT, which must shut the set
 * down with no dialog and exit leaving no process behind. Every process a
 * test starts carries a marker in its arguments (a sleep of mark seconds),
 * so that "nothing left behind" is checked over the whole machine.
 */

static char mark[32];

#define MARK ((const char *) mark)

/* Processes ******************************************************************/

/* Four pids written, every one alive, the last one in a session of its own. */
static gboolean
tree_ready (SpindleTestPidFile *file)
{
  g_auto(GStrv) pids = spindle_test_pid_file_read (file);
  pid_t escapee;

  /* one read for the count and the pids: the file may fill between two */
  if (g_strv_length (pids) < 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (spindle_test_process_state (atoi (pids[i])) == 0)
      return FALSE;
  escapee = atoi (pids[3]);
  return spindle_test_process_session (escapee) == escapee;
}

/* The command, a child shell, its sleep and a setsid() sleep that left the
 * group; with @stubborn, all of them but the sleeps ignore SIGTERM.
 */
static char *
tree_script (SpindleTestPidFile *file,
             gboolean            stubborn)
{
  return g_strdup_printf ("%2$s"
                          "echo $$ >> %1$s; "
                          "sh -c '%2$s echo $$ >> %1$s; sleep %3$s & echo $! >> %1$s; "
                          "setsid sleep %3$s & echo $! >> %1$s; wait' & "
                          "wait",
                          file->path, stubborn ? "trap '' TERM; " : "", MARK);
}

/* The binary ****************************************************************/

typedef struct
{
  GPid      pid;
  int       err_fd;
  gboolean  exited;
  int       status;
} Spindle;

static void
on_spindle_exit (GPid     pid,
         int      status,
         gpointer data)
{
  Spindle *spindle = data;

  spindle->exited = TRUE;
  spindle->status = status;
}

/* The built binary with the test's display, settings and reaper. */
static void
spindle_start (Spindle            *spindle,
               const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("SPINDLE_BINARY");

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  memset (spindle, 0, sizeof *spindle);
  g_spawn_async_with_pipes (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &spindle->pid, NULL, NULL, &spindle->err_fd, &error);
  g_assert_no_error (error);
  g_child_watch_add (spindle->pid, on_spindle_exit, spindle);
}

static gboolean
spindle_exited (Spindle *spindle)
{
  return spindle->exited;
}

/* Waits for the exit; returns what it wrote on stderr. */
static char *
spindle_wait (Spindle *spindle)
{
  g_autoptr(GString) err = g_string_new (NULL);
  char buf[1024];
  ssize_t n;

  spindle_ui_test_wait (spindle_exited, spindle);
  while ((n = read (spindle->err_fd, buf, sizeof buf)) > 0)
    g_string_append_len (err, buf, n);
  close (spindle->err_fd);
  g_spawn_close_pid (spindle->pid);
  g_test_message ("spindle's stderr:\n%s", err->str);

  return g_string_free (g_steal_pointer (&err), FALSE);
}

/* Spindle runs a process tree, gets @signo, and must exit with status 0
 * after its shutdown, with every process of the tree already gone.
 */
static void
assert_signal_leaves_nothing (int      signo,
                              gboolean stubborn)
{
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) pids = NULL;
  Spindle spindle;
  SpindleTestPidFile file;

  spindle_test_pid_file_init (&file, 4);
  script = tree_script (&file, stubborn);
  {
    const char *args[] = { "--run", "--", "sh", "-c", script, NULL };

    spindle_start (&spindle, args);
  }
  spindle_ui_test_wait (tree_ready, &file);
  pids = spindle_test_pid_file_read (&file);

  g_assert_cmpint (kill (spindle.pid, signo), ==, 0);
  err = spindle_wait (&spindle);

  g_assert_true (WIFEXITED (spindle.status));
  g_assert_cmpint (WEXITSTATUS (spindle.status), ==, 0);
  g_assert_nonnull (strstr (err, "stopping 1 worker, then quitting"));
  /* gone when Spindle exits, not some time after */
  for (guint i = 0; pids[i] != NULL; i++)
    g_assert_cmpint (spindle_test_process_state (atoi (pids[i])), ==, 0);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  spindle_test_pid_file_clear (&file);
}

static void
test_sigterm_stubborn_tree (void)
{
  assert_signal_leaves_nothing (SIGTERM, TRUE);
}

static void
test_sigint_tree (void)
{
  assert_signal_leaves_nothing (SIGINT, FALSE);
}

/* A second signal does not wait for the stop grace: it cancels at once. */
static void
test_second_signal_forces (void)
{
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  Spindle spindle;
  SpindleTestPidFile file;

  spindle_test_pid_file_init (&file, 4);
  script = tree_script (&file, TRUE);
  {
    const char *args[] = { "--run", "--", "sh", "-c", script, NULL };

    spindle_start (&spindle, args);
  }
  spindle_ui_test_wait (tree_ready, &file);

  g_assert_cmpint (kill (spindle.pid, SIGTERM), ==, 0);
  g_assert_cmpint (kill (spindle.pid, SIGINT), ==, 0);
  err = spindle_wait (&spindle);

  g_assert_true (WIFEXITED (spindle.status));
  g_assert_cmpint (WEXITSTATUS (spindle.status), ==, 0);
  g_assert_nonnull (strstr (err, " again: cancelling every worker now"));
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  spindle_test_pid_file_clear (&file);
}

/* --run in the application **************************************************/

static void
on_run_activate (SpindleApplication *app,
                 gpointer            data)
{
  SpindleWorkerSet *set = spindle_application_get_worker_set (app);
  SpindleWindow *window = SPINDLE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_autofree char *name = g_strdup_printf ("sleep %s", MARK);
  g_autoptr(SpindleWorker) worker = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);
  worker = g_list_model_get_item (G_LIST_MODEL (set), 0);
  g_assert_cmpstr (spindle_worker_get_name (worker), ==, name);
  g_assert_cmpstr (spindle_worker_get_kind (worker), ==, "command");

  /* in the list like any other worker, and running its program */
  spindle_ui_test_wait_row_shows (window, worker, name);
  spindle_ui_test_wait_phase (worker, "running");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 2);    /* the reaper helper and sleep */

  spindle_worker_force_cancel (worker);
  spindle_ui_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_run_option (void)
{
  g_autoptr(SpindleApplication) app = spindle_application_new ();
  char run[] = "--run", dashes[] = "--", sleep[] = "sleep";
  char *argv[] = { (char *) g_get_prgname (), run, dashes, sleep, mark, NULL };

  g_signal_connect_after (app, "activate", G_CALLBACK (on_run_activate), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), G_N_ELEMENTS (argv) - 1, argv), ==, 0);
}

/* Run Command… in Add Workers ***********************************************/

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static GtkWindow *
open_run_dialog (SpindleUiFixture *fixture)
{
  GtkWidget *button = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_MENU_BUTTON, NULL, NULL);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  GtkWindow *dialog;

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  spindle_ui_test_wait (is_mapped, popover);
  spindle_ui_test_activate (spindle_ui_test_find (popover, GTK_TYPE_BUTTON, "run-command", NULL));

  dialog = spindle_ui_test_find_toplevel (SPINDLE_TYPE_RUN_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_false (gtk_widget_get_visible (popover));
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (fixture->window));
  g_assert_true (gtk_window_get_modal (dialog));
  spindle_ui_test_wait_widget_drawn (GTK_WIDGET (dialog));

  return dialog;
}

static void
set_entry (GtkWindow  *dialog,
           const char *name,
           const char *text)
{
  GtkWidget *entry = spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, name, NULL);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

/* Run is refused with @message shown in the dialog, which stays open. */
static void
assert_refused (SpindleUiFixture *fixture,
                GtkWindow        *dialog,
                const char       *message)
{
  GtkWidget *error = spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "error", NULL);
  guint n_before = g_list_model_get_n_items (G_LIST_MODEL (fixture->set));

  g_assert_false (gtk_widget_get_visible (error));
  spindle_ui_test_activate (spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "run", NULL));

  g_test_message ("the dialog says: %s", gtk_label_get_text (GTK_LABEL (error)));
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error)), message));
  g_assert_true (spindle_ui_test_find_toplevel (SPINDLE_TYPE_RUN_DIALOG) == dialog);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, n_before);
}

static gboolean
has_one_worker (SpindleWorkerSet *set)
{
  return g_list_model_get_n_items (G_LIST_MODEL (set)) == 1;
}

static gboolean
has_one_marked (gpointer unused)
{
  return spindle_test_count_marked (MARK) == 1;
}

/* The dialog reads the command line as a shell would, says inline what
 * cannot run, and runs the rest in the chosen folder with the chosen stop
 * signal, as a worker of the list.
 */
static void
test_run_dialog (SpindleUiFixture *fixture)
{
  g_autofree char *dir = g_dir_make_tmp ("spindle-run-XXXXXX", NULL);
  g_autofree char *command = g_strdup_printf ("sh -c 'pwd; exec sleep %s'", MARK);
  g_autofree char *name = g_strdup_printf ("sh -c pwd; exec sleep %s", MARK);
  GtkWindow *dialog = open_run_dialog (fixture);
  g_autoptr(SpindleWorker) worker = NULL;
  const char *out = NULL;
  gint32 signo = 0;

  g_assert_nonnull (dir);
  set_entry (dialog, "command", "");
  assert_refused (fixture, dialog, "Type the command to run");
  set_entry (dialog, "command", "sh -c 'echo unfinished");
  assert_refused (fixture, dialog, "The command line cannot be read");
  set_entry (dialog, "command", "spindle-no-such-program --now");
  assert_refused (fixture, dialog, "No program “spindle-no-such-program” was found");
  set_entry (dialog, "command", command);
  set_entry (dialog, "directory", "/spindle-no-such-folder");
  assert_refused (fixture, dialog, "There is no folder “/spindle-no-such-folder”");

  set_entry (dialog, "directory", dir);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN,
                                                                   "stop-signal", NULL)), 1);
  spindle_ui_test_activate (spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "run", NULL));
  g_assert_null (spindle_ui_test_find_toplevel (SPINDLE_TYPE_RUN_DIALOG));

  spindle_ui_test_wait (has_one_worker, fixture->set);
  worker = g_list_model_get_item (G_LIST_MODEL (fixture->set), 0);
  g_assert_cmpstr (spindle_worker_get_name (worker), ==, name);
  g_assert_cmpstr (spindle_worker_get_kind (worker), ==, "command");
  spindle_ui_test_wait_row_shows (fixture->window, worker, name);
  /* the shell has printed and become sleep */
  spindle_ui_test_wait (has_one_marked, NULL);

  /* a stop sends SIGINT, which ends sleep */
  spindle_worker_request_stop (worker);
  spindle_ui_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_true (g_variant_lookup (spindle_worker_get_result (worker), "signal", "i", &signo));
  g_assert_cmpint (signo, ==, SIGINT);
  g_assert_true (g_variant_lookup (spindle_worker_get_result (worker), "stdout", "&s", &out));
  g_assert_cmpstr (out, ==, dir);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_rmdir (dir);
}

/* The last stop choice closes the command's stdin and sends no signal:
 * cat reads the end of its input, and the shell goes on to its end (the
 * marked sleep tells that the command runs).
 */
static void
test_run_dialog_stop_closes_stdin (SpindleUiFixture *fixture)
{
  g_autofree char *command = g_strdup_printf ("sh -c 'trap \"echo got-term\" TERM; sleep %s & cat; kill $!; echo input-ended'",
                                              MARK);
  GtkWindow *dialog = open_run_dialog (fixture);
  g_autoptr(SpindleWorker) worker = NULL;
  GtkDropDown *choice;
  const char *out = NULL;
  gint32 signo = -1;

  set_entry (dialog, "command", command);
  choice = GTK_DROP_DOWN (spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_DROP_DOWN, "stop-signal", NULL));
  gtk_drop_down_set_selected (choice, g_list_model_get_n_items (gtk_drop_down_get_model (choice)) - 1);
  spindle_ui_test_activate (spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "run", NULL));
  g_assert_null (spindle_ui_test_find_toplevel (SPINDLE_TYPE_RUN_DIALOG));

  spindle_ui_test_wait (has_one_worker, fixture->set);
  worker = g_list_model_get_item (G_LIST_MODEL (fixture->set), 0);
  spindle_ui_test_wait (has_one_marked, NULL);

  spindle_worker_request_stop (worker);
  spindle_ui_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_true (g_variant_lookup (spindle_worker_get_result (worker), "signal", "i", &signo));
  g_assert_cmpint (signo, ==, 0);
  g_assert_true (g_variant_lookup (spindle_worker_get_result (worker), "stdout", "&s", &out));
  g_assert_cmpstr (out, ==, "input-ended");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
}

/* The demo's process tree ***************************************************/

static void
walk_children (pid_t   pid,
               GArray *pids)
{
  g_autofree char *task_path = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr(GDir) tasks = g_dir_open (task_path, 0, NULL);
  const char *tid;

  while (tasks != NULL && (tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/children", task_path, tid);
      g_autofree char *contents = NULL;
      g_auto(GStrv) fields = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      fields = g_strsplit_set (g_strstrip (contents), " ", -1);
      for (guint i = 0; fields[i] != NULL; i++)
        if (atoi (fields[i]) > 0)
          {
            pid_t child = atoi (fields[i]);

            g_array_append_val (pids, child);
            walk_children (child, pids);
          }
    }
}

typedef struct
{
  SpindleWorker *worker;
  GArray        *sleeps;    /* pids of the tree's sleeps */
} Tree;

/* Both sleeps run under the command, whose pid the phase names. */
static gboolean
tree_up (Tree *tree)
{
  const char *phase = spindle_worker_get_phase (tree->worker);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  int main_pid = 0;

  if (phase == NULL || sscanf (phase, "pid %d running", &main_pid) != 1)
    return FALSE;

  walk_children (main_pid, pids);
  g_array_set_size (tree->sleeps, 0);
  for (guint i = 0; i < pids->len; i++)
    if (spindle_test_is_sleep (g_array_index (pids, pid_t, i)))
      g_array_append_val (tree->sleeps, g_array_index (pids, pid_t, i));

  return tree->sleeps->len == 2;
}

/* The rows under @worker of processes in @pids, and whether each is over. */
static guint
count_rows_of (SpindleWorker *worker,
               GArray        *pids,
               gboolean       finished)
{
  GListModel *children = spindle_worker_get_children (worker);
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(SpindleWorker) row = g_list_model_get_item (children, i);

      n += count_rows_of (row, pids, finished);
      if (!spindle_worker_is_tree_process (row) ||
          spindle_worker_is_terminal (row) != finished)
        continue;
      for (guint j = 0; j < pids->len; j++)
        n += spindle_worker_get_tid (row) == g_array_index (pids, pid_t, j);
    }

  return n;
}

/* The window walks a process worker's tree: the sleeps are rows under it. */
static gboolean
sleeps_listed (Tree *tree)
{
  return count_rows_of (tree->worker, tree->sleeps, FALSE) == tree->sleeps->len;
}

/* The demo's process tree is not reached by a stop of its command alone:
 * what the command leaves is killed and reaped, each process in the report.
 */
static void
assert_tree_gone (SpindleUiFixture   *fixture,
                  gboolean            force,
                  SpindleWorkerState  state,
                  const char * const *steps)
{
  Tree tree = { spindle_ui_test_spawn (fixture, "process-tree"), g_array_new (FALSE, FALSE, sizeof (pid_t)) };
  g_autofree char *report = NULL;

  spindle_ui_test_wait (tree_up, &tree);
  spindle_ui_test_wait (sleeps_listed, &tree);
  if (force)
    spindle_worker_force_cancel (tree.worker);
  else
    spindle_worker_request_stop (tree.worker);
  spindle_ui_test_wait_terminal (tree.worker);

  report = spindle_cleanup_report_to_string (spindle_worker_get_cleanup_report (tree.worker));
  g_test_message ("the report:\n%s", report);
  g_assert_cmpint (spindle_worker_get_state (tree.worker), ==, state);
  for (guint i = 0; i < tree.sleeps->len; i++)
    g_assert_cmpint (spindle_test_process_state (g_array_index (tree.sleeps, pid_t, i)), ==, 0);
  for (guint i = 0; steps[i] != NULL; i++)
    g_assert_nonnull (strstr (report, steps[i]));
  g_assert_null (strstr (report, "could not be reaped"));
  /* the rows end with their processes */
  g_assert_cmpuint (count_rows_of (tree.worker, tree.sleeps, TRUE), ==, 2);
  g_array_unref (tree.sleeps);
}

static void
test_demo_tree_stop (SpindleUiFixture *fixture)
{
  const char *steps[] = { "(sh) was killed by SIGTERM, reaped", "(sleep) was killed by SIGTERM, reaped",
                          "(sleep) was killed by SIGKILL, reaped", NULL };

  assert_tree_gone (fixture, FALSE, SPINDLE_WORKER_STATE_STOPPED, steps);
}

static void
test_demo_tree_force (SpindleUiFixture *fixture)
{
  const char *steps[] = { "(sh) was killed by SIGKILL, reaped", "(sleep) was killed by SIGKILL, reaped", NULL };

  assert_tree_gone (fixture, TRUE, SPINDLE_WORKER_STATE_CANCELLED, steps);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7322.%d", (int) getpid ());

  g_test_add_func ("/ui/run/run-option", test_run_option);
  g_test_add_func ("/ui/run/sigterm-stubborn-tree", test_sigterm_stubborn_tree);
  g_test_add_func ("/ui/run/sigint-tree", test_sigint_tree);
  g_test_add_func ("/ui/run/second-signal-forces", test_second_signal_forces);
  spindle_ui_test_add ("/ui/run/run-dialog", test_run_dialog);
  spindle_ui_test_add ("/ui/run/run-dialog-stop-closes-stdin", test_run_dialog_stop_closes_stdin);
  spindle_ui_test_add ("/ui/run/demo-tree-stop", test_demo_tree_stop);
  spindle_ui_test_add ("/ui/run/demo-tree-force", test_demo_tree_force);

  return g_test_run ();
}
