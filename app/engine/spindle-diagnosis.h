/* spindle-diagnosis.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include "spindle-worker.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleReach:
 * @SPINDLE_REACH_NONE: over, or nothing to say
 * @SPINDLE_REACH_STOP: a stop wakes it at once
 * @SPINDLE_REACH_CANCEL: only force-cancel reaches it, at once
 * @SPINDLE_REACH_NEXT_CHECK: it sees a stop at its next check only
 * @SPINDLE_REACH_NOTHING: neither a stop nor a force-cancel can reach it
 * @SPINDLE_REACH_UNKNOWN: Spindle cannot tell; the advice says what it
 *   depends on
 *
 * What will reach a worker where it is now.
 */
typedef enum
{
  SPINDLE_REACH_NONE,        /* over, or nothing to say */
  SPINDLE_REACH_STOP,        /* a stop wakes it at once */
  SPINDLE_REACH_CANCEL,      /* only force-cancel reaches it, at once */
  SPINDLE_REACH_NEXT_CHECK,  /* it sees a stop at its next check only */
  SPINDLE_REACH_NOTHING,     /* neither a stop nor a cancel can reach it */
  SPINDLE_REACH_UNKNOWN,     /* Spindle cannot tell: the advice says what it depends on */
} SpindleReach;

/**
 * SpindleCallSite:
 * @SPINDLE_CALL_SITE_UNKNOWN: not read, or not recognised
 * @SPINDLE_CALL_SITE_RAW_SYSCALL: through syscall(), never a cancellation
 *   point (GLib's g_cond_wait() and g_mutex_lock())
 * @SPINDLE_CALL_SITE_CANCEL_POINT: in the C library's cancellable wait
 *   (sem_wait(), pthread_cond_wait(), pthread_join()…)
 *
 * Where in user space the thread made its system call, when Spindle can
 * tell: the kernel alone cannot say whether a futex wait is a cancellation
 * point.
 */
typedef enum
{
  SPINDLE_CALL_SITE_UNKNOWN,       /* not read, or not recognised */
  SPINDLE_CALL_SITE_RAW_SYSCALL,   /* through syscall(), never a cancellation point:
                                    * GLib's g_cond_wait() and g_mutex_lock() */
  SPINDLE_CALL_SITE_CANCEL_POINT,  /* in the C library's cancellable wait: sem_wait(),
                                    * pthread_cond_wait(), pthread_join()… */
} SpindleCallSite;

/**
 * SpindleCancellableUse:
 * @SPINDLE_CANCELLABLE_UNUSED: never handed out: no GIO call can have it
 * @SPINDLE_CANCELLABLE_HANDED_OUT: handed out; whether the call polls it is
 *   unknown
 * @SPINDLE_CANCELLABLE_POLLED: the thread's poll set holds it: a stop wakes
 *   the call
 * @SPINDLE_CANCELLABLE_NOT_POLLED: handed out, but not in the thread's poll
 *   set
 *
 * What became of the job's #GCancellable, which a stop cancels.
 */
typedef enum
{
  SPINDLE_CANCELLABLE_UNUSED,      /* never handed out: no GIO call can have it */
  SPINDLE_CANCELLABLE_HANDED_OUT,  /* handed out; whether the call polls it is unknown */
  SPINDLE_CANCELLABLE_POLLED,      /* the thread's poll set holds it: a stop wakes the call */
  SPINDLE_CANCELLABLE_NOT_POLLED,  /* handed out, but not in the thread's poll set */
} SpindleCancellableUse;

/**
 * SpindleDiagnosisInput:
 * @state: the worker's state
 * @in_compute: inside spindle_job_enter_compute()
 * @in_wait: inside one of the engine's waits
 * @held_since: monotonic µs the body's spindle_job_hold_cancel() began; 0:
 *   not held
 * @cancellable: what became of the job's cancellable
 * @call_site: where the blocking call was made
 * @kernel_state: the letter from /proc (R, S, D…); 0: not sampled
 * @wait_channel: (nullable): the kernel's wait channel; %NULL: none or not
 *   sampled
 * @syscall: (nullable): "read", "running", "syscall 999"; %NULL: none
 * @now: monotonic µs the inputs are from; 0: now
 * @foreign_body: the body has a runtime of its own
 *   (%SPINDLE_SPAWN_FLAGS_FOREIGN_BODY): it is interrupted, never cancelled
 *
 * What the engine and the kernel say of a worker at one moment, for
 * spindle_diagnose().
 */
typedef struct
{
  SpindleWorkerState     state;
  gboolean               in_compute;    /* inside spindle_job_enter_compute() */
  gboolean               in_wait;       /* inside one of the engine's waits */
  gint64                 held_since;    /* monotonic µs spindle_job_hold_cancel() began; 0: not held */
  SpindleCancellableUse  cancellable;
  SpindleCallSite        call_site;
  char                   kernel_state;  /* the letter from /proc (R, S, D…); 0: not sampled */
  const char            *wait_channel;  /* NULL: none or not sampled */
  const char            *syscall;       /* "read", "running", "syscall 999"; NULL: none */
  gint64                 now;           /* monotonic µs the inputs are from; 0: now */
  gboolean               foreign_body;  /* SPINDLE_SPAWN_FLAGS_FOREIGN_BODY: interrupted, never cancelled */
} SpindleDiagnosisInput;

#define SPINDLE_TYPE_DIAGNOSIS_INPUT (spindle_diagnosis_input_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType                  spindle_diagnosis_input_get_type (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleDiagnosisInput *spindle_diagnosis_input_new      (void);
SPINDLE_AVAILABLE_IN_ALL
SpindleDiagnosisInput *spindle_diagnosis_input_copy     (const SpindleDiagnosisInput *input);
SPINDLE_AVAILABLE_IN_ALL
void                   spindle_diagnosis_input_free     (SpindleDiagnosisInput       *input);
SPINDLE_AVAILABLE_IN_ALL
void                   spindle_diagnosis_input_set_wait_channel (SpindleDiagnosisInput *input,
                                                                 const char            *wait_channel);
SPINDLE_AVAILABLE_IN_ALL
void                   spindle_diagnosis_input_set_syscall      (SpindleDiagnosisInput *input,
                                                                 const char            *syscall);

#define SPINDLE_TYPE_DIAGNOSIS (spindle_diagnosis_get_type ())

/**
 * SpindleDiagnosis:
 * @reach: what will reach the worker
 * @summary: where it is ("blocked on a futex through syscall()…")
 * @advice: what to do about it
 *
 * Why a worker is still running, and what will reach it.
 */
typedef struct
{
  SpindleReach  reach;
  char         *summary;   /* "blocked on a futex through syscall() (…)" */
  char         *advice;    /* "neither a stop nor force-cancel can interrupt it — use …" */
} SpindleDiagnosis;

SPINDLE_AVAILABLE_IN_ALL
GType             spindle_diagnosis_get_type    (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleDiagnosis *spindle_diagnosis_copy        (const SpindleDiagnosis      *diagnosis);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_diagnosis_free        (SpindleDiagnosis            *diagnosis);

SPINDLE_AVAILABLE_IN_ALL
SpindleDiagnosis *spindle_diagnose              (const SpindleDiagnosisInput *input);
SPINDLE_AVAILABLE_IN_ALL
SpindleDiagnosis *spindle_worker_diagnose       (SpindleWorker               *worker);
SPINDLE_AVAILABLE_IN_ALL
SpindleDiagnosis *spindle_worker_diagnose_now   (SpindleWorker               *worker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleDiagnosis, spindle_diagnosis_free)

G_END_DECLS
