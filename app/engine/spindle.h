/* spindle.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

/* The only header programs include: the others refuse to be included
 * on their own, so that what they need from each other can move freely.
 * spindle-remote.h can also be included on its own: it includes this
 * header first, which is then empty, so the headers it needs (the export's
 * name prefix, the worker set) must come before it here.
 */
#define SPINDLE_INSIDE
# include "spindle-version-macros.h"
# include "spindle-types.h"
# include "spindle-enums.h"
# include "spindle-cleanup-report.h"
# include "spindle-cond.h"
# include "spindle-diagnosis.h"
# include "spindle-export.h"
# include "spindle-job.h"
# include "spindle-limits.h"
# include "spindle-lock.h"
# include "spindle-process.h"
# include "spindle-remote.h"
# include "spindle-sampler.h"
# include "spindle-stack.h"
# include "spindle-thread-info.h"
# include "spindle-worker.h"
# include "spindle-worker-set.h"
#undef SPINDLE_INSIDE
