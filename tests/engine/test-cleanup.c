/* test-cleanup.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>

#include "spindle-test-util.h"

#define LONG_WAIT (60 * G_USEC_PER_SEC)

/* The stack runs LIFO, exactly once, on every exit path */

typedef enum
{
  EXIT_RETURN,
  EXIT_ERROR,
  EXIT_STOP,
  EXIT_CANCEL,
  EXIT_CANCEL_COMPUTE,
} ExitPath;

typedef struct
{
  const char         *path;
  ExitPath            exit;
  gboolean            failing;
  SpindleWorkerState  expected;
} CleanupCase;

typedef struct
{
  const CleanupCase     *how;
  SpindleTestCleanupLog *log;
  gint                   reached;
  gint                   returned;
  pid_t                  tid;
  int                    fds[2];
  volatile gulong        counter;
} Exiter;

static GVariant *
exit_by_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "body broke");
  return NULL;
}

static GVariant *
exiter_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Exiter *exiter = data;
  char c;

  exiter->tid = gettid ();
  spindle_test_cleanup_log_push (exiter->log, job, "A", NULL);
  spindle_test_cleanup_log_push (exiter->log, job, "B", exiter->how->failing ? "B broke" : NULL);
  spindle_test_cleanup_log_push (exiter->log, job, "C", NULL);

  switch (exiter->how->exit)
    {
    case EXIT_RETURN:
      return g_variant_new_int32 (3);

    case EXIT_ERROR:
      return exit_by_error (error);

    case EXIT_STOP:
      g_atomic_int_set (&exiter->reached, 1);
      spindle_job_sleep (job, LONG_WAIT);
      break;

    case EXIT_CANCEL:
      g_atomic_int_set (&exiter->reached, 1);
      g_assert_cmpint (read (exiter->fds[0], &c, 1), ==, 1);
      break;

    case EXIT_CANCEL_COMPUTE:
      spindle_job_enter_compute (job);
      g_atomic_int_set (&exiter->reached, 1);
      for (;;)
        exiter->counter++;

    default:
      g_assert_not_reached ();
    }

  g_atomic_int_set (&exiter->returned, 1);
  return NULL;
}

static gboolean
counter_moved (gpointer data)
{
  Exiter *exiter = data;

  return exiter->counter > 0;
}

static void
exiter_end (SpindleWorker *worker,
            Exiter        *exiter)
{
  switch (exiter->how->exit)
    {
    case EXIT_STOP:
      spindle_test_wait_flag (&exiter->reached);
      spindle_test_wait_blocked (exiter->tid, NULL);
      spindle_worker_request_stop (worker);
      break;

    case EXIT_CANCEL:
      spindle_test_wait_flag (&exiter->reached);
      spindle_test_wait_blocked (exiter->tid, "pipe_read");
      spindle_worker_force_cancel (worker);
      break;

    case EXIT_CANCEL_COMPUTE:
      spindle_test_wait_flag (&exiter->reached);
      spindle_test_wait_until (counter_moved, exiter, SPINDLE_TEST_GUARD_MS);
      spindle_worker_force_cancel (worker);
      break;

    case EXIT_RETURN:
    case EXIT_ERROR:
    default:
      break;
    }

  spindle_test_wait_terminal (worker);
}

static const char *
request_event (ExitPath exit)
{
  switch (exit)
    {
    case EXIT_STOP:           return "stop-requested(USER) ";
    case EXIT_CANCEL:
    case EXIT_CANCEL_COMPUTE: return "cancel-requested(USER) ";
    case EXIT_RETURN:
    case EXIT_ERROR:
    default:                  return "";
    }
}

