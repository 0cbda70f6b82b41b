/* spindle-job-wait.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "spindle-i18n-private.h"
#include "spindle-job-private.h"
#include "spindle-time-private.h"

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

static void
leave_wait (gpointer data)
{
  SpindleJob *self = data;

  g_atomic_int_set (&self->in_wait, 0);
}

/* The one cancellation point of the engine's waits. in_wait tells the
 * diagnosis that the thread's ppoll() is ours, so a stop wakes it; it is
 * cleared on the way out, by a cancel's unwinding too.
 */
static int
cancellable_ppoll (SpindleJob            *self,
                   struct pollfd         *pfd,
                   nfds_t                 n_fds,
                   const struct timespec *timeout,
                   int                    cancel_state)
{
  int n;

  g_atomic_int_set (&self->in_wait, 1);
  pthread_cleanup_push (leave_wait, self);
  pthread_setcancelstate (cancel_state, NULL);
  n = ppoll (pfd, n_fds, timeout, NULL);
  pthread_setcancelstate (PTHREAD_CANCEL_DISABLE, NULL);
  pthread_cleanup_pop (1);

  return n;
}

/* A socket's pending error, which getsockopt() also clears: the caller
 * gets it from the wait instead of from its next call.
 */
static int
pending_error (int fd,
               int fallback)
{
  int value = 0;
  socklen_t len = sizeof value;

  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &value, &len) == 0 && value != 0)
    return value;

  return fallback;
}

/* poll() always reports POLLERR, POLLHUP and POLLNVAL. A wait reports
 * ready only when the call it guards can go on (the rules are in
 * spindle_job_wait_fd()'s documentation). Sets errno on an error.
 */
static SpindleWaitResult
classify_revents (int   fd,
                  short events,
                  short revents)
{
  if (revents & POLLNVAL)
    {
      errno = EBADF;
      return SPINDLE_WAIT_ERROR;
    }

  if ((revents & POLLERR) && !(events & POLLERR))
    {
      errno = pending_error (fd, (events & POLLOUT) ? EPIPE : EIO);
      return SPINDLE_WAIT_ERROR;
    }

  /* a hang-up is end of file to a reader, a broken pipe to a writer */
  if ((revents & POLLHUP) && !(events & (POLLHUP | POLLIN | POLLPRI)))
    {
      errno = EPIPE;
      return SPINDLE_WAIT_ERROR;
    }

  return SPINDLE_WAIT_READY;
}

/* A force-cancel sent before the wait ends acts, even when a stop (its
 * parent's end, say) woke the wait before the cancel's signal landed: the
 * stronger request wins, whatever the order the kernel delivered them in.
 * The cancel is sent under the job's lock, so taking it lets it finish.
 */
static void
act_on_pending_cancel (SpindleJob *self,
                       int         cancel_state)
{
  if (cancel_state != PTHREAD_CANCEL_ENABLE ||
      (g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_CANCEL) == 0)
    return;

  g_mutex_lock (&self->lock);
  g_mutex_unlock (&self->lock);

  pthread_setcancelstate (PTHREAD_CANCEL_ENABLE, NULL);
  pthread_testcancel ();
  pthread_setcancelstate (PTHREAD_CANCEL_DISABLE, NULL);
}

