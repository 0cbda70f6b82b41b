/* spindle-cell-binding.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-panel"

#include "config.h"

#include "spindle-cell-binding.h"

/* A cell follows its worker through one "notify" handler, connected on
 * bind and disconnected on unbind, and its row through one
 * "notify::item" (a GtkTreeListRow lets its item go when it is removed).
 * A cell that the list moves to another row is unbound first: nothing of
 * the old worker's reaches it after that.
 */

static GQuark
cell_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("spindle-cell-binding");

  return quark;
}

SpindleCellBinding *
spindle_cell_binding_get (GtkListItem *list_item)
{
  return g_object_get_qdata (G_OBJECT (list_item), cell_quark ());
}

static gboolean
is_watched (const SpindleCellKind *kind,
            const char            *property)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind->watched) && kind->watched[i] != NULL; i++)
    if (g_str_equal (kind->watched[i], property))
      return TRUE;

  return FALSE;
}

static void
on_worker_notify (SpindleWorker      *worker,
                  GParamSpec         *pspec,
                  SpindleCellBinding *cell)
{
  g_assert (worker == cell->worker);

  if (is_watched (cell->kind, pspec->name))
    cell->kind->update (cell);
}

static void
release_worker (SpindleCellBinding *cell)
{
  if (cell->worker == NULL)
    return;

  if (cell->kind->unbind != NULL)
    cell->kind->unbind (cell);
  g_clear_signal_handler (&cell->notify_id, cell->worker);
  g_clear_object (&cell->worker);
}

/* The cell shows @worker (transfer full), or nothing. */
static void
take_worker (SpindleCellBinding *cell,
             SpindleWorker      *worker)
{
  release_worker (cell);
  cell->worker = worker;
  if (worker == NULL)
    return;

  if (cell->kind->watched[0] != NULL)
    cell->notify_id = g_signal_connect (worker, "notify", G_CALLBACK (on_worker_notify), cell);
  if (cell->kind->bind != NULL)
    cell->kind->bind (cell);
  if (cell->kind->update != NULL)
    cell->kind->update (cell);
}

static void
on_row_item_changed (GtkTreeListRow     *row,
                     GParamSpec         *pspec,
                     SpindleCellBinding *cell)
{
  take_worker (cell, gtk_tree_list_row_get_item (row));
}

static void
release_row (SpindleCellBinding *cell)
{
  release_worker (cell);
  if (cell->row != NULL)
    {
      g_clear_signal_handler (&cell->row_item_id, cell->row);
      g_clear_object (&cell->row);
    }
}

/* The factory unbinds a cell before its teardown. */
static void
cell_free (gpointer data)
{
  SpindleCellBinding *cell = data;

  g_assert (cell->row == NULL && cell->worker == NULL);
  g_free (cell);
}

void
spindle_cell_binding_setup (GtkListItem           *list_item,
                            const SpindleCellKind *kind,
                            gpointer               owner)
{
  SpindleCellBinding *cell = g_new0 (SpindleCellBinding, 1);

  cell->kind = kind;
  cell->list_item = list_item;
  cell->owner = owner;
  g_object_set_qdata_full (G_OBJECT (list_item), cell_quark (), cell, cell_free);
  gtk_list_item_set_child (list_item, kind->create (cell));
}

void
spindle_cell_binding_bind (GtkListItem *list_item)
{
  SpindleCellBinding *cell = spindle_cell_binding_get (list_item);
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);

  g_assert (cell != NULL && cell->row == NULL);
  g_assert (GTK_IS_TREE_LIST_ROW (row));

  cell->row = g_object_ref (row);
  cell->row_item_id = g_signal_connect (row, "notify::item", G_CALLBACK (on_row_item_changed), cell);
  take_worker (cell, gtk_tree_list_row_get_item (row));
}

void
spindle_cell_binding_unbind (GtkListItem *list_item)
{
  SpindleCellBinding *cell = spindle_cell_binding_get (list_item);

  g_assert (cell != NULL);

  release_row (cell);
}

void
spindle_cell_binding_teardown (GtkListItem *list_item)
{
  g_object_set_qdata (G_OBJECT (list_item), cell_quark (), NULL);
}
