/* test-sampler.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <poll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "spindle-catalog-private.h"
#include "spindle-sampler-private.h"
#include "spindle-test-util.h"
#include "spindle-worker-private.h"

static SpindleWorker *
spawn (SpindleWorkerSet *set,
       const char       *kind)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_catalog_spawn (set, kind, &error);

  g_assert_no_error (error);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  return worker;
}

/* Ticks the sampler every 20 ms until cond holds. */
typedef struct
{
  SpindleSampler      *sampler;
  SpindleTestCondFunc  cond;
  gpointer             data;
} Ticking;

static gboolean
tick_until (gpointer data)
{
  Ticking *ticking = data;

  spindle_sampler_tick (ticking->sampler);
  return ticking->cond (ticking->data);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
sample_until (SpindleSampler      *sampler,
              SpindleTestCondFunc  cond,
              gpointer             data)
{
  Ticking ticking = { sampler, cond, data };
  guint id = g_timeout_add (20, tick_cb, NULL);

  spindle_test_wait_until (tick_until, &ticking, SPINDLE_TEST_GUARD_MS);
  g_source_remove (id);
}

static gboolean
burned_enough (gpointer data)
{
  /* enough CPU on a loaded machine for a clear difference */
  return spindle_worker_get_cpu_time (data) > 200 * 1000 * 1000 &&
         spindle_worker_get_cpu_percent (data) > 0.0;
}

static void
test_busy_beats_sleeping (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  SpindleWorker *busy = spawn (set, "stubborn-spinner");
  SpindleWorker *sleeper = spawn (set, "sleeper");

  sample_until (sampler, burned_enough, busy);

  g_assert_cmpfloat (spindle_worker_get_cpu_percent (busy), >, spindle_worker_get_cpu_percent (sleeper));
  g_assert_cmpint (spindle_worker_get_cpu_time (busy), >, spindle_worker_get_cpu_time (sleeper));
  g_assert_true (spindle_worker_get_in_compute (busy));
  g_assert_false (spindle_worker_get_in_compute (sleeper));

  spindle_worker_set_cancel_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpfloat (spindle_worker_get_cpu_percent (busy), ==, 0.0);
}

typedef struct
{
  SpindleWorker *worker;
  const char    *wait_channel;
} ChannelWait;

static gboolean
waits_in (gpointer data)
{
  ChannelWait *wait = data;
  const char *channel = spindle_worker_get_wait_channel (wait->worker);

  return g_strcmp0 (spindle_worker_get_kernel_state (wait->worker), "S") == 0 &&
         channel != NULL && strstr (channel, wait->wait_channel) != NULL;
}

static SpindleDiagnosis *
diagnose_waiting (const char *kind,
                  const char *wait_channel,
                  const char *syscall,
                  SpindleWorkerSet *set,
                  SpindleSampler   *sampler)
{
  SpindleWorker *worker = spawn (set, kind);
  ChannelWait wait = { worker, wait_channel };

  spindle_sampler_watch (sampler, worker);
  sample_until (sampler, waits_in, &wait);
  g_assert_cmpstr (spindle_worker_get_syscall (worker), ==, syscall);

  return spindle_worker_diagnose_now (worker);
}

static void
test_futex_wait (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;

  diagnosis = diagnose_waiting ("cond-waiter", "futex", "futex", set, sampler);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_NOTHING);
  g_assert_cmpstr (diagnosis->summary, ==, "blocked on a raw futex wait (g_cond_wait, g_mutex_lock…)");
  g_assert_nonnull (strstr (diagnosis->advice, "neither a stop nor force-cancel can interrupt this wait"));

  _spindle_catalog_release_cond_waiters ();
  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

static GVariant *
nanosleep_body (SpindleJob  *job,
                gpointer     data,
                GError     **error)
{
  struct timespec ts = { 60, 0 };

  nanosleep (&ts, NULL);
  return NULL;
}

/* Ticks until the worker's CPU clock moved: it ran between the last two
 * ticks. @before is the read count just before that last tick. */
typedef struct
{
  SpindleSampler *sampler;
  SpindleWorker  *worker;
  gint64          cpu_time;
  guint64         before;
} RanTick;

static gboolean
tick_until_ran (gpointer data)
{
  RanTick *ran = data;

  ran->before = spindle_sampler_get_n_task_reads (ran->sampler);
  spindle_sampler_tick (ran->sampler);
  return spindle_worker_get_cpu_time (ran->worker) != ran->cpu_time;
}

static void
test_sleep_waits (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  SpindleWorker *raw;
  ChannelWait wait;

  /* an engine sleep polls: a stop reaches it */
  diagnosis = diagnose_waiting ("sleeper", "poll", "ppoll", set, sampler);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_STOP);
  g_clear_pointer (&diagnosis, spindle_diagnosis_free);

  /* a raw nanosleep: only a cancel does, at once */
  raw = spindle_worker_set_spawn (set, "raw sleep", nanosleep_body, NULL, NULL, &error);
  g_assert_no_error (error);
  spindle_test_wait_state (raw, SPINDLE_WORKER_STATE_RUNNING);
  spindle_sampler_watch (sampler, raw);
  wait = (ChannelWait) { raw, "nanosleep" };
  sample_until (sampler, waits_in, &wait);
  diagnosis = spindle_worker_diagnose (raw);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_CANCEL);
  g_assert_cmpstr (diagnosis->summary, ==, "sleeping in a cancellation point");

  spindle_worker_set_cancel_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_assert_null (spindle_worker_get_kernel_state (raw));
}

