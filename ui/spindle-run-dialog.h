/* spindle-run-dialog.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_RUN_DIALOG (spindle_run_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SpindleRunDialog, spindle_run_dialog, SPINDLE, RUN_DIALOG, GtkWindow)

/* Asks for a command line, a working directory and a stop signal, and runs
 * the command as a process worker of @set. What cannot run is said in the
 * dialog, next to what to change; a command that runs closes it.
 */
GtkWidget *spindle_run_dialog_new (GtkWindow        *parent,
                                   SpindleWorkerSet *set);

G_END_DECLS
