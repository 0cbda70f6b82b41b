/* spindle-export-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-cleanup-report.h"
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
  SpindleCleanupReport *cleanup;
} SpindleExportFields;

void        _spindle_export_fields_read     (SpindleExportFields       *fields,
                                             SpindleWorker             *worker,
                                             guint                      set_number);
void        _spindle_export_fields_copy     (SpindleExportFields       *dest,
                                             const SpindleExportFields *src);
void        _spindle_export_fields_clear    (SpindleExportFields       *fields);
GVariant   *_spindle_export_fields_diff     (const SpindleExportFields *before,
                                             const SpindleExportFields *now,
                                             guint64                    id,
                                             guint                      set_number);
GVariant   *_spindle_export_cleanup_variant (SpindleCleanupReport      *report);
GVariant   *_spindle_export_details         (SpindleWorker             *worker);
const char *_spindle_export_nick            (GType                      type,
                                             int                        value);

/* spindle_worker_set_new() exports every set when SPINDLE_EXPORT says so. */
void  _spindle_export_from_environment  (SpindleWorkerSet *set);

/* For tests and benchmarks. */
guint _spindle_export_get_n_signals     (void);
guint _spindle_export_get_n_subscribers (void);
void  _spindle_export_set_retention     (guint             max,
                                         gint64            usec);
gboolean _spindle_export_is_gathering   (SpindleWorkerSet *set);

G_END_DECLS
