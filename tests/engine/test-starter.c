/* test-starter.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Spawns whose threads a starter thread creates (the set's
 * "background-start"): the worker is listed STARTING at once, and every
 * edge between the spawn and the thread's creation ends the worker cleanly
 * and truthfully: a stop, a force-cancel, an abandon, a shutdown or the
 * set's end before the thread exists, a force-cancel while it is being
 * created, and a thread that cannot be created. The starter threads are
 * held at a pause point so that each edge happens for certain.
 */

#include "config.h"

#include <stdlib.h>

#include "spindle-sampler-private.h"
#include "spindle-starter-private.h"
#include "spindle-test-util.h"
#include "spindle-worker-set-private.h"

#define HUGE_STACK ((gsize) 1 << 48)

typedef struct
{
  gint entered;
  gint destroyed;
} Counts;

static GVariant *
counting_body (SpindleJob  *job,
               gpointer     data,
               GError     **error)
{
  Counts *counts = data;

  g_atomic_int_inc (&counts->entered);
  while (spindle_job_sleep (job, 60 * G_USEC_PER_SEC))
    ;

  return NULL;
}

static void
counting_destroy (gpointer data)
{
  Counts *counts = data;

  g_atomic_int_inc (&counts->destroyed);
}

/* Background starts on, and the starter threads held at @pause from the
 * first spawn on.
 */
static SpindleStarter *
hold_starter (SpindleWorkerSet    *set,
              SpindleStarterPause  pause)
{
  g_object_set (set, "background-start", TRUE, NULL);
  if (set->starter == NULL)
    set->starter = _spindle_starter_new ();
  _spindle_starter_set_pause (set->starter, pause);

  return set->starter;
}

static gboolean
starter_is_paused (gpointer data)
{
  return _spindle_starter_get_n_paused (data) > 0;
}

static void
wait_paused (SpindleStarter *starter)
{
  spindle_test_wait_until (starter_is_paused, starter, SPINDLE_TEST_GUARD_MS);
}

/* A sleeper taken no further than @pause by a held starter. */
static SpindleWorker *
spawn_held_sleeper (SpindleTestFixture   *fixture,
                    SpindleStarterPause   pause,
                    SpindleStarter      **starter)
{
  SpindleWorker *worker;

  *starter = hold_starter (fixture->set, pause);
  worker = spindle_test_fixture_spawn (fixture, "sleeper", spindle_test_sleeper_body,
                                       &fixture->sleeper, spindle_test_sleeper_destroy);
  wait_paused (*starter);

  return worker;
}

/* Threads of this process whose name is @name. */
static guint
count_named_threads (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *entry;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm = spindle_test_read_task_file (atoi (entry), "comm");

      if (comm != NULL && g_str_equal (g_strchomp (comm), name))
        n++;
    }

  return n;
}

static gboolean
no_starter_thread (gpointer data)
{
  return count_named_threads ("spindle-starter") == 0;
}

/* The starter, let go, finds nothing to start: the body never ran and the
 * worker stays in the @state it ended in. */
static void
let_go_finds_nothing (SpindleTestFixture *fixture,
                      SpindleStarter     *starter,
                      SpindleWorker      *worker,
                      SpindleWorkerState  state)
{
  _spindle_starter_set_pause (starter, SPINDLE_STARTER_PAUSE_NONE);
  spindle_test_wait_until (no_starter_thread, NULL, SPINDLE_TEST_GUARD_MS);
  spindle_test_run_clock (fixture->set, 2);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.reached), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.destroyed), ==, 1);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, state);
}

/* A worker stopped and abandoned while its starter held its job, then
 * removed: the thread the starter makes later is let go (its job is never
 * freed under it), and its body, which finds the stop, ends.
 */