static void
test_only_watched_read (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  SpindleWorker *workers[50];
  guint64 before;

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    workers[i] = spawn (set, "sleeper");
  for (guint i = 0; i < 5; i++)
    spindle_sampler_watch (sampler, workers[i]);

  /* read at once as they are watched, those five only */
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler), ==, 5);

  /* a tick reads at most the watched ones again (those that ran) */
  before = spindle_sampler_get_n_task_reads (sampler);
  spindle_sampler_tick (sampler);
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler) - before, <=, 5);

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      if (i < 5)
        g_assert_cmpstr (spindle_worker_get_kernel_state (workers[i]), !=, NULL);
      else
        g_assert_null (spindle_worker_get_kernel_state (workers[i]));
      /* CPU time is sampled for every live worker: its clock is cheap */
      g_assert_cmpint (spindle_worker_get_cpu_time (workers[i]), >, 0);
    }

  /* out of view again: its details are no longer current */
  spindle_sampler_unwatch (sampler, workers[0]);
  g_assert_null (spindle_worker_get_kernel_state (workers[0]));

  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

/* A watched thread that did not run since its last read (its CPU clock
 * stood still) is not read again: it cannot have changed its kernel
 * state, wait channel or system call. One that ran, or whose worker
 * changed state, is.
 */
static void
test_idle_not_reread (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  SpindleWorker *spinner = spawn (set, "stubborn-spinner");
  g_autoptr(GError) error = NULL;
  SpindleWorker *sleeper;
  ChannelWait wait;
  guint64 before;

  sleeper = spindle_worker_set_spawn (set, "raw sleep", nanosleep_body, NULL, NULL, &error);
  g_assert_no_error (error);
  spindle_test_wait_state (sleeper, SPINDLE_WORKER_STATE_RUNNING);

  /* read at once as it is watched; then until it sleeps in nanosleep () */
  spindle_sampler_watch (sampler, sleeper);
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler), ==, 1);
  wait = (ChannelWait) { sleeper, "nanosleep" };
  sample_until (sampler, waits_in, &wait);

  /* asleep in the kernel all along: nothing read, what was read stays */
  for (guint i = 0; i < 3; i++)
    {
      before = spindle_sampler_get_n_task_reads (sampler);
      spindle_sampler_tick (sampler);
      g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler) - before, ==, 0);
    }
  g_assert_true (waits_in (&wait));

  /* a spinning thread's clock always moves: read on every tick */
  spindle_sampler_unwatch (sampler, sleeper);
  spindle_sampler_watch (sampler, spinner);
  for (guint i = 0; i < 3; i++)
    {
      RanTick ran = { sampler, spinner, spindle_worker_get_cpu_time (spinner), 0 };

      /* let it run a little between two ticks */
      spindle_test_wait_until (tick_until_ran, &ran, SPINDLE_TEST_GUARD_MS);
      g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler) - ran.before, ==, 1);
    }

  /* watched anew: read at once, whether it ran or not */
  spindle_sampler_unwatch (sampler, spinner);
  g_assert_null (spindle_worker_get_kernel_state (sleeper));
  before = spindle_sampler_get_n_task_reads (sampler);
  spindle_sampler_watch (sampler, sleeper);
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler) - before, ==, 1);
  g_assert_true (waits_in (&wait));

  /* its worker's state changed: read again, though it may not have run */
  before = spindle_sampler_get_n_task_reads (sampler);
  spindle_sampler_tick (sampler);
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler) - before, ==, 0);
  spindle_worker_request_stop (sleeper);
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_STOPPING);
  before = spindle_sampler_get_n_task_reads (sampler);
  spindle_sampler_tick (sampler);
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler) - before, ==, 1);

  spindle_worker_set_cancel_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

