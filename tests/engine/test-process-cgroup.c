/* test-process-cgroup.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spindle-test-process.h"

/* The containment of process workers (app/helpers/spindle-reaper.c):
 * a cgroup of the command's own, made by the reaper or, through a mock
 * systemd user manager on this test's session bus, by "systemd"; and the
 * process group alone, forced, as on a machine without a writable cgroup;
 * and the fallbacks: a scope refused (the paused command moved into a
 * cgroup of the reaper's), a cgroup that refuses the command (the group).
 * SPINDLE_PROCESS_CONTAINMENT in the command's environment (which the
 * reaper shares) forces each.
 *
 * Every process a test starts carries a marker in its arguments (a sleep
 * of mark seconds), so that "nothing left behind" is checked over the
 * whole machine.
 */

static char mark[32];

#define MARK ((const char *) mark)

/* The test's own cgroup v2 directory, where the reaper (its child) makes
 * the command's, or NULL (spindle_test_own_cgroup() says why).
 */
static const char *own_cgroup;

typedef SpindleTestForced Forced;

static SpindleWorker *
spawn_forced (SpindleWorkerSet *set,
              char            **argv,
              Forced           *forced)
{
  return spindle_test_spawn_command (set, argv, &forced->options);
}

static gboolean
running_cond (gpointer data)
{
  const char *phase = spindle_worker_get_phase (data);

  return phase != NULL && strstr (phase, "running") != NULL;
}

static gboolean
stopping_cond (gpointer data)
{
  const char *phase = spindle_worker_get_phase (data);

  return phase != NULL && strstr (phase, "stopping") != NULL;
}

/* The stubborn tree ************************************************************/

typedef SpindleTestPidFile PidFile;

#define TREE_FORKS 12

/* The command ignores SIGTERM; its child shell starts a grandchild that
 * calls setsid(), ignores SIGTERM too, and forks a small tree (TREE_FORKS
 * shells of two sleeps each) and then a sleep after another, for ever:
 * a fork bomb on a leash. The three shells write their pids.
 */
static char **
stubborn_tree_argv (PidFile *file)
{
  g_autofree char *script = g_strdup_printf (
      "trap '' TERM; echo $$ >> %1$s; "
      "sh -c 'echo $$ >> %1$s; "
      "setsid sh -c \"trap \\\"\\\" TERM; echo \\$\\$ >> %1$s; i=0; "
      "while [ \\$i -lt %2$d ]; do sh -c \\\"sleep @MARK@ & sleep @MARK@ & wait\\\" & i=\\$((i+1)); done; "
      "while :; do sleep @MARK@ & done\" & wait' & "
      "wait",
      file->path, TREE_FORKS);

  return spindle_test_sh_argv (script, MARK);
}

/* The tree is in place: three shells named, the escapee in a session of
 * its own, and more sleeps than the fixed part has.
 */
static gboolean
tree_ready_cond (gpointer data)
{
  PidFile *file = data;
  g_auto(GStrv) pids = spindle_test_pid_file_read (file);

  return g_strv_length (pids) >= 3 &&
         spindle_test_process_session (atoi (pids[2])) == atoi (pids[2]) &&
         spindle_test_count_marked (MARK) >= 2 * TREE_FORKS + 10;
}

typedef struct
{
  PidFile  file;
  char   **pids;           /* the three shells */
  GArray  *marked;         /* the sleeps and shells that carry the mark */
} Tree;

static void
tree_start (Tree *tree)
{
  spindle_test_pid_file_init (&tree->file, 0);
}

static char **
tree_argv (Tree *tree)
{
  return stubborn_tree_argv (&tree->file);
}

static void
tree_wait (Tree *tree)
{
  spindle_test_wait_until_full (tree_ready_cond, &tree->file, SPINDLE_TEST_GUARD_MS, "the stubborn tree");
  tree->pids = spindle_test_pid_file_read (&tree->file);
  tree->marked = spindle_test_marked_pids (MARK);
}

static pid_t
tree_escapee (Tree *tree)
{
  return atoi (tree->pids[2]);
}

/* Not one process of the tree is left, zombies included; this test has
 * @n_children other children (a mock manager). */
static void
tree_assert_gone (Tree  *tree,
                  guint  n_children)
{
  for (guint i = 0; tree->pids[i] != NULL; i++)
    g_assert_cmpint (spindle_test_process_state (atoi (tree->pids[i])), ==, 0);
  for (guint i = 0; i < tree->marked->len; i++)
    g_assert_cmpint (spindle_test_process_state (g_array_index (tree->marked, pid_t, i)), ==, 0);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, n_children);
}

static void
tree_clear (Tree *tree)
{
  g_strfreev (tree->pids);
  g_clear_pointer (&tree->marked, g_array_unref);
  spindle_test_pid_file_clear (&tree->file);
}

/* Kills @worker once its stop (which the tree ignores) was sent, as a
 * user pressing Stop then Force would, and checks the tree's shells are
 * in the report. */
static void
force_kill (SpindleWorker *worker,
            Tree          *tree)
{
  spindle_worker_request_stop (worker);
  spindle_test_wait_until (stopping_cond, worker, SPINDLE_TEST_GUARD_MS);
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  for (guint i = 0; tree->pids[i] != NULL; i++)
    {
      g_autofree char *needle = g_strdup_printf (" %s (sh)", tree->pids[i]);

      spindle_test_assert_report_has (worker, needle);
    }
  spindle_test_assert_report_lacks (worker, "could not be reaped");
}

/* The cgroup the reaper made: a child of the test's own. */
static char *
contained_dir (pid_t pid)
{
  g_autofree char *path = spindle_test_process_cgroup (pid);
  g_autofree char *parent = NULL;

  g_assert_nonnull (path);
  parent = spindle_test_process_cgroup (getpid ());
  g_assert_true (g_str_has_prefix (path, parent));
  return g_build_filename (own_cgroup, path + strlen (parent), NULL);
}

/* Tests that need a writable cgroup v2 ***************************************/

/* Force-kill in the cgroup: the setsid() escapee that ignores SIGTERM and
 * its forking tree go at once, and the report says how.
 */
static void
test_cgroup_force_kills_tree (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *removed = NULL;
  SpindleWorker *worker;
  Forced forced;
  Tree tree = { 0 };

  if (spindle_test_skip_without_cgroup ())
    return;

  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "cgroup");
  tree_start (&tree);
  worker = spawn_forced (set, tree_argv (&tree), &forced);
  tree_wait (&tree);

  /* the escapee is in the command's cgroup, not the test's */
  dir = contained_dir (tree_escapee (&tree));
  g_assert_cmpstr (dir, !=, own_cgroup);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  force_kill (worker, &tree);
  tree_assert_gone (&tree, 0);

  spindle_test_assert_report_has (worker, "Contained in cgroup ");
  spindle_test_assert_report_lacks (worker, "Process group only");
  removed = g_strdup_printf ("Cgroup %s emptied and removed", dir);
  spindle_test_assert_report_has (worker, removed);
  spindle_test_assert_no_failed_step (worker);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);

  tree_clear (&tree);
  spindle_test_forced_clear (&forced);
}

/* @text written whole to @dir's @file, or FALSE with errno set. */
static gboolean
cgroup_write (const char *dir,
              const char *file,
              const char *text)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean written = fd >= 0 && write (fd, text, strlen (text)) == (gssize) strlen (text);
  int error = errno;

  if (fd >= 0)
    close (fd);
  errno = error;
  return written;
}

/* @pid moved into the cgroup at @dir. */
static void
join_cgroup (const char *dir,
             pid_t       pid)
{
  g_autofree char *text = g_strdup_printf ("%d", (int) pid);

  if (!cgroup_write (dir, "cgroup.procs", text))
    g_error ("cannot move %d into %s: %s", (int) pid, dir, g_strerror (errno));
}

