/* spindle-job.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-i18n-private.h"
#include "spindle-job-private.h"
#include "spindle-starter-private.h"

#ifdef __SANITIZE_ADDRESS__
# include <sanitizer/asan_interface.h>
#endif

/* A job is the part of a worker that its thread may touch. The thread and
 * the main thread share it through the atomics and the mutex below; the
 * GObject side (SpindleWorker) stays on the main thread.
 *
 * Cancellation discipline: the body runs with deferred cancellation enabled.
 * Every engine entry point disables it first and restores it on return, so
 * no engine lock is ever held at a cancellation point; the waits re-enable
 * it only around their ppoll().
 */

static void settle_cancel_signal (SpindleJob *self);

/* Job threads of the process created and not yet at their end: the
 * sampler tells them from the process's other threads by this count.
 */
static guint n_job_threads;

/* Bindings hold a job for as long as its body runs; a reference is a copy. */
G_DEFINE_BOXED_TYPE (SpindleJob, spindle_job, _spindle_job_ref, _spindle_job_unref)

int
_spindle_job_block_cancel (void)
{
  int old_state;

  pthread_setcancelstate (PTHREAD_CANCEL_DISABLE, &old_state);

  return old_state;
}

void
_spindle_job_restore_cancel (int old_state)
{
  pthread_setcancelstate (old_state, NULL);
}

SpindleJob *
_spindle_job_new (SpindleDispatch *dispatch,
                  SpindleJob      *parent,
                  const char      *name,
                  SpindleJobFunc   func,
                  gpointer         user_data,
                  GDestroyNotify   destroy)
{
  SpindleJob *self = g_new0 (SpindleJob, 1);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  g_cond_init (&self->child_ended);
  self->dispatch = _spindle_dispatch_ref (dispatch);
  self->parent = parent != NULL ? _spindle_job_ref (parent) : NULL;
  self->name = g_strdup (name);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  self->terminal = -1;
  self->wake_fd = -1;
  self->cleanups = g_array_new (FALSE, FALSE, sizeof (SpindleCleanupEntry));
  self->ran_early = _spindle_job_new_ran_early ();
  self->children = g_ptr_array_new_with_free_func ((GDestroyNotify) _spindle_job_unref);
  self->held_locks = g_ptr_array_new ();

  if (parent != NULL)
    {
      self->stack_size = parent->stack_size;
      self->stop_grace = parent->stop_grace;
      self->cancel_grace = parent->cancel_grace;
    }

  return self;
}

