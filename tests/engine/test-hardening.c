/* test-hardening.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The engine used as a hostile caller would: orphaned children, children
 * that cannot start, calls from the wrong thread, "forever" times,
 * unbalanced regions, late cleanup steps, descriptors kept by finished
 * workers and a cancelled shutdown. Each test failed before its fix.
 */

#include <errno.h>
#include <unistd.h>

#include "spindle-test-util.h"

#define FOREVER G_MAXINT64
#define HUGE_STACK ((gsize) 1 << 48)

/* A handshake from a body to the test that does not need the main loop. */
typedef struct
{
  GMutex  mutex;
  GCond   cond;
  gint    stage;
} Handshake;

static void
handshake_init (Handshake *hs)
{
  g_mutex_init (&hs->mutex);
  g_cond_init (&hs->cond);
  hs->stage = 0;
}

static void
handshake_clear (Handshake *hs)
{
  g_mutex_clear (&hs->mutex);
  g_cond_clear (&hs->cond);
}

static void
handshake_signal (Handshake *hs,
                  gint       stage)
{
  g_mutex_lock (&hs->mutex);
  hs->stage = stage;
  g_cond_broadcast (&hs->cond);
  g_mutex_unlock (&hs->mutex);
}

/* Waits without iterating the main context, so no event is delivered. */
static void
handshake_wait (Handshake *hs,
                gint       stage)
{
  gint64 end = g_get_monotonic_time () + SPINDLE_TEST_GUARD_MS * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&hs->mutex);
  while (hs->stage < stage)
    if (!g_cond_wait_until (&hs->cond, &hs->mutex, end))
      g_error ("a body never reached stage %d", stage);
  g_mutex_unlock (&hs->mutex);
}

/* Item 1: a child no worker will ever own ***********************************/

typedef struct
{
  Handshake  hs;
  gint       child_tid;
  gint       parent_tid;
  GMutex     stuck_mutex;
  GCond      stuck_cond;
  gboolean   released;
} Orphan;

static GVariant *
orphan_child_body (SpindleJob  *job,
                   gpointer     data,
                   GError     **error)
{
  Orphan *orphan = data;

  g_atomic_int_set (&orphan->child_tid, gettid ());
  handshake_signal (&orphan->hs, 2);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

static GVariant *
spawning_parent_body (SpindleJob  *job,
                      gpointer     data,
                      GError     **error)
{
  Orphan *orphan = data;

  g_atomic_int_set (&orphan->parent_tid, gettid ());
  handshake_signal (&orphan->hs, 1);
  spindle_job_spawn_child (job, "orphan", orphan_child_body, orphan, NULL, NULL);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

static void
wait_thread_gone (gint *tid)
{
  g_assert_cmpint (g_atomic_int_get (tid), >, 0);
  spindle_test_wait_thread_gone (g_atomic_int_get (tid));
}

/* The set goes away while the child's SPAWNED event is still queued. */
static void
test_orphan_child_set_gone (void)
{
  SpindleWorkerSet *set = spindle_test_set_new ();
  Orphan orphan = { 0 };

  handshake_init (&orphan.hs);
  spindle_test_spawn (set, "parent", spawning_parent_body, &orphan);
  handshake_wait (&orphan.hs, 2);

  g_object_unref (set);

  wait_thread_gone (&orphan.child_tid);
  wait_thread_gone (&orphan.parent_tid);
  handshake_clear (&orphan.hs);
}

static GVariant *
late_spawning_parent_body (SpindleJob  *job,
                           gpointer     data,
                           GError     **error)
{
  Orphan *orphan = data;

  g_atomic_int_set (&orphan->parent_tid, gettid ());
  handshake_signal (&orphan->hs, 1);

  /* a raw wait: neither stop nor cancel reaches it */
  g_mutex_lock (&orphan->stuck_mutex);
  while (!orphan->released)
    g_cond_wait (&orphan->stuck_cond, &orphan->stuck_mutex);
  g_mutex_unlock (&orphan->stuck_mutex);

  spindle_job_spawn_child (job, "late orphan", orphan_child_body, orphan, NULL, NULL);

  return NULL;
}

/* The parent was abandoned and removed; its thread wakes later and spawns. */
static void
test_orphan_child_parent_removed (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Orphan orphan = { 0 };
  SpindleWorker *parent;

  handshake_init (&orphan.hs);
  g_mutex_init (&orphan.stuck_mutex);
  g_cond_init (&orphan.stuck_cond);

  parent = spindle_test_spawn (set, "stuck parent", late_spawning_parent_body, &orphan);
  handshake_wait (&orphan.hs, 1);
  spindle_test_wait_blocked (g_atomic_int_get (&orphan.parent_tid), "futex");

  spindle_worker_force_cancel (parent);
  spindle_worker_abandon (parent);
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_ABANDONED);
  g_assert_true (spindle_worker_set_remove (set, parent));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);

  g_mutex_lock (&orphan.stuck_mutex);
  orphan.released = TRUE;
  g_cond_broadcast (&orphan.stuck_cond);
  g_mutex_unlock (&orphan.stuck_mutex);

  /* the main loop delivers the child's SPAWNED event on the way */
  handshake_wait (&orphan.hs, 2);
  wait_thread_gone (&orphan.child_tid);
  wait_thread_gone (&orphan.parent_tid);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  handshake_clear (&orphan.hs);
  g_mutex_clear (&orphan.stuck_mutex);
  g_cond_clear (&orphan.stuck_cond);
}

