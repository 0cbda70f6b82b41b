/* spindle-test-util.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "spindle-test-util.h"

static GThread *main_thread;

void
spindle_test_init (int    *argc,
                   char ***argv)
{
  g_test_init (argc, argv, NULL);
  main_thread = g_thread_self ();
}

gboolean
spindle_test_is_main_thread (void)
{
  return main_thread != NULL && g_thread_self () == main_thread;
}

/* The tests pin down the contract without timers: no worker may be moved
 * on by an escalation while a test looks at it.
 */
SpindleWorkerSet *
spindle_test_set_new (void)
{
  SpindleWorkerSet *set = spindle_worker_set_new ();

  spindle_worker_set_set_auto_escalate (set, FALSE);
  return set;
}

/* Waiting */

static gboolean
guard_expired_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Conditions on atomics change without waking the main context: a short
 * ticker keeps g_main_context_iteration() coming back to look at them.
 */
static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Spawns and asserts it worked: tests that expect a failure call the set. */
SpindleWorker *
spindle_test_spawn_full (SpindleWorkerSet *set,
                         const char       *name,
                         SpindleJobFunc    func,
                         gpointer          data,
                         GDestroyNotify    destroy)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn (set, name, func, data, destroy, &error);
  g_assert_no_error (error);
  g_assert_true (SPINDLE_IS_WORKER (worker));

  return worker;
}

SpindleWorker *
spindle_test_spawn (SpindleWorkerSet *set,
                    const char       *name,
                    SpindleJobFunc    func,
                    gpointer          data)
{
  return spindle_test_spawn_full (set, name, func, data, NULL);
}

