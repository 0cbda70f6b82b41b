/* spindle-clock.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-clock.h"

#define DEFAULT_INTERVAL_MS 500

struct _SpindleClock
{
  GObject  parent_instance;

  guint    interval_ms;
  guint    hold_count;
  guint    timeout_id;
  gint64   now;
};

G_DEFINE_FINAL_TYPE (SpindleClock, spindle_clock, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INTERVAL,
  N_PROPS
};

enum {
  TICK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
spindle_clock_timeout (gpointer data)
{
  SpindleClock *self = data;

  self->now = spindle_clock_get_now (self);
  g_signal_emit (self, signals[TICK], 0, self->now);

  return G_SOURCE_CONTINUE;
}

static void
spindle_clock_restart (SpindleClock *self)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->now = g_get_monotonic_time ();

  if (self->hold_count > 0)
    self->timeout_id = g_timeout_add (self->interval_ms, spindle_clock_timeout, self);
}

static void
spindle_clock_dispose (GObject *object)
{
  SpindleClock *self = SPINDLE_CLOCK (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);

  G_OBJECT_CLASS (spindle_clock_parent_class)->dispose (object);
}

static void
spindle_clock_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  SpindleClock *self = SPINDLE_CLOCK (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_clock_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  SpindleClock *self = SPINDLE_CLOCK (object);

  switch (prop_id)
    {
    case PROP_INTERVAL:
      spindle_clock_set_interval (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_clock_class_init (SpindleClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spindle_clock_dispose;
  object_class->get_property = spindle_clock_get_property;
  object_class->set_property = spindle_clock_set_property;

  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 10, 60000, DEFAULT_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TICK] =
    g_signal_new ("tick", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
spindle_clock_init (SpindleClock *self)
{
  self->interval_ms = DEFAULT_INTERVAL_MS;
  self->now = g_get_monotonic_time ();
}

SpindleClock *
spindle_clock_get_default (void)
{
  static SpindleClock *instance;

  if (instance == NULL)
    instance = g_object_new (SPINDLE_TYPE_CLOCK, NULL);

  return instance;
}

guint
spindle_clock_get_interval (SpindleClock *self)
{
  g_return_val_if_fail (SPINDLE_IS_CLOCK (self), 0);

  return self->interval_ms;
}

void
spindle_clock_set_interval (SpindleClock *self,
                            guint         interval_ms)
{
  g_return_if_fail (SPINDLE_IS_CLOCK (self));

  interval_ms = CLAMP (interval_ms, 10, 60000);
  if (self->interval_ms == interval_ms)
    return;

  self->interval_ms = interval_ms;
  spindle_clock_restart (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

void
spindle_clock_hold (SpindleClock *self)
{
  g_return_if_fail (SPINDLE_IS_CLOCK (self));

  if (self->hold_count++ == 0)
    spindle_clock_restart (self);
}

void
spindle_clock_release (SpindleClock *self)
{
  g_return_if_fail (SPINDLE_IS_CLOCK (self));
  g_return_if_fail (self->hold_count > 0);

  if (--self->hold_count == 0)
    spindle_clock_restart (self);
}

gboolean
spindle_clock_is_running (SpindleClock *self)
{
  g_return_val_if_fail (SPINDLE_IS_CLOCK (self), FALSE);

  return self->timeout_id != 0;
}

/* The time of the main loop's current dispatch, so that every cell of one
 * tick, of one sort or of one frame agrees. Not the last tick's time: a
 * cell bound between ticks would show a worker started since then as
 * 0:00.0 until the next tick.
 */
gint64
spindle_clock_get_now (SpindleClock *self)
{
  GSource *source = g_main_current_source ();

  g_return_val_if_fail (SPINDLE_IS_CLOCK (self), 0);

  if (source != NULL && !g_source_is_destroyed (source))
    return g_source_get_time (source);

  return g_get_monotonic_time ();
}

/* Keeps @callback on "tick", its handler in @tick_id, exactly while
 * @needed: a widget follows the clock only while it shows something that
 * moves, so one tick costs just the visible, live figures.
 */
void
spindle_clock_follow (SpindleClock *self,
                      gulong       *tick_id,
                      gboolean      needed,
                      GCallback     callback,
                      gpointer      data)
{
  g_return_if_fail (SPINDLE_IS_CLOCK (self));
  g_return_if_fail (tick_id != NULL);

  if (needed && *tick_id == 0)
    *tick_id = g_signal_connect (self, "tick", callback, data);
  else if (!needed)
    g_clear_signal_handler (tick_id, self);
}
