/* spindle-sampler-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-sampler.h"

G_BEGIN_DECLS

/* Shared by spindle-sampler.c (ticks, the process's figures, properties),
 * spindle-sampler-workers.c and spindle-sampler-other-threads.c.
 */
struct _SpindleSampler
{
  GObject           parent_instance;

  SpindleWorkerSet *set;
  GHashTable       *watched;        /* SpindleWorker, owned → Watched (spindle-sampler-workers.c) */
  GListStore       *others;         /* SpindleThreadInfo */
  gint64            last_tick;
  guint64           last_rtime;
  guint64           n_task_reads;
  guint64           n_other_reads;
  guint64           n_listings;
  guint64           n_ticks;
  guint64           listed_at;      /* n_ticks at the last listing */
  guint             full_every;
  int               listed_others;  /* threads less workers' threads at the last listing */
  guint             last_n_threads;      /* the counts at the last tick */
  guint             last_n_job_threads;
  gint64            moved_at;            /* when a tick last saw them move */
  gboolean          relist_soon;    /* an other thread took a name: perhaps a worker's */

  double            process_cpu;
  guint64           resident;
  guint             n_threads;
  guint             n_cpus;
  double            load_average;
};

guint64 _spindle_sampler_get_n_other_reads (SpindleSampler *sampler);
guint64 _spindle_sampler_get_n_listings    (SpindleSampler *sampler);

/* What a listing takes of the workers, in the one walk of them: their
 * thread ids, and the workers whose thread had not run yet, the only ones
 * that can turn out to own a listed thread (see
 * _spindle_sampler_forget_late_workers ()).
 */
typedef struct
{
  GHashTable *tids;
  GPtrArray  *unstarted;   /* SpindleWorker, owned */
} SpindleWorkerIds;

static inline void
_spindle_worker_ids_clear (SpindleWorkerIds *ids)
{
  g_clear_pointer (&ids->tids, g_hash_table_unref);
  g_clear_pointer (&ids->unstarted, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpindleWorkerIds, _spindle_worker_ids_clear)

/* spindle-sampler-workers.c */
gboolean _spindle_sampler_read_cpu_time       (int               tid,
                                               gint64           *ns);
int      _spindle_sampler_thread_id           (SpindleWorker    *worker);
void     _spindle_sampler_sample_workers      (SpindleSampler   *sampler,
                                               GListModel       *model,
                                               gint64            now,
                                               gboolean          sample,
                                               SpindleWorkerIds *ids);
void     _spindle_sampler_sample_watched      (SpindleSampler   *sampler,
                                               gint64            now);

/* spindle-sampler-other-threads.c */
guint    _spindle_sampler_sample_others       (SpindleSampler   *sampler,
                                               gint64            now,
                                               GArray           *listed,
                                               GHashTable       *worker_tids);
void     _spindle_sampler_resample_others     (SpindleSampler   *sampler,
                                               gint64            now);
void     _spindle_sampler_forget_late_workers (SpindleSampler   *sampler,
                                               GPtrArray        *unstarted);

G_END_DECLS
