/* test-locks.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>

#include "spindle-test-util.h"

/* Two workers contend for one lock: the holder sits in an engine wait with
 * the lock held, the other waits for the lock.
 */
typedef struct
{
  SpindleLock *lock;
  gint         holding;
  gboolean     repair;          /* the taker marks a tainted lock consistent */
  char        *taint_message;   /* what the taker was told, NULL if nothing */
  char        *holder_at_taint; /* who held the lock when the taker was told */
} Shared;

static void
shared_clear (Shared *shared)
{
  g_clear_pointer (&shared->taint_message, g_free);
  g_clear_pointer (&shared->holder_at_taint, g_free);
}

static GVariant *
holder_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Shared *shared = data;

  if (!spindle_job_lock (job, shared->lock, error))
    return NULL;

  g_atomic_int_set (&shared->holding, 1);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  spindle_job_unlock (job, shared->lock);

  return NULL;
}

/* Handles a taint as EOWNERDEAD is handled: the lock comes with it. */
static GVariant *
taker_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  Shared *shared = data;
  GError *local_error = NULL;
  gboolean tainted = FALSE;

  if (!spindle_job_lock (job, shared->lock, &local_error))
    {
      if (!g_error_matches (local_error, SPINDLE_ERROR, SPINDLE_ERROR_LOCK_TAINTED))
        {
          g_propagate_error (error, local_error);
          return NULL;
        }

      tainted = TRUE;
      shared->taint_message = g_strdup (local_error->message);
      shared->holder_at_taint = spindle_lock_dup_holder (shared->lock);
      g_error_free (local_error);
      if (shared->repair)
        spindle_lock_mark_consistent (shared->lock);
    }

  spindle_job_unlock (job, shared->lock);

  return g_variant_new_boolean (tainted);
}

/* Treats every FALSE as a failure, as most bodies do. */
static GVariant *
naive_taker_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  Shared *shared = data;

  if (!spindle_job_lock (job, shared->lock, error))
    return NULL;

  spindle_job_unlock (job, shared->lock);

  return g_variant_new_boolean (FALSE);
}

static gboolean
waits_for_holder (gpointer data)
{
  const char *waiting_for = spindle_worker_get_waiting_for (data);

  return g_strcmp0 (waiting_for, "lock “ledger” held by “holder”") == 0;
}

static void
start_contention (SpindleWorkerSet  *set,
                  Shared            *shared,
                  SpindleWorker    **holder,
                  SpindleWorker    **taker)
{
  *holder = spindle_test_spawn (set, "holder", holder_body, shared);
  spindle_test_wait_flag (&shared->holding);

  *taker = spindle_test_spawn (set, "taker", taker_body, shared);
  spindle_test_wait_until (waits_for_holder, *taker, SPINDLE_TEST_GUARD_MS);

  g_assert_true (spindle_lock_is_held (shared->lock));
  g_assert_cmpint (spindle_worker_get_state (*taker), ==, SPINDLE_WORKER_STATE_RUNNING);
}

/* Cancels a holder of @shared's lock, which leaves it tainted and free. */
static void
taint_by_cancel (SpindleWorkerSet *set,
                 Shared           *shared)
{
  SpindleWorker *holder = spindle_test_spawn (set, "holder", holder_body, shared);

  spindle_test_wait_flag (&shared->holding);
  spindle_worker_force_cancel (holder);
  spindle_test_wait_terminal (holder);
  g_assert_true (spindle_lock_is_tainted (shared->lock));
  g_assert_false (spindle_lock_is_held (shared->lock));
  shared->holding = 0;
}

/* Runs @body to its end and returns its worker. */
static SpindleWorker *
run_taker (SpindleWorkerSet *set,
           SpindleJobFunc    body,
           Shared           *shared)
{
  SpindleWorker *taker;

  shared_clear (shared);
  taker = spindle_test_spawn (set, "taker", body, shared);
  spindle_test_wait_terminal (taker);

  return taker;
}

