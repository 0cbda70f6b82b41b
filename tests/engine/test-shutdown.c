/* test-shutdown.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib/gstdio.h>

#include "spindle-catalog-private.h"
#include "spindle-test-util.h"

/* Long enough that every worker a stop or a cancel reaches ends within it
 * on a loaded machine: a grace that is not used up costs no time.
 */
#define GRACE (1000 * 1000)

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  gint64    at;
} Shutdown;

static void
shutdown_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Shutdown *shutdown = data;

  g_assert_true (spindle_test_is_main_thread ());
  shutdown->ok = spindle_worker_set_shutdown_finish (SPINDLE_WORKER_SET (object), result, &shutdown->error);
  shutdown->at = g_get_monotonic_time ();
  shutdown->done = TRUE;
}

static gboolean
shutdown_done (gpointer data)
{
  return ((Shutdown *) data)->done;
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
      if (g_strcmp0 (spindle_worker_get_kind (worker), "supervisor") == 0 &&
          (g_list_model_get_n_items (spindle_worker_get_children (worker)) < 3 ||
           !all_running (spindle_worker_get_children (worker))))
        return FALSE;
    }

  return TRUE;
}

static void
assert_end (SpindleWorker *worker)
{
  const char *kind = spindle_worker_get_kind (worker);
  SpindleWorkerState state = spindle_worker_get_state (worker);

  if (g_str_equal (kind, "cond-waiter"))
    g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_ABANDONED);
  else if (g_str_equal (kind, "stubborn-spinner") || g_str_equal (kind, "socket-reader"))
    g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_CANCELLED);
  else if (g_str_equal (kind, "result"))
    g_assert_true (state == SPINDLE_WORKER_STATE_STOPPED || state == SPINDLE_WORKER_STATE_FINISHED);
  else if (g_str_equal (kind, "failure"))
    g_assert_true (state == SPINDLE_WORKER_STATE_STOPPED || state == SPINDLE_WORKER_STATE_FAILED);
  /* its stop waits for real processes, a child that ignores SIGTERM among
   * them: on a loaded machine the stop grace may run out first, and the
   * force-cancel that follows kills the tree (tests/ui/test-run.c checks
   * that nothing is left either way)
   */
  else if (g_str_equal (kind, "process-tree"))
    g_assert_true (state == SPINDLE_WORKER_STATE_STOPPED || state == SPINDLE_WORKER_STATE_CANCELLED);
  else
    g_assert_cmpint (state, ==, SPINDLE_WORKER_STATE_STOPPED);

  if (state != SPINDLE_WORKER_STATE_ABANDONED)
    g_assert_cmpuint (spindle_cleanup_report_count (spindle_worker_get_cleanup_report (worker),
                                                    SPINDLE_CLEANUP_OUTCOME_NOT_RUN), ==, 0);
}

static void
test_every_kind (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;
  Shutdown shutdown = { 0 };
  guint n_entries;
  gint64 start;

  spindle_worker_set_set_stop_grace (set, GRACE);
  spindle_worker_set_set_cancel_grace (set, GRACE);
  spindle_catalog_get_entries (&n_entries);
  g_assert_cmpuint (spindle_catalog_spawn_demo (set, &error), ==, n_entries);
  g_assert_no_error (error);
  spindle_test_wait_until (all_running, set, SPINDLE_TEST_GUARD_MS);

  start = g_get_monotonic_time ();
  spindle_worker_set_shutdown_async (set, NULL, shutdown_cb, &shutdown);
  spindle_test_wait_until (shutdown_done, &shutdown, SPINDLE_TEST_GUARD_MS);

  /* the raw g_cond_wait waiter never dies: shutdown lets it go and says so */
  g_assert_false (shutdown.ok);
  g_assert_error (shutdown.error, SPINDLE_ERROR, SPINDLE_ERROR_SHUTDOWN_INCOMPLETE);
  g_assert_cmpstr (shutdown.error->message, ==, "1 worker did not end and was abandoned");
  g_clear_error (&shutdown.error);

  /* the abandon waited out both graces (the stop's, then the cancel's) */
  g_assert_cmpint (shutdown.at - start, >=, 2 * GRACE);

  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  for (guint i = 0; i < n_entries; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      assert_end (worker);
      g_assert_cmpint (spindle_worker_get_stop_reason (worker), !=, SPINDLE_STOP_REASON_USER);
    }

  g_assert_false (spindle_lock_is_held (_spindle_catalog_get_ledger_lock ()));
  g_assert_cmpuint (spindle_test_count_partial_files (), ==, 0);

  /* nothing new starts once shut down */
  g_assert_null (spindle_catalog_spawn (set, "sleeper", &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_INVALID_ARGUMENT);

  {
    g_autoptr(SpindleWorker) waiter = g_list_model_get_item (G_LIST_MODEL (set), 4);

    g_assert_cmpstr (spindle_worker_get_kind (waiter), ==, "cond-waiter");
    _spindle_catalog_release_cond_waiters ();
    spindle_test_wait_thread_gone (spindle_worker_get_tid (waiter));
  }
}

static void
test_empty (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Shutdown shutdown = { 0 };

  spindle_worker_set_shutdown_async (set, NULL, shutdown_cb, &shutdown);
  spindle_test_wait_until (shutdown_done, &shutdown, SPINDLE_TEST_GUARD_MS);
  g_assert_true (shutdown.ok);
  g_assert_no_error (shutdown.error);
}

static void
test_unknown_kind (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;

  g_assert_null (spindle_catalog_spawn (set, "no-such-kind", &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_UNKNOWN_KIND);
  g_assert_true (strstr (error->message, "sleeper") != NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  g_assert_null (spindle_catalog_lookup ("no-such-kind"));
  g_assert_cmpstr (spindle_catalog_lookup ("ledger")->title, ==, "Ledger lock holder");
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/shutdown/every-catalogue-kind", test_every_kind);
  g_test_add_func ("/engine/shutdown/empty", test_empty);
  g_test_add_func ("/engine/catalogue/unknown-kind", test_unknown_kind);

  return g_test_run ();
}
