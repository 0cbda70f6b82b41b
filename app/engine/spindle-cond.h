/* spindle-cond.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A condition variable whose waiters (spindle_job_cond_wait) sleep in poll,
 * so that a stop request wakes them at once and force-cancel reaches them.
 * Signal and broadcast may be called from any thread.
 */
typedef struct _SpindleCond SpindleCond;

SpindleCond *spindle_cond_new       (void);
void         spindle_cond_free      (SpindleCond *cond);
void         spindle_cond_signal    (SpindleCond *cond);
void         spindle_cond_broadcast (SpindleCond *cond);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleCond, spindle_cond_free)

G_END_DECLS
