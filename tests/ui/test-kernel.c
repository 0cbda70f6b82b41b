/* test-kernel.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <dlfcn.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spindle-clock.h"
#include "spindle-format.h"
#include "spindle-kernel-view.h"
#include "spindle-thread-list.h"
#include "spindle-timeline.h"
#include "spindle-ui-test-util.h"

/* The kernel's view in the window: what the sampler reads and when, the
 * process's other threads, the timelines and "why is it still running?".
 */

typedef SpindleUiFixture Fixture;

/* Ticks *********************************************************************/

typedef struct
{
  SpindleSampler *sampler;
  guint           n_ticks;
  guint64         n_reads;
} TickWait;

/* Connected after the window's own handler, so the sample is taken. */
static void
on_tick (SpindleClock *clock,
         gint64        now,
         TickWait     *wait)
{
  wait->n_ticks++;
  wait->n_reads = spindle_sampler_get_n_task_reads (wait->sampler);
}

static gboolean
ticked (TickWait *wait)
{
  return wait->n_ticks > 0;
}

/* Waits for the next tick of the shared clock; returns the sampler's
 * count of /proc task reads right after it.
 */
static guint64
wait_tick (Fixture *fixture)
{
  TickWait wait = { spindle_window_get_sampler (fixture->window), 0, 0 };
  gulong handler = g_signal_connect (spindle_clock_get_default (), "tick", G_CALLBACK (on_tick), &wait);

  spindle_ui_test_wait (ticked, &wait);
  g_signal_handler_disconnect (spindle_clock_get_default (), handler);

  return wait.n_reads;
}

static gboolean
is_sampled (SpindleWorker *worker)
{
  return spindle_worker_get_kernel_state (worker) != NULL;
}

static gboolean
has_wait_channel (SpindleWorker *worker)
{
  return spindle_worker_get_wait_channel (worker) != NULL;
}

/* Widgets *******************************************************************/

static GtkWidget *
find_list_view (GtkWidget *root)
{
  return spindle_ui_test_find (root, GTK_TYPE_LIST_VIEW, NULL, NULL);
}

static guint
count_nodes (GskRenderNode *node,
             GskRenderNodeType type)
{
  guint n = gsk_render_node_get_node_type (node) == type;

  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        n += count_nodes (gsk_container_node_get_child (node, i), type);
      break;

    case GSK_ROUNDED_CLIP_NODE:
      n += count_nodes (gsk_rounded_clip_node_get_child (node), type);
      break;

    default:
      break;
    }

  return n;
}

/* The bars and marks the timeline draws itself, without its CSS track. */
static guint
count_drawn_rects (GtkWidget *timeline)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  GTK_WIDGET_GET_CLASS (timeline)->snapshot (timeline, snapshot);
  node = gtk_snapshot_to_node (snapshot);

  return node != NULL ? count_nodes (node, GSK_COLOR_NODE) : 0;
}

/* The named colours looked up, counted on their way to GTK's lookup. */
static guint n_color_lookups;

typedef gboolean (*LookupColorFunc) (GtkStyleContext *, const char *, GdkRGBA *);

gboolean
gtk_style_context_lookup_color (GtkStyleContext *context,
                                const char      *color_name,
                                GdkRGBA         *color)
{
  static LookupColorFunc real;

  if (real == NULL)
    real = (LookupColorFunc) dlsym (RTLD_NEXT, "gtk_style_context_lookup_color");
  n_color_lookups++;

  return real (context, color_name, color);
}

static gboolean
first_color (GskRenderNode *node,
             GdkRGBA       *color)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_COLOR_NODE:
      *color = *gsk_color_node_get_color (node);
      return TRUE;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        if (first_color (gsk_container_node_get_child (node, i), color))
          return TRUE;
      return FALSE;
    default:
      return FALSE;
    }
}

/* The colour of the first bar the timeline draws itself. */
static GdkRGBA
first_bar_color (GtkWidget *timeline)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GdkRGBA color = { 0, };

  GTK_WIDGET_GET_CLASS (timeline)->snapshot (timeline, snapshot);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  g_assert_true (first_color (node, &color));

  return color;
}

/* Other threads *************************************************************/

typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean release;
  int      tid;
} Unmanaged;

