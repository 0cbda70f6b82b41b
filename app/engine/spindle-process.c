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
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spindle-i18n-private.h"
#include "spindle-job-private.h"
#include "spindle-process.h"

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
 */

extern char **environ;

#define DEFAULT_OUTPUT_LIMIT (64 * 1024)
#define DEFAULT_GRACE_USEC   G_USEC_PER_SEC
#define LAST_LINES           10
/* The helper gives up on a kill after 5 s; it then still has to report. */
#define HELPER_BOUND_MSEC    7000

typedef struct
{
  SpindleJob  *job;                /* set by the body, for its unwind handler */
  char       **argv;
  char        *cwd;
  char       **envp;
  int          stop_signal;
  gsize        output_limit;
  gint64       grace_usec;

  pid_t        helper_pid;
  int          helper_pidfd;
  int          control_fd;
  int          report_fd;
  int          out_fd;
  int          err_fd;
  int          epfd;

  GString     *report_line;        /* a partial report line */
  GPtrArray   *records;            /* report lines not yet in the cleanup report */
  GPtrArray   *messages;           /* messages of failed steps, kept for their steps */
  GByteArray  *out;
  GByteArray  *err;

  pid_t        main_pid;
  gboolean     main_ended;
  gboolean     main_signaled;
  int          main_code;
  char        *main_comm;
  gboolean     report_done;
  int          exec_errno;
  gboolean     stop_sent;
} SpindleProcess;

/* Set-up and tear-down *****************************************************/

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
spindle_process_free (gpointer data)
{
  SpindleProcess *self = data;

  close_fd (&self->control_fd);
  close_fd (&self->report_fd);
  close_fd (&self->out_fd);
  close_fd (&self->err_fd);
  close_fd (&self->epfd);
  close_fd (&self->helper_pidfd);
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
  self->helper_pid = -1;
  self->helper_pidfd = self->control_fd = self->report_fd = -1;
  self->out_fd = self->err_fd = self->epfd = -1;
  self->report_line = g_string_new (NULL);
  self->records = g_ptr_array_new_with_free_func (g_free);
  self->messages = g_ptr_array_new_with_free_func (g_free);
  self->out = g_byte_array_new ();
  self->err = g_byte_array_new ();

  return self;
}

/* Launching the helper ******************************************************/

static const char *
helper_path (void)
{
  const char *path = g_getenv (SPINDLE_REAPER_ENV);

  return path != NULL && path[0] != '\0' ? path : SPINDLE_REAPER_PATH;
}

