/* spindle-format.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "spindle.h"

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
char       **spindle_format_state_pill_classes (SpindleWorkerState  state);
const char  *spindle_format_state_label     (SpindleWorkerState     state);
gboolean     spindle_format_is_unresponsive (SpindleWorkerState     state,
                                             gboolean               unresponsive);
const char  *spindle_format_pill_label      (SpindleWorkerState     state,
                                             gboolean               unresponsive);
char       **spindle_format_pill_classes    (SpindleWorkerState     state,
                                             gboolean               unresponsive);
const char  *spindle_format_reason_label    (SpindleStopReason      reason);
const char  *spindle_format_kind_title      (const char            *kind);
char        *spindle_format_tid             (int                    tid);
gboolean     spindle_format_can_stop        (SpindleWorkerState     state);
gboolean     spindle_format_can_cancel      (SpindleWorkerState     state);

gboolean     spindle_format_thread_may_run  (SpindleWorkerState     state);
char        *spindle_format_cpu_percent     (double                 percent);
char        *spindle_format_cpu_time        (gint64                 nsec);
const char  *spindle_format_kernel_state_name (char                 kernel_state);
char        *spindle_format_kernel_state    (const char            *kernel_state);
char        *spindle_format_kernel_short    (const char            *kernel_state,
                                             const char            *wait_channel,
                                             const char            *syscall);
char        *spindle_format_kernel_long     (const char            *kernel_state,
                                             const char            *wait_channel,
                                             const char            *syscall);
char        *spindle_format_process_status  (double                 cpu_percent,
                                             guint64                resident,
                                             guint                  n_threads,
                                             guint                  n_cpus,
                                             double                 load_average);
const char  *spindle_format_reach_title     (SpindleReach           reach);
const char  *spindle_format_reach_icon      (SpindleReach           reach);
const char  *spindle_format_reach_class     (SpindleReach           reach);
char        *spindle_format_variant         (GVariant              *value);

G_END_DECLS