/* Item 2: a child that cannot start while its parent stops ******************/

typedef struct
{
  gint     reached;
  gint     spawned;
  GError  *error;
} FailingChild;

static GVariant *
never_runs_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  g_assert_not_reached ();
  return NULL;
}

static GVariant *
stopping_parent_body (SpindleJob  *job,
                      gpointer     data,
                      GError     **error)
{
  FailingChild *failing = data;
  SpindleSpawnOptions options = { .stack_size = HUGE_STACK };
  SpindleJob *child;

  g_atomic_int_set (&failing->reached, 1);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  child = spindle_job_spawn_child_full (job, &options, "unborn child", never_runs_body,
                                        NULL, NULL, &failing->error);
  g_assert_null (child);
  g_atomic_int_set (&failing->spawned, 1);

  return NULL;
}

static void
shutdown_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError **error = user_data;
  gboolean ok = spindle_worker_set_shutdown_finish (SPINDLE_WORKER_SET (source), result, error);

  g_assert_true (ok == (*error == NULL));
  if (ok)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "resolved without error");
}

static gboolean
error_set_cond (gpointer data)
{
  return *(GError **) data != NULL;
}

/* Shuts the set down and expects it to resolve without error. */
static void
assert_shutdown_resolves (SpindleWorkerSet *set)
{
  g_autoptr(GError) outcome = NULL;

  spindle_worker_set_shutdown_async (set, NULL, shutdown_done_cb, &outcome);
  spindle_test_wait_until (error_set_cond, &outcome, SPINDLE_TEST_GUARD_MS);
  g_assert_error (outcome, G_IO_ERROR, G_IO_ERROR_EXISTS);
}

