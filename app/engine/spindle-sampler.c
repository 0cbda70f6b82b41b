/* spindle-sampler.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glibtop.h>
#include <glibtop/loadavg.h>
#include <glibtop/sysinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spindle-job-private.h"
#include "spindle-sampler-private.h"
#include "spindle-worker-set-private.h"

/* What the kernel sees of the process, sampled on the main context at the
 * UI's refresh interval, only while someone looks.
 *
 * A tick costs what the view shows, not what the process holds. The
 * watched workers (the rows on screen and the selected one) get their CPU
 * clock (a few µs; libgtop's per-process time is process-wide when asked
 * about a thread, and far slower) on every tick and their
 * /proc/self/task/<tid>/ files once at once when they are first watched,
 * so a row is right the moment it shows, then on every tick on which the
 * thread ran (its CPU clock moved) or the worker's state changed. The
 * other live workers' CPU clocks are read every "full-every" ticks: every
 * tick by default, never in a window that does not sort by CPU, every
 * 10th tick (5 s at the default refresh) in one that does (see
 * spindle-panel-sampling.c).
 *
 * The threads Spindle did not start come from a listing of
 * /proc/self/task, which with ten thousand workers costs tens of ms: it is
 * taken again only when the count of threads that are not workers' (the
 * process's, from the link count of /proc/self/task, less the workers'
 * threads the engine counts) changed, at most every RELIST_GAP ticks, or
 * every RELIST_EVERY ticks, since a thread may end as another starts:
 * workers starting or ending by the thousand cost no listing. While
 * threads are being made or end (either count moved at a tick in the
 * last RELIST_QUIET_USEC: a launch, whose starter threads come and go and
 * whose count is off by the threads being made), a listing would find
 * threads that have not run yet, which no worker has claimed, and would
 * be taken again for them: it waits until the counts hold still for
 * RELIST_QUIET_USEC (two ticks at the default refresh), RELIST_BUSY ticks
 * at most (10 s at the default refresh). An other thread that renames
 * itself, nearly always a worker's that a listing found before it ran,
 * under its creator's name, leaves the list until the next listing. The
 * workers' rows need none of it: a worker's TID comes from its own
 * thread, and its kernel state from its own files, read the moment its
 * row is watched. A worker's thread is known by the id its job holds as
 * soon as it runs, before its start reaches the set: it is never taken
 * for another thread.
 * In between, only the few known other threads are read, and their files
 * only once they ran. The process's figures come from its CPU clock and
 * /proc/self/statm, the system's (load, CPUs) from libgtop: the kernel
 * answers /proc/self/stat, as libgtop reads it, by walking every thread.
 */

#define RELIST_EVERY 60
#define RELIST_GAP   4
#define RELIST_BUSY  20
#define RELIST_QUIET_USEC (G_USEC_PER_SEC)

enum {
  PROP_0,
  PROP_PROCESS_CPU,
  PROP_RESIDENT,
  PROP_N_THREADS,
  PROP_N_CPUS,
  PROP_LOAD_AVERAGE,
  PROP_FULL_EVERY,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpindleSampler, spindle_sampler, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

/* The process and the system, from libgtop ***********************************/

static void
set_double (SpindleSampler *self,
            double         *field,
            double          value,
            guint           prop_id)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
    }
}

static void
set_uint (SpindleSampler *self,
          guint          *field,
          guint           value,
          guint           prop_id)
{
  if (*field != value)
    {
      *field = value;
      g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
    }
}

/* The kernel answers a read of the process's CPU clock by summing every
 * thread's time, unless a process CPU timer is armed: then it keeps a
 * running total and a read costs the same for one thread or ten thousand
 * (1.4 µs against 2 ms at 10,000 threads). So one timer is armed, far in
 * the future, for the process's lifetime. Linux never arms a SIGEV_NONE
 * timer, so it names a signal: SIGURG, which is ignored unless a handler
 * is set, and which this timer could only send after 68 years of CPU.
 */
static void
arm_process_cputimer (void)
{
  static gsize armed;

  if (g_once_init_enter (&armed))
    {
      struct sigevent event = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGURG };
      struct itimerspec spec = { .it_value = { .tv_sec = G_MAXINT32 } };
      timer_t timer;

      if (timer_create (CLOCK_PROCESS_CPUTIME_ID, &event, &timer) == 0)
        timer_settime (timer, 0, &spec, NULL);
      g_once_init_leave (&armed, 1);
    }
}

