/* spindle-reaper.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The helper that supervises one process worker, so that a kill leaves
 * nothing behind and says so.
 *
 *   spindle-reaper [--grace-ms N] [--cwd DIR] -- PROGRAM [ARGS…]
 *
 * Descriptors, set up by the host:
 *   0, 1, 2  the command's stdin, stdout and stderr (passed on as they are)
 *   3        orders from the host, one per line: "stop SIGNO", "kill";
 *            end of file means the host is gone: kill everything
 *   4        the report to the host, one record per line:
 *              started PID
 *              exec-failed ERRNO
 *              main PID exited CODE COMM | main PID signaled SIGNO COMM
 *              reaped PID exited CODE COMM | reaped PID signaled SIGNO COMM
 *              gone PID COMM          (ended; its own parent reaped it)
 *              unreaped PID STATE COMM
 *              done
 *
 * The reaper is a child subreaper: every descendant that loses its parent,
 * setsid() escapees included, becomes its child. Once the command has
 * ended, or on a kill, it walks its descendants in /proc, signals them and
 * reaps them, until it has no child left. It is single-threaded, so
 * fork() and exec() here are safe, and waitpid(-1) belongs to it alone.
 *
 * Not done yet: a transient systemd scope and cgroup.kill, which would
 * also catch a fork bomb that outruns the walk (no user session here).
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#define CONTROL_FD 3
#define REPORT_FD  4

/* How long a kill may take before what is left is reported unreaped. */
#define KILL_BOUND_MS 5000
/* How often a kill walks the tree again, for processes forked meanwhile. */
#define KILL_SWEEP_MS 10

typedef struct
{
  pid_t       main_pid;
  int         pidfd;
  gboolean    main_done;
  int         stop_signal;     /* sent to leftovers once the command ended */
  gboolean    swept;           /* leftovers were sent stop_signal */
  gboolean    killing;
  gint64      grace_deadline;  /* leftovers get SIGKILL then */
  gint64      kill_deadline;
  int         sigfd;
  GHashTable *known;           /* pid → comm of every descendant signalled */
  GString    *control;         /* a partial order line */
} Reaper;

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* The report *****************************************************************/

/* A write to a host that is gone fails with EPIPE (SIGPIPE is blocked). */
static void G_GNUC_PRINTF (1, 2)
report (const char *format,
        ...)
{
  g_autofree char *line = NULL;
  va_list args;
  gsize done = 0, len;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  len = strlen (line);
  while (done < len)
    {
      ssize_t n = write (REPORT_FD, line + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      done += n;
    }
}

/* A name the report can carry as the last field of a line. */
static char *
read_comm (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/comm", pid);
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("?");

  g_strchomp (contents);
  for (char *p = contents; *p != '\0'; p++)
    if (!g_ascii_isprint (*p))
      *p = '?';

  return contents[0] != '\0' ? g_steal_pointer (&contents) : g_strdup ("?");
}

static char
read_state (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return '?';

  /* the name may hold ')', the state follows the last one */
  paren = strrchr (contents, ')');
  return paren != NULL && paren[1] == ' ' ? paren[2] : '?';
}

static void
report_end (const char *what,
            pid_t       pid,
            int         code,
            int         status_kind,
            const char *comm)
{
  report ("%s %d %s %d %s\n", what, pid,
          status_kind == CLD_EXITED ? "exited" : "signaled", code, comm);
}

/* The tree *******************************************************************/

static void
walk_children (pid_t   pid,
               GArray *pids)
{
  g_autofree char *task_path = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr(GDir) tasks = g_dir_open (task_path, 0, NULL);
  const char *tid;

  while (tasks != NULL && (tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/children", task_path, tid);
      g_autofree char *contents = NULL;
      g_auto(GStrv) fields = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;

      fields = g_strsplit_set (g_strstrip (contents), " ", -1);
      for (guint i = 0; fields[i] != NULL; i++)
        {
          pid_t child = (pid_t) g_ascii_strtoll (fields[i], NULL, 10);

          if (child <= 0)
            continue;
          g_array_append_val (pids, child);
          walk_children (child, pids);
        }
    }
}

/* Every live descendant gets @signo, and is remembered for the report. */
static guint
signal_descendants (Reaper *self,
                    int     signo)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));

  walk_children (getpid (), pids);

  for (guint i = 0; i < pids->len; i++)
    {
      pid_t pid = g_array_index (pids, pid_t, i);

      if (!g_hash_table_contains (self->known, GINT_TO_POINTER (pid)))
        g_hash_table_insert (self->known, GINT_TO_POINTER (pid), read_comm (pid));
      kill (pid, signo);
    }

  return pids->len;
}

static void
start_killing (Reaper *self)
{
  if (self->killing)
    return;

  self->killing = TRUE;
  self->kill_deadline = now_ms () + KILL_BOUND_MS;

  /* named before the group's SIGKILL: a process that dies of it and is
   * reaped by its own dying parent would otherwise go unreported */
  signal_descendants (self, 0);
}

