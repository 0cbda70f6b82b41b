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

/* How long from @t_main a bare program takes to make @n waiting threads of
 * a worker's stack size, in ms, or -1 if one could not be made.
 */
double     bench_reference_threads    (guint       n,
                                       gint64      t_main);

/* htop showing @pid's threads at a 0.5 s refresh for @seconds: its CPU in
 * % of a core, or NAN if it could not run.
 */
double     bench_reference_htop       (const char *htop,
                                       GPid        pid,
                                       guint       seconds);

G_END_DECLS
