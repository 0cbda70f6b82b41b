/* bench-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The window benchmark: the real application, under a virtual display,
 * with N sleepers started from its command line, as a user would.
 *
 * For each N (0 as the reference: the same window with nothing in it, then
 * 1,000 and 10,000) it runs itself as a child process and reads back:
 *
 *  - launch: from the child's main() to the end of the first painted frame
 *    whose list holds all N rows with the right counts in the header, every
 *    worker's thread running (RUNNING, not only listed), and
 *    the main thread's CPU time until then (the workers' threads are
 *    created by the set's starter threads, not by the main thread), and
 *    the whole process's, all threads together;
 *  - idle: the main thread's CPU (CLOCK_THREAD_CPUTIME_ID, read on the
 *    main thread) over a quiet stretch at the default refresh, in % of a
 *    core;
 *  - scroll: the list scrolled continuously, one step per frame of the
 *    widget's GdkFrameClock: each frame's cost (before-paint to the end of
 *    after-paint, p50 and p95, in ms), the frame intervals, and the main
 *    thread's CPU while scrolling.
 *
 * Run it with
 *   xvfb-run -a -s '-screen 0 1400x900x24' meson test -C BUILDDIR --benchmark spindle-bench-window
 * or directly, `BUILDDIR/tests/bench/spindle-bench-window [--workers N]`
 * under any X display.
 *
 * The idle window's reference is htop 3 showing the same threads at a 0.5 s refresh
 * (`htop -d 5 -p PID`, in a pseudo-terminal of 200×50, its own settings
 * file left out): for the largest size the child stays up once measured,
 * htop runs against it for as long as the idle measure, and its CPU (from
 * /proc/PID/stat, after a second to settle) is printed beside Spindle's
 * main thread, as a ratio (bench-window-reference.c, with the other
 * references). Without htop that line says it was skipped. Scrolling is
 * set beside GTK's bare column view of the same shape, and the launch
 * beside a bare program making as many threads, each in a process of its
 * own after the largest size.
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-window-private.h"
#include "spindle-application.h"
#include "spindle.h"
#include "spindle-window-private.h"

#define SETTLE_MS       1500
#define GUARD_SECONDS   120
#define SCROLL_STEP_PX  37.0

typedef struct
{
  guint               n_workers;
  guint               idle_seconds;
  guint               scroll_seconds;
  gboolean            hold;

  gint64              t_main;
  SpindleWindow      *window;          /* NULL for the reference list */
  GtkWidget          *list;            /* the column view scrolled */
  int                 reference_width; /* the reference list's size: Spindle's */
  int                 reference_height;
  GtkAdjustment      *vadjustment;
  GdkFrameClock      *frame_clock;

  guint               n_running;       /* workers seen RUNNING, from the first */
  double              launch_ms;
  double              launch_cpu_ms;
  double              launch_process_cpu_ms;
  double              idle_cpu;
  double              scroll_cpu;
  gboolean            idling;
  guint               idle_frames;

  /* scrolling */
  gboolean            scrolling;
  double              direction;
  gint64              frame_start;
  gint64              last_frame_end;
  GArray             *frame_costs;     /* ms */
  GArray             *frame_intervals; /* ms */
  gint64              cpu_start;
  gint64              wall_start;
  guint               tick_id;
  gulong              before_id;
  gulong              after_id;
} Bench;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Every thread's, the ended ones' too: the starter threads', the
 * workers' own start and GTK's.
 */
static gint64
process_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Nearest rank on a sorted copy; NAN for no samples. */
static double
percentile (GArray *samples,
            double  p)
{
  g_autoptr(GArray) sorted = NULL;
  guint rank;

  if (samples->len == 0)
    return NAN;

  sorted = g_array_copy (samples);
  g_array_sort (sorted, compare_doubles);
  rank = (guint) ceil (p / 100.0 * sorted->len);
  return g_array_index (sorted, double, CLAMP (rank, 1, sorted->len) - 1);
}

/* The size of the list's scrolled window: the area a scroll redraws. */
static void
get_list_size (Bench *bench,
               int   *width,
               int   *height)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (bench->list, GTK_TYPE_SCROLLED_WINDOW);

  *width = scroller ? gtk_widget_get_width (scroller) : 0;
  *height = scroller ? gtk_widget_get_height (scroller) : 0;
}

