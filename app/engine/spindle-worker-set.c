/* spindle-worker-set.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <pthread.h>

#include "spindle-dispatch-private.h"
#include "spindle-export-private.h"
#include "spindle-i18n-private.h"
#include "spindle-job-private.h"
#include "spindle-remote-private.h"
#include "spindle-starter-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"


enum {
  PROP_0,
  PROP_N_LIVE,
  PROP_STACK_SIZE,
  PROP_STOP_GRACE,
  PROP_CANCEL_GRACE,
  PROP_AUTO_ESCALATE,
  PROP_DEFAULT_DEADLINE,
  PROP_BACKGROUND_START,
  PROP_REMOTE_GONE,
  N_PROPS
};

#define DEFAULT_STOP_GRACE   (3 * G_USEC_PER_SEC)
#define DEFAULT_CANCEL_GRACE (2 * G_USEC_PER_SEC)

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpindleWorkerSet, spindle_worker_set, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_INTERRUPT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GType
spindle_worker_set_get_item_type (GListModel *model)
{
  return SPINDLE_TYPE_WORKER;
}

static guint
spindle_worker_set_get_n_items (GListModel *model)
{
  return SPINDLE_WORKER_SET (model)->workers->len;
}

static gpointer
spindle_worker_set_get_item (GListModel *model,
                             guint       position)
{
  SpindleWorkerSet *self = SPINDLE_WORKER_SET (model);

  if (position >= self->workers->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->workers, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = spindle_worker_set_get_item_type;
  iface->get_n_items = spindle_worker_set_get_n_items;
  iface->get_item = spindle_worker_set_get_item;
}

gboolean
_spindle_check_owner (GThread    *owner,
                      const char *func)
{
  if (G_LIKELY (owner == g_thread_self ()))
    return TRUE;

  g_critical ("%s: called from a thread that does not own the worker set. Sets and "
              "workers are used from the thread that created the set; a worker body "
              "that wants to end returns, it never stops or cancels itself.", func);
  return FALSE;
}

static void
fill_setup (SpindleWorkerSet   *self,
            SpindleWorkerSetup *setup)
{
  setup->set = self;
  setup->id = ++self->last_id;
  setup->context = self->context;
  setup->owner = self->owner;
  setup->stop_grace = self->stop_grace;
  setup->cancel_grace = self->cancel_grace;
}

/* A new worker is counted in n-live before anyone sees it (a handler that
 * sees it may end it: an abandon), and n-live is notified once it is
 * listed, in the set or its parent's children: a handler of either signal
 * finds every worker n-live counts listed.
 */
static void
notify_n_live (SpindleWorkerSet *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LIVE]);
}

/* A request its parent had when the child appeared reaches the child
 * before anyone sees it: a handler of its listing may abandon the parent,
 * which abandons its children, and only a child asked to end can be.
 */
static void
inherit_request (SpindleWorker *parent,
                 SpindleWorker *child,
                 SpindleJob    *job)
{
  SpindleWorkerState state = spindle_worker_get_state (parent);

  if (state == SPINDLE_WORKER_STATE_CANCELLING)
    _spindle_worker_force_cancel (child, SPINDLE_STOP_REASON_PARENT);
  else if (state != SPINDLE_WORKER_STATE_RUNNING || g_atomic_int_get (&job->requests))
    _spindle_worker_request_stop (child, SPINDLE_STOP_REASON_PARENT);
}

/* A child's first event, posted by its parent, makes its worker (transfer
 * full: a handler of n-live may remove its parent, which held it). A
 * child whose parent's worker is gone (removed after it was abandoned)
 * has no one to join its thread: it is disowned, as its parent was. So is
 * one whose parent is over (abandoned, its thread going on): counted under
 * it, it would stay counted once the parent is removed, listed nowhere.
 */
static SpindleWorker *
adopt (SpindleWorkerSet *self,
       SpindleJob       *job)
{
  SpindleWorkerSetup setup = { 0 };
  SpindleWorker *parent;
  SpindleWorker *child;

  if (job->parent == NULL || (parent = _spindle_job_get_worker (job->parent)) == NULL ||
      spindle_worker_is_terminal (parent))
    {
      _spindle_job_disown (job);
      return NULL;
    }

  fill_setup (self, &setup);
  setup.parent = parent;
  setup.name = job->name;
  setup.kind = job->kind != NULL ? job->kind : "child";
  setup.deadline_usec = job->deadline_usec;
  setup.stop_grace = job->stop_grace;
  setup.cancel_grace = job->cancel_grace;
  setup.job = job;
  child = _spindle_worker_new (&setup);

  /* a handler of the child's listing may abandon and remove the parent,
   * which only the set held: the listing goes on in the parent's store */
  g_object_ref (parent);
  self->n_live++;
  inherit_request (parent, child, job);
  _spindle_worker_add_child (parent, child);
  g_object_unref (parent);
  notify_n_live (self);

  return child;
}

