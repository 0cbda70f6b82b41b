/* test-stack.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <grp.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "spindle-test-util.h"

/* A worker's call stack, captured by the helper while the worker sleeps in
 * a function of this test: the function is named, and the sleep is not cut
 * short (a signal-handler unwinder would make nanosleep() end early).
 */

#define NAP_MSEC 300

typedef struct
{
  gint     sleeping;   /* set once the body is inside the function */
  gint     captured;   /* set by the test: the body may end */
  gint     naps;
  gint     short_naps; /* naps that returned early, or with an error */
} Sleeper;

/* Not static and not inlined, so that its name is in the symbol table and
 * in its own frame.
 */
G_GNUC_NO_INLINE void spindle_test_stack_sleeps_here (Sleeper *sleeper);

void
spindle_test_stack_sleeps_here (Sleeper *sleeper)
{
  g_atomic_int_set (&sleeper->sleeping, 1);
  while (!g_atomic_int_get (&sleeper->captured))
    {
      struct timespec nap = { 0, NAP_MSEC * 1000000L };
      gint64 start = g_get_monotonic_time ();
      int result = nanosleep (&nap, NULL);

      if (result != 0 || g_get_monotonic_time () - start < NAP_MSEC * 1000)
        g_atomic_int_inc (&sleeper->short_naps);
      g_atomic_int_inc (&sleeper->naps);
    }
}

static GVariant *
sleeper_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  spindle_test_stack_sleeps_here (data);
  return NULL;
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

static gboolean
capture_is_done (gpointer data)
{
  return ((Capture *) data)->done;
}

static void
wait_capture (Capture *capture)
{
  spindle_test_wait_until (capture_is_done, capture, SPINDLE_TEST_GUARD_MS);
}

/* The main thread learns the thread id from the worker's start event. */
static gboolean
has_tid (gpointer data)
{
  return spindle_worker_get_tid (data) > 0;
}

static void
wait_inside (SpindleWorker *worker,
             Sleeper       *sleeper)
{
  spindle_test_wait_flag (&sleeper->sleeping);
  spindle_test_wait_until (has_tid, worker, SPINDLE_TEST_GUARD_MS);
}

static int
find_frame (SpindleStack *stack,
            const char   *function)
{
  for (guint i = 0; i < spindle_stack_get_n_frames (stack); i++)
    if (g_strcmp0 (spindle_stack_get_frame_function (stack, i), function) == 0)
      return (int) i;
  return -1;
}

static void
test_worker_function_named (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Sleeper sleeper = { 0 };
  Capture capture = { 0 };
  SpindleWorker *worker = spindle_test_spawn (set, "sleeper", sleeper_body, &sleeper);
  int frame;

  wait_inside (worker, &sleeper);
  spindle_test_wait_blocked (spindle_worker_get_tid (worker), NULL);

  spindle_worker_capture_stack_async (worker, NULL, capture_done, &capture);
  wait_capture (&capture);
  g_assert_no_error (capture.error);
  g_atomic_int_set (&sleeper.captured, 1);

  g_assert_cmpint (spindle_stack_get_tid (capture.stack), ==, spindle_worker_get_tid (worker));
  frame = find_frame (capture.stack, "spindle_test_stack_sleeps_here");
  g_assert_cmpint (frame, >, 0);
  g_assert_false (spindle_stack_frame_is_library (capture.stack, frame));
  g_assert_true (g_str_has_suffix (spindle_stack_get_frame_module (capture.stack, frame), "test-stack"));
  /* the innermost frame is where it sleeps: the C library */
  g_assert_true (spindle_stack_frame_is_library (capture.stack, 0));
  g_assert_cmpint (spindle_stack_get_pause_usec (capture.stack), >, 0);

  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (g_atomic_int_get (&sleeper.naps), >=, 1);
  g_assert_cmpint (g_atomic_int_get (&sleeper.short_naps), ==, 0);
  spindle_stack_unref (capture.stack);
}

static void
test_text_folds_libraries (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Sleeper sleeper = { 0 };
  Capture capture = { 0 };
  SpindleWorker *worker = spindle_test_spawn (set, "sleeper", sleeper_body, &sleeper);
  g_autofree char *folded = NULL;
  g_autofree char *full = NULL;

  wait_inside (worker, &sleeper);
  spindle_worker_capture_stack_async (worker, NULL, capture_done, &capture);
  wait_capture (&capture);
  g_atomic_int_set (&sleeper.captured, 1);
  g_assert_no_error (capture.error);

  folded = spindle_stack_to_string (capture.stack, TRUE);
  full = spindle_stack_to_string (capture.stack, FALSE);
  g_test_message ("folded:\n%s", folded);
  g_assert_nonnull (strstr (folded, "spindle_test_stack_sleeps_here"));
  g_assert_nonnull (strstr (full, "spindle_test_stack_sleeps_here"));
  /* the engine's and the C library's frames below the body are one line */
  g_assert_nonnull (strstr (folded, " frames in "));
  g_assert_null (strstr (full, " frames in "));
  g_assert_cmpuint (strlen (folded), <, strlen (full));
  g_assert_true (g_str_has_prefix (folded, "#0 "));

  spindle_test_wait_terminal (worker);
  spindle_stack_unref (capture.stack);
}

static gpointer
plain_thread (gpointer data)
{
  spindle_test_stack_sleeps_here (data);
  return NULL;
}