static char **
helper_argv (SpindleProcess *self)
{
  GPtrArray *args = g_ptr_array_new ();

  g_ptr_array_add (args, g_strdup (helper_path ()));
  g_ptr_array_add (args, g_strdup ("--grace-ms"));
  g_ptr_array_add (args, g_strdup_printf ("%" G_GINT64_FORMAT, MAX (self->grace_usec / 1000, 1)));
  if (self->cwd != NULL)
    {
      g_ptr_array_add (args, g_strdup ("--cwd"));
      g_ptr_array_add (args, g_strdup (self->cwd));
    }
  g_ptr_array_add (args, g_strdup ("--"));
  for (guint i = 0; self->argv[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (self->argv[i]));
  g_ptr_array_add (args, NULL);

  return (char **) g_ptr_array_free (args, FALSE);
}

/* The helper's ends of its descriptors 1 to 4, moved above 9 so that no
 * dup2() of the file actions overwrites a source still to be used.
 */
typedef struct
{
  int fds[4];
} HelperEnds;

static void
helper_ends_close (HelperEnds *ends)
{
  for (guint i = 0; i < G_N_ELEMENTS (ends->fds); i++)
    close_fd (&ends->fds[i]);
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
  self->control_fd = control[0], ends->fds[2] = control[1];
  if (pipe2 (report, O_CLOEXEC | O_NONBLOCK) < 0)
    return FALSE;
  self->report_fd = report[0], ends->fds[3] = report[1];

  /* the helper's ends block: it polls them itself */
  for (guint i = 0; i < G_N_ELEMENTS (ends->fds); i++)
    if (fcntl (ends->fds[i], F_SETFL, 0) < 0 || !lift (&ends->fds[i]))
      return FALSE;

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

/* posix_spawn() is vfork()+exec(): safe in a threaded host. The helper
 * gets a group of its own, so a Ctrl+C meant for the host does not reach
 * the command behind the host's back, and a clean signal state.
 */
static int
spawn_helper (SpindleProcess *self,
              HelperEnds     *ends)
{
  g_auto(GStrv) args = helper_argv (self);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t all, none;
  int rc;

  sigfillset (&all);
  sigemptyset (&none);
  posix_spawnattr_init (&attr);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup (&attr, 0);
  posix_spawnattr_setsigdefault (&attr, &all);
  posix_spawnattr_setsigmask (&attr, &none);

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_addopen (&actions, 0, "/dev/null", O_RDONLY, 0);
  for (guint i = 0; i < G_N_ELEMENTS (ends->fds); i++)
    posix_spawn_file_actions_adddup2 (&actions, ends->fds[i], (int) i + 1);

  rc = posix_spawn (&self->helper_pid, args[0], &actions, &attr, args,
                    self->envp != NULL ? self->envp : environ);

  posix_spawn_file_actions_destroy (&actions);
  posix_spawnattr_destroy (&attr);

  return rc;
}

static gboolean
launch (SpindleProcess  *self,
        GError         **error)
{
  HelperEnds ends = { { -1, -1, -1, -1 } };
  int rc = 0;

  if (!make_channels (self, &ends) || !watch_channels (self))
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

  /* without a pidfd (Linux < 5.3) the helper is reaped unbounded */
  self->helper_pidfd = (int) syscall (SYS_pidfd_open, self->helper_pid, 0);
  return TRUE;
}

/* Orders and output ********************************************************/

/* A helper that is gone cannot be told anything: MSG_NOSIGNAL keeps the
 * host from SIGPIPE.
 */
static void
send_order (SpindleProcess *self,
            const char     *order)
{
  g_autofree char *line = g_strconcat (order, "\n", NULL);

  if (self->control_fd >= 0 &&
      send (self->control_fd, line, strlen (line), MSG_NOSIGNAL) < 0)
    g_debug ("Could not send “%s” to the process helper: %s", order, g_strerror (errno));
}

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

static void
parse_main (SpindleProcess *self,
            const char     *line)
{
  char how[16] = "";
  int pid, code, end = 0;

  if (sscanf (line, "main %d %15s %d %n", &pid, how, &code, &end) < 3)
    return;

  self->main_ended = TRUE;
  self->main_signaled = g_str_equal (how, "signaled");
  self->main_code = code;
  g_free (self->main_comm);
  self->main_comm = g_strdup (line + end);
}

static void
take_record (SpindleProcess *self,
             const char     *line)
{
  if (g_str_has_prefix (line, "started "))
    self->main_pid = (pid_t) g_ascii_strtoll (line + 8, NULL, 10);
  else if (g_str_has_prefix (line, "exec-failed "))
    self->exec_errno = (int) g_ascii_strtoll (line + 12, NULL, 10);
  else if (g_str_equal (line, "done"))
    self->report_done = TRUE;
  else
    {
      if (g_str_has_prefix (line, "main "))
        parse_main (self, line);
      g_ptr_array_add (self->records, g_strdup (line));
    }
}

static void
take_report (SpindleProcess *self,
             const char     *data,
             gsize           len)
{
  char *newline;

  g_string_append_len (self->report_line, data, len);
  while ((newline = strchr (self->report_line->str, '\n')) != NULL)
    {
      *newline = '\0';
      take_record (self, self->report_line->str);
      g_string_erase (self->report_line, 0, newline - self->report_line->str + 1);
    }
}

/* Reads what @fd holds now; FALSE at its end (or on an error). */
static gboolean
drain_one (SpindleProcess *self,
           int             fd)
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
        take_report (self, buf, n);
      else
        keep_tail (fd == self->out_fd ? self->out : self->err, buf, n, self->output_limit);
    }
}

static void
drain (SpindleProcess *self)
{
  int *fds[] = { &self->out_fd, &self->err_fd, &self->report_fd };

  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    if (*fds[i] >= 0 && !drain_one (self, *fds[i]))
      {
        epoll_ctl (self->epfd, EPOLL_CTL_DEL, *fds[i], NULL);
        close_fd (fds[i]);
      }
}

/* The cleanup report *******************************************************/

static char *
describe_end (const char *how,
              int         code)
{
  const char *abbrev;

  if (!g_str_equal (how, "signaled"))
    return g_strdup_printf (_("exited with status %d"), code);

  abbrev = sigabbrev_np (code);
  if (abbrev == NULL)
    return g_strdup_printf (_("was killed by signal %d"), code);
  return g_strdup_printf (_("was killed by SIG%s"), abbrev);
}

static gboolean
step_ok (gpointer   data,
         GError   **error)
{
  return TRUE;
}

