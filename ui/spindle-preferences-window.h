/* spindle-preferences-window.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SPINDLE_TYPE_PREFERENCES_WINDOW (spindle_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SpindlePreferencesWindow, spindle_preferences_window, SPINDLE, PREFERENCES_WINDOW, GtkWindow)

/* Every control is bound to GSettings; whoever owns the worker set applies
 * the changes live.
 */
GtkWidget *spindle_preferences_window_new (GtkWindow *parent);

G_END_DECLS
