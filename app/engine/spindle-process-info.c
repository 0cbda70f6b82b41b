/* spindle-process-info.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-process"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spindle-process-private.h"
#include "spindle-process-tree-private.h"

/* What a process worker's processes look like now: its command's pid, and
 * the CPU time and memory of its whole tree, read from /proc when the
 * owner of the main context asks (spindle_process_info_update()), never
 * from the worker's thread. The worker's thread only publishes the pid,
 * through an atomic in a block both sides hold.
 *
 * The tree is walked from the reaper helper (the command's parent), so
 * that the orphans it adopted, setsid() escapees among them, count with
 * the command's own descendants; each walk also brings the worker's rows
 * of processes up to date (spindle-process-tree.c), and the worker's end
 * brings them to theirs, whether anyone asks or not.
 */

struct _SpindleProcessShared
{
  gint ref_count;
  gint pid;      /* atomic: the command's pid while it runs, else 0 */
};

SpindleProcessShared *
_spindle_process_shared_new (void)
{
  SpindleProcessShared *shared = g_new0 (SpindleProcessShared, 1);

  shared->ref_count = 1;
  return shared;
}

SpindleProcessShared *
_spindle_process_shared_ref (SpindleProcessShared *shared)
{
  g_atomic_int_inc (&shared->ref_count);
  return shared;
}

void
_spindle_process_shared_unref (SpindleProcessShared *shared)
{
  if (g_atomic_int_dec_and_test (&shared->ref_count))
    g_free (shared);
}

void
_spindle_process_shared_set_pid (SpindleProcessShared *shared,
                                 pid_t                 pid)
{
  if (shared != NULL)
    g_atomic_int_set (&shared->pid, (gint) pid);
}

/* The object ****************************************************************/

/**
 * SpindleProcessInfo:
 *
 * The processes of a command or function worker: its command's pid, and
 * the CPU time, memory and processes of its whole tree, as of the last
 * spindle_process_info_update().
 */
struct _SpindleProcessInfo
{
  GObject               parent_instance;

  SpindleProcessShared *shared;
  SpindleWorker        *worker;      /* weak */
  SpindleProcessTree   *rows;
  int                   helper_pid;  /* the command's parent, once seen; 0 once the worker is over */
  guint64               helper_start;
  int                   pid;
  char                 *name;
  gint64                cpu_time;    /* µs, the whole tree */
  guint64               memory;      /* bytes resident, the whole tree */
  GStrv                 tree;        /* "PID NAME" of each process, the command first */
};

G_DEFINE_FINAL_TYPE (SpindleProcessInfo, spindle_process_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PID,
  PROP_NAME,
  PROP_CPU_TIME,
  PROP_MEMORY,
  PROP_TREE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GQuark
info_quark (void)
{
  return g_quark_from_static_string ("spindle-process-info");
}

/* The helper that runs the command, while it does: the command's parent
 * the first time both are seen, and a child of this process that started
 * then (its pid is never another's before this process reaps it, at the
 * worker's end).
 */
static int
find_helper (SpindleProcessInfo        *self,
             const SpindleProcessEntry *command)
{
  SpindleProcessEntry helper;

  if (self->worker == NULL || spindle_worker_is_terminal (self->worker))
    self->helper_pid = 0;
  else if (self->helper_pid == 0 && command != NULL &&
           _spindle_process_entry_read (command->ppid, &helper) && helper.ppid == getpid ())
    {
      self->helper_pid = command->ppid;
      self->helper_start = helper.start_ticks;
    }
  else if (self->helper_pid > 0 &&
           (!_spindle_process_entry_read (self->helper_pid, &helper) ||
            helper.start_ticks != self->helper_start))
    self->helper_pid = 0;

  return self->helper_pid;
}

/* The command's tree first, then what else the helper holds. */
static GArray *
walk_processes (SpindleProcessInfo *self,
                pid_t               pid)
{
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (SpindleProcessEntry));
  SpindleProcessEntry command;
  gboolean have_command = pid > 0 && _spindle_process_entry_read (pid, &command);
  int helper = find_helper (self, have_command ? &command : NULL);

  if (helper > 0)
    _spindle_process_tree_walk (helper, FALSE, pid, entries);
  else if (have_command)
    _spindle_process_tree_walk (pid, TRUE, 0, entries);

  return entries;
}