/* @pid moved into @dir/@name, a cgroup made for it. */
static void
move_to_sub_cgroup (const char *dir,
                    const char *name,
                    pid_t       pid)
{
  g_autofree char *sub = g_build_filename (dir, name, NULL);

  g_assert_true (g_mkdir (sub, 0755) == 0 || errno == EEXIST);
  join_cgroup (sub, pid);
}

/* A process that is in the cgroup without descending from the command
 * through the reaper (moved in from outside, as a descendant that a walk
 * of the tree would not find): no walk reaches it, cgroup.kill does.
 */
static void
test_cgroup_kill_reaches_intruder (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  const char *argv[] = { "sleep", MARK, NULL };
  const char *intruder_argv[] = { "sleep", "7419", NULL };
  struct pollfd pfd = { -1, POLLIN, 0 };
  SpindleProcessInfo *info;
  SpindleWorker *worker;
  GPid intruder;
  Forced forced;
  int status = 0;

  if (spindle_test_skip_without_cgroup ())
    return;

  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "cgroup");
  worker = spawn_forced (set, g_strdupv ((char **) argv), &forced);
  spindle_test_wait_until (running_cond, worker, SPINDLE_TEST_GUARD_MS);
  info = spindle_process_info_get_for_worker (worker);
  spindle_process_info_update (info);
  g_assert_cmpint (spindle_process_info_get_pid (info), >, 0);
  dir = contained_dir (spindle_process_info_get_pid (info));

  g_spawn_async (NULL, (char **) intruder_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                 NULL, NULL, &intruder, &error);
  g_assert_no_error (error);
  join_cgroup (dir, intruder);

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  pfd.fd = (int) syscall (SYS_pidfd_open, intruder, 0);
  g_assert_cmpint (pfd.fd, >=, 0);
  g_assert_cmpint (poll (&pfd, 1, SPINDLE_TEST_GUARD_MS), ==, 1);
  close (pfd.fd);
  g_assert_cmpint (waitpid (intruder, &status, 0), ==, intruder);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  spindle_test_assert_report_has (worker, "emptied and removed");
  spindle_test_assert_no_failed_step (worker);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  spindle_test_forced_clear (&forced);
}

#define N_WAITERS 40
#define N_MOVED   5

/* Every waiting shell wrote its pid and its sleep runs. */
static gboolean
waiters_ready_cond (gpointer data)
{
  SpindleTestPidFile *file = data;

  return spindle_test_pid_file_full (file) && spindle_test_count_marked (MARK) >= file->wanted;
}

/* A command of @n shells that each wait for a sleep of their own, all
 * of them running; the command ignores SIGTERM.
 */
static SpindleWorker *
spawn_waiting_shells (SpindleWorkerSet *set,
                      Forced           *forced,
                      PidFile          *file,
                      guint             n)
{
  g_autofree char *script = NULL;
  SpindleWorker *worker;

  spindle_test_pid_file_init (file, n);
  script = g_strdup_printf ("trap '' TERM; i=0; while [ $i -lt %u ]; do "
                            "sh -c 'echo $$ >> %s; sleep @MARK@; :' & i=$((i+1)); done; wait",
                            n, file->path);
  worker = spawn_forced (set, spindle_test_sh_argv (script, MARK), forced);
  spindle_test_wait_until_full (waiters_ready_cond, file, SPINDLE_TEST_GUARD_MS, "the waiting shells");
  return worker;
}

static pid_t
parent_of (pid_t pid)
{
  pid_t ppid = spindle_test_parent_of (pid);

  g_assert_cmpint (ppid, >, 0);
  return ppid;
}

/* A command of waiting shells in a cgroup of its own, running, and what
 * a test needs of it. */
typedef struct
{
  SpindleWorkerSet  *set;
  SpindleWorker     *worker;
  Forced             forced;
  PidFile            file;
  char             **shells;
  GArray            *sleeps;
  pid_t              command;
  pid_t              helper;       /* the command's parent, the reaper */
  char              *dir;          /* the command's cgroup */
} Waiting;

/* Starts @n waiting shells forced into a cgroup; FALSE (the test
 * skipped, nothing started) without a cgroup to use. */
static gboolean
waiting_start (Waiting *self,
               guint    n)
{
  SpindleProcessInfo *info;

  memset (self, 0, sizeof *self);
  if (spindle_test_skip_without_cgroup ())
    return FALSE;

  self->set = spindle_test_set_new ();
  spindle_test_forced_init (&self->forced, "cgroup");
  self->worker = spawn_waiting_shells (self->set, &self->forced, &self->file, n);
  /* the host has read the report's "contained" by then */
  spindle_test_wait_until (running_cond, self->worker, SPINDLE_TEST_GUARD_MS);
  info = spindle_process_info_get_for_worker (self->worker);
  spindle_process_info_update (info);
  self->command = spindle_process_info_get_pid (info);
  g_assert_cmpint (self->command, >, 0);
  self->dir = contained_dir (self->command);
  self->helper = parent_of (self->command);
  g_assert_cmpint (self->helper, !=, getpid ());
  self->shells = spindle_test_pid_file_read (&self->file);
  self->sleeps = spindle_test_marked_pids (MARK);
  return TRUE;
}

static void
waiting_clear (Waiting *self)
{
  g_strfreev (self->shells);
  g_clear_pointer (&self->sleeps, g_array_unref);
  g_free (self->dir);
  spindle_test_pid_file_clear (&self->file);
  spindle_test_forced_clear (&self->forced);
  g_clear_object (&self->set);
}

/* The report names every shell and every sleep. */
static void
assert_report_names (SpindleWorker *worker,
                     char         **shells,
                     GArray        *sleeps)
{
  for (guint i = 0; shells[i] != NULL; i++)
    {
      g_autofree char *needle = g_strdup_printf (" %s (sh)", shells[i]);

      spindle_test_assert_report_has (worker, needle);
    }
  for (guint i = 0; i < sleeps->len; i++)
    {
      g_autofree char *needle = g_strdup_printf (" %d (sleep)", g_array_index (sleeps, pid_t, i));

      spindle_test_assert_report_has (worker, needle);
    }
}

/* Shells that each wait for a sleep of their own, killed together in the
 * cgroup, which the kill does not walk: a shell woken in wait() reaps a
 * sleep that died first before its own SIGKILL acts, and so the report
 * can name that sleep only as it was named before the kill, from the
 * cgroup's list (by the host, which orders the helper's kill after its
 * naming; by the helper where the host did not name them); the rest come
 * to the helper as zombies, named before they are reaped. Every process
 * is in the report either way.
 */
static void
test_cgroup_kill_names_every_process (void)
{
  Waiting waiting;

  if (!waiting_start (&waiting, N_WAITERS))
    return;

  spindle_worker_force_cancel (waiting.worker);
  spindle_test_wait_terminal (waiting.worker);

  assert_report_names (waiting.worker, waiting.shells, waiting.sleeps);
  spindle_test_assert_report_lacks (waiting.worker, "could not be reaped");
  spindle_test_assert_no_failed_step (waiting.worker);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);

  waiting_clear (&waiting);
}

/* The command's cgroup is its to use: processes it moves into cgroups it
 * makes below are named like the rest, and those cgroups are removed with
 * its own.
 */
