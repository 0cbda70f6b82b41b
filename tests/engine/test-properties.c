/* test-properties.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What a worker shows: every property, read through GObject as a view
 * binds it, in situations where its value is known.
 */

#include <string.h>
#include <unistd.h>

#include "spindle.h"
#include "spindle-test-util.h"

typedef SpindleTestFixture Fixture;

/* Long enough that a loaded machine never uses it up: the tests end every
 * wait for a child themselves.
 */
#define LONG_GRACE (60 * G_USEC_PER_SEC)
#define DEADLINE (120 * G_USEC_PER_SEC)

/* Every property the worker has, with its type: a new property fails the
 * test until it is read somewhere below.
 */
static const struct
{
  const char *name;
  GType     (*type) (void);
} all_properties[] = {
  { "id", NULL }, { "name", NULL }, { "kind", NULL }, { "tid", NULL },
  { "state", spindle_worker_state_get_type }, { "stop-reason", spindle_stop_reason_get_type },
  { "started-at", NULL }, { "finished-at", NULL }, { "phase", NULL }, { "progress", NULL },
  { "waiting-for", NULL }, { "cleanup-report", spindle_cleanup_report_get_type },
  { "result", NULL }, { "error", g_error_get_type }, { "parent", spindle_worker_get_type },
  { "children", g_list_model_get_type }, { "deadline", NULL }, { "escalation-at", NULL },
  { "escalation", spindle_escalation_get_type }, { "unresponsive", NULL }, { "cpu-time", NULL },
  { "cpu-percent", NULL }, { "kernel-state", NULL }, { "wait-channel", NULL }, { "syscall", NULL },
  { "in-compute", NULL },
};

static void
test_all_read_only (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (SPINDLE_TYPE_WORKER);
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n_pspecs);
  g_assert_cmpuint (n_pspecs, ==, G_N_ELEMENTS (all_properties));

  for (guint i = 0; i < G_N_ELEMENTS (all_properties); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), all_properties[i].name);

      g_test_message ("property %s", all_properties[i].name);
      g_assert_nonnull (pspec);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
      g_assert_false (pspec->flags & G_PARAM_WRITABLE);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      if (all_properties[i].type != NULL)
        g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == all_properties[i].type ());
    }
}

/* A parent that spins in a compute region until asked to stop, with a
 * child blocked in a raw read() that a stop does not end.
 */
typedef struct
{
  SpindleTestReader *reader;
  pid_t              tid;
} Spinner;

static GVariant *
spinner_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Spinner *spinner = data;

  spinner->tid = gettid ();
  spindle_job_set_phase (job, "spinning");
  spindle_job_set_progress (job, 0.5);
  if (spindle_job_spawn_child (job, "reader", spindle_test_reader_body, spinner->reader, NULL, error) == NULL)
    return NULL;

  spindle_job_enter_compute (job);
  while (!spindle_job_should_stop (job))
    ;
  spindle_job_leave_compute (job);

  return g_variant_new_string ("spun");
}

