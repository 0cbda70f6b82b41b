/* spindle-job-cleanup.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <pthread.h>
#include <unistd.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-i18n-private.h"
#include "spindle-job-private.h"

/* A job's cleanup stack: LIFO, each step run exactly once, on every exit
 * path, with cancellation disabled; every outcome goes into the report and
 * out as a cleanup-step event.
 */

static gboolean
job_pop_top (SpindleJob   *self,
             SpindleCleanupEntry *entry)
{
  gboolean found;

  g_mutex_lock (&self->lock);
  found = self->cleanups->len > 0;
  if (found)
    {
      *entry = g_array_index (self->cleanups, SpindleCleanupEntry, self->cleanups->len - 1);
      g_array_set_size (self->cleanups, self->cleanups->len - 1);
    }
  g_mutex_unlock (&self->lock);

  return found;
}

/* Lets a step's data go once the step ran or was dropped. */
static void
release_entry_data (SpindleCleanupEntry *entry)
{
  GDestroyNotify destroy = g_steal_pointer (&entry->destroy);

  if (destroy != NULL)
    destroy (entry->user_data);
}

/* Every entry of a report is also posted as a cleanup-step event; the
 * process a step is about (@pid 0: none) goes to the report alone. */
static void
add_process_step (SpindleJob            *self,
                  SpindleCleanupReport  *report,
                  const char            *label,
                  SpindleCleanupOutcome  outcome,
                  const char            *message,
                  gint64                 duration_usec,
                  int                    pid,
                  const char            *name)
{
  SpindleEvent *event = _spindle_event_new (SPINDLE_EVENT_CLEANUP_STEP, self);

  event->label = g_strdup (label);
  event->message = g_strdup (message);
  event->outcome = outcome;
  event->time = duration_usec;
  _spindle_job_post (self, event);

  _spindle_cleanup_report_add_process_step (report, label, outcome, message, duration_usec, pid, name);
}

void
_spindle_job_add_step (SpindleJob            *self,
                       SpindleCleanupReport  *report,
                       const char            *label,
                       SpindleCleanupOutcome  outcome,
                       const char            *message,
                       gint64                 duration_usec)
{
  add_process_step (self, report, label, outcome, message, duration_usec, 0, NULL);
}

static void
post_step (SpindleJob               *self,
           SpindleCleanupReport     *report,
           const SpindleCleanupStep *step)
{
  _spindle_job_add_step (self, report, step->label, step->outcome, step->message, step->duration_usec);
}

static void
clear_ran_step (gpointer data)
{
  SpindleRanStep *ran = data;

  g_clear_pointer (&ran->step.label, g_free);
  g_clear_pointer (&ran->step.message, g_free);
  g_clear_pointer (&ran->process_name, g_free);
}

/* The steps a body has done, for the job's ran_early: each owns its strings. */
GArray *
_spindle_job_new_ran_early (void)
{
  GArray *ran_early = g_array_new (FALSE, TRUE, sizeof (SpindleRanStep));

  g_array_set_clear_func (ran_early, clear_ran_step);
  return ran_early;
}

/* Runs one step; the caller owns the result's strings. */
static SpindleCleanupStep
run_cleanup (const SpindleCleanupEntry *entry)
{
  g_autoptr(GError) error = NULL;
  SpindleCleanupStep step = { .label = entry->label };
  gint64 begin = g_get_monotonic_time ();
  gboolean ok = entry->func (entry->user_data, &error);

  step.duration_usec = g_get_monotonic_time () - begin;
  step.outcome = ok ? SPINDLE_CLEANUP_OUTCOME_OK : SPINDLE_CLEANUP_OUTCOME_FAILED;
  if (!ok)
    step.message = g_strdup (error != NULL ? error->message : _("The step failed without saying why"));

  return step;
}

void
_spindle_job_clear_cleanup_entry (SpindleCleanupEntry *entry)
{
  release_entry_data (entry);
  g_free (entry->label);
}

