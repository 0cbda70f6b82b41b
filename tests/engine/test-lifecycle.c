/* test-lifecycle.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <unistd.h>

#include "spindle-test-util.h"

/* Bodies */

typedef struct
{
  gint  reached;
  gint  sleep_result; /* 0: not returned, 1: TRUE, 2: FALSE */
  gint  destroyed;
  pid_t tid;
  pid_t job_tid;
} Sleeper;

static void
sleeper_destroy (gpointer data)
{
  Sleeper *sleeper = data;

  g_atomic_int_inc (&sleeper->destroyed);
}

static GVariant *
sleeper_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Sleeper *sleeper = data;
  gboolean slept;

  sleeper->tid = gettid ();
  sleeper->job_tid = spindle_job_get_tid (job);
  g_atomic_int_set (&sleeper->reached, 1);
  slept = spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  g_atomic_int_set (&sleeper->sleep_result, slept ? 1 : 2);

  return NULL;
}

/* Blocks in a raw read() that a stop request cannot wake. */
typedef struct
{
  int   fds[2];
  gint  reached;
  gint  returned;
  pid_t tid;
} Reader;

static void
reader_init (Reader *reader)
{
  *reader = (Reader) { .fds = { -1, -1 } };
  spindle_test_pipe (reader->fds);
}

static GVariant *
reader_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Reader *reader = data;
  char c;
  ssize_t n;

  reader->tid = gettid ();
  g_atomic_int_set (&reader->reached, 1);
  n = read (reader->fds[0], &c, 1);
  g_atomic_int_set (&reader->returned, n == 1 ? 1 : 2);

  return NULL;
}

static gint n_result_destroyed;

static void
result_destroy (gpointer data)
{
  g_atomic_int_inc (&n_result_destroyed);
  g_free (data);
}

static GVariant *
result_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  return g_variant_new_int32 (*(gint *) data);
}

static GVariant *
error_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no access here");
  return NULL;
}

static GVariant *
never_runs_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  g_atomic_int_set ((gint *) data, 1);
  return NULL;
}

/* Tests */

static void
test_finish_result (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *states = NULL;
  g_autofree char *events = NULL;
  SpindleCleanupReport *report;
  SpindleWorker *worker;
  GVariant *result;
  gint *answer = g_new (gint, 1);

  *answer = 42;
  n_result_destroyed = 0;

  worker = spindle_test_spawn_full (set, "returns-42", result_body, answer, result_destroy);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STARTING);
  g_assert_null (spindle_worker_get_cleanup_report (worker));
  g_assert_null (spindle_worker_get_result (worker));
  rec = spindle_test_recorder_new (worker);

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

  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING RUNNING CLEANING FINISHED");
  events = spindle_test_recorder_events (rec);
  g_assert_cmpstr (events, ==, "cleanup-started cleanup-finished(0) state(FINISHED) finished");
  g_assert_cmpuint (spindle_test_recorder_off_thread (rec), ==, 0);

  g_clear_pointer (&rec, spindle_test_recorder_free);
  g_clear_object (&set);
  spindle_test_wait_count (&n_result_destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&n_result_destroyed), ==, 1);
}

static void
test_result_property (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  SpindleWorkerState state = SPINDLE_WORKER_STATE_STARTING;
  SpindleWorker *worker;
  gint *answer = g_new (gint, 1);

  *answer = -7;
  n_result_destroyed = 0;

  worker = spindle_test_spawn_full (set, "returns-minus-7", result_body, answer, result_destroy);
  spindle_test_wait_terminal (worker);

  g_object_get (worker, "result", &result, "error", &error, "state", &state, NULL);
  g_assert_nonnull (result);
  g_assert_cmpint (g_variant_get_int32 (result), ==, -7);
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_FINISHED);

  g_clear_object (&set);
  spindle_test_wait_count (&n_result_destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&n_result_destroyed), ==, 1);
}

static void
test_failed_error (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autoptr(GError) copy = NULL;
  g_autofree char *states = NULL;
  g_autofree char *events = NULL;
  SpindleWorker *worker;
  const GError *error;

  worker = spindle_test_spawn_full (set, "fails", error_body, NULL, NULL);
  rec = spindle_test_recorder_new (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_null (spindle_worker_get_result (worker));
  error = spindle_worker_get_error (worker);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "no access here");

  g_object_get (worker, "error", &copy, NULL);
  g_assert_error (copy, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);

  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING RUNNING CLEANING FAILED");
  events = spindle_test_recorder_events (rec);
  g_assert_cmpstr (events, ==, "cleanup-started cleanup-finished(0) state(FAILED) finished");
}

