/* test-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-catalog.h"
#include "spindle-clock.h"
#include "spindle-elapsed-label.h"
#include "spindle-ui-test-util.h"
#include "spindle-window-private.h"
#include "spindle-worker-details.h"

typedef SpindleUiFixture Fixture;

static GtkWidget *
wait_row_button (Fixture       *fixture,
                 SpindleWorker *worker,
                 const char    *name)
{
  return spindle_ui_test_find (spindle_ui_test_wait_row (fixture->window, worker), GTK_TYPE_BUTTON, name, NULL);
}

/* Row buttons ***************************************************************/

static void
test_row_stop_sleeper (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  GtkWidget *stop = wait_row_button (fixture, sleeper, "row-stop");

  g_assert_nonnull (stop);
  g_assert_true (gtk_widget_is_sensitive (stop));

  spindle_ui_test_activate (stop);

  spindle_ui_test_wait_terminal (sleeper);
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_stop_reason (sleeper), ==, SPINDLE_STOP_REASON_USER);
  spindle_ui_test_wait_row_shows (fixture->window, sleeper, "stopped");
  spindle_ui_test_wait_row_shows (fixture->window, sleeper, "clean");
}

static void
test_row_cancel_socket_reader (Fixture *fixture)
{
  SpindleWorker *reader = spindle_ui_test_spawn (fixture, "socket-reader");
  GtkWidget *cancel = wait_row_button (fixture, reader, "row-cancel");

  g_assert_nonnull (cancel);
  g_assert_true (gtk_widget_is_sensitive (cancel));

  g_signal_emit_by_name (cancel, "clicked");

  spindle_ui_test_wait_terminal (reader);
  g_assert_cmpint (spindle_worker_get_state (reader), ==, SPINDLE_WORKER_STATE_CANCELLED);
  spindle_ui_test_wait_row_shows (fixture->window, reader, "cancelled");
}

static gboolean
buttons_are (GtkWidget     *row,
             gconstpointer  expected)
{
  GtkWidget *stop = spindle_ui_test_find (row, GTK_TYPE_BUTTON, "row-stop", NULL);
  GtkWidget *cancel = spindle_ui_test_find (row, GTK_TYPE_BUTTON, "row-cancel", NULL);
  char expected_stop = ((const char *) expected)[0];
  char expected_cancel = ((const char *) expected)[1];

  return stop != NULL && cancel != NULL &&
         gtk_widget_get_sensitive (stop) == (expected_stop == '1') &&
         gtk_widget_get_sensitive (cancel) == (expected_cancel == '1');
}

/* "10": Stop sensitive, Force-cancel not. */
static void
wait_buttons (Fixture       *fixture,
              SpindleWorker *worker,
              const char    *expected)
{
  spindle_ui_test_wait_row_matches (fixture->window, worker, buttons_are, expected);
}

static void
test_row_button_sensitivity (Fixture *fixture)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  SpindleWorker *spinner;

  /* A stubborn spinner ignores the stop: it stays STOPPING until cancelled. */
  g_settings_set_boolean (settings, "auto-escalate", FALSE);
  spinner = spindle_ui_test_spawn (fixture, "stubborn-spinner");
  wait_buttons (fixture, spinner, "11");

  spindle_ui_test_activate (spindle_ui_test_find_row_button (fixture->window, spinner, "row-stop"));
  spindle_ui_test_wait_state (spinner, SPINDLE_WORKER_STATE_STOPPING);
  wait_buttons (fixture, spinner, "01");

  spindle_ui_test_activate (spindle_ui_test_find_row_button (fixture->window, spinner, "row-cancel"));
  spindle_ui_test_wait_terminal (spinner);
  wait_buttons (fixture, spinner, "00");

  g_settings_reset (settings, "auto-escalate");
}

/* Header actions ************************************************************/

static void
test_stop_all (Fixture *fixture)
{
  SpindleWorker *workers[3];
  GtkWidget *button;

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    workers[i] = spindle_ui_test_spawn (fixture, "sleeper");
  spindle_ui_test_settle (fixture->window);

  button = spindle_ui_test_find_action_button (GTK_WIDGET (fixture->window), "win.stop-all");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  spindle_ui_test_activate (button);

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      spindle_ui_test_wait_terminal (workers[i]);
      g_assert_cmpint (spindle_worker_get_state (workers[i]), ==, SPINDLE_WORKER_STATE_STOPPED);
    }

  spindle_ui_test_settle (fixture->window);
  g_assert_false (gtk_widget_is_sensitive (button));
}

