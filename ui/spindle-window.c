/* spindle-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-clock.h"
#include "spindle-elapsed-label.h"
#include "spindle-timeline.h"
#include "spindle-window-private.h"
#include "spindle-window-remote.h"

G_DEFINE_FINAL_TYPE (SpindleWindow, spindle_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SET,
  PROP_SHOW_FINISHED,
  PROP_SHOW_DETAILS,
  PROP_SAMPLER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Title and pages ***********************************************************/

static guint
count_states (SpindleWindow      *self,
              SpindleWorkerState  first,
              SpindleWorkerState  last)
{
  guint n = 0;

  for (SpindleWorkerState state = first; state <= last; state++)
    n += spindle_worker_monitor_get_n_in_state (self->monitor, state);

  return n;
}

static void
update_subtitle (SpindleWindow *self)
{
  guint running = count_states (self, SPINDLE_WORKER_STATE_STARTING, SPINDLE_WORKER_STATE_RUNNING);
  guint stopping = count_states (self, SPINDLE_WORKER_STATE_STOPPING, SPINDLE_WORKER_STATE_CLEANING);
  guint finished = count_states (self, SPINDLE_WORKER_STATE_FINISHED, SPINDLE_WORKER_STATE_ABANDONED);
  guint unresponsive = spindle_worker_monitor_get_n_unresponsive (self->monitor);
  g_autofree char *text = NULL;

  /* an unresponsive worker is still "cancelling", but it is not stopping:
   * nothing will stop it
   */
  stopping -= MIN (stopping, unresponsive);

  if (spindle_worker_monitor_get_n_total (self->monitor) == 0)
    text = g_strdup (self->spawn_requested > 0 ? _("Starting workers…") : _("No workers"));
  else if (unresponsive > 0)
    /* Translators: the counts of workers in the title bar */
    text = g_strdup_printf (_("%u running · %u stopping · %u unresponsive · %u finished"),
                            running, stopping, unresponsive, finished);
  else
    /* Translators: the counts of workers in the title bar */
    text = g_strdup_printf (_("%u running · %u stopping · %u finished"), running, stopping, finished);

  if (self->spawn_requested > 0 && running + stopping + finished > 0)
    {
      g_autofree char *counts = g_steal_pointer (&text);

      /* Translators: the counts of workers, then how many of those asked
       * for have started, while they start
       */
      text = g_strdup_printf (_("%s · started %u of %u"), counts, self->spawn_started, self->spawn_requested);
    }

  gtk_label_set_label (self->subtitle_label, text);
}

static void
update_shown (SpindleWindow *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint total = spindle_worker_monitor_get_n_total (self->monitor);
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers", total), total);
  else
    text = g_strdup_printf (_("%u of %u workers shown"), shown, total);

  gtk_label_set_label (self->shown_label, text);
}

static void
update_page (SpindleWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->rows)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

/* Once per frame ************************************************************/

/* Counts, pages, the shutdown banner and the list itself follow the set's
 * signals (items-changed, notify::n-live, each worker's notify::state and
 * notify::unresponsive),
 * folded into one update that runs before the next redraw: GDK redraws at
 * G_PRIORITY_HIGH_IDLE + 20, so an idle at + 10 never waits behind a frame,
 * and every signal of one engine dispatch costs one update.
 *
 * The list does not watch the set directly: it shows self->rows, which the
 * update brings level with the set in one splice of the changed span, so
 * ten thousand spawns reach the list models as one change, not ten
 * thousand.
 */
#define UPDATE_PRIORITY (G_PRIORITY_HIGH_IDLE + 10)
#define DIRECT_CHANGES  8

static void update_now (SpindleWindow *self);

static gboolean
run_update (gpointer data)
{
  SpindleWindow *self = data;

  self->update_id = 0;
  update_now (self);

  return G_SOURCE_REMOVE;
}

static void
queue_update (SpindleWindow *self)
{
  /* disposed: workers may still notify until the window is finalized */
  if (self->rows == NULL)
    return;

  if (self->update_id == 0 && !self->updating)
    self->update_id = g_idle_add_full (UPDATE_PRIORITY, run_update, self, NULL);
}

static void
sync_rows (SpindleWindow *self)
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
 */