static void
test_child_start_failure_while_stopping (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleWorker) child = NULL;
  FailingChild failing = { 0 };
  SpindleWorker *parent;
  GListModel *children;

  parent = spindle_test_spawn (set, "parent", stopping_parent_body, &failing);
  spindle_test_wait_flag (&failing.reached);
  spindle_worker_request_stop (parent);
  spindle_test_wait_terminal (parent);

  g_assert_error (failing.error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_STOPPED);

  children = spindle_worker_get_children (parent);
  g_assert_cmpuint (g_list_model_get_n_items (children), ==, 1);
  child = g_list_model_get_item (children, 0);
  g_assert_cmpint (spindle_worker_get_state (child), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error ((GError *) spindle_worker_get_error (child), SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  assert_shutdown_resolves (set);
  g_clear_error (&failing.error);
}

/* Item 3: main-thread-only calls from other threads *************************/

typedef struct
{
  SpindleWorker *worker;
  gint           refused;
  gint           returned;
} SelfCancel;

static GVariant *
self_cancelling_body (SpindleJob  *job,
                      gpointer     data,
                      GError     **error)
{
  SelfCancel *self_cancel = data;
  SpindleWorker *worker;

  while ((worker = g_atomic_pointer_get (&self_cancel->worker)) == NULL)
    spindle_job_sleep (job, 1000);

  spindle_worker_force_cancel (worker);
  spindle_worker_request_stop (worker);
  spindle_worker_abandon (worker);
  g_atomic_int_set (&self_cancel->returned, 1);

  return g_variant_new_string ("still here");
}

static void
test_body_cancels_itself (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
      SelfCancel self_cancel = { 0 };
      SpindleWorker *worker;

      /* the refusals are criticals: count them instead of dying */
      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      worker = spindle_test_spawn (set, "self-canceller", self_cancelling_body, &self_cancel);
      g_atomic_pointer_set (&self_cancel.worker, worker);
      spindle_test_wait_terminal (worker);

      g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
      g_assert_cmpint (g_atomic_int_get (&self_cancel.returned), ==, 1);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*spindle_worker_force_cancel: called from a thread that does not own the worker set*"
                             "*spindle_worker_request_stop: called from a thread*"
                             "*spindle_worker_abandon: called from a thread*");
}

typedef enum
{
  CALL_REQUEST_STOP,
  CALL_FORCE_CANCEL,
  CALL_ABANDON,
  CALL_STOP_ALL,
  CALL_CANCEL_ALL,
  CALL_SHUTDOWN,
  CALL_REMOVE,
  CALL_CLEAR_FINISHED,
  CALL_SPAWN,
  N_CALLS
} ForeignCall;

static const char *foreign_call_names[N_CALLS] = {
  "spindle_worker_request_stop",
  "spindle_worker_force_cancel",
  "spindle_worker_abandon",
  "spindle_worker_set_stop_all",
  "spindle_worker_set_cancel_all",
  "spindle_worker_set_shutdown_async",
  "spindle_worker_set_remove",
  "spindle_worker_set_clear_finished",
  "spindle_worker_set_spawn_full",
};

typedef struct
{
  SpindleWorkerSet *set;
  SpindleWorker    *worker;
  ForeignCall       call;
  gint              reached;
} Foreign;

static GVariant *
sleeper_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  gint *reached = data;

  g_atomic_int_set (reached, 1);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

static gpointer
foreign_thread (gpointer data)
{
  Foreign *foreign = data;

  switch (foreign->call)
    {
    case CALL_REQUEST_STOP:   spindle_worker_request_stop (foreign->worker); break;
    case CALL_FORCE_CANCEL:   spindle_worker_force_cancel (foreign->worker); break;
    case CALL_ABANDON:        spindle_worker_abandon (foreign->worker); break;
    case CALL_STOP_ALL:       spindle_worker_set_stop_all (foreign->set); break;
    case CALL_CANCEL_ALL:     spindle_worker_set_cancel_all (foreign->set); break;
    case CALL_SHUTDOWN:       spindle_worker_set_shutdown_async (foreign->set, NULL, NULL, NULL); break;
    case CALL_REMOVE:         g_assert_false (spindle_worker_set_remove (foreign->set, foreign->worker)); break;
    case CALL_CLEAR_FINISHED: g_assert_cmpuint (spindle_worker_set_clear_finished (foreign->set), ==, 0); break;
    case CALL_SPAWN:
      g_assert_null (spindle_worker_set_spawn (foreign->set, "foreign", never_runs_body, NULL, NULL, NULL));
      break;
    case N_CALLS:
    default:
      g_assert_not_reached ();
    }

  return NULL;
}

