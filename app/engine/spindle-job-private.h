/* spindle-job-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <pthread.h>

#include "spindle-cleanup-report.h"
#include "spindle-dispatch-private.h"
#include "spindle-job.h"
#include "spindle-lock.h"

G_BEGIN_DECLS

/* Bits of SpindleJob.requests. */
#define SPINDLE_JOB_REQUEST_STOP   (1 << 0)
#define SPINDLE_JOB_REQUEST_CANCEL (1 << 1)

/* What a wait ended on. */
typedef enum
{
  SPINDLE_WAIT_READY,
  SPINDLE_WAIT_WOKEN,
  SPINDLE_WAIT_TIMEOUT,
  SPINDLE_WAIT_STOPPED,
  SPINDLE_WAIT_ERROR,
} SpindleWaitResult;

typedef struct
{
  guint               id;
  char               *label;
  SpindleCleanupFunc  func;
  gpointer            user_data;
  GDestroyNotify      destroy;
} SpindleCleanupEntry;

/* A step the body has done: popped and run, or recorded as done. The
 * process it is about goes with it to the report, beside its words. */
typedef struct
{
  SpindleCleanupStep  step;
  int                 pid;         /* 0: about no process */
  char               *process_name;
} SpindleRanStep;

/* The part of a worker its thread may touch. The thread and the main thread
 * share it through the atomics and the mutex below; the GObject side
 * (SpindleWorker) stays on the main thread. spindle-job.c owns the life
 * cycle and the waits, spindle-job-children.c the children, spindle-lock.c
 * the tracked locks.
 */
struct _SpindleJob
{
  int               requests;      /* atomic: first, for the inline spindle_job_should_stop() */
  gatomicrefcount   ref_count;
  SpindleDispatch  *dispatch;
  SpindleJob       *parent;        /* owned, constant */
  char             *name;
  SpindleJobFunc    func;
  gpointer          user_data;
  GDestroyNotify    destroy;
  gsize             stack_size;
  gint64            stop_grace;    /* µs, for the children's end */
  gint64            cancel_grace;
  char             *kind;          /* a child's, for its worker; NULL: "child" */
  gint64            deadline_usec; /* a child's, for its worker */
  gboolean          foreign;       /* constant: its body has a runtime of its own, never pthread_cancel it */

  int               dirty;         /* atomic: a DIRTY event is queued */
  int               in_compute;    /* atomic: the body is inside a compute region */
  int               in_wait;       /* atomic: the body sits in one of the engine's waits */
  int               tid;           /* atomic */
  int               terminal;      /* atomic: a SpindleWorkerState once over, else -1 */
  int               abandoned;     /* atomic */
  int               start_pending; /* atomic: a starter thread has yet to create its thread */
  int               hold_depth;    /* the thread's own: spindle_job_hold_cancel() */
  int               held_state;
  int               compute_depth; /* the thread's own: spindle_job_enter_compute() */
  gint64            held_since;    /* atomic (__atomic): monotonic µs the outer hold began, 0: none */

  GMutex            lock;          /* guards what follows */
  GCond             child_ended;   /* with lock: one of children ended */
  int               wake_fd;
  GCancellable     *cancellable;
  char             *phase;
  double            progress;
  char             *waiting_for;
  GArray           *cleanups;      /* SpindleCleanupEntry, the top last */
  GArray           *ran_early;     /* SpindleRanStep: popped with run, or recorded */
  const char       *running_step;  /* the label of the step running now */
  guint             last_cleanup_id;
  GPtrArray        *children;      /* SpindleJob, owned until this job ends */
  GPtrArray        *held_locks;    /* SpindleLock, in the order taken */
  pthread_t         thread;
  gpointer          stack;         /* the thread's, if the starter's: see _spindle_starter_take_stack () */
  gboolean          thread_live;   /* created, and neither joined nor detached */
  gboolean          disowned;      /* no worker will ever join it: detach at start */
  gboolean          ending;        /* the body is over: no new children or steps */

  gpointer          worker;        /* main thread only */
};

