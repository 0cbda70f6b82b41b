/* spindle-types.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-i18n-private.h"
#include "spindle-types.h"

/**
 * spindle_error_quark:
 *
 * The quark of the %SPINDLE_ERROR domain.
 *
 * Returns: the quark
 */
G_DEFINE_QUARK (spindle-error-quark, spindle_error)

/**
 * spindle_worker_state_is_terminal:
 * @state: a state
 *
 * Whether @state is one a worker never leaves.
 *
 * Returns: %TRUE for a terminal state
 */
gboolean
spindle_worker_state_is_terminal (SpindleWorkerState state)
{
  return state >= SPINDLE_WORKER_STATE_FINISHED;
}

/**
 * spindle_worker_state_is_live:
 * @state: a state
 *
 * Whether @state is not terminal.
 *
 * Returns: %TRUE for a live state
 */
gboolean
spindle_worker_state_is_live (SpindleWorkerState state)
{
  return !spindle_worker_state_is_terminal (state);
}

/**
 * spindle_worker_state_to_string:
 * @state: a state
 *
 * A name for @state, for logs.
 *
 * Returns: (transfer none): the name
 */
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

/**
 * spindle_stop_reason_to_string:
 * @reason: a reason
 *
 * A name for @reason, for logs.
 *
 * Returns: (transfer none): the name
 */
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

/**
 * spindle_escalation_to_string:
 * @escalation: an escalation
 *
 * A name for @escalation, for logs.
 *
 * Returns: (transfer none): the name
 */
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

/**
 * spindle_spawn_options_new:
 *
 * Creates options whose every field is zero: the set's defaults.
 *
 * Returns: (transfer full): options to fill in, free with
 *   spindle_spawn_options_free()
 */
SpindleSpawnOptions *
spindle_spawn_options_new (void)
{
  return g_new0 (SpindleSpawnOptions, 1);
}

/**
 * spindle_spawn_options_copy:
 * @options: options to copy
 *
 * Copies @options and its kind.
 *
 * Returns: (transfer full): the copy, free with spindle_spawn_options_free()
 */
SpindleSpawnOptions *
spindle_spawn_options_copy (const SpindleSpawnOptions *options)
{
  SpindleSpawnOptions *copy;

  g_return_val_if_fail (options != NULL, NULL);

  copy = g_memdup2 (options, sizeof *options);
  copy->kind = g_strdup (options->kind);

  return copy;
}

/**
 * spindle_spawn_options_free:
 * @options: (nullable): options made by spindle_spawn_options_new() or
 *   spindle_spawn_options_copy()
 *
 * Frees @options and its kind. Options on the stack are not freed.
 */
void
spindle_spawn_options_free (SpindleSpawnOptions *options)
{
  if (options == NULL)
    return;

  g_free ((char *) options->kind);
  g_free (options);
}

G_DEFINE_BOXED_TYPE (SpindleSpawnOptions, spindle_spawn_options,
                     spindle_spawn_options_copy, spindle_spawn_options_free)

/**
 * spindle_spawn_options_set_kind:
 * @options: options made by spindle_spawn_options_new() or
 *   spindle_spawn_options_copy()
 * @kind: (nullable): the workers' kind; %NULL: the default
 *
 * Replaces the kind of options that own theirs.
 */
void
spindle_spawn_options_set_kind (SpindleSpawnOptions *options,
                                const char          *kind)
{
  g_return_if_fail (options != NULL);

  if (options->kind == kind)
    return;
  g_free ((char *) options->kind);
  options->kind = g_strdup (kind);
}
