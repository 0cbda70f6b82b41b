/* spindle-types.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <glib-object.h>

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleJob:
 *
 * A worker as its body sees it, on the worker's own thread: the stop check,
 * the waits that a stop wakes, the cleanup stack, tracked locks, children,
 * phase and progress. Only the worker's body may call its functions.
 */
typedef struct _SpindleJob            SpindleJob;

/**
 * SpindleCleanupReport:
 *
 * What a worker's cleanup did: each step with its outcome and duration,
 * the fate of its children and the locks it left tainted.
 */
typedef struct _SpindleCleanupReport  SpindleCleanupReport;
typedef struct _SpindleWorker         SpindleWorker;
typedef struct _SpindleWorkerSet      SpindleWorkerSet;

/**
 * SpindleWorkerState:
 * @SPINDLE_WORKER_STATE_STARTING: the thread is being created
 * @SPINDLE_WORKER_STATE_RUNNING: the job body runs
 * @SPINDLE_WORKER_STATE_STOPPING: a cooperative stop was requested
 * @SPINDLE_WORKER_STATE_CANCELLING: a force-cancel was requested
 * @SPINDLE_WORKER_STATE_CLEANING: the cleanup steps run
 * @SPINDLE_WORKER_STATE_FINISHED: returned without a request
 * @SPINDLE_WORKER_STATE_FAILED: returned an error, or could not start
 * @SPINDLE_WORKER_STATE_STOPPED: returned after a stop request
 * @SPINDLE_WORKER_STATE_CANCELLED: unwound by force-cancel
 * @SPINDLE_WORKER_STATE_ABANDONED: never died; detached, resources leaked
 *
 * Where a worker is in its life. It moves forward only, and ends in one of
 * the terminal states (finished, failed, stopped, cancelled, abandoned).
 */
typedef enum
{
  SPINDLE_WORKER_STATE_STARTING,
  SPINDLE_WORKER_STATE_RUNNING,
  SPINDLE_WORKER_STATE_STOPPING,
  SPINDLE_WORKER_STATE_CANCELLING,
  SPINDLE_WORKER_STATE_CLEANING,
  SPINDLE_WORKER_STATE_FINISHED,
  SPINDLE_WORKER_STATE_FAILED,
  SPINDLE_WORKER_STATE_STOPPED,
  SPINDLE_WORKER_STATE_CANCELLED,
  SPINDLE_WORKER_STATE_ABANDONED,
} SpindleWorkerState;

/**
 * SPINDLE_WORKER_N_STATES:
 *
 * The number of #SpindleWorkerState values, for tables.
 */
#define SPINDLE_WORKER_N_STATES (SPINDLE_WORKER_STATE_ABANDONED + 1)

/**
 * SpindleStopReason:
 * @SPINDLE_STOP_REASON_NONE: no request yet
 * @SPINDLE_STOP_REASON_USER: the program asked
 * @SPINDLE_STOP_REASON_TIMEOUT: its deadline or a grace period passed
 * @SPINDLE_STOP_REASON_PARENT: its parent was stopped or cancelled
 * @SPINDLE_STOP_REASON_SHUTDOWN: its set is shutting down
 *
 * Why a worker was asked to stop or force-cancelled.
 */
typedef enum
{
  SPINDLE_STOP_REASON_NONE,
  SPINDLE_STOP_REASON_USER,
  SPINDLE_STOP_REASON_TIMEOUT,
  SPINDLE_STOP_REASON_PARENT,
  SPINDLE_STOP_REASON_SHUTDOWN,
} SpindleStopReason;

/**
 * SpindleEscalation:
 * @SPINDLE_ESCALATION_NONE: nothing is armed
 * @SPINDLE_ESCALATION_STOP: a stop, at the deadline
 * @SPINDLE_ESCALATION_CANCEL: a force-cancel, once the stop grace passed
 * @SPINDLE_ESCALATION_UNRESPONSIVE: the unresponsive mark, once the cancel
 *   grace passed
 *
 * What happens at a worker's #SpindleWorker:escalation-at time.
 */
typedef enum
{
  SPINDLE_ESCALATION_NONE,
  SPINDLE_ESCALATION_STOP,
  SPINDLE_ESCALATION_CANCEL,
  SPINDLE_ESCALATION_UNRESPONSIVE,
} SpindleEscalation;

/**
 * SpindleCleanupOutcome:
 * @SPINDLE_CLEANUP_OUTCOME_OK: the step did its work
 * @SPINDLE_CLEANUP_OUTCOME_FAILED: the step returned an error
 * @SPINDLE_CLEANUP_OUTCOME_NOT_RUN: the step never ran (its worker was
 *   abandoned)
 *
 * How one cleanup step went.
 */
typedef enum
{
  SPINDLE_CLEANUP_OUTCOME_OK,
  SPINDLE_CLEANUP_OUTCOME_FAILED,
  SPINDLE_CLEANUP_OUTCOME_NOT_RUN,
} SpindleCleanupOutcome;

/**
 * SpindleError:
 * @SPINDLE_ERROR_THREAD_CREATE: a worker's thread could not be created
 * @SPINDLE_ERROR_INVALID_ARGUMENT: a request the engine refuses (a set
 *   shutting down, a parent already cleaning up)
 * @SPINDLE_ERROR_CLEANUP_FAILED: a cleanup step failed
 * @SPINDLE_ERROR_UNKNOWN_KIND: a kind of worker nobody knows
 * @SPINDLE_ERROR_SHUTDOWN_INCOMPLETE: a shutdown ended with workers that
 *   never died
 * @SPINDLE_ERROR_LOCK_TAINTED: a tracked lock's last holder died holding it
 * @SPINDLE_ERROR_INTERRUPTED: a foreign body ended because it was
 *   force-cancelled (its worker ends %SPINDLE_WORKER_STATE_CANCELLED)
 * @SPINDLE_ERROR_BODY_EXCEPTION: a foreign body raised an exception of its
 *   language that is no #GError (the message names it)
 *
 * The errors of the %SPINDLE_ERROR domain.
 */
