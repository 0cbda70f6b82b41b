/* spindle-timeline.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-clock.h"
#include "spindle-format.h"
#include "spindle-timeline.h"

#define MARKER_WIDTH 2
#define MARKER_CAP 6
#define MARKER_INSET 5

/* The state colours are named in style.css, where the state pills take
 * theirs too; these stand in only if no style sheet defines them.
 */
typedef struct
{
  GdkRGBA state[SPINDLE_WORKER_N_STATES];
  GdkRGBA escalated;
  GdkRGBA cleanup;
} Palette;

static const struct
{
  const char *name;
  const char *fallback;
} state_colors[SPINDLE_WORKER_N_STATES] = {
  [SPINDLE_WORKER_STATE_STARTING]   = { "spindle_state_starting",   "#9a9996" },
  [SPINDLE_WORKER_STATE_RUNNING]    = { "spindle_state_running",    "#3584e4" },
  [SPINDLE_WORKER_STATE_STOPPING]   = { "spindle_state_stopping",   "#f5c211" },
  [SPINDLE_WORKER_STATE_CANCELLING] = { "spindle_state_cancelling", "#e01b24" },
  [SPINDLE_WORKER_STATE_CLEANING]   = { "spindle_state_cleaning",   "#95a37a" },
  [SPINDLE_WORKER_STATE_FINISHED]   = { "spindle_state_finished",   "#33d17a" },
  [SPINDLE_WORKER_STATE_FAILED]     = { "spindle_state_failed",     "#e01b24" },
  [SPINDLE_WORKER_STATE_STOPPED]    = { "spindle_state_stopped",    "#33d17a" },
  [SPINDLE_WORKER_STATE_CANCELLED]  = { "spindle_state_cancelled",  "#c01c28" },
  [SPINDLE_WORKER_STATE_ABANDONED]  = { "spindle_state_abandoned",  "#3d3846" },
};

struct _SpindleTimeline
{
  GtkWidget      parent_instance;

  SpindleWorker *worker;
  GSignalGroup  *worker_signals;
  gint64         span;
  gulong         tick_id;
  guint          show_markers : 1;
  guint          palette_valid : 1;
  Palette        palette;
};

G_DEFINE_FINAL_TYPE (SpindleTimeline, spindle_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKER,
  PROP_SPAN,
  PROP_SHOW_MARKERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Colours *******************************************************************/

static void
lookup_color (GtkStyleContext *context,
              const char      *name,
              const char      *fallback,
              GdkRGBA         *color)
{
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

static void
palette_lookup (Palette   *palette,
                GtkWidget *widget)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  for (guint i = 0; i < SPINDLE_WORKER_N_STATES; i++)
    lookup_color (context, state_colors[i].name, state_colors[i].fallback, &palette->state[i]);

  lookup_color (context, "spindle_marker_escalated", "#e01b24", &palette->escalated);
  lookup_color (context, "spindle_marker_cleanup", "#241f31", &palette->cleanup);
}

/* Looked up once, then again only when the widget's style changes (a new
 * theme, dark or light, changes it): a lookup resolves the colour's
 * expression through the style providers, a dozen of them for each row on
 * screen on every frame of a scroll.
 */
static const Palette *
get_palette (SpindleTimeline *self)
{
  if (!self->palette_valid)
    {
      palette_lookup (&self->palette, GTK_WIDGET (self));
      self->palette_valid = TRUE;
    }

  return &self->palette;
}

/* A live worker the kernel saw on a CPU shows solid; asleep, faint. */
static float
kernel_alpha (SpindleWorkerState state,
              char               kernel_state)
{
  if (!spindle_worker_state_is_live (state))
    return 0.7f;

  switch (kernel_state)
    {
    case 'R':
    case 'D':
      return 1.0f;
    case 0:
      return 0.75f;
    default:
      return 0.5f;
    }
}

/* Geometry ******************************************************************/

typedef struct
{
  gint64 now;
  gint64 span;
  int    width;
  int    height;
  int    inset;
} Frame;

static float
frame_x (const Frame *frame,
         gint64       time)
{
  gint64 age = CLAMP (frame->now - time, 0, frame->span);

  return floorf (frame->width - (float) age * frame->width / frame->span);
}

static gboolean
starts_segment (const SpindleHistoryEntry *entry)
{
  return entry->kind == SPINDLE_HISTORY_STATE || entry->kind == SPINDLE_HISTORY_KERNEL_STATE;
}

/* Drawing *******************************************************************/

static void
snapshot_segment (GtkSnapshot               *snapshot,
                  const Frame               *frame,
                  const Palette             *palette,
                  const SpindleHistoryEntry *entry,
                  gint64                     until)
{
  float x0 = frame_x (frame, entry->time);
  float x1 = frame_x (frame, until);
  float top = frame->inset;
  float height = frame->height - 2 * frame->inset;
  GdkRGBA color = palette->state[entry->state];

  if (until < frame->now - frame->span || entry->time > frame->now)
    return;

  /* A state that lasted less than a pixel still shows; the bars stay
   * inside the widget without a clip (see spindle_timeline_snapshot ()).
   */
  x1 = MAX (x1, x0 + 1);
  if (x1 > frame->width)
    {
      x0 = MAX (0, frame->width - 1);
      x1 = frame->width;
    }

  /* Once ended, a thinner bar: the worker is gone, its state stays. */
  if (!spindle_worker_state_is_live (entry->state))
    {
      top += height * 0.3f;
      height *= 0.4f;
    }

  color.alpha *= kernel_alpha (entry->state, entry->kernel_state);
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x0, top, x1 - x0, height));
}

