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
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "spindle-remote-private.h"
#include "spindle-sampler-private.h"
#include "spindle-thread-info-private.h"
#include "spindle-worker-private.h"
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

struct _SpindleSampler
{
  GObject           parent_instance;

  SpindleWorkerSet *set;
  GHashTable       *watched;        /* SpindleWorker, owned → Watched */
  GListStore       *others;         /* SpindleThreadInfo */
  gint64            last_tick;
  guint64           last_rtime;
  guint64           n_task_reads;
  guint64           n_other_reads;
  guint64           n_listings;
  guint64           n_ticks;
  guint64           listed_at;      /* n_ticks at the last listing */
  guint             full_every;
  int               listed_others;  /* threads less workers' threads at the last listing */
  guint             last_n_threads;      /* the counts at the last tick */
  guint             last_n_job_threads;
  gint64            moved_at;            /* when a tick last saw them move */
  gboolean          relist_soon;    /* an other thread took a name: perhaps a worker's */

  double            process_cpu;
  guint64           resident;
  guint             n_threads;
  guint             n_cpus;
  double            load_average;
};

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
static gboolean
read_cpu_time (int     tid,
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

  if (!read_cpu_time (worker->tid, &sample.cpu_time))
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
static int
thread_id (SpindleWorker *worker)
{
  if (worker->tid > 0 || worker->job == NULL)
    return worker->tid;

  return g_atomic_int_get (&worker->job->tid);
}

/* What a listing takes of the workers, in the one walk of them: their
 * thread ids, and the workers whose thread had not run yet, the only ones
 * that can turn out to own a listed thread (see forget_late_workers ()).
 */
typedef struct
{
  GHashTable *tids;
  GPtrArray  *unstarted;   /* SpindleWorker, owned */
} WorkerIds;

static void
worker_ids_clear (WorkerIds *ids)
{
  g_clear_pointer (&ids->tids, g_hash_table_unref);
  g_clear_pointer (&ids->unstarted, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WorkerIds, worker_ids_clear)

static void
worker_ids_add (WorkerIds     *ids,
                SpindleWorker *worker)
{
  int tid = thread_id (worker);

  if (tid > 0)
    g_hash_table_add (ids->tids, GINT_TO_POINTER (tid));
  else
    g_ptr_array_add (ids->unstarted, g_object_ref (worker));
}

/* Every worker of @model and below; @ids (if any) collects their thread ids. */
static void
sample_workers (SpindleSampler *self,
                GListModel     *model,
                gint64          now,
                gboolean        sample,
                WorkerIds      *ids)
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
      sample_workers (self, spindle_worker_get_children (worker), now, sample, ids);
    }
}

static void
sample_watched (SpindleSampler *self,
                gint64          now)
{
  GHashTableIter iter;
  gpointer worker;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    if (((SpindleWorker *) worker)->tid > 0 && is_sampled (worker))
      sample_worker (self, worker, now);
}

/* The other threads **********************************************************/

static SpindleThreadInfo *
find_other (SpindleSampler *self,
            int             tid,
            guint          *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->others));

  for (*position = 0; *position < n; (*position)++)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (G_LIST_MODEL (self->others), *position);

      if (spindle_thread_info_get_tid (info) == tid)
        return info;
    }

  return NULL;
}

/* The CPU time an other thread had when its files were last read. */
static GQuark
read_at_cpu_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("spindle-sampler-read-at-cpu");

  return quark;
}

/* As for a watched worker (see details_may_have_changed ()): an other
 * thread that did not run since its files were read, asleep then, has
 * the same name and state. Only its CPU figure moves (to none).
 */
static gboolean
other_unchanged (SpindleThreadInfo *info,
                 gint64             cpu_time)
{
  const gint64 *read_at = g_object_get_qdata (G_OBJECT (info), read_at_cpu_quark ());
  const char *state = spindle_thread_info_get_kernel_state (info);

  return read_at != NULL && *read_at == cpu_time && state != NULL && state[0] != 'R';
}

typedef enum
{
  OTHER_GONE,
  OTHER_READ,
  OTHER_RENAMED,
} OtherRead;

