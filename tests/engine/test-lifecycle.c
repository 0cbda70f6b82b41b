/* test-lifecycle.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* How a worker is born and how it ends: its states, its signals, and the
 * requests that move it on. What a worker shows on the way lives in
 * test-properties.c.
 */

#include <unistd.h>

#include "spindle-test-util.h"

typedef SpindleTestFixture Fixture;

/* Bodies */

static gint n_result_destroyed;

static void
result_destroy (gpointer data)
{
  g_atomic_int_inc (&n_result_destroyed);
  g_free (data);
}

static GVariant *
never_runs_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  g_atomic_int_set ((gint *) data, 1);
  return NULL;
}

static GVariant *
quick_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  return NULL;
}

/* The sleeper's data outlives the set only as long as the engine keeps it. */
static void
end_set_and_wait_destroyed (Fixture *fixture)
{
  spindle_test_fixture_end_set (fixture);
  spindle_test_wait_count (&fixture->sleeper.destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.destroyed), ==, 1);
}

static SpindleWorker *
spawn_sleeper (Fixture    *fixture,
               const char *name)
{
  return spindle_test_fixture_spawn (fixture, name, spindle_test_sleeper_body,
                                     &fixture->sleeper, spindle_test_sleeper_destroy);
}

static SpindleWorker *
spawn_reader (Fixture    *fixture,
              const char *name)
{
  return spindle_test_fixture_spawn (fixture, name, spindle_test_reader_body,
                                     &fixture->reader, NULL);
}

/* Tests */

static void
test_finish_result (Fixture       *fixture,
                    gconstpointer  data)
{
  SpindleCleanupReport *report;
  SpindleWorker *worker;
  GVariant *result;
  gint *answer = g_new (gint, 1);

  *answer = 42;
  n_result_destroyed = 0;

  worker = spindle_test_fixture_spawn (fixture, "returns-42", spindle_test_int_body, answer, result_destroy);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STARTING);
  g_assert_null (spindle_worker_get_cleanup_report (worker));
  g_assert_null (spindle_worker_get_result (worker));

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_true (spindle_worker_is_terminal (worker));
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_NONE);
  g_assert_null (spindle_worker_get_error (worker));

  result = spindle_worker_get_result (worker);
  g_assert_nonnull (result);
  g_assert_true (g_variant_is_of_type (result, G_VARIANT_TYPE_INT32));
  g_assert_cmpint (g_variant_get_int32 (result), ==, 42);

  report = spindle_worker_get_cleanup_report (worker);
  g_assert_nonnull (report);
  g_assert_cmpuint (spindle_cleanup_report_get_n_steps (report), ==, 0);

  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING CLEANING FINISHED",
                                        "cleanup-started cleanup-finished(0) state(FINISHED) finished");
  g_assert_cmpuint (spindle_test_recorder_off_thread (fixture->rec), ==, 0);

  spindle_test_fixture_end_set (fixture);
  spindle_test_wait_count (&n_result_destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&n_result_destroyed), ==, 1);
}

static void
test_failed_error (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) copy = NULL;
  SpindleWorker *worker;
  const GError *error;

  worker = spindle_test_fixture_spawn (fixture, "fails", spindle_test_error_body, NULL, NULL);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_null (spindle_worker_get_result (worker));
  error = spindle_worker_get_error (worker);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "no access here");

  g_object_get (worker, "error", &copy, NULL);
  g_assert_error (copy, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);

  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING CLEANING FAILED",
                                        "cleanup-started cleanup-finished(0) state(FAILED) finished");
}

static void
test_states_stop (Fixture       *fixture,
                  gconstpointer  data)
{
  SpindleWorker *worker = spawn_sleeper (fixture, "sleeper");

  spindle_test_wait_flag (&fixture->sleeper.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_NONE);

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "stop-requested(USER)"), ==, 1);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "state(STOPPING)"), ==, 1);

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.sleep_result), ==, 2);
  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING STOPPING CLEANING STOPPED",
                                        "stop-requested(USER) cleanup-started cleanup-finished(0) "
                                        "state(STOPPED) finished");

  end_set_and_wait_destroyed (fixture);
}

/* A handler of a worker's cleanup-finished that abandons it: the thread
 * has ended and its end is being reported, so nothing is abandoned, and
 * the worker ends once, as its thread did. The handler stays connected:
 * an abandon that went through would report again, and call it again.
 */
static void
abandon_on_cleanup_finished (SpindleWorker        *worker,
                             SpindleCleanupReport *report,
                             guint                *n_calls)
{
  (*n_calls)++;
  spindle_worker_abandon (worker);
}