static gpointer
unmanaged_main (gpointer data)
{
  Unmanaged *unmanaged = data;

  g_mutex_lock (&unmanaged->mutex);
  unmanaged->tid = gettid ();
  g_cond_broadcast (&unmanaged->cond);
  while (!unmanaged->release)
    g_cond_wait (&unmanaged->cond, &unmanaged->mutex);
  g_mutex_unlock (&unmanaged->mutex);

  return NULL;
}

typedef struct
{
  GListModel *model;
  int         tid;
} ThreadWait;

static SpindleThreadInfo *
find_thread (GListModel *model,
             int         tid)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (model, i);

      if (spindle_thread_info_get_tid (info) == tid)
        return info;
    }

  return NULL;
}

static gboolean
thread_listed (ThreadWait *wait)
{
  return find_thread (wait->model, wait->tid) != NULL;
}

static gboolean
thread_gone (ThreadWait *wait)
{
  return !thread_listed (wait);
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_mapped (LabelWait *wait)
{
  GtkWidget *label = spindle_ui_test_find (wait->root, GTK_TYPE_LABEL, NULL, wait->text);

  return label != NULL && gtk_widget_get_mapped (label);
}

static void
test_other_threads_read_only (Fixture *fixture)
{
  SpindleSampler *sampler = spindle_window_get_sampler (fixture->window);
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  GtkWidget *threads = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_THREAD_LIST, NULL, NULL);
  Unmanaged unmanaged = { .tid = 0 };
  g_autofree char *tid_text = NULL;
  GThread *thread;
  ThreadWait wait;
  LabelWait label_wait;
  GtkWidget *row;

  g_mutex_init (&unmanaged.mutex);
  g_cond_init (&unmanaged.cond);
  thread = g_thread_new ("unmanaged", unmanaged_main, &unmanaged);
  g_mutex_lock (&unmanaged.mutex);
  while (unmanaged.tid == 0)
    g_cond_wait (&unmanaged.cond, &unmanaged.mutex);
  g_mutex_unlock (&unmanaged.mutex);

  /* The sampler lists it, by its comm, and not the worker. */
  wait = (ThreadWait) { spindle_sampler_get_other_threads (sampler), unmanaged.tid };
  spindle_ui_test_wait (thread_listed, &wait);
  g_assert_cmpstr (spindle_thread_info_get_name (find_thread (wait.model, unmanaged.tid)), ==, "unmanaged");
  g_assert_null (find_thread (wait.model, spindle_worker_get_tid (sleeper)));
  g_assert_null (find_thread (wait.model, 0));

  /* Its row shows once the section is open, without any action button. */
  spindle_thread_list_set_expanded (SPINDLE_THREAD_LIST (threads), TRUE);
  tid_text = g_strdup_printf ("%d", unmanaged.tid);
  label_wait = (LabelWait) { threads, tid_text };
  spindle_ui_test_wait (label_mapped, &label_wait);
  spindle_ui_test_settle (fixture->window);

  row = spindle_ui_test_row_of (spindle_ui_test_find (threads, GTK_TYPE_LABEL, NULL, tid_text));
  g_assert_nonnull (row);
  g_assert_nonnull (spindle_ui_test_find (row, GTK_TYPE_LABEL, NULL, "unmanaged"));
  g_assert_null (spindle_ui_test_find (row, GTK_TYPE_BUTTON, NULL, NULL));
  g_assert_null (spindle_ui_test_find (threads, GTK_TYPE_BUTTON, NULL, NULL));

  g_mutex_lock (&unmanaged.mutex);
  unmanaged.release = TRUE;
  g_cond_broadcast (&unmanaged.cond);
  g_mutex_unlock (&unmanaged.mutex);
  g_thread_join (thread);
  g_mutex_clear (&unmanaged.mutex);
  g_cond_clear (&unmanaged.cond);

  /* Gone from the process, gone from the list. */
  spindle_ui_test_wait (thread_gone, &wait);
}

/* Only the rows on screen are read ******************************************/

#define N_MANY 300

static gboolean
all_running (GListModel *set)
{
  for (guint i = 0; i < g_list_model_get_n_items (set); i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (set, i);

      if (spindle_worker_get_state (worker) != SPINDLE_WORKER_STATE_RUNNING)
        return FALSE;
    }

  return TRUE;
}

