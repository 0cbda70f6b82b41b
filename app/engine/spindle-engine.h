/* spindle-engine.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

/* The umbrella header's name inside this tree before it became <spindle.h>;
 * not installed. It goes once the UI's headers include "spindle.h".
 */
#include "spindle.h"
