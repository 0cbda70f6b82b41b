/* spindle-bench.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the files of spindle-bench share: the options, the result rows, the
 * samples and clocks, the waits, and each figure's entry point.
 */

#pragma once

#include <sys/types.h>
#include <time.h>

#include "spindle.h"

G_BEGIN_DECLS

#define LONG_WAIT_USEC   (60 * G_USEC_PER_SEC)
#define NSEC_PER_SEC     G_GINT64_CONSTANT (1000000000)
#define GUARD_MS         30000
#define P6_TARGET        10000
#define P7_WORKERS       1000

/* Options (spindle-bench.c) **************************************************/

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

extern BenchOptions opts;

gboolean wants (const char *id);

/* Results (spindle-bench.c) **************************************************/

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

extern GPtrArray *rows;

Row    *row_add         (const char *id,
                         const char *measure,
                         const char *unit,
                         double      spindle_p50,
                         double      spindle_p99,
                         const char *reference,
                         double      reference_p50,
                         double      reference_p99);
Row    *row_add_samples (const char *id,
                         const char *measure,
                         const char *unit,
                         GArray     *spindle,
                         const char *reference,
                         GArray     *raw);
void    row_goal        (Row        *row,
                         const char *goal,
                         gboolean    met);
void    row_note        (Row        *row,
                         const char *note);
double  row_ratio       (const Row  *row);
void    row_extra_num   (Row        *row,
                         const char *key,
                         double      value);
void    row_extra_str   (Row        *row,
                         const char *key,
                         const char *value);
void    row_detail      (Row        *row,
                         const char *detail);

/* Clocks *********************************************************************/

/* Inline, as they were when the bench was one file: the timed regions call
 * them, and a call into another file would add to what they time.
 */

static inline gint64
ts_to_ns (const struct timespec *ts)
{
  return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

/* The clock g_get_monotonic_time() reads, at full resolution. */
static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts_to_ns (&ts);
}

static inline gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts_to_ns (&ts);
}

/* Statistics, the machine, waiting (bench-stats.c) ***************************/

typedef gboolean (*CondFunc) (gpointer data);

GArray         *samples_new          (void);
void            samples_add          (GArray           *samples,
                                      double            value);
double          percentile           (GArray           *samples,
                                      double            p);
double          samples_mean         (GArray           *samples);

char           *read_first_match     (const char       *path,
                                      const char       *prefix);
char           *read_trimmed         (const char       *path);
void            raise_nofile         (void);
guint           worker_budget        (guint             wanted);
char            parse_task_state     (const char       *stat);
int             open_task_stat       (pid_t             tid);
char            task_state           (pid_t             tid);

void            guard_arm            (void);
void            guard_disarm         (void);
void            wait_until           (CondFunc          cond,
                                      gpointer          data,
                                      const char       *what);
gboolean        worker_terminal_cond (gpointer          data);
gboolean        worker_running_cond  (gpointer          data);
gboolean        set_idle_cond        (gpointer          data);
void            drain_main_context   (void);
void            spin_until_flag      (gint             *flag,
                                      const char       *what);
void            wait_task_sleeping   (pid_t             tid);
void            settle               (void);
SpindleWorker  *spawn_or_die         (SpindleWorkerSet *set,
                                      const char       *name,
                                      SpindleJobFunc    func,
                                      gpointer          data);
void            spindle_trial_finish (SpindleWorkerSet *set,
                                      SpindleWorker    *worker);

/* Python anchors (bench-anchor.c) ********************************************/

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

const Anchor *get_anchor     (const char *scenario);
void          clear_anchors  (void);
void          add_anchor_row (const char *id,
                              const char *measure,
                              double      spindle_p50,
                              double      spindle_p99,
                              const char *scenario,
                              const char *reference);

/* The figures ****************************************************************/

/* bench-export.c: EX1-EX3, the export on a bus of its own */
void bench_export            (void);
int  bench_export_subscriber (void);

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

/* bench-latency.c */
GVariant *p1_sleeper_body   (SpindleJob        *job,
                             gpointer           data,
                             GError           **error);
void      bench_p1          (SpindleWorkerSet  *set);
void      bench_p2          (SpindleWorkerSet  *set);
void      bench_p3          (SpindleWorkerSet  *set);

/* bench-cost.c */
void      bench_p4          (SpindleWorkerSet  *set);
void      bench_p5_p6       (SpindleWorkerSet  *set);

/* bench-resources.c */
int       rss_child_raw     (int                n);
int       rss_child_spindle (int                n);
void      bench_p7          (void);
void      bench_p8          (SpindleWorkerSet  *set);

/* bench-process.c */
void      bench_process      (void);
int       bench_process_host (void);

G_END_DECLS
