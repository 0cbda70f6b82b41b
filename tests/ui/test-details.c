/* test-details.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spindle-catalog-private.h"
#include "spindle-cleanup-step-row.h"
#include "spindle-event-log.h"
#include "spindle-format.h"
#include "spindle-log-row.h"
#include "spindle-ui-test-util.h"
#include "spindle-worker-details.h"

/* The side pane: what it pins, what it says, and how it says it. */

typedef SpindleUiFixture Fixture;

static SpindleWorkerDetails *
find_details (Fixture *fixture)
{
  GtkWidget *details = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_WORKER_DETAILS, NULL, NULL);

  g_assert_nonnull (details);

  return SPINDLE_WORKER_DETAILS (details);
}

static SpindleWorkerDetails *
show_worker (Fixture       *fixture,
             SpindleWorker *worker)
{
  SpindleWorkerDetails *details = find_details (fixture);

  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_select (fixture->window, worker);
  spindle_ui_test_settle (fixture->window);
  g_assert_true (spindle_worker_details_get_worker (details) == worker);

  return details;
}

static const char *
label_text (SpindleWorkerDetails *details,
            const char           *name)
{
  GtkWidget *label = spindle_ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL, name, NULL);

  g_assert_nonnull (label);

  return gtk_label_get_label (GTK_LABEL (label));
}

static GVariant *
return_data (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  return g_variant_ref (data);
}

static SpindleWorker *
spawn_custom (Fixture                   *fixture,
              const SpindleSpawnOptions *options,
              const char                *name,
              SpindleJobFunc             func,
              GVariant                  *data)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn_full (fixture->set, options, name, func,
                                          data ? g_variant_ref_sink (data) : NULL,
                                          data ? (GDestroyNotify) g_variant_unref : NULL,
                                          &error);
  g_assert_no_error (error);
  g_assert_nonnull (worker);

  return worker;
}

/* Defect 4: the header stays; another worker starts at the top ***************/

static gboolean
is_scrollable (GtkAdjustment *adjustment)
{
  return gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) > 50;
}

static void
test_scroll_resets (Fixture *fixture)
{
  SpindleWorker *first = spindle_ui_test_spawn (fixture, "supervisor");
  SpindleWorker *second = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorkerDetails *details;
  GtkWidget *scroller, *name, *stop;
  GtkAdjustment *adjustment;

  /* short enough that the pane scrolls */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1000, 560);
  details = show_worker (fixture, first);

  scroller = spindle_ui_test_find (GTK_WIDGET (details), GTK_TYPE_SCROLLED_WINDOW, NULL, NULL);
  g_assert_nonnull (scroller);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  spindle_ui_test_wait (is_scrollable, adjustment);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);

  /* The header is not part of what scrolls. */
  name = spindle_ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL, NULL, spindle_worker_get_name (first));
  g_assert_nonnull (name);
  g_assert_false (gtk_widget_is_ancestor (name, scroller));
  stop = spindle_ui_test_find_action_button (GTK_WIDGET (details), "details.stop");
  g_assert_nonnull (stop);
  g_assert_false (gtk_widget_is_ancestor (stop, scroller));

  show_worker (fixture, second);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, gtk_adjustment_get_lower (adjustment));
  g_assert_nonnull (spindle_ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL, NULL, spindle_worker_get_name (second)));

  /* The header's Stop acts on the worker shown. */
  spindle_ui_test_activate (stop);
  spindle_ui_test_wait_terminal (second);
  g_assert_cmpint (spindle_worker_get_state (second), ==, SPINDLE_WORKER_STATE_STOPPED);
}

/* Defect 6: each automatic step gives its real reason ***********************/

static gboolean
log_has (SpindleWorker *worker,
         const char    *fragment)
{
  GListModel *model = spindle_event_log_get_model (spindle_event_log_ensure (worker));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SpindleLogEntry) entry = g_list_model_get_item (model, i);

      if (strstr (spindle_log_entry_get_text (entry), fragment) != NULL)
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  SpindleWorker *worker;
  const char    *fragment;
} LogWait;

static gboolean
log_says (LogWait *wait)
{
  return log_has (wait->worker, wait->fragment);
}

static void
wait_log (SpindleWorker *worker,
          const char    *fragment)
{
  LogWait wait = { worker, fragment };

  spindle_ui_test_wait (log_says, &wait);
}

