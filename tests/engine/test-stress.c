/* test-stress.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <poll.h>
#include <unistd.h>

#include "spindle-test-util.h"

#define N_RACERS         1000
#define STRESS_GUARD_MS  (4 * SPINDLE_TEST_GUARD_MS)

/* Stop and cancel race the workers' own exit */

typedef enum
{
  WORK_RETURN,
  WORK_COMPUTE,
  WORK_JOB_SLEEP,
  WORK_RAW_SLEEP,
  WORK_POLL_STOP,
  WORK_WAIT_FD,
  N_WORK_KINDS
} WorkKind;

enum
{
  REQUEST_STOP   = 1 << 0,
  REQUEST_CANCEL = 1 << 1,
};

typedef struct
{
  guint           index;
  WorkKind        kind;
  guint           amount;
  int             fd;
  guint           requests;
  gint            pushed;
  gint            cleanup_runs;
  gint            destroyed;
  guint           finished;
  guint           off_thread;
  volatile gulong counter;
} Racer;

static gint n_destroyed;

static void
racer_destroy (gpointer data)
{
  Racer *racer = data;

  g_atomic_int_inc (&racer->destroyed);
  g_atomic_int_inc (&n_destroyed);
}

static gboolean
racer_cleanup (gpointer   data,
               GError   **error)
{
  Racer *racer = data;

  g_atomic_int_inc (&racer->cleanup_runs);
  return TRUE;
}

static void
racer_work (SpindleJob *job,
            Racer      *racer)
{
  switch (racer->kind)
    {
    case WORK_RETURN:
      break;

    case WORK_COMPUTE:
      spindle_job_enter_compute (job);
      for (guint i = 0; i < racer->amount * 50; i++)
        racer->counter++;
      spindle_job_leave_compute (job);
      break;

    case WORK_JOB_SLEEP:
      spindle_job_sleep (job, racer->amount);
      break;

    case WORK_RAW_SLEEP:
      g_usleep (racer->amount);
      break;

    case WORK_POLL_STOP:
      for (guint i = 0; i < racer->amount && !spindle_job_should_stop (job); i++)
        racer->counter++;
      break;

    case WORK_WAIT_FD:
      spindle_job_wait_fd (job, racer->fd, G_IO_IN, racer->amount, NULL);
      break;

    case N_WORK_KINDS:
    default:
      g_assert_not_reached ();
    }
}

static GVariant *
racer_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  Racer *racer = data;

  spindle_job_push_cleanup (job, "count", racer_cleanup, racer);
  g_atomic_int_set (&racer->pushed, 1);
  racer_work (job, racer);

  return g_variant_new_uint32 (racer->index);
}

static void
on_racer_finished (SpindleWorker *worker,
                   Racer         *racer)
{
  racer->finished++;
  if (!spindle_test_is_main_thread ())
    racer->off_thread++;
}

static void
racer_request (SpindleWorker *worker,
               Racer         *racer,
               guint          requests)
{
  gboolean cancel_first = g_test_rand_bit ();

  racer->requests |= requests;
  if ((requests & REQUEST_CANCEL) && cancel_first)
    spindle_worker_force_cancel (worker);
  if (requests & REQUEST_STOP)
    spindle_worker_request_stop (worker);
  if ((requests & REQUEST_CANCEL) && !cancel_first)
    spindle_worker_force_cancel (worker);
}

/* 10 % stop, 10 % cancel, 10 % both, 70 % none. */
static guint
random_requests (void)
{
  switch (g_test_rand_int_range (0, 10))
    {
    case 0:  return REQUEST_STOP;
    case 1:  return REQUEST_CANCEL;
    case 2:  return REQUEST_STOP | REQUEST_CANCEL;
    default: return 0;
    }
}

/* Mostly stop, cancel or both: for workers that had a chance to run. */
static guint
random_late_requests (void)
{
  switch (g_test_rand_int_range (0, 4))
    {
    case 0:  return REQUEST_STOP;
    case 1:  return REQUEST_CANCEL;
    case 2:  return REQUEST_STOP | REQUEST_CANCEL;
    default: return 0;
    }
}

