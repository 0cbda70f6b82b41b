/* spindle-cleanup-step-row.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle-cleanup-step-item.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_CLEANUP_STEP_ROW (spindle_cleanup_step_row_get_type ())

G_DECLARE_FINAL_TYPE (SpindleCleanupStepRow, spindle_cleanup_step_row, SPINDLE, CLEANUP_STEP_ROW, GtkWidget)

/* A cleanup step in the details pane: outcome mark, label, message and
 * duration, bound in its template to the step item.
 */
GtkWidget              *spindle_cleanup_step_row_new      (SpindleCleanupStepItem *item);
SpindleCleanupStepItem *spindle_cleanup_step_row_get_item (SpindleCleanupStepRow  *self);

G_END_DECLS