static void
test_escalation_reasons (Fixture *fixture)
{
  SpindleSpawnOptions options = { .deadline_usec = 20 * 1000 };
  SpindleWorker *late = spawn_custom (fixture, &options, "late", spindle_ui_test_sleep_until_stopped, NULL);
  SpindleWorker *waiter;
  SpindleWorkerDetails *details;
  GtkWidget *abandon;

  /* deadline → stop */
  wait_log (late, "deadline passed: stop requested");
  spindle_ui_test_wait_terminal (late);
  g_assert_false (log_has (late, "grace"));
  g_assert_false (log_has (late, "stop requested automatically"));

  /* stop grace → force-cancel → cancel grace → unresponsive */
  spindle_worker_set_set_auto_escalate (fixture->set, TRUE);
  spindle_worker_set_set_stop_grace (fixture->set, 30 * 1000);
  spindle_worker_set_set_cancel_grace (fixture->set, 30 * 1000);
  waiter = spindle_ui_test_spawn (fixture, "cond-waiter");
  details = show_worker (fixture, waiter);
  spindle_worker_request_stop (waiter);

  wait_log (waiter, "stop grace ran out: force-cancel requested");
  wait_log (waiter, "cancel grace ran out: marked unresponsive");
  g_assert_true (log_has (waiter, "stop requested by the user"));
  g_assert_false (log_has (waiter, "deadline"));
  g_assert_false (log_has (waiter, "force-cancel requested automatically"));

  /* The header says so, as the row does; nothing else ends it: it offers Abandon. */
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpstr (label_text (details, "state-pill"), ==, "unresponsive");
  g_assert_true (gtk_widget_has_css_class (spindle_ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL, "state-pill", NULL),
                                           "unresponsive"));
  abandon = spindle_ui_test_find_action_button (GTK_WIDGET (details), "win.abandon");
  g_assert_nonnull (abandon);
  g_assert_true (gtk_widget_get_visible (abandon));
  spindle_ui_test_activate (abandon);
  g_assert_cmpint (spindle_worker_get_state (waiter), ==, SPINDLE_WORKER_STATE_ABANDONED);
}

/* Defect 7: nothing stale, nothing odd **************************************/

static gboolean
has_phase (SpindleWorker *worker)
{
  const char *phase = spindle_worker_get_phase (worker);

  return phase != NULL && *phase != '\0';
}

static void
test_stopped_phase (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorkerDetails *details;

  spindle_ui_test_wait (has_phase, sleeper);
  details = show_worker (fixture, sleeper);
  g_assert_nonnull (spindle_ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL, NULL, "Phase"));

  spindle_worker_request_stop (sleeper);
  spindle_ui_test_wait_terminal (sleeper);
  spindle_ui_test_settle (fixture->window);

  /* What it did last, said as the past. */
  g_assert_null (spindle_ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL, NULL, "Phase"));
  g_assert_nonnull (spindle_ui_test_find (GTK_WIDGET (details), GTK_TYPE_LABEL, NULL, "Last phase"));
  g_assert_cmpstr (label_text (details, "phase-value"), ==, spindle_worker_get_phase (sleeper));
}

static void
test_result_readable (Fixture *fixture)
{
  SpindleWorker *number = spawn_custom (fixture, NULL, "number", return_data, g_variant_new_uint32 (43));
  SpindleWorker *pair = spawn_custom (fixture, NULL, "pair", return_data, g_variant_new ("(su)", "primes", 9));
  SpindleWorkerDetails *details;

  spindle_ui_test_wait_terminal (number);
  spindle_ui_test_wait_terminal (pair);

  details = show_worker (fixture, number);
  g_assert_cmpstr (label_text (details, "outcome-value"), ==, "43");
  show_worker (fixture, pair);
  g_assert_cmpstr (label_text (details, "outcome-value"), ==, "(primes, 9)");
}