/* Runs on the set's context: the one place worker events become signals.
 * A handler may drop the last reference to the set (a window closed as its
 * last worker ends): the set is held to the end of the batch, so that a
 * child's event after it still finds the set and the parent it held.
 */
static void
dispatch_events (GQueue   *events,
                 gpointer  user_data)
{
  g_autoptr(SpindleWorkerSet) self = g_object_ref (user_data);

  for (GList *l = events->head; l != NULL; l = l->next)
    {
      SpindleEvent *event = l->data;
      g_autoptr(SpindleWorker) worker = NULL;

      if (_spindle_job_get_worker (event->job) != NULL)
        worker = g_object_ref (_spindle_job_get_worker (event->job));
      else if (event->kind == SPINDLE_EVENT_SPAWNED)
        worker = adopt (self, event->job);

      if (worker == NULL)
        continue;

      _spindle_worker_handle_event (worker, event);
    }
}

/* The notify may drop the last reference to the set: it is held until the
 * shutdowns waiting for this end are answered.
 */
void
_spindle_worker_set_worker_ended (SpindleWorkerSet *set,
                                  SpindleWorker    *worker)
{
  g_autoptr(SpindleWorkerSet) self = g_object_ref (set);

  g_assert (self->n_live > 0);

  self->n_live--;
  if (spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_ABANDONED)
    self->n_abandoned++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LIVE]);

  if (self->n_live == 0 && self->shutdowns->len > 0)
    _spindle_worker_set_complete_shutdowns (self);
}

/* On shutdown, a worker that will not die is let go. */
void
_spindle_worker_set_worker_unresponsive (SpindleWorkerSet *self,
                                         SpindleWorker    *worker)
{
  if (self->shut_down)
    spindle_worker_abandon (worker);
}

void
_spindle_worker_set_flush (SpindleWorkerSet *self)
{
  if (self->dispatch != NULL)
    _spindle_dispatch_flush (self->dispatch);
}

guint64
_spindle_worker_set_get_n_dispatches (SpindleWorkerSet *self)
{
  return _spindle_dispatch_get_n_wakeups (self->dispatch);
}

static void
spindle_worker_set_dispose (GObject *object)
{
  SpindleWorkerSet *self = (SpindleWorkerSet *) object;

  if (self->dispatch != NULL)
    _spindle_dispatch_close (self->dispatch);

  g_clear_pointer (&self->remote, _spindle_remote_free);

  if (self->workers != NULL)
    {
      for (guint i = 0; i < self->workers->len; i++)
        _spindle_worker_disown (g_ptr_array_index (self->workers, i));
      g_clear_pointer (&self->workers, g_ptr_array_unref);
    }

  /* after the disowning, which ended every job still queued */
  if (self->starter != NULL)
    {
      _spindle_starter_close (self->starter);
      g_clear_pointer (&self->starter, _spindle_starter_unref);
    }

  g_clear_pointer (&self->dispatch, _spindle_dispatch_unref);
  g_clear_pointer (&self->shutdowns, g_ptr_array_unref);

  G_OBJECT_CLASS (spindle_worker_set_parent_class)->dispose (object);
}

static void
spindle_worker_set_finalize (GObject *object)
{
  SpindleWorkerSet *self = (SpindleWorkerSet *) object;

  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (spindle_worker_set_parent_class)->finalize (object);
}