static void
snapshot_segments (GtkSnapshot               *snapshot,
                   const Frame               *frame,
                   const Palette             *palette,
                   const SpindleHistoryEntry *entries,
                   guint                      n_entries)
{
  const SpindleHistoryEntry *current = NULL;

  for (guint i = 0; i < n_entries; i++)
    {
      if (!starts_segment (&entries[i]))
        continue;

      if (current != NULL)
        snapshot_segment (snapshot, frame, palette, current, entries[i].time);
      current = &entries[i];
    }

  if (current != NULL)
    snapshot_segment (snapshot, frame, palette, current, frame->now);
}

/* A line through the bar with a cap: at the top for an escalation, at the
 * bottom for a cleanup, so that both show when they come at once.
 */
static void
snapshot_marker (GtkSnapshot   *snapshot,
                 const Frame   *frame,
                 const GdkRGBA *color,
                 gint64         time,
                 gboolean       cap_on_top)
{
  float x = frame_x (frame, time);
  float cap_x, cap_y;

  if (time < frame->now - frame->span)
    return;

  x = CLAMP (x - MARKER_WIDTH / 2.0f, 0, frame->width - MARKER_WIDTH);
  cap_x = CLAMP (x - (MARKER_CAP - MARKER_WIDTH) / 2.0f, 0, frame->width - MARKER_CAP);
  cap_y = cap_on_top ? 0 : frame->height - (MARKER_WIDTH + 1);

  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, 0, MARKER_WIDTH, frame->height));
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (cap_x, cap_y, MARKER_CAP, MARKER_WIDTH + 1));
}

static void
snapshot_markers (GtkSnapshot               *snapshot,
                  const Frame               *frame,
                  const Palette             *palette,
                  const SpindleHistoryEntry *entries,
                  guint                      n_entries)
{
  for (guint i = 0; i < n_entries; i++)
    {
      if (entries[i].kind == SPINDLE_HISTORY_ESCALATED)
        snapshot_marker (snapshot, frame, &palette->escalated, entries[i].time, TRUE);
      else if (entries[i].kind == SPINDLE_HISTORY_CLEANUP)
        snapshot_marker (snapshot, frame, &palette->cleanup, entries[i].time, FALSE);
    }
}

static void
spindle_timeline_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  SpindleTimeline *self = SPINDLE_TIMELINE (widget);
  SpindleHistoryEntry entries[SPINDLE_HISTORY_CAPACITY];
  const Palette *palette;
  Frame frame;
  guint n_entries;

  if (self->worker == NULL)
    return;

  frame.span = self->span;
  frame.width = gtk_widget_get_width (widget);
  frame.height = gtk_widget_get_height (widget);
  frame.inset = self->show_markers ? MARKER_INSET : 0;
  if (frame.width <= 0 || frame.height <= 2 * frame.inset)
    return;

  n_entries = spindle_worker_get_history (self->worker, entries, G_N_ELEMENTS (entries));
  palette = get_palette (self);

  /* The last tick's "now", shared by every row; a state entered since
   * shows at once, at the right edge.
   */
  frame.now = spindle_clock_get_now (spindle_clock_get_default ());
  if (n_entries > 0)
    frame.now = MAX (frame.now, entries[n_entries - 1].time);

  /* Plain rectangles, no rounded clip: every visible row redraws on every
   * tick, and under the cairo renderer filling rounded shapes was a fifth
   * of the window's scrolling time.
   */
  snapshot_segments (snapshot, &frame, palette, entries, n_entries);

  if (self->show_markers)
    snapshot_markers (snapshot, &frame, palette, entries, n_entries);
}