static void
test_format_variant (void)
{
  static const struct { const char *text; const char *shown; } cases[] = {
    { "uint32 43", "43" },
    { "'all 100 steps done'", "all 100 steps done" },
    { "('primes below 2000000', uint32 148933)", "(primes below 2000000, 148933)" },
    { "[int64 1, 2, 3]", "[1, 2, 3]" },
    { "true", "yes" },
    { "<'inner'>", "inner" },
    { "{'a': <uint32 1>}", "[(a, 1)]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GVariant) value = g_variant_parse (NULL, cases[i].text, NULL, NULL, NULL);
      g_autofree char *shown = NULL;

      g_assert_nonnull (value);
      shown = spindle_format_variant (value);
      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

/* One format for CPU time, the Elapsed column's, below a minute and above. */
static void
test_format_cpu_time (void)
{
  g_autofree char *short_time = spindle_format_cpu_time (46730 * G_GINT64_CONSTANT (1000000));
  g_autofree char *long_time = spindle_format_cpu_time (62500 * G_GINT64_CONSTANT (1000000));
  g_autofree char *elapsed = spindle_format_elapsed (46730 * G_GINT64_CONSTANT (1000));

  g_assert_cmpstr (short_time, ==, "0:46.7");
  g_assert_cmpstr (long_time, ==, "1:02.5");
  g_assert_cmpstr (short_time, ==, elapsed);
}

/* A step of 35 µs is not "0.0 ms". */
static void
test_format_duration (void)
{
  static const struct { gint64 usec; const char *shown; } cases[] = {
    { 35, "35 µs" },
    { 999, "999 µs" },
    { 12400, "12 ms" },
    { 1500000, "1.5 s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = spindle_format_duration (cases[i].usec);

      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

static gboolean
phase_has_digit (SpindleWorker *worker)
{
  const char *phase = spindle_worker_get_phase (worker);

  return phase != NULL && strpbrk (phase, "0123456789") != NULL;
}

/* "step 1.10 of 10.10" read as a decimal number. */
static void
test_nested_loops_phase (Fixture *fixture)
{
  SpindleWorker *loops = spindle_ui_test_spawn (fixture, "nested-loops");
  const char *phase;

  spindle_ui_test_wait (phase_has_digit, loops);
  phase = spindle_worker_get_phase (loops);
  g_assert_null (strstr (phase, "10.10"));
  g_assert_true (g_regex_match_simple ("^loop 1 of 10, step 1 of 10\\b", phase, 0, 0));
}

static gboolean
has_report (SpindleWorker *worker)
{
  return spindle_worker_get_cleanup_report (worker) != NULL;
}

/* A child's step lasts as long as its parent waited for it, within the
 * whole cleanup: a child that ended before its parent asked took no time
 * (test-hardening pins a child the parent waits for).
 */
static void
test_child_step_durations (Fixture *fixture)
{
  SpindleWorker *supervisor = spindle_ui_test_spawn (fixture, "supervisor");
  SpindleWorkerDetails *details = show_worker (fixture, supervisor);
  SpindleCleanupReport *report;
  GtkWidget *child;
  guint n_children = 0;

  spindle_ui_test_wait_phase (supervisor, "supervising");
  spindle_worker_request_stop (supervisor);
  spindle_ui_test_wait_terminal (supervisor);
  spindle_ui_test_wait (has_report, supervisor);
  report = spindle_worker_get_cleanup_report (supervisor);

  for (guint i = 0; i < spindle_cleanup_report_get_n_steps (report); i++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, i);

      if (!g_str_has_prefix (step->label, "child "))
        continue;
      n_children++;
      g_assert_cmpint (step->duration_usec, >=, 0);
      g_assert_cmpint (step->duration_usec, <=, spindle_cleanup_report_get_duration (report));
    }
  g_assert_cmpuint (n_children, ==, 3);

  /* Each step is a row of its own template, its duration shown. */
  spindle_ui_test_settle (fixture->window);
  child = spindle_ui_test_find (GTK_WIDGET (details), SPINDLE_TYPE_CLEANUP_STEP_ROW, NULL, NULL);
  g_assert_nonnull (child);
  g_assert_nonnull (spindle_cleanup_step_row_get_item (SPINDLE_CLEANUP_STEP_ROW (child)));
  g_assert_cmpstr (label_text (details, "step-duration"), !=, "—");
}

/* The log's lines are items, shown by a row template. */
static void
test_log_items (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorkerDetails *details = show_worker (fixture, sleeper);
  GListModel *model = spindle_event_log_get_model (spindle_event_log_ensure (sleeper));
  GtkWidget *row;

  g_assert_true (g_list_model_get_item_type (model) == SPINDLE_TYPE_LOG_ENTRY);
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);

  row = spindle_ui_test_find (GTK_WIDGET (details), SPINDLE_TYPE_LOG_ROW, NULL, NULL);
  g_assert_nonnull (row);
  g_assert_nonnull (spindle_log_row_get_entry (SPINDLE_LOG_ROW (row)));
}

/* Issue 9's new reach: said, drawn and styled. */
static void
test_reach_unknown (void)
{
  g_assert_cmpstr (spindle_format_reach_title (SPINDLE_REACH_UNKNOWN), ==, "Spindle cannot tell what reaches it");
  g_assert_cmpstr (spindle_format_reach_icon (SPINDLE_REACH_UNKNOWN), ==, "dialog-question-symbolic");
  g_assert_cmpstr (spindle_format_reach_class (SPINDLE_REACH_UNKNOWN), ==, "reach-unknown");
}

/* Screenshots of the pane, light and dark, into the build directory. */
static void
save_pane (Fixture    *fixture,
           const char *name)
{
  const char *dir = g_getenv ("SPINDLE_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir ? dir : ".", name, NULL);

  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_save_png (GTK_WIDGET (fixture->window), path);
  g_test_message ("wrote %s", path);
}

static void
test_screenshots (Fixture *fixture)
{
  GtkSettings *settings = gtk_settings_get_default ();
  SpindleWorker *supervisor = spindle_ui_test_spawn (fixture, "supervisor");
  SpindleWorker *number = spawn_custom (fixture, NULL, "number", return_data, g_variant_new_uint32 (43));
  SpindleWorker *waiter;

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1400, 900);
  spindle_ui_test_wait_terminal (number);
  spindle_ui_test_wait_phase (supervisor, "supervising");
  spindle_worker_request_stop (supervisor);
  spindle_ui_test_wait_terminal (supervisor);
  show_worker (fixture, supervisor);

  g_object_set (settings, "gtk-application-prefer-dark-theme", FALSE, NULL);
  save_pane (fixture, "spindle-details-light.png");
  g_object_set (settings, "gtk-application-prefer-dark-theme", TRUE, NULL);
  save_pane (fixture, "spindle-details-dark.png");

  /* Unresponsive: the header says so and offers Abandon. */
  spindle_worker_set_set_auto_escalate (fixture->set, TRUE);
  spindle_worker_set_set_stop_grace (fixture->set, 30 * 1000);
  spindle_worker_set_set_cancel_grace (fixture->set, 30 * 1000);
  waiter = spindle_ui_test_spawn (fixture, "cond-waiter");
  show_worker (fixture, waiter);
  spindle_worker_request_stop (waiter);
  spindle_ui_test_wait (spindle_worker_get_unresponsive, waiter);
  save_pane (fixture, "spindle-details-unresponsive-dark.png");
  g_object_set (settings, "gtk-application-prefer-dark-theme", FALSE, NULL);
  save_pane (fixture, "spindle-details-unresponsive-light.png");
}

typedef struct
{
  GtkLabel   *label;
  const char *needle;
} LabelWait;

static gboolean
label_shows (LabelWait *wait)
{
  return gtk_widget_get_visible (GTK_WIDGET (wait->label)) &&
         strstr (gtk_label_get_text (wait->label), wait->needle) != NULL;
}

/* A process worker's pane names its process, and the tree under it. */
static void
test_process_group (SpindleUiFixture *fixture)
{
  const char *argv[] = { "sh", "-c", "sleep 60 & wait", NULL };
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_worker_set_spawn_command (fixture->set, NULL, argv, NULL, &error);
  GtkWidget *label;
  LabelWait process = { NULL, "Process " };
  LabelWait tree = { NULL, " sleep" };

  g_assert_no_error (error);
  spindle_ui_test_wait_row (fixture->window, worker);
  spindle_ui_test_select (fixture->window, worker);

  label = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_LABEL, "process_label", NULL);
  g_assert_nonnull (label);
  process.label = tree.label = GTK_LABEL (label);
  spindle_ui_test_wait (label_shows, &process);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "(sh)"));
  /* the tree is read again on the clock: the child appears */
  spindle_ui_test_wait (label_shows, &tree);

  spindle_worker_force_cancel (worker);
  spindle_ui_test_wait_terminal (worker);

  /* a thread worker has no process group */
  spindle_ui_test_select (fixture->window, spindle_ui_test_spawn (fixture, "sleeper"));
  spindle_ui_test_settle (fixture->window);
  g_assert_false (gtk_widget_get_visible (label));
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

#define ADD(path, func) spindle_ui_test_add ("/ui/details/" path, func)

  ADD ("scroll-resets", test_scroll_resets);
  ADD ("escalation-reasons", test_escalation_reasons);
  ADD ("stopped-phase", test_stopped_phase);
  ADD ("result-readable", test_result_readable);
  ADD ("nested-loops-phase", test_nested_loops_phase);
  ADD ("child-step-durations", test_child_step_durations);
  ADD ("log-items", test_log_items);
  ADD ("screenshots", test_screenshots);
  ADD ("process-group", test_process_group);
  g_test_add_func ("/ui/details/format-variant", test_format_variant);
  g_test_add_func ("/ui/details/format-cpu-time", test_format_cpu_time);
  g_test_add_func ("/ui/details/format-duration", test_format_duration);
  g_test_add_func ("/ui/details/reach-unknown", test_reach_unknown);

#undef ADD

  return g_test_run ();
}
