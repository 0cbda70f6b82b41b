/* spindle-window-sampling.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-window-private.h"

/* The sampler reads every live worker's CPU clock on each tick, which is
 * cheap, but /proc only for the workers it watches: exactly the rows on
 * screen and the selected worker, so the cost stays bounded however many
 * workers run. The rows on screen are those whose elapsed cells are
 * mapped: each such cell counts its worker in self->shown (see
 * spindle-elapsed-label.c). The window's tick drives the sampler, and the
 * window ticks only while it is mapped.
 */

static void
add_worker (gpointer worker,
            gpointer set)
{
  g_hash_table_add (set, g_object_ref (worker));
}

static GHashTable *
collect_watched (SpindleWindow *self)
{
  GHashTable *watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_autoptr(SpindleWorker) selected = _spindle_window_get_selected_worker (self);

  spindle_shown_workers_foreach (self->shown, add_worker, watched);
  if (selected != NULL)
    g_hash_table_add (watched, g_steal_pointer (&selected));

  return watched;
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
  g_autoptr(GHashTable) watched = collect_watched (self);

  sync_watched (self, watched);
  spindle_sampler_tick (self->sampler);
  resort_sampled (self);
}

/* Life cycle ****************************************************************/

void
_spindle_window_init_sampling (SpindleWindow *self)
{
  self->sampler = spindle_sampler_new (self->set);
  self->shown = spindle_shown_workers_new ();
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
  g_clear_object (&self->shown);
  g_clear_object (&self->sampler);
}
