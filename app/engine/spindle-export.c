/* spindle-export.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-export"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "spindle-dbus-generated.h"
#include "spindle-diagnosis.h"
#include "spindle-enums.h"
#include "spindle-export-private.h"
#include "spindle-export.h"
#include "spindle-process.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* A program's worker sets on the session bus (dev.spindle.Spindle1.Program,
 * see its XML for the protocol and its cost model).
 *
 * Two sides, two kinds of thread:
 *  - the export thread owns the bus connection, the name, subscribers, flow
 *    control and a mirror of what was last sent (id → every key), so that
 *    bus traffic never waits for the program's main loop;
 *  - each set's owner thread gathers changes on a tick source that runs
 *    only while someone subscribes. Workers mark themselves changed in
 *    their set (a hash insert, nothing while no one subscribes); the tick
 *    builds each marked worker's keys, diffs them against the last ones
 *    sent and hands the whole delta to the export thread at once.
 * The export thread never touches a worker: control calls are invoked on
 * the owner's context and answered from there.
 */

#define INTERFACE_NAME       "dev.spindle.Spindle1.Program"
#define ERROR_PREFIX         "dev.spindle.Spindle1.Error."
#define DEFAULT_INTERVAL_MS  500
#define MIN_INTERVAL_MS      50
#define MAX_INTERVAL_MS      10000
#define MAX_UNACKED          8
#define RETAIN_USEC          (60 * G_USEC_PER_SEC)
#define RETAIN_MAX           1000
#define WORKER_ID_MASK       ((G_GUINT64_CONSTANT (1) << SPINDLE_EXPORT_SET_SHIFT) - 1)
#define SNAPSHOT_WAIT_USEC   (2 * G_USEC_PER_SEC)
#define CONTROL_WAIT_USEC    (5 * G_USEC_PER_SEC)

typedef struct _Export      Export;
typedef struct _ExportedSet ExportedSet;

/* Owner thread: what was last handed over for one worker. */
typedef struct
{
  guint64   id;              /* exported id; the key */
  SpindleExportFields fields;  /* as last handed over */
  GVariant *partial;         /* this tick's changed keys, until handed over */
  GList     link;            /* in ExportedSet.finished once it ended */
  gint64    finished_at;     /* 0: live */
  guint     fresh : 1;       /* never handed over */
  guint     seen : 1;        /* during a resync */
  guint     evicted : 1;
} Entry;

/* One tick's changes, handed from an owner thread to the export thread. */
typedef struct
{
  ExportedSet *set;
  GPtrArray   *partial;      /* GVariant: "id" and the changed keys (every key for a new worker) */
  GArray      *removed;      /* guint64 */
  guint        dropped;
  gboolean     sync;         /* answers a Subscribe's call for fresh state */
} Delta;

struct _ExportedSet
{
  gatomicrefcount     ref_count;
  Export             *export;
  guint               number;
  gint                flags;         /* SpindleExportFlags, atomic */
  gint                n_live;        /* atomic copy of SpindleWorkerSet:n-live */
  gint                want_sync;     /* atomic */
  GMainContext       *context;
  GSource            *tick;

  /* owner thread only */
  SpindleWorkerSet   *set;           /* NULL once unexported */
  gulong              items_changed_id;
  gulong              n_live_id;
  GHashTable         *cache;         /* guint64 → Entry */
  GQueue              finished;      /* Entry, in the order they ended */
  GHashTable         *forgotten;     /* guint64: past retention, still in the set */
  gboolean            resync;
};

typedef struct
{
  GDBusConnection *connection;
  char    *name;
  guint64  sent;
  guint64  acked;
  guint    interval_ms;
  guint    watch_id;
} Subscriber;

typedef struct
{
  GDBusMethodInvocation *invocation;
  guint                  interval_ms;
} WaitingSubscribe;

struct _Export
{
  GThread         *thread;
  GMainContext    *context;
  GMainLoop       *loop;
  char            *bus_name;
  char            *program_name;

  /* under export_mutex */
  GPtrArray       *sets;             /* ExportedSet */
  guint            next_number;
  gboolean         ready;
  GError          *error;

  /* export thread only */
  GDBusConnection *connection;
  guint            object_id;
  guint            owner_id;
  GHashTable      *subscribers;      /* unique name → Subscriber */
  GHashTable      *mirror;           /* guint64 → MirrorEntry */
  guint64          seq;
  GPtrArray       *waiting;          /* WaitingSubscribe */
  guint            n_awaited;
  GSource         *wait_source;

  /* atomic */
  gint             n_subscribers;    /* subscribers and waiting subscribes */
  gint             interval_ms;
  gint             n_signals;        /* sent, for tests */
};

/* The one export of the process, shared by its exported sets. Static, not
 * global: the library exports functions only.
 */
static GMutex  export_mutex;
static GCond   export_cond;
static Export *the_export;
static gint    retain_max = RETAIN_MAX;     /* atomic; tests lower them */
static gint64  retain_usec = RETAIN_USEC;   /* under export_mutex */

static void         export_release             (Export       *self,
                                                ExportedSet  *set);
static ExportedSet *spindle_exported_set_ref   (ExportedSet  *set);
static void         spindle_exported_set_unref (ExportedSet  *set);
static void         control_call               (Export                *self,
                                                const char            *method,
                                                GVariant              *parameters,
                                                GDBusMethodInvocation *invocation);

/* Entries (owner thread) ****************************************************/

static void
entry_free (Entry *entry)
{
  _spindle_export_fields_clear (&entry->fields);
  g_clear_pointer (&entry->partial, g_variant_unref);
  g_free (entry);
}

