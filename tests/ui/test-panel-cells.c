/* test-panel-cells.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The list's cells are built in C and bound to a worker by hand
 * (spindle-cell-binding.c): the list moves a cell from row to row as it
 * scrolls, and then the cell shows its new worker, and nothing of the old
 * one's reaches it any more — no handler is left on the old worker.
 */

#include "config.h"

#include "spindle-cell-binding.h"
#include "spindle-elapsed-label.h"
#include "spindle-format.h"
#include "spindle-panel-private.h"
#include "spindle-ui-test-util.h"
#include "spindle-window-private.h"

typedef SpindleUiFixture Fixture;

#define N_WORKERS 400

/* Every worker a list item was bound to, in order. */
typedef struct
{
  GHashTable    *seen;       /* GtkListItem → GPtrArray of SpindleWorker (unowned) */
  SpindleWorker *workers[N_WORKERS];
} Recorder;

static SpindleWorker *
shown_worker (GtkListItem *list_item)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);
  g_autoptr(SpindleWorker) worker = row ? gtk_tree_list_row_get_item (row) : NULL;

  return worker;
}

static void
on_bind (GtkListItemFactory *factory,
         GtkListItem        *list_item,
         Recorder           *recorder)
{
  GPtrArray *seen = g_hash_table_lookup (recorder->seen, list_item);

  if (seen == NULL)
    {
      seen = g_ptr_array_new ();
      g_hash_table_insert (recorder->seen, g_object_ref (list_item), seen);
    }
  g_ptr_array_add (seen, shown_worker (list_item));
}

static void
record_binds (Fixture  *fixture,
              Recorder *recorder)
{
  GListModel *columns = gtk_column_view_get_columns (spindle_ui_test_get_view (fixture->window));

  recorder->seen = g_hash_table_new_full (NULL, NULL, g_object_unref, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_signal_connect_after (gtk_column_view_column_get_factory (column), "bind",
                              G_CALLBACK (on_bind), recorder);
    }
}

static void
stop_recording (Fixture  *fixture,
                Recorder *recorder)
{
  GListModel *columns = gtk_column_view_get_columns (spindle_ui_test_get_view (fixture->window));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_signal_handlers_disconnect_by_data (gtk_column_view_column_get_factory (column), recorder);
    }
  g_hash_table_unref (recorder->seen);
}

static void
spawn_workers (Fixture  *fixture,
               Recorder *recorder)
{
  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("cell worker %03u", i);

      recorder->workers[i] = spindle_worker_set_spawn (fixture->set, name, spindle_ui_test_sleep_until_stopped,
                                                       NULL, NULL, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < N_WORKERS; i++)
    spindle_ui_test_wait_state (recorder->workers[i], SPINDLE_WORKER_STATE_RUNNING);
}

static gboolean
shows_last_only (Recorder *recorder)
{
  SpindleWindow *window = g_object_get_data (G_OBJECT (recorder->workers[0]), "test-window");

  return spindle_ui_test_find_row (window, recorder->workers[N_WORKERS - 1]) != NULL &&
         spindle_ui_test_find_row (window, recorder->workers[0]) == NULL;
}

static void
scroll_to_end (Fixture  *fixture,
               Recorder *recorder)
{
  GtkWidget *view = GTK_WIDGET (spindle_ui_test_get_view (fixture->window));
  GtkWidget *scroller = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

  g_object_set_data (G_OBJECT (recorder->workers[0]), "test-window", fixture->window);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  spindle_ui_test_wait (shows_last_only, recorder);
}

/* Handlers on @instance whose data is @data: each is blocked and unblocked again. */
static guint
count_handlers (gpointer instance,
                gpointer data)
{
  guint n = g_signal_handlers_block_matched (instance, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, data);

  g_signal_handlers_unblock_matched (instance, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, data);

  return n;
}

