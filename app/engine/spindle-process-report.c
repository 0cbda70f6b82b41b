/* spindle-process-report.c
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
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spindle-i18n-private.h"
#include "spindle-job-private.h"
#include "spindle-process-private.h"

/* What the reaper helper reports, one record a line (see
 * app/helpers/spindle-reaper.c), becomes cleanup steps, one per process
 * reaped, and the command's end becomes the worker's result or error.
 */

#define LAST_LINES 10

/* The helper's report *******************************************************/

/* "main …", or "unexeced …" for a command that ended before its exec. */
static void
parse_main (SpindleProcess *self,
            const char     *line)
{
  char what[16] = "", how[16] = "";
  int pid, code, end = 0;

  if (sscanf (line, "%15s %d %15s %d %n", what, &pid, how, &code, &end) < 4)
    return;

  self->main_ended = TRUE;
  self->main_unexeced = g_str_equal (what, "unexeced");
  _spindle_process_shared_set_pid (self->shared, 0);
  self->main_signaled = g_str_equal (how, "signaled");
  self->main_code = code;
  g_free (self->main_comm);
  self->main_comm = g_strdup (line + end);
}

/* The cgroup a "contained" record names, or NULL; @scope: whether a
 * systemd scope, which is the manager's to remove. A cgroup's record may
 * end in a tab and why a scope was refused (a reason holds no tab). */
static char *
containment_dir (const char *line,
                 gboolean   *scope)
{
  const char *space;

  *scope = g_str_has_prefix (line, "contained scope ");
  if (g_str_has_prefix (line, "contained cgroup "))
    {
      const char *tab = strrchr (line + 17, '\t');

      return tab != NULL ? g_strndup (line + 17, tab - (line + 17)) : g_strdup (line + 17);
    }
  if (*scope && (space = strchr (line + 16, ' ')) != NULL)
    return g_strdup (space + 1);
  return NULL;
}

static void
take_record (SpindleProcess *self,
             const char     *line)
{
  gboolean scope;
  g_autofree char *dir = containment_dir (line, &scope);

  /* the host's own kill needs it, and the helper is not reaped yet */
  if (dir != NULL)
    _spindle_process_orders_set_cgroup (self->orders, dir);

  if (g_str_has_prefix (line, "started "))
    {
      self->main_pid = (pid_t) g_ascii_strtoll (line + 8, NULL, 10);
      _spindle_process_shared_set_pid (self->shared, self->main_pid);
    }
  else if (g_str_has_prefix (line, "exec-failed "))
    self->exec_errno = (int) g_ascii_strtoll (line + 12, NULL, 10);
  else if (g_str_has_prefix (line, "no-process "))
    self->fork_errno = (int) g_ascii_strtoll (line + 11, NULL, 10);
  else if (g_str_equal (line, "done"))
    self->report_done = TRUE;
  else
    {
      if (g_str_has_prefix (line, "main ") || g_str_has_prefix (line, "unexeced "))
        parse_main (self, line);
      g_ptr_array_add (self->records, g_strdup (line));
    }
}