/* Waits in poll () until a byte comes on its pipe, then in nanosleep (). */
static GVariant *
poll_then_sleep_body (SpindleJob  *job,
                      gpointer     data,
                      GError     **error)
{
  struct pollfd pfd = { .fd = GPOINTER_TO_INT (data), .events = POLLIN };
  struct timespec ts = { 60, 0 };
  char byte;

  while (poll (&pfd, 1, -1) < 0)
    ;
  if (read (pfd.fd, &byte, 1) == 1)
    nanosleep (&ts, NULL);

  return NULL;
}

/* Idle rows are not read again, but a thread that ran is, however briefly:
 * one woken out of one wait into another is seen in its new wait, and the
 * diagnosis taken from the sample follows it.
 */
static void
test_moved_thread_reread (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;
  ChannelWait wait;
  guint64 before;
  int fds[2];

  g_assert_no_errno (pipe (fds));
  worker = spindle_worker_set_spawn (set, "poll then sleep", poll_then_sleep_body,
                                     GINT_TO_POINTER (fds[0]), NULL, &error);
  g_assert_no_error (error);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_sampler_watch (sampler, worker);
  wait = (ChannelWait) { worker, "poll" };
  sample_until (sampler, waits_in, &wait);
  g_assert_cmpstr (spindle_worker_get_syscall (worker), ==, "poll");
  before = spindle_sampler_get_n_task_reads (sampler);
  spindle_sampler_tick (sampler);
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler) - before, ==, 0);

  /* it wakes, reads its byte and sleeps again, elsewhere: no state change */
  g_assert_cmpint (write (fds[1], "x", 1), ==, 1);
  wait = (ChannelWait) { worker, "nanosleep" };
  sample_until (sampler, waits_in, &wait);
  g_assert_cmpstr (spindle_worker_get_syscall (worker), ==, "clock_nanosleep");
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);
  diagnosis = spindle_worker_diagnose (worker);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_CANCEL);
  g_assert_cmpstr (diagnosis->summary, ==, "sleeping in a cancellation point");

  spindle_worker_set_cancel_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  close (fds[0]);
  close (fds[1]);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(guint *) data)++;
}

/* A row coming on screen is sampled at once and its figures announced
 * after the frame; a change of state in between is announced at once, so
 * the window's counts never lag a row that was just drawn.
 */
static void
test_watch_holds_only_figures (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  SpindleWorker *worker = spawn (set, "sleeper");
  guint n_state = 0, n_kernel = 0;

  g_signal_connect (worker, "notify::state", G_CALLBACK (count_notify), &n_state);
  g_signal_connect (worker, "notify::kernel-state", G_CALLBACK (count_notify), &n_kernel);

  spindle_sampler_watch (sampler, worker);
  /* read now, announced later */
  g_assert_nonnull (spindle_worker_get_kernel_state (worker));
  g_assert_cmpuint (n_kernel, ==, 0);

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpuint (n_state, ==, 1);

  /* the held figures come after the frame, the end's clearing with them
   * if it came first: both are waited for, not raced */
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_count ((gint *) &n_kernel, 1);
  g_signal_handlers_disconnect_by_data (worker, &n_state);
  g_signal_handlers_disconnect_by_data (worker, &n_kernel);
}

typedef struct
{
  GMutex mutex;
  GCond  cond;
  gint   tid;
  gboolean done;
} Other;

static gpointer
other_thread (gpointer data)
{
  Other *other = data;

  g_mutex_lock (&other->mutex);
  g_atomic_int_set (&other->tid, gettid ());
  while (!other->done)
    g_cond_wait (&other->cond, &other->mutex);
  g_mutex_unlock (&other->mutex);

  return NULL;
}

static SpindleThreadInfo *
find_other (SpindleSampler *sampler,
            int             tid)
{
  GListModel *others = spindle_sampler_get_other_threads (sampler);

  for (guint i = 0; i < g_list_model_get_n_items (others); i++)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (others, i);

      if (spindle_thread_info_get_tid (info) == tid)
        return info;
    }

  return NULL;
}