static void
test_calls_from_other_threads (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  Foreign foreign = { set };

  foreign.worker = spindle_test_spawn (set, "target", sleeper_body, &foreign.reached);
  spindle_test_wait_flag (&foreign.reached);
  spindle_test_wait_state (foreign.worker, SPINDLE_WORKER_STATE_RUNNING);
  rec = spindle_test_recorder_new (foreign.worker);

  for (foreign.call = 0; foreign.call < N_CALLS; foreign.call++)
    {
      g_autofree char *pattern = g_strdup_printf ("%s: called from a thread that does not own the worker set*",
                                                  foreign_call_names[foreign.call]);

      g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, pattern);
      g_thread_join (g_thread_new ("foreign", foreign_thread, &foreign));
      g_test_assert_expected_messages ();
    }

  spindle_test_run_clock (set, 2);
  g_assert_cmpuint (spindle_test_recorder_n_emissions (rec), ==, 0);
  g_assert_cmpint (spindle_worker_get_state (foreign.worker), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);

  /* the set was not shut down by the refused call: it still spawns */
  spindle_worker_request_stop (foreign.worker);
  spindle_test_wait_terminal (foreign.worker);
  g_assert_cmpint (spindle_worker_get_state (foreign.worker), ==, SPINDLE_WORKER_STATE_STOPPED);
}

/* Item 4: a cleanup step cannot start children ******************************/

typedef struct
{
  SpindleJob *job;
  SpindleJob *child;
  GError     *error;
  gint        ran;
} LateSpawn;

static gboolean
spawning_step (gpointer   data,
               GError   **error)
{
  LateSpawn *late = data;

  late->child = spindle_job_spawn_child (late->job, "escapee", never_runs_body, NULL, NULL, &late->error);
  g_atomic_int_set (&late->ran, 1);

  return TRUE;
}

static GVariant *
late_spawn_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  LateSpawn *late = data;

  late->job = job;
  spindle_job_push_cleanup (job, "spawn a child", spawning_step, late);

  return NULL;
}

static void
test_cleanup_cannot_spawn (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  LateSpawn late = { 0 };
  SpindleWorker *worker;

  worker = spindle_test_spawn (set, "late spawner", late_spawn_body, &late);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (g_atomic_int_get (&late.ran), ==, 1);
  g_assert_null (late.child);
  g_assert_error (late.error, SPINDLE_ERROR, SPINDLE_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (worker)), ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "spawn a child:OK");

  assert_shutdown_resolves (set);
  g_clear_error (&late.error);
}

/* Item 5: "forever" does not overflow ***************************************/

/* Runs every source that is ready now, timeouts of 0 ms included. */
static void
drain_main_context (void)
{
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static void
test_forever_deadline (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleSpawnOptions options = { .deadline_usec = FOREVER };
  SpindleWorker *explicit, *by_default, *none;
  gint reached[3] = { 0 };

  explicit = spindle_worker_set_spawn_full (set, &options, "forever", sleeper_body, &reached[0], NULL, NULL);
  spindle_worker_set_set_default_deadline (set, FOREVER);
  by_default = spindle_test_spawn (set, "forever by default", sleeper_body, &reached[1]);
  options.deadline_usec = -1;
  none = spindle_worker_set_spawn_full (set, &options, "no deadline", sleeper_body, &reached[2], NULL, NULL);

  drain_main_context ();

  g_assert_cmpint (spindle_worker_get_deadline (explicit), ==, G_MAXINT64);
  g_assert_cmpint (spindle_worker_get_escalation_at (explicit), ==, G_MAXINT64);
  g_assert_cmpint (spindle_worker_get_escalation (explicit), ==, SPINDLE_ESCALATION_STOP);
  g_assert_cmpint (spindle_worker_get_deadline (by_default), ==, G_MAXINT64);
  g_assert_cmpint (spindle_worker_get_escalation_at (by_default), ==, G_MAXINT64);
  g_assert_cmpint (spindle_worker_get_deadline (none), ==, 0);
  g_assert_cmpint (spindle_worker_get_escalation (none), ==, SPINDLE_ESCALATION_NONE);
  g_assert_true (spindle_worker_state_is_live (spindle_worker_get_state (explicit)));
  g_assert_cmpint (spindle_worker_get_stop_reason (explicit), ==, SPINDLE_STOP_REASON_NONE);
  g_assert_cmpint (spindle_worker_get_stop_reason (by_default), ==, SPINDLE_STOP_REASON_NONE);

  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

static void
test_shortest_deadline (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleSpawnOptions options = { .deadline_usec = 1 };
  SpindleWorker *worker;
  gint reached = 0;

  worker = spindle_worker_set_spawn_full (set, &options, "1 µs", sleeper_body, &reached, NULL, NULL);
  g_assert_cmpint (spindle_worker_get_deadline (worker), ==, spindle_worker_get_started_at (worker) + 1);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_TIMEOUT);
}

typedef struct
{
  gint     reached;
  GMutex   mutex;
  GCond    cond;
  gboolean released;
} Stuck;

static GVariant *
stuck_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  Stuck *stuck = data;

  g_atomic_int_set (&stuck->reached, 1);
  g_mutex_lock (&stuck->mutex);
  while (!stuck->released)
    g_cond_wait (&stuck->cond, &stuck->mutex);
  g_mutex_unlock (&stuck->mutex);

  return NULL;
}

