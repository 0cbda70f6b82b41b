/* spindle-test-recorder.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "spindle-test-util.h"

/* What the tests observe of a worker: its signals and state changes in
 * emission order, the cleanup steps its body ran, and its report.
 */

/* Recorder */

struct _SpindleTestRecorder
{
  SpindleWorker        *worker;
  GMutex                mutex;
  GPtrArray            *events;
  GPtrArray            *states;
  SpindleCleanupReport *report;
  guint                 n_emissions;
  guint                 off_thread;
  gulong                handlers[8];
};

static void
recorder_saw_emission (SpindleTestRecorder *rec)
{
  g_mutex_lock (&rec->mutex);
  rec->n_emissions++;
  if (!spindle_test_is_main_thread ())
    rec->off_thread++;
  g_mutex_unlock (&rec->mutex);
}

static void
recorder_add (SpindleTestRecorder *rec,
              char                *event)
{
  recorder_saw_emission (rec);
  g_mutex_lock (&rec->mutex);
  g_ptr_array_add (rec->events, event);
  g_mutex_unlock (&rec->mutex);
}

static void
on_stop_requested (SpindleWorker       *worker,
                   SpindleStopReason    reason,
                   SpindleTestRecorder *rec)
{
  recorder_add (rec, g_strdup_printf ("stop-requested(%s)", spindle_test_reason_name (reason)));
}

static void
on_cancel_requested (SpindleWorker       *worker,
                     SpindleStopReason    reason,
                     SpindleTestRecorder *rec)
{
  recorder_add (rec, g_strdup_printf ("cancel-requested(%s)", spindle_test_reason_name (reason)));
}

static void
on_cleanup_started (SpindleWorker       *worker,
                    SpindleTestRecorder *rec)
{
  recorder_add (rec, g_strdup ("cleanup-started"));
}

static void
on_cleanup_step (SpindleWorker         *worker,
                 const char            *label,
                 SpindleCleanupOutcome  outcome,
                 const char            *message,
                 SpindleTestRecorder   *rec)
{
  if (message != NULL)
    recorder_add (rec, g_strdup_printf ("cleanup-step(%s,%s,%s)", label,
                                        spindle_test_outcome_name (outcome), message));
  else
    recorder_add (rec, g_strdup_printf ("cleanup-step(%s,%s)", label,
                                        spindle_test_outcome_name (outcome)));
}

static void
on_cleanup_finished (SpindleWorker        *worker,
                     SpindleCleanupReport *report,
                     SpindleTestRecorder  *rec)
{
  g_assert_nonnull (report);

  g_mutex_lock (&rec->mutex);
  g_clear_pointer (&rec->report, spindle_cleanup_report_unref);
  rec->report = spindle_cleanup_report_ref (report);
  g_mutex_unlock (&rec->mutex);

  recorder_add (rec, g_strdup_printf ("cleanup-finished(%u)",
                                      spindle_cleanup_report_get_n_steps (report)));
}

static void
on_finished (SpindleWorker       *worker,
             SpindleTestRecorder *rec)
{
  recorder_add (rec, g_strdup ("finished"));
}

static void
on_notify_state (SpindleWorker       *worker,
                 GParamSpec          *pspec,
                 SpindleTestRecorder *rec)
{
  const char *name = spindle_test_state_name (spindle_worker_get_state (worker));

  g_mutex_lock (&rec->mutex);
  g_ptr_array_add (rec->states, g_strdup (name));
  g_mutex_unlock (&rec->mutex);

  recorder_add (rec, g_strdup_printf ("state(%s)", name));
}

static void
on_notify_any (SpindleWorker       *worker,
               GParamSpec          *pspec,
               SpindleTestRecorder *rec)
{
  recorder_saw_emission (rec);
}

