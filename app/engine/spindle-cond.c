/* spindle-cond.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <pthread.h>

#include "spindle-cond.h"
#include "spindle-job-private.h"

/* Waiters register before they release the caller's mutex, so a signal sent
 * after that finds them: no wake-up is lost. A signal writes the waiter's
 * wake fd, which its ppoll() watches beside the stop request.
 */
struct _SpindleCond
{
  gatomicrefcount ref_count;
  GMutex          lock;
  GQueue          waiters;   /* SpindleJob *, not owned */
};

typedef struct
{
  SpindleCond *cond;
  SpindleJob  *job;
} Waiter;

G_DEFINE_BOXED_TYPE (SpindleCond, spindle_cond, spindle_cond_ref, spindle_cond_unref)

/**
 * spindle_cond_new:
 *
 * Creates a condition variable for spindle_job_cond_wait().
 *
 * Returns: (transfer full): the condition, released with
 *   spindle_cond_unref()
 */
SpindleCond *
spindle_cond_new (void)
{
  SpindleCond *self = g_new0 (SpindleCond, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  g_queue_init (&self->waiters);

  return self;
}

/**
 * spindle_cond_ref:
 * @cond: a condition
 *
 * Takes a reference to @cond.
 *
 * Returns: (transfer full): @cond
 */
SpindleCond *
spindle_cond_ref (SpindleCond *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

/**
 * spindle_cond_unref:
 * @cond: (transfer full): a condition
 *
 * Drops a reference to @cond; the last one frees it, which nobody may
 * still be waiting on.
 */
void
spindle_cond_unref (SpindleCond *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_return_if_fail (g_queue_is_empty (&self->waiters));
  g_mutex_clear (&self->lock);
  g_free (self);
}

/**
 * spindle_cond_free: (skip)
 * @cond: (transfer full): a condition
 *
 * The same as spindle_cond_unref(), for C code that never shares its
 * condition.
 */
void
spindle_cond_free (SpindleCond *self)
{
  spindle_cond_unref (self);
}

static void
wake (SpindleCond *self,
      gboolean     all)
{
  int old_state = _spindle_job_block_cancel ();
  SpindleJob *job;

  g_mutex_lock (&self->lock);
  while ((job = g_queue_pop_head (&self->waiters)) != NULL)
    {
      _spindle_job_wake (job);
      if (!all)
        break;
    }
  g_mutex_unlock (&self->lock);

  _spindle_job_restore_cancel (old_state);
}

/**
 * spindle_cond_signal:
 * @cond: a condition
 *
 * Wakes one worker waiting on @cond in spindle_job_cond_wait(), if any.
 * From any thread.
 */
void
spindle_cond_signal (SpindleCond *self)
{
  g_return_if_fail (self != NULL);

  wake (self, FALSE);
}

/**
 * spindle_cond_broadcast:
 * @cond: a condition
 *
 * Wakes every worker waiting on @cond in spindle_job_cond_wait(). From any
 * thread.
 */
void
spindle_cond_broadcast (SpindleCond *self)
{
  g_return_if_fail (self != NULL);

  wake (self, TRUE);
}

static void
forget_waiter (gpointer data)
{
  Waiter *waiter = data;

  _spindle_job_forget_unwound_frames ();
  g_mutex_lock (&waiter->cond->lock);
  g_queue_remove (&waiter->cond->waiters, waiter->job);
  g_mutex_unlock (&waiter->cond->lock);
}

/**
 * spindle_job_cond_wait: (skip)
 * @job: the body's job
 * @cond: the condition to wait on
 * @mutex: held by the caller; released during the wait and held again on
 *   return. When the worker is force-cancelled inside the wait, its cleanup
 *   runs with @mutex not held.
 * @timeout_usec: a negative value waits without limit
 * @error: where the reason a wait ended without a signal goes
 *
 * Waits on @cond as g_cond_wait() does, in a wait that a stop request wakes
 * at once and that force-cancel reaches. Bindings, which have no #GMutex of
 * their own, wait with spindle_job_wait_fd() or spindle_job_sleep().
 *
 * Returns: %TRUE when signalled (or spuriously woken: loop on a predicate);
 *   %FALSE with %G_IO_ERROR_CANCELLED on a stop request,
 *   %G_IO_ERROR_TIMED_OUT when the time is up.
 */
gboolean
spindle_job_cond_wait (SpindleJob   *job,
                       SpindleCond  *cond,
                       GMutex       *mutex,
                       gint64        timeout_usec,
                       GError      **error)
{
  Waiter waiter = { cond, job };
  SpindleWaitResult result;
  int old_state, saved_errno;

  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (cond != NULL, FALSE);
  g_return_val_if_fail (mutex != NULL, FALSE);

  old_state = _spindle_job_block_cancel ();
  _spindle_job_get_wake_fd (job);

  g_mutex_lock (&cond->lock);
  g_queue_push_tail (&cond->waiters, job);
  g_mutex_unlock (&cond->lock);
  g_mutex_unlock (mutex);

  pthread_cleanup_push (forget_waiter, &waiter);
  result = _spindle_job_wait (job, -1, 0, timeout_usec, TRUE, old_state);
  saved_errno = errno;
  pthread_cleanup_pop (1);

  g_mutex_lock (mutex);
  _spindle_job_restore_cancel (old_state);

  return _spindle_job_wait_result_to_error (result, saved_errno, error);
}
