/* spindle-worker.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-enums.h"
#include "spindle-export-private.h"
#include "spindle-remote-private.h"
#include "spindle-state-private.h"
#include "spindle-time-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* The main thread's view of one worker. Every field is read and written on
 * the set's main context only; the worker thread reaches it through events
 * (see spindle-dispatch.c).
 */

#define PROP(name) properties[SPINDLE_WORKER_PROP_##name]
#define SIGNAL(name) signals[SPINDLE_WORKER_##name]

G_DEFINE_FINAL_TYPE (SpindleWorker, spindle_worker, G_TYPE_OBJECT)

static GParamSpec *properties[SPINDLE_WORKER_N_PROPS];
static guint signals[SPINDLE_WORKER_N_SIGNALS];

/* The worker's other files (escalation, sampling, requests) notify and
 * emit through these, so that its tables stay private to this file.
 */
void
_spindle_worker_notify (SpindleWorker *self,
                        guint          prop_id)
{
  g_assert (prop_id > SPINDLE_WORKER_PROP_0 && prop_id < SPINDLE_WORKER_N_PROPS);

  _spindle_worker_set_mark_changed (self->set, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* Sets a string field to a copy of @value; whether it changed. */
gboolean
_spindle_worker_replace_string (char       **field,
                                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* Sets a string property's field, notifying if it changed. */
void
_spindle_worker_set_string (SpindleWorker  *self,
                            char          **field,
                            const char     *value,
                            guint           prop_id)
{
  if (_spindle_worker_replace_string (field, value))
    _spindle_worker_notify (self, prop_id);
}

void
_spindle_worker_emit_escalated (SpindleWorker     *self,
                                SpindleEscalation  escalation)
{
  g_signal_emit (self, signals[SPINDLE_WORKER_ESCALATED], 0, escalation);
}

/* Emits stop-requested or cancel-requested. */
void
_spindle_worker_emit_requested (SpindleWorker     *self,
                                guint              signal_id,
                                SpindleStopReason  reason)
{
  g_assert (signal_id == SPINDLE_WORKER_STOP_REQUESTED ||
            signal_id == SPINDLE_WORKER_CANCEL_REQUESTED);

  g_signal_emit (self, signals[signal_id], 0, reason);
}

static void
set_str (SpindleWorker  *self,
         char          **field,
         const char     *value,
         GParamSpec     *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

void
_spindle_worker_set_state (SpindleWorker      *self,
                           SpindleWorkerState  state)
{
  if (self->state == state)
    return;

  if (!_spindle_state_can_transition (self->state, state))
    {
      g_critical ("Worker %" G_GUINT64_FORMAT " (%s): illegal transition %s → %s",
                  self->id, self->name,
                  spindle_worker_state_to_string (self->state),
                  spindle_worker_state_to_string (state));
      return;
    }

  self->state = state;
  _spindle_worker_set_mark_changed (self->set, self);
  _spindle_worker_record (self, SPINDLE_HISTORY_STATE);

  if (spindle_worker_state_is_terminal (state))
    {
      _spindle_worker_clear_sample (self);
      _spindle_worker_disarm (self);
      if (state != SPINDLE_WORKER_STATE_ABANDONED && self->unresponsive)
        {
          self->unresponsive = FALSE;
          g_object_notify_by_pspec (G_OBJECT (self), PROP (UNRESPONSIVE));
        }
    }

  g_object_notify_by_pspec (G_OBJECT (self), PROP (STATE));

  if (spindle_worker_state_is_terminal (state) && self->set != NULL)
    _spindle_worker_set_worker_ended (self->set, self);
}

void
_spindle_worker_set_stop_reason (SpindleWorker     *self,
                                 SpindleStopReason  reason)
{
  if (self->stop_reason == reason)
    return;

  self->stop_reason = reason;
  g_object_notify_by_pspec (G_OBJECT (self), PROP (STOP_REASON));
}

static void
set_report (SpindleWorker        *self,
            SpindleCleanupReport *report)
{
  g_clear_pointer (&self->cleanup_report, spindle_cleanup_report_unref);
  self->cleanup_report = report;
  _spindle_export_forget_steps (self);
  g_object_notify_by_pspec (G_OBJECT (self), PROP (CLEANUP_REPORT));
}

/* Abandon *******************************************************************/

static void abandon (SpindleWorker *self);

static void
abandon_children (SpindleWorker *self,
                  gboolean       all)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->children));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (G_LIST_MODEL (self->children), i);

      /* a process of a process worker's tree has no job to abandon */
      if (spindle_worker_state_is_terminal (child->state) || child->tree_process)
        continue;
      if (all || g_atomic_int_get (&child->job->abandoned))
        abandon (child);
    }
}

