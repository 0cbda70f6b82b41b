/* spindle-worker-set-shutdown.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* Shutting a set down: every worker stopped and escalated regardless of
 * the auto-escalate policy, and each shutdown_async() call answered once no
 * worker is live, or at once when its cancellable is cancelled.
 */

/* A shutdown_async() call not yet resolved. */
typedef struct
{
  GTask   *task;
  GSource *cancelled;   /* on the set's context; NULL without a cancellable */
} PendingShutdown;

static void
pending_shutdown_free (PendingShutdown *pending)
{
  if (pending->cancelled != NULL)
    {
      g_source_destroy (pending->cancelled);
      g_source_unref (pending->cancelled);
    }
  g_object_unref (pending->task);
  g_free (pending);
}

GPtrArray *
_spindle_worker_set_new_shutdowns (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pending_shutdown_free);
}

void
_spindle_worker_set_complete_shutdowns (SpindleWorkerSet *self)
{
  g_autoptr(GPtrArray) pending = g_steal_pointer (&self->shutdowns);

  self->shutdowns = _spindle_worker_set_new_shutdowns ();

  for (guint i = 0; i < pending->len; i++)
    {
      GTask *task = ((PendingShutdown *) g_ptr_array_index (pending, i))->task;

      if (self->n_abandoned > 0)
        g_task_return_new_error (task, SPINDLE_ERROR, SPINDLE_ERROR_SHUTDOWN_INCOMPLETE,
                                 g_dngettext (NULL, "%u worker did not end and was abandoned",
                                              "%u workers did not end and were abandoned",
                                              self->n_abandoned),
                                 self->n_abandoned);
      else
        g_task_return_boolean (task, TRUE);
    }
}

/* As GIO's own calls do: cancelling answers the caller at once with
 * G_IO_ERROR_CANCELLED and leaves the shutdown itself running.
 */
static gboolean
shutdown_cancelled_cb (GCancellable *cancellable,
                       gpointer      user_data)
{
  PendingShutdown *pending = user_data;
  SpindleWorkerSet *self = g_task_get_source_object (pending->task);
  g_autoptr(GTask) task = g_object_ref (pending->task);
  guint position;

  if (g_ptr_array_find (self->shutdowns, pending, &position))
    {
      g_ptr_array_remove_index (self->shutdowns, position);
      g_task_return_error_if_cancelled (task);
    }

  return G_SOURCE_REMOVE;
}

static void
add_pending_shutdown (SpindleWorkerSet *self,
                      GTask            *task)
{
  PendingShutdown *pending = g_new0 (PendingShutdown, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  pending->task = g_object_ref (task);
  if (cancellable != NULL)
    {
      pending->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_static_name (pending->cancelled, "[spindle] shutdown cancelled");
      g_source_set_callback (pending->cancelled, G_SOURCE_FUNC (shutdown_cancelled_cb), pending, NULL);
      g_source_attach (pending->cancelled, self->context);
    }

  g_ptr_array_add (self->shutdowns, pending);
}

/* Every live worker, children included: a child whose parent is already
 * over (abandoned) is reached too.
 */
static void
shut_down_worker (SpindleWorker *worker)
{
  GListModel *children = spindle_worker_get_children (worker);
  g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func (g_object_unref);

  _spindle_worker_request_stop (worker, SPINDLE_STOP_REASON_SHUTDOWN);
  /* stopped earlier, by a user or its parent, without escalation */
  if (spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_STOPPING &&
      spindle_worker_get_escalation (worker) == SPINDLE_ESCALATION_NONE)
    _spindle_worker_on_stop (worker, SPINDLE_STOP_REASON_SHUTDOWN);
  if (spindle_worker_get_unresponsive (worker))
    spindle_worker_abandon (worker);

  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    g_ptr_array_add (copy, g_list_model_get_item (children, i));
  for (guint i = 0; i < copy->len; i++)
    shut_down_worker (g_ptr_array_index (copy, i));
}

/**
 * spindle_worker_set_shutdown_async:
 * @set: a set
 * @cancellable: (nullable): cancelling it resolves this call at once with
 *   %G_IO_ERROR_CANCELLED; the shutdown itself goes on
 * @callback: (scope async): called on the set's main context once no worker
 *   is live
 * @user_data: data for @callback
 *
 * Stops every worker, children included, with reason “shutdown” and
 * escalates regardless of the auto-escalate policy: after the stop grace,
 * force-cancel; after the cancel grace, a worker that still lives is
 * abandoned. Resolves once no worker is live, so within the grace periods
 * plus its cleanup's budget. New workers are refused from now on.
 */
void
spindle_worker_set_shutdown_async (SpindleWorkerSet    *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) workers = NULL;

  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  SPINDLE_RETURN_IF_NOT_OWNER (self->owner);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, spindle_worker_set_shutdown_async);
  g_task_set_check_cancellable (task, TRUE);
  self->shut_down = TRUE;
  add_pending_shutdown (self, task);

  if (self->n_live == 0)
    {
      _spindle_worker_set_complete_shutdowns (self);
      return;
    }

  workers = _spindle_worker_set_snapshot (self);
  for (guint i = 0; i < workers->len; i++)
    shut_down_worker (g_ptr_array_index (workers, i));
}

/**
 * spindle_worker_set_shutdown_finish:
 * @set: a set
 * @result: the result given to the callback
 * @error: where an incomplete shutdown is told
 *
 * Finishes spindle_worker_set_shutdown_async().
 *
 * Returns: %TRUE if every worker ended, %FALSE with %SPINDLE_ERROR_SHUTDOWN_INCOMPLETE if some had to be abandoned
 */
gboolean
spindle_worker_set_shutdown_finish (SpindleWorkerSet  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