static void
test_abandoned_before_thread (SpindleTestFixture *fixture,
                              gconstpointer       data)
{
  SpindleStarter *starter;
  SpindleWorker *worker = spawn_held_sleeper (fixture, SPINDLE_STARTER_PAUSE_AFTER_TAKE, &starter);

  spindle_worker_request_stop (worker);
  spindle_worker_abandon (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);
  g_clear_pointer (&fixture->rec, spindle_test_recorder_free);
  g_assert_true (spindle_worker_set_remove (fixture->set, worker));

  _spindle_starter_set_pause (starter, SPINDLE_STARTER_PAUSE_NONE);
  spindle_test_wait_count (&fixture->sleeper.destroyed, 1);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.sleep_result), ==, 2);
  spindle_test_wait_thread_gone (fixture->sleeper.tid);
}

/* The spawn returns at once; the thread comes when the starter lets it. */
static void
test_spawn_returns_starting (SpindleTestFixture *fixture,
                             gconstpointer       data)
{
  SpindleStarter *starter = hold_starter (fixture->set, SPINDLE_STARTER_PAUSE_BEFORE_TAKE);
  SpindleWorker *worker;

  worker = spindle_test_fixture_spawn (fixture, "sleeper", spindle_test_sleeper_body,
                                       &fixture->sleeper, spindle_test_sleeper_destroy);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STARTING);
  g_assert_cmpint (spindle_worker_get_tid (worker), ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (fixture->set), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, 1);

  wait_paused (starter);
  spindle_test_run_clock (fixture->set, 2);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.reached), ==, 0);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STARTING);

  _spindle_starter_set_pause (starter, SPINDLE_STARTER_PAUSE_NONE);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_flag (&fixture->sleeper.reached);
  g_assert_cmpint (spindle_worker_get_tid (worker), ==, fixture->sleeper.tid);

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  spindle_test_fixture_assert_recorded (fixture, "STARTING RUNNING STOPPING CLEANING STOPPED", NULL);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.destroyed), ==, 1);
}

static gboolean
all_running (gpointer data)
{
  GListModel *model = data;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);

      if (spindle_worker_get_state (worker) != SPINDLE_WORKER_STATE_RUNNING)
        return FALSE;
    }

  return TRUE;
}

/* Hundreds at once: none lost, each on a thread of its own. */
static void
test_many (SpindleTestFixture *fixture,
           gconstpointer       data)
{
  const guint n = 300;
  g_autoptr(GHashTable) tids = g_hash_table_new (NULL, NULL);
  Counts counts = { 0 };

  g_object_set (fixture->set, "background-start", TRUE, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("counter %u", i);

      spindle_test_spawn_full (fixture->set, name, counting_body, &counts, counting_destroy);
    }

  spindle_test_wait_until (all_running, fixture->set, SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_count (&counts.entered, n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (fixture->set), i);

      g_assert_cmpint (spindle_worker_get_tid (worker), >, 0);
      g_hash_table_add (tids, GINT_TO_POINTER (spindle_worker_get_tid (worker)));
    }
  g_assert_cmpuint (g_hash_table_size (tids), ==, n);

  spindle_worker_set_stop_all (fixture->set);
  spindle_test_wait_no_live (fixture->set, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (g_atomic_int_get (&counts.destroyed), ==, n);
}

/* A stop before the thread exists ends the worker without one. */
static void
test_stop_before_start (SpindleTestFixture *fixture,
                        gconstpointer       data)
{
  SpindleStarter *starter;
  SpindleWorker *worker = spawn_held_sleeper (fixture, SPINDLE_STARTER_PAUSE_BEFORE_TAKE, &starter);

  spindle_worker_request_stop (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPING);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_tid (worker), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.destroyed), ==, 1);
  g_assert_cmpuint (spindle_worker_set_get_n_live (fixture->set), ==, 0);
  spindle_test_fixture_assert_recorded (fixture, "STARTING STOPPING CLEANING STOPPED",
                                        "stop-requested(USER) cleanup-started cleanup-finished(0) "
                                        "state(STOPPED) finished");

  let_go_finds_nothing (fixture, starter, worker, SPINDLE_WORKER_STATE_STOPPED);
}

