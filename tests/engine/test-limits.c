/* test-limits.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "spindle-catalog.h"
#include "spindle.h"
#include "spindle-test-util.h"

/* The budget this program runs with: small, whatever the machine. */
#define TEST_BUDGET 6

#define UNKNOWN -1

typedef struct
{
  const char          *name;
  SpindleThreadLimits  limits;
  guint                budget;
  SpindleThreadLimit   binding;
} BudgetCase;

/* nproc, user, threads-max, system, pids.max, pids.current, max maps, maps, headroom, override */
static const BudgetCase budget_cases[] = {
  { "nothing-known",
    { UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, UNKNOWN },
    G_MAXUINT, SPINDLE_THREAD_LIMIT_NONE },
  { "ulimit-u-300",
    { 300, 18, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, UNKNOWN },
    218, SPINDLE_THREAD_LIMIT_NPROC },
  { "ulimit-u-nearly-spent",
    { 300, 290, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, UNKNOWN },
    0, SPINDLE_THREAD_LIMIT_NPROC },
  { "ulimit-u-overspent",
    { 300, 400, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, UNKNOWN },
    0, SPINDLE_THREAD_LIMIT_NPROC },
  { "user-threads-unknown",
    { 300, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, UNKNOWN },
    236, SPINDLE_THREAD_LIMIT_NPROC },
  { "threads-max",
    { UNKNOWN, UNKNOWN, 192725, 103, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, UNKNOWN },
    192558, SPINDLE_THREAD_LIMIT_THREADS_MAX },
  { "pids-cgroup",
    { UNKNOWN, UNKNOWN, 192725, 103, 1000, 200, UNKNOWN, UNKNOWN, 64, UNKNOWN },
    736, SPINDLE_THREAD_LIMIT_PIDS_CGROUP },
  { "two-mappings-per-stack",
    { UNKNOWN, UNKNOWN, 192725, 103, UNKNOWN, UNKNOWN, 65530, 400, 64, UNKNOWN },
    32501, SPINDLE_THREAD_LIMIT_MAP_COUNT },
  { "tightest-wins",
    { 96362, 50, 192725, 103, 20000, 30, 65530, 400, 64, UNKNOWN },
    19906, SPINDLE_THREAD_LIMIT_PIDS_CGROUP },
  { "no-headroom",
    { 300, 18, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 0, UNKNOWN },
    282, SPINDLE_THREAD_LIMIT_NPROC },
  { "beyond-guint",
    { G_MAXINT64, 0, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, UNKNOWN },
    G_MAXUINT, SPINDLE_THREAD_LIMIT_NPROC },
  { "override-lowers",
    { 300, 18, 192725, 103, UNKNOWN, UNKNOWN, 65530, 400, 64, 100 },
    100, SPINDLE_THREAD_LIMIT_OVERRIDE },
  { "override-never-raises",
    { 300, 18, 192725, 103, UNKNOWN, UNKNOWN, 65530, 400, 64, 100000 },
    218, SPINDLE_THREAD_LIMIT_NPROC },
  { "override-zero",
    { 300, 18, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, 0 },
    0, SPINDLE_THREAD_LIMIT_OVERRIDE },
  { "override-alone",
    { UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, 64, 10000 },
    10000, SPINDLE_THREAD_LIMIT_OVERRIDE },
};

static void
test_compute (gconstpointer data)
{
  const BudgetCase *c = data;
  SpindleThreadLimit binding = SPINDLE_THREAD_LIMIT_NONE;

  g_assert_cmpuint (spindle_thread_budget_compute (&c->limits, &binding), ==, c->budget);
  g_assert_cmpint (binding, ==, c->binding);
  g_assert_cmpuint (spindle_thread_budget_compute (&c->limits, NULL), ==, c->budget);
}

