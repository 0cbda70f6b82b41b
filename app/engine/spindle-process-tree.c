/* spindle-process-tree.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-process"

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-process-tree-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* A process worker's processes as rows under it: each process of its
 * tree (the command, its descendants, and the orphans its reaper helper
 * adopted) is a plain SpindleWorker with no job, in the children of its
 * parent process's row, or of the worker for the command and the orphans,
 * as spindle-remote-mirror.c makes the rows of another program's workers.
 * Its fields are set here, on the set's context, from the walks of the
 * tree that spindle_process_info_update() makes, with the notifies a
 * worker would emit. A row is RUNNING while its process exists (a zombie
 * too: it is not reaped yet) and FINISHED once it is gone.
 *
 * Such a row is no worker: it cannot be stopped, cancelled or abandoned on
 * its own (the worker's requests reach its processes through the helper),
 * the set does not count it, and spindle_worker_is_tree_process() tells it
 * apart. Its tid is the process's pid.
 *
 * While the worker lives, a row whose process is gone is dropped after
 * KEEP_GONE_USEC, so that a shell running command after command does not
 * grow its list without end; once the worker is over its last rows stay,
 * each with the words of the cleanup report's step for its pid, and a
 * process the report names that no walk saw gets a row then: the rows
 * and the report name the same processes.
 */

#define KEEP_GONE_USEC   (10 * G_USEC_PER_SEC)
/* a row's CPU use is a difference: two walks closer than this (the side
 * pane's and the list's on one tick) would measure nothing but noise */
#define MIN_SAMPLE_GAP   (100 * 1000)
/* a fork bomb is the helper's to end: the list shows its first rows */
#define MAX_LIVE_ROWS    256
#define MAX_WALK         4096

typedef struct
{
  SpindleWorker *row;          /* owned */
  guint64        start_ticks;
  gint64         gone_at;      /* monotonic µs; 0 while the process exists */
} Row;

struct _SpindleProcessTree
{
  SpindleWorker *worker;       /* weak: the process worker */
  GPtrArray     *rows;         /* Row, oldest first */
  GHashTable    *live;         /* pid → Row of a process that exists */
  gboolean       followed;     /* walked while the worker lived */
  gboolean       ended;
};

/* /proc ***********************************************************************/

static gint64
ticks_to_usec (guint64 ticks)
{
  static long hz;

  if (hz == 0)
    hz = MAX (sysconf (_SC_CLK_TCK), 1);
  return (gint64) (ticks * G_USEC_PER_SEC / (guint64) hz);
}

/* The kernel gives a start in ticks since boot; suspend counts in it. */
static gint64
start_to_monotonic (guint64 start_ticks)
{
  struct timespec boot;
  gint64 now = g_get_monotonic_time ();

  if (clock_gettime (CLOCK_BOOTTIME, &boot) != 0)
    return now;
  return now - (boot.tv_sec * G_USEC_PER_SEC + boot.tv_nsec / 1000 - ticks_to_usec (start_ticks));
}

static gboolean
read_file (const char *path,
           char       *buf,
           gsize       size)
{
  gssize n;
  int fd;

  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return FALSE;
  n = read (fd, buf, size - 1);
  close (fd);
  if (n <= 0)
    return FALSE;

  buf[n] = '\0';
  return TRUE;
}

gboolean
_spindle_process_entry_read (int                  pid,
                             SpindleProcessEntry *entry)
{
  char path[64], stat[1024];
  const char *open_paren, *close_paren;
  unsigned long utime = 0, stime = 0;
  unsigned long long start = 0;
  long rss = 0;

  g_snprintf (path, sizeof path, "/proc/%d/stat", pid);
  if (!read_file (path, stat, sizeof stat) ||
      (open_paren = strchr (stat, '(')) == NULL || (close_paren = strrchr (stat, ')')) == NULL)
    return FALSE;

  /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
   * utime stime cutime cstime priority nice threads itrealvalue starttime
   * vsize rss */
  if (sscanf (close_paren + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu "
              "%*d %*d %*d %*d %d %*d %llu %*u %ld",
              &entry->state, &entry->ppid, &utime, &stime, &entry->n_threads, &start, &rss) != 7)
    return FALSE;

  entry->pid = pid;
  g_strlcpy (entry->name, open_paren + 1, MIN (sizeof entry->name, (gsize) (close_paren - open_paren)));
  entry->start_ticks = start;
  entry->started_at = start_to_monotonic (start);
  entry->cpu_ns = ticks_to_usec (utime + stime) * 1000;
  entry->rss_bytes = (guint64) MAX (rss, 0) * (guint64) sysconf (_SC_PAGESIZE);
  return TRUE;
}