static gboolean
request_seen (SpindleJob *self,
              int         cancel_state)
{
  act_on_pending_cancel (self, cancel_state);

  return stop_seen (self, cancel_state);
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
  gint64 deadline = timeout_usec < 0 ? -1 : _spindle_time_add (g_get_monotonic_time (), timeout_usec);
  int wake_fd = _spindle_job_get_wake_fd (self);

  for (;;)
    {
      struct pollfd pfd[2] = { { wake_fd, POLLIN, 0 }, { fd, events, 0 } };
      struct timespec ts;
      gint64 slice = -1;
      int n, saved_errno;

      if (request_seen (self, cancel_state))
        return SPINDLE_WAIT_STOPPED;

      if (deadline >= 0 && (slice = deadline - g_get_monotonic_time ()) <= 0)
        return SPINDLE_WAIT_TIMEOUT;

      if (wake_fd < 0 && (slice < 0 || slice > FALLBACK_SLICE_USEC))
        slice = FALLBACK_SLICE_USEC;

      ts.tv_sec = slice / G_USEC_PER_SEC;
      ts.tv_nsec = (slice % G_USEC_PER_SEC) * 1000;

      n = cancellable_ppoll (self, pfd, fd >= 0 ? 2 : 1, slice >= 0 ? &ts : NULL, cancel_state);
      saved_errno = errno;

      if (n < 0 && saved_errno == EINTR)
        continue;

      if (n < 0)
        {
          errno = saved_errno;
          return SPINDLE_WAIT_ERROR;
        }

      if (pfd[0].revents & POLLIN)
        drain (wake_fd);

      if (request_seen (self, cancel_state))
        return SPINDLE_WAIT_STOPPED;

      if (fd >= 0 && pfd[1].revents != 0)
        return classify_revents (fd, events, pfd[1].revents);

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
                           _("The worker was asked to stop"));
      return FALSE;

    case SPINDLE_WAIT_TIMEOUT:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _("The wait timed out"));
      return FALSE;

    case SPINDLE_WAIT_ERROR:
    default:
      /* GLib maps EBADF to G_IO_ERROR_FAILED: a closed fd is the caller's mistake */
      g_set_error (error, G_IO_ERROR,
                   saved_errno == EBADF ? G_IO_ERROR_INVALID_ARGUMENT : g_io_error_from_errno (saved_errno),
                   _("Could not wait: %s"), g_strerror (saved_errno));
      return FALSE;
    }
}

/**
 * spindle_job_sleep:
 * @job: the body's job
 * @usec: how long to sleep
 *
 * Sleeps in a wait that a stop request wakes at once and force-cancel reaches.
 *
 * Returns: %TRUE if the time passed, %FALSE if a request woke it
 */
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

/**
 * spindle_job_wait_fd:
 * @job: the job of the calling worker body
 * @fd: an open file descriptor
 * @condition: what to wait for: %G_IO_IN, %G_IO_PRI, %G_IO_OUT, or
 *   %G_IO_ERR / %G_IO_HUP to be told of those as ready
 * @timeout_usec: how long to wait at most; negative: no limit
 * @error: return location for a #GError
 *
 * Waits until @fd is ready for @condition, the timeout passes or a stop is
 * requested, whichever comes first. A stop wakes it at once; it is a
 * cancellation point for force-cancel.
 *
 * As GIO's streams do, it reports ready only when the call it guards can
 * go on, and otherwise says why it cannot:
 * - an fd that is not open (POLLNVAL) is %G_IO_ERROR_INVALID_ARGUMENT;
 * - an error condition (POLLERR) is an error: a socket's pending error
 *   (which it takes, as g_socket_check_connect_result() does: a refused
 *   non-blocking connect is %G_IO_ERROR_CONNECTION_REFUSED), else
 *   %G_IO_ERROR_BROKEN_PIPE on a wait to write (a pipe whose reader is
 *   gone) or %G_IO_ERROR_FAILED;
 * - a hang-up (POLLHUP) is ready on a wait to read, whose read() then
 *   returns 0 (end of file), and %G_IO_ERROR_BROKEN_PIPE on a wait to
 *   write only;
 * - with %G_IO_ERR or %G_IO_HUP in @condition, that condition counts as
 *   ready instead, for a caller that checks it itself (or wants the data a
 *   socket may still hold before its error).
 *
 * Returns: %TRUE when @fd is ready; %FALSE with %G_IO_ERROR_CANCELLED on a
 *   stop, %G_IO_ERROR_TIMED_OUT on a timeout, or the error above
 */
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

/**
 * spindle_job_get_cancellable:
 * @job: the body's job
 *
 * The job's cancellable, for GIO calls made by the body: a stop request
 * (and a force-cancel) cancels it. Made on the first call.
 *
 * Returns: (transfer none): the job's cancellable, valid while the body runs
 */
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
