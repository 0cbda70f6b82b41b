/* spindle-window.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"
#include "spindle-shown-workers.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_WINDOW (spindle_window_get_type ())

G_DECLARE_FINAL_TYPE (SpindleWindow, spindle_window, SPINDLE, WINDOW, GtkApplicationWindow)

SpindleWindow       *spindle_window_new               (GtkApplication   *application,
                                                       SpindleWorkerSet *set);
guint                spindle_window_add_workers       (SpindleWindow    *self,
                                                       const char       *kind,
                                                       guint             count,
                                                       GError          **error);
void                 spindle_window_start_workers     (SpindleWindow    *self,
                                                       const char       *kind,
                                                       guint             count);
guint                spindle_window_get_n_starting    (SpindleWindow    *self,
                                                       guint            *n_requested);
gboolean             spindle_window_load_demo         (SpindleWindow    *self,
                                                       GError          **error);
void                 spindle_window_request_quit      (SpindleWindow    *self);
gboolean             spindle_window_is_shutting_down  (SpindleWindow    *self);
gboolean             spindle_window_get_show_finished (SpindleWindow    *self);
void                 spindle_window_set_show_finished (SpindleWindow    *self,
                                                       gboolean          show_finished);
void                 spindle_window_flush             (SpindleWindow    *self);
SpindleSampler      *spindle_window_get_sampler       (SpindleWindow    *self);
SpindleShownWorkers *spindle_window_get_shown_workers (SpindleWindow    *self);

G_END_DECLS