/* How many rows fit in the list's height, the last one perhaps in part. */
static guint
rows_that_fit (Fixture       *fixture,
               SpindleWorker *first)
{
  GtkWidget *list = find_list_view (GTK_WIDGET (fixture->window));
  GtkWidget *row = spindle_ui_test_find_row (fixture->window, first);
  int row_height;

  g_assert_nonnull (list);
  g_assert_nonnull (row);
  row_height = gtk_widget_get_height (row);
  g_assert_cmpint (row_height, >, 0);

  return (gtk_widget_get_height (list) + row_height - 1) / row_height;
}

static void
scroll_to_end (Fixture *fixture)
{
  GtkWidget *list = find_list_view (GTK_WIDGET (fixture->window));
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  spindle_ui_test_settle (fixture->window);
}

/* N_MANY sleepers, all running and listed. */
static void
add_many_sleepers (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (spindle_window_add_workers (fixture->window, "sleeper", N_MANY, &error), ==, N_MANY);
  g_assert_no_error (error);
  spindle_ui_test_wait (all_running, fixture->set);
  spindle_ui_test_settle (fixture->window);
}

static void
test_samples_visible_rows_only (Fixture *fixture)
{
  GListModel *set = G_LIST_MODEL (fixture->set);
  SpindleShownWorkers *shown = spindle_window_get_shown_workers (fixture->window);
  g_autoptr(SpindleWorker) first = NULL;
  g_autoptr(SpindleWorker) last = NULL;
  guint64 before, after;
  guint fit;

  add_many_sleepers (fixture);

  first = g_list_model_get_item (set, 0);
  last = g_list_model_get_item (set, N_MANY - 1);
  fit = rows_that_fit (fixture, first);
  g_test_message ("%u rows fit on screen", fit);
  g_assert_cmpuint (fit, <, N_MANY / 4);

  /* One tick reads /proc for the rows on screen that ran since their last
   * read, at most: never for all 300. Sleepers asleep all along cost none.
   */
  wait_tick (fixture);
  before = spindle_sampler_get_n_task_reads (spindle_window_get_sampler (fixture->window));
  after = wait_tick (fixture);
  g_test_message ("one tick read /proc for %" G_GUINT64_FORMAT " workers", after - before);
  g_assert_cmpuint (after - before, <=, fit + 1);

  g_assert_true (is_sampled (first));
  g_assert_null (spindle_worker_get_kernel_state (last));
  /* off screen, and no sort by CPU: not even its CPU clock is read */
  g_assert_cmpint (spindle_worker_get_cpu_time (last), ==, 0);

  /* The cells on screen reported their workers, and only those. */
  g_assert_true (spindle_shown_workers_contains (shown, first));
  g_assert_false (spindle_shown_workers_contains (shown, last));
  g_assert_cmpuint (spindle_shown_workers_get_n_workers (shown), >=, fit - 2);
  g_assert_cmpuint (spindle_shown_workers_get_n_workers (shown), <=, fit + 1);

  /* Scrolled to the end, the watch follows the rows: each row that comes
   * on screen is read at once, asleep or not. */
  before = spindle_sampler_get_n_task_reads (spindle_window_get_sampler (fixture->window));
  scroll_to_end (fixture);
  after = spindle_sampler_get_n_task_reads (spindle_window_get_sampler (fixture->window));
  g_test_message ("scrolling read /proc for %" G_GUINT64_FORMAT " workers", after - before);
  g_assert_cmpuint (after - before, >=, fit - 2);
  g_assert_true (is_sampled (last));
  wait_tick (fixture);
  g_assert_true (is_sampled (last));
  g_assert_null (spindle_worker_get_kernel_state (first));
  g_assert_true (spindle_shown_workers_contains (shown, last));
  g_assert_false (spindle_shown_workers_contains (shown, first));
  g_assert_cmpuint (spindle_shown_workers_get_n_workers (shown), <=, fit + 1);
}

/* The selected worker is watched off screen too: the details pane shows it. */
static void
test_samples_selected_off_screen (Fixture *fixture)
{
  GListModel *set = G_LIST_MODEL (fixture->set);
  SpindleShownWorkers *shown = spindle_window_get_shown_workers (fixture->window);
  g_autoptr(SpindleWorker) last = NULL;

  add_many_sleepers (fixture);
  last = g_list_model_get_item (set, N_MANY - 1);
  spindle_ui_test_select (fixture->window, last);
  spindle_ui_test_settle (fixture->window);
  g_assert_null (spindle_ui_test_find_row (fixture->window, last));
  g_assert_false (spindle_shown_workers_contains (shown, last));

  wait_tick (fixture);
  g_assert_true (is_sampled (last));

  spindle_ui_test_unselect (fixture->window);
  wait_tick (fixture);
  g_assert_null (spindle_worker_get_kernel_state (last));
}

