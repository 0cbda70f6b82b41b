/* test-storm.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */


#include "spindle-catalog-private.h"
#include "spindle-test-util.h"

/* Mixed catalogue workers under random stops, cancels and deadlines, in
 * random order, then a shutdown. SPINDLE_STORM_WORKERS scales it (CI's
 * sanitizer build runs fewer).
 */

#define GRACE (250 * 1000)

static void
hit (SpindleWorker *worker)
{
  switch (g_test_rand_int_range (0, 4))
    {
    case 0:
      spindle_worker_request_stop (worker);
      break;

    case 1:
      spindle_worker_force_cancel (worker);
      break;

    case 2:
      spindle_worker_request_stop (worker);
      spindle_worker_force_cancel (worker);
      break;

    default:
      break;   /* left to its deadline, or to the shutdown */
    }
}

static void
spawn_one (SpindleWorkerSet          *set,
           const SpindleCatalogEntry *entries,
           guint                      n_entries)
{
  g_autoptr(GError) error = NULL;
  const char *kind = entries[g_test_rand_int_range (0, n_entries)].kind;

  spindle_worker_set_set_default_deadline (set, g_test_rand_bit () ? 0 : g_test_rand_int_range (10, 300) * 1000);
  g_assert_nonnull (spindle_catalog_spawn (set, kind, &error));
  g_assert_no_error (error);
}

static void
hit_some (SpindleWorkerSet *set,
          guint             n)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (set));

  while (g_main_context_iteration (NULL, FALSE))
    ;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), g_test_rand_int_range (0, n_items));

      hit (worker);
    }
}

/* Every step in a report ran once: no label twice, none left unrun but in
 * an abandoned worker. Under this load, a worker that would have ended may
 * not get the CPU within its grace periods and be abandoned: that is the
 * policy at work, and its report says so.
 */
static void
assert_ended (SpindleWorker *worker,
              guint         *n_workers,
              guint         *n_abandoned)
{
  SpindleWorkerState state = spindle_worker_get_state (worker);
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (worker);
  GListModel *children = spindle_worker_get_children (worker);
  g_autoptr(GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_true (spindle_worker_state_is_terminal (state));
  g_assert_nonnull (report);
  (*n_workers)++;

  if (state == SPINDLE_WORKER_STATE_ABANDONED)
    (*n_abandoned)++;
  else
    g_assert_cmpuint (spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_NOT_RUN), ==, 0);

  for (guint i = 0; i < spindle_cleanup_report_get_n_steps (report); i++)
    g_assert_true (g_hash_table_add (labels, spindle_cleanup_report_get_step (report, i)->label));

  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);

      assert_ended (child, n_workers, n_abandoned);
    }
}

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  if (!spindle_worker_set_shutdown_finish (SPINDLE_WORKER_SET (object), result, &error))
    g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_SHUTDOWN_INCOMPLETE);
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
fds_back_to (gpointer data)
{
  return spindle_test_count_fds () == GPOINTER_TO_UINT (data);
}

static gboolean
threads_back_to (gpointer data)
{
  return spindle_test_count_threads () == GPOINTER_TO_UINT (data);
}

static void
test_storm (void)
{
  const char *scale = g_getenv ("SPINDLE_STORM_WORKERS");
  guint n = scale != NULL ? (guint) g_ascii_strtoull (scale, NULL, 10) : 1000;
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  const SpindleCatalogEntry *entries;
  guint n_entries, fds_before, threads_before, n_workers = 0, n_abandoned = 0;
  gboolean done = FALSE;

  g_assert_cmpuint (n, >, 0);
  spindle_worker_set_set_stop_grace (set, GRACE);
  spindle_worker_set_set_cancel_grace (set, GRACE);
  entries = spindle_catalog_get_entries (&n_entries);
  /* GTask's first use starts GLib's worker context, with an fd of its own */
  g_type_ensure (G_TYPE_TASK);
  fds_before = spindle_test_count_fds ();
  threads_before = spindle_test_count_threads ();

  for (guint i = 0; i < n; i++)
    {
      spawn_one (set, entries, n_entries);
      if (i % 10 == 9)
        hit_some (set, 8);
    }
  hit_some (set, n / 2);

  spindle_worker_set_shutdown_async (set, NULL, shutdown_cb, &done);
  spindle_test_wait_until (is_true, &done, 120 * 1000);

  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (set)); i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      assert_ended (worker, &n_workers, &n_abandoned);
    }
  g_test_message ("%u workers (children included), %u abandoned", n_workers, n_abandoned);
  g_assert_cmpuint (n_workers, >=, n);

  /* what they held is back: locks, files and, once the workers are gone, fds */
  g_assert_false (spindle_lock_is_held (_spindle_catalog_get_ledger_lock ()));
  g_assert_cmpuint (spindle_test_count_partial_files (), ==, 0);
  g_assert_cmpuint (spindle_worker_set_clear_finished (set), ==, n);

  /* abandoned threads keep theirs until they end on their own: let them */
  _spindle_catalog_release_cond_waiters ();
  spindle_test_wait_until (threads_back_to, GUINT_TO_POINTER (threads_before), SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_until (fds_back_to, GUINT_TO_POINTER (fds_before), SPINDLE_TEST_GUARD_MS);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/storm/mixed-catalogue", test_storm);

  return g_test_run ();
}
