/* test-cancel.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "spindle-test-util.h"

#define LONG_WAIT (60 * G_USEC_PER_SEC)

/* One body per way of blocking; force-cancel must reach every one of them. */

typedef enum
{
  BLOCK_NANOSLEEP,
  BLOCK_G_USLEEP,
  BLOCK_READ,
  BLOCK_POLL,
  BLOCK_JOB_SLEEP,
  BLOCK_JOB_WAIT_FD,
  BLOCK_JOB_COND_WAIT,
  BLOCK_COMPUTE,
} BlockKind;

typedef struct
{
  const char *path;
  BlockKind   kind;
  const char *wchan;
} BlockCase;

typedef struct
{
  const BlockCase       *how;
  SpindleTestCleanupLog *log;
  gint                   reached;
  gint                   returned;
  pid_t                  tid;
  int                    fds[2];
  SpindleCond           *cond;
  GMutex                 mutex;
  gboolean               predicate;
  volatile gulong        counter;
} Blocker;

/* Runs on the dying worker thread, after the unwinding. */
static gboolean
check_mutex_released (gpointer   data,
                      GError   **error)
{
  Blocker *blocker = data;

  if (!g_mutex_trylock (&blocker->mutex))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           "the wait's mutex is still held during cleanup");
      return FALSE;
    }

  g_mutex_unlock (&blocker->mutex);
  return TRUE;
}

static void
block_in_compute (SpindleJob *job,
                  Blocker    *blocker)
{
  spindle_job_enter_compute (job);
  g_atomic_int_set (&blocker->reached, 1);
  for (;;)
    blocker->counter++;
}

static void
block_in_cond_wait (SpindleJob *job,
                    Blocker    *blocker)
{
  spindle_job_push_cleanup (job, "mutex-released", check_mutex_released, blocker);
  g_mutex_lock (&blocker->mutex);
  g_atomic_int_set (&blocker->reached, 1);
  while (!blocker->predicate)
    if (!spindle_job_cond_wait (job, blocker->cond, &blocker->mutex, -1, NULL))
      break;
  g_mutex_unlock (&blocker->mutex);
}

static void
block (SpindleJob *job,
       Blocker    *blocker)
{
  struct timespec forever = { 60, 0 };
  struct pollfd pfd = { blocker->fds[0], POLLIN, 0 };
  char c;

  if (blocker->how->kind == BLOCK_COMPUTE)
    block_in_compute (job, blocker);
  else if (blocker->how->kind == BLOCK_JOB_COND_WAIT)
    block_in_cond_wait (job, blocker);
  else
    {
      g_atomic_int_set (&blocker->reached, 1);
      switch (blocker->how->kind)
        {
        case BLOCK_NANOSLEEP:     nanosleep (&forever, NULL); break;
        case BLOCK_G_USLEEP:      g_usleep (LONG_WAIT); break;
        case BLOCK_READ:          g_assert_cmpint (read (blocker->fds[0], &c, 1), ==, 1); break;
        case BLOCK_POLL:          poll (&pfd, 1, -1); break;
        case BLOCK_JOB_SLEEP:     spindle_job_sleep (job, LONG_WAIT); break;
        case BLOCK_JOB_WAIT_FD:   spindle_job_wait_fd (job, blocker->fds[0], G_IO_IN, -1, NULL); break;
        case BLOCK_JOB_COND_WAIT:
        case BLOCK_COMPUTE:
        default:                  g_assert_not_reached ();
        }
    }
}

static GVariant *
blocker_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Blocker *blocker = data;

  blocker->tid = gettid ();
  spindle_test_cleanup_log_push (blocker->log, job, "outer", NULL);
  block (job, blocker);

  /* Never reached when force-cancel acted at the blocking point. */
  g_atomic_int_set (&blocker->returned, 1);
  return g_variant_new_string ("returned");
}

static void
blocker_init (Blocker         *blocker,
              const BlockCase *how)
{
  *blocker = (Blocker) { .how = how, .fds = { -1, -1 } };
  blocker->log = spindle_test_cleanup_log_new ();
  blocker->cond = spindle_cond_new ();
  g_mutex_init (&blocker->mutex);
  spindle_test_pipe (blocker->fds);
}

static void
blocker_clear (Blocker *blocker)
{
  spindle_test_close_pipe (blocker->fds);
  g_mutex_clear (&blocker->mutex);
  g_clear_pointer (&blocker->cond, spindle_cond_free);
  g_clear_pointer (&blocker->log, spindle_test_cleanup_log_free);
}