SpindleJob           *_spindle_job_new            (SpindleDispatch  *dispatch,
                                                   SpindleJob       *parent,
                                                   const char       *name,
                                                   SpindleJobFunc    func,
                                                   gpointer          user_data,
                                                   GDestroyNotify    destroy);
SpindleJob           *_spindle_job_ref            (SpindleJob       *job);
void                  _spindle_job_unref          (SpindleJob       *job);
gboolean              _spindle_job_start          (SpindleJob       *job,
                                                   GError          **error);
guint                 _spindle_job_get_n_threads  (void);
void                  _spindle_job_set_start_pending (SpindleJob    *job);
gboolean              _spindle_job_take_start_pending (SpindleJob   *job);
void                  _spindle_job_request_stop   (SpindleJob       *job);
void                  _spindle_job_force_cancel   (SpindleJob       *job);
void                  _spindle_job_join           (SpindleJob       *job);
void                  _spindle_job_detach         (SpindleJob       *job);
void                  _spindle_job_disown         (SpindleJob       *job);
SpindleCleanupReport *_spindle_job_abandon        (SpindleJob       *job);
gpointer              _spindle_job_get_worker     (SpindleJob       *job);
gboolean              _spindle_job_get_in_compute (SpindleJob       *job);
gboolean              _spindle_job_get_in_wait    (SpindleJob       *job);
gboolean              _spindle_job_is_foreign     (SpindleJob       *job);
gint64                _spindle_job_get_held_since (SpindleJob       *job);
void                  _spindle_job_set_worker     (SpindleJob       *job,
                                                   gpointer          worker);
void                  _spindle_job_take_progress  (SpindleJob       *job,
                                                   char            **phase,
                                                   double           *progress,
                                                   char            **waiting_for);
void                  _spindle_job_post           (SpindleJob       *job,
                                                   SpindleEvent     *event);
void                  _spindle_job_mark_dirty     (SpindleJob       *job);
void                  _spindle_job_add_step       (SpindleJob            *job,
                                                   SpindleCleanupReport  *report,
                                                   const char            *label,
                                                   SpindleCleanupOutcome  outcome,
                                                   const char            *message,
                                                   gint64                 duration_usec);
void                  _spindle_job_set_waiting_for (SpindleJob      *job,
                                                   const char       *waiting_for);

void                  _spindle_job_forget_unwound_frames (void);
int                   _spindle_job_block_cancel   (void);
void                  _spindle_job_restore_cancel (int               old_state);
int                   _spindle_job_get_wake_fd    (SpindleJob       *job);
void                  _spindle_job_wake           (SpindleJob       *job);
SpindleWaitResult     _spindle_job_wait           (SpindleJob       *job,
                                                   int               fd,
                                                   short             events,
                                                   gint64            timeout_usec,
                                                   gboolean          return_on_wake,
                                                   int               cancel_state);
gboolean              _spindle_job_wait_result_to_error (SpindleWaitResult result,
                                                   int               saved_errno,
                                                   GError          **error);

/* spindle-job-cleanup.c */
void                  _spindle_job_clear_cleanup_entry (SpindleCleanupEntry *entry);
GArray               *_spindle_job_new_ran_early  (void);
void                  _spindle_job_record_process_step (SpindleJob *job,
                                                        const char *label,
                                                        int         pid,
                                                        const char *name);
void                  _spindle_job_run_cleanups   (SpindleJob            *job,
                                                   SpindleCleanupReport  *report);

/* spindle-job-children.c */
GPtrArray            *_spindle_job_dup_children   (SpindleJob       *job);
void                  _spindle_job_settle_children (SpindleJob      *job,
                                                   SpindleCleanupReport *report);
void                  _spindle_job_report_ended   (SpindleJob       *job,
                                                   SpindleWorkerState terminal);

/* spindle-lock.c */
void                  _spindle_job_release_locks  (SpindleJob       *job,
                                                   gboolean          unwound,
                                                   SpindleCleanupReport *report);
void                  _spindle_job_report_held_locks (SpindleJob    *job,
                                                   SpindleCleanupReport *report);

G_END_DECLS
