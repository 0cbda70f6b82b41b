/* spindle-inspector-page.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SPINDLE_TYPE_INSPECTOR_PAGE (spindle_inspector_page_get_type ())

G_DECLARE_FINAL_TYPE (SpindleInspectorPage, spindle_inspector_page, SPINDLE, INSPECTOR_PAGE, GtkWidget)

G_END_DECLS
