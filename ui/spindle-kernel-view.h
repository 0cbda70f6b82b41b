/* spindle-kernel-view.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_KERNEL_VIEW (spindle_kernel_view_get_type ())

G_DECLARE_FINAL_TYPE (SpindleKernelView, spindle_kernel_view, SPINDLE, KERNEL_VIEW, GtkWidget)

/* The details pane's view of a worker from the kernel's side: why it is
 * still running and what will reach it, its kernel state, wait channel,
 * system call and CPU, and a timeline of its states with escalations and
 * cleanups marked.
 */
GtkWidget     *spindle_kernel_view_new        (void);
SpindleWorker *spindle_kernel_view_get_worker (SpindleKernelView *self);
void           spindle_kernel_view_set_worker (SpindleKernelView *self,
                                               SpindleWorker     *worker);

G_END_DECLS
