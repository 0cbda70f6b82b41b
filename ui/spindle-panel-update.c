/* spindle-panel-update.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-panel"

#include "config.h"

#include "spindle-panel-private.h"

/* Once per frame ************************************************************/

/* Counts, the list and the host's own figures follow the set's signals
 * (items-changed, notify::n-live, each worker's notify::state and
 * notify::unresponsive), folded into one update that runs before the next
 * redraw: GDK redraws at G_PRIORITY_HIGH_IDLE + 20, so an idle at + 10
 * never waits behind a frame, and every signal of one engine dispatch
 * costs one update.
 *
 * The list does not watch the set directly: it shows self->rows, which the
 * update brings level with the set in one splice of the changed span, so
 * ten thousand spawns reach the list models as one change, not ten
 * thousand.
 */
#define UPDATE_PRIORITY (G_PRIORITY_HIGH_IDLE + 10)
#define DIRECT_CHANGES  8

static void update_now (SpindlePanel *self);

static gboolean
run_update (gpointer data)
{
  SpindlePanel *self = data;

  self->update_id = 0;
  update_now (self);

  return G_SOURCE_REMOVE;
}

static void
queue_update (SpindlePanel *self)
{
  /* no set, or disposed: workers may still notify until it is finalized */
  if (self->rows == NULL)
    return;

  if (self->update_id == 0 && !self->updating)
    self->update_id = g_idle_add_full (UPDATE_PRIORITY, run_update, self, NULL);
}

static void
sync_rows (SpindlePanel *self)
{
  GListModel *set = G_LIST_MODEL (self->set);
  guint n_set = g_list_model_get_n_items (set);
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint first, tail, added;
  g_autoptr(GPtrArray) items = NULL;

  if (!self->rows_dirty)
    return;

  self->rows_dirty = FALSE;
  first = MIN (self->rows_first, MIN (n_set, n_rows));
  tail = MIN (self->rows_tail, MIN (n_set, n_rows) - first);
  added = n_set - first - tail;

  items = g_ptr_array_new_full (added, g_object_unref);
  for (guint i = first; i < first + added; i++)
    g_ptr_array_add (items, g_list_model_get_item (set, i));

  g_list_store_splice (self->rows, first, n_rows - first - tail, items->pdata, added);
}

/* The monitor watches every worker, children included, and has counted
 * the change already: one handler for the whole set, not one per worker.
 * With no worker, workers joined or left the set or a worker's children.
 */
static void
on_worker_changed (SpindlePanel  *self,
                   SpindleWorker *worker,
                   gboolean       state_changed)
{
  if (state_changed)
    self->states_dirty = TRUE;
  queue_update (self);
}

/* Keeps the span that changed: from rows_first to rows_tail rows before
 * the end, both counted in the set as it is now.
 */
static void
on_set_items_changed (SpindlePanel *self,
                      guint         position,
                      guint         removed,
                      guint         added,
                      GListModel   *set)
{
  guint tail = g_list_model_get_n_items (set) - position - added;

  if (self->rows == NULL)
    return;

  queue_update (self);

  /* A few changes go through as they come, so a worker spawned is in the
   * list at once; a burst waits for the update and becomes one change, as
   * do workers started in batches: each change to ten thousand rows costs
   * the list models a walk over them.
   */
  if (!self->rows_dirty && self->rows_direct < DIRECT_CHANGES && !self->batching)
    {
      self->rows_direct++;
      self->rows_first = position;
      self->rows_tail = tail;
      self->rows_dirty = TRUE;
      sync_rows (self);
      return;
    }

  self->rows_first = self->rows_dirty ? MIN (self->rows_first, position) : position;
  self->rows_tail = self->rows_dirty ? MIN (self->rows_tail, tail) : tail;
  self->rows_dirty = TRUE;
}

static guint
find_selection_position (SpindlePanel  *self,
                         SpindleWorker *worker)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (model, i);
      g_autoptr(SpindleWorker) item = gtk_tree_list_row_get_item (row);

      if (item == worker)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

/* Where @worker's row is in the list now: where the selection was, as a
 * rule (the row made again has the worker's place), else looked for.
 */
static guint
selection_position (SpindlePanel  *self,
                    SpindleWorker *worker,
                    guint          was_at)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), was_at);
  g_autoptr(SpindleWorker) item = row ? gtk_tree_list_row_get_item (row) : NULL;

  return item == worker ? was_at : find_selection_position (self, worker);
}

/* The row of the top-level worker at @position, made without children,
 * is made again with them, and the selection never leaves it: the new
 * row is a new item, which the selection does not know, so it lets go of
 * the worker until it is selected again, and the side pane and
 * "selected-worker" would show nothing (or the row beside it) in
 * between. The selection's notifies wait until it is back on the worker.
 */
static void
remake_row (SpindlePanel  *self,
            guint          position,
            SpindleWorker *worker)
{
  g_autoptr(SpindleWorker) selected = _spindle_panel_dup_selected (self);
  guint selected_at = gtk_single_selection_get_selected (self->selection);

  g_object_freeze_notify (G_OBJECT (self->selection));
  g_list_store_splice (self->rows, position, 1, (gpointer *) &worker, 1);
  if (selected == worker)
    gtk_single_selection_set_selected (self->selection, selection_position (self, worker, selected_at));
  g_object_thaw_notify (G_OBJECT (self->selection));
}

