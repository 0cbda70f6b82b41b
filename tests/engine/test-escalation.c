/* test-escalation.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <unistd.h>

#include "spindle-test-util.h"

/* The grace of tests that wait for it to run out; the others get one so
 * long that no loaded machine uses it up, which costs them nothing.
 */
#define GRACE (300 * 1000)
#define LONG_GRACE (60 * G_USEC_PER_SEC)
/* Long enough for a loaded machine to have the worker's thread in its body
 * before the deadline's force-cancel: one cancelled before its body ends
 * CANCELLED, not unresponsive. */
#define DEADLINE (G_USEC_PER_SEC)

/* A body that nothing but the test reaches: a raw g_cond_wait is a futex,
 * which neither a stop nor pthread_cancel interrupts.
 */
typedef struct
{
  GMutex                 mutex;
  GCond                  cond;
  gboolean               released;
  gint                   waiting;
  gint                   tid;      /* its thread's, from the body: known before any event */
  SpindleTestCleanupLog *log;
} Unreachable;

static GVariant *
unreachable_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  Unreachable *u = data;

  spindle_test_cleanup_log_push (u->log, job, "never-reached", NULL);

  g_mutex_lock (&u->mutex);
  g_atomic_int_set (&u->tid, gettid ());
  g_atomic_int_set (&u->waiting, 1);
  while (!u->released)
    g_cond_wait (&u->cond, &u->mutex);
  g_mutex_unlock (&u->mutex);

  return NULL;
}

static void
unreachable_init (Unreachable           *u,
                  SpindleTestCleanupLog *log)
{
  *u = (Unreachable) { .log = log };
  g_mutex_init (&u->mutex);
  g_cond_init (&u->cond);
}

static void
unreachable_clear (Unreachable *u)
{
  g_cond_clear (&u->cond);
  g_mutex_clear (&u->mutex);
}

static void
unreachable_release (Unreachable *u)
{
  g_mutex_lock (&u->mutex);
  u->released = TRUE;
  g_cond_signal (&u->cond);
  g_mutex_unlock (&u->mutex);
}

static GVariant *
quick_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  return g_variant_new_int32 (42);
}