static void
test_cancel_all_confirmed (Fixture *fixture)
{
  SpindleWorker *readers[2];
  GtkWidget *button;
  GtkWindow *dialog;

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    readers[i] = spindle_ui_test_spawn (fixture, "socket-reader");
  spindle_ui_test_settle (fixture->window);

  button = spindle_ui_test_find_action_button (GTK_WIDGET (fixture->window), "win.cancel-all");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_has_css_class (button, "destructive-action"));

  /* Declining leaves them running. */
  spindle_ui_test_activate (button);
  dialog = spindle_ui_test_wait_dialog ();
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  spindle_ui_test_settle (fixture->window);
  g_assert_null (spindle_ui_test_find_dialog ());
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    g_assert_cmpint (spindle_worker_get_state (readers[i]), ==, SPINDLE_WORKER_STATE_RUNNING);

  /* Confirming cancels them, through the dialog's destructive button. */
  spindle_ui_test_activate (button);
  dialog = spindle_ui_test_wait_dialog ();
  button = gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_assert_true (gtk_widget_has_css_class (button, "destructive-action"));
  spindle_ui_test_activate (button);

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      spindle_ui_test_wait_terminal (readers[i]);
      g_assert_cmpint (spindle_worker_get_state (readers[i]), ==, SPINDLE_WORKER_STATE_CANCELLED);
    }
}

/* Search, show finished and clear finished **********************************/

static void
test_search (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorker *reader = spindle_ui_test_spawn (fixture, "socket-reader");

  spindle_ui_test_spawn (fixture, "nested-loops");
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 3);

  spindle_ui_test_set_search (fixture->window, "SOCKET");                /* by kind, any case */
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 1);
  g_assert_nonnull (spindle_ui_test_find_row (fixture->window, reader));

  spindle_ui_test_set_search (fixture->window, spindle_worker_get_name (sleeper));   /* by name */
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 1);

  spindle_ui_test_set_search (fixture->window, "stopped");               /* by state, as it changes */
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 0);
  spindle_worker_request_stop (sleeper);
  spindle_ui_test_wait_terminal (sleeper);
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 1);

  spindle_ui_test_set_search (fixture->window, "");
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 3);
}

/* Show Finished is the Keep Finished setting, in the main menu; Clear
 * Finished hides the finished rows at once and removes them from the set
 * once its Undo bar goes.
 */
static void
test_show_and_clear_finished (Fixture *fixture)
{
  SpindleShownWorkers *shown = spindle_window_get_shown_workers (fixture->window);
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  g_autoptr(SpindleWorker) result = g_object_ref (spindle_ui_test_spawn (fixture, "result"));
  GtkWidget *window = GTK_WIDGET (fixture->window);

  spindle_ui_test_wait_terminal (result);
  spindle_ui_test_settle (fixture->window);
  g_assert_true (spindle_window_get_show_finished (fixture->window));
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 2);
  g_assert_true (spindle_shown_workers_contains (shown, result));

  g_assert_true (gtk_widget_activate_action (window, "win.show-finished", NULL));
  spindle_ui_test_settle (fixture->window);
  g_assert_false (spindle_window_get_show_finished (fixture->window));
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 1);
  g_assert_false (spindle_shown_workers_contains (shown, result));
  g_assert_true (spindle_shown_workers_contains (shown, sleeper));

  g_assert_true (gtk_widget_activate_action (window, "win.show-finished", NULL));
  spindle_ui_test_settle (fixture->window);
  g_assert_true (spindle_window_get_show_finished (fixture->window));

  /* a finished worker to clear, whatever turning the setting off did */
  g_clear_object (&result);
  result = g_object_ref (spindle_ui_test_spawn (fixture, "result"));
  spindle_ui_test_wait_terminal (result);
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 2);

  g_assert_true (gtk_widget_activate_action (window, "win.clear-finished", NULL));
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 1);
  g_assert_nonnull (spindle_ui_test_find_row (fixture->window, sleeper));

  g_assert_true (gtk_widget_activate_action (window, "win.dismiss-undo", NULL));
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, 1);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 1);

  /* Its cell went with its row. */
  g_assert_false (spindle_shown_workers_contains (shown, result));
  g_assert_cmpuint (spindle_shown_workers_get_n_workers (shown), ==, 1);
}

/* Selection, keyboard actions and the details pane **************************/