void
_spindle_job_run_cleanups (SpindleJob           *self,
                           SpindleCleanupReport *report)
{
  g_autoptr(GArray) ran_early = NULL;
  SpindleCleanupEntry entry;

  /* Steps the body popped and ran are part of what its cleanup did. */
  g_mutex_lock (&self->lock);
  ran_early = g_steal_pointer (&self->ran_early);
  self->ran_early = _spindle_job_new_ran_early ();
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < ran_early->len; i++)
    {
      const SpindleRanStep *ran = &g_array_index (ran_early, SpindleRanStep, i);

      add_process_step (self, report, ran->step.label, ran->step.outcome, ran->step.message,
                        ran->step.duration_usec, ran->pid, ran->process_name);
    }

  while (job_pop_top (self, &entry))
    {
      SpindleCleanupStep step;

      g_mutex_lock (&self->lock);
      self->running_step = entry.label;
      g_mutex_unlock (&self->lock);

      step = run_cleanup (&entry);

      g_mutex_lock (&self->lock);
      self->running_step = NULL;
      g_mutex_unlock (&self->lock);

      release_entry_data (&entry);
      post_step (self, report, &step);
      g_free (step.message);
      g_free (entry.label);
    }
}

/* The stack belongs to the body: another thread's step would run at a
 * time that thread cannot know.
 */
static gboolean
on_own_thread (SpindleJob *self,
               const char *func)
{
  if (gettid () == g_atomic_int_get (&self->tid))
    return TRUE;

  g_critical ("%s: called on job “%s” from another thread; only its own body "
              "may use its cleanup stack", func, self->name);
  return FALSE;
}

/* Both entry points: critical messages name the one the body called. */
static guint
push_cleanup (SpindleJob         *self,
              const char         *caller,
              const char         *label,
              SpindleCleanupFunc  func,
              gpointer            user_data,
              GDestroyNotify      destroy)
{
  SpindleCleanupEntry entry = { 0, NULL, func, user_data, destroy };
  int old_state = _spindle_job_block_cancel ();

  if (on_own_thread (self, caller))
    {
      gboolean closed;

      g_mutex_lock (&self->lock);
      closed = self->ending;
      if (!closed)
        {
          entry.label = g_strdup (label);
          entry.id = ++self->last_cleanup_id;
          g_array_append_val (self->cleanups, entry);
        }
      g_mutex_unlock (&self->lock);

      if (closed)
        g_critical ("%s: job “%s” has returned and its cleanup has begun; a step "
                    "pushed now would never run", caller, self->name);
    }

  /* refused: nothing will run the step, so nothing keeps its data */
  if (entry.id == 0)
    release_entry_data (&entry);

  _spindle_job_restore_cancel (old_state);

  return entry.id;
}

/**
 * spindle_job_push_cleanup: (skip)
 * @job: the body's job
 * @label: what the step does, for the report ("close the output file")
 * @func: the step
 * @user_data: data for @func, which the caller keeps
 *
 * Pushes a step on the job's cleanup stack, from its body on its own
 * thread. Refused with a critical, returning 0, from another thread or once
 * the body has returned (from a cleanup step, say).
 *
 * Returns: the step's id for spindle_job_pop_cleanup(), or 0
 */
guint
spindle_job_push_cleanup (SpindleJob         *self,
                          const char         *label,
                          SpindleCleanupFunc  func,
                          gpointer            user_data)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (label != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  return push_cleanup (self, G_STRFUNC, label, func, user_data, NULL);
}

/**
 * spindle_job_push_cleanup_full: (rename-to spindle_job_push_cleanup)
 * @job: the body's job
 * @label: what the step does, for the report ("close the output file")
 * @func: (scope notified) (closure user_data) (destroy destroy): the step
 * @user_data: data for @func
 * @destroy: (nullable): called on @user_data once, after the step ran or
 *   when it was popped without running; at once if the push is refused
 *
 * As spindle_job_push_cleanup(), and the stack owns @user_data: @destroy
 * runs on the job's thread, with cancellation disabled, right after the
 * step ran or was dropped. Steps left on an abandoned job keep their data
 * unless the engine comes to free the job.
 *
 * Returns: the step's id for spindle_job_pop_cleanup(), or 0
 */