static void
spindle_worker_set_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SpindleWorkerSet *self = SPINDLE_WORKER_SET (object);

  switch (prop_id)
    {
    case PROP_N_LIVE:
      g_value_set_uint (value, self->n_live);
      break;

    case PROP_STACK_SIZE:
      g_value_set_uint64 (value, self->stack_size);
      break;

    case PROP_STOP_GRACE:
      g_value_set_int64 (value, self->stop_grace);
      break;

    case PROP_CANCEL_GRACE:
      g_value_set_int64 (value, self->cancel_grace);
      break;

    case PROP_AUTO_ESCALATE:
      g_value_set_boolean (value, self->auto_escalate);
      break;

    case PROP_DEFAULT_DEADLINE:
      g_value_set_int64 (value, self->default_deadline);
      break;

    case PROP_BACKGROUND_START:
      g_value_set_boolean (value, self->background_start);
      break;

    case PROP_REMOTE_GONE:
      g_value_set_boolean (value, _spindle_remote_is_gone (self->remote));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_background_start (SpindleWorkerSet *self,
                      gboolean          background_start)
{
  background_start = !!background_start;
  if (self->background_start == background_start)
    return;

  self->background_start = background_start;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKGROUND_START]);
}

static void
spindle_worker_set_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  SpindleWorkerSet *self = SPINDLE_WORKER_SET (object);

  switch (prop_id)
    {
    case PROP_STACK_SIZE:
      spindle_worker_set_set_stack_size (self, g_value_get_uint64 (value));
      break;

    case PROP_STOP_GRACE:
      spindle_worker_set_set_stop_grace (self, g_value_get_int64 (value));
      break;

    case PROP_CANCEL_GRACE:
      spindle_worker_set_set_cancel_grace (self, g_value_get_int64 (value));
      break;

    case PROP_AUTO_ESCALATE:
      spindle_worker_set_set_auto_escalate (self, g_value_get_boolean (value));
      break;

    case PROP_DEFAULT_DEADLINE:
      spindle_worker_set_set_default_deadline (self, g_value_get_int64 (value));
      break;

    case PROP_BACKGROUND_START:
      set_background_start (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_worker_set_class_init (SpindleWorkerSetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spindle_worker_set_dispose;
  object_class->finalize = spindle_worker_set_finalize;
  object_class->get_property = spindle_worker_set_get_property;
  object_class->set_property = spindle_worker_set_set_property;

  /**
   * SpindleWorkerSet:n-live:
   *
   * How many workers, children included, are not over.
   */
  properties[PROP_N_LIVE] =
    g_param_spec_uint ("n-live", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindleWorkerSet:stack-size:
   *
   * The stack size in bytes of the workers spawned from now on.
   */
  properties[PROP_STACK_SIZE] =
    g_param_spec_uint64 ("stack-size", NULL, NULL, 0, G_MAXUINT64, SPINDLE_DEFAULT_STACK_SIZE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindleWorkerSet:stop-grace:
   *
   * µs a stopped worker gets before it is force-cancelled, when #SpindleWorkerSet:auto-escalate is on.
   */
  properties[PROP_STOP_GRACE] =
    g_param_spec_int64 ("stop-grace", NULL, NULL, 0, G_MAXINT64, DEFAULT_STOP_GRACE,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindleWorkerSet:cancel-grace:
   *
   * µs a force-cancelled worker gets before it is reported unresponsive.
   */
  properties[PROP_CANCEL_GRACE] =
    g_param_spec_int64 ("cancel-grace", NULL, NULL, 0, G_MAXINT64, DEFAULT_CANCEL_GRACE,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindleWorkerSet:auto-escalate:
   *
   * Whether a stopped worker that outlives its stop grace is force-cancelled.
   */
  properties[PROP_AUTO_ESCALATE] =
    g_param_spec_boolean ("auto-escalate", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindleWorkerSet:default-deadline:
   *
   * µs from spawn after which new workers are asked to stop; 0: none.
   */
  properties[PROP_DEFAULT_DEADLINE] =
    g_param_spec_int64 ("default-deadline", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindleWorkerSet:background-start:
   *
   * Whether spawning leaves the creation of each worker's thread to the
   * set's starter threads: spindle_worker_set_spawn() then returns the
   * worker at once, STARTING, and the owner's thread never waits in
   * pthread_create(). For starting many workers at once. A thread that
   * cannot be created then makes its worker FAILED with the error (NULL is
   * never returned for it); a stop or force-cancel that comes before the
   * thread ends the worker without one, its body never run. Off by
   * default: a spawn creates the thread before it returns.
   */
  properties[PROP_BACKGROUND_START] =
    g_param_spec_boolean ("background-start", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * SpindleWorkerSet:remote-gone:
   *
   * Whether the program a remote set mirrors (spindle_worker_set_attach_async())
   * has exited: the set keeps its workers as they last were.
   */
  properties[PROP_REMOTE_GONE] =
    g_param_spec_boolean ("remote-gone", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SpindleWorkerSet::interrupt:
   * @set: the set
   * @worker: a worker whose body is foreign (%SPINDLE_SPAWN_FLAGS_FOREIGN_BODY)
   * @tid: the kernel thread id of its body, or 0 if its thread has not
   *   started yet
   *
   * Emitted when a foreign body is force-cancelled, in place of
   * cancelling its thread: its stop was requested, its cancellable
   * cancelled and the engine's waits woken. A language binding raises an
   * exception in the body's thread here (Python's override raises
   * `Spindle.Interrupted` at its next bytecode). A body that never sees it
   * is reported unresponsive after the cancel grace period, and can be
   * abandoned. A body whose thread had not started finds the request with
   * spindle_job_is_interrupted() when it starts.
   */
  signals[SIGNAL_INTERRUPT] =
    g_signal_new ("interrupt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, SPINDLE_TYPE_WORKER, G_TYPE_INT);
}

void
_spindle_worker_set_notify_remote_gone (SpindleWorkerSet *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_GONE]);
}

/* A foreign body's force-cancel, for its binding's handler. */
void
_spindle_worker_set_emit_interrupt (SpindleWorkerSet *self,
                                    SpindleWorker    *worker,
                                    int               tid)
{
  g_signal_emit (self, signals[SIGNAL_INTERRUPT], 0, worker, tid);
}

static void
spindle_worker_set_init (SpindleWorkerSet *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
  self->workers = g_ptr_array_new_with_free_func (g_object_unref);
  self->shutdowns = _spindle_worker_set_new_shutdowns ();
  self->stack_size = SPINDLE_DEFAULT_STACK_SIZE;
  self->stop_grace = DEFAULT_STOP_GRACE;
  self->cancel_grace = DEFAULT_CANCEL_GRACE;
  self->auto_escalate = TRUE;
  self->dispatch = _spindle_dispatch_new (self->context, dispatch_events, self);
  _spindle_export_from_environment (self);
}

/**
 * spindle_worker_set_new:
 * Creates an empty set bound to the thread-default main context: every
 * signal and notify of the set and its workers is emitted there. Use the set
 * and its workers from that context's thread only.
 *
 * Returns: (transfer full): the new set
 */
SpindleWorkerSet *
spindle_worker_set_new (void)
{
  return g_object_new (SPINDLE_TYPE_WORKER_SET, NULL);
}

static void
add_worker (SpindleWorkerSet *self,
            SpindleWorker    *worker)
{
  g_ptr_array_add (self->workers, worker);
  g_list_model_items_changed (G_LIST_MODEL (self), self->workers->len - 1, 0, 1);
}

static gboolean
let_go (gpointer object)
{
  return G_SOURCE_REMOVE;
}

/* Drops @object (transfer full) once @context runs again. */
static void
unref_later (GMainContext *context,
             gpointer      object,
             const char   *name)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, let_go, object, g_object_unref);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);
  g_source_unref (source);
}

/* A handler of a new worker's listing or count may drop the set, or
 * remove the worker (stop, abandon and remove it at once): the spawn holds
 * both until it returns. A worker that only the spawn still holds then
 * stays valid for its caller until the set's context runs again.
 */
static SpindleWorker *
hand_back (SpindleWorkerSet *self,
           SpindleWorker    *worker)
{
  g_autoptr(GMainContext) context = g_main_context_ref (self->context);

  g_object_unref (self);
  if (G_OBJECT (worker)->ref_count > 1)
    g_object_unref (worker);
  else
    unref_later (context, worker, "[spindle] spawned worker let go");

  return worker;
}

/**
 * spindle_worker_set_spawn_full:
 * @set: a set
 * @options: (nullable): zero fields take the set's defaults
 * @name: the worker's name, also its thread's (cut to 15 bytes)
 * @func: (scope notified) (closure user_data) (destroy destroy): the body,
 *   run on the worker's own thread
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data once the body and its cleanup
 *   are over, or at once if the worker cannot start
 * @error: where a failure to start goes
 *
 * Starts @func on a new thread. When the thread cannot be created, the set
 * still lists a FAILED worker carrying the error, @destroy is called, and
 * NULL is returned with @error set. With #SpindleWorkerSet:background-start
 * on, the thread is created later by the set's starter threads, and a
 * failure to create it arrives as the worker's FAILED state and error.
 *
 * Returns: (transfer none) (nullable): the worker, owned by the set
 */
SpindleWorker *
spindle_worker_set_spawn_full (SpindleWorkerSet          *set,
                               const SpindleSpawnOptions *options,
                               const char                *name,
                               SpindleJobFunc             func,
                               gpointer                   user_data,
                               GDestroyNotify             destroy,
                               GError                   **error)
{
  static const SpindleSpawnOptions defaults = { 0 };
  SpindleWorkerSet *self = set;
  g_autoptr(GError) local_error = NULL;
  SpindleWorkerSetup setup = { 0 };
  SpindleWorker *worker;
  SpindleJob *job;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);
  SPINDLE_RETURN_VAL_IF_NOT_OWNER (set->owner, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* SPINDLE_EXPORT, in a program that spawns before its context runs */
  _spindle_export_settle_environment (self);

  if (options == NULL)
    options = &defaults;

  if (self->shut_down)
    {
      if (destroy != NULL)
        destroy (user_data);
      g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_INVALID_ARGUMENT,
                   _("Cannot start “%s”: the workers are shutting down"), name);
      return NULL;
    }

  fill_setup (self, &setup);
  setup.name = name;
  setup.kind = options->kind;
  setup.deadline_usec = options->deadline_usec != 0 ? options->deadline_usec : self->default_deadline;
  if (options->stop_grace_usec > 0)
    setup.stop_grace = options->stop_grace_usec;
  if (options->cancel_grace_usec > 0)
    setup.cancel_grace = options->cancel_grace_usec;

  job = _spindle_job_new (self->dispatch, NULL, name, func, user_data, destroy);
  job->stack_size = options->stack_size != 0 ? options->stack_size : self->stack_size;
  job->foreign = (options->flags & SPINDLE_SPAWN_FLAGS_FOREIGN_BODY) != 0;
  job->stop_grace = setup.stop_grace;
  job->cancel_grace = setup.cancel_grace;
  setup.job = job;
  worker = _spindle_worker_new (&setup);
  _spindle_job_unref (job);
  self->n_live++;
  /* held with the set until hand_back (): the worker holds its job */
  g_object_ref (self);
  g_object_ref (worker);

  if (self->background_start)
    {
      /* before anyone sees the worker: a request from now on ends it unstarted */
      _spindle_job_set_start_pending (job);
      add_worker (self, worker);
      if (self->starter == NULL)
        self->starter = _spindle_starter_new ();
      _spindle_starter_push (self->starter, job);
      notify_n_live (self);
      return hand_back (self, worker);
    }

  /* a worker that could not start is over before it is listed: its end
   * notifies n-live, which never counted it listed */
  if (!_spindle_job_start (job, &local_error))
    {
      _spindle_worker_fail_start (worker, local_error);
      add_worker (self, worker);
      g_propagate_error (error, g_steal_pointer (&local_error));
      hand_back (self, worker);
      return NULL;
    }

  add_worker (self, worker);
  notify_n_live (self);

  return hand_back (self, worker);
}

/**
 * spindle_worker_set_spawn:
 * @set: a set
 * @name: the worker's name, also its thread's (cut to 15 bytes)
 * @func: (scope notified) (closure user_data) (destroy destroy): the body,
 *   run on the worker's own thread
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data once the body and its cleanup
 *   are over, or at once if the worker cannot start
 * @error: where a failure to start goes
 *
 * spindle_worker_set_spawn_full() with the set's defaults.
 *
 * Returns: (transfer none) (nullable): the worker, owned by the set
 */
SpindleWorker *
spindle_worker_set_spawn (SpindleWorkerSet  *self,
                          const char        *name,
                          SpindleJobFunc     func,
                          gpointer           user_data,
                          GDestroyNotify     destroy,
                          GError           **error)
{
  return spindle_worker_set_spawn_full (self, NULL, name, func, user_data, destroy, error);
}

/* Signal handlers may add or remove workers while we walk. */
GPtrArray *
_spindle_worker_set_snapshot (SpindleWorkerSet *self)
{
  GPtrArray *copy = g_ptr_array_new_full (self->workers->len, g_object_unref);

  for (guint i = 0; i < self->workers->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (self->workers, i)));

  return copy;
}

/**
 * spindle_worker_set_stop_all:
 * @set: a set
 *
 * Asks every live worker to stop (spindle_worker_request_stop()).
 */
void
spindle_worker_set_stop_all (SpindleWorkerSet *self)
{
  g_autoptr(GPtrArray) workers = NULL;

  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));
  SPINDLE_RETURN_IF_NOT_OWNER (self->owner);

  workers = _spindle_worker_set_snapshot (self);
  for (guint i = 0; i < workers->len; i++)
    _spindle_worker_request_stop (g_ptr_array_index (workers, i), SPINDLE_STOP_REASON_USER);
}

/**
 * spindle_worker_set_cancel_all:
 * @set: a set
 *
 * Force-cancels every live worker (spindle_worker_force_cancel()).
 */
void
spindle_worker_set_cancel_all (SpindleWorkerSet *self)
{
  g_autoptr(GPtrArray) workers = NULL;

  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));
  SPINDLE_RETURN_IF_NOT_OWNER (self->owner);

  workers = _spindle_worker_set_snapshot (self);
  for (guint i = 0; i < workers->len; i++)
    _spindle_worker_force_cancel (g_ptr_array_index (workers, i), SPINDLE_STOP_REASON_USER);
}

