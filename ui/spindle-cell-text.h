/* spindle-cell-text.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "spindle.h"

G_BEGIN_DECLS

/* What the list's cells say, from a worker's properties: shared by the
 * cells (spindle-panel-cells.c) and the columns' sorters, which sort by
 * the words shown.
 */
char     *spindle_cell_text_cpu              (SpindleWorkerState    state,
                                              double                percent);
char     *spindle_cell_text_kernel           (SpindleWorkerState    state,
                                              const char           *kernel_state,
                                              const char           *wait_channel,
                                              const char           *syscall);
char     *spindle_cell_text_kernel_tooltip   (SpindleWorkerState    state,
                                              const char           *kernel_state,
                                              const char           *wait_channel,
                                              const char           *syscall);
char     *spindle_cell_text_state_tooltip    (SpindleWorkerState    state,
                                              gboolean              unresponsive);
char    **spindle_cell_text_cleanup_classes  (SpindleWorkerState    state,
                                              SpindleCleanupReport *report);
char     *spindle_cell_text_stop_tooltip     (SpindleWorker        *worker);
char     *spindle_cell_text_cancel_tooltip   (SpindleWorker        *worker);
char     *spindle_cell_text_stop_name        (SpindleWorker        *worker);
char     *spindle_cell_text_cancel_name      (SpindleWorker        *worker);
gboolean  spindle_cell_text_can_stop         (SpindleWorker        *worker);
gboolean  spindle_cell_text_can_cancel       (SpindleWorker        *worker);

G_END_DECLS