void
_spindle_process_take_report (SpindleProcess *self,
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

/* The end of a command that ended before it executed its program (its
 * process made, then killed while paused for a scope, say). */
static char *
describe_main_end (const char *how,
                   int         code,
                   gboolean    unexeced)
{
  g_autofree char *ended = describe_end (how, code);

  /* Translators: %s is how a process ended ("was killed by SIGKILL");
   * it ended before it executed its program */
  return unexeced ? g_strdup_printf (_("%s before its exec"), ended) : g_steal_pointer (&ended);
}

/* Why no process could be made: clone() and fork() fail with EAGAIN at a
 * limit of processes (RLIMIT_NPROC, a cgroup's pids.max, the system's). */
static const char *
describe_fork_error (int error)
{
  return error == EAGAIN ? _("too many processes") : g_strerror (error);
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
 * cleanup stack (a step run early is part of the report). A step about
 * one process says which, beside its words (see record_process_step ()).
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

/* The process's rows (spindle-process-tree.c) take the words of the step
 * for their pid, and the process a walk never met gets its row from it:
 * the pid and the name go with the step through the job's cleanup, into
 * the report beside its words, never read back from them.
 */
static void
record_process_step (SpindleProcess *self,
                     const char     *label,
                     int             pid,
                     const char     *name)
{
  _spindle_job_record_process_step (self->job, label, pid, name);
}

/* Where the helper kept the command: a cgroup of its own (which a kill
 * empties at once, whatever forked or left the session) or its process
 * group alone. Returns FALSE for a line of another kind.
 */
static gboolean
record_containment (SpindleProcess *self,
                    const char     *line)
{
  g_autofree char *label = NULL;
  g_autofree char *failure = NULL;
  char unit[128] = "";
  gboolean scope;
  gsize n = 0;
  int end = 0;

  if (g_str_has_prefix (line, "contained cgroup "))
    {
      g_autofree char *dir = containment_dir (line, &scope);
      const char *refused = line + 17 + strlen (dir);

      if (*refused == '\t')
        label = g_strdup_printf (_("Contained in cgroup %s (a systemd scope was refused: %s)"), dir, refused + 1);
      else
        label = g_strdup_printf (_("Contained in cgroup %s"), dir);
    }
  else if (sscanf (line, "contained scope %127s %n", unit, &end) == 1 && end > 0)
    label = g_strdup_printf (_("Contained in systemd scope %s (cgroup %s)"), unit, line + end);
  else if (g_str_has_prefix (line, "contained group "))
    label = g_strdup_printf (_("Process group only (%s): a descendant that called setsid() can escape if the process helper dies"),
                             line + 16);
  else if (g_str_has_prefix (line, "cgroup-removed "))
    label = g_strdup_printf (_("Cgroup %s emptied and removed"), line + 15);
  else if (g_str_has_prefix (line, "cgroup-emptied "))
    label = g_strdup_printf (_("Cgroup %s emptied"), line + 15);
  else if (sscanf (line, "cgroup-left %" G_GSIZE_FORMAT " %n", &n, &end) == 1 && end > 0)
    {
      label = g_strdup_printf (_("Cgroup %s could not be removed"), line + end);
      failure = g_strdup_printf (g_dngettext (SPINDLE_GETTEXT_PACKAGE,
                                              "%lu process still in it after the kill",
                                              "%lu processes still in it after the kill",
                                              (gulong) n), (gulong) n);
    }
  else
    return FALSE;

  record_step (self, label, failure);
  return TRUE;
}

static void
record_line (SpindleProcess *self,
             const char     *line)
{
  char what[16] = "", how[16] = "";
  int pid = 0, code = 0, end = 0;
  g_autofree char *label = NULL;
  g_autofree char *ended = NULL;

  if (record_containment (self, line))
    return;
  if (sscanf (line, "%15s %d %n", what, &pid, &end) < 2)
    return;

  if (g_str_equal (what, "main") || g_str_equal (what, "unexeced") || g_str_equal (what, "reaped"))
    {
      gboolean command = !g_str_equal (what, "reaped");
      int comm_at = 0;

      if (sscanf (line + end, "%15s %d %n", how, &code, &comm_at) < 2)
        return;
      ended = describe_main_end (how, code, g_str_equal (what, "unexeced"));
      label = g_strdup_printf (command ? _("Command %d (%s) %s, reaped") : _("Descendant %d (%s) %s, reaped"),
                               pid, line + end + comm_at, ended);
      record_process_step (self, label, pid, line + end + comm_at);
    }
  else if (g_str_equal (what, "gone"))
    {
      label = g_strdup_printf (_("Descendant %d (%s) ended, reaped by its own parent"), pid, line + end);
      record_process_step (self, label, pid, line + end);
    }
  else if (g_str_equal (what, "unreaped"))
    {
      label = g_strdup_printf (_("Descendant %d could not be reaped"), pid);
      ended = g_strdup_printf (_("Still there after the kill, in state %s"), line + end);
      record_step (self, label, ended);
    }
}

/* Removes the cgroups below @dir, deepest first: the command may have made
 * cgroups in its own, and a cgroup with children refuses rmdir(). */
static void
remove_subtree (const char *dir,
                guint       depth)
{
  g_autoptr(GDir) children = depth < 16 ? g_dir_open (dir, 0, NULL) : NULL;
  const char *name;

  while (children != NULL && (name = g_dir_read_name (children)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          remove_subtree (path, depth + 1);
          rmdir (path);
        }
    }
}

/* Waits, bounded, for cgroup.events to say "populated 0" (its change is
 * POLLPRI), and removes the cgroup with the cgroups below it. */
static gboolean
remove_when_empty (const char *dir)
{
  g_autofree char *events_path = g_build_filename (dir, "cgroup.events", NULL);
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;
  int fd = open (events_path, O_RDONLY | O_CLOEXEC);
  gboolean empty = FALSE;

  while (fd >= 0 && !empty && g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { fd, POLLPRI, 0 };
      char events[256];
      ssize_t n = pread (fd, events, sizeof events - 1, 0);

      events[MAX (n, 0)] = '\0';
      empty = n > 0 && strstr (events, "populated 0") != NULL;
      if (!empty)
        poll (&pfd, 1, (int) ((deadline - g_get_monotonic_time ()) / 1000) + 1);
    }
  if (fd >= 0)
    close (fd);
  if (empty)
    remove_subtree (dir, 0);
  return empty && rmdir (dir) == 0;
}

/* A helper that died before the end of its report (SIGKILLed, say) left
 * the command's cgroup behind, and what is in it no longer has a
 * subreaper: one write to cgroup.kill from here ends it all, setsid()
 * escapees included.
 */
static void
kill_left_cgroup (SpindleProcess *self,
                  const char     *dir,
                  gboolean        scope)
{
  g_autofree char *kill_path = g_build_filename (dir, "cgroup.kill", NULL);
  g_autofree char *label = NULL;
  g_autofree char *failure = NULL;
  int fd = open (kill_path, O_WRONLY | O_CLOEXEC);
  gboolean killed = fd >= 0 && write (fd, "1", 1) == 1;
  int error = errno;

  if (fd >= 0)
    close (fd);
  if (!killed)
    failure = g_strdup_printf (_("Could not write its cgroup.kill: %s"), g_strerror (error));
  if (killed && !scope && remove_when_empty (dir))
    label = g_strdup_printf (_("Cgroup %s killed and removed by the host, as the process helper was gone"), dir);
  else
    label = g_strdup_printf (_("Cgroup %s killed by the host, as the process helper was gone"), dir);
  record_step (self, label, failure);
}

/* The pid a record of a process's end names, or 0. */
static pid_t
record_pid (const char *line)
{
  static const char * const kinds[] = { "main ", "unexeced ", "reaped ", "gone ", "unreaped " };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_has_prefix (line, kinds[i]))
      return (pid_t) g_ascii_strtoll (line + strlen (kinds[i]), NULL, 10);
  return 0;
}

/* The pids that the records mention, each to its line's index + 1; @at:
 * where the lines before the cgroup's removal end. */
static GHashTable *
mentioned_pids (GPtrArray *records,
                guint     *at)
{
  GHashTable *mentioned = g_hash_table_new (NULL, NULL);

  *at = 0;
  for (guint i = 0; i < records->len; i++)
    {
      const char *line = g_ptr_array_index (records, i);
      pid_t pid = record_pid (line);

      if (pid > 0)
        g_hash_table_insert (mentioned, GINT_TO_POINTER (pid), GUINT_TO_POINTER (i + 1));
      if (pid > 0 || !g_str_has_prefix (line, "cgroup-"))
        *at = i + 1;
    }
  return mentioned;
}

/* A process the host named before its own kill and the helper never
 * mentions ended under its own parent, in the cgroup, which reaped it: it
 * is reported as the helper reports what it named and did not reap,
 * before the cgroup's removal. One that the helper could no longer name
 * ("gone PID ?": its parent had reaped it already) takes the host's name.
 * Without the helper's whole report (the helper was killed) nothing is
 * known of their end.
 */
static void
add_host_named (SpindleProcess *self)
{
  g_autoptr(GArray) named = _spindle_process_orders_steal_named (self->orders);
  g_autoptr(GHashTable) mentioned = NULL;
  g_autoptr(GPtrArray) unseen = NULL;
  guint at;

  if (named == NULL || !self->report_done)
    return;

  mentioned = mentioned_pids (self->records, &at);
  unseen = g_ptr_array_new ();
  for (guint i = 0; i < named->len; i++)
    {
      SpindleProcessNamed *one = &g_array_index (named, SpindleProcessNamed, i);
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (mentioned, GINT_TO_POINTER (one->pid)));
      g_autofree char *nameless = g_strdup_printf ("gone %d ?", (int) one->pid);
      char **line = index > 0 ? (char **) &g_ptr_array_index (self->records, index - 1) : NULL;

      if (line == NULL)
        g_ptr_array_add (unseen, one);
      else if (g_str_equal (*line, nameless))
        {
          g_free (*line);
          *line = g_strdup_printf ("gone %d %s", (int) one->pid, one->comm);
        }
    }

  for (guint i = 0; i < unseen->len; i++)
    {
      SpindleProcessNamed *one = g_ptr_array_index (unseen, i);

      g_ptr_array_insert (self->records, at + i, g_strdup_printf ("gone %d %s", (int) one->pid, one->comm));
    }
}