void
spindle_test_wait_until_full (SpindleTestCondFunc  cond,
                              gpointer             data,
                              guint                timeout_ms,
                              const char          *what)
{
  gboolean expired = FALSE;
  guint guard_id;
  guint tick_id;

  g_assert_true (spindle_test_is_main_thread ());

  if (cond (data))
    return;

  guard_id = g_timeout_add (timeout_ms, guard_expired_cb, &expired);
  tick_id = g_timeout_add (5, tick_cb, NULL);

  while (!cond (data))
    {
      if (expired)
        g_error ("%s: still false after %u ms", what, timeout_ms);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (tick_id);
  if (!expired)
    g_source_remove (guard_id);
}

/* As spindle_test_wait_until(), but FALSE rather than a failure when
 * @cond is still false after @timeout_ms: for a test that must undo
 * something (let a stopped process go on) before it fails.
 */
gboolean
spindle_test_poll_until (SpindleTestCondFunc  cond,
                         gpointer             data,
                         guint                timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  guint tick_id;
  gboolean met;

  g_assert_true (spindle_test_is_main_thread ());

  tick_id = g_timeout_add (5, tick_cb, NULL);
  while (!(met = cond (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);

  return met;
}

static gboolean
state_is_terminal (SpindleWorkerState state)
{
  return state >= SPINDLE_WORKER_STATE_FINISHED;
}

static gboolean
worker_terminal_cond (gpointer data)
{
  return state_is_terminal (spindle_worker_get_state (data));
}

void
spindle_test_wait_terminal (SpindleWorker *worker)
{
  g_assert_nonnull (worker);
  spindle_test_wait_until_full (worker_terminal_cond, worker, SPINDLE_TEST_GUARD_MS,
                                spindle_worker_get_name (worker));
}

typedef struct
{
  SpindleWorker      *worker;
  SpindleWorkerState  state;
} StateWait;

static gboolean
worker_state_cond (gpointer data)
{
  StateWait *wait = data;

  return spindle_worker_get_state (wait->worker) == wait->state;
}

void
spindle_test_wait_state (SpindleWorker      *worker,
                         SpindleWorkerState  state)
{
  StateWait wait = { worker, state };
  g_autofree char *what = NULL;

  what = g_strdup_printf ("worker %s reaching state %s",
                          spindle_worker_get_name (worker),
                          spindle_test_state_name (state));
  spindle_test_wait_until_full (worker_state_cond, &wait, SPINDLE_TEST_GUARD_MS, what);
}

static gboolean
flag_cond (gpointer data)
{
  return g_atomic_int_get ((gint *) data) != 0;
}

void
spindle_test_wait_flag (gint *flag)
{
  spindle_test_wait_until_full (flag_cond, flag, SPINDLE_TEST_GUARD_MS,
                                "a job body to reach its blocking point");
}

typedef struct
{
  gint *counter;
  gint  at_least;
} CountWait;

static gboolean
count_cond (gpointer data)
{
  CountWait *wait = data;

  return g_atomic_int_get (wait->counter) >= wait->at_least;
}

void
spindle_test_wait_count (gint *counter,
                         gint  at_least)
{
  CountWait wait = { counter, at_least };

  spindle_test_wait_until_full (count_cond, &wait, SPINDLE_TEST_GUARD_MS,
                                "an atomic counter to reach its target");
}

static gboolean
no_live_cond (gpointer data)
{
  return spindle_worker_set_get_n_live (data) == 0;
}

void
spindle_test_wait_no_live (SpindleWorkerSet *set,
                           guint             timeout_ms)
{
  spindle_test_wait_until_full (no_live_cond, set, timeout_ms,
                                "spindle_worker_set_get_n_live() to reach 0");
}

/* Kernel view of a thread */

char *
spindle_test_read_task_file (pid_t       tid,
                             const char *name)
{
  g_autofree char *path = NULL;
  char *contents = NULL;

  path = g_strdup_printf ("/proc/self/task/%d/%s", (int) tid, name);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return g_strchomp (contents);
}

char
spindle_test_kernel_state (pid_t tid)
{
  g_autofree char *stat = spindle_test_read_task_file (tid, "stat");
  const char *paren;

  if (stat == NULL)
    return '?';

  /* comm may itself contain ") ", so look for the last one. */
  paren = strrchr (stat, ')');
  if (paren == NULL || paren[1] != ' ' || paren[2] == '\0')
    return '?';

  return paren[2];
}

typedef struct
{
  pid_t       tid;
  const char *wchan;
} BlockedWait;

static gboolean
blocked_cond (gpointer data)
{
  BlockedWait *wait = data;
  g_autofree char *wchan = NULL;
  char state;

  state = spindle_test_kernel_state (wait->tid);
  if (state != 'S')
    return FALSE;

  if (wait->wchan == NULL)
    return TRUE;

  /* A kernel that hides wait channels prints "0": trust the state then. */
  wchan = spindle_test_read_task_file (wait->tid, "wchan");
  if (wchan == NULL || g_str_equal (wchan, "0") || wchan[0] == '\0')
    return TRUE;

  return strstr (wchan, wait->wchan) != NULL;
}

void
spindle_test_wait_blocked (pid_t       tid,
                           const char *wchan)
{
  BlockedWait wait = { tid, wchan };
  g_autofree char *what = NULL;

  g_assert_cmpint (tid, >, 0);
  what = g_strdup_printf ("thread %d to sleep in the kernel (wchan ~ %s)",
                          (int) tid, wchan ? wchan : "any");
  spindle_test_wait_until_full (blocked_cond, &wait, SPINDLE_TEST_GUARD_MS, what);
}

/* A clock that needs no wall time: each tick is a worker that is spawned,
 * stopped and seen terminal, so the main context has dispatched at least the
 * engine's start and end events of one more worker.
 */
static GVariant *
clock_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  return NULL;
}

void
spindle_test_run_clock (SpindleWorkerSet *set,
                        guint             ticks)
{
  for (guint i = 0; i < ticks; i++)
    {
      g_autoptr(GError) error = NULL;
      SpindleWorker *tick;

      tick = spindle_worker_set_spawn (set, "test-clock", clock_body, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (tick);

      spindle_worker_request_stop (tick);
      spindle_test_wait_terminal (tick);
      g_assert_cmpint (spindle_worker_get_state (tick), ==, SPINDLE_WORKER_STATE_STOPPED);
      g_assert_true (spindle_worker_set_remove (set, tick));
    }
}

/* Names, independent of the engine's own to_string () */

const char *
spindle_test_state_name (SpindleWorkerState state)
{
  static const char * const names[] = {
    "STARTING", "RUNNING", "STOPPING", "CANCELLING", "CLEANING",
    "FINISHED", "FAILED", "STOPPED", "CANCELLED", "ABANDONED",
  };

  if ((guint) state < G_N_ELEMENTS (names))
    return names[state];
  return "INVALID";
}

const char *
spindle_test_reason_name (SpindleStopReason reason)
{
  static const char * const names[] = {
    "NONE", "USER", "TIMEOUT", "PARENT", "SHUTDOWN",
  };

  if ((guint) reason < G_N_ELEMENTS (names))
    return names[reason];
  return "INVALID";
}

const char *
spindle_test_outcome_name (SpindleCleanupOutcome outcome)
{
  static const char * const names[] = { "OK", "FAILED", "NOT_RUN" };

  if ((guint) outcome < G_N_ELEMENTS (names))
    return names[outcome];
  return "INVALID";
}

/* Pipes */

void
spindle_test_pipe (int fds[2])
{
  g_autoptr(GError) error = NULL;

  g_unix_open_pipe (fds, FD_CLOEXEC, &error);
  g_assert_no_error (error);
}

void
spindle_test_pipe_poke (int fd)
{
  ssize_t n;

  do
    n = write (fd, "x", 1);
  while (n < 0 && errno == EINTR);

  g_assert_cmpint (n, ==, 1);
}

void
spindle_test_close_pipe (int fds[2])
{
  for (guint i = 0; i < 2; i++)
    {
      if (fds[i] >= 0)
        close (fds[i]);
      fds[i] = -1;
    }
}

static gboolean
thread_gone_cond (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d", GPOINTER_TO_INT (data));

  return !g_file_test (path, G_FILE_TEST_EXISTS);
}

/* A detached thread let go by a test must be gone before the test ends, so
 * that nothing it still owns is taken for a leak at exit.
 */
void
spindle_test_wait_thread_gone (pid_t tid)
{
  g_assert_cmpint (tid, >, 0);
  spindle_test_wait_until (thread_gone_cond, GINT_TO_POINTER (tid), SPINDLE_TEST_GUARD_MS);
}

static guint
count_dir_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

guint
spindle_test_count_threads (void)
{
  return count_dir_entries ("/proc/self/task");
}

guint
spindle_test_count_fds (void)
{
  return count_dir_entries ("/proc/self/fd");
}

/* Processes ***************************************************************/

/* The state letter of /proc/PID/stat ('Z' for a zombie), or 0 once the
 * process is gone. */
char
spindle_test_process_state (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  paren = strrchr (contents, ')');
  return paren != NULL ? paren[2] : '?';
}

/* Pids of the processes anywhere on the machine one of whose arguments is
 * @mark: a test's commands carry a marker of its own, so that what they
 * leave behind can be found whoever its parent became. */
GArray *
spindle_test_marked_pids (const char *mark)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  const char *name;

  g_assert_nonnull (proc);
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/cmdline", name);
      g_autofree char *contents = NULL;
      gsize len;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &contents, &len, NULL))
        continue;
      for (gsize i = 0; i < len; i += strlen (contents + i) + 1)
        if (g_str_equal (contents + i, mark))
          {
            pid_t pid = atoi (name);

            g_array_append_val (pids, pid);
            break;
          }
    }

  return pids;
}

