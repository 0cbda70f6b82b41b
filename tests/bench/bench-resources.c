/* bench-resources.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* P7 and P8: what a worker takes from the machine: resident memory while
 * it idles, measured in a fresh child process, and the rate at which
 * workers can be spawned, stopped and cleaned up.
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "spindle-bench.h"

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

/* What a child prints for its parent to read. */
#define RSS_DELTA "rss_delta_bytes="

/* Every thread has said it is about to block: give them time to get there. */
static void
wait_probes_inside (Probe      *probes,
                    int         n,
                    const char *what)
{
  for (int i = 0; i < n; i++)
    spin_until_flag (&probes[i].inside, what);
  g_usleep (100 * 1000);
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

int
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
  wait_probes_inside (probes, n, "a raw thread to start");
  after = rss_bytes ();

  printf (RSS_DELTA "%" G_GINT64_FORMAT "\n", after - before);

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

int
rss_child_spindle (int n)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  Probe *probes = g_new0 (Probe, n);
  gint64 before, after;

  drain_main_context ();
  before = rss_bytes ();
  for (int i = 0; i < n; i++)
    spawn_or_die (set, "idle", p1_sleeper_body, &probes[i]);
  wait_probes_inside (probes, n, "a worker to start");
  drain_main_context ();
  after = rss_bytes ();

  printf (RSS_DELTA "%" G_GINT64_FORMAT "\n", after - before);

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
      (line = strstr (out, RSS_DELTA)) == NULL)
    {
      g_printerr ("spindle-bench: the %s RSS child failed: %s\n", kind,
                  error != NULL ? error->message : "no output");
      return FALSE;
    }

  *kib_per_thread = g_ascii_strtod (line + strlen (RSS_DELTA), NULL) / 1024.0 / n;
  return TRUE;
}

void
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
  row = row_add_samples ("P7", measure, "KiB", spindle, reference, raw);
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

void
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
