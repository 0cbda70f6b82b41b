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
  GMutex lock;
  GQueue waiters;   /* SpindleJob *, not owned */
};

typedef struct
{
  SpindleCond *cond;
  SpindleJob  *job;
} Waiter;

SpindleCond *
spindle_cond_new (void)
{
  SpindleCond *self = g_new0 (SpindleCond, 1);

  g_mutex_init (&self->lock);
  g_queue_init (&self->waiters);

  return self;
}

void
spindle_cond_free (SpindleCond *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (g_queue_is_empty (&self->waiters));

  g_mutex_clear (&self->lock);
  g_free (self);
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

void
spindle_cond_signal (SpindleCond *self)
{
  g_return_if_fail (self != NULL);

  wake (self, FALSE);
}

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
 * spindle_job_cond_wait:
 * @mutex: held by the caller; released during the wait and held again on
 *   return. When the worker is force-cancelled inside the wait, its cleanup
 *   runs with @mutex not held.
 * @timeout_usec: a negative value waits without limit
 *
 * Returns: TRUE when signalled (or spuriously woken: loop on a predicate);
 *   FALSE with G_IO_ERROR_CANCELLED on a stop request, G_IO_ERROR_TIMED_OUT
 *   when the time is up.
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
