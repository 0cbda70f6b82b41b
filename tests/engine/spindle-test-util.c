/* spindle-test-util.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "spindle-test-util.h"

static GThread *main_thread;

void
spindle_test_init (int    *argc,
                   char ***argv)
{
  g_test_init (argc, argv, NULL);
  main_thread = g_thread_self ();
}

gboolean
spindle_test_is_main_thread (void)
{
  return main_thread != NULL && g_thread_self () == main_thread;
}

/* The tests pin down the contract without timers: no worker may be moved
 * on by an escalation while a test looks at it.
 */
SpindleWorkerSet *
spindle_test_set_new (void)
{
  SpindleWorkerSet *set = spindle_worker_set_new ();

  spindle_worker_set_set_auto_escalate (set, FALSE);
  return set;
}

/* Waiting */

static gboolean
guard_expired_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Conditions on atomics change without waking the main context: a short
 * ticker keeps g_main_context_iteration() coming back to look at them.
 */
static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Spawns and asserts it worked: tests that expect a failure call the set. */
SpindleWorker *
spindle_test_spawn_full (SpindleWorkerSet *set,
                         const char       *name,
                         SpindleJobFunc    func,
                         gpointer          data,
                         GDestroyNotify    destroy)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn (set, name, func, data, destroy, &error);
  g_assert_no_error (error);
  g_assert_true (SPINDLE_IS_WORKER (worker));

  return worker;
}

SpindleWorker *
spindle_test_spawn (SpindleWorkerSet *set,
                    const char       *name,
                    SpindleJobFunc    func,
                    gpointer          data)
{
  return spindle_test_spawn_full (set, name, func, data, NULL);
}

void
spindle_test_wait_until_full (SpindleTestCondFunc  cond,
                              gpointer             data,
                              guint                timeout_ms,
                              const char          *what)
{
  gboolean expired = FALSE;
  guint guard_id;
  guint tick_id;

  g_assert_true (spindle_test_is_main_thread ());

  if (cond (data))
    return;

  guard_id = g_timeout_add (timeout_ms, guard_expired_cb, &expired);
  tick_id = g_timeout_add (5, tick_cb, NULL);

  while (!cond (data))
    {
      if (expired)
        g_error ("%s: still false after %u ms", what, timeout_ms);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (tick_id);
  if (!expired)
    g_source_remove (guard_id);
}

static gboolean
state_is_terminal (SpindleWorkerState state)
{
  return state >= SPINDLE_WORKER_STATE_FINISHED;
}

static gboolean
worker_terminal_cond (gpointer data)
{
  return state_is_terminal (spindle_worker_get_state (data));
}

void
spindle_test_wait_terminal (SpindleWorker *worker)
{
  g_assert_nonnull (worker);
  spindle_test_wait_until_full (worker_terminal_cond, worker, SPINDLE_TEST_GUARD_MS,
                                spindle_worker_get_name (worker));
}

typedef struct
{
  SpindleWorker      *worker;
  SpindleWorkerState  state;
} StateWait;

static gboolean
worker_state_cond (gpointer data)
{
  StateWait *wait = data;

  return spindle_worker_get_state (wait->worker) == wait->state;
}

void
spindle_test_wait_state (SpindleWorker      *worker,
                         SpindleWorkerState  state)
{
  StateWait wait = { worker, state };
  g_autofree char *what = NULL;

  what = g_strdup_printf ("worker %s reaching state %s",
                          spindle_worker_get_name (worker),
                          spindle_test_state_name (state));
  spindle_test_wait_until_full (worker_state_cond, &wait, SPINDLE_TEST_GUARD_MS, what);
}

static gboolean
flag_cond (gpointer data)
{
  return g_atomic_int_get ((gint *) data) != 0;
}

void
spindle_test_wait_flag (gint *flag)
{
  spindle_test_wait_until_full (flag_cond, flag, SPINDLE_TEST_GUARD_MS,
                                "a job body to reach its blocking point");
}

typedef struct
{
  gint *counter;
  gint  at_least;
} CountWait;

static gboolean
count_cond (gpointer data)
{
  CountWait *wait = data;

  return g_atomic_int_get (wait->counter) >= wait->at_least;
}

void
spindle_test_wait_count (gint *counter,
                         gint  at_least)
{
  CountWait wait = { counter, at_least };

  spindle_test_wait_until_full (count_cond, &wait, SPINDLE_TEST_GUARD_MS,
                                "an atomic counter to reach its target");
}

static gboolean
no_live_cond (gpointer data)
{
  return spindle_worker_set_get_n_live (data) == 0;
}

void
spindle_test_wait_no_live (SpindleWorkerSet *set,
                           guint             timeout_ms)
{
  spindle_test_wait_until_full (no_live_cond, set, timeout_ms,
                                "spindle_worker_set_get_n_live() to reach 0");
}

/* Kernel view of a thread */

char *
spindle_test_read_task_file (pid_t       tid,
                             const char *name)
{
  g_autofree char *path = NULL;
  char *contents = NULL;

  path = g_strdup_printf ("/proc/self/task/%d/%s", (int) tid, name);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return g_strchomp (contents);
}

char
spindle_test_kernel_state (pid_t tid)
{
  g_autofree char *stat = spindle_test_read_task_file (tid, "stat");
  const char *paren;

  if (stat == NULL)
    return '?';

  /* comm may itself contain ") ", so look for the last one. */
  paren = strrchr (stat, ')');
  if (paren == NULL || paren[1] != ' ' || paren[2] == '\0')
    return '?';

  return paren[2];
}

typedef struct
{
  pid_t       tid;
  const char *wchan;
} BlockedWait;

static gboolean
blocked_cond (gpointer data)
{
  BlockedWait *wait = data;
  g_autofree char *wchan = NULL;
  char state;

  state = spindle_test_kernel_state (wait->tid);
  if (state != 'S')
    return FALSE;

  if (wait->wchan == NULL)
    return TRUE;

  /* A kernel that hides wait channels prints "0": trust the state then. */
  wchan = spindle_test_read_task_file (wait->tid, "wchan");
  if (wchan == NULL || g_str_equal (wchan, "0") || wchan[0] == '\0')
    return TRUE;

  return strstr (wchan, wait->wchan) != NULL;
}

void
spindle_test_wait_blocked (pid_t       tid,
                           const char *wchan)
{
  BlockedWait wait = { tid, wchan };
  g_autofree char *what = NULL;

  g_assert_cmpint (tid, >, 0);
  what = g_strdup_printf ("thread %d to sleep in the kernel (wchan ~ %s)",
                          (int) tid, wchan ? wchan : "any");
  spindle_test_wait_until_full (blocked_cond, &wait, SPINDLE_TEST_GUARD_MS, what);
}

/* A clock that needs no wall time: each tick is a worker that is spawned,
 * stopped and seen terminal, so the main context has dispatched at least the
 * engine's start and end events of one more worker.
 */
static GVariant *
clock_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  return NULL;
}