typedef struct
{
  Blocker *blocker;
  gulong   seen;
} Progress;

static gboolean
compute_progressed (gpointer data)
{
  Progress *progress = data;

  return progress->blocker->counter > progress->seen;
}

static void
wait_until_blocked (Blocker *blocker)
{
  spindle_test_wait_flag (&blocker->reached);

  if (blocker->how->kind == BLOCK_COMPUTE)
    {
      Progress progress = { blocker, blocker->counter };

      spindle_test_wait_until (compute_progressed, &progress, SPINDLE_TEST_GUARD_MS);
      g_assert_cmpint (spindle_test_kernel_state (blocker->tid), !=, 'S');
      return;
    }

  if (blocker->how->kind == BLOCK_JOB_COND_WAIT)
    {
      g_mutex_lock (&blocker->mutex);
      g_mutex_unlock (&blocker->mutex);
    }

  spindle_test_wait_blocked (blocker->tid, blocker->how->wchan);
}

static void
test_force_cancel_reaches (gconstpointer data)
{
  const BlockCase *how = data;
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *order = NULL;
  SpindleWorker *worker;
  Blocker blocker;

  blocker_init (&blocker, how);
  worker = spindle_test_spawn (set, how->path, blocker_body, &blocker);
  wait_until_blocked (&blocker);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (blocker.returned, ==, 0);
  g_assert_null (spindle_worker_get_result (worker));

  order = spindle_test_cleanup_log_order (blocker.log);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (blocker.log, "outer"), ==, 1);
  if (how->kind == BLOCK_JOB_COND_WAIT)
    spindle_test_assert_report (spindle_worker_get_cleanup_report (worker),
                                "mutex-released:OK outer:OK");
  else
    spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "outer:OK");
  g_assert_cmpstr (order, ==, "outer");

  if (how->kind == BLOCK_COMPUTE)
    {
      gulong frozen = blocker.counter;

      spindle_test_run_clock (set, 2);
      g_assert_cmpuint (blocker.counter, ==, frozen);
    }

  if (how->kind == BLOCK_JOB_COND_WAIT)
    {
      g_assert_true (g_mutex_trylock (&blocker.mutex));
      g_mutex_unlock (&blocker.mutex);
    }

  blocker_clear (&blocker);
}

static const BlockCase block_cases[] = {
  { "/engine/cancel/reaches-nanosleep",     BLOCK_NANOSLEEP,     "nanosleep" },
  { "/engine/cancel/reaches-g-usleep",      BLOCK_G_USLEEP,      "nanosleep" },
  { "/engine/cancel/reaches-pipe-read",     BLOCK_READ,          "pipe_read" },
  { "/engine/cancel/reaches-poll",          BLOCK_POLL,          "poll" },
  { "/engine/cancel/reaches-job-sleep",     BLOCK_JOB_SLEEP,     NULL },
  { "/engine/cancel/reaches-job-wait-fd",   BLOCK_JOB_WAIT_FD,   NULL },
  { "/engine/cancel/reaches-job-cond-wait", BLOCK_JOB_COND_WAIT, NULL },
  { "/engine/cancel/reaches-compute",       BLOCK_COMPUTE,       NULL },
};

/* Force cannot reach a raw futex wait */

typedef struct
{
  SpindleTestCleanupLog *log;
  GMutex                 mutex;
  GCond                  cond;
  gboolean               predicate;
  gint                   reached;
  gint                   woke;
  pid_t                  tid;
} RawWaiter;

static GVariant *
raw_cond_wait_body (SpindleJob  *job,
                    gpointer     data,
                    GError     **error)
{
  RawWaiter *waiter = data;

  spindle_test_cleanup_log_push (waiter->log, job, "raw-cleanup", NULL);
  g_mutex_lock (&waiter->mutex);
  waiter->tid = gettid ();
  g_atomic_int_set (&waiter->reached, 1);
  while (!waiter->predicate)
    g_cond_wait (&waiter->cond, &waiter->mutex);
  g_atomic_int_set (&waiter->woke, 1);
  g_mutex_unlock (&waiter->mutex);

  return NULL;
}

