/* spindle-application.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_APPLICATION (spindle_application_get_type ())

G_DECLARE_FINAL_TYPE (SpindleApplication, spindle_application, SPINDLE, APPLICATION, GtkApplication)

/* Exit status for a command line that cannot be used. */
#define SPINDLE_EXIT_USAGE 2

SpindleApplication *spindle_application_new            (void);
SpindleWorkerSet   *spindle_application_get_worker_set (SpindleApplication *self);

G_END_DECLS
