/* test-stop.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <poll.h>
#include <unistd.h>

#include "spindle-test-util.h"

#define LONG_WAIT (60 * G_USEC_PER_SEC)
/* Far less than LONG_WAIT, far more than any loaded machine needs. */
#define PROMPT    (10 * G_USEC_PER_SEC)

/* Sleeps */

typedef struct
{
  gint   reached;
  pid_t  tid;
  gint   first;      /* 1: TRUE, 2: FALSE */
  gint   second;
  gint   stop_seen;
  gint64 second_took;
} Sleeper;

static GVariant *
sleeper_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Sleeper *sleeper = data;
  gint64 before;

  sleeper->tid = gettid ();
  g_atomic_int_set (&sleeper->reached, 1);
  g_atomic_int_set (&sleeper->first, spindle_job_sleep (job, LONG_WAIT) ? 1 : 2);

  /* Once a stop was requested, every further sleep returns at once. */
  before = g_get_monotonic_time ();
  g_atomic_int_set (&sleeper->second, spindle_job_sleep (job, LONG_WAIT) ? 1 : 2);
  sleeper->second_took = g_get_monotonic_time () - before;
  g_atomic_int_set (&sleeper->stop_seen, spindle_job_should_stop (job));

  return NULL;
}

static void
test_wakes_60s_sleep (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Sleeper sleeper = { 0 };
  gint64 requested_at, took;

  worker = spindle_test_spawn (set, "sleeper-60s", sleeper_body, &sleeper);
  spindle_test_wait_flag (&sleeper.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_blocked (sleeper.tid, NULL);
  g_assert_cmpint (g_atomic_int_get (&sleeper.first), ==, 0);

  requested_at = g_get_monotonic_time ();
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  took = g_get_monotonic_time () - requested_at;

  g_test_message ("stop ended a 60 s sleep after %" G_GINT64_FORMAT " us", took);
  g_assert_cmpint (took, <, PROMPT);
  g_assert_cmpint (spindle_worker_get_elapsed (worker, g_get_monotonic_time ()), <, LONG_WAIT);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (sleeper.first, ==, 2);
  g_assert_cmpint (sleeper.second, ==, 2);
  g_assert_cmpint (sleeper.second_took, <, PROMPT);
  g_assert_true (sleeper.stop_seen);
}

static GVariant *
short_sleeps_body (SpindleJob  *job,
                   gpointer     data,
                   GError     **error)
{
  gboolean stop_before = spindle_job_should_stop (job);
  gint64 before = g_get_monotonic_time ();
  gboolean zero = spindle_job_sleep (job, 0);
  gboolean full = spindle_job_sleep (job, 2000);
  gint64 took = g_get_monotonic_time () - before;

  return g_variant_new ("(bbbx)", stop_before, zero, full, took);
}

static void
test_sleep_runs_full_time (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  gboolean stop_before, zero, full;
  gint64 took;

  worker = spindle_test_spawn (set, "short-sleeps", short_sleeps_body, NULL);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_nonnull (spindle_worker_get_result (worker));
  g_variant_get (spindle_worker_get_result (worker), "(bbbx)", &stop_before, &zero, &full, &took);
  g_assert_false (stop_before);
  g_assert_true (zero);
  g_assert_true (full);
  g_assert_cmpint (took, >=, 2000);
}

typedef struct
{
  gint reached;
  gint initially;
  gint loops;
} Poller;

static GVariant *
should_stop_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  Poller *poller = data;

  g_atomic_int_set (&poller->initially, spindle_job_should_stop (job) ? 1 : 2);
  g_atomic_int_set (&poller->reached, 1);
  while (!spindle_job_should_stop (job))
    {
      g_atomic_int_inc (&poller->loops);
      g_usleep (500);
    }

  return NULL;
}

static void
test_should_stop (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Poller poller = { 0 };

  worker = spindle_test_spawn (set, "poller", should_stop_body, &poller);
  spindle_test_wait_flag (&poller.reached);
  spindle_test_wait_count (&poller.loops, 3);
  g_assert_cmpint (poller.initially, ==, 2);

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
}

