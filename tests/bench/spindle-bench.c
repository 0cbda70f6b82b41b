/* spindle-bench.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Measures the engine side by side with the techniques it replaces, in one
 * run on one machine (issue 6): each figure next to a raw C reference and,
 * where the anchor script has one, the Python seed technique.
 *
 * Latency is "request → the worker has observed it", as the anchor defines
 * it: the driver takes the time just before asking, and the worker takes it
 * where its own code first runs after the request (its wait returned FALSE,
 * or its cleanup step ran). Every worker is known to be inside its wait
 * (flag set, then the kernel reports the task sleeping, then a short
 * settle) before the request is made.
 *
 * Writes a markdown table on stdout and bench-results.json in the working
 * directory.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <glibtop.h>
#include <glibtop/procstate.h>
#include <glibtop/proctime.h>

#include "spindle-engine.h"
/* for _spindle_worker_set_get_n_dispatches () only */
#include "spindle-worker-set-private.h"

#ifndef SPINDLE_BENCH_ANCHORS_DIR
# define SPINDLE_BENCH_ANCHORS_DIR "../shared/anchors"
#endif

#define LONG_WAIT_USEC   (60 * G_USEC_PER_SEC)
#define NSEC_PER_SEC     G_GINT64_CONSTANT (1000000000)
#define GUARD_MS         30000
#define P6_TARGET        10000
#define P7_WORKERS       1000

/* Options ********************************************************************/

typedef struct
{
  gboolean  quick;
  char     *anchors_dir;
  char     *json_path;
  char     *only;
  int       trials;
  int       settle_usec;
  int       anchor_trials;
  double    anchor_step;
  int       p6_window;
  int       max_workers;
  char     *internal_rss;   /* child mode for P7: "spindle" or "raw" */
  int       internal_n;
} BenchOptions;

static BenchOptions opts = {
  .trials = 0,
  .settle_usec = 2000,
  .anchor_trials = 0,
  .anchor_step = 0,
  .p6_window = 0,
  .max_workers = P6_TARGET,
  .internal_n = P7_WORKERS,
};

static gboolean
wants (const char *id)
{
  g_auto(GStrv) ids = NULL;

  if (opts.only == NULL)
    return TRUE;

  ids = g_strsplit (opts.only, ",", -1);
  return g_strv_contains ((const char * const *) ids, id);
}

/* Clocks and statistics ******************************************************/

static gint64
ts_to_ns (const struct timespec *ts)
{
  return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* The clock g_get_monotonic_time() reads, at full resolution. */
static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts_to_ns (&ts);
}

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts_to_ns (&ts);
}

static GArray *
samples_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (double));
}

static void
samples_add (GArray *samples,
             double  value)
{
  g_array_append_val (samples, value);
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

  if (samples == NULL || samples->len == 0)
    return NAN;

  sorted = g_array_copy (samples);
  g_array_sort (sorted, compare_doubles);
  rank = (guint) ceil (p / 100.0 * sorted->len);
  rank = CLAMP (rank, 1, sorted->len);

  return g_array_index (sorted, double, rank - 1);
}

static double
samples_mean (GArray *samples)
{
  double sum = 0;

  if (samples->len == 0)
    return NAN;
  for (guint i = 0; i < samples->len; i++)
    sum += g_array_index (samples, double, i);

  return sum / samples->len;
}

/* Results ********************************************************************/

typedef struct
{
  char    *id;
  char    *measure;
  char    *unit;
  double   spindle_p50;
  double   spindle_p99;
  char    *reference;
  double   reference_p50;
  double   reference_p99;
  char    *goal;
  int      goal_met;        /* -1: no goal on this row */
  char    *note;
  GString *extra;           /* more JSON members, each with a leading ", " */
} Row;

static GPtrArray *rows;

static void
row_free (Row *row)
{
  g_free (row->id);
  g_free (row->measure);
  g_free (row->unit);
  g_free (row->reference);
  g_free (row->goal);
  g_free (row->note);
  g_string_free (row->extra, TRUE);
  g_free (row);
}

static Row *
row_add (const char *id,
         const char *measure,
         const char *unit,
         double      spindle_p50,
         double      spindle_p99,
         const char *reference,
         double      reference_p50,
         double      reference_p99)
{
  Row *row = g_new0 (Row, 1);

  row->id = g_strdup (id);
  row->measure = g_strdup (measure);
  row->unit = g_strdup (unit);
  row->spindle_p50 = spindle_p50;
  row->spindle_p99 = spindle_p99;
  row->reference = g_strdup (reference);
  row->reference_p50 = reference_p50;
  row->reference_p99 = reference_p99;
  row->goal_met = -1;
  row->extra = g_string_new (NULL);
  g_ptr_array_add (rows, row);

  return row;
}

static void
row_goal (Row        *row,
          const char *goal,
          gboolean    met)
{
  g_free (row->goal);
  row->goal = g_strdup (goal);
  row->goal_met = met ? 1 : 0;
}

static void
row_note (Row        *row,
          const char *note)
{
  g_free (row->note);
  row->note = g_strdup (note);
}

static double
row_ratio (const Row *row)
{
  if (isnan (row->spindle_p50) || isnan (row->reference_p50) || row->reference_p50 == 0)
    return NAN;

  return row->spindle_p50 / row->reference_p50;
}

static void
json_string (GString    *out,
             const char *s)
{
  if (s == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
json_number (GString *out,
             double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value) || isinf (value))
    g_string_append (out, "null");
  else if (value == floor (value) && fabs (value) < 1e15)
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.0f", value));
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

static void
row_extra_num (Row        *row,
               const char *key,
               double      value)
{
  g_string_append (row->extra, ", ");
  json_string (row->extra, key);
  g_string_append (row->extra, ": ");
  json_number (row->extra, value);
}

static void
row_extra_str (Row        *row,
               const char *key,
               const char *value)
{
  g_string_append (row->extra, ", ");
  json_string (row->extra, key);
  g_string_append (row->extra, ": ");
  json_string (row->extra, value);
}

/* What exactly is timed, for the JSON; the table keeps the short measure. */
static void
row_detail (Row        *row,
            const char *detail)
{
  row_extra_str (row, "detail", detail);
}

static void
json_member_str (GString    *out,
                 const char *key,
                 const char *value,
                 gboolean    first)
{
  g_string_append (out, first ? "" : ", ");
  json_string (out, key);
  g_string_append (out, ": ");
  json_string (out, value);
}

static void
json_member_num (GString    *out,
                 const char *key,
                 double      value)
{
  g_string_append (out, ", ");
  json_string (out, key);
  g_string_append (out, ": ");
  json_number (out, value);
}

static void
row_to_json (const Row *row,
             GString   *out)
{
  g_string_append (out, "  {");
  json_member_str (out, "id", row->id, TRUE);
  json_member_str (out, "measure", row->measure, FALSE);
  json_member_str (out, "unit", row->unit, FALSE);
  json_member_num (out, "spindle_p50", row->spindle_p50);
  json_member_num (out, "spindle_p99", row->spindle_p99);
  json_member_str (out, "reference", row->reference, FALSE);
  json_member_num (out, "reference_p50", row->reference_p50);
  json_member_num (out, "ratio_p50", row_ratio (row));
  json_member_num (out, "reference_p99", row->reference_p99);
  json_member_str (out, "goal", row->goal, FALSE);
  g_string_append (out, ", \"goal_met\": ");
  g_string_append (out, row->goal_met < 0 ? "null" : row->goal_met ? "true" : "false");
  json_member_str (out, "note", row->note, FALSE);
  json_member_str (out, "mode", opts.quick ? "quick" : "full", FALSE);
  g_string_append (out, row->extra->str);
  g_string_append (out, "}");
}

static void
write_json (const char *path)
{
  g_autoptr(GString) out = g_string_new ("[\n");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      row_to_json (g_ptr_array_index (rows, i), out);
      g_string_append (out, i + 1 < rows->len ? ",\n" : "\n");
    }
  g_string_append (out, "]\n");

  if (!g_file_set_contents (path, out->str, out->len, &error))
    g_printerr ("spindle-bench: could not write %s: %s\n", path, error->message);
  else
    printf ("\nWrote %s (%u rows)\n", path, rows->len);
}

static char *
format_value (double      value,
              const char *unit)
{
  if (isnan (value))
    return g_strdup ("–");
  if (g_str_equal (unit, "workers/s") || fabs (value) >= 1000)
    return g_strdup_printf ("%.0f", value);
  if (fabs (value) >= 10)
    return g_strdup_printf ("%.1f", value);

  return g_strdup_printf ("%.2f", value);
}

static void
print_row (const Row *row)
{
  g_autofree char *p50 = format_value (row->spindle_p50, row->unit);
  g_autofree char *p99 = format_value (row->spindle_p99, row->unit);
  g_autofree char *ref = format_value (row->reference_p50, row->unit);
  double ratio = row_ratio (row);
  g_autofree char *ratio_text = isnan (ratio) ? g_strdup ("–")
                                : ratio < 0.1 ? g_strdup_printf ("%.2g×", ratio)
                                : g_strdup_printf ("%.2f×", ratio);
  const char *verdict = row->goal_met < 0 ? "" : row->goal_met ? " ✓" : " ✗";

  printf ("| %s | %s | %s | %s | %s | %s | %s | %s | %s%s |\n",
           row->id, row->measure, row->unit, p50, p99,
           row->reference != NULL ? row->reference : "–", ref, ratio_text,
           row->goal != NULL ? row->goal : "", verdict);
}

