/* spindle-attach-dialog.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SPINDLE_TYPE_ATTACH_DIALOG (spindle_attach_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SpindleAttachDialog, spindle_attach_dialog, SPINDLE, ATTACH_DIALOG, GtkWindow)

/* Lists the programs that export their workers on the session bus, by
 * name, PID and live workers, as they come and go. Attach activates
 * "app.attach-program" with the chosen program's bus name and closes.
 */
GtkWidget *spindle_attach_dialog_new         (GtkWindow           *parent);
guint      spindle_attach_dialog_get_n_programs (SpindleAttachDialog *self);

G_END_DECLS
