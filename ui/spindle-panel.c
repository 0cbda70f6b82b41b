/* spindle-panel.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-panel"

#include "config.h"

#include "spindle-clock.h"
#include "spindle-elapsed-label.h"
#include "spindle-gtk-private.h"
#include "spindle-panel-private.h"
#include "spindle-timeline.h"

/**
 * SpindlePanel:
 *
 * The thread list and side pane of Spindle's window, as a widget that any
 * GTK 4 program can show over its own [class@Spindle.WorkerSet]: a live
 * row per worker (children under their parents) with its state, elapsed
 * time, CPU, kernel state and cleanup, Stop and Force-Cancel buttons, a
 * search bar, and a side pane with the selected worker's details, cleanup
 * report, diagnosis and event log.
 *
 * The panel reads `/proc` only for the rows on screen and the selected
 * worker, and only while it is mapped. It never removes a worker from the
 * set: finished workers stay until the program removes them, or until
 * the user clears them with Clear Finished.
 */

G_DEFINE_FINAL_TYPE (SpindlePanel, spindle_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SET,
  PROP_SELECTED_WORKER,
  PROP_SHOW_FINISHED,
  PROP_SHOW_DETAILS,
  PROP_SAMPLER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Shown rows that are workers: a process worker's processes, rows of
 * the list when it is expanded, are none (the monitor counts them apart,
 * and tells them from workers in the rows that change).
 */
static guint
count_shown_workers (SpindlePanel *self)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);

  if (self->monitor == NULL)
    return g_list_model_get_n_items (model);

  return spindle_worker_monitor_count_shown_workers (self->monitor, model);
}

void
_spindle_panel_update_shown (SpindlePanel *self)
{
  guint shown = count_shown_workers (self);
  guint total = self->monitor ? spindle_worker_monitor_get_n_total (self->monitor) : 0;
  g_autofree char *text = NULL;

  if (shown == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers", total), total);
  else
    text = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "%u of %u workers shown"), shown, total);

  gtk_label_set_label (self->shown_label, text);
}

static void
on_filter_items_changed (SpindlePanel *self,
                         guint         position,
                         guint         removed,
                         guint         added,
                         GListModel   *model)
{
  if (self->monitor == NULL)
    return;

  spindle_worker_monitor_view_changed (self->monitor, model, position, removed, added);
  _spindle_panel_update_shown (self);
}

/* Settings ******************************************************************/

static void
on_settings_changed (SpindlePanel *self,
                     const char   *key,
                     GSettings    *settings)
{
  if (g_str_equal (key, "keep-finished"))
    {
      self->keep_finished = g_settings_get_boolean (settings, key);
      if (!self->keep_finished && self->set != NULL)
        spindle_worker_set_clear_finished (self->set);
    }
}

/* The application's settings (schema dev.spindle.Spindle): whether to
 * keep finished workers, the columns shown, their widths and the sort.
 * Without them the panel keeps its defaults and the user's choices in
 * memory: a program that embeds it need not install Spindle's schema.
 */
void
_spindle_panel_set_settings (SpindlePanel *self,
                             GSettings    *settings)
{
  g_return_if_fail (SPINDLE_IS_PANEL (self));
  g_return_if_fail (self->settings == NULL);

  if (settings == NULL)
    return;

  self->settings = g_object_ref (settings);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed),
                           self, G_CONNECT_SWAPPED);
  self->keep_finished = g_settings_get_boolean (self->settings, "keep-finished");
  _spindle_panel_load_columns (self);
}

/* Live ticks ****************************************************************/

/* A sampling tick, from the clock: the panel's own while it is mapped, or
 * its window's (see _spindle_panel_set_host_ticks ()).
 */
