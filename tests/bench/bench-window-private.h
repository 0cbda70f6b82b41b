/* bench-window-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A window of @width × @height holding a bare GtkColumnView of @n_rows
 * rows in the shape of Spindle's list, returned in @list (see
 * bench-window-reference.c).
 */
GtkWidget *bench_reference_window_new (guint       n_rows,
                                       int         width,
                                       int         height,
                                       GtkWidget **list);

G_END_DECLS
