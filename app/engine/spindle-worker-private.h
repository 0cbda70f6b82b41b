/* spindle-worker-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-dispatch-private.h"
#include "spindle-job-private.h"
#include "spindle-worker.h"

G_BEGIN_DECLS

/* Shared by spindle-worker.c (state, events, properties),
 * spindle-worker-requests.c (stop, force-cancel, disown),
 * spindle-worker-accessors.c, spindle-worker-sample.c and
 * spindle-worker-escalation.c (deadlines and grace periods).
 */
struct _SpindleWorker
{
  GObject               parent_instance;

  SpindleWorkerSet     *set;       /* owns us */
  SpindleWorker        *parent;    /* weak */
  SpindleJob           *job;
  GListStore           *children;
  GMainContext         *context;
  GThread              *owner;     /* the set's: the one thread that may use us */
  GSource              *escalation_source;

  guint64               id;
  char                 *name;
  char                 *kind;
  int                   tid;
  SpindleWorkerState    state;
  SpindleStopReason     stop_reason;
  gint64                started_at;
  gint64                finished_at;
  char                 *phase;
  double                progress;
  char                 *waiting_for;
  SpindleCleanupReport *cleanup_report;
  GVariant             *result;
  GError               *error;

  gint64                cpu_time;        /* ns */
  gint64                sampled_at;      /* µs */
  double                cpu_percent;
  char                 *kernel_state;
  char                 *wait_channel;
  char                 *syscall;
  gboolean              in_compute;
  GArray               *history;         /* SpindleHistoryEntry, oldest first */

  gint64                deadline;
  gint64                stop_grace;
  gint64                cancel_grace;
  gint64                escalation_at;
  SpindleEscalation     escalation;
  guint                 unresponsive : 1;
  guint                 ending : 1;        /* its end is being reported: nothing more may end it */
  guint                 holding_sample : 1;
  guint                 tree_process : 1;  /* a process of a process worker's tree, no job (spindle-process-tree.c) */
  guint32               held_sample;     /* 1 << prop id: sampled, not yet announced */
};

enum {
  SPINDLE_WORKER_PROP_0,
  SPINDLE_WORKER_PROP_ID,
  SPINDLE_WORKER_PROP_NAME,
  SPINDLE_WORKER_PROP_KIND,
  SPINDLE_WORKER_PROP_TID,
  SPINDLE_WORKER_PROP_STATE,
  SPINDLE_WORKER_PROP_STOP_REASON,
  SPINDLE_WORKER_PROP_STARTED_AT,
  SPINDLE_WORKER_PROP_FINISHED_AT,
  SPINDLE_WORKER_PROP_PHASE,
  SPINDLE_WORKER_PROP_PROGRESS,
  SPINDLE_WORKER_PROP_WAITING_FOR,
  SPINDLE_WORKER_PROP_CLEANUP_REPORT,
  SPINDLE_WORKER_PROP_RESULT,
  SPINDLE_WORKER_PROP_ERROR,
  SPINDLE_WORKER_PROP_PARENT,
  SPINDLE_WORKER_PROP_CHILDREN,
  SPINDLE_WORKER_PROP_DEADLINE,
  SPINDLE_WORKER_PROP_ESCALATION_AT,
  SPINDLE_WORKER_PROP_ESCALATION,
  SPINDLE_WORKER_PROP_UNRESPONSIVE,
  SPINDLE_WORKER_PROP_CPU_TIME,
  SPINDLE_WORKER_PROP_CPU_PERCENT,
  SPINDLE_WORKER_PROP_KERNEL_STATE,
  SPINDLE_WORKER_PROP_WAIT_CHANNEL,
  SPINDLE_WORKER_PROP_SYSCALL,
  SPINDLE_WORKER_PROP_IN_COMPUTE,
  SPINDLE_WORKER_N_PROPS
};

enum {
  SPINDLE_WORKER_STOP_REQUESTED,
  SPINDLE_WORKER_CANCEL_REQUESTED,
  SPINDLE_WORKER_ESCALATED,
  SPINDLE_WORKER_CLEANUP_STARTED,
  SPINDLE_WORKER_CLEANUP_STEP,
  SPINDLE_WORKER_CLEANUP_FINISHED,
  SPINDLE_WORKER_FINISHED,
  SPINDLE_WORKER_N_SIGNALS
};


typedef struct
{
  SpindleWorkerSet *set;
  SpindleWorker    *parent;
  guint64           id;
  const char       *name;
  const char       *kind;
  SpindleJob       *job;
  GMainContext     *context;
  GThread          *owner;
  gint64            deadline_usec;   /* relative; <= 0: none */
  gint64            stop_grace;
  gint64            cancel_grace;
} SpindleWorkerSetup;

SpindleWorker *_spindle_worker_new          (const SpindleWorkerSetup *setup);
void           _spindle_worker_notify       (SpindleWorker     *worker,
                                             guint              prop_id);
gboolean       _spindle_worker_replace_string (char            **field,
                                               const char       *value);
void           _spindle_worker_set_string   (SpindleWorker     *worker,
                                             char             **field,
                                             const char        *value,
                                             guint              prop_id);
void           _spindle_worker_emit_escalated (SpindleWorker   *worker,
                                             SpindleEscalation  escalation);
void           _spindle_worker_emit_requested (SpindleWorker   *worker,
                                             guint              signal_id,
                                             SpindleStopReason  reason);
void           _spindle_worker_set_state    (SpindleWorker     *worker,
                                             SpindleWorkerState state);
void           _spindle_worker_set_stop_reason (SpindleWorker  *worker,
                                             SpindleStopReason  reason);
void           _spindle_worker_fail_start   (SpindleWorker     *worker,
                                             const GError      *error);
void           _spindle_worker_handle_event (SpindleWorker     *worker,
                                             SpindleEvent      *event);

/* spindle-worker-requests.c */
void           _spindle_worker_request_stop (SpindleWorker     *worker,
                                             SpindleStopReason  reason);
void           _spindle_worker_force_cancel (SpindleWorker     *worker,
                                             SpindleStopReason  reason);
void           _spindle_worker_disown       (SpindleWorker     *worker);
void           _spindle_worker_add_child    (SpindleWorker     *worker,
                                             SpindleWorker     *child);

/* spindle-worker-sample.c */
typedef struct
{
  gint64      cpu_time;       /* ns */
  gint64      at;             /* µs */
  gboolean    in_compute;
  gboolean    detailed;       /* the /proc fields below were read */
  char        kernel_state;
  const char *wait_channel;
  const char *syscall;
} SpindleSample;

void           _spindle_worker_record       (SpindleWorker     *worker,
                                             SpindleHistoryKind kind);
void           _spindle_worker_apply_sample (SpindleWorker     *worker,
                                             const SpindleSample *sample);
void           _spindle_worker_clear_sample (SpindleWorker     *worker);
void           _spindle_worker_clear_details (SpindleWorker    *worker);
void           _spindle_worker_hold_sample  (SpindleWorker     *worker);
void           _spindle_worker_release_sample (SpindleWorker   *worker);

/* spindle-worker-escalation.c */
void           _spindle_worker_arm          (SpindleWorker     *worker,
                                             SpindleEscalation  escalation,
                                             gint64             at);
void           _spindle_worker_disarm       (SpindleWorker     *worker);
void           _spindle_worker_on_stop      (SpindleWorker     *worker,
                                             SpindleStopReason  reason);
void           _spindle_worker_on_cancel    (SpindleWorker     *worker);
void           _spindle_worker_on_cleaning  (SpindleWorker     *worker);
void           _spindle_worker_on_step      (SpindleWorker     *worker);

G_END_DECLS