static void
print_table (void)
{
  printf ("\n| id | measure | unit | Spindle p50 | Spindle p99 | reference | reference p50 | ratio p50 | goal |\n");
  printf ("|---|---|---|---:|---:|---|---:|---:|---|\n");
  for (guint i = 0; i < rows->len; i++)
    print_row (g_ptr_array_index (rows, i));

  printf ("\nNotes:\n");
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);

      if (row->note != NULL)
        printf ("- %s (%s): %s\n", row->id, row->reference != NULL ? row->reference : row->measure, row->note);
    }
}

/* The machine ****************************************************************/

static char *
read_first_match (const char *path,
                  const char *prefix)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (g_str_has_prefix (lines[i], prefix) && colon != NULL)
        return g_strstrip (g_strdup (colon + 1));
    }

  return NULL;
}

static char *
read_trimmed (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("?");

  return g_strstrip (contents);
}

static void
print_machine (void)
{
  g_autofree char *model = read_first_match ("/proc/cpuinfo", "model name");
  g_autofree char *load = read_trimmed ("/proc/loadavg");
  struct utsname uts;

  uname (&uts);
  printf ("spindle-bench %s (%s mode)\n", PACKAGE_VERSION, opts.quick ? "quick" : "full");
  printf ("Machine: %ld CPUs online, %s, Linux %s, glibc %s, GLib %u.%u.%u\n",
           sysconf (_SC_NPROCESSORS_ONLN), model != NULL ? model : "unknown CPU",
           uts.release, gnu_get_libc_version (),
           glib_major_version, glib_minor_version, glib_micro_version);
  printf ("Load average at start: %s\n", load);
}

/* Limits: 10,000 workers need as many threads and eventfds. */

static void
raise_nofile (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
        g_printerr ("spindle-bench: could not raise RLIMIT_NOFILE: %s\n", g_strerror (errno));
    }
}

static gint64
read_long (const char *path)
{
  g_autofree char *text = read_trimmed (path);

  return g_ascii_strtoll (text, NULL, 10);
}

static gint64
count_tasks (void)
{
  g_autofree char *load = read_trimmed ("/proc/loadavg");
  const char *slash = strchr (load, '/');

  return slash != NULL ? g_ascii_strtoll (slash + 1, NULL, 10) : 0;
}

static gint64
count_lines (const char *path)
{
  g_autofree char *contents = NULL;
  gint64 n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *p = contents; *p != '\0'; p++)
    n += *p == '\n';

  return n;
}

/* How many live workers this machine lets us have, with headroom; prints
 * why when that is fewer than asked.
 */
static guint
worker_budget (guint wanted)
{
  struct rlimit nofile = { 0 }, nproc = { 0 };
  gint64 tasks = count_tasks ();
  gint64 by_fds, by_pids, by_threads, by_maps, by_nproc = G_MAXINT64, budget;
  const char *why = NULL;

  getrlimit (RLIMIT_NOFILE, &nofile);
  getrlimit (RLIMIT_NPROC, &nproc);

  by_fds = (gint64) MIN (nofile.rlim_cur, (rlim_t) G_MAXINT32) - 256;
  by_pids = read_long ("/proc/sys/kernel/pid_max") - tasks - 1024;
  by_threads = read_long ("/proc/sys/kernel/threads-max") - tasks - 1024;
  /* a thread stack is two mappings: the stack and its guard page */
  by_maps = (read_long ("/proc/sys/vm/max_map_count") - count_lines ("/proc/self/maps")) / 2 - 1024;
  if (geteuid () != 0 && nproc.rlim_cur != RLIM_INFINITY)
    by_nproc = (gint64) nproc.rlim_cur - tasks - 256;

  budget = wanted;
  if (by_fds < budget)     { budget = by_fds;     why = "RLIMIT_NOFILE (one eventfd per waiting worker)"; }
  if (by_pids < budget)    { budget = by_pids;    why = "kernel.pid_max minus the tasks already running"; }
  if (by_threads < budget) { budget = by_threads; why = "kernel.threads-max minus the tasks already running"; }
  if (by_maps < budget)    { budget = by_maps;    why = "vm.max_map_count (two mappings per thread)"; }
  if (by_nproc < budget)   { budget = by_nproc;   why = "RLIMIT_NPROC (ulimit -u)"; }
  budget = MAX (budget, 16);

  if (why != NULL)
    printf ("Note: scaling %u workers down to %" G_GINT64_FORMAT ", limited by %s\n",
             wanted, budget, why);

  return (guint) budget;
}

/* Waiting ********************************************************************/

typedef gboolean (*CondFunc) (gpointer data);

/* One guard timeout bounds every blocking wait on the main context. A trial
 * arms it before its request, so that adding the source is not timed.
 */
static guint guard_id;
static gboolean guard_fired;

static gboolean
guard_fired_cb (gpointer data)
{
  guard_fired = TRUE;
  guard_id = 0;
  return G_SOURCE_REMOVE;
}

static void
guard_arm (void)
{
  if (guard_id == 0)
    {
      guard_fired = FALSE;
      guard_id = g_timeout_add (GUARD_MS, guard_fired_cb, NULL);
    }
}

static void
guard_disarm (void)
{
  g_clear_handle_id (&guard_id, g_source_remove);
}

/* Iterates the main context, where the engine reports, until cond holds. */
static void
wait_until (CondFunc    cond,
            gpointer    data,
            const char *what)
{
  gboolean own = guard_id == 0;

  if (cond (data))
    return;

  guard_arm ();
  while (!cond (data) && !guard_fired)
    g_main_context_iteration (NULL, TRUE);

  if (guard_fired)
    g_error ("spindle-bench: gave up after %d ms waiting for %s", GUARD_MS, what);
  if (own)
    guard_disarm ();
}

static gboolean
worker_terminal_cond (gpointer data)
{
  return spindle_worker_is_terminal (data);
}

static gboolean
worker_running_cond (gpointer data)
{
  return spindle_worker_get_state (data) == SPINDLE_WORKER_STATE_RUNNING;
}

static gboolean
set_idle_cond (gpointer data)
{
  return spindle_worker_set_get_n_live (data) == 0;
}

/* For flags that a thread sets without going through the main context. */
static void
spin_until_flag (gint       *flag,
                 const char *what)
{
  gint64 deadline = now_ns () + GUARD_MS * G_GINT64_CONSTANT (1000000);

  while (!g_atomic_int_get (flag))
    {
      if (now_ns () > deadline)
        g_error ("spindle-bench: gave up waiting for %s", what);
      g_usleep (20);
    }
}

static char
parse_task_state (const char *stat)
{
  const char *paren = strrchr (stat, ')');

  return paren != NULL && paren[1] == ' ' ? paren[2] : '?';
}

static char
task_state (pid_t tid)
{
  char path[64], buf[512];
  ssize_t n;
  int fd;

  g_snprintf (path, sizeof path, "/proc/self/task/%d/stat", tid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return '?';
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return '?';
  buf[n] = '\0';

  return parse_task_state (buf);
}

/* The thread said it is about to wait: wait until the kernel agrees. */
static void
wait_task_sleeping (pid_t tid)
{
  gint64 deadline = now_ns () + GUARD_MS * G_GINT64_CONSTANT (1000000);

  while (task_state (tid) != 'S')
    {
      if (now_ns () > deadline)
        g_error ("spindle-bench: thread %d never went to sleep", tid);
      g_usleep (20);
    }
}

static void
settle (void)
{
  g_usleep (opts.settle_usec);
}

/* Workers ********************************************************************/

static SpindleWorker *
spawn_or_die (SpindleWorkerSet *set,
              const char       *name,
              SpindleJobFunc    func,
              gpointer          data)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_worker_set_spawn (set, name, func, data, NULL, &error);

  if (worker == NULL)
    g_error ("spindle-bench: could not spawn %s: %s", name, error->message);

  return worker;
}

/* One latency trial: who asks, and when each side saw it. */
typedef struct
{
  gint    inside;      /* atomic: the thread is about to block or spin */
  pid_t   tid;
  int     fd;          /* what a raw thread or a reader waits on */
  gint64  requested;   /* ns, taken just before the request */
  gint64  seen;        /* ns, taken by the worker when it observed it */
  gint64  done;        /* ns, main thread: "finished" emitted or join returned */
} Probe;

static void
probe_finished_cb (SpindleWorker *worker,
                   Probe         *probe)
{
  probe->done = now_ns ();
}

static gboolean
probe_seen_cleanup (gpointer   data,
                    GError   **error)
{
  ((Probe *) data)->seen = now_ns ();
  return TRUE;
}

