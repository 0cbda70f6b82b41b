/* spindle-window-remote.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-remote.h"
#include "spindle-window.h"

G_BEGIN_DECLS

void _spindle_window_init_remote           (SpindleWindow *self);
void _spindle_window_update_remote_actions (SpindleWindow *self);

G_END_DECLS
