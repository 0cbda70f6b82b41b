/* spindle-sampler.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "spindle-thread-info.h"
#include "spindle-worker-set.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_SAMPLER (spindle_sampler_get_type ())

G_DECLARE_FINAL_TYPE (SpindleSampler, spindle_sampler, SPINDLE, SAMPLER, GObject)

SpindleSampler *spindle_sampler_new                  (SpindleWorkerSet  *set);
void            spindle_sampler_watch                (SpindleSampler    *sampler,
                                                      SpindleWorker     *worker);
void            spindle_sampler_unwatch              (SpindleSampler    *sampler,
                                                      SpindleWorker     *worker);
void            spindle_sampler_tick                 (SpindleSampler    *sampler);
void            spindle_sampler_set_full_every       (SpindleSampler    *sampler,
                                                      guint              every);
guint           spindle_sampler_get_full_every       (SpindleSampler    *sampler);
GListModel     *spindle_sampler_get_other_threads    (SpindleSampler    *sampler);
double          spindle_sampler_get_process_cpu      (SpindleSampler    *sampler);
guint64         spindle_sampler_get_resident         (SpindleSampler    *sampler);
guint           spindle_sampler_get_n_threads        (SpindleSampler    *sampler);
guint           spindle_sampler_get_n_cpus           (SpindleSampler    *sampler);
double          spindle_sampler_get_load_average     (SpindleSampler    *sampler);
guint64         spindle_sampler_get_n_task_reads     (SpindleSampler    *sampler);

G_END_DECLS
