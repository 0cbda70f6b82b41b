/* spindle-process-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <unistd.h>

#include "spindle-job.h"
#include "spindle-process.h"

G_BEGIN_DECLS

/* One process worker's run: what spindle-process.c launches and follows,
 * and what spindle-process-report.c turns into cleanup steps and a result.
 */
typedef struct _SpindleProcess SpindleProcess;

/* What the worker's thread shares with its SpindleProcessInfo. */
typedef struct _SpindleProcessShared SpindleProcessShared;

/* The order channel to the helper, shared by the worker's thread and the
 * thread that asks for a stop or a kill (spindle-process-orders.c).
 */
typedef struct _SpindleProcessOrders SpindleProcessOrders;

/* The data of the host's end of a command's stdin in its epoll set: not a
 * descriptor, which the thread that asks for a stop may close. */
#define SPINDLE_PROCESS_STDIN_EVENT (-2)
/* The same for the helper's pidfd: the helper has exited. */
#define SPINDLE_PROCESS_HELPER_EVENT (-3)

/* A process the host named before its own kill of the command's cgroup. */
typedef struct
{
  pid_t pid;
  char  comm[32];
} SpindleProcessNamed;

SpindleProcessShared *_spindle_process_shared_new     (void);
SpindleProcessShared *_spindle_process_shared_ref     (SpindleProcessShared *shared);
void                  _spindle_process_shared_unref   (SpindleProcessShared *shared);
void                  _spindle_process_shared_set_pid (SpindleProcessShared *shared,
                                                       pid_t                 pid);
void                  _spindle_process_info_attach    (SpindleWorker        *worker,
                                                       SpindleProcessShared *shared);

struct _SpindleProcess
{
  SpindleJob  *job;                /* set by the body, for its unwind handler */
  char       **argv;
  char        *cwd;
  char       **envp;
  int          stop_signal;
  gsize        output_limit;
  gint64       grace_usec;
  GBytes      *stdin_data;         /* what is left to write to the command's stdin */
  gboolean     stop_closes_stdin;

  pid_t        helper_pid;
  int          helper_pidfd;
  gint64       helper_deadline;    /* monotonic µs by which the helper, ordered to end, must have; 0: not ordered */
  SpindleProcessOrders *orders;    /* holds the host's end of the order channel */
  int          report_fd;
  int          out_fd;
  int          err_fd;
  int          epfd;

  GString     *report_line;        /* a partial report line */
  GPtrArray   *records;            /* report lines not yet in the cleanup report */
  GPtrArray   *messages;           /* messages of failed steps, kept for their steps */
  GByteArray  *out;
  GByteArray  *err;

  SpindleProcessShared *shared;    /* NULL for spindle_job_run_command() */
  pid_t        main_pid;
  gboolean     main_ended;
  gboolean     main_signaled;
  int          main_code;
  char        *main_comm;
  gboolean     report_done;
  int          exec_errno;
  int          fork_errno;         /* no process could be made for the command */
  gboolean     main_unexeced;      /* the command ended before its exec */
  gboolean     stop_sent;
  gboolean     running_shown;      /* the first "running" phase went out, hurried */
};

SpindleWorker *_spindle_process_spawn   (SpindleWorkerSet            *set,
                                        const SpindleSpawnOptions   *options,
                                        const char                  *kind,
                                        const char                  *name,
                                        const char * const          *argv,
                                        const SpindleCommandOptions *command_options,
                                        GError                     **error);

static inline void
_spindle_process_close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* spindle-process-orders.c */
SpindleProcessOrders *_spindle_process_orders_new             (int                   stop_signal,
                                                               gboolean              stop_closes_stdin);
SpindleProcessOrders *_spindle_process_orders_ref             (SpindleProcessOrders *self);
void                  _spindle_process_orders_unref           (gpointer              data);
void                  _spindle_process_orders_set_fd          (SpindleProcessOrders *self,
                                                               int                   fd);
void                  _spindle_process_orders_close           (SpindleProcessOrders *self);
void                  _spindle_process_orders_send_stop       (SpindleProcessOrders *self);
gboolean              _spindle_process_orders_stop_was_sent   (SpindleProcessOrders *self);
void                  _spindle_process_orders_send_kill       (SpindleProcessOrders *self);
void                  _spindle_process_orders_set_stdin       (SpindleProcessOrders *self,
                                                               int                   fd,
                                                               int                   epfd,
                                                               gboolean              keep_open);
gboolean              _spindle_process_orders_feed_stdin      (SpindleProcessOrders *self,
                                                               GBytes              **data);
void                  _spindle_process_orders_set_cgroup      (SpindleProcessOrders *self,
                                                               const char           *dir);
GArray               *_spindle_process_orders_steal_named     (SpindleProcessOrders *self);
void                  _spindle_process_orders_follow_requests (SpindleProcessOrders *self,
                                                               SpindleWorker        *worker);

/* spindle-process-launch.c */
gboolean  _spindle_process_launch        (SpindleProcess  *self,
                                          GError         **error);

/* spindle-process-report.c */
void      _spindle_process_take_report   (SpindleProcess  *self,
                                          const char      *data,
                                          gsize            len);
void      _spindle_process_record_report (SpindleProcess  *self);
GVariant *_spindle_process_conclude      (SpindleProcess  *self,
                                          GError         **error);

G_END_DECLS