static void
stuck_release (Stuck *stuck)
{
  g_mutex_lock (&stuck->mutex);
  stuck->released = TRUE;
  g_cond_broadcast (&stuck->cond);
  g_mutex_unlock (&stuck->mutex);
}

static void
test_forever_graces (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleSpawnOptions options = { .stop_grace_usec = FOREVER, .cancel_grace_usec = FOREVER };
  Stuck stuck = { 0 };
  SpindleWorker *worker;

  g_mutex_init (&stuck.mutex);
  g_cond_init (&stuck.cond);
  spindle_worker_set_set_auto_escalate (set, TRUE);

  worker = spindle_worker_set_spawn_full (set, &options, "stubborn", stuck_body, &stuck, NULL, NULL);
  spindle_test_wait_flag (&stuck.reached);

  spindle_worker_request_stop (worker);
  drain_main_context ();
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_CANCEL);
  g_assert_cmpint (spindle_worker_get_escalation_at (worker), ==, G_MAXINT64);

  spindle_worker_force_cancel (worker);
  drain_main_context ();
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_UNRESPONSIVE);
  g_assert_cmpint (spindle_worker_get_escalation_at (worker), ==, G_MAXINT64);
  g_assert_false (spindle_worker_get_unresponsive (worker));

  stuck_release (&stuck);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);

  g_mutex_clear (&stuck.mutex);
  g_cond_clear (&stuck.cond);
}

typedef struct
{
  int     fds[2];
  gint    reached;
} PipeChild;

static GVariant *
raw_reader_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  PipeChild *pipe_child = data;
  char c;

  g_atomic_int_set (&pipe_child->reached, 1);
  /* a raw read: a stop does not wake it, a force-cancel would end it */
  if (read (pipe_child->fds[0], &c, 1) < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "read failed");

  return NULL;
}

static GVariant *
short_parent_body (SpindleJob  *job,
                   gpointer     data,
                   GError     **error)
{
  spindle_job_spawn_child (job, "reader", raw_reader_body, data, NULL, NULL);
  return NULL;
}

static gboolean
waits_for_children_cond (gpointer data)
{
  return g_strcmp0 (spindle_worker_get_waiting_for (data), "its children to end") == 0;
}

