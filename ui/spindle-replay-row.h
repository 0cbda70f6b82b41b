/* spindle-replay-row.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle-recording.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_REPLAY_ROW (spindle_replay_row_get_type ())

G_DECLARE_FINAL_TYPE (SpindleReplayRow, spindle_replay_row, SPINDLE, REPLAY_ROW, GObject)

SpindleReplayRow   *spindle_replay_row_new       (const SpindleRecordedWorker *worker,
                                                  GArray                      *changes,
                                                  gint64                       moment,
                                                  gint64                       duration);
guint64             spindle_replay_row_get_id    (SpindleReplayRow *row);
const char         *spindle_replay_row_get_name  (SpindleReplayRow *row);
SpindleWorkerState  spindle_replay_row_get_state (SpindleReplayRow *row);

#define SPINDLE_TYPE_REPLAY_TIMELINE (spindle_replay_timeline_get_type ())

G_DECLARE_FINAL_TYPE (SpindleReplayTimeline, spindle_replay_timeline, SPINDLE, REPLAY_TIMELINE, GtkWidget)

G_END_DECLS
