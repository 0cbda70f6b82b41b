/* spindle-reaper.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The helper that supervises one process worker, so that a kill leaves
 * nothing behind and says so.
 *
 *   spindle-reaper [--grace-ms N] [--cwd DIR]
 *                  [--cgroup-mount DIR [--cgroup-root PATH]] -- PROGRAM [ARGS…]
 *
 * --cgroup-mount names where the cgroup v2 hierarchy is mounted ("": none)
 * and --cgroup-root the cgroup it shows as its root ("/" unless given), as
 * the host found them in /proc/self/mountinfo, which the reaper then
 * need not read.
 *
 * Descriptors, set up by the host:
 *   0, 1, 2  the command's stdin, stdout and stderr (passed on as they are)
 *   3        orders from the host, one per line: "stop SIGNO", "kill",
 *            "kill named" (the host froze the command's cgroup, named
 *            its members and is writing cgroup.kill itself);
 *            end of file means the host is gone: kill everything
 *   4        the report to the host, one record per line:
 *              started PID
 *              exec-failed ERRNO      (the command could not exec)
 *              no-process ERRNO       (no process could be made for it)
 *              main PID exited CODE COMM | main PID signaled SIGNO COMM
 *              unexeced PID exited CODE COMM | unexeced PID signaled SIGNO COMM
 *                                     (the command ended before its exec;
 *                                     COMM: its program's file name)
 *              reaped PID exited CODE COMM | reaped PID signaled SIGNO COMM
 *              gone PID COMM          (ended; its own parent reaped it)
 *              unreaped PID STATE COMM
 *              done
 *
 * The reaper is a child subreaper: every descendant that loses its parent,
 * setsid() escapees included, becomes its child. Once the command has
 * ended, or on a kill, it walks its descendants in /proc, signals them and
 * reaps them, until it has no child left. It is single-threaded, so
 * waitpid(-1) belongs to it alone.
 *
 * One is started for every process worker, so its start-up is on the
 * path of every spawn: it links the C library only (GLib alone doubled
 * the cost of its exec here). On a kill it walks the tree (where no
 * cgroup holds it) once, not once per child that dies; it walks again
 * only on a timer, for what was forked while it walked.
 *
 * Containment. A process group and the subreaper catch every descendant
 * while the reaper lives, but a setsid() escapee outlives a reaper that
 * is SIGKILLed, and a fork bomb can outrun the walk. So the command is
 * put in a cgroup of its own where one can be had, chosen in this order
 * (SPINDLE_PROCESS_CONTAINMENT=auto|systemd|cgroup|group forces one;
 * a forced one that cannot be had falls back to the group):
 *   systemd  a transient scope of the systemd user manager
 *            ("spindle-HOSTPID-PID.scope", Delegate=yes), where one runs;
 *   cgroup   a child of the reaper's own cgroup v2, where that is
 *            writable and has cgroup.kill (Linux 5.14);
 *   group    the process group and the subreaper alone.
 * The command enters its cgroup before it execs, so nothing it runs is
 * ever outside it. A kill then writes cgroup.kill instead of walking the
 * tree (it walks only if something outlives that), and the end waits for
 * the cgroup to empty (cgroup.events) and removes it (a scope is the
 * manager's to remove). The report says which containment was used and
 * why not a better one:
 *              contained cgroup PATH[\tWHY]   (WHY: a systemd scope refused)
 *              contained scope UNIT PATH
 *              contained group WHY
 *              cgroup-removed PATH    (emptied and removed)
 *              cgroup-emptied PATH    (a scope: emptied, the manager removes it)
 *              cgroup-left N PATH     (N processes still in it at the bound)
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spindle-reaper-private.h"

long long
reaper_now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The report *****************************************************************/

/* Records wait in a buffer until the reaper is about to wait itself (or
 * exits): a command's end reaches the host before the reaper sleeps. A
 * kill's records wait for its end, so the host, which can do nothing with
 * part of a kill's report, wakes once for all of it.
 */
static char   report_buf[16384];
static size_t report_len;

/* A write to a host that is gone fails with EPIPE (SIGPIPE is blocked). */
static void
flush_report (void)
{
  size_t done = 0;

  while (done < report_len)
    {
      ssize_t written = write (REPORT_FD, report_buf + done, report_len - done);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        break;
      done += written;
    }
  report_len = 0;
}