/* What this machine says: figures that exist on every Linux system. */
static void
test_read (void)
{
  SpindleThreadLimits limits;

  spindle_thread_limits_read (&limits);

  g_assert_cmpint (limits.threads_max, >, 0);
  g_assert_cmpint (limits.system_threads, >, 0);
  g_assert_cmpint (limits.map_count_max, >, 0);
  g_assert_cmpint (limits.maps_in_use, >, 0);
  g_assert_cmpint (limits.headroom, ==, SPINDLE_THREAD_HEADROOM);
  g_assert_cmpint (limits.override, ==, TEST_BUDGET);
  if (limits.nproc_limit >= 0)
    g_assert_cmpint (limits.user_threads, >=, 1);
  if (limits.pids_max >= 0)
    g_assert_cmpint (limits.pids_current, >=, 1);
}

static void
test_check (void)
{
  g_autoptr(GError) error = NULL;
  SpindleThreadLimit binding;

  g_assert_cmpuint (spindle_get_thread_budget (&binding), ==, TEST_BUDGET);
  g_assert_cmpint (binding, ==, SPINDLE_THREAD_LIMIT_OVERRIDE);

  g_assert_true (spindle_thread_budget_check (0, TEST_BUDGET, NULL));
  g_assert_true (spindle_thread_budget_check (TEST_BUDGET - 1, 1, NULL));
  g_assert_true (spindle_thread_budget_check (TEST_BUDGET, 0, NULL));

  g_assert_false (spindle_thread_budget_check (0, TEST_BUDGET + 1, &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_cmpstr (error->message, ==,
                   "cannot start 7 worker threads: this system allows 6 (set by SPINDLE_THREAD_BUDGET)");
  g_clear_error (&error);

  g_assert_false (spindle_thread_budget_check (4, 3, &error));
  g_assert_cmpstr (error->message, ==,
                   "cannot start 3 more worker threads: 4 are running of the 6 this system allows "
                   "(set by SPINDLE_THREAD_BUDGET)");
  g_clear_error (&error);

  /* no wrap-around at the extremes */
  g_assert_false (spindle_thread_budget_check (G_MAXUINT, 1, NULL));
  g_assert_false (spindle_thread_budget_check (1, G_MAXUINT64, NULL));
}

static gboolean
has_n_live (gpointer data)
{
  return spindle_worker_set_get_n_live (data) == TEST_BUDGET;
}

/* Whoever starts catalogue workers, the budget holds: children count. */
static void
test_catalog_spawn (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (spindle_catalog_get_thread_cost ("sleeper"), ==, 1);
  g_assert_cmpuint (spindle_catalog_get_thread_cost ("supervisor"), ==, 4);
  g_assert_cmpuint (spindle_catalog_get_thread_cost ("no-such-kind"), ==, 0);

  g_assert_nonnull (spindle_catalog_spawn (set, "sleeper", &error));
  g_assert_nonnull (spindle_catalog_spawn (set, "sleeper", &error));
  g_assert_nonnull (spindle_catalog_spawn (set, "supervisor", &error));
  g_assert_no_error (error);
  spindle_test_wait_until (has_n_live, set, SPINDLE_TEST_GUARD_MS);

  g_assert_null (spindle_catalog_spawn (set, "sleeper", &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 3);
  g_clear_error (&error);

  /* threads that ended give their room back */
  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_assert_nonnull (spindle_catalog_spawn (set, "supervisor", &error));
  g_assert_no_error (error);
  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("SPINDLE_THREAD_BUDGET", G_STRINGIFY (TEST_BUDGET), TRUE);
  spindle_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (budget_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/limits/compute/%s", budget_cases[i].name);

      g_test_add_data_func (path, &budget_cases[i], test_compute);
    }

  g_test_add_func ("/engine/limits/read", test_read);
  g_test_add_func ("/engine/limits/check", test_check);
  g_test_add_func ("/engine/limits/catalog-spawn", test_catalog_spawn);

  return g_test_run ();
}
