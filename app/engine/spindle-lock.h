/* spindle-lock.h
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

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleLock:
 *
 * A named, robust mutex whose owner the engine tracks. A worker cancelled
 * while holding it has it released by its cleanup, and the lock is marked
 * tainted: the data it guards may be half-updated. An owner that died
 * without any cleanup is found through EOWNERDEAD and taints it too.
 *
 * Taking a tainted lock works as EOWNERDEAD does, so that no caller can
 * miss it: the caller gets the lock *and* FALSE with
 * SPINDLE_ERROR_LOCK_TAINTED. It then holds the lock and must release it;
 * once it has checked or repaired the data, it calls
 * spindle_lock_mark_consistent() before releasing. Released without that,
 * the lock stays tainted and the next taker is told in turn. A caller that
 * treats every FALSE as a failure and returns it from its body fails
 * loudly, and the engine releases the lock, still tainted.
 */
typedef struct _SpindleLock SpindleLock;

#define SPINDLE_TYPE_LOCK (spindle_lock_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType        spindle_lock_get_type        (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleLock *spindle_lock_new             (const char   *name);
SPINDLE_AVAILABLE_IN_ALL
SpindleLock *spindle_lock_ref             (SpindleLock  *lock);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_lock_unref           (SpindleLock  *lock);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_lock_free            (SpindleLock  *lock);
SPINDLE_AVAILABLE_IN_ALL
const char  *spindle_lock_get_name        (SpindleLock  *lock);
SPINDLE_AVAILABLE_IN_ALL
gboolean     spindle_lock_is_tainted      (SpindleLock  *lock);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_lock_mark_consistent (SpindleLock  *lock);
SPINDLE_AVAILABLE_IN_ALL
char        *spindle_lock_dup_holder      (SpindleLock  *lock);
SPINDLE_AVAILABLE_IN_ALL
gboolean     spindle_lock_is_held         (SpindleLock  *lock);

/* For threads that are not workers (the main thread, raw threads). */
G_GNUC_WARN_UNUSED_RESULT
SPINDLE_AVAILABLE_IN_ALL
gboolean     spindle_lock_acquire         (SpindleLock  *lock,
                                           GError      **error);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_lock_release         (SpindleLock  *lock);

G_GNUC_WARN_UNUSED_RESULT
SPINDLE_AVAILABLE_IN_ALL
gboolean     spindle_job_lock             (SpindleJob   *job,
                                           SpindleLock  *lock,
                                           GError      **error);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_job_unlock           (SpindleJob   *job,
                                           SpindleLock  *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleLock, spindle_lock_unref)

G_END_DECLS