static void
test_exit_path (gconstpointer data)
{
  const CleanupCase *how = data;
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *order = NULL;
  g_autofree char *events = NULL;
  g_autofree char *expected = NULL;
  SpindleCleanupReport *report;
  SpindleWorker *worker;
  Exiter exiter = { .how = how, .fds = { -1, -1 } };

  exiter.log = spindle_test_cleanup_log_new ();
  spindle_test_pipe (exiter.fds);

  worker = spindle_test_spawn (set, how->path, exiter_body, &exiter);
  rec = spindle_test_recorder_new (worker);
  exiter_end (worker, &exiter);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, how->expected);
  g_assert_cmpint (exiter.returned, ==, how->exit == EXIT_STOP ? 1 : 0);

  order = spindle_test_cleanup_log_order (exiter.log);
  g_assert_cmpstr (order, ==, "C B A");
  g_assert_cmpuint (spindle_test_cleanup_log_runs (exiter.log, "A"), ==, 1);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (exiter.log, "B"), ==, 1);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (exiter.log, "C"), ==, 1);

  report = spindle_worker_get_cleanup_report (worker);
  spindle_test_assert_report (report, how->failing ? "C:OK B:FAILED(B broke) A:OK"
                                                   : "C:OK B:OK A:OK");
  g_assert_cmpuint (spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_FAILED), ==,
                    how->failing ? 1 : 0);
  g_assert_cmpuint (spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_OK), ==,
                    how->failing ? 2 : 3);

  events = spindle_test_recorder_events (rec);
  expected = g_strdup_printf ("%scleanup-started cleanup-step(C,OK) %s cleanup-step(A,OK) "
                              "cleanup-finished(3) state(%s) finished",
                              request_event (how->exit),
                              how->failing ? "cleanup-step(B,FAILED,B broke)" : "cleanup-step(B,OK)",
                              spindle_test_state_name (how->expected));
  g_assert_cmpstr (events, ==, expected);
  g_assert_cmpuint (spindle_test_recorder_off_thread (rec), ==, 0);

  /* Nothing runs twice later on. */
  spindle_test_run_clock (set, 1);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (exiter.log, "A"), ==, 1);

  g_clear_pointer (&rec, spindle_test_recorder_free);
  spindle_test_close_pipe (exiter.fds);
  spindle_test_cleanup_log_free (exiter.log);
}

static const CleanupCase cleanup_cases[] = {
  { "/engine/cleanup/lifo-once/return",             EXIT_RETURN,         FALSE, SPINDLE_WORKER_STATE_FINISHED },
  { "/engine/cleanup/lifo-once/error",              EXIT_ERROR,          FALSE, SPINDLE_WORKER_STATE_FAILED },
  { "/engine/cleanup/lifo-once/stop",               EXIT_STOP,           FALSE, SPINDLE_WORKER_STATE_STOPPED },
  { "/engine/cleanup/lifo-once/cancel",             EXIT_CANCEL,         FALSE, SPINDLE_WORKER_STATE_CANCELLED },
  { "/engine/cleanup/lifo-once/cancel-compute",     EXIT_CANCEL_COMPUTE, FALSE, SPINDLE_WORKER_STATE_CANCELLED },
  { "/engine/cleanup/failing-step/return",          EXIT_RETURN,         TRUE,  SPINDLE_WORKER_STATE_FINISHED },
  { "/engine/cleanup/failing-step/error",           EXIT_ERROR,          TRUE,  SPINDLE_WORKER_STATE_FAILED },
  { "/engine/cleanup/failing-step/stop",            EXIT_STOP,           TRUE,  SPINDLE_WORKER_STATE_STOPPED },
  { "/engine/cleanup/failing-step/cancel",          EXIT_CANCEL,         TRUE,  SPINDLE_WORKER_STATE_CANCELLED },
  { "/engine/cleanup/failing-step/cancel-compute",  EXIT_CANCEL_COMPUTE, TRUE,  SPINDLE_WORKER_STATE_CANCELLED },
};

/* pop_cleanup */

typedef struct
{
  SpindleTestCleanupLog *log;
  char                  *after_pop;
} Popper;

static GVariant *
popper_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Popper *popper = data;
  guint a, b;

  a = spindle_test_cleanup_log_push (popper->log, job, "A", NULL);
  b = spindle_test_cleanup_log_push (popper->log, job, "B", NULL);
  spindle_test_cleanup_log_push (popper->log, job, "C", NULL);
  g_assert_cmpuint (a, !=, b);

  spindle_job_pop_cleanup (job, b, TRUE);
  popper->after_pop = spindle_test_cleanup_log_order (popper->log);
  spindle_job_pop_cleanup (job, a, FALSE);

  return NULL;
}

static void
test_pop (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *order = NULL;
  SpindleWorker *worker;
  Popper popper = { 0 };

  popper.log = spindle_test_cleanup_log_new ();
  worker = spindle_test_spawn (set, "popper", popper_body, &popper);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpstr (popper.after_pop, ==, "B");
  order = spindle_test_cleanup_log_order (popper.log);
  g_assert_cmpstr (order, ==, "B C");
  g_assert_cmpuint (spindle_test_cleanup_log_runs (popper.log, "A"), ==, 0);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (popper.log, "B"), ==, 1);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (popper.log, "C"), ==, 1);

  /* B ran when popped, so it leads; A was dropped unrun, so it is absent. */
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "B:OK C:OK");

  g_free (popper.after_pop);
  spindle_test_cleanup_log_free (popper.log);
}

