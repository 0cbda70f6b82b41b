/* spindle-job-wait.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "spindle-job-private.h"

/* The engine's waits. Each polls the job's wake fd beside what it waits
 * for, so a stop wakes it at once however long the wait, and ppoll() is the
 * one cancellation point a force-cancel acts at.
 */

/* When the wake fd cannot be created (out of fds), waits poll the flags. */
#define FALLBACK_SLICE_USEC (10 * 1000)

int
_spindle_job_get_wake_fd (SpindleJob *self)
{
  int fd;

  g_mutex_lock (&self->lock);
  if (self->wake_fd < 0)
    self->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  fd = self->wake_fd;
  g_mutex_unlock (&self->lock);

  return fd;
}

/* A force request counts as a stop where the body disabled cancellation:
 * there the cancel itself can never act.
 */
static gboolean
stop_seen (SpindleJob *self,
           int         cancel_state)
{
  int requests = g_atomic_int_get (&self->requests);

  return (requests & SPINDLE_JOB_REQUEST_STOP) != 0 ||
         ((requests & SPINDLE_JOB_REQUEST_CANCEL) != 0 && cancel_state == PTHREAD_CANCEL_DISABLE);
}

/* One read takes a (non-semaphore) eventfd's whole count. */
static void
drain (int fd)
{
  guint64 value;

  if (read (fd, &value, sizeof value) < 0)
    g_assert (errno == EAGAIN);
}

/* Called with cancellation disabled; cancel_state is the caller's, restored
 * around ppoll() only, which is then the one place a force-cancel acts.
 */
SpindleWaitResult
_spindle_job_wait (SpindleJob *self,
                   int         fd,
                   short       events,
                   gint64      timeout_usec,
                   gboolean    return_on_wake,
                   int         cancel_state)
{
  gint64 deadline = timeout_usec < 0 ? -1 : g_get_monotonic_time () + timeout_usec;
  int wake_fd = _spindle_job_get_wake_fd (self);

  for (;;)
    {
      struct pollfd pfd[2] = { { wake_fd, POLLIN, 0 }, { fd, events, 0 } };
      struct timespec ts;
      gint64 slice = -1;
      int n, saved_errno;

      if (stop_seen (self, cancel_state))
        return SPINDLE_WAIT_STOPPED;

      if (deadline >= 0 && (slice = deadline - g_get_monotonic_time ()) <= 0)
        return SPINDLE_WAIT_TIMEOUT;

      if (wake_fd < 0 && (slice < 0 || slice > FALLBACK_SLICE_USEC))
        slice = FALLBACK_SLICE_USEC;

      ts.tv_sec = slice / G_USEC_PER_SEC;
      ts.tv_nsec = (slice % G_USEC_PER_SEC) * 1000;

      pthread_setcancelstate (cancel_state, NULL);
      n = ppoll (pfd, fd >= 0 ? 2 : 1, slice >= 0 ? &ts : NULL, NULL);
      saved_errno = errno;
      pthread_setcancelstate (PTHREAD_CANCEL_DISABLE, NULL);

      if (n < 0 && saved_errno == EINTR)
        continue;

      if (n < 0)
        {
          errno = saved_errno;
          return SPINDLE_WAIT_ERROR;
        }

      if (pfd[0].revents & POLLIN)
        drain (wake_fd);

      if (stop_seen (self, cancel_state))
        return SPINDLE_WAIT_STOPPED;

      if (fd >= 0 && pfd[1].revents != 0)
        return SPINDLE_WAIT_READY;

      if (return_on_wake && (pfd[0].revents != 0 || wake_fd < 0))
        return SPINDLE_WAIT_WOKEN;
    }
}

gboolean
_spindle_job_wait_result_to_error (SpindleWaitResult   result,
                                   int                 saved_errno,
                                   GError            **error)
{
  switch (result)
    {
    case SPINDLE_WAIT_READY:
    case SPINDLE_WAIT_WOKEN:
      return TRUE;

    case SPINDLE_WAIT_STOPPED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           "The worker was asked to stop");
      return FALSE;

    case SPINDLE_WAIT_TIMEOUT:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "The wait timed out");
      return FALSE;

    case SPINDLE_WAIT_ERROR:
    default:
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not wait: %s", g_strerror (saved_errno));
      return FALSE;
    }
}

gboolean
spindle_job_sleep (SpindleJob *self,
                   gint64      usec)
{
  int old_state;
  SpindleWaitResult result;

  g_return_val_if_fail (self != NULL, FALSE);

  old_state = _spindle_job_block_cancel ();
  result = _spindle_job_wait (self, -1, 0, MAX (usec, 0), FALSE, old_state);
  _spindle_job_restore_cancel (old_state);

  return result == SPINDLE_WAIT_TIMEOUT;
}

gboolean
spindle_job_wait_fd (SpindleJob    *self,
                     int            fd,
                     GIOCondition   condition,
                     gint64         timeout_usec,
                     GError       **error)
{
  SpindleWaitResult result;
  int old_state, saved_errno;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (fd >= 0, FALSE);

  old_state = _spindle_job_block_cancel ();
  result = _spindle_job_wait (self, fd, (short) condition, timeout_usec, FALSE, old_state);
  saved_errno = errno;
  _spindle_job_restore_cancel (old_state);

  return _spindle_job_wait_result_to_error (result, saved_errno, error);
}

GCancellable *
spindle_job_get_cancellable (SpindleJob *self)
{
  GCancellable *cancellable;
  int old_state;

  g_return_val_if_fail (self != NULL, NULL);

  old_state = _spindle_job_block_cancel ();

  g_mutex_lock (&self->lock);
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  cancellable = self->cancellable;
  g_mutex_unlock (&self->lock);

  /* a stop that came before the cancellable existed */
  if (g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_STOP)
    g_cancellable_cancel (cancellable);

  _spindle_job_restore_cancel (old_state);

  return cancellable;
}
