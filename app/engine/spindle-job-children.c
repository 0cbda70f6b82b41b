/* spindle-job-children.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <pthread.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-job-private.h"

/* A child is a job started by its parent's body. Requests reach children
 * before their parent (see _spindle_job_request_stop()), and a parent's end
 * waits for them, bounded by its grace periods: no child outlives its parent
 * unreported. One that will not end is abandoned with it.
 */

/**
 * spindle_job_spawn_child:
 *
 * Starts a child worker from a worker body. It appears under its parent in
 * the set, inherits a stop already requested of the parent, is stopped
 * before its parent, and is waited for when the parent ends.
 *
 * Returns: (transfer none) (nullable): the child's job, valid while the
 *   parent runs; NULL with @error set if its thread could not be created
 */
SpindleJob *
spindle_job_spawn_child (SpindleJob      *self,
                         const char      *name,
                         SpindleJobFunc   func,
                         gpointer         user_data,
                         GDestroyNotify   destroy,
                         GError         **error)
{
  SpindleJob *child;
  int old_state;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  old_state = _spindle_job_block_cancel ();

  child = _spindle_job_new (self->dispatch, self, name, func, user_data, destroy);
  g_atomic_int_set (&child->requests, g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_STOP);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->children, child);
  g_mutex_unlock (&self->lock);

  if (!_spindle_job_start (child, error))
    {
      g_mutex_lock (&self->lock);
      g_ptr_array_remove_fast (self->children, child);
      g_mutex_unlock (&self->lock);
      child = NULL;
    }

  _spindle_job_restore_cancel (old_state);

  return child;
}

GPtrArray *
_spindle_job_dup_children (SpindleJob *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) _spindle_job_unref);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->children->len; i++)
    g_ptr_array_add (copy, _spindle_job_ref (g_ptr_array_index (self->children, i)));
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

static guint
count_live (GPtrArray *children)
{
  guint n = 0;

  for (guint i = 0; i < children->len; i++)
    n += g_atomic_int_get (&((SpindleJob *) g_ptr_array_index (children, i))->terminal) < 0;

  return n;
}

/* Waits with the parent's lock; returns how many children are still live. */
static guint
wait_children (SpindleJob *self,
               GPtrArray  *children,
               gint64      grace)
{
  gint64 end_time = g_get_monotonic_time () + grace;
  guint live;

  g_mutex_lock (&self->lock);
  while ((live = count_live (children)) > 0 &&
         g_cond_wait_until (&self->child_ended, &self->lock, end_time))
    ;
  g_mutex_unlock (&self->lock);

  return count_live (children);
}

static void
report_child (SpindleJob           *self,
              SpindleCleanupReport *report,
              SpindleJob           *child)
{
  int terminal = g_atomic_int_get (&child->terminal);
  g_autofree char *label = g_strdup_printf ("child “%s”", child->name);
  g_autofree char *message = NULL;

  if (terminal < 0)
    {
      g_atomic_int_set (&child->abandoned, 1);
      _spindle_job_add_step (self, report, label, SPINDLE_CLEANUP_OUTCOME_FAILED,
                             "Did not end: abandoned with its parent", 0);
      return;
    }

  message = g_strdup_printf ("Ended %s", spindle_worker_state_to_string (terminal));
  _spindle_job_add_step (self, report, label,
                         terminal == SPINDLE_WORKER_STATE_FAILED
                           ? SPINDLE_CLEANUP_OUTCOME_FAILED
                           : SPINDLE_CLEANUP_OUTCOME_OK,
                         message, 0);
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

  if (children->len == 0)
    return;

  _spindle_job_set_waiting_for (self, "its children to end");

  for (guint i = 0; i < children->len; i++)
    _spindle_job_request_stop (g_ptr_array_index (children, i));

  if (wait_children (self, children, self->stop_grace) > 0)
    {
      for (guint i = 0; i < children->len; i++)
        if (g_atomic_int_get (&((SpindleJob *) g_ptr_array_index (children, i))->terminal) < 0)
          _spindle_job_force_cancel (g_ptr_array_index (children, i));
      wait_children (self, children, self->cancel_grace);
    }

  for (guint i = 0; i < children->len; i++)
    report_child (self, report, g_ptr_array_index (children, i));

  /* The parent no longer needs them; this also ends the reference cycle. */
  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->children, 0);
  g_mutex_unlock (&self->lock);
}