static void
test_cgroup_kill_names_sub_cgroups (void)
{
  Waiting waiting;

  if (!waiting_start (&waiting, N_MOVED))
    return;

  for (guint i = 0; waiting.shells[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("shell-%u", i);

      move_to_sub_cgroup (waiting.dir, name, atoi (waiting.shells[i]));
    }
  for (guint i = 0; i < waiting.sleeps->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("shell-%u/sleep-%u", i % N_MOVED, i);

      move_to_sub_cgroup (waiting.dir, name, g_array_index (waiting.sleeps, pid_t, i));
    }

  spindle_worker_force_cancel (waiting.worker);
  spindle_test_wait_terminal (waiting.worker);

  assert_report_names (waiting.worker, waiting.shells, waiting.sleeps);
  spindle_test_assert_report_has (waiting.worker, "emptied and removed");
  spindle_test_assert_no_failed_step (waiting.worker);
  g_assert_false (g_file_test (waiting.dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);

  waiting_clear (&waiting);
}

/* Every process of the tree is dead: gone, or a zombie that its new
 * parent (not this test) has yet to reap. */
static gboolean
tree_dead_cond (gpointer data)
{
  Tree *tree = data;

  for (guint i = 0; i < tree->marked->len; i++)
    {
      char state = spindle_test_process_state (g_array_index (tree->marked, pid_t, i));

      if (state != 0 && state != 'Z')
        return FALSE;
    }
  return spindle_test_count_marked (MARK) == 0;
}

/* The helper itself SIGKILLed: no subreaper and no walk are left, but the
 * host still knows the cgroup and ends everything in it, the setsid()
 * escapee and its forking tree included, and removes it with the cgroup
 * the escapee was moved into.
 */
static void
test_cgroup_helper_killed (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *dir = NULL;
  SpindleProcessInfo *info;
  SpindleWorker *worker;
  Forced forced;
  Tree tree = { 0 };
  pid_t helper;

  if (spindle_test_skip_without_cgroup ())
    return;

  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "cgroup");
  tree_start (&tree);
  worker = spawn_forced (set, tree_argv (&tree), &forced);
  tree_wait (&tree);
  dir = contained_dir (tree_escapee (&tree));
  /* in a cgroup the command made in its own, which goes too */
  move_to_sub_cgroup (dir, "escapee", tree_escapee (&tree));
  info = spindle_process_info_get_for_worker (worker);
  spindle_process_info_update (info);
  helper = parent_of (spindle_process_info_get_pid (info));
  g_assert_cmpint (helper, !=, getpid ());

  g_assert_cmpint (kill (helper, SIGKILL), ==, 0);
  spindle_test_wait_terminal (worker);
  spindle_test_wait_until_full (tree_dead_cond, &tree, SPINDLE_TEST_GUARD_MS, "the tree, its helper killed");

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  spindle_test_assert_report_has (worker, "killed and removed by the host, as the process helper was gone");
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);

  tree_clear (&tree);
  spindle_test_forced_clear (&forced);
}

#define N_STOPPED 8

/* What the host's own kill must end while the helper cannot run. */
typedef struct
{
  pid_t    command;
  char   **shells;
  GArray  *sleeps;
  int      intruder_pidfd;
} Stopped;

static gboolean
dead_or_zombie (pid_t pid)
{
  char state = spindle_test_process_state (pid);

  return state == 0 || state == 'Z';
}

static gboolean
stopped_all_dead_cond (gpointer data)
{
  Stopped *stopped = data;
  struct pollfd pfd = { stopped->intruder_pidfd, POLLIN, 0 };

  if (poll (&pfd, 1, 0) != 1 || !dead_or_zombie (stopped->command))
    return FALSE;
  for (guint i = 0; stopped->shells[i] != NULL; i++)
    if (!dead_or_zombie (atoi (stopped->shells[i])))
      return FALSE;
  for (guint i = 0; i < stopped->sleeps->len; i++)
    if (!dead_or_zombie (g_array_index (stopped->sleeps, pid_t, i)))
      return FALSE;
  return TRUE;
}

static gboolean
helper_stopped_cond (gpointer data)
{
  return spindle_test_process_state (GPOINTER_TO_INT (data)) == 'T';
}

/* A force request kills the cgroup's processes from the host itself: with
 * the helper stopped (SIGSTOP), every process of the command dies, and so
 * does one the test moved into the cgroup. Once the helper runs again it
 * reaps and reports as ever: every shell and sleep is named, and so is
 * the intruder, which its own parent (this test) reaped, so that only the
 * host, which named it before its kill, can have named it.
 */