/* Top-level workers whose rows were made before their first child: see
 * create_children_model (). The monitor names them, each once, so that a
 * change costs what changed: a process worker's processes that come and
 * go under it, with ten thousand workers beside it, cost no walk over
 * them. Rows are level with the set by now.
 */
static void
remake_parents (SpindlePanel *self)
{
  g_autoptr(GPtrArray) parents = spindle_worker_monitor_take_new_parents (self->monitor);

  for (guint i = 0; i < parents->len; i++)
    {
      SpindleWorker *worker = g_ptr_array_index (parents, i);
      g_autoptr(GtkTreeListRow) row = NULL;
      guint position;

      if (!g_list_store_find (self->rows, worker, &position))
        continue;

      row = gtk_tree_list_model_get_child_row (self->tree, position);
      if (row != NULL && !gtk_tree_list_row_is_expandable (row))
        remake_row (self, position, worker);
    }
}

void
_spindle_panel_notify_host (SpindlePanel *self)
{
  if (self->update_func != NULL)
    self->update_func (self->update_data);
}

static void
update_now (SpindlePanel *self)
{
  g_clear_handle_id (&self->update_id, g_source_remove);
  if (self->rows == NULL)
    return;

  self->updating = TRUE;

  sync_rows (self);
  self->rows_direct = 0;
  spindle_worker_monitor_flush (self->monitor);
  remake_parents (self);

  /* The filter and sort models do not watch states: tell them, but only
   * when a state changed; a sort by name or TID ignores it anyway.
   */
  if (self->states_dirty)
    {
      self->states_dirty = FALSE;
      _spindle_panel_refilter (self);
      _spindle_panel_resort (self);
    }

  _spindle_panel_update_shown (self);
  _spindle_panel_update_actions (self);
  _spindle_panel_notify_host (self);

  self->updating = FALSE;
}

static void
on_monitor_changed (SpindlePanel *self)
{
  queue_update (self);
}

/* Keep finished workers, or not *********************************************/

static gboolean
remove_ended (gpointer data)
{
  SpindlePanel *self = data;

  self->remove_ended_id = 0;

  for (guint i = 0; i < self->ended->len; i++)
    spindle_worker_set_remove (self->set, g_ptr_array_index (self->ended, i));
  g_ptr_array_set_size (self->ended, 0);

  return G_SOURCE_REMOVE;
}

/* Removed from an idle: the engine is still emitting for this worker.
 * Only the application's settings say not to keep them: an embedded panel
 * leaves the program's set alone. A top-level worker goes with its
 * children, once the last of them is over too (the set keeps a parent
 * given up while a child lives): a child's end tries its ancestor again.
 */
static void
on_worker_ended (SpindlePanel  *self,
                 SpindleWorker *worker)
{
  queue_update (self);

  if (self->keep_finished)
    return;

  while (spindle_worker_get_parent (worker) != NULL)
    worker = spindle_worker_get_parent (worker);
  if (!spindle_worker_is_terminal (worker))
    return;

  g_ptr_array_add (self->ended, g_object_ref (worker));
  if (self->remove_ended_id == 0)
    self->remove_ended_id = g_idle_add (remove_ended, self);
}

/* The set's workers as rows *************************************************/

/* A row with a children model costs the tree list model a node, a
 * connection and a walk on every change, and ten thousand workers rarely
 * have a child: a top-level worker without children gets none, and its row
 * is made again once it has one (see remake_parents ()). Children keep
 * theirs: they are few, and their rows are not the panel's to remake.
 */
static GListModel *
create_children_model (gpointer item,
                       gpointer user_data)
{
  GListModel *children = spindle_worker_get_children (item);

  if (spindle_worker_get_parent (item) == NULL && g_list_model_get_n_items (children) == 0)
    return NULL;

  return g_object_ref (children);
}

/* The monitor, the rows level with the set and the tree the list shows,
 * as the panel attaches a set.
 */
void
_spindle_panel_attach_rows (SpindlePanel *self)
{
  /* first: the monitor counts a worker before the list shows it */
  self->monitor = spindle_worker_monitor_new (self->set);
  g_signal_connect_object (self->monitor, "worker-changed", G_CALLBACK (on_worker_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_monitor_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->monitor, "worker-ended", G_CALLBACK (on_worker_ended),
                           self, G_CONNECT_SWAPPED);

  self->rows = g_list_store_new (SPINDLE_TYPE_WORKER);
  g_signal_connect_object (self->set, "items-changed", G_CALLBACK (on_set_items_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->set, "notify::n-live", G_CALLBACK (queue_update),
                           self, G_CONNECT_SWAPPED);
  /* the actions on workers: see _spindle_panel_get_enabled_actions () */
  g_signal_connect_object (self->set, "notify::remote-gone", G_CALLBACK (queue_update),
                           self, G_CONNECT_SWAPPED);
  on_set_items_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->set)),
                        G_LIST_MODEL (self->set));
  sync_rows (self);

  self->tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)), FALSE, TRUE,
                                        create_children_model, NULL, NULL);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (self->tree));
}

/* Applies pending changes to the list now, instead of before the next frame. */
void
_spindle_panel_flush (SpindlePanel *self)
{
  update_now (self);
}
