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

/* What a process worker's processes look like now: its command's pid, and
 * the CPU time and memory of its whole tree, read from /proc when the
 * owner of the main context asks (spindle_process_info_update()), never
 * from the worker's thread. The worker's thread only publishes the pid,
 * through an atomic in a block both sides hold.
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

/* One process's figures, from /proc/PID/stat. */
typedef struct
{
  char    name[64];
  gint64  cpu_usec;
  guint64 rss_bytes;
} Sample;

static gboolean
read_sample (pid_t   pid,
             Sample *sample)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *open_paren, *close_paren;
  unsigned long utime = 0, stime = 0;
  long rss = 0;

  if (!g_file_get_contents (path, &stat, NULL, NULL) ||
      (open_paren = strchr (stat, '(')) == NULL || (close_paren = strrchr (stat, ')')) == NULL)
    return FALSE;

  g_strlcpy (sample->name, open_paren + 1, MIN (sizeof sample->name, (gsize) (close_paren - open_paren)));
  /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
   * utime stime cutime cstime priority nice threads itrealvalue starttime
   * vsize rss */
  if (sscanf (close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu "
              "%*d %*d %*d %*d %*d %*d %*u %*u %ld", &utime, &stime, &rss) != 3)
    return FALSE;

  sample->cpu_usec = (gint64) (utime + stime) * G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
  sample->rss_bytes = (guint64) MAX (rss, 0) * (guint64) sysconf (_SC_PAGESIZE);
  return TRUE;
}

static void
walk_tree (pid_t   pid,
           GArray *pids)
{
  g_autofree char *task_path = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr(GDir) tasks = g_dir_open (task_path, 0, NULL);
  const char *tid;

  g_array_append_val (pids, pid);
  while (tasks != NULL && (tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/children", task_path, tid);
      g_autofree char *contents = NULL;
      g_auto(GStrv) fields = NULL;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      fields = g_strsplit_set (g_strstrip (contents), " ", -1);
      for (guint i = 0; fields[i] != NULL; i++)
        {
          pid_t child = (pid_t) g_ascii_strtoll (fields[i], NULL, 10);

          if (child > 0)
            walk_tree (child, pids);
        }
    }
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

/* The figures of the tree under @pid; a tree that is gone keeps its last
 * CPU time (what it used), and no longer its memory or processes.
 */
static void
sample_tree (SpindleProcessInfo *self,
             pid_t               pid)
{
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr(GStrvBuilder) tree = g_strv_builder_new ();
  g_auto(GStrv) lines = NULL;
  gint64 cpu = 0;
  guint64 memory = 0;
  Sample sample;

  if (pid > 0)
    walk_tree (pid, pids);

  for (guint i = 0; i < pids->len; i++)
    {
      pid_t one = g_array_index (pids, pid_t, i);

      if (!read_sample (one, &sample))
        continue;
      if (i == 0)
        set_name (self, sample.name);
      cpu += sample.cpu_usec;
      memory += sample.rss_bytes;
      {
        g_autofree char *line = g_strdup_printf ("%d %s", one, sample.name);

        g_strv_builder_add (tree, line);
      }
    }

  lines = g_strv_builder_end (tree);
  set_figures (self, pids->len > 0 ? cpu : self->cpu_time, memory, lines);
}

static void
spindle_process_info_finalize (GObject *object)
{
  SpindleProcessInfo *self = SPINDLE_PROCESS_INFO (object);

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
   * CPU time used by the command and its live descendants, in µs.
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

void
_spindle_process_info_attach (SpindleWorker        *worker,
                              SpindleProcessShared *shared)
{
  SpindleProcessInfo *self = g_object_new (SPINDLE_TYPE_PROCESS_INFO, NULL);

  self->shared = _spindle_process_shared_ref (shared);
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