/* Ticks that reach the sampler only while the window is mapped. A compute
 * loop runs on every tick, so every tick that reaches the sampler reads
 * its /proc files.
 */
static void
test_samples_only_while_mapped (Fixture *fixture)
{
  SpindleSampler *sampler = spindle_window_get_sampler (fixture->window);
  SpindleShownWorkers *shown = spindle_window_get_shown_workers (fixture->window);
  SpindleClock *clock = spindle_clock_get_default ();
  SpindleWorker *compute = spindle_ui_test_spawn (fixture, "compute");
  guint64 reads;

  spindle_ui_test_wait (is_sampled, compute);

  gtk_widget_set_visible (GTK_WIDGET (fixture->window), FALSE);
  g_assert_false (spindle_clock_is_running (clock));
  g_assert_cmpuint (spindle_shown_workers_get_n_workers (shown), ==, 0);
  reads = spindle_sampler_get_n_task_reads (sampler);
  g_signal_emit_by_name (clock, "tick", g_get_monotonic_time ());
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler), ==, reads);

  gtk_widget_set_visible (GTK_WIDGET (fixture->window), TRUE);
  spindle_ui_test_wait_drawn (fixture->window);
  g_assert_true (spindle_clock_is_running (clock));
  g_assert_true (spindle_shown_workers_contains (shown, compute));
  g_signal_emit_by_name (clock, "tick", g_get_monotonic_time ());
  g_assert_cmpuint (spindle_sampler_get_n_task_reads (sampler), >, reads);
}

/* Columns and timelines *****************************************************/

static GtkWidget *
find_row_timeline (Fixture       *fixture,
                   SpindleWorker *worker)
{
  return spindle_ui_test_find (spindle_ui_test_wait_row (fixture->window, worker),
                               SPINDLE_TYPE_TIMELINE, NULL, NULL);
}

static gboolean
cpu_above (SpindleWorker *worker)
{
  return spindle_worker_get_cpu_percent (worker) > 20.0;
}

static gboolean
shows_current_cpu (GtkWidget     *row,
                   gconstpointer  worker)
{
  g_autofree char *cpu = spindle_format_cpu_percent (spindle_worker_get_cpu_percent ((SpindleWorker *) worker));

  return spindle_ui_test_widget_has_text (row, cpu);
}

/* A sample can land between two checks, so the row is waited on until it
 * shows the worker's figure of the moment; a row that never follows its
 * worker fails on the timeout. */
static void
assert_row_shows_cpu (Fixture       *fixture,
                      SpindleWorker *worker)
{
  spindle_ui_test_wait_row_matches (fixture->window, worker, shows_current_cpu, worker);
}

static void
test_cpu_and_kernel_columns (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorker *compute = spindle_ui_test_spawn (fixture, "compute");
  g_autofree char *kernel = NULL;

  spindle_ui_test_wait (cpu_above, compute);
  spindle_ui_test_wait (is_sampled, sleeper);
  spindle_ui_test_settle (fixture->window);

  g_assert_cmpfloat (spindle_worker_get_cpu_percent (compute), >, spindle_worker_get_cpu_percent (sleeper));
  assert_row_shows_cpu (fixture, compute);
  assert_row_shows_cpu (fixture, sleeper);

  /* words for the sleeper, waiting in the engine's ppoll; the raw values
   * are in the tooltip */
  g_assert_cmpstr (spindle_worker_get_kernel_state (sleeper), ==, "S");
  g_assert_true (spindle_ui_test_row_has_text (fixture->window, sleeper, "waiting in poll"));
}