static SpindleWorker *
spawn_spinner (Fixture *fixture,
               Spinner *spinner)
{
  g_autoptr(GError) error = NULL;
  SpindleSpawnOptions options = {
    .kind = "spinner",
    .deadline_usec = DEADLINE,
    .stop_grace_usec = LONG_GRACE,
    .cancel_grace_usec = LONG_GRACE,
  };
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn_full (fixture->set, &options, "parent", spinner_body,
                                          spinner, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (worker);

  return worker;
}

typedef struct
{
  SpindleSampler *sampler;
  SpindleWorker  *parent;
  SpindleWorker  *child;
} Sampled;

/* Ticks the sampler until the spinner computes and its child reads. */
static gboolean
sampled_busy_and_blocked (gpointer data)
{
  Sampled *sampled = data;
  const char *channel;

  spindle_sampler_tick (sampled->sampler);
  channel = spindle_worker_get_wait_channel (sampled->child);

  return spindle_worker_get_in_compute (sampled->parent) &&
         spindle_worker_get_cpu_time (sampled->parent) > 0 &&
         spindle_worker_get_cpu_percent (sampled->parent) > 0.0 &&
         g_strcmp0 (spindle_worker_get_kernel_state (sampled->child), "S") == 0 &&
         channel != NULL && strstr (channel, "pipe_read") != NULL;
}

static gboolean
has_child (gpointer data)
{
  return g_list_model_get_n_items (spindle_worker_get_children (data)) == 1;
}

static void
assert_identity (SpindleWorker *worker,
                 guint64        id,
                 const char    *name,
                 const char    *kind,
                 pid_t          tid,
                 SpindleWorker *parent)
{
  g_autofree char *got_name = NULL;
  g_autofree char *got_kind = NULL;
  g_autoptr(SpindleWorker) got_parent = NULL;
  guint64 got_id = 0;
  int got_tid = 0;

  g_object_get (worker, "id", &got_id, "name", &got_name, "kind", &got_kind,
                "tid", &got_tid, "parent", &got_parent, NULL);
  g_assert_cmpuint (got_id, ==, id);
  g_assert_cmpstr (got_name, ==, name);
  g_assert_cmpstr (got_kind, ==, kind);
  g_assert_cmpint (got_tid, ==, tid);
  g_assert_true (got_parent == parent);
}

/* The parent, running: its own figures, its deadline, its child. */
static void
assert_running_parent (SpindleWorker *parent,
                       SpindleWorker *child)
{
  g_autofree char *phase = NULL;
  g_autofree char *waiting_for = NULL;
  g_autoptr(GListModel) children = NULL;
  g_autoptr(SpindleWorker) first = NULL;
  SpindleCleanupReport *report = NULL;
  SpindleWorkerState state = 0;
  SpindleStopReason reason = 0;
  SpindleEscalation escalation = 0;
  gint64 started_at = 0, finished_at = -1, deadline = 0, escalation_at = 0;
  double progress = 0;
  gboolean unresponsive = TRUE;
  GVariant *result = NULL;
  GError *error = NULL;

  g_object_get (parent, "state", &state, "stop-reason", &reason, "started-at", &started_at,
                "finished-at", &finished_at, "phase", &phase, "progress", &progress,
                "waiting-for", &waiting_for, "cleanup-report", &report, "result", &result,
                "error", &error, "children", &children, "deadline", &deadline,
                "escalation-at", &escalation_at, "escalation", &escalation,
                "unresponsive", &unresponsive, NULL);

  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpint (reason, ==, SPINDLE_STOP_REASON_NONE);
  g_assert_cmpint (started_at, >, 0);
  g_assert_cmpint (started_at, <=, g_get_monotonic_time ());
  g_assert_cmpint (finished_at, ==, 0);
  g_assert_cmpstr (phase, ==, "spinning");
  g_assert_cmpfloat (progress, ==, 0.5);
  g_assert_null (waiting_for);
  g_assert_null (report);
  g_assert_null (result);
  g_assert_null (error);
  g_assert_cmpuint (g_list_model_get_n_items (children), ==, 1);
  first = g_list_model_get_item (children, 0);
  g_assert_true (first == child);
  g_assert_cmpint (deadline, ==, started_at + DEADLINE);
  g_assert_cmpint (escalation, ==, SPINDLE_ESCALATION_STOP);
  g_assert_cmpint (escalation_at, ==, deadline);
  g_assert_false (unresponsive);
}

/* What the sampler read: the parent busy computing, the child in read(). */
static void
assert_sampled (SpindleWorker *parent,
                SpindleWorker *child)
{
  g_autofree char *parent_state = NULL;
  g_autofree char *child_state = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *syscall = NULL;
  gboolean parent_computes = FALSE, child_computes = TRUE;
  gint64 cpu_time = 0;
  double cpu_percent = 0;

  g_object_get (parent, "in-compute", &parent_computes, "cpu-time", &cpu_time,
                "cpu-percent", &cpu_percent, "kernel-state", &parent_state, NULL);
  g_object_get (child, "in-compute", &child_computes, "kernel-state", &child_state,
                "wait-channel", &channel, "syscall", &syscall, NULL);

  g_assert_true (parent_computes);
  g_assert_cmpint (cpu_time, >, 0);
  g_assert_cmpfloat (cpu_percent, >, 0.0);
  /* on a loaded machine a busy thread may wait for a CPU: still runnable */
  g_assert_cmpstr (parent_state, ==, "R");
  g_assert_false (child_computes);
  g_assert_cmpstr (child_state, ==, "S");
  g_assert_nonnull (strstr (channel, "pipe_read"));
  g_assert_cmpstr (syscall, ==, "read");
}

static gboolean
waits_for_children (gpointer data)
{
  return g_strcmp0 (spindle_worker_get_waiting_for (data), "its children to end") == 0;
}

/* Stopped by the user: it left its compute loop and waits for the child
 * that ignores the stop.
 */
static void
assert_waiting_parent (SpindleWorker *parent,
                       SpindleWorker *child)
{
  g_autofree char *waiting_for = NULL;
  SpindleStopReason reason = 0, child_reason = 0;
  gboolean computes = TRUE;

  g_object_get (parent, "waiting-for", &waiting_for, "stop-reason", &reason,
                "in-compute", &computes, NULL);
  g_object_get (child, "stop-reason", &child_reason, NULL);

  g_assert_cmpstr (waiting_for, ==, "its children to end");
  g_assert_cmpint (reason, ==, SPINDLE_STOP_REASON_USER);
  g_assert_cmpint (child_reason, ==, SPINDLE_STOP_REASON_PARENT);
  g_assert_false (computes);
}

static void
assert_ended (SpindleWorker *worker,
              gint64         started_at,
              const char    *report_text,
              const char    *result_text)
{
  g_autoptr(SpindleCleanupReport) report = NULL;
  g_autoptr(GVariant) result = NULL;
  g_autofree char *waiting_for = NULL;
  g_autofree char *printed = NULL;
  SpindleWorkerState state = 0;
  SpindleEscalation escalation = SPINDLE_ESCALATION_STOP;
  gint64 finished_at = 0, escalation_at = -1;
  double cpu_percent = -1;

  g_object_get (worker, "state", &state, "finished-at", &finished_at,
                "cleanup-report", &report, "result", &result, "waiting-for", &waiting_for,
                "escalation", &escalation, "escalation-at", &escalation_at,
                "cpu-percent", &cpu_percent, NULL);

  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (finished_at, >=, started_at);
  g_assert_cmpint (finished_at, <=, g_get_monotonic_time ());
  spindle_test_assert_report (report, report_text);
  g_assert_nonnull (result);
  printed = g_variant_print (result, FALSE);
  g_assert_cmpstr (printed, ==, result_text);
  g_assert_null (waiting_for);
  g_assert_cmpint (escalation, ==, SPINDLE_ESCALATION_NONE);
  g_assert_cmpint (escalation_at, ==, 0);
  g_assert_cmpfloat (cpu_percent, ==, 0.0);
}

static void
test_spinner_and_child (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (fixture->set);
  g_autoptr(SpindleWorker) child = NULL;
  Spinner spinner = { &fixture->reader };
  SpindleWorker *parent = spawn_spinner (fixture, &spinner);
  Sampled sampled;

  spindle_test_wait_until (has_child, parent, SPINDLE_TEST_GUARD_MS);
  child = g_list_model_get_item (spindle_worker_get_children (parent), 0);
  spindle_test_reader_wait_blocked (&fixture->reader);
  spindle_test_wait_state (child, SPINDLE_WORKER_STATE_RUNNING);

  spindle_sampler_watch (sampler, parent);
  spindle_sampler_watch (sampler, child);
  sampled = (Sampled) { sampler, parent, child };
  spindle_test_wait_until (sampled_busy_and_blocked, &sampled, SPINDLE_TEST_GUARD_MS);

  assert_identity (parent, spindle_worker_get_id (parent), "parent", "spinner", spinner.tid, NULL);
  assert_identity (child, spindle_worker_get_id (child), "reader", "child", fixture->reader.tid, parent);
  g_assert_cmpuint (spindle_worker_get_id (parent), >, 0);
  g_assert_cmpuint (spindle_worker_get_id (child), >, spindle_worker_get_id (parent));
  assert_running_parent (parent, child);
  assert_sampled (parent, child);

  spindle_worker_request_stop (parent);
  spindle_test_wait_until (waits_for_children, parent, SPINDLE_TEST_GUARD_MS);
  spindle_sampler_tick (sampler);
  assert_waiting_parent (parent, child);

  spindle_test_pipe_poke (fixture->reader.fds[1]);
  spindle_test_wait_terminal (parent);
  spindle_sampler_tick (sampler);
  assert_ended (child, spindle_worker_get_started_at (child), "", "true");
  assert_ended (parent, spindle_worker_get_started_at (parent),
                "child “reader”: stopped:OK", "'spun'");
}

/* The error property of a failed worker; a finished worker's is NULL. */
static void
test_error (Fixture       *fixture,
            gconstpointer  data)
{
  SpindleWorker *worker = spindle_test_spawn (fixture->set, "fails", spindle_test_error_body, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;
  SpindleWorkerState state = 0;

  spindle_test_wait_terminal (worker);
  g_object_get (worker, "error", &error, "result", &result, "state", &state, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpstr (error->message, ==, "no access here");
  g_assert_null (result);
  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_FAILED);
}

/* The result property */

static gint n_result_destroyed;

static void
result_destroy (gpointer data)
{
  g_atomic_int_inc (&n_result_destroyed);
  g_free (data);
}

static void
test_result_property (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GVariant) result = NULL;
  g_autoptr(GError) error = NULL;
  SpindleWorkerState state = SPINDLE_WORKER_STATE_STARTING;
  SpindleWorker *worker;
  gint *answer = g_new (gint, 1);

  *answer = -7;
  n_result_destroyed = 0;

  worker = spindle_test_spawn_full (fixture->set, "returns-minus-7", spindle_test_int_body, answer, result_destroy);
  spindle_test_wait_terminal (worker);

  g_object_get (worker, "result", &result, "error", &error, "state", &state, NULL);
  g_assert_nonnull (result);
  g_assert_cmpint (g_variant_get_int32 (result), ==, -7);
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_FINISHED);

  spindle_test_fixture_end_set (fixture);
  spindle_test_wait_count (&n_result_destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&n_result_destroyed), ==, 1);
}

