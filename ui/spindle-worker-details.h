/* spindle-worker-details.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_WORKER_DETAILS (spindle_worker_details_get_type ())

G_DECLARE_FINAL_TYPE (SpindleWorkerDetails, spindle_worker_details, SPINDLE, WORKER_DETAILS, GtkWidget)

/* The side pane: one worker's properties, escalation countdown, cleanup
 * report step by step, event log, and result or error.
 */
GtkWidget     *spindle_worker_details_new          (void);
SpindleWorker *spindle_worker_details_get_worker   (SpindleWorkerDetails *self);
void           spindle_worker_details_set_worker   (SpindleWorkerDetails *self,
                                                    SpindleWorker        *worker);

G_END_DECLS
