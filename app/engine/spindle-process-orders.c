/* spindle-process-orders.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "spindle-process-private.h"

/* The order channel to a process worker's helper: "stop SIGNAL" and
 * "kill" (or "kill named") lines, each sent once, from the worker's
 * thread or from the thread that asks (see spindle-process.c). Its end of
 * file is itself the order to kill everything.
 *
 * Where the helper keeps the command in a cgroup of its own, the kill
 * does not wait for the helper to be scheduled (a millisecond and more
 * on a busy machine): the thread that sends the order writes the
 * cgroup's cgroup.kill itself, and the helper reaps and reports as
 * before. The host never signals a pid or a group: the helper, not the
 * host, is the command's parent, and a pid it reaped may be another
 * process's by then. The cgroup is held by descriptors opened when the
 * helper's report named it, while the helper (whose pid is in the
 * cgroup's name) was not yet reaped: a cgroup removed since refuses the
 * write, and another of the same name is never reached.
 *
 * As the helper does, the host freezes the cgroup and names its members
 * before its kill: a parent woken in wait() reaps a child that died
 * first before its own SIGKILL acts, and the helper never sees that
 * child. What the host named and the helper's report does not mention is
 * reported as reaped by its own parent (spindle-process-report.c). The
 * order follows the naming: "kill named" tells the helper that the host
 * named them and is writing cgroup.kill, so that it writes cgroup.kill
 * too and reaps, without naming them again (its naming, on a machine of
 * few processors, took the processor from the processes it lets die).
 * Where the host did not name them, "kill" leaves it all to the helper.
 *
 * No lock is held across the kill or the naming: the thread that kills
 * may be preempted by the processes it wakes, and the other thread (the
 * worker's, which collects the report) must not wait for it.
 *
 * The host's end of the command's stdin, where it has one, is here too:
 * the worker's thread writes the input to it as the pipe drains, and a
 * stop that closes the stdin closes it from the thread that asks. Both
 * take the lock, so that the descriptor is never written after its close
 * (it could be another file's by then); the write never blocks.
 */

/* The host names and kills at most this many processes itself, on the
 * thread that asks (a person's click on the main thread): a fork bomb's
 * thousands are the helper's to name, after the order. */
#define MAX_HOST_NAMED    256
/* The helper's bound on the depth of the cgroups a command makes in its own. */
#define MAX_CGROUP_DEPTH  16

/* The command's cgroup, shared by the orders and a kill under way. */
typedef struct
{
  gatomicrefcount ref_count;
  int             dir_fd;         /* O_PATH */
  int             kill_fd;        /* its cgroup.kill */
} Cgroup;

struct _SpindleProcessOrders
{
  gatomicrefcount ref_count;
  GMutex          lock;           /* guards what follows */
  int             fd;             /* the host's end; -1 before the launch and once closed */
  int             stop_signal;
  gboolean        stop_closes_stdin;
  gboolean        stop_sent;
  int             stdin_fd;       /* the host's end of the command's stdin, non-blocking; -1 */
  int             stdin_epfd;     /* the worker's epoll set, while stdin_fd is in it; -1 */
  gboolean        stdin_keep_open; /* until the stop, once the input is written */
  Cgroup         *cgroup;         /* once the report named it, until the channel closes */
  gint            stop_taken;     /* atomic: a thread has sent (or tried) the stop */
  gint            kill_taken;     /* atomic: a thread has sent (or tried) the kill */
  GArray         *named;          /* atomic: SpindleProcessNamed of the host's own kill */
};

static void
cgroup_unref (Cgroup *cgroup)
{
  if (!g_atomic_ref_count_dec (&cgroup->ref_count))
    return;

  _spindle_process_close_fd (&cgroup->dir_fd);
  _spindle_process_close_fd (&cgroup->kill_fd);
  g_free (cgroup);
}

