/* spindle-ui-test-util.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "spindle-catalog-private.h"
#include "spindle-elapsed-label.h"
#include "spindle-ui-test-util.h"

void
spindle_ui_test_init (int    *argc,
                      char ***argv)
{
  spindle_ui_test_init_full (argc, argv, NULL);
}

/* With @test_init, NULL for g_test_init (): spindle_test_init () for a
 * test that waits through the engine tests' helpers.
 */
void
spindle_ui_test_init_full (int                     *argc,
                           char                  ***argv,
                           SpindleUiTestInitFunc    test_init)
{
  gboolean tap = FALSE;

  /* g_test_init() takes --tap away: look for it first. */
  for (int i = 1; i < *argc; i++)
    tap |= g_str_equal ((*argv)[i], "--tap");

  if (test_init != NULL)
    test_init (argc, argv);
  else
    g_test_init (argc, argv, NULL);

  /* A TAP runner reads a plan of no case as "skipped" only from a program
   * that exits 0; the exit-code protocol wants 77.
   */
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display: run the UI tests under build-aux/test\n");
      exit (tap ? 0 : 77);
    }
}

/* Waiting *******************************************************************/

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @cond holds; a light periodic source
 * wakes the loop for conditions that no event announces.
 */
void
spindle_ui_test_wait_full (SpindleUiTestCond  cond,
                           gpointer           data,
                           const char        *what)
{
  gint64 deadline = g_get_monotonic_time () + SPINDLE_UI_TEST_GUARD_MS * (gint64) 1000;
  guint waker = g_timeout_add (20, wake, NULL);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %d ms waiting for %s", SPINDLE_UI_TEST_GUARD_MS, what);

      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (waker);
}

typedef struct
{
  SpindleWorker      *worker;
  SpindleWorkerState  state;
  const char         *fragment;
} WorkerWait;

static gboolean
worker_in_state (WorkerWait *wait)
{
  return spindle_worker_get_state (wait->worker) == wait->state;
}

void
spindle_ui_test_wait_state (SpindleWorker      *worker,
                            SpindleWorkerState  state)
{
  WorkerWait wait = { worker, state, NULL };
  g_autofree char *what = g_strdup_printf ("%s to be %s", spindle_worker_get_name (worker),
                                           spindle_worker_state_to_string (state));

  spindle_ui_test_wait_full ((SpindleUiTestCond) worker_in_state, &wait, what);
}

void
spindle_ui_test_wait_terminal (SpindleWorker *worker)
{
  g_autofree char *what = g_strdup_printf ("%s to end", spindle_worker_get_name (worker));

  spindle_ui_test_wait_full ((SpindleUiTestCond) spindle_worker_is_terminal, worker, what);
}

static gboolean
worker_in_phase (WorkerWait *wait)
{
  const char *phase = spindle_worker_get_phase (wait->worker);

  return phase != NULL && strstr (phase, wait->fragment) != NULL;
}

void
spindle_ui_test_wait_phase (SpindleWorker *worker,
                            const char    *fragment)
{
  WorkerWait wait = { worker, 0, fragment };
  g_autofree char *what = g_strdup_printf ("%s to be “%s”", spindle_worker_get_name (worker), fragment);

  spindle_ui_test_wait_full ((SpindleUiTestCond) worker_in_phase, &wait, what);
}

typedef struct
{
  GdkFrameClock *clock;
  gint64         until;
} FrameWait;

static gboolean
frames_passed (FrameWait *wait)
{
  return gdk_frame_clock_get_frame_counter (wait->clock) >= wait->until;
}

/* Waits for two frames of @widget's surface, each asked for after the one
 * before, so that layout and paint ran after the last change.
 */
void
spindle_ui_test_wait_widget_drawn (GtkWidget *widget)
{
  FrameWait wait;

  spindle_ui_test_wait_full ((SpindleUiTestCond) gtk_widget_get_mapped, widget, "the widget to map");
  wait.clock = gtk_widget_get_frame_clock (widget);

  for (guint i = 0; i < 2; i++)
    {
      wait.until = gdk_frame_clock_get_frame_counter (wait.clock) + 1;
      gtk_widget_queue_draw (widget);
      spindle_ui_test_wait_full ((SpindleUiTestCond) frames_passed, &wait, "a frame");
    }
}

