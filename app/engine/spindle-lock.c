/* spindle-lock.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <pthread.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-cond.h"
#include "spindle-i18n-private.h"
#include "spindle-job-private.h"
#include "spindle-lock.h"

/* A worker waiting for a held lock sleeps in spindle_job_cond_wait() on the
 * lock's queue, so a stop wakes it and force-cancel reaches it. The timeout
 * slice only matters when an owner died without any cleanup: nobody signals
 * then, and the next try finds EOWNERDEAD.
 */
#define RETRY_SLICE_USEC (100 * 1000)

struct _SpindleLock
{
  gatomicrefcount  ref_count;
  char            *name;
  pthread_mutex_t  mutex;   /* robust: the lock itself */
  GMutex           meta;    /* guards what follows */
  SpindleCond     *queue;
  char            *holder;
  pid_t            owner;        /* the holder's thread id */
  char            *tainted_by;   /* what tainted it; NULL while consistent */
};

G_DEFINE_BOXED_TYPE (SpindleLock, spindle_lock, spindle_lock_ref, spindle_lock_unref)

/**
 * spindle_lock_new:
 * @name: what the lock guards, for reports ("the index")
 *
 * Creates a tracked lock.
 *
 * Returns: (transfer full): the lock, released with spindle_lock_unref()
 */
SpindleLock *
spindle_lock_new (const char *name)
{
  SpindleLock *self;
  pthread_mutexattr_t attr;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_new0 (SpindleLock, 1);
  g_atomic_ref_count_init (&self->ref_count);

  pthread_mutexattr_init (&attr);
  pthread_mutexattr_setrobust (&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init (&self->mutex, &attr);
  pthread_mutexattr_destroy (&attr);

  g_mutex_init (&self->meta);
  self->queue = spindle_cond_new ();
  self->name = g_strdup (name);

  return self;
}

/**
 * spindle_lock_ref:
 * @lock: a lock
 *
 * Takes a reference to @lock.
 *
 * Returns: (transfer full): @lock
 */
SpindleLock *
spindle_lock_ref (SpindleLock *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

/**
 * spindle_lock_free: (skip)
 * @lock: (transfer full): a lock
 *
 * The same as spindle_lock_unref(), for C code that never shares its lock.
 */
void
spindle_lock_free (SpindleLock *self)
{
  spindle_lock_unref (self);
}

/**
 * spindle_lock_unref:
 * @lock: (transfer full): a lock
 *
 * Drops a reference to @lock; the last one frees it, which nobody may
 * still hold.
 */
void
spindle_lock_unref (SpindleLock *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_return_if_fail (self->holder == NULL);

  pthread_mutex_destroy (&self->mutex);
  spindle_cond_unref (self->queue);
  g_mutex_clear (&self->meta);
  g_free (self->tainted_by);
  g_free (self->name);
  g_free (self);
}

/**
 * spindle_lock_get_name:
 * @lock: a lock
 *
 * The name given at creation.
 *
 * Returns: (transfer none): the name
 */
const char *
spindle_lock_get_name (SpindleLock *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * spindle_lock_is_tainted:
 * @lock: a lock
 *
 * Whether a holder died holding @lock and nobody marked it consistent since.
 *
 * Returns: %TRUE if tainted
 */
gboolean
spindle_lock_is_tainted (SpindleLock *self)
{
  gboolean tainted;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->meta);
  tainted = self->tainted_by != NULL;
  g_mutex_unlock (&self->meta);

  return tainted;
}

/**
 * spindle_lock_mark_consistent:
 *
 * For the holder of a tainted lock, once it has checked or repaired the
 * data the lock guards (as pthread_mutex_consistent() is for EOWNERDEAD).
 */
void
spindle_lock_mark_consistent (SpindleLock *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->meta);
  if (self->holder == NULL || self->owner != gettid ())
    g_critical ("%s: lock “%s” is not held by this thread", G_STRFUNC, self->name);
  else
    g_clear_pointer (&self->tainted_by, g_free);
  g_mutex_unlock (&self->meta);
}

/**
 * spindle_lock_dup_holder:
 * @lock: a lock
 *
 * The name of the worker or thread that holds @lock now.
 *
 * Returns: (transfer full) (nullable): the holder's name, or %NULL if free
 */
char *
spindle_lock_dup_holder (SpindleLock *self)
{
  char *holder;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->meta);
  holder = g_strdup (self->holder);
  g_mutex_unlock (&self->meta);

  return holder;
}