SpindleTestRecorder *
spindle_test_recorder_new (SpindleWorker *worker)
{
  SpindleTestRecorder *rec = g_new0 (SpindleTestRecorder, 1);
  guint i = 0;

  g_assert_true (SPINDLE_IS_WORKER (worker));

  rec->worker = g_object_ref (worker);
  g_mutex_init (&rec->mutex);
  rec->events = g_ptr_array_new_with_free_func (g_free);
  rec->states = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (rec->states,
                   g_strdup (spindle_test_state_name (spindle_worker_get_state (worker))));

  rec->handlers[i++] = g_signal_connect (worker, "stop-requested", G_CALLBACK (on_stop_requested), rec);
  rec->handlers[i++] = g_signal_connect (worker, "cancel-requested", G_CALLBACK (on_cancel_requested), rec);
  rec->handlers[i++] = g_signal_connect (worker, "cleanup-started", G_CALLBACK (on_cleanup_started), rec);
  rec->handlers[i++] = g_signal_connect (worker, "cleanup-step", G_CALLBACK (on_cleanup_step), rec);
  rec->handlers[i++] = g_signal_connect (worker, "cleanup-finished", G_CALLBACK (on_cleanup_finished), rec);
  rec->handlers[i++] = g_signal_connect (worker, "finished", G_CALLBACK (on_finished), rec);
  rec->handlers[i++] = g_signal_connect (worker, "notify::state", G_CALLBACK (on_notify_state), rec);
  rec->handlers[i++] = g_signal_connect (worker, "notify", G_CALLBACK (on_notify_any), rec);
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (rec->handlers));

  return rec;
}

void
spindle_test_recorder_free (SpindleTestRecorder *rec)
{
  for (guint i = 0; i < G_N_ELEMENTS (rec->handlers); i++)
    g_signal_handler_disconnect (rec->worker, rec->handlers[i]);

  g_clear_pointer (&rec->report, spindle_cleanup_report_unref);
  g_ptr_array_unref (rec->events);
  g_ptr_array_unref (rec->states);
  g_mutex_clear (&rec->mutex);
  g_object_unref (rec->worker);
  g_free (rec);
}

static gboolean
event_is_transient_state (const char *event)
{
  static const char * const transient[] = {
    "state(STARTING)", "state(RUNNING)", "state(STOPPING)",
    "state(CANCELLING)", "state(CLEANING)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (transient); i++)
    if (g_str_equal (event, transient[i]))
      return TRUE;
  return FALSE;
}

/* The signals, and the state change to the terminal state, in emission order. */
char *
spindle_test_recorder_events (SpindleTestRecorder *rec)
{
  GString *str = g_string_new (NULL);

  g_mutex_lock (&rec->mutex);
  for (guint i = 0; i < rec->events->len; i++)
    {
      const char *event = g_ptr_array_index (rec->events, i);

      if (event_is_transient_state (event))
        continue;
      if (str->len > 0)
        g_string_append_c (str, ' ');
      g_string_append (str, event);
    }
  g_mutex_unlock (&rec->mutex);

  return g_string_free (str, FALSE);
}

/* The state when the recorder was created, then one entry per notify::state. */
char *
spindle_test_recorder_states (SpindleTestRecorder *rec)
{
  GString *str = g_string_new (NULL);

  g_mutex_lock (&rec->mutex);
  for (guint i = 0; i < rec->states->len; i++)
    {
      if (i > 0)
        g_string_append_c (str, ' ');
      g_string_append (str, g_ptr_array_index (rec->states, i));
    }
  g_mutex_unlock (&rec->mutex);

  return g_string_free (str, FALSE);
}

guint
spindle_test_recorder_n_events (SpindleTestRecorder *rec)
{
  guint n;

  g_mutex_lock (&rec->mutex);
  n = rec->events->len;
  g_mutex_unlock (&rec->mutex);

  return n;
}

guint
spindle_test_recorder_n_emissions (SpindleTestRecorder *rec)
{
  guint n;

  g_mutex_lock (&rec->mutex);
  n = rec->n_emissions;
  g_mutex_unlock (&rec->mutex);

  return n;
}

guint
spindle_test_recorder_count (SpindleTestRecorder *rec,
                             const char          *prefix)
{
  guint n = 0;

  g_mutex_lock (&rec->mutex);
  for (guint i = 0; i < rec->events->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (rec->events, i), prefix))
      n++;
  g_mutex_unlock (&rec->mutex);

  return n;
}

guint
spindle_test_recorder_off_thread (SpindleTestRecorder *rec)
{
  guint n;

  g_mutex_lock (&rec->mutex);
  n = rec->off_thread;
  g_mutex_unlock (&rec->mutex);

  return n;
}

SpindleCleanupReport *
spindle_test_recorder_get_report (SpindleTestRecorder *rec)
{
  return rec->report;
}