/* Once the command is reaped its group may be empty, and its number free
 * for another process to take: the walk alone reaches what is left.
 */
static void
signal_group (Reaper *self,
              int     signo)
{
  if (!self->main_done)
    kill (-self->main_pid, signo);
}

static void
kill_everything (Reaper *self)
{
  /* the group first: its members cannot fork past a SIGKILL */
  signal_group (self, SIGKILL);
  signal_descendants (self, SIGKILL);
}

/* Reaping ********************************************************************/

/* Reaps every child that has ended, naming each before it goes. Returns
 * FALSE once the reaper has no child at all.
 */
static gboolean
reap_ended (Reaper *self)
{
  for (;;)
    {
      siginfo_t info = { 0 };
      g_autofree char *comm = NULL;
      pid_t pid;

      if (waitid (P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
        return errno == EINTR ? TRUE : FALSE;
      if (info.si_pid == 0)
        return TRUE;

      pid = info.si_pid;
      comm = read_comm (pid);
      memset (&info, 0, sizeof info);
      if (waitid (P_PID, pid, &info, WEXITED) < 0)
        continue;

      g_hash_table_remove (self->known, GINT_TO_POINTER (pid));

      if (pid == self->main_pid)
        {
          report_end ("main", pid, info.si_status, info.si_code, comm);
          self->main_done = TRUE;
        }
      else
        report_end ("reaped", pid, info.si_status, info.si_code, comm);
    }
}

/* What was signalled but is no longer ours to reap ended under its own
 * parent; what is still there at the bound could not be reaped.
 */
static void
report_the_rest (Reaper *self)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GArray) left = g_array_new (FALSE, FALSE, sizeof (pid_t));

  walk_children (getpid (), left);
  for (guint i = 0; i < left->len; i++)
    {
      pid_t pid = g_array_index (left, pid_t, i);
      g_autofree char *comm = read_comm (pid);

      g_hash_table_remove (self->known, GINT_TO_POINTER (pid));
      report ("unreaped %d %c %s\n", pid, read_state (pid), comm);
    }

  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, &key, &value))
    report ("gone %d %s\n", GPOINTER_TO_INT (key), (const char *) value);
}

/* Orders *********************************************************************/

static void
obey (Reaper     *self,
      const char *order)
{
  int signo;

  if (g_str_equal (order, "kill"))
    start_killing (self);
  else if (sscanf (order, "stop %d", &signo) == 1 && signo > 0 && signo < NSIG)
    {
      self->stop_signal = signo;
      if (self->main_done)
        signal_descendants (self, signo);
      else
        signal_group (self, signo);
    }
  else
    fprintf (stderr, "spindle-reaper: unknown order “%s”\n", order);
}

/* Returns FALSE at end of file: the host is gone. */
static gboolean
read_orders (Reaper *self)
{
  char buf[256];
  ssize_t n = read (CONTROL_FD, buf, sizeof buf);
  char *newline;

  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    return FALSE;

  g_string_append_len (self->control, buf, n);
  while ((newline = strchr (self->control->str, '\n')) != NULL)
    {
      g_autofree char *order = g_strndup (self->control->str, newline - self->control->str);

      g_string_erase (self->control, 0, newline - self->control->str + 1);
      obey (self, order);
    }

  return TRUE;
}

/* Start-up *******************************************************************/

