/* spindle-job-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <pthread.h>

#include "spindle-dispatch-private.h"
#include "spindle-job.h"

G_BEGIN_DECLS

/* Bits of SpindleJob.requests. */
#define SPINDLE_JOB_REQUEST_STOP   (1 << 0)
#define SPINDLE_JOB_REQUEST_CANCEL (1 << 1)

/* What a wait ended on. */
typedef enum
{
  SPINDLE_WAIT_READY,
  SPINDLE_WAIT_WOKEN,
  SPINDLE_WAIT_TIMEOUT,
  SPINDLE_WAIT_STOPPED,
  SPINDLE_WAIT_ERROR,
} SpindleWaitResult;

SpindleJob        *_spindle_job_new           (SpindleDispatch  *dispatch,
                                               const char       *name,
                                               SpindleJobFunc    func,
                                               gpointer          user_data,
                                               GDestroyNotify    destroy);
SpindleJob        *_spindle_job_ref           (SpindleJob       *job);
void               _spindle_job_unref         (SpindleJob       *job);
gboolean           _spindle_job_start         (SpindleJob       *job,
                                               gsize             stack_size,
                                               GError          **error);
void               _spindle_job_request_stop  (SpindleJob       *job);
void               _spindle_job_force_cancel  (SpindleJob       *job);
void               _spindle_job_join          (SpindleJob       *job);
void               _spindle_job_detach        (SpindleJob       *job);
gpointer           _spindle_job_get_worker    (SpindleJob       *job);
void               _spindle_job_set_worker    (SpindleJob       *job,
                                               gpointer          worker);
void               _spindle_job_take_progress (SpindleJob       *job,
                                               char            **phase,
                                               double           *progress);

/* For spindle-cond.c: waits on the job's wake fd and, when fd >= 0, on fd. */
int                _spindle_job_block_cancel  (void);
void               _spindle_job_restore_cancel (int              old_state);
int                _spindle_job_get_wake_fd   (SpindleJob       *job);
void               _spindle_job_wake          (SpindleJob       *job);
SpindleWaitResult  _spindle_job_wait          (SpindleJob       *job,
                                               int               fd,
                                               short             events,
                                               gint64            timeout_usec,
                                               gboolean          return_on_wake,
                                               int               cancel_state);
gboolean           _spindle_job_wait_result_to_error (SpindleWaitResult result,
                                               int               saved_errno,
                                               GError          **error);

G_END_DECLS