static void
test_abandon_from_cleanup_finished (Fixture       *fixture,
                                    gconstpointer  data)
{
  SpindleWorker *worker = spawn_sleeper (fixture, "sleeper");
  guint n_calls = 0;

  g_signal_connect (worker, "cleanup-finished", G_CALLBACK (abandon_on_cleanup_finished), &n_calls);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpuint (n_calls, ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING STOPPING CLEANING STOPPED",
                                        "stop-requested(USER) cleanup-started cleanup-finished(0) "
                                        "state(STOPPED) finished");

  end_set_and_wait_destroyed (fixture);
}

/* The same from an abandon's own report: the abandon is not repeated. */
static void
test_abandon_from_abandon_report (Fixture       *fixture,
                                  gconstpointer  data)
{
  SpindleWorker *worker = spawn_sleeper (fixture, "sleeper");
  guint n_calls = 0;

  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  g_signal_connect (worker, "cleanup-finished", G_CALLBACK (abandon_on_cleanup_finished), &n_calls);
  spindle_worker_request_stop (worker);
  spindle_worker_abandon (worker);

  g_assert_cmpuint (n_calls, ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "finished"), ==, 1);

  end_set_and_wait_destroyed (fixture);
}

static void
test_states_cancel (Fixture       *fixture,
                    gconstpointer  data)
{
  SpindleWorker *worker = spawn_reader (fixture, "reader");

  spindle_test_reader_wait_blocked (&fixture->reader);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "cancel-requested(USER)"), ==, 1);

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&fixture->reader.returned), ==, 0);
  g_assert_null (spindle_worker_get_result (worker));
  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING CANCELLING CLEANING CANCELLED",
                                        "cancel-requested(USER) cleanup-started cleanup-finished(0) "
                                        "state(CANCELLED) finished");
}

/* STOPPING → CANCELLING: the raw read() ignores the stop, force reaches it. */
static void
test_states_stop_then_cancel (Fixture       *fixture,
                              gconstpointer  data)
{
  SpindleWorker *worker = spawn_reader (fixture, "stubborn-reader");
  guint n_events;

  spindle_test_reader_wait_blocked (&fixture->reader);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  spindle_test_run_clock (fixture->set, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpint (g_atomic_int_get (&fixture->reader.returned), ==, 0);

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "cancel-requested(USER)"), ==, 1);

  /* A stop request while CANCELLING does nothing at all. */
  n_events = spindle_test_recorder_n_emissions (fixture->rec);
  spindle_worker_request_stop (worker);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (fixture->rec), ==, n_events);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&fixture->reader.returned), ==, 0);
  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING STOPPING CANCELLING CLEANING CANCELLED",
                                        "stop-requested(USER) cancel-requested(USER) cleanup-started "
                                        "cleanup-finished(0) state(CANCELLED) finished");
}

static void
test_request_stop_idempotent (Fixture       *fixture,
                              gconstpointer  data)
{
  SpindleWorker *worker = spawn_reader (fixture, "stubborn-reader");
  guint n_emissions;

  spindle_test_wait_flag (&fixture->reader.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_request_stop (worker);
  n_emissions = spindle_test_recorder_n_emissions (fixture->rec);
  spindle_worker_request_stop (worker);
  spindle_worker_request_stop (worker);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (fixture->rec), ==, n_emissions);

  spindle_test_run_clock (fixture->set, 1);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "stop-requested"), ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);

  /* The body ignores stop: let its read() return so that it ends. */
  spindle_test_pipe_poke (fixture->reader.fds[1]);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (g_atomic_int_get (&fixture->reader.returned), ==, 1);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "stop-requested"), ==, 1);
  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING STOPPING CLEANING STOPPED", NULL);
}

static void
test_force_cancel_idempotent (Fixture       *fixture,
                              gconstpointer  data)
{
  SpindleWorker *worker = spawn_reader (fixture, "reader");
  guint n_emissions;

  spindle_test_wait_flag (&fixture->reader.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_force_cancel (worker);
  n_emissions = spindle_test_recorder_n_emissions (fixture->rec);
  spindle_worker_force_cancel (worker);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (fixture->rec), ==, n_emissions);

  spindle_test_wait_terminal (worker);
  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "cancel-requested"), ==, 1);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "finished"), ==, 1);
  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING CANCELLING CLEANING CANCELLED", NULL);
}

static void
test_stop_before_running (Fixture       *fixture,
                          gconstpointer  data)
{
  SpindleWorker *worker = spawn_sleeper (fixture, "stopped-early");

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STARTING);

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "stop-requested(USER)"), ==, 1);

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  /* The body may or may not have run, but its sleep was never a full one. */
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.sleep_result), !=, 1);
  spindle_test_fixture_assert_recorded (fixture, "STARTING STOPPING CLEANING STOPPED",
                                        "stop-requested(USER) cleanup-started cleanup-finished(0) "
                                        "state(STOPPED) finished");

  end_set_and_wait_destroyed (fixture);
}