static SpindleWorker *
spawn_with (SpindleWorkerSet *set,
            gint64            deadline,
            gint64            stop_grace,
            gint64            cancel_grace,
            SpindleJobFunc    func,
            gpointer          data)
{
  g_autoptr(GError) error = NULL;
  SpindleSpawnOptions options = {
    .deadline_usec = deadline,
    .stop_grace_usec = stop_grace,
    .cancel_grace_usec = cancel_grace,
  };
  SpindleWorker *worker = spindle_worker_set_spawn_full (set, &options, "escalating", func, data, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (worker);

  return worker;
}

typedef struct
{
  GPtrArray *steps;      /* "escalated(stop)" … */
  gint64     last_at;
} Timeline;

static void
on_escalated (SpindleWorker     *worker,
              SpindleEscalation  escalation,
              Timeline          *timeline)
{
  g_ptr_array_add (timeline->steps, g_strdup_printf ("escalated(%s)", spindle_escalation_to_string (escalation)));
}

static void
on_escalation_at (SpindleWorker *worker,
                  GParamSpec    *pspec,
                  Timeline      *timeline)
{
  gint64 at = spindle_worker_get_escalation_at (worker);

  if (at == 0)
    return;

  /* each new escalation lies ahead, within one grace or the deadline */
  g_assert_cmpint (at, >=, timeline->last_at);
  g_assert_cmpint (at, <=, g_get_monotonic_time () + 3 * GRACE);
  timeline->last_at = at;
  g_ptr_array_add (timeline->steps, g_strdup_printf ("next(%s)", spindle_escalation_to_string (spindle_worker_get_escalation (worker))));
}

static void
on_request (SpindleWorker     *worker,
            SpindleStopReason  reason,
            Timeline          *timeline)
{
  g_ptr_array_add (timeline->steps, g_strdup_printf ("request(%s,%s)",
                                                     spindle_worker_state_to_string (spindle_worker_get_state (worker)),
                                                     spindle_stop_reason_to_string (reason)));
}

static char *
timeline_join (Timeline *timeline)
{
  g_ptr_array_add (timeline->steps, NULL);
  return g_strjoinv (" ", (char **) timeline->steps->pdata);
}

static gboolean
cleanup_ran (gpointer data)
{
  return spindle_test_cleanup_log_runs (data, "never-reached") > 0;
}

static gboolean
flag_set_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Asserting that nothing happens takes time by nature: let the main loop
 * run, dispatching whatever would escalate, for a while.
 */
static void
run_main_loop_for (gint64 usec)
{
  gboolean done = FALSE;

  g_timeout_add ((guint) (usec / 1000), flag_set_cb, &done);
  spindle_test_wait_until (flag_is_set, &done, SPINDLE_TEST_GUARD_MS);
}

static gboolean
is_unresponsive (gpointer data)
{
  return spindle_worker_get_unresponsive (data);
}

/* deadline → stop (timeout) → stop grace → cancel → cancel grace → unresponsive */
static void
test_deadline_timeline (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestCleanupLog) log = spindle_test_cleanup_log_new ();
  Unreachable u;
  Timeline timeline = { g_ptr_array_new_with_free_func (g_free), 0 };
  g_autofree char *steps = NULL;
  SpindleWorker *worker;

  unreachable_init (&u, log);
  worker = spawn_with (set, DEADLINE, GRACE, GRACE, unreachable_body, &u);

  g_assert_cmpint (spindle_worker_get_deadline (worker), ==, spindle_worker_get_started_at (worker) + DEADLINE);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_STOP);
  g_assert_cmpint (spindle_worker_get_escalation_at (worker), ==, spindle_worker_get_deadline (worker));

  g_signal_connect (worker, "escalated", G_CALLBACK (on_escalated), &timeline);
  g_signal_connect (worker, "notify::escalation-at", G_CALLBACK (on_escalation_at), &timeline);
  g_signal_connect (worker, "stop-requested", G_CALLBACK (on_request), &timeline);
  g_signal_connect (worker, "cancel-requested", G_CALLBACK (on_request), &timeline);

  spindle_test_wait_until (is_unresponsive, worker, SPINDLE_TEST_GUARD_MS);

  steps = timeline_join (&timeline);
  g_assert_cmpstr (steps, ==,
                   "escalated(stop) next(force-cancel) request(stopping,timeout) "
                   "escalated(force-cancel) next(unresponsive) request(cancelling,timeout) "
                   "escalated(unresponsive)");
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_TIMEOUT);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_NONE);
  g_assert_cmpint (spindle_worker_get_escalation_at (worker), ==, 0);

  /* abandon: detached, its cleanup step reported as never run */
  spindle_worker_abandon (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);
  g_assert_true (spindle_worker_get_unresponsive (worker));
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker),
                              "never-reached:NOT_RUN(Never ran: the worker was abandoned)");
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  /* once let go, the detached thread still runs its cleanup, reporting to nobody */
  unreachable_release (&u);
  spindle_test_wait_until (cleanup_ran, log, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (log, "never-reached"), ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);
  spindle_test_wait_thread_gone (spindle_worker_get_tid (worker));

  unreachable_clear (&u);
  g_ptr_array_unref (timeline.steps);
}

static void
test_user_stop_escalates (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  SpindleTestReader reader;
  gint64 asked;

  spindle_test_reader_init (&reader);
  spindle_worker_set_set_auto_escalate (set, TRUE);
  worker = spawn_with (set, -1, GRACE, LONG_GRACE, spindle_test_reader_body, &reader);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_NONE);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_blocked (spindle_worker_get_tid (worker), NULL);

  /* the force is due a grace after the request, however late this runs */
  asked = g_get_monotonic_time ();
  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_CANCEL);
  g_assert_cmpint (spindle_worker_get_escalation_at (worker), >=, asked + GRACE);

  /* read() ignores the stop; the escalation's force-cancel reaches it */
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);
  g_assert_false (spindle_worker_get_unresponsive (worker));
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_NONE);

  spindle_test_reader_clear (&reader);
}

