/* spindle-window-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-add-popover.h"
#include "spindle-panel-private.h"
#include "spindle-window.h"

G_BEGIN_DECLS

/* Shared by spindle-window.c (life cycle, title, pages), -columns.c
 * (narrow layouts, the column chooser), -actions.c (header and keyboard
 * actions), -quit.c (the quit question and the visible shutdown) and
 * -spawning.c (workers asked for in bulk, started in batches). The list
 * and the side pane are a SpindlePanel (spindle-panel.c, in
 * libspindle-gtk-1).
 */

struct _SpindleWindow
{
  GtkApplicationWindow  parent_instance;

  /* template */
  GtkLabel             *subtitle_label;
  GtkMenuButton        *add_button;
  SpindleAddPopover    *add_popover;
  GtkToggleButton      *search_button;
  GtkStack             *stack;
  SpindlePanel         *panel;
  GtkRevealer          *shutdown_revealer;
  GtkSpinner           *shutdown_spinner;
  GtkLabel             *shutdown_label;
  GtkProgressBar       *shutdown_progress;
  GtkWidget            *add_label;
  GtkButton            *stop_all_button;
  GtkButton            *cancel_all_button;
  GMenu                *columns_section;

  /* the panel's, borrowed for the window's code, its tests and benchmarks */
  GtkColumnView        *column_view;
  GtkFilterListModel   *filter_model;
  SpindleWorkerDetails *details;
  GtkLabel             *shown_label;
  SpindleWorkerMonitor *monitor;
  GListStore           *rows;

  SpindleWorkerSet     *set;
  GSettings            *settings;
  GtkWindow            *dialog;
  gulong                before_paint_id;
  gulong                tick_id;

  /* workers asked for in bulk, started in batches; see -spawning.c */
  GArray               *spawn_queue;
  guint                 spawn_id;
  guint                 spawn_requested;
  guint                 spawn_started;
  gint64                spawn_last_end;

  guint                 shutdown_total;
  guint                 narrow : 1;
  guint                 icons_only : 1;
  guint                 shutting_down : 1;
  guint                 can_close : 1;
};

void      _spindle_window_class_init_columns (GtkWidgetClass *widget_class);
void      _spindle_window_init_columns       (SpindleWindow  *self);
void      _spindle_window_set_show_details   (SpindleWindow  *self,
                                              gboolean        show_details);

void      _spindle_window_class_init_actions (GtkWidgetClass *widget_class);
void      _spindle_window_update_actions     (SpindleWindow  *self);
void      _spindle_window_show_error         (SpindleWindow  *self,
                                              const char     *primary,
                                              const GError   *error);

void      _spindle_window_sample             (SpindleWindow  *self);

void      _spindle_window_init_spawning      (SpindleWindow  *self);
void      _spindle_window_add_started        (SpindleWindow  *self,
                                              guint           n_started);
void      _spindle_window_dispose_spawning   (SpindleWindow  *self);

void      _spindle_window_update_shutdown    (SpindleWindow  *self);
gboolean  _spindle_window_close_request      (SpindleWindow  *self);

/* (transfer full) (nullable) */
SpindleWorker *_spindle_window_get_selected_worker (SpindleWindow *self);
char          *_spindle_window_query_tooltip       (GtkWidget     *widget);

G_END_DECLS
