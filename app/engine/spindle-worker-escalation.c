/* spindle-worker-escalation.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-time-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* Deadlines escalate: stop → stop grace → force-cancel → cancel grace →
 * unresponsive. A worker has at most one escalation armed, a timeout source
 * on the set's context; escalation-at tells the UI when it fires.
 *
 * Cleaning up counts as progress: it gets the stop grace plus twice the
 * cancel grace (a parent's wait for its children fits in that), and every
 * reported step extends it by a cancel grace.
 *
 * A grace or deadline may be G_MAXINT64, "forever": times saturate, and a
 * timer further away than a GLib timeout can reach is re-armed when it
 * fires early.
 */


static gboolean escalate_cb (gpointer user_data);

static void
set_escalation (SpindleWorker     *self,
                SpindleEscalation  escalation,
                gint64             at)
{
  if (self->escalation != escalation)
    {
      self->escalation = escalation;
      _spindle_worker_notify (self, SPINDLE_WORKER_PROP_ESCALATION);
    }

  if (self->escalation_at != at)
    {
      self->escalation_at = at;
      _spindle_worker_notify (self, SPINDLE_WORKER_PROP_ESCALATION_AT);
    }
}

void
_spindle_worker_disarm (SpindleWorker *self)
{
  if (self->escalation_source != NULL)
    {
      g_source_destroy (self->escalation_source);
      g_clear_pointer (&self->escalation_source, g_source_unref);
    }

  set_escalation (self, SPINDLE_ESCALATION_NONE, 0);
}

void
_spindle_worker_arm (SpindleWorker     *self,
                     SpindleEscalation  escalation,
                     gint64             at)
{
  gint64 delay;
  gint64 delay_ms;

  _spindle_worker_disarm (self);

  /* A worker that is over, or disowned with its set, has nothing left to
   * escalate: a request goes on to arm after its state's notify, whose
   * handler may have abandoned the worker or dropped the set.
   */
  if (escalation == SPINDLE_ESCALATION_NONE ||
      spindle_worker_state_is_terminal (self->state) || self->set == NULL)
    return;

  delay = MAX (0, at - g_get_monotonic_time ());
  delay_ms = delay / 1000 + (delay % 1000 != 0);
  self->escalation_source = g_timeout_source_new ((guint) MIN (delay_ms, G_MAXUINT));
  g_source_set_static_name (self->escalation_source, "[spindle] escalation");
  g_source_set_callback (self->escalation_source, escalate_cb, self, NULL);
  g_source_attach (self->escalation_source, self->context);

  set_escalation (self, escalation, at);
}

static void
declare_unresponsive (SpindleWorker *self)
{
  if (!self->unresponsive)
    {
      self->unresponsive = TRUE;
      _spindle_worker_notify (self, SPINDLE_WORKER_PROP_UNRESPONSIVE);
    }

  if (self->set != NULL)
    _spindle_worker_set_worker_unresponsive (self->set, self);
}

static gboolean
escalate_cb (gpointer user_data)
{
  g_autoptr(SpindleWorker) self = g_object_ref (user_data);
  GSource *source = g_main_current_source ();
  SpindleEscalation escalation;

  /* events queued without a wake-up (cleanup-started) may change the plan */
  if (self->set != NULL)
    _spindle_worker_set_flush (self->set);
  if (self->escalation_source != source)
    return G_SOURCE_REMOVE;

  /* further away than one timeout reaches (about 49 days) */
  if (g_get_monotonic_time () < self->escalation_at)
    {
      _spindle_worker_arm (self, self->escalation, self->escalation_at);
      return G_SOURCE_REMOVE;
    }

  escalation = self->escalation;

  g_clear_pointer (&self->escalation_source, g_source_unref);
  set_escalation (self, SPINDLE_ESCALATION_NONE, 0);

  _spindle_worker_record (self, SPINDLE_HISTORY_ESCALATED);
  _spindle_worker_emit_escalated (self, escalation);

  switch (escalation)
    {
    case SPINDLE_ESCALATION_STOP:
      _spindle_worker_request_stop (self, SPINDLE_STOP_REASON_TIMEOUT);
      break;

    case SPINDLE_ESCALATION_CANCEL:
      _spindle_worker_force_cancel (self, SPINDLE_STOP_REASON_TIMEOUT);
      if (self->escalation == SPINDLE_ESCALATION_NONE && spindle_worker_state_is_live (self->state))
        _spindle_worker_arm (self, SPINDLE_ESCALATION_UNRESPONSIVE,
                             _spindle_time_add (g_get_monotonic_time (), self->cancel_grace));
      break;

    case SPINDLE_ESCALATION_UNRESPONSIVE:
      declare_unresponsive (self);
      break;

    case SPINDLE_ESCALATION_NONE:
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* A stop after a deadline or on shutdown always escalates; a user's stop
 * when the set's policy says so.
 */
void
_spindle_worker_on_stop (SpindleWorker     *self,
                         SpindleStopReason  reason)
{
  gboolean escalate = (self->set != NULL && spindle_worker_set_get_auto_escalate (self->set)) ||
                      reason == SPINDLE_STOP_REASON_TIMEOUT ||
                      reason == SPINDLE_STOP_REASON_SHUTDOWN;

  if (escalate)
    _spindle_worker_arm (self, SPINDLE_ESCALATION_CANCEL,
                         _spindle_time_add (g_get_monotonic_time (), self->stop_grace));
  else
    _spindle_worker_disarm (self);
}

void
_spindle_worker_on_cancel (SpindleWorker *self)
{
  _spindle_worker_arm (self, SPINDLE_ESCALATION_UNRESPONSIVE,
                       _spindle_time_add (g_get_monotonic_time (), self->cancel_grace));
}

void
_spindle_worker_on_cleaning (SpindleWorker *self)
{
  gint64 budget = _spindle_time_add (self->stop_grace,
                                     _spindle_time_add (self->cancel_grace, self->cancel_grace));

  _spindle_worker_arm (self, SPINDLE_ESCALATION_UNRESPONSIVE,
                       _spindle_time_add (g_get_monotonic_time (), budget));
}

void
_spindle_worker_on_step (SpindleWorker *self)
{
  gint64 at = _spindle_time_add (g_get_monotonic_time (), self->cancel_grace);

  if (self->escalation == SPINDLE_ESCALATION_UNRESPONSIVE && self->escalation_at < at)
    _spindle_worker_arm (self, SPINDLE_ESCALATION_UNRESPONSIVE, at);
}