static void
test_cgroup_host_kills_helper_stopped (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *intruder_step = NULL;
  const char *intruder_argv[] = { "sleep", "7419", NULL };
  Stopped stopped;
  gboolean dead;
  GPid intruder;
  Waiting waiting;
  int status = 0;

  if (!waiting_start (&waiting, N_STOPPED))
    return;

  stopped = (Stopped) { .command = waiting.command, .shells = waiting.shells,
                        .sleeps = waiting.sleeps, .intruder_pidfd = -1 };

  g_spawn_async (NULL, (char **) intruder_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                 NULL, NULL, &intruder, &error);
  g_assert_no_error (error);
  stopped.intruder_pidfd = (int) syscall (SYS_pidfd_open, intruder, 0);
  g_assert_cmpint (stopped.intruder_pidfd, >=, 0);
  join_cgroup (waiting.dir, intruder);

  g_assert_cmpint (kill (waiting.helper, SIGSTOP), ==, 0);
  spindle_test_wait_until (helper_stopped_cond, GINT_TO_POINTER (waiting.helper), SPINDLE_TEST_GUARD_MS);
  spindle_worker_force_cancel (waiting.worker);
  dead = spindle_test_poll_until (stopped_all_dead_cond, &stopped, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (kill (waiting.helper, SIGCONT), ==, 0);
  g_assert_true (dead);

  g_assert_cmpint (waitpid (intruder, &status, 0), ==, intruder);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  close (stopped.intruder_pidfd);

  spindle_test_wait_terminal (waiting.worker);
  g_assert_cmpint (spindle_worker_get_state (waiting.worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  assert_report_names (waiting.worker, waiting.shells, waiting.sleeps);
  intruder_step = g_strdup_printf ("Descendant %d (sleep) ended, reaped by its own parent", intruder);
  spindle_test_assert_report_has (waiting.worker, intruder_step);
  spindle_test_assert_report_lacks (waiting.worker, "could not be reaped");
  spindle_test_assert_report_has (waiting.worker, "emptied and removed");
  spindle_test_assert_no_failed_step (waiting.worker);
  g_assert_false (g_file_test (waiting.dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);

  waiting_clear (&waiting);
}

/* More than the host names itself (256, spindle-process-orders.c): the
 * command, its shells and their sleeps */
#define N_MANY_WAITERS 130

static gboolean
cgroup_frozen_cond (gpointer data)
{
  g_autofree char *path = g_build_filename (data, "cgroup.events", NULL);
  g_autofree char *events = NULL;

  return g_file_get_contents (path, &events, NULL, NULL) && strstr (events, "frozen 1") != NULL;
}

/* A cgroup of more processes than the host names: a force request
 * freezes it from the host at once, so that nothing in it forks or reaps
 * while the helper cannot run (stopped here), and leaves the naming and
 * the kill to the helper, which names any number: a kill before them
 * would let a shell reap its sleep unnamed. Once the helper runs, every
 * process is named and gone.
 */
static void
test_cgroup_kill_many_left_to_helper (void)
{
  Waiting waiting;

  if (!waiting_start (&waiting, N_MANY_WAITERS))
    return;

  g_assert_cmpuint (g_strv_length (waiting.shells) + waiting.sleeps->len, >, 256);

  g_assert_cmpint (kill (waiting.helper, SIGSTOP), ==, 0);
  spindle_test_wait_until (helper_stopped_cond, GINT_TO_POINTER (waiting.helper), SPINDLE_TEST_GUARD_MS);
  spindle_worker_force_cancel (waiting.worker);
  if (!spindle_test_poll_until (cgroup_frozen_cond, waiting.dir, SPINDLE_TEST_GUARD_MS))
    {
      kill (waiting.helper, SIGCONT);
      g_error ("the cgroup of %u processes was not frozen", g_strv_length (waiting.shells) + waiting.sleeps->len);
    }
  for (guint i = 0; i < waiting.sleeps->len; i++)
    g_assert_false (dead_or_zombie (g_array_index (waiting.sleeps, pid_t, i)));
  g_assert_cmpint (kill (waiting.helper, SIGCONT), ==, 0);

  spindle_test_wait_terminal (waiting.worker);
  g_assert_cmpint (spindle_worker_get_state (waiting.worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
  assert_report_names (waiting.worker, waiting.shells, waiting.sleeps);
  spindle_test_assert_report_lacks (waiting.worker, "could not be reaped");
  spindle_test_assert_report_has (waiting.worker, "emptied and removed");
  spindle_test_assert_no_failed_step (waiting.worker);
  g_assert_false (g_file_test (waiting.dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);

  waiting_clear (&waiting);
}

/* A directory to give the reaper as XDG_RUNTIME_DIR, its systemd/private
 * a socket that nothing listens on: a user manager seems to run there,
 * and the call for a scope fails at once.
 */
static char *
dead_manager_make (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("spindle-systemd-XXXXXX", &error);

  g_assert_no_error (error);
  spindle_test_dead_manager_bind (dir);
  return dir;
}

static void
dead_manager_free (char *dir)
{
  g_autofree char *systemd_dir = g_build_filename (dir, "systemd", NULL);
  g_autofree char *socket_path = g_build_filename (systemd_dir, "private", NULL);

  g_assert_no_errno (g_unlink (socket_path));
  g_assert_no_errno (g_rmdir (systemd_dir));
  g_assert_no_errno (g_rmdir (dir));
  g_free (dir);
}

/* The fallback of a scope refused: the reaper forked the command paused
 * for the manager to place, so it makes a cgroup of its own, moves the
 * paused command into it and only then lets it exec. The command and its
 * descendants are in that cgroup, not a scope, and its kill ends them all.
 */
static void
test_scope_refused_moves_paused_child (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *command_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *step = NULL;
  SpindleWorker *worker;
  Forced forced;
  Tree tree = { 0 };
  char *runtime;

  if (spindle_test_skip_without_cgroup ())
    return;

  runtime = dead_manager_make ();
  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "auto");
  spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", runtime);
  tree_start (&tree);
  worker = spawn_forced (set, tree_argv (&tree), &forced);
  tree_wait (&tree);

  /* the command and the escapee in the reaper's cgroup, not a scope */
  dir = contained_dir (tree_escapee (&tree));
  command_dir = contained_dir (atoi (tree.pids[0]));
  g_assert_cmpstr (command_dir, ==, dir);
  name = g_path_get_basename (dir);
  prefix = g_strdup_printf ("spindle-%d-", (int) getpid ());
  g_assert_true (g_str_has_prefix (name, prefix) && !g_str_has_suffix (name, ".scope"));

  force_kill (worker, &tree);
  tree_assert_gone (&tree, 0);

  /* and says why not the scope: the manager's socket that nothing answers */
  step = g_strdup_printf ("Contained in cgroup %s (a systemd scope was refused: "
                          "cannot connect to the systemd user manager's socket %s/systemd/private",
                          dir, runtime);
  spindle_test_assert_report_has (worker, step);
  g_free (step);
  step = g_strdup_printf ("Cgroup %s emptied and removed", dir);
  spindle_test_assert_report_has (worker, step);
  spindle_test_assert_report_lacks (worker, "Process group only");
  spindle_test_assert_no_failed_step (worker);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);

  tree_clear (&tree);
  spindle_test_forced_clear (&forced);
  dead_manager_free (runtime);
}

/* A cgroup that refuses the command: the test's subprocess joins a
 * cgroup made a thread root (a child of it threaded), where a domain
 * cgroup that the reaper makes is invalid, and a process written to its
 * cgroup.procs is refused (EOPNOTSUPP).
 */
typedef struct
{
  const char *containment;
  gboolean    scope_refused;   /* a user manager's socket that refuses */
  const char *reason;          /* the report's, for the cgroup refused */
} EntryRefused;

/* forced to the cgroup: the command, cloned, writes itself in */
static const EntryRefused entry_refused_cloned = { "cgroup", FALSE, "cannot start a process in " };
/* "auto" with a scope refused: the paused command is moved in */
static const EntryRefused entry_refused_paused = { "auto", TRUE, "cannot move a process into " };

static char *
thread_root_path (pid_t test_pid)
{
  g_autofree char *name = g_strdup_printf ("spindle-thread-root-%d", (int) test_pid);

  return g_build_filename (own_cgroup, name, NULL);
}

/* The thread root, or FALSE with the test skipped (none made). */
static gboolean
thread_root_make (const char *root)
{
  g_autofree char *threads = g_build_filename (root, "threads", NULL);
  g_autofree char *why = NULL;

  g_assert_no_errno (g_mkdir (root, 0755));
  g_assert_no_errno (g_mkdir (threads, 0755));
  if (cgroup_write (threads, "cgroup.type", "threaded"))
    return TRUE;

  why = g_strdup_printf ("cannot make %s threaded: %s", threads, g_strerror (errno));
  g_rmdir (threads);
  g_rmdir (root);
  g_test_skip (why);
  return FALSE;
}

/* In the subprocess, in the thread root: the command starts in the group
 * alone, which still holds the tree for the kill, and the report says why.
 */
static void
entry_refused_run (const EntryRefused *data)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *root = thread_root_path (getppid ());
  g_autofree char *own = NULL;
  g_autofree char *escapee = NULL;
  g_autofree char *refused = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  SpindleWorker *worker;
  Forced forced;
  Tree tree = { 0 };
  char *runtime = NULL;

  join_cgroup (root, getpid ());
  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, data->containment);
  if (data->scope_refused)
    {
      runtime = dead_manager_make ();
      spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", runtime);
    }
  tree_start (&tree);
  worker = spawn_forced (set, tree_argv (&tree), &forced);
  tree_wait (&tree);

  own = spindle_test_process_cgroup (getpid ());
  escapee = spindle_test_process_cgroup (tree_escapee (&tree));
  g_assert_cmpstr (escapee, ==, own);

  force_kill (worker, &tree);
  tree_assert_gone (&tree, 0);

  refused = g_strdup_printf ("%s%s/spindle-%d-", data->reason, root, (int) getpid ());
  spindle_test_assert_report_has (worker, "Process group only (");
  spindle_test_assert_report_has (worker, refused);
  spindle_test_assert_report_has (worker, ": Operation not supported)");
  if (data->scope_refused)
    spindle_test_assert_report_has (worker, "Process group only (cannot connect to the systemd user manager's socket ");
  spindle_test_assert_report_lacks (worker, "Contained in ");
  spindle_test_assert_report_lacks (worker, "Cgroup ");
  spindle_test_assert_no_failed_step (worker);

  /* the refused cgroup is gone */
  dir = g_dir_open (root, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (g_str_has_prefix (name, "spindle-"));

  tree_clear (&tree);
  spindle_test_forced_clear (&forced);
  g_clear_pointer (&runtime, dead_manager_free);
}

static void
test_cgroup_entry_refused (gconstpointer data)
{
  g_autofree char *root = NULL;
  g_autofree char *threads = NULL;
  int removed;

  if (spindle_test_skip_without_cgroup ())
    return;
  if (g_test_subprocess ())
    {
      entry_refused_run (data);
      return;
    }

  root = thread_root_path (getpid ());
  if (!thread_root_make (root))
    return;
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);

  threads = g_build_filename (root, "threads", NULL);
  removed = g_rmdir (threads) == 0 && g_rmdir (root) == 0;
  g_test_trap_assert_passed ();
  g_assert_true (removed);
}

/* A command that ends by itself, with leftovers: the cgroup goes too. */
static void
test_cgroup_removed_after_exit (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  SpindleWorker *worker;
  Forced forced;

  if (spindle_test_skip_without_cgroup ())
    return;

  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "cgroup");
  worker = spawn_forced (set, spindle_test_sh_argv ("sleep @MARK@ & setsid sleep @MARK@ & exit 0", MARK), &forced);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  spindle_test_assert_report_has (worker, "Contained in cgroup ");
  spindle_test_assert_report_has (worker, "emptied and removed");
  spindle_test_assert_no_failed_step (worker);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);
  spindle_test_forced_clear (&forced);
}

/* A command that could not start leaves no cgroup behind either. */
static void
test_cgroup_exec_fails (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  const char *argv[] = { "/nonexistent/spindle-no-such-program", NULL };
  SpindleWorker *worker;
  Forced forced;

  if (spindle_test_skip_without_cgroup ())
    return;

  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "cgroup");
  worker = spawn_forced (set, g_strdupv ((char **) argv), &forced);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (spindle_worker_get_error (worker), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
  spindle_test_forced_clear (&forced);
}

/* 200 spawn/kill cycles in cgroups: nothing left of any. */
static void
test_cgroup_cycles (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  guint fds_before;
  Forced forced;

  if (spindle_test_skip_without_cgroup ())
    return;

  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "cgroup");
  fds_before = spindle_test_count_fds ();
  for (guint i = 0; i < 200; i++)
    {
      const char *argv[] = { "sh", "-c", "sleep $0 & setsid sleep $0 & wait", MARK, NULL };
      SpindleWorker *worker = spawn_forced (set, g_strdupv ((char **) argv), &forced);

      /* a worker cancelled before its body ran has no command to kill */
      spindle_test_wait_until (running_cond, worker, SPINDLE_TEST_GUARD_MS);
      spindle_worker_force_cancel (worker);
      spindle_test_wait_terminal (worker);
      g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
      spindle_test_assert_report_has (worker, "Contained in cgroup ");
      spindle_test_assert_report_has (worker, "emptied and removed");
      spindle_test_assert_no_failed_step (worker);
      spindle_worker_set_clear_finished (set);
    }

  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, 0);
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);
  g_assert_cmpuint (spindle_test_count_fds (), ==, fds_before);
  spindle_test_forced_clear (&forced);
}