void
_spindle_process_record_report (SpindleProcess *self)
{
  g_autofree char *contained = NULL;
  gboolean scope = FALSE;

  add_host_named (self);

  for (guint i = 0; i < self->records->len; i++)
    {
      const char *line = g_ptr_array_index (self->records, i);
      gboolean line_scope = FALSE;
      g_autofree char *dir = containment_dir (line, &line_scope);

      record_line (self, line);
      if (dir != NULL && contained == NULL)
        {
          contained = g_steal_pointer (&dir);
          scope = line_scope;
        }
    }
  g_ptr_array_set_size (self->records, 0);

  if (self->fork_errno != 0)
    {
      g_autofree char *label = g_strdup_printf (_("The system refused to create the command's process: %s"),
                                                describe_fork_error (self->fork_errno));

      record_step (self, label, NULL);
    }

  if (self->helper_pid > 0 && self->exec_errno == 0 && self->fork_errno == 0 && !self->report_done)
    {
      record_step (self, _("The process helper's report"),
                   _("The helper did not give its full report: processes may be left behind"));
      if (contained != NULL)
        kill_left_cgroup (self, contained, scope);
    }
  self->report_done = TRUE;
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
  g_autofree char *ended = describe_main_end (self->main_signaled ? "signaled" : "exited", self->main_code,
                                              self->main_unexeced);
  g_autofree char *phase = g_strdup_printf (_("pid %d %s"), self->main_pid, ended);

  spindle_job_set_phase (self->job, phase);
}

GVariant *
_spindle_process_conclude (SpindleProcess  *self,
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

  /* not the program's fault: g_spawn's code for a fork refused */
  if (self->fork_errno != 0)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FORK,
                   _("Could not start “%s”: the system refused to create its process: %s"),
                   self->argv[0], describe_fork_error (self->fork_errno));
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

  ended = describe_main_end (self->main_signaled ? "signaled" : "exited", self->main_code, self->main_unexeced);
  err = last_lines (self->err);
  g_set_error (error,
               self->main_signaled ? G_SPAWN_ERROR : G_SPAWN_EXIT_ERROR,
               self->main_signaled ? G_SPAWN_ERROR_FAILED : self->main_code,
               _("The command “%s” %s%s%s"), self->argv[0], ended,
               err[0] != '\0' ? _("; the last lines of its stderr:\n") : "", err);
  return NULL;
}
