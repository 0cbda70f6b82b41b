/* spindle-elapsed-label.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-clock.h"
#include "spindle-elapsed-label.h"
#include "spindle-format.h"
#include "spindle-panel-private.h"

struct _SpindleElapsedLabel
{
  GtkWidget            parent_instance;

  GtkInscription      *text;
  SpindleWorker       *worker;
  GSignalGroup        *worker_signals;
  gulong               tick_id;
  gboolean             report_shown;

  /* what this label reported as on screen, and where */
  SpindleShownWorkers *shown;
  SpindleWorker       *shown_worker;
};

G_DEFINE_FINAL_TYPE (SpindleElapsedLabel, spindle_elapsed_label, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKER,
  PROP_REPORT_SHOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A GtkInscription, not a GtkLabel: a label's new text asks for a new
 * size, and with it a layout of the whole window on every tick for every
 * row on screen (GTK 4.8 on X11 then asks the X server for the work area,
 * a round trip each time). An inscription's width is set by a count of
 * characters (of the font's digit width, measured once per font), so a new
 * text only redraws it. Its accessible label follows the text, which does
 * not resize either.
 */
static void
set_text (SpindleElapsedLabel *self,
          const char          *text)
{
  if (g_strcmp0 (gtk_inscription_get_text (self->text), text) == 0)
    return;

  gtk_inscription_set_text (self->text, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->text),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

static void
spindle_elapsed_label_update (SpindleElapsedLabel *self)
{
  g_autofree char *text = NULL;
  gint64 now;

  if (self->worker == NULL)
    {
      set_text (self, "");
      return;
    }

  now = spindle_clock_get_now (spindle_clock_get_default ());
  text = spindle_format_elapsed (spindle_worker_get_elapsed (self->worker, now));
  set_text (self, text);
}

static void
on_tick (SpindleClock        *clock,
         gint64               now,
         SpindleElapsedLabel *self)
{
  spindle_elapsed_label_update (self);
}

/* Connected to the clock exactly while mapped with a live worker. */
static void
spindle_elapsed_label_sync_ticks (SpindleElapsedLabel *self)
{
  spindle_clock_follow (spindle_clock_get_default (), &self->tick_id,
                        self->worker != NULL &&
                        !spindle_worker_is_terminal (self->worker) &&
                        gtk_widget_get_mapped (GTK_WIDGET (self)),
                        G_CALLBACK (on_tick), self);
}

/* With "report-shown", as the list's cells have it, a mapped label counts
 * its worker in its panel's SpindleShownWorkers: the rows on screen, which
 * the panel reads /proc for. It finds the panel as an ancestor when it
 * needs it instead of being handed the registry in a property, because the
 * cells come from builder templates that cannot reach the panel. It keeps
 * the registry it showed its worker in until it has hidden it there again.
 */
static SpindleShownWorkers *
find_shown_workers (SpindleElapsedLabel *self)
{
  GtkWidget *panel = gtk_widget_get_ancestor (GTK_WIDGET (self), SPINDLE_TYPE_PANEL);

  return panel ? _spindle_panel_get_shown_workers (SPINDLE_PANEL (panel)) : NULL;
}

static void
spindle_elapsed_label_sync_shown (SpindleElapsedLabel *self)
{
  gboolean shows = self->report_shown && gtk_widget_get_mapped (GTK_WIDGET (self));
  SpindleWorker *worker = shows ? self->worker : NULL;
  SpindleShownWorkers *shown;

  if (worker == self->shown_worker)
    return;

  if (self->shown_worker != NULL)
    {
      spindle_shown_workers_hide (self->shown, self->shown_worker);
      g_clear_object (&self->shown_worker);
      g_clear_object (&self->shown);
    }

  if (worker != NULL && (shown = find_shown_workers (self)) != NULL)
    {
      self->shown = g_object_ref (shown);
      self->shown_worker = g_object_ref (worker);
      spindle_shown_workers_show (shown, worker);
    }
}

static void
on_state (SpindleWorker       *worker,
          GParamSpec          *pspec,
          SpindleElapsedLabel *self)
{
  spindle_elapsed_label_update (self);
  spindle_elapsed_label_sync_ticks (self);
}

static void
spindle_elapsed_label_map (GtkWidget *widget)
{
  SpindleElapsedLabel *self = SPINDLE_ELAPSED_LABEL (widget);

  GTK_WIDGET_CLASS (spindle_elapsed_label_parent_class)->map (widget);

  /* Time went on while it was out of view. A new text only redraws it,
   * so it may change here, while the list allocates the row it maps.
   */
  spindle_elapsed_label_update (self);
  spindle_elapsed_label_sync_ticks (self);
  spindle_elapsed_label_sync_shown (self);
}

static void
spindle_elapsed_label_unmap (GtkWidget *widget)
{
  SpindleElapsedLabel *self = SPINDLE_ELAPSED_LABEL (widget);

  GTK_WIDGET_CLASS (spindle_elapsed_label_parent_class)->unmap (widget);

  spindle_elapsed_label_sync_ticks (self);
  spindle_elapsed_label_sync_shown (self);
}

static void
spindle_elapsed_label_dispose (GObject *object)
{
  SpindleElapsedLabel *self = SPINDLE_ELAPSED_LABEL (object);

  spindle_elapsed_label_set_worker (self, NULL);
  g_clear_object (&self->worker_signals);
  g_clear_pointer ((GtkWidget **) &self->text, gtk_widget_unparent);

  G_OBJECT_CLASS (spindle_elapsed_label_parent_class)->dispose (object);
}

static void
spindle_elapsed_label_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SpindleElapsedLabel *self = SPINDLE_ELAPSED_LABEL (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      g_value_set_object (value, self->worker);
      break;

    case PROP_REPORT_SHOWN:
      g_value_set_boolean (value, self->report_shown);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_elapsed_label_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  SpindleElapsedLabel *self = SPINDLE_ELAPSED_LABEL (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      spindle_elapsed_label_set_worker (self, g_value_get_object (value));
      break;

    case PROP_REPORT_SHOWN:
      spindle_elapsed_label_set_report_shown (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_elapsed_label_class_init (SpindleElapsedLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_elapsed_label_dispose;
  object_class->get_property = spindle_elapsed_label_get_property;
  object_class->set_property = spindle_elapsed_label_set_property;

  widget_class->map = spindle_elapsed_label_map;
  widget_class->unmap = spindle_elapsed_label_unmap;

  properties[PROP_WORKER] =
    g_param_spec_object ("worker", NULL, NULL, SPINDLE_TYPE_WORKER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_REPORT_SHOWN] =
    g_param_spec_boolean ("report-shown", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "elapsed");
}

static void
spindle_elapsed_label_init (SpindleElapsedLabel *self)
{
  /* "59:59.9" at its natural width, as the column is wide; an hour or
   * more overflows it as a label would.
   */
  self->text = GTK_INSCRIPTION (gtk_inscription_new (NULL));
  gtk_inscription_set_xalign (self->text, 1.0);
  gtk_inscription_set_min_chars (self->text, 4);
  gtk_inscription_set_nat_chars (self->text, 7);
  gtk_widget_add_css_class (GTK_WIDGET (self->text), "numeric");
  gtk_widget_set_parent (GTK_WIDGET (self->text), GTK_WIDGET (self));

  self->worker_signals = g_signal_group_new (SPINDLE_TYPE_WORKER);
  g_signal_group_connect (self->worker_signals, "notify::state", G_CALLBACK (on_state), self);
}

GtkWidget *
spindle_elapsed_label_new (void)
{
  return g_object_new (SPINDLE_TYPE_ELAPSED_LABEL, NULL);
}

SpindleWorker *
spindle_elapsed_label_get_worker (SpindleElapsedLabel *self)
{
  g_return_val_if_fail (SPINDLE_IS_ELAPSED_LABEL (self), NULL);

  return self->worker;
}

void
spindle_elapsed_label_set_worker (SpindleElapsedLabel *self,
                                  SpindleWorker       *worker)
{
  g_return_if_fail (SPINDLE_IS_ELAPSED_LABEL (self));
  g_return_if_fail (worker == NULL || SPINDLE_IS_WORKER (worker));

  if (!g_set_object (&self->worker, worker))
    return;

  g_signal_group_set_target (self->worker_signals, worker);
  spindle_elapsed_label_update (self);
  spindle_elapsed_label_sync_ticks (self);
  spindle_elapsed_label_sync_shown (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER]);
}

gboolean
spindle_elapsed_label_get_report_shown (SpindleElapsedLabel *self)
{
  g_return_val_if_fail (SPINDLE_IS_ELAPSED_LABEL (self), FALSE);

  return self->report_shown;
}

void
spindle_elapsed_label_set_report_shown (SpindleElapsedLabel *self,
                                        gboolean             report_shown)
{
  g_return_if_fail (SPINDLE_IS_ELAPSED_LABEL (self));

  report_shown = !!report_shown;
  if (self->report_shown == report_shown)
    return;

  self->report_shown = report_shown;
  spindle_elapsed_label_sync_shown (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPORT_SHOWN]);
}