/* Formatted straight into the buffer: no line-sized copy on the stack. */
void
report (const char *format,
        ...)
{
  for (;;)
    {
      size_t room = sizeof report_buf - report_len;
      va_list args;
      int n;

      va_start (args, format);
      n = vsnprintf (report_buf + report_len, room, format, args);
      va_end (args);
      if (n < 0)
        return;
      if ((size_t) n < room)
        {
          report_len += n;
          return;
        }
      if (report_len == 0)
        break;
      flush_report ();
    }

  /* longer than the whole buffer (no record is): cut, a line still */
  report_buf[sizeof report_buf - 1] = '\n';
  report_len = sizeof report_buf;
}

/* Reads a small /proc file whole; returns its length, or -1. */
ssize_t
read_file (const char *path,
           char       *buf,
           size_t      size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  size_t len = 0;

  if (fd < 0)
    return -1;

  while (len + 1 < size)
    {
      ssize_t n = read (fd, buf + len, size - 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += n;
    }

  close (fd);
  buf[len] = '\0';
  return (ssize_t) len;
}

/* Calls @take with each line of the file at @path, its newline cut, until
 * @take returns true; returns whether it did. The file is read through a
 * buffer of a page on the stack: no allocation, however long the file
 * (/proc/self/mountinfo is long in a container). A line longer than the
 * buffer names nothing the reaper could use: it is skipped.
 */
bool
for_each_line (const char  *path,
               LineFunc     take,
               void        *data)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  char buf[4096];
  size_t len = 0;
  bool skipping = false, taken = false;

  if (fd < 0)
    return false;

  while (!taken)
    {
      ssize_t n = read (fd, buf + len, sizeof buf - 1 - len);
      char *line = buf, *newline;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;

      len += n;
      while (!taken && (newline = memchr (line, '\n', buf + len - line)) != NULL)
        {
          *newline = '\0';
          taken = !skipping && take (line, data);
          skipping = false;
          line = newline + 1;
        }
      len -= line - buf;
      memmove (buf, line, len);
      if (len == sizeof buf - 1)
        {
          skipping = true;
          len = 0;
        }
    }

  if (!taken && !skipping && len > 0)
    {
      buf[len] = '\0';
      taken = take (buf, data);
    }
  close (fd);
  return taken;
}

/* A name the report can carry as the last field of a line. */
static void
clean_comm (char *comm)
{
  for (char *p = comm; *p != '\0'; p++)
    if (*p <= ' ' || *p > '~')
      *p = '?';
}

static void
read_comm (pid_t  pid,
           char  *comm)
{
  char path[64];
  ssize_t len;

  snprintf (path, sizeof path, "/proc/%d/comm", (int) pid);
  len = read_file (path, comm, COMM_SIZE);
  while (len > 0 && (comm[len - 1] == '\n' || comm[len - 1] == ' '))
    comm[--len] = '\0';
  if (len <= 0)
    strcpy (comm, "?");
  else
    clean_comm (comm);
}

static char
read_state (pid_t pid)
{
  char path[64], stat[512];
  const char *paren;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (read_file (path, stat, sizeof stat) <= 0)
    return '?';

  /* the name may hold ')', the state follows the last one */
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' ? paren[2] : '?';
}

static void
report_end (const char *what,
            pid_t       pid,
            int         code,
            int         status_kind,
            const char *comm)
{
  report ("%s %d %s %d %s\n", what, (int) pid,
          status_kind == CLD_EXITED ? "exited" : "signaled", code, comm);
}

/* The tree *******************************************************************/

/* Appends the pids a file lists (a task's children, a cgroup's
 * cgroup.procs); there may be thousands, so the file is read whole,
 * however long. */
static void
add_listed_pids (const char *path,
                 PidList    *pids)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  size_t len = 0, size = 4096;
  char *text, *p, *end;
  ssize_t n;

  if (fd < 0)
    return;

  text = xrealloc (NULL, size);
  while ((n = read (fd, text + len, size - 1 - len)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      len += n;
      if (len + 1 == size)
        text = xrealloc (text, size *= 2);
    }
  close (fd);
  text[len] = '\0';

  for (p = text; *p != '\0'; p = end)
    {
      long child = strtol (p, &end, 10);

      if (end == p)
        break;
      if (child > 0)
        pid_list_add (pids, (pid_t) child);
    }
  free (text);
}

