/* test-startup.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-catalog.h"
#include "spindle-catalog-private.h"
#include "spindle-ui-test-util.h"
#include "spindle-window-private.h"

/* The workers of the command line start before GTK does (see
 * start_early () in spindle-application.c): the application runs here
 * with a command line, and a handler of "startup", which runs once the
 * application has started up and before it opens its window, looks at
 * what exists by then.
 */

#define N_WORKERS 40
#define DEADLINE_MS (10 * 60 * 1000)
#define STOP_GRACE_MS 2500

typedef struct
{
  SpindleApplication *app;
  guint               n_early;        /* workers in the set after start-up */
  guint               n_demo;
  SpindleWindow      *window;
  gboolean            done;
} Launch;

static gboolean
all_running (SpindleWorkerSet *set)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (set));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      if (spindle_worker_get_state (worker) != SPINDLE_WORKER_STATE_RUNNING)
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_down (SpindleWorkerSet *set)
{
  return spindle_worker_set_get_n_live (set) == 0;
}

/* The demo's workers, in the catalogue's order, then the command line's. */
static void
assert_demo_first (SpindleWorkerSet *set,
                   guint             n_demo)
{
  guint n_entries;
  const SpindleCatalogEntry *entries = spindle_catalog_get_entries (&n_entries);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (set));

  g_assert_cmpuint (n, >, n_demo);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      g_assert_cmpstr (spindle_worker_get_kind (worker), ==, i < n_demo ? entries[i].kind : "sleeper");
    }
}

/* The first sleeper's deadline is the setting's. */
static void
assert_deadline_applied (SpindleWorkerSet *set,
                         guint             n_demo)
{
  g_autoptr(SpindleWorker) first = g_list_model_get_item (G_LIST_MODEL (set), n_demo);

  g_assert_cmpstr (spindle_worker_get_kind (first), ==, "sleeper");
  g_assert_cmpint (spindle_worker_get_deadline (first) - spindle_worker_get_started_at (first), ==,
                   DEADLINE_MS * (gint64) 1000);
}

/* At the end of start-up, before any window: the set is there, with the
 * settings applied to its first workers, and their threads run.
 */
static void
on_startup (GApplication *app,
            Launch       *launch)
{
  SpindleWorkerSet *set = spindle_application_get_worker_set (launch->app);

  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_assert_nonnull (set);

  g_assert_cmpint (spindle_worker_set_get_stop_grace (set), ==, STOP_GRACE_MS * (gint64) 1000);
  g_assert_false (spindle_worker_set_get_auto_escalate (set));

  /* the demo's first, then at least one of the command line's */
  launch->n_early = g_list_model_get_n_items (G_LIST_MODEL (set));
  g_assert_cmpuint (launch->n_early, >, launch->n_demo);
  g_assert_cmpuint (launch->n_early, <=, launch->n_demo + N_WORKERS);
  if (launch->n_demo > 0)
    {
      assert_demo_first (set, launch->n_demo);
      return;
    }

  /* their threads were created meanwhile, by the set's starter threads */
  spindle_ui_test_wait (all_running, set);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  assert_deadline_applied (set, 0);
}

static gboolean
window_shows_all (Launch *launch)
{
  g_autofree char *counts = g_strdup_printf ("%u running · 0 stopping · 0 finished", N_WORKERS);
  SpindleWindow *window = launch->window;

  if (spindle_window_get_n_starting (window, NULL) != 0)
    return FALSE;

  /* the demo's workers are in all states, and some have rows under them */
  if (launch->n_demo > 0)
    return g_list_model_get_n_items (G_LIST_MODEL (window->set)) == launch->n_demo + N_WORKERS;

  return g_list_model_get_n_items (G_LIST_MODEL (window->filter_model)) == N_WORKERS &&
         g_str_equal (gtk_label_get_label (window->subtitle_label), counts) &&
         all_running (window->set);
}

static void
end_launch (Launch *launch)
{
  SpindleWorkerSet *set = launch->window->set;

  spindle_worker_set_cancel_all (set);
  _spindle_catalog_release_cond_waiters ();
  spindle_ui_test_wait (is_down, set);
  gtk_window_destroy (GTK_WINDOW (launch->window));
  launch->done = TRUE;
}

