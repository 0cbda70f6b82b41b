/* spindle-job-children.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <pthread.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-i18n-private.h"
#include "spindle-job-private.h"
#include "spindle-time-private.h"

/* The child's thread could not start: it shows as a FAILED child. */
static void
post_start_failure (SpindleJob   *child,
                    const GError *error)
{
  SpindleEvent *event = _spindle_event_new (SPINDLE_EVENT_FINISHED, child);

  event->terminal = SPINDLE_WORKER_STATE_FAILED;
  event->error = g_error_copy (error);
  event->report = _spindle_cleanup_report_new ();
  event->time = g_get_monotonic_time ();
  _spindle_job_post (child, event);
  _spindle_job_report_ended (child, SPINDLE_WORKER_STATE_FAILED);
}

/* A child is a job started by its parent's body. Requests reach children
 * before their parent (see _spindle_job_request_stop()), and a parent's end
 * waits for them, bounded by its grace periods: no child outlives its parent
 * unreported. One that will not end is abandoned with it.
 */

/* Under the parent's lock: a parent whose body is over takes no child, so
 * none can escape the wait for them at its end.
 */
static gboolean
adopt_child (SpindleJob  *self,
             SpindleJob  *child,
             GError     **error)
{
  gboolean ending;

  g_mutex_lock (&self->lock);
  ending = self->ending;
  if (!ending)
    g_ptr_array_add (self->children, _spindle_job_ref (child));
  g_mutex_unlock (&self->lock);

  if (ending)
    g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_INVALID_ARGUMENT,
                 _("Cannot start child “%s”: its parent “%s” is already cleaning up"),
                 child->name, self->name);

  return !ending;
}

static void
apply_options (SpindleJob                *child,
               const SpindleSpawnOptions *options)
{
  child->kind = g_strdup (options->kind);
  child->deadline_usec = options->deadline_usec;
  if (options->stack_size != 0)
    child->stack_size = options->stack_size;
  if (options->stop_grace_usec > 0)
    child->stop_grace = options->stop_grace_usec;
  if (options->cancel_grace_usec > 0)
    child->cancel_grace = options->cancel_grace_usec;
  /* a foreign body spawns its children from its own runtime */
  child->foreign = child->parent->foreign || (options->flags & SPINDLE_SPAWN_FLAGS_FOREIGN_BODY) != 0;
}

/**
 * spindle_job_spawn_child_full:
 * @job: the parent's job
 * @options: (nullable): zero fields take the parent's stack size and grace
 *   periods, the kind "child" and no deadline
 * @name: the child's name, also its thread's
 * @func: (scope notified) (closure user_data) (destroy destroy): the child's
 *   body
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data once the child is over
 * @error: where a failure to start goes
 *
 * Starts a child worker from a worker body. It appears under its parent in
 * the set, inherits a stop already requested of the parent, is stopped
 * before its parent, and is waited for when the parent ends. A parent's
 * cleanup steps cannot start children: they could outlive it unseen.
 *
 * Returns: (transfer none) (nullable): the child's job, valid while the
 *   parent runs; NULL with @error set if its thread could not be created
 *   or the parent's body is over
 */