/* The process's CPU time in ns. */
static guint64
read_process_cpu (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
    return 0;

  return ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Resident memory from /proc/self/statm, which costs the same with one
 * thread or ten thousand (libgtop reads /proc/<pid>/stat too).
 */
static guint64
read_resident (void)
{
  g_autofree char *statm = NULL;
  guint64 size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &size, &resident) != 2)
    return 0;

  return resident * (guint64) sysconf (_SC_PAGESIZE);
}

static void
sample_process (SpindleSampler *self,
                gint64          now,
                guint           n_threads)
{
  guint64 rtime = read_process_cpu ();
  guint64 resident = read_resident ();
  glibtop_loadavg load;

  if (self->last_tick != 0 && now > self->last_tick)
    set_double (self, &self->process_cpu,
                (rtime - self->last_rtime) / 10.0 / (now - self->last_tick),
                PROP_PROCESS_CPU);
  self->last_rtime = rtime;

  if (self->resident != resident)
    {
      self->resident = resident;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESIDENT]);
    }

  glibtop_get_loadavg (&load);
  set_double (self, &self->load_average, load.loadavg[0], PROP_LOAD_AVERAGE);
  set_uint (self, &self->n_cpus, glibtop_get_sysinfo ()->ncpu, PROP_N_CPUS);
  set_uint (self, &self->n_threads, n_threads, PROP_N_THREADS);
}

/* Ticks **********************************************************************/

/* The process's thread count, or 0: the kernel gives /proc/self/task as
 * many links as threads, plus two, so one stat() tells it, where
 * /proc/self/status must be made and parsed, and /proc/self/stat walks
 * every thread.
 */
static guint
read_n_threads (void)
{
  struct stat st;

  if (stat ("/proc/self/task", &st) != 0 || st.st_nlink < 3)
    return 0;

  return (guint) (st.st_nlink - 2);
}

/* The process's thread ids, read before the workers' are collected: a
 * worker's thread listed here has an id in its job by then, unless it has
 * not run at all yet (and then it is renamed soon, see sample_other() in
 * spindle-sampler-other-threads.c).
 */
static GArray *
list_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  GArray *tids = g_array_new (FALSE, FALSE, sizeof (int));
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      int tid = atoi (name);

      g_array_append_val (tids, tid);
    }

  return tids;
}

/* Whether this tick lists the process's threads again: see the top of
 * the file.
 */
static gboolean
wants_listing (SpindleSampler *self,
               gint64          now,
               guint           n_threads,
               guint           n_job_threads)
{
  guint64 since = self->n_ticks - self->listed_at;
  gboolean busy;

  if (n_threads != self->last_n_threads || n_job_threads != self->last_n_job_threads)
    self->moved_at = now;
  busy = now - self->moved_at < RELIST_QUIET_USEC;

  if (n_threads == 0 || self->n_listings == 0 || since >= RELIST_EVERY)
    return TRUE;

  if (!self->relist_soon && (int) (n_threads - n_job_threads) == self->listed_others)
    return FALSE;

  if (busy)
    return since >= RELIST_BUSY;

  return self->relist_soon || since >= RELIST_GAP;
}