/* The host dies: the reaper, run by hand as the engine runs it, sees its
 * order channel end, empties the cgroup and removes it.
 */
static GString *
read_all (int fd)
{
  GString *text = g_string_new (NULL);

  for (;;)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      char buf[1024];
      ssize_t n;

      g_assert_cmpint (poll (&pfd, 1, SPINDLE_TEST_GUARD_MS), ==, 1);
      n = read (fd, buf, sizeof buf);
      g_assert_cmpint (n, >=, 0);
      if (n == 0)
        return text;
      g_string_append_len (text, buf, n);
    }
}

static void
test_cgroup_host_gone (void)
{
  const char *reaper = g_getenv (SPINDLE_REAPER_ENV);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) report = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *removed = NULL;
  g_auto(GStrv) argv = NULL;
  int control[2], report_pipe[2];
  int source_fds[2], target_fds[2] = { 3, 4 };
  Forced forced;
  Tree tree = { 0 };
  GPid pid;
  int status;

  if (spindle_test_skip_without_cgroup ())
    return;

  spindle_test_forced_init (&forced, "cgroup");
  tree_start (&tree);
  {
    g_auto(GStrv) command = tree_argv (&tree);
    const char *args[] = { reaper, "--", command[0], command[1], command[2], NULL };

    argv = g_strdupv ((char **) args);
  }

  g_assert_cmpint (pipe2 (control, O_CLOEXEC), ==, 0);
  g_assert_cmpint (pipe2 (report_pipe, O_CLOEXEC), ==, 0);
  source_fds[0] = control[0];
  source_fds[1] = report_pipe[1];
  g_spawn_async_with_pipes_and_fds (NULL, (const char * const *) argv, (const char * const *) forced.envp,
                                    G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                    -1, -1, -1, source_fds, target_fds, 2,
                                    &pid, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  close (control[0]);
  close (report_pipe[1]);

  tree_wait (&tree);
  dir = contained_dir (tree_escapee (&tree));

  /* the host is gone */
  close (control[1]);
  report = read_all (report_pipe[0]);
  close (report_pipe[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  g_test_message ("the reaper's report:\n%s", report->str);
  removed = g_strdup_printf ("\ncgroup-removed %s\n", dir);
  g_assert_nonnull (strstr (report->str, "\ncontained cgroup "));
  g_assert_nonnull (strstr (report->str, removed));
  g_assert_null (strstr (report->str, "unreaped"));
  g_assert_true (g_str_has_suffix (report->str, "done\n"));
  tree_assert_gone (&tree, 0);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  tree_clear (&tree);
  spindle_test_forced_clear (&forced);
}

/* Without a cgroup ********************************************************/

/* The process group forced: the subreaper still reaps the escapee and its
 * tree, and the report says the containment was the group only.
 */
static void
test_group_force_kills_tree (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autofree char *escapee_cgroup = NULL;
  g_autofree char *own = NULL;
  SpindleWorker *worker;
  Forced forced;
  Tree tree = { 0 };

  spindle_test_forced_init (&forced, "group");
  tree_start (&tree);
  worker = spawn_forced (set, tree_argv (&tree), &forced);
  tree_wait (&tree);

  escapee_cgroup = spindle_test_process_cgroup (tree_escapee (&tree));
  own = spindle_test_process_cgroup (getpid ());
  g_assert_cmpstr (escapee_cgroup, ==, own);

  force_kill (worker, &tree);
  tree_assert_gone (&tree, 0);

  spindle_test_assert_report_has (worker, "Process group only (forced by SPINDLE_PROCESS_CONTAINMENT=group)");
  spindle_test_assert_report_lacks (worker, "Contained in ");
  spindle_test_assert_report_lacks (worker, "Cgroup ");
  spindle_test_assert_no_failed_step (worker);
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);

  tree_clear (&tree);
  spindle_test_forced_clear (&forced);
}

/* A forced cgroup where there is none falls back to the group, and says
 * why; "auto" never fails a command for want of a cgroup either.
 */
static void
test_unknown_containment_is_auto (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleWorker *worker;
  Forced forced;

  spindle_test_forced_init (&forced, "no-such-containment");
  worker = spawn_forced (set, spindle_test_sh_argv ("exit 0", MARK), &forced);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  if (own_cgroup != NULL || !spindle_test_report_has_step (worker, "Process group only (", SPINDLE_CLEANUP_OUTCOME_OK))
    spindle_test_assert_report_has (worker, "Contained in ");
  spindle_test_assert_no_failed_step (worker);
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);
  spindle_test_forced_clear (&forced);
}

/* The systemd user manager, mocked *****************************************/

/* org.freedesktop.systemd1 on this test's session bus, enough of it for a
 * scope: StartTransientUnit makes the unit's cgroup (under the directory
 * given), moves the PIDs into it and logs the call, then JobRemoved says
 * "done"; an empty scope's cgroup is removed, as systemd collects it.
 * Given a third argument that is not empty, it serves direct connections
 * on that socket too, as the manager's private socket. Given a fourth,
 * "never", it logs each call and never answers it, as a manager that
 * hangs.
 */
static const char mock_manager[] =
  "import os, sys\n"
  "from gi.repository import Gio, GLib\n"
  "base, log_path = sys.argv[1], sys.argv[2]\n"
  SPINDLE_TEST_MOCK_MANAGER_XML
  "log = open(log_path, 'a', buffering=1)\n"
  "conn = Gio.bus_get_sync(Gio.BusType.SESSION, None)\n"
  "scopes = {}\n"
  "jobs = [0]\n"
  "unanswered = []\n"
  "def call(conn, sender, path, iface, method, params, inv):\n"
  "    name, mode, props, aux = params.unpack()\n"
  "    props = dict(props)\n"
  "    if sys.argv[4:] == ['never']:\n"
  "        unanswered.append(inv)\n"
  "        log.write('unanswered unit=%s pids=%s\\n' % (name, ','.join(str(p) for p in props['PIDs'])))\n"
  "        return\n"
  "    d = os.path.join(base, name)\n"
  "    try:\n"
  "        os.mkdir(d)\n"
  "        for pid in props['PIDs']:\n"
  "            with open(os.path.join(d, 'cgroup.procs'), 'w') as f:\n"
  "                f.write(str(pid))\n"
  "    except OSError as e:\n"
  "        inv.return_dbus_error('org.freedesktop.systemd1.UnitExists', str(e))\n"
  "        return\n"
  "    jobs[0] += 1\n"
  "    job = '/org/freedesktop/systemd1/job/%d' % jobs[0]\n"
  "    scopes[d] = name\n"
  "    via = 'bus' if conn.get_unique_name() else 'peer'\n"
  "    log.write('unit=%s mode=%s pids=%s delegate=%s via=%s\\n' % (name, mode,\n"
  "              ','.join(str(p) for p in props['PIDs']), props.get('Delegate'), via))\n"
  SPINDLE_TEST_MOCK_MANAGER_JOB_DONE
  "node = Gio.DBusNodeInfo.new_for_xml(XML)\n"
  "conn.register_object('/org/freedesktop/systemd1', node.interfaces[0], call, None, None)\n"
  "def acquired(conn, name):\n"
  "    log.write('ready\\n')\n"
  "Gio.bus_own_name_on_connection(conn, 'org.freedesktop.systemd1', 0, acquired, None)\n"
  SPINDLE_TEST_MOCK_MANAGER_PEERS
  "if len(sys.argv) > 3 and sys.argv[3]:\n"
  "    server = Gio.DBusServer.new_sync('unix:path=' + sys.argv[3], Gio.DBusServerFlags.NONE,\n"
  "                                     Gio.dbus_generate_guid(), None, None)\n"
  "    server.connect('new-connection', on_peer)\n"
  "    server.start()\n"
  "GLib.timeout_add(5, collect)\n"
  "GLib.MainLoop().run()\n";

