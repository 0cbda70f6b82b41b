/* spindle-process.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-process"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spindle-i18n-private.h"
#include "spindle-job-private.h"
#include "spindle-process-private.h"
#include "../helpers/spindle-reaper-bounds.h"

/* Command workers: a thread worker whose body starts the reaper helper
 * (app/helpers/spindle-reaper.c), which runs the command in its own process
 * group, and follows the helper's report. The helper does the killing and
 * the reaping; the host only ever waits for the helper's own pid, never
 * waitpid(-1), which would steal exit statuses from GLib's child watches.
 *
 * A stop sends the stop signal to the group and goes on following. A
 * force-cancel unwinds the body from its wait; on the way out it orders the
 * kill and collects the report, so that every process reaped is listed
 * in the cleanup report. The "Reap the process helper" step runs on every
 * path: it closes the order channel, whose end of file alone makes the
 * helper kill everything, and reaps the helper.
 *
 * A worker's stop and kill orders go to the helper from the thread that
 * asks (the set's main context), as it asks: the worker's thread, woken by
 * the same request, would only add its own wake-up to the kill's latency.
 * It sends them too, for requests that came before the helper was up and
 * for spindle_job_run_command(); each order goes once.
 */

#define DEFAULT_OUTPUT_LIMIT (64 * 1024)
#define DEFAULT_GRACE_USEC   G_USEC_PER_SEC
/* A helper ordered to kill reports "done" within its own worst case (a
 * scope being placed, the kill, the cgroup's emptying); past that and a
 * margin for a loaded machine (its reaping, its report's writes) it is
 * taken as stuck. */
#define HELPER_MARGIN_MSEC   3000
#define HELPER_BOUND_MSEC    (REAPER_WORST_MS + HELPER_MARGIN_MSEC)

/* Set-up and tear-down *****************************************************/

static void
spindle_process_free (gpointer data)
{
  SpindleProcess *self = data;

  g_clear_pointer (&self->shared, _spindle_process_shared_unref);
  /* the orders may outlive the process (the worker's requests hold them):
   * their hold on the stdin and on the epoll set ends here */
  _spindle_process_orders_close (self->orders);
  g_clear_pointer (&self->orders, _spindle_process_orders_unref);
  g_clear_pointer (&self->stdin_data, g_bytes_unref);
  _spindle_process_close_fd (&self->report_fd);
  _spindle_process_close_fd (&self->out_fd);
  _spindle_process_close_fd (&self->err_fd);
  _spindle_process_close_fd (&self->epfd);
  _spindle_process_close_fd (&self->helper_pidfd);
  g_strfreev (self->argv);
  g_strfreev (self->envp);
  g_free (self->cwd);
  g_free (self->main_comm);
  g_string_free (self->report_line, TRUE);
  g_ptr_array_unref (self->records);
  g_ptr_array_unref (self->messages);
  g_byte_array_unref (self->out);
  g_byte_array_unref (self->err);
  g_free (self);
}

static SpindleProcess *
spindle_process_new (const char * const          *argv,
                     const SpindleCommandOptions *options)
{
  SpindleCommandOptions none = { 0 };
  SpindleProcess *self = g_new0 (SpindleProcess, 1);

  if (options == NULL)
    options = &none;

  self->argv = g_strdupv ((char **) argv);
  self->cwd = g_strdup (options->cwd);
  self->envp = g_strdupv ((char **) options->envp);
  self->stop_signal = options->stop_signal > 0 ? options->stop_signal : SIGTERM;
  self->output_limit = options->output_limit > 0 ? options->output_limit : DEFAULT_OUTPUT_LIMIT;
  self->grace_usec = options->leftover_grace_usec > 0 ? options->leftover_grace_usec : DEFAULT_GRACE_USEC;
  if (options->stdin_data != NULL)
    self->stdin_data = g_bytes_ref (options->stdin_data);
  self->stop_closes_stdin = options->stop_closes_stdin;
  self->helper_pid = -1;
  self->helper_pidfd = self->report_fd = -1;
  self->orders = _spindle_process_orders_new (self->stop_signal, self->stop_closes_stdin);
  self->out_fd = self->err_fd = self->epfd = -1;
  self->report_line = g_string_new (NULL);
  self->records = g_ptr_array_new_with_free_func (g_free);
  self->messages = g_ptr_array_new_with_free_func (g_free);
  self->out = g_byte_array_new ();
  self->err = g_byte_array_new ();

  return self;
}