/**
 * spindle_worker_set_get_n_live:
 * @set: a set
 *
 * How many workers, children included, are not over yet.
 *
 * Returns: the number of live workers
 */
guint
spindle_worker_set_get_n_live (SpindleWorkerSet *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), 0);

  return self->n_live;
}

/* A worker removed while someone else still holds it may be in its own
 * end (a handler of its terminal state removes it and drops the set), and
 * go on to count that end on the set: the set is held until its context
 * runs again.
 */
static void
remove_worker_at (SpindleWorkerSet *self,
                  guint             position)
{
  SpindleWorker *worker = g_ptr_array_index (self->workers, position);

  if (G_OBJECT (worker)->ref_count > 1)
    unref_later (self->context, g_object_ref (self), "[spindle] set held past a removal");

  g_ptr_array_remove_index (self->workers, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

/* Over, with every child n-live counts: a parent given up (abandoned, or
 * removed from a handler of a child's own end) may still have a child
 * alive, which its removal would take out of every list while n-live
 * still counted it. The rows of a process worker's tree are not counted:
 * a process left running does not keep its worker listed.
 */
static gboolean
is_over (SpindleWorker *worker)
{
  GListModel *children = spindle_worker_get_children (worker);

  if (!spindle_worker_is_terminal (worker))
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);

      if (!child->tree_process && !is_over (child))
        return FALSE;
    }

  return TRUE;
}

