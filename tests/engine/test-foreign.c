/* test-foreign.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <unistd.h>

#include "spindle-test-util.h"

/* Bodies spawned with SPINDLE_SPAWN_FLAGS_FOREIGN_BODY stand for code in a
 * language with a runtime of its own (Python): their thread is never
 * pthread_cancel'ed. A force-cancel interrupts them (stop request, waits
 * woken, the set's interrupt signal for the binding) instead.
 */

#define LONG_WAIT (60 * G_USEC_PER_SEC)

typedef struct
{
  SpindleTestCleanupLog *log;
  SpindleTestReader      reader;
  gint                   reached;
  gint                   returned;   /* the code after the blocking call ran */
  gint                   slept;      /* 1: slept it all, 2: woken */
  gint                   saw_interrupt;
  gint                   release;    /* lets a spinning body go */
  volatile gulong        counter;
} Foreign;

typedef struct
{
  guint          n;
  int            tid;
  SpindleWorker *worker;
} Interrupts;

static void
on_interrupt (SpindleWorkerSet *set,
              SpindleWorker    *worker,
              int               tid,
              gpointer          data)
{
  Interrupts *interrupts = data;

  g_assert_true (spindle_test_is_main_thread ());
  interrupts->n++;
  interrupts->tid = tid;
  interrupts->worker = worker;
}

static gboolean
has_tid (gpointer data)
{
  return spindle_worker_get_tid (data) > 0;
}

static gboolean
has_child (gpointer data)
{
  return g_list_model_get_n_items (spindle_worker_get_children (data)) > 0;
}

static SpindleWorker *
spawn_foreign (SpindleWorkerSet *set,
               const char       *name,
               SpindleJobFunc    func,
               gpointer          data)
{
  SpindleSpawnOptions options = { .flags = SPINDLE_SPAWN_FLAGS_FOREIGN_BODY };
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn_full (set, &options, name, func, data, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (worker);

  return worker;
}

/* What a binding's body does: wait, then end with the interrupt error. */
static GVariant *
sleeping_body (SpindleJob  *job,
               gpointer     data,
               GError     **error)
{
  Foreign *foreign = data;
  gboolean slept;

  spindle_test_cleanup_log_push (foreign->log, job, "finally", NULL);
  g_atomic_int_set (&foreign->reached, 1);
  slept = spindle_job_sleep (job, LONG_WAIT);
  g_atomic_int_set (&foreign->slept, slept ? 1 : 2);
  g_atomic_int_set (&foreign->saw_interrupt, spindle_job_is_interrupted (job));
  g_atomic_int_set (&foreign->returned, 1);

  g_set_error_literal (error, SPINDLE_ERROR, SPINDLE_ERROR_INTERRUPTED, "interrupted");
  return NULL;
}

static void
test_interrupt_wakes_wait (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestCleanupLog) log = spindle_test_cleanup_log_new ();
  Foreign foreign = { .log = log };
  Interrupts interrupts = { 0 };
  SpindleWorker *worker;

  g_signal_connect (set, "interrupt", G_CALLBACK (on_interrupt), &interrupts);
  worker = spawn_foreign (set, "foreign-sleeper", sleeping_body, &foreign);
  spindle_test_wait_flag (&foreign.reached);
  spindle_test_wait_until (has_tid, worker, SPINDLE_TEST_GUARD_MS);

  spindle_worker_force_cancel (worker);
  g_assert_cmpuint (interrupts.n, ==, 1);
  g_assert_true (interrupts.worker == worker);
  g_assert_cmpint (interrupts.tid, ==, spindle_worker_get_tid (worker));

  spindle_test_wait_terminal (worker);
  /* the body went on after its wait: nothing unwound it */
  g_assert_cmpint (foreign.slept, ==, 2);
  g_assert_cmpint (foreign.saw_interrupt, ==, 1);
  g_assert_cmpint (foreign.returned, ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_null (spindle_worker_get_error (worker));
  g_assert_cmpuint (spindle_test_cleanup_log_runs (log, "finally"), ==, 1);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (worker), "finally:OK");
}

static GVariant *
reading_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Foreign *foreign = data;
  GVariant *result = spindle_test_reader_body (job, &foreign->reader, error);

  /* read() is a cancellation point: reaching here proves no cancel acted */
  g_atomic_int_set (&foreign->returned, 1);
  return result;
}

static gboolean
is_unresponsive (gpointer data)
{
  return spindle_worker_get_unresponsive (data);
}

static void
test_never_pthread_cancelled (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Foreign foreign = { 0 };
  SpindleWorker *worker;

  spindle_worker_set_set_cancel_grace (set, 50 * 1000);
  spindle_test_reader_init (&foreign.reader);
  worker = spawn_foreign (set, "foreign-reader", reading_body, &foreign);
  spindle_test_reader_wait_blocked (&foreign.reader);

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);

  /* a native body would be gone by now; this one still sits in read() */
  spindle_test_wait_until (is_unresponsive, worker, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (foreign.returned, ==, 0);
  g_assert_false (spindle_worker_is_terminal (worker));
  spindle_test_wait_blocked (foreign.reader.tid, "pipe_read");

  /* once the call returns, the body ends on its own terms */
  spindle_test_pipe_poke (foreign.reader.fds[1]);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (foreign.returned, ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);

  spindle_test_reader_clear (&foreign.reader);
}

