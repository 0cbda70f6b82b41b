/* test-stacks.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Worker threads' stacks: those of threads let go (their set dropped while
 * they ran) come back once the threads have ended, without another spawn
 * to reclaim them, and a stack used again gives its new thread fresh
 * thread-local storage. More workers than the engine keeps stacks for are
 * spawned, so that stacks are both kept and unmapped. Under
 * AddressSanitizer the stacks are glibc's, and the same must hold.
 */

#include "config.h"

#include "spindle-test-util.h"

#define N_WORKERS   160
#define MAPS_SLACK  16
#define TLS_INITIAL 0x5eed

static __thread int tls_marker = TLS_INITIAL;

typedef struct
{
  gint reached;
  gint tls_fresh;
} Sleepers;

/* Counts itself in, checks and dirties its thread-local storage, sleeps
 * until stopped. */
static GVariant *
sleeper_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  Sleepers *sleepers = data;

  if (tls_marker == TLS_INITIAL)
    g_atomic_int_inc (&sleepers->tls_fresh);
  tls_marker = 0;
  g_atomic_int_inc (&sleepers->reached);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

static guint
count_maps (void)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &contents, NULL, NULL));
  for (const char *p = contents; *p != '\0'; p++)
    n += *p == '\n';

  return n;
}

typedef struct
{
  Sleepers *sleepers;
  guint     limit;
} Watch;

static gboolean
all_reached (gpointer data)
{
  Watch *watch = data;

  return (guint) g_atomic_int_get (&watch->sleepers->reached) >= watch->limit;
}

static gboolean
threads_at_most (gpointer data)
{
  Watch *watch = data;

  return spindle_test_count_threads () <= watch->limit;
}

static gboolean
maps_at_most (gpointer data)
{
  Watch *watch = data;

  return count_maps () <= watch->limit;
}

/* Spawns N_WORKERS sleepers in a new set and waits until all run. */
static SpindleWorkerSet *
spawn_sleepers (Sleepers *sleepers)
{
  SpindleWorkerSet *set = spindle_test_set_new ();
  Watch watch = { sleepers, N_WORKERS };

  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_autofree char *name = g_strdup_printf ("sleeper-%u", i);

      spindle_test_spawn (set, name, sleeper_body, sleepers);
    }
  spindle_test_wait_until (all_reached, &watch, SPINDLE_TEST_GUARD_MS);

  return set;
}

static void
test_let_go_stacks_come_back (void)
{
  Sleepers first = { 0 }, second = { 0 }, third = { 0 };
  guint n_threads = spindle_test_count_threads ();
  SpindleWorkerSet *set;
  Watch watch;
  guint baseline;

  /* the stacks kept for reuse are made and kept: the baseline has them */
  set = spawn_sleepers (&first);
  g_assert_cmpint (g_atomic_int_get (&first.tls_fresh), ==, N_WORKERS);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (set)); i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      spindle_worker_request_stop (worker);
    }
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_object_unref (set);
  watch = (Watch) { NULL, n_threads };
  spindle_test_wait_until (threads_at_most, &watch, SPINDLE_TEST_GUARD_MS);
  baseline = count_maps ();

  /* dropped while they run: their threads are let go, and end */
  set = spawn_sleepers (&second);
  g_object_unref (set);
  watch = (Watch) { NULL, n_threads };
  spindle_test_wait_until (threads_at_most, &watch, SPINDLE_TEST_GUARD_MS);

  /* their stacks come back with no spawn to reclaim them */
  watch = (Watch) { NULL, baseline + MAPS_SLACK };
  spindle_test_wait_until (maps_at_most, &watch, SPINDLE_TEST_GUARD_MS);

  /* stacks used again, by threads whose storage starts afresh */
  set = spawn_sleepers (&third);
  g_assert_cmpint (g_atomic_int_get (&third.tls_fresh), ==, N_WORKERS);
  g_object_unref (set);
  watch = (Watch) { NULL, n_threads };
  spindle_test_wait_until (threads_at_most, &watch, SPINDLE_TEST_GUARD_MS);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/stacks/let-go-stacks-come-back", test_let_go_stacks_come_back);

  return g_test_run ();
}