static void
test_cancel_before_running (Fixture       *fixture,
                            gconstpointer  data)
{
  SpindleWorker *worker = spawn_sleeper (fixture, "cancelled-early");

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "cancel-requested(USER)"), ==, 1);

  spindle_test_wait_terminal (worker);

  /* A cancel made before the body began acts before it, at the engine's
   * pthread_testcancel(): the body never runs. */
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.sleep_result), ==, 0);
  spindle_test_fixture_assert_recorded (fixture, "STARTING CANCELLING CLEANING CANCELLED", NULL);
  g_assert_cmpuint (spindle_test_recorder_count (fixture->rec, "finished"), ==, 1);

  end_set_and_wait_destroyed (fixture);
}

/* Requests on every kind of terminal worker emit nothing and change nothing. */
static void
assert_requests_are_noops (SpindleWorkerSet   *set,
                           SpindleWorker      *worker,
                           SpindleWorkerState  expected)
{
  g_autoptr(SpindleTestRecorder) rec = NULL;
  SpindleStopReason reason;

  g_assert_cmpint (spindle_worker_get_state (worker), ==, expected);
  reason = spindle_worker_get_stop_reason (worker);
  rec = spindle_test_recorder_new (worker);

  spindle_worker_request_stop (worker);
  spindle_worker_force_cancel (worker);
  spindle_worker_request_stop (worker);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (rec), ==, 0);

  spindle_test_run_clock (set, 2);

  g_assert_cmpuint (spindle_test_recorder_n_emissions (rec), ==, 0);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, expected);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, reason);
}

