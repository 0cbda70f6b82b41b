/* spindle-window-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-add-popover.h"
#include "spindle-thread-list.h"
#include "spindle-window.h"
#include "spindle-worker-details.h"
#include "spindle-worker-monitor.h"

G_BEGIN_DECLS

/* Shared by spindle-window.c (life cycle, models, title), -cells.c (the
 * cells' closures, row buttons, tooltips), -columns.c (columns, sorting,
 * filtering, narrow layouts), -actions.c (header and keyboard actions), -quit.c
 * (the quit question and the visible shutdown), -sampling.c (what the
 * sampler reads, on the clock's ticks) and -spawning.c (workers asked for
 * in bulk, started in batches).
 */
#define SPINDLE_WINDOW_N_COLUMNS 9

struct _SpindleWindow
{
  GtkApplicationWindow  parent_instance;

  /* template */
  GtkLabel             *subtitle_label;
  GtkMenuButton        *add_button;
  SpindleAddPopover    *add_popover;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *stack;
  GtkColumnView        *column_view;
  GtkSingleSelection   *selection;
  GtkFilterListModel   *filter_model;
  GtkCustomFilter      *finished_filter;
  GtkStringFilter      *search_filter;
  GtkNumericSorter     *elapsed_sorter;
  GtkNumericSorter     *cpu_sorter;
  GtkStringSorter      *kernel_sorter;
  GtkLabel             *shown_label;
  SpindleThreadList    *thread_list;
  SpindleWorkerDetails *details;
  GtkRevealer          *shutdown_revealer;
  GtkSpinner           *shutdown_spinner;
  GtkLabel             *shutdown_label;
  GtkProgressBar       *shutdown_progress;
  GtkPaned             *paned;
  GtkWidget            *list_scroller;
  GtkWidget            *no_match_page;
  GtkRevealer          *undo_revealer;
  GtkLabel             *undo_label;
  GtkWidget            *add_label;
  GtkButton            *stop_all_button;
  GtkButton            *cancel_all_button;
  GMenu                *columns_section;
  /* in the order of column_info in -columns.c */
  GtkColumnViewColumn  *columns[SPINDLE_WINDOW_N_COLUMNS];

  SpindleWorkerSet     *set;
  SpindleWorkerMonitor *monitor;
  SpindleSampler       *sampler;
  SpindleShownWorkers  *shown;
  GHashTable           *watched;
  GPtrArray            *held;         /* watched since the last frame; see -sampling.c */
  guint                 release_held_id;
  gulong                before_paint_id;
  GListStore           *rows;         /* the set's workers, as of the last update */
  GtkTreeListModel     *tree;
  GSettings            *settings;
  GtkWindow            *dialog;
  GPtrArray            *ended;
  guint                 remove_ended_id;
  guint                 update_id;
  gulong                tick_id;

  /* what changed in the set since the last update: the rows from
   * rows_first up to rows_tail rows before the end */
  guint                 rows_first;
  guint                 rows_tail;
  guint                 rows_direct;  /* changes passed on as they came, since the last update */

  /* workers asked for in bulk, started in batches; see -spawning.c */
  GArray               *spawn_queue;
  guint                 spawn_id;
  guint                 spawn_requested;
  guint                 spawn_started;
  gint64                spawn_last_end;

  guint                 shutdown_total;
  guint                 show_finished : 1;
  guint                 show_details : 1;
  guint                 narrow : 1;
  guint                 icons_only : 1;
  guint                 keep_finished : 1;
  guint                 shutting_down : 1;
  guint                 can_close : 1;
  guint                 rows_dirty : 1;
  guint                 states_dirty : 1;
  guint                 updating : 1;
};

void      _spindle_window_class_init_cells   (GtkWidgetClass *widget_class);
void      _spindle_window_class_init_columns (GtkWidgetClass *widget_class);
void      _spindle_window_init_columns       (SpindleWindow  *self);
void      _spindle_window_refilter           (SpindleWindow  *self);
void      _spindle_window_set_show_details   (SpindleWindow  *self,
                                              gboolean        show_details);
void      _spindle_window_resort             (SpindleWindow  *self);

void      _spindle_window_class_init_actions (GtkWidgetClass *widget_class);
void      _spindle_window_update_actions     (SpindleWindow  *self);
void      _spindle_window_show_error         (SpindleWindow  *self,
                                              const char     *primary,
                                              const GError   *error);

void      _spindle_window_init_sampling      (SpindleWindow  *self);
void      _spindle_window_dispose_sampling   (SpindleWindow  *self);
void      _spindle_window_sample             (SpindleWindow  *self);
void      _spindle_window_check_held         (SpindleWindow  *self);

void      _spindle_window_init_spawning      (SpindleWindow  *self);
void      _spindle_window_dispose_spawning   (SpindleWindow  *self);

void      _spindle_window_update_shutdown    (SpindleWindow  *self);
gboolean  _spindle_window_close_request      (SpindleWindow  *self);

/* (transfer full) (nullable) */
SpindleWorker *_spindle_window_get_selected_worker (SpindleWindow *self);
char          *_spindle_window_query_tooltip       (GtkWidget     *widget);

G_END_DECLS
