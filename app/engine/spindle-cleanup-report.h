/* spindle-cleanup-report.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include "spindle-types.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_CLEANUP_REPORT (spindle_cleanup_report_get_type ())

/**
 * SpindleCleanupStep:
 * @label: what the step does
 * @outcome: how it went
 * @message: (nullable): why it failed or did not run
 * @duration_usec: how long it took
 *
 * One step of a #SpindleCleanupReport.
 */
typedef struct
{
  char                  *label;
  SpindleCleanupOutcome  outcome;
  char                  *message;
  gint64                 duration_usec;
} SpindleCleanupStep;

#define SPINDLE_TYPE_CLEANUP_STEP (spindle_cleanup_step_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType                     spindle_cleanup_step_get_type        (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleCleanupStep       *spindle_cleanup_step_copy            (const SpindleCleanupStep *step);
SPINDLE_AVAILABLE_IN_ALL
void                      spindle_cleanup_step_free            (SpindleCleanupStep   *step);

SPINDLE_AVAILABLE_IN_ALL
GType                     spindle_cleanup_report_get_type      (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleCleanupReport     *spindle_cleanup_report_ref           (SpindleCleanupReport *report);
SPINDLE_AVAILABLE_IN_ALL
void                      spindle_cleanup_report_unref         (SpindleCleanupReport *report);
SPINDLE_AVAILABLE_IN_ALL
guint                     spindle_cleanup_report_get_n_steps   (SpindleCleanupReport *report);
SPINDLE_AVAILABLE_IN_ALL
const SpindleCleanupStep *spindle_cleanup_report_get_step      (SpindleCleanupReport *report,
                                                                guint                 position);
SPINDLE_AVAILABLE_IN_ALL
guint                     spindle_cleanup_report_count         (SpindleCleanupReport *report,
                                                                SpindleCleanupOutcome outcome);
SPINDLE_AVAILABLE_IN_ALL
gint64                    spindle_cleanup_report_get_duration  (SpindleCleanupReport *report);
SPINDLE_AVAILABLE_IN_ALL
guint                     spindle_cleanup_report_get_n_tainted_locks (SpindleCleanupReport *report);
SPINDLE_AVAILABLE_IN_ALL
char                     *spindle_cleanup_report_to_string     (SpindleCleanupReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleCleanupReport, spindle_cleanup_report_unref)

G_END_DECLS