/* Handlers on @instance of @widget or of a widget inside it. */
static guint
count_widget_handlers (gpointer   instance,
                       GtkWidget *widget)
{
  guint n = count_handlers (instance, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    n += count_widget_handlers (instance, child);

  return n;
}

/* Handlers on @worker of the cell or of its widgets. */
static guint
count_cell_handlers (SpindleWorker      *worker,
                     SpindleCellBinding *cell)
{
  return count_handlers (worker, cell) + count_widget_handlers (worker, gtk_list_item_get_child (cell->list_item));
}

static gboolean
is_inscription_with_text (GtkWidget     *widget,
                          gconstpointer  unused)
{
  return GTK_IS_INSCRIPTION (widget) && spindle_ui_test_text_of (widget) != NULL;
}

/* The text of the first inscription under @widget. */
static const char *
first_text (GtkWidget *widget)
{
  GtkWidget *inscription = spindle_ui_test_find_match (widget, is_inscription_with_text, NULL);

  return inscription != NULL ? spindle_ui_test_text_of (inscription) : NULL;
}

/* What @cell shows is @worker's, in the cells whose text says whose it is. */
static void
assert_shows (SpindleCellBinding *cell,
              SpindleWorker      *worker)
{
  GtkWidget *child = gtk_list_item_get_child (cell->list_item);

  g_assert_true (cell->worker == worker);
  if (GTK_IS_TREE_EXPANDER (child))
    g_assert_cmpstr (first_text (child), ==, spindle_worker_get_name (worker));
  else if (GTK_IS_INSCRIPTION (child) && gtk_widget_has_css_class (child, "state-pill"))
    g_assert_cmpstr (first_text (child), ==, spindle_format_pill_label (spindle_worker_get_state (worker), FALSE));
  else if (GTK_IS_BOX (child))
    {
      GtkWidget *stop = gtk_widget_get_first_child (child);
      g_autofree char *tooltip = _spindle_panel_query_tooltip (stop);
      g_autofree char *expected = g_strdup_printf ("Ask “%s” to stop", spindle_worker_get_name (worker));

      g_assert_cmpstr (tooltip, ==, expected);
      g_assert_true (gtk_widget_get_sensitive (stop) == spindle_format_can_stop (spindle_worker_get_state (worker)));
    }
}

typedef struct
{
  SpindleCellBinding *cell;
  SpindleWorker      *before;   /* the first worker it showed */
} Recycled;

/* The list items now bound to another worker than their first. */
static GArray *
find_recycled (Recorder *recorder)
{
  GArray *recycled = g_array_new (FALSE, FALSE, sizeof (Recycled));
  GHashTableIter iter;
  gpointer list_item, seen;

  g_hash_table_iter_init (&iter, recorder->seen);
  while (g_hash_table_iter_next (&iter, &list_item, &seen))
    {
      SpindleCellBinding *cell = spindle_cell_binding_get (list_item);
      SpindleWorker *first = g_ptr_array_index ((GPtrArray *) seen, 0);

      if (cell != NULL && cell->worker != NULL && cell->worker != first)
        g_array_append_val (recycled, ((Recycled) { cell, first }));
    }

  return recycled;
}

static gboolean
any_kind_is (GArray      *recycled,
             GType        type)
{
  for (guint i = 0; i < recycled->len; i++)
    if (G_TYPE_CHECK_INSTANCE_TYPE (gtk_list_item_get_child (g_array_index (recycled, Recycled, i).cell->list_item), type))
      return TRUE;

  return FALSE;
}

/* Scrolled from the top to the end of 400 rows (GTK 4.8 keeps the widgets
 * of some 200), the list moves the cells of the first rows to the last:
 * each shows its new worker, keeps no handler on its old one, and a change
 * of the old worker reaches none of them.
 */
static void
test_recycled_cell (Fixture *fixture)
{
  Recorder recorder = { 0 };
  g_autoptr(GArray) recycled = NULL;

  record_binds (fixture, &recorder);
  spawn_workers (fixture, &recorder);
  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_wait_row (fixture->window, recorder.workers[0]);

  scroll_to_end (fixture, &recorder);
  spindle_ui_test_settle (fixture->window);
  recycled = find_recycled (&recorder);
  g_assert_cmpuint (recycled->len, >, 0);
  g_assert_true (any_kind_is (recycled, GTK_TYPE_TREE_EXPANDER));
  g_assert_true (any_kind_is (recycled, SPINDLE_TYPE_ELAPSED_LABEL));
  g_assert_true (any_kind_is (recycled, GTK_TYPE_BOX));

  for (guint i = 0; i < recycled->len; i++)
    {
      Recycled *r = &g_array_index (recycled, Recycled, i);

      assert_shows (r->cell, r->cell->worker);
      g_assert_cmpuint (count_cell_handlers (r->before, r->cell), ==, 0);
      g_assert_cmpuint (count_handlers (r->cell->row, r->cell), ==, 1);
    }

  /* The old workers change, off screen: the cells still show the new ones. */
  for (guint i = 0; i < recycled->len; i++)
    spindle_worker_request_stop (g_array_index (recycled, Recycled, i).before);
  for (guint i = 0; i < recycled->len; i++)
    spindle_ui_test_wait_terminal (g_array_index (recycled, Recycled, i).before);
  spindle_ui_test_settle (fixture->window);
  for (guint i = 0; i < recycled->len; i++)
    {
      Recycled *r = &g_array_index (recycled, Recycled, i);

      /* (unless the list, which changed, bound it to its old worker again) */
      if (r->cell->worker == r->before)
        continue;
      assert_shows (r->cell, r->cell->worker);
      g_assert_cmpuint (count_cell_handlers (r->before, r->cell), ==, 0);
    }

  stop_recording (fixture, &recorder);
}

/* A cell bound to a worker follows it: one notify handler on the worker,
 * while bound, and a change of the worker shows at once.
 */
static void
test_bound_cell_follows_worker (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  GtkWidget *stop;

  spindle_ui_test_wait_row_shows (fixture->window, sleeper, "running");
  stop = spindle_ui_test_find_row_button (fixture->window, sleeper, "row-stop");
  g_assert_true (gtk_widget_get_sensitive (stop));

  spindle_worker_request_stop (sleeper);
  spindle_ui_test_wait_row_shows (fixture->window, sleeper, "stopped");
  g_assert_false (gtk_widget_get_sensitive (spindle_ui_test_find_row_button (fixture->window, sleeper, "row-stop")));
  g_assert_false (gtk_widget_get_sensitive (spindle_ui_test_find_row_button (fixture->window, sleeper, "row-cancel")));
}

/* Each column's cells come from a factory of signals, whose handlers are
 * the panel's: no template is parsed per cell.
 */
static void
test_factories_are_signal_factories (Fixture *fixture)
{
  GListModel *columns = gtk_column_view_get_columns (spindle_ui_test_get_view (fixture->window));

  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, SPINDLE_PANEL_N_COLUMNS);
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      GtkListItemFactory *factory = gtk_column_view_column_get_factory (column);

      g_assert_true (GTK_IS_SIGNAL_LIST_ITEM_FACTORY (factory));
      g_assert_true (g_signal_has_handler_pending (factory, g_signal_lookup ("setup", GTK_TYPE_SIGNAL_LIST_ITEM_FACTORY), 0, FALSE));
    }
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

#define ADD(path, func) spindle_ui_test_add ("/ui/panel-cells/" path, func)

  ADD ("recycled-cell", test_recycled_cell);
  ADD ("bound-cell-follows-worker", test_bound_cell_follows_worker);
  ADD ("factories-are-signal-factories", test_factories_are_signal_factories);

  return g_test_run ();
}
