/* spindle-worker-monitor.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_WORKER_MONITOR (spindle_worker_monitor_get_type ())

G_DECLARE_FINAL_TYPE (SpindleWorkerMonitor, spindle_worker_monitor, SPINDLE, WORKER_MONITOR, GObject)

/* Watches every worker of a set, children included: follows each one
 * with its event log, keeps the counts for the title (as they change, not
 * by counting them all again), says at once which worker changed
 * ("worker-changed"), and turns any number of state changes into one
 * coalesced "changed" per main-loop iteration. It walks the process
 * workers' trees on each tick of the clock, so that their processes are
 * rows under them, which it watches but counts as no workers. A worker
 * costs it no handler, and a change what changed.
 */
SpindleWorkerMonitor *spindle_worker_monitor_new          (SpindleWorkerSet     *set);
guint                 spindle_worker_monitor_get_n_total  (SpindleWorkerMonitor *self);
guint                 spindle_worker_monitor_get_n_live   (SpindleWorkerMonitor *self);
guint                 spindle_worker_monitor_get_n_unresponsive (SpindleWorkerMonitor *self);
guint                 spindle_worker_monitor_get_n_in_state (SpindleWorkerMonitor *self,
                                                           SpindleWorkerState    state);
guint                 spindle_worker_monitor_get_n_process_rows (SpindleWorkerMonitor *self);
void                  spindle_worker_monitor_flush        (SpindleWorkerMonitor *self);
GPtrArray            *spindle_worker_monitor_take_new_parents (SpindleWorkerMonitor *self);
void                  spindle_worker_monitor_view_changed (SpindleWorkerMonitor *self,
                                                           GListModel           *view,
                                                           guint                 position,
                                                           guint                 removed,
                                                           guint                 added);
guint                 spindle_worker_monitor_count_shown_workers (SpindleWorkerMonitor *self,
                                                                  GListModel           *view);
guint64               _spindle_worker_monitor_get_n_visits (SpindleWorkerMonitor *self);

G_END_DECLS