static void
sample (SpindleSampler *self)
{
  gint64 now = g_get_monotonic_time ();
  gboolean full, relist;
  guint n_threads, n_job_threads;

  full = self->full_every != 0 && self->n_ticks % self->full_every == 0;
  n_job_threads = _spindle_job_get_n_threads ();
  n_threads = read_n_threads ();
  relist = wants_listing (self, now, n_threads, n_job_threads);
  self->last_n_threads = n_threads;
  self->last_n_job_threads = n_job_threads;

  g_object_freeze_notify (G_OBJECT (self));
  if (full || relist)
    {
      g_auto(SpindleWorkerIds) ids = { NULL, NULL };
      g_autoptr(GArray) listed = relist ? list_threads () : NULL;

      if (relist)
        ids = (SpindleWorkerIds) { g_hash_table_new (NULL, NULL), g_ptr_array_new_with_free_func (g_object_unref) };
      _spindle_sampler_sample_workers (self, G_LIST_MODEL (self->set), now, full, relist ? &ids : NULL);
      if (relist && listed->len == 0)
        n_threads = 0;
      else if (relist)
        {
          self->relist_soon = FALSE;
          self->listed_at = self->n_ticks;
          self->n_listings++;
          n_threads = _spindle_sampler_sample_others (self, now, listed, ids.tids);
          self->listed_others = (int) (n_threads - n_job_threads);
          _spindle_sampler_forget_late_workers (self, ids.unstarted);
        }
    }
  if (!full)
    _spindle_sampler_sample_watched (self, now);
  if (!relist)
    _spindle_sampler_resample_others (self, now);
  sample_process (self, now, n_threads);
  self->last_tick = now;
  self->n_ticks++;
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * spindle_sampler_tick:
 *
 * Samples once: every live worker's CPU time and use, the watched workers'
 * kernel state, wait channel and system call (of those that ran since they
 * were last read), the other threads, and the process's figures. Call it at the refresh interval while a view is shown.
 */
void
spindle_sampler_tick (SpindleSampler *self)
{
  g_autoptr(SpindleSampler) hold = NULL;
  g_autoptr(SpindleWorkerSet) set = NULL;

  g_return_if_fail (SPINDLE_IS_SAMPLER (self));

  if (self->set == NULL)
    return;

  /* Events queued without a wake-up reach the view at its refresh rate.
   * Their handlers may drop the last reference to this sampler, or to its
   * set (a window closed as its last worker ends): the tick holds both,
   * and a sampler disposed meanwhile has nothing left to sample.
   */
  hold = g_object_ref (self);
  set = g_object_ref (self->set);
  _spindle_worker_set_flush (set);
  if (self->set != NULL)
    sample (self);
}

/**
 * spindle_sampler_set_full_every:
 * @every: read every live worker's CPU clock once in this many ticks; 0
 *   for only the watched workers
 *
 * The watched workers are read on every tick whatever this says. A view
 * that sorts by CPU needs every worker's figure now and then; one that does
 * not, needs none but its rows'.
 */
void
spindle_sampler_set_full_every (SpindleSampler *self,
                                guint           every)
{
  g_return_if_fail (SPINDLE_IS_SAMPLER (self));

  if (self->full_every == every)
    return;

  /* the next tick reads them all */
  self->full_every = every;
  self->n_ticks = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FULL_EVERY]);
}

/**
 * spindle_sampler_get_full_every:
 * @sampler: a sampler
 *
 * Every how many ticks the process's other threads are listed again.
 *
 * Returns: a number of ticks
 */
guint
spindle_sampler_get_full_every (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0);
  return self->full_every;
}

/* GObject ********************************************************************/

/**
 * spindle_sampler_new:
 * @set: the set whose workers it samples
 *
 * Creates a sampler that reads CPU time and kernel state of the watched workers at each tick.
 *
 * Returns: (transfer full): the sampler
 */
SpindleSampler *
spindle_sampler_new (SpindleWorkerSet *set)
{
  SpindleSampler *self;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);

  self = g_object_new (SPINDLE_TYPE_SAMPLER, NULL);
  self->set = g_object_ref (set);

  return self;
}

static void
spindle_sampler_dispose (GObject *object)
{
  SpindleSampler *self = (SpindleSampler *) object;

  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_object (&self->others);
  g_clear_object (&self->set);

  G_OBJECT_CLASS (spindle_sampler_parent_class)->dispose (object);
}

