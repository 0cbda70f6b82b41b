/* spindle-worker-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-dispatch-private.h"
#include "spindle-job-private.h"
#include "spindle-worker.h"

G_BEGIN_DECLS

SpindleWorker *_spindle_worker_new          (SpindleWorkerSet  *set,
                                             guint64            id,
                                             const char        *name,
                                             const char        *kind,
                                             SpindleJob        *job);
void           _spindle_worker_fail_start   (SpindleWorker     *worker,
                                             const GError      *error);
void           _spindle_worker_handle_event (SpindleWorker     *worker,
                                             SpindleEvent      *event);
void           _spindle_worker_request_stop (SpindleWorker     *worker,
                                             SpindleStopReason  reason);
void           _spindle_worker_force_cancel (SpindleWorker     *worker,
                                             SpindleStopReason  reason);
void           _spindle_worker_disown       (SpindleWorker     *worker);

G_END_DECLS
