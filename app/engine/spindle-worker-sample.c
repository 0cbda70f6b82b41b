/* spindle-worker-sample.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-worker-private.h"

/* What the sampler saw of a worker, and the worker's recent past for
 * timelines. The history records changes only, and keeps the latest
 * SPINDLE_HISTORY_CAPACITY of them, so its memory is bounded however long
 * the worker lives.
 */


static char
last_kernel_state (SpindleWorker *self)
{
  return self->kernel_state != NULL ? self->kernel_state[0] : 0;
}

void
_spindle_worker_record (SpindleWorker      *self,
                        SpindleHistoryKind  kind)
{
  SpindleHistoryEntry entry = {
    .time = g_get_monotonic_time (),
    .kind = kind,
    .state = spindle_worker_get_state (self),
    .kernel_state = last_kernel_state (self),
  };

  if (self->history == NULL)
    self->history = g_array_sized_new (FALSE, FALSE, sizeof (SpindleHistoryEntry), 8);

  if (self->history->len == SPINDLE_HISTORY_CAPACITY)
    g_array_remove_index (self->history, 0);

  g_array_append_val (self->history, entry);
}

/**
 * spindle_worker_get_history: (skip)
 * @worker: a worker
 * @entries: (out caller-allocates) (array length=n_entries): where to copy
 * @n_entries: room in @entries
 *
 * Copies the worker's most recent history entries, oldest first, at most
 * %SPINDLE_HISTORY_CAPACITY. For C: introspection cannot describe an array
 * whose room the caller passes in, so bindings follow the worker's
 * #SpindleWorker:state and #SpindleWorker:kernel-state instead.
 *
 * Returns: how many were copied
 */
guint
spindle_worker_get_history (SpindleWorker       *self,
                            SpindleHistoryEntry *entries,
                            guint                n_entries)
{
  guint n, skip;

  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  g_return_val_if_fail (entries != NULL || n_entries == 0, 0);

  if (self->history == NULL)
    return 0;

  n = MIN (n_entries, self->history->len);
  skip = self->history->len - n;
  memcpy (entries, &g_array_index (self->history, SpindleHistoryEntry, skip), n * sizeof *entries);

  return n;
}

/* The sampled figures only: a sample taken while a row is being allocated
 * is announced after the frame (see spindle_sampler_watch()), and nothing
 * else the worker announces, its state above all, may wait with it.
 */
void
_spindle_worker_hold_sample (SpindleWorker *self)
{
  G_STATIC_ASSERT (SPINDLE_WORKER_N_PROPS <= 32);

  self->holding_sample = TRUE;
}