typedef enum
{
  SPINDLE_ERROR_THREAD_CREATE,
  SPINDLE_ERROR_INVALID_ARGUMENT,
  SPINDLE_ERROR_CLEANUP_FAILED,
  SPINDLE_ERROR_UNKNOWN_KIND,
  SPINDLE_ERROR_SHUTDOWN_INCOMPLETE,
  SPINDLE_ERROR_LOCK_TAINTED,
  SPINDLE_ERROR_INTERRUPTED,
  SPINDLE_ERROR_BODY_EXCEPTION,
} SpindleError;

/**
 * SpindleExportFlags:
 * @SPINDLE_EXPORT_FLAGS_NONE: read-only: clients see the workers, and
 *   their control methods fail with `dev.spindle.Spindle1.Error.NotAllowed`
 * @SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL: clients may also stop,
 *   force-cancel and abandon the set's workers
 *
 * What spindle_worker_set_export() lets clients of the session bus do.
 */
typedef enum /*< flags >*/
{
  SPINDLE_EXPORT_FLAGS_NONE          = 0,
  SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL = 1 << 0,
} SpindleExportFlags;

/**
 * SpindleSpawnFlags:
 * @SPINDLE_SPAWN_FLAGS_NONE: a body in C (or a language without a runtime
 *   of its own): force-cancel cancels its thread
 * @SPINDLE_SPAWN_FLAGS_FOREIGN_BODY: the body runs in a language with a
 *   runtime of its own (Python): its thread is never cancelled, a
 *   force-cancel interrupts it instead (see #SpindleWorkerSet::interrupt)
 *
 * How a worker's body is run. Language bindings set
 * %SPINDLE_SPAWN_FLAGS_FOREIGN_BODY for the bodies they spawn: cancelling a
 * thread that runs an interpreter skips its `finally` blocks, leaves its
 * locks held and can hang the whole process during a hand-off of its
 * global lock.
 */
typedef enum /*< flags >*/
{
  SPINDLE_SPAWN_FLAGS_NONE         = 0,
  SPINDLE_SPAWN_FLAGS_FOREIGN_BODY = 1 << 0,
} SpindleSpawnFlags;

/**
 * SpindleSpawnOptions:
 * @kind: (nullable): a word that groups workers ("download", "index");
 *   %NULL: "custom" (a child's: "child")
 * @stack_size: the thread's stack size in bytes; 0: the set's (a child's:
 *   its parent's)
 * @deadline_usec: µs from the spawn after which the worker is asked to
 *   stop; 0: the set's default; below 0: none, even if the set has one
 * @stop_grace_usec: µs a stopped worker gets before it is force-cancelled;
 *   0: the set's
 * @cancel_grace_usec: µs a force-cancelled worker gets before it is
 *   reported unresponsive; 0: the set's
 * @flags: how the body is run
 *
 * Everything but the body, for spindle_worker_set_spawn_full() and
 * spindle_job_spawn_child_full(). Zero means "the set's default" (a
 * child's: its parent's) for every field. The options are read during the
 * call only: @kind is copied. On options made by spindle_spawn_options_new(),
 * which own their kind, set it with spindle_spawn_options_set_kind().
 */
typedef struct
{
  const char        *kind;
  gsize              stack_size;
  gint64             deadline_usec;
  gint64             stop_grace_usec;
  gint64             cancel_grace_usec;
  SpindleSpawnFlags  flags;
} SpindleSpawnOptions;

#define SPINDLE_TYPE_SPAWN_OPTIONS (spindle_spawn_options_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType                spindle_spawn_options_get_type (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleSpawnOptions *spindle_spawn_options_new      (void);
SPINDLE_AVAILABLE_IN_ALL
SpindleSpawnOptions *spindle_spawn_options_copy     (const SpindleSpawnOptions *options);
SPINDLE_AVAILABLE_IN_ALL
void                 spindle_spawn_options_free     (SpindleSpawnOptions       *options);
SPINDLE_AVAILABLE_IN_ALL
void                 spindle_spawn_options_set_kind (SpindleSpawnOptions       *options,
                                                     const char                *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleSpawnOptions, spindle_spawn_options_free)

/**
 * SPINDLE_ERROR:
 *
 * The error domain of #SpindleError.
 */
#define SPINDLE_ERROR (spindle_error_quark ())
SPINDLE_AVAILABLE_IN_ALL
GQuark      spindle_error_quark               (void);

SPINDLE_AVAILABLE_IN_ALL
gboolean    spindle_worker_state_is_terminal  (SpindleWorkerState state);
SPINDLE_AVAILABLE_IN_ALL
gboolean    spindle_worker_state_is_live      (SpindleWorkerState state);
SPINDLE_AVAILABLE_IN_ALL
const char *spindle_worker_state_to_string    (SpindleWorkerState state);
SPINDLE_AVAILABLE_IN_ALL
const char *spindle_stop_reason_to_string     (SpindleStopReason  reason);
SPINDLE_AVAILABLE_IN_ALL
const char *spindle_escalation_to_string      (SpindleEscalation  escalation);

G_END_DECLS
