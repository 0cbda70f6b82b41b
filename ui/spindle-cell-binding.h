/* spindle-cell-binding.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle.h"

G_BEGIN_DECLS

typedef struct _SpindleCellBinding SpindleCellBinding;

/* What the cells of one column are. @create makes a list item's widgets
 * once (setup); @bind and @unbind hand the worker to, and take it back
 * from, widgets that follow it themselves; @update shows the worker in the
 * widgets, on bind and on each notify of a @watched property. Only @create
 * is required.
 */
typedef struct
{
  GtkWidget *(*create) (SpindleCellBinding *cell);
  void       (*bind)   (SpindleCellBinding *cell);
  void       (*update) (SpindleCellBinding *cell);
  void       (*unbind) (SpindleCellBinding *cell);
  const char *watched[5];
} SpindleCellKind;

/* One list item's cell: its widgets and the worker of its row, while
 * bound. A cell is set up once and bound to many workers in turn.
 */
struct _SpindleCellBinding
{
  const SpindleCellKind *kind;
  GtkListItem           *list_item;   /* (unowned): it owns the cell */
  gpointer               owner;       /* (unowned): the panel */
  GtkTreeListRow        *row;         /* (nullable): the row bound */
  SpindleWorker         *worker;      /* (nullable): its worker */
  gulong                 row_item_id;
  gulong                 notify_id;
  /* (unowned): the widgets @update changes, inside the list item's child */
  GtkWidget             *widgets[3];
  /* the name cell's: the worker's children, for leaf or parent */
  GListModel            *children;
  gulong                 children_id;
};

void                spindle_cell_binding_setup    (GtkListItem           *list_item,
                                                   const SpindleCellKind *kind,
                                                   gpointer               owner);
void                spindle_cell_binding_bind     (GtkListItem           *list_item);
void                spindle_cell_binding_unbind   (GtkListItem           *list_item);
void                spindle_cell_binding_teardown (GtkListItem           *list_item);
SpindleCellBinding *spindle_cell_binding_get      (GtkListItem           *list_item);

G_END_DECLS
