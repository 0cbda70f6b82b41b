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

typedef struct _SpindleJob            SpindleJob;
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

#define SPINDLE_WORKER_N_STATES (SPINDLE_WORKER_STATE_ABANDONED + 1)

typedef enum
{
  SPINDLE_STOP_REASON_NONE,
  SPINDLE_STOP_REASON_USER,
  SPINDLE_STOP_REASON_TIMEOUT,
  SPINDLE_STOP_REASON_PARENT,
  SPINDLE_STOP_REASON_SHUTDOWN,
} SpindleStopReason;

/* What happens at a worker's escalation-at time. */
typedef enum
{
  SPINDLE_ESCALATION_NONE,
  SPINDLE_ESCALATION_STOP,
  SPINDLE_ESCALATION_CANCEL,
  SPINDLE_ESCALATION_UNRESPONSIVE,
} SpindleEscalation;

typedef enum
{
  SPINDLE_CLEANUP_OUTCOME_OK,
  SPINDLE_CLEANUP_OUTCOME_FAILED,
  SPINDLE_CLEANUP_OUTCOME_NOT_RUN,
} SpindleCleanupOutcome;

typedef enum
{
  SPINDLE_ERROR_THREAD_CREATE,
  SPINDLE_ERROR_INVALID_ARGUMENT,
  SPINDLE_ERROR_CLEANUP_FAILED,
  SPINDLE_ERROR_UNKNOWN_KIND,
  SPINDLE_ERROR_SHUTDOWN_INCOMPLETE,
  SPINDLE_ERROR_LOCK_TAINTED,
} SpindleError;

/* Everything but the body, for spindle_worker_set_spawn_full() and
 * spindle_job_spawn_child_full(). Zero means "the set's default" (a
 * child's: its parent's) for every field.
 */
typedef struct
{
  const char    *kind;
  gsize          stack_size;
  gint64         deadline_usec;      /* from spawn; < 0: none, even if the set has a default */
  gint64         stop_grace_usec;
  gint64         cancel_grace_usec;
} SpindleSpawnOptions;

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
