/* spindle-worker.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-enums.h"
#include "spindle-state-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* The main thread's view of one worker. Every field here is read and written
 * on the set's main context only; the worker thread reaches it through events
 * (see spindle-dispatch.c).
 */
struct _SpindleWorker
{
  GObject               parent_instance;

  SpindleWorkerSet     *set;       /* owns us */
  SpindleJob           *job;
  GListStore           *children;

  guint64               id;
  char                 *name;
  char                 *kind;
  int                   tid;
  SpindleWorkerState    state;
  SpindleStopReason     stop_reason;
  gint64                started_at;
  gint64                finished_at;
  char                 *phase;
  double                progress;
  SpindleCleanupReport *cleanup_report;
  GVariant             *result;
  GError               *error;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_KIND,
  PROP_TID,
  PROP_STATE,
  PROP_STOP_REASON,
  PROP_STARTED_AT,
  PROP_FINISHED_AT,
  PROP_PHASE,
  PROP_PROGRESS,
  PROP_CLEANUP_REPORT,
  PROP_RESULT,
  PROP_ERROR,
  PROP_PARENT,
  PROP_CHILDREN,
  N_PROPS
};

enum {
  STOP_REQUESTED,
  CANCEL_REQUESTED,
  CLEANUP_STARTED,
  CLEANUP_STEP,
  CLEANUP_FINISHED,
  FINISHED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (SpindleWorker, spindle_worker, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_str (SpindleWorker  *self,
         char          **field,
         const char     *value,
         guint           prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_int64 (SpindleWorker *self,
           gint64        *field,
           gint64         value,
           guint          prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_state (SpindleWorker      *self,
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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  if (spindle_worker_state_is_terminal (state) && self->set != NULL)
    _spindle_worker_set_worker_ended (self->set, self);
}

static void
set_stop_reason (SpindleWorker     *self,
                 SpindleStopReason  reason)
{
  if (self->stop_reason == reason)
    return;

  self->stop_reason = reason;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOP_REASON]);
}

/* Events from the thread ****************************************************/

static void
handle_started (SpindleWorker *self,
                SpindleEvent  *event)
{
  if (self->tid != event->tid)
    {
      self->tid = event->tid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TID]);
    }

  /* a request may already have moved the worker on */
  if (self->state == SPINDLE_WORKER_STATE_STARTING)
    set_state (self, SPINDLE_WORKER_STATE_RUNNING);
}

static void
handle_dirty (SpindleWorker *self)
{
  g_autofree char *phase = NULL;
  double progress;

  _spindle_job_take_progress (self->job, &phase, &progress);
  set_str (self, &self->phase, phase, PROP_PHASE);

  if (self->progress != progress)
    {
      self->progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
}

static void
handle_finished (SpindleWorker *self,
                 SpindleEvent  *event)
{
  /* The thread posts this as its last act; the join is immediate. */
  _spindle_job_join (self->job);

  set_int64 (self, &self->finished_at, event->time, PROP_FINISHED_AT);

  if (event->result != NULL)
    {
      self->result = g_steal_pointer (&event->result);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
    }

  if (event->error != NULL)
    {
      self->error = g_steal_pointer (&event->error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }

  self->cleanup_report = g_steal_pointer (&event->report);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLEANUP_REPORT]);

  g_signal_emit (self, signals[CLEANUP_FINISHED], 0, self->cleanup_report);
  set_state (self, event->terminal);
  g_signal_emit (self, signals[FINISHED], 0);
}

