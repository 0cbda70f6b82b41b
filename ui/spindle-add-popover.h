/* spindle-add-popover.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SPINDLE_TYPE_ADD_POPOVER (spindle_add_popover_get_type ())

G_DECLARE_FINAL_TYPE (SpindleAddPopover, spindle_add_popover, SPINDLE, ADD_POPOVER, GtkPopover)

/* Lists the catalogue's kinds with their one-line descriptions and a count;
 * picking a kind emits "add" (kind, count) and closes the popover.
 */
GtkWidget *spindle_add_popover_new       (void);
guint      spindle_add_popover_get_count (SpindleAddPopover *self);

G_END_DECLS