static void
reset_signals_for_exec (void)
{
  sigset_t none;
  struct sigaction dfl = { .sa_handler = SIG_DFL };

  for (int signo = 1; signo < NSIG; signo++)
    sigaction (signo, &dfl, NULL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

/* In the forked child: never returns. Tells the parent errno on failure. */
static void G_GNUC_NORETURN
exec_command (char       **argv,
              const char  *cwd,
              int          errfd)
{
  int saved;

  setpgid (0, 0);
  reset_signals_for_exec ();

  if (cwd == NULL || chdir (cwd) == 0)
    execvp (argv[0], argv);

  saved = errno;
  if (write (errfd, &saved, sizeof saved) < 0)
    _exit (126);
  _exit (127);
}

/* Returns the command's pid, or -1 with errno set if it could not start. */
static pid_t
start_command (char       **argv,
               const char  *cwd)
{
  int errpipe[2], child_errno = 0;
  pid_t pid;
  ssize_t n;

  if (pipe2 (errpipe, O_CLOEXEC) < 0)
    return -1;

  pid = fork ();
  if (pid < 0)
    {
      close (errpipe[0]);
      close (errpipe[1]);
      return -1;
    }
  if (pid == 0)
    exec_command (argv, cwd, errpipe[1]);

  /* both sides set the group: whichever runs first wins the race */
  setpgid (pid, pid);
  close (errpipe[1]);
  do
    n = read (errpipe[0], &child_errno, sizeof child_errno);
  while (n < 0 && errno == EINTR);
  close (errpipe[0]);

  if (n == sizeof child_errno)
    {
      waitpid (pid, NULL, 0);
      errno = child_errno;
      return -1;
    }

  return pid;
}

/* Signals arrive through a signalfd: SIGCHLD for reaping; SIGHUP (the
 * parent-death signal), SIGTERM and SIGINT mean "kill everything".
 * SIGPIPE stays blocked, so a write to a vanished host fails instead.
 */
static int
setup_signals (void)
{
  sigset_t mask;

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGHUP);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGPIPE);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  sigdelset (&mask, SIGPIPE);

  return signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Only descriptors 0 to 4 are the host's to give; the command inherits
 * 0 to 2 only.
 */
static void
setup_descriptors (void)
{
  if (syscall (SYS_close_range, 5U, ~0U, 0U) < 0)
    for (int fd = 5; fd < 1024; fd++)
      close (fd);

  fcntl (CONTROL_FD, F_SETFD, FD_CLOEXEC);
  fcntl (REPORT_FD, F_SETFD, FD_CLOEXEC);
  fcntl (CONTROL_FD, F_SETFL, fcntl (CONTROL_FD, F_GETFL) | O_NONBLOCK);
}

/* The loop *******************************************************************/

static void
handle_signals (Reaper *self)
{
  struct signalfd_siginfo info;

  while (read (self->sigfd, &info, sizeof info) == sizeof info)
    if (info.ssi_signo != SIGCHLD)
      start_killing (self);
}

/* Once the command has ended, what it left behind is asked to go, then
 * made to go after the grace.
 */
static void
handle_main_done (Reaper *self,
                  gint64  grace_ms)
{
  if (self->pidfd >= 0)
    {
      close (self->pidfd);
      self->pidfd = -1;
    }

  if (!self->swept && !self->killing)
    {
      self->swept = TRUE;
      self->grace_deadline = now_ms () + grace_ms;
      signal_descendants (self, self->stop_signal);
    }
}

static int
poll_timeout (Reaper *self)
{
  gint64 now = now_ms ();

  if (self->killing)
    return KILL_SWEEP_MS;
  if (self->swept)
    return (int) CLAMP (self->grace_deadline - now, 0, G_MAXINT);
  return -1;
}

static void
run (Reaper *self,
     gint64  grace_ms)
{
  gboolean host_here = TRUE;

  for (;;)
    {
      struct pollfd pfd[3] = {
        { self->sigfd, POLLIN, 0 },
        { host_here ? CONTROL_FD : -1, POLLIN, 0 },
        { self->pidfd, POLLIN, 0 },
      };
      gboolean has_children;

      if (self->killing)
        kill_everything (self);

      has_children = reap_ended (self);
      if (self->main_done)
        handle_main_done (self, grace_ms);
      if (!has_children)
        return;

      if (self->killing && now_ms () >= self->kill_deadline)
        return;
      if (self->swept && now_ms () >= self->grace_deadline)
        start_killing (self);

      if (poll (pfd, G_N_ELEMENTS (pfd), poll_timeout (self)) < 0 && errno != EINTR)
        start_killing (self);

      if (pfd[0].revents != 0)
        handle_signals (self);
      if (pfd[1].revents != 0 && !read_orders (self))
        {
          host_here = FALSE;
          start_killing (self);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  Reaper self = { .pidfd = -1, .stop_signal = SIGTERM };
  const char *cwd = NULL;
  gint64 grace_ms = 1000;
  int i;

  for (i = 1; i < argc && !g_str_equal (argv[i], "--"); i++)
    {
      if (g_str_equal (argv[i], "--cwd") && i + 1 < argc)
        cwd = argv[++i];
      else if (g_str_equal (argv[i], "--grace-ms") && i + 1 < argc)
        grace_ms = g_ascii_strtoll (argv[++i], NULL, 10);
      else
        break;
    }
  if (i + 1 >= argc || !g_str_equal (argv[i], "--"))
    {
      fprintf (stderr, "usage: spindle-reaper [--grace-ms N] [--cwd DIR] -- PROGRAM [ARGS…]\n");
      return 2;
    }

  setup_descriptors ();
  self.sigfd = setup_signals ();
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  prctl (PR_SET_PDEATHSIG, SIGHUP);
  self.known = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self.control = g_string_new (NULL);

  self.main_pid = start_command (argv + i + 1, cwd);
  if (self.main_pid < 0)
    {
      report ("exec-failed %d\n", errno);
      report ("done\n");
      return 0;
    }

  self.pidfd = (int) syscall (SYS_pidfd_open, self.main_pid, 0);
  report ("started %d\n", self.main_pid);

  /* the host died before the death signal was armed */
  if (getppid () == 1)
    start_killing (&self);

  run (&self, grace_ms);
  report_the_rest (&self);
  report ("done\n");

  g_hash_table_unref (self.known);
  g_string_free (self.control, TRUE);
  return 0;
}