static void
test_timeline_draws (Fixture *fixture)
{
  SpindleWorker *compute = spindle_ui_test_spawn (fixture, "compute");
  SpindleWorker *reader = spindle_ui_test_spawn (fixture, "socket-reader");
  GtkWidget *timeline, *details;
  guint with_marks, without_marks;

  /* A row's timeline: on screen, it draws its bars once laid out. */
  spindle_ui_test_wait (is_sampled, compute);
  spindle_ui_test_settle (fixture->window);
  timeline = find_row_timeline (fixture, compute);
  g_assert_nonnull (timeline);
  g_assert_true (spindle_timeline_get_worker (SPINDLE_TIMELINE (timeline)) == compute);
  g_assert_true (gtk_widget_get_mapped (timeline));
  g_assert_cmpuint (count_drawn_rects (timeline), >=, 1);

  /* The pane's marks the escalation (the reader ignores the stop) and the cleanup. */
  spindle_worker_request_stop (reader);
  spindle_ui_test_wait_terminal (reader);
  g_assert_cmpint (spindle_worker_get_state (reader), ==, SPINDLE_WORKER_STATE_CANCELLED);
  spindle_ui_test_select (fixture->window, reader);
  spindle_ui_test_settle (fixture->window);

  details = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_KERNEL_VIEW, NULL, NULL);
  timeline = spindle_ui_test_find (details, SPINDLE_TYPE_TIMELINE, NULL, NULL);
  g_assert_true (spindle_timeline_get_worker (SPINDLE_TIMELINE (timeline)) == reader);
  g_assert_true (spindle_timeline_get_show_markers (SPINDLE_TIMELINE (timeline)));

  with_marks = count_drawn_rects (timeline);
  spindle_timeline_set_show_markers (SPINDLE_TIMELINE (timeline), FALSE);
  without_marks = count_drawn_rects (timeline);
  spindle_timeline_set_show_markers (SPINDLE_TIMELINE (timeline), TRUE);

  /* running, stopping, cancelling, cleaning, cancelled at least; two marks of two rects */
  g_assert_cmpuint (without_marks, >=, 4);
  g_assert_cmpuint (with_marks, >=, without_marks + 4);
}

typedef struct
{
  GtkWidget *timeline;
  GdkRGBA    before;
} ColorWait;

static gboolean
bar_color_changed (ColorWait *wait)
{
  GdkRGBA now = first_bar_color (wait->timeline);

  return !gdk_rgba_equal (&now, &wait->before);
}

/* A timeline looks its colours up once, not on each of its draws (a row on
 * screen is drawn on every frame of a scroll), and again once its style
 * changes: the dark theme's bars are drawn in the dark theme's colours.
 */
static void
test_timeline_colors_cached (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  GtkSettings *settings = gtk_settings_get_default ();
  ColorWait wait;

  spindle_ui_test_settle (fixture->window);
  wait.timeline = find_row_timeline (fixture, sleeper);
  g_assert_nonnull (wait.timeline);
  wait.before = first_bar_color (wait.timeline);

  n_color_lookups = 0;
  for (guint i = 0; i < 10; i++)
    first_bar_color (wait.timeline);
  g_assert_cmpuint (n_color_lookups, ==, 0);

  g_object_set (settings, "gtk-application-prefer-dark-theme", TRUE, NULL);
  spindle_ui_test_wait (bar_color_changed, &wait);
  g_object_set (settings, "gtk-application-prefer-dark-theme", FALSE, NULL);
  spindle_ui_test_wait_drawn (fixture->window);
}

/* Why is it still running? **************************************************/

/* A mapped label or inscription whose text holds @needle, casefolded. */
static gboolean
shows_folded (GtkWidget     *widget,
              gconstpointer  needle)
{
  const char *shown = spindle_ui_test_text_of (widget);
  g_autofree char *folded = NULL;

  if (!gtk_widget_get_mapped (widget) || !(GTK_IS_LABEL (widget) || GTK_IS_INSCRIPTION (widget)))
    return FALSE;

  folded = g_utf8_casefold (shown != NULL ? shown : "", -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
label_contains (GtkWidget  *root,
                const char *text)
{
  g_autofree char *needle = g_utf8_casefold (text, -1);

  return spindle_ui_test_find_match (root, shows_folded, needle) != NULL;
}

static void
test_cond_waiter_diagnosis (Fixture *fixture)
{
  SpindleWorker *waiter = spindle_ui_test_spawn (fixture, "cond-waiter");
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  GtkWidget *pane;

  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_select (fixture->window, waiter);
  spindle_ui_test_wait (has_wait_channel, waiter);
  spindle_ui_test_settle (fixture->window);

  /* The kernel sees a futex wait, which force-cancel cannot reach. */
  g_assert_nonnull (strstr (spindle_worker_get_wait_channel (waiter), "futex"));
  diagnosis = spindle_worker_diagnose_now (waiter);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_NOTHING);
  g_assert_nonnull (strstr (diagnosis->summary, "futex"));

  pane = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_KERNEL_VIEW, NULL, NULL);
  g_assert_true (spindle_kernel_view_get_worker (SPINDLE_KERNEL_VIEW (pane)) == waiter);
  g_assert_true (label_contains (pane, diagnosis->summary));
  g_assert_true (label_contains (pane, diagnosis->advice));
  g_assert_true (label_contains (pane, spindle_format_reach_title (SPINDLE_REACH_NOTHING)));
  g_assert_true (label_contains (pane, spindle_worker_get_wait_channel (waiter)));
}

