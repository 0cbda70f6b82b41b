/* spindle-export-gather.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-export"

#include "config.h"

#include "spindle-export-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* The owner thread's side of an exported set: a tick on the set's
 * context, armed only while someone subscribes, turns the workers marked
 * changed since the last one into a delta (new workers with every key,
 * changed ones with the changed keys, removed ids), applies the retention
 * bounds and hands the delta whole to the export thread.
 */

/* What was last handed over for one worker. */
typedef struct
{
  guint64   id;              /* exported id; the key */
  SpindleExportFields fields;  /* as last handed over */
  GVariant *partial;         /* this tick's changed keys, until handed over */
  GList     link;            /* in SpindleExportedSet.finished once it ended */
  gint64    finished_at;     /* 0: live */
  guint     fresh : 1;       /* never handed over */
  guint     seen : 1;        /* during a resync */
  guint     evicted : 1;
} Entry;

/* Entries (owner thread) ****************************************************/

static void
entry_free (Entry *entry)
{
  _spindle_export_fields_clear (&entry->fields);
  g_clear_pointer (&entry->partial, g_variant_unref);
  g_free (entry);
}

void
_spindle_export_delta_free (SpindleExportDelta *delta)
{
  g_clear_pointer (&delta->partial, g_ptr_array_unref);
  g_clear_pointer (&delta->removed, g_array_unref);
  g_clear_pointer (&delta->set, _spindle_exported_set_unref);
  g_free (delta);
}

SpindleExportDelta *
_spindle_export_delta_new (SpindleExportedSet *set,
                           gboolean            sync)
{
  SpindleExportDelta *delta = g_new0 (SpindleExportDelta, 1);

  delta->set = _spindle_exported_set_ref (set);
  delta->partial = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  delta->removed = g_array_new (FALSE, FALSE, sizeof (guint64));
  delta->sync = sync;

  return delta;
}

gboolean
_spindle_export_delta_is_empty (SpindleExportDelta *delta)
{
  return delta->partial->len == 0 && delta->removed->len == 0 && delta->dropped == 0;
}

/* An ended worker joins the retention queue once. */
static void
entry_note_end (SpindleExportedSet *set,
                Entry              *entry,
                SpindleWorker      *worker)
{
  gint64 finished_at;
  GList *after;

  if (entry->finished_at != 0 || !spindle_worker_is_terminal (worker))
    return;

  finished_at = spindle_worker_get_finished_at (worker);
  entry->finished_at = finished_at > 0 ? finished_at : g_get_monotonic_time ();
  entry->link.data = entry;

  /* marks come in hash order: the queue keeps the order of the ends,
   * and a new end is nearly always the last
   */
  for (after = set->finished.tail; after != NULL; after = after->prev)
    {
      Entry *other = after->data;

      if (other->finished_at < entry->finished_at ||
          (other->finished_at == entry->finished_at && other->id < entry->id))
        break;
    }

  if (after != NULL)
    g_queue_insert_after_link (&set->finished, after, &entry->link);
  else
    g_queue_push_head_link (&set->finished, &entry->link);
}

static void
entry_update (SpindleExportedSet *set,
              SpindleWorker      *worker,
              GPtrArray          *touched)
{
  guint64 id = _spindle_export_id (set->number, spindle_worker_get_id (worker));
  SpindleExportFields now;
  Entry *entry;

  if (g_hash_table_contains (set->forgotten, &id))
    return;

  _spindle_export_fields_read (&now, worker, set->number);
  entry = g_hash_table_lookup (set->cache, &id);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->id = id;
      entry->fresh = TRUE;
      g_hash_table_insert (set->cache, &entry->id, entry);
      entry->partial = _spindle_export_fields_diff (NULL, &now, id, set->number);
      _spindle_export_fields_copy (&entry->fields, &now);
    }
  else
    {
      g_clear_pointer (&entry->partial, g_variant_unref);
      entry->partial = _spindle_export_fields_diff (&entry->fields, &now, id, set->number);
      if (entry->partial != NULL)
        _spindle_export_fields_update (&entry->fields, &now);
    }

  entry->seen = TRUE;
  entry_note_end (set, entry, worker);
  if (entry->partial != NULL)
    g_ptr_array_add (touched, entry);
}

