/* spindle-worker-set.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <pthread.h>

#include "spindle-dispatch-private.h"
#include "spindle-job-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

struct _SpindleWorkerSet
{
  GObject          parent_instance;

  GMainContext    *context;
  GThread         *owner;
  SpindleDispatch *dispatch;
  GPtrArray       *workers;
  guint64          last_id;
  guint            n_live;
  gsize            stack_size;
};

enum {
  PROP_0,
  PROP_N_LIVE,
  PROP_STACK_SIZE,
  N_PROPS
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SpindleWorkerSet, spindle_worker_set, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GParamSpec *properties[N_PROPS];

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

/* Runs on the set's context: the one place worker events become signals. */
static void
dispatch_events (GQueue   *events,
                 gpointer  user_data)
{
  for (GList *l = events->head; l != NULL; l = l->next)
    {
      SpindleEvent *event = l->data;
      SpindleWorker *worker = _spindle_job_get_worker (event->job);

      if (worker == NULL)
        continue;

      g_object_ref (worker);
      _spindle_worker_handle_event (worker, event);
      g_object_unref (worker);
    }
}

void
_spindle_worker_set_worker_ended (SpindleWorkerSet *self,
                                  SpindleWorker    *worker)
{
  g_assert (self->n_live > 0);

  self->n_live--;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LIVE]);
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

  if (self->workers != NULL)
    {
      for (guint i = 0; i < self->workers->len; i++)
        _spindle_worker_disown (g_ptr_array_index (self->workers, i));
      g_clear_pointer (&self->workers, g_ptr_array_unref);
    }

  g_clear_pointer (&self->dispatch, _spindle_dispatch_unref);

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

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
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

  properties[PROP_N_LIVE] =
    g_param_spec_uint ("n-live", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STACK_SIZE] =
    g_param_spec_uint64 ("stack-size", NULL, NULL, 0, G_MAXUINT64, SPINDLE_DEFAULT_STACK_SIZE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spindle_worker_set_init (SpindleWorkerSet *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
  self->workers = g_ptr_array_new_with_free_func (g_object_unref);
  self->stack_size = SPINDLE_DEFAULT_STACK_SIZE;
  self->dispatch = _spindle_dispatch_new (self->context, dispatch_events, self);
}

/**
 * spindle_worker_set_new:
 *
 * Creates an empty set bound to the thread-default main context: every
 * signal and notify of the set and its workers is emitted there. Use the set
 * and its workers from that context's thread only.
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

/**
 * spindle_worker_set_spawn_full:
 * @options: (nullable): zero fields take the set's defaults
 *
 * Starts @func on a new thread. When the thread cannot be created, the set
 * still lists a FAILED worker carrying the error, @destroy is called, and
 * NULL is returned with @error set.
 *
 * Returns: (transfer none) (nullable): the worker, owned by the set
 */
SpindleWorker *
spindle_worker_set_spawn_full (SpindleWorkerSet          *self,
                               const SpindleSpawnOptions *options,
                               const char                *name,
                               SpindleJobFunc             func,
                               gpointer                   user_data,
                               GDestroyNotify             destroy,
                               GError                   **error)
{
  static const SpindleSpawnOptions defaults = { 0 };
  g_autoptr(GError) local_error = NULL;
  SpindleWorker *worker;
  SpindleJob *job;
  gsize stack_size;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), NULL);
  g_return_val_if_fail (self->owner == g_thread_self (), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (options == NULL)
    options = &defaults;
  stack_size = options->stack_size != 0 ? options->stack_size : self->stack_size;

  job = _spindle_job_new (self->dispatch, name, func, user_data, destroy);
  worker = _spindle_worker_new (self, ++self->last_id, name, options->kind, job);
  self->n_live++;

  if (!_spindle_job_start (job, stack_size, &local_error))
    {
      _spindle_worker_fail_start (worker, local_error);
      _spindle_job_unref (job);
      add_worker (self, worker);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  _spindle_job_unref (job);
  add_worker (self, worker);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LIVE]);

  return worker;
}

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
static GPtrArray *
snapshot (SpindleWorkerSet *self)
{
  GPtrArray *copy = g_ptr_array_new_full (self->workers->len, g_object_unref);

  for (guint i = 0; i < self->workers->len; i++)
    g_ptr_array_add (copy, g_object_ref (g_ptr_array_index (self->workers, i)));

  return copy;
}

void
spindle_worker_set_stop_all (SpindleWorkerSet *self)
{
  g_autoptr(GPtrArray) workers = NULL;

  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));

  workers = snapshot (self);
  for (guint i = 0; i < workers->len; i++)
    _spindle_worker_request_stop (g_ptr_array_index (workers, i), SPINDLE_STOP_REASON_USER);
}

void
spindle_worker_set_cancel_all (SpindleWorkerSet *self)
{
  g_autoptr(GPtrArray) workers = NULL;

  g_return_if_fail (SPINDLE_IS_WORKER_SET (self));

  workers = snapshot (self);
  for (guint i = 0; i < workers->len; i++)
    _spindle_worker_force_cancel (g_ptr_array_index (workers, i), SPINDLE_STOP_REASON_USER);
}

guint
spindle_worker_set_get_n_live (SpindleWorkerSet *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), 0);

  return self->n_live;
}

/**
 * spindle_worker_set_remove:
 *
 * Drops a worker that is over. Live workers stay.
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

  if (!spindle_worker_is_terminal (worker) ||
      !g_ptr_array_find (self->workers, worker, &position))
    return FALSE;

  g_ptr_array_remove_index (self->workers, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);

  return TRUE;
}

/**
 * spindle_worker_set_clear_finished:
 *
 * Returns: how many workers that were over were removed
 */
guint
spindle_worker_set_clear_finished (SpindleWorkerSet *self)
{
  guint removed = 0;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), 0);

  for (guint i = self->workers->len; i > 0; i--)
    {
      if (!spindle_worker_is_terminal (g_ptr_array_index (self->workers, i - 1)))
        continue;

      g_ptr_array_remove_index (self->workers, i - 1);
      g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
      removed++;
    }

  return removed;
}

gsize
spindle_worker_set_get_stack_size (SpindleWorkerSet *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (self), 0);

  return self->stack_size;
}

/**
 * spindle_worker_set_set_stack_size:
 * @stack_size: bytes for each new worker's stack; 0 restores the default
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
