/* spindle-process-launch.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spindle-i18n-private.h"
#include "spindle-process-private.h"

/* Launching a process worker's reaper helper: its channels (output,
 * report, orders) and the helper itself, cloned as posix_spawn() would
 * clone it, without its cost (see spawn_helper ()).
 */

extern char **environ;

static const char *
helper_path (void)
{
  const char *path = g_getenv (SPINDLE_REAPER_ENV);

  return path != NULL && path[0] != '\0' ? path : SPINDLE_REAPER_PATH;
}

/* Where the cgroup v2 hierarchy is mounted and the cgroup it shows as its
 * root, from a line of /proc/self/mountinfo:
 * "ID PARENT MAJOR:MINOR ROOT POINT OPTIONS [TAGS…] - cgroup2 SOURCE OPTIONS",
 * blanks and backslashes escaped as \ooo (which g_strcompress() undoes).
 */
static gboolean
parse_cgroup_mount (const char  *line,
                    char       **point,
                    char       **root)
{
  const char *dash = strstr (line, " - ");
  g_autofree char *head = NULL;
  g_auto(GStrv) fields = NULL;

  if (dash == NULL || !g_str_has_prefix (dash, " - cgroup2 "))
    return FALSE;

  head = g_strndup (line, dash - line);
  fields = g_strsplit (head, " ", 6);
  if (g_strv_length (fields) < 5)
    return FALSE;

  *root = g_strcompress (fields[3]);
  *point = g_strcompress (fields[4]);
  return TRUE;
}

/* Read once for every helper, which need not read it: the kernel writes
 * out every mount for each read of the file, and mounts do not move
 * under a running host. point is "" where there is none, NULL if the
 * file could not be read (the helper looks itself).
 */
typedef struct
{
  char *point;
  char *root;
} CgroupMount;

static const CgroupMount *
cgroup_mount (void)
{
  static CgroupMount mount;
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL))
        {
          g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

          for (guint i = 0; lines[i] != NULL && mount.point == NULL; i++)
            parse_cgroup_mount (lines[i], &mount.point, &mount.root);
          if (mount.point == NULL)
            mount.point = g_strdup ("");
        }
      g_once_init_leave (&done, 1);
    }

  return &mount;
}

static char **
helper_argv (SpindleProcess *self)
{
  const CgroupMount *mount = cgroup_mount ();

  GPtrArray *args = g_ptr_array_new ();

  g_ptr_array_add (args, g_strdup (helper_path ()));
  g_ptr_array_add (args, g_strdup ("--grace-ms"));
  g_ptr_array_add (args, g_strdup_printf ("%" G_GINT64_FORMAT, MAX (self->grace_usec / 1000, 1)));
  if (self->cwd != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--cwd"));
      g_ptr_array_add (args, g_strdup (self->cwd));
    }
  if (mount->point != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--cgroup-mount"));
      g_ptr_array_add (args, g_strdup (mount->point));
    }
  if (mount->root != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--cgroup-root"));
      g_ptr_array_add (args, g_strdup (mount->root));
    }
  g_ptr_array_add (args, g_strdup ("--"));
  for (guint i = 0; self->argv[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (self->argv[i]));
  g_ptr_array_add (args, NULL);

  return (char **) g_ptr_array_free (args, FALSE);
}

/* The helper's ends of its descriptors 1 to 4, moved above 9 so that no
 * dup2() of the file actions overwrites a source still to be used, and
 * of its stdin where the command has input (else -1: /dev/null).
 */
typedef struct
{
  int fds[4];
  int stdin_fd;
} HelperEnds;

static void
helper_ends_close (HelperEnds *ends)
{
  for (guint i = 0; i < G_N_ELEMENTS (ends->fds); i++)
    _spindle_process_close_fd (&ends->fds[i]);
  _spindle_process_close_fd (&ends->stdin_fd);
}

static gboolean
lift (int *fd)
{
  int high = fcntl (*fd, F_DUPFD_CLOEXEC, 10);

  if (high < 0)
    return FALSE;
  close (*fd);
  *fd = high;
  return TRUE;
}

/* Every descriptor is made close-on-exec, so that no other spawn of the
 * host inherits an end (which would keep the helper from seeing EOF).
 */
static gboolean
make_channels (SpindleProcess  *self,
               HelperEnds      *ends)
{
  int out[2], err[2], report[2], control[2];

  if (pipe2 (out, O_CLOEXEC | O_NONBLOCK) < 0)
    return FALSE;
  self->out_fd = out[0], ends->fds[0] = out[1];
  if (pipe2 (err, O_CLOEXEC | O_NONBLOCK) < 0)
    return FALSE;
  self->err_fd = err[0], ends->fds[1] = err[1];
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) < 0)
    return FALSE;
  _spindle_process_orders_set_fd (self->orders, control[0]), ends->fds[2] = control[1];
  if (pipe2 (report, O_CLOEXEC | O_NONBLOCK) < 0)
    return FALSE;
  self->report_fd = report[0], ends->fds[3] = report[1];

  /* the helper's ends block: it polls them itself */
  for (guint i = 0; i < G_N_ELEMENTS (ends->fds); i++)
    if (fcntl (ends->fds[i], F_SETFL, 0) < 0 || !lift (&ends->fds[i]))
      return FALSE;

  return TRUE;
}

/* The command's stdin, where it has input or a stop closes it: a pipe
 * whose read end the helper passes on as its own stdin (blocking, as a
 * command expects it), and whose write end the host keeps, non-blocking,
 * in the orders. Made once the epoll set is there, which it joins.
 */
