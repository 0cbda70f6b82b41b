/* spindle-worker-requests.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-remote-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* What is asked of a worker: a stop, a force-cancel, each passed to its
 * children first (and to a child that appears after the request), and its
 * set's going away. A worker of another program (spindle-remote.c) passes
 * them on to it; a process of a process worker's tree hears of them only
 * through the worker's helper.
 */


static void
request_children (SpindleWorker *self,
                  gboolean       force)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->children));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (G_LIST_MODEL (self->children), i);

      if (force)
        _spindle_worker_force_cancel (child, SPINDLE_STOP_REASON_PARENT);
      else
        _spindle_worker_request_stop (child, SPINDLE_STOP_REASON_PARENT);
    }
}

static gboolean
can_stop (SpindleWorker *self)
{
  return self->state == SPINDLE_WORKER_STATE_STARTING ||
         self->state == SPINDLE_WORKER_STATE_RUNNING;
}

static gboolean
can_cancel (SpindleWorker *self)
{
  return can_stop (self) || self->state == SPINDLE_WORKER_STATE_STOPPING;
}

/* Children hear of a request before their parent does; a handler of
 * theirs may end the parent first (force-cancel or abandon it), and the
 * request then has nothing left to do.
 */
void
_spindle_worker_request_stop (SpindleWorker     *worker,
                              SpindleStopReason  reason)
{
  g_autoptr(SpindleWorker) self = g_object_ref (worker);

  /* a process of a process worker's tree: only the worker's requests
   * reach it, through the worker's helper */
  if (self->tree_process || _spindle_remote_forward (self, SPINDLE_REMOTE_STOP))
    return;

  if (!can_stop (self))
    return;

  request_children (self, FALSE);
  if (!can_stop (self))
    return;

  _spindle_job_request_stop (self->job);
  _spindle_worker_set_stop_reason (self, reason);
  _spindle_worker_set_state (self, SPINDLE_WORKER_STATE_STOPPING);
  _spindle_worker_on_stop (self, reason);
  _spindle_worker_emit_requested (self, SPINDLE_WORKER_STOP_REQUESTED, reason);
}

void
_spindle_worker_force_cancel (SpindleWorker     *worker,
                              SpindleStopReason  reason)
{
  g_autoptr(SpindleWorker) self = g_object_ref (worker);

  if (self->tree_process || _spindle_remote_forward (self, SPINDLE_REMOTE_FORCE_CANCEL))
    return;

  if (!can_cancel (self))
    return;

  request_children (self, TRUE);
  if (!can_cancel (self))
    return;

  _spindle_job_force_cancel (self->job);
  if (self->stop_reason == SPINDLE_STOP_REASON_NONE)
    _spindle_worker_set_stop_reason (self, reason);
  _spindle_worker_set_state (self, SPINDLE_WORKER_STATE_CANCELLING);
  _spindle_worker_on_cancel (self);
  _spindle_worker_emit_requested (self, SPINDLE_WORKER_CANCEL_REQUESTED, reason);
  if (_spindle_job_is_foreign (self->job) && self->set != NULL)
    _spindle_worker_set_emit_interrupt (self->set, self, g_atomic_int_get (&self->job->tid));
}

/**
 * spindle_worker_request_stop:
 *
 * Asks the worker, and its children first, to stop: spindle_job_should_stop()
 * turns TRUE, and the engine's waits and the job's GCancellable wake at once.
 * Does nothing once a request was made or the worker is cleaning up or over.
 */
void
spindle_worker_request_stop (SpindleWorker *self)
{
  g_return_if_fail (SPINDLE_IS_WORKER (self));
  SPINDLE_RETURN_IF_NOT_OWNER (self->owner);

  _spindle_worker_request_stop (self, SPINDLE_STOP_REASON_USER);
}

/**
 * spindle_worker_force_cancel:
 *
 * Cancels the worker's thread, and its children's first (pthread_cancel): it
 * unwinds at its next cancellation point, or at once inside a compute
 * region, and its cleanup runs. Does nothing once cancelling, cleaning up or
 * over.
 *
 * A foreign body (%SPINDLE_SPAWN_FLAGS_FOREIGN_BODY) is never cancelled:
 * it is interrupted instead (a stop request, its cancellable cancelled,
 * the engine's waits woken, and #SpindleWorkerSet::interrupt for its
 * binding to raise an exception in it). One that ends because of it ends
 * %SPINDLE_WORKER_STATE_CANCELLED; one that ignores it is reported
 * unresponsive after the cancel grace period.
 */
void
spindle_worker_force_cancel (SpindleWorker *self)
{
  g_return_if_fail (SPINDLE_IS_WORKER (self));
  SPINDLE_RETURN_IF_NOT_OWNER (self->owner);

  _spindle_worker_force_cancel (self, SPINDLE_STOP_REASON_USER);
}

/* The set is going away while the thread may still run: let it finish on
 * its own, reporting to nobody.
 */
void
_spindle_worker_disown (SpindleWorker *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->children));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (G_LIST_MODEL (self->children), i);

      _spindle_worker_disown (child);
    }

  self->set = NULL;
  _spindle_worker_disarm (self);

  if (self->job == NULL)
    return;

  _spindle_job_set_worker (self->job, NULL);
  if (spindle_worker_state_is_live (self->state))
    _spindle_job_disown (self->job);
  else
    _spindle_job_detach (self->job);
}

void
_spindle_worker_add_child (SpindleWorker *self,
                           SpindleWorker *child)
{
  g_list_store_append (self->children, child);

  /* a request the parent had before the child appeared */
  if (self->state == SPINDLE_WORKER_STATE_CANCELLING)
    _spindle_worker_force_cancel (child, SPINDLE_STOP_REASON_PARENT);
  else if (self->state != SPINDLE_WORKER_STATE_RUNNING || g_atomic_int_get (&child->job->requests))
    _spindle_worker_request_stop (child, SPINDLE_STOP_REASON_PARENT);
}