/* Here and in the requests, the worker is held: a handler of its state
 * may drop the set, which held it.
 */
static void
abandon (SpindleWorker *worker)
{
  g_autoptr(SpindleWorker) self = g_object_ref (worker);

  /* a handler of the end it reports would abandon it again */
  if (self->ending)
    return;
  self->ending = TRUE;

  abandon_children (self, TRUE);

  set_report (self, _spindle_job_abandon (self->job));
  g_signal_emit (self, SIGNAL (CLEANUP_FINISHED), 0, self->cleanup_report);
  _spindle_worker_set_state (self, SPINDLE_WORKER_STATE_ABANDONED);
  g_signal_emit (self, SIGNAL (FINISHED), 0);
}

/**
 * spindle_worker_abandon:
 *
 * Gives up on a worker that was asked to end and did not: its thread is
 * detached and never freed under it, the worker becomes ABANDONED, and its
 * report lists the cleanup steps that never ran and the locks it still
 * holds as leaked. Its live children are abandoned with it. Does nothing
 * unless the worker is stopping, cancelling or cleaning up, nor once its
 * end is being reported (from a handler of #SpindleWorker::cleanup-finished,
 * say): its thread has ended by then.
 */
void
spindle_worker_abandon (SpindleWorker *self)
{
  g_return_if_fail (SPINDLE_IS_WORKER (self));
  SPINDLE_RETURN_IF_NOT_OWNER (self->owner);

  if (_spindle_remote_forward (self, SPINDLE_REMOTE_ABANDON))
    return;

  if (self->state != SPINDLE_WORKER_STATE_STOPPING &&
      self->state != SPINDLE_WORKER_STATE_CANCELLING &&
      self->state != SPINDLE_WORKER_STATE_CLEANING)
    return;

  abandon (self);
}

/* Events from the thread ****************************************************/

static void
handle_started (SpindleWorker *self,
                SpindleEvent  *event)
{
  if (self->tid != event->tid)
    {
      self->tid = event->tid;
      g_object_notify_by_pspec (G_OBJECT (self), PROP (TID));
    }

  /* a request may already have moved the worker on */
  if (self->state == SPINDLE_WORKER_STATE_STARTING)
    _spindle_worker_set_state (self, SPINDLE_WORKER_STATE_RUNNING);
}

static void
handle_dirty (SpindleWorker *self)
{
  g_autofree char *phase = NULL;
  g_autofree char *waiting_for = NULL;
  double progress;

  _spindle_job_take_progress (self->job, &phase, &progress, &waiting_for);
  set_str (self, &self->phase, phase, PROP (PHASE));
  set_str (self, &self->waiting_for, waiting_for, PROP (WAITING_FOR));

  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), PROP (PROGRESS));
    }
}

static void
handle_finished (SpindleWorker *self,
                 SpindleEvent  *event)
{
  /* The thread posts this as its last act; the join is immediate. A
   * handler of what follows can no longer abandon the worker. */
  self->ending = TRUE;
  _spindle_job_join (self->job);

  self->finished_at = event->time;
  g_object_notify_by_pspec (G_OBJECT (self), PROP (FINISHED_AT));
  set_str (self, &self->waiting_for, NULL, PROP (WAITING_FOR));

  if (event->result != NULL)
    {
      self->result = g_steal_pointer (&event->result);
      g_object_notify_by_pspec (G_OBJECT (self), PROP (RESULT));
    }

  if (event->error != NULL)
    {
      self->error = g_steal_pointer (&event->error);
      g_object_notify_by_pspec (G_OBJECT (self), PROP (ERROR));
    }

  /* children that would not end were abandoned by our thread */
  abandon_children (self, FALSE);

  set_report (self, g_steal_pointer (&event->report));
  g_signal_emit (self, SIGNAL (CLEANUP_FINISHED), 0, self->cleanup_report);
  _spindle_worker_set_state (self, event->terminal);
  g_signal_emit (self, SIGNAL (FINISHED), 0);
}