static void
delta_free (Delta *delta)
{
  g_clear_pointer (&delta->partial, g_ptr_array_unref);
  g_clear_pointer (&delta->removed, g_array_unref);
  g_clear_pointer (&delta->set, spindle_exported_set_unref);
  g_free (delta);
}

static Delta *
delta_new (ExportedSet *set,
           gboolean     sync)
{
  Delta *delta = g_new0 (Delta, 1);

  delta->set = spindle_exported_set_ref (set);
  delta->partial = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  delta->removed = g_array_new (FALSE, FALSE, sizeof (guint64));
  delta->sync = sync;

  return delta;
}

static gboolean
delta_is_empty (Delta *delta)
{
  return delta->partial->len == 0 && delta->removed->len == 0 && delta->dropped == 0;
}

/* An ended worker joins the retention queue once. */
static void
entry_note_end (ExportedSet   *set,
                Entry         *entry,
                SpindleWorker *worker)
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
entry_update (ExportedSet   *set,
              SpindleWorker *worker,
              GPtrArray     *touched)
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
        {
          _spindle_export_fields_clear (&entry->fields);
          _spindle_export_fields_copy (&entry->fields, &now);
        }
    }

  entry->seen = TRUE;
  entry_note_end (set, entry, worker);
  if (entry->partial != NULL)
    g_ptr_array_add (touched, entry);
}