static void
add_children (pid_t    pid,
              PidList *pids)
{
  char dir_path[64], path[64 + sizeof ((struct dirent *) NULL)->d_name + 16];
  struct dirent *entry;
  DIR *tasks;

  snprintf (dir_path, sizeof dir_path, "/proc/%d/task", (int) pid);
  tasks = opendir (dir_path);
  if (tasks == NULL)
    return;

  while ((entry = readdir (tasks)) != NULL)
    {
      if (entry->d_name[0] == '.')
        continue;
      snprintf (path, sizeof path, "%s/%s/children", dir_path, entry->d_name);
      add_listed_pids (path, pids);
    }

  closedir (tasks);
}

/* Every live descendant, parents before their children. */
static void
walk_descendants (PidList *pids)
{
  add_children (getpid (), pids);
  for (size_t i = 0; i < pids->len; i++)
    add_children (pids->pids[i], pids);
}

/* Every descendant is named now, while it is there to be named. */
static void
name_descendants (Reaper  *self,
                  PidList *pids)
{
  walk_descendants (pids);
  for (size_t i = 0; i < pids->len; i++)
    if (known_lookup (&self->known, pids->pids[i]) == NULL)
      read_comm (pids->pids[i], known_add (&self->known, pids->pids[i])->comm);
}