static void
add_children_of_task (int     pid,
                      int     tid,
                      GArray *children)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/children", pid, tid);
  g_autofree char *contents = NULL;
  char *end;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  for (const char *p = contents; *p != '\0'; p = end)
    {
      int child = (int) g_ascii_strtoll (p, &end, 10);

      if (end == p)
        break;
      if (child > 0)
        g_array_append_val (children, child);
    }
}

/* The children of @pid, from each of its threads' children file: a
 * process of one thread (@n_threads; 0 when not known) has one, and its
 * task directory need not be listed.
 */
static GArray *
list_children (int pid,
               int n_threads)
{
  g_autofree char *task_path = NULL;
  g_autoptr(GDir) tasks = NULL;
  GArray *children = g_array_new (FALSE, FALSE, sizeof (int));
  const char *tid;

  if (n_threads == 1)
    {
      add_children_of_task (pid, pid, children);
      return children;
    }

  task_path = g_strdup_printf ("/proc/%d/task", pid);
  tasks = g_dir_open (task_path, 0, NULL);
  while (tasks != NULL && (tid = g_dir_read_name (tasks)) != NULL)
    add_children_of_task (pid, atoi (tid), children);

  return children;
}

static void
walk (int     pid,
      GArray *entries)
{
  g_autoptr(GArray) children = NULL;
  SpindleProcessEntry entry;

  if (entries->len >= MAX_WALK || !_spindle_process_entry_read (pid, &entry))
    return;

  g_array_append_val (entries, entry);
  children = list_children (pid, entry.n_threads);
  for (guint i = 0; i < children->len; i++)
    walk (g_array_index (children, int, i), entries);
}

/* Appends @root (unless @with_root is FALSE) and its descendants to
 * @entries, each before its children; among @root's children, @first
 * (if it is one) and its own come first.
 */
void
_spindle_process_tree_walk (int       root,
                            gboolean  with_root,
                            int       first,
                            GArray   *entries)
{
  g_autoptr(GArray) children = NULL;

  if (with_root)
    {
      walk (root, entries);
      return;
    }

  children = list_children (root, 0);
  if (first > 0)
    for (guint i = 0; i < children->len; i++)
      if (g_array_index (children, int, i) == first)
        walk (first, entries);
  for (guint i = 0; i < children->len; i++)
    if (g_array_index (children, int, i) != first)
      walk (g_array_index (children, int, i), entries);
}

/* Rows ***********************************************************************/

static void
row_free (gpointer data)
{
  Row *row = data;

  g_object_unref (row->row);
  g_free (row);
}

static Row *
add_row (SpindleProcessTree        *self,
         const SpindleProcessEntry *entry,
         gint64                     now,
         gboolean                   gone)
{
  SpindleWorkerSet *set = self->worker != NULL ? self->worker->set : NULL;
  Row *parent = g_hash_table_lookup (self->live, GINT_TO_POINTER (entry->ppid));
  SpindleWorker *parent_worker = parent != NULL ? parent->row : self->worker;
  SpindleWorker *worker;
  Row *row;

  if (set == NULL || (!gone && g_hash_table_size (self->live) >= MAX_LIVE_ROWS))
    return NULL;

  worker = g_object_new (SPINDLE_TYPE_WORKER, NULL);
  worker->tree_process = TRUE;
  worker->set = set;
  worker->id = ++set->last_id;
  worker->name = g_strdup (entry->name);
  worker->kind = g_strdup ("process");
  worker->tid = entry->pid;
  worker->context = g_main_context_ref (set->context);
  worker->owner = set->owner;
  worker->state = gone ? SPINDLE_WORKER_STATE_FINISHED : SPINDLE_WORKER_STATE_RUNNING;
  worker->started_at = entry->started_at;
  worker->finished_at = gone ? now : 0;
  g_set_weak_pointer (&worker->parent, parent_worker);
  _spindle_worker_record (worker, SPINDLE_HISTORY_STATE);

  row = g_new0 (Row, 1);
  row->row = worker;
  row->start_ticks = entry->start_ticks;
  row->gone_at = gone ? now : 0;
  g_ptr_array_add (self->rows, row);
  if (!gone)
    g_hash_table_insert (self->live, GINT_TO_POINTER (entry->pid), row);

  g_list_store_append (parent_worker->children, worker);
  return row;
}