/* An entry leaves the cache: a subscriber that had it is told. */
static void
entry_remove (ExportedSet *set,
              Entry       *entry,
              Delta       *delta)
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
walk_workers (ExportedSet *set,
              GListModel  *model,
              GPtrArray   *touched,
              GHashTable  *forgotten)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);
      guint64 id = _spindle_export_id (set->number, spindle_worker_get_id (worker));

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
resync (ExportedSet *set,
        GPtrArray   *touched,
        GPtrArray   *graveyard,
        Delta       *delta)
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
expire (ExportedSet *set,
        gint64       now,
        GPtrArray   *graveyard,
        Delta       *delta)
{
  guint max = g_atomic_int_get (&retain_max);
  gint64 usec;
  GList *link;

  g_mutex_lock (&export_mutex);
  usec = retain_usec;
  g_mutex_unlock (&export_mutex);

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
collect (GPtrArray *touched,
         Delta     *delta)
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

static Delta *
gather (ExportedSet *set,
        gboolean     sync)
{
  g_autoptr(GPtrArray) touched = g_ptr_array_new ();
  g_autoptr(GPtrArray) graveyard = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  GHashTable *changed = set->set->export_changed;
  Delta *delta = delta_new (set, sync);

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

static void apply_delta (Delta *delta);

static gboolean
apply_delta_cb (gpointer data)
{
  apply_delta (data);
  return G_SOURCE_REMOVE;
}

static void
hand_over (ExportedSet *set,
           Delta       *delta)
{
  if (delta_is_empty (delta) && !delta->sync)
    {
      delta_free (delta);
      return;
    }

  g_main_context_invoke_full (set->export->context, G_PRIORITY_DEFAULT,
                              apply_delta_cb, delta, (GDestroyNotify) delta_free);
}

static void
start_tracking (ExportedSet *set)
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
stop_tracking (ExportedSet *set)
{
  g_clear_pointer (&set->set->export_changed, g_hash_table_unref);
  set->resync = TRUE;
}

static gboolean
tick_cb (gpointer data)
{
  ExportedSet *set = data;
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
  hand_over (set, gather (set, sync));

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

/* Any thread: the next tick of @set runs as soon as its context runs. */
static void
poke (ExportedSet *set,
      gboolean     sync)
{
  if (sync)
    g_atomic_int_set (&set->want_sync, TRUE);
  g_source_set_ready_time (set->tick, 0);
}

/* The mirror and subscribers (export thread) *********************************/

static void
subscriber_free (Subscriber *subscriber)
{
  g_dbus_connection_signal_unsubscribe (subscriber->connection, subscriber->watch_id);
  g_free (subscriber->name);
  g_free (subscriber);
}

static void
emit_to (Export     *self,
         const char *destination,
         const char *signal,
         GVariant   *body)
{
  g_autoptr(GError) error = NULL;

  g_atomic_int_inc (&self->n_signals);
  if (!g_dbus_connection_emit_signal (self->connection, destination, SPINDLE_EXPORT_OBJECT_PATH,
                                      INTERFACE_NAME, signal, body, &error))
    g_debug ("Could not send %s to %s: %s", signal, destination, error->message);
}

static void
update_counts (Export *self)
{
  guint interval = G_MAXUINT;
  GHashTableIter iter;
  Subscriber *subscriber;

  g_hash_table_iter_init (&iter, self->subscribers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &subscriber))
    interval = MIN (interval, subscriber->interval_ms);
  for (guint i = 0; i < self->waiting->len; i++)
    interval = MIN (interval, ((WaitingSubscribe *) g_ptr_array_index (self->waiting, i))->interval_ms);

  g_atomic_int_set (&self->interval_ms, interval == G_MAXUINT ? DEFAULT_INTERVAL_MS : (gint) interval);
  g_atomic_int_set (&self->n_subscribers, g_hash_table_size (self->subscribers) + self->waiting->len);
}

/* Tells every set's tick, so that the last one to go stops tracking. */
static void
poke_all (Export   *self,
          gboolean  sync)
{
  guint n;

  g_mutex_lock (&export_mutex);
  n = self->sets->len;
  for (guint i = 0; i < n; i++)
    poke (g_ptr_array_index (self->sets, i), sync);
  g_mutex_unlock (&export_mutex);
}

static void
forget_subscriber (Export     *self,
                   const char *name)
{
  if (!g_hash_table_remove (self->subscribers, name))
    return;

  update_counts (self);
  if (g_atomic_int_get (&self->n_subscribers) == 0)
    poke_all (self, FALSE);
}

/* A worker as last sent: its first keys and the changes since, merged
 * when a snapshot needs it or when they pile up, so that a tick costs the
 * export thread an append per changed worker.
 */
typedef struct
{
  GVariant  *full;
  GPtrArray *pending;     /* GVariant, oldest first; NULL: none */
} MirrorEntry;

#define MAX_PENDING 16

static void
mirror_entry_free (MirrorEntry *entry)
{
  g_clear_pointer (&entry->full, g_variant_unref);
  g_clear_pointer (&entry->pending, g_ptr_array_unref);
  g_free (entry);
}

static GVariant *
mirror_entry_merge (MirrorEntry *entry)
{
  GVariantDict dict;

  if (entry->pending == NULL)
    return entry->full;

  g_variant_dict_init (&dict, entry->full);
  for (guint i = 0; i < entry->pending->len; i++)
    {
      GVariantIter iter;
      const char *key;
      GVariant *value;

      g_variant_iter_init (&iter, g_ptr_array_index (entry->pending, i));
      while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
        g_variant_dict_insert_value (&dict, key, value);
    }

  g_variant_unref (entry->full);
  entry->full = g_variant_ref_sink (g_variant_dict_end (&dict));
  g_clear_pointer (&entry->pending, g_ptr_array_unref);

  return entry->full;
}

static void
mirror_apply (Export *self,
              Delta  *delta)
{
  for (guint i = 0; i < delta->partial->len; i++)
    {
      GVariant *partial = g_ptr_array_index (delta->partial, i);
      MirrorEntry *entry;
      guint64 id;

      g_variant_lookup (partial, "id", "t", &id);
      if ((entry = g_hash_table_lookup (self->mirror, &id)) == NULL)
        {
          guint64 *key = g_new (guint64, 1);

          /* a new worker: every key */
          *key = id;
          entry = g_new0 (MirrorEntry, 1);
          entry->full = g_variant_ref (partial);
          g_hash_table_insert (self->mirror, key, entry);
          continue;
        }

      if (entry->pending == NULL)
        entry->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      g_ptr_array_add (entry->pending, g_variant_ref (partial));
      if (entry->pending->len >= MAX_PENDING)
        mirror_entry_merge (entry);
    }

  for (guint i = 0; i < delta->removed->len; i++)
    g_hash_table_remove (self->mirror, &g_array_index (delta->removed, guint64, i));
}

static GVariant *
update_body (Export *self,
             Delta  *delta)
{
  GVariantBuilder changed;
  GVariantBuilder removed;

  g_variant_builder_init (&changed, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < delta->partial->len; i++)
    g_variant_builder_add_value (&changed, g_ptr_array_index (delta->partial, i));

  g_variant_builder_init (&removed, G_VARIANT_TYPE ("at"));
  for (guint i = 0; i < delta->removed->len; i++)
    g_variant_builder_add (&removed, "t", g_array_index (delta->removed, guint64, i));

  return g_variant_ref_sink (g_variant_new ("(tuaa{sv}at)", self->seq, delta->dropped,
                                            &changed, &removed));
}

/* A subscriber that has not acknowledged MAX_UNACKED updates gets no more:
 * neither this process nor the bus buffers for it.
 */
static void
send_update (Export *self,
             Delta  *delta)
{
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GPtrArray) behind = g_ptr_array_new ();
  GHashTableIter iter;
  Subscriber *subscriber;

  if (g_hash_table_size (self->subscribers) == 0 || delta_is_empty (delta))
    return;

  self->seq++;
  body = update_body (self, delta);

  g_hash_table_iter_init (&iter, self->subscribers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &subscriber))
    {
      if (subscriber->sent - subscriber->acked >= MAX_UNACKED)
        {
          g_ptr_array_add (behind, subscriber->name);
          continue;
        }
      emit_to (self, subscriber->name, "Update", body);
      subscriber->sent = self->seq;
    }

  for (guint i = 0; i < behind->len; i++)
    {
      const char *name = g_ptr_array_index (behind, i);

      emit_to (self, name, "SubscriptionDropped",
               g_variant_new ("(s)", "more than 8 updates were not acknowledged"));
      forget_subscriber (self, name);
    }
}

static void complete_waiting (Export *self);

static void
apply_delta (Delta *delta)
{
  Export *self = delta->set->export;

  mirror_apply (self, delta);
  send_update (self, delta);

  if (delta->sync && self->n_awaited > 0 && --self->n_awaited == 0)
    complete_waiting (self);
}

/* D-Bus methods (export thread) ***********************************************/

static void
return_error (GDBusMethodInvocation *invocation,
              const char            *name,
              const char            *format,
              ...) G_GNUC_PRINTF (3, 4);

static void
return_error (GDBusMethodInvocation *invocation,
              const char            *name,
              const char            *format,
              ...)
{
  g_autofree char *error_name = g_strconcat (ERROR_PREFIX, name, NULL);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_dbus_method_invocation_return_dbus_error (invocation, error_name, message);
}

/* What a person would call the program: its GLib name, else its command
 * (the script, for an interpreter running one).
 */
