/* spindle-hello.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The smallest program that hosts a worker: it starts one, asks it to
 * stop once it runs, and prints the cleanup report.
 *
 *   cc spindle-hello.c $(pkg-config --cflags --libs spindle-1) -o spindle-hello
 */

#include <stdio.h>

#include <spindle.h>

static gboolean
close_file (gpointer   user_data,
            GError   **error)
{
  /* a real body would close what it opened; this one only reports it */
  return TRUE;
}

/* The body: waits for work until asked to stop. Its cleanup step is on
 * the stack before it first blocks, so it runs however the body ends.
 */
static GVariant *
body (SpindleJob  *job,
      gpointer     user_data,
      GError     **error)
{
  spindle_job_push_cleanup (job, "close the output file", close_file, NULL);
  spindle_job_set_phase (job, "waiting for work");

  while (!spindle_job_should_stop (job))
    spindle_job_sleep (job, G_USEC_PER_SEC);

  return g_variant_new_string ("stopped politely");
}

static void
on_notify_phase (SpindleWorker *worker,
                 GParamSpec    *pspec,
                 gpointer       user_data)
{
  if (g_strcmp0 (spindle_worker_get_phase (worker), "waiting for work") == 0)
    spindle_worker_request_stop (worker);
}

static void
on_cleanup_finished (SpindleWorker        *worker,
                     SpindleCleanupReport *report,
                     gpointer              user_data)
{
  g_autofree char *text = spindle_cleanup_report_to_string (report);

  printf ("%s cleaned up:\n%s\n", spindle_worker_get_name (worker), text);
}

static void
on_finished (SpindleWorker *worker,
             GMainLoop     *loop)
{
  printf ("%s: %s\n",
          spindle_worker_get_name (worker),
          spindle_worker_state_to_string (spindle_worker_get_state (worker)));
  g_main_loop_quit (loop);
}

int
main (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn (set, "hello", body, NULL, NULL, &error);
  if (worker == NULL)
    {
      fprintf (stderr, "cannot start a worker: %s\n", error->message);
      return 1;
    }

  g_signal_connect (worker, "notify::phase", G_CALLBACK (on_notify_phase), NULL);
  g_signal_connect (worker, "cleanup-finished", G_CALLBACK (on_cleanup_finished), NULL);
  g_signal_connect (worker, "finished", G_CALLBACK (on_finished), loop);
  g_main_loop_run (loop);

  return spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_STOPPED ? 0 : 1;
}