typedef SpindleTestMock Mock;

/* @private_socket: whether to serve $XDG_RUNTIME_DIR/systemd/private
 * too, with mock->dir as XDG_RUNTIME_DIR; @answers: FALSE for a manager
 * that never answers, which makes no cgroup (none is needed then). */
static void
mock_start_full (Mock     *mock,
                 gboolean  private_socket,
                 gboolean  answers)
{
  g_autoptr(GError) error = NULL;

  spindle_test_mock_init (mock, FALSE);
  mock->process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                    "/usr/bin/python3", "-c", mock_manager,
                                    own_cgroup != NULL ? own_cgroup : mock->dir, mock->log,
                                    private_socket ? mock->socket : "", answers ? "answers" : "never",
                                    NULL);
  g_assert_no_error (error);
  spindle_test_mock_wait_log (mock, "ready\n");
}

static void
mock_start (Mock     *mock,
            gboolean  private_socket)
{
  mock_start_full (mock, private_socket, TRUE);
}

static gboolean
skip_without_mock (void)
{
  return spindle_test_skip_without_cgroup () || spindle_test_skip_without_mock (TRUE);
}

/* The scope: the reaper asks the manager over D-Bus for a transient scope
 * holding the paused command, waits for its job, and then kills through
 * the scope's cgroup.kill.
 */
static void
test_systemd_scope (gconstpointer data)
{
  gboolean private_socket = GPOINTER_TO_INT (data);
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *unit = NULL;
  g_autofree char *call = NULL;
  g_autofree char *collected = NULL;
  g_autofree char *step = NULL;
  SpindleWorker *worker;
  Forced forced;
  Tree tree = { 0 };
  Mock mock = { 0 };

  if (skip_without_mock ())
    return;

  mock_start (&mock, private_socket);
  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "systemd");
  /* the mock's private socket, or none */
  spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", mock.dir);
  tree_start (&tree);
  worker = spawn_forced (set, tree_argv (&tree), &forced);
  tree_wait (&tree);

  /* the command, paused, was the scope's one PID; the escapee followed */
  dir = contained_dir (tree_escapee (&tree));
  unit = g_path_get_basename (dir);
  g_assert_true (g_str_has_prefix (unit, "spindle-") && g_str_has_suffix (unit, ".scope"));
  call = g_strdup_printf ("unit=%s mode=fail pids=%s delegate=True via=%s\n",
                          unit, tree.pids[0], private_socket ? "peer" : "bus");
  spindle_test_mock_wait_log (&mock, call);

  force_kill (worker, &tree);
  tree_assert_gone (&tree, 1);

  step = g_strdup_printf ("Contained in systemd scope %s (cgroup %s)", unit, dir);
  spindle_test_assert_report_has (worker, step);
  g_free (step);
  step = g_strdup_printf ("Cgroup %s emptied", dir);
  spindle_test_assert_report_has (worker, step);
  spindle_test_assert_no_failed_step (worker);

  /* the manager, not the reaper, removes the scope's cgroup */
  collected = g_strdup_printf ("collected=%s\n", unit);
  spindle_test_mock_wait_log (&mock, collected);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  tree_clear (&tree);
  spindle_test_forced_clear (&forced);
  spindle_test_mock_stop (&mock);
}

/* No manager on the bus: the group, and the reason. */
static void
test_systemd_absent (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  SpindleWorker *worker;
  Forced forced;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus (run under dbus-run-session)");
      return;
    }

  dir = g_dir_make_tmp ("spindle-systemd-XXXXXX", &error);
  g_assert_no_error (error);
  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "systemd");
  spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", dir);
  worker = spawn_forced (set, spindle_test_sh_argv ("exit 0", MARK), &forced);
  spindle_test_wait_terminal (worker);

  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  spindle_test_assert_report_has (worker, "Process group only (the systemd user manager refused the scope: "
                                          "org.freedesktop.DBus.Error.");
  spindle_test_assert_no_failed_step (worker);
  g_rmdir (dir);
  spindle_test_forced_clear (&forced);
}

/* The pid of the one call that the manager left unanswered, once logged. */
typedef struct
{
  const char *log;
  pid_t       pid;
} Unanswered;

static gboolean
unanswered_cond (gpointer data)
{
  Unanswered *asked = data;
  g_autofree char *contents = NULL;
  const char *pids;

  if (!g_file_get_contents (asked->log, &contents, NULL, NULL) ||
      (pids = strstr (contents, "unanswered unit=")) == NULL ||
      (pids = strstr (pids, " pids=")) == NULL || strchr (pids, '\n') == NULL)
    return FALSE;
  asked->pid = atoi (pids + 6);
  return asked->pid > 0;
}

static gboolean
pidfd_ended_cond (gpointer data)
{
  struct pollfd pfd = { GPOINTER_TO_INT (data), POLLIN, 0 };

  return poll (&pfd, 1, 0) == 1;
}

/* The helper SIGKILLed while the manager has yet to answer for the scope
 * (this one never does): the command, forked paused for the manager to
 * place, finds the pipe of its go-ahead closed and exits instead of
 * waiting for ever, and with it goes the last writer of the helper's
 * report, so the worker ends: failed, its report saying that the
 * helper's ended early. Nothing is left, the paused command included
 * (it carries the mark, in the helper's arguments).
 */
static void
test_systemd_helper_killed_paused (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  const char *argv[] = { "sleep", MARK, NULL };
  Unanswered asked = { NULL, 0 };
  Mock mock = { 0 };
  SpindleWorker *worker;
  Forced forced;
  gint64 killed_at;
  gboolean ended;
  pid_t helper;
  int pidfd;

  if (spindle_test_skip_without_mock (TRUE))
    return;

  mock_start_full (&mock, TRUE, FALSE);
  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "systemd");
  spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", mock.dir);
  worker = spawn_forced (set, g_strdupv ((char **) argv), &forced);
  asked.log = mock.log;
  spindle_test_wait_until_full (unanswered_cond, &asked, SPINDLE_TEST_GUARD_MS, "the call for a scope");

  /* the paused command's parent is the helper, which waits for the answer */
  helper = parent_of (asked.pid);
  g_assert_cmpint (parent_of (helper), ==, getpid ());
  pidfd = (int) syscall (SYS_pidfd_open, asked.pid, 0);
  g_assert_cmpint (pidfd, >=, 0);

  killed_at = g_get_monotonic_time ();
  g_assert_no_errno (kill (helper, SIGKILL));
  ended = spindle_test_poll_until (pidfd_ended_cond, GINT_TO_POINTER (pidfd), SPINDLE_TEST_GUARD_MS);
  close (pidfd);
  /* else it would wait for ever, and the worker with it */
  if (!ended)
    {
      kill (asked.pid, SIGKILL);
      g_error ("the paused command %d outlived its helper", (int) asked.pid);
    }

  spindle_test_wait_terminal (worker);
  g_test_message ("the worker ended %.1f ms after its helper's SIGKILL",
                  (g_get_monotonic_time () - killed_at) / 1000.0);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_true (spindle_test_report_has_step (worker, "The process helper's report",
                                               SPINDLE_CLEANUP_OUTCOME_FAILED));
  spindle_test_assert_report_lacks (worker, "Contained in ");
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  /* the mock manager alone */
  g_assert_cmpuint (spindle_test_count_children (), ==, 1);

  spindle_test_forced_clear (&forced);
  spindle_test_mock_stop (&mock);
}

