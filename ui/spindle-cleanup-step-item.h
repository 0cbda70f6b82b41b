/* spindle-cleanup-step-item.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_CLEANUP_STEP_ITEM (spindle_cleanup_step_item_get_type ())

G_DECLARE_FINAL_TYPE (SpindleCleanupStepItem, spindle_cleanup_step_item, SPINDLE, CLEANUP_STEP_ITEM, GObject)

/* One step of a cleanup, as a list item: a step reported live (no duration
 * yet, -1) or one of the final report. Immutable.
 */
SpindleCleanupStepItem *spindle_cleanup_step_item_new          (const SpindleCleanupStep *step);
const char             *spindle_cleanup_step_item_get_label    (SpindleCleanupStepItem   *self);
SpindleCleanupOutcome   spindle_cleanup_step_item_get_outcome  (SpindleCleanupStepItem   *self);
const char             *spindle_cleanup_step_item_get_message  (SpindleCleanupStepItem   *self);
gint64                  spindle_cleanup_step_item_get_duration (SpindleCleanupStepItem   *self);
GListModel             *spindle_cleanup_step_items_from_report (SpindleCleanupReport     *report);

G_END_DECLS