static void
probe_seen_handler (void *data)
{
  ((Probe *) data)->seen = now_ns ();
}

static void
probe_announce (Probe *probe)
{
  probe->tid = gettid ();
  g_atomic_int_set (&probe->inside, 1);
}

static double
probe_latency_us (const Probe *probe)
{
  return (probe->seen - probe->requested) / 1000.0;
}

static double
probe_done_us (const Probe *probe)
{
  return (probe->done - probe->requested) / 1000.0;
}

/* Starts body on a worker and returns once it is inside its wait. */
static SpindleWorker *
spindle_trial_start (SpindleWorkerSet *set,
                     SpindleJobFunc    body,
                     Probe            *probe,
                     gboolean          blocks)
{
  SpindleWorker *worker = spawn_or_die (set, "bench-trial", body, probe);

  g_signal_connect (worker, "finished", G_CALLBACK (probe_finished_cb), probe);
  spin_until_flag (&probe->inside, "a worker to start");
  wait_until (worker_running_cond, worker, "a worker to be RUNNING");
  if (blocks)
    wait_task_sleeping (probe->tid);
  settle ();
  guard_arm ();

  return worker;
}

static void
spindle_trial_finish (SpindleWorkerSet *set,
                      SpindleWorker    *worker)
{
  wait_until (worker_terminal_cond, worker, "a worker to finish");
  guard_disarm ();
  spindle_worker_set_remove (set, worker);
}

static pthread_t
raw_trial_start (void *(*body) (void *),
                 Probe  *probe,
                 gboolean blocks)
{
  pthread_t thread;
  int rc = pthread_create (&thread, NULL, body, probe);

  if (rc != 0)
    g_error ("spindle-bench: pthread_create: %s", g_strerror (rc));
  spin_until_flag (&probe->inside, "a raw thread to start");
  if (blocks)
    wait_task_sleeping (probe->tid);
  settle ();

  return thread;
}

static void
raw_trial_join (pthread_t  thread,
                Probe     *probe)
{
  pthread_join (thread, NULL);
  probe->done = now_ns ();
}

/* Two sample sets measured in alternation, so that background load hits
 * both sides alike.
 */
typedef struct
{
  GArray *spindle;
  GArray *spindle_done;
  GArray *raw;
  GArray *raw_done;
} Pair;

static void
pair_init (Pair *pair)
{
  pair->spindle = samples_new ();
  pair->spindle_done = samples_new ();
  pair->raw = samples_new ();
  pair->raw_done = samples_new ();
}

static void
pair_clear (Pair *pair)
{
  g_clear_pointer (&pair->spindle, g_array_unref);
  g_clear_pointer (&pair->spindle_done, g_array_unref);
  g_clear_pointer (&pair->raw, g_array_unref);
  g_clear_pointer (&pair->raw_done, g_array_unref);
}

typedef void (*TrialFunc) (SpindleWorkerSet *set,
                           Probe            *probe);

static void
run_pair (SpindleWorkerSet *set,
          TrialFunc         spindle_trial,
          TrialFunc         raw_trial,
          Pair             *pair)
{
  int warmup = 5;

  for (int i = -warmup; i < opts.trials; i++)
    for (int side = 0; side < 2; side++)
      {
        gboolean spindle_side = (side + i) % 2 == 0;
        Probe probe = { .fd = -1 };

        (spindle_side ? spindle_trial : raw_trial) (set, &probe);
        if (probe.seen == 0)
          g_error ("spindle-bench: a %s thread never observed the request", spindle_side ? "Spindle" : "raw");
        if (i < 0)
          continue;
        samples_add (spindle_side ? pair->spindle : pair->raw, probe_latency_us (&probe));
        samples_add (spindle_side ? pair->spindle_done : pair->raw_done, probe_done_us (&probe));
      }
}

/* Python anchors *************************************************************/

typedef struct
{
  gboolean  ok;
  double    p50_us;
  double    max_us;
  double    traced_slowdown;
  int       trials;
  char     *note;
  char     *missing;     /* why the row is skipped */
} Anchor;

static void
anchor_clear (Anchor *anchor)
{
  g_clear_pointer (&anchor->note, g_free);
  g_clear_pointer (&anchor->missing, g_free);
}

static double
json_field_number (const char *line,
                   const char *key)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\":", key);
  const char *at = strstr (line, pattern);

  return at != NULL ? g_ascii_strtod (at + strlen (pattern), NULL) : NAN;
}

static char *
json_field_string (const char *line,
                   const char *key)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\": \"", key);
  const char *at = strstr (line, pattern);
  const char *end;

  if (at == NULL)
    return NULL;
  at += strlen (pattern);
  end = strchr (at, '"');

  return end != NULL ? g_strndup (at, end - at) : NULL;
}

static void
anchor_parse (Anchor     *anchor,
              const char *output)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "\"p50_us\"") == NULL)
        continue;
      anchor->p50_us = json_field_number (lines[i], "p50_us");
      anchor->max_us = json_field_number (lines[i], "max_us");
      anchor->traced_slowdown = json_field_number (lines[i], "traced_slowdown");
      anchor->trials = (int) json_field_number (lines[i], "trials");
      anchor->note = json_field_string (lines[i], "note");
      anchor->ok = !isnan (anchor->p50_us);
      return;
    }
}

static void
run_anchor (const char *scenario,
            Anchor     *anchor)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *script = g_build_filename (opts.anchors_dir, "python_seed_stop.py", NULL);
  g_autofree char *trials = g_strdup_printf ("%d", opts.anchor_trials);
  g_autofree char *step = g_strdup_printf ("%g", opts.anchor_step);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  memset (anchor, 0, sizeof *anchor);
  anchor->traced_slowdown = NAN;

  if (python == NULL)
    {
      anchor->missing = g_strdup ("python3 is not installed: Python anchor row skipped");
      return;
    }
  if (!g_file_test (script, G_FILE_TEST_IS_REGULAR))
    {
      anchor->missing = g_strdup_printf ("%s not found (see --anchors): Python anchor row skipped", script);
      return;
    }

  {
    const char *argv[] = { python, script, "--trials", trials, "--step", step, "--only", scenario, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                       &out, &err, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        anchor->missing = g_strdup_printf ("the anchor script failed: %s", error->message);
        return;
      }
  }

  anchor_parse (anchor, out);
  if (!anchor->ok)
    anchor->missing = g_strdup ("the anchor script printed no result");
}

static void
add_anchor_row (const char *id,
                const char *measure,
                double      spindle_p50,
                double      spindle_p99,
                const char *reference,
                const Anchor *anchor)
{
  g_autofree char *ref = g_strdup_printf ("Python: %s", reference);
  g_autofree char *note = NULL;
  Row *row;

  if (!anchor->ok)
    {
      row = row_add (id, measure, "us", spindle_p50, spindle_p99, ref, NAN, NAN);
      row_note (row, anchor->missing);
      return;
    }

  row = row_add (id, measure, "us", spindle_p50, spindle_p99, ref, anchor->p50_us, NAN);
  note = g_strdup_printf ("anchor: %s; %d trials, worker step %g s; the anchor reports p50 and max, no p99",
                          anchor->note != NULL ? anchor->note : "?", anchor->trials, opts.anchor_step);
  row_note (row, note);
  row_extra_num (row, "reference_max", anchor->max_us);
  row_extra_str (row, "reference_kind", "python-anchor");
}

/* P1: cooperative stop of a 60 s spindle_job_sleep *****************************/

static GVariant *
p1_sleeper_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  Probe *probe = data;

  probe_announce (probe);
  if (!spindle_job_sleep (job, LONG_WAIT_USEC))
    probe->seen = now_ns ();

  return NULL;
}

static void
p1_spindle_trial (SpindleWorkerSet *set,
                  Probe            *probe)
{
  SpindleWorker *worker = spindle_trial_start (set, p1_sleeper_body, probe, TRUE);

  probe->requested = now_ns ();
  spindle_worker_request_stop (worker);
  spindle_trial_finish (set, worker);
}

/* The same wait, by hand: ppoll on an eventfd with a 60 s timeout. */
static void *
raw_eventfd_waiter (void *data)
{
  Probe *probe = data;
  struct pollfd pfd = { probe->fd, POLLIN, 0 };
  struct timespec timeout = { 60, 0 };

  probe_announce (probe);
  if (ppoll (&pfd, 1, &timeout, NULL) == 1)
    probe->seen = now_ns ();

  return NULL;
}

static void
p1_raw_trial (SpindleWorkerSet *set,
              Probe            *probe)
{
  static const guint64 one = 1;
  pthread_t thread;

  probe->fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread = raw_trial_start (raw_eventfd_waiter, probe, TRUE);
  probe->requested = now_ns ();
  if (write (probe->fd, &one, sizeof one) != sizeof one)
    g_error ("spindle-bench: eventfd write: %s", g_strerror (errno));
  raw_trial_join (thread, probe);
  close (probe->fd);
}