guint
spindle_test_count_marked (const char *mark)
{
  g_autoptr(GArray) pids = spindle_test_marked_pids (mark);

  return pids->len;
}

/* Children of this process, zombies included. */
guint
spindle_test_count_children (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  while ((tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/children", tid);
      g_autofree char *contents = NULL;
      g_auto(GStrv) pids = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      pids = g_strsplit_set (g_strstrip (contents), " ", -1);
      for (guint i = 0; pids[i] != NULL; i++)
        n += pids[i][0] != '\0';
    }

  return n;
}

/* The session of a process, or 0 when there is no such process. */
pid_t
spindle_test_process_session (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  const char *paren;
  int ppid, pgrp, session;
  char state;

  if (!g_file_get_contents (path, &contents, NULL, NULL) ||
      (paren = strrchr (contents, ')')) == NULL ||
      sscanf (paren + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) != 4)
    return 0;
  return session;
}

static void
skip_no_reaper (void)
{
  g_test_skip ("SPINDLE_REAPER does not name the reaper helper of the build tree");
}

/* Without the build tree's reaper helper, a process test program has one
 * case, @path, which says so and skips: TRUE then.
 */
gboolean
spindle_test_skip_without_reaper (const char *path)
{
  if (g_getenv (SPINDLE_REAPER_ENV) != NULL)
    return FALSE;

  g_test_add_func (path, skip_no_reaper);
  return TRUE;
}

/* Whether @pid is a sleep (its name, after its exec). */
gboolean
spindle_test_is_sleep (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", pid);
  g_autofree char *comm = NULL;

  return g_file_get_contents (path, &comm, NULL, NULL) && g_str_equal (g_strstrip (comm), "sleep");
}

/* The row of process @pid under @worker, at any depth, or NULL. */
SpindleWorker *
spindle_test_find_process_row (SpindleWorker *worker,
                               pid_t          pid)
{
  GListModel *children = spindle_worker_get_children (worker);

  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);
      SpindleWorker *found;

      if (spindle_worker_get_tid (child) == pid)
        return child;  /* held by the store */
      if ((found = spindle_test_find_process_row (child, pid)) != NULL)
        return found;
    }

  return NULL;
}

