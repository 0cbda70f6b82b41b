/* bench-attach.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "spindle.h"
#include "spindle-remote.h"

/* What attaching costs in time, in one process that exports a set and
 * attaches to it (under a session bus of its own: dbus-run-session):
 *
 *  - change: from a body's spindle_job_set_phase() to the mirror's
 *    notify::phase. The goal is one tick of the subscription (250 ms)
 *    plus 50 ms.
 *  - stop: from spindle_worker_request_stop() to the body's wait
 *    returning, on the local worker and through its mirror, alternated.
 *    The goal is a p50 through the mirror no more than 1 ms above the
 *    local one.
 *
 * Run: dbus-run-session -- spindle-bench-attach [TRIALS]
 */

typedef struct
{
  gint    go;          /* the main thread asks for a phase change */
  gint64  changed_at;  /* when the body made it */
  gint64  woke_at;     /* when its wait returned after a stop */
} Probe;

static GVariant *
body (SpindleJob  *job,
      gpointer     user_data,
      GError     **error)
{
  Probe *probe = user_data;
  guint n = 0;

  while (spindle_job_sleep (job, 1000))
    if (g_atomic_int_compare_and_exchange (&probe->go, 1, 0))
      {
        g_autofree char *phase = g_strdup_printf ("phase %u", ++n);

        g_atomic_pointer_set (&probe->changed_at, g_get_monotonic_time ());
        spindle_job_set_phase (job, phase);
      }

  probe->woke_at = g_get_monotonic_time ();
  return NULL;
}

static GVariant *
sleeper (SpindleJob  *job,
         gpointer     user_data,
         GError     **error)
{
  Probe *probe = user_data;

  spindle_job_sleep (job, G_MAXINT64 / 2);
  g_atomic_pointer_set (&probe->woke_at, g_get_monotonic_time ());
  return NULL;
}

static void
iterate_until (gboolean (*cond) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out");
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
attached (gpointer data)
{
  return *(SpindleWorkerSet **) data != NULL;
}

static void
on_attached (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(SpindleWorkerSet **) user_data = spindle_worker_set_attach_finish (result, &error);
  g_assert_no_error (error);
}

static gint64 seen_at;

static void
on_phase (SpindleWorker *worker,
          GParamSpec    *pspec,
          gpointer       unused)
{
  seen_at = g_get_monotonic_time ();
}

static gboolean
phase_seen (gpointer data)
{
  return seen_at != 0;
}

static gboolean
probe_woke (gpointer data)
{
  return g_atomic_pointer_get (&((Probe *) data)->woke_at) != 0;
}

static gboolean
is_running (gpointer data)
{
  return spindle_worker_get_state (data) == SPINDLE_WORKER_STATE_RUNNING;
}

static int
compare (gconstpointer a,
         gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *samples,
            double  p)
{
  g_array_sort (samples, compare);
  return g_array_index (samples, double, (guint) ((samples->len - 1) * p));
}

static SpindleWorker *
mirror_of (SpindleWorkerSet *mirror,
           SpindleWorker    *worker)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (mirror)); i++)
    {
      g_autoptr(SpindleWorker) item = g_list_model_get_item (G_LIST_MODEL (mirror), i);

      if (spindle_worker_get_id (item) == spindle_worker_get_id (worker))
        return item;
    }
  return NULL;
}

static gboolean
mirror_has (gpointer data)
{
  gpointer *pair = data;

  return mirror_of (pair[0], pair[1]) != NULL;
}

/* The stop latency of one fresh sleeper, asked directly or through the mirror. */
static double
stop_once (SpindleWorkerSet *set,
           SpindleWorkerSet *mirror,
           gboolean          remote)
{
  Probe probe = { 0 };
  SpindleWorker *worker = spindle_worker_set_spawn (set, "sleeper", sleeper, &probe, NULL, NULL);
  gpointer pair[] = { mirror, worker };
  SpindleWorker *target;
  gint64 asked;

  iterate_until (is_running, worker);
  iterate_until (mirror_has, pair);
  target = remote ? mirror_of (mirror, worker) : worker;
  iterate_until (is_running, target);

  asked = g_get_monotonic_time ();
  spindle_worker_request_stop (target);
  iterate_until (probe_woke, &probe);

  while (!spindle_worker_is_terminal (worker))
    g_main_context_iteration (NULL, TRUE);
  spindle_worker_set_remove (set, worker);

  return (g_atomic_pointer_get (&probe.woke_at) - asked) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  guint trials = argc > 1 ? (guint) atoi (argv[1]) : 200;
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  g_autoptr(SpindleWorkerSet) mirror = NULL;
  g_autoptr(GArray) change = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) local = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) remote = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GError) error = NULL;
  Probe probe = { 0 };
  SpindleWorker *worker, *mirrored = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("run under dbus-run-session\n");
      return 77;
    }

  worker = spindle_worker_set_spawn (set, "changer", body, &probe, NULL, &error);
  g_assert_no_error (error);
  if (!spindle_worker_set_export (set, SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL, &error))
    g_error ("%s", error->message);

  spindle_worker_set_attach_async (pid, NULL, on_attached, &mirror);
  iterate_until (attached, &mirror);
  mirrored = g_list_model_get_item (G_LIST_MODEL (mirror), 0);
  g_object_unref (mirrored);
  g_signal_connect (mirrored, "notify::phase", G_CALLBACK (on_phase), NULL);

  /* changes at random moments of the tick */
  for (guint i = 0; i < MIN (trials, 40u); i++)
    {
      g_usleep (g_random_int_range (0, 250) * 1000);
      seen_at = 0;
      g_atomic_int_set (&probe.go, 1);
      iterate_until (phase_seen, NULL);
      g_array_append_val (change, (double) { (seen_at - g_atomic_pointer_get (&probe.changed_at)) / 1000.0 });
    }
  spindle_worker_request_stop (worker);

  for (guint i = 0; i < trials; i++)
    {
      double l = stop_once (set, mirror, FALSE);
      double r = stop_once (set, mirror, TRUE);

      g_array_append_val (local, l);
      g_array_append_val (remote, r);
    }

  printf ("change → mirror (ms, %u): p50 %.1f  p90 %.1f  max %.1f  (tick 250 ms; goal ≤ 300)\n",
          change->len, percentile (change, 0.5), percentile (change, 0.9), percentile (change, 1.0));
  printf ("stop, local (ms, %u):  p50 %.3f  p90 %.3f\n", local->len, percentile (local, 0.5), percentile (local, 0.9));
  printf ("stop, mirror (ms, %u): p50 %.3f  p90 %.3f  (goal: p50 ≤ local + 1 ms)\n",
          remote->len, percentile (remote, 0.5), percentile (remote, 0.9));

  return 0;
}
