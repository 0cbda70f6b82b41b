/* spindle-thread-list.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_THREAD_LIST (spindle_thread_list_get_type ())

G_DECLARE_FINAL_TYPE (SpindleThreadList, spindle_thread_list, SPINDLE, THREAD_LIST, GtkWidget)

/* The threads of the process that Spindle did not start (GTK's, GDBus's,
 * GLib's pools), read-only, in a section that folds away: name, TID, CPU
 * and kernel state of each SpindleThreadInfo of @model.
 */
GtkWidget  *spindle_thread_list_new          (void);
GListModel *spindle_thread_list_get_model    (SpindleThreadList *self);
void        spindle_thread_list_set_model    (SpindleThreadList *self,
                                              GListModel        *model);
gboolean    spindle_thread_list_get_expanded (SpindleThreadList *self);
void        spindle_thread_list_set_expanded (SpindleThreadList *self,
                                              gboolean           expanded);

G_END_DECLS