void
spindle_ui_test_wait_drawn (SpindleWindow *window)
{
  spindle_ui_test_wait_widget_drawn (GTK_WIDGET (window));
}

/* Pending state changes reach the list, and the list reaches the screen.
 * The dispatching is bounded: on a loaded machine a window's timers can be
 * ready again by the time an iteration ends, and "until nothing is
 * pending" would then never come. */
void
spindle_ui_test_settle (SpindleWindow *window)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

  for (guint i = 0; i < 1000 && g_get_monotonic_time () < until; i++)
    if (!g_main_context_iteration (NULL, FALSE))
      break;
  spindle_window_flush (window);
  spindle_ui_test_wait_drawn (window);
}

/* Fixture *******************************************************************/

static gboolean
set_is_down (SpindleWorkerSet *set)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (set));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      if (!spindle_worker_is_terminal (worker))
        return FALSE;
    }

  return TRUE;
}

static void
on_window_destroy (GtkWidget        *window,
                   SpindleUiFixture *fixture)
{
  fixture->destroyed = TRUE;
}

/* Leaves no thread behind and no window, so that g_application_run() returns. */
static void
tear_down (SpindleUiFixture *fixture)
{
  spindle_worker_set_cancel_all (fixture->set);
  _spindle_catalog_release_cond_waiters ();
  spindle_ui_test_wait (set_is_down, fixture->set);

  if (!fixture->destroyed)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
}

/* The body runs in the application's own activation, on the window and
 * worker set the application made.
 */
static void
on_activate (SpindleApplication *app,
             gpointer            data)
{
  SpindleUiFixture *fixture = g_object_get_data (G_OBJECT (app), "spindle-ui-fixture");
  SpindleUiTestFunc func = (SpindleUiTestFunc) data;

  fixture->window = SPINDLE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  fixture->set = spindle_application_get_worker_set (app);
  g_assert_true (SPINDLE_IS_WINDOW (fixture->window));
  g_signal_connect (fixture->window, "destroy", G_CALLBACK (on_window_destroy), fixture);

  spindle_ui_test_wait_drawn (fixture->window);
  func (fixture);
  tear_down (fixture);
}

static void
run_test (gconstpointer data)
{
  SpindleUiFixture fixture = { NULL };
  char *argv[] = { (char *) g_get_prgname (), NULL };

  fixture.app = spindle_application_new ();
  g_object_set_data (G_OBJECT (fixture.app), "spindle-ui-fixture", &fixture);
  g_signal_connect_after (fixture.app, "activate", G_CALLBACK (on_activate), (gpointer) data);

  g_assert_cmpint (g_application_run (G_APPLICATION (fixture.app), 1, argv), ==, 0);
  g_assert_true (fixture.destroyed);
  g_assert_finalize_object (fixture.app);
}

/* Runs @func inside a real SpindleApplication, with its window. */
void
spindle_ui_test_add (const char        *path,
                     SpindleUiTestFunc  func)
{
  g_test_add_data_func (path, (gconstpointer) func, run_test);
}

static gboolean
has_started (SpindleWorker *worker)
{
  return spindle_worker_get_state (worker) != SPINDLE_WORKER_STATE_STARTING;
}

/* Starts a worker of the catalogue and waits until its thread runs. */
SpindleWorker *
spindle_ui_test_spawn (SpindleUiFixture *fixture,
                       const char       *kind)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_catalog_spawn (fixture->set, kind, &error);

  g_assert_no_error (error);
  g_assert_nonnull (worker);
  spindle_ui_test_wait (has_started, worker);

  return worker;
}

/* Finding and using widgets *************************************************/

static void
on_clicked (GtkButton *button,
            gboolean  *clicked)
{
  *clicked = TRUE;
}

static gboolean
flag_is_set (gboolean *flag)
{
  return *flag;
}