void
_spindle_worker_release_sample (SpindleWorker *self)
{
  guint32 held = self->held_sample;

  self->holding_sample = FALSE;
  self->held_sample = 0;

  g_object_freeze_notify (G_OBJECT (self));
  for (guint prop_id = 1; prop_id < SPINDLE_WORKER_N_PROPS; prop_id++)
    if ((held & (1u << prop_id)) != 0)
      _spindle_worker_notify (self, prop_id);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
notify_sampled (SpindleWorker *self,
                guint          prop_id)
{
  if (self->holding_sample)
    self->held_sample |= 1u << prop_id;
  else
    _spindle_worker_notify (self, prop_id);
}

static void
set_string (SpindleWorker  *self,
            char          **field,
            const char     *value,
            guint           prop_id)
{
  if (_spindle_worker_replace_string (field, value))
    notify_sampled (self, prop_id);
}

static void
apply_cpu (SpindleWorker       *self,
           const SpindleSample *sample)
{
  double percent = self->cpu_percent;

  /* A first sample has no previous one: the average since the start is
   * true at once, where 0 % would be a lie until the next tick. A worker
   * sampled again after a while out of view gets the average since then.
   */
  if (self->sampled_at != 0 && sample->at > self->sampled_at)
    percent = MAX (0.0, (sample->cpu_time - self->cpu_time) / 10.0 / (sample->at - self->sampled_at));
  else if (self->sampled_at == 0 && self->started_at > 0 && sample->at > self->started_at)
    percent = MAX (0.0, sample->cpu_time / 10.0 / (sample->at - self->started_at));

  self->sampled_at = sample->at;

  if (self->cpu_time != sample->cpu_time)
    {
      self->cpu_time = sample->cpu_time;
      notify_sampled (self, SPINDLE_WORKER_PROP_CPU_TIME);
    }

  if (self->cpu_percent != percent)
    {
      self->cpu_percent = percent;
      notify_sampled (self, SPINDLE_WORKER_PROP_CPU_PERCENT);
    }
}

static void
apply_details (SpindleWorker       *self,
               const SpindleSample *sample)
{
  char state[2] = { sample->kernel_state, '\0' };
  gboolean changed = sample->kernel_state != last_kernel_state (self);

  set_string (self, &self->kernel_state, sample->kernel_state != 0 ? state : NULL, SPINDLE_WORKER_PROP_KERNEL_STATE);
  set_string (self, &self->wait_channel, sample->wait_channel, SPINDLE_WORKER_PROP_WAIT_CHANNEL);
  set_string (self, &self->syscall, sample->syscall, SPINDLE_WORKER_PROP_SYSCALL);

  if (changed && sample->kernel_state != 0)
    _spindle_worker_record (self, SPINDLE_HISTORY_KERNEL_STATE);
}

void
_spindle_worker_apply_sample (SpindleWorker       *self,
                              const SpindleSample *sample)
{
  g_object_freeze_notify (G_OBJECT (self));

  apply_cpu (self, sample);

  if (self->in_compute != sample->in_compute)
    {
      self->in_compute = sample->in_compute;
      notify_sampled (self, SPINDLE_WORKER_PROP_IN_COMPUTE);
    }

  if (sample->detailed)
    apply_details (self, sample);

  g_object_thaw_notify (G_OBJECT (self));
}

/* Out of view: what was read of /proc is no longer current. */
void
_spindle_worker_clear_details (SpindleWorker *self)
{
  set_string (self, &self->kernel_state, NULL, SPINDLE_WORKER_PROP_KERNEL_STATE);
  set_string (self, &self->wait_channel, NULL, SPINDLE_WORKER_PROP_WAIT_CHANNEL);
  set_string (self, &self->syscall, NULL, SPINDLE_WORKER_PROP_SYSCALL);
}

/* Over: nothing of the thread is current any more. */
void
_spindle_worker_clear_sample (SpindleWorker *self)
{
  _spindle_worker_clear_details (self);

  if (self->cpu_percent != 0.0)
    {
      self->cpu_percent = 0.0;
      notify_sampled (self, SPINDLE_WORKER_PROP_CPU_PERCENT);
    }
}

/**
 * spindle_worker_get_cpu_time:
 * @worker: a worker
 *
 * CPU time the worker's thread used, as last sampled (see #SpindleSampler).
 *
 * Returns: nanoseconds
 */
gint64
spindle_worker_get_cpu_time (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->cpu_time;
}

/**
 * spindle_worker_get_cpu_percent:
 * @worker: a worker
 *
 * Share of one CPU core the thread used between its last two samples.
 *
 * Returns: a percentage of one core
 */
double
spindle_worker_get_cpu_percent (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0.0);
  return self->cpu_percent;
}

/**
 * spindle_worker_get_kernel_state:
 * @worker: a worker
 *
 * The thread's state letter from /proc (R, S, D…), as last sampled.
 *
 * Returns: (transfer none) (nullable): the state letter, or %NULL when the
 *   worker is not being sampled
 */
const char *
spindle_worker_get_kernel_state (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->kernel_state;
}

/**
 * spindle_worker_get_wait_channel:
 * @worker: a worker
 *
 * The kernel function the thread sleeps in, as last sampled.
 *
 * Returns: (transfer none) (nullable): the wait channel, or %NULL
 */
const char *
spindle_worker_get_wait_channel (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->wait_channel;
}

/**
 * spindle_worker_get_syscall:
 * @worker: a worker
 *
 * The system call the thread is in, as last sampled ("read", "running").
 *
 * Returns: (transfer none) (nullable): the call, or %NULL
 */
const char *
spindle_worker_get_syscall (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->syscall;
}

/**
 * spindle_worker_get_in_compute:
 * @worker: a worker
 *
 * Whether the body was inside a compute region when last sampled.
 *
 * Returns: %TRUE inside spindle_job_enter_compute()
 */
gboolean
spindle_worker_get_in_compute (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), FALSE);
  return self->in_compute;
}
