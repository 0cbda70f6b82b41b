/* spindle-process-orders.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "spindle-process-private.h"

/* The order channel to a process worker's helper: "stop SIGNAL" and
 * "kill" lines, each sent once, from the worker's thread or from the
 * thread that asks (see spindle-process.c). Its end of file is itself the
 * order to kill everything.
 */

struct _SpindleProcessOrders
{
  gatomicrefcount ref_count;
  GMutex          lock;           /* guards what follows */
  int             fd;             /* the host's end; -1 before the launch and once closed */
  int             stop_signal;
  gboolean        stop_sent;
  gboolean        kill_sent;
};

SpindleProcessOrders *
_spindle_process_orders_new (int stop_signal)
{
  SpindleProcessOrders *self = g_new0 (SpindleProcessOrders, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->fd = -1;
  self->stop_signal = stop_signal;
  return self;
}

SpindleProcessOrders *
_spindle_process_orders_ref (SpindleProcessOrders *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_spindle_process_orders_unref (gpointer data)
{
  SpindleProcessOrders *self = data;

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  _spindle_process_close_fd (&self->fd);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
_spindle_process_orders_set_fd (SpindleProcessOrders *self,
                                int                   fd)
{
  g_mutex_lock (&self->lock);
  self->fd = fd;
  g_mutex_unlock (&self->lock);
}

/* The end of file on the channel is itself the order to kill everything. */
void
_spindle_process_orders_close (SpindleProcessOrders *self)
{
  g_mutex_lock (&self->lock);
  _spindle_process_close_fd (&self->fd);
  g_mutex_unlock (&self->lock);
}

/* With the lock held. A helper that is gone cannot be told anything:
 * MSG_NOSIGNAL keeps the host from SIGPIPE. It never blocks the thread
 * that asks: an order is a few bytes, the channel holds far more.
 */
static gboolean
orders_write (SpindleProcessOrders *self,
              const char           *line)
{
  if (self->fd < 0)
    return FALSE;
  if (send (self->fd, line, strlen (line), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
    return TRUE;

  g_debug ("Could not send “%s” to the process helper: %s", line, g_strerror (errno));
  return FALSE;
}

/* From any thread, with cancellation disabled (send() is a cancellation
 * point, and the lock must not be left held by an unwinding body).
 */
void
_spindle_process_orders_send_stop (SpindleProcessOrders *self)
{
  g_mutex_lock (&self->lock);
  if (!self->stop_sent)
    {
      char line[32];

      g_snprintf (line, sizeof line, "stop %d\n", self->stop_signal);
      self->stop_sent = orders_write (self, line);
    }
  g_mutex_unlock (&self->lock);
}

gboolean
_spindle_process_orders_stop_was_sent (SpindleProcessOrders *self)
{
  gboolean sent;

  g_mutex_lock (&self->lock);
  sent = self->stop_sent;
  g_mutex_unlock (&self->lock);

  return sent;
}

void
_spindle_process_orders_send_kill (SpindleProcessOrders *self)
{
  g_mutex_lock (&self->lock);
  if (!self->kill_sent)
    self->kill_sent = orders_write (self, "kill\n");
  g_mutex_unlock (&self->lock);
}

/* On the set's main context, as the request is made. */
static void
on_stop_requested (SpindleWorker     *worker,
                   SpindleStopReason  reason,
                   gpointer           data)
{
  _spindle_process_orders_send_stop (data);
}

static void
on_cancel_requested (SpindleWorker     *worker,
                     SpindleStopReason  reason,
                     gpointer           data)
{
  _spindle_process_orders_send_kill (data);
}

static void
orders_closure_unref (gpointer  data,
                      GClosure *closure)
{
  _spindle_process_orders_unref (data);
}

void
_spindle_process_orders_follow_requests (SpindleProcessOrders *self,
                                         SpindleWorker        *worker)
{
  g_signal_connect_data (worker, "stop-requested", G_CALLBACK (on_stop_requested),
                         _spindle_process_orders_ref (self), orders_closure_unref, 0);
  g_signal_connect_data (worker, "cancel-requested", G_CALLBACK (on_cancel_requested),
                         _spindle_process_orders_ref (self), orders_closure_unref, 0);
}