static void
finish (Bench *bench)
{
  int width = 0, height = 0;

  if (bench->list != NULL)
    get_list_size (bench, &width, &height);

  g_print ("RESULT list_width=%d list_height=%d ", width, height);
  g_print ("workers=%u launch_ms=%.1f launch_cpu_ms=%.1f launch_process_cpu_ms=%.1f idle_cpu=%.2f scroll_p50_ms=%.2f scroll_p95_ms=%.2f "
           "interval_p50_ms=%.2f interval_p95_ms=%.2f scroll_cpu=%.1f frames=%u idle_fps=%.1f\n",
           bench->n_workers, bench->launch_ms, bench->launch_cpu_ms, bench->launch_process_cpu_ms, bench->idle_cpu,
           percentile (bench->frame_costs, 50), percentile (bench->frame_costs, 95),
           percentile (bench->frame_intervals, 50), percentile (bench->frame_intervals, 95),
           bench->scroll_cpu, bench->frame_costs->len, (double) bench->idle_frames / bench->idle_seconds);
  fflush (stdout);

  /* Ten thousand sleepers would take a while to stop; this process is done. */
  if (!bench->hold)
    _exit (0);
}

/* Scrolling *****************************************************************/

static void
on_before_paint (GdkFrameClock *clock,
                 Bench         *bench)
{
  bench->frame_start = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *bench)
{
  gint64 end = g_get_monotonic_time ();
  double cost = (end - bench->frame_start) / 1000.0;

  if (bench->idling)
    bench->idle_frames++;

  if (!bench->scrolling || bench->frame_start == 0)
    return;

  g_array_append_val (bench->frame_costs, cost);
  if (bench->last_frame_end != 0)
    {
      double interval = (end - bench->last_frame_end) / 1000.0;

      g_array_append_val (bench->frame_intervals, interval);
    }
  bench->last_frame_end = end;
}

/* One step per frame, back and forth over the whole list. */
static gboolean
scroll_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  Bench *bench = data;
  GtkAdjustment *adj = bench->vadjustment;
  double value = gtk_adjustment_get_value (adj) + bench->direction * SCROLL_STEP_PX;
  double upper = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  if (value >= upper || value <= 0)
    bench->direction = -bench->direction;
  gtk_adjustment_set_value (adj, CLAMP (value, 0, upper));

  return G_SOURCE_CONTINUE;
}

static gboolean
stop_scrolling (gpointer data)
{
  Bench *bench = data;

  bench->scroll_cpu = 100.0 * (thread_cpu_us () - bench->cpu_start) /
                      (g_get_monotonic_time () - bench->wall_start);
  bench->scrolling = FALSE;
  gtk_widget_remove_tick_callback (bench->list, bench->tick_id);
  finish (bench);

  return G_SOURCE_REMOVE;
}

static void
start_scrolling (Bench *bench)
{
  if (bench->n_workers == 0 || bench->scroll_seconds == 0)
    {
      finish (bench);
      return;
    }

  bench->vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (bench->list));
  bench->direction = 1.0;
  bench->scrolling = TRUE;
  bench->cpu_start = thread_cpu_us ();
  bench->wall_start = g_get_monotonic_time ();
  bench->tick_id = gtk_widget_add_tick_callback (bench->list, scroll_tick, bench, NULL);
  g_timeout_add_seconds (bench->scroll_seconds, stop_scrolling, bench);
}

/* Idle **********************************************************************/

static gboolean
stop_idle (gpointer data)
{
  Bench *bench = data;

  bench->idle_cpu = 100.0 * (thread_cpu_us () - bench->cpu_start) /
                    (g_get_monotonic_time () - bench->wall_start);
  bench->idling = FALSE;
  start_scrolling (bench);

  return G_SOURCE_REMOVE;
}

static gboolean
start_idle (gpointer data)
{
  Bench *bench = data;

  bench->cpu_start = thread_cpu_us ();
  bench->wall_start = g_get_monotonic_time ();
  bench->idling = TRUE;
  g_timeout_add_seconds (bench->idle_seconds, stop_idle, bench);

  return G_SOURCE_REMOVE;
}

/* Launch ********************************************************************/

/* Whether every worker's thread runs, and the row says so: the header
 * counts starting workers as running, and a worker is listed before its
 * thread exists. Resumes where it stopped, so a launch costs one walk.
 */