static void
test_states_stop (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *states = NULL;
  g_autofree char *events = NULL;
  SpindleWorker *worker;
  Sleeper sleeper = { 0 };

  worker = spindle_test_spawn_full (set, "sleeper", sleeper_body, &sleeper, sleeper_destroy);
  rec = spindle_test_recorder_new (worker);
  spindle_test_wait_flag (&sleeper.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_NONE);

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "stop-requested(USER)"), ==, 1);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "state(STOPPING)"), ==, 1);

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);
  g_assert_cmpint (g_atomic_int_get (&sleeper.sleep_result), ==, 2);
  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING RUNNING STOPPING CLEANING STOPPED");
  events = spindle_test_recorder_events (rec);
  g_assert_cmpstr (events, ==,
                   "stop-requested(USER) cleanup-started cleanup-finished(0) state(STOPPED) finished");

  g_clear_pointer (&rec, spindle_test_recorder_free);
  g_clear_object (&set);
  spindle_test_wait_count (&sleeper.destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&sleeper.destroyed), ==, 1);
}

static void
test_states_cancel (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *states = NULL;
  g_autofree char *events = NULL;
  SpindleWorker *worker;
  Reader reader;

  reader_init (&reader);
  worker = spindle_test_spawn_full (set, "reader", reader_body, &reader, NULL);
  rec = spindle_test_recorder_new (worker);
  spindle_test_wait_flag (&reader.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_blocked (reader.tid, "pipe_read");

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "cancel-requested(USER)"), ==, 1);

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&reader.returned), ==, 0);
  g_assert_null (spindle_worker_get_result (worker));
  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING RUNNING CANCELLING CLEANING CANCELLED");
  events = spindle_test_recorder_events (rec);
  g_assert_cmpstr (events, ==,
                   "cancel-requested(USER) cleanup-started cleanup-finished(0) state(CANCELLED) finished");

  spindle_test_close_pipe (reader.fds);
}

/* STOPPING → CANCELLING: the raw read() ignores the stop, force reaches it. */
static void
test_states_stop_then_cancel (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *states = NULL;
  g_autofree char *events = NULL;
  SpindleWorker *worker;
  Reader reader;
  guint n_events;

  reader_init (&reader);
  worker = spindle_test_spawn_full (set, "stubborn-reader", reader_body, &reader, NULL);
  rec = spindle_test_recorder_new (worker);
  spindle_test_wait_flag (&reader.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_blocked (reader.tid, "pipe_read");

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  spindle_test_run_clock (set, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpint (g_atomic_int_get (&reader.returned), ==, 0);

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "cancel-requested(USER)"), ==, 1);

  /* A stop request while CANCELLING does nothing at all. */
  n_events = spindle_test_recorder_n_emissions (rec);
  spindle_worker_request_stop (worker);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (rec), ==, n_events);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&reader.returned), ==, 0);
  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING RUNNING STOPPING CANCELLING CLEANING CANCELLED");
  events = spindle_test_recorder_events (rec);
  g_assert_cmpstr (events, ==,
                   "stop-requested(USER) cancel-requested(USER) cleanup-started "
                   "cleanup-finished(0) state(CANCELLED) finished");

  spindle_test_close_pipe (reader.fds);
}

static void
test_request_stop_idempotent (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *states = NULL;
  SpindleWorker *worker;
  Reader reader;
  guint n_emissions;

  reader_init (&reader);
  worker = spindle_test_spawn_full (set, "stubborn-reader", reader_body, &reader, NULL);
  rec = spindle_test_recorder_new (worker);
  spindle_test_wait_flag (&reader.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_request_stop (worker);
  n_emissions = spindle_test_recorder_n_emissions (rec);
  spindle_worker_request_stop (worker);
  spindle_worker_request_stop (worker);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (rec), ==, n_emissions);

  spindle_test_run_clock (set, 1);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "stop-requested"), ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);

  /* The body ignores stop: let its read() return so that it ends. */
  spindle_test_pipe_poke (reader.fds[1]);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (g_atomic_int_get (&reader.returned), ==, 1);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "stop-requested"), ==, 1);
  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING RUNNING STOPPING CLEANING STOPPED");

  spindle_test_close_pipe (reader.fds);
}