guint
spindle_job_push_cleanup_full (SpindleJob         *self,
                               const char         *label,
                               SpindleCleanupFunc  func,
                               gpointer            user_data,
                               GDestroyNotify      destroy)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (label != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  return push_cleanup (self, G_STRFUNC, label, func, user_data, destroy);
}

static gboolean
job_steal_cleanup (SpindleJob   *self,
                   guint         cleanup_id,
                   SpindleCleanupEntry *entry)
{
  gboolean found = FALSE;

  g_mutex_lock (&self->lock);
  for (guint i = self->cleanups->len; !found && i > 0; i--)
    {
      found = g_array_index (self->cleanups, SpindleCleanupEntry, i - 1).id == cleanup_id;
      if (found)
        {
          *entry = g_array_index (self->cleanups, SpindleCleanupEntry, i - 1);
          g_array_remove_index (self->cleanups, i - 1);
        }
    }
  g_mutex_unlock (&self->lock);

  return found;
}

/**
 * spindle_job_pop_cleanup:
 * @job: the body's job
 * @cleanup_id: what spindle_job_push_cleanup() returned
 * @run: whether to run the step now
 *
 * Removes a step from the cleanup stack, running it first if @run is %TRUE (the report then lists it).
 */
void
spindle_job_pop_cleanup (SpindleJob *self,
                         guint       cleanup_id,
                         gboolean    run)
{
  SpindleCleanupEntry entry;
  int old_state;

  g_return_if_fail (self != NULL);

  old_state = _spindle_job_block_cancel ();

  if (!on_own_thread (self, G_STRFUNC))
    ;
  else if (!job_steal_cleanup (self, cleanup_id, &entry))
    g_critical ("%s: no cleanup step %u on job “%s”", G_STRFUNC, cleanup_id, self->name);
  else if (run)
    {
      SpindleRanStep ran = { run_cleanup (&entry), 0, NULL };

      release_entry_data (&entry);
      g_mutex_lock (&self->lock);
      g_array_append_val (self->ran_early, ran);
      g_mutex_unlock (&self->lock);
    }
  else
    {
      release_entry_data (&entry);
      g_free (entry.label);
    }

  _spindle_job_restore_cancel (old_state);
}

/* A step about the process @pid, named @name, that has already happened
 * (it reaped the process, or saw it gone): entered in the report as a step
 * popped and run, with the process beside its words. As the stack's own
 * entry points, from the body on its own thread and before it returned.
 */
void
_spindle_job_record_process_step (SpindleJob *self,
                                  const char *label,
                                  int         pid,
                                  const char *name)
{
  int old_state;

  g_return_if_fail (self != NULL);
  g_return_if_fail (label != NULL);
  g_return_if_fail (pid > 0);

  old_state = _spindle_job_block_cancel ();

  if (on_own_thread (self, G_STRFUNC))
    {
      SpindleRanStep ran = {
        .step = { .label = g_strdup (label), .outcome = SPINDLE_CLEANUP_OUTCOME_OK },
        .pid = pid,
        .process_name = g_strdup (name),
      };
      gboolean closed;

      g_mutex_lock (&self->lock);
      closed = self->ending;
      if (!closed)
        g_array_append_val (self->ran_early, ran);
      g_mutex_unlock (&self->lock);

      if (closed)
        {
          g_critical ("%s: job “%s” has returned and its cleanup has begun; a step "
                      "recorded now would never be reported", G_STRFUNC, self->name);
          clear_ran_step (&ran);
        }
    }

  _spindle_job_restore_cancel (old_state);
}
