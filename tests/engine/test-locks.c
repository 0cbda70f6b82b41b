/* test-locks.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "spindle-test-util.h"

/* Two workers contend for one lock: the holder sits in an engine wait with
 * the lock held, the other waits for the lock.
 */
typedef struct
{
  SpindleLock *lock;
  gint         holding;
  gint         saw_taint;
} Shared;

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

static GVariant *
taker_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  Shared *shared = data;
  gboolean tainted;

  if (!spindle_job_lock (job, shared->lock, error))
    return NULL;

  tainted = spindle_lock_is_tainted (shared->lock);
  g_atomic_int_set (&shared->saw_taint, tainted);
  if (tainted)
    spindle_lock_clear_taint (shared->lock);
  spindle_job_unlock (job, shared->lock);

  return g_variant_new_boolean (tainted);
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

static void
test_cancel_holder_taints (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleLock) lock = spindle_lock_new ("ledger");
  Shared shared = { lock };
  SpindleWorker *holder, *taker;
  SpindleCleanupReport *report;

  start_contention (set, &shared, &holder, &taker);

  spindle_worker_force_cancel (holder);
  spindle_test_wait_terminal (holder);
  g_assert_cmpint (spindle_worker_get_state (holder), ==, SPINDLE_WORKER_STATE_CANCELLED);
  report = spindle_worker_get_cleanup_report (holder);
  spindle_test_assert_report (report, "released lock “ledger” held at cancel; marked tainted:OK");
  g_assert_cmpuint (spindle_cleanup_report_get_n_tainted_locks (report), ==, 1);

  /* the waiting worker gets the lock, sees the taint and clears it */
  spindle_test_wait_terminal (taker);
  g_assert_cmpint (spindle_worker_get_state (taker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_true (g_variant_get_boolean (spindle_worker_get_result (taker)));
  g_assert_null (spindle_worker_get_waiting_for (taker));
  g_assert_false (spindle_lock_is_tainted (lock));
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
  spindle_lock_acquire (data);
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
  taker = spindle_test_spawn (set, "taker", taker_body, &shared);
  spindle_test_wait_terminal (taker);
  g_assert_cmpint (spindle_worker_get_state (taker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_true (g_variant_get_boolean (spindle_worker_get_result (taker)));
  g_assert_false (spindle_lock_is_held (lock));
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
  g_test_add_func ("/engine/locks/owner-died", test_owner_died);
  g_test_add_func ("/engine/locks/left-held-at-exit", test_left_held_at_exit);

  return g_test_run ();
}