/* The window shows them all, with the counts that hold. */
static void
on_activate (GApplication *app,
             Launch       *launch)
{
  launch->window = SPINDLE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (launch->window);

  spindle_ui_test_wait (window_shows_all, launch);
  if (launch->n_demo > 0)
    assert_demo_first (launch->window->set, launch->n_demo);
  assert_deadline_applied (launch->window->set, launch->n_demo);
  end_launch (launch);
}

static void
run_launch (Launch     *launch,
            const char *args[])
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) g_get_prgname ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launch->app = spindle_application_new ();
  g_signal_connect (launch->app, "startup", G_CALLBACK (on_startup), launch);
  g_signal_connect_after (launch->app, "activate", G_CALLBACK (on_activate), launch);

  g_assert_cmpint (g_application_run (G_APPLICATION (launch->app), argv->len - 1, (char **) argv->pdata), ==, 0);
  g_assert_true (launch->done);
  g_assert_finalize_object (launch->app);
}

static void
set_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_settings_set_uint (settings, "stop-grace-ms", STOP_GRACE_MS);
  g_settings_set_uint (settings, "default-deadline-ms", DEADLINE_MS);
  g_settings_set_boolean (settings, "auto-escalate", FALSE);
}

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_settings_reset (settings, "stop-grace-ms");
  g_settings_reset (settings, "default-deadline-ms");
  g_settings_reset (settings, "auto-escalate");
}

/* --workers: they exist, with the settings of the set, and their threads
 * run before GTK starts up; the window then lists them all.
 */
static void
test_workers_start_before_startup (void)
{
  g_autofree char *workers = g_strdup_printf ("sleeper=%u", N_WORKERS);
  const char *args[] = { "--workers", workers, NULL };
  Launch launch = { NULL };

  set_settings ();
  run_launch (&launch, args);
  reset_settings ();
}

/* --demo with --workers: the demo set first, as the list always showed it. */
static void
test_demo_comes_first (void)
{
  g_autofree char *workers = g_strdup_printf ("sleeper=%u", N_WORKERS);
  const char *args[] = { "--workers", workers, "--demo", NULL };
  Launch launch = { NULL };

  spindle_catalog_get_entries (&launch.n_demo);
  set_settings ();
  run_launch (&launch, args);
  reset_settings ();
}

/* A command line with a mistake after good --workers exits with the
 * usage status before any worker starts: no set was even made.
 */
static void
test_bad_command_line_starts_nothing (void)
{
  static const char *cases[][6] = {
    { "--workers", "sleeper=3", "--workers", "sleepr=2", NULL },
    { "--workers", "sleeper=3", "--refresh", "5", NULL },
    { "--workers", "sleeper=3", "--attach", "1", NULL },
    { "--workers", "sleeper=3", "--run", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SpindleApplication) app = spindle_application_new ();
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();

      g_ptr_array_add (argv, (gpointer) g_get_prgname ());
      for (guint j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (argv, (gpointer) cases[i][j]);
      g_ptr_array_add (argv, NULL);

      g_assert_cmpint (g_application_run (G_APPLICATION (app), argv->len - 1, (char **) argv->pdata), ==,
                       SPINDLE_EXIT_USAGE);
      g_assert_null (spindle_application_get_worker_set (app));
    }
}

/* The window ****************************************************************/

#define N_BEFORE 5
#define N_AFTER  20

static void
spawn_sleepers (SpindleWorkerSet *set,
                guint             n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (spindle_catalog_spawn (set, "sleeper", &error));
      g_assert_no_error (error);
    }
}

static gboolean
has_started_all (SpindleUiFixture *fixture)
{
  return spindle_window_get_n_starting (fixture->window, NULL) == 0 &&
         g_list_model_get_n_items (G_LIST_MODEL (fixture->set)) == N_BEFORE + N_AFTER;
}

/* Workers of a request that started before the window count among those
 * started: the title says how far the whole request got.
 */