static void
update_row (Row                       *row,
            const SpindleProcessEntry *entry,
            gint64                     now)
{
  SpindleWorker *worker = row->row;
  SpindleSample sample = { .cpu_time = entry->cpu_ns, .at = now, .detailed = TRUE,
                           .kernel_state = entry->state };
  char path[64], wchan[64];

  g_object_freeze_notify (G_OBJECT (worker));
  /* a process that calls exec takes its program's name */
  _spindle_worker_set_string (worker, &worker->name, entry->name, SPINDLE_WORKER_PROP_NAME);

  if (worker->sampled_at == 0 || now - worker->sampled_at >= MIN_SAMPLE_GAP)
    {
      /* the kernel names no wait channel for a process on a CPU */
      g_snprintf (path, sizeof path, "/proc/%d/wchan", entry->pid);
      if (entry->state != 'R' && read_file (path, wchan, sizeof wchan) &&
          wchan[0] != '\0' && !g_str_equal (wchan, "0"))
        sample.wait_channel = wchan;
      _spindle_worker_apply_sample (worker, &sample);
    }
  g_object_thaw_notify (G_OBJECT (worker));
}

/* Gone: FINISHED, with the notifies and the signal of a worker's end. */
static void
end_row (SpindleProcessTree *self,
         Row                *row,
         gint64              now)
{
  SpindleWorker *worker = row->row;

  if (g_hash_table_lookup (self->live, GINT_TO_POINTER (worker->tid)) == row)
    g_hash_table_remove (self->live, GINT_TO_POINTER (worker->tid));
  row->gone_at = now;

  g_object_ref (worker);
  worker->finished_at = now;
  _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_FINISHED_AT);
  _spindle_worker_clear_sample (worker);
  worker->state = SPINDLE_WORKER_STATE_FINISHED;
  _spindle_worker_record (worker, SPINDLE_HISTORY_STATE);
  _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_STATE);
  g_signal_emit_by_name (worker, "finished");
  g_object_unref (worker);
}

static void
remove_from_parent (SpindleWorker *worker)
{
  guint position;

  if (worker->parent != NULL &&
      g_list_store_find (worker->parent->children, worker, &position))
    g_list_store_remove (worker->parent->children, position);
}

/* Rows gone a while, with no row left under them, leave the list. */
static void
prune (SpindleProcessTree *self,
       gint64              now)
{
  for (guint i = self->rows->len; i > 0; i--)
    {
      Row *row = g_ptr_array_index (self->rows, i - 1);

      if (row->gone_at == 0 || now - row->gone_at < KEEP_GONE_USEC ||
          g_list_model_get_n_items (G_LIST_MODEL (row->row->children)) > 0)
        continue;

      remove_from_parent (row->row);
      g_ptr_array_remove_index (self->rows, i - 1);
    }
}

/* A row's process the walk did not meet: still there if its subreaper
 * died and it went to another, else gone.
 */
static void
follow_unseen (SpindleProcessTree *self,
               GHashTable         *seen,
               gint64              now)
{
  g_autoptr(GPtrArray) unseen = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->live);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!g_hash_table_contains (seen, value))
      g_ptr_array_add (unseen, value);

  for (guint i = 0; i < unseen->len; i++)
    {
      Row *row = g_ptr_array_index (unseen, i);
      SpindleProcessEntry entry;

      if (_spindle_process_entry_read (row->row->tid, &entry) && entry.start_ticks == row->start_ticks)
        update_row (row, &entry, now);
      else
        end_row (self, row, now);
    }
}

void
_spindle_process_tree_sync (SpindleProcessTree        *self,
                            const SpindleProcessEntry *entries,
                            guint                      n_entries)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  gint64 now = g_get_monotonic_time ();

  if (self->worker == NULL)
    return;
  if (!spindle_worker_is_terminal (self->worker))
    self->followed = TRUE;

  for (guint i = 0; i < n_entries; i++)
    {
      const SpindleProcessEntry *entry = &entries[i];
      Row *row = g_hash_table_lookup (self->live, GINT_TO_POINTER (entry->pid));

      /* the same pid, another process: the one we knew is gone */
      if (row != NULL && row->start_ticks != entry->start_ticks)
        {
          end_row (self, row, now);
          row = NULL;
        }
      if (row == NULL && (row = add_row (self, entry, now, FALSE)) == NULL)
        continue;

      update_row (row, entry, now);
      g_hash_table_add (seen, row);
    }

  follow_unseen (self, seen, now);
  if (!self->ended)
    prune (self, now);
}