static void
test_requests_on_terminal (Fixture       *fixture,
                           gconstpointer  data)
{
  SpindleWorkerSet *set = fixture->set;
  g_autoptr(GError) error = NULL;
  SpindleSpawnOptions options = { .stack_size = (gsize) 1 << 48 };
  SpindleWorker *finished, *failed, *stopped, *cancelled, *unborn;
  gint *answer = g_new (gint, 1);
  gint ran = 0;

  *answer = 1;

  finished = spindle_test_spawn_full (set, "finished", spindle_test_int_body, answer, g_free);
  failed = spindle_test_spawn_full (set, "failed", spindle_test_error_body, NULL, NULL);
  stopped = spindle_test_spawn (set, "stopped", spindle_test_sleeper_body, &fixture->sleeper);
  cancelled = spindle_test_spawn (set, "cancelled", spindle_test_reader_body, &fixture->reader);
  g_assert_null (spindle_worker_set_spawn_full (set, &options, "unborn", never_runs_body,
                                                &ran, NULL, &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  unborn = g_list_model_get_item (G_LIST_MODEL (set), g_list_model_get_n_items (G_LIST_MODEL (set)) - 1);
  g_object_unref (unborn); /* the set keeps it alive */

  spindle_test_wait_flag (&fixture->sleeper.reached);
  spindle_test_wait_flag (&fixture->reader.reached);
  spindle_worker_request_stop (stopped);
  spindle_worker_force_cancel (cancelled);
  spindle_test_wait_terminal (finished);
  spindle_test_wait_terminal (failed);
  spindle_test_wait_terminal (stopped);
  spindle_test_wait_terminal (cancelled);

  assert_requests_are_noops (set, finished, SPINDLE_WORKER_STATE_FINISHED);
  assert_requests_are_noops (set, failed, SPINDLE_WORKER_STATE_FAILED);
  assert_requests_are_noops (set, stopped, SPINDLE_WORKER_STATE_STOPPED);
  assert_requests_are_noops (set, cancelled, SPINDLE_WORKER_STATE_CANCELLED);
  assert_requests_are_noops (set, unborn, SPINDLE_WORKER_STATE_FAILED);
  g_assert_cmpint (ran, ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
}

static gint n_unborn_destroyed;

static void
unborn_destroy (gpointer data)
{
  g_atomic_int_inc (&n_unborn_destroyed);
  g_free (data);
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GString    *log)
{
  g_assert_true (spindle_test_is_main_thread ());
  g_string_append_printf (log, "%s(%u,%u,%u)", log->len ? " " : "", position, removed, added);
}

static void
test_thread_create_failure (Fixture       *fixture,
                            gconstpointer  data)
{
  SpindleWorkerSet *set = fixture->set;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpindleWorker) failed = NULL;
  g_autoptr(GString) changes = g_string_new (NULL);
  SpindleSpawnOptions options = { .stack_size = (gsize) 1 << 48 };
  const GError *worker_error;
  SpindleWorker *worker;
  gint *ran = g_new0 (gint, 1);

  n_unborn_destroyed = 0;
  g_signal_connect (set, "items-changed", G_CALLBACK (count_items_changed), changes);

  worker = spindle_worker_set_spawn_full (set, &options, "too-big-a-stack", never_runs_body,
                                          ran, unborn_destroy, &error);

  g_assert_null (worker);
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_cmpint (g_atomic_int_get (&n_unborn_destroyed), ==, 1);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);
  g_assert_cmpstr (changes->str, ==, "(0,0,1)");
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  failed = g_list_model_get_item (G_LIST_MODEL (set), 0);
  g_assert_true (SPINDLE_IS_WORKER (failed));
  g_assert_cmpstr (spindle_worker_get_name (failed), ==, "too-big-a-stack");
  g_assert_cmpint (spindle_worker_get_state (failed), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_true (spindle_worker_is_terminal (failed));
  worker_error = spindle_worker_get_error (failed);
  g_assert_error (worker_error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_cmpstr (worker_error->message, ==, error->message);

  /* Nothing more happens to it later: no thread, no body, no second destroy. */
  spindle_test_run_clock (set, 2);
  g_assert_cmpint (spindle_worker_get_state (failed), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_cmpint (g_atomic_int_get (&n_unborn_destroyed), ==, 1);

  g_assert_true (spindle_worker_set_remove (set, failed));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);

  g_clear_object (&failed);
  spindle_test_fixture_end_set (fixture);
  g_assert_cmpint (g_atomic_int_get (&n_unborn_destroyed), ==, 1);
}

static void
test_list_model (Fixture       *fixture,
                 gconstpointer  data)
{
  SpindleWorkerSet *set = fixture->set;
  g_autoptr(GString) changes = g_string_new (NULL);
  g_autoptr(SpindleWorker) held = NULL;
  g_autoptr(SpindleWorker) item = NULL;
  SpindleWorker *reading, *quick;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (set)) == SPINDLE_TYPE_WORKER);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  g_signal_connect (set, "items-changed", G_CALLBACK (count_items_changed), changes);

  reading = spindle_test_spawn (set, "reader", spindle_test_reader_body, &fixture->reader);
  g_assert_cmpstr (changes->str, ==, "(0,0,1)");
  quick = spindle_test_spawn (set, "quick", quick_body, NULL);
  g_assert_cmpstr (changes->str, ==, "(0,0,1) (1,0,1)");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 2);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 2);
  g_assert_cmpuint (spindle_worker_get_id (quick), >, spindle_worker_get_id (reading));

  item = g_list_model_get_item (G_LIST_MODEL (set), 0);
  g_assert_true (item == reading);
  g_clear_object (&item);
  item = g_list_model_get_item (G_LIST_MODEL (set), 1);
  g_assert_true (item == quick);
  g_clear_object (&item);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (set), 2));

  spindle_test_wait_terminal (quick);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 1);

  /* Live workers cannot be removed. */
  g_string_truncate (changes, 0);
  g_assert_false (spindle_worker_set_remove (set, reading));
  g_assert_cmpuint (spindle_worker_set_clear_finished (set), ==, 1);
  g_assert_cmpstr (changes->str, ==, "(1,1,0)");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);

  held = g_object_ref (reading);
  spindle_test_wait_flag (&fixture->reader.reached);
  spindle_worker_force_cancel (reading);
  spindle_test_wait_terminal (reading);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  g_string_truncate (changes, 0);
  g_assert_true (spindle_worker_set_remove (set, reading));
  g_assert_cmpstr (changes->str, ==, "(0,1,0)");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  g_assert_cmpuint (spindle_worker_set_clear_finished (set), ==, 0);
}

/* What a handler of the set sees: the workers n-live counts are listed,
 * whether it hears of a new worker from n-live or from items-changed. A
 * view that shows both, or a handler that stops every worker when too
 * many live, would otherwise meet a worker counted and not yet listed.
 */
typedef struct
{
  guint    n_checks;
  GString *mismatches;
} Census;

static void
check_census (SpindleWorkerSet *set,
              const char       *when,
              Census           *census)
{
  guint n_listed_live = spindle_test_count_listed_live (G_LIST_MODEL (set));

  census->n_checks++;
  if (n_listed_live != spindle_worker_set_get_n_live (set))
    g_string_append_printf (census->mismatches, "%s%s: %u live, %u listed live",
                            census->mismatches->len ? "; " : "", when,
                            spindle_worker_set_get_n_live (set), n_listed_live);
}

static void
census_on_n_live (SpindleWorkerSet *set,
                  GParamSpec       *pspec,
                  Census           *census)
{
  check_census (set, "n-live", census);
}

static void
census_on_items_changed (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Census     *census)
{
  check_census (SPINDLE_WORKER_SET (model), "items-changed", census);
}

