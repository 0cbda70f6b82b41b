/* test-states.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <unistd.h>

#include "spindle-state-private.h"
#include "spindle-test-util.h"

#define S(name) SPINDLE_WORKER_STATE_##name

/* The legal edges, written out here independently of the engine's table;
 * the other tests reach each of them through the API.
 */
static const struct { SpindleWorkerState from, to; } legal[] = {
  { S (STARTING), S (RUNNING) },      /* every worker */
  { S (STARTING), S (STOPPING) },     /* lifecycle: stop-before-running */
  { S (STARTING), S (CANCELLING) },   /* lifecycle: cancel-before-running */
  { S (STARTING), S (FAILED) },       /* lifecycle: thread-create-failure */
  { S (RUNNING), S (STOPPING) },      /* lifecycle: states-stop */
  { S (RUNNING), S (CANCELLING) },    /* lifecycle: states-cancel */
  { S (RUNNING), S (CLEANING) },      /* lifecycle: finish-delivers-result */
  { S (STOPPING), S (CANCELLING) },   /* lifecycle: states-stop-then-cancel */
  { S (STOPPING), S (CLEANING) },     /* lifecycle: states-stop */
  { S (STOPPING), S (ABANDONED) },    /* children: unkillable-child-abandoned */
  { S (STOPPING), S (FAILED) },       /* hardening: child-start-failure-while-stopping */
  { S (CANCELLING), S (CLEANING) },   /* lifecycle: states-cancel */
  { S (CANCELLING), S (ABANDONED) },  /* escalation: deadline-timeline */
  { S (CANCELLING), S (FAILED) },     /* a child cancelled with its parent before its thread failed to start */
  { S (CLEANING), S (FINISHED) },     /* lifecycle: finish-delivers-result */
  { S (CLEANING), S (FAILED) },       /* lifecycle: error-fails */
  { S (CLEANING), S (STOPPED) },      /* lifecycle: states-stop */
  { S (CLEANING), S (CANCELLED) },    /* lifecycle: states-cancel */
  { S (CLEANING), S (ABANDONED) },    /* below: abandon-while-cleaning */
};

static gboolean
is_legal (SpindleWorkerState from,
          SpindleWorkerState to)
{
  for (guint i = 0; i < G_N_ELEMENTS (legal); i++)
    if (legal[i].from == from && legal[i].to == to)
      return TRUE;

  return FALSE;
}

/* Every one of the 100 pairs, and out-of-range values. */
static void
test_table (void)
{
  for (guint from = 0; from < SPINDLE_WORKER_N_STATES; from++)
    for (guint to = 0; to < SPINDLE_WORKER_N_STATES; to++)
      {
        g_test_message ("%s → %s", spindle_worker_state_to_string (from), spindle_worker_state_to_string (to));
        g_assert_cmpint (_spindle_state_can_transition (from, to), ==, is_legal (from, to));
      }

  for (guint state = S (FINISHED); state < SPINDLE_WORKER_N_STATES; state++)
    {
      g_assert_true (spindle_worker_state_is_terminal (state));
      for (guint to = 0; to < SPINDLE_WORKER_N_STATES; to++)
        g_assert_false (_spindle_state_can_transition (state, to));
    }

  g_assert_false (_spindle_state_can_transition (SPINDLE_WORKER_N_STATES, S (RUNNING)));
  g_assert_false (_spindle_state_can_transition (S (RUNNING), SPINDLE_WORKER_N_STATES));
}

/* A cleanup step that blocks in read(): cancellation is off in cleanup, so
 * only abandon ends the wait for it.
 */
typedef struct
{
  int  fds[2];
  gint in_step;
  gint ran;
} Hang;

static gboolean
hanging_step (gpointer   data,
              GError   **error)
{
  Hang *hang = data;
  char c;

  g_atomic_int_set (&hang->in_step, 1);
  if (read (hang->fds[0], &c, 1) < 0)
    return FALSE;
  g_atomic_int_inc (&hang->ran);

  return TRUE;
}

static gboolean
never_reached_step (gpointer   data,
                    GError   **error)
{
  g_atomic_int_inc (&((Hang *) data)->ran);
  return TRUE;
}

static GVariant *
hang_body (SpindleJob  *job,
           gpointer     data,
           GError     **error)
{
  spindle_job_push_cleanup (job, "runs last", never_reached_step, data);
  spindle_job_push_cleanup (job, "hangs", hanging_step, data);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

static void
test_abandon_while_cleaning (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Hang hang = { { -1, -1 } };
  SpindleWorker *worker;

  spindle_test_pipe (hang.fds);
  worker = spindle_test_spawn (set, "hangs in cleanup", hang_body, &hang);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  spindle_worker_request_stop (worker);
  spindle_test_wait_flag (&hang.in_step);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_CLEANING);

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CLEANING);

  spindle_worker_abandon (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker),
                              "hangs:NOT_RUN(Still running when the worker was abandoned: it never finished) "
                              "runs last:NOT_RUN(Never ran: the worker was abandoned)");

  /* let go, the detached thread finishes its cleanup, reporting to nobody */
  spindle_test_pipe_poke (hang.fds[1]);
  spindle_test_wait_count (&hang.ran, 2);
  spindle_test_wait_thread_gone (spindle_worker_get_tid (worker));
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);

  spindle_test_close_pipe (hang.fds);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/states/table", test_table);
  g_test_add_func ("/engine/states/abandon-while-cleaning", test_abandon_while_cleaning);

  return g_test_run ();
}