static void
test_cancel_before_start (SpindleTestFixture *fixture,
                          gconstpointer       data)
{
  SpindleStarter *starter;
  SpindleWorker *worker = spawn_held_sleeper (fixture, SPINDLE_STARTER_PAUSE_BEFORE_TAKE, &starter);

  spindle_worker_force_cancel (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLING);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.destroyed), ==, 1);
  spindle_test_fixture_assert_recorded (fixture, "STARTING CANCELLING CLEANING CANCELLED",
                                        "cancel-requested(USER) cleanup-started cleanup-finished(0) "
                                        "state(CANCELLED) finished");

  let_go_finds_nothing (fixture, starter, worker, SPINDLE_WORKER_STATE_CANCELLED);
}

/* A force-cancel that comes after the starter took the job, before the
 * thread exists, has no thread to cancel: it acts as the thread begins,
 * before the body.
 */
static void
test_cancel_while_creating (SpindleTestFixture *fixture,
                            gconstpointer       data)
{
  SpindleStarter *starter;
  SpindleWorker *worker = spawn_held_sleeper (fixture, SPINDLE_STARTER_PAUSE_AFTER_TAKE, &starter);

  spindle_worker_force_cancel (worker);
  _spindle_starter_set_pause (starter, SPINDLE_STARTER_PAUSE_NONE);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.reached), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.destroyed), ==, 1);
  spindle_test_fixture_assert_recorded (fixture, "STARTING CANCELLING CLEANING CANCELLED", NULL);
}

/* A stop at the same moment reaches the body, which ends at once. */
static void
test_stop_while_creating (SpindleTestFixture *fixture,
                          gconstpointer       data)
{
  SpindleStarter *starter;
  SpindleWorker *worker = spawn_held_sleeper (fixture, SPINDLE_STARTER_PAUSE_AFTER_TAKE, &starter);

  spindle_worker_request_stop (worker);
  _spindle_starter_set_pause (starter, SPINDLE_STARTER_PAUSE_NONE);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.sleep_result), ==, 2);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.destroyed), ==, 1);
}

/* Abandoned while its end, without a thread, is still on its way. */
static void
test_abandon_before_start (SpindleTestFixture *fixture,
                           gconstpointer       data)
{
  SpindleStarter *starter;
  SpindleWorker *worker = spawn_held_sleeper (fixture, SPINDLE_STARTER_PAUSE_BEFORE_TAKE, &starter);

  spindle_worker_request_stop (worker);
  spindle_worker_abandon (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);
  g_assert_cmpuint (spindle_worker_set_get_n_live (fixture->set), ==, 0);

  _spindle_starter_set_pause (starter, SPINDLE_STARTER_PAUSE_NONE);
  spindle_test_wait_until (no_starter_thread, NULL, SPINDLE_TEST_GUARD_MS);
  spindle_test_run_clock (fixture->set, 2);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_ABANDONED);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.reached), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&fixture->sleeper.destroyed), ==, 1);
}

static void
on_shutdown (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (spindle_worker_set_shutdown_finish (SPINDLE_WORKER_SET (source), result, &error));
  g_assert_no_error (error);
  g_atomic_int_set ((gint *) data, 1);
}

/* Quitting while workers wait for their threads: none is ever created. */
static void
test_shutdown_before_start (SpindleTestFixture *fixture,
                            gconstpointer       data)
{
  SpindleStarter *starter = hold_starter (fixture->set, SPINDLE_STARTER_PAUSE_BEFORE_TAKE);
  const guint n = 200;
  Counts counts = { 0 };
  gint done = 0;

  for (guint i = 0; i < n; i++)
    spindle_test_spawn_full (fixture->set, "counter", counting_body, &counts, counting_destroy);
  wait_paused (starter);

  spindle_worker_set_shutdown_async (fixture->set, NULL, on_shutdown, &done);
  spindle_test_wait_flag (&done);
  g_assert_cmpint (g_atomic_int_get (&counts.destroyed), ==, n);

  g_assert_cmpuint (spindle_worker_set_get_n_live (fixture->set), ==, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (fixture->set), i);

      g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
      g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_SHUTDOWN);
    }
  g_assert_cmpint (g_atomic_int_get (&counts.destroyed), ==, n);

  /* let go, the starter finds nothing to start and ends */
  _spindle_starter_set_pause (starter, SPINDLE_STARTER_PAUSE_NONE);
  spindle_test_wait_until (no_starter_thread, NULL, SPINDLE_TEST_GUARD_MS);
  _spindle_worker_set_flush (fixture->set);
  g_assert_cmpint (g_atomic_int_get (&counts.entered), ==, 0);
}