static gboolean
all_running (Bench *bench)
{
  GListModel *set = G_LIST_MODEL (bench->window->set);

  for (; bench->n_running < g_list_model_get_n_items (set); bench->n_running++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (set, bench->n_running);

      if (spindle_worker_get_state (worker) != SPINDLE_WORKER_STATE_RUNNING)
        return FALSE;
    }

  return bench->n_running == bench->n_workers;
}

/* Every row in the list, the header's counts say so, and every worker's
 * thread runs.
 */
static gboolean
is_populated (Bench *bench)
{
  SpindleWindow *window = bench->window;
  g_autofree char *running = g_strdup_printf ("%u running", bench->n_workers);
  const char *subtitle = gtk_label_get_label (window->subtitle_label);

  if (g_list_model_get_n_items (G_LIST_MODEL (window->filter_model)) != bench->n_workers)
    return FALSE;

  if (bench->n_workers == 0)
    return TRUE;

  return g_str_has_prefix (subtitle, running) && all_running (bench);
}

static void
on_launch_paint (GdkFrameClock *clock,
                 Bench         *bench)
{
  if (bench->launch_ms > 0 || !is_populated (bench))
    return;

  bench->launch_ms = (g_get_monotonic_time () - bench->t_main) / 1000.0;
  bench->launch_cpu_ms = thread_cpu_us () / 1000.0;
  bench->launch_process_cpu_ms = process_cpu_us () / 1000.0;
  g_timeout_add (SETTLE_MS, start_idle, bench);
}

static void
connect_frame_clock (Bench     *bench,
                     GtkWidget *widget,
                     GCallback  on_launched)
{
  bench->frame_clock = gtk_widget_get_frame_clock (widget);
  g_signal_connect_after (bench->frame_clock, "after-paint", on_launched, bench);
  g_signal_connect (bench->frame_clock, "before-paint", G_CALLBACK (on_before_paint), bench);
  g_signal_connect_after (bench->frame_clock, "after-paint", G_CALLBACK (on_after_paint), bench);
}

static void
on_realize (GtkWidget *widget,
            Bench     *bench)
{
  connect_frame_clock (bench, widget, G_CALLBACK (on_launch_paint));
}

static void
on_activate (GApplication *app,
             Bench        *bench)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (bench->window != NULL)
    return;

  bench->window = SPINDLE_WINDOW (window);
  bench->list = GTK_WIDGET (bench->window->column_view);
  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    on_realize (GTK_WIDGET (window), bench);
  else
    g_signal_connect (window, "realize", G_CALLBACK (on_realize), bench);
}

static gboolean
on_guard (gpointer data)
{
  g_printerr ("bench-window: no result after %d s\n", GUARD_SECONDS);
  _exit (1);
}

static int
run_child (Bench *bench)
{
  g_autoptr(SpindleApplication) app = NULL;
  g_autofree char *workers = g_strdup_printf ("sleeper=%u", bench->n_workers);
  char *argv[] = { (char *) "spindle", (char *) "--workers", workers, NULL };

  bench->frame_costs = g_array_new (FALSE, FALSE, sizeof (double));
  bench->frame_intervals = g_array_new (FALSE, FALSE, sizeof (double));

  app = spindle_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), bench);
  if (!bench->hold)
    g_timeout_add_seconds (GUARD_SECONDS, on_guard, NULL);

  return g_application_run (G_APPLICATION (app), bench->n_workers > 0 ? 3 : 1, argv);
}

/* The reference list *******************************************************/

/* GTK's bare column view (bench-window-reference.c), scrolled as Spindle's
 * list is once its rows are laid out and have settled; nothing else of it
 * is measured.
 */
static gboolean
start_reference_scrolling (gpointer data)
{
  start_scrolling (data);

  return G_SOURCE_REMOVE;
}

static void
on_reference_paint (GdkFrameClock *clock,
                    Bench         *bench)
{
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (bench->list));

  if (bench->launch_ms > 0 || gtk_adjustment_get_upper (adj) <= gtk_adjustment_get_page_size (adj))
    return;

  bench->launch_ms = (g_get_monotonic_time () - bench->t_main) / 1000.0;
  g_timeout_add (SETTLE_MS, start_reference_scrolling, bench);
}

static void
on_reference_realize (GtkWidget *widget,
                      Bench     *bench)
{
  connect_frame_clock (bench, widget, G_CALLBACK (on_reference_paint));
}