/* Every live descendant gets @signo, and is remembered for the report. */
static void
signal_descendants (Reaper *self,
                    int     signo)
{
  PidList pids = { 0 };

  name_descendants (self, &pids);
  for (size_t i = 0; i < pids.len; i++)
    kill (pids.pids[i], signo);
  free (pids.pids);
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

/* Without a cgroup, the group is stopped first, so that none of it forks,
 * exits or reaps a child of its own while the walk names everyone: a
 * process that dies of the SIGKILL and is reaped by its own dying parent
 * is still named. Then the group and everything walked get SIGKILL.
 */
static void
kill_walked (Reaper *self)
{
  signal_group (self, SIGSTOP);
  signal_descendants (self, SIGKILL);
  signal_group (self, SIGKILL);
}

/* In a cgroup no walk is needed: cgroup.kill reaches every process in it
 * at once, forks racing with it included. The cgroup is frozen first and
 * its members named from cgroup.procs, its own and its sub-cgroups', for
 * those a dying parent may still reap (a parent woken in wait() reaps a
 * dead child before it sees its own SIGKILL); whatever is forked after
 * that read is frozen at birth, cannot be reaped by its frozen parent, and
 * comes to the reaper as a zombie, which is named before it is reaped.
 */
#define MAX_CGROUP_DEPTH 16

/* The members of the cgroup at @dir and of the cgroups below it: the
 * command may make cgroups of its own in its cgroup (it is delegated), and
 * cgroup.procs lists a cgroup's own members only.
 */
static void
add_cgroup_members (const char *dir,
                    int         depth,
                    PidList    *pids)
{
  char path[PATH_MAX];
  struct dirent *entry;
  DIR *children;

  if (snprintf (path, sizeof path, "%s/cgroup.procs", dir) >= (int) sizeof path)
    return;
  add_listed_pids (path, pids);

  if (depth >= MAX_CGROUP_DEPTH || (children = opendir (dir)) == NULL)
    return;
  while ((entry = readdir (children)) != NULL)
    if (entry->d_type == DT_DIR && entry->d_name[0] != '.' &&
        snprintf (path, sizeof path, "%s/%s", dir, entry->d_name) < (int) sizeof path)
      add_cgroup_members (path, depth + 1, pids);
  closedir (children);
}

static void
kill_contained (Reaper *self)
{
  PidList pids = { 0 };

  cgroup_freeze (&self->contain);
  add_cgroup_members (self->contain.path, 0, &pids);
  for (size_t i = 0; i < pids.len; i++)
    if (known_lookup (&self->known, pids.pids[i]) == NULL)
      read_comm (pids.pids[i], known_add (&self->known, pids.pids[i])->comm);
  free (pids.pids);
  cgroup_kill (&self->contain);
}

/* The first sweep of a contained command is the cgroup's alone; a later
 * one (something outlived it: moved out of the cgroup, say) walks too.
 * Where the host has frozen the cgroup and named its members ("kill
 * named"), the first sweep only writes cgroup.kill: naming them again
 * would take the processor from the processes it lets die, on the path
 * of every force-kill, and learn nothing the host's names do not give.
 */
static void
kill_sweep (Reaper *self)
{
  bool first_contained = self->contain.kind != CONTAIN_GROUP && self->n_sweeps == 0;

  if (first_contained && self->host_named)
    cgroup_kill (&self->contain);
  else if (first_contained)
    kill_contained (self);
  else
    {
      cgroup_freeze (&self->contain);
      kill_walked (self);
      cgroup_kill (&self->contain);
    }
  self->n_sweeps++;
  self->next_sweep = reaper_now_ms () + KILL_SWEEP_MS;
}

static void
start_killing (Reaper *self)
{
  if (self->killing)
    return;

  self->killing = true;
  self->kill_deadline = reaper_now_ms () + KILL_BOUND_MS;
  kill_sweep (self);
}

/* Reaping ********************************************************************/

/* The command's process takes its program's name at its exec; until
 * then it has the reaper's own, which a clone copies. One that ended
 * still so named ended before its exec (killed while paused for a scope,
 * say): it is reported under the name its exec would have given it, the
 * file name of its program, cut as the kernel cuts it. A program named
 * as the reaper is taken as executed: the two cannot be told apart.
 */
static void
program_comm (const char *program,
              char       *comm)
{
  const char *slash = strrchr (program, '/');

  snprintf (comm, COMM_MAX + 1, "%s", slash != NULL ? slash + 1 : program);
  clean_comm (comm);
}

static void
report_main_end (Reaper          *self,
                 const siginfo_t *info,
                 const char      *comm)
{
  char own[COMM_SIZE] = "", program[COMM_SIZE];
  bool unexeced;

  prctl (PR_GET_NAME, own);
  clean_comm (own);
  program_comm (self->program, program);
  unexeced = strcmp (comm, own) == 0 && strcmp (program, own) != 0 && program[0] != '\0';

  report_end (unexeced ? "unexeced" : "main", info->si_pid, info->si_status, info->si_code,
              unexeced ? program : comm);
  self->main_done = true;
}

/* Reaps every child that has ended, naming each before it goes. Returns
 * false once the reaper has no child at all.
 */
static bool
reap_ended (Reaper *self)
{
  for (;;)
    {
      siginfo_t info = { 0 };
      char comm[COMM_SIZE];
      Known *known;
      pid_t pid;

      if (waitid (P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
        return errno == EINTR;
      if (info.si_pid == 0)
        return true;

      /* a process named by a kill's walk cannot have changed its name
       * since, but for the command: the walk may have met it within its
       * exec, its new name not given yet */
      pid = info.si_pid;
      known = known_lookup (&self->known, pid);
      if (known != NULL && self->killing && pid != self->main_pid)
        memcpy (comm, known->comm, sizeof comm);
      else
        read_comm (pid, comm);

      memset (&info, 0, sizeof info);
      if (waitid (P_PID, pid, &info, WEXITED) < 0)
        continue;

      known_remove (&self->known, pid);
      if (pid == self->main_pid)
        report_main_end (self, &info, comm);
      else
        report_end ("reaped", pid, info.si_status, info.si_code, comm);
    }
}

/* What was signalled but is no longer ours to reap ended under its own
 * parent; what is still there at the bound could not be reaped.
 */
static void
report_the_rest (Reaper  *self,
                 bool     has_children,
                 PidList *left)
{
  if (has_children)
    walk_descendants (left);

  for (size_t i = 0; i < left->len; i++)
    {
      pid_t pid = left->pids[i];
      char comm[COMM_SIZE];

      read_comm (pid, comm);
      known_remove (&self->known, pid);
      report ("unreaped %d %c %s\n", (int) pid, read_state (pid), comm);
    }

  for (size_t i = 0; i < self->known.size; i++)
    if (self->known.slots[i].pid != 0)
      report ("gone %d %s\n", (int) self->known.slots[i].pid, self->known.slots[i].comm);
}

/* What is in the cgroup once the reaper has no child left did not descend
 * from the command through the reaper (moved in from outside): it gets
 * cgroup.kill too, and what is still there at the bound is reported,
 * once, with what the walk already found (@reported, which it joins).
 * Returns how many processes the cgroup and those below it still hold,
 * reported before or not.
 */
static size_t
report_cgroup_survivors (Containment *contain,
                         PidList     *reported)
{
  PidList in_it = { 0 };
  size_t n;

  add_cgroup_members (contain->path, 0, &in_it);
  for (size_t i = 0; i < in_it.len; i++)
    {
      pid_t pid = in_it.pids[i];
      bool known = false;
      char comm[COMM_SIZE];

      for (size_t j = 0; j < reported->len && !known; j++)
        known = reported->pids[j] == pid;
      if (known)
        continue;
      read_comm (pid, comm);
      report ("unreaped %d %c %s\n", (int) pid, read_state (pid), comm);
      pid_list_add (reported, pid);
    }

  n = in_it.len;
  free (in_it.pids);
  return n;
}

static void
release_containment (Reaper  *self,
                     PidList *reported)
{
  Containment *contain = &self->contain;
  long long deadline;
  bool removed;

  if (contain->kind == CONTAIN_GROUP)
    return;

  /* the common end, empty and removed at once, reads no clock (see
   * timers_due ()); a deadline of 0 gives up at the first refusal */
  removed = !cgroup_is_populated (contain) && cgroup_remove (contain, 0);
  if (!removed)
    {
      deadline = reaper_now_ms () + EMPTY_BOUND_MS;
      if (!cgroup_wait_empty (contain, deadline))
        cgroup_kill (contain);
      removed = cgroup_remove (contain, deadline);
    }

  if (removed)
    report ("%s %s\n", contain->kind == CONTAIN_CGROUP ? "cgroup-removed" : "cgroup-emptied", contain->path);
  else
    {
      size_t left = report_cgroup_survivors (contain, reported);

      report ("cgroup-left %zu %s\n", left, contain->path);
    }
  cgroup_close (contain);
}

/* Orders *********************************************************************/

/* "stop SIGNO": whether @order is one, and its signal. */
static bool
parse_stop (const char *order,
            int        *signo)
{
  char *end;
  long number;

  if (strncmp (order, "stop ", 5) != 0)
    return false;
  number = strtol (order + 5, &end, 10);
  if (end == order + 5 || number <= 0 || number >= NSIG)
    return false;
  *signo = (int) number;
  return true;
}

static void
obey (Reaper     *self,
      const char *order)
{
  int signo;

  if (strcmp (order, "kill") == 0)
    start_killing (self);
  else if (strcmp (order, "kill named") == 0)
    {
      self->host_named = !self->killing;
      start_killing (self);
    }
  else if (parse_stop (order, &signo))
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

/* Returns false at end of file: the host is gone. */
static bool
read_orders (Reaper *self)
{
  ssize_t n = read (CONTROL_FD, self->control + self->control_len,
                    sizeof self->control - 1 - self->control_len);
  char *newline;

  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    return false;

  self->control_len += n;
  self->control[self->control_len] = '\0';
  while ((newline = strchr (self->control, '\n')) != NULL)
    {
      size_t used = newline - self->control + 1;

      *newline = '\0';
      obey (self, self->control);
      memmove (self->control, self->control + used, self->control_len - used + 1);
      self->control_len -= used;
    }

  /* a line longer than any order: not one */
  if (self->control_len == sizeof self->control - 1)
    self->control_len = 0;

  return true;
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
handle_main_done (Reaper    *self,
                  long long  grace_ms,
                  bool       has_children)
{
  if (self->pidfd >= 0)
    {
      close (self->pidfd);
      self->pidfd = -1;
    }

  /* nothing left behind: no walk */
  if (has_children && !self->swept && !self->killing)
    {
      self->swept = true;
      self->grace_deadline = reaper_now_ms () + grace_ms;
      signal_descendants (self, self->stop_signal);
    }
}

static int
poll_timeout (Reaper *self)
{
  long long deadline, now;

  if (self->killing)
    deadline = self->next_sweep < self->kill_deadline ? self->next_sweep : self->kill_deadline;
  else if (self->swept)
    deadline = self->grace_deadline;
  else
    return -1;

  now = reaper_now_ms ();
  return deadline > now ? (int) (deadline - now) : 0;
}

static void
wait_for_events (Reaper *self,
                 bool   *host_here)
{
  struct pollfd pfd[3] = {
    { self->sigfd, POLLIN, 0 },
    { *host_here ? CONTROL_FD : -1, POLLIN, 0 },
    { self->pidfd, POLLIN, 0 },
  };

  if (!self->killing)
    flush_report ();
  if (poll (pfd, N_ELEMENTS (pfd), poll_timeout (self)) < 0 && errno != EINTR)
    start_killing (self);

  if (pfd[0].revents != 0)
    handle_signals (self);
  if (pfd[1].revents != 0 && !read_orders (self))
    {
      *host_here = false;
      start_killing (self);
    }
}

/* The timers of a kill or a grace: false once the kill's bound ran out.
 * Only they read the clock: a worker stopped with nothing left behind
 * never does, and its first read faults in the vDSO's two pages, as
 * dear here as a dozen system calls.
 */
static bool
timers_due (Reaper *self)
{
  long long now;

  if (!self->killing && !self->swept)
    return true;

  now = reaper_now_ms ();
  if (self->killing && now >= self->kill_deadline)
    return false;
  if (self->killing && now >= self->next_sweep)
    kill_sweep (self);
  if (self->swept && now >= self->grace_deadline)
    start_killing (self);
  return true;
}

/* Returns whether children are left: the kill's bound ran out. A wake-up
 * (a child ended, an order came) reaps and goes back to waiting; only the
 * timers walk the tree again.
 */
static bool
run (Reaper    *self,
     long long  grace_ms)
{
  bool host_here = true;

  for (;;)
    {
      bool has_children = reap_ended (self);

      if (self->main_done)
        handle_main_done (self, grace_ms, has_children);
      if (!has_children)
        return false;
      if (!timers_due (self))
        return true;

      wait_for_events (self, &host_here);
    }
}

int
main (int    argc,
      char **argv)
{
  Reaper self = { .pidfd = -1, .stop_signal = SIGTERM, .contain = CONTAINMENT_INIT };
  char why[WHY_SIZE] = "";
  PidList reported = { 0 };
  const char *cwd = NULL, *cgroup_mount = NULL, *cgroup_root = "/";
  long long grace_ms = 1000;
  bool left;
  int i, exec_error = 0;

  for (i = 1; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (strcmp (argv[i], "--cwd") == 0 && i + 1 < argc)
        cwd = argv[++i];
      else if (strcmp (argv[i], "--grace-ms") == 0 && i + 1 < argc)
        grace_ms = strtoll (argv[++i], NULL, 10);
      else if (strcmp (argv[i], "--cgroup-mount") == 0 && i + 1 < argc)
        cgroup_mount = argv[++i];
      else if (strcmp (argv[i], "--cgroup-root") == 0 && i + 1 < argc)
        cgroup_root = argv[++i];
      else
        break;
    }
  if (i + 1 >= argc || strcmp (argv[i], "--") != 0)
    {
      fprintf (stderr, "usage: spindle-reaper [--grace-ms N] [--cwd DIR] "
                       "[--cgroup-mount DIR [--cgroup-root PATH]] -- PROGRAM [ARGS…]\n");
      return 2;
    }
  if (cgroup_mount != NULL)
    cgroup_set_mount (cgroup_mount, cgroup_root);

  setup_descriptors ();
  reset_ignored ();
  self.sigfd = setup_signals ();
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  prctl (PR_SET_PDEATHSIG, SIGHUP);

  self.program = argv[i + 1];
  self.main_pid = start_command (&self, argv + i + 1, cwd, why, &exec_error);
  if (self.main_pid < 0)
    {
      if (exec_error != 0)
        report ("exec-failed %d\n", exec_error);
      else
        report ("no-process %d\n", errno);
      report ("done\n");
      flush_report ();
      cgroup_discard (&self.contain);
      return 0;
    }

  /* The command has its stdin, and no start is tried again: the reaper's
   * copy goes, or a command that leaves its input unread would have the
   * host's writes fill the pipe, never meet EPIPE, for as long as the
   * reaper lives. */
  close (STDIN_FILENO);

  self.pidfd = (int) syscall (SYS_pidfd_open, self.main_pid, 0);
  report ("started %d\n", (int) self.main_pid);
  report_containment (&self, why);

  /* the host died before the death signal was armed */
  if (getppid () == 1)
    start_killing (&self);

  left = run (&self, grace_ms);
  report_the_rest (&self, left, &reported);
  release_containment (&self, &reported);
  report ("done\n");
  flush_report ();

  free (reported.pids);
  free (self.known.slots);
  return 0;
}
