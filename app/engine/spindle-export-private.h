/* spindle-export-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-worker-set.h"

G_BEGIN_DECLS

/* spindle_worker_set_new() exports every set when SPINDLE_EXPORT says so. */
void  _spindle_export_from_environment  (SpindleWorkerSet *set);

/* For tests and benchmarks. */
guint _spindle_export_get_n_signals     (void);
guint _spindle_export_get_n_subscribers (void);
void  _spindle_export_set_retention     (guint             max,
                                         gint64            usec);
gboolean _spindle_export_is_gathering   (SpindleWorkerSet *set);

G_END_DECLS