static gboolean
log_says_stopped (gpointer data)
{
  return spindle_ui_test_find (data, GTK_TYPE_LABEL, NULL, "state → stopped") != NULL;
}

static void
test_selected_worker (Fixture *fixture)
{
  SpindleWorker *writer = spindle_ui_test_spawn (fixture, "file-writer");
  GtkWidget *details;

  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_select (fixture->window, writer);
  spindle_ui_test_settle (fixture->window);

  details = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_WORKER_DETAILS, NULL, NULL);
  g_assert_true (spindle_worker_details_get_worker (SPINDLE_WORKER_DETAILS (details)) == writer);
  g_assert_nonnull (spindle_ui_test_find (details, GTK_TYPE_LABEL, NULL, spindle_worker_get_name (writer)));

  /* What Delete is bound to. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.stop-selected", NULL));
  spindle_ui_test_wait_terminal (writer);
  g_assert_cmpint (spindle_worker_get_state (writer), ==, SPINDLE_WORKER_STATE_STOPPED);

  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_wait (log_says_stopped, details);
  g_assert_nonnull (spindle_ui_test_find (details, GTK_TYPE_LABEL, NULL, "stop requested by the user"));
  g_assert_nonnull (spindle_ui_test_find (details, GTK_TYPE_LABEL, NULL, "✓"));

  /* Nothing selected: the pane lets go of the worker. */
  spindle_ui_test_unselect (fixture->window);
  g_assert_null (spindle_worker_details_get_worker (SPINDLE_WORKER_DETAILS (details)));
}

static void
test_cancel_selected (Fixture *fixture)
{
  SpindleWorker *reader = spindle_ui_test_spawn (fixture, "socket-reader");

  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_select (fixture->window, reader);

  /* What Shift+Delete is bound to. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel-selected", NULL));
  spindle_ui_test_wait_terminal (reader);
  g_assert_cmpint (spindle_worker_get_state (reader), ==, SPINDLE_WORKER_STATE_CANCELLED);
}

/* Keyboard ******************************************************************/

static GtkShortcut *
find_shortcut (GtkWidget  *widget,
               const char *trigger)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n = g_list_model_get_n_items (controllers);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      guint n_shortcuts;

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      n_shortcuts = g_list_model_get_n_items (G_LIST_MODEL (controller));
      for (guint j = 0; j < n_shortcuts; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_strcmp0 (text, trigger) == 0)
            return shortcut;
        }
    }

  return NULL;
}

/* What the key does, through the window's own shortcut. */
static void
press (Fixture    *fixture,
       const char *trigger)
{
  GtkShortcut *shortcut = find_shortcut (GTK_WIDGET (fixture->window), trigger);

  g_assert_nonnull (shortcut);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                               GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                               GTK_WIDGET (fixture->window),
                                               gtk_shortcut_get_arguments (shortcut)));
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static void
test_keyboard_shortcuts (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorker *reader = spindle_ui_test_spawn (fixture, "socket-reader");
  g_auto(GStrv) quit_accels = NULL;
  g_auto(GStrv) help_accels = NULL;
  GtkWidget *popover, *search_bar;

  spindle_ui_test_settle (fixture->window);

  spindle_ui_test_select (fixture->window, sleeper);
  press (fixture, "Delete");
  spindle_ui_test_wait_state (sleeper, SPINDLE_WORKER_STATE_STOPPED);

  spindle_ui_test_select (fixture->window, reader);
  press (fixture, "<Shift>Delete");
  spindle_ui_test_wait_state (reader, SPINDLE_WORKER_STATE_CANCELLED);

  press (fixture, "<Control>f");
  search_bar = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_SEARCH_BAR, NULL, NULL);
  g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (search_bar)));

  press (fixture, "<Control>n");
  popover = (GtkWidget *) gtk_menu_button_get_popover (GTK_MENU_BUTTON (
    spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_MENU_BUTTON, NULL, NULL)));
  spindle_ui_test_wait (is_mapped, popover);
  gtk_popover_popdown (GTK_POPOVER (popover));

  quit_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app), "app.quit");
  g_assert_true (g_strv_contains ((const char * const *) quit_accels, "<Control>q"));
  help_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (fixture->app), "win.show-help-overlay");
  g_assert_true (g_strv_contains ((const char * const *) help_accels, "<Control>question"));
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (fixture->window)));
}