static char *
program_name (void)
{
  g_autofree char *cmdline = NULL;
  g_autofree char *first = NULL;
  gsize length;

  if (g_get_prgname () != NULL)
    return g_strdup (g_get_prgname ());
  if (!g_file_get_contents ("/proc/self/cmdline", &cmdline, &length, NULL) || length == 0)
    return g_strdup ("");

  first = g_path_get_basename (cmdline);
  if (g_str_has_prefix (first, "python") && strlen (cmdline) + 1 < length)
    return g_path_get_basename (cmdline + strlen (cmdline) + 1);

  return g_steal_pointer (&first);
}

static GVariant *
describe (Export *self)
{
  GVariantBuilder builder;
  gboolean control = FALSE;
  guint n_workers = 0;
  guint n_sets;

  g_mutex_lock (&export_mutex);
  n_sets = self->sets->len;
  for (guint i = 0; i < n_sets; i++)
    {
      ExportedSet *set = g_ptr_array_index (self->sets, i);

      control |= (g_atomic_int_get (&set->flags) & SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL) != 0;
      n_workers += g_atomic_int_get (&set->n_live);
    }
  g_mutex_unlock (&export_mutex);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "pid", g_variant_new_uint32 (getpid ()));
  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (self->program_name));
  g_variant_builder_add (&builder, "{sv}", "version", g_variant_new_string (PACKAGE_VERSION));
  g_variant_builder_add (&builder, "{sv}", "control", g_variant_new_boolean (control));
  g_variant_builder_add (&builder, "{sv}", "n-sets", g_variant_new_uint32 (n_sets));
  g_variant_builder_add (&builder, "{sv}", "n-workers", g_variant_new_uint32 (n_workers));
  g_variant_builder_add (&builder, "{sv}", "interval-ms", g_variant_new_uint32 (DEFAULT_INTERVAL_MS));

  return g_variant_builder_end (&builder);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint64 x = **(guint64 * const *) a;
  guint64 y = **(guint64 * const *) b;

  return x < y ? -1 : x > y;
}

/* Parents are spawned before their children, so ids order them. */
static GVariant *
snapshot (Export *self)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_sized_new (g_hash_table_size (self->mirror));
  GVariantBuilder builder;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->mirror);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);

  g_ptr_array_sort (keys, compare_ids);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < keys->len; i++)
    g_variant_builder_add_value (&builder,
                                 mirror_entry_merge (g_hash_table_lookup (self->mirror, g_ptr_array_index (keys, i))));

  return g_variant_builder_end (&builder);
}

static void
name_owner_changed_cb (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  Export *self = user_data;
  const char *name;
  const char *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, NULL, &new_owner);
  if (new_owner[0] == '\0')
    forget_subscriber (self, name);
}

static void
add_subscriber (Export           *self,
                WaitingSubscribe *waiting)
{
  const char *name = g_dbus_method_invocation_get_sender (waiting->invocation);
  Subscriber *subscriber = g_new0 (Subscriber, 1);

  subscriber->connection = self->connection;
  subscriber->name = g_strdup (name);
  subscriber->sent = subscriber->acked = self->seq;
  subscriber->interval_ms = waiting->interval_ms;
  subscriber->watch_id =
    g_dbus_connection_signal_subscribe (self->connection, "org.freedesktop.DBus",
                                        "org.freedesktop.DBus", "NameOwnerChanged",
                                        "/org/freedesktop/DBus", name,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        name_owner_changed_cb, self, NULL);
  g_hash_table_replace (self->subscribers, subscriber->name, subscriber);
}

/* Every set gave its fresh state, or the wait ran out (an owner context
 * that does not run): the waiting subscribers get the mirror as it is.
 */
static void
complete_waiting (Export *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);
  g_autoptr(GVariant) workers = g_variant_ref_sink (snapshot (self));
  g_autoptr(GVariant) info = g_variant_ref_sink (describe (self));

  self->waiting = g_ptr_array_new_with_free_func (g_free);
  self->n_awaited = 0;
  if (self->wait_source != NULL)
    {
      g_source_destroy (self->wait_source);
      g_clear_pointer (&self->wait_source, g_source_unref);
    }

  for (guint i = 0; i < waiting->len; i++)
    {
      WaitingSubscribe *one = g_ptr_array_index (waiting, i);

      add_subscriber (self, one);
      g_dbus_method_invocation_return_value (one->invocation,
                                             g_variant_new ("(t@a{sv}@aa{sv})", self->seq, info, workers));
    }

  update_counts (self);
}

static gboolean
wait_timeout_cb (gpointer data)
{
  complete_waiting (data);
  return G_SOURCE_REMOVE;
}

static void
subscribe (Export                *self,
           GVariant              *parameters,
           GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) options = NULL;
  WaitingSubscribe *waiting;
  guint interval_ms = DEFAULT_INTERVAL_MS;
  GVariant *value;

  g_variant_get (parameters, "(@a{sv})", &options);
  value = g_variant_lookup_value (options, "interval-ms", NULL);
  if (value != NULL && !g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    {
      g_variant_unref (value);
      return_error (invocation, "InvalidArgs", "interval-ms must be of type u");
      return;
    }
  if (value != NULL)
    {
      interval_ms = CLAMP (g_variant_get_uint32 (value), MIN_INTERVAL_MS, MAX_INTERVAL_MS);
      g_variant_unref (value);
    }

  g_hash_table_remove (self->subscribers, g_dbus_method_invocation_get_sender (invocation));

  waiting = g_new0 (WaitingSubscribe, 1);
  waiting->invocation = invocation;
  waiting->interval_ms = interval_ms;
  g_ptr_array_add (self->waiting, waiting);
  update_counts (self);

  if (self->waiting->len > 1)
    return;

  g_mutex_lock (&export_mutex);
  self->n_awaited = self->sets->len;
  g_mutex_unlock (&export_mutex);
  if (self->n_awaited == 0)
    {
      complete_waiting (self);
      return;
    }

  poke_all (self, TRUE);
  self->wait_source = g_timeout_source_new (SNAPSHOT_WAIT_USEC / 1000);
  g_source_set_callback (self->wait_source, wait_timeout_cb, self, NULL);
  g_source_attach (self->wait_source, self->context);
}