/* Tooltip *******************************************************************/

static const SpindleHistoryEntry *
find_segment (const SpindleHistoryEntry *entries,
              guint                      n_entries,
              gint64                     time)
{
  const SpindleHistoryEntry *found = NULL;

  for (guint i = 0; i < n_entries && entries[i].time <= time; i++)
    if (starts_segment (&entries[i]))
      found = &entries[i];

  return found;
}

static char *
describe_segment (const SpindleHistoryEntry *entry,
                  gint64                     age)
{
  g_autofree char *ago = spindle_format_duration (MAX (age, 0));
  const char *state = spindle_format_state_label (entry->state);

  if (entry->kernel_state != 0 && spindle_worker_state_is_live (entry->state))
    /* Translators: "running, kernel: S (sleeping) — 12.0 s ago" */
    return g_strdup_printf (_("%s, kernel: %c (%s) — %s ago"), state, entry->kernel_state,
                            spindle_format_kernel_state_name (entry->kernel_state), ago);

  /* Translators: "running — 12.0 s ago" */
  return g_strdup_printf (_("%s — %s ago"), state, ago);
}

static gboolean
spindle_timeline_query_tooltip (GtkWidget  *widget,
                                int         x,
                                int         y,
                                gboolean    keyboard_mode,
                                GtkTooltip *tooltip)
{
  SpindleTimeline *self = SPINDLE_TIMELINE (widget);
  SpindleHistoryEntry entries[SPINDLE_HISTORY_CAPACITY];
  const SpindleHistoryEntry *entry;
  g_autofree char *text = NULL;
  int width = gtk_widget_get_width (widget);
  gint64 now, time;
  guint n_entries;

  if (self->worker == NULL || width <= 0)
    return FALSE;

  now = spindle_clock_get_now (spindle_clock_get_default ());
  time = keyboard_mode ? now : now - (gint64) ((double) (width - x) / width * self->span);
  n_entries = spindle_worker_get_history (self->worker, entries, G_N_ELEMENTS (entries));

  if ((entry = find_segment (entries, n_entries, time)) == NULL)
    return FALSE;

  text = describe_segment (entry, now - time);
  gtk_tooltip_set_text (tooltip, text);

  return TRUE;
}

/* Ticks *********************************************************************/

/* Its bars move while it lives, and until its ending leaves the window. */
static gboolean
needs_ticks (SpindleTimeline *self)
{
  gint64 finished_at;

  if (self->worker == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return FALSE;
  if (!spindle_worker_is_terminal (self->worker))
    return TRUE;

  finished_at = spindle_worker_get_finished_at (self->worker);

  return finished_at <= 0 ||
         spindle_clock_get_now (spindle_clock_get_default ()) - finished_at < self->span;
}

static void spindle_timeline_sync_ticks (SpindleTimeline *self);

static void
on_tick (SpindleClock    *clock,
         gint64           now,
         SpindleTimeline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  spindle_timeline_sync_ticks (self);
}

static void
spindle_timeline_sync_ticks (SpindleTimeline *self)
{
  spindle_clock_follow (spindle_clock_get_default (), &self->tick_id, needs_ticks (self),
                        G_CALLBACK (on_tick), self);
}

static void
on_state (SpindleWorker   *worker,
          GParamSpec      *pspec,
          SpindleTimeline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
  spindle_timeline_sync_ticks (self);
}

/* GObject *******************************************************************/

static void
spindle_timeline_css_changed (GtkWidget         *widget,
                              GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (spindle_timeline_parent_class)->css_changed (widget, change);

  SPINDLE_TIMELINE (widget)->palette_valid = FALSE;
  gtk_widget_queue_draw (widget);
}

/* Scrolled back into view: time went on while it was not drawn. */
static void
spindle_timeline_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (spindle_timeline_parent_class)->map (widget);

  gtk_widget_queue_draw (widget);
  spindle_timeline_sync_ticks (SPINDLE_TIMELINE (widget));
}