/* Output *******************************************************************/

static void
keep_tail (GByteArray *buffer,
           const char *data,
           gsize       len,
           gsize       limit)
{
  g_byte_array_append (buffer, (const guint8 *) data, len);
  if (buffer->len > limit)
    g_byte_array_remove_range (buffer, 0, buffer->len - limit);
}

/* Reads what @fd holds now; FALSE at its end (or on an error). A pipe
 * hands over all it holds in one read, so a read short of the buffer
 * ends a batch (the helper writes its records as one) without another
 * read only to hear EAGAIN; @to_end reads on to the end of file.
 */
static gboolean
drain_one (SpindleProcess *self,
           int             fd,
           gboolean        to_end)
{
  char buf[4096];

  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno == EAGAIN;
      if (n == 0)
        return FALSE;

      if (fd == self->report_fd)
        _spindle_process_take_report (self, buf, n);
      else
        keep_tail (fd == self->out_fd ? self->out : self->err, buf, n, self->output_limit);

      if ((gsize) n < sizeof buf && !to_end)
        return TRUE;
    }
}

static void
close_channel (SpindleProcess *self,
               int            *fd)
{
  epoll_ctl (self->epfd, EPOLL_CTL_DEL, *fd, NULL);
  _spindle_process_close_fd (fd);
}

static int *
channel_of (SpindleProcess *self,
            int             fd)
{
  if (fd == self->report_fd)
    return &self->report_fd;
  if (fd == self->out_fd)
    return &self->out_fd;
  if (fd == self->err_fd)
    return &self->err_fd;
  return NULL;
}

/* Everything the channels hold now, whether epoll said so or not; a
 * channel at its end is closed, and with @close_all every channel is. */
static void
drain (SpindleProcess *self,
       gboolean        close_all)
{
  int *fds[] = { &self->out_fd, &self->err_fd, &self->report_fd };

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    if (*fds[i] >= 0 && (!drain_one (self, *fds[i], TRUE) || close_all))
      close_channel (self, fds[i]);
}

/* The helper has exited: all it wrote is in the pipes, and is read. A
 * process it left holding a pipe (one it started that outlived it) must
 * not keep the worker waiting for an end of file that may never come.
 */
static void
helper_gone (SpindleProcess *self)
{
  drain (self, TRUE);
  epoll_ctl (self->epfd, EPOLL_CTL_DEL, self->helper_pidfd, NULL);
}

/* Reads the channels epoll finds ready within @timeout_msec, once each;
 * a channel whose writers are all gone is read to its end and closed at
 * once. The command's stdin, once it can take more of the input, gets
 * it. Cancellation is off here: epoll_wait() is a cancellation point.
 * FALSE if the wait failed.
 */
static gboolean
drain_ready (SpindleProcess *self,
             int             timeout_msec)
{
  struct epoll_event events[5];
  int n;

  do
    n = epoll_wait (self->epfd, events, G_N_ELEMENTS (events), timeout_msec);
  while (n < 0 && errno == EINTR);

  for (int i = 0; i < n; i++)
    {
      int *fd = channel_of (self, events[i].data.fd);

      if (events[i].data.fd == SPINDLE_PROCESS_STDIN_EVENT)
        {
          _spindle_process_orders_feed_stdin (self->orders, &self->stdin_data);
          continue;
        }
      if (events[i].data.fd == SPINDLE_PROCESS_HELPER_EVENT)
        {
          helper_gone (self);
          continue;
        }
      gboolean hung_up = (events[i].events & (EPOLLHUP | EPOLLERR)) != 0;

      if (fd != NULL && *fd >= 0 && !drain_one (self, *fd, hung_up))
        close_channel (self, fd);
    }

  return n >= 0;
}

