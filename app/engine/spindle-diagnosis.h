/* spindle-diagnosis.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-worker.h"

G_BEGIN_DECLS

/* What will reach a worker where it is now. */
typedef enum
{
  SPINDLE_REACH_NONE,        /* over, or nothing to say */
  SPINDLE_REACH_STOP,        /* a stop wakes it at once */
  SPINDLE_REACH_CANCEL,      /* only force-cancel reaches it, at once */
  SPINDLE_REACH_NEXT_CHECK,  /* it sees a stop at its next check only */
  SPINDLE_REACH_NOTHING,     /* neither a stop nor a cancel can reach it */
} SpindleReach;

typedef struct
{
  SpindleReach  reach;
  const char   *summary;   /* "blocked on a futex (a mutex or condition variable)" */
  const char   *advice;    /* "force-cancel cannot interrupt this wait — use spindle_job_cond_wait" */
} SpindleDiagnosis;

/* The mapping is one table; these inputs are what the sampler reads. */
const SpindleDiagnosis *spindle_diagnose          (SpindleWorkerState  state,
                                                   gboolean            in_compute,
                                                   char                kernel_state,
                                                   const char         *wait_channel,
                                                   const char         *syscall);
const SpindleDiagnosis *spindle_worker_diagnose   (SpindleWorker      *worker);

G_END_DECLS
