/* spindle-panel-sampling.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-panel-private.h"

/* The sampler reads CPU clocks and /proc for the workers it watches:
 * exactly the rows on screen and the selected worker, so a tick's cost
 * grows with the rows on screen, not with the workers. The rows on screen
 * are those whose elapsed cells are mapped: each such cell counts its
 * worker in self->shown (see spindle-elapsed-label.c), which says at once
 * when a worker comes on screen, so it is sampled before its row is drawn.
 * A worker that leaves the screen is let go on the next tick: rows are
 * unbound while the list allocates, and clearing its figures then would
 * change the text of cells in the middle of that allocation.
 * The panel's tick drives the sampler, and the panel ticks only while it
 * is mapped.
 *
 * The other workers' CPU figures matter only to a sort by CPU: while the
 * CPU column takes part in the sort, every live worker's CPU clock is read
 * every FULL_EVERY ticks (5 s at the default 500 ms refresh; a clock read
 * costs a few µs, so 10,000 workers cost some 30 ms then), never otherwise.
 */

#define FULL_EVERY 10

/* Before each frame, an update still queued is applied: the frame must not
 * be drawn ahead of it, whatever the order in which the main loop
 * dispatched the two. (A worker read as it comes on screen holds back only
 * its sampled figures, never its state: the counts need no check here.)
 */
void
_spindle_panel_before_paint (SpindlePanel *self)
{
  if (self->update_id != 0 && !self->updating)
    _spindle_panel_flush (self);
}

static void
add_worker (gpointer worker,
            gpointer set)
{
  g_hash_table_add (set, g_object_ref (worker));
}

static GHashTable *
collect_watched (SpindlePanel *self)
{
  GHashTable *watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_autoptr(SpindleWorker) selected = _spindle_panel_dup_selected (self);

  spindle_shown_workers_foreach (self->shown, add_worker, watched);
  if (selected != NULL)
    g_hash_table_add (watched, g_steal_pointer (&selected));

  return watched;
}

/* Watching ******************************************************************/

static void
sync_watched (SpindlePanel  *self,
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

/* A GtkColumnViewSorter listens to the sorters of the columns it sorts by
 * and to no other: GTK 4.8 has no getter for the sorted column.
 */
static gboolean
sorts_by_cpu (SpindlePanel *self)
{
  return g_signal_has_handler_pending (self->cpu_sorter, g_signal_lookup ("changed", GTK_TYPE_SORTER), 0, FALSE);
}

static void
on_shown (SpindlePanel  *self,
          SpindleWorker *worker)
{
  if (!g_hash_table_contains (self->watched, worker))
    {
      g_hash_table_add (self->watched, g_object_ref (worker));
      spindle_sampler_watch (self->sampler, worker);
    }
}

static void
on_selected (SpindlePanel *self)
{
  g_autoptr(GHashTable) watched = collect_watched (self);

  sync_watched (self, watched);
}

/* Figures changed in place: a sort by them needs telling. */
static void
resort_sampled (SpindlePanel *self)
{
  gtk_sorter_changed (GTK_SORTER (self->cpu_sorter), GTK_SORTER_CHANGE_DIFFERENT);
  gtk_sorter_changed (GTK_SORTER (self->kernel_sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

void
_spindle_panel_sample (SpindlePanel *self)
{
  g_autoptr(GHashTable) watched = collect_watched (self);

  sync_watched (self, watched);
  spindle_sampler_set_full_every (self->sampler, sorts_by_cpu (self) ? FULL_EVERY : 0);
  spindle_sampler_tick (self->sampler);

  /* The tick delivered the worker events still queued: a handler may have
   * closed the window, and the panel with it. Callers that go on after it
   * hold a reference.
   */
  if (self->set == NULL)
    return;
  resort_sampled (self);
}

/* Life cycle ****************************************************************/

void
_spindle_panel_init_sampling (SpindlePanel *self)
{
  self->sampler = spindle_sampler_new (self->set);
  self->shown = spindle_shown_workers_new ();
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  spindle_sampler_set_full_every (self->sampler, 0);

  g_signal_connect_object (self->shown, "shown", G_CALLBACK (on_shown), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (on_selected),
                           self, G_CONNECT_SWAPPED);

  spindle_thread_list_set_model (self->thread_list, spindle_sampler_get_other_threads (self->sampler));
}

void
_spindle_panel_dispose_sampling (SpindlePanel *self)
{
  if (self->watched != NULL && self->sampler != NULL)
    {
      g_autoptr(GHashTable) none = g_hash_table_new (NULL, NULL);

      sync_watched (self, none);
    }

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, on_selected, self);
  if (self->thread_list != NULL && self->sampler != NULL)
    spindle_thread_list_set_model (self->thread_list, NULL);

  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_object (&self->shown);
  g_clear_object (&self->sampler);
}