/* Reaping the helper ********************************************************/

static gboolean
helper_exited_within (SpindleProcess *self,
                      int             timeout_msec)
{
  struct pollfd pfd = { self->helper_pidfd, POLLIN, 0 };
  int n;

  if (self->helper_pidfd < 0)
    return TRUE;

  do
    n = poll (&pfd, 1, timeout_msec);
  while (n < 0 && errno == EINTR);

  return n > 0;
}

/* What is left of the helper's bound, which starts at the first order to
 * end (a kill, or the end of file on the order channel).
 */
static int
helper_msec_left (SpindleProcess *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->helper_deadline == 0)
    self->helper_deadline = now + HELPER_BOUND_MSEC * (gint64) 1000;

  return (int) (MAX (self->helper_deadline - now, 0) / 1000);
}

/* On every path, last: the end of file on the order channel is the order
 * to kill everything; then the helper is reaped, by its own pid.
 */
static gboolean
reap_helper_step (gpointer   data,
                  GError   **error)
{
  SpindleProcess *self = data;
  gboolean in_time;
  int status = 0;

  /* one bound from the first order to end, however many waits share it:
   * after a kill the report's collection took its part already
   */
  _spindle_process_orders_close (self->orders);
  in_time = helper_exited_within (self, helper_msec_left (self));
  if (!in_time)
    kill (self->helper_pid, SIGKILL);

  while (waitpid (self->helper_pid, &status, 0) < 0 && errno == EINTR)
    ;
  self->helper_pid = -1;
  _spindle_process_close_fd (&self->helper_pidfd);

  if (!in_time)
    {
      g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_CLEANUP_FAILED,
                   _("The process helper did not end within %d ms and was killed: "
                     "what it supervised may be left behind"), HELPER_BOUND_MSEC);
      return FALSE;
    }

  return TRUE;
}

/* Following the command *****************************************************/

/* The first "running" is news, not display: whoever waits to act on the
 * command (a person's Stop, a program's next step) gets it at once rather
 * than on the next coalesced dispatch of progress.
 */
static void
show_running (SpindleProcess *self)
{
  g_autofree char *phase = NULL;
  int old_state;

  if (self->main_ended || self->main_pid <= 0)
    return;

  phase = g_strdup_printf (self->stop_sent ? _("pid %d stopping") : _("pid %d running"), self->main_pid);
  spindle_job_set_phase (self->job, phase);
  if (self->running_shown)
    return;

  self->running_shown = TRUE;
  old_state = _spindle_job_block_cancel ();
  _spindle_dispatch_hurry (self->job->dispatch);
  _spindle_job_restore_cancel (old_state);
}

/* Collects the report after the kill order, bounded by the helper's own
 * bound; cancellation is off here. It ends at "done": the helper's end of
 * file comes with its exit, which the reaping of the helper waits for
 * anyway, and the report is recorded meanwhile.
 */
static void
collect_report (SpindleProcess *self)
{
  while (self->report_fd >= 0 && !self->report_done)
    {
      int left = helper_msec_left (self);

      if (left <= 0 || !drain_ready (self, left))
        break;
    }
}

/* Runs while a force-cancel unwinds the body: the kill, and the report of
 * it, step by step, before the cleanup stack runs. The helper exits once
 * its report is whole, while the report is recorded; the stack's step
 * reaps it. It is waited for here, as a command's own end waits for it
 * before the job ends: the job's end then posts the report's steps and
 * the end itself together, and the main context wakes once for them
 * rather than for the steps while the helper is still exiting, then for
 * the end.
 */
static void
on_force_cancel (gpointer data)
{
  SpindleProcess *self = data;
  gboolean whole;

  _spindle_job_forget_unwound_frames ();
  _spindle_process_orders_send_kill (self->orders);
  collect_report (self);
  whole = self->report_done;
  _spindle_process_record_report (self);
  if (whole)
    helper_exited_within (self, HELPER_MARGIN_MSEC);
}