/* Activates @button as the keyboard does, and waits for its "clicked":
 * GTK emits it only after the pressed look has shown for a moment.
 */
void
spindle_ui_test_activate (GtkWidget *button)
{
  gboolean clicked = FALSE;
  gulong handler;

  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));

  /* a dialog's button may go with its dialog when clicked */
  g_object_ref (button);
  handler = g_signal_connect (button, "clicked", G_CALLBACK (on_clicked), &clicked);
  g_assert_true (gtk_widget_activate (button));
  spindle_ui_test_wait (flag_is_set, &clicked);
  g_signal_handler_disconnect (button, handler);
  g_object_unref (button);
}

typedef struct
{
  GType       type;
  const char *name;
  const char *label;
} WidgetQuery;

static gboolean
widget_matches (GtkWidget     *widget,
                gconstpointer  data)
{
  const WidgetQuery *query = data;

  if (!G_TYPE_CHECK_INSTANCE_TYPE (widget, query->type))
    return FALSE;
  if (query->name != NULL && g_strcmp0 (gtk_widget_get_name (widget), query->name) != 0)
    return FALSE;
  if (query->label != NULL && GTK_IS_LABEL (widget))
    return g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), query->label) == 0;
  if (query->label != NULL && GTK_IS_BUTTON (widget))
    return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), query->label) == 0;

  return query->label == NULL;
}

/* Depth first: the first descendant of @type with the widget name and label given. */
GtkWidget *
spindle_ui_test_find (GtkWidget  *root,
                      GType       type,
                      const char *name,
                      const char *label)
{
  WidgetQuery query = { type, name, label };

  return spindle_ui_test_find_match (root, widget_matches, &query);
}

