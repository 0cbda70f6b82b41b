/* spindle-thread-info.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <glib-object.h>

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleThreadInfo:
 *
 * One of the process's threads that Spindle did not start (GTK's, GDBus's,
 * GLib's pools), as a #SpindleSampler lists them: read-only.
 */
#define SPINDLE_TYPE_THREAD_INFO (spindle_thread_info_get_type ())

SPINDLE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpindleThreadInfo, spindle_thread_info, SPINDLE, THREAD_INFO, GObject)

SPINDLE_AVAILABLE_IN_ALL
int         spindle_thread_info_get_tid          (SpindleThreadInfo *info);
SPINDLE_AVAILABLE_IN_ALL
const char *spindle_thread_info_get_name         (SpindleThreadInfo *info);
SPINDLE_AVAILABLE_IN_ALL
double      spindle_thread_info_get_cpu_percent  (SpindleThreadInfo *info);
SPINDLE_AVAILABLE_IN_ALL
const char *spindle_thread_info_get_kernel_state (SpindleThreadInfo *info);

G_END_DECLS