/* After a stop the engine's waits return at once, so the rest of the
 * wait is a plain poll(): still a cancellation point, which force-cancel
 * reaches.
 */
static gboolean
wait_for_output (SpindleProcess  *self,
                 GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  struct pollfd pfd = { self->epfd, POLLIN, 0 };
  int old_state;

  if (self->stop_sent)
    return poll (&pfd, 1, -1) >= 0 || errno == EINTR;

  if (spindle_job_wait_fd (self->job, self->epfd, G_IO_IN, -1, &local_error))
    return TRUE;

  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* most often the thread that asked has sent it already */
  old_state = _spindle_job_block_cancel ();
  _spindle_process_orders_send_stop (self->orders);
  _spindle_job_restore_cancel (old_state);
  self->stop_sent = TRUE;
  return TRUE;
}

/* Until the helper's "done" (see collect_report ()). */
static gboolean
follow (SpindleProcess  *self,
        GError         **error)
{
  while (self->report_fd >= 0 && !self->report_done)
    {
      if (!wait_for_output (self, error))
        return FALSE;

      spindle_job_hold_cancel (self->job);
      drain_ready (self, 0);
      spindle_job_release_cancel (self->job);
      show_running (self);
    }

  /* the command is gone, and with it every writer but the helper: take
   * what is left */
  drain (self, FALSE);
  return TRUE;
}

/* Apart, so that no local of the caller lives across the handler's setjmp. */
static gboolean
follow_guarded (SpindleProcess  *self,
                GError         **error)
{
  gboolean ok;

  pthread_cleanup_push (on_force_cancel, self);
  ok = follow (self, error);
  pthread_cleanup_pop (0);

  return ok;
}

/* Runs @self to its end within @job's body. The helper is reaped before
 * this returns, its step entered in the report then; a force-cancel's
 * unwinding runs that step instead. @destroy, if any, frees @self after
 * the step, on every path.
 */
static GVariant *
run_process (SpindleJob      *job,
             SpindleProcess  *self,
             GDestroyNotify   destroy,
             GError         **error)
{
  GVariant *result = NULL;
  gboolean ok;
  guint reap_id = 0;

  self->job = job;

  spindle_job_hold_cancel (job);
  ok = _spindle_process_launch (self, error);
  if (ok)
    reap_id = spindle_job_push_cleanup_full (job, _("Reap the process helper"), reap_helper_step, self, destroy);
  else if (destroy != NULL)
    destroy (self);
  spindle_job_release_cancel (job);
  if (reap_id == 0)
    return NULL;

  spindle_job_set_phase (job, _("starting"));

  ok = follow_guarded (self, error);

  spindle_job_hold_cancel (job);
  /* the command may have ended of a stop sent by the thread that asked
   * before this one saw the request */
  if (_spindle_process_orders_stop_was_sent (self->orders))
    self->stop_sent = TRUE;
  _spindle_process_record_report (self);
  if (ok)
    result = _spindle_process_conclude (self, error);
  spindle_job_pop_cleanup (job, reap_id, TRUE);
  spindle_job_release_cancel (job);

  return result;
}

static GVariant *
command_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  return run_process (job, data, NULL, error);
}

/* The API *******************************************************************/

static char *
command_name (const char * const *argv)
{
  g_autofree char *joined = g_strjoinv (" ", (char **) argv);

  return g_utf8_make_valid (joined, -1);
}

/**
 * spindle_worker_set_spawn_command:
 * @set: a #SpindleWorkerSet
 * @options: (nullable): as for spindle_worker_set_spawn_full(); the kind
 *   defaults to "command"
 * @argv: (array zero-terminated=1): the program (looked up in PATH) and its
 *   arguments
 * @command_options: (nullable): working directory, environment, stop signal,
 *   output kept
 * @error: return location for a #GError
 *
 * Runs @argv as a process worker: in its own process group under a reaper
 * helper, so that a force-cancel kills the command and every descendant
 * (setsid() escapees too) and the cleanup report lists each process
 * reaped. A stop sends the stop signal to the group, or closes the
 * command's stdin where @command_options say so. The worker FINISHES
 * when the command exits with status 0 and FAILS on another status or a
 * signal, with the last lines of its stderr in the error. The result is an
 * a{sv}: pid, exit-status, signal, stdout and stderr (their last lines).
 * spindle_process_info_get_for_worker() gives its pid and the CPU time,
 * memory and processes of its tree.
 *
 * Returns: (transfer none) (nullable): the worker, owned by the set
 */