static void
ack (Export                *self,
     GVariant              *parameters,
     GDBusMethodInvocation *invocation)
{
  Subscriber *subscriber = g_hash_table_lookup (self->subscribers,
                                                g_dbus_method_invocation_get_sender (invocation));
  guint64 seq;

  g_variant_get (parameters, "(t)", &seq);
  if (subscriber == NULL)
    {
      return_error (invocation, "NotSubscribed", "Subscribe first");
      return;
    }
  if (seq > subscriber->sent)
    {
      return_error (invocation, "InvalidArgs", "Update %" G_GUINT64_FORMAT " was not sent", seq);
      return;
    }

  subscriber->acked = MAX (subscriber->acked, seq);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
unsubscribe (Export                *self,
             GDBusMethodInvocation *invocation)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  if (!g_hash_table_contains (self->subscribers, sender))
    {
      return_error (invocation, "NotSubscribed", "Not subscribed");
      return;
    }

  forget_subscriber (self, sender);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  Export *self = user_data;

  if (g_str_equal (method, "Describe"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a{sv})", describe (self)));
  else if (g_str_equal (method, "Subscribe"))
    subscribe (self, parameters, invocation);
  else if (g_str_equal (method, "Ack"))
    ack (self, parameters, invocation);
  else if (g_str_equal (method, "Unsubscribe"))
    unsubscribe (self, invocation);
  else
    control_call (self, method, parameters, invocation);
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call_cb,
};

/* Control (export thread → owner thread) *************************************/

typedef enum
{
  CONTROL_STOP,
  CONTROL_FORCE_CANCEL,
  CONTROL_ABANDON,
  CONTROL_DETAILS,
} ControlOp;

typedef struct
{
  gatomicrefcount        ref_count;
  gint                   answered;      /* atomic: the first to answer wins */
  ExportedSet           *set;
  GDBusMethodInvocation *invocation;
  GSource               *timeout;
  ControlOp              op;
  guint64                id;
} Control;

static Control *
control_ref (Control *control)
{
  g_atomic_ref_count_inc (&control->ref_count);
  return control;
}

static void
control_unref (Control *control)
{
  if (!g_atomic_ref_count_dec (&control->ref_count))
    return;

  /* never answered: its context went away (the set was unexported) */
  if (g_atomic_int_compare_and_exchange (&control->answered, FALSE, TRUE))
    return_error (control->invocation, "UnknownWorker", "Worker %" G_GUINT64_FORMAT " is no longer exported",
                  control->id);
  g_clear_pointer (&control->timeout, g_source_unref);
  spindle_exported_set_unref (control->set);
  g_free (control);
}

static gboolean
claim (Control *control)
{
  if (!g_atomic_int_compare_and_exchange (&control->answered, FALSE, TRUE))
    return FALSE;

  g_source_destroy (control->timeout);
  return TRUE;
}

static SpindleWorker *
find_worker (GListModel *model,
             guint64     id)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);
      SpindleWorker *found;

      if (spindle_worker_get_id (worker) == id)
        return worker;
      if ((found = find_worker (spindle_worker_get_children (worker), id)) != NULL)
        return found;
    }

  return NULL;
}