/**
 * spindle_worker_set_remove:
 * @set: a set
 * @worker: a worker of @set
 *
 * Drops a worker that is over, with all of its children. Live workers, and
 * those with a child still live, stay.
 *
 * Returns: whether @worker was removed
 */
gboolean
spindle_worker_set_remove (SpindleWorkerSet *self,
                           SpindleWorker    *worker)
{
  guint position;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), FALSE);
  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), FALSE);
  SPINDLE_RETURN_VAL_IF_NOT_OWNER (self->owner, FALSE);

  if (!is_over (worker) ||
      !g_ptr_array_find (self->workers, worker, &position))
    return FALSE;

  remove_worker_at (self, position);

  return TRUE;
}

/**
 * spindle_worker_set_clear_finished:
 * @set: a set
 *
 * Removes every top-level worker that is over, with all of its children.
 *
 * Returns: how many workers that were over were removed
 */
guint
spindle_worker_set_clear_finished (SpindleWorkerSet *set)
{
  g_autoptr(SpindleWorkerSet) self = NULL;
  guint removed = 0;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), 0);
  SPINDLE_RETURN_VAL_IF_NOT_OWNER (set->owner, 0);

  /* A handler of items-changed may drop the set, remove workers or clear
   * again, or spawn. The walk, from the end, goes on from where the list
   * ends now if it shrank under it: a removal before its place moves the
   * workers still to walk nearer the start, none past it (a worker walked
   * may come back within reach: it is looked at again), and a spawn adds
   * after its place a worker that is not over.
   */
  self = g_object_ref (set);
  for (guint i = self->workers->len; i > 0; i = MIN (i - 1, self->workers->len))
    {
      if (!is_over (g_ptr_array_index (self->workers, i - 1)))
        continue;

      remove_worker_at (self, i - 1);
      removed++;
    }

  return removed;
}