/* A SpindleTestCondFunc: the worker's "finished" was seen. */
gboolean
spindle_test_recorder_has_finished (gpointer rec)
{
  return spindle_test_recorder_count (rec, "finished") > 0;
}

/* Cleanup log */

struct _SpindleTestCleanupLog
{
  GMutex     mutex;
  GString   *order;
  GPtrArray *steps;
};

typedef struct
{
  SpindleTestCleanupLog *log;
  char                  *label;
  char                  *fail_message;
  gint                   runs;
} LoggedStep;

static void
logged_step_free (gpointer data)
{
  LoggedStep *step = data;

  g_free (step->label);
  g_free (step->fail_message);
  g_free (step);
}

/* Runs with cancellation disabled, so g_mutex_lock here is safe. */
static gboolean
logged_step_run (gpointer   data,
                 GError   **error)
{
  LoggedStep *step = data;
  SpindleTestCleanupLog *log = step->log;

  g_atomic_int_inc (&step->runs);

  g_mutex_lock (&log->mutex);
  if (log->order->len > 0)
    g_string_append_c (log->order, ' ');
  g_string_append (log->order, step->label);
  g_mutex_unlock (&log->mutex);

  if (step->fail_message != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, step->fail_message);
      return FALSE;
    }

  return TRUE;
}

SpindleTestCleanupLog *
spindle_test_cleanup_log_new (void)
{
  SpindleTestCleanupLog *log = g_new0 (SpindleTestCleanupLog, 1);

  g_mutex_init (&log->mutex);
  log->order = g_string_new (NULL);
  log->steps = g_ptr_array_new_with_free_func (logged_step_free);

  return log;
}

void
spindle_test_cleanup_log_free (SpindleTestCleanupLog *log)
{
  g_ptr_array_unref (log->steps);
  g_string_free (log->order, TRUE);
  g_mutex_clear (&log->mutex);
  g_free (log);
}

/* Called by a job body on its worker thread. */
guint
spindle_test_cleanup_log_push (SpindleTestCleanupLog *log,
                               SpindleJob            *job,
                               const char            *label,
                               const char            *fail_message)
{
  LoggedStep *step = g_new0 (LoggedStep, 1);

  step->log = log;
  step->label = g_strdup (label);
  step->fail_message = g_strdup (fail_message);

  g_mutex_lock (&log->mutex);
  g_ptr_array_add (log->steps, step);
  g_mutex_unlock (&log->mutex);

  return spindle_job_push_cleanup (job, label, logged_step_run, step);
}

char *
spindle_test_cleanup_log_order (SpindleTestCleanupLog *log)
{
  char *order;

  g_mutex_lock (&log->mutex);
  order = g_strdup (log->order->str);
  g_mutex_unlock (&log->mutex);

  return order;
}

guint
spindle_test_cleanup_log_runs (SpindleTestCleanupLog *log,
                               const char            *label)
{
  guint runs = 0;
  gboolean found = FALSE;

  g_mutex_lock (&log->mutex);
  for (guint i = 0; i < log->steps->len; i++)
    {
      LoggedStep *step = g_ptr_array_index (log->steps, i);

      if (g_str_equal (step->label, label))
        {
          runs += g_atomic_int_get (&step->runs);
          found = TRUE;
        }
    }
  g_mutex_unlock (&log->mutex);

  g_assert_true (found);
  return runs;
}

/* @expected lists the steps in the order run: "C:OK B:FAILED(B broke) A:OK" */
void
spindle_test_assert_report (SpindleCleanupReport *report,
                            const char           *expected)
{
  g_autoptr(GString) str = g_string_new (NULL);
  guint n;

  g_assert_nonnull (report);
  n = spindle_cleanup_report_get_n_steps (report);

  for (guint i = 0; i < n; i++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, i);

      g_assert_nonnull (step);
      g_assert_cmpint (step->duration_usec, >=, 0);
      if (step->outcome == SPINDLE_CLEANUP_OUTCOME_OK)
        g_assert_null (step->message);

      if (i > 0)
        g_string_append_c (str, ' ');
      g_string_append_printf (str, "%s:%s", step->label, spindle_test_outcome_name (step->outcome));
      if (step->message != NULL)
        g_string_append_printf (str, "(%s)", step->message);
    }

  g_assert_cmpstr (str->str, ==, expected);
}