static void
test_other_threads (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  SpindleWorker *worker = spawn (set, "sleeper");
  Other other = { 0 };
  GThread *thread = g_thread_new ("test-other", other_thread, &other);
  SpindleThreadInfo *info;

  spindle_test_wait_count (&other.tid, 1);
  spindle_sampler_tick (sampler);

  info = find_other (sampler, other.tid);
  g_assert_nonnull (info);
  g_assert_cmpstr (spindle_thread_info_get_name (info), ==, "test-other");
  g_assert_nonnull (spindle_thread_info_get_kernel_state (info));
  g_assert_nonnull (find_other (sampler, getpid ()));
  g_assert_null (find_other (sampler, spindle_worker_get_tid (worker)));

  g_mutex_lock (&other.mutex);
  other.done = TRUE;
  g_cond_signal (&other.cond);
  g_mutex_unlock (&other.mutex);
  g_thread_join (thread);

  /* gone threads leave the list */
  spindle_sampler_tick (sampler);
  g_assert_null (find_other (sampler, other.tid));

  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

#define N_SLEEPING_OTHERS 20

typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gint     tid;
  gboolean rename;
  gboolean done;
} Renamable;

/* Sleeps on its condition; renames itself when asked, and sleeps again. */
static gpointer
renamable_thread (gpointer data)
{
  Renamable *other = data;

  g_mutex_lock (&other->mutex);
  g_atomic_int_set (&other->tid, gettid ());
  while (!other->done)
    {
      if (other->rename)
        {
          prctl (PR_SET_NAME, "test-renamed", 0, 0, 0);
          other->rename = FALSE;
        }
      g_cond_wait (&other->cond, &other->mutex);
    }
  g_mutex_unlock (&other->mutex);

  return NULL;
}

static void
poke (Renamable *other,
      gboolean   rename,
      gboolean   done)
{
  g_mutex_lock (&other->mutex);
  other->rename = rename;
  other->done = done;
  g_cond_signal (&other->cond);
  g_mutex_unlock (&other->mutex);
}

typedef struct
{
  SpindleSampler *sampler;
  int             tid;
} NameWait;

static gboolean
is_renamed (gpointer data)
{
  NameWait *wait = data;
  SpindleThreadInfo *info = find_other (wait->sampler, wait->tid);

  return info != NULL && g_strcmp0 (spindle_thread_info_get_name (info), "test-renamed") == 0;
}

static gboolean
is_listed (gpointer data)
{
  NameWait *wait = data;

  return find_other (wait->sampler, wait->tid) != NULL;
}

static gboolean
is_gone (gpointer data)
{
  return !is_listed (data);
}

/* The threads Spindle did not start are read as workers are: an asleep
 * one's files once, one that ran again. Twenty threads asleep on five
 * ticks cost no read each (the others of the process, the test's own
 * thread among them, may run); one of them that wakes to rename itself
 * is seen under its new name.
 */
static void
test_other_threads_read_once_asleep (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  Renamable others[N_SLEEPING_OTHERS];
  GThread *threads[N_SLEEPING_OTHERS];
  NameWait wait = { sampler, 0 };
  guint64 before;

  for (guint i = 0; i < N_SLEEPING_OTHERS; i++)
    {
      others[i] = (Renamable) { .tid = 0 };
      g_mutex_init (&others[i].mutex);
      g_cond_init (&others[i].cond);
      threads[i] = g_thread_new ("test-other", renamable_thread, &others[i]);
      spindle_test_wait_count (&others[i].tid, 1);
    }

  /* listed, and read once, asleep or on the way to sleep */
  spindle_sampler_tick (sampler);
  for (guint i = 0; i < N_SLEEPING_OTHERS; i++)
    g_assert_nonnull (find_other (sampler, others[i].tid));
  spindle_sampler_tick (sampler);

  before = _spindle_sampler_get_n_other_reads (sampler);
  for (guint i = 0; i < 5; i++)
    spindle_sampler_tick (sampler);
  g_test_message ("5 ticks read %" G_GUINT64_FORMAT " other threads' files",
                  _spindle_sampler_get_n_other_reads (sampler) - before);
  g_assert_cmpuint (_spindle_sampler_get_n_other_reads (sampler) - before, <, 5 * N_SLEEPING_OTHERS);

  poke (&others[0], TRUE, FALSE);
  wait.tid = others[0].tid;
  sample_until (sampler, is_renamed, &wait);
  g_assert_cmpstr (spindle_thread_info_get_name (find_other (sampler, others[1].tid)), ==, "test-other");

  for (guint i = 0; i < N_SLEEPING_OTHERS; i++)
    {
      poke (&others[i], FALSE, TRUE);
      g_thread_join (threads[i]);
      g_mutex_clear (&others[i].mutex);
      g_cond_clear (&others[i].cond);
    }
}