/* The set goes away while its starter is held: it lets the starter go,
 * waits for it, and no body ever runs.
 */
static void
test_dispose_before_start (SpindleTestFixture *fixture,
                           gconstpointer       data)
{
  const guint n = 100;
  SpindleStarter *starter = hold_starter (fixture->set, SPINDLE_STARTER_PAUSE_BEFORE_TAKE);
  Counts counts = { 0 };

  for (guint i = 0; i < n; i++)
    spindle_test_spawn_full (fixture->set, "counter", counting_body, &counts, counting_destroy);
  wait_paused (starter);

  spindle_test_fixture_end_set (fixture);

  g_assert_cmpint (g_atomic_int_get (&counts.destroyed), ==, n);
  spindle_test_wait_until (no_starter_thread, NULL, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (g_atomic_int_get (&counts.entered), ==, 0);
}

static GVariant *
never_runs_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  g_atomic_int_inc ((gint *) data);
  return NULL;
}

/* The message a synchronous spawn gives for the same failure. */
static char *
synchronous_failure (const char *name)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleSpawnOptions options = { .stack_size = HUGE_STACK };
  g_autoptr(GError) error = NULL;
  gint ran = 0;

  g_assert_null (spindle_worker_set_spawn_full (set, &options, name, never_runs_body, &ran, NULL, &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);

  return g_strdup (error->message);
}

/* A thread that cannot be created: the worker, listed, fails with the
 * error a synchronous spawn gives, and its data is released once.
 */