/**
 * spindle_lock_is_held:
 * @lock: a lock
 *
 * Whether anyone holds @lock now.
 *
 * Returns: %TRUE if held
 */
gboolean
spindle_lock_is_held (SpindleLock *self)
{
  g_autofree char *holder = spindle_lock_dup_holder (self);

  return holder != NULL;
}

/* With meta held. */
static void
taint (SpindleLock *self,
       char        *why)
{
  /* the first cause is the one to repair */
  if (self->tainted_by == NULL)
    self->tainted_by = why;
  else
    g_free (why);
}

/* With meta held, after the mutex was taken (rc 0 or EOWNERDEAD). */
static void
took (SpindleLock *self,
      int          rc,
      const char  *holder)
{
  if (rc == EOWNERDEAD)
    {
      /* its owner died holding it, without any cleanup; the robust mutex
       * is made usable again at once, the lock stays tainted */
      pthread_mutex_consistent (&self->mutex);
      taint (self, g_strdup_printf (_("“%s” died holding it"), self->holder != NULL ? self->holder : "?"));
    }

  g_free (self->holder);
  self->holder = g_strdup (holder);
  self->owner = gettid ();
}

/* With meta held, once taken: the taint, for the caller to handle. */
static gboolean
check_consistent (SpindleLock  *self,
                  GError      **error)
{
  if (self->tainted_by == NULL)
    return TRUE;

  g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_LOCK_TAINTED,
               _("Lock “%s” is tainted: %s; it is held, and the data it guards may be "
                 "inconsistent until it is marked consistent"),
               self->name, self->tainted_by);
  return FALSE;
}

static void
give_back (SpindleLock *self)
{
  g_mutex_lock (&self->meta);
  g_clear_pointer (&self->holder, g_free);
  self->owner = 0;
  pthread_mutex_unlock (&self->mutex);
  spindle_cond_broadcast (self->queue);
  g_mutex_unlock (&self->meta);
}

/**
 * spindle_lock_acquire:
 *
 * Takes @lock for a thread that is not a worker, waiting as long as it
 * takes.
 *
 * Returns: TRUE with @lock held; FALSE with SPINDLE_ERROR_LOCK_TAINTED and
 *   @lock held all the same when it is tainted
 */
gboolean
spindle_lock_acquire (SpindleLock  *self,
                      GError      **error)
{
  g_autofree char *holder = NULL;
  gboolean consistent;
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);

  holder = g_strdup_printf (_("thread %d"), (int) gettid ());
  rc = pthread_mutex_lock (&self->mutex);
  g_return_val_if_fail (rc == 0 || rc == EOWNERDEAD, FALSE);

  g_mutex_lock (&self->meta);
  took (self, rc, holder);
  consistent = check_consistent (self, error);
  g_mutex_unlock (&self->meta);

  return consistent;
}

/**
 * spindle_lock_release:
 * @lock: a lock taken with spindle_lock_acquire()
 *
 * Releases @lock.
 */
void
spindle_lock_release (SpindleLock *self)
{
  g_return_if_fail (self != NULL);

  give_back (self);
}

static void
note_contention (SpindleJob  *job,
                 SpindleLock *self)
{
  g_autofree char *text = g_strdup_printf (_("lock “%s” held by “%s”"), self->name,
                                           self->holder != NULL ? self->holder : "?");

  _spindle_job_set_waiting_for (job, text);
}

/**
 * spindle_job_lock:
 * @job: the body's job
 * @lock: the lock to take
 * @error: where a stop or a tainted lock is told
 *
 * Takes @lock for the worker, waiting as long as it takes. A stop request
 * ends the wait (FALSE, G_IO_ERROR_CANCELLED, not held); force-cancel
 * reaches it. A lock still held when the worker ends is released by its
 * cleanup and reported; when the worker was cancelled, the lock is marked
 * tainted.
 *
 * Returns: TRUE once the worker holds @lock; FALSE with
 *   SPINDLE_ERROR_LOCK_TAINTED when it holds a tainted @lock (see
 *   spindle_lock_mark_consistent()); FALSE with another error when it does
 *   not hold it
 */