static void
on_worker_changed (SpindleWindow *self,
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
on_set_items_changed (SpindleWindow *self,
                      guint          position,
                      guint          removed,
                      guint          added,
                      GListModel    *set)
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
  if (!self->rows_dirty && self->rows_direct < DIRECT_CHANGES && self->spawn_id == 0)
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

static void
update_now (SpindleWindow *self)
{
  g_clear_handle_id (&self->update_id, g_source_remove);
  if (self->rows == NULL)
    return;

  self->updating = TRUE;

  sync_rows (self);
  self->rows_direct = 0;
  spindle_worker_monitor_flush (self->monitor);

  /* The filter and sort models do not watch states: tell them, but only
   * when a state changed; a sort by name or TID ignores it anyway.
   */
  if (self->states_dirty)
    {
      self->states_dirty = FALSE;
      _spindle_window_refilter (self);
      _spindle_window_resort (self);
    }

  update_subtitle (self);
  update_shown (self);
  update_page (self);
  _spindle_window_update_actions (self);
  _spindle_window_update_shutdown (self);

  self->updating = FALSE;
}

static void
on_monitor_changed (SpindleWindow *self)
{
  queue_update (self);
}

static void
on_filter_items_changed (SpindleWindow *self)
{
  update_shown (self);
}

/* Keep finished workers, or not *********************************************/

static gboolean
remove_ended (gpointer data)
{
  SpindleWindow *self = data;

  self->remove_ended_id = 0;

  for (guint i = 0; i < self->ended->len; i++)
    spindle_worker_set_remove (self->set, g_ptr_array_index (self->ended, i));
  g_ptr_array_set_size (self->ended, 0);

  return G_SOURCE_REMOVE;
}

/* Removed from an idle: the engine is still emitting for this worker. */
static void
on_worker_ended (SpindleWindow *self,
                 SpindleWorker *worker)
{
  queue_update (self);

  if (self->keep_finished || spindle_worker_get_parent (worker) != NULL)
    return;

  g_ptr_array_add (self->ended, g_object_ref (worker));
  if (self->remove_ended_id == 0)
    self->remove_ended_id = g_idle_add (remove_ended, self);
}

/* Settings ******************************************************************/

static void
on_settings_changed (SpindleWindow *self,
                     const char    *key,
                     GSettings     *settings)
{
  if (g_str_equal (key, "keep-finished"))
    {
      self->keep_finished = g_settings_get_boolean (settings, key);
      if (!self->keep_finished)
        spindle_worker_set_clear_finished (self->set);
    }
}

static void
load_settings (SpindleWindow *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed),
                           self, G_CONNECT_SWAPPED);

  self->keep_finished = g_settings_get_boolean (self->settings, "keep-finished");

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (SpindleWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
on_close_request (SpindleWindow *self)
{
  /* closing a window over another program leaves its workers alone */
  if (!spindle_worker_set_is_remote (self->set) && _spindle_window_close_request (self))
    return TRUE;

  save_window_state (self);
  return FALSE;
}

/* Live ticks ****************************************************************/

static void
on_tick (SpindleWindow *self)
{
  guint live = spindle_worker_monitor_get_n_live (self->monitor);

  _spindle_window_sample (self);

  /* Live times all grow alike: only against ended ones can the order change. */
  if (live > 0 && live < spindle_worker_monitor_get_n_total (self->monitor))
    gtk_sorter_changed (GTK_SORTER (self->elapsed_sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
spindle_window_map (GtkWidget *widget)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);
  SpindleClock *clock = spindle_clock_get_default ();

  GTK_WIDGET_CLASS (spindle_window_parent_class)->map (widget);

  spindle_clock_hold (clock);
  self->tick_id = g_signal_connect_swapped (clock, "tick", G_CALLBACK (on_tick), self);
  self->before_paint_id = g_signal_connect_swapped (gtk_widget_get_frame_clock (widget), "before-paint",
                                                    G_CALLBACK (_spindle_window_check_held), self);
}

static void
spindle_window_unmap (GtkWidget *widget)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);
  SpindleClock *clock = spindle_clock_get_default ();

  g_clear_signal_handler (&self->tick_id, clock);
  g_clear_signal_handler (&self->before_paint_id, gtk_widget_get_frame_clock (widget));
  spindle_clock_release (clock);

  GTK_WIDGET_CLASS (spindle_window_parent_class)->unmap (widget);
}

/* GObject *******************************************************************/

static GListModel *
create_children_model (gpointer item,
                       gpointer user_data)
{
  return g_object_ref (spindle_worker_get_children (item));
}

static void
spindle_window_constructed (GObject *object)
{
  SpindleWindow *self = SPINDLE_WINDOW (object);

  G_OBJECT_CLASS (spindle_window_parent_class)->constructed (object);

  g_assert (SPINDLE_IS_WORKER_SET (self->set));
  _spindle_window_init_remote (self);

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
  on_set_items_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->set)),
                        G_LIST_MODEL (self->set));
  sync_rows (self);

  self->tree = gtk_tree_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)), FALSE, TRUE,
                                        create_children_model, NULL, NULL);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (self->tree));
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (on_filter_items_changed), self, G_CONNECT_SWAPPED);

  _spindle_window_init_sampling (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);

  update_now (self);
}

static void
spindle_window_dispose (GObject *object)
{
  SpindleWindow *self = SPINDLE_WINDOW (object);

  _spindle_window_dispose_spawning (self);
  g_clear_handle_id (&self->remove_ended_id, g_source_remove);
  g_clear_handle_id (&self->update_id, g_source_remove);
  g_clear_pointer (&self->dialog, gtk_window_destroy);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->set != NULL)
    g_signal_handlers_disconnect_by_data (self->set, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_WINDOW);

  _spindle_window_dispose_sampling (self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->tree);
  g_clear_object (&self->rows);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->ended, g_ptr_array_unref);
  g_clear_object (&self->set);

  G_OBJECT_CLASS (spindle_window_parent_class)->dispose (object);
}