static GVariant *
parent_of_quick_body (SpindleJob  *job,
                      gpointer     data,
                      GError     **error)
{
  if (spindle_job_spawn_child (job, "child", quick_body, NULL, NULL, error) == NULL)
    return NULL;

  return NULL;
}

static void
test_counted_are_listed (Fixture       *fixture,
                         gconstpointer  data)
{
  SpindleWorkerSet *set = fixture->set;
  SpindleSpawnOptions too_big = { .stack_size = (gsize) 1 << 48 };
  g_autoptr(GString) mismatches = g_string_new (NULL);
  Census census = { 0, mismatches };
  g_autoptr(GError) error = NULL;

  g_signal_connect (set, "notify::n-live", G_CALLBACK (census_on_n_live), &census);
  g_signal_connect (set, "items-changed", G_CALLBACK (census_on_items_changed), &census);

  spindle_test_spawn (set, "quick", quick_body, NULL);
  spindle_test_spawn (set, "parent", parent_of_quick_body, NULL);
  g_assert_null (spindle_worker_set_spawn_full (set, &too_big, "too-big-a-stack", quick_body,
                                                NULL, NULL, &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_object_set (set, "background-start", TRUE, NULL);
  spindle_test_spawn (set, "quick in the background", quick_body, NULL);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (spindle_worker_set_clear_finished (set), ==, 4);

  g_assert_cmpstr (mismatches->str, ==, "");
  g_assert_cmpuint (census.n_checks, >=, 10);
}

/* A parent abandoned while it ignores its stop goes on and starts a
 * child; a handler of n-live clears the finished workers, the parent with
 * them: no worker stays counted that is listed nowhere.
 */
typedef struct
{
  SpindleTestReader   reader;      /* the parent, after its stop */
  SpindleTestSleeper  child;
  gint                parent_destroyed;
} Orphan;

static GVariant *
orphaning_parent_body (SpindleJob  *job,
                       gpointer     data,
                       GError     **error)
{
  Orphan *orphan = data;
  char c;

  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  g_atomic_int_set (&orphan->reader.reached, 1);
  if (read (orphan->reader.fds[0], &c, 1) != 1)
    return NULL;
  spindle_job_spawn_child (job, "child", spindle_test_sleeper_body, &orphan->child,
                           spindle_test_sleeper_destroy, error);

  return NULL;
}

static void
orphaning_parent_destroy (gpointer data)
{
  g_atomic_int_inc (&((Orphan *) data)->parent_destroyed);
}

static void
clear_on_n_live (SpindleWorkerSet *set,
                 GParamSpec       *pspec,
                 Census           *census)
{
  spindle_worker_set_clear_finished (set);
  check_census (set, "n-live, after a clear", census);
}

static void
test_child_of_abandoned_counted_listed (Fixture       *fixture,
                                        gconstpointer  data)
{
  SpindleWorkerSet *set = fixture->set;
  g_autoptr(GString) mismatches = g_string_new (NULL);
  Census census = { 0, mismatches };
  Orphan orphan = { 0 };
  SpindleWorker *parent;

  spindle_test_reader_init (&orphan.reader);
  parent = spindle_test_spawn_full (set, "parent", orphaning_parent_body, &orphan,
                                    orphaning_parent_destroy);
  spindle_worker_request_stop (parent);
  spindle_test_wait_flag (&orphan.reader.reached);
  spindle_worker_abandon (parent);
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_ABANDONED);

  g_signal_connect (set, "notify::n-live", G_CALLBACK (clear_on_n_live), &census);
  spindle_test_pipe_poke (orphan.reader.fds[1]);
  spindle_test_wait_count (&orphan.child.destroyed, 1);
  spindle_test_wait_count (&orphan.parent_destroyed, 1);
  check_census (set, "at the end", &census);

  g_assert_cmpstr (mismatches->str, ==, "");
  g_signal_handlers_disconnect_by_data (set, &census);
  spindle_test_reader_clear (&orphan.reader);
}

/* Handlers of items-changed that change the set while
 * spindle_worker_set_clear_finished () walks it: the walk goes on over
 * what the set holds then, and the workers that were over are all gone.
 * One clears the set again, then spawns a worker, which stays; the other
 * removes the first worker.
 */
typedef struct
{
  guint              n_calls;
  guint              n_inner;      /* what the inner clear removed */
  gboolean           remove_first; /* remove the first worker, or clear */
  SpindleWorker     *spawned;
} Reentry;

static GVariant *
stopped_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  return NULL;
}

static void
change_on_items_changed (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Reentry    *reentry)
{
  SpindleWorkerSet *set = SPINDLE_WORKER_SET (model);
  g_autoptr(SpindleWorker) first = NULL;

  if (removed == 0 || reentry->n_calls++ > 0)
    return;

  if (reentry->remove_first)
    {
      first = g_list_model_get_item (model, 0);
      g_assert_true (spindle_worker_set_remove (set, first));
      reentry->n_inner = 1;
      return;
    }

  reentry->n_inner = spindle_worker_set_clear_finished (set);
  reentry->spawned = spindle_test_spawn (set, "sleeper", stopped_body, NULL);
}

