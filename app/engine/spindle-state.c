/* spindle-state.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-state-private.h"

#define S(name) (1u << SPINDLE_WORKER_STATE_##name)

/* The one table of legal state changes. Terminal states have no way out.
 * STARTING reaches CLEANING only through RUNNING, STOPPING or CANCELLING:
 * the thread reports its start before anything else. A thread that could
 * not be created fails from whichever state came before it ran: a child
 * can be asked to stop (its parent was stopping) before its creation fails.
 */
static const guint transitions[SPINDLE_WORKER_N_STATES] = {
  [SPINDLE_WORKER_STATE_STARTING]   = S (RUNNING) | S (STOPPING) | S (CANCELLING) | S (FAILED),
  [SPINDLE_WORKER_STATE_RUNNING]    = S (STOPPING) | S (CANCELLING) | S (CLEANING),
  [SPINDLE_WORKER_STATE_STOPPING]   = S (CANCELLING) | S (CLEANING) | S (ABANDONED) | S (FAILED),
  [SPINDLE_WORKER_STATE_CANCELLING] = S (CLEANING) | S (ABANDONED) | S (FAILED),
  [SPINDLE_WORKER_STATE_CLEANING]   = S (FINISHED) | S (FAILED) | S (STOPPED) | S (CANCELLED) | S (ABANDONED),
};

#undef S

gboolean
_spindle_state_can_transition (SpindleWorkerState from,
                               SpindleWorkerState to)
{
  if (from >= SPINDLE_WORKER_N_STATES || to >= SPINDLE_WORKER_N_STATES)
    return FALSE;

  return (transitions[from] & (1u << to)) != 0;
}
