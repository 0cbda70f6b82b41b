/* test-stack.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <time.h>

#include "spindle-stack-window.h"
#include "spindle-thread-list.h"
#include "spindle-ui-test-util.h"

/* The stack window over a worker of this test: it names the test's own
 * function in bold, folds the library frames until asked, and says why
 * when there is no thread to capture.
 */

typedef struct
{
  gint inside;
} Napper;

G_GNUC_NO_INLINE void spindle_ui_test_stack_naps_here (SpindleJob *job,
                                                       Napper     *napper);

void
spindle_ui_test_stack_naps_here (SpindleJob *job,
                                 Napper     *napper)
{
  g_atomic_int_set (&napper->inside, 1);
  while (!spindle_job_should_stop (job))
    {
      struct timespec nap = { 0, 50 * 1000000L };

      nanosleep (&nap, NULL);
    }
}

static GVariant *
napper_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  spindle_ui_test_stack_naps_here (job, data);
  return NULL;
}

static gboolean
is_inside (Napper *napper)
{
  return g_atomic_int_get (&napper->inside);
}

/* The main thread learns the thread id from the worker's start event. */
static gboolean
has_tid (SpindleWorker *worker)
{
  return spindle_worker_get_tid (worker) > 0;
}

static gboolean
thread_gone (SpindleWorker *worker)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d", spindle_worker_get_tid (worker));

  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
left_capturing (SpindleStackWindow *window)
{
  return g_strcmp0 (spindle_stack_window_get_page (window), "capturing") != 0;
}

static char *
shown_text (SpindleStackWindow *window)
{
  GtkTextView *view = GTK_TEXT_VIEW (spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_TEXT_VIEW, NULL, NULL));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Whether the line naming the function is in bold. */
static gboolean
function_is_bold (SpindleStackWindow *window,
                  const char         *function)
{
  GtkTextView *view = GTK_TEXT_VIEW (spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_TEXT_VIEW, NULL, NULL));
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTag *own = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "own");
  GtkTextIter start, match, match_end;

  gtk_text_buffer_get_start_iter (buffer, &start);
  if (!gtk_text_iter_forward_search (&start, function, 0, &match, &match_end, NULL))
    return FALSE;
  return gtk_text_iter_has_tag (&match, own);
}

static void
test_names_own_function (SpindleUiFixture *fixture)
{
  Napper napper = { 0 };
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_worker_set_spawn (fixture->set, "napper", napper_body, &napper, NULL, &error);
  SpindleStackWindow *window;
  g_autofree char *folded = NULL;
  g_autofree char *full = NULL;
  GtkWidget *libraries;

  g_assert_no_error (error);
  spindle_ui_test_wait (is_inside, &napper);
  spindle_ui_test_wait (has_tid, worker);

  window = SPINDLE_STACK_WINDOW (spindle_stack_window_new (GTK_WINDOW (fixture->window), worker));
  spindle_ui_test_wait (left_capturing, window);
  if (g_strcmp0 (spindle_stack_window_get_page (window), "stack") != 0)
    g_test_message ("error shown: %s", gtk_label_get_text (GTK_LABEL (spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_LABEL, "error_label", NULL))));
  g_assert_cmpstr (spindle_stack_window_get_page (window), ==, "stack");

  folded = shown_text (window);
  g_assert_nonnull (strstr (folded, "spindle_ui_test_stack_naps_here"));
  g_assert_true (function_is_bold (window, "spindle_ui_test_stack_naps_here"));
  g_assert_nonnull (strstr (folded, " frames in "));

  /* showing the library frames unfolds them */
  libraries = spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_TOGGLE_BUTTON, "libraries_button", NULL);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (libraries), TRUE);
  full = shown_text (window);
  g_assert_null (strstr (full, " frames in "));
  g_assert_cmpuint (strlen (full), >, strlen (folded));
  g_assert_false (function_is_bold (window, "start_thread"));

  gtk_window_destroy (GTK_WINDOW (window));
  spindle_worker_request_stop (worker);
  spindle_ui_test_wait_terminal (worker);
}

static void
test_ended_worker_says_why (SpindleUiFixture *fixture)
{
  Napper napper = { 0 };
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_worker_set_spawn (fixture->set, "napper", napper_body, &napper, NULL, &error);
  SpindleStackWindow *window;
  GtkWidget *label;

  g_assert_no_error (error);
  spindle_ui_test_wait (is_inside, &napper);
  spindle_ui_test_wait (has_tid, worker);
  spindle_worker_request_stop (worker);
  spindle_ui_test_wait_terminal (worker);
  spindle_ui_test_wait (thread_gone, worker);

  window = SPINDLE_STACK_WINDOW (spindle_stack_window_new (GTK_WINDOW (fixture->window), worker));
  spindle_ui_test_wait (left_capturing, window);
  g_assert_cmpstr (spindle_stack_window_get_page (window), ==, "error");
  g_assert_null (spindle_stack_window_get_stack (window));
  label = spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_LABEL, "error_label", NULL);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "has ended"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