static void
assert_clear_reentered (Fixture  *fixture,
                        gboolean  remove_first)
{
  SpindleWorkerSet *set = fixture->set;
  Reentry reentry = { 0, 0, remove_first, NULL };
  g_autoptr(SpindleWorker) item = NULL;
  guint removed;

  for (guint i = 0; i < 4; i++)
    spindle_test_spawn (set, "quick", quick_body, NULL);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);

  g_signal_connect (set, "items-changed", G_CALLBACK (change_on_items_changed), &reentry);
  removed = spindle_worker_set_clear_finished (set);

  g_assert_cmpuint (reentry.n_inner, >, 0);
  g_assert_cmpuint (removed + reentry.n_inner, ==, 4);
  g_signal_handlers_disconnect_by_data (set, &reentry);
  if (remove_first)
    {
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
      return;
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);
  item = g_list_model_get_item (G_LIST_MODEL (set), 0);
  g_assert_true (item == reentry.spawned);
  spindle_worker_request_stop (reentry.spawned);
  spindle_test_wait_terminal (reentry.spawned);
}

static void
test_clear_reentered_by_clear (Fixture       *fixture,
                               gconstpointer  data)
{
  assert_clear_reentered (fixture, FALSE);
}

static void
test_clear_reentered_by_remove (Fixture       *fixture,
                                gconstpointer  data)
{
  assert_clear_reentered (fixture, TRUE);
}

/* A background spawn's listing gives the worker up and removes it (a
 * view that stops, abandons and clears what it is shown at once): the
 * spawn goes on to queue the job of a worker only the set held.
 */
static void
give_up_on_items_changed (GListModel *model,
                          guint       position,
                          guint       removed,
                          guint       added,
                          guint      *n_removed)
{
  g_autoptr(SpindleWorker) worker = NULL;

  if (added != 1)
    return;

  worker = g_list_model_get_item (model, position);
  spindle_worker_request_stop (worker);
  spindle_worker_abandon (worker);
  *n_removed += spindle_worker_set_remove (SPINDLE_WORKER_SET (model), worker);
}

static void
test_background_spawn_removed (Fixture       *fixture,
                               gconstpointer  data)
{
  guint n_removed = 0;

  g_object_set (fixture->set, "background-start", TRUE, NULL);
  g_signal_connect (fixture->set, "items-changed", G_CALLBACK (give_up_on_items_changed), &n_removed);
  spindle_test_spawn (fixture->set, "sleeper", spindle_test_sleeper_body, &fixture->sleeper);

  g_assert_cmpuint (n_removed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (fixture->set), ==, 0);
  /* it never ran */
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.reached), ==, 0);
}

/* Handlers that drop the set's last reference. A program that owns its set
 * through a window lets go of it from a worker's signal when the window
 * closes (quitting when the last worker ends): the engine code that emitted
 * goes on after the handler, and must not touch the set or a worker that
 * only the set held.
 */
typedef struct
{
  Fixture *fixture;
  guint    at_n_live;     /* drop when the set's n-live becomes this */
  guint    at_state;      /* or when the worker's state becomes this + 1 */
  gint     dropped;
} Dropper;

static void
drop_on_n_live (SpindleWorkerSet *set,
                GParamSpec       *pspec,
                Dropper          *dropper)
{
  if (spindle_worker_set_get_n_live (set) != dropper->at_n_live)
    return;

  g_signal_handlers_disconnect_by_func (set, drop_on_n_live, dropper);
  g_clear_object (&dropper->fixture->set);
  dropper->dropped++;
}

static void
drop_on_state (SpindleWorker *worker,
               GParamSpec    *pspec,
               Dropper       *dropper)
{
  if (spindle_worker_get_state (worker) + 1 != dropper->at_state)
    return;

  g_signal_handlers_disconnect_by_func (worker, drop_on_state, dropper);
  g_clear_object (&dropper->fixture->set);
  dropper->dropped++;
}

static gboolean
set_dropped (gpointer data)
{
  return ((Dropper *) data)->dropped > 0;
}

/* The last worker's end, delivered from the set's queue, drops the set. */
static void
test_end_drops_set (Fixture       *fixture,
                    gconstpointer  data)
{
  Dropper dropper = { fixture, 0, 0, 0 };

  spindle_test_spawn (fixture->set, "quick", quick_body, NULL);
  g_signal_connect (fixture->set, "notify::n-live", G_CALLBACK (drop_on_n_live), &dropper);

  spindle_test_wait_until (set_dropped, &dropper, SPINDLE_TEST_GUARD_MS);
  g_assert_null (fixture->set);
}