static void
test_force_cancel_idempotent (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *states = NULL;
  SpindleWorker *worker;
  Reader reader;
  guint n_emissions;

  reader_init (&reader);
  worker = spindle_test_spawn_full (set, "reader", reader_body, &reader, NULL);
  rec = spindle_test_recorder_new (worker);
  spindle_test_wait_flag (&reader.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_force_cancel (worker);
  n_emissions = spindle_test_recorder_n_emissions (rec);
  spindle_worker_force_cancel (worker);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (rec), ==, n_emissions);

  spindle_test_wait_terminal (worker);
  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "cancel-requested"), ==, 1);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "finished"), ==, 1);
  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING RUNNING CANCELLING CLEANING CANCELLED");

  spindle_test_close_pipe (reader.fds);
}

static void
test_stop_before_running (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *states = NULL;
  g_autofree char *events = NULL;
  SpindleWorker *worker;
  Sleeper sleeper = { 0 };

  worker = spindle_test_spawn_full (set, "stopped-early", sleeper_body, &sleeper, sleeper_destroy);
  rec = spindle_test_recorder_new (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STARTING);

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "stop-requested(USER)"), ==, 1);

  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  /* The body may or may not have run, but its sleep was never a full one. */
  g_assert_cmpint (g_atomic_int_get (&sleeper.sleep_result), !=, 1);
  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING STOPPING CLEANING STOPPED");
  events = spindle_test_recorder_events (rec);
  g_assert_cmpstr (events, ==,
                   "stop-requested(USER) cleanup-started cleanup-finished(0) state(STOPPED) finished");

  g_clear_pointer (&rec, spindle_test_recorder_free);
  g_clear_object (&set);
  spindle_test_wait_count (&sleeper.destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&sleeper.destroyed), ==, 1);
}

static void
test_cancel_before_running (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *states = NULL;
  SpindleWorkerState state;
  SpindleWorker *worker;
  Sleeper sleeper = { 0 };

  worker = spindle_test_spawn_full (set, "cancelled-early", sleeper_body, &sleeper, sleeper_destroy);
  rec = spindle_test_recorder_new (worker);

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_cmpuint (spindle_test_recorder_count (rec, "cancel-requested(USER)"), ==, 1);

  spindle_test_wait_terminal (worker);

  /* A cancel made before the body began acts before it, at the engine's
   * pthread_testcancel(): the body never runs. */
  state = spindle_worker_get_state (worker);
  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&sleeper.sleep_result), ==, 0);
  states = spindle_test_recorder_states (rec);
  g_assert_cmpstr (states, ==, "STARTING CANCELLING CLEANING CANCELLED");
  g_assert_cmpuint (spindle_test_recorder_count (rec, "finished"), ==, 1);

  g_clear_pointer (&rec, spindle_test_recorder_free);
  g_clear_object (&set);
  spindle_test_wait_count (&sleeper.destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&sleeper.destroyed), ==, 1);
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
test_requests_on_terminal (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;
  SpindleSpawnOptions options = { .stack_size = (gsize) 1 << 48 };
  SpindleWorker *finished, *failed, *stopped, *cancelled, *unborn;
  Sleeper sleeper = { 0 };
  Reader reader;
  gint *answer = g_new (gint, 1);
  gint ran = 0;

  *answer = 1;
  reader_init (&reader);

  finished = spindle_test_spawn_full (set, "finished", result_body, answer, g_free);
  failed = spindle_test_spawn_full (set, "failed", error_body, NULL, NULL);
  stopped = spindle_test_spawn_full (set, "stopped", sleeper_body, &sleeper, NULL);
  cancelled = spindle_test_spawn_full (set, "cancelled", reader_body, &reader, NULL);
  g_assert_null (spindle_worker_set_spawn_full (set, &options, "unborn", never_runs_body,
                                                &ran, NULL, &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  unborn = g_list_model_get_item (G_LIST_MODEL (set), g_list_model_get_n_items (G_LIST_MODEL (set)) - 1);
  g_object_unref (unborn); /* the set keeps it alive */

  spindle_test_wait_flag (&sleeper.reached);
  spindle_test_wait_flag (&reader.reached);
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

  spindle_test_close_pipe (reader.fds);
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
test_thread_create_failure (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
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
  g_clear_object (&set);
  g_assert_cmpint (g_atomic_int_get (&n_unborn_destroyed), ==, 1);
}

static GVariant *
quick_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  return NULL;
}

static void
test_list_model (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GString) changes = g_string_new (NULL);
  g_autoptr(SpindleWorker) held = NULL;
  g_autoptr(SpindleWorker) item = NULL;
  SpindleWorker *reading, *quick;
  Reader reader;

  reader_init (&reader);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (set)) == SPINDLE_TYPE_WORKER);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  g_signal_connect (set, "items-changed", G_CALLBACK (count_items_changed), changes);

  reading = spindle_test_spawn_full (set, "reader", reader_body, &reader, NULL);
  g_assert_cmpstr (changes->str, ==, "(0,0,1)");
  quick = spindle_test_spawn_full (set, "quick", quick_body, NULL, NULL);
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
  spindle_test_wait_flag (&reader.reached);
  spindle_worker_force_cancel (reading);
  spindle_test_wait_terminal (reading);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  g_string_truncate (changes, 0);
  g_assert_true (spindle_worker_set_remove (set, reading));
  g_assert_cmpstr (changes->str, ==, "(0,1,0)");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  g_assert_cmpuint (spindle_worker_set_clear_finished (set), ==, 0);

  spindle_test_close_pipe (reader.fds);
}