/* While threads come and go on every tick (as while ten thousand workers
 * start, the starter threads with them), the process's threads are
 * listed again once in a few ticks, not on every one; and a thread that
 * is not a worker's is still found, and a gone one still dropped.
 */
static void
test_listing_not_every_tick (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  Renamable others[12];
  GThread *threads[G_N_ELEMENTS (others)];
  NameWait wait = { sampler, 0 };
  guint64 before;

  spindle_sampler_tick (sampler);
  before = _spindle_sampler_get_n_listings (sampler);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      others[i] = (Renamable) { .tid = 0 };
      g_mutex_init (&others[i].mutex);
      g_cond_init (&others[i].cond);
      threads[i] = g_thread_new ("test-other", renamable_thread, &others[i]);
      spindle_test_wait_count (&others[i].tid, 1);
      spindle_sampler_tick (sampler);
    }
  g_test_message ("%u ticks with a new thread each listed %" G_GUINT64_FORMAT " times",
                  (guint) G_N_ELEMENTS (others), _spindle_sampler_get_n_listings (sampler) - before);
  g_assert_cmpuint (_spindle_sampler_get_n_listings (sampler) - before, <=, G_N_ELEMENTS (others) / 4 + 1);

  /* found in the end, and gone when gone, on the ticks that follow */
  poke (&others[0], TRUE, FALSE);
  wait.tid = others[G_N_ELEMENTS (others) - 1].tid;
  sample_until (sampler, is_listed, &wait);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      poke (&others[i], FALSE, TRUE);
      g_thread_join (threads[i]);
      g_mutex_clear (&others[i].mutex);
      g_cond_clear (&others[i].cond);
    }
  sample_until (sampler, is_gone, &wait);
}

/* A worker whose thread runs its first steps while a listing reads the
 * others' files, played with a worker already running: its ids are taken
 * from it before the tick, as if its thread had not run yet, and handed
 * back to its job while the others are read, as the thread's start would
 * (the list changes on the tick's thread, in the middle of that read).
 */
typedef struct
{
  SpindleWorker *worker;
  int            tid;
} LateStart;

static void
on_others_changed (GListModel *others,
                   guint       position,
                   guint       removed,
                   guint       added,
                   LateStart  *late)
{
  if (added > 0)
    g_atomic_int_set (&late->worker->job->tid, late->tid);
}

/* The worker's thread, listed under its name as any other thread, is no
 * other thread once its id is in its job: the listing lets it go before
 * the tick is over. So do the listings that follow.
 */
static void
test_late_worker_not_other (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  GListModel *others = spindle_sampler_get_other_threads (sampler);
  LateStart late = { spawn (set, "sleeper"), 0 };
  gulong handler;

  late.tid = spindle_worker_get_tid (late.worker);
  late.worker->tid = 0;
  g_atomic_int_set (&late.worker->job->tid, 0);
  handler = g_signal_connect (others, "items-changed", G_CALLBACK (on_others_changed), &late);

  /* a new sampler's first tick lists */
  spindle_sampler_tick (sampler);
  g_signal_handler_disconnect (others, handler);
  g_assert_cmpuint (_spindle_sampler_get_n_listings (sampler), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&late.worker->job->tid), ==, late.tid);
  g_assert_null (find_other (sampler, late.tid));
  g_assert_nonnull (find_other (sampler, getpid ()));

  late.worker->tid = late.tid;
  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

#define N_STARTS     2000
#define N_BATCH      100
/* as RELIST_BUSY in spindle-sampler.c */
#define BUSY_TICKS   20

typedef struct
{
  SpindleSampler   *sampler;
  SpindleWorkerSet *set;
  guint             n_ticks;
} Launch;

/* A tick of the view's clock, after the events it would have seen. */
static void
launch_tick (Launch *launch)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  spindle_sampler_tick (launch->sampler);
  launch->n_ticks++;
}