/* A spawn's own listing drops the set (a window that closes as it
 * launches): the spawn goes on to count the worker on the set it held.
 */
static void
drop_on_items_changed (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       Dropper    *dropper)
{
  g_signal_handlers_disconnect_by_func (model, drop_on_items_changed, dropper);
  g_clear_object (&dropper->fixture->set);
  dropper->dropped++;
}

static void
test_spawn_drops_set (Fixture       *fixture,
                      gconstpointer  data)
{
  Dropper dropper = { fixture, 0, 0, 0 };
  g_autoptr(GError) error = NULL;

  g_signal_connect (fixture->set, "items-changed", G_CALLBACK (drop_on_items_changed), &dropper);
  /* the worker it returns went with the set */
  spindle_worker_set_spawn (fixture->set, "sleeper", spindle_test_sleeper_body, &fixture->sleeper,
                            spindle_test_sleeper_destroy, &error);

  g_assert_no_error (error);
  g_assert_cmpint (dropper.dropped, ==, 1);
  g_assert_null (fixture->set);
  /* the worker, disowned with the set, still ends */
  spindle_test_wait_count (&fixture->sleeper.destroyed, 1);
}

/* Clearing drops the set from its first removal's items-changed. */
static void
test_clear_drops_set (Fixture       *fixture,
                      gconstpointer  data)
{
  Dropper dropper = { fixture, 0, 0, 0 };

  spindle_test_spawn (fixture->set, "quick", quick_body, NULL);
  spindle_test_spawn (fixture->set, "quick", quick_body, NULL);
  spindle_test_wait_no_live (fixture->set, SPINDLE_TEST_GUARD_MS);
  g_signal_connect (fixture->set, "items-changed", G_CALLBACK (drop_on_items_changed), &dropper);

  g_assert_cmpuint (spindle_worker_set_clear_finished (fixture->set), ==, 2);
  g_assert_cmpint (dropper.dropped, ==, 1);
  g_assert_null (fixture->set);
}

/* A child's worker is made and counted from its first event: the count
 * drops the set, which held the parent the child joins.
 */
static void
test_child_drops_set (Fixture       *fixture,
                      gconstpointer  data)
{
  Dropper dropper = { fixture, 2, 0, 0 };

  spindle_test_spawn (fixture->set, "parent", spindle_test_parent_of_sleeper_body, &fixture->sleeper);
  g_signal_connect (fixture->set, "notify::n-live", G_CALLBACK (drop_on_n_live), &dropper);

  spindle_test_wait_until (set_dropped, &dropper, SPINDLE_TEST_GUARD_MS);
  g_assert_null (fixture->set);
  /* the child, disowned with its parent, still ends */
  spindle_test_wait_count (&fixture->sleeper.destroyed, 1);
}

/* A request's own state change drops the set, and with it the worker. */
static void
test_stop_drops_set (Fixture       *fixture,
                     gconstpointer  data)
{
  Dropper dropper = { fixture, 0, SPINDLE_WORKER_STATE_STOPPING + 1, 0 };
  SpindleWorker *worker = spindle_test_spawn_full (fixture->set, "sleeper", spindle_test_sleeper_body,
                                                   &fixture->sleeper, spindle_test_sleeper_destroy);

  g_signal_connect (worker, "notify::state", G_CALLBACK (drop_on_state), &dropper);
  spindle_worker_request_stop (worker);

  g_assert_cmpint (dropper.dropped, ==, 1);
  g_assert_null (fixture->set);
  spindle_test_wait_count (&fixture->sleeper.destroyed, 1);
}

static void
test_cancel_drops_set (Fixture       *fixture,
                       gconstpointer  data)
{
  Dropper dropper = { fixture, 0, SPINDLE_WORKER_STATE_CANCELLING + 1, 0 };
  SpindleWorker *worker = spindle_test_spawn (fixture->set, "reader", spindle_test_reader_body,
                                              &fixture->reader);

  spindle_test_wait_flag (&fixture->reader.reached);
  g_signal_connect (worker, "notify::state", G_CALLBACK (drop_on_state), &dropper);
  spindle_worker_force_cancel (worker);

  g_assert_cmpint (dropper.dropped, ==, 1);
  g_assert_null (fixture->set);
}

