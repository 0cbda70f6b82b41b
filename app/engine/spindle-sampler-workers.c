/* spindle-sampler-workers.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <time.h>

#include "spindle-remote-private.h"
#include "spindle-sampler-private.h"
#include "spindle-thread-info-private.h"
#include "spindle-worker-private.h"

/* The sampler's reading of the workers: every live one's CPU clock, the
 * watched ones' /proc/self/task/<tid>/ files when they may have changed
 * (see the top of spindle-sampler.c for when each is read).
 */


/* What a watched worker's /proc files said last, and when. */
typedef struct
{
  gint64             cpu_time;
  SpindleWorkerState state;
  gboolean           read;
  gboolean           settled;  /* asleep, with a wait channel */
} Watched;

/* /proc and clocks ***********************************************************/

/* The clock glibc's pthread_getcpuclockid() hands out, from the tid: it
 * serves the threads Spindle did not start too. The kernel only resolves
 * it for threads of this process.
 */
gboolean
_spindle_sampler_read_cpu_time (int     tid,
                                gint64 *ns)
{
  /* shifted unsigned: a left shift of the negative ~tid is undefined */
  clockid_t clock = (clockid_t) ((~(unsigned int) tid << 3) | 4 /* per thread */ | 2 /* sched */);
  struct timespec ts;

  if (clock_gettime (clock, &ts) != 0)
    return FALSE;

  *ns = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
  return TRUE;
}

static void
read_details (SpindleSampler     *self,
              int                 tid,
              SpindleSample      *sample,
              SpindleTaskDetails *details)
{
  self->n_task_reads++;

  _spindle_task_read_details (tid, details);
  sample->kernel_state = details->kernel_state;
  sample->wait_channel = details->wait_channel[0] != '\0' ? details->wait_channel : NULL;
  sample->syscall = details->syscall[0] != '\0' ? details->syscall : NULL;
  sample->detailed = TRUE;
}

/* Workers ********************************************************************/

static gboolean
is_sampled (SpindleWorker *worker)
{
  SpindleWorkerState state = spindle_worker_get_state (worker);

  /* an abandoned worker's thread may well still burn CPU */
  return spindle_worker_state_is_live (state) || state == SPINDLE_WORKER_STATE_ABANDONED;
}

/* A thread whose CPU clock has not moved did not run: its kernel state,
 * wait channel and system call are what they were (a thread changes them
 * only by running), so its three /proc files are not read again. A change
 * of the worker's own state reads them anyway, and so does a reading
 * taken on its way to sleep (runnable, or no wait channel yet: the kernel
 * gives none while the thread is still on a CPU). Most watched rows
 * sleep: this spares nearly all of a tick's file reads at rest.
 */
static gboolean
details_may_have_changed (const Watched *watched,
                          SpindleWorker *worker,
                          gint64         cpu_time)
{
  return !watched->read || !watched->settled ||
         watched->cpu_time != cpu_time ||
         watched->state != spindle_worker_get_state (worker);
}

static void
sample_worker (SpindleSampler *self,
               SpindleWorker  *worker,
               gint64          now)
{
  SpindleSample sample = { .at = now };
  SpindleTaskDetails details;
  Watched *watched;

  /* another program's worker: its /proc files, not its CPU clock */
  if (worker->job == NULL)
    {
      if (_spindle_remote_sample (worker, g_hash_table_contains (self->watched, worker), &sample, &details))
        _spindle_worker_apply_sample (worker, &sample);
      return;
    }

  if (!_spindle_sampler_read_cpu_time (worker->tid, &sample.cpu_time))
    return;

  sample.in_compute = _spindle_job_get_in_compute (worker->job);
  if ((watched = g_hash_table_lookup (self->watched, worker)) != NULL &&
      details_may_have_changed (watched, worker, sample.cpu_time))
    {
      read_details (self, worker->tid, &sample, &details);
      watched->read = TRUE;
      watched->settled = details.kernel_state != 0 && details.kernel_state != 'R' &&
                         details.wait_channel[0] != '\0';
      watched->cpu_time = sample.cpu_time;
      watched->state = spindle_worker_get_state (worker);
    }

  _spindle_worker_apply_sample (worker, &sample);
}