static void
test_no_auto_escalation (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  SpindleTestReader reader;

  spindle_test_reader_init (&reader);
  worker = spawn_with (set, -1, GRACE, GRACE, spindle_test_reader_body, &reader);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_NONE);
  g_assert_cmpint (spindle_worker_get_escalation_at (worker), ==, 0);

  /* several graces later it is still only stopping */
  run_main_loop_for (4 * GRACE);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);

  spindle_test_pipe_poke (reader.fds[1]);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);

  spindle_test_reader_clear (&reader);
}

static void
test_deadline_met (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker = spawn_with (set, 60 * G_USEC_PER_SEC, LONG_GRACE, LONG_GRACE, quick_body, NULL);

  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_STOP);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_NONE);
  g_assert_cmpint (spindle_worker_get_escalation_at (worker), ==, 0);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_NONE);
}

static void
test_default_deadline (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *with_default, *without;
  SpindleTestReader readers[2];

  spindle_test_reader_init (&readers[0]);
  spindle_test_reader_init (&readers[1]);
  spindle_worker_set_set_default_deadline (set, 30 * G_USEC_PER_SEC);
  with_default = spawn_with (set, 0, LONG_GRACE, LONG_GRACE, spindle_test_reader_body, &readers[0]);
  without = spawn_with (set, -1, LONG_GRACE, LONG_GRACE, spindle_test_reader_body, &readers[1]);

  g_assert_cmpint (spindle_worker_get_deadline (with_default), ==,
                   spindle_worker_get_started_at (with_default) + 30 * G_USEC_PER_SEC);
  g_assert_cmpint (spindle_worker_get_deadline (without), ==, 0);

  spindle_worker_set_cancel_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  spindle_test_reader_clear (&readers[0]);
  spindle_test_reader_clear (&readers[1]);
}

