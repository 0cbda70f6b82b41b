/* spindle-export.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A program that hosts workers and exports them on the session bus, so
 * that `spindlectl` or Spindle's "Attach to Program…" can watch and stop
 * them. It prints its bus name once exported, then runs until SIGTERM or
 * SIGINT.
 *
 *   cc spindle-export.c $(pkg-config --cflags --libs spindle-1) -o spindle-export
 *   ./spindle-export --workers 4 --control
 *
 * Options:
 *   --workers N    polite workers: they count, and stop when asked (4)
 *   --stubborn N   workers that ignore a stop; force-cancel reaches them (1)
 *   --control      let clients stop, force-cancel and abandon them
 *   --no-export    do not call spindle_worker_set_export(): for
 *                  SPINDLE_EXPORT=1 (or =control) in the environment
 */

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include <spindle.h>

static gboolean
close_file (gpointer   user_data,
            GError   **error)
{
  /* a real body would close what it opened; this one only reports it */
  return TRUE;
}

/* Counts to 100 over and over, a step a second, until asked to stop. */
static GVariant *
polite (SpindleJob  *job,
        gpointer     user_data,
        GError     **error)
{
  guint n = 0;

  spindle_job_push_cleanup (job, "close the output file", close_file, NULL);
  spindle_job_set_phase (job, "counting");

  while (spindle_job_sleep (job, G_USEC_PER_SEC))
    spindle_job_set_progress (job, (++n % 100) / 100.0);

  return g_variant_new_uint32 (n);
}

/* Ignores a stop; usleep() is a cancellation point, so force-cancel
 * unwinds it there and its cleanup still runs.
 */
static GVariant *
stubborn (SpindleJob  *job,
          gpointer     user_data,
          GError     **error)
{
  spindle_job_push_cleanup (job, "release the scratch buffer", close_file, NULL);
  spindle_job_set_phase (job, "ignoring stops");

  for (;;)
    usleep (100 * 1000);

  return NULL;
}

static gboolean
spawn (SpindleWorkerSet *set,
       const char       *prefix,
       SpindleJobFunc    body,
       int               n)
{
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("%s-%d", prefix, i + 1);

      if (spindle_worker_set_spawn (set, name, body, NULL, NULL, &error) == NULL)
        {
          fprintf (stderr, "cannot start %s: %s\n", name, error->message);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("— export workers on the session bus");
  g_autoptr(GError) error = NULL;
  int n_workers = 4;
  int n_stubborn = 1;
  gboolean control = FALSE;
  gboolean no_export = FALSE;
  g_autofree char *prefix = NULL;
  const char *name;
  GOptionEntry entries[] = {
    { "workers", 0, 0, G_OPTION_ARG_INT, &n_workers, "Polite workers", "N" },
    { "stubborn", 0, 0, G_OPTION_ARG_INT, &n_stubborn, "Workers that ignore a stop", "N" },
    { "control", 0, 0, G_OPTION_ARG_NONE, &control, "Let clients stop and cancel workers", NULL },
    { "no-export", 0, 0, G_OPTION_ARG_NONE, &no_export, "Rely on SPINDLE_EXPORT", NULL },
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, "Name the polite workers PREFIX-1, PREFIX-2…", "PREFIX" },
    { NULL }
  };

  setlocale (LC_ALL, "");       /* names given on the command line are UTF-8 */
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }

  set = spindle_worker_set_new ();
  if (!no_export &&
      !spindle_worker_set_export (set, control ? SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL : SPINDLE_EXPORT_FLAGS_NONE,
                                  &error))
    {
      fprintf (stderr, "cannot export: %s\n", error->message);
      return 1;
    }

  if (!spawn (set, prefix != NULL ? prefix : "counter", polite, n_workers) || !spawn (set, "stubborn", stubborn, n_stubborn))
    return 1;

  name = spindle_worker_set_get_export_name (set);
  if (name == NULL)
    {
      fprintf (stderr, "not exported: set SPINDLE_EXPORT=1 with --no-export\n");
      return 1;
    }
  printf ("%s\n", name);
  fflush (stdout);

  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);

  /* the stubborn workers do not return: the process ends them */
  spindle_worker_set_unexport (set);
  _exit (0);
}