static void
test_tid_and_comm (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *comm = NULL;
  const char *name = "lifecycle-comm-name-longer-than-15";
  SpindleTestSleeper *sleeper = &fixture->sleeper;
  SpindleWorker *worker;
  int tid = 0;

  worker = spindle_test_spawn (fixture->set, name, spindle_test_sleeper_body, sleeper);
  g_assert_cmpstr (spindle_worker_get_name (worker), ==, name);
  spindle_test_wait_flag (&sleeper->reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  g_assert_cmpint (spindle_worker_get_tid (worker), >, 0);
  g_assert_cmpint (spindle_worker_get_tid (worker), ==, sleeper->tid);
  g_assert_cmpint (sleeper->job_tid, ==, sleeper->tid);
  g_assert_cmpint (sleeper->tid, !=, gettid ());
  g_object_get (worker, "tid", &tid, NULL);
  g_assert_cmpint (tid, ==, sleeper->tid);

  comm = spindle_test_read_task_file (sleeper->tid, "comm");
  g_assert_nonnull (comm);
  g_assert_cmpstr (comm, ==, "lifecycle-comm-");

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
}

static void
test_elapsed (Fixture       *fixture,
              gconstpointer  data)
{
  SpindleWorker *worker;
  gint64 now, started_at, finished_at, frozen;

  worker = spindle_test_spawn (fixture->set, "timed", spindle_test_sleeper_body, &fixture->sleeper);
  spindle_test_wait_flag (&fixture->sleeper.reached);
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
test_phase_and_progress (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *phase = NULL;
  SpindleWorker *worker;
  Phaser phaser = { 0 };
  PhaseWatch watch = { 0 };
  double progress = 0;

  worker = spindle_test_spawn (fixture->set, "phaser", phaser_body, &phaser);
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

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  spindle_test_add ("/engine/properties/all-read-only", test_all_read_only);
  spindle_test_add ("/engine/properties/spinner-and-child", test_spinner_and_child);
  spindle_test_add ("/engine/properties/error", test_error);
  spindle_test_add ("/engine/properties/result", test_result_property);
  spindle_test_add ("/engine/properties/tid-and-comm", test_tid_and_comm);
  spindle_test_add ("/engine/properties/elapsed-freezes", test_elapsed);
  spindle_test_add ("/engine/properties/phase-and-progress", test_phase_and_progress);

  return g_test_run ();
}