static void
bench_p1 (SpindleWorkerSet *set)
{
  const char *measure = "cooperative stop: worker in a 60 s spindle_job_sleep";
  Pair pair;
  Anchor flag, event;
  double p50, p99, limit;
  Row *row;

  pair_init (&pair);
  run_pair (set, p1_spindle_trial, p1_raw_trial, &pair);
  p50 = percentile (pair.spindle, 50);
  p99 = percentile (pair.spindle, 99);

  row = row_add ("P1", measure, "us", p50, p99,
                 "raw eventfd wake between two threads (ppoll)",
                 percentile (pair.raw, 50), percentile (pair.raw, 99));
  row_detail (row, "request → spindle_job_sleep returns FALSE in the worker; reference: write() → ppoll returns");
  limit = 2 * row->reference_p50;
  row_goal (row, "p50 ≤ 2× raw, p99 ≤ 1 ms", p50 <= limit && p99 <= 1000);
  row_extra_num (row, "trials", opts.trials);
  row_extra_num (row, "settle_us", opts.settle_usec);
  row_extra_num (row, "spindle_finished_p50_us", percentile (pair.spindle_done, 50));
  row_extra_num (row, "spindle_finished_p99_us", percentile (pair.spindle_done, 99));
  row_extra_num (row, "reference_joined_p50_us", percentile (pair.raw_done, 50));
  row_extra_str (row, "reference_kind", "raw");

  run_anchor ("flag_between_sleeps", &flag);
  add_anchor_row ("P1", measure, p50, p99, "stop flag checked between sleeps", &flag);
  run_anchor ("event_wait", &event);
  add_anchor_row ("P1", measure, p50, p99, "Event.wait(step) loop", &event);

  anchor_clear (&flag);
  anchor_clear (&event);
  pair_clear (&pair);
}

/* P2: force-cancel of a worker blocked in read() and in nanosleep() ***********/

static void
block_in_read (int fd)
{
  char c;

  /* the pipe never gets data: only the cancel ends this */
  while (read (fd, &c, 1) < 0 && errno == EINTR)
    ;
}

static void
block_in_nanosleep (void)
{
  struct timespec ts = { 60, 0 };

  while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
    ;
}

static GVariant *
p2_reader_body (SpindleJob  *job,
                gpointer     data,
                GError     **error)
{
  Probe *probe = data;

  spindle_job_push_cleanup (job, "note the time", probe_seen_cleanup, probe);
  probe_announce (probe);
  block_in_read (probe->fd);

  return NULL;
}

static GVariant *
p2_sleeper_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  Probe *probe = data;

  spindle_job_push_cleanup (job, "note the time", probe_seen_cleanup, probe);
  probe_announce (probe);
  block_in_nanosleep ();

  return NULL;
}

static void *
raw_reader (void *data)
{
  Probe *probe = data;

  pthread_cleanup_push (probe_seen_handler, probe);
  probe_announce (probe);
  block_in_read (probe->fd);
  pthread_cleanup_pop (0);

  return NULL;
}

static void *
raw_sleeper (void *data)
{
  Probe *probe = data;

  pthread_cleanup_push (probe_seen_handler, probe);
  probe_announce (probe);
  block_in_nanosleep ();
  pthread_cleanup_pop (0);

  return NULL;
}

static void
spindle_cancel_trial (SpindleWorkerSet *set,
                      Probe            *probe,
                      SpindleJobFunc    body,
                      gboolean          blocks)
{
  SpindleWorker *worker = spindle_trial_start (set, body, probe, blocks);

  probe->requested = now_ns ();
  spindle_worker_force_cancel (worker);
  spindle_trial_finish (set, worker);
}

static void
raw_cancel_trial (Probe  *probe,
                  void *(*body) (void *),
                  gboolean blocks)
{
  pthread_t thread = raw_trial_start (body, probe, blocks);

  probe->requested = now_ns ();
  pthread_cancel (thread);
  raw_trial_join (thread, probe);
}

static void
open_pipe (Probe *probe,
           int    fds[2])
{
  if (pipe2 (fds, O_CLOEXEC) != 0)
    g_error ("spindle-bench: pipe2: %s", g_strerror (errno));
  probe->fd = fds[0];
}

static void
close_pipe (int fds[2])
{
  close (fds[0]);
  close (fds[1]);
}

static void
p2_read_spindle_trial (SpindleWorkerSet *set,
                       Probe            *probe)
{
  int fds[2];

  open_pipe (probe, fds);
  spindle_cancel_trial (set, probe, p2_reader_body, TRUE);
  close_pipe (fds);
}

static void
p2_read_raw_trial (SpindleWorkerSet *set,
                   Probe            *probe)
{
  int fds[2];

  open_pipe (probe, fds);
  raw_cancel_trial (probe, raw_reader, TRUE);
  close_pipe (fds);
}

static void
p2_sleep_spindle_trial (SpindleWorkerSet *set,
                        Probe            *probe)
{
  spindle_cancel_trial (set, probe, p2_sleeper_body, TRUE);
}

static void
p2_sleep_raw_trial (SpindleWorkerSet *set,
                    Probe            *probe)
{
  raw_cancel_trial (probe, raw_sleeper, TRUE);
}

static Row *
add_cancel_row (const char *id,
                const char *variant,
                const char *measure,
                const char *reference,
                Pair       *pair)
{
  Row *row = row_add (id, measure, "us",
                      percentile (pair->spindle, 50), percentile (pair->spindle, 99),
                      reference, percentile (pair->raw, 50), percentile (pair->raw, 99));

  row_goal (row, "p50 ≤ 1.5× raw", row->spindle_p50 <= 1.5 * row->reference_p50);
  row_detail (row, "request → the worker's cleanup step (spindle_job_push_cleanup) runs; "
                   "reference: pthread_cancel → its pthread_cleanup_push handler runs");
  row_extra_str (row, "variant", variant);
  row_extra_num (row, "trials", opts.trials);
  row_extra_num (row, "settle_us", opts.settle_usec);
  row_extra_num (row, "spindle_finished_p50_us", percentile (pair->spindle_done, 50));
  row_extra_num (row, "spindle_finished_p99_us", percentile (pair->spindle_done, 99));
  row_extra_num (row, "reference_joined_p50_us", percentile (pair->raw_done, 50));
  row_extra_num (row, "reference_joined_p99_us", percentile (pair->raw_done, 99));
  row_extra_str (row, "reference_kind", "raw");

  return row;
}

static void
bench_p2 (SpindleWorkerSet *set)
{
  const char *measure_read = "force-cancel: worker blocked in read() on a pipe";
  const char *measure_sleep = "force-cancel: worker blocked in nanosleep()";
  Pair read_pair, sleep_pair;
  Anchor blocking;
  Row *row;

  pair_init (&read_pair);
  run_pair (set, p2_read_spindle_trial, p2_read_raw_trial, &read_pair);
  add_cancel_row ("P2", "read", measure_read, "raw pthread_cancel of the same blocked thread", &read_pair);

  pair_init (&sleep_pair);
  run_pair (set, p2_sleep_spindle_trial, p2_sleep_raw_trial, &sleep_pair);
  row = add_cancel_row ("P2", "nanosleep", measure_sleep,
                        "raw pthread_cancel of the same blocked thread", &sleep_pair);

  run_anchor ("async_exc_blocking", &blocking);
  add_anchor_row ("P2", measure_sleep, row->spindle_p50, row->spindle_p99,
                  "SetAsyncExc during time.sleep(step)", &blocking);

  anchor_clear (&blocking);
  pair_clear (&read_pair);
  pair_clear (&sleep_pair);
}

/* P3: force-cancel of a busy worker in a compute region ***********************/

static volatile guint64 spin_sink;

static G_GNUC_NORETURN void
spin_forever (void)
{
  for (;;)
    spin_sink++;
}

static GVariant *
p3_spinner_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  Probe *probe = data;

  spindle_job_push_cleanup (job, "note the time", probe_seen_cleanup, probe);
  spindle_job_enter_compute (job);
  probe_announce (probe);
  spin_forever ();
}

