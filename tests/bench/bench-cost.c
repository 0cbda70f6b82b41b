/* bench-cost.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* P4-P6: what the engine costs while nothing is being stopped: a stop check
 * in a hot loop, sampling a worker, and the main thread's share with many
 * live workers.
 */

#include "config.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <glibtop.h>
#include <glibtop/procstate.h>
#include <glibtop/proctime.h>

#include "spindle-bench.h"
/* for _spindle_worker_set_get_n_dispatches () only */
#include "spindle-worker-set-private.h"

/* P4: a hot loop that checks spindle_job_should_stop() every iteration ******/

#define LCG_MUL   G_GUINT64_CONSTANT (6364136223846793005)
#define LCG_ADD   G_GUINT64_CONSTANT (1442695040888963407)
#define FNV_PRIME G_GUINT64_CONSTANT (1099511628211)

static volatile guint64 loop_sink;
static guint8 fnv_block[64];

/* The tight body: one step of a 64-bit LCG, a dependent multiply-add. */
static inline guint64
lcg_step (guint64 x)
{
  return x * LCG_MUL + LCG_ADD;
}

/* The hot body: FNV-1a over a 64-byte block, seeded by the last hash. */
static inline guint64
fnv_step (guint64 h)
{
  for (guint j = 0; j < sizeof fnv_block; j++)
    h = (h ^ fnv_block[j]) * FNV_PRIME;

  return h;
}

/* Each body in two loops that differ only by the check; a macro rather
 * than a shared function, so that each loop compiles to its own code with
 * the body inlined, as it would in a job.
 */
#define DEFINE_LOOPS(name, step)                                  \
  static G_GNUC_NO_INLINE guint64                                 \
  name##_plain (guint64 n,                                        \
                guint64 x)                                        \
  {                                                               \
    for (guint64 i = 0; i < n; i++)                               \
      x = step (x);                                               \
                                                                  \
    return x;                                                     \
  }                                                               \
                                                                  \
  static G_GNUC_NO_INLINE guint64                                 \
  name##_checked (SpindleJob *job,                                \
                  guint64     n,                                  \
                  guint64     x)                                  \
  {                                                               \
    for (guint64 i = 0; i < n; i++)                               \
      {                                                           \
        if (spindle_job_should_stop (job))                        \
          break;                                                  \
        x = step (x);                                             \
      }                                                           \
                                                                  \
    return x;                                                     \
  }

DEFINE_LOOPS (tight, lcg_step)
DEFINE_LOOPS (hash, fnv_step)

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
  Row *row = row_add_samples ("P4", measure, "ns/iter", checked,
                              "the same loop without the check", plain);
  row_detail (row, "thread CPU time per iteration, the two loops alternated in one worker");
  double ratio = row_ratio (row);

  row_goal (row, "≤ 2 % slowdown", ratio <= 1.02);
  row_extra_str (row, "variant", variant);
  row_extra_num (row, "slowdown_percent", (ratio - 1) * 100);
  row_extra_num (row, "check_cost_ns", row->spindle_p50 - row->reference_p50);
  row_extra_str (row, "reference_kind", "raw");

  return row;
}

void
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

  trace = get_anchor ("settrace_busy");
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
        drain_main_context ();
    }

  for (guint i = 0; i < pop->n; i++)
    spin_until_flag (&pop->tickers[i].inside, "a ticker to start");
  drain_main_context ();
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

#define LIBGTOP_REFERENCE "libgtop get_proc_time + get_proc_state per thread"

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
    fds[i] = open_task_stat (pop->tickers[i].tid);

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
  row = row_add_samples ("P5", measure, "us", ticks, LIBGTOP_REFERENCE, bt->libgtop);
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

  row = row_add_samples ("P5", measure, "us", bt->both, LIBGTOP_REFERENCE, bt->libgtop);
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

static Row *
add_p6_row (Population *pop,
            Window     *idle,
            Window     *busy,
            gboolean    primary)
{
  g_autofree char *measure = g_strdup_printf ("main-thread CPU, %u live workers, 1 Hz", pop->n);
  double busy_dispatch = percentile (busy->total_pct, 50) - percentile (busy->sampler_pct, 50);
  double idle_dispatch = percentile (idle->total_pct, 50) - percentile (idle->sampler_pct, 50);
  Row *row;

  row = row_add_samples ("P6", measure, "% of a core", busy->total_pct, NULL, NULL);
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

  return row;
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

void
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
      last = add_p6_row (&pop, &idle, &busy, FALSE);
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