/**
 * spindle_worker_set_get_stack_size:
 * @set: a set
 *
 * The stack size new workers get unless their options say otherwise.
 *
 * Returns: bytes
 */
gsize
spindle_worker_set_get_stack_size (SpindleWorkerSet *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), 0);

  return self->stack_size;
}

/**
 * spindle_worker_set_set_stack_size:
 * @set: a set
 * @stack_size: bytes for each new worker's stack; 0 restores the default
 *
 * Sets #SpindleWorkerSet:stack-size for the workers spawned from now on.
 */
void
spindle_worker_set_set_stack_size (SpindleWorkerSet *self,
                                   gsize             stack_size)
{
  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));

  if (stack_size == 0)
    stack_size = SPINDLE_DEFAULT_STACK_SIZE;

  if (self->stack_size == stack_size)
    return;

  self->stack_size = stack_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STACK_SIZE]);
}

/**
 * spindle_worker_set_get_stop_grace:
 * @set: a set
 *
 * How long a stopped worker may take before it is force-cancelled, when #SpindleWorkerSet:auto-escalate is on.
 *
 * Returns: µs
 */
gint64
spindle_worker_set_get_stop_grace (SpindleWorkerSet *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), 0);

  return self->stop_grace;
}

/**
 * spindle_worker_set_set_stop_grace:
 * @set: a set
 * @usec: µs
 *
 * Sets #SpindleWorkerSet:stop-grace for the workers spawned from now on.
 */