SpindleJob *
spindle_job_spawn_child_full (SpindleJob                 *self,
                              const SpindleSpawnOptions  *options,
                              const char                 *name,
                              SpindleJobFunc              func,
                              gpointer                    user_data,
                              GDestroyNotify              destroy,
                              GError                    **error)
{
  static const SpindleSpawnOptions defaults = { 0 };
  g_autoptr(GError) local_error = NULL;
  SpindleJob *child;
  gboolean started;
  int old_state;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  old_state = _spindle_job_block_cancel ();

  child = _spindle_job_new (self->dispatch, self, name, func, user_data, destroy);
  apply_options (child, options != NULL ? options : &defaults);
  g_atomic_int_set (&child->requests, g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_STOP);

  if (!adopt_child (self, child, error))
    {
      _spindle_job_unref (child);
      _spindle_job_restore_cancel (old_state);
      return NULL;
    }

  /* before its thread can post anything: children appear in spawn order */
  _spindle_job_post (child, _spindle_event_new (SPINDLE_EVENT_SPAWNED, child));

  started = _spindle_job_start (child, &local_error);
  if (!started)
    {
      post_start_failure (child, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      g_mutex_lock (&self->lock);
      g_ptr_array_remove_fast (self->children, child);
      g_mutex_unlock (&self->lock);
    }

  /* from here the parent's list and the queued events keep it */
  _spindle_job_unref (child);
  _spindle_job_restore_cancel (old_state);

  return started ? child : NULL;
}

/**
 * spindle_job_spawn_child:
 * @job: the parent's job
 * @name: the child's name, also its thread's
 * @func: (scope notified) (closure user_data) (destroy destroy): the child's
 *   body
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data once the child is over
 * @error: where a failure to start goes
 *
 * spindle_job_spawn_child_full() with the parent's defaults.
 *
 * Returns: (transfer none) (nullable): the child's job, valid while the
 *   parent runs
 */
SpindleJob *
spindle_job_spawn_child (SpindleJob      *self,
                         const char      *name,
                         SpindleJobFunc   func,
                         gpointer         user_data,
                         GDestroyNotify   destroy,
                         GError         **error)
{
  return spindle_job_spawn_child_full (self, NULL, name, func, user_data, destroy, error);
}

/* NULL when there are none: a request to a childless worker, the common
 * case, allocates nothing before its cancel is sent.
 */
GPtrArray *
_spindle_job_dup_children (SpindleJob *self)
{
  GPtrArray *copy = NULL;

  g_mutex_lock (&self->lock);
  if (self->children->len > 0)
    {
      copy = g_ptr_array_new_full (self->children->len, (GDestroyNotify) _spindle_job_unref);
      for (guint i = 0; i < self->children->len; i++)
        g_ptr_array_add (copy, _spindle_job_ref (g_ptr_array_index (self->children, i)));
    }
  g_mutex_unlock (&self->lock);

  return copy;
}

/* Called by a job as it ends, before its last event. */
void
_spindle_job_report_ended (SpindleJob         *self,
                           SpindleWorkerState  terminal)
{
  g_atomic_int_set (&self->terminal, terminal);

  if (self->parent != NULL)
    {
      g_mutex_lock (&self->parent->lock);
      g_cond_broadcast (&self->parent->child_ended);
      g_mutex_unlock (&self->parent->lock);
    }
}

/* Notes in @ended_at when the parent first saw each child over. */
static guint
count_live (GPtrArray *children,
            gint64    *ended_at)
{
  gint64 now = g_get_monotonic_time ();
  guint n = 0;

  for (guint i = 0; i < children->len; i++)
    {
      if (g_atomic_int_get (&((SpindleJob *) g_ptr_array_index (children, i))->terminal) < 0)
        n++;
      else if (ended_at[i] == 0)
        ended_at[i] = now;
    }

  return n;
}

/* Waits with the parent's lock; returns how many children are still live. */
static guint
wait_children (SpindleJob *self,
               GPtrArray  *children,
               gint64      grace,
               gint64     *ended_at)
{
  gint64 end_time = _spindle_time_add (g_get_monotonic_time (), grace);
  guint live;

  g_mutex_lock (&self->lock);
  while ((live = count_live (children, ended_at)) > 0 &&
         g_cond_wait_until (&self->child_ended, &self->lock, end_time))
    ;
  g_mutex_unlock (&self->lock);

  return count_live (children, ended_at);
}

/* A child's step lasts as long as the parent waited for that child: from
 * its request until the parent saw it over (the children end together, so
 * the steps overlap), or the whole wait for one it gave up on.
 */
static void
report_child (SpindleJob           *self,
              SpindleCleanupReport *report,
              SpindleJob           *child,
              gint64                asked_at,
              gint64                ended_at)
{
  int terminal = g_atomic_int_get (&child->terminal);
  gint64 waited = (ended_at > 0 ? ended_at : g_get_monotonic_time ()) - asked_at;
  g_autofree char *label = NULL;

  if (terminal < 0)
    {
      g_atomic_int_set (&child->abandoned, 1);
      label = g_strdup_printf (_("child “%s”: abandoned with its parent"), child->name);
      _spindle_job_add_step (self, report, label, SPINDLE_CLEANUP_OUTCOME_FAILED,
                             _("It did not end within the grace periods"), waited);
      return;
    }

  label = g_strdup_printf (_("child “%s”: %s"), child->name, _(spindle_worker_state_to_string (terminal)));
  if (terminal == SPINDLE_WORKER_STATE_FAILED)
    _spindle_job_add_step (self, report, label, SPINDLE_CLEANUP_OUTCOME_FAILED, _("The child failed"), waited);
  else
    _spindle_job_add_step (self, report, label, SPINDLE_CLEANUP_OUTCOME_OK, NULL, waited);
}

/* The first part of a parent's cleanup, on its own thread with cancellation
 * disabled: stop the children, give them the stop grace, cancel those left,
 * give them the cancel grace, and report each one's fate.
 */
void
_spindle_job_settle_children (SpindleJob           *self,
                              SpindleCleanupReport *report)
{
  g_autoptr(GPtrArray) children = _spindle_job_dup_children (self);
  g_autofree gint64 *ended_at = NULL;
  gint64 asked_at;

  if (children == NULL)
    return;

  _spindle_job_set_waiting_for (self, _("its children to end"));
  ended_at = g_new0 (gint64, children->len);
  asked_at = g_get_monotonic_time ();

  for (guint i = 0; i < children->len; i++)
    _spindle_job_request_stop (g_ptr_array_index (children, i));

  if (wait_children (self, children, self->stop_grace, ended_at) > 0)
    {
      for (guint i = 0; i < children->len; i++)
        if (g_atomic_int_get (&((SpindleJob *) g_ptr_array_index (children, i))->terminal) < 0)
          _spindle_job_force_cancel (g_ptr_array_index (children, i));
      wait_children (self, children, self->cancel_grace, ended_at);
    }

  for (guint i = 0; i < children->len; i++)
    report_child (self, report, g_ptr_array_index (children, i), asked_at, ended_at[i]);

  /* The parent no longer needs them; this also ends the reference cycle. */
  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->children, 0);
  g_mutex_unlock (&self->lock);
}
