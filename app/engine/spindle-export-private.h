/* spindle-export-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spindle-cleanup-report.h"
#include "spindle-export.h"
#include "spindle-worker-set.h"

G_BEGIN_DECLS

/* Exported ids: the set's number above the worker's own id. */
#define SPINDLE_EXPORT_SET_SHIFT 40

static inline guint64
_spindle_export_id (guint   set_number,
                    guint64 worker_id)
{
  return ((guint64) set_number << SPINDLE_EXPORT_SET_SHIFT) | worker_id;
}

/* A worker's exported keys as plain fields (spindle-export-worker.c). */
typedef struct
{
  guint64               parent;        /* exported id, 0: top level */
  char                 *name;
  char                 *kind;
  int                   tid;
  SpindleWorkerState    state;
  SpindleStopReason     stop_reason;
  gint64                started_at;
  gint64                finished_at;
  char                 *phase;
  double                progress;
  char                 *waiting_for;
  gint64                deadline;
  SpindleEscalation     escalation;
  gint64                escalation_at;
  gboolean              unresponsive;
  char                 *error;
  GVariant             *result;
  int                   pid;
  SpindleCleanupReport *cleanup;       /* the steps so far while cleaning */
  guint                 n_steps;
} SpindleExportFields;

void        _spindle_export_fields_read     (SpindleExportFields       *fields,
                                             SpindleWorker             *worker,
                                             guint                      set_number);
void        _spindle_export_fields_copy     (SpindleExportFields       *dest,
                                             const SpindleExportFields *src);
void        _spindle_export_fields_update   (SpindleExportFields       *dest,
                                             const SpindleExportFields *now);
void        _spindle_export_fields_clear    (SpindleExportFields       *fields);
GVariant   *_spindle_export_fields_diff     (const SpindleExportFields *before,
                                             const SpindleExportFields *now,
                                             guint64                    id,
                                             guint                      set_number);
GVariant   *_spindle_export_cleanup_variant (SpindleCleanupReport      *report);
GVariant   *_spindle_export_details         (SpindleWorker             *worker);
const char *_spindle_export_nick            (GType                      type,
                                             int                        value);
void        _spindle_export_note_step       (SpindleWorker             *worker,
                                             const char                *label,
                                             SpindleCleanupOutcome      outcome,
                                             const char                *message,
                                             gint64                     duration_usec);
void        _spindle_export_forget_steps    (SpindleWorker             *worker);

/* Shared by the export's files: spindle-export.c (the export thread, the
 * exported sets, the API), spindle-export-gather.c (the sets' ticks, on
 * their owner threads), spindle-export-bus.c (subscribers and methods, on
 * the export thread), spindle-export-control.c (control calls).
 */

#define SPINDLE_EXPORT_INTERFACE           "dev.spindle.Spindle1.Program"
#define SPINDLE_EXPORT_ERROR_PREFIX        "dev.spindle.Spindle1.Error."
#define SPINDLE_EXPORT_DEFAULT_INTERVAL_MS 500

typedef struct _SpindleExport      SpindleExport;
typedef struct _SpindleExportedSet SpindleExportedSet;

/* One tick's changes, handed from an owner thread to the export thread. */
typedef struct
{
  SpindleExportedSet *set;
  GPtrArray   *partial;      /* GVariant: "id" and the changed keys (every key for a new worker) */
  GArray      *removed;      /* guint64 */
  guint        dropped;
  gboolean     sync;         /* answers a Subscribe's call for fresh state */
} SpindleExportDelta;

struct _SpindleExportedSet
{
  gatomicrefcount     ref_count;
  SpindleExport      *export;
  guint               number;
  gint                flags;         /* SpindleExportFlags, atomic */
  gint                n_live;        /* atomic copy of SpindleWorkerSet:n-live */
  gint                want_sync;     /* atomic */
  gint                n_calls;       /* atomic: control calls not yet freed */
  GMainContext       *context;
  GSource            *tick;