/* Depth first: the first of @root and its descendants that @match accepts. */
GtkWidget *
spindle_ui_test_find_match (GtkWidget          *root,
                            SpindleUiTestMatch  match,
                            gconstpointer       data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = spindle_ui_test_find_match (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
has_action (GtkWidget     *widget,
            gconstpointer  action_name)
{
  return GTK_IS_ACTIONABLE (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0;
}

GtkWidget *
spindle_ui_test_find_action_button (GtkWidget  *root,
                                    const char *action_name)
{
  return spindle_ui_test_find_match (root, has_action, action_name);
}

static gboolean
has_css_class (GtkWidget     *widget,
               gconstpointer  css_class)
{
  return gtk_widget_has_css_class (widget, css_class);
}

/* Depth first: the first of @root and its descendants with that style class. */
GtkWidget *
spindle_ui_test_find_css_class (GtkWidget  *root,
                                const char *css_class)
{
  return spindle_ui_test_find_match (root, has_css_class, css_class);
}

/* The list row @widget is in (its CSS name is "row"), or NULL. */
GtkWidget *
spindle_ui_test_row_of (GtkWidget *widget)
{
  while (widget != NULL && g_strcmp0 (gtk_widget_get_css_name (widget), "row") != 0)
    widget = gtk_widget_get_parent (widget);

  return widget;
}

static gboolean
is_elapsed_of (GtkWidget     *widget,
               gconstpointer  worker)
{
  return SPINDLE_IS_ELAPSED_LABEL (widget) &&
         spindle_elapsed_label_get_worker (SPINDLE_ELAPSED_LABEL (widget)) == worker;
}

/* The column view's row widget showing @worker, found through its elapsed
 * cell, the one cell that knows its worker; NULL while none is on screen.
 */
GtkWidget *
spindle_ui_test_find_row (SpindleWindow *window,
                          SpindleWorker *worker)
{
  GtkWidget *view = GTK_WIDGET (spindle_ui_test_get_view (window));
  GtkWidget *row = spindle_ui_test_row_of (spindle_ui_test_find_match (view, is_elapsed_of, worker));

  return row != NULL && gtk_widget_get_mapped (row) ? row : NULL;
}

GtkWidget *
spindle_ui_test_find_row_button (SpindleWindow *window,
                                 SpindleWorker *worker,
                                 const char    *button_name)
{
  GtkWidget *row = spindle_ui_test_find_row (window, worker);

  return row ? spindle_ui_test_find (row, GTK_TYPE_BUTTON, button_name, NULL) : NULL;
}

/* A label's text, or an inscription's (cells whose text changes on every
 * tick draw it without a relayout); NULL for any other widget, or an
 * inscription with no text.
 */
const char *
spindle_ui_test_text_of (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_label (GTK_LABEL (widget));
  if (GTK_IS_INSCRIPTION (widget))
    return gtk_inscription_get_text (GTK_INSCRIPTION (widget));

  return NULL;
}

static void
collect_labels (GtkWidget *widget,
                GString   *text)
{
  if ((GTK_IS_LABEL (widget) || GTK_IS_INSCRIPTION (widget)) && gtk_widget_get_visible (widget))
    g_string_append_printf (text, "%s|", spindle_ui_test_text_of (widget) ?: "");

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, text);
}

/* Every visible label (and inscription) in @widget, "sleeper 1|Sleeper|1234|"
 * for a row; "" for NULL.
 */
static char *
widget_text (GtkWidget *widget)
{
  GString *text = g_string_new (NULL);

  if (widget != NULL)
    collect_labels (widget, text);

  return g_string_free (text, FALSE);
}

/* Every label (and inscription) of the worker's row,
 * "sleeper 1|Sleeper|1234|stopped|…|".
 */
char *
spindle_ui_test_row_text (SpindleWindow *window,
                          SpindleWorker *worker)
{
  return widget_text (spindle_ui_test_find_row (window, worker));
}

/* Whether one whole visible label in @widget (a row, say) reads @text. */
gboolean
spindle_ui_test_widget_has_text (GtkWidget  *widget,
                                 const char *text)
{
  g_autofree char *shown = widget_text (widget);
  g_autofree char *needle = g_strdup_printf ("|%s|", text);
  g_autofree char *haystack = g_strdup_printf ("|%s", shown);

  return strstr (haystack, needle) != NULL;
}

/* Whether one whole label of the worker's row reads @text. */
gboolean
spindle_ui_test_row_has_text (SpindleWindow *window,
                              SpindleWorker *worker,
                              const char    *text)
{
  return spindle_ui_test_widget_has_text (spindle_ui_test_find_row (window, worker), text);
}

typedef struct
{
  SpindleWindow      *window;
  SpindleWorker      *worker;
  const char         *text;
  SpindleUiTestMatch  match;
  gconstpointer       data;
} RowWait;

static gboolean
row_exists (RowWait *wait)
{
  return spindle_ui_test_find_row (wait->window, wait->worker) != NULL;
}

static gboolean
row_shows (RowWait *wait)
{
  return spindle_ui_test_row_has_text (wait->window, wait->worker, wait->text);
}

static gboolean
row_matches (RowWait *wait)
{
  GtkWidget *row = spindle_ui_test_find_row (wait->window, wait->worker);

  return row != NULL && wait->match (row, wait->data);
}

/* The row of @worker, once the list shows it. */
GtkWidget *
spindle_ui_test_wait_row (SpindleWindow *window,
                          SpindleWorker *worker)
{
  RowWait wait = { window, worker, NULL };

  spindle_ui_test_wait (row_exists, &wait);

  return spindle_ui_test_find_row (window, worker);
}

void
spindle_ui_test_wait_row_shows (SpindleWindow *window,
                                SpindleWorker *worker,
                                const char    *text)
{
  RowWait wait = { window, worker, text };

  spindle_ui_test_wait (row_shows, &wait);
}

/* Until the worker's row is on screen and @match accepts it. */
void
spindle_ui_test_wait_row_matches (SpindleWindow      *window,
                                  SpindleWorker      *worker,
                                  SpindleUiTestMatch  match,
                                  gconstpointer       data)
{
  RowWait wait = { window, worker, NULL, match, data };
  g_autofree char *what = g_strdup_printf ("the row of %s to match", spindle_worker_get_name (worker));

  spindle_ui_test_wait_full ((SpindleUiTestCond) row_matches, &wait, what);
}

static GtkSelectionModel *
get_selection (SpindleWindow *window)
{
  return gtk_column_view_get_model (spindle_ui_test_get_view (window));
}

guint
spindle_ui_test_n_rows (SpindleWindow *window)
{
  return g_list_model_get_n_items (G_LIST_MODEL (get_selection (window)));
}

void
spindle_ui_test_select (SpindleWindow *window,
                        SpindleWorker *worker)
{
  GtkSelectionModel *selection = get_selection (window);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (selection));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (selection), i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (item == G_OBJECT (worker))
        {
          gtk_selection_model_select_item (selection, i, TRUE);
          return;
        }
    }

  g_error ("%s is not in the list", spindle_worker_get_name (worker));
}

