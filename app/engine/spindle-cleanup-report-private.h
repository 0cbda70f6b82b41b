/* spindle-cleanup-report-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-cleanup-report.h"

G_BEGIN_DECLS

SpindleCleanupReport *_spindle_cleanup_report_new      (void);
void                  _spindle_cleanup_report_add      (SpindleCleanupReport  *report,
                                                        const char            *label,
                                                        SpindleCleanupOutcome  outcome,
                                                        const char            *message,
                                                        gint64                 duration_usec);
void                  _spindle_cleanup_report_note_tainted_lock (SpindleCleanupReport *report);
void                  _spindle_cleanup_report_set_duration (SpindleCleanupReport *report,
                                                        gint64                 duration_usec);
void                  _spindle_cleanup_report_add_process_step (SpindleCleanupReport  *report,
                                                                const char            *label,
                                                                SpindleCleanupOutcome  outcome,
                                                                const char            *message,
                                                                gint64                 duration_usec,
                                                                int                    pid,
                                                                const char            *name);
int                   _spindle_cleanup_report_get_step_process (SpindleCleanupReport  *report,
                                                                guint                  position,
                                                                const char           **name);

G_END_DECLS
