/* spindle-state-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-types.h"

G_BEGIN_DECLS

gboolean _spindle_state_can_transition (SpindleWorkerState from,
                                        SpindleWorkerState to);

G_END_DECLS