/* Threads Spindle did not start are captured the same way. */
static void
test_other_thread (void)
{
  Sleeper sleeper = { 0 };
  Capture capture = { 0 };
  g_autoptr(GThread) thread = g_thread_new ("plain", plain_thread, &sleeper);
  g_autofree char *comm = NULL;
  int tid = 0;

  spindle_test_wait_flag (&sleeper.sleeping);
  /* the newest thread named "plain" in this process */
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    {
      g_free (comm);
      comm = spindle_test_read_task_file (atoi (name), "comm");
      if (comm != NULL && g_str_has_prefix (comm, "plain"))
        tid = atoi (name);
    }
  g_assert_cmpint (tid, >, 0);

  spindle_stack_capture_async (tid, NULL, capture_done, &capture);
  wait_capture (&capture);
  g_atomic_int_set (&sleeper.captured, 1);
  g_assert_no_error (capture.error);
  g_assert_cmpint (find_frame (capture.stack, "spindle_test_stack_sleeps_here"), >, 0);
  g_thread_join (g_steal_pointer (&thread));
  g_assert_cmpint (sleeper.short_naps, ==, 0);
  spindle_stack_unref (capture.stack);
}

static void
test_ended_worker (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  gint value = 7;
  Capture capture = { 0 };
  SpindleWorker *worker = spindle_test_spawn (set, "quick", spindle_test_int_body, &value);

  spindle_test_wait_terminal (worker);
  spindle_worker_capture_stack_async (worker, NULL, capture_done, &capture);
  wait_capture (&capture);
  g_assert_null (capture.stack);
  g_assert_error (capture.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&capture.error);
}

/* A thread id that is not one of this process's threads: process 1's. */
static void
test_foreign_thread_refused (void)
{
  Capture capture = { 0 };

  spindle_stack_capture_async (1, NULL, capture_done, &capture);
  wait_capture (&capture);
  g_assert_null (capture.stack);
  g_assert_error (capture.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (capture.error->message, "is not a thread of this process"));
  g_clear_error (&capture.error);
}

/* Ptrace refused ****************************************************************/

#define NOBODY 65534
#define CHILD_ENV "SPINDLE_TEST_STACK_UNTRACEABLE"

enum {
  CHILD_REFUSED = 0,   /* the capture failed with PERMISSION_DENIED and said why */
  CHILD_CAPTURED = 3,
  CHILD_OTHER_ERROR = 4,
  CHILD_NO_SETUP = 5,
};

/* In the child: a process that is not dumpable may be traced by no one
 * without CAP_SYS_PTRACE, as a hardened or containerised one would be.
 */
static int
run_untraceable (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GError) error = NULL;
  Sleeper sleeper = { 0 };
  Capture capture = { 0 };
  SpindleWorker *worker;

  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return CHILD_NO_SETUP;
  worker = spindle_worker_set_spawn (set, "sleeper", sleeper_body, &sleeper, NULL, &error);
  if (worker == NULL)
    return CHILD_NO_SETUP;
  wait_inside (worker, &sleeper);
  spindle_worker_capture_stack_async (worker, NULL, capture_done, &capture);
  wait_capture (&capture);
  g_atomic_int_set (&sleeper.captured, 1);
  spindle_test_wait_terminal (worker);

  if (capture.stack != NULL)
    return CHILD_CAPTURED;
  g_print ("%s\n", capture.error->message);
  return g_error_matches (capture.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ? CHILD_REFUSED : CHILD_OTHER_ERROR;
}

/* Between fork and exec: root has CAP_SYS_PTRACE, so become nobody. */
static void
drop_root (gpointer data)
{
  if (getuid () == 0 &&
      (setgroups (0, NULL) != 0 || setgid (NOBODY) != 0 || setuid (NOBODY) != 0))
    _exit (CHILD_NO_SETUP);
}

static void
test_refused_says_why (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), CHILD_ENV, "1", TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { self, NULL };
  int status;

  g_assert_nonnull (self);
  if (!g_spawn_sync ("/", (char **) argv, envp, G_SPAWN_DEFAULT, drop_root, NULL, &out, &err, &status, &error))
    {
      g_test_skip_printf ("cannot run the test as another user: %s", error->message);
      return;
    }
  g_test_message ("child said: %s%s", out, err);
  if (WIFEXITED (status) && WEXITSTATUS (status) == CHILD_NO_SETUP)
    {
      g_test_skip ("cannot become an untraceable process here");
      return;
    }
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, CHILD_REFUSED);
  /* the message says what would allow a capture */
  g_assert_nonnull (strstr (out, "not permitted to trace"));
  g_assert_nonnull (strstr (out, "ptrace"));
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv (CHILD_ENV) != NULL)
    {
      spindle_test_init (&argc, &argv);
      return run_untraceable ();
    }

  spindle_test_init (&argc, &argv);

  g_test_add_func ("/stack/worker-function-named-sleep-intact", test_worker_function_named);
  g_test_add_func ("/stack/text-folds-libraries", test_text_folds_libraries);
  g_test_add_func ("/stack/other-thread", test_other_thread);
  g_test_add_func ("/stack/ended-worker", test_ended_worker);
  g_test_add_func ("/stack/foreign-thread-refused", test_foreign_thread_refused);
  g_test_add_func ("/stack/refused-says-why", test_refused_says_why);

  return g_test_run ();
}