void
spindle_test_run_clock (SpindleWorkerSet *set,
                        guint             ticks)
{
  for (guint i = 0; i < ticks; i++)
    {
      g_autoptr(GError) error = NULL;
      SpindleWorker *tick;

      tick = spindle_worker_set_spawn (set, "test-clock", clock_body, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (tick);

      spindle_worker_request_stop (tick);
      spindle_test_wait_terminal (tick);
      g_assert_cmpint (spindle_worker_get_state (tick), ==, SPINDLE_WORKER_STATE_STOPPED);
      g_assert_true (spindle_worker_set_remove (set, tick));
    }
}

/* Names, independent of the engine's own to_string () */

const char *
spindle_test_state_name (SpindleWorkerState state)
{
  static const char * const names[] = {
    "STARTING", "RUNNING", "STOPPING", "CANCELLING", "CLEANING",
    "FINISHED", "FAILED", "STOPPED", "CANCELLED", "ABANDONED",
  };

  if ((guint) state < G_N_ELEMENTS (names))
    return names[state];
  return "INVALID";
}

const char *
spindle_test_reason_name (SpindleStopReason reason)
{
  static const char * const names[] = {
    "NONE", "USER", "TIMEOUT", "PARENT", "SHUTDOWN",
  };

  if ((guint) reason < G_N_ELEMENTS (names))
    return names[reason];
  return "INVALID";
}

const char *
spindle_test_outcome_name (SpindleCleanupOutcome outcome)
{
  static const char * const names[] = { "OK", "FAILED", "NOT_RUN" };

  if ((guint) outcome < G_N_ELEMENTS (names))
    return names[outcome];
  return "INVALID";
}

/* Pipes */

void
spindle_test_pipe (int fds[2])
{
  g_autoptr(GError) error = NULL;

  g_unix_open_pipe (fds, FD_CLOEXEC, &error);
  g_assert_no_error (error);
}

void
spindle_test_pipe_poke (int fd)
{
  ssize_t n;

  do
    n = write (fd, "x", 1);
  while (n < 0 && errno == EINTR);

  g_assert_cmpint (n, ==, 1);
}

void
spindle_test_close_pipe (int fds[2])
{
  for (guint i = 0; i < 2; i++)
    {
      if (fds[i] >= 0)
        close (fds[i]);
      fds[i] = -1;
    }
}

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

static gboolean
thread_gone_cond (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d", GPOINTER_TO_INT (data));

  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

/* A detached thread let go by a test must be gone before the test ends, so
 * that nothing it still owns is taken for a leak at exit.
 */
void
spindle_test_wait_thread_gone (pid_t tid)
{
  g_assert_cmpint (tid, >, 0);
  spindle_test_wait_until (thread_gone_cond, GINT_TO_POINTER (tid), SPINDLE_TEST_GUARD_MS);
}

guint
spindle_test_count_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}