  /* owner thread only */
  SpindleWorkerSet   *set;           /* NULL once unexported */
  gulong              items_changed_id;
  gulong              n_live_id;
  GHashTable         *cache;         /* guint64 → Entry */
  GQueue              finished;      /* Entry, in the order they ended */
  GHashTable         *forgotten;     /* guint64: past retention, still in the set */
  gboolean            resync;
};

struct _SpindleExport
{
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  char            *bus_name;
  char            *program_name;

  /* under export_mutex */
  GPtrArray       *sets;             /* SpindleExportedSet */
  guint            next_number;
  gboolean         ready;
  GError          *error;

  /* export thread only */
  GDBusConnection *connection;
  guint            object_id;
  guint            owner_id;
  GHashTable      *subscribers;      /* unique name → Subscriber */
  GHashTable      *mirror;           /* guint64 → MirrorEntry */
  guint64          seq;
  GPtrArray       *waiting;          /* WaitingSubscribe */
  guint            n_awaited;
  GSource         *wait_source;

  /* atomic */
  gint             n_subscribers;    /* subscribers and waiting subscribes */
  gint             interval_ms;
  gint             n_signals;        /* sent, for tests */
};

/* spindle-export.c */
void                _spindle_export_lock            (void);
void                _spindle_export_unlock          (void);
void                _spindle_export_get_retention   (guint              *max,
                                                     gint64             *usec);
SpindleExportedSet *_spindle_exported_set_ref       (SpindleExportedSet *set);
void                _spindle_exported_set_unref     (SpindleExportedSet *set);

/* spindle-export-gather.c */
void                _spindle_exported_set_init_cache (SpindleExportedSet *set);
GSource            *_spindle_export_tick_new        (SpindleExportedSet *set);
void                _spindle_export_poke            (SpindleExportedSet *set,
                                                     gboolean            sync);
SpindleExportDelta *_spindle_export_gather          (SpindleExportedSet *set,
                                                     gboolean            sync);
SpindleExportDelta *_spindle_export_removal         (SpindleExportedSet *set);
SpindleExportDelta *_spindle_export_delta_new       (SpindleExportedSet *set,
                                                     gboolean            sync);
void                _spindle_export_delta_free      (SpindleExportDelta *delta);
gboolean            _spindle_export_delta_is_empty  (SpindleExportDelta *delta);
void                _spindle_export_hand_over       (SpindleExportedSet *set,
                                                     SpindleExportDelta *delta);

/* spindle-export-bus.c */
void                _spindle_export_bus_init        (SpindleExport      *self);
void                _spindle_export_bus_close       (SpindleExport      *self);
void                _spindle_export_bus_free        (SpindleExport      *self);
const GDBusInterfaceVTable *_spindle_export_get_vtable (void);
void                _spindle_export_apply_delta     (SpindleExportDelta *delta);
void                _spindle_export_return_error    (GDBusMethodInvocation *invocation,
                                                     const char         *name,
                                                     const char         *format,
                                                     ...) G_GNUC_PRINTF (3, 4);

/* spindle-export-control.c */
void                _spindle_export_control_call    (SpindleExport      *self,
                                                     const char         *method,
                                                     GVariant           *parameters,
                                                     GDBusMethodInvocation *invocation);

/* spindle_worker_set_new() exports every set when SPINDLE_EXPORT says so. */
void  _spindle_export_from_environment  (SpindleWorkerSet *set);
void  _spindle_export_settle_environment (SpindleWorkerSet *set);

/* For tests and benchmarks. */
guint _spindle_export_get_n_signals     (void);
guint _spindle_export_get_n_subscribers (void);
void  _spindle_export_set_retention     (guint             max,
                                         gint64            usec);
gboolean _spindle_export_is_gathering   (SpindleWorkerSet *set);

G_END_DECLS
