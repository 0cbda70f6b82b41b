/* spindle-remote.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

/* Includes what it needs itself, so that it can be used before <spindle.h>
 * lists it, and from <spindle.h> once it does.
 */
#include "spindle.h"

G_BEGIN_DECLS

/**
 * SPINDLE_REMOTE_NAME_PREFIX:
 *
 * The start of the well-known bus name of every program that exports its
 * workers: the program with process id 1234 owns
 * `dev.spindle.Spindle1.Program.p1234`.
 */
#define SPINDLE_REMOTE_NAME_PREFIX SPINDLE_EXPORT_NAME_PREFIX "p"

SPINDLE_AVAILABLE_IN_ALL
void              spindle_worker_set_attach_async       (const char           *program,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
SPINDLE_AVAILABLE_IN_ALL
SpindleWorkerSet *spindle_worker_set_attach_finish      (GAsyncResult         *result,
                                                         GError              **error);
SPINDLE_AVAILABLE_IN_ALL
gboolean          spindle_worker_set_is_remote          (SpindleWorkerSet     *set);
SPINDLE_AVAILABLE_IN_ALL
int               spindle_worker_set_get_remote_pid     (SpindleWorkerSet     *set);
SPINDLE_AVAILABLE_IN_ALL
const char       *spindle_worker_set_get_remote_name    (SpindleWorkerSet     *set);
SPINDLE_AVAILABLE_IN_ALL
gboolean          spindle_worker_set_get_remote_gone    (SpindleWorkerSet     *set);

G_END_DECLS
