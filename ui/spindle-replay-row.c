/* spindle-replay-row.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-replay"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-format.h"
#include "spindle-replay-row.h"

/* A worker of a replayed recording as it was at the moment shown, and its
 * timeline: the states it went through over the whole recording, a line
 * marking the moment.
 */

struct _SpindleReplayRow
{
  GObject             parent_instance;

  guint64             id;
  char               *name;
  SpindleWorkerState  state;
  char               *phase;
  char               *last_event;
  char               *kernel;
  GArray             *changes;    /* of SpindleStateChange, shared */
  gint64              moment;
  gint64              duration;
};

G_DEFINE_FINAL_TYPE (SpindleReplayRow, spindle_replay_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_NAME,
  ROW_PROP_STATE_LABEL,
  ROW_PROP_PHASE,
  ROW_PROP_LAST_EVENT,
  ROW_PROP_KERNEL,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

static void
spindle_replay_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SpindleReplayRow *self = SPINDLE_REPLAY_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_NAME: g_value_set_string (value, self->name); break;
    case ROW_PROP_STATE_LABEL: g_value_set_string (value, spindle_format_state_label (self->state)); break;
    case ROW_PROP_PHASE: g_value_set_string (value, self->phase); break;
    case ROW_PROP_LAST_EVENT: g_value_set_string (value, self->last_event); break;
    case ROW_PROP_KERNEL: g_value_set_string (value, self->kernel); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_replay_row_finalize (GObject *object)
{
  SpindleReplayRow *self = SPINDLE_REPLAY_ROW (object);

  g_free (self->name);
  g_free (self->phase);
  g_free (self->last_event);
  g_free (self->kernel);
  g_clear_pointer (&self->changes, g_array_unref);

  G_OBJECT_CLASS (spindle_replay_row_parent_class)->finalize (object);
}

static void
spindle_replay_row_class_init (SpindleReplayRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = spindle_replay_row_get_property;
  object_class->finalize = spindle_replay_row_finalize;

  row_properties[ROW_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_PHASE] = g_param_spec_string ("phase", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_LAST_EVENT] = g_param_spec_string ("last-event", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_KERNEL] = g_param_spec_string ("kernel", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
spindle_replay_row_init (SpindleReplayRow *self)
{
}

/**
 * spindle_replay_row_new:
 * @worker: the worker at the moment shown
 * @changes: (element-type SpindleStateChange): its states over the whole
 *   recording, for its timeline; a reference is taken
 * @moment: the moment shown, µs from the start
 * @duration: the recording's length
 *
 * Returns: (transfer full): the row
 */
SpindleReplayRow *
spindle_replay_row_new (const SpindleRecordedWorker *worker,
                        GArray                      *changes,
                        gint64                       moment,
                        gint64                       duration)
{
  SpindleReplayRow *self = g_object_new (SPINDLE_TYPE_REPLAY_ROW, NULL);

  self->id = worker->id;
  self->name = g_strdup (worker->name);
  self->state = worker->state;
  self->phase = g_strdup (worker->phase);
  self->last_event = g_strdup (worker->last_event);
  if (worker->kernel_state != NULL)
    self->kernel = g_strdup_printf ("%s %s", worker->kernel_state,
                                    worker->wait_channel != NULL ? worker->wait_channel : "");
  self->changes = g_array_ref (changes);
  self->moment = moment;
  self->duration = MAX (duration, 1);
  return self;
}

guint64
spindle_replay_row_get_id (SpindleReplayRow *row)
{
  g_return_val_if_fail (SPINDLE_IS_REPLAY_ROW (row), 0);

  return row->id;
}

const char *
spindle_replay_row_get_name (SpindleReplayRow *row)
{
  g_return_val_if_fail (SPINDLE_IS_REPLAY_ROW (row), NULL);

  return row->name;
}

SpindleWorkerState
spindle_replay_row_get_state (SpindleReplayRow *row)
{
  g_return_val_if_fail (SPINDLE_IS_REPLAY_ROW (row), 0);

  return row->state;
}

/* The timeline cell ***********************************************************/

struct _SpindleReplayTimeline
{
  GtkWidget         parent_instance;

  SpindleReplayRow *row;
};

G_DEFINE_FINAL_TYPE (SpindleReplayTimeline, spindle_replay_timeline, GTK_TYPE_WIDGET)

enum {
  TIMELINE_PROP_0,
  TIMELINE_PROP_ROW,
  TIMELINE_N_PROPS
};

/* The same colours as the live window's timeline (style.css). */
static const char * const state_color_names[SPINDLE_WORKER_N_STATES] = {
  [SPINDLE_WORKER_STATE_STARTING]   = "spindle_state_starting",
  [SPINDLE_WORKER_STATE_RUNNING]    = "spindle_state_running",
  [SPINDLE_WORKER_STATE_STOPPING]   = "spindle_state_stopping",
  [SPINDLE_WORKER_STATE_CANCELLING] = "spindle_state_cancelling",
  [SPINDLE_WORKER_STATE_CLEANING]   = "spindle_state_cleaning",
  [SPINDLE_WORKER_STATE_FINISHED]   = "spindle_state_finished",
  [SPINDLE_WORKER_STATE_FAILED]     = "spindle_state_failed",
  [SPINDLE_WORKER_STATE_STOPPED]    = "spindle_state_stopped",
  [SPINDLE_WORKER_STATE_CANCELLED]  = "spindle_state_cancelled",
  [SPINDLE_WORKER_STATE_ABANDONED]  = "spindle_state_abandoned",
};

static GdkRGBA
state_color (GtkWidget          *widget,
             SpindleWorkerState  state)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  GdkRGBA color = { 0.6, 0.6, 0.6, 1 };

  if (state < SPINDLE_WORKER_N_STATES && state_color_names[state] != NULL)
    gtk_style_context_lookup_color (context, state_color_names[state], &color);
  return color;
}

static void
spindle_replay_timeline_snapshot (GtkWidget   *widget,
                                  GtkSnapshot *snapshot)
{
  SpindleReplayTimeline *self = SPINDLE_REPLAY_TIMELINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double scale;
  GdkRGBA cursor;
  GArray *changes;

  if (self->row == NULL || width <= 0)
    return;

  changes = self->row->changes;
  scale = width / (double) self->row->duration;
  for (guint i = 0; i < changes->len; i++)
    {
      SpindleStateChange *change = &g_array_index (changes, SpindleStateChange, i);
      gint64 end = i + 1 < changes->len ? g_array_index (changes, SpindleStateChange, i + 1).t : self->row->duration;
      GdkRGBA color = state_color (widget, change->state);
      double x = change->t * scale;
      double w = MAX ((end - change->t) * scale, 1.0);

      /* a terminal state is a mark, not a span */
      if (spindle_worker_state_is_terminal (change->state))
        w = 3;
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x, height * 0.25, w, height * 0.5));
    }

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &cursor);
  gtk_snapshot_append_color (snapshot, &cursor,
                             &GRAPHENE_RECT_INIT (self->row->moment * scale, 0, 1, height));
}

static void
spindle_replay_timeline_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  SpindleReplayTimeline *self = SPINDLE_REPLAY_TIMELINE (object);

  switch (prop_id)
    {
    case TIMELINE_PROP_ROW:
      g_set_object (&self->row, g_value_get_object (value));
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_replay_timeline_dispose (GObject *object)
{
  g_clear_object (&SPINDLE_REPLAY_TIMELINE (object)->row);

  G_OBJECT_CLASS (spindle_replay_timeline_parent_class)->dispose (object);
}

static void
spindle_replay_timeline_class_init (SpindleReplayTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->set_property = spindle_replay_timeline_set_property;
  object_class->dispose = spindle_replay_timeline_dispose;
  widget_class->snapshot = spindle_replay_timeline_snapshot;

  g_object_class_install_property (object_class, TIMELINE_PROP_ROW,
    g_param_spec_object ("row", NULL, NULL, SPINDLE_TYPE_REPLAY_ROW,
                         G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS));
  gtk_widget_class_set_css_name (widget_class, "replay-timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
spindle_replay_timeline_init (SpindleReplayTimeline *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), 160, 18);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("The worker’s states over the whole recording, and a line at the moment shown"), -1);
}
