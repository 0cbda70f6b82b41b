/* spindle-limits.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <glib-object.h>

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/* Threads left to the toolkit, GLib and the allocator once the workers are
 * running: GTK and Pango abort when they cannot create a thread.
 */
/**
 * SPINDLE_THREAD_HEADROOM:
 *
 * Threads left to the toolkit, GLib and the allocator once the workers are
 * running: GTK and Pango abort when they cannot create a thread.
 */
#define SPINDLE_THREAD_HEADROOM 64

/**
 * SpindleThreadLimit:
 * @SPINDLE_THREAD_LIMIT_NONE: no limit applies
 * @SPINDLE_THREAD_LIMIT_NPROC: RLIMIT_NPROC
 * @SPINDLE_THREAD_LIMIT_THREADS_MAX: kernel.threads-max (or pid_max)
 * @SPINDLE_THREAD_LIMIT_PIDS_CGROUP: the pids cgroup controller's pids.max
 * @SPINDLE_THREAD_LIMIT_MAP_COUNT: vm.max_map_count
 * @SPINDLE_THREAD_LIMIT_OVERRIDE: SPINDLE_THREAD_BUDGET in the environment
 *
 * The limit that sets the thread budget, for messages.
 */
typedef enum
{
  SPINDLE_THREAD_LIMIT_NONE,
  SPINDLE_THREAD_LIMIT_NPROC,
  SPINDLE_THREAD_LIMIT_THREADS_MAX,
  SPINDLE_THREAD_LIMIT_PIDS_CGROUP,
  SPINDLE_THREAD_LIMIT_MAP_COUNT,
  SPINDLE_THREAD_LIMIT_OVERRIDE,
} SpindleThreadLimit;

/* What the system allows and what is in use, as read at one moment. A
 * negative limit means none is known (unlimited, unreadable, or one that
 * does not apply: root is exempt from RLIMIT_NPROC).
 */
/**
 * SpindleThreadLimits:
 * @nproc_limit: RLIMIT_NPROC, soft
 * @user_threads: threads of every process of the user
 * @threads_max: kernel.threads-max, or kernel.pid_max if lower
 * @system_threads: threads of the whole system
 * @pids_max: the tightest pids.max of the cgroup and its parents
 * @pids_current: pids.current beside that pids.max
 * @map_count_max: vm.max_map_count: each thread stack takes two
 * @maps_in_use: mappings of this process
 * @headroom: threads to leave unused
 * @override: a budget asked for by the environment, or -1
 *
 * What the system allows and what is in use, as read at one moment. A
 * negative limit means none is known.
 */
typedef struct
{
  gint64 nproc_limit;      /* RLIMIT_NPROC, soft */
  gint64 user_threads;     /* threads of every process of the user */
  gint64 threads_max;      /* kernel.threads-max, or kernel.pid_max if lower */
  gint64 system_threads;   /* threads of the whole system */
  gint64 pids_max;         /* the tightest pids.max of the cgroup and its parents */
  gint64 pids_current;     /* pids.current beside that pids.max */
  gint64 map_count_max;    /* vm.max_map_count: each thread stack takes two */
  gint64 maps_in_use;      /* mappings of this process */
  gint64 headroom;         /* threads to leave unused */
  gint64 override;         /* a budget asked for by the environment, or -1 */
} SpindleThreadLimits;

#define SPINDLE_TYPE_THREAD_LIMITS (spindle_thread_limits_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType                spindle_thread_limits_get_type (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleThreadLimits *spindle_thread_limits_new      (void);
SPINDLE_AVAILABLE_IN_ALL
SpindleThreadLimits *spindle_thread_limits_copy     (const SpindleThreadLimits *limits);
SPINDLE_AVAILABLE_IN_ALL
void                 spindle_thread_limits_free     (SpindleThreadLimits       *limits);

SPINDLE_AVAILABLE_IN_ALL
guint       spindle_thread_budget_compute (const SpindleThreadLimits *limits,
                                           SpindleThreadLimit        *binding);
SPINDLE_AVAILABLE_IN_ALL
void        spindle_thread_limits_read    (SpindleThreadLimits       *limits);

/* The budget of worker threads for the whole process, computed once on the
 * first call from the real limits: call it before starting any worker.
 * SPINDLE_THREAD_BUDGET=N in the environment lowers it to N, so that tests
 * (which run as root, exempt from RLIMIT_NPROC) can exercise a small one.
 */
SPINDLE_AVAILABLE_IN_ALL
guint       spindle_get_thread_budget     (SpindleThreadLimit        *binding);
SPINDLE_AVAILABLE_IN_ALL
const char *spindle_thread_limit_describe (SpindleThreadLimit         limit);
SPINDLE_AVAILABLE_IN_ALL
gboolean    spindle_thread_budget_check   (guint                      n_live,
                                           guint64                    n_requested,
                                           GError                   **error);

G_END_DECLS