static void
test_add_popover (Fixture *fixture)
{
  GtkWidget *button = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_MENU_BUTTON, NULL, NULL);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  GtkWidget *spin, *row;
  guint n_entries;

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  spindle_ui_test_wait (is_mapped, popover);

  spindle_catalog_get_entries (&n_entries);
  for (guint i = 0; i < n_entries; i++)
    g_assert_nonnull (spindle_ui_test_find (popover, GTK_TYPE_LIST_BOX_ROW,
                                            spindle_catalog_get_entries (NULL)[i].kind, NULL));

  spin = spindle_ui_test_find (popover, GTK_TYPE_SPIN_BUTTON, NULL, NULL);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 3);
  row = spindle_ui_test_find (popover, GTK_TYPE_LIST_BOX_ROW, "sleeper", NULL);
  g_assert_true (gtk_widget_activate (row));
  spindle_ui_test_settle (fixture->window);

  g_assert_false (gtk_widget_get_mapped (popover));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, 3);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 3);
}

/* Live figures **************************************************************/

static guint
position_of (SpindleWindow *window,
             SpindleWorker *worker)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (spindle_ui_test_get_view (window)));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(GObject) item = gtk_tree_list_row_get_item (row);

      if (item == G_OBJECT (worker))
        return i;
    }

  g_error ("%s is not listed", spindle_worker_get_name (worker));
}

typedef struct
{
  SpindleWindow *window;
  SpindleWorker *first;
  SpindleWorker *second;
} Order;

static gboolean
listed_in_order (Order *order)
{
  return position_of (order->window, order->first) < position_of (order->window, order->second);
}

static void
test_elapsed_sort_while_ticking (Fixture *fixture)
{
  SpindleWorker *failure = spindle_ui_test_spawn (fixture, "failure");
  SpindleWorker *sleeper;
  Order order;

  /* The failure ends after about two seconds and its time freezes there. */
  spindle_ui_test_wait_terminal (failure);
  sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  spindle_ui_test_sort_by (fixture->window, "Elapsed");

  order = (Order) { fixture->window, sleeper, failure };
  g_assert_true (listed_in_order (&order));

  /* The sleeper's time runs on: the ticks move it past the frozen one. */
  order = (Order) { fixture->window, failure, sleeper };
  spindle_ui_test_wait (listed_in_order, &order);
}

static void
count_call (guint *n)
{
  (*n)++;
}

static guint
resorts_for_a_stop (Fixture       *fixture,
                    SpindleWorker *worker)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (spindle_ui_test_get_view (fixture->window));
  guint n = 0;
  gulong handler;

  spindle_ui_test_settle (fixture->window);
  handler = g_signal_connect_swapped (sorter, "changed", G_CALLBACK (count_call), &n);
  spindle_worker_request_stop (worker);
  spindle_ui_test_wait_terminal (worker);
  spindle_ui_test_settle (fixture->window);
  g_signal_handler_disconnect (sorter, handler);

  return n;
}

/* A state change sorts the list again only when the sort depends on the
 * state: in the order workers came, or by name, ten thousand rows stay put.
 */
static void
test_resort_only_by_state (Fixture *fixture)
{
  SpindleWorker *first = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorker *second = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorker *third = spindle_ui_test_spawn (fixture, "sleeper");

  /* in the order they came: a sort kept from an earlier test goes */
  gtk_column_view_sort_by_column (spindle_ui_test_get_view (fixture->window), NULL, GTK_SORT_ASCENDING);
  g_assert_cmpuint (resorts_for_a_stop (fixture, first), ==, 0);

  spindle_ui_test_sort_by (fixture->window, "Name");
  g_assert_cmpuint (resorts_for_a_stop (fixture, second), ==, 0);

  spindle_ui_test_sort_by (fixture->window, "State");
  g_assert_cmpuint (resorts_for_a_stop (fixture, third), >, 0);
}

static void
test_selection_survives_updates (Fixture *fixture)
{
  SpindleWorker *first = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorker *second = spindle_ui_test_spawn (fixture, "sleeper");
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (spindle_ui_test_get_view (fixture->window)));
  g_autoptr(GObject) selected = NULL;
  Order order = { fixture->window, second, first };

  spindle_ui_test_sort_by (fixture->window, "State");
  spindle_ui_test_select (fixture->window, second);

  /* Stopped sorts after running: the first moves below the second. */
  spindle_worker_request_stop (first);
  spindle_ui_test_wait_terminal (first);
  spindle_ui_test_settle (fixture->window);
  g_assert_true (listed_in_order (&order));

  selected = gtk_tree_list_row_get_item (gtk_single_selection_get_selected_item (selection));
  g_assert_true (selected == G_OBJECT (second));
}

