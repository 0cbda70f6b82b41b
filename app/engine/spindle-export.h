/* spindle-export.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <gio/gio.h>

#include "spindle-types.h"
#include "spindle-worker-set.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SPINDLE_EXPORT_NAME_PREFIX:
 *
 * The start of the well-known name an exporting program owns on the
 * session bus; the name goes on with "p" and the program's process id.
 */
#define SPINDLE_EXPORT_NAME_PREFIX "dev.spindle.Spindle1.Program."

/**
 * SPINDLE_EXPORT_OBJECT_PATH:
 *
 * The object path at which an exporting program serves
 * `dev.spindle.Spindle1.Program`.
 */
#define SPINDLE_EXPORT_OBJECT_PATH "/dev/spindle/Spindle1"

SPINDLE_AVAILABLE_IN_ALL
gboolean    spindle_worker_set_export           (SpindleWorkerSet    *set,
                                                 SpindleExportFlags   flags,
                                                 GError             **error);
SPINDLE_AVAILABLE_IN_ALL
void        spindle_worker_set_unexport         (SpindleWorkerSet    *set);
SPINDLE_AVAILABLE_IN_ALL
const char *spindle_worker_set_get_export_name  (SpindleWorkerSet    *set);

G_END_DECLS
