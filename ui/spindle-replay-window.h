/* spindle-replay-window.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle-recording.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_REPLAY_WINDOW (spindle_replay_window_get_type ())

G_DECLARE_FINAL_TYPE (SpindleReplayWindow, spindle_replay_window, SPINDLE, REPLAY_WINDOW, GtkApplicationWindow)

SpindleReplayWindow *spindle_replay_window_new      (GtkApplication      *application,
                                                     SpindleRecording    *recording,
                                                     const char          *title);
void                 spindle_replay_window_seek     (SpindleReplayWindow *self,
                                                     gint64               t);
GListModel          *spindle_replay_window_get_rows  (SpindleReplayWindow *self);
void                 spindle_replay_window_select    (SpindleReplayWindow *self,
                                                      guint                position);
const char          *spindle_replay_window_get_story (SpindleReplayWindow *self);

G_END_DECLS
