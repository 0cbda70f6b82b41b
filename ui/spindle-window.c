/* spindle-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-clock.h"
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
update_page (SpindleWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->rows)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

/* Once per frame ************************************************************/

/* The panel folds the set's signals into one update before the next
 * redraw (see spindle-panel.c) and calls this at its end: the title's
 * counts, the page, the header's actions and the shutdown banner change
 * in the same frame as the list.
 */
static void
on_panel_updated (gpointer data)
{
  SpindleWindow *self = data;

  self->monitor = self->panel->monitor;
  self->rows = self->panel->rows;
  if (self->monitor == NULL)
    return;

  update_subtitle (self);
  update_page (self);
  _spindle_window_update_actions (self);
  _spindle_window_update_shutdown (self);
}

/* Settings ******************************************************************/

static void
load_settings (SpindleWindow *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  /* keep-finished, the columns and the sort are the panel's */
  _spindle_panel_set_settings (self->panel, self->settings);

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

/* Mapped *******************************************************************/

/* The window ticks its panel while it shows, list or not, as it did when
 * the list was its own. Before each frame the panel applies an update
 * still queued (see _spindle_panel_before_paint ()): connected as the
 * window maps, ahead of any handler connected later, so that every frame,
 * from the first, shows counts that hold.
 */
static void
on_before_paint (SpindleWindow *self)
{
  _spindle_panel_before_paint (self->panel);
}

static void
spindle_window_map (GtkWidget *widget)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);

  GTK_WIDGET_CLASS (spindle_window_parent_class)->map (widget);

  spindle_clock_hold (spindle_clock_get_default ());
  self->tick_id = g_signal_connect_swapped (spindle_clock_get_default (), "tick",
                                            G_CALLBACK (_spindle_panel_tick), self->panel);
  self->before_paint_id = g_signal_connect_swapped (gtk_widget_get_frame_clock (widget), "before-paint",
                                                    G_CALLBACK (on_before_paint), self);
}

static void
spindle_window_unmap (GtkWidget *widget)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);

  g_clear_signal_handler (&self->tick_id, spindle_clock_get_default ());
  g_clear_signal_handler (&self->before_paint_id, gtk_widget_get_frame_clock (widget));
  spindle_clock_release (spindle_clock_get_default ());

  GTK_WIDGET_CLASS (spindle_window_parent_class)->unmap (widget);
}

/* GObject *******************************************************************/

/* The window's show-finished, show-details and sampler are the panel's. */
static void
on_panel_notify (SpindleWindow *self,
                 GParamSpec    *pspec)
{
  g_object_notify (G_OBJECT (self), pspec->name);
}

static void
spindle_window_constructed (GObject *object)
{
  SpindleWindow *self = SPINDLE_WINDOW (object);

  G_OBJECT_CLASS (spindle_window_parent_class)->constructed (object);

  g_assert (SPINDLE_IS_WORKER_SET (self->set));
  _spindle_window_init_remote (self);

  spindle_panel_set_set (self->panel, self->set);
  on_panel_updated (self);
}

static void
spindle_window_dispose (GObject *object)
{
  SpindleWindow *self = SPINDLE_WINDOW (object);

  _spindle_window_dispose_spawning (self);
  g_clear_pointer (&self->dialog, gtk_window_destroy);
  if (self->panel != NULL)
    {
      _spindle_panel_set_update_func (self->panel, NULL, NULL);
      g_signal_handlers_disconnect_by_data (self->panel, self);
    }
  self->monitor = NULL;
  self->rows = NULL;
  self->column_view = NULL;
  self->filter_model = NULL;
  self->details = NULL;
  self->shown_label = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_WINDOW);

  g_clear_object (&self->settings);
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

    /* asked for while the template builds, before the panel is there */
    case PROP_SHOW_FINISHED:
      g_value_set_boolean (value, self->panel == NULL || _spindle_panel_get_show_finished (self->panel));
      break;

    case PROP_SHOW_DETAILS:
      g_value_set_boolean (value, self->panel == NULL || _spindle_panel_get_show_details (self->panel));
      break;

    case PROP_SAMPLER:
      g_value_set_object (value, self->panel ? _spindle_panel_get_sampler (self->panel) : NULL);
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

  g_type_ensure (SPINDLE_TYPE_PANEL);
  g_type_ensure (SPINDLE_TYPE_ADD_POPOVER);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, add_popover);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, panel);
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
  _spindle_window_init_spawning (self);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->column_view = self->panel->column_view;
  self->filter_model = self->panel->filter_model;
  self->details = self->panel->details;
  self->shown_label = self->panel->shown_label;
  _spindle_panel_set_update_func (self->panel, on_panel_updated, self);
  _spindle_panel_set_host_ticks (self->panel, TRUE);
  _spindle_panel_set_key_capture (self->panel, GTK_WIDGET (self));
  g_object_bind_property (self->panel->search_bar, "search-mode-enabled",
                          self->search_button, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_signal_connect_object (self->panel, "notify::show-finished", G_CALLBACK (on_panel_notify),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->panel, "notify::show-details", G_CALLBACK (on_panel_notify),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->panel, "notify::sampler", G_CALLBACK (on_panel_notify),
                           self, G_CONNECT_SWAPPED);

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

  return _spindle_panel_get_show_finished (self->panel);
}

void
spindle_window_set_show_finished (SpindleWindow *self,
                                  gboolean       show_finished)
{
  g_return_if_fail (SPINDLE_IS_WINDOW (self));

  _spindle_panel_set_show_finished (self->panel, show_finished);
}

void
_spindle_window_set_show_details (SpindleWindow *self,
                                  gboolean       show_details)
{
  _spindle_panel_set_show_details (self->panel, show_details);
}

/* Applies pending changes to the list now, instead of before the next frame. */
void
spindle_window_flush (SpindleWindow *self)
{
  g_return_if_fail (SPINDLE_IS_WINDOW (self));

  _spindle_panel_flush (self->panel);
}

/* The window's sampler: it reads /proc for the rows on screen and the
 * selected worker, on the clock's ticks while the window is mapped.
 */
SpindleSampler *
spindle_window_get_sampler (SpindleWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), NULL);

  return _spindle_panel_get_sampler (self->panel);
}

/* The workers whose cells are on screen in this window, as the cells
 * report them; the sampler reads /proc for these and the selected one.
 */
SpindleShownWorkers *
spindle_window_get_shown_workers (SpindleWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), NULL);

  return _spindle_panel_get_shown_workers (self->panel);
}

SpindleWorker *
_spindle_window_get_selected_worker (SpindleWindow *self)
{
  return _spindle_panel_dup_selected (self->panel);
}

/* One tick of the panel's sampler, now (for tests). */
void
_spindle_window_sample (SpindleWindow *self)
{
  /* the sample may deliver an event that closes the window */
  g_autoptr(SpindlePanel) panel = g_object_ref (self->panel);

  _spindle_panel_sample (panel);
}

/* The text a widget's tooltip would show now, or NULL (for tests). */
char *
_spindle_window_query_tooltip (GtkWidget *widget)
{
  return _spindle_panel_query_tooltip (widget);
}

