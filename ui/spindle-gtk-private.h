/* spindle-gtk-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void _spindle_gtk_ensure_style (GdkDisplay *display);

G_END_DECLS