/* A process that outlives the kill *****************************************/

/* The cgroup v1 freezer holds a process whatever it is sent, SIGKILL
 * included (the v2 freezer lets SIGKILL through): it makes a process that
 * the kill cannot end within its bound.
 */
typedef struct
{
  char  *dir;                  /* a freezer cgroup of the test's own */
  pid_t  pid;                  /* the frozen process */
  int    pidfd;
} Frozen;

/* The directory of this process's v1 freezer cgroup, or NULL and why. */
static char *
find_freezer (char **why)
{
  g_autofree char *mountinfo = NULL;
  g_autofree char *own = NULL;
  g_auto(GStrv) lines = NULL;
  char *dir = NULL;

  if (!g_file_get_contents ("/proc/self/cgroup", &own, NULL, NULL) ||
      !g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    {
      *why = g_strdup ("cannot read this process's cgroups");
      return NULL;
    }

  lines = g_strsplit (own, "\n", -1);
  g_clear_pointer (&own, g_free);
  for (guint i = 0; lines[i] != NULL && own == NULL; i++)
    {
      const char *controllers = strchr (lines[i], ':');
      const char *path = controllers != NULL ? strchr (controllers + 1, ':') : NULL;

      if (path != NULL && g_str_has_prefix (controllers, ":freezer:"))
        own = g_strdup (path + 1);
    }
  g_strfreev (lines);
  if (own == NULL)
    {
      *why = g_strdup ("no cgroup v1 freezer");
      return NULL;
    }

  /* "ID PARENT MAJ:MIN ROOT POINT OPTIONS … - cgroup SOURCE …,freezer" */
  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL && dir == NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      const char *dash = strstr (lines[i], " - cgroup ");
      g_auto(GStrv) options = NULL;

      if (dash == NULL || g_strv_length (fields) < 5 || !g_str_equal (fields[3], "/"))
        continue;
      options = g_strsplit (strrchr (dash, ' ') + 1, ",", -1);
      if (g_strv_contains ((const char * const *) options, "freezer"))
        dir = g_build_filename (fields[4], own, NULL);
    }
  if (dir == NULL)
    *why = g_strdup ("no cgroup v1 freezer mounted at its root");
  return dir;
}

/* A freezer cgroup of the test's own, or FALSE and the test skipped. */
static gboolean
frozen_init (Frozen *frozen)
{
  g_autofree char *why = NULL;
  g_autofree char *parent = find_freezer (&why);
  g_autofree char *name = g_strdup_printf ("spindle-test-%d", (int) getpid ());
  g_autofree char *state = NULL;

  memset (frozen, 0, sizeof *frozen);
  frozen->pidfd = -1;
  if (parent != NULL)
    {
      frozen->dir = g_build_filename (parent, name, NULL);
      state = g_build_filename (frozen->dir, "freezer.state", NULL);
      if (g_mkdir (frozen->dir, 0755) < 0)
        why = g_strdup_printf ("cannot make a freezer cgroup in %s: %s", parent, g_strerror (errno));
      else if (!g_file_test (state, G_FILE_TEST_EXISTS))
        why = g_strdup_printf ("%s has no freezer.state", frozen->dir);
    }
  if (why == NULL)
    return TRUE;

  if (frozen->dir != NULL)
    g_rmdir (frozen->dir);
  g_clear_pointer (&frozen->dir, g_free);
  g_test_skip (why);
  return FALSE;
}

static gboolean
freezer_state_cond (gpointer data)
{
  Frozen *frozen = data;
  g_autofree char *path = g_build_filename (frozen->dir, "freezer.state", NULL);
  g_autofree char *state = NULL;

  return g_file_get_contents (path, &state, NULL, NULL) && g_str_has_prefix (state, "FROZEN");
}

/* @pid frozen; FALSE if it could not be (it is thawed then). */
static gboolean
frozen_freeze (Frozen *frozen,
               pid_t   pid)
{
  g_autofree char *text = g_strdup_printf ("%d", (int) pid);

  frozen->pid = pid;
  frozen->pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  return frozen->pidfd >= 0 && cgroup_write (frozen->dir, "cgroup.procs", text) &&
         cgroup_write (frozen->dir, "freezer.state", "FROZEN") &&
         spindle_test_poll_until (freezer_state_cond, frozen, SPINDLE_TEST_GUARD_MS);
}

/* Thaws the frozen process, which dies of the SIGKILL it was sent, and
 * removes the freezer cgroup: whatever the test found, nothing is left.
 */
static void
frozen_release (Frozen *frozen)
{
  g_autofree char *text = NULL;

  cgroup_write (frozen->dir, "freezer.state", "THAWED");
  if (frozen->pidfd >= 0)
    {
      if (!spindle_test_poll_until (pidfd_ended_cond, GINT_TO_POINTER (frozen->pidfd), SPINDLE_TEST_GUARD_MS))
        g_test_message ("the frozen process %d did not end once thawed", (int) frozen->pid);
      close (frozen->pidfd);
      /* ours only if this test was its nearest subreaper */
      waitpid (frozen->pid, NULL, WNOHANG);
    }
  if (g_rmdir (frozen->dir) < 0)
    g_test_message ("cannot remove %s: %s", frozen->dir, g_strerror (errno));
  g_free (frozen->dir);
}

/* How many steps of @worker's report failed with @needle in their words. */
static guint
count_failed_steps (SpindleWorker *worker,
                    const char    *needle)
{
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (worker);
  guint n = 0;

  for (guint i = 0; report != NULL && i < spindle_cleanup_report_get_n_steps (report); i++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, i);

      n += step->outcome == SPINDLE_CLEANUP_OUTCOME_FAILED && strstr (step->label, needle) != NULL;
    }
  return n;
}

static gboolean
terminal_cond (gpointer data)
{
  return spindle_worker_is_terminal (data);
}

static gboolean
cgroup_removed_cond (gpointer data)
{
  return g_rmdir (data) == 0 || errno == ENOENT;
}

/* A descendant that cannot die within the kill's bound (5 s) is reported
 * once, "could not be reaped", and the cgroup it keeps is reported left,
 * with the one process still in it.
 */