void
_spindle_worker_handle_event (SpindleWorker *self,
                              SpindleEvent  *event)
{
  g_assert (SPINDLE_IS_WORKER (self));

  if (spindle_worker_state_is_terminal (self->state))
    return;

  switch (event->kind)
    {
    case SPINDLE_EVENT_STARTED:
      handle_started (self, event);
      break;

    case SPINDLE_EVENT_DIRTY:
      handle_dirty (self);
      break;

    case SPINDLE_EVENT_CLEANUP_STARTED:
      set_state (self, SPINDLE_WORKER_STATE_CLEANING);
      g_signal_emit (self, signals[CLEANUP_STARTED], 0);
      break;

    case SPINDLE_EVENT_CLEANUP_STEP:
      g_signal_emit (self, signals[CLEANUP_STEP], 0, event->label, event->outcome, event->message);
      break;

    case SPINDLE_EVENT_FINISHED:
      handle_finished (self, event);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Requests ******************************************************************/

void
_spindle_worker_request_stop (SpindleWorker     *self,
                              SpindleStopReason  reason)
{
  if (self->state != SPINDLE_WORKER_STATE_STARTING &&
      self->state != SPINDLE_WORKER_STATE_RUNNING)
    return;

  _spindle_job_request_stop (self->job);
  set_stop_reason (self, reason);
  set_state (self, SPINDLE_WORKER_STATE_STOPPING);
  g_signal_emit (self, signals[STOP_REQUESTED], 0, reason);
}

void
_spindle_worker_force_cancel (SpindleWorker     *self,
                              SpindleStopReason  reason)
{
  if (self->state != SPINDLE_WORKER_STATE_STARTING &&
      self->state != SPINDLE_WORKER_STATE_RUNNING &&
      self->state != SPINDLE_WORKER_STATE_STOPPING)
    return;

  _spindle_job_force_cancel (self->job);
  if (self->stop_reason == SPINDLE_STOP_REASON_NONE)
    set_stop_reason (self, reason);
  set_state (self, SPINDLE_WORKER_STATE_CANCELLING);
  g_signal_emit (self, signals[CANCEL_REQUESTED], 0, reason);
}

/**
 * spindle_worker_request_stop:
 *
 * Asks the worker to stop: spindle_job_should_stop() turns TRUE, and the
 * engine's waits and the job's GCancellable wake at once. Does nothing once
 * a request was made or the worker is cleaning up or over.
 */
void
spindle_worker_request_stop (SpindleWorker *self)
{
  g_return_if_fail (SPINDLE_IS_WORKER (self));

  _spindle_worker_request_stop (self, SPINDLE_STOP_REASON_USER);
}

/**
 * spindle_worker_force_cancel:
 *
 * Cancels the worker's thread (pthread_cancel): it unwinds at its next
 * cancellation point, or at once inside a compute region, and its cleanup
 * runs. Does nothing once cancelling, cleaning up or over.
 */
void
spindle_worker_force_cancel (SpindleWorker *self)
{
  g_return_if_fail (SPINDLE_IS_WORKER (self));

  _spindle_worker_force_cancel (self, SPINDLE_STOP_REASON_USER);
}

/* The set is going away while the thread may still run: let it finish on
 * its own, reporting to nobody.
 */
void
_spindle_worker_disown (SpindleWorker *self)
{
  self->set = NULL;

  if (self->job == NULL)
    return;

  if (spindle_worker_state_is_live (self->state))
    {
      _spindle_job_request_stop (self->job);
      _spindle_job_force_cancel (self->job);
    }

  _spindle_job_set_worker (self->job, NULL);
  _spindle_job_detach (self->job);
}

/* GObject *******************************************************************/

SpindleWorker *
_spindle_worker_new (SpindleWorkerSet *set,
                     guint64           id,
                     const char       *name,
                     const char       *kind,
                     SpindleJob       *job)
{
  SpindleWorker *self = g_object_new (SPINDLE_TYPE_WORKER, NULL);

  self->set = set;
  self->id = id;
  self->name = g_strdup (name);
  self->kind = g_strdup (kind != NULL ? kind : "custom");
  self->job = _spindle_job_ref (job);
  self->started_at = g_get_monotonic_time ();
  _spindle_job_set_worker (job, self);

  return self;
}

void
_spindle_worker_fail_start (SpindleWorker *self,
                            const GError  *error)
{
  self->error = g_error_copy (error);
  self->finished_at = self->started_at;
  self->cleanup_report = NULL;
  set_state (self, SPINDLE_WORKER_STATE_FAILED);
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

  G_OBJECT_CLASS (spindle_worker_parent_class)->dispose (object);
}

static void
spindle_worker_finalize (GObject *object)
{
  SpindleWorker *self = (SpindleWorker *) object;

  g_clear_object (&self->children);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->kind, g_free);
  g_clear_pointer (&self->phase, g_free);
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
    case PROP_ID:             g_value_set_uint64 (value, self->id); break;
    case PROP_NAME:           g_value_set_string (value, self->name); break;
    case PROP_KIND:           g_value_set_string (value, self->kind); break;
    case PROP_TID:            g_value_set_int (value, self->tid); break;
    case PROP_STATE:          g_value_set_enum (value, self->state); break;
    case PROP_STOP_REASON:    g_value_set_enum (value, self->stop_reason); break;
    case PROP_STARTED_AT:     g_value_set_int64 (value, self->started_at); break;
    case PROP_FINISHED_AT:    g_value_set_int64 (value, self->finished_at); break;
    case PROP_PHASE:          g_value_set_string (value, self->phase); break;
    case PROP_PROGRESS:       g_value_set_double (value, self->progress); break;
    case PROP_CLEANUP_REPORT: g_value_set_boxed (value, self->cleanup_report); break;
    case PROP_RESULT:         g_value_set_variant (value, self->result); break;
    case PROP_ERROR:          g_value_set_boxed (value, self->error); break;
    case PROP_PARENT:         g_value_set_object (value, NULL); break;
    case PROP_CHILDREN:       g_value_set_object (value, self->children); break;
    default:                  G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
install_properties (GObjectClass *object_class)
{
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  properties[PROP_ID] = g_param_spec_uint64 ("id", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, ro);
  properties[PROP_TID] = g_param_spec_int ("tid", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, SPINDLE_TYPE_WORKER_STATE, SPINDLE_WORKER_STATE_STARTING, ro);
  properties[PROP_STOP_REASON] =
    g_param_spec_enum ("stop-reason", NULL, NULL, SPINDLE_TYPE_STOP_REASON, SPINDLE_STOP_REASON_NONE, ro);
  properties[PROP_STARTED_AT] = g_param_spec_int64 ("started-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_FINISHED_AT] = g_param_spec_int64 ("finished-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_PHASE] = g_param_spec_string ("phase", NULL, NULL, NULL, ro);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0, ro);
  properties[PROP_CLEANUP_REPORT] =
    g_param_spec_boxed ("cleanup-report", NULL, NULL, SPINDLE_TYPE_CLEANUP_REPORT, ro);
  properties[PROP_RESULT] =
    g_param_spec_variant ("result", NULL, NULL, G_VARIANT_TYPE_ANY, NULL, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_PARENT] = g_param_spec_object ("parent", NULL, NULL, SPINDLE_TYPE_WORKER, ro);
  properties[PROP_CHILDREN] = g_param_spec_object ("children", NULL, NULL, G_TYPE_LIST_MODEL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
install_signals (GObjectClass *object_class)
{
  GType type = G_TYPE_FROM_CLASS (object_class);

  signals[STOP_REQUESTED] =
    g_signal_new ("stop-requested", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPINDLE_TYPE_STOP_REASON);
  signals[CANCEL_REQUESTED] =
    g_signal_new ("cancel-requested", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPINDLE_TYPE_STOP_REASON);
  signals[CLEANUP_STARTED] =
    g_signal_new ("cleanup-started", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[CLEANUP_STEP] =
    g_signal_new ("cleanup-step", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  SPINDLE_TYPE_CLEANUP_OUTCOME,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[CLEANUP_FINISHED] =
    g_signal_new ("cleanup-finished", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SPINDLE_TYPE_CLEANUP_REPORT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[FINISHED] =
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

/* Accessors *****************************************************************/

guint64
spindle_worker_get_id (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->id;
}

const char *
spindle_worker_get_name (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->name;
}

const char *
spindle_worker_get_kind (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->kind;
}

int
spindle_worker_get_tid (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->tid;
}

SpindleWorkerState
spindle_worker_get_state (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), SPINDLE_WORKER_STATE_FAILED);
  return self->state;
}

SpindleStopReason
spindle_worker_get_stop_reason (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), SPINDLE_STOP_REASON_NONE);
  return self->stop_reason;
}

gint64
spindle_worker_get_started_at (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->started_at;
}

gint64
spindle_worker_get_finished_at (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);
  return self->finished_at;
}

/**
 * spindle_worker_get_elapsed:
 * @now: a g_get_monotonic_time() reading
 *
 * Returns: µs from spawn to @now, or to the finish once there is one.
 */
gint64
spindle_worker_get_elapsed (SpindleWorker *self,
                            gint64         now)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0);

  if (self->finished_at != 0)
    now = self->finished_at;

  return MAX (0, now - self->started_at);
}

const char *
spindle_worker_get_phase (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->phase;
}

double
spindle_worker_get_progress (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), 0.0);
  return self->progress;
}

SpindleCleanupReport *
spindle_worker_get_cleanup_report (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->cleanup_report;
}

GVariant *
spindle_worker_get_result (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->result;
}

const GError *
spindle_worker_get_error (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return self->error;
}

SpindleWorker *
spindle_worker_get_parent (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return NULL;
}

GListModel *
spindle_worker_get_children (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), NULL);
  return G_LIST_MODEL (self->children);
}

gboolean
spindle_worker_is_terminal (SpindleWorker *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (self), TRUE);
  return spindle_worker_state_is_terminal (self->state);
}