static void
control_act (Control       *control,
             SpindleWorker *worker)
{
  GDBusMethodInvocation *invocation = control->invocation;

  if (control->op == CONTROL_DETAILS)
    {
      g_dbus_method_invocation_return_value (invocation, _spindle_export_details (worker));
      return;
    }

  if (spindle_worker_is_terminal (worker))
    {
      return_error (invocation, "Finished", "Worker %" G_GUINT64_FORMAT " already ended (%s)", control->id,
                    _spindle_export_nick (SPINDLE_TYPE_WORKER_STATE, spindle_worker_get_state (worker)));
      return;
    }

  switch (control->op)
    {
    case CONTROL_STOP:
      spindle_worker_request_stop (worker);
      break;

    case CONTROL_FORCE_CANCEL:
      spindle_worker_force_cancel (worker);
      break;

    case CONTROL_ABANDON:
      if (spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_STARTING ||
          spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_RUNNING)
        {
          return_error (invocation, "InvalidArgs",
                        "Worker %" G_GUINT64_FORMAT " was not asked to stop: stop or cancel it first",
                        control->id);
          return;
        }
      spindle_worker_abandon (worker);
      break;

    case CONTROL_DETAILS:
    default:
      g_assert_not_reached ();
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* Owner thread. */
static gboolean
control_run_cb (gpointer data)
{
  Control *control = data;
  SpindleWorkerSet *set = control->set->set;
  SpindleWorker *worker;

  if (!claim (control))
    return G_SOURCE_REMOVE;

  worker = set != NULL ? find_worker (G_LIST_MODEL (set), control->id & WORKER_ID_MASK) : NULL;
  if (worker == NULL)
    return_error (control->invocation, "UnknownWorker", "No worker %" G_GUINT64_FORMAT, control->id);
  else
    control_act (control, worker);

  return G_SOURCE_REMOVE;
}

/* Export thread: nothing was done, and nothing will be. */
static gboolean
control_timeout_cb (gpointer data)
{
  Control *control = data;

  if (g_atomic_int_compare_and_exchange (&control->answered, FALSE, TRUE))
    return_error (control->invocation, "NotResponding",
                  "The program's main context did not run the call in %d s",
                  (int) (CONTROL_WAIT_USEC / G_USEC_PER_SEC));

  return G_SOURCE_REMOVE;
}

static ExportedSet *
find_set (Export  *self,
          guint64  id)
{
  ExportedSet *found = NULL;

  g_mutex_lock (&export_mutex);
  for (guint i = 0; i < self->sets->len && found == NULL; i++)
    {
      ExportedSet *set = g_ptr_array_index (self->sets, i);

      if (set->number == id >> SPINDLE_EXPORT_SET_SHIFT)
        found = spindle_exported_set_ref (set);
    }
  g_mutex_unlock (&export_mutex);

  return found;
}

static gboolean
parse_op (const char *method,
          ControlOp  *op)
{
  static const char * const names[] = { "Stop", "ForceCancel", "Abandon", "Details" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (method, names[i]))
      {
        *op = i;
        return TRUE;
      }

  return FALSE;
}

static void
control_call (Export                *self,
              const char            *method,
         GVariant              *parameters,
         GDBusMethodInvocation *invocation)
{
  ExportedSet *set;
  Control *call;
  ControlOp op;
  guint64 id;

  if (!parse_op (method, &op))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No method %s", method);
      return;
    }

  g_variant_get (parameters, "(t)", &id);
  if ((set = find_set (self, id)) == NULL)
    {
      return_error (invocation, "UnknownWorker", "No worker %" G_GUINT64_FORMAT, id);
      return;
    }
  if (op != CONTROL_DETAILS && !(g_atomic_int_get (&set->flags) & SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL))
    {
      spindle_exported_set_unref (set);
      return_error (invocation, "NotAllowed", "The program exports its workers read-only");
      return;
    }

  call = g_new0 (Control, 1);
  g_atomic_ref_count_init (&call->ref_count);
  call->set = set;
  call->invocation = invocation;
  call->op = op;
  call->id = id;
  call->timeout = g_timeout_source_new (CONTROL_WAIT_USEC / 1000);
  g_source_set_callback (call->timeout, control_timeout_cb, control_ref (call),
                         (GDestroyNotify) control_unref);
  g_source_attach (call->timeout, self->context);
  g_main_context_invoke_full (call->set->context, G_PRIORITY_DEFAULT, control_run_cb,
                              call, (GDestroyNotify) control_unref);
}

/* The export thread **********************************************************/

static void
set_ready (Export *self,
           GError *error)
{
  g_mutex_lock (&export_mutex);
  self->ready = TRUE;
  if (error != NULL && self->error == NULL)
    self->error = g_error_copy (error);
  g_cond_broadcast (&export_cond);
  g_mutex_unlock (&export_mutex);
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  set_ready (user_data, NULL);
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                                         "Could not own the name %s on the session bus", name);

  set_ready (user_data, error);
}

static gboolean
connect_bus (Export  *self,
             GError **error)
{
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, error);

  if (address == NULL)
    return FALSE;

  /* our own connection: the program's traffic and ours never wait on
   * each other, and closing it at unexport touches nothing of theirs
   */
  self->connection = g_dbus_connection_new_for_address_sync (address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, error);
  if (self->connection == NULL)
    return FALSE;

  g_dbus_connection_set_exit_on_close (self->connection, FALSE);
  self->object_id = g_dbus_connection_register_object (self->connection, SPINDLE_EXPORT_OBJECT_PATH,
                                                       spindle_dbus_program_interface_info (),
                                                       &vtable, self, NULL, error);
  if (self->object_id == 0)
    return FALSE;

  self->owner_id = g_bus_own_name_on_connection (self->connection, self->bus_name,
                                                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                 name_acquired_cb, name_lost_cb, self, NULL);
  return TRUE;
}

static void
disconnect_bus (Export *self)
{
  for (guint i = 0; i < self->waiting->len; i++)
    return_error (((WaitingSubscribe *) g_ptr_array_index (self->waiting, i))->invocation,
                  "NotSubscribed", "The program stopped exporting its workers");
  g_ptr_array_set_size (self->waiting, 0);
  g_hash_table_remove_all (self->subscribers);

  if (self->wait_source != NULL)
    g_source_destroy (self->wait_source);
  g_clear_pointer (&self->wait_source, g_source_unref);

  if (self->owner_id != 0)
    g_bus_unown_name (self->owner_id);
  if (self->object_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->object_id);
  if (self->connection != NULL)
    g_dbus_connection_close_sync (self->connection, NULL, NULL);
  g_clear_object (&self->connection);
}

static gpointer
export_thread (gpointer data)
{
  Export *self = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  if (!connect_bus (self, &error))
    set_ready (self, error);
  else
    g_main_loop_run (self->loop);

  disconnect_bus (self);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static void
export_free (Export *self)
{
  g_clear_pointer (&self->loop, g_main_loop_unref);
  /* pending deltas and control calls are dropped with the context */
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->sets, g_ptr_array_unref);
  g_clear_pointer (&self->subscribers, g_hash_table_unref);
  g_clear_pointer (&self->mirror, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_free (self->bus_name);
  g_free (self->program_name);
  g_free (self);
}

static Export *
export_new (void)
{
  Export *self = g_new0 (Export, 1);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->bus_name = g_strdup_printf (SPINDLE_EXPORT_NAME_PREFIX "p%d", (int) getpid ());
  self->program_name = program_name ();
  self->sets = g_ptr_array_new ();
  self->subscribers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) subscriber_free);
  self->mirror = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) mirror_entry_free);
  self->waiting = g_ptr_array_new_with_free_func (g_free);
  self->interval_ms = DEFAULT_INTERVAL_MS;

  return self;
}