static SpindleWorker *
spawn_racer (SpindleWorkerSet *set,
             Racer            *racer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("racer-%u", racer->index);
  SpindleWorker *worker;

  worker = spindle_test_spawn_full (set, name, racer_body, racer, racer_destroy);
  g_signal_connect (worker, "finished", G_CALLBACK (on_racer_finished), racer);

  return worker;
}

/* Let some starts and ends through, then hit recent workers, above all
 * those whose body began: they are running or just returning. */
static void
hit_running (SpindleWorker **workers,
             Racer          *racers,
             guint           n_spawned)
{
  for (guint i = 0; i < 64 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);

  for (guint j = n_spawned - MIN (n_spawned, 32); j < n_spawned; j++)
    {
      gboolean began = g_atomic_int_get (&racers[j].pushed);

      if (!spindle_worker_is_terminal (workers[j]) && (began || g_test_rand_bit ()))
        racer_request (workers[j], &racers[j], random_late_requests ());
    }
}

static gboolean
all_finished_cond (gpointer data)
{
  Racer *racers = data;

  for (guint i = 0; i < N_RACERS; i++)
    if (racers[i].finished == 0)
      return FALSE;
  return TRUE;
}

static gboolean
all_destroyed_cond (gpointer data)
{
  return g_atomic_int_get (&n_destroyed) >= N_RACERS;
}

static void
assert_racer_end (SpindleWorker *worker,
                  Racer         *racer)
{
  SpindleWorkerState state = spindle_worker_get_state (worker);
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (worker);

  if (racer->requests == 0)
    g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_FINISHED);
  else
    g_assert_true (state == SPINDLE_WORKER_STATE_FINISHED ||
                   state == SPINDLE_WORKER_STATE_STOPPED ||
                   state == SPINDLE_WORKER_STATE_CANCELLED);

  if (state == SPINDLE_WORKER_STATE_FINISHED)
    g_assert_cmpuint (g_variant_get_uint32 (spindle_worker_get_result (worker)), ==, racer->index);

  /* A force-cancel that lands before the body begins means it never runs;
   * a body that ran pushed its step first thing, so that step ran once. */
  if (g_atomic_int_get (&racer->pushed))
    {
      g_assert_cmpint (g_atomic_int_get (&racer->cleanup_runs), ==, 1);
      spindle_test_assert_report (report, "count:OK");
    }
  else
    {
      g_assert_true (racer->requests & REQUEST_CANCEL);
      g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_CANCELLED);
      g_assert_cmpint (g_atomic_int_get (&racer->cleanup_runs), ==, 0);
      spindle_test_assert_report (report, "");
    }

  g_assert_cmpuint (racer->finished, ==, 1);
  g_assert_cmpuint (racer->off_thread, ==, 0);
}

static void
racer_setup (Racer *racer,
             guint  index,
             int    fd)
{
  *racer = (Racer) { .index = index, .fd = fd };
  racer->kind = g_test_rand_int_range (0, N_WORK_KINDS);
  racer->amount = g_test_rand_int_range (0, 200);
}