/* A condition: the command worker @data has its pid and rows of its
 * processes, walking its tree once more.
 */
gboolean
spindle_test_has_process_rows (gpointer data)
{
  SpindleWorker *worker = data;
  SpindleProcessInfo *info = spindle_process_info_get_for_worker (worker);

  spindle_process_info_update (info);
  return spindle_process_info_get_pid (info) > 0 &&
         g_list_model_get_n_items (spindle_worker_get_children (worker)) > 0;
}

/* A file in a directory of its own that a test's command writes its pids
 * to, one a line; @wanted is how many make it full. */
void
spindle_test_pid_file_init (SpindleTestPidFile *file,
                            guint               wanted)
{
  g_autoptr(GError) error = NULL;

  file->dir = g_dir_make_tmp ("spindle-process-XXXXXX", &error);
  g_assert_no_error (error);
  file->path = g_build_filename (file->dir, "pids", NULL);
  file->wanted = wanted;
}

void
spindle_test_pid_file_clear (SpindleTestPidFile *file)
{
  g_unlink (file->path);
  g_rmdir (file->dir);
  g_free (file->path);
  g_free (file->dir);
}

char **
spindle_test_pid_file_read (SpindleTestPidFile *file)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (file->path, &contents, NULL, NULL))
    return g_new0 (char *, 1);
  return g_strsplit (g_strstrip (contents), "\n", -1);
}

/* Whether the file holds @wanted pids (a condition to wait on). */
gboolean
spindle_test_pid_file_full (gpointer data)
{
  SpindleTestPidFile *file = data;
  g_auto(GStrv) lines = spindle_test_pid_file_read (file);

  return g_strv_length (lines) >= file->wanted && lines[0][0] != '\0';
}

/* The argv of `sh -c SCRIPT`, with @MARK@ in it standing for @mark. */
char **
spindle_test_sh_argv (const char *script,
                      const char *mark)
{
  g_autoptr(GString) text = g_string_new (script);
  const char *argv[] = { "sh", "-c", NULL, NULL };

  g_string_replace (text, "@MARK@", mark, 0);
  argv[2] = text->str;
  return g_strdupv ((char **) argv);
}

/* A command worker of @argv, which it frees. */
SpindleWorker *
spindle_test_spawn_command (SpindleWorkerSet            *set,
                            char                       **argv,
                            const SpindleCommandOptions *options)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  worker = spindle_worker_set_spawn_command (set, NULL, (const char * const *) argv, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (worker);
  g_strfreev (argv);
  return worker;
}

/* Whether a step of the worker's cleanup report mentions @needle and
 * ended as @outcome. */
gboolean
spindle_test_report_has_step (SpindleWorker         *worker,
                              const char            *needle,
                              SpindleCleanupOutcome  outcome)
{
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (worker);

  g_assert_nonnull (report);
  for (guint i = 0; i < spindle_cleanup_report_get_n_steps (report); i++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, i);

      if (strstr (step->label, needle) != NULL && step->outcome == outcome)
        return TRUE;
    }

  return FALSE;
}

/* Fails, showing the whole report, unless a step mentioning @needle went
 * well. */
void
spindle_test_assert_report_has (SpindleWorker *worker,
                                const char    *needle)
{
  if (!spindle_test_report_has_step (worker, needle, SPINDLE_CLEANUP_OUTCOME_OK))
    {
      g_autofree char *text = spindle_cleanup_report_to_string (spindle_worker_get_cleanup_report (worker));

      g_error ("no step “%s” in the report:\n%s", needle, text);
    }
}