/* Stops the thread; export_mutex is not held. */
static void
export_stop (Export *self)
{
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  export_free (self);
}

/* Called with export_mutex held: the process's export, started if need be. */
static Export *
export_acquire (GError **error)
{
  Export *self = the_export;

  if (self != NULL)
    return self;

  self = export_new ();
  self->thread = g_thread_new ("spindle-export", export_thread, self);
  while (!self->ready)
    g_cond_wait (&export_cond, &export_mutex);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      g_mutex_unlock (&export_mutex);
      export_stop (self);
      g_mutex_lock (&export_mutex);
      return NULL;
    }

  the_export = self;
  return self;
}

/* Exported sets ***************************************************************/

static ExportedSet *
spindle_exported_set_ref (ExportedSet *set)
{
  g_atomic_ref_count_inc (&set->ref_count);
  return set;
}

static void
spindle_exported_set_unref (ExportedSet *set)
{
  if (!g_atomic_ref_count_dec (&set->ref_count))
    return;

  g_assert (set->set == NULL);
  g_clear_pointer (&set->tick, g_source_unref);
  g_clear_pointer (&set->context, g_main_context_unref);
  g_free (set);
}

static void
items_changed_cb (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  ExportedSet *set)
{
  GHashTable *changed = set->set->export_changed;

  /* marks may name workers that are gone: the next tick walks the set */
  if (removed > 0)
    {
      set->resync = TRUE;
      if (changed != NULL)
        g_hash_table_remove_all (changed);
    }
}

static void
n_live_cb (SpindleWorkerSet *model,
           GParamSpec       *pspec,
           ExportedSet      *set)
{
  g_atomic_int_set (&set->n_live, spindle_worker_set_get_n_live (model));
}

static void set_finalized_cb (gpointer data, GObject *where_the_object_was);

static ExportedSet *
exported_set_new (Export             *export,
                  SpindleWorkerSet   *model,
                  SpindleExportFlags  flags)
{
  ExportedSet *set = g_new0 (ExportedSet, 1);

  g_atomic_ref_count_init (&set->ref_count);
  set->export = export;
  set->number = export->next_number++;
  set->flags = flags;
  set->set = model;
  set->context = g_main_context_ref (model->context);
  set->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) entry_free);
  set->forgotten = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  set->resync = TRUE;
  set->n_live = spindle_worker_set_get_n_live (model);

  set->tick = g_source_new (&tick_funcs, sizeof (GSource));
  g_source_set_static_name (set->tick, "[spindle] export tick");
  g_source_set_callback (set->tick, tick_cb, spindle_exported_set_ref (set),
                         (GDestroyNotify) spindle_exported_set_unref);
  g_source_set_ready_time (set->tick, -1);
  g_source_attach (set->tick, set->context);

  set->items_changed_id = g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), set);
  set->n_live_id = g_signal_connect (model, "notify::n-live", G_CALLBACK (n_live_cb), set);
  g_object_weak_ref (G_OBJECT (model), set_finalized_cb, set);

  return set;
}

/* Every worker of the set leaves subscribers' views. */
static Delta *
removal (ExportedSet *set)
{
  Delta *delta = delta_new (set, FALSE);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, set->cache);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    g_array_append_val (delta->removed, entry->id);

  return delta;
}

/* Owner thread, with export_mutex held: the set stops being exported;
 * @model is NULL when it is being finalized.
 */
static void
exported_set_detach (ExportedSet      *set,
                     SpindleWorkerSet *model)
{
  if (model != NULL)
    {
      g_clear_signal_handler (&set->items_changed_id, model);
      g_clear_signal_handler (&set->n_live_id, model);
      g_object_weak_unref (G_OBJECT (model), set_finalized_cb, set);
    }
  /* the last set going takes the name with it: clients keep the last
   * state they saw; other sets going leave the views of the rest
   */
  if (set->export->sets->len > 1)
    hand_over (set, removal (set));
  g_clear_pointer (&set->set->export_changed, g_hash_table_unref);
  g_source_destroy (set->tick);
  g_clear_pointer (&set->cache, g_hash_table_unref);
  g_clear_pointer (&set->forgotten, g_hash_table_unref);
  g_queue_init (&set->finished);
  set->set = NULL;
}

static ExportedSet *
lookup_set (Export           *export,
            SpindleWorkerSet *model)
{
  for (guint i = 0; export != NULL && i < export->sets->len; i++)
    {
      ExportedSet *set = g_ptr_array_index (export->sets, i);

      if (set->set == model)
        return set;
    }

  return NULL;
}

/* With export_mutex held; releases it. The last set stops the thread. */
static void
export_release (Export      *export,
                ExportedSet *set)
{
  gboolean last;

  g_ptr_array_remove (export->sets, set);
  last = export->sets->len == 0;
  if (last)
    the_export = NULL;
  g_mutex_unlock (&export_mutex);

  spindle_exported_set_unref (set);
  if (last)
    export_stop (export);
}

static void
set_finalized_cb (gpointer  data,
                  GObject  *where_the_object_was)
{
  ExportedSet *set = data;

  g_mutex_lock (&export_mutex);
  exported_set_detach (set, NULL);
  export_release (set->export, set);
}

/* Public API ******************************************************************/

