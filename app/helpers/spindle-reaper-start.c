/* spindle-reaper-start.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
void
reset_ignored (void)
{
  char status[8192];
  const char *line;
  unsigned long long mask = ~0ULL;

  if (read_file ("/proc/self/status", status, sizeof status) > 0 &&
      (line = strstr (status, "\nSigIgn:")) != NULL)
    mask = strtoull (line + 8, NULL, 16);

  for (int signo = 1; signo <= 64 && signo < NSIG; signo++)
    if (mask & (1ULL << (signo - 1)))
      signal (signo, SIG_DFL);
}

/* The command is forked: posix_spawn() cannot place it in a cgroup,
 * which must hold it before it execs, and glibc's posix_spawn() leaves
 * its two internal signals ignored in the child, which the exec keeps,
 * after a sigaction() for each signal. The reaper is small and static:
 * its page tables are few to copy. The exec's error comes back through a
 * close-on-exec pipe, as posix_spawn() does it.
 */
typedef struct
{
  char       **argv;
  const char  *cwd;
  int          go[2];          /* a paused child execs on a byte here */
  int          err[2];         /* the exec's errno; end of file: it ran */
} Launch;

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* In the child: only system calls, until the exec; no signal blocked,
 * as for posix_spawn(), and every disposition at its default already. */
static void __attribute__ ((noreturn))
child_exec (Launch *launch)
{
  sigset_t none;
  int error;
  char go;

  setpgid (0, 0);
  if (launch->go[0] >= 0 && read (launch->go[0], &go, 1) != 1)
    _exit (127);

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (launch->cwd == NULL || chdir (launch->cwd) == 0)
    execvp (launch->argv[0], launch->argv);

  error = errno;
  (void) !write (launch->err[1], &error, sizeof error);
  _exit (127);
}

/* Forks the command into @contain (clone3, CLONE_INTO_CGROUP) or, when
 * @contain is NULL or clone3() is refused, paused until launch_go().
 */
static pid_t
launch_fork (Launch      *launch,
             Containment *contain)
{
  pid_t pid = -1;

  if (launch->err[0] < 0 && pipe2 (launch->err, O_CLOEXEC) < 0)
    return -1;

  if (contain != NULL)
    pid = cgroup_clone_into (contain);
  if (pid < 0 && (contain == NULL || errno == ENOSYS || errno == EPERM))
    {
      if (pipe2 (launch->go, O_CLOEXEC) < 0)
        return -1;
      pid = fork ();
    }
  if (pid == 0)
    child_exec (launch);

  close_fd (&launch->go[0]);
  return pid;
}

/* Lets a paused child exec, and waits for the exec. Returns @pid, or -1
 * with errno set if the command could not start (the child is reaped).
 */
static pid_t
launch_go (Launch *launch,
           pid_t   pid)
{
  int error = 0;
  ssize_t n;

  if (launch->go[1] >= 0)
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
  errno = error;
  return -1;
}

/* The group's way: forked into a group of its own and let exec at once.
 * Returns its pid, or -1 with errno set if it could not start.
 */
static pid_t
launch_in_group (Launch *launch)
{
  pid_t pid;
  int error;

  if (pipe2 (launch->err, O_CLOEXEC) < 0)
    return -1;

  pid = fork ();
  if (pid == 0)
    child_exec (launch);
  if (pid > 0)
    return launch_go (launch, pid);

  error = errno;
  close_fd (&launch->err[0]);
  close_fd (&launch->err[1]);
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

  if (*pid < 0 && (*pid = launch_fork (launch, NULL)) < 0)
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
  char parent[sizeof contain->path], name[64], reason[WHY_SIZE] = "";

  snprintf (name, sizeof name, "spindle-%d-%d", (int) getppid (), (int) getpid ());
  if (!cgroup_own_dir (parent, sizeof parent, reason) ||
      !cgroup_create (contain, parent, name, reason))
    {
      add_why (why, reason);
      return false;
    }

  if (*pid < 0)
    *pid = launch_fork (launch, contain);
  if (*pid >= 0 && (launch->go[1] < 0 || cgroup_move (contain, *pid, reason)))
    return true;

  if (*pid < 0)
    snprintf (reason, sizeof reason, "cannot start a process in %.1024s: %s", contain->path, strerror (errno));
  add_why (why, reason);
  cgroup_discard (contain);
  return false;
}

void
report_containment (Reaper     *self,
                    const char *why)
{
  switch (self->contain.kind)
    {
    case CONTAIN_SCOPE:
      report ("contained scope %s %s\n", self->contain.unit, self->contain.path);
      break;
    case CONTAIN_CGROUP:
      report ("contained cgroup %s\n", self->contain.path);
      break;
    case CONTAIN_GROUP:
      report ("contained group %s\n", why);
      break;
    }
}

/* Starts the command in the best containment there is (or the one
 * forced). Returns its pid, or -1 with errno set if it could not start.
 */
pid_t
start_command (Reaper      *self,
               char       **argv,
               const char  *cwd,
               char        *why)
{
  Launch launch = { argv, cwd, { -1, -1 }, { -1, -1 } };
  Mode mode = containment_mode ();
  bool contained = false;
  pid_t pid = -1;

  if (mode == MODE_GROUP)
    add_why (why, "forced by " CONTAINMENT_ENV "=group");
  else if (mode == MODE_SYSTEMD || (mode == MODE_AUTO && systemd_available ()))
    contained = try_scope (self, &launch, &pid, why);
  else if (mode == MODE_AUTO)
    add_why (why, "no systemd user manager");

  if (!contained && (mode == MODE_AUTO || mode == MODE_CGROUP))
    contained = try_cgroup (self, &launch, &pid, why);

  if (pid >= 0)
    return launch_go (&launch, pid);

  /* nothing forked: the group's way */
  for (size_t i = 0; i < 2; i++)
    {
      close_fd (&launch.go[i]);
      close_fd (&launch.err[i]);
    }
  return launch_in_group (&launch);
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