void
_spindle_panel_tick (SpindlePanel *self)
{
  g_autoptr(SpindlePanel) hold = NULL;
  guint live;

  if (self->set == NULL)
    return;

  /* the sample runs the handlers of worker events, and one may close the
   * panel's window (see _spindle_panel_sample ())
   */
  hold = g_object_ref (self);
  live = spindle_worker_monitor_get_n_live (self->monitor);
  _spindle_panel_sample (self);
  if (self->set == NULL)
    return;

  /* Live times all grow alike: only against ended ones can the order change. */
  if (live > 0 && live < spindle_worker_monitor_get_n_total (self->monitor))
    gtk_sorter_changed (GTK_SORTER (self->elapsed_sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
spindle_panel_map (GtkWidget *widget)
{
  SpindlePanel *self = SPINDLE_PANEL (widget);
  SpindleClock *clock = spindle_clock_get_default ();

  GTK_WIDGET_CLASS (spindle_panel_parent_class)->map (widget);

  if (self->host_ticks)
    return;

  spindle_clock_hold (clock);
  self->tick_id = g_signal_connect_swapped (clock, "tick", G_CALLBACK (_spindle_panel_tick), self);
  self->before_paint_id = g_signal_connect_swapped (gtk_widget_get_frame_clock (widget), "before-paint",
                                                    G_CALLBACK (_spindle_panel_before_paint), self);
}

static void
spindle_panel_unmap (GtkWidget *widget)
{
  SpindlePanel *self = SPINDLE_PANEL (widget);
  SpindleClock *clock = spindle_clock_get_default ();

  if (self->tick_id != 0)
    {
      g_clear_signal_handler (&self->tick_id, clock);
      g_clear_signal_handler (&self->before_paint_id, gtk_widget_get_frame_clock (widget));
      spindle_clock_release (clock);
    }

  GTK_WIDGET_CLASS (spindle_panel_parent_class)->unmap (widget);
}

/* Embedded in another program, on another display (GTK's inspector opens
 * its own), the panel brings its style sheet to its display itself.
 */
static void
spindle_panel_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (spindle_panel_parent_class)->realize (widget);

  _spindle_gtk_ensure_style (gtk_widget_get_display (widget));
}

/* Size **********************************************************************/

static void
spindle_panel_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  gtk_widget_measure (SPINDLE_PANEL (widget)->box, orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static gboolean
apply_own_width (gpointer data)
{
  SpindlePanel *self = data;

  self->own_width_id = 0;
  _spindle_panel_apply_columns (self);

  return G_SOURCE_REMOVE;
}

/* Without a width from its window (a panel embedded in another program),
 * the panel drops columns to fit its own width, so that the row buttons
 * stay in view. Not while it allocates: after.
 */
static void
spindle_panel_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  SpindlePanel *self = SPINDLE_PANEL (widget);

  gtk_widget_allocate (self->box, width, height, baseline, NULL);

  if (width != self->own_width && self->width_hint <= 0 && self->own_width_id == 0)
    self->own_width_id = g_idle_add (apply_own_width, self);
  self->own_width = width;
}

/* The set ***********************************************************************/

static void
attach_set (SpindlePanel *self)
{
  _spindle_panel_attach_rows (self);

  _spindle_panel_init_sampling (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);

  _spindle_panel_flush (self);
}

static void
detach_set (SpindlePanel *self)
{
  _spindle_panel_end_undo (self, TRUE);
  g_clear_handle_id (&self->remove_ended_id, g_source_remove);
  g_clear_handle_id (&self->update_id, g_source_remove);
  if (self->ended != NULL)
    g_ptr_array_set_size (self->ended, 0);
  if (self->set != NULL)
    g_signal_handlers_disconnect_by_data (self->set, self);

  if (self->filter_model != NULL)
    gtk_filter_list_model_set_model (self->filter_model, NULL);
  _spindle_panel_dispose_sampling (self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->tree);
  g_clear_object (&self->rows);
  self->rows_dirty = FALSE;
  self->states_dirty = FALSE;
  self->rows_direct = 0;
  g_clear_object (&self->set);
}

/* GObject *******************************************************************/

static void
on_selection_changed (SpindlePanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_WORKER]);
}

static void
spindle_panel_dispose (GObject *object)
{
  SpindlePanel *self = SPINDLE_PANEL (object);

  detach_set (self);
  g_clear_handle_id (&self->own_width_id, g_source_remove);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_PANEL);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->ended, g_ptr_array_unref);

  G_OBJECT_CLASS (spindle_panel_parent_class)->dispose (object);
}

