/* test-attach.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "spindle-attach-dialog.h"
#include "spindle-thread-list.h"
#include "spindle-ui-test-util.h"

/* The window over another program: the example program exports its
 * workers (SPINDLE_EXPORT_EXAMPLE, with control allowed), and the
 * application runs in this process with "--attach PID", as from the
 * command line. Needs the session bus that build-aux/test gives the UI
 * tests.
 */

typedef struct
{
  GSubprocess   *program;
  int            pid;
  gboolean       exported;
  SpindleWindow *window;
  gboolean       destroyed;
  gboolean       ran;
} Fixture;

static void
on_appeared (GDBusConnection *connection,
             const char      *name,
             const char      *owner,
             gpointer         user_data)
{
  ((Fixture *) user_data)->exported = TRUE;
}

static gboolean
is_exported (Fixture *fixture)
{
  return fixture->exported;
}

/* A failed case must not leave the program running. */
static void
die_with_parent (gpointer unused)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts the example and waits until its name is on the bus. */
static void
start_program (Fixture *fixture)
{
  const char *example = g_getenv ("SPINDLE_EXPORT_EXAMPLE");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  guint watch;

  g_assert_nonnull (example);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fixture->program = g_subprocess_launcher_spawn (launcher, &error, example, "--workers", "2",
                                                  "--stubborn", "1", "--control", NULL);
  g_assert_no_error (error);
  fixture->pid = atoi (g_subprocess_get_identifier (fixture->program));

  name = g_strdup_printf (SPINDLE_REMOTE_NAME_PREFIX "%d", fixture->pid);
  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                            on_appeared, NULL, fixture, NULL);
  spindle_ui_test_wait (is_exported, fixture);
  g_bus_unwatch_name (watch);
}

static SpindleWorker *
find_worker (SpindleWorkerSet *set,
             const char       *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (set)); i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      if (g_str_equal (spindle_worker_get_name (worker), name))
        return worker;   /* the set keeps it */
    }

  return NULL;
}

static gboolean
has_both_workers (SpindleWorkerSet *set)
{
  return find_worker (set, "stubborn-1") != NULL && find_worker (set, "counter-1") != NULL;
}

static gboolean
is_gone (SpindleWorkerSet *set)
{
  return spindle_worker_set_get_remote_gone (set);
}

static gboolean
has_exited (GSubprocess *program)
{
  return g_subprocess_get_identifier (program) == NULL;
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
}

/* Spindle's own CPU, memory and threads would pass for the program's:
 * the status bar names the program instead, and its other threads are
 * not listed.
 */
static void
assert_names_program (Fixture          *fixture,
                      SpindleWorkerSet *set)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  GtkWidget *status = spindle_ui_test_find (window, GTK_TYPE_INSCRIPTION, "process-status", NULL);
  GtkWidget *threads = spindle_ui_test_find (window, SPINDLE_TYPE_THREAD_LIST, NULL, NULL);
  g_autofree char *expected = g_strdup_printf ("Program %s, PID %d",
                                               spindle_worker_set_get_remote_name (set), fixture->pid);

  g_assert_nonnull (status);
  g_assert_cmpstr (gtk_inscription_get_text (GTK_INSCRIPTION (status)), ==, expected);
  g_assert_null (strstr (gtk_widget_get_tooltip_text (status), "This process"));
  g_assert_nonnull (threads);
  g_assert_false (gtk_widget_get_visible (threads));
}

/* What asks the counter worker to stop: its row's buttons and the side pane's. */
static void
get_requests (SpindleWindow *window,
              SpindleWorker *worker,
              GtkWidget     *buttons[4])
{
  buttons[0] = spindle_ui_test_find_row_button (window, worker, "row-stop");
  buttons[1] = spindle_ui_test_find_row_button (window, worker, "row-cancel");
  buttons[2] = spindle_ui_test_find_action_button (GTK_WIDGET (window), "details.stop");
  buttons[3] = spindle_ui_test_find_action_button (GTK_WIDGET (window), "details.force-cancel");
  for (guint i = 0; i < 4; i++)
    g_assert_nonnull (buttons[i]);
}