static OtherRead
sample_other (SpindleSampler *self,
              int             tid,
              gint64          now)
{
  g_autoptr(SpindleThreadInfo) created = NULL;
  SpindleThreadInfo *info;
  char comm[64], stat[512];
  gint64 cpu_time = 0;
  gboolean clock_read, renamed = FALSE;
  guint position;

  /* the clock first: a run after it moves it for the next tick */
  clock_read = read_cpu_time (tid, &cpu_time);
  info = find_other (self, tid, &position);
  if (info != NULL && clock_read && other_unchanged (info, cpu_time))
    {
      _spindle_thread_info_update (info, spindle_thread_info_get_name (info),
                                   spindle_thread_info_get_kernel_state (info)[0], cpu_time, now);
      return OTHER_READ;
    }

  self->n_other_reads++;
  if (!_spindle_task_read_file (tid, "comm", comm, sizeof comm) ||
      !_spindle_task_read_file (tid, "stat", stat, sizeof stat))
    return OTHER_GONE;

  if (info == NULL)
    {
      info = created = _spindle_thread_info_new (tid);
      g_list_store_append (self->others, info);
    }
  /* A worker's thread listed before it ran is renamed as it begins: the
   * next listing knows it for a worker's. */
  else if (g_strcmp0 (spindle_thread_info_get_name (info), g_strchomp (comm)) != 0)
    self->relist_soon = renamed = TRUE;

  _spindle_thread_info_update (info, comm, _spindle_task_parse_state (stat), cpu_time, now);
  g_object_set_qdata_full (G_OBJECT (info), read_at_cpu_quark (),
                           clock_read ? g_memdup2 (&cpu_time, sizeof cpu_time) : NULL, g_free);
  return renamed ? OTHER_RENAMED : OTHER_READ;
}

static void
forget_gone_others (SpindleSampler *self,
                    GHashTable     *seen)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->others)); i > 0; i--)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (G_LIST_MODEL (self->others), i - 1);

      if (!g_hash_table_contains (seen, GINT_TO_POINTER (spindle_thread_info_get_tid (info))))
        g_list_store_remove (self->others, i - 1);
    }
}

/* Only the other threads already known: a gone one is dropped. So is one
 * that renamed itself, which is nearly always a worker's that a listing
 * found before it ran, under its creator's name: it waits for the next
 * listing, which is asked for (see wants_listing ()) and finds it again
 * if it is no worker's.
 */
static void
resample_others (SpindleSampler *self,
                 gint64          now)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->others)); i > 0; i--)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (G_LIST_MODEL (self->others), i - 1);

      if (sample_other (self, spindle_thread_info_get_tid (info), now) != OTHER_READ)
        g_list_store_remove (self->others, i - 1);
    }
}

/* A worker's thread that ran its first steps while the others' files
 * were read: named already, its id not yet in its job when the workers'
 * ids were taken. Its id is there now. Only a worker whose thread had no
 * id at the listing's walk can be one, since the others hold none of the
 * ids the walk took: the walk kept those workers, and no second walk of
 * ten thousand is needed (the others' files were read on this thread, so
 * the set's workers are the ones walked).
 */
static void
forget_late_workers (SpindleSampler *self,
                     GPtrArray      *unstarted)
{
  g_autoptr(GHashTable) late = NULL;

  for (guint i = 0; i < unstarted->len; i++)
    {
      int tid = thread_id (g_ptr_array_index (unstarted, i));

      if (tid <= 0)
        continue;
      if (late == NULL)
        late = g_hash_table_new (NULL, NULL);
      g_hash_table_add (late, GINT_TO_POINTER (tid));
    }

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->others)); late != NULL && i > 0; i--)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (G_LIST_MODEL (self->others), i - 1);

      if (g_hash_table_contains (late, GINT_TO_POINTER (spindle_thread_info_get_tid (info))))
        g_list_store_remove (self->others, i - 1);
    }
}

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
 * not run at all yet (and then it is renamed soon, see sample_other()).
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

static guint
sample_others (SpindleSampler *self,
               gint64          now,
               GArray         *listed,
               GHashTable     *worker_tids)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < listed->len; i++)
    {
      int tid = g_array_index (listed, int, i);

      if (tid <= 0 || g_hash_table_contains (worker_tids, GINT_TO_POINTER (tid)))
        continue;

      g_hash_table_add (seen, GINT_TO_POINTER (tid));
      sample_other (self, tid, now);
    }

  forget_gone_others (self, seen);

  return listed->len;
}

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
      g_auto(WorkerIds) ids = { NULL, NULL };
      g_autoptr(GArray) listed = relist ? list_threads () : NULL;

      if (relist)
        ids = (WorkerIds) { g_hash_table_new (NULL, NULL), g_ptr_array_new_with_free_func (g_object_unref) };
      sample_workers (self, G_LIST_MODEL (self->set), now, full, relist ? &ids : NULL);
      if (relist && listed->len == 0)
        n_threads = 0;
      else if (relist)
        {
          self->relist_soon = FALSE;
          self->listed_at = self->n_ticks;
          self->n_listings++;
          n_threads = sample_others (self, now, listed, ids.tids);
          self->listed_others = (int) (n_threads - n_job_threads);
          forget_late_workers (self, ids.unstarted);
        }
    }
  if (!full)
    sample_watched (self, now);
  if (!relist)
    resample_others (self, now);
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