static void
test_cancel_holder_taints (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  Shared shared = { lock, .repair = TRUE };
  SpindleWorker *holder, *taker;
  SpindleCleanupReport *report;

  start_contention (set, &shared, &holder, &taker);

  spindle_worker_force_cancel (holder);
  spindle_test_wait_terminal (holder);
  g_assert_cmpint (spindle_worker_get_state (holder), ==, SPINDLE_WORKER_STATE_CANCELLED);
  report = spindle_worker_get_cleanup_report (holder);
  spindle_test_assert_report (report, "released lock “ledger” held at cancel; marked tainted:OK");
  g_assert_cmpuint (spindle_cleanup_report_get_n_tainted_locks (report), ==, 1);

  /* the waiting worker is told of the taint with the lock held, repairs */
  spindle_test_wait_terminal (taker);
  g_assert_cmpint (spindle_worker_get_state (taker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_true (g_variant_get_boolean (spindle_worker_get_result (taker)));
  g_assert_cmpstr (shared.taint_message, ==,
                   "Lock “ledger” is tainted: “holder” was cancelled holding it; it is held, "
                   "and the data it guards may be inconsistent until it is marked consistent");
  g_assert_cmpstr (shared.holder_at_taint, ==, "taker");
  g_assert_null (spindle_worker_get_waiting_for (taker));
  g_assert_false (spindle_lock_is_tainted (lock));
  g_assert_false (spindle_lock_is_held (lock));
  shared_clear (&shared);
}

/* Like EOWNERDEAD: each taker is told until one marks the lock consistent. */
static void
test_taint_stays_until_marked (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  Shared shared = { lock };
  SpindleWorker *taker;

  taint_by_cancel (set, &shared);

  for (guint i = 0; i < 2; i++)
    {
      taker = run_taker (set, taker_body, &shared);
      g_assert_true (g_variant_get_boolean (spindle_worker_get_result (taker)));
      g_assert_cmpstr (shared.holder_at_taint, ==, "taker");
      g_assert_true (spindle_lock_is_tainted (lock));
      g_assert_false (spindle_lock_is_held (lock));
    }

  shared.repair = TRUE;
  taker = run_taker (set, taker_body, &shared);
  g_assert_true (g_variant_get_boolean (spindle_worker_get_result (taker)));
  g_assert_false (spindle_lock_is_tainted (lock));

  taker = run_taker (set, taker_body, &shared);
  g_assert_false (g_variant_get_boolean (spindle_worker_get_result (taker)));
  g_assert_null (shared.taint_message);
  shared_clear (&shared);
}

/* A body that does not look at the error fails loudly; the engine releases
 * the lock it was handed, still tainted.
 */
static void
test_naive_taker_fails (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  Shared shared = { lock };
  SpindleWorker *taker;
  const GError *error;

  taint_by_cancel (set, &shared);

  taker = run_taker (set, naive_taker_body, &shared);
  g_assert_cmpint (spindle_worker_get_state (taker), ==, SPINDLE_WORKER_STATE_FAILED);
  error = spindle_worker_get_error (taker);
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_LOCK_TAINTED);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (taker),
                              "released lock “ledger” left held at exit:OK");
  g_assert_true (spindle_lock_is_tainted (lock));
  g_assert_false (spindle_lock_is_held (lock));
}