void
spindle_worker_set_set_stop_grace (SpindleWorkerSet *self,
                                   gint64            usec)
{
  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));
  g_return_if_fail (usec > 0);

  if (self->stop_grace == usec)
    return;

  self->stop_grace = usec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STOP_GRACE]);
}

/**
 * spindle_worker_set_get_cancel_grace:
 * @set: a set
 *
 * How long a force-cancelled worker may take before it is reported unresponsive.
 *
 * Returns: µs
 */
gint64
spindle_worker_set_get_cancel_grace (SpindleWorkerSet *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), 0);

  return self->cancel_grace;
}

/**
 * spindle_worker_set_set_cancel_grace:
 * @set: a set
 * @usec: µs
 *
 * Sets #SpindleWorkerSet:cancel-grace for the workers spawned from now on.
 */
void
spindle_worker_set_set_cancel_grace (SpindleWorkerSet *self,
                                     gint64            usec)
{
  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));
  g_return_if_fail (usec > 0);

  if (self->cancel_grace == usec)
    return;

  self->cancel_grace = usec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CANCEL_GRACE]);
}

/**
 * spindle_worker_set_get_auto_escalate:
 * @set: a set
 *
 * Whether a stopped worker that outlives its stop grace is force-cancelled.
 *
 * Returns: %TRUE if escalation is automatic
 */
gboolean
spindle_worker_set_get_auto_escalate (SpindleWorkerSet *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), FALSE);

  return self->auto_escalate;
}

/**
 * spindle_worker_set_set_auto_escalate:
 * @set: a set
 * @auto_escalate: whether stops escalate
 *
 * Whether a user's stop escalates by itself to force-cancel after the stop
 * grace. Applies to every worker's next stop request.
 */
void
spindle_worker_set_set_auto_escalate (SpindleWorkerSet *self,
                                      gboolean          auto_escalate)
{
  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));

  auto_escalate = !!auto_escalate;
  if (self->auto_escalate == auto_escalate)
    return;

  self->auto_escalate = auto_escalate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_ESCALATE]);
}

/**
 * spindle_worker_set_get_default_deadline:
 * @set: a set
 *
 * The deadline new workers get unless their options say otherwise.
 *
 * Returns: µs from spawn, or 0 for none
 */
gint64
spindle_worker_set_get_default_deadline (SpindleWorkerSet *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), 0);

  return self->default_deadline;
}

/**
 * spindle_worker_set_set_default_deadline:
 * @set: a set
 * @usec: µs from spawn; 0: none
 *
 * Sets #SpindleWorkerSet:default-deadline for the workers spawned from now on.
 */
void
spindle_worker_set_set_default_deadline (SpindleWorkerSet *self,
                                         gint64            usec)
{
  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));
  g_return_if_fail (usec >= 0);

  if (self->default_deadline == usec)
    return;

  self->default_deadline = usec;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_DEADLINE]);
}
