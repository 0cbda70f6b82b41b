/* spindle-timeline.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_TIMELINE (spindle_timeline_get_type ())

G_DECLARE_FINAL_TYPE (SpindleTimeline, spindle_timeline, SPINDLE, TIMELINE, GtkWidget)

#define SPINDLE_TIMELINE_DEFAULT_SPAN (60 * G_USEC_PER_SEC)

/* A worker's recent states as coloured bars over the last @span
 * microseconds, the right edge being the shared clock's "now"; brighter
 * where the kernel saw it running. Redrawn on the clock's ticks only while
 * it is mapped: a list maps just the rows in view. With show-markers,
 * escalations and cleanups are marked.
 */
GtkWidget     *spindle_timeline_new              (void);
SpindleWorker *spindle_timeline_get_worker       (SpindleTimeline *self);
void           spindle_timeline_set_worker       (SpindleTimeline *self,
                                                  SpindleWorker   *worker);
gint64         spindle_timeline_get_span         (SpindleTimeline *self);
void           spindle_timeline_set_span         (SpindleTimeline *self,
                                                  gint64           span);
gboolean       spindle_timeline_get_show_markers (SpindleTimeline *self);
void           spindle_timeline_set_show_markers (SpindleTimeline *self,
                                                  gboolean         show_markers);

G_END_DECLS
