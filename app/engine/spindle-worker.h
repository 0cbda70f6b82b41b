/* spindle-worker.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <gio/gio.h>

#include "spindle-cleanup-report.h"
#include "spindle-types.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleWorker:
 *
 * One worker thread hosted by a #SpindleWorkerSet, seen from the set's
 * main context: its state, its requests, its cleanup report, result or
 * error. Every property changes and every signal is emitted on that
 * context, never on the worker's thread. Its body, on its own thread, sees
 * a #SpindleJob instead.
 */
#define SPINDLE_TYPE_WORKER (spindle_worker_get_type ())

SPINDLE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpindleWorker, spindle_worker, SPINDLE, WORKER, GObject)

SPINDLE_AVAILABLE_IN_ALL
guint64               spindle_worker_get_id             (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
const char           *spindle_worker_get_name           (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
const char           *spindle_worker_get_kind           (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
int                   spindle_worker_get_tid            (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
SpindleWorkerState    spindle_worker_get_state          (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
SpindleStopReason     spindle_worker_get_stop_reason    (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gint64                spindle_worker_get_started_at     (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gint64                spindle_worker_get_finished_at    (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gint64                spindle_worker_get_elapsed        (SpindleWorker *worker,
                                                         gint64         now);
SPINDLE_AVAILABLE_IN_ALL
const char           *spindle_worker_get_phase          (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
double                spindle_worker_get_progress       (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
SpindleCleanupReport *spindle_worker_get_cleanup_report (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
GVariant             *spindle_worker_get_result         (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
const GError         *spindle_worker_get_error          (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
SpindleWorker        *spindle_worker_get_parent         (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
GListModel           *spindle_worker_get_children       (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gboolean              spindle_worker_is_terminal        (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gint64                spindle_worker_get_deadline       (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gint64                spindle_worker_get_escalation_at  (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
SpindleEscalation     spindle_worker_get_escalation     (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gboolean              spindle_worker_get_unresponsive   (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
const char           *spindle_worker_get_waiting_for    (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gint64                spindle_worker_get_cpu_time       (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
double                spindle_worker_get_cpu_percent    (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
const char           *spindle_worker_get_kernel_state   (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
const char           *spindle_worker_get_wait_channel   (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
const char           *spindle_worker_get_syscall        (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gboolean              spindle_worker_get_in_compute     (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
gboolean              spindle_worker_is_tree_process    (SpindleWorker *worker);

/**
 * SpindleHistoryKind:
 * @SPINDLE_HISTORY_STATE: a state was entered
 * @SPINDLE_HISTORY_KERNEL_STATE: the sampler saw the kernel state change
 * @SPINDLE_HISTORY_ESCALATED: an automatic escalation acted
 * @SPINDLE_HISTORY_CLEANUP: the cleanup started
 *
 * What a #SpindleHistoryEntry records.
 */
typedef enum
{
  SPINDLE_HISTORY_STATE,         /* @state entered; @kernel_state as last sampled */
  SPINDLE_HISTORY_KERNEL_STATE,  /* the sampler saw @kernel_state change */
  SPINDLE_HISTORY_ESCALATED,     /* an automatic escalation */
  SPINDLE_HISTORY_CLEANUP,       /* cleanup started */
} SpindleHistoryKind;

/**
 * SpindleHistoryEntry:
 * @time: monotonic µs
 * @kind: what changed
 * @state: the worker's state then
 * @kernel_state: 'R', 'S', 'D'… as last sampled, or 0: not sampled
 *
 * One change in a worker's recent past, for timelines.
 */
typedef struct
{
  gint64              time;          /* monotonic µs */
  SpindleHistoryKind  kind;
  SpindleWorkerState  state;
  char                kernel_state;  /* 'R', 'S', 'D'… or 0: not sampled */
} SpindleHistoryEntry;

/**
 * SPINDLE_HISTORY_CAPACITY:
 *
 * How many changes a worker's history keeps.
 */
#define SPINDLE_HISTORY_CAPACITY 128

#define SPINDLE_TYPE_HISTORY_ENTRY (spindle_history_entry_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType                 spindle_history_entry_get_type    (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleHistoryEntry  *spindle_history_entry_copy        (const SpindleHistoryEntry *entry);
SPINDLE_AVAILABLE_IN_ALL
void                  spindle_history_entry_free        (SpindleHistoryEntry *entry);

SPINDLE_AVAILABLE_IN_ALL
guint                 spindle_worker_get_history        (SpindleWorker       *worker,
                                                         SpindleHistoryEntry *entries,
                                                         guint                n_entries);

SPINDLE_AVAILABLE_IN_ALL
void                  spindle_worker_request_stop       (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
void                  spindle_worker_force_cancel       (SpindleWorker *worker);
SPINDLE_AVAILABLE_IN_ALL
void                  spindle_worker_abandon            (SpindleWorker *worker);

G_END_DECLS
