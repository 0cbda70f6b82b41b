/* spindle-shown-workers.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_SHOWN_WORKERS (spindle_shown_workers_get_type ())

G_DECLARE_FINAL_TYPE (SpindleShownWorkers, spindle_shown_workers, SPINDLE, SHOWN_WORKERS, GObject)

/* The workers a window has on screen: a counted set that mapped cells
 * report to, so a worker stays shown while at least one cell shows it.
 */
SpindleShownWorkers *spindle_shown_workers_new           (void);
void                 spindle_shown_workers_show          (SpindleShownWorkers *self,
                                                          SpindleWorker       *worker);
void                 spindle_shown_workers_hide          (SpindleShownWorkers *self,
                                                          SpindleWorker       *worker);
gboolean             spindle_shown_workers_contains      (SpindleShownWorkers *self,
                                                          SpindleWorker       *worker);
guint                spindle_shown_workers_get_n_workers (SpindleShownWorkers *self);
void                 spindle_shown_workers_foreach       (SpindleShownWorkers *self,
                                                          GFunc                func,
                                                          gpointer             user_data);

G_END_DECLS