static void
set_int (SpindleProcessInfo *self,
         int                *field,
         int                 value,
         GParamSpec         *pspec)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
set_name (SpindleProcessInfo *self,
          const char         *name)
{
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

static void
set_figures (SpindleProcessInfo *self,
             gint64              cpu_time,
             guint64             memory,
             GStrv               tree)
{
  if (self->cpu_time != cpu_time)
    {
      self->cpu_time = cpu_time;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU_TIME]);
    }
  if (self->memory != memory)
    {
      self->memory = memory;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY]);
    }
  if (self->tree == NULL || !g_strv_equal ((const char * const *) self->tree, (const char * const *) tree))
    {
      g_strfreev (self->tree);
      self->tree = g_strdupv (tree);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TREE]);
    }
}

/* The figures of the tree under the helper; a tree that is gone keeps its
 * last CPU time (what it used), and no longer its memory or processes.
 */
static void
sample_tree (SpindleProcessInfo *self,
             pid_t               pid)
{
  g_autoptr(GArray) entries = walk_processes (self, pid);
  g_autoptr(GStrvBuilder) tree = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;
  gint64 cpu = 0;
  guint64 memory = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      const SpindleProcessEntry *entry = &g_array_index (entries, SpindleProcessEntry, i);
      g_autofree char *line = g_strdup_printf ("%d %s", entry->pid, entry->name);

      if (entry->pid == pid)
        set_name (self, entry->name);
      cpu += entry->cpu_ns / 1000;
      memory += entry->rss_bytes;
      g_strv_builder_add (tree, line);
    }

  lines = g_strv_builder_end (tree);
  set_figures (self, entries->len > 0 ? cpu : self->cpu_time, memory, lines);
  if (self->rows != NULL)
    _spindle_process_tree_sync (self->rows, (const SpindleProcessEntry *) entries->data, entries->len);
}

static void
spindle_process_info_finalize (GObject *object)
{
  SpindleProcessInfo *self = SPINDLE_PROCESS_INFO (object);

  if (self->worker != NULL)
    g_signal_handlers_disconnect_by_data (self->worker, self);
  g_clear_weak_pointer (&self->worker);
  g_clear_pointer (&self->rows, _spindle_process_tree_free);
  g_clear_pointer (&self->shared, _spindle_process_shared_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->tree, g_strfreev);

  G_OBJECT_CLASS (spindle_process_info_parent_class)->finalize (object);
}

static void
spindle_process_info_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SpindleProcessInfo *self = SPINDLE_PROCESS_INFO (object);

  switch (prop_id)
    {
    case PROP_PID:
      g_value_set_int (value, self->pid);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CPU_TIME:
      g_value_set_int64 (value, self->cpu_time);
      break;
    case PROP_MEMORY:
      g_value_set_uint64 (value, self->memory);
      break;
    case PROP_TREE:
      g_value_set_boxed (value, self->tree);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_process_info_class_init (SpindleProcessInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = spindle_process_info_finalize;
  object_class->get_property = spindle_process_info_get_property;

  /**
   * SpindleProcessInfo:pid:
   *
   * The command's process id while it runs; 0 before it started and once
   * it has ended.
   */
  properties[PROP_PID] = g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0, flags);
  /**
   * SpindleProcessInfo:name:
   *
   * The command's process name (its comm), once seen.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /**
   * SpindleProcessInfo:cpu-time:
   *
   * CPU time used by the command and its live descendants (the orphans
   * its helper adopted too), in µs.
   */
  properties[PROP_CPU_TIME] = g_param_spec_int64 ("cpu-time", NULL, NULL, 0, G_MAXINT64, 0, flags);
  /**
   * SpindleProcessInfo:memory:
   *
   * Resident memory of the command and its descendants, in bytes.
   */
  properties[PROP_MEMORY] = g_param_spec_uint64 ("memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  /**
   * SpindleProcessInfo:tree:
   *
   * The command and each descendant, "PID NAME", the command first and
   * every process before its children.
   */
  properties[PROP_TREE] = g_param_spec_boxed ("tree", NULL, NULL, G_TYPE_STRV, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spindle_process_info_init (SpindleProcessInfo *self)
{
  self->tree = g_new0 (char *, 1);
}

/* At the worker's end, the rows of the processes its helper reaped end
 * and take the report's words, if anyone followed them: a worker whose
 * tree nobody walked costs nothing more at its end.
 */
static void
on_worker_state (SpindleWorker      *worker,
                 GParamSpec         *pspec,
                 SpindleProcessInfo *self)
{
  if (!spindle_worker_is_terminal (worker) || !_spindle_process_tree_is_followed (self->rows))
    return;

  spindle_process_info_update (self);
  _spindle_process_tree_end (self->rows);
}

void
_spindle_process_info_attach (SpindleWorker        *worker,
                              SpindleProcessShared *shared)
{
  SpindleProcessInfo *self = g_object_new (SPINDLE_TYPE_PROCESS_INFO, NULL);

  self->shared = _spindle_process_shared_ref (shared);
  g_set_weak_pointer (&self->worker, worker);
  self->rows = _spindle_process_tree_new (worker);
  g_signal_connect (worker, "notify::state", G_CALLBACK (on_worker_state), self);
  g_object_set_qdata_full (G_OBJECT (worker), info_quark (), self, g_object_unref);
}

/**
 * spindle_process_info_get_for_worker:
 * @worker: a #SpindleWorker
 *
 * The process figures of a worker started by
 * spindle_worker_set_spawn_command().
 *
 * Returns: (transfer none) (nullable): its process info, owned by the
 *   worker, or %NULL for a worker that is not a command worker
 */
SpindleProcessInfo *
spindle_process_info_get_for_worker (SpindleWorker *worker)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), NULL);

  return g_object_get_qdata (G_OBJECT (worker), info_quark ());
}

