/* spindle-stack-window.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <spindle.h>

G_BEGIN_DECLS

#define SPINDLE_TYPE_STACK_WINDOW (spindle_stack_window_get_type ())

G_DECLARE_FINAL_TYPE (SpindleStackWindow, spindle_stack_window, SPINDLE, STACK_WINDOW, GtkWindow)

GtkWidget    *spindle_stack_window_new         (GtkWindow          *parent,
                                                SpindleWorker      *worker);
GtkWidget    *spindle_stack_window_new_for_tid (GtkWindow          *parent,
                                                int                 tid,
                                                const char         *name);
void          spindle_stack_window_capture     (SpindleStackWindow *self);
SpindleStack *spindle_stack_window_get_stack   (SpindleStackWindow *self);
const char   *spindle_stack_window_get_page    (SpindleStackWindow *self);

G_END_DECLS
