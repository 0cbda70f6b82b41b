/* spindle-stack.h
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

#include "spindle-worker.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SPINDLE_STACK_HELPER_ENV:
 *
 * The environment variable that names the stack helper, for tests and the
 * build tree; the installed one is used without it.
 */
#define SPINDLE_STACK_HELPER_ENV "SPINDLE_STACK_HELPER"

#define SPINDLE_TYPE_STACK (spindle_stack_get_type ())

/**
 * SpindleStack:
 *
 * A thread's call stack, captured at one moment by
 * spindle_worker_capture_stack_async(): its frames, innermost first, with
 * their functions, modules and source lines where known.
 */
typedef struct _SpindleStack SpindleStack;

SPINDLE_AVAILABLE_IN_ALL
GType         spindle_stack_get_type            (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleStack *spindle_stack_ref                 (SpindleStack *stack);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_stack_unref               (SpindleStack *stack);

SPINDLE_AVAILABLE_IN_ALL
int           spindle_stack_get_tid             (SpindleStack *stack);
SPINDLE_AVAILABLE_IN_ALL
gint64        spindle_stack_get_pause_usec      (SpindleStack *stack);
SPINDLE_AVAILABLE_IN_ALL
guint         spindle_stack_get_n_frames        (SpindleStack *stack);
SPINDLE_AVAILABLE_IN_ALL
guint64       spindle_stack_get_frame_address   (SpindleStack *stack,
                                                 guint         index);
SPINDLE_AVAILABLE_IN_ALL
const char   *spindle_stack_get_frame_function  (SpindleStack *stack,
                                                 guint         index);
SPINDLE_AVAILABLE_IN_ALL
const char   *spindle_stack_get_frame_module    (SpindleStack *stack,
                                                 guint         index);
SPINDLE_AVAILABLE_IN_ALL
const char   *spindle_stack_get_frame_file      (SpindleStack *stack,
                                                 guint         index);
SPINDLE_AVAILABLE_IN_ALL
guint         spindle_stack_get_frame_line      (SpindleStack *stack,
                                                 guint         index);
SPINDLE_AVAILABLE_IN_ALL
gboolean      spindle_stack_frame_is_library    (SpindleStack *stack,
                                                 guint         index);
SPINDLE_AVAILABLE_IN_ALL
guint         spindle_stack_get_fold_end        (SpindleStack *stack,
                                                 guint         index);
SPINDLE_AVAILABLE_IN_ALL
char         *spindle_stack_describe_frames     (SpindleStack *stack,
                                                 guint         first,
                                                 guint         end);
SPINDLE_AVAILABLE_IN_ALL
char         *spindle_stack_to_string           (SpindleStack *stack,
                                                 gboolean      fold_libraries);

SPINDLE_AVAILABLE_IN_ALL
void          spindle_stack_capture_async       (int                  tid,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
SPINDLE_AVAILABLE_IN_ALL
SpindleStack *spindle_stack_capture_finish      (GAsyncResult        *result,
                                                 GError             **error);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_worker_capture_stack_async (SpindleWorker       *worker,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleStack, spindle_stack_unref)

G_END_DECLS