/**
 * spindle_worker_set_export:
 * @set: a set
 * @flags: whether clients may control the workers
 * @error: where a failure to reach the session bus goes
 *
 * Shows @set's workers on the session bus, to `spindlectl`, Spindle's
 * "Attach to Program…" and any client of `dev.spindle.Spindle1.Program`
 * (the interface's XML, installed under `dbus-1/interfaces`, describes
 * the protocol). The program owns the name %SPINDLE_EXPORT_NAME_PREFIX
 * followed by "p" and its process id, which
 * spindle_worker_set_get_export_name() returns; every set a program
 * exports shares it. The first export waits until the name is owned.
 *
 * Setting `SPINDLE_EXPORT=1` in a program's environment exports every
 * set it creates read-only, and `SPINDLE_EXPORT=control` with control
 * allowed, without a line of code.
 *
 * The bus connection, subscriptions and flow control run on a thread of
 * their own: a client is answered even while the program's main loop is
 * busy. The workers' state is gathered on @set's main context, only
 * while a client subscribes: nothing is sent to the bus while no one
 * does. A program that never runs that context (no main loop) never
 * learns of its workers' own progress either: its clients are answered,
 * after at most 2 s, with the state as of the last time the context ran,
 * and control calls fail after 5 s with
 * `dev.spindle.Spindle1.Error.NotResponding`, having done nothing.
 *
 * Finished workers stay visible for 60 s after they ended, and no more
 * than the 1,000 that ended last.
 *
 * Exporting a set again changes its flags. Use it from @set's thread.
 *
 * Returns: whether @set is exported
 */
gboolean
spindle_worker_set_export (SpindleWorkerSet    *set,
                           SpindleExportFlags   flags,
                           GError             **error)
{
  ExportedSet *exported;
  Export *export;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), FALSE);
  SPINDLE_RETURN_VAL_IF_NOT_OWNER (set->owner, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&export_mutex);
  if ((exported = lookup_set (the_export, set)) != NULL)
    {
      g_atomic_int_set (&exported->flags, flags);
      g_mutex_unlock (&export_mutex);
      return TRUE;
    }

  if ((export = export_acquire (error)) == NULL)
    {
      g_mutex_unlock (&export_mutex);
      return FALSE;
    }

  exported = exported_set_new (export, set, flags);
  g_ptr_array_add (export->sets, exported);
  g_mutex_unlock (&export_mutex);

  /* the mirror starts right, for a subscriber whose program does not run
   * its main context
   */
  hand_over (exported, gather (exported, FALSE));

  return TRUE;
}

/**
 * spindle_worker_set_unexport:
 * @set: a set
 *
 * Takes @set off the session bus: its workers leave subscribers' views.
 * When no set of the program is exported any more, the program gives up
 * its name and closes its bus connection. Does nothing if @set is not
 * exported. A set is unexported when it is finalized. Use it from @set's
 * thread.
 */
void
spindle_worker_set_unexport (SpindleWorkerSet *set)
{
  ExportedSet *exported;

  g_return_if_fail (SPINDLE_IS_WORKER_SET (set));
  SPINDLE_RETURN_IF_NOT_OWNER (set->owner);

  g_mutex_lock (&export_mutex);
  if ((exported = lookup_set (the_export, set)) == NULL)
    {
      g_mutex_unlock (&export_mutex);
      return;
    }

  exported_set_detach (exported, set);
  export_release (exported->export, exported);
}

/**
 * spindle_worker_set_get_export_name:
 * @set: a set
 *
 * The name on the session bus under which @set is exported.
 *
 * Returns: (nullable): the well-known name, or %NULL if @set is not exported
 */
const char *
spindle_worker_set_get_export_name (SpindleWorkerSet *set)
{
  const char *name = NULL;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);

  g_mutex_lock (&export_mutex);
  if (lookup_set (the_export, set) != NULL)
    name = the_export->bus_name;
  g_mutex_unlock (&export_mutex);

  return name;
}

/* SPINDLE_EXPORT=1 or =control: every set the program creates. */
void
_spindle_export_from_environment (SpindleWorkerSet *set)
{
  const char *value = g_getenv ("SPINDLE_EXPORT");
  g_autoptr(GError) error = NULL;
  SpindleExportFlags flags;
  static gsize warned = 0;

  if (value == NULL || value[0] == '\0' || g_str_equal (value, "0"))
    return;

  flags = g_str_equal (value, "control") ? SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL : SPINDLE_EXPORT_FLAGS_NONE;
  if (!spindle_worker_set_export (set, flags, &error) && g_once_init_enter (&warned))
    {
      g_message ("SPINDLE_EXPORT: %s", error->message);
      g_once_init_leave (&warned, 1);
    }
}

/* For tests: signals sent since the export started. */
guint
_spindle_export_get_n_signals (void)
{
  guint n;

  g_mutex_lock (&export_mutex);
  n = the_export != NULL ? (guint) g_atomic_int_get (&the_export->n_signals) : 0;
  g_mutex_unlock (&export_mutex);

  return n;
}

/* For tests: clients subscribed now, waiting ones included. */
guint
_spindle_export_get_n_subscribers (void)
{
  guint n;

  g_mutex_lock (&export_mutex);
  n = the_export != NULL ? (guint) g_atomic_int_get (&the_export->n_subscribers) : 0;
  g_mutex_unlock (&export_mutex);

  return n;
}

/* For tests: how many finished workers stay exported, and how long. */
void
_spindle_export_set_retention (guint  max,
                               gint64 usec)
{
  g_atomic_int_set (&retain_max, max);
  g_mutex_lock (&export_mutex);
  retain_usec = usec;
  g_mutex_unlock (&export_mutex);
}

/* For tests: whether @set's workers mark their changes for a tick (only
 * while someone subscribes). Owner thread.
 */
gboolean
_spindle_export_is_gathering (SpindleWorkerSet *set)
{
  return set->export_changed != NULL;
}