SpindleWorker *
spindle_worker_set_spawn_command (SpindleWorkerSet            *set,
                                  const SpindleSpawnOptions   *options,
                                  const char * const          *argv,
                                  const SpindleCommandOptions *command_options,
                                  GError                     **error)
{
  return spindle_worker_set_spawn_command_full (set, options, NULL, argv, command_options, error);
}

/**
 * spindle_worker_set_spawn_command_full:
 * @set: a #SpindleWorkerSet
 * @options: (nullable): as for spindle_worker_set_spawn_full(); the kind
 *   defaults to "command"
 * @name: (nullable): the worker's name; %NULL: the command line
 * @argv: (array zero-terminated=1): the program (looked up in PATH) and its
 *   arguments
 * @command_options: (nullable): working directory, environment, stop signal,
 *   output kept
 * @error: return location for a #GError
 *
 * As spindle_worker_set_spawn_command(), with the worker named @name
 * rather than after its command line.
 *
 * Returns: (transfer none) (nullable): the worker, owned by the set
 *
 * Since: 0.2
 */
SpindleWorker *
spindle_worker_set_spawn_command_full (SpindleWorkerSet            *set,
                                       const SpindleSpawnOptions   *options,
                                       const char                  *name,
                                       const char * const          *argv,
                                       const SpindleCommandOptions *command_options,
                                       GError                     **error)
{
  g_autofree char *line = NULL;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (name == NULL)
    name = line = command_name (argv);
  return _spindle_process_spawn (set, options, "command", name, argv, command_options, error);
}

SpindleWorker *
_spindle_process_spawn (SpindleWorkerSet            *set,
                        const SpindleSpawnOptions   *options,
                        const char                  *kind,
                        const char                  *name,
                        const char * const          *argv,
                        const SpindleCommandOptions *command_options,
                        GError                     **error)
{
  SpindleSpawnOptions spawn_options = { 0 };
  SpindleProcessShared *shared;
  SpindleProcessOrders *orders;
  SpindleProcess *process;
  SpindleWorker *worker;

  if (options != NULL)
    spawn_options = *options;
  if (spawn_options.kind == NULL)
    spawn_options.kind = kind;

  /* the worker's thread may be over, and @process freed, before the
   * spawn returns: what the worker keeps is taken first */
  process = spindle_process_new (argv, command_options);
  shared = process->shared = _spindle_process_shared_new ();
  _spindle_process_shared_ref (shared);
  orders = _spindle_process_orders_ref (process->orders);
  worker = spindle_worker_set_spawn_full (set, &spawn_options, name, command_body,
                                          process, spindle_process_free, error);
  if (worker != NULL)
    {
      _spindle_process_info_attach (worker, shared);
      _spindle_process_orders_follow_requests (orders, worker);
    }
  _spindle_process_shared_unref (shared);
  _spindle_process_orders_unref (orders);

  return worker;
}

/**
 * spindle_job_run_command:
 * @job: the body's job
 * @argv: (array zero-terminated=1): the program (looked up in PATH) and its
 *   arguments
 * @command_options: (nullable): working directory, environment, stop signal,
 *   output kept
 * @error: return location for a #GError
 *
 * Runs @argv from within a worker body, as spindle_worker_set_spawn_command()
 * runs it for a whole worker, and returns when the command has ended: a
 * stop request sends the stop signal to its group and waits for its end; a
 * force-cancel kills the command and every descendant, and unwinds the
 * body. Every process reaped is a step of the worker's cleanup report.
 *
 * Returns: (transfer none) (nullable): a floating a{sv} (pid, exit-status,
 *   signal, stdout, stderr), or %NULL with @error set when the command could
 *   not start, exited with a status other than 0 or was killed without a
 *   stop request
 */
