/* spindle-worker-set-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-worker-set.h"

G_BEGIN_DECLS

void    _spindle_worker_set_worker_ended        (SpindleWorkerSet *set,
                                                 SpindleWorker    *worker);
void    _spindle_worker_set_worker_unresponsive (SpindleWorkerSet *set,
                                                 SpindleWorker    *worker);
void    _spindle_worker_set_flush (SpindleWorkerSet *set);
guint64 _spindle_worker_set_get_n_dispatches    (SpindleWorkerSet *set);

G_END_DECLS