static void
test_create_failure (SpindleTestFixture *fixture,
                     gconstpointer       data)
{
  g_autofree char *expected = synchronous_failure ("too-big");
  SpindleSpawnOptions options = { .stack_size = HUGE_STACK };
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;
  Counts counts = { 0 };
  const GError *worker_error;

  g_object_set (fixture->set, "background-start", TRUE, NULL);
  worker = spindle_worker_set_spawn_full (fixture->set, &options, "too-big", counting_body,
                                          &counts, counting_destroy, &error);
  g_assert_no_error (error);
  g_assert_true (SPINDLE_IS_WORKER (worker));
  fixture->rec = spindle_test_recorder_new (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  worker_error = spindle_worker_get_error (worker);
  g_assert_error (worker_error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_cmpstr (worker_error->message, ==, expected);
  g_assert_cmpint (g_atomic_int_get (&counts.destroyed), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&counts.entered), ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (fixture->set), ==, 0);
  spindle_test_fixture_assert_recorded (fixture, "STARTING FAILED", NULL);

  /* the next one starts; it ends before @counts goes */
  worker = spindle_test_spawn_full (fixture->set, "fine", counting_body, &counts, counting_destroy);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (g_atomic_int_get (&counts.destroyed), ==, 2);
}

/* The creation fails after a stop came: FAILED from STOPPING, with the error. */
static void
test_create_failure_while_stopping (SpindleTestFixture *fixture,
                                    gconstpointer       data)
{
  SpindleStarter *starter = hold_starter (fixture->set, SPINDLE_STARTER_PAUSE_AFTER_TAKE);
  SpindleSpawnOptions options = { .stack_size = HUGE_STACK };
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;
  Counts counts = { 0 };

  worker = spindle_worker_set_spawn_full (fixture->set, &options, "too-big", counting_body,
                                          &counts, counting_destroy, &error);
  g_assert_no_error (error);
  fixture->rec = spindle_test_recorder_new (worker);
  wait_paused (starter);

  spindle_worker_request_stop (worker);
  _spindle_starter_set_pause (starter, SPINDLE_STARTER_PAUSE_NONE);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (spindle_worker_get_error (worker), SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_cmpint (g_atomic_int_get (&counts.destroyed), ==, 1);
  spindle_test_fixture_assert_recorded (fixture, "STARTING STOPPING FAILED", NULL);
}

/* Off (the default), a spawn still creates its thread before it returns. */
static void
test_off_by_default (SpindleTestFixture *fixture,
                     gconstpointer       data)
{
  SpindleSpawnOptions options = { .stack_size = HUGE_STACK };
  g_autoptr(GError) error = NULL;
  gboolean background = TRUE;
  gint ran = 0;

  g_object_get (fixture->set, "background-start", &background, NULL);
  g_assert_false (background);
  g_assert_null (spindle_worker_set_spawn_full (fixture->set, &options, "too-big", never_runs_body,
                                                &ran, NULL, &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_null (fixture->set->starter);
}

static gboolean
others_hold_a_worker (SpindleSampler   *sampler,
                      SpindleWorkerSet *set)
{
  GListModel *others = spindle_sampler_get_other_threads (sampler);
  g_autoptr(GHashTable) tids = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (set)); i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      g_hash_table_add (tids, GINT_TO_POINTER (spindle_worker_get_tid (worker)));
    }

  for (guint i = 0; i < g_list_model_get_n_items (others); i++)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (others, i);

      if (g_hash_table_contains (tids, GINT_TO_POINTER (spindle_thread_info_get_tid (info))))
        return TRUE;
    }

  return FALSE;
}

/* A view samples while threads start by the hundred: a worker's thread
 * that the process listing saw before its start reached the set may pass
 * for another thread until the next listing, never longer.
 */
static void
test_sampler_while_starting (SpindleTestFixture *fixture,
                             gconstpointer       data)
{
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (fixture->set);
  const guint n = 1000;
  Counts counts = { 0 };
  guint64 listings;
  gint64 deadline;

  g_object_set (fixture->set, "background-start", TRUE, NULL);
  for (guint i = 0; i < n; i++)
    spindle_test_spawn_full (fixture->set, "counter", counting_body, &counts, counting_destroy);

  while (!all_running (fixture->set))
    {
      spindle_sampler_tick (sampler);
      g_main_context_iteration (NULL, FALSE);
    }

  /* a listing made once every worker has its thread's id: the ticks
   * between listings keep what the last one found */
  listings = _spindle_sampler_get_n_listings (sampler);
  deadline = g_get_monotonic_time () + SPINDLE_TEST_GUARD_MS * G_TIME_SPAN_MILLISECOND;
  while (_spindle_sampler_get_n_listings (sampler) == listings)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spindle_sampler_tick (sampler);
    }
  g_assert_false (others_hold_a_worker (sampler, fixture->set));

  spindle_worker_set_stop_all (fixture->set);
  spindle_test_wait_no_live (fixture->set, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (g_atomic_int_get (&counts.destroyed), ==, n);
}

int
main (int    argc,
      char **argv)
{
  spindle_test_init (&argc, &argv);

  spindle_test_add ("/engine/starter/spawn-returns-starting", test_spawn_returns_starting);
  spindle_test_add ("/engine/starter/many", test_many);
  spindle_test_add ("/engine/starter/stop-before-start", test_stop_before_start);
  spindle_test_add ("/engine/starter/cancel-before-start", test_cancel_before_start);
  spindle_test_add ("/engine/starter/cancel-while-creating", test_cancel_while_creating);
  spindle_test_add ("/engine/starter/stop-while-creating", test_stop_while_creating);
  spindle_test_add ("/engine/starter/abandon-before-start", test_abandon_before_start);
  spindle_test_add ("/engine/starter/shutdown-before-start", test_shutdown_before_start);
  spindle_test_add ("/engine/starter/dispose-before-start", test_dispose_before_start);
  spindle_test_add ("/engine/starter/abandoned-before-thread", test_abandoned_before_thread);
  spindle_test_add ("/engine/starter/create-failure", test_create_failure);
  spindle_test_add ("/engine/starter/create-failure-while-stopping", test_create_failure_while_stopping);
  spindle_test_add ("/engine/starter/off-by-default", test_off_by_default);
  spindle_test_add ("/engine/starter/sampler-while-starting", test_sampler_while_starting);

  return g_test_run ();
}
