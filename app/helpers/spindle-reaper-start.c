/* spindle-reaper-start.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spindle-reaper-private.h"

/* The reaper's start-up: its descriptors and signals, and the command
 * started in the best containment it can have (see spindle-reaper.c).
 */

/* The signals the reaper was started with ignored (the engine leaves
 * them as they were in the host) go back to their default: an exec
 * keeps an ignored disposition, and the command must not inherit one.
 * One read of SigIgn in /proc/self/status rather than a sigaction() for
 * each of the 64 signals: a system call costs 1.5 µs in a virtual machine
 * here, and this runs once for every process worker. Unknown: all of
 * them are reset.
 */
static bool
take_sig_ign (char *line,
              void *data)
{
  unsigned long long *mask = data;

  if (strncmp (line, "SigIgn:", 7) != 0)
    return false;
  *mask = strtoull (line + 7, NULL, 16);
  return true;
}

void
reset_ignored (void)
{
  unsigned long long mask = ~0ULL;

  for_each_line ("/proc/self/status", take_sig_ign, &mask);

  for (int signo = 1; signo <= 64 && signo < NSIG; signo++)
    if (mask & (1ULL << (signo - 1)))
      signal (signo, SIG_DFL);
}

/* The command is started as posix_spawn() starts one, in the reaper's
 * memory (CLONE_VM) while the reaper waits for its exec (CLONE_VFORK):
 * a fork() would copy the reaper's page tables and then fault in a copy
 * of every page either process writes before the exec, a cost that
 * dominated the start here. posix_spawn() itself cannot be used: it
 * cannot place the command in a cgroup, which must hold it before it
 * execs, and glibc's leaves its two internal signals ignored in the
 * child, which the exec keeps, after a sigaction() for each signal.
 * The command enters its cgroup itself, by writing "0" to the cgroup's
 * cgroup.procs before it execs (clone3()'s CLONE_INTO_CGROUP would need
 * a fork, or a stack switch in assembly, and is refused by some seccomp
 * filters). A child for a systemd scope is forked, paused until the
 * manager has placed it; its exec's error comes back through a
 * close-on-exec pipe.
 */
typedef struct
{
  char       **argv;
  const char  *cwd;
  int          procs_fd;       /* cloned: the cgroup.procs to enter, or -1 */
  int          error;          /* cloned: why its exec failed, or 0 */
  int          move_error;     /* cloned: why it could not enter the cgroup */
  int          go[2];          /* forked: a paused child execs on a byte here */
  int          err[2];         /* forked: the exec's errno; end of file: it ran */
} Launch;

#define LAUNCH_INIT(argv, cwd) { (argv), (cwd), -1, 0, 0, { -1, -1 }, { -1, -1 } }

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* No signal blocked, as for posix_spawn(), and every disposition at its
 * default already: no handler can run in a child that shares the
 * reaper's memory. */
static void
unblock_signals (void)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

/* In the cloned child, on the reaper's memory: system calls only (no
 * allocation, no lock), until the exec; what went wrong is written to
 * @launch, which the reaper reads once the child has gone. errno is the
 * reaper's own (the child runs on its thread's control block), which
 * waits meanwhile. */
static int __attribute__ ((no_sanitize_address))
child_cloned (void *data)
{
  Launch *launch = data;

  setpgid (0, 0);
  if (launch->procs_fd >= 0 && write (launch->procs_fd, "0", 1) != 1)
    {
      launch->move_error = errno != 0 ? errno : EIO;
      _exit (127);
    }

  unblock_signals ();
  if (launch->cwd == NULL || chdir (launch->cwd) == 0)
    execvp (launch->argv[0], launch->argv);
  launch->error = errno;
  _exit (127);
}

/* The child's stack is a part of the reaper's own, below the caller's
 * frame: pages touched already, nothing to map or unmap. Its size is
 * posix_spawn()'s: 32 KiB, and room for execvp() to copy the argument
 * vector (for a script, which it runs with /bin/sh). */
static size_t
child_stack_size (char **argv)
{
  size_t argc = 0;

  while (argv[argc] != NULL)
    argc++;
  return 32 * 1024 + (argc + 3) * sizeof (char *);
}

/* Starts the command, in @procs_fd's cgroup unless that is -1. Returns
 * its pid, or -1 with errno set: with launch->error set if the exec
 * failed, else if the child could not be made or enter the cgroup (it
 * is reaped).
 */
static pid_t
launch_clone (Launch *launch,
              int     procs_fd)
{
  char stack[child_stack_size (launch->argv)] __attribute__ ((aligned (16)));
  pid_t pid;

  launch->procs_fd = procs_fd;
  launch->error = 0;
  launch->move_error = 0;
  pid = clone (child_cloned, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, launch);
  if (pid < 0)
    return -1;
  if (launch->error == 0 && launch->move_error == 0)
    return pid;

  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  errno = launch->error != 0 ? launch->error : launch->move_error;
  return -1;
}

