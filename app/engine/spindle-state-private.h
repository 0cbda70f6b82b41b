/* spindle-state-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-types.h"

G_BEGIN_DECLS

gboolean _spindle_state_can_transition (SpindleWorkerState from,
                                        SpindleWorkerState to);

G_END_DECLS
