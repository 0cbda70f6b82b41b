/* spindle-types.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-i18n-private.h"
#include "spindle-types.h"

G_DEFINE_QUARK (spindle-error-quark, spindle_error)

gboolean
spindle_worker_state_is_terminal (SpindleWorkerState state)
{
  return state >= SPINDLE_WORKER_STATE_FINISHED;
}

gboolean
spindle_worker_state_is_live (SpindleWorkerState state)
{
  return !spindle_worker_state_is_terminal (state);
}

const char *
spindle_worker_state_to_string (SpindleWorkerState state)
{
  static const char * const names[SPINDLE_WORKER_N_STATES] = {
    /* Translators: a worker's state, shown after its name in a cleanup report */
    [SPINDLE_WORKER_STATE_STARTING]   = N_("starting"),
    [SPINDLE_WORKER_STATE_RUNNING]    = N_("running"),
    [SPINDLE_WORKER_STATE_STOPPING]   = N_("stopping"),
    [SPINDLE_WORKER_STATE_CANCELLING] = N_("cancelling"),
    [SPINDLE_WORKER_STATE_CLEANING]   = N_("cleaning"),
    [SPINDLE_WORKER_STATE_FINISHED]   = N_("finished"),
    [SPINDLE_WORKER_STATE_FAILED]     = N_("failed"),
    [SPINDLE_WORKER_STATE_STOPPED]    = N_("stopped"),
    [SPINDLE_WORKER_STATE_CANCELLED]  = N_("cancelled"),
    [SPINDLE_WORKER_STATE_ABANDONED]  = N_("abandoned"),
  };

  g_return_val_if_fail (state < SPINDLE_WORKER_N_STATES, "invalid");

  return names[state];
}

const char *
spindle_stop_reason_to_string (SpindleStopReason reason)
{
  switch (reason)
    {
    case SPINDLE_STOP_REASON_NONE:     return "none";
    case SPINDLE_STOP_REASON_USER:     return "user";
    case SPINDLE_STOP_REASON_TIMEOUT:  return "timeout";
    case SPINDLE_STOP_REASON_PARENT:   return "parent";
    case SPINDLE_STOP_REASON_SHUTDOWN: return "shutdown";
    default:                           return "invalid";
    }
}

const char *
spindle_escalation_to_string (SpindleEscalation escalation)
{
  switch (escalation)
    {
    case SPINDLE_ESCALATION_NONE:         return "none";
    case SPINDLE_ESCALATION_STOP:         return "stop";
    case SPINDLE_ESCALATION_CANCEL:       return "force-cancel";
    case SPINDLE_ESCALATION_UNRESPONSIVE: return "unresponsive";
    default:                              return "invalid";
    }
}
