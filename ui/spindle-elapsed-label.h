/* spindle-elapsed-label.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_ELAPSED_LABEL (spindle_elapsed_label_get_type ())

G_DECLARE_FINAL_TYPE (SpindleElapsedLabel, spindle_elapsed_label, SPINDLE, ELAPSED_LABEL, GtkWidget)

/* A worker's elapsed time, "1:04.3", that follows the shared clock only
 * while it is mapped and its worker is live. With "report-shown" set, a
 * mapped label also counts its worker in its window's SpindleShownWorkers.
 */
GtkWidget     *spindle_elapsed_label_new              (void);
SpindleWorker *spindle_elapsed_label_get_worker       (SpindleElapsedLabel *self);
void           spindle_elapsed_label_set_worker       (SpindleElapsedLabel *self,
                                                       SpindleWorker       *worker);
gboolean       spindle_elapsed_label_get_report_shown (SpindleElapsedLabel *self);
void           spindle_elapsed_label_set_report_shown (SpindleElapsedLabel *self,
                                                       gboolean             report_shown);

G_END_DECLS