static void
spindle_panel_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SpindlePanel *self = SPINDLE_PANEL (object);

  switch (prop_id)
    {
    case PROP_SET:
      g_value_set_object (value, self->set);
      break;

    case PROP_SELECTED_WORKER:
      g_value_set_object (value, spindle_panel_get_selected_worker (self));
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
spindle_panel_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SpindlePanel *self = SPINDLE_PANEL (object);

  switch (prop_id)
    {
    case PROP_SET:
      spindle_panel_set_set (self, g_value_get_object (value));
      break;

    case PROP_SHOW_FINISHED:
      _spindle_panel_set_show_finished (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_DETAILS:
      _spindle_panel_set_show_details (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_panel_class_init (SpindlePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_panel_dispose;
  object_class->get_property = spindle_panel_get_property;
  object_class->set_property = spindle_panel_set_property;

  widget_class->map = spindle_panel_map;
  widget_class->unmap = spindle_panel_unmap;
  widget_class->realize = spindle_panel_realize;
  widget_class->measure = spindle_panel_measure;
  widget_class->size_allocate = spindle_panel_size_allocate;

  /**
   * SpindlePanel:set:
   *
   * The worker set the panel shows, or %NULL.
   */
  properties[PROP_SET] =
    g_param_spec_object ("set", NULL, NULL, SPINDLE_TYPE_WORKER_SET,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindlePanel:selected-worker:
   *
   * The worker selected in the list, whose details the side pane shows,
   * or %NULL.
   */
  properties[PROP_SELECTED_WORKER] =
    g_param_spec_object ("selected-worker", NULL, NULL, SPINDLE_TYPE_WORKER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindlePanel:show-finished:
   *
   * Whether workers that have ended are listed.
   */
  properties[PROP_SHOW_FINISHED] =
    g_param_spec_boolean ("show-finished", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindlePanel:show-details:
   *
   * Whether the side pane with the selected worker's details shows.
   */
  properties[PROP_SHOW_DETAILS] =
    g_param_spec_boolean ("show-details", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindlePanel:sampler:
   *
   * What reads CPU clocks and `/proc` for the rows on screen and the
   * selected worker, on the panel's ticks; %NULL without a set.
   */
  properties[PROP_SAMPLER] =
    g_param_spec_object ("sampler", NULL, NULL, SPINDLE_TYPE_SAMPLER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPINDLE_TYPE_WORKER);
  g_type_ensure (SPINDLE_TYPE_SAMPLER);
  g_type_ensure (SPINDLE_TYPE_TIMELINE);
  g_type_ensure (SPINDLE_TYPE_THREAD_LIST);
  g_type_ensure (SPINDLE_TYPE_ELAPSED_LABEL);
  g_type_ensure (SPINDLE_TYPE_WORKER_DETAILS);

  gtk_widget_class_set_css_name (widget_class, "spindlepanel");
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, box);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, search_bar);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, column_view);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, selection);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, filter_model);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, finished_filter);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, search_filter);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, elapsed_sorter);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, cpu_sorter);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, kernel_sorter);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, shown_label);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, thread_list);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, details);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, paned);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, list_scroller);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, no_match_page);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, undo_revealer);
  gtk_widget_class_bind_template_child (widget_class, SpindlePanel, undo_label);

  _spindle_panel_class_init_columns (widget_class);
  _spindle_panel_class_init_actions (widget_class);
}

