/* spindle-dispatch.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-dispatch-private.h"
#include "spindle-job-private.h"

/* The queue between worker threads and the set's main context. Threads post
 * events; the first post after a dispatch arms one GSource, so any number of
 * events from any number of workers costs the main thread one wake-up.
 *
 * Progress (phase, progress, waiting-for) is for display: alone, it arms the
 * source at most once per PROGRESS_INTERVAL after the last dispatch, so ten
 * thousand workers reporting progress cost a few wake-ups a second. Any
 * other event brings the dispatch forward to now, and so does a hurry
 * (a progress change that is news).
 */

#define PROGRESS_INTERVAL (50 * 1000)
struct _SpindleDispatch
{
  gatomicrefcount      ref_count;
  GMutex               lock;
  GQueue               events;
  GSource             *source;
  gint64               ready_at;       /* the source's ready time, -1: not armed */
  gint64               last_dispatch;
  gboolean             closed;
  guint64              n_wakeups;
  SpindleDispatchFunc  func;
  gpointer             user_data;
};

SpindleEvent *
_spindle_event_new (SpindleEventKind  kind,
                    SpindleJob       *job)
{
  SpindleEvent *event = g_new0 (SpindleEvent, 1);

  event->link.data = event;
  event->kind = kind;
  event->job = _spindle_job_ref (job);

  return event;
}

void
_spindle_event_free (SpindleEvent *event)
{
  g_clear_pointer (&event->job, _spindle_job_unref);
  g_clear_pointer (&event->label, g_free);
  g_clear_pointer (&event->message, g_free);
  g_clear_pointer (&event->result, g_variant_unref);
  g_clear_error (&event->error);
  g_clear_pointer (&event->report, spindle_cleanup_report_unref);
  g_free (event);
}

/* An event that will never be delivered. A child's SPAWNED event is the
 * one that would have given its job a worker to join its thread: without
 * it the job is disowned, as its parent's worker was.
 */
static void
drop_event (SpindleEvent *event)
{
  if (event->kind == SPINDLE_EVENT_SPAWNED)
    _spindle_job_disown (event->job);
  _spindle_event_free (event);
}

/* The links are the events' own: never let GQueue free them. */
static void
clear_events (GQueue         *events,
              GDestroyNotify  free_func)
{
  GList *link;

  while ((link = g_queue_pop_head_link (events)) != NULL)
    free_func (link->data);
}

static gboolean
dispatch_source_cb (gpointer user_data)
{
  SpindleDispatch *self = user_data;
  GQueue events = G_QUEUE_INIT;

  g_mutex_lock (&self->lock);
  events = self->events;
  g_queue_init (&self->events);
  self->ready_at = -1;
  self->last_dispatch = g_get_monotonic_time ();
  self->n_wakeups++;
  g_source_set_ready_time (self->source, -1);
  g_mutex_unlock (&self->lock);

  self->func (&events, self->user_data);
  clear_events (&events, (GDestroyNotify) _spindle_event_free);

  return G_SOURCE_CONTINUE;
}

static gboolean
dispatch_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs dispatch_source_funcs = {
  .dispatch = dispatch_source_dispatch,
};

SpindleDispatch *
_spindle_dispatch_new (GMainContext        *context,
                       SpindleDispatchFunc  func,
                       gpointer             user_data)
{
  SpindleDispatch *self = g_new0 (SpindleDispatch, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  g_queue_init (&self->events);
  self->func = func;
  self->user_data = user_data;
  self->ready_at = -1;

  self->source = g_source_new (&dispatch_source_funcs, sizeof (GSource));
  g_source_set_static_name (self->source, "[spindle] worker events");
  g_source_set_priority (self->source, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->source, dispatch_source_cb, self, NULL);
  g_source_set_ready_time (self->source, -1);
  g_source_attach (self->source, context);

  return self;
}

SpindleDispatch *
_spindle_dispatch_ref (SpindleDispatch *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_spindle_dispatch_unref (SpindleDispatch *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_assert (self->closed);
  clear_events (&self->events, (GDestroyNotify) _spindle_event_free);
  g_source_unref (self->source);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* With the lock held: only ever brings the dispatch forward. */
static void
arm (SpindleDispatch *self,
     gint64           ready_at)
{
  if (self->ready_at >= 0 && self->ready_at <= ready_at)
    return;

  self->ready_at = ready_at;
  g_source_set_ready_time (self->source, ready_at);
}

/* Called from worker threads with cancellation disabled: arming the source
 * writes to the context's wake-up fd, a cancellation point.
 */
static void
enqueue (SpindleDispatch *self,
         SpindleEvent    *event,
         gboolean         wake)
{
  g_mutex_lock (&self->lock);

  if (self->closed)
    {
      g_mutex_unlock (&self->lock);
      drop_event (event);
      return;
    }

  g_queue_push_tail_link (&self->events, &event->link);
  if (wake)
    arm (self, event->kind == SPINDLE_EVENT_DIRTY
                 ? MAX (g_get_monotonic_time (), self->last_dispatch + PROGRESS_INTERVAL)
                 : 0);

  g_mutex_unlock (&self->lock);
}

void
_spindle_dispatch_post (SpindleDispatch *self,
                        SpindleEvent    *event)
{
  enqueue (self, event, TRUE);
}

/* Queues an event without waking the main context: the next post, or a
 * flush, delivers it, in order. For events on a worker's critical path
 * (cleanup-started), where a wake-up would delay the worker's own code.
 */
void
_spindle_dispatch_post_quiet (SpindleDispatch *self,
                              SpindleEvent    *event)
{
  enqueue (self, event, FALSE);
}

/* Brings what is queued forward to now, progress included: for a change
 * that is news rather than display, such as a process worker's command
 * running at last, which a person (or a program) waits to act on. From
 * any thread, with cancellation disabled, as for a post.
 */
void
_spindle_dispatch_hurry (SpindleDispatch *self)
{
  g_mutex_lock (&self->lock);
  if (!self->closed && self->events.length > 0)
    arm (self, 0);
  g_mutex_unlock (&self->lock);
}

/* On the main context: delivers what is queued now, quiet events included. */
void
_spindle_dispatch_flush (SpindleDispatch *self)
{
  gboolean pending;

  g_mutex_lock (&self->lock);
  pending = !self->closed && self->events.length > 0;
  g_mutex_unlock (&self->lock);

  if (pending)
    dispatch_source_cb (self);
}

/* The owner is going away: drop what is queued and refuse what comes. */
void
_spindle_dispatch_close (SpindleDispatch *self)
{
  GQueue events;

  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  events = self->events;
  g_queue_init (&self->events);
  g_source_destroy (self->source);
  g_mutex_unlock (&self->lock);

  clear_events (&events, (GDestroyNotify) drop_event);
}

guint64
_spindle_dispatch_get_n_wakeups (SpindleDispatch *self)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = self->n_wakeups;
  g_mutex_unlock (&self->lock);

  return n;
}