/* NULL where the cgroup has no cgroup.kill (Linux < 5.14) or is gone. */
static Cgroup *
cgroup_open (const char *dir)
{
  Cgroup *cgroup = g_new0 (Cgroup, 1);

  g_atomic_ref_count_init (&cgroup->ref_count);
  cgroup->kill_fd = -1;
  cgroup->dir_fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cgroup->dir_fd >= 0)
    cgroup->kill_fd = openat (cgroup->dir_fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
  if (cgroup->kill_fd >= 0)
    return cgroup;

  cgroup_unref (cgroup);
  return NULL;
}

SpindleProcessOrders *
_spindle_process_orders_new (int      stop_signal,
                             gboolean stop_closes_stdin)
{
  SpindleProcessOrders *self = g_new0 (SpindleProcessOrders, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->fd = self->stdin_fd = self->stdin_epfd = -1;
  self->stop_signal = stop_signal;
  self->stop_closes_stdin = stop_closes_stdin;
  return self;
}

SpindleProcessOrders *
_spindle_process_orders_ref (SpindleProcessOrders *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
_spindle_process_orders_unref (gpointer data)
{
  SpindleProcessOrders *self = data;

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  _spindle_process_close_fd (&self->fd);
  _spindle_process_close_fd (&self->stdin_fd);
  g_clear_pointer (&self->cgroup, cgroup_unref);
  g_clear_pointer (&self->named, g_array_unref);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
_spindle_process_orders_set_fd (SpindleProcessOrders *self,
                                int                   fd)
{
  g_mutex_lock (&self->lock);
  self->fd = fd;
  g_mutex_unlock (&self->lock);
}

/* The command's stdin ***********************************************************/

/* With the lock held. Out of the epoll set before the close: the set is
 * the worker's, and the descriptor's number may be another file's next.
 */
static void
close_stdin_locked (SpindleProcessOrders *self)
{
  if (self->stdin_fd >= 0 && self->stdin_epfd >= 0)
    epoll_ctl (self->stdin_epfd, EPOLL_CTL_DEL, self->stdin_fd, NULL);
  self->stdin_epfd = -1;
  _spindle_process_close_fd (&self->stdin_fd);
}

/* At the launch, on the worker's thread: @fd (non-blocking) is written
 * to while @epfd finds it writable, until the input is all written (no
 * input: @epfd is -1); it is then closed, unless @keep_open keeps it for
 * the stop to close.
 */
void
_spindle_process_orders_set_stdin (SpindleProcessOrders *self,
                                   int                   fd,
                                   int                   epfd,
                                   gboolean              keep_open)
{
  struct epoll_event event = { .events = EPOLLOUT, .data.fd = SPINDLE_PROCESS_STDIN_EVENT };

  g_mutex_lock (&self->lock);
  self->stdin_fd = fd;
  self->stdin_keep_open = keep_open;
  if (epfd >= 0 && epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &event) == 0)
    self->stdin_epfd = epfd;
  g_mutex_unlock (&self->lock);
}

/* A write to a pipe whose readers are gone raises SIGPIPE, which would
 * end the host: it is blocked for the write, and the one the write left
 * pending on this thread taken back.
 */
static gssize
write_without_sigpipe (int           fd,
                       const guint8 *data,
                       gsize         len)
{
  struct timespec none = { 0, 0 };
  sigset_t pipe_set, old;
  gssize n;

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old);
  do
    n = write (fd, data, len);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EPIPE && !sigismember (&old, SIGPIPE))
    {
      int saved = errno;

      while (sigtimedwait (&pipe_set, NULL, &none) < 0 && errno == EINTR)
        ;
      errno = saved;
    }
  pthread_sigmask (SIG_SETMASK, &old, NULL);

  return n;
}

/* On the worker's thread, with cancellation held (write() is a
 * cancellation point), when the stdin can take more: writes what it can
 * of *@data and keeps the rest there. Once all is written, or the
 * command's readers are gone, or the stdin was closed by a stop, *@data
 * is cleared and the stdin leaves the epoll set (and is closed, unless it
 * is kept for the stop). TRUE while some input is left.
 */