static void
spindle_panel_init (SpindlePanel *self)
{
  self->show_finished = TRUE;
  self->show_details = TRUE;
  self->keep_finished = TRUE;
  self->ended = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (on_filter_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  _spindle_panel_init_columns (self);
}

/* Public API ****************************************************************/

/**
 * spindle_panel_new:
 * @set: (nullable): the worker set to show
 *
 * Creates a panel that lists the workers of @set, live, with their
 * details in a side pane.
 *
 * Returns: (transfer floating): a new #SpindlePanel
 */
GtkWidget *
spindle_panel_new (SpindleWorkerSet *set)
{
  g_return_val_if_fail (set == NULL || SPINDLE_IS_WORKER_SET (set), NULL);

  return g_object_new (SPINDLE_TYPE_PANEL, "set", set, NULL);
}

/**
 * spindle_panel_get_set:
 * @self: a #SpindlePanel
 *
 * Returns: (transfer none) (nullable): the worker set the panel shows
 */
SpindleWorkerSet *
spindle_panel_get_set (SpindlePanel *self)
{
  g_return_val_if_fail (SPINDLE_IS_PANEL (self), NULL);

  return self->set;
}

/**
 * spindle_panel_set_set:
 * @self: a #SpindlePanel
 * @set: (nullable): the worker set to show
 *
 * Shows @set in place of the set shown until now. The set must belong to
 * the thread that runs GTK's main loop (the thread that created it).
 */
void
spindle_panel_set_set (SpindlePanel     *self,
                       SpindleWorkerSet *set)
{
  g_return_if_fail (SPINDLE_IS_PANEL (self));
  g_return_if_fail (set == NULL || SPINDLE_IS_WORKER_SET (set));

  if (self->set == set)
    return;

  detach_set (self);
  if (set != NULL)
    {
      self->set = g_object_ref (set);
      attach_set (self);
    }
  else
    {
      _spindle_panel_update_shown (self);
      _spindle_panel_update_actions (self);
      _spindle_panel_notify_host (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SET]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
}

/**
 * spindle_panel_get_selected_worker:
 * @self: a #SpindlePanel
 *
 * Returns: (transfer none) (nullable): the worker selected in the list
 */
SpindleWorker *
spindle_panel_get_selected_worker (SpindlePanel *self)
{
  SpindleWorker *worker;

  g_return_val_if_fail (SPINDLE_IS_PANEL (self), NULL);

  /* the row holds the worker, and the set holds it too */
  worker = _spindle_panel_dup_selected (self);
  if (worker != NULL)
    g_object_unref (worker);

  return worker;
}

/* Private API ***************************************************************/

SpindleWorker *
_spindle_panel_dup_selected (SpindlePanel *self)
{
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->selection);

  return row ? gtk_tree_list_row_get_item (row) : NULL;
}

void
_spindle_panel_set_update_func (SpindlePanel           *self,
                                SpindlePanelUpdateFunc  func,
                                gpointer                user_data)
{
  self->update_func = func;
  self->update_data = user_data;
}

/* While a window starts workers in batches, every change to the set waits
 * for the update: see on_set_items_changed () in -update.c.
 */
void
_spindle_panel_set_batching (SpindlePanel *self,
                             gboolean      batching)
{
  self->batching = !!batching;
}

void
_spindle_panel_set_width_hint (SpindlePanel *self,
                               int           width)
{
  self->width_hint = width;
  _spindle_panel_apply_columns (self);
}

/* The application's window ticks the panel while the window is mapped,
 * list shown or not, ahead of any other frame handler; see
 * spindle-window.c. Set before the panel maps.
 */
void
_spindle_panel_set_host_ticks (SpindlePanel *self,
                               gboolean      host_ticks)
{
  g_return_if_fail (!gtk_widget_get_mapped (GTK_WIDGET (self)));

  self->host_ticks = !!host_ticks;
}

/* The search bar starts when the user types in @widget. */
void
_spindle_panel_set_key_capture (SpindlePanel *self,
                                GtkWidget    *widget)
{
  gtk_search_bar_set_key_capture_widget (self->search_bar, widget);
}

gboolean
_spindle_panel_get_show_finished (SpindlePanel *self)
{
  return self->show_finished;
}

void
_spindle_panel_set_show_finished (SpindlePanel *self,
                                  gboolean      show_finished)
{
  show_finished = !!show_finished;
  if (self->show_finished == show_finished)
    return;

  self->show_finished = show_finished;
  gtk_filter_changed (GTK_FILTER (self->finished_filter),
                      show_finished ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_MORE_STRICT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_FINISHED]);
}

gboolean
_spindle_panel_get_show_details (SpindlePanel *self)
{
  return self->show_details;
}

void
_spindle_panel_set_show_details (SpindlePanel *self,
                                 gboolean      show_details)
{
  show_details = !!show_details;
  if (self->show_details == show_details)
    return;

  self->show_details = show_details;
  if (self->details != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->details), show_details);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_DETAILS]);
}

SpindleSampler *
_spindle_panel_get_sampler (SpindlePanel *self)
{
  return self->sampler;
}

/* The workers whose cells are on screen in this panel, as the cells
 * report them; the sampler reads /proc for these and the selected one.
 */
SpindleShownWorkers *
_spindle_panel_get_shown_workers (SpindlePanel *self)
{
  g_return_val_if_fail (SPINDLE_IS_PANEL (self), NULL);

  return self->shown;
}
