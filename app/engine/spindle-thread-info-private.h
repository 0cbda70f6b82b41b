/* spindle-thread-info-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-thread-info.h"

G_BEGIN_DECLS

/* What /proc/self/task/<tid>/{stat,wchan,syscall} say of a thread at one
 * moment: read by the sampler on each tick and by a diagnosis made now.
 */
typedef struct
{
  char    kernel_state;       /* R, S, D…; 0: unknown */
  char    wait_channel[128];  /* "" when it has none */
  char    syscall[64];        /* "read", "running", "syscall 999"; "" when none */
  long    syscall_nr;         /* -1 when it is in no system call */
  guint64 args[6];            /* the call's arguments, when syscall_nr >= 0 */
  guint64 pc;                 /* where in user space it made the call; 0: unknown */
} SpindleTaskDetails;

gboolean           _spindle_task_read_file      (int                 tid,
                                                 const char         *name,
                                                 char               *buf,
                                                 gsize               size);
char               _spindle_task_parse_state    (const char         *stat);
const char        *_spindle_task_syscall_name   (long                nr);
void               _spindle_task_read_details   (int                 tid,
                                                 SpindleTaskDetails *details);

SpindleThreadInfo *_spindle_thread_info_new    (int                tid);
void               _spindle_thread_info_update (SpindleThreadInfo *info,
                                                const char        *name,
                                                char               kernel_state,
                                                gint64             cpu_time,
                                                gint64             at);

G_END_DECLS
