/* spindle-window-sampling.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-elapsed-label.h"
#include "spindle-window-private.h"

/* The sampler reads every live worker's CPU clock on each tick, which is
 * cheap, but /proc only for the workers it watches: exactly the rows on
 * screen and the selected worker, so the cost stays bounded however many
 * workers run. The window's tick drives it, and the window ticks only
 * while it is mapped.
 */

/* The rows on screen ********************************************************/

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;

  return NULL;
}

/* A row's elapsed cell is the one that knows its worker. */
static SpindleWorker *
row_get_worker (GtkWidget *row)
{
  for (GtkWidget *cell = gtk_widget_get_first_child (row);
       cell != NULL;
       cell = gtk_widget_get_next_sibling (cell))
    {
      GtkWidget *child = gtk_widget_get_first_child (cell);

      if (child != NULL && SPINDLE_IS_ELAPSED_LABEL (child))
        return spindle_elapsed_label_get_worker (SPINDLE_ELAPSED_LABEL (child));
    }

  return NULL;
}

/* The list keeps row widgets for up to 200 items around what it shows,
 * but maps only those in view.
 */
static GHashTable *
collect_shown_workers (SpindleWindow *self)
{
  GHashTable *shown = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  GtkWidget *list = find_list_view (GTK_WIDGET (self->column_view));
  g_autoptr(SpindleWorker) selected = _spindle_window_get_selected_worker (self);

  for (GtkWidget *row = list ? gtk_widget_get_first_child (list) : NULL;
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      SpindleWorker *worker;

      if (gtk_widget_get_mapped (row) && (worker = row_get_worker (row)) != NULL)
        g_hash_table_add (shown, g_object_ref (worker));
    }

  if (selected != NULL)
    g_hash_table_add (shown, g_steal_pointer (&selected));

  return shown;
}

/* Watching ******************************************************************/

static void
sync_watched (SpindleWindow *self,
              GHashTable    *shown)
{
  GHashTableIter iter;
  gpointer worker;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    if (!g_hash_table_contains (shown, worker))
      spindle_sampler_unwatch (self->sampler, worker);

  g_hash_table_iter_init (&iter, shown);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    if (!g_hash_table_contains (self->watched, worker))
      spindle_sampler_watch (self->sampler, worker);

  g_hash_table_unref (self->watched);
  self->watched = g_hash_table_ref (shown);
}

/* Figures changed in place: a sort by them needs telling. */
static void
resort_sampled (SpindleWindow *self)
{
  gtk_sorter_changed (GTK_SORTER (self->cpu_sorter), GTK_SORTER_CHANGE_DIFFERENT);
  gtk_sorter_changed (GTK_SORTER (self->kernel_sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

void
_spindle_window_sample (SpindleWindow *self)
{
  g_autoptr(GHashTable) shown = collect_shown_workers (self);

  sync_watched (self, shown);
  spindle_sampler_tick (self->sampler);
  resort_sampled (self);
}

/* Life cycle ****************************************************************/

void
_spindle_window_init_sampling (SpindleWindow *self)
{
  self->sampler = spindle_sampler_new (self->set);
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);

  spindle_thread_list_set_model (self->thread_list, spindle_sampler_get_other_threads (self->sampler));
}

void
_spindle_window_dispose_sampling (SpindleWindow *self)
{
  if (self->watched != NULL && self->sampler != NULL)
    {
      g_autoptr(GHashTable) none = g_hash_table_new (NULL, NULL);

      sync_watched (self, none);
    }

  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_object (&self->sampler);
}