static void *
raw_spinner (void *data)
{
  Probe *probe = data;

  pthread_cleanup_push (probe_seen_handler, probe);
  pthread_setcanceltype (PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
  probe_announce (probe);
  spin_forever ();
  pthread_cleanup_pop (0);
}

static void
p3_spindle_trial (SpindleWorkerSet *set,
                  Probe            *probe)
{
  spindle_cancel_trial (set, probe, p3_spinner_body, FALSE);
}

static void
p3_raw_trial (SpindleWorkerSet *set,
              Probe            *probe)
{
  raw_cancel_trial (probe, raw_spinner, FALSE);
}

static Anchor settrace;   /* one anchor run serves P3 and P4 */
static gboolean settrace_ran;

static const Anchor *
get_settrace_anchor (void)
{
  if (!settrace_ran)
    run_anchor ("settrace_busy", &settrace);
  settrace_ran = TRUE;

  return &settrace;
}

static void
bench_p3 (SpindleWorkerSet *set)
{
  const char *measure = "force-cancel: worker busy in a compute region";
  Pair pair;
  Anchor busy;
  Row *row;

  pair_init (&pair);
  run_pair (set, p3_spindle_trial, p3_raw_trial, &pair);
  row = add_cancel_row ("P3", "compute", measure, "raw asynchronous pthread_cancel of a busy loop", &pair);

  run_anchor ("async_exc_busy", &busy);
  add_anchor_row ("P3", measure, row->spindle_p50, row->spindle_p99,
                  "SetAsyncExc during a busy loop", &busy);
  add_anchor_row ("P3", measure, row->spindle_p50, row->spindle_p99,
                  "settrace function raising SystemExit", get_settrace_anchor ());

  anchor_clear (&busy);
  pair_clear (&pair);
}

/* P4: a hot loop that checks spindle_job_should_stop() every iteration ******/

#define LCG_MUL   G_GUINT64_CONSTANT (6364136223846793005)
#define LCG_ADD   G_GUINT64_CONSTANT (1442695040888963407)
#define FNV_PRIME G_GUINT64_CONSTANT (1099511628211)

static volatile guint64 loop_sink;
static guint8 fnv_block[64];

/* The tight body: one step of a 64-bit LCG, a dependent multiply-add. */
static G_GNUC_NO_INLINE guint64
tight_plain (guint64 n,
             guint64 x)
{
  for (guint64 i = 0; i < n; i++)
    x = x * LCG_MUL + LCG_ADD;

  return x;
}

static G_GNUC_NO_INLINE guint64
tight_checked (SpindleJob *job,
               guint64     n,
               guint64     x)
{
  for (guint64 i = 0; i < n; i++)
    {
      if (spindle_job_should_stop (job))
        break;
      x = x * LCG_MUL + LCG_ADD;
    }

  return x;
}

/* The hot body: FNV-1a over a 64-byte block, seeded by the last hash. */
static inline guint64
fnv_step (guint64 h)
{
  for (guint j = 0; j < sizeof fnv_block; j++)
    h = (h ^ fnv_block[j]) * FNV_PRIME;

  return h;
}

static G_GNUC_NO_INLINE guint64
hash_plain (guint64 n,
            guint64 x)
{
  for (guint64 i = 0; i < n; i++)
    x = fnv_step (x);

  return x;
}

static G_GNUC_NO_INLINE guint64
hash_checked (SpindleJob *job,
              guint64     n,
              guint64     x)
{
  for (guint64 i = 0; i < n; i++)
    {
      if (spindle_job_should_stop (job))
        break;
      x = fnv_step (x);
    }

  return x;
}

typedef struct
{
  int      reps;
  guint64  tight_n;
  guint64  hash_n;
  GArray  *tight_plain;     /* ns per iteration */
  GArray  *tight_checked;
  GArray  *hash_plain;
  GArray  *hash_checked;
} LoopBench;

/* Thread CPU time, so that being descheduled by other load does not count. */
static double
time_loop_ns (SpindleJob *job,
              gboolean    hash,
              gboolean    checked,
              guint64     n)
{
  gint64 begin = thread_cpu_ns ();
  guint64 x;

  if (hash)
    x = checked ? hash_checked (job, n, begin) : hash_plain (n, begin);
  else
    x = checked ? tight_checked (job, n, begin) : tight_plain (n, begin);
  loop_sink = x;

  return (double) (thread_cpu_ns () - begin) / n;
}

static GVariant *
p4_loop_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  LoopBench *lb = data;

  for (int r = -2; r < lb->reps; r++)
    {
      /* alternate which variant goes first */
      gboolean plain_first = r & 1;
      double tp = 0, tc, hp = 0, hc;

      if (plain_first)
        tp = time_loop_ns (job, FALSE, FALSE, lb->tight_n);
      tc = time_loop_ns (job, FALSE, TRUE, lb->tight_n);
      if (!plain_first)
        tp = time_loop_ns (job, FALSE, FALSE, lb->tight_n);

      if (plain_first)
        hp = time_loop_ns (job, TRUE, FALSE, lb->hash_n);
      hc = time_loop_ns (job, TRUE, TRUE, lb->hash_n);
      if (!plain_first)
        hp = time_loop_ns (job, TRUE, FALSE, lb->hash_n);

      if (r < 0)
        continue;
      samples_add (lb->tight_plain, tp);
      samples_add (lb->tight_checked, tc);
      samples_add (lb->hash_plain, hp);
      samples_add (lb->hash_checked, hc);
    }

  return NULL;
}

static Row *
add_loop_row (const char *measure,
              const char *variant,
              GArray     *checked,
              GArray     *plain)
{
  Row *row = row_add ("P4", measure, "ns/iter",
                      percentile (checked, 50), percentile (checked, 99),
                      "the same loop without the check", percentile (plain, 50), percentile (plain, 99));
  row_detail (row, "thread CPU time per iteration, the two loops alternated in one worker");
  double ratio = row_ratio (row);

  row_goal (row, "≤ 2 % slowdown", ratio <= 1.02);
  row_extra_str (row, "variant", variant);
  row_extra_num (row, "slowdown_percent", (ratio - 1) * 100);
  row_extra_num (row, "check_cost_ns", row->spindle_p50 - row->reference_p50);
  row_extra_str (row, "reference_kind", "raw");

  return row;
}

static void
bench_p4 (SpindleWorkerSet *set)
{
  LoopBench lb = {
    .reps = opts.quick ? 9 : 31,
    .tight_n = opts.quick ? 5000000 : 20000000,
    .hash_n = opts.quick ? 60000 : 250000,
  };
  const Anchor *trace;
  SpindleWorker *worker;
  Row *tight, *row;

  for (guint i = 0; i < sizeof fnv_block; i++)
    fnv_block[i] = (guint8) (i * 37 + 11);
  lb.tight_plain = samples_new ();
  lb.tight_checked = samples_new ();
  lb.hash_plain = samples_new ();
  lb.hash_checked = samples_new ();

  worker = spawn_or_die (set, "bench-loop", p4_loop_body, &lb);
  spindle_trial_finish (set, worker);

  tight = add_loop_row ("tight loop (one LCG step) + should_stop() each iteration",
                        "tight", lb.tight_checked, lb.tight_plain);
  add_loop_row ("hot loop (FNV-1a of 64 B) + should_stop() each iteration",
                "hash64", lb.hash_checked, lb.hash_plain);

  trace = get_settrace_anchor ();
  row = row_add ("P4", "tight loop slowdown factor with the check", "×",
                 row_ratio (tight), NAN, "Python: settrace slowdown of an x += 1 loop",
                 trace->ok ? trace->traced_slowdown : NAN, NAN);
  row_note (row, trace->ok ? "anchor: settrace_busy traced_slowdown = traced loop time ÷ plain loop time"
                           : trace->missing);
  row_extra_str (row, "reference_kind", "python-anchor");

  g_array_unref (lb.tight_plain);
  g_array_unref (lb.tight_checked);
  g_array_unref (lb.hash_plain);
  g_array_unref (lb.hash_checked);
}

/* A population of live workers, for P5 and P6 *******************************/

static gint tickers_report;   /* atomic: tickers post a progress change each tick */

typedef struct
{
  gint      inside;
  pid_t     tid;
  pthread_t thread;
} Ticker;

/* An idle sleeper: one engine wait per second; reports progress when told. */
static GVariant *
ticker_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Ticker *ticker = data;
  double progress = 0;

  ticker->thread = pthread_self ();
  ticker->tid = gettid ();
  g_atomic_int_set (&ticker->inside, 1);

  while (spindle_job_sleep (job, G_USEC_PER_SEC))
    {
      if (!g_atomic_int_get (&tickers_report))
        continue;
      progress = progress >= 1.0 ? 0.0 : progress + 0.01;
      spindle_job_set_progress (job, progress);
    }

  return NULL;
}

typedef struct
{
  SpindleWorkerSet *set;
  Ticker           *tickers;
  guint             n;
  guint             capacity;
  char             *spawn_error;
} Population;

static void
population_init (Population       *pop,
                 SpindleWorkerSet *set,
                 guint             capacity)
{
  memset (pop, 0, sizeof *pop);
  pop->set = set;
  pop->capacity = capacity;
  pop->tickers = g_new0 (Ticker, capacity);
}