static void
test_clock_runs_while_mapped (Fixture *fixture)
{
  SpindleClock *clock = spindle_clock_get_default ();

  g_assert_true (spindle_clock_is_running (clock));

  gtk_widget_set_visible (GTK_WIDGET (fixture->window), FALSE);
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
  g_assert_false (spindle_clock_is_running (clock));

  gtk_widget_set_visible (GTK_WIDGET (fixture->window), TRUE);
  spindle_ui_test_wait_drawn (fixture->window);
  g_assert_true (spindle_clock_is_running (clock));
}

/* Empty state and the tree **************************************************/

static void
test_empty_state (Fixture *fixture)
{
  GtkWidget *stack = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_STACK, NULL, NULL);
  GtkWidget *demo;
  guint n_entries;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");

  demo = spindle_ui_test_find_action_button (GTK_WIDGET (fixture->window), "win.load-demo");
  g_assert_nonnull (demo);
  spindle_ui_test_activate (demo);
  spindle_ui_test_settle (fixture->window);

  spindle_catalog_get_entries (&n_entries);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, n_entries);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "list");
}

static gboolean
has_three_children (SpindleWorker *worker)
{
  return g_list_model_get_n_items (spindle_worker_get_children (worker)) == 3;
}

static void
test_children_under_parent (Fixture *fixture)
{
  SpindleWorker *supervisor = spindle_ui_test_spawn (fixture, "supervisor");
  g_autoptr(SpindleWorker) child = NULL;
  g_autoptr(GtkTreeListRow) parent_row = NULL;
  g_autoptr(GtkTreeListRow) child_row = NULL;
  GtkSelectionModel *model;

  spindle_ui_test_wait (has_three_children, supervisor);
  spindle_ui_test_settle (fixture->window);

  model = gtk_column_view_get_model (spindle_ui_test_get_view (fixture->window));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);

  parent_row = g_list_model_get_item (G_LIST_MODEL (model), 0);
  child_row = g_list_model_get_item (G_LIST_MODEL (model), 1);
  g_assert_cmpuint (gtk_tree_list_row_get_depth (parent_row), ==, 0);
  g_assert_cmpuint (gtk_tree_list_row_get_depth (child_row), ==, 1);

  child = gtk_tree_list_row_get_item (child_row);
  g_assert_true (spindle_worker_get_parent (child) == supervisor);
}

static const char *
children_shown (GtkWidget *details)
{
  GtkWidget *label = spindle_ui_test_find (details, GTK_TYPE_LABEL, "children-value", NULL);

  g_assert_nonnull (label);

  return gtk_label_get_label (GTK_LABEL (label));
}

/* Selects @parent before the main loop runs again, so before any child of
 * its reaches the model, then waits for its three children.
 */
static void
assert_details_count_children (Fixture       *fixture,
                               SpindleWorker *parent)
{
  GtkWidget *details = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_WORKER_DETAILS, NULL, NULL);

  spindle_ui_test_select (fixture->window, parent);
  g_assert_true (spindle_worker_details_get_worker (SPINDLE_WORKER_DETAILS (details)) == parent);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (parent)), ==, 0);
  g_assert_cmpstr (children_shown (details), ==, "0");

  spindle_ui_test_wait (has_three_children, parent);
  g_assert_cmpstr (children_shown (details), ==, "3");
}

static void
test_details_count_children (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *supervisor = spindle_catalog_spawn (fixture->set, "supervisor", &error);

  g_assert_no_error (error);
  assert_details_count_children (fixture, supervisor);
}

/* Unlike the supervisor, which sets its phase after its children, it
 * changes nothing of its own once they come: the model's "items-changed"
 * is the only news of them.
 */
static GVariant *
quiet_parent (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  for (guint i = 0; i < 3; i++)
    if (spindle_job_spawn_child (job, "quiet child", spindle_ui_test_sleep_until_stopped, NULL, NULL, error) == NULL)
      return NULL;

  return spindle_ui_test_sleep_until_stopped (job, data, error);
}

static void
test_details_count_quiet_children (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *parent = spindle_worker_set_spawn (fixture->set, "quiet parent", quiet_parent, NULL, NULL, &error);

  g_assert_no_error (error);
  assert_details_count_children (fixture, parent);
}