static void
run_body (Fixture *fixture)
{
  SpindleWindow *window = fixture->window;
  SpindleWorkerSet *set = NULL;
  SpindleWorker *stubborn, *counter;
  g_autofree char *title = NULL;
  GtkWidget *cancel, *stop_all, *banner, *requests[4];

  g_object_get (window, "set", &set, NULL);
  g_object_unref (set);   /* the window keeps it */
  g_assert_true (spindle_worker_set_is_remote (set));
  g_assert_cmpint (spindle_worker_set_get_remote_pid (set), ==, fixture->pid);

  /* the title names the program; nothing can be added to it */
  title = g_strdup_printf ("%s (PID %d)", spindle_worker_set_get_remote_name (set), fixture->pid);
  g_assert_nonnull (spindle_ui_test_find (gtk_window_get_titlebar (GTK_WINDOW (window)), GTK_TYPE_LABEL,
                                          NULL, title));
  g_assert_false (gtk_widget_is_visible (spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_LABEL,
                                                               NULL, "_Add Workers")));

  /* its workers are in the list: the program publishes its name before
   * it starts them, so they may come after the attach */
  spindle_ui_test_wait (has_both_workers, set);
  stubborn = find_worker (set, "stubborn-1");
  counter = find_worker (set, "counter-1");
  spindle_ui_test_wait_state (stubborn, SPINDLE_WORKER_STATE_RUNNING);
  spindle_ui_test_wait_row (window, stubborn);
  spindle_ui_test_wait_row_shows (window, counter, "counter-1");
  assert_names_program (fixture, set);

  /* Force-Cancel on its row reaches the program, and the row shows the end */
  cancel = spindle_ui_test_find_row_button (window, stubborn, "row-cancel");
  g_assert_nonnull (cancel);
  spindle_ui_test_activate (cancel);
  spindle_ui_test_wait_state (stubborn, SPINDLE_WORKER_STATE_CANCELLED);
  spindle_ui_test_wait_row_shows (window, stubborn, "cancelled");
  g_assert_nonnull (spindle_worker_get_cleanup_report (stubborn));

  /* the program dies: the window says so and keeps the last state */
  stop_all = spindle_ui_test_find_action_button (GTK_WIDGET (window), "win.stop-all");
  g_assert_true (gtk_widget_is_sensitive (stop_all));
  spindle_ui_test_select (window, counter);
  spindle_ui_test_settle (window);
  get_requests (window, counter, requests);
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    g_assert_true (gtk_widget_is_sensitive (requests[i]));
  g_subprocess_send_signal (fixture->program, SIGKILL);
  g_subprocess_wait_async (fixture->program, NULL, on_exited, NULL);
  spindle_ui_test_wait (is_gone, set);
  spindle_ui_test_wait (has_exited, fixture->program);
  spindle_ui_test_settle (window);

  banner = spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_INFO_BAR, "remote-gone-banner", NULL);
  g_assert_nonnull (banner);
  g_assert_true (gtk_widget_get_mapped (banner));
  g_assert_false (gtk_widget_is_sensitive (stop_all));
  g_assert_cmpint (spindle_worker_get_state (counter), ==, SPINDLE_WORKER_STATE_RUNNING);
  spindle_ui_test_wait_row_shows (window, counter, "counter-1");
  /* a running worker of a program that is gone: no request reaches it */
  get_requests (window, counter, requests);
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    g_assert_false (gtk_widget_is_sensitive (requests[i]));
  assert_names_program (fixture, set);

  /* closing it asks nothing: the program's workers were never ours */
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (fixture->destroyed);
  g_assert_null (spindle_ui_test_find_dialog ());
}

static void
on_window_destroy (GtkWidget *window,
                   Fixture   *fixture)
{
  fixture->destroyed = TRUE;
}

static void
on_activate (SpindleApplication *app,
             Fixture            *fixture)
{
  fixture->window = SPINDLE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (SPINDLE_IS_WINDOW (fixture->window));
  g_signal_connect (fixture->window, "destroy", G_CALLBACK (on_window_destroy), fixture);

  spindle_ui_test_wait_drawn (fixture->window);
  run_body (fixture);
  fixture->ran = TRUE;

  if (!fixture->destroyed)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
}

static void
test_attach_command_line (void)
{
  Fixture fixture = { 0 };
  g_autoptr(SpindleApplication) app = spindle_application_new ();
  g_autofree char *pid = NULL;
  char *argv[4];

  start_program (&fixture);
  pid = g_strdup_printf ("%d", fixture.pid);
  argv[0] = (char *) g_get_prgname ();
  argv[1] = (char *) "--attach";
  argv[2] = pid;
  argv[3] = NULL;

  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &fixture);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 3, argv), ==, 0);
  g_assert_true (fixture.ran);

  if (!has_exited (fixture.program))
    {
      g_subprocess_force_exit (fixture.program);
      g_subprocess_wait (fixture.program, NULL, NULL);
    }
  g_clear_object (&fixture.program);
}