static GVariant *
spinning_body (SpindleJob  *job,
               gpointer     data,
               GError     **error)
{
  Foreign *foreign = data;

  /* a compute region would be cancelled at once in a native body */
  spindle_job_enter_compute (job);
  g_atomic_int_set (&foreign->reached, 1);
  while (!g_atomic_int_get (&foreign->release))
    foreign->counter++;
  spindle_job_leave_compute (job);
  g_atomic_int_set (&foreign->returned, 1);

  return NULL;
}

static void
test_ignored_interrupt_abandoned (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Foreign foreign = { 0 };
  SpindleWorker *worker;
  pid_t tid;

  spindle_worker_set_set_cancel_grace (set, 50 * 1000);
  worker = spawn_foreign (set, "foreign-spinner", spinning_body, &foreign);
  spindle_test_wait_flag (&foreign.reached);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_until (is_unresponsive, worker, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (foreign.returned, ==, 0);

  spindle_worker_abandon (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);

  /* the thread was never cancelled: it runs until let go */
  tid = spindle_worker_get_tid (worker);
  g_atomic_int_set (&foreign.release, 1);
  spindle_test_wait_thread_gone (tid);
  g_assert_cmpint (foreign.returned, ==, 1);
}

static void
test_diagnosis_says_so (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) native = NULL;
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  Foreign foreign = { 0 };
  SpindleTestReader reader;
  SpindleWorker *native_worker;
  SpindleWorker *worker;

  spindle_test_reader_init (&foreign.reader);
  spindle_test_reader_init (&reader);
  worker = spawn_foreign (set, "foreign-reader", reading_body, &foreign);
  native_worker = spindle_test_spawn (set, "native-reader", spindle_test_reader_body, &reader);
  spindle_test_reader_wait_blocked (&foreign.reader);
  spindle_test_reader_wait_blocked (&reader);
  spindle_test_wait_until (has_tid, worker, SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_until (has_tid, native_worker, SPINDLE_TEST_GUARD_MS);

  native = spindle_worker_diagnose_now (native_worker);
  diagnosis = spindle_worker_diagnose_now (worker);
  g_assert_cmpint (native->reach, ==, SPINDLE_REACH_CANCEL);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_NOTHING);
  g_assert_nonnull (strstr (diagnosis->summary, "runtime of its own"));
  g_assert_nonnull (strstr (diagnosis->advice, "never cancelled"));

  spindle_test_pipe_poke (foreign.reader.fds[1]);
  spindle_test_pipe_poke (reader.fds[1]);
  spindle_test_wait_terminal (worker);
  spindle_test_wait_terminal (native_worker);
  spindle_test_reader_clear (&foreign.reader);
  spindle_test_reader_clear (&reader);
}

typedef struct
{
  Foreign parent;
  Foreign child;
} Family;

static GVariant *
parent_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Family *family = data;

  /* no flag: a foreign body's children are foreign too */
  if (spindle_job_spawn_child (job, "foreign-child", sleeping_body, &family->child, NULL, error) == NULL)
    return NULL;
  return sleeping_body (job, &family->parent, error);
}

static void
test_children_interrupted (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestCleanupLog) log = spindle_test_cleanup_log_new ();
  Family family = { .parent = { .log = log }, .child = { .log = log } };
  Interrupts interrupts = { 0 };
  g_autoptr(SpindleWorker) child = NULL;
  SpindleWorker *worker;

  g_signal_connect (set, "interrupt", G_CALLBACK (on_interrupt), &interrupts);
  worker = spawn_foreign (set, "foreign-parent", parent_body, &family);
  spindle_test_wait_flag (&family.parent.reached);
  spindle_test_wait_flag (&family.child.reached);
  spindle_test_wait_until (has_child, worker, SPINDLE_TEST_GUARD_MS);
  child = g_list_model_get_item (spindle_worker_get_children (worker), 0);

  spindle_worker_force_cancel (worker);
  g_assert_cmpuint (interrupts.n, ==, 2);

  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (child), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (family.child.returned, ==, 1);
  g_assert_cmpint (family.parent.returned, ==, 1);
  g_assert_cmpuint (spindle_test_cleanup_log_runs (log, "finally"), ==, 2);
}

/* An error of the body's own, after an interrupt, still fails the worker. */
static GVariant *
failing_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Foreign *foreign = data;

  g_atomic_int_set (&foreign->reached, 1);
  spindle_job_sleep (job, LONG_WAIT);
  g_set_error_literal (error, SPINDLE_ERROR, SPINDLE_ERROR_BODY_EXCEPTION, "ValueError: bad input");
  return NULL;
}

static void
test_other_error_fails (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Foreign foreign = { 0 };
  SpindleWorker *worker;

  worker = spawn_foreign (set, "foreign-failing", failing_body, &foreign);
  spindle_test_wait_flag (&foreign.reached);
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (spindle_worker_get_error (worker), SPINDLE_ERROR, SPINDLE_ERROR_BODY_EXCEPTION);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/foreign/interrupt-wakes-wait", test_interrupt_wakes_wait);
  g_test_add_func ("/engine/foreign/never-pthread-cancelled", test_never_pthread_cancelled);
  g_test_add_func ("/engine/foreign/ignored-interrupt-abandoned", test_ignored_interrupt_abandoned);
  g_test_add_func ("/engine/foreign/diagnosis-says-so", test_diagnosis_says_so);
  g_test_add_func ("/engine/foreign/children-interrupted", test_children_interrupted);
  g_test_add_func ("/engine/foreign/other-error-fails", test_other_error_fails);

  return g_test_run ();
}
