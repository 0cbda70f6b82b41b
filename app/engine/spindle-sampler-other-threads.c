/* spindle-sampler-other-threads.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-sampler-private.h"
#include "spindle-thread-info-private.h"

/* The process's threads that are not workers' (the toolkit's, GLib's):
 * found by a listing of /proc/self/task, then read again between listings
 * while they are known (see the top of spindle-sampler.c for when the
 * sampler lists).
 */


static SpindleThreadInfo *
find_other (SpindleSampler *self,
            int             tid,
            guint          *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->others));

  for (*position = 0; *position < n; (*position)++)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (G_LIST_MODEL (self->others), *position);

      if (spindle_thread_info_get_tid (info) == tid)
        return info;
    }

  return NULL;
}

/* The CPU time an other thread had when its files were last read. */
static GQuark
read_at_cpu_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("spindle-sampler-read-at-cpu");

  return quark;
}

/* As for a watched worker (see details_may_have_changed () in
 * spindle-sampler-workers.c): an other thread that did not run since its
 * files were read, asleep then, has the same name and state. Only its CPU
 * figure moves (to none).
 */
static gboolean
other_unchanged (SpindleThreadInfo *info,
                 gint64             cpu_time)
{
  const gint64 *read_at = g_object_get_qdata (G_OBJECT (info), read_at_cpu_quark ());
  const char *state = spindle_thread_info_get_kernel_state (info);

  return read_at != NULL && *read_at == cpu_time && state != NULL && state[0] != 'R';
}

typedef enum
{
  OTHER_GONE,
  OTHER_READ,
  OTHER_RENAMED,
} OtherRead;

static OtherRead
sample_other (SpindleSampler *self,
              int             tid,
              gint64          now)
{
  g_autoptr(SpindleThreadInfo) created = NULL;
  SpindleThreadInfo *info;
  char comm[64], stat[512];
  gint64 cpu_time = 0;
  gboolean clock_read, renamed = FALSE;
  guint position;

  /* the clock first: a run after it moves it for the next tick */
  clock_read = _spindle_sampler_read_cpu_time (tid, &cpu_time);
  info = find_other (self, tid, &position);
  if (info != NULL && clock_read && other_unchanged (info, cpu_time))
    {
      _spindle_thread_info_update (info, spindle_thread_info_get_name (info),
                                   spindle_thread_info_get_kernel_state (info)[0], cpu_time, now);
      return OTHER_READ;
    }

  self->n_other_reads++;
  if (!_spindle_task_read_file (tid, "comm", comm, sizeof comm) ||
      !_spindle_task_read_file (tid, "stat", stat, sizeof stat))
    return OTHER_GONE;

  if (info == NULL)
    {
      info = created = _spindle_thread_info_new (tid);
      g_list_store_append (self->others, info);
    }
  /* A worker's thread listed before it ran is renamed as it begins: the
   * next listing knows it for a worker's. */
  else if (g_strcmp0 (spindle_thread_info_get_name (info), g_strchomp (comm)) != 0)
    self->relist_soon = renamed = TRUE;

  _spindle_thread_info_update (info, comm, _spindle_task_parse_state (stat), cpu_time, now);
  g_object_set_qdata_full (G_OBJECT (info), read_at_cpu_quark (),
                           clock_read ? g_memdup2 (&cpu_time, sizeof cpu_time) : NULL, g_free);
  return renamed ? OTHER_RENAMED : OTHER_READ;
}

static void
forget_gone_others (SpindleSampler *self,
                    GHashTable     *seen)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->others)); i > 0; i--)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (G_LIST_MODEL (self->others), i - 1);

      if (!g_hash_table_contains (seen, GINT_TO_POINTER (spindle_thread_info_get_tid (info))))
        g_list_store_remove (self->others, i - 1);
    }
}

/* Only the other threads already known: a gone one is dropped. So is one
 * that renamed itself, which is nearly always a worker's that a listing
 * found before it ran, under its creator's name: it waits for the next
 * listing, which is asked for (see wants_listing () in spindle-sampler.c)
 * and finds it again if it is no worker's.
 */
void
_spindle_sampler_resample_others (SpindleSampler *self,
                                  gint64          now)
{
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->others)); i > 0; i--)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (G_LIST_MODEL (self->others), i - 1);

      if (sample_other (self, spindle_thread_info_get_tid (info), now) != OTHER_READ)
        g_list_store_remove (self->others, i - 1);
    }
}

/* A worker's thread that ran its first steps while the others' files
 * were read: named already, its id not yet in its job when the workers'
 * ids were taken. Its id is there now. Only a worker whose thread had no
 * id at the listing's walk can be one, since the others hold none of the
 * ids the walk took: the walk kept those workers, and no second walk of
 * ten thousand is needed (the others' files were read on this thread, so
 * the set's workers are the ones walked).
 */
void
_spindle_sampler_forget_late_workers (SpindleSampler *self,
                                      GPtrArray      *unstarted)
{
  g_autoptr(GHashTable) late = NULL;

  for (guint i = 0; i < unstarted->len; i++)
    {
      int tid = _spindle_sampler_thread_id (g_ptr_array_index (unstarted, i));

      if (tid <= 0)
        continue;
      if (late == NULL)
        late = g_hash_table_new (NULL, NULL);
      g_hash_table_add (late, GINT_TO_POINTER (tid));
    }

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->others)); late != NULL && i > 0; i--)
    {
      g_autoptr(SpindleThreadInfo) info = g_list_model_get_item (G_LIST_MODEL (self->others), i - 1);

      if (g_hash_table_contains (late, GINT_TO_POINTER (spindle_thread_info_get_tid (info))))
        g_list_store_remove (self->others, i - 1);
    }
}

guint
_spindle_sampler_sample_others (SpindleSampler *self,
                                gint64          now,
                                GArray         *listed,
                                GHashTable     *worker_tids)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < listed->len; i++)
    {
      int tid = g_array_index (listed, int, i);

      if (tid <= 0 || g_hash_table_contains (worker_tids, GINT_TO_POINTER (tid)))
        continue;

      g_hash_table_add (seen, GINT_TO_POINTER (tid));
      sample_other (self, tid, now);
    }

  forget_gone_others (self, seen);

  return listed->len;
}