static void
test_window_counts_earlier_workers (SpindleUiFixture *fixture)
{
  g_autofree char *starting = g_strdup_printf ("%u running · 0 stopping · 0 finished · started %u of %u",
                                               N_BEFORE, N_BEFORE, N_BEFORE + N_AFTER);
  g_autofree char *done = g_strdup_printf ("%u running · 0 stopping · 0 finished", N_BEFORE + N_AFTER);
  guint requested = 0;

  spawn_sleepers (fixture->set, N_BEFORE);
  spindle_window_start_workers (fixture->window, "sleeper", N_AFTER);
  _spindle_window_add_started (fixture->window, N_BEFORE);

  /* the window's own start from the main loop: none yet */
  g_assert_cmpuint (spindle_window_get_n_starting (fixture->window, &requested), ==, N_BEFORE);
  g_assert_cmpuint (requested, ==, N_BEFORE + N_AFTER);
  g_assert_cmpstr (gtk_label_get_label (fixture->window->subtitle_label), ==, starting);

  spindle_ui_test_wait (has_started_all, fixture);
  spindle_ui_test_wait (all_running, fixture->set);
  spindle_window_flush (fixture->window);
  g_assert_cmpuint (spindle_window_get_n_starting (fixture->window, &requested), ==, 0);
  g_assert_cmpuint (requested, ==, 0);
  g_assert_cmpstr (gtk_label_get_label (fixture->window->subtitle_label), ==, done);
}

/* All started before the window: nothing to count, and no "started". */
static void
test_window_counts_nothing_when_none_left (SpindleUiFixture *fixture)
{
  g_autofree char *done = g_strdup_printf ("%u running · 0 stopping · 0 finished", N_BEFORE);
  guint requested = 0;

  spawn_sleepers (fixture->set, N_BEFORE);
  spindle_window_start_workers (fixture->window, "sleeper", 0);
  _spindle_window_add_started (fixture->window, N_BEFORE);
  spindle_window_flush (fixture->window);

  g_assert_cmpuint (spindle_window_get_n_starting (fixture->window, &requested), ==, 0);
  g_assert_cmpuint (requested, ==, 0);
  g_assert_cmpstr (gtk_label_get_label (fixture->window->subtitle_label), ==, done);
}

#define N_EARLY_BULK 200
#define N_LEFT_BULK  400

typedef struct
{
  guint n_first_batch;   /* in the set after the first batch, 0 before it */
} FirstBatch;

/* A batch thaws the set's notifies: one notify::n-live as it ends. */
static void
on_batch_n_live (SpindleWorkerSet *set,
                 GParamSpec       *pspec,
                 FirstBatch       *batch)
{
  if (batch->n_first_batch == 0)
    batch->n_first_batch = g_list_model_get_n_items (G_LIST_MODEL (set));
}

static gboolean
has_started_bulk (SpindleUiFixture *fixture)
{
  return spindle_window_get_n_starting (fixture->window, NULL) == 0 &&
         g_list_model_get_n_items (G_LIST_MODEL (fixture->set)) == N_EARLY_BULK + N_LEFT_BULK;
}

/* The window's first batch makes at most half of what is left, not half
 * of the whole request, so that a frame still says how far it got.
 */
static void
test_first_batch_halves_what_is_left (SpindleUiFixture *fixture)
{
  FirstBatch batch = { 0 };
  gulong handler;

  spawn_sleepers (fixture->set, N_EARLY_BULK);
  spindle_window_flush (fixture->window);

  handler = g_signal_connect (fixture->set, "notify::n-live", G_CALLBACK (on_batch_n_live), &batch);
  spindle_window_start_workers (fixture->window, "sleeper", N_LEFT_BULK);
  _spindle_window_add_started (fixture->window, N_EARLY_BULK);

  spindle_ui_test_wait (has_started_bulk, fixture);
  g_signal_handler_disconnect (fixture->set, handler);
  g_assert_cmpuint (batch.n_first_batch, >, N_EARLY_BULK);
  g_assert_cmpuint (batch.n_first_batch, <=, N_EARLY_BULK + N_LEFT_BULK / 2);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/startup/workers-start-before-startup", test_workers_start_before_startup);
  g_test_add_func ("/ui/startup/demo-comes-first", test_demo_comes_first);
  g_test_add_func ("/ui/startup/bad-command-line-starts-nothing", test_bad_command_line_starts_nothing);
  spindle_ui_test_add ("/ui/startup/window-counts-earlier-workers", test_window_counts_earlier_workers);
  spindle_ui_test_add ("/ui/startup/window-counts-nothing-when-none-left",
                       test_window_counts_nothing_when_none_left);
  spindle_ui_test_add ("/ui/startup/first-batch-halves-what-is-left", test_first_batch_halves_what_is_left);

  return g_test_run ();
}
