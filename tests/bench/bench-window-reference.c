/* bench-window-reference.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The window benchmark's reference for scrolling: GTK's own GtkColumnView,
 * as bare as GTK makes it, with the shape of Spindle's list. The same
 * columns at the same widths, as many rows, each cell one GtkInscription
 * (GTK's cheapest text widget) holding the text Spindle shows there, the
 * name two lines high as Spindle's is. No pills, buttons, timelines,
 * sorting, tree or live figures: what is left is what GTK itself costs to
 * scroll a list of this size, drawn by the same renderer on the same
 * display, measured in the same run as Spindle's list.
 */

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "bench-window-private.h"

typedef struct
{
  const char *title;
  int         width;
  const char *text;   /* %u: the row's number */
} ReferenceColumn;

/* Spindle's columns, their widths and a sleeper's text (spindle-panel.ui). */
static const ReferenceColumn columns[] = {
  { "Name",        170, "sleeper %u\nSleeper" },
  { "TID",          72, "1%04u" },
  { "State",       116, "running" },
  { "Elapsed",      80, "0:07.6" },
  { "CPU %",        72, "0 %%" },
  { "Kernel",      136, "waiting in poll" },
  { "Last Minute", 110, "" },
  { "Cleanup",     112, "—" },
  { "Actions",     170, "Stop    Force-Cancel" },
};

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  const ReferenceColumn *column = data;
  GtkWidget *inscription = gtk_inscription_new (NULL);

  if (strchr (column->text, '\n') != NULL)
    gtk_inscription_set_min_lines (GTK_INSCRIPTION (inscription), 2);
  gtk_list_item_set_child (item, inscription);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  const ReferenceColumn *column = data;
  guint row = gtk_list_item_get_position (item) + 1;
  g_autofree char *text = g_strdup_printf (column->text, row);

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (item)), text);
}

/* The rows need nothing of their own: the cells make their text from the
 * position.
 */
static GListModel *
rows_new (guint n_rows)
{
  GListStore *store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_rows; i++)
    g_ptr_array_add (items, g_object_new (G_TYPE_OBJECT, NULL));
  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return G_LIST_MODEL (store);
}

GtkWidget *
bench_reference_window_new (guint       n_rows,
                            int         width,
                            int         height,
                            GtkWidget **list)
{
  GtkWidget *window = gtk_window_new ();
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (gtk_single_selection_new (rows_new (n_rows)));
  GtkWidget *view = gtk_column_view_new (selection);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_single_selection_set_autoselect (GTK_SINGLE_SELECTION (selection), FALSE);
  gtk_single_selection_set_can_unselect (GTK_SINGLE_SELECTION (selection), TRUE);
  gtk_selection_model_unselect_all (selection);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), (gpointer) &columns[i]);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), (gpointer) &columns[i]);
      column = gtk_column_view_column_new (columns[i].title, factory);
      gtk_column_view_column_set_fixed_width (column, columns[i].width);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
    }

  /* the size of Spindle's list, header row included */
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);

  *list = view;
  return window;
}