/* In the forked child: only system calls, until the exec. The reaper's
 * ends of the two pipes are closed first: a reaper that dies (SIGKILLed
 * while the manager places the child) then closes the last writer of the
 * go-ahead, and the child exits on its end of file instead of waiting for
 * ever, holding the report's descriptor, which the host reads to its end.
 */
static void __attribute__ ((noreturn))
child_paused (Launch *launch)
{
  int error;
  char go;

  close (launch->go[1]);
  close (launch->err[0]);
  setpgid (0, 0);
  if (read (launch->go[0], &go, 1) != 1)
    _exit (127);

  unblock_signals ();
  if (launch->cwd == NULL || chdir (launch->cwd) == 0)
    execvp (launch->argv[0], launch->argv);

  error = errno;
  (void) !write (launch->err[1], &error, sizeof error);
  _exit (127);
}

/* Forks the command paused until launch_go(), for the manager to place.
 * Returns its pid, or -1 with errno set (and no pipe left open). */
static pid_t
launch_paused (Launch *launch)
{
  pid_t pid = -1;
  int error;

  if (pipe2 (launch->err, O_CLOEXEC) == 0 && pipe2 (launch->go, O_CLOEXEC) == 0)
    pid = fork ();
  if (pid == 0)
    child_paused (launch);
  if (pid > 0)
    {
      close_fd (&launch->go[0]);
      return pid;
    }

  error = errno;
  for (size_t i = 0; i < 2; i++)
    {
      close_fd (&launch->go[i]);
      close_fd (&launch->err[i]);
    }
  errno = error;
  return -1;
}

/* Lets a paused child exec, and waits for the exec. Returns @pid, or -1
 * with errno set (and launch->error) if the command could not start
 * (the child is reaped).
 */
static pid_t
launch_go (Launch *launch,
           pid_t   pid)
{
  int error = 0;
  ssize_t n;

  (void) !write (launch->go[1], "g", 1);
  close_fd (&launch->go[1]);
  close_fd (&launch->err[1]);

  do
    n = read (launch->err[0], &error, sizeof error);
  while (n < 0 && errno == EINTR);
  close_fd (&launch->err[0]);
  if (n != sizeof error)
    return pid;

  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  launch->error = error;
  errno = error;
  return -1;
}

typedef enum
{
  MODE_AUTO,
  MODE_SYSTEMD,
  MODE_CGROUP,
  MODE_GROUP,
} Mode;

static Mode
containment_mode (void)
{
  const char *mode = getenv (CONTAINMENT_ENV);

  if (mode == NULL || mode[0] == '\0' || strcmp (mode, "auto") == 0)
    return MODE_AUTO;
  if (strcmp (mode, "systemd") == 0)
    return MODE_SYSTEMD;
  if (strcmp (mode, "cgroup") == 0)
    return MODE_CGROUP;
  if (strcmp (mode, "group") == 0)
    return MODE_GROUP;

  fprintf (stderr, "spindle-reaper: %s=%s is none of auto, systemd, cgroup, group: auto\n",
           CONTAINMENT_ENV, mode);
  return MODE_AUTO;
}

/* Why a containment could not be had, each reason after the last. */
static void
add_why (char       *why,
         const char *reason)
{
  size_t len = strlen (why);

  snprintf (why + len, WHY_SIZE - len, "%s%s", len > 0 ? "; " : "", reason);
}

/* The scope takes a paused child: its pid must be known to the manager. */
static bool
try_scope (Reaper *self,
           Launch *launch,
           pid_t  *pid,
           char   *why)
{
  Containment *contain = &self->contain;
  char reason[WHY_SIZE] = "";

  if (*pid < 0 && (*pid = launch_paused (launch)) < 0)
    return false;

  snprintf (contain->unit, sizeof contain->unit, "spindle-%d-%d.scope", (int) getppid (), (int) getpid ());
  if (!systemd_start_scope (contain->unit, *pid, reaper_now_ms () + SCOPE_BOUND_MS, reason) ||
      !cgroup_dir_of (*pid, contain->path, sizeof contain->path, reason))
    {
      add_why (why, reason);
      return false;
    }

  contain->kind = CONTAIN_SCOPE;
  if (!cgroup_open (contain, reason))
    {
      add_why (why, reason);
      cgroup_close (contain);
      contain->kind = CONTAIN_GROUP;
      return false;
    }
  return true;
}