/* Abandoning the last live worker drops the set from its count. */
static void
test_abandon_drops_set (Fixture       *fixture,
                        gconstpointer  data)
{
  Dropper dropper = { fixture, 0, 0, 0 };
  SpindleWorker *worker = spindle_test_spawn (fixture->set, "reader", spindle_test_reader_body,
                                              &fixture->reader);

  spindle_test_wait_flag (&fixture->reader.reached);
  spindle_worker_request_stop (worker);
  g_signal_connect (fixture->set, "notify::n-live", G_CALLBACK (drop_on_n_live), &dropper);
  spindle_worker_abandon (worker);

  g_assert_cmpint (dropper.dropped, ==, 1);
  g_assert_null (fixture->set);

  /* the abandoned thread still reads: it ends before the fixture goes */
  spindle_test_pipe_poke (fixture->reader.fds[1]);
  spindle_test_wait_flag (&fixture->reader.returned);
}

/* The abandoned worker's own end removes it and drops the set: the
 * abandon goes on to count its end on a set that no longer lists it.
 */
static void
remove_and_drop_on_state (SpindleWorker *worker,
                          GParamSpec    *pspec,
                          Dropper       *dropper)
{
  if (!spindle_worker_is_terminal (worker))
    return;

  g_signal_handlers_disconnect_by_func (worker, remove_and_drop_on_state, dropper);
  g_assert_true (spindle_worker_set_remove (dropper->fixture->set, worker));
  g_clear_object (&dropper->fixture->set);
  dropper->dropped++;
}

static void
test_abandon_removes_and_drops_set (Fixture       *fixture,
                                    gconstpointer  data)
{
  Dropper dropper = { fixture, 0, 0, 0 };
  SpindleWorker *worker = spindle_test_spawn (fixture->set, "reader", spindle_test_reader_body,
                                              &fixture->reader);

  spindle_test_wait_flag (&fixture->reader.reached);
  spindle_worker_request_stop (worker);
  g_signal_connect (worker, "notify::state", G_CALLBACK (remove_and_drop_on_state), &dropper);
  spindle_worker_abandon (worker);

  g_assert_cmpint (dropper.dropped, ==, 1);
  g_assert_null (fixture->set);

  spindle_test_pipe_poke (fixture->reader.fds[1]);
  spindle_test_wait_flag (&fixture->reader.returned);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  spindle_test_add ("/engine/lifecycle/finish-delivers-result", test_finish_result);
  spindle_test_add ("/engine/lifecycle/error-fails", test_failed_error);
  spindle_test_add ("/engine/lifecycle/states-stop", test_states_stop);
  spindle_test_add ("/engine/lifecycle/states-cancel", test_states_cancel);
  spindle_test_add ("/engine/lifecycle/states-stop-then-cancel", test_states_stop_then_cancel);
  spindle_test_add ("/engine/lifecycle/request-stop-idempotent", test_request_stop_idempotent);
  spindle_test_add ("/engine/lifecycle/force-cancel-idempotent", test_force_cancel_idempotent);
  spindle_test_add ("/engine/lifecycle/stop-before-running", test_stop_before_running);
  spindle_test_add ("/engine/lifecycle/cancel-before-running", test_cancel_before_running);
  spindle_test_add ("/engine/lifecycle/requests-on-terminal-are-noops", test_requests_on_terminal);
  spindle_test_add ("/engine/lifecycle/thread-create-failure", test_thread_create_failure);
  spindle_test_add ("/engine/lifecycle/list-model", test_list_model);
  spindle_test_add ("/engine/lifecycle/counted-are-listed", test_counted_are_listed);
  spindle_test_add ("/engine/lifecycle/child-of-abandoned-counted-listed", test_child_of_abandoned_counted_listed);
  spindle_test_add ("/engine/lifecycle/clear-reentered-by-clear", test_clear_reentered_by_clear);
  spindle_test_add ("/engine/lifecycle/clear-reentered-by-remove", test_clear_reentered_by_remove);
  spindle_test_add ("/engine/lifecycle/background-spawn-removed", test_background_spawn_removed);
  spindle_test_add ("/engine/lifecycle/end-drops-set", test_end_drops_set);
  spindle_test_add ("/engine/lifecycle/spawn-drops-set", test_spawn_drops_set);
  spindle_test_add ("/engine/lifecycle/clear-drops-set", test_clear_drops_set);
  spindle_test_add ("/engine/lifecycle/child-drops-set", test_child_drops_set);
  spindle_test_add ("/engine/lifecycle/stop-drops-set", test_stop_drops_set);
  spindle_test_add ("/engine/lifecycle/cancel-drops-set", test_cancel_drops_set);
  spindle_test_add ("/engine/lifecycle/abandon-drops-set", test_abandon_drops_set);
  spindle_test_add ("/engine/lifecycle/abandon-removes-and-drops-set", test_abandon_removes_and_drops_set);
  spindle_test_add ("/engine/lifecycle/abandon-from-cleanup-finished", test_abandon_from_cleanup_finished);
  spindle_test_add ("/engine/lifecycle/abandon-from-abandon-report", test_abandon_from_abandon_report);

  return g_test_run ();
}