/* A process that exports nothing: one line on stderr, status 1, no window. */
static void
test_attach_not_exporting (void)
{
  const char *binary = g_getenv ("SPINDLE_BINARY");
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  char *argv[] = { (char *) binary, (char *) "--attach", pid, NULL };
  char *conflict[] = { (char *) binary, (char *) "--attach", pid, (char *) "--demo", NULL };

  g_assert_nonnull (binary);
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "does not export its workers"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* --attach alone: Spindle's own workers are not for a remote window */
  g_spawn_sync (NULL, conflict, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (WEXITSTATUS (status), ==, SPINDLE_EXIT_USAGE);
  g_assert_nonnull (strstr (err, "--attach shows another program’s workers on its own"));
}

/* Attach to Program… **********************************************************/

static guint wanted_programs;

static gboolean
lists_programs (SpindleAttachDialog *dialog)
{
  return spindle_attach_dialog_get_n_programs (dialog) == wanted_programs;
}

static void
wait_programs (SpindleAttachDialog *dialog,
               guint                n)
{
  wanted_programs = n;
  spindle_ui_test_wait (lists_programs, dialog);
}

static gboolean
has_remote_window (gpointer unused)
{
  GList *windows = gtk_window_list_toplevels ();
  gboolean found = FALSE;

  for (GList *l = windows; l != NULL; l = l->next)
    if (SPINDLE_IS_WINDOW (l->data))
      {
        g_autoptr(SpindleWorkerSet) set = NULL;

        g_object_get (l->data, "set", &set, NULL);
        found |= spindle_worker_set_is_remote (set);
      }
  g_list_free (windows);

  return found;
}

static gboolean
shows_three_workers (SpindleAttachDialog *dialog)
{
  return spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, NULL, "3 live workers") != NULL;
}

static SpindleAttachDialog *
open_dialog (SpindleApplication *app)
{
  GtkWindow *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (app), "attach", NULL);
  dialog = spindle_ui_test_find_toplevel (SPINDLE_TYPE_ATTACH_DIALOG);
  g_assert_nonnull (dialog);
  spindle_ui_test_wait_widget_drawn (GTK_WIDGET (dialog));

  return SPINDLE_ATTACH_DIALOG (dialog);
}

static void
on_dialog_activate (SpindleApplication *app,
                    Fixture            *fixture)
{
  GtkWidget *main_window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_autofree char *pid_text = NULL;
  SpindleAttachDialog *dialog;
  GtkWidget *row, *attach;

  spindle_ui_test_wait_drawn (SPINDLE_WINDOW (main_window));

  /* no program exports: the empty state says how one does */
  dialog = open_dialog (app);
  g_assert_cmpuint (spindle_attach_dialog_get_n_programs (dialog), ==, 0);
  g_assert_true (gtk_widget_get_mapped (spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BOX, "empty", NULL)));
  attach = spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "attach", NULL);
  g_assert_false (gtk_widget_is_sensitive (attach));

  /* a program starts: it appears with its name, PID and live workers */
  start_program (fixture);
  wait_programs (dialog, 1);
  pid_text = g_strdup_printf ("PID %d", fixture->pid);
  row = spindle_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, NULL, pid_text);
  g_assert_nonnull (row);
  /* counted again while the dialog is open */
  spindle_ui_test_wait (shows_three_workers, dialog);

  /* Attach opens a window over it and closes the dialog */
  spindle_ui_test_activate (attach);
  spindle_ui_test_wait (has_remote_window, NULL);
  g_assert_null (spindle_ui_test_find_toplevel (SPINDLE_TYPE_ATTACH_DIALOG));

  /* it exits: it goes from the list at once */
  dialog = open_dialog (app);
  wait_programs (dialog, 1);
  g_subprocess_send_signal (fixture->program, SIGKILL);
  g_subprocess_wait_async (fixture->program, NULL, on_exited, NULL);
  wait_programs (dialog, 0);
  spindle_ui_test_wait (has_exited, fixture->program);

  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_null (spindle_ui_test_find_toplevel (SPINDLE_TYPE_ATTACH_DIALOG));
  fixture->ran = TRUE;

  /* every window goes, so that the application's run returns */
  {
    GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

    for (GList *l = windows; l != NULL; l = l->next)
      gtk_window_destroy (l->data);
    g_list_free (windows);
  }
}

static void
test_attach_dialog (void)
{
  Fixture fixture = { 0 };
  g_autoptr(SpindleApplication) app = spindle_application_new ();
  char *argv[] = { (char *) g_get_prgname (), NULL };

  g_signal_connect_after (app, "activate", G_CALLBACK (on_dialog_activate), &fixture);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_true (fixture.ran);
  g_clear_object (&fixture.program);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/attach/command-line", test_attach_command_line);
  g_test_add_func ("/ui/attach/not-exporting", test_attach_not_exporting);
  g_test_add_func ("/ui/attach/dialog", test_attach_dialog);

  return g_test_run ();
}