/* The thread's id as soon as it runs, before its start event comes. */
int
_spindle_sampler_thread_id (SpindleWorker *worker)
{
  if (worker->tid > 0 || worker->job == NULL)
    return worker->tid;

  return g_atomic_int_get (&worker->job->tid);
}

static void
worker_ids_add (SpindleWorkerIds *ids,
                SpindleWorker    *worker)
{
  int tid = _spindle_sampler_thread_id (worker);

  if (tid > 0)
    g_hash_table_add (ids->tids, GINT_TO_POINTER (tid));
  else
    g_ptr_array_add (ids->unstarted, g_object_ref (worker));
}

/* Every worker of @model and below; @ids (if any) collects their thread ids. */
void
_spindle_sampler_sample_workers (SpindleSampler   *self,
                                 GListModel       *model,
                                 gint64            now,
                                 gboolean          sample,
                                 SpindleWorkerIds *ids)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);

      if (ids != NULL)
        worker_ids_add (ids, worker);
      if (worker->tid <= 0)
        continue;

      if (sample && is_sampled (worker))
        sample_worker (self, worker, now);
      _spindle_sampler_sample_workers (self, spindle_worker_get_children (worker), now, sample, ids);
    }
}

void
_spindle_sampler_sample_watched (SpindleSampler *self,
                                 gint64          now)
{
  GHashTableIter iter;
  gpointer worker;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    if (((SpindleWorker *) worker)->tid > 0 && is_sampled (worker))
      sample_worker (self, worker, now);
}

/* Watching *******************************************************************/

static gboolean
release_worker (gpointer worker)
{
  _spindle_worker_release_sample (worker);
  return G_SOURCE_REMOVE;
}

/* A worker is watched as its row comes on screen, which a list does while
 * it allocates: the figures are read at once, so the row's cells bound
 * after this read them right, but announced only after the frame, since a
 * cell that changes its text in the middle of an allocation is drawn with
 * none. GDK redraws at G_PRIORITY_HIGH_IDLE + 20. Only the sampled figures
 * wait: a change of state in the meantime is announced at once.
 */
static void
sample_now (SpindleSampler *self,
            SpindleWorker  *worker)
{
  gboolean held = worker->holding_sample;

  _spindle_worker_hold_sample (worker);
  sample_worker (self, worker, g_get_monotonic_time ());
  if (!held)
    g_idle_add_full (G_PRIORITY_HIGH_IDLE + 30, release_worker, g_object_ref (worker), g_object_unref);
}

/**
 * spindle_sampler_watch:
 * @sampler: a sampler
 * @worker: a worker of the sampler's set
 *
 * Reads @worker's /proc files at once, then on each tick on which its
 * thread ran or its state changed (a thread that did not run is where it
 * was): for the rows a view shows and the selected worker.
 */
void
spindle_sampler_watch (SpindleSampler *self,
                       SpindleWorker  *worker)
{
  g_return_if_fail (SPINDLE_IS_SAMPLER (self));
  g_return_if_fail (SPINDLE_IS_WORKER (worker));

  if (g_hash_table_contains (self->watched, worker))
    return;

  g_hash_table_insert (self->watched, g_object_ref (worker), g_new0 (Watched, 1));
  if (worker->tid > 0 && is_sampled (worker))
    sample_now (self, worker);
}

/**
 * spindle_sampler_unwatch:
 * @sampler: a sampler
 * @worker: a worker given to spindle_sampler_watch()
 *
 * Stops sampling @worker in detail.
 */
void
spindle_sampler_unwatch (SpindleSampler *self,
                         SpindleWorker  *worker)
{
  g_return_if_fail (SPINDLE_IS_SAMPLER (self));
  g_return_if_fail (SPINDLE_IS_WORKER (worker));

  if (g_hash_table_remove (self->watched, worker))
    _spindle_worker_clear_details (worker);
}