/**
 * spindle_process_info_update:
 * @info: a #SpindleProcessInfo
 *
 * Reads the command's pid, and the CPU time, memory and processes of its
 * tree, from /proc now, notifying what changed. Call it on the set's main
 * context, as often as the figures are shown (a walk of the tree costs
 * about 20 µs a process).
 *
 * The worker's rows of processes follow (see
 * spindle_worker_is_tree_process()): a row appears under the worker, or
 * under its parent process's row, for each process first seen, and a row
 * whose process is gone turns %SPINDLE_WORKER_STATE_FINISHED. Once
 * rows were made, the worker's end brings them to theirs without a
 * call: each takes the words of the cleanup report's step for its pid,
 * and a process the report names that no update saw gets a row.
 */
void
spindle_process_info_update (SpindleProcessInfo *info)
{
  g_return_if_fail (SPINDLE_IS_PROCESS_INFO (info));

  g_object_freeze_notify (G_OBJECT (info));
  set_int (info, &info->pid, g_atomic_int_get (&info->shared->pid), properties[PROP_PID]);
  sample_tree (info, info->pid);
  g_object_thaw_notify (G_OBJECT (info));
}

/**
 * spindle_process_info_get_pid:
 * @info: a #SpindleProcessInfo
 *
 * The command's pid, while it runs.
 *
 * Returns: the command's pid as of the last update, or 0
 */
int
spindle_process_info_get_pid (SpindleProcessInfo *info)
{
  g_return_val_if_fail (SPINDLE_IS_PROCESS_INFO (info), 0);

  return info->pid;
}

/**
 * spindle_process_info_get_cpu_time:
 * @info: a #SpindleProcessInfo
 *
 * The CPU time the command and its live descendants have used.
 *
 * Returns: the CPU time of the tree as of the last update, in µs
 */
gint64
spindle_process_info_get_cpu_time (SpindleProcessInfo *info)
{
  g_return_val_if_fail (SPINDLE_IS_PROCESS_INFO (info), 0);

  return info->cpu_time;
}

/**
 * spindle_process_info_get_memory:
 * @info: a #SpindleProcessInfo
 *
 * The memory the command and its descendants hold.
 *
 * Returns: the resident memory of the tree as of the last update, in bytes
 */
guint64
spindle_process_info_get_memory (SpindleProcessInfo *info)
{
  g_return_val_if_fail (SPINDLE_IS_PROCESS_INFO (info), 0);

  return info->memory;
}

/**
 * spindle_process_info_get_tree:
 * @info: a #SpindleProcessInfo
 *
 * The processes of the tree, for a list.
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): "PID NAME"
 *   of each process of the tree as of the last update, the command first
 */
const char * const *
spindle_process_info_get_tree (SpindleProcessInfo *info)
{
  g_return_val_if_fail (SPINDLE_IS_PROCESS_INFO (info), NULL);

  return (const char * const *) info->tree;
}