static gboolean
step_failed (gpointer   data,
             GError   **error)
{
  g_set_error_literal (error, SPINDLE_ERROR, SPINDLE_ERROR_CLEANUP_FAILED, data);
  return FALSE;
}

/* A step that has already happened, entered in the report through the
 * cleanup stack (a step run early is part of the report).
 */
static void
record_step (SpindleProcess *self,
             const char     *label,
             const char     *failure)
{
  guint id;

  if (failure == NULL)
    id = spindle_job_push_cleanup (self->job, label, step_ok, NULL);
  else
    {
      char *message = g_strdup (failure);

      g_ptr_array_add (self->messages, message);
      id = spindle_job_push_cleanup (self->job, label, step_failed, message);
    }

  if (id != 0)
    spindle_job_pop_cleanup (self->job, id, TRUE);
}

static void
record_line (SpindleProcess *self,
             const char     *line)
{
  char what[16] = "", how[16] = "";
  int pid = 0, code = 0, end = 0;
  g_autofree char *label = NULL;
  g_autofree char *ended = NULL;

  if (sscanf (line, "%15s %d %n", what, &pid, &end) < 2)
    return;

  if (g_str_equal (what, "main") || g_str_equal (what, "reaped"))
    {
      int comm_at = 0;

      if (sscanf (line + end, "%15s %d %n", how, &code, &comm_at) < 2)
        return;
      ended = describe_end (how, code);
      label = g_strdup_printf (g_str_equal (what, "main") ? _("Command %d (%s) %s, reaped")
                                                          : _("Descendant %d (%s) %s, reaped"),
                               pid, line + end + comm_at, ended);
      record_step (self, label, NULL);
    }
  else if (g_str_equal (what, "gone"))
    {
      label = g_strdup_printf (_("Descendant %d (%s) ended, reaped by its own parent"), pid, line + end);
      record_step (self, label, NULL);
    }
  else if (g_str_equal (what, "unreaped"))
    {
      label = g_strdup_printf (_("Descendant %d could not be reaped"), pid);
      ended = g_strdup_printf (_("Still there after the kill, in state %s"), line + end);
      record_step (self, label, ended);
    }
}

static void
record_report (SpindleProcess *self)
{
  for (guint i = 0; i < self->records->len; i++)
    record_line (self, g_ptr_array_index (self->records, i));
  g_ptr_array_set_size (self->records, 0);

  if (self->helper_pid > 0 && self->exec_errno == 0 && !self->report_done)
    record_step (self, _("The process helper's report"),
                 _("The helper ended without its full report: processes may be left behind"));
  self->report_done = TRUE;
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

  close_fd (&self->control_fd);
  in_time = helper_exited_within (self, HELPER_BOUND_MSEC);
  if (!in_time)
    kill (self->helper_pid, SIGKILL);

  while (waitpid (self->helper_pid, &status, 0) < 0 && errno == EINTR)
    ;
  self->helper_pid = -1;
  close_fd (&self->helper_pidfd);

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

static void
show_running (SpindleProcess *self)
{
  g_autofree char *phase = NULL;

  if (self->main_ended || self->main_pid <= 0)
    return;

  phase = g_strdup_printf (self->stop_sent ? _("pid %d stopping") : _("pid %d running"), self->main_pid);
  spindle_job_set_phase (self->job, phase);
}

/* Collects the report after the kill order, bounded by the helper's own
 * bound; cancellation is off here.
 */
static void
collect_report (SpindleProcess *self)
{
  gint64 deadline = g_get_monotonic_time () + HELPER_BOUND_MSEC * (gint64) 1000;

  while (self->report_fd >= 0)
    {
      struct pollfd pfd = { self->epfd, POLLIN, 0 };
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0)
        break;
      if (poll (&pfd, 1, (int) (left / 1000) + 1) < 0 && errno != EINTR)
        break;
      drain (self);
    }
}

/* Runs while a force-cancel unwinds the body: the kill, and the report of
 * it, step by step, before the cleanup stack runs.
 */
static void
on_force_cancel (gpointer data)
{
  SpindleProcess *self = data;

  _spindle_job_forget_unwound_frames ();
  send_order (self, "kill");
  collect_report (self);
  record_report (self);
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
  g_autofree char *order = NULL;

  if (self->stop_sent)
    return poll (&pfd, 1, -1) >= 0 || errno == EINTR;

  if (spindle_job_wait_fd (self->job, self->epfd, G_IO_IN, -1, &local_error))
    return TRUE;

  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  order = g_strdup_printf ("stop %d", self->stop_signal);
  send_order (self, order);
  self->stop_sent = TRUE;
  return TRUE;
}

