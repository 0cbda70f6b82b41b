/* spindle-event-log.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spindle-engine.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_EVENT_LOG (spindle_event_log_get_type ())

G_DECLARE_FINAL_TYPE (SpindleEventLog, spindle_event_log, SPINDLE, EVENT_LOG, GObject)

#define SPINDLE_EVENT_LOG_MAX_ENTRIES 200

/* A bounded, timestamped log of one worker's signals, built in the UI and
 * attached to the worker so that it lives exactly as long as the worker.
 * Its model holds GtkStringObjects "HH:MM:SS.mmm\t+1.234 s\ttext".
 */
SpindleEventLog          *spindle_event_log_ensure        (SpindleWorker   *worker);
SpindleEventLog          *spindle_event_log_peek          (SpindleWorker   *worker);
GListModel               *spindle_event_log_get_model     (SpindleEventLog *self);
guint                     spindle_event_log_get_n_steps   (SpindleEventLog *self);
const SpindleCleanupStep *spindle_event_log_get_step      (SpindleEventLog *self,
                                                           guint            position);
void                      spindle_event_log_add           (SpindleEventLog *self,
                                                           SpindleWorker   *worker,
                                                           const char      *format,
                                                           ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