void
_spindle_worker_handle_event (SpindleWorker *self,
                              SpindleEvent  *event)
{
  g_assert (SPINDLE_IS_WORKER (self));

  if (spindle_worker_state_is_terminal (self->state))
    return;

  _spindle_worker_set_mark_changed (self->set, self);
  switch (event->kind)
    {
    case SPINDLE_EVENT_SPAWNED:
      break;

    case SPINDLE_EVENT_STARTED:
      handle_started (self, event);
      break;

    case SPINDLE_EVENT_DIRTY:
      handle_dirty (self);
      break;

    case SPINDLE_EVENT_CLEANUP_STARTED:
      _spindle_worker_set_state (self, SPINDLE_WORKER_STATE_CLEANING);
      _spindle_worker_record (self, SPINDLE_HISTORY_CLEANUP);
      _spindle_worker_on_cleaning (self);
      g_signal_emit (self, SIGNAL (CLEANUP_STARTED), 0);
      break;

    case SPINDLE_EVENT_CLEANUP_STEP:
      _spindle_worker_on_step (self);
      _spindle_export_note_step (self, event->label, event->outcome, event->message, event->time);
      g_signal_emit (self, SIGNAL (CLEANUP_STEP), 0, event->label, event->outcome, event->message);
      break;

    case SPINDLE_EVENT_FINISHED:
      handle_finished (self, event);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* GObject *******************************************************************/

SpindleWorker *
_spindle_worker_new (const SpindleWorkerSetup *setup)
{
  SpindleWorker *self = g_object_new (SPINDLE_TYPE_WORKER, NULL);

  self->set = setup->set;
  self->id = setup->id;
  self->name = g_strdup (setup->name);
  self->kind = g_strdup (setup->kind != NULL ? setup->kind : "custom");
  self->job = _spindle_job_ref (setup->job);
  self->context = g_main_context_ref (setup->context);
  self->owner = setup->owner;
  self->started_at = g_get_monotonic_time ();
  self->stop_grace = setup->stop_grace;
  self->cancel_grace = setup->cancel_grace;
  g_set_weak_pointer (&self->parent, setup->parent);
  _spindle_job_set_worker (self->job, self);
  _spindle_worker_record (self, SPINDLE_HISTORY_STATE);

  if (setup->deadline_usec > 0)
    {
      self->deadline = _spindle_time_add (self->started_at, setup->deadline_usec);
      _spindle_worker_arm (self, SPINDLE_ESCALATION_STOP, self->deadline);
    }

  return self;
}

void
_spindle_worker_fail_start (SpindleWorker *self,
                            const GError  *error)
{
  self->error = g_error_copy (error);
  self->finished_at = self->started_at;
  _spindle_worker_set_state (self, SPINDLE_WORKER_STATE_FAILED);
}

static void
spindle_worker_dispose (GObject *object)
{
  SpindleWorker *self = (SpindleWorker *) object;

  if (self->job != NULL)
    {
      _spindle_worker_disown (self);
      g_clear_pointer (&self->job, _spindle_job_unref);
    }

  g_clear_weak_pointer (&self->parent);

  G_OBJECT_CLASS (spindle_worker_parent_class)->dispose (object);
}

static void
spindle_worker_finalize (GObject *object)
{
  SpindleWorker *self = (SpindleWorker *) object;

  g_clear_object (&self->children);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->kind, g_free);
  g_clear_pointer (&self->phase, g_free);
  g_clear_pointer (&self->waiting_for, g_free);
  g_clear_pointer (&self->kernel_state, g_free);
  g_clear_pointer (&self->wait_channel, g_free);
  g_clear_pointer (&self->syscall, g_free);
  g_clear_pointer (&self->history, g_array_unref);
  g_clear_pointer (&self->cleanup_report, spindle_cleanup_report_unref);
  g_clear_pointer (&self->result, g_variant_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (spindle_worker_parent_class)->finalize (object);
}

static void
spindle_worker_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  SpindleWorker *self = SPINDLE_WORKER (object);

  switch (prop_id)
    {
    case SPINDLE_WORKER_PROP_ID:             g_value_set_uint64 (value, self->id); break;
    case SPINDLE_WORKER_PROP_NAME:           g_value_set_string (value, self->name); break;
    case SPINDLE_WORKER_PROP_KIND:           g_value_set_string (value, self->kind); break;
    case SPINDLE_WORKER_PROP_TID:            g_value_set_int (value, self->tid); break;
    case SPINDLE_WORKER_PROP_STATE:          g_value_set_enum (value, self->state); break;
    case SPINDLE_WORKER_PROP_STOP_REASON:    g_value_set_enum (value, self->stop_reason); break;
    case SPINDLE_WORKER_PROP_STARTED_AT:     g_value_set_int64 (value, self->started_at); break;
    case SPINDLE_WORKER_PROP_FINISHED_AT:    g_value_set_int64 (value, self->finished_at); break;
    case SPINDLE_WORKER_PROP_PHASE:          g_value_set_string (value, self->phase); break;
    case SPINDLE_WORKER_PROP_PROGRESS:       g_value_set_double (value, self->progress); break;
    case SPINDLE_WORKER_PROP_WAITING_FOR:    g_value_set_string (value, self->waiting_for); break;
    case SPINDLE_WORKER_PROP_CLEANUP_REPORT: g_value_set_boxed (value, self->cleanup_report); break;
    case SPINDLE_WORKER_PROP_RESULT:         g_value_set_variant (value, self->result); break;
    case SPINDLE_WORKER_PROP_ERROR:          g_value_set_boxed (value, self->error); break;
    case SPINDLE_WORKER_PROP_PARENT:         g_value_set_object (value, self->parent); break;
    case SPINDLE_WORKER_PROP_CHILDREN:       g_value_set_object (value, self->children); break;
    case SPINDLE_WORKER_PROP_DEADLINE:       g_value_set_int64 (value, self->deadline); break;
    case SPINDLE_WORKER_PROP_ESCALATION_AT:  g_value_set_int64 (value, self->escalation_at); break;
    case SPINDLE_WORKER_PROP_ESCALATION:     g_value_set_enum (value, self->escalation); break;
    case SPINDLE_WORKER_PROP_UNRESPONSIVE:   g_value_set_boolean (value, self->unresponsive); break;
    case SPINDLE_WORKER_PROP_CPU_TIME:       g_value_set_int64 (value, self->cpu_time); break;
    case SPINDLE_WORKER_PROP_CPU_PERCENT:    g_value_set_double (value, self->cpu_percent); break;
    case SPINDLE_WORKER_PROP_KERNEL_STATE:   g_value_set_string (value, self->kernel_state); break;
    case SPINDLE_WORKER_PROP_WAIT_CHANNEL:   g_value_set_string (value, self->wait_channel); break;
    case SPINDLE_WORKER_PROP_SYSCALL:        g_value_set_string (value, self->syscall); break;
    case SPINDLE_WORKER_PROP_IN_COMPUTE:     g_value_set_boolean (value, self->in_compute); break;
    default:                                 G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
install_properties (GObjectClass *object_class)
{
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  /**
   * SpindleWorker:id:
   *
   * Unique in the process, increasing with each spawn.
   */
  PROP (ID) = g_param_spec_uint64 ("id", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * SpindleWorker:name:
   *
   * The name given at spawn.
   */
  PROP (NAME) = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  /**
   * SpindleWorker:kind:
   *
   * What kind of work it does, from its spawn options ("custom" by default).
   */
  PROP (KIND) = g_param_spec_string ("kind", NULL, NULL, NULL, ro);
  /**
   * SpindleWorker:tid:
   *
   * The kernel thread id of its thread; 0 before it started.
   */
  PROP (TID) = g_param_spec_int ("tid", NULL, NULL, 0, G_MAXINT, 0, ro);
  /**
   * SpindleWorker:state:
   *
   * Where the worker is in its life.
   */
  PROP (STATE) = g_param_spec_enum ("state", NULL, NULL, SPINDLE_TYPE_WORKER_STATE,
                                    SPINDLE_WORKER_STATE_STARTING, ro);
  /**
   * SpindleWorker:stop-reason:
   *
   * Why it was asked to stop or force-cancelled.
   */
  PROP (STOP_REASON) = g_param_spec_enum ("stop-reason", NULL, NULL, SPINDLE_TYPE_STOP_REASON,
                                          SPINDLE_STOP_REASON_NONE, ro);
  /**
   * SpindleWorker:started-at:
   *
   * When it was spawned, in monotonic µs.
   */
  PROP (STARTED_AT) = g_param_spec_int64 ("started-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * SpindleWorker:finished-at:
   *
   * When it reached its terminal state, in monotonic µs; 0 while live.
   */
  PROP (FINISHED_AT) = g_param_spec_int64 ("finished-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * SpindleWorker:phase:
   *
   * What its body says it is doing.
   */
  PROP (PHASE) = g_param_spec_string ("phase", NULL, NULL, NULL, ro);
  /**
   * SpindleWorker:progress:
   *
   * How far its body says it is, from 0 to 1.
   */
  PROP (PROGRESS) = g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, ro);
  /**
   * SpindleWorker:waiting-for:
   *
   * What it waits for, when the engine knows (a tracked lock, its children).
   */
  PROP (WAITING_FOR) = g_param_spec_string ("waiting-for", NULL, NULL, NULL, ro);
  /**
   * SpindleWorker:cleanup-report:
   *
   * What its cleanup did, once it ended.
   */
  PROP (CLEANUP_REPORT) = g_param_spec_boxed ("cleanup-report", NULL, NULL,
                                              SPINDLE_TYPE_CLEANUP_REPORT, ro);
  /**
   * SpindleWorker:result:
   *
   * What its body returned.
   */
  PROP (RESULT) = g_param_spec_variant ("result", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, ro);
  /**
   * SpindleWorker:error:
   *
   * The error its body returned, or why it could not start.
   */
  PROP (ERROR) = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  /**
   * SpindleWorker:parent:
   *
   * The worker whose body spawned it.
   */
  PROP (PARENT) = g_param_spec_object ("parent", NULL, NULL, SPINDLE_TYPE_WORKER, ro);
  /**
   * SpindleWorker:children:
   *
   * The workers its body spawned, a #GListModel of #SpindleWorker.
   */
  PROP (CHILDREN) = g_param_spec_object ("children", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  /**
   * SpindleWorker:deadline:
   *
   * When it will be asked to stop, in monotonic µs; 0: no deadline.
   */
  PROP (DEADLINE) = g_param_spec_int64 ("deadline", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * SpindleWorker:escalation-at:
   *
   * When #SpindleWorker:escalation is due, in monotonic µs; 0: none armed.
   */
  PROP (ESCALATION_AT) = g_param_spec_int64 ("escalation-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * SpindleWorker:escalation:
   *
   * The automatic escalation armed now.
   */
  PROP (ESCALATION) = g_param_spec_enum ("escalation", NULL, NULL, SPINDLE_TYPE_ESCALATION,
                                         SPINDLE_ESCALATION_NONE, ro);
  /**
   * SpindleWorker:unresponsive:
   *
   * Set when a grace period passed without the worker ending: it can be abandoned.
   */
  PROP (UNRESPONSIVE) = g_param_spec_boolean ("unresponsive", NULL, NULL, FALSE, ro);
  /**
   * SpindleWorker:cpu-time:
   *
   * CPU time of its thread in ns, as last sampled.
   */
  PROP (CPU_TIME) = g_param_spec_int64 ("cpu-time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * SpindleWorker:cpu-percent:
   *
   * Share of one CPU its thread used between its last two samples.
   */
  PROP (CPU_PERCENT) = g_param_spec_double ("cpu-percent", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, ro);
  /**
   * SpindleWorker:kernel-state:
   *
   * The kernel's state letter for its thread, as last sampled.
   */
  PROP (KERNEL_STATE) = g_param_spec_string ("kernel-state", NULL, NULL, NULL, ro);
  /**
   * SpindleWorker:wait-channel:
   *
   * The kernel function its thread sleeps in, as last sampled.
   */
  PROP (WAIT_CHANNEL) = g_param_spec_string ("wait-channel", NULL, NULL, NULL, ro);
  /**
   * SpindleWorker:syscall:
   *
   * The system call its thread is in, as last sampled.
   */
  PROP (SYSCALL) = g_param_spec_string ("syscall", NULL, NULL, NULL, ro);
  /**
   * SpindleWorker:in-compute:
   *
   * Whether its body was inside a compute region when last sampled.
   */
  PROP (IN_COMPUTE) = g_param_spec_boolean ("in-compute", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, SPINDLE_WORKER_N_PROPS, properties);
}

static void
install_signals (GObjectClass *object_class)
{
  GType type = G_TYPE_FROM_CLASS (object_class);

  /**
   * SpindleWorker::stop-requested:
   * @worker: the worker
   * @reason: why
   *
   * Emitted when the worker is asked to stop, after its children were.
   */
  SIGNAL (STOP_REQUESTED) =
    g_signal_new ("stop-requested", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPINDLE_TYPE_STOP_REASON);
  /**
   * SpindleWorker::cancel-requested:
   * @worker: the worker
   * @reason: why
   *
   * Emitted when the worker is force-cancelled, after its children were.
   * A foreign body is interrupted instead: see #SpindleWorkerSet::interrupt.
   */
  SIGNAL (CANCEL_REQUESTED) =
    g_signal_new ("cancel-requested", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPINDLE_TYPE_STOP_REASON);
  /**
   * SpindleWorker::escalated:
   * @worker: the worker
   * @escalation: what the escalation did
   *
   * Emitted when an automatic escalation acts: the deadline's stop, the
   * force-cancel after the stop grace, the unresponsive mark after the
   * cancel grace.
   */
  SIGNAL (ESCALATED) =
    g_signal_new ("escalated", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPINDLE_TYPE_ESCALATION);
  /**
   * SpindleWorker::cleanup-started:
   * @worker: the worker
   *
   * Emitted when the body is over and its cleanup begins.
   */
  SIGNAL (CLEANUP_STARTED) =
    g_signal_new ("cleanup-started", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /**
   * SpindleWorker::cleanup-step:
   * @worker: the worker
   * @label: the step's label
   * @outcome: how it went
   * @message: (nullable): why it failed or did not run
   *
   * Emitted for each cleanup step, in the order they ran.
   */
  SIGNAL (CLEANUP_STEP) =
    g_signal_new ("cleanup-step", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  SPINDLE_TYPE_CLEANUP_OUTCOME,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * SpindleWorker::cleanup-finished:
   * @worker: the worker
   * @report: every step, with its outcome and duration
   *
   * Emitted when the cleanup is over, before the terminal state.
   */
  SIGNAL (CLEANUP_FINISHED) =
    g_signal_new ("cleanup-finished", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPINDLE_TYPE_CLEANUP_REPORT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * SpindleWorker::finished:
   * @worker: the worker
   *
   * Emitted last, once the worker reached its terminal state.
   */
  SIGNAL (FINISHED) =
    g_signal_new ("finished", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
spindle_worker_class_init (SpindleWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spindle_worker_dispose;
  object_class->finalize = spindle_worker_finalize;
  object_class->get_property = spindle_worker_get_property;

  install_properties (object_class);
  install_signals (object_class);
}

static void
spindle_worker_init (SpindleWorker *self)
{
  self->children = g_list_store_new (SPINDLE_TYPE_WORKER);
}

/* History entries ***********************************************************/

/**
 * spindle_history_entry_copy:
 * @entry: an entry of a worker's history
 *
 * Copies @entry, for a binding to hold.
 *
 * Returns: (transfer full): a copy, free with spindle_history_entry_free()
 */
SpindleHistoryEntry *
spindle_history_entry_copy (const SpindleHistoryEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return g_memdup2 (entry, sizeof *entry);
}

/**
 * spindle_history_entry_free:
 * @entry: (nullable): an entry made by spindle_history_entry_copy()
 *
 * Frees @entry.
 */
void
spindle_history_entry_free (SpindleHistoryEntry *entry)
{
  g_free (entry);
}

G_DEFINE_BOXED_TYPE (SpindleHistoryEntry, spindle_history_entry,
                     spindle_history_entry_copy, spindle_history_entry_free)