static void
test_race_own_exit (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker **workers = g_new0 (SpindleWorker *, N_RACERS);
  Racer *racers = g_new0 (Racer, N_RACERS);
  guint counts[SPINDLE_WORKER_N_STATES] = { 0 };
  guint never_ran = 0;
  int fds[2] = { -1, -1 };

  n_destroyed = 0;
  spindle_test_pipe (fds);

  for (guint i = 0; i < N_RACERS; i++)
    {
      racer_setup (&racers[i], i, fds[0]);
      workers[i] = spawn_racer (set, &racers[i]);
      racer_request (workers[i], &racers[i], random_requests ());

      if (i % 8 == 7)
        hit_running (workers, racers, i + 1);
    }

  spindle_test_wait_no_live (set, STRESS_GUARD_MS);
  spindle_test_wait_until (all_finished_cond, racers, STRESS_GUARD_MS);

  for (guint i = 0; i < N_RACERS; i++)
    {
      assert_racer_end (workers[i], &racers[i]);
      counts[spindle_worker_get_state (workers[i])]++;
      never_ran += !racers[i].pushed;
    }
  g_test_message ("finished %u, stopped %u, cancelled %u (%u before the body began)",
                  counts[SPINDLE_WORKER_STATE_FINISHED],
                  counts[SPINDLE_WORKER_STATE_STOPPED],
                  counts[SPINDLE_WORKER_STATE_CANCELLED],
                  never_ran);

  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  g_assert_cmpuint (spindle_worker_set_clear_finished (set), ==, N_RACERS);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  g_clear_object (&set);

  spindle_test_wait_until (all_destroyed_cond, NULL, STRESS_GUARD_MS);
  for (guint i = 0; i < N_RACERS; i++)
    g_assert_cmpint (g_atomic_int_get (&racers[i].destroyed), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&n_destroyed), ==, N_RACERS);

  spindle_test_close_pipe (fds);
  g_free (racers);
  g_free (workers);
}

/* Many long waits, every kind of request, all at once */

typedef struct
{
  gint  reached;
  gint  cleanup_runs;
  guint kind;
  int   fd;
} Waiter;

static gboolean
waiter_cleanup (gpointer   data,
                GError   **error)
{
  Waiter *waiter = data;

  g_atomic_int_inc (&waiter->cleanup_runs);
  return TRUE;
}

static GVariant *
waiter_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Waiter *waiter = data;
  struct pollfd pfd = { waiter->fd, POLLIN, 0 };

  spindle_job_push_cleanup (job, "count", waiter_cleanup, waiter);
  g_atomic_int_set (&waiter->reached, 1);

  if (waiter->kind == 0)
    spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  else if (waiter->kind == 1)
    spindle_job_wait_fd (job, waiter->fd, G_IO_IN, -1, NULL);
  else
    poll (&pfd, 1, 60 * 1000);

  return NULL;
}

#define N_WAITERS 200

static void
test_mass_requests (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *workers[N_WAITERS];
  Waiter waiters[N_WAITERS];
  int fds[2] = { -1, -1 };

  spindle_test_pipe (fds);
  for (guint i = 0; i < N_WAITERS; i++)
    {
      waiters[i] = (Waiter) { .kind = i % 3, .fd = fds[0] };
      workers[i] = spindle_test_spawn (set, "waiter", waiter_body, &waiters[i]);
    }
  for (guint i = 0; i < N_WAITERS; i++)
    spindle_test_wait_flag (&waiters[i].reached);

  /* Poll waiters ignore stop: they need the force. */
  for (guint i = 0; i < N_WAITERS; i++)
    if (waiters[i].kind != 2 && g_test_rand_bit ())
      spindle_worker_request_stop (workers[i]);
  spindle_worker_set_stop_all (set);
  spindle_worker_set_cancel_all (set);
  spindle_worker_set_stop_all (set);

  spindle_test_wait_no_live (set, STRESS_GUARD_MS);
  for (guint i = 0; i < N_WAITERS; i++)
    {
      SpindleWorkerState state = spindle_worker_get_state (workers[i]);

      g_assert_true (state == SPINDLE_WORKER_STATE_STOPPED || state == SPINDLE_WORKER_STATE_CANCELLED);
      if (waiters[i].kind == 2)
        g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_CANCELLED);
      g_assert_cmpint (g_atomic_int_get (&waiters[i].cleanup_runs), ==, 1);
    }

  spindle_test_close_pipe (fds);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/stress/stop-cancel-race-own-exit", test_race_own_exit);
  g_test_add_func ("/engine/stress/mass-requests", test_mass_requests);

  return g_test_run ();
}