/* A parent's end waits its children's stop grace: forever is not "now". */
static void
test_forever_child_grace (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleWorker) child = NULL;
  SpindleSpawnOptions options = { .stop_grace_usec = FOREVER };
  const SpindleCleanupStep *step;
  SpindleCleanupReport *report;
  PipeChild pipe_child = { 0 };
  SpindleWorker *parent;

  spindle_test_pipe (pipe_child.fds);
  parent = spindle_worker_set_spawn_full (set, &options, "parent", short_parent_body, &pipe_child, NULL, NULL);
  spindle_test_wait_flag (&pipe_child.reached);
  spindle_test_wait_until (waits_for_children_cond, parent, SPINDLE_TEST_GUARD_MS);

  child = g_list_model_get_item (spindle_worker_get_children (parent), 0);
  g_assert_nonnull (child);

  /* only its read ends it now: a cancel at once would have ended it CANCELLED */
  spindle_test_pipe_poke (pipe_child.fds[1]);
  spindle_test_wait_terminal (parent);
  g_assert_cmpint (spindle_worker_get_state (child), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_FINISHED);

  /* the parent's report gives the child the time it waited for it */
  report = spindle_worker_get_cleanup_report (parent);
  g_assert_cmpuint (spindle_cleanup_report_get_n_steps (report), ==, 1);
  step = spindle_cleanup_report_get_step (report, 0);
  g_assert_cmpstr (step->label, ==, "child “reader”: stopped");
  g_assert_cmpint (step->duration_usec, >, 0);
  g_assert_cmpint (step->duration_usec, <=, spindle_cleanup_report_get_duration (report));

  spindle_test_close_pipe (pipe_child.fds);
}

typedef struct
{
  gint      reached;
  gboolean  slept_full;
  gboolean  fd_ready;
  GError   *fd_error;
} ForeverWait;

static GVariant *
forever_wait_body (SpindleJob  *job,
                   gpointer     data,
                   GError     **error)
{
  ForeverWait *wait = data;
  int fds[2];

  g_assert_no_errno (pipe (fds));
  g_atomic_int_set (&wait->reached, 1);
  wait->slept_full = spindle_job_sleep (job, FOREVER);
  wait->fd_ready = spindle_job_wait_fd (job, fds[0], G_IO_IN, FOREVER, &wait->fd_error);
  close (fds[0]);
  close (fds[1]);

  return NULL;
}

static void
test_forever_waits (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  ForeverWait wait = { 0 };
  SpindleWorker *worker;

  worker = spindle_test_spawn (set, "waits forever", forever_wait_body, &wait);
  spindle_test_wait_flag (&wait.reached);
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);

  g_assert_false (wait.slept_full);
  g_assert_false (wait.fd_ready);
  g_assert_error (wait.fd_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_clear_error (&wait.fd_error);
}

/* Item 7: compute regions nest **********************************************/

typedef struct
{
  gint reached;
  gint give_up;
} Compute;

static GVariant *
nested_compute_body (SpindleJob  *job,
                     gpointer     data,
                     GError     **error)
{
  Compute *compute = data;

  spindle_job_enter_compute (job);
  spindle_job_enter_compute (job);
  spindle_job_leave_compute (job);

  /* still inside the outer region: a force-cancel stops this loop */
  g_atomic_int_set (&compute->reached, 1);
  while (!g_atomic_int_get (&compute->give_up))
    ;

  spindle_job_leave_compute (job);

  return NULL;
}

static void
test_compute_regions_nest (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Compute compute = { 0 };
  SpindleWorker *worker;

  worker = spindle_test_spawn (set, "nested", nested_compute_body, &compute);
  spindle_test_wait_flag (&compute.reached);
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  g_atomic_int_set (&compute.give_up, 1);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
}

static GVariant *
unbalanced_compute_body (SpindleJob  *job,
                         gpointer     data,
                         GError     **error)
{
  spindle_job_enter_compute (job);
  spindle_job_leave_compute (job);
  spindle_job_leave_compute (job);

  return g_variant_new_boolean (TRUE);
}

static void
test_compute_unbalanced_leave (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
      SpindleWorker *worker;

      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      worker = spindle_test_spawn (set, "unbalanced", unbalanced_compute_body, NULL);
      spindle_test_wait_terminal (worker);
      g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*spindle_job_leave_compute: job *unbalanced* is not inside a compute region*");
}

/* Item 8: cleanup steps pushed where they would never run *******************/

