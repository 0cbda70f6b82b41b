/* spindle-worker-accessors.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-worker-private.h"

/* The getters of a worker's properties, read on the set's main context
 * like every field (those the sampler sets are in spindle-worker-sample.c).
 */


/**
 * spindle_worker_get_id:
 * @worker: a worker
 *
 * The worker's id: unique in the process, increasing with each spawn.
 *
 * Returns: the id
 */
guint64
spindle_worker_get_id (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->id;
}

/**
 * spindle_worker_get_name:
 * @worker: a worker
 *
 * The name given at spawn.
 *
 * Returns: (transfer none): the name
 */
const char *
spindle_worker_get_name (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->name;
}

/**
 * spindle_worker_get_kind:
 * @worker: a worker
 *
 * The worker's kind ("custom" unless its spawn options named one).
 *
 * Returns: (transfer none): the kind
 */
const char *
spindle_worker_get_kind (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->kind;
}

/**
 * spindle_worker_get_tid:
 * @worker: a worker
 *
 * The kernel thread id of the worker's thread, once it started.
 *
 * Returns: the thread id, or 0 before the thread started
 */
int
spindle_worker_get_tid (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->tid;
}

/**
 * spindle_worker_get_state:
 * @worker: a worker
 *
 * Where the worker is in its life: see #SpindleWorkerState.
 *
 * Returns: the state
 */
SpindleWorkerState
spindle_worker_get_state (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), SPINDLE_WORKER_STATE_FAILED);
  return self->state;
}

/**
 * spindle_worker_get_stop_reason:
 * @worker: a worker
 *
 * Why the worker was asked to stop or was force-cancelled.
 *
 * Returns: the reason, %SPINDLE_STOP_REASON_NONE before any request
 */
SpindleStopReason
spindle_worker_get_stop_reason (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), SPINDLE_STOP_REASON_NONE);
  return self->stop_reason;
}

/**
 * spindle_worker_get_started_at:
 * @worker: a worker
 *
 * When the worker was spawned.
 *
 * Returns: a g_get_monotonic_time() reading, in µs
 */
gint64
spindle_worker_get_started_at (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->started_at;
}

/**
 * spindle_worker_get_finished_at:
 * @worker: a worker
 *
 * When the worker reached its terminal state.
 *
 * Returns: a g_get_monotonic_time() reading in µs, or 0 while it is live
 */
gint64
spindle_worker_get_finished_at (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->finished_at;
}

/**
 * spindle_worker_get_elapsed:
 * @worker: a worker
 * @now: a g_get_monotonic_time() reading
 *
 * How long the worker has lived, frozen once it is over.
 *
 * Returns: µs from spawn to @now, or to the finish once there is one
 */
gint64
spindle_worker_get_elapsed (SpindleWorker *self,
                            gint64         now)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);

  if (self->finished_at != 0)
    now = self->finished_at;

  return MAX (0, now - self->started_at);
}

/**
 * spindle_worker_get_phase:
 * @worker: a worker
 *
 * What the body said it is doing, with spindle_job_set_phase().
 *
 * Returns: (transfer none) (nullable): the phase
 */
const char *
spindle_worker_get_phase (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->phase;
}

/**
 * spindle_worker_get_progress:
 * @worker: a worker
 *
 * How far the body said it is, with spindle_job_set_progress().
 *
 * Returns: a fraction from 0 to 1
 */
double
spindle_worker_get_progress (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0.0);
  return self->progress;
}

/**
 * spindle_worker_get_waiting_for:
 * @worker: a worker
 *
 * What the worker waits for inside the engine now: a tracked lock, its
 * children.
 *
 * Returns: (transfer none) (nullable): a description, e.g. “lock “ledger”
 *   held by “ledger 2””, or %NULL
 */
const char *
spindle_worker_get_waiting_for (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->waiting_for;
}

/**
 * spindle_worker_get_cleanup_report:
 * @worker: a worker
 *
 * What the worker's cleanup did, step by step, once it is over.
 *
 * Returns: (transfer none) (nullable): the report, or %NULL before the cleanup ended
 */
SpindleCleanupReport *
spindle_worker_get_cleanup_report (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->cleanup_report;
}

/**
 * spindle_worker_get_result:
 * @worker: a worker
 *
 * The value the body returned.
 *
 * Returns: (transfer none) (nullable): the result, or %NULL
 */
GVariant *
spindle_worker_get_result (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->result;
}

/**
 * spindle_worker_get_error:
 * @worker: a worker
 *
 * The error the body returned, or why it could not start.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL
 */
const GError *
spindle_worker_get_error (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->error;
}

/**
 * spindle_worker_get_parent:
 * @worker: a worker
 *
 * The worker whose body spawned this one.
 *
 * Returns: (transfer none) (nullable): the parent, or %NULL for a top-level
 *   worker
 */
SpindleWorker *
spindle_worker_get_parent (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->parent;
}

/**
 * spindle_worker_get_children:
 * @worker: a worker
 *
 * The workers its body spawned, in spawn order.
 *
 * Returns: (transfer none): a list of #SpindleWorker
 */
GListModel *
spindle_worker_get_children (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return G_LIST_MODEL (self->children);
}

/**
 * spindle_worker_is_terminal:
 * @worker: a worker
 *
 * Whether the worker is over: finished, failed, stopped, cancelled or abandoned.
 *
 * Returns: %TRUE once the worker is in a terminal state
 */
gboolean
spindle_worker_is_terminal (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), TRUE);
  return spindle_worker_state_is_terminal (self->state);
}

/**
 * spindle_worker_get_deadline:
 * @worker: a worker
 *
 * When the worker will be asked to stop on its own.
 *
 * Returns: a g_get_monotonic_time() reading in µs, or 0 without a deadline
 */
gint64
spindle_worker_get_deadline (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->deadline;
}

/**
 * spindle_worker_get_escalation_at:
 * @worker: a worker
 *
 * When the next automatic escalation (spindle_worker_get_escalation()) is due.
 *
 * Returns: a g_get_monotonic_time() reading in µs, or 0 if none is armed
 */
gint64
spindle_worker_get_escalation_at (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->escalation_at;
}

/**
 * spindle_worker_get_escalation:
 * @worker: a worker
 *
 * What happens at spindle_worker_get_escalation_at(): a stop at the deadline, a force-cancel after the stop grace, or the unresponsive mark after the cancel grace.
 *
 * Returns: the pending escalation
 */
SpindleEscalation
spindle_worker_get_escalation (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), SPINDLE_ESCALATION_NONE);
  return self->escalation;
}

/**
 * spindle_worker_get_unresponsive:
 * @worker: a worker
 *
 * Whether a grace period passed without the worker ending or making progress in its cleanup. Such a worker can be abandoned.
 *
 * Returns: %TRUE if it is unresponsive
 */
gboolean
spindle_worker_get_unresponsive (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), FALSE);
  return self->unresponsive;
}
