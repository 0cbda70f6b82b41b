/* spindle-worker-set-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-dispatch-private.h"
#include "spindle-worker-set.h"

G_BEGIN_DECLS

/* Shared by spindle-worker-set.c (workers, events, properties) and
 * spindle-worker-set-shutdown.c.
 */
struct _SpindleWorkerSet
{
  GObject          parent_instance;

  GMainContext    *context;
  GThread         *owner;
  SpindleDispatch *dispatch;
  GPtrArray       *workers;      /* top level: children live in their parents */
  GPtrArray       *shutdowns;    /* PendingShutdown */
  guint64          last_id;
  guint            n_live;       /* every live worker, children too */
  guint            n_abandoned;
  gboolean         shut_down;    /* a shutdown began: no new workers */
  gsize            stack_size;
  gint64           stop_grace;
  gint64           cancel_grace;
  gint64           default_deadline;
  gboolean         auto_escalate;
  gboolean         background_start;
  struct _SpindleStarter *starter; /* while spawns leave threads to it; see spindle-starter.c */
  GHashTable      *export_changed; /* spindle-export.c's, while a client subscribes */
  struct _SpindleRemote *remote; /* a mirror of another program's set; see spindle-remote.c */
};

void    _spindle_worker_set_export_changed (SpindleWorkerSet *set,
                                            SpindleWorker    *worker);

/* A worker changed: an exported set's next tick sends it (spindle-export.c).
 * A hash insert while a client subscribes, nothing otherwise.
 */
static inline void
_spindle_worker_set_mark_changed (SpindleWorkerSet *set,
                                  SpindleWorker    *worker)
{
  if (set != NULL && G_UNLIKELY (set->export_changed != NULL))
    _spindle_worker_set_export_changed (set, worker);
}

void    _spindle_worker_set_worker_ended        (SpindleWorkerSet *set,
                                                 SpindleWorker    *worker);
void    _spindle_worker_set_worker_unresponsive (SpindleWorkerSet *set,
                                                 SpindleWorker    *worker);
void    _spindle_worker_set_flush (SpindleWorkerSet *set);
void    _spindle_worker_set_emit_interrupt      (SpindleWorkerSet *set,
                                                 SpindleWorker    *worker,
                                                 int               tid);
guint64 _spindle_worker_set_get_n_dispatches    (SpindleWorkerSet *set);
GPtrArray *_spindle_worker_set_snapshot         (SpindleWorkerSet *set);
void    _spindle_worker_set_notify_remote_gone  (SpindleWorkerSet *set);

/* spindle-worker-set-shutdown.c */
GPtrArray *_spindle_worker_set_new_shutdowns    (void);
void    _spindle_worker_set_complete_shutdowns  (SpindleWorkerSet *set);

gboolean _spindle_check_owner                   (GThread          *owner,
                                                 const char       *func);

/* For the main-thread-only entry points of sets and workers: a call from
 * another thread (a worker body, a thread pool) is refused with a critical
 * that says so, instead of emitting signals on the wrong thread.
 */
#define SPINDLE_RETURN_IF_NOT_OWNER(owner) \
  G_STMT_START { if (!_spindle_check_owner ((owner), G_STRFUNC)) return; } G_STMT_END
#define SPINDLE_RETURN_VAL_IF_NOT_OWNER(owner, val) \
  G_STMT_START { if (!_spindle_check_owner ((owner), G_STRFUNC)) return (val); } G_STMT_END

G_END_DECLS