static void
test_stop_holder_no_taint (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  Shared shared = { lock };
  SpindleWorker *holder, *taker;

  start_contention (set, &shared, &holder, &taker);

  /* a cooperative stop lets the holder unlock on its own */
  spindle_worker_request_stop (holder);
  spindle_test_wait_terminal (holder);
  g_assert_cmpint (spindle_worker_get_state (holder), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpuint (spindle_cleanup_report_get_n_steps (spindle_worker_get_cleanup_report (holder)), ==, 0);

  spindle_test_wait_terminal (taker);
  g_assert_false (g_variant_get_boolean (spindle_worker_get_result (taker)));
  g_assert_false (spindle_lock_is_held (lock));
}

static void
test_stop_waiter (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  Shared shared = { lock };
  SpindleWorker *holder, *taker;

  start_contention (set, &shared, &holder, &taker);

  /* the wait for a lock ends at once on a stop */
  spindle_worker_request_stop (taker);
  spindle_test_wait_terminal (taker);
  g_assert_cmpint (spindle_worker_get_state (taker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_null (spindle_worker_get_waiting_for (taker));
  g_assert_cmpint (spindle_worker_get_state (holder), ==, SPINDLE_WORKER_STATE_RUNNING);

  /* and force-cancel reaches it too */
  taker = spindle_test_spawn (set, "taker", taker_body, &shared);
  spindle_test_wait_until (waits_for_holder, taker, SPINDLE_TEST_GUARD_MS);
  spindle_worker_force_cancel (taker);
  spindle_test_wait_terminal (taker);
  g_assert_cmpint (spindle_worker_get_state (taker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpuint (spindle_cleanup_report_get_n_tainted_locks (spindle_worker_get_cleanup_report (taker)), ==, 0);

  g_assert_true (spindle_lock_is_held (lock));
  g_assert_false (spindle_lock_is_tainted (lock));
  spindle_worker_request_stop (holder);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_assert_false (spindle_lock_is_held (lock));
}

/* A thread that dies holding the lock, with no cleanup at all. */
static gpointer
die_holding (gpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean consistent = spindle_lock_acquire (data, &error);

  g_assert_no_error (error);
  g_assert_true (consistent);

  return NULL;
}

static void
test_owner_died (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  Shared shared = { lock };
  SpindleWorker *taker;

  g_thread_join (g_thread_new ("dies-holding", die_holding, lock));
  g_assert_true (spindle_lock_is_held (lock));
  g_assert_false (spindle_lock_is_tainted (lock));

  /* the robust mutex hands the next locker EOWNERDEAD: the lock is tainted */
  taker = run_taker (set, taker_body, &shared);
  g_assert_cmpint (spindle_worker_get_state (taker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_true (g_variant_get_boolean (spindle_worker_get_result (taker)));
  g_assert_nonnull (strstr (shared.taint_message, "died holding it"));
  g_assert_true (spindle_lock_is_tainted (lock));
  g_assert_false (spindle_lock_is_held (lock));
  shared_clear (&shared);
}

/* The same for a thread that is not a worker. */
static void
test_acquire_tainted (void)
{
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  g_autofree char *holder = NULL;
  g_autofree char *me = g_strdup_printf ("thread %d", (int) gettid ());

  g_thread_join (g_thread_new ("dies-holding", die_holding, lock));

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (spindle_lock_acquire (lock, &error));
      g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_LOCK_TAINTED);
      g_assert_nonnull (strstr (error->message, "died holding it"));
      holder = spindle_lock_dup_holder (lock);
      g_assert_cmpstr (holder, ==, me);
      g_clear_pointer (&holder, g_free);
      spindle_lock_release (lock);
      g_assert_true (spindle_lock_is_tainted (lock));
    }

  g_assert_false (spindle_lock_acquire (lock, NULL));
  spindle_lock_mark_consistent (lock);
  g_assert_false (spindle_lock_is_tainted (lock));
  spindle_lock_release (lock);

  g_assert_true (spindle_lock_acquire (lock, NULL));
  spindle_lock_release (lock);
}

/* Only the holder may say the data is consistent again. */
static void
test_mark_consistent_needs_holder (void)
{
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");

  g_thread_join (g_thread_new ("dies-holding", die_holding, lock));
  g_assert_false (spindle_lock_acquire (lock, NULL));
  spindle_lock_release (lock);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*lock “ledger” is not held by this thread*");
  spindle_lock_mark_consistent (lock);
  g_test_assert_expected_messages ();
  g_assert_true (spindle_lock_is_tainted (lock));
}

static GVariant *
keep_locked_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  Shared *shared = data;

  if (!spindle_job_lock (job, shared->lock, error))
    return NULL;

  return NULL;
}

static void
test_left_held_at_exit (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  Shared shared = { lock };
  SpindleWorker *worker = spindle_test_spawn (set, "forgetful", keep_locked_body, &shared);

  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker),
                              "released lock “ledger” left held at exit:OK");
  g_assert_false (spindle_lock_is_held (lock));
  g_assert_false (spindle_lock_is_tainted (lock));
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/locks/cancel-holder-taints", test_cancel_holder_taints);
  g_test_add_func ("/engine/locks/stop-holder-no-taint", test_stop_holder_no_taint);
  g_test_add_func ("/engine/locks/stop-and-cancel-waiter", test_stop_waiter);
  g_test_add_func ("/engine/locks/taint-stays-until-marked", test_taint_stays_until_marked);
  g_test_add_func ("/engine/locks/naive-taker-fails", test_naive_taker_fails);
  g_test_add_func ("/engine/locks/owner-died", test_owner_died);
  g_test_add_func ("/engine/locks/acquire-tainted", test_acquire_tainted);
  g_test_add_func ("/engine/locks/mark-consistent-needs-holder", test_mark_consistent_needs_holder);
  g_test_add_func ("/engine/locks/left-held-at-exit", test_left_held_at_exit);

  return g_test_run ();
}