static void
population_grow (Population *pop,
                 guint       n)
{
  n = MIN (n, pop->capacity);

  while (pop->n < n && pop->spawn_error == NULL)
    {
      g_autoptr(GError) error = NULL;

      if (spindle_worker_set_spawn (pop->set, "ticker", ticker_body, &pop->tickers[pop->n], NULL, &error) == NULL)
        {
          pop->spawn_error = g_strdup (error->message);
          break;
        }
      pop->n++;
      if (pop->n % 256 == 0)
        while (g_main_context_iteration (NULL, FALSE))
          ;
    }

  for (guint i = 0; i < pop->n; i++)
    spin_until_flag (&pop->tickers[i].inside, "a ticker to start");
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gint64
population_stop (Population *pop)
{
  gint64 begin = now_ns ();

  spindle_worker_set_stop_all (pop->set);
  wait_until (set_idle_cond, pop->set, "every worker to finish");
  spindle_worker_set_clear_finished (pop->set);

  return now_ns () - begin;
}

/* P5: sampling cost per worker per tick *************************************/

/* A window shows about thirty rows, plus the selected worker: the sampler
 * reads /proc only for those.
 */
#define WATCHED_ROWS 31

/* The sampler's building blocks, timed apart from it: what one worker costs
 * with the per-thread CPU clock and with /proc/self/task/<tid>/stat, next to
 * libgtop doing the same job.
 */
static guint64 sample_sink;

static void
sample_cpu_clock (const Ticker *ticker)
{
  struct timespec ts;
  clockid_t clock;

  if (pthread_getcpuclockid (ticker->thread, &clock) == 0 && clock_gettime (clock, &ts) == 0)
    sample_sink += ts_to_ns (&ts);
}

static void
sample_task_stat (const Ticker *ticker)
{
  sample_sink += task_state (ticker->tid);
}

static void
sample_both (const Ticker *ticker)
{
  sample_cpu_clock (ticker);
  sample_task_stat (ticker);
}

static void
sample_libgtop (const Ticker *ticker)
{
  glibtop_proc_time time_buf;
  glibtop_proc_state state_buf;

  glibtop_get_proc_time (&time_buf, ticker->tid);
  glibtop_get_proc_state (&state_buf, ticker->tid);
  sample_sink += time_buf.rtime + state_buf.state;
}

typedef void (*SampleFunc) (const Ticker *ticker);

/* µs of the main thread's CPU per worker, for one pass over the population. */
static double
time_pass (Population *pop,
           SampleFunc  sample)
{
  gint64 begin = thread_cpu_ns ();

  for (guint i = 0; i < pop->n; i++)
    sample (&pop->tickers[i]);

  return (thread_cpu_ns () - begin) / 1000.0 / pop->n;
}

/* One fd per thread kept open: pread() at offset 0 regenerates the file,
 * one system call instead of open, read and close.
 */
static double
time_pass_pread (Population *pop,
                 const int  *fds)
{
  gint64 begin = thread_cpu_ns ();
  char buf[512];

  for (guint i = 0; i < pop->n; i++)
    {
      ssize_t n = fds[i] >= 0 ? pread (fds[i], buf, sizeof buf - 1, 0) : -1;

      if (n > 0)
        {
          buf[n] = '\0';
          sample_sink += parse_task_state (buf);
        }
    }

  return (thread_cpu_ns () - begin) / 1000.0 / pop->n;
}

static int *
open_stat_fds (Population *pop)
{
  int *fds = g_new (int, pop->n);

  for (guint i = 0; i < pop->n; i++)
    {
      char path[64];

      g_snprintf (path, sizeof path, "/proc/self/task/%d/stat", pop->tickers[i].tid);
      fds[i] = open (path, O_RDONLY | O_CLOEXEC);
    }

  return fds;
}

static void
close_stat_fds (Population *pop,
                int        *fds)
{
  for (guint i = 0; i < pop->n; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  g_free (fds);
}

typedef struct
{
  GArray *both;
  GArray *libgtop;
  GArray *clock;
  GArray *stat;
  GArray *pread;
} BlockTimes;

static void
block_times_clear (BlockTimes *bt)
{
  g_clear_pointer (&bt->both, g_array_unref);
  g_clear_pointer (&bt->libgtop, g_array_unref);
  g_clear_pointer (&bt->clock, g_array_unref);
  g_clear_pointer (&bt->stat, g_array_unref);
  g_clear_pointer (&bt->pread, g_array_unref);
}

static void
measure_blocks (Population *pop,
                BlockTimes *bt)
{
  int passes = opts.quick ? 5 : 20;
  int *fds = open_stat_fds (pop);

  bt->both = samples_new ();
  bt->libgtop = samples_new ();
  bt->clock = samples_new ();
  bt->stat = samples_new ();
  bt->pread = samples_new ();

  for (int t = -1; t < passes; t++)
    {
      double both = time_pass (pop, sample_both);
      double gtop = time_pass (pop, sample_libgtop);
      double clock = time_pass (pop, sample_cpu_clock);
      double stat = time_pass (pop, sample_task_stat);
      double pread_us = time_pass_pread (pop, fds);

      if (t < 0)
        continue;
      samples_add (bt->both, both);
      samples_add (bt->libgtop, gtop);
      samples_add (bt->clock, clock);
      samples_add (bt->stat, stat);
      samples_add (bt->pread, pread_us);
    }

  close_stat_fds (pop, fds);
}

static SpindleSampler *
sampler_new_watching (SpindleWorkerSet *set,
                      guint             n_watched)
{
  SpindleSampler *sampler = spindle_sampler_new (set);
  guint n = MIN (n_watched, g_list_model_get_n_items (G_LIST_MODEL (set)));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      spindle_sampler_watch (sampler, worker);
    }

  return sampler;
}

/* P6: main-thread CPU with many live workers at 1 Hz ***********************/

typedef struct
{
  Population     *pop;
  SpindleSampler *sampler;
  int             ticks;          /* intervals to record; one more is discarded */
  int             tick;
  gint64          last_cpu;
  gint64          last_wall;
  GArray         *total_pct;      /* per 1 s interval: main thread CPU, % of a core */
  GArray         *sampler_pct;    /* the part spent in spindle_sampler_tick() */
  GArray         *tick_us;        /* one tick's CPU per worker, µs */
  guint64         dispatches;
  guint64         task_reads;
} Window;

static gboolean
window_tick_cb (gpointer data)
{
  Window *w = data;
  gint64 before = thread_cpu_ns ();
  gint64 after, wall;

  spindle_sampler_tick (w->sampler);
  after = thread_cpu_ns ();
  wall = now_ns ();

  if (w->tick++ > 0)
    {
      samples_add (w->total_pct, 100.0 * (after - w->last_cpu) / (wall - w->last_wall));
      samples_add (w->sampler_pct, 100.0 * (after - before) / (wall - w->last_wall));
      samples_add (w->tick_us, (after - before) / 1000.0 / w->pop->n);
    }
  w->last_cpu = after;
  w->last_wall = wall;

  return w->tick <= w->ticks ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Runs the main loop for ticks + 1 seconds, ticking the sampler as the
 * window's refresh would; with report set, every worker changes its
 * progress once a second, which the engine dispatches to the main context.
 */
static void
run_window (Window   *w,
            gboolean  report)
{
  guint64 dispatches = _spindle_worker_set_get_n_dispatches (w->pop->set);
  guint64 task_reads = spindle_sampler_get_n_task_reads (w->sampler);

  g_atomic_int_set (&tickers_report, report);
  w->total_pct = samples_new ();
  w->sampler_pct = samples_new ();
  w->tick_us = samples_new ();
  w->tick = 0;
  w->last_cpu = thread_cpu_ns ();
  w->last_wall = now_ns ();

  g_timeout_add (1000, window_tick_cb, w);
  while (w->tick <= w->ticks)
    g_main_context_iteration (NULL, TRUE);

  g_atomic_int_set (&tickers_report, 0);
  w->dispatches = _spindle_worker_set_get_n_dispatches (w->pop->set) - dispatches;
  w->task_reads = spindle_sampler_get_n_task_reads (w->sampler) - task_reads;
}

static void
window_clear (Window *w)
{
  g_clear_pointer (&w->total_pct, g_array_unref);
  g_clear_pointer (&w->sampler_pct, g_array_unref);
  g_clear_pointer (&w->tick_us, g_array_unref);
}

static void
add_sampler_row (Population *pop,
                 Window     *idle,
                 Window     *busy,
                 BlockTimes *bt)
{
  g_autoptr(GArray) ticks = g_array_copy (idle->tick_us);
  g_autofree char *measure = g_strdup_printf ("sampling cost per worker per tick (%u workers, %d watched)",
                                              pop->n, WATCHED_ROWS);
  Row *row;

  g_array_append_vals (ticks, busy->tick_us->data, busy->tick_us->len);
  row = row_add ("P5", measure, "us", percentile (ticks, 50), percentile (ticks, 99),
                 "libgtop get_proc_time + get_proc_state per thread",
                 percentile (bt->libgtop, 50), percentile (bt->libgtop, 99));
  row_goal (row, "≤ 5 µs per worker", row->spindle_p50 <= 5.0);
  row_detail (row, "main-thread CPU of one spindle_sampler_tick() at 1 Hz ÷ workers: every worker's "
                   "CPU clock, /proc/self/task/<tid>/{stat,wchan,syscall} for the watched ones, the "
                   "process's other threads and libgtop's process and system figures");
  row_extra_str (row, "implementation", "SpindleSampler");
  row_extra_num (row, "workers", pop->n);
  row_extra_num (row, "watched", WATCHED_ROWS);
  row_extra_num (row, "ticks", ticks->len);
  row_extra_num (row, "task_reads_per_tick", (double) (idle->task_reads + busy->task_reads) / (2 * (idle->ticks + 1)));
  row_extra_str (row, "reference_kind", "libgtop");
}

static void
add_blocks_row (Population *pop,
                BlockTimes *bt)
{
  g_autofree char *measure = g_strdup_printf ("per worker: CPU clock + read its /proc stat (%u workers)", pop->n);
  Row *row;

  row = row_add ("P5", measure, "us", percentile (bt->both, 50), percentile (bt->both, 99),
                 "libgtop get_proc_time + get_proc_state per thread",
                 percentile (bt->libgtop, 50), percentile (bt->libgtop, 99));
  row_detail (row, "the sampler's building blocks for every worker, back to back: "
                   "pthread_getcpuclockid + clock_gettime, then open/read/close /proc/self/task/<tid>/stat");
  row_note (row, "what sampling every worker's /proc file would cost; SpindleSampler reads /proc for the "
                 "watched workers only");
  row_extra_str (row, "implementation", "building-blocks");
  row_extra_num (row, "cpu_clock_p50_us", percentile (bt->clock, 50));
  row_extra_num (row, "task_stat_p50_us", percentile (bt->stat, 50));
  row_extra_num (row, "task_stat_pread_p50_us", percentile (bt->pread, 50));
  row_extra_str (row, "reference_kind", "libgtop");
}

static void
add_p6_row (Population *pop,
            Window     *idle,
            Window     *busy,
            gboolean    primary)
{
  g_autofree char *measure = g_strdup_printf ("main-thread CPU, %u live workers, 1 Hz", pop->n);
  double busy_dispatch = percentile (busy->total_pct, 50) - percentile (busy->sampler_pct, 50);
  double idle_dispatch = percentile (idle->total_pct, 50) - percentile (idle->sampler_pct, 50);
  Row *row;

  row = row_add ("P6", measure, "% of a core",
                 percentile (busy->total_pct, 50), percentile (busy->total_pct, 99), NULL, NAN, NAN);
  if (primary)
    row_goal (row, "≤ 1 % of a core at 1,000 workers", row->spindle_p50 <= 1.0);
  row_detail (row, "the main thread's CPU clock over each 1 s interval while it runs the main loop: every "
                   "worker sleeps in 1 s engine waits and sets its progress after each one (engine "
                   "dispatch), and spindle_sampler_tick() runs once a second with 31 workers watched");
  row_note (row, "no window: the UI is not mapped in this figure");
  row_extra_num (row, "workers", pop->n);
  row_extra_num (row, "seconds", busy->ticks);
  row_extra_num (row, "dispatch_pct_p50", busy_dispatch);
  row_extra_num (row, "sampler_pct_p50", percentile (busy->sampler_pct, 50));
  row_extra_num (row, "dispatches_per_s", (double) busy->dispatches / (busy->ticks + 1));
  row_extra_num (row, "idle_total_pct_p50", percentile (idle->total_pct, 50));
  row_extra_num (row, "idle_dispatch_pct_p50", idle_dispatch);
  row_extra_num (row, "mean_total_pct", samples_mean (busy->total_pct));
}

/* Two windows over one population: idle workers, then reporting ones. */
static void
run_windows (Population     *pop,
             SpindleSampler *sampler,
             Window         *idle,
             Window         *busy)
{
  *idle = (Window) { .pop = pop, .sampler = sampler, .ticks = opts.p6_window };
  *busy = (Window) { .pop = pop, .sampler = sampler, .ticks = opts.p6_window };
  run_window (idle, FALSE);
  run_window (busy, TRUE);
}

static void
bench_p5_p6 (SpindleWorkerSet *set)
{
  guint budget = worker_budget (MIN (opts.max_workers, P6_TARGET));
  g_autoptr(SpindleSampler) sampler = NULL;
  BlockTimes bt = { 0 };
  Window idle, busy;
  Population pop;
  gint64 stop_ns;
  Row *last = NULL;

  population_init (&pop, set, budget);
  population_grow (&pop, MIN (1000, budget));
  sampler = sampler_new_watching (set, WATCHED_ROWS);

  if (wants ("P5"))
    measure_blocks (&pop, &bt);

  run_windows (&pop, sampler, &idle, &busy);
  if (wants ("P5"))
    {
      add_sampler_row (&pop, &idle, &busy, &bt);
      add_blocks_row (&pop, &bt);
    }
  if (wants ("P6"))
    add_p6_row (&pop, &idle, &busy, TRUE);
  window_clear (&idle);
  window_clear (&busy);

  if (wants ("P6") && budget > pop.n)
    {
      population_grow (&pop, budget);
      run_windows (&pop, sampler, &idle, &busy);
      add_p6_row (&pop, &idle, &busy, FALSE);
      last = g_ptr_array_index (rows, rows->len - 1);
      window_clear (&idle);
      window_clear (&busy);
    }

  g_clear_object (&sampler);
  stop_ns = population_stop (&pop);
  if (last != NULL)
    row_extra_num (last, "stop_all_to_all_finished_ms", stop_ns / 1e6);
  if (last != NULL && pop.spawn_error != NULL)
    row_extra_str (last, "spawn_error", pop.spawn_error);

  block_times_clear (&bt);
  g_free (pop.spawn_error);
  g_free (pop.tickers);
}

/* P7: resident memory per idle worker, in a fresh child process **************/

static gint64
rss_bytes (void)
{
  g_autofree char *statm = read_trimmed ("/proc/self/statm");
  g_auto(GStrv) fields = g_strsplit (statm, " ", -1);

  if (g_strv_length (fields) < 2)
    return 0;

  return g_ascii_strtoll (fields[1], NULL, 10) * sysconf (_SC_PAGESIZE);
}

static void *
raw_idle_thread (void *data)
{
  Probe *probe = data;
  guint64 value;

  g_atomic_int_set (&probe->inside, 1);
  if (read (probe->fd, &value, sizeof value) < 0)
    return NULL;

  return NULL;
}

static int
rss_child_raw (int n)
{
  static const guint64 one = 1;
  Probe *probes = g_new0 (Probe, n);
  pthread_t *threads = g_new0 (pthread_t, n);
  gint64 before, after;

  for (int i = 0; i < n; i++)
    probes[i].fd = eventfd (0, EFD_CLOEXEC);

  before = rss_bytes ();
  for (int i = 0; i < n; i++)
    if (pthread_create (&threads[i], NULL, raw_idle_thread, &probes[i]) != 0)
      g_error ("spindle-bench: pthread_create failed after %d threads", i);
  for (int i = 0; i < n; i++)
    spin_until_flag (&probes[i].inside, "a raw thread to start");
  g_usleep (100 * 1000);
  after = rss_bytes ();

  printf ("rss_delta_bytes=%" G_GINT64_FORMAT "\n", after - before);

  for (int i = 0; i < n; i++)
    {
      if (write (probes[i].fd, &one, sizeof one) < 0)
        g_error ("spindle-bench: eventfd write: %s", g_strerror (errno));
      pthread_join (threads[i], NULL);
      close (probes[i].fd);
    }
  g_free (probes);
  g_free (threads);

  return 0;
}

static int
rss_child_spindle (int n)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  Probe *probes = g_new0 (Probe, n);
  gint64 before, after;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  before = rss_bytes ();
  for (int i = 0; i < n; i++)
    spawn_or_die (set, "idle", p1_sleeper_body, &probes[i]);
  for (int i = 0; i < n; i++)
    spin_until_flag (&probes[i].inside, "a worker to start");
  g_usleep (100 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  after = rss_bytes ();

  printf ("rss_delta_bytes=%" G_GINT64_FORMAT "\n", after - before);

  spindle_worker_set_stop_all (set);
  wait_until (set_idle_cond, set, "every worker to finish");
  g_free (probes);

  return 0;
}

static gboolean
run_rss_child (const char *kind,
               int         n,
               double     *kib_per_thread)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *count = g_strdup_printf ("%d", n);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { self, "--internal-rss", kind, "--internal-n", count, NULL };
  const char *line;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error) ||
      (line = strstr (out, "rss_delta_bytes=")) == NULL)
    {
      g_printerr ("spindle-bench: the %s RSS child failed: %s\n", kind,
                  error != NULL ? error->message : "no output");
      return FALSE;
    }

  *kib_per_thread = g_ascii_strtod (line + strlen ("rss_delta_bytes="), NULL) / 1024.0 / n;
  return TRUE;
}

