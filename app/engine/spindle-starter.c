/* spindle-starter.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <pthread.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-starter-private.h"

/* Threads that create worker threads, so that a set's owner can spawn ten
 * thousand workers without spending a second in pthread_create() (clone,
 * the stack's mmap and its guard page): the owner makes each worker,
 * STARTING, and queues its job; up to MAX_THREADS starter threads create
 * the threads in order. They live while there is work and end when the
 * queue is empty.
 *
 * Each queued job is taken once (_spindle_job_take_start_pending()): by a
 * starter thread, which creates its thread, or by a stop or force-cancel
 * that comes first, which ends it without a thread. A thread that cannot
 * be created makes the worker FAILED with the error a synchronous spawn
 * gives. Nothing here runs a body or holds a lock a body could take.
 */

#define MAX_THREADS  2
#define STACK_SIZE   (256 * 1024)

struct _SpindleStarter
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  GCond            idle;        /* n_threads went to 0 */
  GQueue           jobs;        /* SpindleJob, a reference each */
  guint            n_threads;
  gboolean         closed;
  SpindleStarterPause pause;    /* for tests: where starter threads wait */
  guint            n_paused;    /* threads waiting there now */
  GCond            resumed;
};

SpindleStarter *
_spindle_starter_new (void)
{
  SpindleStarter *self = g_new0 (SpindleStarter, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  g_cond_init (&self->idle);
  g_cond_init (&self->resumed);
  g_queue_init (&self->jobs);

  return self;
}

static SpindleStarter *
starter_ref (SpindleStarter *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_spindle_starter_unref (SpindleStarter *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_assert (self->n_threads == 0 && self->jobs.length == 0);
  g_cond_clear (&self->idle);
  g_cond_clear (&self->resumed);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* The worker shows FAILED with the error, as after a child's failed start. */
static void
post_failure (SpindleJob   *job,
              const GError *error)
{
  SpindleEvent *event = _spindle_event_new (SPINDLE_EVENT_FINISHED, job);

  event->terminal = SPINDLE_WORKER_STATE_FAILED;
  event->error = g_error_copy (error);
  event->report = _spindle_cleanup_report_new ();
  event->time = g_get_monotonic_time ();
  _spindle_job_post (job, event);
  _spindle_job_report_ended (job, SPINDLE_WORKER_STATE_FAILED);
}

/* With the lock held. */
static void
wait_at (SpindleStarter      *self,
         SpindleStarterPause  where)
{
  while (self->pause == where)
    {
      self->n_paused++;
      g_cond_wait (&self->resumed, &self->lock);
      self->n_paused--;
    }
}

static void
start_job (SpindleStarter *self,
           SpindleJob     *job)
{
  g_autoptr(GError) error = NULL;

  /* a request came first and ended it */
  if (!_spindle_job_take_start_pending (job))
    return;

  if (G_UNLIKELY (self->pause != SPINDLE_STARTER_PAUSE_NONE))
    {
      g_mutex_lock (&self->lock);
      wait_at (self, SPINDLE_STARTER_PAUSE_AFTER_TAKE);
      g_mutex_unlock (&self->lock);
    }

  if (!_spindle_job_start (job, &error))
    post_failure (job, error);
}

static gpointer
starter_thread_main (gpointer data)
{
  SpindleStarter *self = data;
  SpindleJob *job;

  pthread_setname_np (pthread_self (), "spindle-starter");

  g_mutex_lock (&self->lock);
  wait_at (self, SPINDLE_STARTER_PAUSE_BEFORE_TAKE);
  while ((job = g_queue_pop_head (&self->jobs)) != NULL)
    {
      g_mutex_unlock (&self->lock);
      start_job (self, job);
      _spindle_job_unref (job);
      g_mutex_lock (&self->lock);
      wait_at (self, SPINDLE_STARTER_PAUSE_BEFORE_TAKE);
    }
  self->n_threads--;
  g_cond_broadcast (&self->idle);
  g_mutex_unlock (&self->lock);

  _spindle_starter_unref (self);

  return NULL;
}

/* With the lock held. Detached: it ends on its own once the queue is
 * empty, and _spindle_starter_close() waits for that.
 */
static gboolean
add_thread (SpindleStarter *self)
{
  pthread_attr_t attr;
  pthread_t thread;
  int rc;

  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, STACK_SIZE);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  starter_ref (self);
  rc = pthread_create (&thread, &attr, starter_thread_main, self);
  pthread_attr_destroy (&attr);

  if (rc != 0)
    {
      g_atomic_ref_count_dec (&self->ref_count);
      return FALSE;
    }

  self->n_threads++;
  return TRUE;
}

/* On the set's thread, for a job marked with _spindle_job_set_start_pending()
 * and its worker STARTING: its thread is created soon, in the order of the
 * pushes. With no starter thread to be had (the thread limit is reached),
 * the job is started here, and a failure still arrives as a FAILED worker.
 */
void
_spindle_starter_push (SpindleStarter *self,
                       SpindleJob     *job)
{
  gboolean queued = TRUE;

  g_mutex_lock (&self->lock);
  g_assert (!self->closed);
  g_queue_push_tail (&self->jobs, _spindle_job_ref (job));
  if (self->n_threads < MAX_THREADS && self->jobs.length > self->n_threads &&
      !add_thread (self) && self->n_threads == 0)
    queued = !g_queue_remove (&self->jobs, job);
  g_mutex_unlock (&self->lock);

  if (!queued)
    {
      start_job (self, job);
      _spindle_job_unref (job);
    }
}

/* The set is going away, its workers disowned: whatever is still queued
 * was ended by its request and is only dropped. Waits for the starter
 * threads to be done with every job.
 */
void
_spindle_starter_close (SpindleStarter *self)
{
  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  self->pause = SPINDLE_STARTER_PAUSE_NONE;
  g_cond_broadcast (&self->resumed);
  while (self->n_threads > 0)
    g_cond_wait (&self->idle, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* For tests: makes the starter threads wait before they take a job, or
 * after they took one and before they create its thread, until called
 * again with %SPINDLE_STARTER_PAUSE_NONE (or the set goes away).
 */
void
_spindle_starter_set_pause (SpindleStarter      *self,
                            SpindleStarterPause  pause)
{
  g_mutex_lock (&self->lock);
  self->pause = pause;
  g_cond_broadcast (&self->resumed);
  g_mutex_unlock (&self->lock);
}

/* For tests: how many starter threads wait at the pause now. */
guint
_spindle_starter_get_n_paused (SpindleStarter *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_paused;
  g_mutex_unlock (&self->lock);

  return n;
}