gboolean
spindle_job_lock (SpindleJob   *job,
                  SpindleLock  *self,
                  GError      **error)
{
  gboolean waited = FALSE, ok = TRUE, consistent = TRUE;
  int old_state, rc;

  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (self != NULL, FALSE);

  old_state = _spindle_job_block_cancel ();
  g_mutex_lock (&self->meta);

  while ((rc = pthread_mutex_trylock (&self->mutex)) == EBUSY)
    {
      g_autoptr(GError) local_error = NULL;

      note_contention (job, self);
      waited = TRUE;

      /* a cancellation point: restore the body's state around it */
      _spindle_job_restore_cancel (old_state);
      ok = spindle_job_cond_wait (job, self->queue, &self->meta, RETRY_SLICE_USEC, &local_error);
      _spindle_job_block_cancel ();

      if (!ok && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          break;
        }
      ok = TRUE;
    }

  if (ok)
    {
      took (self, rc, job->name);
      consistent = check_consistent (self, error);
    }
  g_mutex_unlock (&self->meta);

  if (ok)
    {
      g_mutex_lock (&job->lock);
      g_ptr_array_add (job->held_locks, self);
      g_mutex_unlock (&job->lock);
    }

  if (waited)
    _spindle_job_set_waiting_for (job, NULL);

  _spindle_job_restore_cancel (old_state);

  return ok && consistent;
}

/**
 * spindle_job_unlock:
 * @job: the body's job
 * @lock: a lock the body holds
 *
 * Releases a tracked lock taken with spindle_job_lock().
 */
void
spindle_job_unlock (SpindleJob  *job,
                    SpindleLock *self)
{
  gboolean held;
  int old_state;

  g_return_if_fail (job != NULL);
  g_return_if_fail (self != NULL);

  old_state = _spindle_job_block_cancel ();

  g_mutex_lock (&job->lock);
  held = g_ptr_array_remove (job->held_locks, self);
  g_mutex_unlock (&job->lock);

  if (held)
    give_back (self);
  else
    g_critical ("%s: worker “%s” does not hold lock “%s”", G_STRFUNC, job->name, self->name);

  _spindle_job_restore_cancel (old_state);
}

/* Part of every exit path, on the job's own thread (the mutex's owner). */
void
_spindle_job_release_locks (SpindleJob           *job,
                            gboolean              unwound,
                            SpindleCleanupReport *report)
{
  SpindleLock *lock;

  for (;;)
    {
      g_autofree char *label = NULL;

      g_mutex_lock (&job->lock);
      lock = job->held_locks->len > 0 ? g_ptr_array_steal_index (job->held_locks, job->held_locks->len - 1) : NULL;
      g_mutex_unlock (&job->lock);

      if (lock == NULL)
        break;

      if (unwound)
        {
          g_mutex_lock (&lock->meta);
          taint (lock, g_strdup_printf ("“%s” was cancelled holding it", job->name));
          g_mutex_unlock (&lock->meta);
          _spindle_cleanup_report_note_tainted_lock (report);
        }

      give_back (lock);
      label = unwound
        ? g_strdup_printf (_("released lock “%s” held at cancel; marked tainted"), lock->name)
        : g_strdup_printf (_("released lock “%s” left held at exit"), lock->name);
      _spindle_job_add_step (job, report, label, SPINDLE_CLEANUP_OUTCOME_OK, NULL, 0);
    }
}

/* For an abandoned job: the locks its stuck thread still holds. */
void
_spindle_job_report_held_locks (SpindleJob           *job,
                                SpindleCleanupReport *report)
{
  g_mutex_lock (&job->lock);
  for (guint i = 0; i < job->held_locks->len; i++)
    {
      SpindleLock *lock = g_ptr_array_index (job->held_locks, i);
      g_autofree char *label = g_strdup_printf (_("lock “%s”"), lock->name);

      _spindle_cleanup_report_add (report, label, SPINDLE_CLEANUP_OUTCOME_NOT_RUN,
                                   _("Still held by the abandoned thread: leaked"), 0);
    }
  g_mutex_unlock (&job->lock);
}