static void
bench_p7 (void)
{
  int runs = opts.quick ? 1 : 3;
  guint n = MIN (P7_WORKERS, worker_budget (P7_WORKERS));
  g_autoptr(GArray) spindle = samples_new ();
  g_autoptr(GArray) raw = samples_new ();
  g_autofree char *measure = NULL;
  g_autofree char *reference = NULL;
  struct rlimit stack;
  Row *row;

  for (int r = 0; r < runs; r++)
    {
      double value;

      if (run_rss_child ("spindle", n, &value))
        samples_add (spindle, value);
      if (run_rss_child ("raw", n, &value))
        samples_add (raw, value);
    }

  getrlimit (RLIMIT_STACK, &stack);
  measure = g_strdup_printf ("resident memory per idle worker (N = %u)", n);
  reference = g_strdup_printf ("raw pthread, default stack (%lu KiB)",
                               stack.rlim_cur == RLIM_INFINITY ? 0ul : (unsigned long) stack.rlim_cur / 1024);
  row = row_add ("P7", measure, "KiB", percentile (spindle, 50), percentile (spindle, 99),
                 reference, percentile (raw, 50), percentile (raw, 99));
  row_detail (row, "RSS delta ÷ N in a fresh process, the workers asleep in spindle_job_sleep with the "
                   "default 256 KiB stacks; reference threads blocked in read() on an eventfd");
  row_goal (row, "≤ 64 KiB", row->spindle_p50 <= 64);
  row_extra_num (row, "workers", n);
  row_extra_num (row, "runs", runs);
  row_extra_num (row, "reference_stack_kib",
                 stack.rlim_cur == RLIM_INFINITY ? NAN : (double) stack.rlim_cur / 1024);
  row_extra_str (row, "reference_kind", "raw");
}