/* gtk_selection_model_unselect_all() does not clear a GtkSingleSelection
 * in GTK 4.8.
 */
void
spindle_ui_test_unselect (SpindleWindow *window)
{
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (get_selection (window)), GTK_INVALID_LIST_POSITION);
  spindle_ui_test_settle (window);
}

/* The first visible toplevel of @type, or NULL. */
GtkWindow *
spindle_ui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

GtkWindow *
spindle_ui_test_find_dialog (void)
{
  return spindle_ui_test_find_toplevel (GTK_TYPE_MESSAGE_DIALOG);
}

static gboolean
dialog_shown (gpointer data)
{
  return spindle_ui_test_find_dialog () != NULL;
}

GtkWindow *
spindle_ui_test_wait_dialog (void)
{
  spindle_ui_test_wait (dialog_shown, NULL);

  return spindle_ui_test_find_dialog ();
}

/* Pictures ******************************************************************/

/* Renders @widget with GTK's own renderer: no screen grabber needed. */
void
spindle_ui_test_save_png (GtkWidget  *widget,
                          const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* The list, its columns, sort and search *************************************/

GtkColumnView *
spindle_ui_test_get_view (SpindleWindow *window)
{
  return GTK_COLUMN_VIEW (spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW, NULL, NULL));
}

/* The worker list's column of that title; fails the test if there is none. */
GtkColumnViewColumn *
spindle_ui_test_find_column (SpindleWindow *window,
                             const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (spindle_ui_test_get_view (window));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }

  g_error ("no column “%s”", title);
}

void
spindle_ui_test_sort_by (SpindleWindow *window,
                         const char    *title)
{
  gtk_column_view_sort_by_column (spindle_ui_test_get_view (window),
                                  spindle_ui_test_find_column (window, title), GTK_SORT_ASCENDING);
  spindle_ui_test_settle (window);
}

/* Types @text in the search entry, the search bar shown first, as Ctrl+F does. */
void
spindle_ui_test_set_search (SpindleWindow *window,
                            const char    *text)
{
  GtkWidget *bar = spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_SEARCH_BAR, NULL, NULL);
  GtkWidget *entry = spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY, NULL, NULL);

  if (!gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (bar)))
    gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  spindle_ui_test_settle (window);
}

gboolean
spindle_ui_test_is_unresponsive (SpindleWorker *worker)
{
  return spindle_worker_get_unresponsive (worker);
}

/* A body that sleeps in engine waits until asked to stop. */
GVariant *
spindle_ui_test_sleep_until_stopped (SpindleJob  *job,
                                     gpointer     data,
                                     GError     **error)
{
  while (spindle_job_sleep (job, 60 * G_USEC_PER_SEC))
    ;

  return NULL;
}

/* A body that starts a child sleeping until stopped, then sleeps until
 * stopped itself.
 */
GVariant *
spindle_ui_test_parent_until_stopped (SpindleJob  *job,
                                      gpointer     data,
                                      GError     **error)
{
  if (spindle_job_spawn_child (job, "child", spindle_ui_test_sleep_until_stopped, NULL, NULL, error) == NULL)
    return NULL;

  return spindle_ui_test_sleep_until_stopped (job, data, error);
}