/* spindle_job_push_cleanup_full: the stack owns each step's data and lets
 * it go once, after the step ran or when it was dropped, on every exit path.
 */

typedef struct
{
  gint ran;
  gint destroyed;
  gint ran_before_destroy;
} Owned;

typedef struct
{
  Owned at_end;
  Owned popped_run;
  Owned dropped;
  gint  pushed;
  gboolean block;
} OwnedSteps;

static gboolean
owned_step (gpointer   data,
            GError   **error)
{
  Owned *owned = data;

  g_atomic_int_inc (&owned->ran);
  return TRUE;
}

static void
owned_destroy (gpointer data)
{
  Owned *owned = data;

  g_atomic_int_set (&owned->ran_before_destroy, g_atomic_int_get (&owned->ran));
  g_atomic_int_inc (&owned->destroyed);
}

static GVariant *
owned_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  OwnedSteps *steps = data;
  guint popped, dropped;

  spindle_job_push_cleanup_full (job, "at end", owned_step, &steps->at_end, owned_destroy);
  popped = spindle_job_push_cleanup_full (job, "popped", owned_step, &steps->popped_run, owned_destroy);
  dropped = spindle_job_push_cleanup_full (job, "dropped", owned_step, &steps->dropped, owned_destroy);

  spindle_job_pop_cleanup (job, dropped, FALSE);
  spindle_job_pop_cleanup (job, popped, TRUE);
  g_atomic_int_set (&steps->pushed, 1);

  if (steps->block)
    spindle_job_sleep (job, LONG_WAIT);

  return NULL;
}

static void
assert_owned (const Owned *owned,
              gint         runs)
{
  g_assert_cmpint (g_atomic_int_get (&owned->ran), ==, runs);
  g_assert_cmpint (g_atomic_int_get (&owned->destroyed), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&owned->ran_before_destroy), ==, runs);
}

static void
test_destroy_notify (gconstpointer data)
{
  gboolean cancel = GPOINTER_TO_INT (data);
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  OwnedSteps steps = { .block = cancel };
  SpindleWorker *worker;

  worker = spindle_test_spawn (set, "owner", owned_body, &steps);
  if (cancel)
    {
      spindle_test_wait_flag (&steps.pushed);
      spindle_worker_force_cancel (worker);
    }
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==,
                   cancel ? SPINDLE_WORKER_STATE_CANCELLED : SPINDLE_WORKER_STATE_FINISHED);
  assert_owned (&steps.at_end, 1);
  assert_owned (&steps.popped_run, 1);
  assert_owned (&steps.dropped, 0);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "popped:OK at end:OK");
}

/* Requests are no-ops while the stack runs, and cannot interrupt it */

typedef struct
{
  int   fds[2];
  gint  in_step;
  gint  step_done;
  pid_t tid;
  gint  stop_first;
  gint  reached;
} SlowStep;

/* A cancellation point inside a step: cleanup runs with cancellation disabled. */
static gboolean
slow_step_run (gpointer   data,
               GError   **error)
{
  SlowStep *slow = data;
  char c;
  ssize_t n;

  slow->tid = gettid ();
  g_atomic_int_set (&slow->in_step, 1);
  n = read (slow->fds[0], &c, 1);
  g_atomic_int_set (&slow->step_done, n == 1 ? 1 : 2);

  return n == 1;
}

static GVariant *
slow_step_body (SpindleJob  *job,
                gpointer     data,
                GError     **error)
{
  SlowStep *slow = data;

  spindle_job_push_cleanup (job, "slow", slow_step_run, slow);
  if (slow->stop_first)
    {
      g_atomic_int_set (&slow->reached, 1);
      spindle_job_sleep (job, LONG_WAIT);
    }

  return NULL;
}

static void
test_requests_while_cleaning (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  SpindleWorker *worker;
  SlowStep slow = { .fds = { -1, -1 } };

  spindle_test_pipe (slow.fds);
  worker = spindle_test_spawn (set, "slow-cleanup", slow_step_body, &slow);
  spindle_test_wait_flag (&slow.in_step);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_CLEANING);
  spindle_test_wait_blocked (slow.tid, "pipe_read");

  rec = spindle_test_recorder_new (worker);
  spindle_worker_force_cancel (worker);
  spindle_worker_request_stop (worker);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (rec), ==, 0);
  spindle_test_run_clock (set, 1);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (rec), ==, 0);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CLEANING);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_NONE);
  g_assert_cmpint (g_atomic_int_get (&slow.step_done), ==, 0);

  spindle_test_pipe_poke (slow.fds[1]);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (slow.step_done, ==, 1);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "slow:OK");

  g_clear_pointer (&rec, spindle_test_recorder_free);
  spindle_test_close_pipe (slow.fds);
}