/* An entry leaves the cache: a subscriber that had it is told. */
static void
entry_remove (SpindleExportedSet *set,
              Entry              *entry,
              SpindleExportDelta *delta)
{
  if (entry->finished_at != 0)
    g_queue_unlink (&set->finished, &entry->link);

  if (entry->fresh)
    delta->dropped++;
  else
    g_array_append_val (delta->removed, entry->id);

  entry->evicted = TRUE;
  g_hash_table_steal (set->cache, &entry->id);
}

/* Gathering (owner thread) **************************************************/

static void
walk_workers (SpindleExportedSet *set,
              GListModel         *model,
              GPtrArray          *touched,
              GHashTable         *forgotten)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);
      guint64 id = _spindle_export_id (set->number, spindle_worker_get_id (worker));

      if (worker->tree_process)
        continue;

      if (g_hash_table_contains (set->forgotten, &id))
        {
          guint64 *key = g_new (guint64, 1);

          *key = id;
          g_hash_table_add (forgotten, key);
        }
      else
        entry_update (set, worker, touched);

      walk_workers (set, spindle_worker_get_children (worker), touched, forgotten);
    }
}

/* Every worker of the set again: after removals, or when tracking starts. */
static void
resync (SpindleExportedSet *set,
        GPtrArray          *touched,
        GPtrArray          *graveyard,
        SpindleExportDelta *delta)
{
  g_autoptr(GHashTable) forgotten = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, set->cache);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    entry->seen = FALSE;

  walk_workers (set, G_LIST_MODEL (set->set), touched, forgotten);
  g_clear_pointer (&set->forgotten, g_hash_table_unref);
  set->forgotten = g_steal_pointer (&forgotten);

  g_hash_table_iter_init (&iter, set->cache);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      if (entry->seen)
        continue;
      g_hash_table_iter_steal (&iter);
      if (entry->finished_at != 0)
        g_queue_unlink (&set->finished, &entry->link);
      g_array_append_val (delta->removed, entry->id);
      entry->evicted = TRUE;
      g_ptr_array_add (graveyard, entry);
    }

  set->resync = FALSE;
}

/* Finished workers beyond the retention bounds are forgotten. */
static void
expire (SpindleExportedSet *set,
        gint64              now,
        GPtrArray          *graveyard,
        SpindleExportDelta *delta)
{
  guint max;
  gint64 usec;
  GList *link;

  _spindle_export_get_retention (&max, &usec);

  while ((link = set->finished.head) != NULL)
    {
      Entry *entry = link->data;
      guint64 *key;

      if (set->finished.length <= max && now - entry->finished_at < usec)
        break;

      entry_remove (set, entry, delta);
      key = g_new (guint64, 1);
      *key = entry->id;
      g_hash_table_add (set->forgotten, key);
      g_ptr_array_add (graveyard, entry);
    }
}

static void
collect (GPtrArray          *touched,
         SpindleExportDelta *delta)
{
  for (guint i = 0; i < touched->len; i++)
    {
      Entry *entry = g_ptr_array_index (touched, i);

      if (!entry->evicted)
        {
          g_ptr_array_add (delta->partial, g_steal_pointer (&entry->partial));
          entry->fresh = FALSE;
        }
    }
}

/* A process worker's processes are rows of the list, not workers of the
 * program, and a row may be freed while a tick is pending: neither is
 * sent (see spindle-process-tree.c).
 */
void
_spindle_worker_set_export_changed (SpindleWorkerSet *set,
                                    SpindleWorker    *worker)
{
  if (!worker->tree_process)
    g_hash_table_add (set->export_changed, worker);
}

