/* spindle-panel.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (SPINDLE_GTK_INSIDE) && !defined (SPINDLE_GTK_COMPILATION)
# error "Only <spindle-gtk.h> can be included directly."
#endif

#include <gtk/gtk.h>
#include <spindle.h>

#include "spindle-gtk-version-macros.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_PANEL (spindle_panel_get_type ())

SPINDLE_GTK_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpindlePanel, spindle_panel, SPINDLE, PANEL, GtkWidget)

SPINDLE_GTK_AVAILABLE_IN_ALL
GtkWidget        *spindle_panel_new                 (SpindleWorkerSet *set);
SPINDLE_GTK_AVAILABLE_IN_ALL
SpindleWorkerSet *spindle_panel_get_set             (SpindlePanel     *self);
SPINDLE_GTK_AVAILABLE_IN_ALL
void              spindle_panel_set_set             (SpindlePanel     *self,
                                                     SpindleWorkerSet *set);
SPINDLE_GTK_AVAILABLE_IN_ALL
SpindleWorker    *spindle_panel_get_selected_worker (SpindlePanel     *self);

G_END_DECLS
