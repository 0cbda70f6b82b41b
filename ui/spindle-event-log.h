/* spindle-event-log.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spindle.h"
#include "spindle-log-entry.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_EVENT_LOG (spindle_event_log_get_type ())

G_DECLARE_FINAL_TYPE (SpindleEventLog, spindle_event_log, SPINDLE, EVENT_LOG, GObject)

#define SPINDLE_EVENT_LOG_MAX_ENTRIES 200

/* A bounded, timestamped log of one worker's signals, built in the UI and
 * attached to the worker so that it lives exactly as long as the worker.
 * Its model holds SpindleLogEntry items. An automatic escalation is one
 * line that says what ran out and what it caused. A worker followed from
 * its start has one handler, and its log is made only when it has more to
 * say than its start, or when it is asked for.
 */
typedef void (*SpindleEventLogNotifyFunc) (SpindleWorker *worker,
                                           GParamSpec    *pspec,
                                           gpointer       user_data);

void             spindle_event_log_follow    (SpindleWorker   *worker);
SpindleEventLog *spindle_event_log_ensure    (SpindleWorker   *worker);
SpindleEventLog *spindle_event_log_peek      (SpindleWorker   *worker);
GListModel      *spindle_event_log_get_model (SpindleEventLog *self);
GListModel      *spindle_event_log_get_steps (SpindleEventLog *self);
void             spindle_event_log_add       (SpindleEventLog *self,
                                              SpindleWorker   *worker,
                                              SpindleLogKind   kind,
                                              const char      *format,
                                              ...) G_GNUC_PRINTF (4, 5);
gulong           spindle_event_log_add_notify_hook    (SpindleEventLogNotifyFunc  func,
                                                       gpointer                   user_data);
void             spindle_event_log_remove_notify_hook (gulong                     id);

G_END_DECLS
