/* bench-stack.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The stack capture (issue 14): one worker's stack in a process with 1,000
 * other workers, beside eu-stack on the same process in the same run.
 *
 *   spindle-bench-stack [--quick] [--threads N]
 *
 * Prints, for Spindle, how long the captured thread was paused and how
 * long the whole capture took (p50, p95, max), whether any of that
 * thread's sleeps was cut short, and how many other threads were paused
 * (none: the helper seizes one thread); then eu-stack's time to print the
 * stacks of the same process, which stops every thread in turn. Goal: the
 * pause p95 ≤ 20 ms with 1,000 threads.
 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <spindle.h>

#define PAUSE_GOAL_MSEC 20.0
#define NAP_MSEC 50

typedef struct
{
  gint naps;
  gint short_naps;
  gint stop;
  gint tid;
} Target;

static GVariant *
idle_body (SpindleJob  *job,
           gpointer     data,
           GError     **error)
{
  spindle_job_sleep (job, G_MAXINT64);
  return NULL;
}

/* The captured worker naps in its own function, each nap checked. */
G_GNUC_NO_INLINE void bench_stack_target_naps (Target *target);

void
bench_stack_target_naps (Target *target)
{
  while (!g_atomic_int_get (&target->stop))
    {
      struct timespec nap = { 0, NAP_MSEC * 1000000L };
      gint64 start = g_get_monotonic_time ();

      if (nanosleep (&nap, NULL) != 0 || g_get_monotonic_time () - start < NAP_MSEC * 1000)
        g_atomic_int_inc (&target->short_naps);
      g_atomic_int_inc (&target->naps);
    }
}

static GVariant *
target_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  bench_stack_target_naps (data);
  return NULL;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  guint index;

  g_array_sort (values, compare_doubles);
  index = (guint) ((values->len - 1) * p + 0.5);
  return g_array_index (values, double, index);
}

typedef struct
{
  SpindleStack *stack;
  GError       *error;
  gboolean      done;
} Capture;

static void
capture_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Capture *capture = data;

  capture->stack = spindle_stack_capture_finish (result, &capture->error);
  capture->done = TRUE;
}

static void
iterate_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
running_cond (SpindleWorker *worker)
{
  return spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_RUNNING;
}

/* eu-stack prints every thread's stack: the reference for a whole-process
 * dump. Returns its wall time in ms, or a negative number when absent.
 */
static double
time_eu_stack (void)
{
  g_autofree char *program = g_find_program_in_path ("eu-stack");
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GSubprocess) process = NULL;
  gint64 start;

  if (program == NULL)
    return -1;
  start = g_get_monotonic_time ();
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              NULL, program, "-p", pid, NULL);
  if (process == NULL || !g_subprocess_wait (process, NULL, NULL))
    return -1;
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  gboolean quick = FALSE;
  int threads = 1000;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Fewer captures", NULL },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "Idle workers beside the captured one", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— time a stack capture");
  g_autoptr(GError) error = NULL;
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GArray) pauses = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) totals = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) eu_stack = g_array_new (FALSE, FALSE, sizeof (double));
  Target target = { 0 };
  SpindleWorker *worker;
  int captures, found = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || threads < 0)
    {
      fprintf (stderr, "spindle-bench-stack: %s\n", error != NULL ? error->message : "bad --threads");
      return 2;
    }
  captures = quick ? 20 : 100;

  set = spindle_worker_set_new ();
  for (int i = 0; i < threads; i++)
    if (spindle_worker_set_spawn (set, "idle", idle_body, NULL, NULL, &error) == NULL)
      {
        fprintf (stderr, "spindle-bench-stack: %s\n", error->message);
        return 1;
      }
  worker = spindle_worker_set_spawn (set, "target", target_body, &target, NULL, &error);
  /* the naps are counted on the worker's thread, which wakes no context */
  while (!running_cond (worker) || g_atomic_int_get (&target.naps) == 0)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  for (int i = 0; i < captures; i++)
    {
      Capture capture = { 0 };
      gint64 start = g_get_monotonic_time ();
      double value;

      spindle_worker_capture_stack_async (worker, NULL, capture_done, &capture);
      iterate_until (&capture.done);
      value = (g_get_monotonic_time () - start) / 1000.0;
      if (capture.stack == NULL)
        {
          fprintf (stderr, "spindle-bench-stack: %s\n", capture.error->message);
          return 1;
        }
      g_array_append_val (totals, value);
      value = spindle_stack_get_pause_usec (capture.stack) / 1000.0;
      g_array_append_val (pauses, value);
      for (guint f = 0; f < spindle_stack_get_n_frames (capture.stack); f++)
        if (g_strcmp0 (spindle_stack_get_frame_function (capture.stack, f), "bench_stack_target_naps") == 0)
          found++;
      spindle_stack_unref (capture.stack);
    }

  for (int i = 0; i < (quick ? 3 : 5); i++)
    {
      double value = time_eu_stack ();

      if (value >= 0)
        g_array_append_val (eu_stack, value);
    }

  g_atomic_int_set (&target.stop, 1);

  printf ("| Stack capture, %d threads | p50 | p95 | max | goal |\n", threads + 1);
  printf ("|---|---|---|---|---|\n");
  printf ("| Spindle: captured thread paused (ms) | %.2f | %.2f | %.2f | p95 ≤ %.0f ms: %s |\n",
          percentile (pauses, 0.5), percentile (pauses, 0.95), percentile (pauses, 1.0),
          PAUSE_GOAL_MSEC, percentile (pauses, 0.95) <= PAUSE_GOAL_MSEC ? "met" : "NOT MET");
  printf ("| Spindle: whole capture, helper start to frames (ms) | %.2f | %.2f | %.2f | – |\n",
          percentile (totals, 0.5), percentile (totals, 0.95), percentile (totals, 1.0));
  if (eu_stack->len > 0)
    printf ("| eu-stack -p: every thread stopped in turn (ms) | %.2f | %.2f | %.2f | – |\n",
            percentile (eu_stack, 0.5), percentile (eu_stack, 0.95), percentile (eu_stack, 1.0));
  else
    printf ("| eu-stack -p | not installed | | | |\n");
  printf ("\n%d of %d captures named the worker's own function; %d of %d of its %d ms naps "
          "were cut short (goal: 0); the helper seizes that one thread of %d.\n",
          found, captures, g_atomic_int_get (&target.short_naps), g_atomic_int_get (&target.naps),
          NAP_MSEC, threads + 1);
  if (eu_stack->len > 0)
    printf ("Whole capture vs eu-stack, p50: %.2f×\n", percentile (totals, 0.5) / percentile (eu_stack, 0.5));

  spindle_worker_set_cancel_all (set);
  return found == captures && g_atomic_int_get (&target.short_naps) == 0 ? 0 : 1;
}