static void
spindle_sampler_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SpindleSampler *self = SPINDLE_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_PROCESS_CPU:  g_value_set_double (value, self->process_cpu); break;
    case PROP_RESIDENT:     g_value_set_uint64 (value, self->resident); break;
    case PROP_N_THREADS:    g_value_set_uint (value, self->n_threads); break;
    case PROP_N_CPUS:       g_value_set_uint (value, self->n_cpus); break;
    case PROP_LOAD_AVERAGE: g_value_set_double (value, self->load_average); break;
    case PROP_FULL_EVERY:   g_value_set_uint (value, self->full_every); break;
    default:                G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_sampler_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SpindleSampler *self = SPINDLE_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_FULL_EVERY:   spindle_sampler_set_full_every (self, g_value_get_uint (value)); break;
    default:                G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_sampler_class_init (SpindleSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = spindle_sampler_dispose;
  object_class->get_property = spindle_sampler_get_property;
  object_class->set_property = spindle_sampler_set_property;

  /**
   * SpindleSampler:process-cpu:
   *
   * The whole process's CPU use between the last two ticks, in % of one CPU.
   */
  properties[PROP_PROCESS_CPU] = g_param_spec_double ("process-cpu", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, ro);
  /**
   * SpindleSampler:resident:
   *
   * The process's resident memory in bytes at the last tick.
   */
  properties[PROP_RESIDENT] = g_param_spec_uint64 ("resident", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * SpindleSampler:n-threads:
   *
   * The process's thread count at the last tick.
   */
  properties[PROP_N_THREADS] = g_param_spec_uint ("n-threads", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * SpindleSampler:n-cpus:
   *
   * The number of CPUs online.
   */
  properties[PROP_N_CPUS] = g_param_spec_uint ("n-cpus", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * SpindleSampler:load-average:
   *
   * The system's 1-minute load average at the last tick.
   */
  properties[PROP_LOAD_AVERAGE] = g_param_spec_double ("load-average", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, ro);

  /**
   * SpindleSampler:full-every:
   *
   * Every how many ticks the process's other threads are listed again.
   */
  properties[PROP_FULL_EVERY] =
    g_param_spec_uint ("full-every", NULL, NULL, 0, G_MAXUINT, 1,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  glibtop_init ();
  arm_process_cputimer ();
}

static void
spindle_sampler_init (SpindleSampler *self)
{
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, g_free);
  self->others = g_list_store_new (SPINDLE_TYPE_THREAD_INFO);
  self->full_every = 1;
}

/**
 * spindle_sampler_get_other_threads:
 * @sampler: a sampler
 *
 * The process's threads that are not workers (the toolkit's, GLib's),
 * as of the last full tick.
 *
 * Returns: (transfer none): a list of #SpindleThreadInfo
 */
GListModel *
spindle_sampler_get_other_threads (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), NULL);
  return G_LIST_MODEL (self->others);
}

/**
 * spindle_sampler_get_process_cpu:
 * @sampler: a sampler
 *
 * The whole process's CPU use between its last two ticks.
 *
 * Returns: a percentage of one CPU
 */
double
spindle_sampler_get_process_cpu (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0.0);
  return self->process_cpu;
}

/**
 * spindle_sampler_get_resident:
 * @sampler: a sampler
 *
 * The process's resident memory at the last tick.
 *
 * Returns: bytes
 */
guint64
spindle_sampler_get_resident (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0);
  return self->resident;
}

/**
 * spindle_sampler_get_n_threads:
 * @sampler: a sampler
 *
 * The process's thread count at the last tick.
 *
 * Returns: the thread count
 */
guint
spindle_sampler_get_n_threads (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0);
  return self->n_threads;
}

/**
 * spindle_sampler_get_n_cpus:
 * @sampler: a sampler
 *
 * The number of CPUs online.
 *
 * Returns: the CPU count
 */
guint
spindle_sampler_get_n_cpus (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0);
  return self->n_cpus;
}

/**
 * spindle_sampler_get_load_average:
 * @sampler: a sampler
 *
 * The system's 1-minute load average at the last tick.
 *
 * Returns: the load average
 */
double
spindle_sampler_get_load_average (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0.0);
  return self->load_average;
}

/**
 * spindle_sampler_get_n_task_reads:
 * @sampler: a sampler
 *
 * How many /proc task files the sampler has read so far, for benchmarks.
 *
 * Returns: a count
 */
guint64
spindle_sampler_get_n_task_reads (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0);
  return self->n_task_reads;
}

/* How many times the files of threads that are not workers' were read. */
guint64
_spindle_sampler_get_n_other_reads (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0);
  return self->n_other_reads;
}

/* How many times /proc/self/task was listed. */
guint64
_spindle_sampler_get_n_listings (SpindleSampler *self)
{
  g_return_val_if_fail (SPINDLE_IS_SAMPLER (self), 0);
  return self->n_listings;
}
