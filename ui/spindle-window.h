/* spindle-window.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle-engine.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_WINDOW (spindle_window_get_type ())

G_DECLARE_FINAL_TYPE (SpindleWindow, spindle_window, SPINDLE, WINDOW, GtkApplicationWindow)

SpindleWindow *spindle_window_new (gpointer          application,
                                   SpindleWorkerSet *set);

G_END_DECLS