gboolean
_spindle_process_orders_feed_stdin (SpindleProcessOrders  *self,
                                    GBytes               **data)
{
  gboolean more = FALSE;

  g_mutex_lock (&self->lock);
  while (self->stdin_fd >= 0 && *data != NULL)
    {
      gsize len;
      const guint8 *bytes = g_bytes_get_data (*data, &len);
      gssize n = len > 0 ? write_without_sigpipe (self->stdin_fd, bytes, len) : 0;

      if (n < 0 && errno == EAGAIN)
        {
          more = TRUE;
          break;
        }
      if (n < 0)
        g_debug ("Could not write a command's stdin: %s", g_strerror (errno));
      if (n < 0 || (gsize) n == len)
        g_clear_pointer (data, g_bytes_unref);
      else
        {
          GBytes *rest = g_bytes_new_from_bytes (*data, n, len - n);

          g_bytes_unref (*data);
          *data = rest;
        }
    }
  if (!more && self->stdin_fd >= 0)
    {
      if (self->stdin_keep_open)
        {
          if (self->stdin_epfd >= 0)
            epoll_ctl (self->stdin_epfd, EPOLL_CTL_DEL, self->stdin_fd, NULL);
          self->stdin_epfd = -1;
        }
      else
        close_stdin_locked (self);
    }
  g_mutex_unlock (&self->lock);

  if (!more)
    g_clear_pointer (data, g_bytes_unref);
  return more;
}

/* The end of file on the channel is itself the order to kill everything.
 * The cgroup is let go too: the helper is about to be reaped. So is the
 * stdin, which leaves the worker's epoll set before that is closed.
 */
void
_spindle_process_orders_close (SpindleProcessOrders *self)
{
  Cgroup *cgroup;

  g_mutex_lock (&self->lock);
  _spindle_process_close_fd (&self->fd);
  close_stdin_locked (self);
  cgroup = g_steal_pointer (&self->cgroup);
  g_mutex_unlock (&self->lock);

  if (cgroup != NULL)
    cgroup_unref (cgroup);
}

/* On the worker's thread, as the helper's report names the cgroup @dir,
 * before the helper is reaped: the helper's pid in its name makes it the
 * command's. Once the channel is closed, the kill is the helper's alone.
 */
void
_spindle_process_orders_set_cgroup (SpindleProcessOrders *self,
                                    const char           *dir)
{
  Cgroup *cgroup = cgroup_open (dir);

  if (cgroup == NULL)
    return;

  g_mutex_lock (&self->lock);
  if (self->fd >= 0 && self->cgroup == NULL)
    self->cgroup = g_steal_pointer (&cgroup);
  g_mutex_unlock (&self->lock);

  if (cgroup != NULL)
    cgroup_unref (cgroup);
}

/* The host's own kill ************************************************************/

static void
write_one (int         dir_fd,
           const char *name)
{
  int fd = openat (dir_fd, name, O_WRONLY | O_CLOEXEC);

  if (fd < 0)
    return;
  if (write (fd, "1", 1) < 0)
    g_debug ("Could not write %s of a process worker's cgroup: %s", name, g_strerror (errno));
  close (fd);
}