static int
run_reference (Bench *bench)
{
  GtkWidget *window;

  if (!gtk_init_check ())
    {
      g_printerr ("bench-window: no display for the reference list\n");
      return 1;
    }

  bench->frame_costs = g_array_new (FALSE, FALSE, sizeof (double));
  bench->frame_intervals = g_array_new (FALSE, FALSE, sizeof (double));
  window = bench_reference_window_new (bench->n_workers, bench->reference_width, bench->reference_height,
                                       &bench->list);
  g_signal_connect (window, "realize", G_CALLBACK (on_reference_realize), bench);
  g_timeout_add_seconds (GUARD_SECONDS, on_guard, NULL);
  gtk_window_present (GTK_WINDOW (window));

  /* finish () ends the process */
  while (TRUE)
    g_main_context_iteration (NULL, TRUE);

  return 0;
}

/* The parent: one child per size, and the table *****************************/

static GHashTable *
parse_result (const char *line)
{
  GHashTable *result = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) fields = g_strsplit_set (line + strlen ("RESULT "), " \n", -1);

  for (guint i = 0; fields[i] != NULL; i++)
    {
      char *eq = strchr (fields[i], '=');

      if (eq != NULL)
        g_hash_table_insert (result, g_strndup (fields[i], eq - fields[i]), g_strdup (eq + 1));
    }

  return result;
}

/* The child's RESULT line, read as it comes: a held child does not end. */
static char *
read_result_line (int fd)
{
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[4096];
  ssize_t n;

  while ((n = read (fd, buffer, sizeof buffer)) != 0)
    {
      const char *line;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;

      g_string_append_len (text, buffer, n);
      if ((line = strstr (text->str, "RESULT ")) != NULL && strchr (line, '\n') != NULL)
        return g_strndup (line, strchr (line, '\n') - line + 1);
    }

  return NULL;
}

/* One child, run with @argv and read back; with @htop, htop is measured
 * against it once it has measured itself, before it is ended.
 */
static gboolean
run_measure (const char  **argv,
             const char   *what,
             const char   *htop,
             guint         idle_seconds,
             GHashTable  **result,
             double       *htop_cpu)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GPid pid;
  int out;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                 &pid, NULL, &out, NULL, &error))
    {
      g_printerr ("bench-window: %s: %s\n", what, error->message);
      return FALSE;
    }

  line = read_result_line (out);
  if (line != NULL && htop != NULL)
    *htop_cpu = bench_reference_htop (htop, pid, idle_seconds);

  /* ten thousand sleepers need not stop one by one */
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  close (out);

  if (line == NULL)
    {
      g_printerr ("bench-window: %s: no result\n", what);
      return FALSE;
    }

  *result = parse_result (line);
  return TRUE;
}

/* Spindle with @n workers. */
static gboolean
run_size (const char   *self_path,
          guint         n,
          const Bench  *options,
          const char   *htop,
          GHashTable  **result,
          double       *htop_cpu)
{
  g_autofree char *n_text = g_strdup_printf ("%u", n);
  g_autofree char *idle = g_strdup_printf ("%u", options->idle_seconds);
  g_autofree char *scroll = g_strdup_printf ("%u", options->scroll_seconds);
  g_autofree char *what = g_strdup_printf ("%u workers", n);
  const char *argv[] = { self_path, "--child", n_text, "--idle-seconds", idle,
                         "--scroll-seconds", scroll, htop ? "--hold" : NULL, NULL };

  return run_measure (argv, what, htop, options->idle_seconds, result, htop_cpu);
}

/* A bare program making @n threads (see bench_reference_threads ()). */
static gboolean
run_reference_threads (const char   *self_path,
                       guint         n,
                       GHashTable  **result)
{
  g_autofree char *n_text = g_strdup_printf ("%u", n);
  const char *argv[] = { self_path, "--reference-threads", n_text, NULL };
  double unused;

  return run_measure (argv, "reference threads", NULL, 0, result, &unused);
}