/* Waits on a file descriptor or a condition */

typedef struct
{
  gint         reached;
  pid_t        tid;
  gint64       timeout;
  int          fds[2];
  SpindleCond *cond;
  GMutex      *mutex;
  gboolean    *predicate;

  gint         returned;  /* 1: TRUE, 2: FALSE */
  GQuark       domain;
  gint         code;
  gint         held;      /* the mutex was held on return */
  gint         readable;
} Waiter;

static void
waiter_record (Waiter       *waiter,
               gboolean      ok,
               const GError *local)
{
  if (local != NULL)
    {
      waiter->domain = local->domain;
      waiter->code = local->code;
    }
  g_atomic_int_set (&waiter->returned, ok ? 1 : 2);
}

static GVariant *
wait_fd_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Waiter *waiter = data;
  g_autoptr(GError) local = NULL;
  gboolean ok;

  waiter->tid = gettid ();
  g_atomic_int_set (&waiter->reached, 1);
  ok = spindle_job_wait_fd (job, waiter->fds[0], G_IO_IN, waiter->timeout, &local);
  g_assert_true (ok == (local == NULL));
  waiter_record (waiter, ok, local);

  if (ok)
    {
      struct pollfd pfd = { waiter->fds[0], POLLIN, 0 };

      waiter->readable = poll (&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
      return g_variant_new_boolean (TRUE);
    }

  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

static void
waiter_init_pipe (Waiter *waiter,
                  gint64  timeout)
{
  *waiter = (Waiter) { .timeout = timeout, .fds = { -1, -1 } };
  spindle_test_pipe (waiter->fds);
}

static void
test_wakes_wait_fd (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Waiter waiter;
  gint64 requested_at;

  waiter_init_pipe (&waiter, -1);
  worker = spindle_test_spawn (set, "fd-waiter", wait_fd_body, &waiter);
  spindle_test_wait_flag (&waiter.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_blocked (waiter.tid, NULL);

  requested_at = g_get_monotonic_time ();
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (g_get_monotonic_time () - requested_at, <, PROMPT);
  g_assert_cmpint (waiter.returned, ==, 2);
  g_assert_true (waiter.domain == G_IO_ERROR);
  g_assert_cmpint (waiter.code, ==, G_IO_ERROR_CANCELLED);
  /* Returning the CANCELLED error after a request is a stop, not a failure. */
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);

  spindle_test_close_pipe (waiter.fds);
}

static void
test_wait_fd_ready (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Waiter waiter;

  waiter_init_pipe (&waiter, LONG_WAIT);
  worker = spindle_test_spawn (set, "fd-waiter", wait_fd_body, &waiter);
  spindle_test_wait_flag (&waiter.reached);
  spindle_test_wait_blocked (waiter.tid, NULL);

  spindle_test_pipe_poke (waiter.fds[1]);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (waiter.returned, ==, 1);
  g_assert_true (waiter.readable);
  g_assert_true (g_variant_get_boolean (spindle_worker_get_result (worker)));

  spindle_test_close_pipe (waiter.fds);
}

static void
test_wait_fd_timeout (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Waiter waiter;

  waiter_init_pipe (&waiter, 20 * 1000);
  worker = spindle_test_spawn (set, "fd-timeout", wait_fd_body, &waiter);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (waiter.returned, ==, 2);
  g_assert_true (waiter.domain == G_IO_ERROR);
  g_assert_cmpint (waiter.code, ==, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (spindle_worker_get_error (worker), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  spindle_test_close_pipe (waiter.fds);
}

static GVariant *
cond_wait_body (SpindleJob  *job,
                gpointer     data,
                GError     **error)
{
  Waiter *waiter = data;
  g_autoptr(GError) local = NULL;
  gboolean ok = TRUE;
  gboolean predicate;

  g_mutex_lock (waiter->mutex);
  waiter->tid = gettid ();
  g_atomic_int_set (&waiter->reached, 1);

  while (!*waiter->predicate)
    {
      ok = spindle_job_cond_wait (job, waiter->cond, waiter->mutex, waiter->timeout, &local);
      g_assert_true (ok == (local == NULL));
      if (!ok)
        break;
    }

  /* Fails only when this thread (or another) holds it. */
  g_atomic_int_set (&waiter->held, !g_mutex_trylock (waiter->mutex));
  predicate = *waiter->predicate;
  g_mutex_unlock (waiter->mutex);

  waiter_record (waiter, ok, local);
  if (!ok)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  return g_variant_new_boolean (predicate);
}

typedef struct
{
  SpindleCond *cond;
  GMutex       mutex;
  gboolean     predicate;
} Shared;

static void
shared_init (Shared *shared)
{
  shared->cond = spindle_cond_new ();
  g_mutex_init (&shared->mutex);
  shared->predicate = FALSE;
}

static void
shared_clear (Shared *shared)
{
  g_clear_pointer (&shared->cond, spindle_cond_free);
  g_mutex_clear (&shared->mutex);
}

static void
waiter_init_cond (Waiter *waiter,
                  Shared *shared,
                  gint64  timeout)
{
  *waiter = (Waiter) {
    .timeout = timeout,
    .fds = { -1, -1 },
    .cond = shared->cond,
    .mutex = &shared->mutex,
    .predicate = &shared->predicate,
  };
}

/* The body holds the mutex from before its flag until the wait releases it. */
static void
wait_in_cond_wait (Waiter *waiter)
{
  spindle_test_wait_flag (&waiter->reached);
  g_mutex_lock (waiter->mutex);
  g_mutex_unlock (waiter->mutex);
  spindle_test_wait_blocked (waiter->tid, NULL);
}

static void
test_wakes_cond_wait (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Waiter waiter;
  Shared shared;
  gint64 requested_at;

  shared_init (&shared);
  waiter_init_cond (&waiter, &shared, -1);
  worker = spindle_test_spawn (set, "cond-waiter", cond_wait_body, &waiter);
  wait_in_cond_wait (&waiter);

  requested_at = g_get_monotonic_time ();
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (g_get_monotonic_time () - requested_at, <, PROMPT);
  g_assert_cmpint (waiter.returned, ==, 2);
  g_assert_true (waiter.domain == G_IO_ERROR);
  g_assert_cmpint (waiter.code, ==, G_IO_ERROR_CANCELLED);
  g_assert_true (waiter.held);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);

  shared_clear (&shared);
}

static void
test_cond_wait_signalled (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Waiter waiter;
  Shared shared;

  shared_init (&shared);
  waiter_init_cond (&waiter, &shared, LONG_WAIT);
  worker = spindle_test_spawn (set, "cond-waiter", cond_wait_body, &waiter);
  wait_in_cond_wait (&waiter);

  g_mutex_lock (&shared.mutex);
  shared.predicate = TRUE;
  spindle_cond_signal (shared.cond);
  g_mutex_unlock (&shared.mutex);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (waiter.returned, ==, 1);
  g_assert_true (waiter.held);
  g_assert_true (g_variant_get_boolean (spindle_worker_get_result (worker)));

  shared_clear (&shared);
}

static gpointer
broadcast_thread (gpointer data)
{
  Shared *shared = data;

  g_mutex_lock (&shared->mutex);
  shared->predicate = TRUE;
  spindle_cond_broadcast (shared->cond);
  g_mutex_unlock (&shared->mutex);

  return NULL;
}

static void
test_cond_broadcast_from_thread (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *workers[3];
  Waiter waiters[3];
  Shared shared;

  shared_init (&shared);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      waiter_init_cond (&waiters[i], &shared, -1);
      workers[i] = spindle_test_spawn (set, "cond-waiter", cond_wait_body, &waiters[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    wait_in_cond_wait (&waiters[i]);

  g_thread_join (g_thread_new ("broadcaster", broadcast_thread, &shared));

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      spindle_test_wait_terminal (workers[i]);
      g_assert_cmpint (spindle_worker_get_state (workers[i]), ==, SPINDLE_WORKER_STATE_FINISHED);
      g_assert_cmpint (waiters[i].returned, ==, 1);
      g_assert_true (waiters[i].held);
    }

  shared_clear (&shared);
}

static void
test_cond_wait_timeout (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Waiter waiter;
  Shared shared;

  shared_init (&shared);
  waiter_init_cond (&waiter, &shared, 20 * 1000);
  worker = spindle_test_spawn (set, "cond-timeout", cond_wait_body, &waiter);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (waiter.returned, ==, 2);
  g_assert_true (waiter.domain == G_IO_ERROR);
  g_assert_cmpint (waiter.code, ==, G_IO_ERROR_TIMED_OUT);
  g_assert_true (waiter.held);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (spindle_worker_get_error (worker), G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  shared_clear (&shared);
}

/* GIO calls see the request through the job's cancellable. */
typedef struct
{
  gint reached;
  gint initially;
  gint same;
} Cancellable;

static GVariant *
cancellable_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  Cancellable *ctx = data;
  GCancellable *cancellable = spindle_job_get_cancellable (job);
  GPollFD pfd = { 0 };

  g_assert_true (G_IS_CANCELLABLE (cancellable));
  ctx->same = spindle_job_get_cancellable (job) == cancellable;
  ctx->initially = g_cancellable_is_cancelled (cancellable) ? 1 : 2;

  g_assert_true (g_cancellable_make_pollfd (cancellable, &pfd));
  pfd.events = G_IO_IN;
  g_atomic_int_set (&ctx->reached, 1);
  while (!g_cancellable_is_cancelled (cancellable))
    g_poll (&pfd, 1, -1);
  g_cancellable_release_fd (cancellable);

  g_cancellable_set_error_if_cancelled (cancellable, error);
  return NULL;
}

static void
test_cancellable (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Cancellable ctx = { 0 };

  worker = spindle_test_spawn (set, "gio-caller", cancellable_body, &ctx);
  spindle_test_wait_flag (&ctx.reached);

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (ctx.initially, ==, 2);
  g_assert_true (ctx.same);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
}

static void
test_stop_all (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *workers[8];
  Sleeper sleepers[8] = { { 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    workers[i] = spindle_test_spawn (set, "sleeper", sleeper_body, &sleepers[i]);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    spindle_test_wait_flag (&sleepers[i].reached);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, G_N_ELEMENTS (workers));

  spindle_worker_set_stop_all (set);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    g_assert_cmpint (spindle_worker_get_state (workers[i]), ==, SPINDLE_WORKER_STATE_STOPPING);

  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_assert_cmpint (spindle_worker_get_state (workers[i]), ==, SPINDLE_WORKER_STATE_STOPPED);
      g_assert_cmpint (sleepers[i].first, ==, 2);
    }
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/stop/wakes-60s-sleep", test_wakes_60s_sleep);
  g_test_add_func ("/engine/stop/sleep-runs-full-time", test_sleep_runs_full_time);
  g_test_add_func ("/engine/stop/should-stop", test_should_stop);
  g_test_add_func ("/engine/stop/wakes-wait-fd", test_wakes_wait_fd);
  g_test_add_func ("/engine/stop/wait-fd-ready", test_wait_fd_ready);
  g_test_add_func ("/engine/stop/wait-fd-timeout", test_wait_fd_timeout);
  g_test_add_func ("/engine/stop/wakes-cond-wait", test_wakes_cond_wait);
  g_test_add_func ("/engine/stop/cond-wait-signalled", test_cond_wait_signalled);
  g_test_add_func ("/engine/stop/cond-broadcast-from-thread", test_cond_broadcast_from_thread);
  g_test_add_func ("/engine/stop/cond-wait-timeout", test_cond_wait_timeout);
  g_test_add_func ("/engine/stop/cancellable", test_cancellable);
  g_test_add_func ("/engine/stop/stop-all", test_stop_all);

  return g_test_run ();
}