/* The catalogue's file writer names its partial files after the process. */
guint
spindle_test_count_partial_files (void)
{
  g_autofree char *prefix = g_strdup_printf ("spindle-writer-%d-", (int) getpid ());
  g_autoptr(GDir) dir = g_dir_open (g_get_tmp_dir (), 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_prefix (name, prefix);

  return n;
}

/* A body in a raw read() */

void
spindle_test_reader_init (SpindleTestReader *reader)
{
  *reader = (SpindleTestReader) { .fds = { -1, -1 } };
  spindle_test_pipe (reader->fds);
}

void
spindle_test_reader_clear (SpindleTestReader *reader)
{
  spindle_test_close_pipe (reader->fds);
}

/* Returns TRUE as its result when it read a byte, nothing otherwise. */
GVariant *
spindle_test_reader_body (SpindleJob  *job,
                          gpointer     data,
                          GError     **error)
{
  SpindleTestReader *reader = data;
  char c;
  ssize_t n;

  reader->tid = gettid ();
  g_atomic_int_set (&reader->reached, 1);
  n = read (reader->fds[0], &c, 1);
  g_atomic_int_set (&reader->returned, n == 1 ? 1 : 2);

  return n == 1 ? g_variant_new_boolean (TRUE) : NULL;
}

/* Waits until the body sleeps in its read(), where only a cancel reaches it. */
void
spindle_test_reader_wait_blocked (SpindleTestReader *reader)
{
  spindle_test_wait_flag (&reader->reached);
  spindle_test_wait_blocked (reader->tid, "pipe_read");
}

/* Bodies that end at once */

GVariant *
spindle_test_int_body (SpindleJob  *job,
                       gpointer     data,
                       GError     **error)
{
  return g_variant_new_int32 (*(gint *) data);
}

GVariant *
spindle_test_error_body (SpindleJob  *job,
                         gpointer     data,
                         GError     **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no access here");
  return NULL;
}

/* A body in an engine wait */

GVariant *
spindle_test_sleeper_body (SpindleJob  *job,
                           gpointer     data,
                           GError     **error)
{
  SpindleTestSleeper *sleeper = data;
  gboolean slept;

  sleeper->tid = gettid ();
  sleeper->job_tid = spindle_job_get_tid (job);
  g_atomic_int_set (&sleeper->reached, 1);
  slept = spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  g_atomic_int_set (&sleeper->sleep_result, slept ? 1 : 2);

  return NULL;
}

void
spindle_test_sleeper_destroy (gpointer data)
{
  SpindleTestSleeper *sleeper = data;

  g_atomic_int_inc (&sleeper->destroyed);
}

GVariant *
spindle_test_parent_of_sleeper_body (SpindleJob  *job,
                                     gpointer     data,
                                     GError     **error)
{
  if (spindle_job_spawn_child (job, "child", spindle_test_sleeper_body, data,
                               spindle_test_sleeper_destroy, error) == NULL)
    return NULL;
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);

  return NULL;
}

guint
spindle_test_count_listed_live (GListModel *workers)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (workers); i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (workers, i);

      n += !spindle_worker_is_terminal (worker);
      n += spindle_test_count_listed_live (spindle_worker_get_children (worker));
    }

  return n;
}

/* The fixture */

void
spindle_test_fixture_setup (SpindleTestFixture *fixture,
                            gconstpointer       data)
{
  fixture->set = spindle_test_set_new ();
  fixture->rec = NULL;
  fixture->sleeper = (SpindleTestSleeper) { 0 };
  spindle_test_reader_init (&fixture->reader);
}

/* Ends the set before the pipe closes, so that no reader sees its end. */
void
spindle_test_fixture_teardown (SpindleTestFixture *fixture,
                               gconstpointer       data)
{
  spindle_test_fixture_end_set (fixture);
  spindle_test_reader_clear (&fixture->reader);
}

/* Spawns a worker and records it: a fixture records one worker at most. */
SpindleWorker *
spindle_test_fixture_spawn (SpindleTestFixture *fixture,
                            const char         *name,
                            SpindleJobFunc      func,
                            gpointer            data,
                            GDestroyNotify      destroy)
{
  SpindleWorker *worker = spindle_test_spawn_full (fixture->set, name, func, data, destroy);

  g_assert_null (fixture->rec);
  fixture->rec = spindle_test_recorder_new (worker);

  return worker;
}

/* Drops the recorder and the set, which lets go of the workers' data. */
void
spindle_test_fixture_end_set (SpindleTestFixture *fixture)
{
  g_clear_pointer (&fixture->rec, spindle_test_recorder_free);
  g_clear_object (&fixture->set);
}

void
spindle_test_fixture_assert_recorded (SpindleTestFixture *fixture,
                                      const char         *states,
                                      const char         *events)
{
  g_autofree char *recorded_states = spindle_test_recorder_states (fixture->rec);
  g_autofree char *recorded_events = NULL;

  g_assert_cmpstr (recorded_states, ==, states);
  if (events == NULL)
    return;

  recorded_events = spindle_test_recorder_events (fixture->rec);
  g_assert_cmpstr (recorded_events, ==, events);
}