static gboolean
make_stdin (SpindleProcess *self,
            HelperEnds     *ends)
{
  int in[2];

  if (self->stdin_data == NULL && !self->stop_closes_stdin)
    return TRUE;
  if (pipe2 (in, O_CLOEXEC) < 0)
    return FALSE;
  ends->stdin_fd = in[0];
  if (fcntl (in[1], F_SETFL, O_NONBLOCK) < 0 || !lift (&ends->stdin_fd))
    {
      close (in[1]);
      return FALSE;
    }
  _spindle_process_orders_set_stdin (self->orders, in[1], self->stdin_data != NULL ? self->epfd : -1,
                                     self->stop_closes_stdin);
  return TRUE;
}

static gboolean
watch_channels (SpindleProcess *self)
{
  int fds[] = { self->report_fd, self->out_fd, self->err_fd };

  self->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epfd < 0)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      struct epoll_event event = { .events = EPOLLIN, .data.fd = fds[i] };

      if (epoll_ctl (self->epfd, EPOLL_CTL_ADD, fds[i], &event) < 0)
        return FALSE;
    }

  return TRUE;
}

/* What the helper's process does between clone() and its exec: system
 * calls only, on a stack of its own, in the host's memory (CLONE_VM)
 * while the spawning thread waits (CLONE_VFORK), as posix_spawn() does.
 */
typedef struct
{
  char      **argv;
  char      **envp;
  const int  *fds;                 /* the helper's ends, to be 1 to 4 */
  int         stdin_fd;            /* to be 0; -1: /dev/null */
  int         error;               /* why the exec failed */
} HelperExec;

#define HELPER_STACK_SIZE (64 * 1024)

/* Every signal stays blocked, as it was in the thread that cloned: no
 * handler of the host can run in this process, which shares the host's
 * memory. The helper sets its own mask and dispositions once it runs.
 * Only /dev/null's descriptor is open without close-on-exec: it becomes
 * 0, or is replaced by one of 1 to 4, or the helper closes it. The
 * command's stdin, where it has one, is above 9 and becomes 0 instead.
 */
static int __attribute__ ((no_sanitize_address))
helper_child (gpointer data)
{
  HelperExec *exec = data;
  int fd = exec->stdin_fd >= 0 ? exec->stdin_fd : open ("/dev/null", O_RDONLY);

  if (fd < 0 || (fd != 0 && dup2 (fd, 0) < 0))
    goto failed;
  for (int i = 0; i < 4; i++)
    if (dup2 (exec->fds[i], i + 1) < 0)
      goto failed;
  if (setpgid (0, 0) < 0)
    goto failed;
  execve (exec->argv[0], exec->argv, exec->envp);

failed:
  exec->error = errno;
  _exit (127);
}

/* Started as posix_spawn() would (vfork()+exec(): safe in a threaded
 * host), but without its reset of each of the 64 signals' disposition,
 * some 120 system calls at 1.5 µs each in a virtual machine here, on the
 * path of every process worker: the helper resets what it inherited
 * ignored and sets its own mask. It gets a group of its own, so that a
 * Ctrl+C meant for the host does not reach the command behind the
 * host's back. Returns 0, or an errno.
 */
static int
spawn_helper (SpindleProcess *self,
              HelperEnds     *ends)
{
  g_auto(GStrv) args = helper_argv (self);
  HelperExec exec = { args, self->envp != NULL ? self->envp : environ, ends->fds, ends->stdin_fd, 0 };
  g_autofree guint8 *stack = g_malloc (HELPER_STACK_SIZE);
  sigset_t all, old;
  int cancel_state;
  pid_t pid;

  /* the child runs on this thread's control block: a cancellation
   * pending here must not act in the child's open(), as it would if this
   * were called with cancellation enabled */
  pthread_setcancelstate (PTHREAD_CANCEL_DISABLE, &cancel_state);
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &old);
  pid = clone (helper_child, stack + HELPER_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &exec);
  if (pid < 0)
    exec.error = errno;
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  pthread_setcancelstate (cancel_state, NULL);

  if (pid > 0 && exec.error != 0)
    while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
      ;
  if (exec.error != 0)
    return exec.error;

  self->helper_pid = pid;
  return 0;
}

gboolean
_spindle_process_launch (SpindleProcess  *self,
                         GError         **error)
{
  HelperEnds ends = { { -1, -1, -1, -1 }, -1 };
  int rc = 0;

  if (!make_channels (self, &ends) || !watch_channels (self) || !make_stdin (self, &ends))
    rc = errno;
  else
    rc = spawn_helper (self, &ends);

  helper_ends_close (&ends);

  if (rc != 0)
    {
      self->helper_pid = -1;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (rc),
                   _("Could not start the process helper “%s”: %s"), helper_path (), g_strerror (rc));
      return FALSE;
    }

  /* without a pidfd (Linux < 5.3) the helper is reaped unbounded; with
   * one, its exit ends the following of its report even where something
   * else still holds the report's pipe (spindle-process.c) */
  self->helper_pidfd = (int) syscall (SYS_pidfd_open, self->helper_pid, 0);
  if (self->helper_pidfd >= 0)
    {
      struct epoll_event event = { .events = EPOLLIN, .data.fd = SPINDLE_PROCESS_HELPER_EVENT };

      epoll_ctl (self->epfd, EPOLL_CTL_ADD, self->helper_pidfd, &event);
    }
  return TRUE;
}

