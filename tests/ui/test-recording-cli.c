/* test-recording-cli.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "spindle-recording.h"
#include "spindle-ui-test-util.h"

/* The application records a session (--record), replays a recording given
 * as its operand, exports one as a Chrome trace (--export-trace), and
 * refuses damaged files and bad command lines with status 2 and one line.
 */

#define SPINDLE_EXIT_USAGE 2

typedef struct
{
  GPid     pid;
  int      status;
  gboolean exited;
} Spindle;

static void
on_spindle_exit (GPid     pid,
         int      status,
         gpointer data)
{
  Spindle *spindle = data;

  spindle->status = status;
  spindle->exited = TRUE;
}

static gboolean
has_exited (Spindle *spindle)
{
  return spindle->exited;
}

static void
spindle_start (Spindle            *spindle,
               const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SPINDLE_BINARY"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  memset (spindle, 0, sizeof *spindle);
  g_spawn_async (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &spindle->pid, &error);
  g_assert_no_error (error);
  g_child_watch_add (spindle->pid, on_spindle_exit, spindle);
}

/* Runs spindle to its end without a display; returns its exit status. */
static int
run (const char * const  *args,
     char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_environ_unsetenv (g_environ_unsetenv (g_get_environ (), "DISPLAY"), "WAYLAND_DISPLAY");
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) g_getenv ("SPINDLE_BINARY"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", *err);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

typedef struct
{
  const char *path;
  const char *needle;
} FileWait;

/* The recorder flushes each second: the file shows the session while it
 * is recorded.
 */
static gboolean
file_holds (FileWait *wait)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (wait->path, &text, NULL, NULL) && strstr (text, wait->needle) != NULL;
}

static char *
temp_path (const char *name)
{
  g_autofree char *dir = g_dir_make_tmp ("spindle-recording-XXXXXX", NULL);

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static void
test_record_then_replay_and_export (void)
{
  g_autofree char *path = temp_path ("session.spindle");
  g_autofree char *trace = temp_path ("trace.json");
  g_autoptr(SpindleRecording) recording = NULL;
  g_autoptr(GPtrArray) workers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  FileWait running = { path, "\"state\":\"running\"" };
  Spindle spindle;

  {
    const char *args[] = { "--workers", "sleeper=2", "--record", path, NULL };

    spindle_start (&spindle, args);
  }
  /* flushed while recording, before Spindle quits */
  spindle_ui_test_wait (file_holds, &running);
  g_assert_cmpint (kill (spindle.pid, SIGTERM), ==, 0);
  spindle_ui_test_wait (has_exited, &spindle);
  g_spawn_close_pid (spindle.pid);
  g_assert_true (WIFEXITED (spindle.status));
  g_assert_cmpint (WEXITSTATUS (spindle.status), ==, 0);

  recording = spindle_recording_load_path (path, &error);
  g_assert_no_error (error);
  g_assert_true (spindle_recording_get_complete (recording));
  workers = spindle_recording_get_workers_at (recording, G_MAXINT64);
  g_assert_cmpuint (workers->len, ==, 2);
  for (guint i = 0; i < workers->len; i++)
    {
      SpindleRecordedWorker *worker = workers->pdata[i];

      g_assert_cmpint (worker->state, ==, SPINDLE_WORKER_STATE_STOPPED);
    }

  {
    const char *args[] = { "--export-trace", trace, path, NULL };

    g_assert_cmpint (run (args, &err), ==, 0);
  }
  g_assert_true (g_file_test (trace, G_FILE_TEST_IS_REGULAR));
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *c = text; *c != '\0'; c++)
    n += *c == '\n';
  return n;
}

static void
test_bad_recordings_refused (void)
{
  g_autofree char *garbage = temp_path ("garbage.spindle");
  g_autofree char *newer = temp_path ("newer.spindle");
  struct { const char *args[4]; const char *says; } cases[] = {
    { { garbage }, "Line 1 of the recording: not JSON" },
    { { newer }, "newer version of Spindle" },
    { { "/nonexistent/session.spindle" }, "No such file" },
    { { "--export-trace", "out.json" }, "--export-trace needs the recording" },
    { { garbage, garbage }, "unexpected argument" },
    { { "--demo", newer }, "replayed on its own" },
  };

  g_assert_true (g_file_set_contents (garbage, "garbage\n", -1, NULL));
  g_assert_true (g_file_set_contents (newer, "{\"format\":\"spindle-recording\",\"version\":2}\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (run (cases[i].args, &err), ==, SPINDLE_EXIT_USAGE);
      g_assert_nonnull (strstr (err, cases[i].says));
      g_assert_cmpuint (count_lines (err), ==, 1);
    }
}

/* Without a display GTK's start-up ends the process: the command line's
 * workers and its recording start only after it, so nothing is left
 * half made (they start before it only when a display is named).
 */
static void
test_no_display_records_nothing (void)
{
  g_autofree char *path = temp_path ("never.json");
  g_autofree char *dir = g_path_get_dirname (path);
  const char *args[] = { "--record", path, "--workers", "sleeper=3", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &err), !=, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/recording-cli/record-then-export", test_record_then_replay_and_export);
  g_test_add_func ("/recording-cli/bad-recordings-refused", test_bad_recordings_refused);
  g_test_add_func ("/recording-cli/no-display-records-nothing", test_no_display_records_nothing);

  return g_test_run ();
}