/* The bare column view of @n rows, at the size of Spindle's list in @spindle. */
static gboolean
run_reference_size (const char   *self_path,
                    guint         n,
                    const Bench  *options,
                    GHashTable   *spindle,
                    GHashTable  **result)
{
  g_autofree char *n_text = g_strdup_printf ("%u", n);
  g_autofree char *scroll = g_strdup_printf ("%u", options->scroll_seconds);
  const char *width = g_hash_table_lookup (spindle, "list_width");
  const char *height = g_hash_table_lookup (spindle, "list_height");
  const char *argv[] = { self_path, "--reference", n_text, "--reference-width", width,
                         "--reference-height", height, "--scroll-seconds", scroll, NULL };
  double unused;

  if (width == NULL || height == NULL || atoi (width) <= 0 || atoi (height) <= 0)
    return FALSE;

  return run_measure (argv, "reference list", NULL, 0, result, &unused);
}

static double
get (GHashTable *result,
     const char *key)
{
  const char *value = result ? g_hash_table_lookup (result, key) : NULL;

  return value ? g_ascii_strtod (value, NULL) : NAN;
}

static const char *
verdict (double   value,
         double   goal)
{
  return isnan (value) ? "–" : value <= goal ? "met" : "MISSED";
}

static void
print_htop (const char *htop,
            double      idle,
            double      htop_cpu)
{
  if (htop == NULL)
    g_print ("  htop reference            skipped: htop is not installed\n");
  else if (isnan (htop_cpu))
    g_print ("  htop reference            skipped: htop could not run\n");
  else
    g_print ("  htop -d 5 on the same threads %6.2f %% of a core; Spindle's main thread idle is %.3f× that\n",
             htop_cpu, idle / htop_cpu);
}

static void
print_size (guint       n,
            GHashTable *result,
            GHashTable *reference)
{
  double launch = get (result, "launch_ms"), idle = get (result, "idle_cpu");
  double p95 = get (result, "scroll_p95_ms"), cpu = get (result, "scroll_cpu");

  g_print ("\n%u workers\n", n);
  g_print ("  launch → populated list   %8.0f ms    (empty window: %.0f ms)  goal ≤ 1500 ms: %s\n",
           launch, get (reference, "launch_ms"), verdict (launch, 1500));
  /* the main thread's own share of it: steadier than the wall time on a loaded machine */
  g_print ("  launch, main thread CPU   %8.0f ms    (empty window: %.0f ms)\n",
           get (result, "launch_cpu_ms"), get (reference, "launch_cpu_ms"));
  /* with two cores, a launch takes at least half of it */
  g_print ("  launch, whole process CPU %8.0f ms    (empty window: %.0f ms)\n",
           get (result, "launch_process_cpu_ms"), get (reference, "launch_process_cpu_ms"));
  g_print ("  main thread idle          %8.2f %%     (empty window: %.2f %%; %.1f frames/s)  goal ≤ 2 %%: %s\n",
           idle, get (reference, "idle_cpu"), get (result, "idle_fps"), verdict (idle, 2));
  g_print ("  scroll frame cost p50/p95 %5.2f / %5.2f ms  (%u frames; interval p50/p95 %.1f / %.1f ms)  goal p95 ≤ 16 ms: %s\n",
           get (result, "scroll_p50_ms"), p95, (guint) get (result, "frames"),
           get (result, "interval_p50_ms"), get (result, "interval_p95_ms"), verdict (p95, 16));
  g_print ("  main thread scrolling     %8.1f %%                              goal ≤ 30 %%: %s\n",
           cpu, verdict (cpu, 30));
}

static void
print_threads (GHashTable *result,
               GHashTable *threads)
{
  double ms = get (threads, "threads_ms");

  if (threads == NULL || ms <= 0)
    g_print ("  bare threads               skipped: the reference program gave no result\n");
  else
    g_print ("  a bare program making as many waiting threads %6.0f ms, %.0f ms of CPU; Spindle's launch is %.2f× that\n",
             ms, get (threads, "threads_cpu_ms"), get (result, "launch_ms") / ms);
}

static void
print_reference (GHashTable *result,
                 GHashTable *reference)
{
  double cpu = get (result, "scroll_cpu"), reference_cpu = get (reference, "scroll_cpu");

  if (reference == NULL)
    {
      g_print ("  bare GtkColumnView          skipped: the reference list gave no result\n");
      return;
    }

  /* the same shape, every cell plain text: what GTK costs to scroll it here */
  g_print ("  bare GtkColumnView, same shape: frame cost p50/p95 %.2f / %.2f ms, main thread %.1f %%;"
           " Spindle's scrolling is %.2f× that\n",
           get (reference, "scroll_p50_ms"), get (reference, "scroll_p95_ms"), reference_cpu, cpu / reference_cpu);
}