static void
test_raw_cond_wait_unreachable (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *wchan = NULL;
  SpindleWorkerState state;
  SpindleWorker *worker;
  RawWaiter waiter = { 0 };

  waiter.log = spindle_test_cleanup_log_new ();
  g_mutex_init (&waiter.mutex);
  g_cond_init (&waiter.cond);

  worker = spindle_test_spawn (set, "raw-cond-waiter", raw_cond_wait_body, &waiter);
  rec = spindle_test_recorder_new (worker);
  spindle_test_wait_flag (&waiter.reached);
  /* The body holds the mutex until g_cond_wait releases it. */
  g_mutex_lock (&waiter.mutex);
  g_mutex_unlock (&waiter.mutex);
  spindle_test_wait_blocked (waiter.tid, "futex");
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_force_cancel (worker);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "cancel-requested(USER)"), ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);

  /* Let the engine process whatever it would: three more workers start,
   * stop and end. The futex waiter must still be there. */
  spindle_test_run_clock (set, 3);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_false (spindle_worker_is_terminal (worker));
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&waiter.woke), ==, 0);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (waiter.log, "raw-cleanup"), ==, 0);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "cleanup-started"), ==, 0);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "finished"), ==, 0);
  g_assert_cmpint (spindle_test_kernel_state (waiter.tid), ==, 'S');
  wchan = spindle_test_read_task_file (waiter.tid, "wchan");
  g_test_message ("force-cancelled raw waiter sleeps in %s", wchan);

  g_mutex_lock (&waiter.mutex);
  waiter.predicate = TRUE;
  g_cond_signal (&waiter.cond);
  g_mutex_unlock (&waiter.mutex);

  spindle_test_wait_terminal (worker);

  /* Cancel-pending, it returns without reaching a cancellation point. */
  state = spindle_worker_get_state (worker);
  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (g_atomic_int_get (&waiter.woke), ==, 1);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (waiter.log, "raw-cleanup"), ==, 1);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "finished"), ==, 1);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  g_clear_pointer (&rec, spindle_test_recorder_free);
  g_cond_clear (&waiter.cond);
  g_mutex_clear (&waiter.mutex);
  spindle_test_cleanup_log_free (waiter.log);
}

/* Nor a busy loop outside a compute region: cancellation there is deferred. */

typedef struct
{
  gint reached;
  gint release;
  gint spins;
  gint stop_seen;
} Spinner;

static GVariant *
spinner_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Spinner *spinner = data;

  g_atomic_int_set (&spinner->reached, 1);
  while (!g_atomic_int_get (&spinner->release))
    {
      g_atomic_int_inc (&spinner->spins);
      sched_yield ();
    }

  /* A force request is a stop request too. */
  g_atomic_int_set (&spinner->stop_seen, spindle_job_should_stop (job) ? 1 : 2);
  return g_variant_new_int32 (1);
}

static void
test_busy_loop_unreachable (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorkerState state;
  SpindleWorker *worker;
  Spinner spinner = { 0 };
  gint spins;

  worker = spindle_test_spawn (set, "stubborn-spinner", spinner_body, &spinner);
  spindle_test_wait_flag (&spinner.reached);
  spindle_test_wait_count (&spinner.spins, 10);

  spindle_worker_force_cancel (worker);
  spindle_test_run_clock (set, 2);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);

  spins = g_atomic_int_get (&spinner.spins);
  spindle_test_wait_count (&spinner.spins, spins + 10);

  g_atomic_int_set (&spinner.release, 1);
  spindle_test_wait_terminal (worker);
  state = spindle_worker_get_state (worker);
  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spinner.stop_seen, ==, 1);
}

static void
test_cancel_all (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  static const BlockCase how = { "cancel-all", BLOCK_READ, "pipe_read" };
  SpindleWorker *workers[6];
  Blocker blockers[6];

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      blocker_init (&blockers[i], &how);
      workers[i] = spindle_test_spawn (set, "reader", blocker_body, &blockers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    wait_until_blocked (&blockers[i]);

  spindle_worker_set_cancel_all (set);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    g_assert_cmpint (spindle_worker_get_state (workers[i]), ==, SPINDLE_WORKER_STATE_CANCELLING);

  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_assert_cmpint (spindle_worker_get_state (workers[i]), ==, SPINDLE_WORKER_STATE_CANCELLED);
      g_assert_cmpuint (spindle_test_cleanup_log_runs (blockers[i].log, "outer"), ==, 1);
      blocker_clear (&blockers[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (block_cases); i++)
    g_test_add_data_func (block_cases[i].path, &block_cases[i], test_force_cancel_reaches);
  g_test_add_func ("/engine/cancel/raw-cond-wait-stays-cancelling", test_raw_cond_wait_unreachable);
  g_test_add_func ("/engine/cancel/busy-loop-stays-cancelling", test_busy_loop_unreachable);
  g_test_add_func ("/engine/cancel/cancel-all", test_cancel_all);

  return g_test_run ();
}