/* P8: spawn → stop → cleanup reported, workers per second ******************/

static gboolean
nothing_cleanup (gpointer   data,
                 GError   **error)
{
  return TRUE;
}

static GVariant *
p8_body (SpindleJob  *job,
         gpointer     data,
         GError     **error)
{
  spindle_job_push_cleanup (job, "release", nothing_cleanup, NULL);
  spindle_job_sleep (job, LONG_WAIT_USEC);

  return NULL;
}

static void *
empty_thread (void *data)
{
  return NULL;
}

/* µs from spawn to the "finished" signal, the cleanup report delivered. */
static double
p8_spindle_cycle (SpindleWorkerSet *set)
{
  gint64 begin = now_ns ();
  SpindleWorker *worker = spawn_or_die (set, "bench-cycle", p8_body, NULL);

  spindle_worker_request_stop (worker);
  wait_until (worker_terminal_cond, worker, "a worker to finish");
  begin = now_ns () - begin;
  g_assert (spindle_worker_get_cleanup_report (worker) != NULL);
  spindle_worker_set_remove (set, worker);

  return begin / 1000.0;
}

static double
p8_raw_cycle (void)
{
  gint64 begin = now_ns ();
  pthread_t thread;

  if (pthread_create (&thread, NULL, empty_thread, NULL) != 0)
    g_error ("spindle-bench: pthread_create failed");
  pthread_join (thread, NULL);

  return (now_ns () - begin) / 1000.0;
}

static double
p8_spindle_batch (SpindleWorkerSet *set,
                  guint             n)
{
  gint64 begin = now_ns ();

  for (guint i = 0; i < n; i++)
    spawn_or_die (set, "bench-batch", p8_body, NULL);
  spindle_worker_set_stop_all (set);
  wait_until (set_idle_cond, set, "a batch to finish");

  begin = now_ns () - begin;
  spindle_worker_set_clear_finished (set);

  return n / (begin / 1e9);
}

static double
p8_raw_batch (guint n)
{
  pthread_t *threads = g_new (pthread_t, n);
  gint64 begin = now_ns ();

  for (guint i = 0; i < n; i++)
    if (pthread_create (&threads[i], NULL, empty_thread, NULL) != 0)
      g_error ("spindle-bench: pthread_create failed");
  for (guint i = 0; i < n; i++)
    pthread_join (threads[i], NULL);

  begin = now_ns () - begin;
  g_free (threads);

  return n / (begin / 1e9);
}

static double
throughput (double cycle_us)
{
  return 1e6 / cycle_us;
}

static void
bench_p8 (SpindleWorkerSet *set)
{
  int cycles = opts.trials * 4;
  guint batch = opts.quick ? 500 : 2000;
  g_autoptr(GArray) spindle = samples_new ();
  g_autoptr(GArray) raw = samples_new ();
  g_autofree char *measure = NULL;
  double spindle_batch, raw_batch;
  Row *row;

  for (int i = -20; i < cycles; i++)
    {
      double s = p8_spindle_cycle (set);
      double r = p8_raw_cycle ();

      if (i < 0)
        continue;
      samples_add (spindle, s);
      samples_add (raw, r);
    }

  spindle_batch = p8_spindle_batch (set, batch);
  raw_batch = p8_raw_batch (batch);

  /* a throughput's p99 is the rate at the 99th percentile cycle time */
  row = row_add ("P8", "spawn → stop → cleanup reported, one at a time", "workers/s",
                 throughput (percentile (spindle, 50)), throughput (percentile (spindle, 99)),
                 "raw pthread_create + pthread_join of an empty thread",
                 throughput (percentile (raw, 50)), throughput (percentile (raw, 99)));
  row_detail (row, "spawn, request_stop, iterate the main context until \"finished\" (the cleanup report "
                   "delivered, the thread joined), remove");
  row_goal (row, "≥ 0.5× raw", row_ratio (row) >= 0.5);
  row_note (row, "p99 column = rate at the 99th-percentile cycle time");
  row_extra_num (row, "cycles", cycles);
  row_extra_num (row, "spindle_cycle_p50_us", percentile (spindle, 50));
  row_extra_num (row, "spindle_cycle_p99_us", percentile (spindle, 99));
  row_extra_num (row, "reference_cycle_p50_us", percentile (raw, 50));
  row_extra_str (row, "reference_kind", "raw");

  measure = g_strdup_printf ("spawn → stop → cleanup reported, batch of %u", batch);
  row = row_add ("P8", measure, "workers/s",
                 spindle_batch, NAN, "raw: create the batch of empty threads, then join", raw_batch, NAN);
  row_detail (row, "spawn the batch, stop_all, iterate until no worker is live");
  row_extra_num (row, "batch", batch);
  row_extra_str (row, "reference_kind", "raw");
}

/* main ***********************************************************************/

static void
apply_mode_defaults (void)
{
  if (opts.trials <= 0)
    opts.trials = opts.quick ? 100 : 500;
  if (opts.anchor_trials <= 0)
    opts.anchor_trials = opts.quick ? 5 : 20;
  if (opts.anchor_step <= 0)
    opts.anchor_step = opts.quick ? 0.2 : 0.5;
  if (opts.p6_window <= 0)
    opts.p6_window = opts.quick ? 2 : 10;
  if (opts.anchors_dir == NULL)
    opts.anchors_dir = g_strdup (SPINDLE_BENCH_ANCHORS_DIR);
  if (opts.json_path == NULL)
    opts.json_path = g_strdup ("bench-results.json");
}

static gboolean
parse_options (int    *argc,
               char ***argv)
{
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &opts.quick, "Fewer trials and shorter windows (well under a minute)", NULL },
    { "anchors", 0, 0, G_OPTION_ARG_FILENAME, &opts.anchors_dir, "Directory holding python_seed_stop.py", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &opts.json_path, "Where to write the results (bench-results.json)", "PATH" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &opts.only, "Run only these ids, e.g. P1,P4", "IDS" },
    { "trials", 0, 0, G_OPTION_ARG_INT, &opts.trials, "Latency trials per side (100 quick, 500 full)", "N" },
    { "settle-us", 0, 0, G_OPTION_ARG_INT, &opts.settle_usec, "Pause after a thread is seen waiting (2000)", "USEC" },
    { "anchor-trials", 0, 0, G_OPTION_ARG_INT, &opts.anchor_trials, "Trials per Python scenario (5 quick, 20 full)", "N" },
    { "anchor-step", 0, 0, G_OPTION_ARG_DOUBLE, &opts.anchor_step, "Python workers' sleep step in s (0.2 quick, 0.5 full)", "S" },
    { "window", 0, 0, G_OPTION_ARG_INT, &opts.p6_window, "P6 window in seconds (2 quick, 10 full)", "S" },
    { "max-workers", 0, 0, G_OPTION_ARG_INT, &opts.max_workers, "Upper bound for P6's large population (10000)", "N" },
    { "internal-rss", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opts.internal_rss, NULL, NULL },
    { "internal-n", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opts.internal_n, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— Spindle side by side with raw threads and the Python anchor");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("spindle-bench: %s\n", error->message);
      return FALSE;
    }

  apply_mode_defaults ();
  return TRUE;
}

static void
run_all (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  gint64 begin = now_ns ();
  g_autofree char *load = NULL;

  if (wants ("P1")) bench_p1 (set);
  if (wants ("P2")) bench_p2 (set);
  if (wants ("P3")) bench_p3 (set);
  if (wants ("P4")) bench_p4 (set);
  if (wants ("P5") || wants ("P6")) bench_p5_p6 (set);
  if (wants ("P7")) bench_p7 ();
  if (wants ("P8")) bench_p8 (set);

  load = read_trimmed ("/proc/loadavg");
  printf ("Load average at end: %s; %.1f s in all\n", load, (now_ns () - begin) / 1e9);
}

int
main (int    argc,
      char **argv)
{
  if (!parse_options (&argc, &argv))
    return 2;

  raise_nofile ();

  if (opts.internal_rss != NULL)
    return g_str_equal (opts.internal_rss, "raw") ? rss_child_raw (opts.internal_n)
                                                  : rss_child_spindle (opts.internal_n);

  glibtop_init ();
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);

  print_machine ();
  run_all ();
  print_table ();
  write_json (opts.json_path);

  g_ptr_array_unref (rows);
  anchor_clear (&settrace);

  return 0;
}