static void
test_cgroup_unkillable_reported_once (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *script = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *unreaped = NULL;
  g_autofree char *left = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) pids = NULL;
  SpindleProcessInfo *info;
  SpindleWorker *worker;
  PidFile file;
  Forced forced;
  Frozen frozen;
  gboolean frozen_ok, ended, removed;
  guint n_unreaped = 0, n_left = 0, n_failed = 0;
  gint64 cancelled_at;

  if (spindle_test_skip_without_cgroup () || !frozen_init (&frozen))
    return;

  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "cgroup");
  spindle_test_pid_file_init (&file, 1);
  script = g_strdup_printf ("sleep @MARK@ & echo $! >> %s; wait", file.path);
  worker = spawn_forced (set, spindle_test_sh_argv (script, MARK), &forced);
  spindle_test_wait_until (spindle_test_pid_file_full, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);
  spindle_test_wait_until (spindle_test_is_sleep_cond, GINT_TO_POINTER (atoi (pids[0])),
                           SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_until (running_cond, worker, SPINDLE_TEST_GUARD_MS);
  info = spindle_process_info_get_for_worker (worker);
  spindle_process_info_update (info);
  g_assert_cmpint (spindle_process_info_get_pid (info), >, 0);
  dir = contained_dir (spindle_process_info_get_pid (info));

  /* from here to the thaw, nothing aborts the test */
  frozen_ok = frozen_freeze (&frozen, atoi (pids[0]));
  cancelled_at = g_get_monotonic_time ();
  if (frozen_ok)
    spindle_worker_force_cancel (worker);
  ended = frozen_ok && spindle_test_poll_until (terminal_cond, worker, SPINDLE_TEST_GUARD_MS);
  if (ended)
    {
      g_test_message ("the worker ended %.1f s after its force-cancel",
                      (g_get_monotonic_time () - cancelled_at) / (double) G_USEC_PER_SEC);
      unreaped = g_strdup_printf ("Descendant %s could not be reaped", pids[0]);
      left = g_strdup_printf ("Cgroup %s could not be removed", dir);
      n_unreaped = count_failed_steps (worker, "could not be reaped");
      n_left = count_failed_steps (worker, left);
      n_failed = spindle_cleanup_report_count (spindle_worker_get_cleanup_report (worker),
                                               SPINDLE_CLEANUP_OUTCOME_FAILED);
      text = spindle_test_report_text (worker);
      g_test_message ("the report:\n%s", text);
    }
  frozen_release (&frozen);
  /* the cgroup the helper could not remove, empty once its process died */
  removed = spindle_test_poll_until (cgroup_removed_cond, dir, SPINDLE_TEST_GUARD_MS);

  g_assert_true (frozen_ok);
  g_assert_true (ended);
  g_assert_cmpuint (n_unreaped, ==, 1);
  g_assert_cmpuint (count_failed_steps (worker, unreaped), ==, 1);
  g_assert_cmpuint (n_left, ==, 1);
  g_assert_cmpuint (n_failed, ==, 2);
  g_assert_nonnull (strstr (text, ": 1 process still in it after the kill"));
  g_assert_true (removed);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);

  spindle_test_pid_file_clear (&file);
  spindle_test_forced_clear (&forced);
}

/* A watched worker whose scope was refused: the report's step for its
 * cgroup names spindle-HOSTPID-HELPERPID, with "(a systemd scope was
 * refused: …)" after it, and yet its rows at the end are its two
 * processes, none made of that step.
 */
static void
test_scope_refused_rows (void)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *script = NULL;
  g_autofree char *step = NULL;
  g_auto(GStrv) pids = NULL;
  SpindleProcessInfo *info;
  SpindleWorker *worker;
  PidFile file;
  Forced forced;
  pid_t helper;
  char *runtime;

  if (spindle_test_skip_without_cgroup ())
    return;

  runtime = dead_manager_make ();
  set = spindle_test_set_new ();
  spindle_test_forced_init (&forced, "auto");
  spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", runtime);
  spindle_test_pid_file_init (&file, 2);
  script = g_strdup_printf ("echo $$ >> %1$s; sleep @MARK@ & echo $! >> %1$s; wait", file.path);
  worker = spawn_forced (set, spindle_test_sh_argv (script, MARK), &forced);
  spindle_test_wait_until (spindle_test_pid_file_full, &file, SPINDLE_TEST_GUARD_MS);
  pids = spindle_test_pid_file_read (&file);
  spindle_test_wait_until (spindle_test_is_sleep_cond, GINT_TO_POINTER (atoi (pids[1])),
                           SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_until (running_cond, worker, SPINDLE_TEST_GUARD_MS);
  helper = parent_of (atoi (pids[0]));

  /* watched: its rows stay at its end */
  info = spindle_process_info_get_for_worker (worker);
  spindle_process_info_update (info);
  g_assert_nonnull (spindle_test_find_process_row (worker, atoi (pids[1])));

  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);

  step = g_strdup_printf ("/spindle-%d-%d (a systemd scope was refused: ", (int) getpid (), (int) helper);
  spindle_test_assert_report_has (worker, step);
  spindle_test_collect_rows (worker, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      SpindleWorker *row = g_ptr_array_index (rows, i);

      g_test_message ("row %d (%s): %s", spindle_worker_get_tid (row), spindle_worker_get_name (row),
                      spindle_worker_get_phase (row));
      g_assert_cmpint (spindle_worker_get_tid (row), !=, helper);
      g_assert_cmpint (spindle_worker_get_state (row), ==, SPINDLE_WORKER_STATE_FINISHED);
    }
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_nonnull (spindle_test_find_process_row (worker, atoi (pids[0])));
  g_assert_nonnull (spindle_test_find_process_row (worker, atoi (pids[1])));
  spindle_test_assert_no_failed_step (worker);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);

  spindle_test_pid_file_clear (&file);
  spindle_test_forced_clear (&forced);
  dead_manager_free (runtime);
}

/* Set-up ********************************************************************/

int
main (int    argc,
      char **argv)
{
  spindle_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7419.%d", (int) getpid ());

  if (g_getenv (SPINDLE_REAPER_ENV) == NULL)
    {
      g_printerr ("SPINDLE_REAPER does not name the reaper helper of the build tree\n");
      return 77;
    }
  own_cgroup = spindle_test_own_cgroup (NULL);

  g_test_add_func ("/engine/process-cgroup/cgroup-force-kills-tree", test_cgroup_force_kills_tree);
  g_test_add_func ("/engine/process-cgroup/cgroup-kill-reaches-intruder", test_cgroup_kill_reaches_intruder);
  g_test_add_func ("/engine/process-cgroup/cgroup-kill-names-every-process", test_cgroup_kill_names_every_process);
  g_test_add_func ("/engine/process-cgroup/cgroup-kill-names-sub-cgroups", test_cgroup_kill_names_sub_cgroups);
  g_test_add_func ("/engine/process-cgroup/cgroup-removed-after-exit", test_cgroup_removed_after_exit);
  g_test_add_func ("/engine/process-cgroup/cgroup-exec-fails", test_cgroup_exec_fails);
  g_test_add_func ("/engine/process-cgroup/cgroup-cycles", test_cgroup_cycles);
  g_test_add_func ("/engine/process-cgroup/cgroup-host-gone", test_cgroup_host_gone);
  g_test_add_func ("/engine/process-cgroup/cgroup-helper-killed", test_cgroup_helper_killed);
  g_test_add_func ("/engine/process-cgroup/cgroup-host-kills-helper-stopped", test_cgroup_host_kills_helper_stopped);
  g_test_add_func ("/engine/process-cgroup/cgroup-kill-many-left-to-helper", test_cgroup_kill_many_left_to_helper);
  g_test_add_func ("/engine/process-cgroup/scope-refused-moves-paused-child", test_scope_refused_moves_paused_child);
  g_test_add_func ("/engine/process-cgroup/scope-refused-rows", test_scope_refused_rows);
  g_test_add_data_func ("/engine/process-cgroup/cgroup-entry-refused-cloned", &entry_refused_cloned,
                        test_cgroup_entry_refused);
  g_test_add_data_func ("/engine/process-cgroup/cgroup-entry-refused-paused", &entry_refused_paused,
                        test_cgroup_entry_refused);
  g_test_add_func ("/engine/process-cgroup/group-force-kills-tree", test_group_force_kills_tree);
  g_test_add_func ("/engine/process-cgroup/unknown-containment-is-auto", test_unknown_containment_is_auto);
  g_test_add_data_func ("/engine/process-cgroup/systemd-scope-bus", GINT_TO_POINTER (FALSE), test_systemd_scope);
  g_test_add_data_func ("/engine/process-cgroup/systemd-scope-private-socket", GINT_TO_POINTER (TRUE),
                        test_systemd_scope);
  g_test_add_func ("/engine/process-cgroup/systemd-absent", test_systemd_absent);
  g_test_add_func ("/engine/process-cgroup/systemd-helper-killed-paused", test_systemd_helper_killed_paused);
  g_test_add_func ("/engine/process-cgroup/cgroup-unkillable-reported-once", test_cgroup_unkillable_reported_once);

  return g_test_run ();
}
