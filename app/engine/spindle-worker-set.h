/* spindle-worker-set.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <gio/gio.h>

#include "spindle-job.h"
#include "spindle-worker.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleWorkerSet:
 *
 * The workers of a program, a #GListModel of its top-level #SpindleWorker
 * (children are listed by their parents). It spawns them, asks them to stop
 * or force-cancels them, escalates by its grace periods and shuts them all
 * down. It belongs to the thread-default main context it was created on.
 */
#define SPINDLE_TYPE_WORKER_SET (spindle_worker_set_get_type ())

/**
 * SPINDLE_DEFAULT_STACK_SIZE:
 *
 * The stack size of a set's workers unless set otherwise: 256 KiB.
 */
SPINDLE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpindleWorkerSet, spindle_worker_set, SPINDLE, WORKER_SET, GObject)

#define SPINDLE_DEFAULT_STACK_SIZE (256 * 1024)

SPINDLE_AVAILABLE_IN_ALL
SpindleWorkerSet *spindle_worker_set_new            (void);
SPINDLE_AVAILABLE_IN_ALL
SpindleWorker    *spindle_worker_set_spawn          (SpindleWorkerSet          *set,
                                                     const char                *name,
                                                     SpindleJobFunc             func,
                                                     gpointer                   user_data,
                                                     GDestroyNotify             destroy,
                                                     GError                   **error);
SPINDLE_AVAILABLE_IN_ALL
SpindleWorker    *spindle_worker_set_spawn_full     (SpindleWorkerSet          *set,
                                                     const SpindleSpawnOptions *options,
                                                     const char                *name,
                                                     SpindleJobFunc             func,
                                                     gpointer                   user_data,
                                                     GDestroyNotify             destroy,
                                                     GError                   **error);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_stop_all       (SpindleWorkerSet          *set);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_cancel_all     (SpindleWorkerSet          *set);
SPINDLE_AVAILABLE_IN_ALL
guint             spindle_worker_set_get_n_live     (SpindleWorkerSet          *set);
SPINDLE_AVAILABLE_IN_ALL
gboolean          spindle_worker_set_remove         (SpindleWorkerSet          *set,
                                                     SpindleWorker             *worker);
SPINDLE_AVAILABLE_IN_ALL
guint             spindle_worker_set_clear_finished (SpindleWorkerSet          *set);
SPINDLE_AVAILABLE_IN_ALL
gsize             spindle_worker_set_get_stack_size (SpindleWorkerSet          *set);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_set_stack_size (SpindleWorkerSet          *set,
                                                     gsize                      stack_size);
SPINDLE_AVAILABLE_IN_ALL
gint64            spindle_worker_set_get_stop_grace (SpindleWorkerSet          *set);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_set_stop_grace (SpindleWorkerSet          *set,
                                                     gint64                     usec);
SPINDLE_AVAILABLE_IN_ALL
gint64            spindle_worker_set_get_cancel_grace (SpindleWorkerSet        *set);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_set_cancel_grace (SpindleWorkerSet        *set,
                                                     gint64                     usec);
SPINDLE_AVAILABLE_IN_ALL
gboolean          spindle_worker_set_get_auto_escalate (SpindleWorkerSet       *set);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_set_auto_escalate (SpindleWorkerSet       *set,
                                                     gboolean                   auto_escalate);
SPINDLE_AVAILABLE_IN_ALL
gint64            spindle_worker_set_get_default_deadline (SpindleWorkerSet    *set);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_set_default_deadline (SpindleWorkerSet    *set,
                                                     gint64                     usec);
SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_shutdown_async (SpindleWorkerSet          *set,
                                                     GCancellable              *cancellable,
                                                     GAsyncReadyCallback        callback,
                                                     gpointer                   user_data);
SPINDLE_AVAILABLE_IN_ALL
gboolean          spindle_worker_set_shutdown_finish (SpindleWorkerSet         *set,
                                                     GAsyncResult              *result,
                                                     GError                   **error);

G_END_DECLS
