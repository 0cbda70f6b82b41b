/* spindle-catalog-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-catalog.h"

G_BEGIN_DECLS

/* For tests: the catalogue's shared lock, and a way to let the raw
 * g_cond_wait waiters go so that a test leaves no stuck thread behind.
 */
SpindleLock *_spindle_catalog_get_ledger_lock     (void);
void         _spindle_catalog_release_cond_waiters (void);

G_END_DECLS
