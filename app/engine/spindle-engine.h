/* spindle-engine.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define SPINDLE_ENGINE_INSIDE
#include "spindle-cleanup-report.h"
#include "spindle-cond.h"
#include "spindle-diagnosis.h"
#include "spindle-enums.h"
#include "spindle-job.h"
#include "spindle-lock.h"
#include "spindle-process.h"
#include "spindle-sampler.h"
#include "spindle-types.h"
#include "spindle-worker.h"
#include "spindle-worker-set.h"
#undef SPINDLE_ENGINE_INSIDE