stack_window_shows_stack (gpointer unused)
{
  GtkWindow *window = spindle_ui_test_find_toplevel (SPINDLE_TYPE_STACK_WINDOW);

  return window != NULL &&
         g_strcmp0 (spindle_stack_window_get_page (SPINDLE_STACK_WINDOW (window)), "capturing") != 0;
}

/* The side pane's Show Stack opens the window over the selected worker. */
static void
test_side_pane_button (SpindleUiFixture *fixture)
{
  Napper napper = { 0 };
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_worker_set_spawn (fixture->set, "napper", napper_body, &napper, NULL, &error);
  GtkWidget *button;
  GtkWindow *window;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  spindle_ui_test_wait (is_inside, &napper);
  spindle_ui_test_wait (has_tid, worker);
  spindle_ui_test_wait_row (fixture->window, worker);
  spindle_ui_test_select (fixture->window, worker);

  button = spindle_ui_test_find_action_button (GTK_WIDGET (fixture->window), "details.show-stack");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  spindle_ui_test_activate (button);
  spindle_ui_test_wait (stack_window_shows_stack, NULL);

  window = spindle_ui_test_find_toplevel (SPINDLE_TYPE_STACK_WINDOW);
  g_assert_cmpstr (spindle_stack_window_get_page (SPINDLE_STACK_WINDOW (window)), ==, "stack");
  text = shown_text (SPINDLE_STACK_WINDOW (window));
  g_assert_nonnull (strstr (text, "spindle_ui_test_stack_naps_here"));
  gtk_window_destroy (window);

  /* an ended worker has no thread to look at */
  spindle_worker_request_stop (worker);
  spindle_ui_test_wait_terminal (worker);
  spindle_ui_test_settle (fixture->window);
  g_assert_false (gtk_widget_is_sensitive (button));
}

static gboolean
has_other_threads (GtkColumnView *view)
{
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view))) > 0;
}

/* A thread Spindle did not start, from the Other Threads list. */
static void
test_other_thread_from_list (SpindleUiFixture *fixture)
{
  GtkWidget *list = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_THREAD_LIST, NULL, NULL);
  g_autoptr(SpindleThreadInfo) thread = NULL;
  GtkColumnView *view;
  GtkWindow *window;
  g_autofree char *title = NULL;

  /* a collapsed expander keeps its list out of the widget tree */
  g_assert_nonnull (list);
  gtk_expander_set_expanded (GTK_EXPANDER (spindle_ui_test_find (list, GTK_TYPE_EXPANDER, NULL, NULL)), TRUE);
  view = GTK_COLUMN_VIEW (spindle_ui_test_find (list, GTK_TYPE_COLUMN_VIEW, "threads_view", NULL));
  g_assert_nonnull (view);
  spindle_ui_test_wait (has_other_threads, view);
  thread = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)), 0);

  /* as a double-click or Enter on its row does, through the view's list */
  gtk_widget_activate_action (spindle_ui_test_find (GTK_WIDGET (view), GTK_TYPE_LIST_VIEW, NULL, NULL),
                              "list.activate-item", "u", 0);
  spindle_ui_test_wait (stack_window_shows_stack, NULL);
  window = spindle_ui_test_find_toplevel (SPINDLE_TYPE_STACK_WINDOW);
  title = g_strdup_printf ("thread %d", spindle_thread_info_get_tid (thread));
  g_assert_nonnull (strstr (gtk_window_get_title (window), title));
  g_assert_cmpstr (spindle_stack_window_get_page (SPINDLE_STACK_WINDOW (window)), ==, "stack");
  g_assert_cmpuint (spindle_stack_get_n_frames (spindle_stack_window_get_stack (SPINDLE_STACK_WINDOW (window))), >, 0);
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

  spindle_ui_test_add ("/ui/stack/names-own-function", test_names_own_function);
  spindle_ui_test_add ("/ui/stack/ended-worker-says-why", test_ended_worker_says_why);
  spindle_ui_test_add ("/ui/stack/side-pane-button", test_side_pane_button);
  spindle_ui_test_add ("/ui/stack/other-thread-from-list", test_other_thread_from_list);

  return g_test_run ();
}