static gboolean
all_run (gpointer data)
{
  Launch *launch = data;
  GListModel *workers = G_LIST_MODEL (launch->set);

  launch_tick (launch);
  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (workers, i);

      if (spindle_worker_get_state (worker) != SPINDLE_WORKER_STATE_RUNNING)
        return FALSE;
    }

  return TRUE;
}

static gboolean
launch_finds_other (gpointer data)
{
  NameWait *wait = data;

  spindle_sampler_tick (wait->sampler);
  return find_other (wait->sampler, wait->tid) != NULL;
}

/* While thousands of workers start, their threads made by the set's
 * starter threads (which come and go), a tick lists /proc/self/task at
 * most once in BUSY_TICKS, not on every one: a listing costs tens of ms
 * at ten thousand threads. A worker's row is right the moment it is
 * watched all the same (its TID is its own, its kernel state read then),
 * and once the threads are made, the next ticks find a thread that is no
 * worker's, started in the middle of it.
 */
static void
test_no_listing_while_threads_start (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  g_autoptr(SpindleWorker) last = NULL;
  Launch launch = { sampler, set, 0 };
  NameWait wait = { sampler, 0 };
  Renamable other = { .tid = 0 };
  GThread *thread = NULL;
  guint64 before, listings;
  char kernel_state;

  g_object_set (set, "background-start", TRUE, NULL);
  spindle_worker_set_set_stack_size (set, 64 * 1024);
  g_mutex_init (&other.mutex);
  g_cond_init (&other.cond);
  spindle_sampler_tick (sampler);
  before = _spindle_sampler_get_n_listings (sampler);

  for (guint i = 0; i < N_STARTS / N_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;

      for (guint j = 0; j < N_BATCH; j++)
        {
          spindle_catalog_spawn (set, "sleeper", &error);
          g_assert_no_error (error);
        }
      if (i == N_STARTS / N_BATCH / 2)
        thread = g_thread_new ("test-other", renamable_thread, &other);
      launch_tick (&launch);
    }
  spindle_test_wait_until (all_run, &launch, SPINDLE_TEST_GUARD_MS);

  listings = _spindle_sampler_get_n_listings (sampler) - before;
  g_test_message ("%u workers started over %u ticks: %" G_GUINT64_FORMAT " listings",
                  N_STARTS, launch.n_ticks, listings);
  g_assert_cmpuint (listings, <=, launch.n_ticks / BUSY_TICKS + 1);

  last = g_list_model_get_item (G_LIST_MODEL (set), N_STARTS - 1);
  spindle_sampler_watch (sampler, last);
  g_assert_cmpint (spindle_worker_get_tid (last), ==, g_atomic_int_get (&last->job->tid));
  kernel_state = spindle_test_kernel_state (spindle_worker_get_tid (last));
  g_assert_nonnull (spindle_worker_get_kernel_state (last));
  g_assert_cmpint (spindle_worker_get_kernel_state (last)[0], ==, kernel_state);

  wait.tid = g_atomic_int_get (&other.tid);
  spindle_test_wait_until (launch_finds_other, &wait, SPINDLE_TEST_GUARD_MS);
  g_assert_null (find_other (sampler, spindle_worker_get_tid (last)));

  poke (&other, FALSE, TRUE);
  g_thread_join (thread);
  g_mutex_clear (&other.mutex);
  g_cond_clear (&other.cond);
  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

static void
test_process_figures (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);

  spawn (set, "sleeper");
  spawn (set, "sleeper");
  spindle_sampler_tick (sampler);

  g_assert_cmpuint (spindle_sampler_get_n_cpus (sampler), ==, g_get_num_processors ());
  g_assert_cmpuint (spindle_sampler_get_resident (sampler), >, 0);
  g_assert_cmpuint (spindle_sampler_get_n_threads (sampler), >=, 3);
  g_assert_cmpfloat (spindle_sampler_get_load_average (sampler), >=, 0.0);

  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

/* A handler of an event the tick flushes drops the last reference to the
 * sampler, as closing a window does when its last worker ends: the tick
 * must not go on with a freed sampler (it did, under a SIGTERM with
 * thousands of workers stopping).
 */
typedef struct
{
  SpindleSampler *sampler;
  gint            dropped;
} Dropping;

static void
drop_sampler (SpindleWorker *worker,
              GParamSpec    *pspec,
              Dropping      *dropping)
{
  if (dropping->sampler != NULL)
    {
      g_clear_object (&dropping->sampler);
      dropping->dropped++;
    }
}

static void
test_tick_survives_dropped_sampler (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleTestSleeper sleeper = { 0 };
  Dropping dropping = { spindle_sampler_new (set), 0 };
  SpindleSampler *sampler = dropping.sampler;
  gint64 deadline = g_get_monotonic_time () + SPINDLE_TEST_GUARD_MS * G_TIME_SPAN_MILLISECOND;
  SpindleWorker *worker = spindle_test_spawn (set, "sleeper", spindle_test_sleeper_body, &sleeper);

  g_signal_connect (worker, "notify::state", G_CALLBACK (drop_sampler), &dropping);

  /* The thread has announced its start, and the main context has not run:
   * the event waits in the queue for the tick to flush it.
   */
  while (!g_atomic_int_get (&sleeper.reached))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STARTING);

  spindle_sampler_tick (sampler);

  g_assert_cmpint (dropping.dropped, ==, 1);
  g_assert_null (dropping.sampler);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);

  g_signal_handlers_disconnect_by_func (worker, drop_sampler, &dropping);
  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