typedef struct
{
  SpindleJob *job;
  gint        reached;
  guint       late_id;
  gint        late_ran;
} LatePush;

static gboolean
count_step (gpointer   data,
            GError   **error)
{
  g_atomic_int_inc ((gint *) data);
  return TRUE;
}

static GVariant *
stashing_body (SpindleJob  *job,
               gpointer     data,
               GError     **error)
{
  LatePush *late = data;

  g_atomic_pointer_set (&late->job, job);
  g_atomic_int_set (&late->reached, 1);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

static void
test_push_cleanup_from_other_thread (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  LatePush late = { 0 };
  SpindleWorker *worker;
  guint id;

  worker = spindle_test_spawn (set, "stasher", stashing_body, &late);
  spindle_test_wait_flag (&late.reached);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL,
                         "spindle_job_push_cleanup: called on job “stasher” from another thread*");
  id = spindle_job_push_cleanup (late.job, "from main", count_step, &late.late_ran);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (id, ==, 0);

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (g_atomic_int_get (&late.late_ran), ==, 0);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "");
}

static gboolean
pushing_step (gpointer   data,
              GError   **error)
{
  LatePush *late = data;

  late->late_id = spindle_job_push_cleanup (late->job, "too late", count_step, &late->late_ran);
  return TRUE;
}

static GVariant *
late_push_body (SpindleJob  *job,
                gpointer     data,
                GError     **error)
{
  LatePush *late = data;

  late->job = job;
  late->late_id = G_MAXUINT;
  spindle_job_push_cleanup (job, "push another", pushing_step, late);

  return NULL;
}

static void
test_push_cleanup_after_return (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
      LatePush late = { 0 };
      SpindleWorker *worker;

      g_log_set_always_fatal (G_LOG_FATAL_MASK);
      worker = spindle_test_spawn (set, "late pusher", late_push_body, &late);
      spindle_test_wait_terminal (worker);

      g_assert_cmpuint (late.late_id, ==, 0);
      g_assert_cmpint (g_atomic_int_get (&late.late_ran), ==, 0);
      spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "push another:OK");
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*spindle_job_push_cleanup: job *late pusher* has returned and its cleanup has begun*");
}

/* Item 9: finished workers keep no descriptor *******************************/

#define N_KEPT 2000
#define BATCH  200

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static GVariant *
waits_once_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  /* the first wait makes the job's wake fd; the cancellable too */
  spindle_job_sleep (job, 1);
  spindle_job_get_cancellable (job);

  return NULL;
}

static void
test_finished_keep_no_fds (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  guint before;

  /* one round first, for whatever GLib opens once */
  spindle_test_spawn (set, "warm-up", waits_once_body, NULL);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  before = count_open_fds ();

  for (guint i = 0; i < N_KEPT; i += BATCH)
    {
      for (guint j = 0; j < BATCH; j++)
        g_assert_nonnull (spindle_test_spawn (set, "kept", waits_once_body, NULL));
      spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, N_KEPT + 1);
  g_assert_cmpuint (count_open_fds (), <=, before);
}

/* A force-cancel reaches a held engine wait as a stop ***********************/

typedef struct
{
  gint     reached;
  gint     tid;
  gboolean slept_full;
} HeldSleep;

static GVariant *
held_sleep_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  HeldSleep *held = data;

  spindle_job_hold_cancel (job);
  g_atomic_int_set (&held->tid, gettid ());
  g_atomic_int_set (&held->reached, 1);
  held->slept_full = spindle_job_sleep (job, 600 * G_USEC_PER_SEC);
  spindle_job_release_cancel (job);

  return NULL;
}

static void
test_force_cancel_wakes_held_wait (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  HeldSleep held = { 0 };
  SpindleWorker *worker;

  worker = spindle_test_spawn (set, "held sleeper", held_sleep_body, &held);
  spindle_test_wait_flag (&held.reached);
  spindle_test_wait_blocked (g_atomic_int_get (&held.tid), NULL);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  g_assert_false (held.slept_full);
}