static void
test_abandon_refused_while_running (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  SpindleTestReader reader;

  spindle_test_reader_init (&reader);
  worker = spawn_with (set, -1, LONG_GRACE, LONG_GRACE, spindle_test_reader_body, &reader);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_abandon (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  spindle_worker_abandon (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);

  spindle_test_reader_clear (&reader);
}

/* A request's own state change runs a handler that ends the worker's
 * watch: it abandons the worker, or drops the set (a window closing)
 * while something else still holds the worker. The request goes on: it
 * must not arm an escalation on a worker that is over or disowned, which
 * would then be marked unresponsive, or escalate again, graces later.
 * (A user's stop of a worker without its set arms nothing anyway: a
 * deadline's stop does.)
 */
typedef enum
{
  BY_STOP,
  BY_DEADLINE,
  BY_CANCEL,
} Request;

typedef struct
{
  SpindleWorkerSet   *set;
  SpindleWorkerState  at_state;
  gboolean            drop_set;   /* or abandon */
  guint               n_acted;
  guint               n_escalated;
} Ender;

static gboolean
ender_acted (gpointer data)
{
  return ((Ender *) data)->n_acted > 0;
}

static void
end_on_state (SpindleWorker *worker,
              GParamSpec    *pspec,
              Ender         *ender)
{
  if (spindle_worker_get_state (worker) != ender->at_state)
    return;

  ender->n_acted++;
  if (ender->drop_set)
    g_clear_object (&ender->set);
  else
    spindle_worker_abandon (worker);
}

/* the escalations after the handler ended the watch */
static void
count_escalated (SpindleWorker     *worker,
                 SpindleEscalation  escalation,
                 Ender             *ender)
{
  if (ender->n_acted > 0)
    ender->n_escalated++;
}

static void
assert_request_ended_arms_nothing (Request  request,
                                   gboolean drop_set)
{
  g_autoptr(SpindleTestCleanupLog) log = spindle_test_cleanup_log_new ();
  g_autoptr(SpindleWorker) worker = NULL;
  SpindleWorkerState at_state = request == BY_CANCEL ? SPINDLE_WORKER_STATE_CANCELLING
                                                     : SPINDLE_WORKER_STATE_STOPPING;
  Ender ender = { spindle_test_set_new (), at_state, drop_set, 0, 0 };
  Unreachable u;

  unreachable_init (&u, log);
  spindle_worker_set_set_auto_escalate (ender.set, TRUE);
  worker = g_object_ref (spawn_with (ender.set, request == BY_DEADLINE ? DEADLINE : -1,
                                     GRACE, GRACE, unreachable_body, &u));
  g_signal_connect (worker, "notify::state", G_CALLBACK (end_on_state), &ender);
  g_signal_connect (worker, "escalated", G_CALLBACK (count_escalated), &ender);
  spindle_test_wait_flag (&u.waiting);

  if (request == BY_STOP)
    spindle_worker_request_stop (worker);
  else if (request == BY_CANCEL)
    spindle_worker_force_cancel (worker);
  else
    spindle_test_wait_until (ender_acted, &ender, SPINDLE_TEST_GUARD_MS);

  g_assert_cmpuint (ender.n_acted, ==, 1);
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_NONE);
  g_assert_cmpint (spindle_worker_get_escalation_at (worker), ==, 0);

  /* past every grace it could have armed */
  run_main_loop_for (3 * GRACE);
  g_assert_cmpuint (ender.n_escalated, ==, 0);
  g_assert_false (spindle_worker_get_unresponsive (worker));
  g_assert_cmpint (spindle_worker_get_escalation (worker), ==, SPINDLE_ESCALATION_NONE);

  /* the thread, let go, ends on its own */
  unreachable_release (&u);
  spindle_test_wait_until (cleanup_ran, log, SPINDLE_TEST_GUARD_MS);
  /* not the worker's: one ended before its start was delivered never learns it */
  spindle_test_wait_thread_gone (g_atomic_int_get (&u.tid));
  g_signal_handlers_disconnect_by_data (worker, &ender);
  g_clear_object (&ender.set);
  unreachable_clear (&u);
}

static void
test_stop_abandoned_arms_nothing (void)
{
  assert_request_ended_arms_nothing (BY_STOP, FALSE);
}

static void
test_cancel_abandoned_arms_nothing (void)
{
  assert_request_ended_arms_nothing (BY_CANCEL, FALSE);
}

static void
test_deadline_disowned_arms_nothing (void)
{
  assert_request_ended_arms_nothing (BY_DEADLINE, TRUE);
}

static void
test_cancel_disowned_arms_nothing (void)
{
  assert_request_ended_arms_nothing (BY_CANCEL, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/escalation/deadline-timeline", test_deadline_timeline);
  g_test_add_func ("/engine/escalation/user-stop-escalates", test_user_stop_escalates);
  g_test_add_func ("/engine/escalation/no-auto-escalation", test_no_auto_escalation);
  g_test_add_func ("/engine/escalation/deadline-met", test_deadline_met);
  g_test_add_func ("/engine/escalation/default-deadline", test_default_deadline);
  g_test_add_func ("/engine/escalation/abandon-refused-while-running", test_abandon_refused_while_running);
  g_test_add_func ("/engine/escalation/stop-abandoned-arms-nothing", test_stop_abandoned_arms_nothing);
  g_test_add_func ("/engine/escalation/cancel-abandoned-arms-nothing", test_cancel_abandoned_arms_nothing);
  g_test_add_func ("/engine/escalation/deadline-disowned-arms-nothing", test_deadline_disowned_arms_nothing);
  g_test_add_func ("/engine/escalation/cancel-disowned-arms-nothing", test_cancel_disowned_arms_nothing);

  return g_test_run ();
}
