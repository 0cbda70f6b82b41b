/* spindle-clock.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SPINDLE_TYPE_CLOCK (spindle_clock_get_type ())

G_DECLARE_FINAL_TYPE (SpindleClock, spindle_clock, SPINDLE, CLOCK, GObject)

/* The one timer behind every live figure: it runs only while something
 * holds it (a mapped window), and cells connect to "tick" only while they
 * are mapped, so one tick redraws just the visible rows.
 */
SpindleClock *spindle_clock_get_default  (void);
guint         spindle_clock_get_interval (SpindleClock *self);
void          spindle_clock_set_interval (SpindleClock *self,
                                          guint         interval_ms);
void          spindle_clock_hold         (SpindleClock *self);
void          spindle_clock_release      (SpindleClock *self);
gboolean      spindle_clock_is_running   (SpindleClock *self);
gint64        spindle_clock_get_now      (SpindleClock *self);
void          spindle_clock_follow       (SpindleClock *self,
                                          gulong       *tick_id,
                                          gboolean      needed,
                                          GCallback     callback,
                                          gpointer      data);

G_END_DECLS