/* Item 18: a cancelled shutdown answers at once *****************************/

static void
test_shutdown_cancellable (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) cancelled = NULL;
  g_autoptr(GError) second = NULL;
  Stuck stuck = { 0 };
  SpindleWorker *worker;

  g_mutex_init (&stuck.mutex);
  g_cond_init (&stuck.cond);
  spindle_worker_set_set_stop_grace (set, 600 * G_USEC_PER_SEC);
  spindle_worker_set_set_cancel_grace (set, 600 * G_USEC_PER_SEC);

  worker = spindle_test_spawn (set, "stubborn", stuck_body, &stuck);
  spindle_test_wait_flag (&stuck.reached);

  spindle_worker_set_shutdown_async (set, cancellable, shutdown_done_cb, &cancelled);
  spindle_worker_set_shutdown_async (set, NULL, shutdown_done_cb, &second);
  drain_main_context ();
  g_assert_null (cancelled);

  g_cancellable_cancel (cancellable);
  spindle_test_wait_until (error_set_cond, &cancelled, SPINDLE_TEST_GUARD_MS);
  g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* the shutdown itself goes on */
  g_assert_null (second);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_CANCEL);

  stuck_release (&stuck);
  spindle_test_wait_until (error_set_cond, &second, SPINDLE_TEST_GUARD_MS);
  g_assert_error (second, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);

  g_mutex_clear (&stuck.mutex);
  g_cond_clear (&stuck.cond);
}

static void
test_shutdown_already_cancelled (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) outcome = NULL;
  gint reached = 0;

  spindle_test_spawn (set, "sleeper", sleeper_body, &reached);
  spindle_test_wait_flag (&reached);

  g_cancellable_cancel (cancellable);
  spindle_worker_set_shutdown_async (set, cancellable, shutdown_done_cb, &outcome);
  spindle_test_wait_until (error_set_cond, &outcome, SPINDLE_TEST_GUARD_MS);
  g_assert_error (outcome, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/hardening/orphan-child/set-gone", test_orphan_child_set_gone);
  g_test_add_func ("/engine/hardening/orphan-child/parent-removed", test_orphan_child_parent_removed);
  g_test_add_func ("/engine/hardening/child-start-failure-while-stopping", test_child_start_failure_while_stopping);
  g_test_add_func ("/engine/hardening/owner/body-cancels-itself", test_body_cancels_itself);
  g_test_add_func ("/engine/hardening/owner/calls-from-other-threads", test_calls_from_other_threads);
  g_test_add_func ("/engine/hardening/cleanup-cannot-spawn", test_cleanup_cannot_spawn);
  g_test_add_func ("/engine/hardening/forever/deadline", test_forever_deadline);
  g_test_add_func ("/engine/hardening/forever/shortest-deadline", test_shortest_deadline);
  g_test_add_func ("/engine/hardening/forever/graces", test_forever_graces);
  g_test_add_func ("/engine/hardening/forever/child-grace", test_forever_child_grace);
  g_test_add_func ("/engine/hardening/forever/waits", test_forever_waits);
  g_test_add_func ("/engine/hardening/compute/nest", test_compute_regions_nest);
  g_test_add_func ("/engine/hardening/compute/unbalanced-leave", test_compute_unbalanced_leave);
  g_test_add_func ("/engine/hardening/cleanup/push-from-other-thread", test_push_cleanup_from_other_thread);
  g_test_add_func ("/engine/hardening/cleanup/push-after-return", test_push_cleanup_after_return);
  g_test_add_func ("/engine/hardening/finished-keep-no-fds", test_finished_keep_no_fds);
  g_test_add_func ("/engine/hardening/held-wait-sees-force-cancel", test_force_cancel_wakes_held_wait);
  g_test_add_func ("/engine/hardening/shutdown/cancellable", test_shutdown_cancellable);
  g_test_add_func ("/engine/hardening/shutdown/already-cancelled", test_shutdown_already_cancelled);

  return g_test_run ();
}