/* A force-cancel that races the start of the cleanup must not cut it short. */
static void
test_late_cancel_spares_cleanup (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorkerState state;
  SpindleWorker *worker;
  SlowStep slow = { .fds = { -1, -1 }, .stop_first = TRUE };

  spindle_test_pipe (slow.fds);
  worker = spindle_test_spawn (set, "late-cancel", slow_step_body, &slow);
  spindle_test_wait_flag (&slow.reached);

  spindle_worker_request_stop (worker);
  spindle_test_wait_flag (&slow.in_step);
  spindle_test_wait_blocked (slow.tid, "pipe_read");
  /* STOPPING or already CLEANING here, depending on dispatch. */
  spindle_worker_force_cancel (worker);
  spindle_test_run_clock (set, 1);
  g_assert_cmpint (g_atomic_int_get (&slow.step_done), ==, 0);
  g_assert_false (spindle_worker_is_terminal (worker));

  spindle_test_pipe_poke (slow.fds[1]);
  spindle_test_wait_terminal (worker);

  state = spindle_worker_get_state (worker);
  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (slow.step_done, ==, 1);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "slow:OK");

  spindle_test_close_pipe (slow.fds);
}

/* The report */

static void
on_cleanup_finished_keep (SpindleWorker         *worker,
                          SpindleCleanupReport  *report,
                          SpindleCleanupReport **out)
{
  g_assert_null (*out);
  *out = spindle_cleanup_report_ref (report);
}

typedef struct
{
  SpindleTestCleanupLog *log;
  gint                   reached;
} Reporter;

static GVariant *
reporter_body (SpindleJob  *job,
               gpointer     data,
               GError     **error)
{
  Reporter *reporter = data;

  spindle_test_cleanup_log_push (reporter->log, job, "close-file", NULL);
  spindle_test_cleanup_log_push (reporter->log, job, "remove-partial", "permission denied");
  g_atomic_int_set (&reporter->reached, 1);
  spindle_job_sleep (job, LONG_WAIT);

  return NULL;
}

static void
test_report (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleCleanupReport) emitted = NULL;
  g_autoptr(SpindleCleanupReport) property = NULL;
  g_autofree char *text = NULL;
  SpindleCleanupReport *report;
  SpindleWorker *worker;
  Reporter reporter = { 0 };

  reporter.log = spindle_test_cleanup_log_new ();
  worker = spindle_test_spawn (set, "reporter", reporter_body, &reporter);
  g_signal_connect (worker, "cleanup-finished", G_CALLBACK (on_cleanup_finished_keep), &emitted);
  spindle_test_wait_flag (&reporter.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_null (spindle_worker_get_cleanup_report (worker));

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  report = spindle_worker_get_cleanup_report (worker);
  g_object_get (worker, "cleanup-report", &property, NULL);
  g_assert_nonnull (emitted);
  g_assert_nonnull (report);
  g_assert_true (property == report);
  spindle_test_assert_report (emitted, "remove-partial:FAILED(permission denied) close-file:OK");
  spindle_test_assert_report (report, "remove-partial:FAILED(permission denied) close-file:OK");
  g_assert_cmpuint (spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_FAILED), ==, 1);
  g_assert_cmpuint (spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_NOT_RUN), ==, 0);
  g_assert_cmpint (spindle_cleanup_report_get_duration (report), >=, 0);

  text = spindle_cleanup_report_to_string (report);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "remove-partial"));
  g_assert_nonnull (strstr (text, "permission denied"));
  g_assert_nonnull (strstr (text, "close-file"));

  g_signal_handlers_disconnect_by_data (worker, &emitted);
  spindle_test_cleanup_log_free (reporter.log);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (cleanup_cases); i++)
    g_test_add_data_func (cleanup_cases[i].path, &cleanup_cases[i], test_exit_path);
  g_test_add_func ("/engine/cleanup/pop", test_pop);
  g_test_add_data_func ("/engine/cleanup/destroy-notify/return", GINT_TO_POINTER (FALSE), test_destroy_notify);
  g_test_add_data_func ("/engine/cleanup/destroy-notify/cancel", GINT_TO_POINTER (TRUE), test_destroy_notify);
  g_test_add_func ("/engine/cleanup/requests-while-cleaning", test_requests_while_cleaning);
  g_test_add_func ("/engine/cleanup/late-cancel-spares-cleanup", test_late_cancel_spares_cleanup);
  g_test_add_func ("/engine/cleanup/report", test_report);

  return g_test_run ();
}