/* Waits in poll () until a byte comes on its pipe, then in nanosleep (). */
static GVariant *
poll_then_sleep_body (SpindleJob  *job,
                      gpointer     data,
                      GError     **error)
{
  struct pollfd pfd = { .fd = GPOINTER_TO_INT (data), .events = POLLIN };
  struct timespec ts = { 60, 0 };
  char byte;

  while (poll (&pfd, 1, -1) < 0)
    ;
  if (read (pfd.fd, &byte, 1) == 1)
    nanosleep (&ts, NULL);

  return NULL;
}

typedef struct
{
  GtkWidget  *pane;
  const char *text;
} PaneWait;

static gboolean
pane_shows (PaneWait *wait)
{
  return label_contains (wait->pane, wait->text);
}

/* The sampler reads a watched thread's /proc files again only once it ran:
 * the selected worker, moved from one wait to another with no change of
 * state, is shown in its new wait, and diagnosed there.
 */
static void
test_selected_follows_its_wait (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;
  PaneWait wait;
  int fds[2];

  g_assert_no_errno (pipe (fds));
  worker = spindle_worker_set_spawn (fixture->set, "poll then sleep", poll_then_sleep_body,
                                     GINT_TO_POINTER (fds[0]), NULL, &error);
  g_assert_no_error (error);
  spindle_ui_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_ui_test_select (fixture->window, worker);

  wait = (PaneWait) { spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_KERNEL_VIEW, NULL, NULL),
                      "poll" };
  spindle_ui_test_wait (has_wait_channel, worker);
  spindle_ui_test_wait (pane_shows, &wait);
  g_assert_false (label_contains (wait.pane, "nanosleep"));

  g_assert_cmpint (write (fds[1], "x", 1), ==, 1);
  wait.text = "nanosleep";
  spindle_ui_test_wait (pane_shows, &wait);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_true (label_contains (wait.pane, "sleeping in a cancellation point"));

  spindle_worker_force_cancel (worker);
  spindle_ui_test_wait_terminal (worker);
  close (fds[0]);
  close (fds[1]);
}

/* The process's figures *****************************************************/

static gboolean
status_shown (GtkWidget *status)
{
  const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (status));

  return text != NULL && *text != '\0';
}

static void
test_process_status (Fixture *fixture)
{
  SpindleSampler *sampler = spindle_window_get_sampler (fixture->window);
  GtkWidget *label;

  spindle_ui_test_spawn (fixture, "sleeper");
  spindle_ui_test_settle (fixture->window);

  label = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_INSCRIPTION, "process-status", NULL);
  g_assert_nonnull (label);
  spindle_ui_test_wait (status_shown, label);

  g_assert_cmpuint (spindle_sampler_get_n_cpus (sampler), >=, 1);
  g_assert_cmpuint (spindle_sampler_get_n_threads (sampler), >=, 2);
  g_assert_cmpuint (spindle_sampler_get_resident (sampler), >, 0);
  g_assert_true (label_contains (label, "threads"));
  g_assert_true (label_contains (label, "load"));
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

#define ADD(path, func) spindle_ui_test_add ("/ui/kernel/" path, func)

  ADD ("other-threads-read-only", test_other_threads_read_only);
  ADD ("samples-visible-rows-only", test_samples_visible_rows_only);
  ADD ("samples-selected-off-screen", test_samples_selected_off_screen);
  ADD ("samples-only-while-mapped", test_samples_only_while_mapped);
  ADD ("cpu-and-kernel-columns", test_cpu_and_kernel_columns);
  ADD ("timeline-draws", test_timeline_draws);
  ADD ("timeline-colors-cached", test_timeline_colors_cached);
  ADD ("cond-waiter-diagnosis", test_cond_waiter_diagnosis);
  ADD ("selected-follows-its-wait", test_selected_follows_its_wait);
  ADD ("process-status", test_process_status);

#undef ADD

  return g_test_run ();
}