SpindleExportDelta *
_spindle_export_gather (SpindleExportedSet *set,
                        gboolean            sync)
{
  g_autoptr(GPtrArray) touched = g_ptr_array_new ();
  g_autoptr(GPtrArray) graveyard = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  GHashTable *changed = set->set->export_changed;
  SpindleExportDelta *delta = _spindle_export_delta_new (set, sync);

  if (set->resync || changed == NULL)
    resync (set, touched, graveyard, delta);
  else
    {
      GHashTableIter iter;
      SpindleWorker *worker;

      g_hash_table_iter_init (&iter, changed);
      while (g_hash_table_iter_next (&iter, (gpointer *) &worker, NULL))
        entry_update (set, worker, touched);
    }

  if (changed != NULL)
    g_hash_table_remove_all (changed);

  expire (set, g_get_monotonic_time (), graveyard, delta);
  collect (touched, delta);

  return delta;
}

static gboolean
apply_delta_cb (gpointer data)
{
  _spindle_export_apply_delta (data);
  return G_SOURCE_REMOVE;
}

void
_spindle_export_hand_over (SpindleExportedSet *set,
                           SpindleExportDelta *delta)
{
  if (_spindle_export_delta_is_empty (delta) && !delta->sync)
    {
      _spindle_export_delta_free (delta);
      return;
    }

  g_main_context_invoke_full (set->export->context, G_PRIORITY_DEFAULT,
                              apply_delta_cb, delta, (GDestroyNotify) _spindle_export_delta_free);
}

static void
start_tracking (SpindleExportedSet *set)
{
  if (set->set->export_changed != NULL)
    return;

  set->set->export_changed = g_hash_table_new (NULL, NULL);
  set->resync = TRUE;
}

/* No one subscribes: workers stop marking themselves, and the next
 * subscriber's first tick walks the whole set.
 */
static void
stop_tracking (SpindleExportedSet *set)
{
  g_clear_pointer (&set->set->export_changed, g_hash_table_unref);
  set->resync = TRUE;
}

static gboolean
tick_cb (gpointer data)
{
  SpindleExportedSet *set = data;
  gboolean sync = g_atomic_int_compare_and_exchange (&set->want_sync, TRUE, FALSE);
  gint interval_ms;

  if (set->set == NULL)
    return G_SOURCE_REMOVE;

  if (!sync && g_atomic_int_get (&set->export->n_subscribers) == 0)
    {
      stop_tracking (set);
      g_source_set_ready_time (set->tick, -1);
      return G_SOURCE_CONTINUE;
    }

  start_tracking (set);
  _spindle_export_hand_over (set, _spindle_export_gather (set, sync));

  interval_ms = g_atomic_int_get (&set->export->interval_ms);
  g_source_set_ready_time (set->tick, g_get_monotonic_time () + (gint64) interval_ms * 1000);

  return G_SOURCE_CONTINUE;
}

static gboolean
tick_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs tick_funcs = {
  .dispatch = tick_dispatch,
};

/* The set's tick, on its context, armed only while someone subscribes. */
GSource *
_spindle_export_tick_new (SpindleExportedSet *set)
{
  GSource *tick = g_source_new (&tick_funcs, sizeof (GSource));

  g_source_set_static_name (tick, "[spindle] export tick");
  g_source_set_callback (tick, tick_cb, _spindle_exported_set_ref (set),
                         (GDestroyNotify) _spindle_exported_set_unref);
  g_source_set_ready_time (tick, -1);
  g_source_attach (tick, set->context);

  return tick;
}

/* Any thread: the next tick of @set runs as soon as its context runs. */
void
_spindle_export_poke (SpindleExportedSet *set,
                      gboolean            sync)
{
  if (sync)
    g_atomic_int_set (&set->want_sync, TRUE);
  g_source_set_ready_time (set->tick, 0);
}

/* Every worker of the set leaves subscribers' views. */
SpindleExportDelta *
_spindle_export_removal (SpindleExportedSet *set)
{
  SpindleExportDelta *delta = _spindle_export_delta_new (set, FALSE);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, set->cache);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    g_array_append_val (delta->removed, entry->id);

  return delta;
}

/* The tables of the set's side, made at export. */
void
_spindle_exported_set_init_cache (SpindleExportedSet *set)
{
  set->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) entry_free);
  set->forgotten = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  set->resync = TRUE;
}