static void
spindle_timeline_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (spindle_timeline_parent_class)->unmap (widget);

  spindle_timeline_sync_ticks (SPINDLE_TIMELINE (widget));
}

static void
spindle_timeline_dispose (GObject *object)
{
  SpindleTimeline *self = SPINDLE_TIMELINE (object);

  spindle_timeline_set_worker (self, NULL);
  g_clear_object (&self->worker_signals);

  G_OBJECT_CLASS (spindle_timeline_parent_class)->dispose (object);
}

static void
spindle_timeline_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SpindleTimeline *self = SPINDLE_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      g_value_set_object (value, self->worker);
      break;

    case PROP_SPAN:
      g_value_set_int64 (value, self->span);
      break;

    case PROP_SHOW_MARKERS:
      g_value_set_boolean (value, self->show_markers);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_timeline_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SpindleTimeline *self = SPINDLE_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      spindle_timeline_set_worker (self, g_value_get_object (value));
      break;

    case PROP_SPAN:
      spindle_timeline_set_span (self, g_value_get_int64 (value));
      break;

    case PROP_SHOW_MARKERS:
      spindle_timeline_set_show_markers (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_timeline_class_init (SpindleTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_timeline_dispose;
  object_class->get_property = spindle_timeline_get_property;
  object_class->set_property = spindle_timeline_set_property;

  widget_class->map = spindle_timeline_map;
  widget_class->unmap = spindle_timeline_unmap;
  widget_class->snapshot = spindle_timeline_snapshot;
  widget_class->css_changed = spindle_timeline_css_changed;
  widget_class->query_tooltip = spindle_timeline_query_tooltip;

  properties[PROP_WORKER] =
    g_param_spec_object ("worker", NULL, NULL, SPINDLE_TYPE_WORKER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SPAN] =
    g_param_spec_int64 ("span", NULL, NULL, G_USEC_PER_SEC, G_MAXINT64, SPINDLE_TIMELINE_DEFAULT_SPAN,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_MARKERS] =
    g_param_spec_boolean ("show-markers", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
spindle_timeline_init (SpindleTimeline *self)
{
  self->span = SPINDLE_TIMELINE_DEFAULT_SPAN;
  self->worker_signals = g_signal_group_new (SPINDLE_TYPE_WORKER);
  g_signal_group_connect (self->worker_signals, "notify::state", G_CALLBACK (on_state), self);

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("States over the last minute"),
                                  -1);
}

GtkWidget *
spindle_timeline_new (void)
{
  return g_object_new (SPINDLE_TYPE_TIMELINE, NULL);
}

SpindleWorker *
spindle_timeline_get_worker (SpindleTimeline *self)
{
  g_return_val_if_fail (SPINDLE_IS_TIMELINE (self), NULL);

  return self->worker;
}

void
spindle_timeline_set_worker (SpindleTimeline *self,
                             SpindleWorker   *worker)
{
  g_return_if_fail (SPINDLE_IS_TIMELINE (self));
  g_return_if_fail (worker == NULL || SPINDLE_IS_WORKER (worker));

  if (!g_set_object (&self->worker, worker))
    return;

  g_signal_group_set_target (self->worker_signals, worker);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  spindle_timeline_sync_ticks (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER]);
}

gint64
spindle_timeline_get_span (SpindleTimeline *self)
{
  g_return_val_if_fail (SPINDLE_IS_TIMELINE (self), 0);

  return self->span;
}

void
spindle_timeline_set_span (SpindleTimeline *self,
                           gint64           span)
{
  g_return_if_fail (SPINDLE_IS_TIMELINE (self));
  g_return_if_fail (span >= G_USEC_PER_SEC);

  if (self->span == span)
    return;

  self->span = span;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPAN]);
}

gboolean
spindle_timeline_get_show_markers (SpindleTimeline *self)
{
  g_return_val_if_fail (SPINDLE_IS_TIMELINE (self), FALSE);

  return self->show_markers;
}

void
spindle_timeline_set_show_markers (SpindleTimeline *self,
                                   gboolean         show_markers)
{
  g_return_if_fail (SPINDLE_IS_TIMELINE (self));

  show_markers = !!show_markers;
  if (self->show_markers == show_markers)
    return;

  self->show_markers = show_markers;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_MARKERS]);
}
