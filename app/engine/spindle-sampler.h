/* spindle-sampler.h
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

#include "spindle-thread-info.h"
#include "spindle-worker-set.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleSampler:
 *
 * Reads, at each tick, what the kernel says of the watched workers (CPU
 * time, state, wait channel, system call) and of the whole process, and
 * lists the process's other threads. Cheap enough for a view's refresh.
 */
#define SPINDLE_TYPE_SAMPLER (spindle_sampler_get_type ())

SPINDLE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpindleSampler, spindle_sampler, SPINDLE, SAMPLER, GObject)

SPINDLE_AVAILABLE_IN_ALL
SpindleSampler *spindle_sampler_new                  (SpindleWorkerSet  *set);
SPINDLE_AVAILABLE_IN_ALL
void            spindle_sampler_watch                (SpindleSampler    *sampler,
                                                      SpindleWorker     *worker);
SPINDLE_AVAILABLE_IN_ALL
void            spindle_sampler_unwatch              (SpindleSampler    *sampler,
                                                      SpindleWorker     *worker);
SPINDLE_AVAILABLE_IN_ALL
void            spindle_sampler_tick                 (SpindleSampler    *sampler);
SPINDLE_AVAILABLE_IN_ALL
void            spindle_sampler_set_full_every       (SpindleSampler    *sampler,
                                                      guint              every);
SPINDLE_AVAILABLE_IN_ALL
guint           spindle_sampler_get_full_every       (SpindleSampler    *sampler);
SPINDLE_AVAILABLE_IN_ALL
GListModel     *spindle_sampler_get_other_threads    (SpindleSampler    *sampler);
SPINDLE_AVAILABLE_IN_ALL
double          spindle_sampler_get_process_cpu      (SpindleSampler    *sampler);
SPINDLE_AVAILABLE_IN_ALL
guint64         spindle_sampler_get_resident         (SpindleSampler    *sampler);
SPINDLE_AVAILABLE_IN_ALL
guint           spindle_sampler_get_n_threads        (SpindleSampler    *sampler);
SPINDLE_AVAILABLE_IN_ALL
guint           spindle_sampler_get_n_cpus           (SpindleSampler    *sampler);
SPINDLE_AVAILABLE_IN_ALL
double          spindle_sampler_get_load_average     (SpindleSampler    *sampler);
SPINDLE_AVAILABLE_IN_ALL
guint64         spindle_sampler_get_n_task_reads     (SpindleSampler    *sampler);

G_END_DECLS