static bool
try_cgroup (Reaper *self,
            Launch *launch,
            pid_t  *pid,
            char   *why)
{
  Containment *contain = &self->contain;
  char parent[sizeof contain->path], name[64], reason[WHY_SIZE] = "", shown[SHOWN_PATH_SIZE];

  snprintf (name, sizeof name, "spindle-%d-%d", (int) getppid (), (int) getpid ());
  if (!cgroup_own_dir (parent, sizeof parent, reason) ||
      !cgroup_create (contain, parent, name, reason))
    {
      add_why (why, reason);
      return false;
    }

  /* a child paused for a scope that could not be had is moved in */
  if (*pid >= 0)
    {
      if (cgroup_move (contain, *pid, reason))
        return true;
    }
  else
    {
      *pid = launch_clone (launch, contain->procs_fd);
      if (*pid >= 0 || launch->error != 0)
        return true;
      snprintf (reason, sizeof reason, "cannot start a process in %s: %s",
                shown_path (contain->path, shown), strerror (errno));
    }

  add_why (why, reason);
  cgroup_discard (contain);
  return false;
}

/* A reason is one field of one line: a manager's message may hold a tab
 * or a newline. */
static void
flatten_why (char *why)
{
  for (char *c = why; *c != '\0'; c++)
    if (*c == '\n' || *c == '\t' || *c == '\r')
      *c = ' ';
}

/* @why: why not a better containment; for the cgroup, why the scope tried
 * first was refused (empty where none was tried). */
void
report_containment (Reaper *self,
                    char   *why)
{
  flatten_why (why);
  switch (self->contain.kind)
    {
    case CONTAIN_SCOPE:
      report ("contained scope %s %s\n", self->contain.unit, self->contain.path);
      break;
    case CONTAIN_CGROUP:
      if (why[0] != '\0')
        report ("contained cgroup %s\t%s\n", self->contain.path, why);
      else
        report ("contained cgroup %s\n", self->contain.path);
      break;
    case CONTAIN_GROUP:
      report ("contained group %s\n", why);
      break;
    }
}

/* Starts the command in the best containment there is (or the one
 * forced). Returns its pid, or -1 if it could not start: with
 * *@exec_error the errno of its exec, or 0 and errno set where no process
 * could be made for it (clone() or fork() refused).
 */
pid_t
start_command (Reaper      *self,
               char       **argv,
               const char  *cwd,
               char        *why,
               int         *exec_error)
{
  Launch launch = LAUNCH_INIT (argv, cwd);
  Mode mode = containment_mode ();
  bool scope_refused = false;
  pid_t pid = -1;

  if (mode == MODE_GROUP)
    add_why (why, "forced by " CONTAINMENT_ENV "=group");
  else if (mode == MODE_SYSTEMD || (mode == MODE_AUTO && systemd_available ()))
    scope_refused = !try_scope (self, &launch, &pid, why);
  else if (mode == MODE_AUTO)
    add_why (why, "no systemd user manager");

  /* the cgroup's report keeps only a refused scope's reason */
  if (self->contain.kind == CONTAIN_GROUP && (mode == MODE_AUTO || mode == MODE_CGROUP) &&
      try_cgroup (self, &launch, &pid, why) && !scope_refused)
    why[0] = '\0';

  if (pid >= 0 && launch.go[1] >= 0)
    pid = launch_go (&launch, pid);
  else if (pid < 0 && launch.error == 0)
    pid = launch_clone (&launch, -1);   /* nothing started: the group's way */

  *exec_error = launch.error;
  return pid;
}

/* Signals arrive through a signalfd: SIGCHLD for reaping; SIGHUP (the
 * parent-death signal), SIGTERM and SIGINT mean "kill everything".
 * SIGPIPE stays blocked, so a write to a vanished host fails instead.
 * The reaper may start with every signal blocked (the engine starts it
 * so): the mask is set whole.
 */
int
setup_signals (void)
{
  sigset_t mask;

  sigemptyset (&mask);
  sigaddset (&mask, SIGCHLD);
  sigaddset (&mask, SIGHUP);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigaddset (&mask, SIGPIPE);
  sigprocmask (SIG_SETMASK, &mask, NULL);
  sigdelset (&mask, SIGPIPE);

  return signalfd (-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Only descriptors 0 to 4 are the host's to give; the command inherits
 * 0 to 2 only.
 */
void
setup_descriptors (void)
{
  if (syscall (SYS_close_range, 5U, ~0U, 0U) < 0)
    for (int fd = 5; fd < 1024; fd++)
      close (fd);

  fcntl (CONTROL_FD, F_SETFD, FD_CLOEXEC);
  fcntl (REPORT_FD, F_SETFD, FD_CLOEXEC);
  fcntl (CONTROL_FD, F_SETFL, fcntl (CONTROL_FD, F_GETFL) | O_NONBLOCK);
}