static gboolean
follow (SpindleProcess  *self,
        GError         **error)
{
  while (self->report_fd >= 0)
    {
      if (!wait_for_output (self, error))
        return FALSE;

      spindle_job_hold_cancel (self->job);
      drain (self);
      spindle_job_release_cancel (self->job);
      show_running (self);
    }

  /* the helper is gone, and with it every writer: take what is left */
  drain (self);
  return TRUE;
}

/* The outcome ***************************************************************/

static char *
last_lines (GByteArray *buffer)
{
  g_autofree char *text = NULL;
  const char *start;
  guint lines = 0;

  if (buffer->len == 0)
    return g_strdup ("");

  text = g_utf8_make_valid ((const char *) buffer->data, buffer->len);
  start = text + strlen (text);

  while (start > text && g_ascii_isspace (start[-1]))
    start--;
  for (; start > text; start--)
    if (start[-1] == '\n' && ++lines == LAST_LINES)
      break;

  return g_strchomp (g_strdup (start));
}

static GVariant *
make_result (SpindleProcess *self)
{
  g_autofree char *out = last_lines (self->out);
  g_autofree char *err = last_lines (self->err);
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "pid", "i", (gint32) self->main_pid);
  g_variant_dict_insert (&dict, "exit-status", "i", self->main_signaled ? -1 : self->main_code);
  g_variant_dict_insert (&dict, "signal", "i", self->main_signaled ? self->main_code : 0);
  g_variant_dict_insert (&dict, "stdout", "s", out);
  g_variant_dict_insert (&dict, "stderr", "s", err);

  return g_variant_dict_end (&dict);
}

static void
show_end (SpindleProcess *self)
{
  g_autofree char *ended = describe_end (self->main_signaled ? "signaled" : "exited", self->main_code);
  g_autofree char *phase = g_strdup_printf (_("pid %d %s"), self->main_pid, ended);

  spindle_job_set_phase (self->job, phase);
}

static GVariant *
conclude (SpindleProcess  *self,
          GError         **error)
{
  g_autofree char *ended = NULL;
  g_autofree char *err = NULL;

  if (self->exec_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (self->exec_errno),
                   _("Could not start “%s”: %s"), self->argv[0], g_strerror (self->exec_errno));
      return NULL;
    }

  if (!self->main_ended)
    {
      g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_CLEANUP_FAILED,
                   _("The process helper ended without telling how “%s” ended"), self->argv[0]);
      return NULL;
    }

  show_end (self);
  if (self->stop_sent || (!self->main_signaled && self->main_code == 0))
    return make_result (self);

  ended = describe_end (self->main_signaled ? "signaled" : "exited", self->main_code);
  err = last_lines (self->err);
  g_set_error (error,
               self->main_signaled ? G_SPAWN_ERROR : G_SPAWN_EXIT_ERROR,
               self->main_signaled ? G_SPAWN_ERROR_FAILED : self->main_code,
               _("The command “%s” %s%s%s"), self->argv[0], ended,
               err[0] != '\0' ? _("; the last lines of its stderr:\n") : "", err);
  return NULL;
}

static GVariant *
command_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  SpindleProcess *self = data;
  gboolean ok;

  self->job = job;

  spindle_job_hold_cancel (job);
  ok = launch (self, error);
  if (ok)
    spindle_job_push_cleanup (job, _("Reap the process helper"), reap_helper_step, self);
  spindle_job_release_cancel (job);
  if (!ok)
    return NULL;

  spindle_job_set_phase (job, _("starting"));

  pthread_cleanup_push (on_force_cancel, self);
  ok = follow (self, error);
  pthread_cleanup_pop (0);

  spindle_job_hold_cancel (job);
  record_report (self);
  spindle_job_release_cancel (job);

  if (!ok)
    return NULL;
  return conclude (self, error);
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
 * reaped. A stop sends the stop signal to the group. The worker FINISHES
 * when the command exits with status 0 and FAILS on another status or a
 * signal, with the last lines of its stderr in the error. The result is an
 * a{sv}: pid, exit-status, signal, stdout and stderr (their last lines).
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
  SpindleSpawnOptions spawn_options = { 0 };
  g_autofree char *name = NULL;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options != NULL)
    spawn_options = *options;
  if (spawn_options.kind == NULL)
    spawn_options.kind = "command";

  name = command_name (argv);
  return spindle_worker_set_spawn_full (set, &spawn_options, name, command_body,
                                        spindle_process_new (argv, command_options),
                                        spindle_process_free, error);
}