static int
run_parent (const char  *self_path,
            const Bench *options)
{
  g_autoptr(GHashTable) reference = NULL;
  g_autofree char *htop = g_find_program_in_path ("htop");
  guint sizes[] = { 1000, 10000 };
  guint budget = spindle_get_thread_budget (NULL);
  double unused;
  gboolean ok = run_size (self_path, 0, options, NULL, &reference, &unused);

  if (options->n_workers > 0)
    sizes[0] = sizes[1] = options->n_workers;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GHashTable) result = NULL;
      guint n = MIN (sizes[i], budget);
      gboolean last = i == G_N_ELEMENTS (sizes) - 1 || sizes[i + 1] == sizes[i];
      double htop_cpu = NAN;

      if (i > 0 && sizes[i] == sizes[i - 1])
        break;
      if (n < sizes[i])
        g_print ("\n(the thread budget here is %u: %u workers run instead of %u)\n", budget, n, sizes[i]);

      ok &= run_size (self_path, n, options, last ? htop : NULL, &result, &htop_cpu);
      print_size (n, result, reference);
      if (last && result != NULL)
        {
          g_autoptr(GHashTable) threads = NULL;

          ok &= run_reference_threads (self_path, n, &threads);
          print_threads (result, threads);
        }
      if (last && result != NULL && options->scroll_seconds > 0)
        {
          g_autoptr(GHashTable) bare = NULL;

          ok &= run_reference_size (self_path, n, options, result, &bare);
          print_reference (result, bare);
        }
      if (last)
        print_htop (htop, get (result, "idle_cpu"), htop_cpu);
    }

  return ok ? 0 : 1;
}

static void
set_default_env (void)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", SPINDLE_BENCH_SCHEMA_DIR, FALSE);
  g_setenv ("NO_AT_BRIDGE", "1", FALSE);
  g_setenv ("GTK_A11Y", "none", FALSE);
}

int
main (int    argc,
      char **argv)
{
  Bench bench = { .idle_seconds = 10, .scroll_seconds = 6 };
  int child = -1, reference = -1, reference_width = 0, reference_height = 0, reference_threads = -1;
  int n_workers = 0, idle = 10, scroll = 6;
  gboolean hold = FALSE;
  g_autofree char *self_path = NULL;
  GOptionEntry entries[] = {
    { "workers", 'w', 0, G_OPTION_ARG_INT, &n_workers, "Measure only N workers (and the empty window)", "N" },
    { "idle-seconds", 0, 0, G_OPTION_ARG_INT, &idle, "How long to measure the idle window", "S" },
    { "scroll-seconds", 0, 0, G_OPTION_ARG_INT, &scroll, "How long to scroll", "S" },
    { "child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &child, NULL, NULL },
    { "reference", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &reference, NULL, NULL },
    { "reference-width", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &reference_width, NULL, NULL },
    { "reference-height", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &reference_height, NULL, NULL },
    { "reference-threads", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &reference_threads, NULL, NULL },
    { "hold", 0, 0, G_OPTION_ARG_NONE, &hold, "With --child: keep the window open after measuring", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- the window benchmark");
  g_autoptr(GError) error = NULL;

  bench.t_main = g_get_monotonic_time ();
  set_default_env ();

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  bench.idle_seconds = MAX (idle, 1);
  bench.scroll_seconds = MAX (scroll, 0);
  bench.hold = hold;

  if (reference_threads > 0)
    {
      double ms = bench_reference_threads (reference_threads, bench.t_main);

      g_print ("RESULT threads_ms=%.1f threads_cpu_ms=%.1f\n", ms, process_cpu_us () / 1000.0);
      fflush (stdout);
      _exit (0);
    }

  if (reference > 0)
    {
      bench.n_workers = reference;
      bench.reference_width = MAX (reference_width, 1);
      bench.reference_height = MAX (reference_height, 1);
      return run_reference (&bench);
    }

  if (child >= 0)
    {
      bench.n_workers = child;
      return run_child (&bench);
    }

  if (!gtk_init_check ())
    {
      g_print ("no display: run the window benchmark under xvfb-run\n");
      return 77;
    }

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  bench.n_workers = MAX (n_workers, 0);
  return run_parent (self_path ? self_path : argv[0], &bench);
}
