/* spindle-job.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <gio/gio.h>

#include "spindle-cond.h"
#include "spindle-types.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/* What a worker body calls, on its own thread.
 *
 * The body runs with deferred cancellation enabled, so force-cancel acts at
 * the engine's waits and at any blocking cancellation point (read, accept,
 * nanosleep, poll…). Engine calls other than the waits disable cancellation
 * while they run.
 *
 * Cancellation unwinds C frames without running g_autoptr/g_autofree
 * cleanups (unless built with -fexceptions): whatever a body owns across a
 * cancellation point belongs on its cleanup stack (spindle_job_push_cleanup).
 *
 * What a body may call on itself: every spindle_job_*() function below,
 * with its own job, from its own thread. A body that wants to end returns
 * (with an error if it failed); it never stops, cancels or abandons its own
 * worker, and it calls nothing of SpindleWorker or SpindleWorkerSet: those
 * belong to the thread that created the set, and refuse other threads with
 * a critical. Its cleanup steps run after it returned: they may use the
 * waits, but cannot push steps or start children.
 */

/**
 * SpindleJobFunc:
 * @job: the worker's job, for the spindle_job_*() calls of its body
 * @user_data: (closure): the data given at spawn
 * @error: where a body that failed puts its error
 *
 * A worker's body. It runs on the worker's own thread; it ends by
 * returning, with a result or %NULL, or %NULL and @error set if it failed.
 * A body that returns a #G_IO_ERROR_CANCELLED error after a stop request
 * counts as stopped, not failed.
 *
 * Returns: (transfer full) (nullable): the worker's result; a floating
 *   reference (g_variant_new()) is sunk
 */
typedef GVariant *(*SpindleJobFunc)     (SpindleJob *job,
                                         gpointer    user_data,
                                         GError    **error);

/**
 * SpindleCleanupFunc:
 * @user_data: (closure): the data given to spindle_job_push_cleanup()
 * @error: where a step that failed puts why
 *
 * One step of a worker's cleanup. Steps run on the worker's thread with
 * cancellation disabled, last pushed first, on every exit path of the body.
 *
 * Returns: %TRUE if the step did its work, %FALSE with @error set if not
 */
typedef gboolean  (*SpindleCleanupFunc) (gpointer    user_data,
                                         GError    **error);

#define SPINDLE_TYPE_JOB (spindle_job_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType         spindle_job_get_type          (void) G_GNUC_CONST;

SPINDLE_AVAILABLE_IN_ALL
gboolean      (spindle_job_should_stop)     (SpindleJob         *job);
SPINDLE_AVAILABLE_IN_ALL
gboolean      spindle_job_is_interrupted    (SpindleJob         *job);

/* A SpindleJob begins with its request word, so that the check in a hot
 * loop is one inlined atomic load instead of a call into the library.
 */
/**
 * SpindleJobHead: (skip)
 * @requests: the stop and cancel requests, read atomically
 *
 * The first field of every #SpindleJob, for the inlined stop check.
 */
typedef struct { int requests; } SpindleJobHead;

/**
 * _spindle_job_should_stop_inline: (skip)
 * @job: the body's job
 *
 * The inlined form of spindle_job_should_stop() that C bodies get through
 * its macro. Bindings call the exported function.
 *
 * Returns: %TRUE once a stop or a force-cancel was requested
 */
static inline gboolean
_spindle_job_should_stop_inline (SpindleJob *job)
{
  return g_atomic_int_get (&((SpindleJobHead *) (void *) job)->requests) != 0;
}
#define spindle_job_should_stop(job) _spindle_job_should_stop_inline (job)
SPINDLE_AVAILABLE_IN_ALL
gboolean      spindle_job_sleep             (SpindleJob         *job,
                                             gint64              usec);
SPINDLE_AVAILABLE_IN_ALL
gboolean      spindle_job_wait_fd           (SpindleJob         *job,
                                             int                 fd,
                                             GIOCondition        condition,
                                             gint64              timeout_usec,
                                             GError            **error);
SPINDLE_AVAILABLE_IN_ALL
gboolean      spindle_job_cond_wait         (SpindleJob         *job,
                                             SpindleCond        *cond,
                                             GMutex             *mutex,
                                             gint64              timeout_usec,
                                             GError            **error);
SPINDLE_AVAILABLE_IN_ALL
GCancellable *spindle_job_get_cancellable   (SpindleJob         *job);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_job_enter_compute     (SpindleJob         *job);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_job_leave_compute     (SpindleJob         *job);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_job_hold_cancel       (SpindleJob         *job);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_job_release_cancel    (SpindleJob         *job);
SPINDLE_AVAILABLE_IN_ALL
guint         spindle_job_push_cleanup      (SpindleJob         *job,
                                             const char         *label,
                                             SpindleCleanupFunc  func,
                                             gpointer            user_data);
SPINDLE_AVAILABLE_IN_ALL
guint         spindle_job_push_cleanup_full (SpindleJob         *job,
                                             const char         *label,
                                             SpindleCleanupFunc  func,
                                             gpointer            user_data,
                                             GDestroyNotify      destroy);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_job_pop_cleanup       (SpindleJob         *job,
                                             guint               cleanup_id,
                                             gboolean            run);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_job_set_phase         (SpindleJob         *job,
                                             const char         *phase);
SPINDLE_AVAILABLE_IN_ALL
void          spindle_job_set_progress      (SpindleJob         *job,
                                             double              fraction);
SPINDLE_AVAILABLE_IN_ALL
pid_t         spindle_job_get_tid           (SpindleJob         *job);
SPINDLE_AVAILABLE_IN_ALL
SpindleJob   *spindle_job_spawn_child       (SpindleJob         *job,
                                             const char         *name,
                                             SpindleJobFunc      func,
                                             gpointer            user_data,
                                             GDestroyNotify      destroy,
                                             GError            **error);
SPINDLE_AVAILABLE_IN_ALL
SpindleJob   *spindle_job_spawn_child_full  (SpindleJob                *job,
                                             const SpindleSpawnOptions *options,
                                             const char                *name,
                                             SpindleJobFunc             func,
                                             gpointer                   user_data,
                                             GDestroyNotify             destroy,
                                             GError                   **error);

G_END_DECLS
