/* spindle-panel-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-gtk.h"
#include "spindle-shown-workers.h"
#include "spindle-thread-list.h"
#include "spindle-worker-details.h"
#include "spindle-worker-monitor.h"

G_BEGIN_DECLS

/* Shared by spindle-panel.c (life cycle, ticks, size, settings, the shown
 * count), -update.c (the rows level with the set, the update once per
 * frame, finished workers let go), -cells.c (the cells' closures, row
 * buttons, tooltips), -columns.c (columns, sorting, filtering, what the
 * settings keep), -actions.c (the actions on workers, the row menu, Clear
 * Finished, search) and -sampling.c (what the sampler reads, on the
 * clock's ticks), and by the application's window, which shows a panel
 * and reads it.
 */
#define SPINDLE_PANEL_N_COLUMNS 9

/* Called at the end of each update of the panel, so that a window's own
 * counts change in the same frame as the list's.
 */
typedef void (*SpindlePanelUpdateFunc) (gpointer user_data);

struct _SpindlePanel
{
  GtkWidget             parent_instance;

  /* template */
  GtkWidget            *box;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
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
  GtkPaned             *paned;
  GtkWidget            *list_scroller;
  GtkWidget            *no_match_page;
  GtkRevealer          *undo_revealer;
  GtkLabel             *undo_label;
  /* in the order of column_info in -columns.c */
  GtkColumnViewColumn  *columns[SPINDLE_PANEL_N_COLUMNS];

  SpindleWorkerSet     *set;
  SpindleWorkerMonitor *monitor;
  SpindleSampler       *sampler;
  SpindleShownWorkers  *shown;
  GHashTable           *watched;
  gulong                before_paint_id;
  gulong                tick_id;
  GListStore           *rows;         /* the set's workers, as of the last update */
  GtkTreeListModel     *tree;
  GSettings            *settings;     /* (nullable): the application's; an embedded panel keeps its choices in memory */
  GPtrArray            *ended;
  guint                 remove_ended_id;
  guint                 update_id;
  int                   width_hint;   /* the window's width, for narrow layouts; 0: the panel's own */
  int                   own_width;
  guint                 own_width_id;

  SpindlePanelUpdateFunc update_func;
  gpointer               update_data;

  /* what changed in the set since the last update: the rows from
   * rows_first up to rows_tail rows before the end */
  guint                 rows_first;
  guint                 rows_tail;
  guint                 rows_direct;  /* changes passed on as they came, since the last update */

  guint                 show_finished : 1;
  guint                 show_details : 1;
  guint                 keep_finished : 1;
  guint                 batching : 1;
  guint                 host_ticks : 1;
  guint                 rows_dirty : 1;
  guint                 states_dirty : 1;
  guint                 children_dirty : 1;
  guint                 updating : 1;
};

/* The actions whose state a window mirrors in its own win.* actions. */
typedef enum {
  SPINDLE_PANEL_ACTION_STOP_SELECTED    = 1 << 0,
  SPINDLE_PANEL_ACTION_CANCEL_SELECTED  = 1 << 1,
  SPINDLE_PANEL_ACTION_ABANDON_SELECTED = 1 << 2,
  SPINDLE_PANEL_ACTION_COPY_DETAILS     = 1 << 3,
  SPINDLE_PANEL_ACTION_CLEAR_FINISHED   = 1 << 4,
} SpindlePanelActions;

/* spindle-panel.c */
void                _spindle_panel_set_settings        (SpindlePanel           *self,
                                                        GSettings              *settings);
void                _spindle_panel_set_update_func     (SpindlePanel           *self,
                                                        SpindlePanelUpdateFunc  func,
                                                        gpointer                user_data);
void                _spindle_panel_set_batching        (SpindlePanel           *self,
                                                        gboolean                batching);
void                _spindle_panel_set_width_hint      (SpindlePanel           *self,
                                                        int                     width);
void                _spindle_panel_set_key_capture     (SpindlePanel           *self,
                                                        GtkWidget              *widget);
void                _spindle_panel_set_host_ticks      (SpindlePanel           *self,
                                                        gboolean                host_ticks);
void                _spindle_panel_tick                (SpindlePanel           *self);
void                _spindle_panel_update_shown        (SpindlePanel           *self);
gboolean            _spindle_panel_get_show_finished   (SpindlePanel           *self);
void                _spindle_panel_set_show_finished   (SpindlePanel           *self,
                                                        gboolean                show_finished);
gboolean            _spindle_panel_get_show_details    (SpindlePanel           *self);
void                _spindle_panel_set_show_details    (SpindlePanel           *self,
                                                        gboolean                show_details);
SpindleSampler     *_spindle_panel_get_sampler         (SpindlePanel           *self);
SpindleShownWorkers *_spindle_panel_get_shown_workers  (SpindlePanel           *self);
/* (transfer full) (nullable) */
SpindleWorker      *_spindle_panel_dup_selected        (SpindlePanel           *self);

/* spindle-panel-update.c */
void                _spindle_panel_attach_rows         (SpindlePanel           *self);
void                _spindle_panel_flush               (SpindlePanel           *self);
void                _spindle_panel_notify_host         (SpindlePanel           *self);

/* spindle-panel-cells.c */
void                _spindle_panel_class_init_cells    (GtkWidgetClass         *widget_class);
char               *_spindle_panel_query_tooltip       (GtkWidget              *widget);

/* spindle-panel-columns.c */
void                _spindle_panel_class_init_columns  (GtkWidgetClass         *widget_class);
void                _spindle_panel_init_columns        (SpindlePanel           *self);
void                _spindle_panel_load_columns        (SpindlePanel           *self);
void                _spindle_panel_apply_columns       (SpindlePanel           *self);
void                _spindle_panel_add_column_chooser  (SpindlePanel           *self,
                                                        GtkWidget              *where,
                                                        GMenu                  *section);
void                _spindle_panel_refilter            (SpindlePanel           *self);
void                _spindle_panel_resort              (SpindlePanel           *self);

/* spindle-panel-actions.c */
void                _spindle_panel_class_init_actions  (GtkWidgetClass         *widget_class);
void                _spindle_panel_update_actions      (SpindlePanel           *self);
SpindlePanelActions _spindle_panel_get_enabled_actions (SpindlePanel           *self);
void                _spindle_panel_end_undo            (SpindlePanel           *self,
                                                        gboolean                remove);

/* spindle-panel-sampling.c */
void                _spindle_panel_init_sampling       (SpindlePanel           *self);
void                _spindle_panel_dispose_sampling    (SpindlePanel           *self);
void                _spindle_panel_sample              (SpindlePanel           *self);
void                _spindle_panel_before_paint          (SpindlePanel           *self);

G_END_DECLS