/* Cells *********************************************************************/

/* Each column's cells are built in C by a factory of signals (see
 * spindle-panel-cells.c), no template parsed per cell; they turn the kind
 * into its title and the state into words.
 */
static void
test_cell_factories (Fixture *fixture)
{
  GListModel *columns = gtk_column_view_get_columns (spindle_ui_test_get_view (fixture->window));
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");

  g_assert_cmpuint (g_list_model_get_n_items (columns), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_assert_true (GTK_IS_SIGNAL_LIST_ITEM_FACTORY (gtk_column_view_column_get_factory (column)));
    }

  spindle_ui_test_wait_row_shows (fixture->window, sleeper, "Sleeper");
  spindle_ui_test_wait_row_shows (fixture->window, sleeper, "running");
}

/* The side pane scrolls itself, below its pinned header: nothing around
 * it scrolls too, or the header would scroll out of view with the rest.
 */
static void
test_details_scroll_once (Fixture *fixture)
{
  GtkWidget *details = GTK_WIDGET (fixture->window->details);

  g_assert_nonnull (spindle_ui_test_find (details, GTK_TYPE_SCROLLED_WINDOW, NULL, NULL));
  for (GtkWidget *widget = gtk_widget_get_parent (details); widget; widget = gtk_widget_get_parent (widget))
    g_assert_false (GTK_IS_SCROLLED_WINDOW (widget));
}

/* A worker event delivered by the panel's own tick closes the window, as
 * quitting does when the last worker ends (a SIGTERM with thousands of
 * workers stopping met it): the tick ends there, without touching the
 * panel it has lost.
 */
static GVariant *
announced_body (SpindleJob  *job,
                gpointer     data,
                GError     **error)
{
  g_atomic_int_set ((gint *) data, 1);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

static void
close_window (SpindleWorker *worker,
              GParamSpec    *pspec,
              GtkWindow     *window)
{
  g_signal_handlers_disconnect_by_func (worker, close_window, window);
  gtk_window_destroy (window);
}

static void
test_tick_closes_window (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + SPINDLE_UI_TEST_GUARD_MS * G_TIME_SPAN_MILLISECOND;
  gint reached = 0;
  SpindleWorker *worker = spindle_worker_set_spawn (fixture->set, "announced", announced_body, &reached, NULL, &error);

  g_assert_no_error (error);
  g_signal_connect (worker, "notify::state", G_CALLBACK (close_window), fixture->window);

  /* the thread has announced its start; the main context has not run, so
   * the event waits for the tick to deliver it
   */
  while (!g_atomic_int_get (&reached))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STARTING);

  _spindle_panel_tick (fixture->window->panel);

  g_assert_true (fixture->destroyed);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);
  spindle_worker_set_stop_all (fixture->set);
  spindle_ui_test_wait_terminal (worker);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

#define ADD(path, func) spindle_ui_test_add ("/ui/window/" path, func)

  ADD ("row-stop-sleeper", test_row_stop_sleeper);
  ADD ("row-cancel-socket-reader", test_row_cancel_socket_reader);
  ADD ("row-button-sensitivity", test_row_button_sensitivity);
  ADD ("stop-all", test_stop_all);
  ADD ("cancel-all-confirmed", test_cancel_all_confirmed);
  ADD ("search", test_search);
  ADD ("show-and-clear-finished", test_show_and_clear_finished);
  ADD ("selected-worker", test_selected_worker);
  ADD ("cancel-selected", test_cancel_selected);
  ADD ("keyboard-shortcuts", test_keyboard_shortcuts);
  ADD ("add-popover", test_add_popover);
  ADD ("elapsed-sort-while-ticking", test_elapsed_sort_while_ticking);
  ADD ("selection-survives-updates", test_selection_survives_updates);
  ADD ("resort-only-by-state", test_resort_only_by_state);
  ADD ("clock-runs-while-mapped", test_clock_runs_while_mapped);
  ADD ("empty-state", test_empty_state);
  ADD ("children-under-parent", test_children_under_parent);
  ADD ("details-count-children", test_details_count_children);
  ADD ("details-count-quiet-children", test_details_count_quiet_children);
  ADD ("cell-factories", test_cell_factories);
  ADD ("details-scroll-once", test_details_scroll_once);
  ADD ("tick-closes-window", test_tick_closes_window);

#undef ADD

  return g_test_run ();
}