SpindleJob *
_spindle_job_ref (SpindleJob *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
release_user_data (SpindleJob *self)
{
  GDestroyNotify destroy = g_steal_pointer (&self->destroy);

  if (destroy != NULL)
    destroy (self->user_data);
  self->user_data = NULL;
}

void
_spindle_job_unref (SpindleJob *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_assert (!self->thread_live);

  release_user_data (self);
  for (guint i = 0; i < self->cleanups->len; i++)
    _spindle_job_clear_cleanup_entry (&g_array_index (self->cleanups, SpindleCleanupEntry, i));
  g_array_unref (self->cleanups);
  g_array_unref (self->ran_early);
  g_ptr_array_unref (self->children);
  g_ptr_array_unref (self->held_locks);
  g_clear_pointer (&self->parent, _spindle_job_unref);
  g_free (self->waiting_for);
  g_cond_clear (&self->child_ended);
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  g_clear_object (&self->cancellable);
  g_free (self->phase);
  g_free (self->kind);
  g_free (self->name);
  _spindle_dispatch_unref (self->dispatch);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
_spindle_job_post (SpindleJob   *self,
                   SpindleEvent *event)
{
  _spindle_dispatch_post (self->dispatch, event);
}

/* The phase and progress are read by the main thread when it handles the
 * one DIRTY event queued for any number of changes.
 */
void
_spindle_job_mark_dirty (SpindleJob *self)
{
  if (g_atomic_int_compare_and_exchange (&self->dirty, 0, 1))
    _spindle_job_post (self, _spindle_event_new (SPINDLE_EVENT_DIRTY, self));
}

/* Thread lifecycle ********************************************************/

static void
set_thread_name (const char *name)
{
  char comm[16];
  const char *end = name;

  /* 15 bytes, cut on a character boundary */
  while (*end != '\0')
    {
      const char *next = g_utf8_next_char (end);

      if (next - name > 15)
        break;
      end = next;
    }

  memcpy (comm, name, end - name);
  comm[end - name] = '\0';
  pthread_setname_np (pthread_self (), comm);
}

static void
job_announce_start (SpindleJob *self)
{
  SpindleEvent *event = _spindle_event_new (SPINDLE_EVENT_STARTED, self);

  set_thread_name (self->name);
  event->tid = gettid ();
  event->time = g_get_monotonic_time ();
  g_atomic_int_set (&self->tid, event->tid);
  _spindle_job_post (self, event);
}

static gboolean
is_interruption (const GError *error)
{
  return g_error_matches (error, SPINDLE_ERROR, SPINDLE_ERROR_INTERRUPTED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static SpindleWorkerState
decide_terminal (SpindleJob  *self,
                 gboolean     unwound,
                 GError     **error)
{
  gboolean requested = g_atomic_int_get (&self->requests) != 0;

  if (unwound)
    return SPINDLE_WORKER_STATE_CANCELLED;

  /* an interrupted foreign body unwound through its own runtime */
  if (self->foreign && (g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_CANCEL) != 0 &&
      (*error == NULL || is_interruption (*error)))
    {
      g_clear_error (error);
      return SPINDLE_WORKER_STATE_CANCELLED;
    }

  if (*error != NULL)
    {
      if (!requested || !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return SPINDLE_WORKER_STATE_FAILED;
      g_clear_error (error);
    }

  return requested ? SPINDLE_WORKER_STATE_STOPPED : SPINDLE_WORKER_STATE_FINISHED;
}

/* A finished job keeps no descriptor: a set may keep thousands of them.
 * The wake fd goes under the lock that its writers take.
 */
static void
release_descriptors (SpindleJob *self)
{
  g_autoptr(GCancellable) cancellable = NULL;

  g_mutex_lock (&self->lock);
  if (self->wake_fd >= 0)
    close (self->wake_fd);
  self->wake_fd = -1;
  cancellable = g_steal_pointer (&self->cancellable);
  g_mutex_unlock (&self->lock);
}

/* Every exit path ends here, with cancellation disabled: a return from the
 * body, or the unwinding of a force-cancel.
 */
static void
job_finish (SpindleJob *self,
            GVariant   *result,
            GError     *error,
            gboolean    unwound)
{
  g_autoptr(SpindleCleanupReport) report = _spindle_cleanup_report_new ();
  gint64 begin = g_get_monotonic_time ();
  SpindleWorkerState terminal;
  SpindleEvent *event;

  pthread_setcanceltype (PTHREAD_CANCEL_DEFERRED, NULL);
  g_atomic_int_set (&self->in_compute, 0);
  self->compute_depth = 0;

  /* from now on nothing may join the stack or the children unseen */
  g_mutex_lock (&self->lock);
  self->ending = TRUE;
  g_mutex_unlock (&self->lock);

  /* a floating result (C's g_variant_new) or a full reference (bindings) */
  if (result != NULL)
    g_variant_take_ref (result);
  if (error != NULL)
    g_clear_pointer (&result, g_variant_unref);

  /* After a force-cancel, waking the main context here would put it
   * between the cancel and the worker's first cleanup step. The first
   * step's event (or the end) delivers this one; the unresponsive timer
   * every force-cancel arms flushes it before judging, and so does a view's
   * sampler. A stop keeps the prompt wake-up: no timer may be armed then.
   */
  if (unwound)
    _spindle_dispatch_post_quiet (self->dispatch, _spindle_event_new (SPINDLE_EVENT_CLEANUP_STARTED, self));
  else
    _spindle_job_post (self, _spindle_event_new (SPINDLE_EVENT_CLEANUP_STARTED, self));
  _spindle_job_settle_children (self, report);
  _spindle_job_run_cleanups (self, report);
  _spindle_job_release_locks (self, unwound, report);
  _spindle_job_set_waiting_for (self, NULL);
  release_user_data (self);
  release_descriptors (self);
  _spindle_cleanup_report_set_duration (report, g_get_monotonic_time () - begin);

  event = _spindle_event_new (SPINDLE_EVENT_FINISHED, self);
  event->terminal = terminal = decide_terminal (self, unwound, &error);
  event->result = result;
  event->error = error;
  event->report = g_steal_pointer (&report);
  event->time = g_get_monotonic_time ();
  _spindle_job_post (self, event);

  /* only now may a waiting parent end, its last event after ours */
  _spindle_job_report_ended (self, terminal);
  g_atomic_int_dec_and_test ((gint *) &n_job_threads);

  _spindle_job_unref (self);
}

#ifdef __SANITIZE_ADDRESS__
/* Cancellation unwinds through glibc's own longjmp, which ASan does not
 * see: the skipped frames' redzones stay poisoned below us and make false
 * reports later. Everything below the handler's frame is dead; say so. The
 * stack's bounds are read at thread start: interceptors called from here
 * would trip over the very poison we clear.
 */
static __thread char *stack_low;

static void
note_stack_bounds (void)
{
  pthread_attr_t attr;
  size_t size;
  void *low;

  if (pthread_getattr_np (pthread_self (), &attr) != 0)
    return;
  if (pthread_attr_getstack (&attr, &low, &size) == 0)
    stack_low = low;
  pthread_attr_destroy (&attr);
}

__attribute__ ((noinline, no_sanitize_address)) void
_spindle_job_forget_unwound_frames (void)
{
  char *here = __builtin_frame_address (0);

  if (stack_low != NULL && here > stack_low)
    __asan_unpoison_memory_region (stack_low, here - stack_low);
}
#else
void
_spindle_job_forget_unwound_frames (void)
{
}
#endif

static void
job_unwind_cb (gpointer data)
{
  _spindle_job_forget_unwound_frames ();
  job_finish (data, NULL, NULL, TRUE);
  /* the thread ends: others let go that ended give their stacks back */
  _spindle_starter_reap ();
}

static gpointer
job_thread_main (gpointer data)
{
  SpindleJob *self = data;

  pthread_setcancelstate (PTHREAD_CANCEL_DISABLE, NULL);
#ifdef __SANITIZE_ADDRESS__
  note_stack_bounds ();
#endif
  job_announce_start (self);

  pthread_cleanup_push (job_unwind_cb, self);
    {
      GError *error = NULL;
      GVariant *result;

      /* a foreign body runs as if it held cancellation all along: the
       * engine's waits take a force-cancel as a stop */
      if (!self->foreign)
        {
          pthread_setcancelstate (PTHREAD_CANCEL_ENABLE, NULL);
          /* one asked while the thread was being created may not be
           * sent yet (see settle_new_thread()) */
          if ((g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_CANCEL) != 0)
            pthread_cancel (pthread_self ());
        }
      /* a force-cancel that came before the body began acts here */
      pthread_testcancel ();
      result = self->func (self, self->user_data, &error);
      pthread_setcancelstate (PTHREAD_CANCEL_DISABLE, NULL);
      /* a body may return from inside a compute region */
      pthread_setcanceltype (PTHREAD_CANCEL_DEFERRED, NULL);
      settle_cancel_signal (self);
      job_finish (self, result, error, FALSE);
    }
  pthread_cleanup_pop (0);

  /* with no lock of the job's held: others let go that ended give their
   * stacks back (see _spindle_starter_reap ()) */
  _spindle_starter_reap ();

  return NULL;
}

/* pthread_detach (), or its like for a thread on a stack of the starter's. */
static void
let_go (pthread_t thread,
        gpointer  stack)
{
  if (stack != NULL)
    _spindle_starter_let_go (thread, stack);
  else
    pthread_detach (thread);
}

/* With the lock held. A force-cancel that came while no thread existed
 * (a start left to a starter thread, or a child its parent was still
 * creating) found none to cancel: it acts as the body begins. So does an
 * abandon, which found none to let go: no one will join this one.
 */
static void
settle_new_thread (SpindleJob *self)
{
  if (self->disowned)
    {
      /* its worker went away before it started: end it as a disowned one */
      if (!self->foreign)
        pthread_cancel (self->thread);
      let_go (self->thread, g_steal_pointer (&self->stack));
    }
  else if (g_atomic_int_get (&self->abandoned))
    let_go (self->thread, g_steal_pointer (&self->stack));
  else if (!self->foreign && (g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_CANCEL) != 0)
    pthread_cancel (self->thread);
}

gboolean
_spindle_job_start (SpindleJob  *self,
                    GError     **error)
{
  gsize stack_size = self->stack_size;
  gpointer stack = _spindle_starter_take_stack (stack_size);
  pthread_attr_t attr;
  int rc;

  pthread_attr_init (&attr);
  if (stack != NULL)
    rc = pthread_attr_setstack (&attr, stack, stack_size);
  else
    rc = pthread_attr_setstacksize (&attr, stack_size);

  if (rc == 0)
    {
      _spindle_job_ref (self);

      g_mutex_lock (&self->lock);
      rc = pthread_create (&self->thread, &attr, job_thread_main, self);
      self->thread_live = rc == 0 && !self->disowned && !g_atomic_int_get (&self->abandoned);
      if (rc == 0)
        {
          self->stack = g_steal_pointer (&stack);
          g_atomic_int_inc ((gint *) &n_job_threads);
          settle_new_thread (self);
        }
      g_mutex_unlock (&self->lock);

      if (rc != 0)
        _spindle_job_unref (self);
    }

  pthread_attr_destroy (&attr);
  if (stack != NULL)
    _spindle_starter_give_stack (stack);

  if (rc != 0)
    {
      g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE,
                   _("Could not start a thread for “%s” with a %lu KiB stack: %s"),
                   self->name, (gulong) (stack_size / 1024), g_strerror (rc));
      release_user_data (self);
      return FALSE;
    }

  return TRUE;
}

/* How many job threads exist now, give or take one that is being created
 * or exiting.
 */
guint
_spindle_job_get_n_threads (void)
{
  return (guint) g_atomic_int_get ((gint *) &n_job_threads);
}

/* Starts left to a starter thread (spindle-starter.c) ***********************/

/* Before the job is queued: from now on either a starter thread takes it
 * and creates its thread, or a request that comes first ends it unstarted.
 */
void
_spindle_job_set_start_pending (SpindleJob *self)
{
  g_atomic_int_set (&self->start_pending, 1);
}

/* Exactly one caller wins: the starter thread, or the first request. */
gboolean
_spindle_job_take_start_pending (SpindleJob *self)
{
  return g_atomic_int_compare_and_exchange (&self->start_pending, 1, 0);
}

/* A job asked to stop or cancelled before its thread was created ends
 * without one: its body never runs, its user data is released here, and
 * its worker goes through cleaning to STOPPED or CANCELLED like any other,
 * with an empty report. No thread means nothing to cancel or join.
 */
static void
finish_unstarted (SpindleJob *self)
{
  SpindleWorkerState terminal;
  SpindleEvent *event;

  g_mutex_lock (&self->lock);
  self->ending = TRUE;
  g_mutex_unlock (&self->lock);

  release_user_data (self);
  _spindle_job_post (self, _spindle_event_new (SPINDLE_EVENT_CLEANUP_STARTED, self));

  terminal = (g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_CANCEL) != 0
             ? SPINDLE_WORKER_STATE_CANCELLED : SPINDLE_WORKER_STATE_STOPPED;
  event = _spindle_event_new (SPINDLE_EVENT_FINISHED, self);
  event->terminal = terminal;
  event->report = _spindle_cleanup_report_new ();
  event->time = g_get_monotonic_time ();
  _spindle_job_post (self, event);

  _spindle_job_report_ended (self, terminal);
}

/* Requests, from the main thread **********************************************/

void
_spindle_job_wake (SpindleJob *self)
{
  static const guint64 one = 1;

  g_mutex_lock (&self->lock);
  if (self->wake_fd >= 0 && write (self->wake_fd, &one, sizeof one) < 0)
    g_assert (errno == EAGAIN);
  g_mutex_unlock (&self->lock);
}

void
_spindle_job_request_stop (SpindleJob *self)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GPtrArray) children = _spindle_job_dup_children (self);
  int old_state = _spindle_job_block_cancel ();

  for (guint i = 0; children != NULL && i < children->len; i++)
    _spindle_job_request_stop (g_ptr_array_index (children, i));

  g_atomic_int_or (&self->requests, SPINDLE_JOB_REQUEST_STOP);
  if (_spindle_job_take_start_pending (self))
    finish_unstarted (self);
  _spindle_job_wake (self);

  g_mutex_lock (&self->lock);
  g_set_object (&cancellable, self->cancellable);
  g_mutex_unlock (&self->lock);

  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);

  _spindle_job_restore_cancel (old_state);
}

/* A foreign body is interrupted instead: its waits wake, its cancellable
 * is cancelled, and its binding raises an exception in it (the set's
 * interrupt signal, emitted by its worker).
 */
static void
interrupt (SpindleJob *self)
{
  g_autoptr(GCancellable) cancellable = NULL;

  _spindle_job_wake (self);

  g_mutex_lock (&self->lock);
  g_set_object (&cancellable, self->cancellable);
  g_mutex_unlock (&self->lock);

  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
}

/* thread_live is cleared under the lock before a join or detach, so a
 * thread that may have been joined is never cancelled.
 */
void
_spindle_job_force_cancel (SpindleJob *self)
{
  g_autoptr(GPtrArray) children = _spindle_job_dup_children (self);

  for (guint i = 0; children != NULL && i < children->len; i++)
    _spindle_job_force_cancel (g_ptr_array_index (children, i));

  g_atomic_int_or (&self->requests, SPINDLE_JOB_REQUEST_CANCEL);
  if (_spindle_job_take_start_pending (self))
    finish_unstarted (self);

  if (self->foreign)
    {
      interrupt (self);
      return;
    }

  g_mutex_lock (&self->lock);
  if (self->thread_live)
    pthread_cancel (self->thread);
  g_mutex_unlock (&self->lock);

  /* a body holding cancellation in an engine wait sees the cancel as a stop */
  if (_spindle_job_get_held_since (self) != 0)
    _spindle_job_wake (self);
}

static gboolean
take_thread (SpindleJob *self,
             pthread_t  *thread,
             gpointer   *stack)
{
  gboolean live;

  g_mutex_lock (&self->lock);
  live = self->thread_live;
  *thread = self->thread;
  *stack = live ? g_steal_pointer (&self->stack) : NULL;
  self->thread_live = FALSE;
  g_mutex_unlock (&self->lock);

  return live;
}

/* Called once the thread has posted its last event: it is about to exit. */
void
_spindle_job_join (SpindleJob *self)
{
  pthread_t thread;
  gpointer stack;

  if (!take_thread (self, &thread, &stack))
    return;

  pthread_join (thread, NULL);
  if (stack != NULL)
    _spindle_starter_give_stack (stack);
}

void
_spindle_job_detach (SpindleJob *self)
{
  pthread_t thread;
  gpointer stack;

  if (take_thread (self, &thread, &stack))
    let_go (thread, stack);
}

/* No worker will ever handle this job's end (its set or its parent's
 * worker went away first): stop it, cancel it and let its thread go, now or
 * as soon as it starts. Its cleanup still runs, reporting to nobody. Safe
 * from any thread.
 */
void
_spindle_job_disown (SpindleJob *self)
{
  _spindle_job_request_stop (self);
  _spindle_job_force_cancel (self);

  g_mutex_lock (&self->lock);
  self->disowned = TRUE;
  g_mutex_unlock (&self->lock);

  _spindle_job_detach (self);
}

gboolean
_spindle_job_get_in_compute (SpindleJob *self)
{
  return g_atomic_int_get (&self->in_compute) != 0;
}

gpointer
_spindle_job_get_worker (SpindleJob *self)
{
  return self->worker;
}

void
_spindle_job_set_worker (SpindleJob *self,
                         gpointer    worker)
{
  self->worker = worker;
}

void
_spindle_job_take_progress (SpindleJob  *self,
                            char       **phase,
                            double      *progress,
                            char       **waiting_for)
{
  g_atomic_int_set (&self->dirty, 0);

  g_mutex_lock (&self->lock);
  *phase = g_strdup (self->phase);
  *progress = self->progress;
  *waiting_for = g_strdup (self->waiting_for);
  g_mutex_unlock (&self->lock);
}

/* For the strings the main thread reads on DIRTY; with cancellation
 * disabled.
 */
static void
store_string (SpindleJob  *self,
              char       **field,
              const char  *value)
{
  gboolean changed;

  g_mutex_lock (&self->lock);
  changed = g_strcmp0 (*field, value) != 0;
  if (changed)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
  g_mutex_unlock (&self->lock);

  if (changed)
    _spindle_job_mark_dirty (self);
}

void
_spindle_job_set_waiting_for (SpindleJob *self,
                              const char *waiting_for)
{
  store_string (self, &self->waiting_for, waiting_for);
}

/* The main thread gives up on the thread: it is detached, never cancelled
 * again, and what it still holds is reported leaked. If it ever wakes, its
 * cleanup still runs, reporting to nobody.
 */
SpindleCleanupReport *
_spindle_job_abandon (SpindleJob *self)
{
  SpindleCleanupReport *report = _spindle_cleanup_report_new ();

  g_atomic_int_set (&self->abandoned, 1);
  _spindle_job_detach (self);

  g_mutex_lock (&self->lock);
  if (self->running_step != NULL)
    _spindle_cleanup_report_add (report, self->running_step, SPINDLE_CLEANUP_OUTCOME_NOT_RUN,
                                 _("Still running when the worker was abandoned: it never finished"), 0);
  for (guint i = self->cleanups->len; i > 0; i--)
    _spindle_cleanup_report_add (report,
                                 g_array_index (self->cleanups, SpindleCleanupEntry, i - 1).label,
                                 SPINDLE_CLEANUP_OUTCOME_NOT_RUN,
                                 _("Never ran: the worker was abandoned"), 0);
  g_mutex_unlock (&self->lock);

  _spindle_job_report_held_locks (self, report);

  return report;
}

/* The job API ***************************************************************/

/**
 * spindle_job_should_stop:
 * @job: the body's job
 *
 * Whether the body should end: %TRUE once a stop or a force-cancel was
 * requested, of this worker or of its parent. For bindings; C bodies call
 * spindle_job_should_stop(), which is inlined.
 *
 * Returns: %TRUE once the body should end
 */
gboolean
(spindle_job_should_stop) (SpindleJob *self)
{
  return g_atomic_int_get (&self->requests) != 0;
}

/**
 * spindle_job_is_interrupted:
 * @job: the body's job
 *
 * Whether a force-cancel was requested. A C body never sees it (its thread
 * is cancelled); a foreign body (%SPINDLE_SPAWN_FLAGS_FOREIGN_BODY) is
 * interrupted instead, and its binding checks this once the body starts, so
 * that a force-cancel that came first is not lost.
 *
 * Returns: %TRUE once the worker was force-cancelled
 */
gboolean
spindle_job_is_interrupted (SpindleJob *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return (g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_CANCEL) != 0;
}

gboolean
_spindle_job_is_foreign (SpindleJob *self)
{
  return self->foreign;
}

/* Inside the region cancellation is asynchronous: a busy loop is stopped
 * wherever it is. glibc acts at once on a cancel already pending here.
 * Regions nest: only the outermost leave ends asynchronous cancellation.
 */
/**
 * spindle_job_enter_compute:
 * @job: the body's job
 *
 * Begins a region of pure computation (no locks, no allocation) in which force-cancel acts at once, wherever the body is. Regions nest. A foreign body's thread is never cancelled, so for it a region only shows in the diagnosis.
 */
void
spindle_job_enter_compute (SpindleJob *self)
{
  if (self->compute_depth++ > 0)
    return;

  g_atomic_int_set (&self->in_compute, 1);
  if (!self->foreign)
    pthread_setcanceltype (PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
}

/* A force-cancel of a thread in asynchronous mode sends it SIGCANCEL. If
 * the thread leaves the region before the signal lands, glibc 2.36 still
 * acts on it later inside any syscall wrapper (they switch to asynchronous
 * mode around the call), even with cancellation disabled: the thread would
 * die holding an engine lock. So once a cancel was requested, wait for the
 * request to be sent (force-cancel sends it under our lock), let the kernel
 * deliver it (any syscall's return does; a raw one is no cancellation
 * point), and act on it here.
 */
static void
settle_cancel_signal (SpindleJob *self)
{
  if ((g_atomic_int_get (&self->requests) & SPINDLE_JOB_REQUEST_CANCEL) == 0)
    return;

  g_mutex_lock (&self->lock);
  g_mutex_unlock (&self->lock);
  syscall (SYS_getpid);
  pthread_testcancel ();
}

/**
 * spindle_job_leave_compute:
 * @job: the body's job
 *
 * Ends the region spindle_job_enter_compute() began; a force-cancel that came inside it acts here.
 */
void
spindle_job_leave_compute (SpindleJob *self)
{
  if (self->compute_depth == 0)
    {
      int old_state = _spindle_job_block_cancel ();

      g_critical ("%s: job “%s” is not inside a compute region; every "
                  "spindle_job_leave_compute() needs its spindle_job_enter_compute()",
                  G_STRFUNC, self->name);
      _spindle_job_restore_cancel (old_state);
      return;
    }

  if (--self->compute_depth > 0)
    return;

  pthread_setcanceltype (PTHREAD_CANCEL_DEFERRED, NULL);
  g_atomic_int_set (&self->in_compute, 0);
  settle_cancel_signal (self);
}

/**
 * spindle_job_hold_cancel:
 *
 * Defers force-cancel until the matching spindle_job_release_cancel(), for
 * calls that create a resource (open, socket, accept): a cancel acting just
 * after such a call returned would leak what it made (glibc BZ#12683).
 *
 * Never hold cancellation around a call that blocks: the worker would be
 * out of reach of stop and force alike. Wait first with an engine wait
 * (spindle_job_wait_fd() on the listener, which a stop wakes and a
 * force-cancel reaches), then make the call without blocking inside the
 * hold (a non-blocking accept4(), retried on EAGAIN). Inside a hold, the
 * engine's waits treat a force-cancel as a stop. Holds nest.
 */
void
spindle_job_hold_cancel (SpindleJob *self)
{
  int old_state = _spindle_job_block_cancel ();

  if (self->hold_depth++ == 0)
    {
      self->held_state = old_state;
      __atomic_store_n (&self->held_since, g_get_monotonic_time (), __ATOMIC_SEQ_CST);
    }
}

/**
 * spindle_job_release_cancel:
 * @job: the body's job
 *
 * Ends the hold spindle_job_hold_cancel() began; a force-cancel that came meanwhile acts at the next cancellation point.
 */
void
spindle_job_release_cancel (SpindleJob *self)
{
  g_return_if_fail (self->hold_depth > 0);

  if (--self->hold_depth == 0)
    {
      __atomic_store_n (&self->held_since, 0, __ATOMIC_RELAXED);
      _spindle_job_restore_cancel (self->held_state);
    }
}

/* For the diagnosis, from any thread: when the body's outermost
 * spindle_job_hold_cancel() began, or 0 while cancellation is not held.
 */
gint64
_spindle_job_get_held_since (SpindleJob *self)
{
  return __atomic_load_n (&self->held_since, __ATOMIC_SEQ_CST);
}

/* For the diagnosis, from any thread: whether the body sits in one of the
 * engine's waits, which a stop wakes and a force-cancel reaches.
 */
gboolean
_spindle_job_get_in_wait (SpindleJob *self)
{
  return g_atomic_int_get (&self->in_wait) != 0;
}

/**
 * spindle_job_set_phase:
 * @job: the body's job
 * @phase: (nullable): what the body does now ("indexing")
 *
 * Tells the worker's #SpindleWorker:phase, coalesced with other changes.
 */
void
spindle_job_set_phase (SpindleJob *self,
                       const char *phase)
{
  int old_state;

  g_return_if_fail (self != NULL);

  old_state = _spindle_job_block_cancel ();
  store_string (self, &self->phase, phase);
  _spindle_job_restore_cancel (old_state);
}

/**
 * spindle_job_set_progress:
 * @job: the body's job
 * @fraction: from 0 to 1
 *
 * Tells the worker's #SpindleWorker:progress, coalesced with other changes.
 */
void
spindle_job_set_progress (SpindleJob *self,
                          double      fraction)
{
  int old_state;

  g_return_if_fail (self != NULL);

  old_state = _spindle_job_block_cancel ();

  g_mutex_lock (&self->lock);
  self->progress = CLAMP (fraction, 0.0, 1.0);
  g_mutex_unlock (&self->lock);
  _spindle_job_mark_dirty (self);

  _spindle_job_restore_cancel (old_state);
}

/**
 * spindle_job_get_tid:
 * @job: the body's job
 *
 * The kernel thread id of the body's thread.
 *
 * Returns: the thread id
 */
pid_t
spindle_job_get_tid (SpindleJob *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_atomic_int_get (&self->tid);
}
