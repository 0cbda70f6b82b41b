/* bench-latency.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* P1-P3: how soon a worker observes a stop or a cancel, each trial run in
 * alternation with the same wait written by hand on a raw thread.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "spindle-bench.h"

/* Trials *********************************************************************/

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

/* What P1 and the cancel rows record beside their percentiles. */
static void
row_extra_pair (Row  *row,
                Pair *pair)
{
  row_extra_num (row, "trials", opts.trials);
  row_extra_num (row, "settle_us", opts.settle_usec);
  row_extra_num (row, "spindle_finished_p50_us", percentile (pair->spindle_done, 50));
  row_extra_num (row, "spindle_finished_p99_us", percentile (pair->spindle_done, 99));
  row_extra_num (row, "reference_joined_p50_us", percentile (pair->raw_done, 50));
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

/* P1: cooperative stop of a 60 s spindle_job_sleep *****************************/

GVariant *
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

void
bench_p1 (SpindleWorkerSet *set)
{
  const char *measure = "cooperative stop: worker in a 60 s spindle_job_sleep";
  Pair pair;
  double p50, p99, limit;
  Row *row;

  pair_init (&pair);
  run_pair (set, p1_spindle_trial, p1_raw_trial, &pair);
  row = row_add_samples ("P1", measure, "us", pair.spindle,
                         "raw eventfd wake between two threads (ppoll)", pair.raw);
  p50 = row->spindle_p50;
  p99 = row->spindle_p99;
  row_detail (row, "request → spindle_job_sleep returns FALSE in the worker; reference: write() → ppoll returns");
  limit = 2 * row->reference_p50;
  row_goal (row, "p50 ≤ 2× raw, p99 ≤ 1 ms", p50 <= limit && p99 <= 1000);
  row_extra_pair (row, &pair);
  row_extra_str (row, "reference_kind", "raw");

  add_anchor_row ("P1", measure, p50, p99, "flag_between_sleeps", "stop flag checked between sleeps");
  add_anchor_row ("P1", measure, p50, p99, "event_wait", "Event.wait(step) loop");

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

/* A read trial gives the thread a pipe that never gets data; a sleep trial
 * leaves probe->fd at -1.
 */
static void
block_in (Probe *probe)
{
  if (probe->fd >= 0)
    block_in_read (probe->fd);
  else
    block_in_nanosleep ();
}

static GVariant *
p2_blocked_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  Probe *probe = data;

  spindle_job_push_cleanup (job, "note the time", probe_seen_cleanup, probe);
  probe_announce (probe);
  block_in (probe);

  return NULL;
}

static void *
raw_blocked (void *data)
{
  Probe *probe = data;

  pthread_cleanup_push (probe_seen_handler, probe);
  probe_announce (probe);
  block_in (probe);
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
p2_spindle_trial (SpindleWorkerSet *set,
                  Probe            *probe)
{
  spindle_cancel_trial (set, probe, p2_blocked_body, TRUE);
}

static void
p2_raw_trial (SpindleWorkerSet *set,
              Probe            *probe)
{
  raw_cancel_trial (probe, raw_blocked, TRUE);
}

static void
with_pipe (TrialFunc         trial,
           SpindleWorkerSet *set,
           Probe            *probe)
{
  int fds[2];

  if (pipe2 (fds, O_CLOEXEC) != 0)
    g_error ("spindle-bench: pipe2: %s", g_strerror (errno));
  probe->fd = fds[0];
  trial (set, probe);
  close (fds[0]);
  close (fds[1]);
}

static void
p2_read_spindle_trial (SpindleWorkerSet *set,
                       Probe            *probe)
{
  with_pipe (p2_spindle_trial, set, probe);
}

static void
p2_read_raw_trial (SpindleWorkerSet *set,
                   Probe            *probe)
{
  with_pipe (p2_raw_trial, set, probe);
}

static Row *
add_cancel_row (const char *id,
                const char *variant,
                const char *measure,
                const char *reference,
                Pair       *pair)
{
  Row *row = row_add_samples (id, measure, "us", pair->spindle, reference, pair->raw);

  row_goal (row, "p50 ≤ 1.5× raw", row->spindle_p50 <= 1.5 * row->reference_p50);
  row_detail (row, "request → the worker's cleanup step (spindle_job_push_cleanup) runs; "
                   "reference: pthread_cancel → its pthread_cleanup_push handler runs");
  row_extra_str (row, "variant", variant);
  row_extra_pair (row, pair);
  row_extra_num (row, "reference_joined_p99_us", percentile (pair->raw_done, 99));
  row_extra_str (row, "reference_kind", "raw");

  return row;
}

void
bench_p2 (SpindleWorkerSet *set)
{
  const char *measure_read = "force-cancel: worker blocked in read() on a pipe";
  const char *measure_sleep = "force-cancel: worker blocked in nanosleep()";
  Pair read_pair, sleep_pair;
  Row *row;

  pair_init (&read_pair);
  run_pair (set, p2_read_spindle_trial, p2_read_raw_trial, &read_pair);
  add_cancel_row ("P2", "read", measure_read, "raw pthread_cancel of the same blocked thread", &read_pair);

  pair_init (&sleep_pair);
  run_pair (set, p2_spindle_trial, p2_raw_trial, &sleep_pair);
  row = add_cancel_row ("P2", "nanosleep", measure_sleep,
                        "raw pthread_cancel of the same blocked thread", &sleep_pair);

  add_anchor_row ("P2", measure_sleep, row->spindle_p50, row->spindle_p99,
                  "async_exc_blocking", "SetAsyncExc during time.sleep(step)");

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

void
bench_p3 (SpindleWorkerSet *set)
{
  const char *measure = "force-cancel: worker busy in a compute region";
  Pair pair;
  Row *row;

  pair_init (&pair);
  run_pair (set, p3_spindle_trial, p3_raw_trial, &pair);
  row = add_cancel_row ("P3", "compute", measure, "raw asynchronous pthread_cancel of a busy loop", &pair);

  add_anchor_row ("P3", measure, row->spindle_p50, row->spindle_p99,
                  "async_exc_busy", "SetAsyncExc during a busy loop");
  add_anchor_row ("P3", measure, row->spindle_p50, row->spindle_p99,
                  "settrace_busy", "settrace function raising SystemExit");

  pair_clear (&pair);
}