/* The end: each row takes the report's words ************************************/

static Row *
find_last_row (SpindleProcessTree *self,
               int                 pid)
{
  for (guint i = self->rows->len; i > 0; i--)
    {
      Row *row = g_ptr_array_index (self->rows, i - 1);

      if (row->row->tid == pid)
        return row;
    }

  return NULL;
}

/* The step at @position, if it is about one process (the report says
 * which beside the step's words, in which a pid-like number may be
 * anything: a cgroup's name, say). */
static void
take_step (SpindleProcessTree   *self,
           SpindleCleanupReport *report,
           guint                 position,
           gint64                now)
{
  const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, position);
  SpindleProcessEntry entry = { 0 };
  const char *name = NULL;
  Row *row;

  if ((entry.pid = _spindle_cleanup_report_get_step_process (report, position, &name)) <= 0)
    return;
  g_strlcpy (entry.name, name != NULL ? name : "", sizeof entry.name);

  /* one the walks never met: it lived between two of them */
  if ((row = find_last_row (self, entry.pid)) == NULL)
    {
      entry.started_at = now;
      row = add_row (self, &entry, now, TRUE);
    }
  if (row != NULL && row->gone_at != 0)
    _spindle_worker_set_string (row->row, &row->row->phase, step->label, SPINDLE_WORKER_PROP_PHASE);
}

/* Whether anyone walked the tree while the worker lived: a worker whose
 * rows nobody looks at (a program that runs commands by the hundred a
 * second) gets none at its end either.
 */
gboolean
_spindle_process_tree_is_followed (SpindleProcessTree *self)
{
  return self->followed;
}

/* Once the worker is over (its helper reaped every process it could, and
 * the last sync ended the rows of those): its last rows stay, in
 * agreement with its report.
 */
void
_spindle_process_tree_end (SpindleProcessTree *self)
{
  SpindleCleanupReport *report;
  gint64 now = g_get_monotonic_time ();

  if (self->ended || self->worker == NULL)
    return;

  self->ended = TRUE;
  if ((report = spindle_worker_get_cleanup_report (self->worker)) == NULL)
    return;

  for (guint i = 0; i < spindle_cleanup_report_get_n_steps (report); i++)
    take_step (self, report, i, now);
}

SpindleProcessTree *
_spindle_process_tree_new (SpindleWorker *worker)
{
  SpindleProcessTree *self = g_new0 (SpindleProcessTree, 1);

  g_set_weak_pointer (&self->worker, worker);
  self->rows = g_ptr_array_new_with_free_func (row_free);
  self->live = g_hash_table_new (NULL, NULL);
  return self;
}

void
_spindle_process_tree_free (SpindleProcessTree *self)
{
  g_clear_weak_pointer (&self->worker);
  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->live);
  g_free (self);
}

/**
 * spindle_worker_is_tree_process:
 * @worker: a worker
 *
 * Whether @worker stands for one process of a process worker's tree (its
 * command, a descendant, or an orphan its reaper helper adopted) rather
 * than for a worker. Such a row is listed in the children of the process
 * worker, or of its parent process's row, once
 * spindle_process_info_update() has seen the process; its
 * #SpindleWorker:tid is the process's pid, its #SpindleWorker:kind is
 * "process", and it is %SPINDLE_WORKER_STATE_RUNNING while the process
 * exists and %SPINDLE_WORKER_STATE_FINISHED once it is gone (reaped).
 *
 * It has no thread nor job: spindle_worker_request_stop(),
 * spindle_worker_force_cancel() and spindle_worker_abandon() do nothing on
 * it (they act on the process worker, which reaches all its processes),
 * and the set does not count it among its workers.
 *
 * Returns: %TRUE for a process of a process worker's tree
 *
 * Since: 0.2
 */
gboolean
spindle_worker_is_tree_process (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), FALSE);

  return self->tree_process;
}
