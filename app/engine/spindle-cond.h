/* spindle-cond.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <glib-object.h>

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleCond:
 *
 * A condition variable whose waiters (spindle_job_cond_wait()) sleep in
 * poll, so that a stop request wakes them at once and force-cancel reaches
 * them. Signal and broadcast may be called from any thread.
 */
typedef struct _SpindleCond SpindleCond;

#define SPINDLE_TYPE_COND (spindle_cond_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType        spindle_cond_get_type  (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleCond *spindle_cond_new       (void);
SPINDLE_AVAILABLE_IN_ALL
SpindleCond *spindle_cond_ref       (SpindleCond *cond);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_cond_unref     (SpindleCond *cond);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_cond_free      (SpindleCond *cond);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_cond_signal    (SpindleCond *cond);
SPINDLE_AVAILABLE_IN_ALL
void         spindle_cond_broadcast (SpindleCond *cond);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleCond, spindle_cond_unref)

G_END_DECLS
