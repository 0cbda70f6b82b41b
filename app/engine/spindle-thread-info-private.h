/* spindle-thread-info-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-thread-info.h"

G_BEGIN_DECLS

SpindleThreadInfo *_spindle_thread_info_new    (int                tid);
void               _spindle_thread_info_update (SpindleThreadInfo *info,
                                                const char        *name,
                                                char               kernel_state,
                                                gint64             cpu_time,
                                                gint64             at);

G_END_DECLS
