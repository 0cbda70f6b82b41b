/* bench-stats.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What every figure leans on: sample sets and their percentiles, what the
 * machine allows, and the waits that make a trial start from a known state.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "spindle-bench.h"

/* Statistics *****************************************************************/

GArray *
samples_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (double));
}

void
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
double
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

double
samples_mean (GArray *samples)
{
  double sum = 0;

  if (samples->len == 0)
    return NAN;
  for (guint i = 0; i < samples->len; i++)
    sum += g_array_index (samples, double, i);

  return sum / samples->len;
}

/* The machine ****************************************************************/

char *
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

char *
read_trimmed (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("?");

  return g_strstrip (contents);
}

/* Limits: 10,000 workers need as many threads and eventfds. */

void
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
guint
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

void
guard_arm (void)
{
  if (guard_id == 0)
    {
      guard_fired = FALSE;
      guard_id = g_timeout_add (GUARD_MS, guard_fired_cb, NULL);
    }
}

void
guard_disarm (void)
{
  g_clear_handle_id (&guard_id, g_source_remove);
}

/* Iterates the main context, where the engine reports, until cond holds. */
void
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

gboolean
worker_terminal_cond (gpointer data)
{
  return spindle_worker_is_terminal (data);
}

gboolean
worker_running_cond (gpointer data)
{
  return spindle_worker_get_state (data) == SPINDLE_WORKER_STATE_RUNNING;
}

gboolean
set_idle_cond (gpointer data)
{
  return spindle_worker_set_get_n_live (data) == 0;
}

void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Polls for what a thread does without going through the main context;
 * FALSE if GUARD_MS passed first.
 */
static gboolean
spin_until (CondFunc cond,
            gpointer data)
{
  gint64 deadline = now_ns () + GUARD_MS * G_GINT64_CONSTANT (1000000);

  while (!cond (data))
    {
      if (now_ns () > deadline)
        return FALSE;
      g_usleep (20);
    }

  return TRUE;
}

static gboolean
flag_set_cond (gpointer data)
{
  return g_atomic_int_get ((gint *) data);
}

void
spin_until_flag (gint       *flag,
                 const char *what)
{
  if (!spin_until (flag_set_cond, flag))
    g_error ("spindle-bench: gave up waiting for %s", what);
}

char
parse_task_state (const char *stat)
{
  const char *paren = strrchr (stat, ')');

  return paren != NULL && paren[1] == ' ' ? paren[2] : '?';
}

/* -1 if the thread is gone. */
int
open_task_stat (pid_t tid)
{
  char path[64];

  g_snprintf (path, sizeof path, "/proc/self/task/%d/stat", tid);
  return open (path, O_RDONLY | O_CLOEXEC);
}

char
task_state (pid_t tid)
{
  char buf[512];
  ssize_t n;
  int fd = open_task_stat (tid);

  if (fd < 0)
    return '?';
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return '?';
  buf[n] = '\0';

  return parse_task_state (buf);
}

static gboolean
task_sleeping_cond (gpointer data)
{
  return task_state (GPOINTER_TO_INT (data)) == 'S';
}

/* The thread said it is about to wait: wait until the kernel agrees. */
void
wait_task_sleeping (pid_t tid)
{
  if (!spin_until (task_sleeping_cond, GINT_TO_POINTER (tid)))
    g_error ("spindle-bench: thread %d never went to sleep", tid);
}

void
settle (void)
{
  g_usleep (opts.settle_usec);
}

/* Workers ********************************************************************/

SpindleWorker *
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

/* Ends a trial, or any one worker's run: waits for it, disarms the guard
 * the trial armed before its request, and removes the worker.
 */
void
spindle_trial_finish (SpindleWorkerSet *set,
                      SpindleWorker    *worker)
{
  wait_until (worker_terminal_cond, worker, "a worker to finish");
  guard_disarm ();
  spindle_worker_set_remove (set, worker);
}