static void
test_history_bounded (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker = spawn (set, "sleeper");
  SpindleHistoryEntry entries[SPINDLE_HISTORY_CAPACITY + 8];
  guint n;

  n = spindle_worker_get_history (worker, entries, G_N_ELEMENTS (entries));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (entries[0].state, ==, SPINDLE_WORKER_STATE_STARTING);
  g_assert_cmpint (entries[1].state, ==, SPINDLE_WORKER_STATE_RUNNING);

  /* thousands of changes keep the latest SPINDLE_HISTORY_CAPACITY */
  for (guint i = 0; i < 5000; i++)
    {
      SpindleSample sample = {
        .cpu_time = i, .at = g_get_monotonic_time (), .detailed = TRUE,
        .kernel_state = i % 2 ? 'R' : 'S',
      };

      _spindle_worker_apply_sample (worker, &sample);
    }

  n = spindle_worker_get_history (worker, entries, G_N_ELEMENTS (entries));
  g_assert_cmpuint (n, ==, SPINDLE_HISTORY_CAPACITY);
  g_assert_cmpint (entries[n - 1].kind, ==, SPINDLE_HISTORY_KERNEL_STATE);
  g_assert_cmpint (entries[n - 1].kernel_state, ==, 'R');
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (entries[i].time, >=, entries[i - 1].time);

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  n = spindle_worker_get_history (worker, entries, G_N_ELEMENTS (entries));
  g_assert_cmpuint (n, ==, SPINDLE_HISTORY_CAPACITY);
  g_assert_cmpint (entries[n - 1].state, ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (entries[n - 2].state, ==, SPINDLE_WORKER_STATE_CLEANING);

  /* a small buffer gets the latest */
  g_assert_cmpuint (spindle_worker_get_history (worker, entries, 1), ==, 1);
  g_assert_cmpint (entries[0].state, ==, SPINDLE_WORKER_STATE_STOPPED);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/sampler/busy-beats-sleeping", test_busy_beats_sleeping);
  g_test_add_func ("/engine/sampler/futex-wait", test_futex_wait);
  g_test_add_func ("/engine/sampler/sleep-waits", test_sleep_waits);
  g_test_add_func ("/engine/sampler/only-watched-read", test_only_watched_read);
  g_test_add_func ("/engine/sampler/idle-not-reread", test_idle_not_reread);
  g_test_add_func ("/engine/sampler/moved-thread-reread", test_moved_thread_reread);
  g_test_add_func ("/engine/sampler/watch-holds-only-figures", test_watch_holds_only_figures);
  g_test_add_func ("/engine/sampler/other-threads", test_other_threads);
  g_test_add_func ("/engine/sampler/other-threads-read-once-asleep", test_other_threads_read_once_asleep);
  g_test_add_func ("/engine/sampler/listing-not-every-tick", test_listing_not_every_tick);
  g_test_add_func ("/engine/sampler/late-worker-not-other", test_late_worker_not_other);
  g_test_add_func ("/engine/sampler/no-listing-while-threads-start", test_no_listing_while_threads_start);
  g_test_add_func ("/engine/sampler/process-figures", test_process_figures);
  g_test_add_func ("/engine/sampler/tick-survives-dropped-sampler", test_tick_survives_dropped_sampler);
  g_test_add_func ("/engine/history/bounded", test_history_bounded);

  return g_test_run ();
}
