/* spindle-gtk.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/* libspindle-gtk-1: Spindle's thread list and side pane as a widget that
 * any GTK 4 program can show over its own SpindleWorkerSet, and a
 * "Spindle" page in GTK's inspector. Programs include this header only;
 * pkg-config module spindle-gtk-1.
 */

#include <gtk/gtk.h>
#include <spindle.h>

#define SPINDLE_GTK_INSIDE
# include "spindle-gtk-version-macros.h"
# include "spindle-panel.h"
#undef SPINDLE_GTK_INSIDE