GVariant *
spindle_job_run_command (SpindleJob                  *job,
                         const char * const          *argv,
                         const SpindleCommandOptions *command_options,
                         GError                     **error)
{
  g_return_val_if_fail (job != NULL, NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return run_process (job, spindle_process_new (argv, command_options), spindle_process_free, error);
}

/* Options for bindings *************************************************************/

/**
 * spindle_command_options_new:
 *
 * Options for bindings to fill in, every field its default. Boxed options
 * own their strings and input: set them with
 * spindle_command_options_set_cwd(), spindle_command_options_set_envp()
 * and spindle_command_options_set_stdin_data(). Options on a C stack own
 * nothing.
 *
 * Returns: (transfer full): new options, free with
 *   spindle_command_options_free()
 */
SpindleCommandOptions *
spindle_command_options_new (void)
{
  return g_new0 (SpindleCommandOptions, 1);
}

/**
 * spindle_command_options_copy:
 * @options: options to copy
 *
 * Copies @options with its strings, and a reference to its input.
 *
 * Returns: (transfer full): the copy, free with spindle_command_options_free()
 */
SpindleCommandOptions *
spindle_command_options_copy (const SpindleCommandOptions *options)
{
  SpindleCommandOptions *copy;

  g_return_val_if_fail (options != NULL, NULL);

  copy = g_memdup2 (options, sizeof *options);
  copy->cwd = g_strdup (options->cwd);
  copy->envp = (const char * const *) g_strdupv ((char **) options->envp);
  if (options->stdin_data != NULL)
    g_bytes_ref (options->stdin_data);
  return copy;
}

/**
 * spindle_command_options_free:
 * @options: (nullable): options made by spindle_command_options_new() or
 *   spindle_command_options_copy()
 *
 * Frees @options, its strings and its reference to its input.
 */
void
spindle_command_options_free (SpindleCommandOptions *options)
{
  if (options == NULL)
    return;

  g_free ((char *) options->cwd);
  g_strfreev ((char **) options->envp);
  g_clear_pointer (&options->stdin_data, g_bytes_unref);
  g_free (options);
}

/**
 * spindle_command_options_set_cwd:
 * @options: options made by spindle_command_options_new() or
 *   spindle_command_options_copy()
 * @cwd: (nullable): the directory to run in; %NULL: the host's
 *
 * Sets the working directory of boxed options, which own their copy.
 */
void
spindle_command_options_set_cwd (SpindleCommandOptions *options,
                                 const char            *cwd)
{
  g_return_if_fail (options != NULL);

  g_free ((char *) options->cwd);
  options->cwd = g_strdup (cwd);
}

/**
 * spindle_command_options_set_envp:
 * @options: options made by spindle_command_options_new() or
 *   spindle_command_options_copy()
 * @envp: (nullable) (array zero-terminated=1): the environment; %NULL:
 *   the host's
 *
 * Sets the environment of boxed options, which own their copy.
 */
void
spindle_command_options_set_envp (SpindleCommandOptions *options,
                                  const char * const    *envp)
{
  g_return_if_fail (options != NULL);

  g_strfreev ((char **) options->envp);
  options->envp = (const char * const *) g_strdupv ((char **) envp);
}

/**
 * spindle_command_options_set_stdin_data:
 * @options: options made by spindle_command_options_new() or
 *   spindle_command_options_copy()
 * @data: (nullable): written to the command's stdin; %NULL: no input
 *
 * Sets the input of boxed options, which hold a reference to it.
 *
 * Since: 0.2
 */
void
spindle_command_options_set_stdin_data (SpindleCommandOptions *options,
                                        GBytes                *data)
{
  g_return_if_fail (options != NULL);

  if (data != NULL)
    g_bytes_ref (data);
  g_clear_pointer (&options->stdin_data, g_bytes_unref);
  options->stdin_data = data;
}

G_DEFINE_BOXED_TYPE (SpindleCommandOptions, spindle_command_options,
                     spindle_command_options_copy, spindle_command_options_free)