static void
test_tid_and_comm (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *comm = NULL;
  const char *name = "lifecycle-comm-name-longer-than-15";
  SpindleWorker *worker;
  Sleeper sleeper = { 0 };
  int tid = 0;

  worker = spindle_test_spawn_full (set, name, sleeper_body, &sleeper, NULL);
  g_assert_cmpstr (spindle_worker_get_name (worker), ==, name);
  spindle_test_wait_flag (&sleeper.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  g_assert_cmpint (spindle_worker_get_tid (worker), >, 0);
  g_assert_cmpint (spindle_worker_get_tid (worker), ==, sleeper.tid);
  g_assert_cmpint (sleeper.job_tid, ==, sleeper.tid);
  g_assert_cmpint (sleeper.tid, !=, gettid ());
  g_object_get (worker, "tid", &tid, NULL);
  g_assert_cmpint (tid, ==, sleeper.tid);

  comm = spindle_test_read_task_file (sleeper.tid, "comm");
  g_assert_nonnull (comm);
  g_assert_cmpstr (comm, ==, "lifecycle-comm-");

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
}

static void
test_elapsed (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Sleeper sleeper = { 0 };
  gint64 now, started_at, finished_at, frozen;

  worker = spindle_test_spawn_full (set, "timed", sleeper_body, &sleeper, NULL);
  spindle_test_wait_flag (&sleeper.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  now = g_get_monotonic_time ();
  started_at = spindle_worker_get_started_at (worker);
  g_assert_cmpint (started_at, >, 0);
  g_assert_cmpint (started_at, <=, now);
  g_assert_cmpint (spindle_worker_get_elapsed (worker, now), >=, 0);
  g_assert_cmpint (spindle_worker_get_elapsed (worker, now + G_USEC_PER_SEC), >,
                   spindle_worker_get_elapsed (worker, now));

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  now = g_get_monotonic_time ();
  finished_at = spindle_worker_get_finished_at (worker);
  g_assert_cmpint (spindle_worker_get_started_at (worker), ==, started_at);
  g_assert_cmpint (finished_at, >=, started_at);
  g_assert_cmpint (finished_at, <=, now);

  frozen = spindle_worker_get_elapsed (worker, now);
  g_assert_cmpint (frozen, >=, 0);
  g_assert_cmpint (frozen, <=, finished_at - started_at + 1);
  g_assert_cmpint (spindle_worker_get_elapsed (worker, now + 10 * G_USEC_PER_SEC), ==, frozen);
  g_assert_cmpint (spindle_worker_get_elapsed (worker, now + (gint64) 3600 * G_USEC_PER_SEC), ==, frozen);
}

typedef struct
{
  gint reached;
} Phaser;

static GVariant *
phaser_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Phaser *phaser = data;

  spindle_job_set_phase (job, "loading");
  spindle_job_set_progress (job, 0.25);
  spindle_job_set_phase (job, "crunching");
  spindle_job_set_progress (job, 0.75);
  g_atomic_int_set (&phaser->reached, 1);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

typedef struct
{
  SpindleWorker *worker;
  guint          n_phase;
  guint          n_progress;
  guint          off_thread;
} PhaseWatch;

static void
on_notify_phase_or_progress (SpindleWorker *worker,
                             GParamSpec    *pspec,
                             PhaseWatch    *watch)
{
  if (!spindle_test_is_main_thread ())
    watch->off_thread++;
  if (g_str_equal (pspec->name, "phase"))
    watch->n_phase++;
  else
    watch->n_progress++;
}

static gboolean
phase_reached_cond (gpointer data)
{
  PhaseWatch *watch = data;

  return g_strcmp0 (spindle_worker_get_phase (watch->worker), "crunching") == 0 &&
         spindle_worker_get_progress (watch->worker) == 0.75;
}

static void
test_phase_and_progress (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *phase = NULL;
  SpindleWorker *worker;
  Phaser phaser = { 0 };
  PhaseWatch watch = { 0 };
  double progress = 0;

  worker = spindle_test_spawn_full (set, "phaser", phaser_body, &phaser, NULL);
  watch.worker = worker;
  g_signal_connect (worker, "notify::phase", G_CALLBACK (on_notify_phase_or_progress), &watch);
  g_signal_connect (worker, "notify::progress", G_CALLBACK (on_notify_phase_or_progress), &watch);

  spindle_test_wait_until (phase_reached_cond, &watch, SPINDLE_TEST_GUARD_MS);

  g_assert_cmpuint (watch.n_phase, >=, 1);
  g_assert_cmpuint (watch.n_progress, >=, 1);
  g_assert_cmpuint (watch.off_thread, ==, 0);
  g_object_get (worker, "phase", &phase, "progress", &progress, NULL);
  g_assert_cmpstr (phase, ==, "crunching");
  g_assert_cmpfloat (progress, ==, 0.75);

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  g_signal_handlers_disconnect_by_data (worker, &watch);
}

static void
test_properties (void)
{
  static const char * const names[] = {
    "id", "name", "tid", "state", "stop-reason", "started-at", "finished-at",
    "phase", "progress", "cleanup-report", "result", "error",
  };
  GObjectClass *klass = g_type_class_ref (SPINDLE_TYPE_WORKER);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, names[i]);

      g_test_message ("property %s", names[i]);
      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
    }

  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (klass, "state")) ==
                 SPINDLE_TYPE_WORKER_STATE);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (klass, "cleanup-report")) ==
                 SPINDLE_TYPE_CLEANUP_REPORT);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property (klass, "error")) ==
                 G_TYPE_ERROR);

  g_type_class_unref (klass);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/lifecycle/properties", test_properties);
  g_test_add_func ("/engine/lifecycle/finish-delivers-result", test_finish_result);
  g_test_add_func ("/engine/lifecycle/result-property", test_result_property);
  g_test_add_func ("/engine/lifecycle/error-fails", test_failed_error);
  g_test_add_func ("/engine/lifecycle/states-stop", test_states_stop);
  g_test_add_func ("/engine/lifecycle/states-cancel", test_states_cancel);
  g_test_add_func ("/engine/lifecycle/states-stop-then-cancel", test_states_stop_then_cancel);
  g_test_add_func ("/engine/lifecycle/request-stop-idempotent", test_request_stop_idempotent);
  g_test_add_func ("/engine/lifecycle/force-cancel-idempotent", test_force_cancel_idempotent);
  g_test_add_func ("/engine/lifecycle/stop-before-running", test_stop_before_running);
  g_test_add_func ("/engine/lifecycle/cancel-before-running", test_cancel_before_running);
  g_test_add_func ("/engine/lifecycle/requests-on-terminal-are-noops", test_requests_on_terminal);
  g_test_add_func ("/engine/lifecycle/thread-create-failure", test_thread_create_failure);
  g_test_add_func ("/engine/lifecycle/list-model", test_list_model);
  g_test_add_func ("/engine/lifecycle/tid-and-comm", test_tid_and_comm);
  g_test_add_func ("/engine/lifecycle/elapsed-freezes", test_elapsed);
  g_test_add_func ("/engine/lifecycle/phase-and-progress", test_phase_and_progress);

  return g_test_run ();
}