/* Reads a small file at @dir_fd whole, into @buf of @size; its length or -1. */
static gssize
read_at (int         dir_fd,
         const char *name,
         char       *buf,
         gsize       size)
{
  int fd = openat (dir_fd, name, O_RDONLY | O_CLOEXEC);
  gsize len = 0;
  gssize n;

  if (fd < 0)
    return -1;
  while (len + 1 < size && ((n = read (fd, buf + len, size - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
    len += MAX (n, 0);
  close (fd);
  buf[len] = '\0';
  return (gssize) len;
}

/* A name that the report can carry as the last field of its line, as the
 * helper reads it; FALSE if the process is gone (before any kill: it is
 * none of the kill's).
 */
static gboolean
read_comm (int                  proc_fd,
           SpindleProcessNamed *named)
{
  char path[32];
  gssize len;

  g_snprintf (path, sizeof path, "%d/comm", (int) named->pid);
  len = read_at (proc_fd, path, named->comm, sizeof named->comm);
  while (len > 0 && (named->comm[len - 1] == '\n' || named->comm[len - 1] == ' '))
    named->comm[--len] = '\0';
  for (char *p = named->comm; *p != '\0'; p++)
    if (*p <= ' ' || *p > '~')
      *p = '?';
  return len > 0;
}

#define PROCS_SIZE (MAX_HOST_NAMED * 12 + 2)

/* The pids in @dir_fd's cgroup.procs and in those of the cgroups below it
 * (the command's cgroup is its to use); FALSE once there are more than
 * the host names, or where they could not be listed. */
static gboolean
add_members (int     dir_fd,
             guint   depth,
             GArray *pids)
{
  g_autofree char *text = g_malloc (PROCS_SIZE);
  gssize len = read_at (dir_fd, "cgroup.procs", text, PROCS_SIZE);
  gboolean ok = len >= 0 && len < PROCS_SIZE - 1;
  struct dirent *entry;
  DIR *children;
  int fd;

  for (char *p = text, *end; ok && *p != '\0'; p = end)
    {
      pid_t pid = (pid_t) strtol (p, &end, 10);

      if (end == p)
        break;
      if (pid > 0)
        g_array_append_val (pids, pid);
      ok = pids->len <= MAX_HOST_NAMED;
    }

  if (!ok || depth >= MAX_CGROUP_DEPTH ||
      (fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return ok;
  if ((children = fdopendir (fd)) == NULL)
    {
      close (fd);
      return FALSE;
    }
  while (ok && (entry = readdir (children)) != NULL)
    if (entry->d_type == DT_DIR && entry->d_name[0] != '.')
      {
        int child_fd = openat (dirfd (children), entry->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);

        ok = child_fd >= 0 && add_members (child_fd, depth + 1, pids);
        if (child_fd >= 0)
          close (child_fd);
      }
  closedir (children);
  return ok;
}

/* Each of @pids that is still there, named. */
static GArray *
name_members (GArray *pids)
{
  GArray *named = g_array_sized_new (FALSE, TRUE, sizeof (SpindleProcessNamed), pids->len);
  int proc_fd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

  for (guint i = 0; proc_fd >= 0 && i < pids->len; i++)
    {
      SpindleProcessNamed one = { g_array_index (pids, pid_t, i), "" };

      if (read_comm (proc_fd, &one))
        g_array_append_val (named, one);
    }
  if (proc_fd >= 0)
    close (proc_fd);
  return named;
}

/* Frozen, the cgroup's members fork nothing and reap nothing while they
 * are named; the names are published before the order that lets the
 * helper rely on them, and so before cgroup.kill reaches them. Returns
 * FALSE where there are more than the host names, or they could not be
 * listed: the helper's "kill" then does it all, and the cgroup stays
 * frozen: the state the helper's own kill puts it in (it freezes, names
 * and kills, and never thaws), so nothing in it forks until then. A kill
 * from here, before the helper named them, would let a shell reap a
 * child unnamed (6 runs in 10 of the test of 261 processes lost one); a
 * thaw could undo the helper's freeze between its naming and its kill.
 */
static gboolean
freeze_and_name (SpindleProcessOrders *self,
                 Cgroup               *cgroup)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  GArray *named;

  write_one (cgroup->dir_fd, "cgroup.freeze");
  if (!add_members (cgroup->dir_fd, 0, pids))
    return FALSE;

  named = name_members (pids);
  named = g_atomic_pointer_exchange (&self->named, named);
  g_clear_pointer (&named, g_array_unref);
  return TRUE;
}

/* What the host named before its own kill, or NULL: for the report, once
 * the helper's report has come whole. Lock-free: the thread that killed
 * may be preempted still.
 */
GArray *
_spindle_process_orders_steal_named (SpindleProcessOrders *self)
{
  return g_atomic_pointer_exchange (&self->named, NULL);
}

/* With the lock held. A helper that is gone cannot be told anything:
 * MSG_NOSIGNAL keeps the host from SIGPIPE. It never blocks the thread
 * that asks: an order is a few bytes, the channel holds far more.
 */
static gboolean
orders_write (SpindleProcessOrders *self,
              const char           *line)
{
  if (self->fd < 0)
    return FALSE;
  if (send (self->fd, line, strlen (line), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
    return TRUE;

  g_debug ("Could not send “%s” to the process helper: %s", line, g_strerror (errno));
  return FALSE;
}

/* From any thread, with cancellation disabled (send() is a cancellation
 * point, and the lock must not be left held by an unwinding body). Once a
 * thread has taken the stop on, another returns at once, without the
 * lock: the helper the first one woke may have preempted it, lock held.
 * A stop that closes the stdin sends no order: the command reads the end
 * of its input (what was not written of it is dropped).
 */
void
_spindle_process_orders_send_stop (SpindleProcessOrders *self)
{
  if (g_atomic_int_get (&self->stop_taken))
    return;

  g_mutex_lock (&self->lock);
  if (!g_atomic_int_get (&self->stop_taken) && self->fd >= 0 && self->stop_closes_stdin)
    {
      g_atomic_int_set (&self->stop_taken, TRUE);
      self->stop_sent = self->stdin_fd >= 0;
      close_stdin_locked (self);
    }
  else if (!g_atomic_int_get (&self->stop_taken) && self->fd >= 0)
    {
      char line[32];

      g_atomic_int_set (&self->stop_taken, TRUE);
      g_snprintf (line, sizeof line, "stop %d\n", self->stop_signal);
      self->stop_sent = orders_write (self, line);
    }
  g_mutex_unlock (&self->lock);
}

gboolean
_spindle_process_orders_stop_was_sent (SpindleProcessOrders *self)
{
  gboolean sent;

  g_mutex_lock (&self->lock);
  sent = self->stop_sent;
  g_mutex_unlock (&self->lock);

  return sent;
}

/* Without a cgroup the order is the whole kill. With one, the host
 * freezes and names first, then orders, then writes cgroup.kill: the
 * helper, told before any process dies, never takes the command's end
 * for its own. A cgroup removed meanwhile (the helper is at its end)
 * refuses the write; a helper gone is the host's to kill
 * (spindle-process-report.c). Once a thread has taken the kill on,
 * another returns at once, without the lock (the first may hold it,
 * preempted).
 */
void
_spindle_process_orders_send_kill (SpindleProcessOrders *self)
{
  Cgroup *cgroup = NULL;
  gboolean named;

  if (g_atomic_int_get (&self->kill_taken))
    return;

  g_mutex_lock (&self->lock);
  if (!g_atomic_int_get (&self->kill_taken) && self->fd >= 0)
    {
      g_atomic_int_set (&self->kill_taken, TRUE);
      if (self->cgroup != NULL)
        {
          cgroup = self->cgroup;
          g_atomic_ref_count_inc (&cgroup->ref_count);
        }
      else
        orders_write (self, "kill\n");
    }
  g_mutex_unlock (&self->lock);

  if (cgroup == NULL)
    return;

  named = freeze_and_name (self, cgroup);
  g_mutex_lock (&self->lock);
  orders_write (self, named ? "kill named\n" : "kill\n");
  g_mutex_unlock (&self->lock);

  if (named && write (cgroup->kill_fd, "1", 1) != 1)
    g_debug ("Could not write a process worker's cgroup.kill: %s", g_strerror (errno));
  cgroup_unref (cgroup);
}

/* On the set's main context, as the request is made. */
static void
on_stop_requested (SpindleWorker     *worker,
                   SpindleStopReason  reason,
                   gpointer           data)
{
  _spindle_process_orders_send_stop (data);
}

static void
on_cancel_requested (SpindleWorker     *worker,
                     SpindleStopReason  reason,
                     gpointer           data)
{
  _spindle_process_orders_send_kill (data);
}

static void
orders_closure_unref (gpointer  data,
                      GClosure *closure)
{
  _spindle_process_orders_unref (data);
}

void
_spindle_process_orders_follow_requests (SpindleProcessOrders *self,
                                         SpindleWorker        *worker)
{
  g_signal_connect_data (worker, "stop-requested", G_CALLBACK (on_stop_requested),
                         _spindle_process_orders_ref (self), orders_closure_unref, 0);
  g_signal_connect_data (worker, "cancel-requested", G_CALLBACK (on_cancel_requested),
                         _spindle_process_orders_ref (self), orders_closure_unref, 0);
}