static void
spindle_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SpindleWindow *self = SPINDLE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SET:
      g_value_set_object (value, self->set);
      break;

    case PROP_SHOW_FINISHED:
      g_value_set_boolean (value, self->show_finished);
      break;

    case PROP_SHOW_DETAILS:
      g_value_set_boolean (value, self->show_details);
      break;

    case PROP_SAMPLER:
      g_value_set_object (value, self->sampler);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  SpindleWindow *self = SPINDLE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SET:
      self->set = g_value_dup_object (value);
      break;

    case PROP_SHOW_FINISHED:
      spindle_window_set_show_finished (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_DETAILS:
      _spindle_window_set_show_details (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_window_class_init (SpindleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = spindle_window_constructed;
  object_class->dispose = spindle_window_dispose;
  object_class->get_property = spindle_window_get_property;
  object_class->set_property = spindle_window_set_property;

  widget_class->map = spindle_window_map;
  widget_class->unmap = spindle_window_unmap;

  properties[PROP_SET] =
    g_param_spec_object ("set", NULL, NULL, SPINDLE_TYPE_WORKER_SET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_FINISHED] =
    g_param_spec_boolean ("show-finished", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* the side pane; a narrow window hides it until asked */
  properties[PROP_SHOW_DETAILS] =
    g_param_spec_boolean ("show-details", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SAMPLER] =
    g_param_spec_object ("sampler", NULL, NULL, SPINDLE_TYPE_SAMPLER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPINDLE_TYPE_WORKER);
  g_type_ensure (SPINDLE_TYPE_SAMPLER);
  g_type_ensure (SPINDLE_TYPE_TIMELINE);
  g_type_ensure (SPINDLE_TYPE_THREAD_LIST);
  g_type_ensure (SPINDLE_TYPE_ADD_POPOVER);
  g_type_ensure (SPINDLE_TYPE_ELAPSED_LABEL);
  g_type_ensure (SPINDLE_TYPE_WORKER_DETAILS);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, add_popover);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, selection);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, filter_model);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, finished_filter);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, search_filter);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, elapsed_sorter);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, cpu_sorter);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, kernel_sorter);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, shown_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, thread_list);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, details);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, shutdown_revealer);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, shutdown_spinner);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, shutdown_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, shutdown_progress);
  gtk_widget_class_bind_template_callback (widget_class, on_close_request);

  _spindle_window_class_init_columns (widget_class);
  _spindle_window_class_init_actions (widget_class);
}

static void
spindle_window_init (SpindleWindow *self)
{
  self->show_finished = TRUE;
  self->show_details = TRUE;
  self->ended = g_ptr_array_new_with_free_func (g_object_unref);
  _spindle_window_init_spawning (self);

  gtk_widget_init_template (GTK_WIDGET (self));
  load_settings (self);
  _spindle_window_init_columns (self);
}

SpindleWindow *
spindle_window_new (GtkApplication   *application,
                    SpindleWorkerSet *set)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);

  return g_object_new (SPINDLE_TYPE_WINDOW,
                       "application", application,
                       "set", set,
                       NULL);
}

gboolean
spindle_window_get_show_finished (SpindleWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), FALSE);

  return self->show_finished;
}

void
spindle_window_set_show_finished (SpindleWindow *self,
                                  gboolean       show_finished)
{
  g_return_if_fail (SPINDLE_IS_WINDOW (self));

  show_finished = !!show_finished;
  if (self->show_finished == show_finished)
    return;

  self->show_finished = show_finished;
  gtk_filter_changed (GTK_FILTER (self->finished_filter),
                      show_finished ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_MORE_STRICT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_FINISHED]);
}

void
_spindle_window_set_show_details (SpindleWindow *self,
                                  gboolean       show_details)
{
  show_details = !!show_details;
  if (self->show_details == show_details)
    return;

  self->show_details = show_details;
  if (self->details != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->details), show_details);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_DETAILS]);
}

/* Applies pending changes to the list now, instead of before the next frame. */
void
spindle_window_flush (SpindleWindow *self)
{
  g_return_if_fail (SPINDLE_IS_WINDOW (self));

  update_now (self);
}

/* The window's sampler: it reads /proc for the rows on screen and the
 * selected worker, on the clock's ticks while the window is mapped.
 */
SpindleSampler *
spindle_window_get_sampler (SpindleWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), NULL);

  return self->sampler;
}

/* The workers whose cells are on screen in this window, as the cells
 * report them; the sampler reads /proc for these and the selected one.
 */
SpindleShownWorkers *
spindle_window_get_shown_workers (SpindleWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), NULL);

  return self->shown;
}

SpindleWorker *
_spindle_window_get_selected_worker (SpindleWindow *self)
{
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->selection);

  return row ? gtk_tree_list_row_get_item (row) : NULL;
}

