/* spindle-format.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "spindle-engine.h"

G_BEGIN_DECLS

/* Text and style classes shared by the list cells and the details pane. */

char        *spindle_format_elapsed         (gint64                 usec);
char        *spindle_format_duration        (gint64                 usec);
char        *spindle_format_countdown       (SpindleEscalation      escalation,
                                             gint64                 remaining_usec);
char        *spindle_format_cleanup_status  (SpindleWorkerState     state,
                                             SpindleCleanupReport  *report);
const char  *spindle_format_cleanup_class   (SpindleWorkerState     state,
                                             SpindleCleanupReport  *report);
const char  *spindle_format_state_class     (SpindleWorkerState     state);
const char  *spindle_format_state_label     (SpindleWorkerState     state);
const char  *spindle_format_reason_label    (SpindleStopReason      reason);
gboolean     spindle_format_report_tainted  (SpindleCleanupReport  *report);
gboolean     spindle_format_can_stop        (SpindleWorkerState     state);
gboolean     spindle_format_can_cancel      (SpindleWorkerState     state);
int          spindle_format_state_rank      (SpindleWorkerState     state);

G_END_DECLS
