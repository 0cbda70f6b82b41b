/* spindle-export-bus.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-export"

#include "config.h"

#include "spindle-export-private.h"

/* The export thread's side: subscribers and their flow control, a mirror
 * of what was last sent (id → keys), the methods of
 * dev.spindle.Spindle1.Program but its control ones. Never a worker.
 */

#define MIN_INTERVAL_MS      50
#define MAX_INTERVAL_MS      10000
#define MAX_UNACKED          8
#define SNAPSHOT_WAIT_USEC   (2 * G_USEC_PER_SEC)

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

/* The mirror and subscribers (export thread) *********************************/

static void
subscriber_free (Subscriber *subscriber)
{
  g_dbus_connection_signal_unsubscribe (subscriber->connection, subscriber->watch_id);
  g_free (subscriber->name);
  g_free (subscriber);
}

static void
emit_to (SpindleExport *self,
         const char    *destination,
         const char    *signal,
         GVariant      *body)
{
  g_autoptr(GError) error = NULL;

  g_atomic_int_inc (&self->n_signals);
  if (!g_dbus_connection_emit_signal (self->connection, destination, SPINDLE_EXPORT_OBJECT_PATH,
                                      SPINDLE_EXPORT_INTERFACE, signal, body, &error))
    g_debug ("Could not send %s to %s: %s", signal, destination, error->message);
}

static void
update_counts (SpindleExport *self)
{
  guint interval = G_MAXUINT;
  GHashTableIter iter;
  Subscriber *subscriber;

  g_hash_table_iter_init (&iter, self->subscribers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &subscriber))
    interval = MIN (interval, subscriber->interval_ms);
  for (guint i = 0; i < self->waiting->len; i++)
    interval = MIN (interval, ((WaitingSubscribe *) g_ptr_array_index (self->waiting, i))->interval_ms);

  g_atomic_int_set (&self->interval_ms, interval == G_MAXUINT ? SPINDLE_EXPORT_DEFAULT_INTERVAL_MS : (gint) interval);
  g_atomic_int_set (&self->n_subscribers, g_hash_table_size (self->subscribers) + self->waiting->len);
}

/* Tells every set's tick, so that the last one to go stops tracking. */
static void
poke_all (SpindleExport *self,
          gboolean       sync)
{
  guint n;

  _spindle_export_lock ();
  n = self->sets->len;
  for (guint i = 0; i < n; i++)
    _spindle_export_poke (g_ptr_array_index (self->sets, i), sync);
  _spindle_export_unlock ();
}

static void
forget_subscriber (SpindleExport *self,
                   const char    *name)
{
  if (!g_hash_table_remove (self->subscribers, name))
    return;

  update_counts (self);
  if (g_atomic_int_get (&self->n_subscribers) == 0)
    poke_all (self, FALSE);
}

/* A worker as last sent: the latest value of each key, in the protocol's
 * order, and the dict a snapshot built from them until one changes. A
 * tick costs the export thread a slot per changed key; a snapshot builds
 * the dicts of the workers that changed since the last one.
 */
static const char * const mirror_keys[] = {
  "id", "set", "parent", "name", "kind", "tid", "state", "stop-reason", "started-at",
  "finished-at", "phase", "progress", "waiting-for", "deadline", "escalation",
  "escalation-at", "unresponsive", "error", "result", "pid", "cleanup",
};

#define N_MIRROR_KEYS G_N_ELEMENTS (mirror_keys)

typedef struct
{
  GVariant *values[N_MIRROR_KEYS];
  GVariant *dict;         /* NULL: a value changed since it was built */
} MirrorEntry;

static void
mirror_entry_free (MirrorEntry *entry)
{
  for (guint i = 0; i < N_MIRROR_KEYS; i++)
    g_clear_pointer (&entry->values[i], g_variant_unref);
  g_clear_pointer (&entry->dict, g_variant_unref);
  g_free (entry);
}

/* Partials carry their keys in the protocol's order: @hint is where the
 * previous key was found, so a lookup costs a comparison or two.
 */
static guint
mirror_key_index (const char *key,
                  guint       hint)
{
  for (guint i = 0; i < N_MIRROR_KEYS; i++)
    {
      guint k = (hint + i) % N_MIRROR_KEYS;

      if (g_str_equal (mirror_keys[k], key))
        return k;
    }

  return N_MIRROR_KEYS;
}

static void
mirror_entry_apply (MirrorEntry *entry,
                    GVariant    *partial)
{
  GVariantIter iter;
  GVariant *entry_value;
  guint k = 0;

  /* by value, not by format string: no "{&sv}" to parse per key */
  g_variant_iter_init (&iter, partial);
  while ((entry_value = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) name = g_variant_get_child_value (entry_value, 0);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (entry_value, 1);
      const char *key = g_variant_get_string (name, NULL);
      GVariant *value = g_variant_get_variant (boxed);

      g_variant_unref (entry_value);
      k = mirror_key_index (key, k);
      if (k == N_MIRROR_KEYS)
        {
          g_variant_unref (value);
          k = 0;
          continue;
        }
      g_clear_pointer (&entry->values[k], g_variant_unref);
      entry->values[k] = value;
    }

  g_clear_pointer (&entry->dict, g_variant_unref);
}

static GVariant *
mirror_entry_dict (MirrorEntry *entry)
{
  GVariantBuilder builder;

  if (entry->dict != NULL)
    return entry->dict;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint k = 0; k < N_MIRROR_KEYS; k++)
    if (entry->values[k] != NULL)
      g_variant_builder_add_value (&builder, g_variant_new_dict_entry (g_variant_new_string (mirror_keys[k]),
                                                                       g_variant_new_variant (entry->values[k])));
  entry->dict = g_variant_ref_sink (g_variant_builder_end (&builder));

  return entry->dict;
}

static void
mirror_apply (SpindleExport      *self,
              SpindleExportDelta *delta)
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

          /* a new worker: its partial has every key */
          *key = id;
          entry = g_new0 (MirrorEntry, 1);
          g_hash_table_insert (self->mirror, key, entry);
        }

      mirror_entry_apply (entry, partial);
    }

  for (guint i = 0; i < delta->removed->len; i++)
    g_hash_table_remove (self->mirror, &g_array_index (delta->removed, guint64, i));
}

static GVariant *
update_body (SpindleExport      *self,
             SpindleExportDelta *delta)
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
send_update (SpindleExport      *self,
             SpindleExportDelta *delta)
{
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GPtrArray) behind = g_ptr_array_new ();
  GHashTableIter iter;
  Subscriber *subscriber;

  if (g_hash_table_size (self->subscribers) == 0 || _spindle_export_delta_is_empty (delta))
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
      /* forgotten first: by the time it hears, it costs nothing more */
      g_autofree char *name = g_strdup (g_ptr_array_index (behind, i));

      forget_subscriber (self, name);
      emit_to (self, name, "SubscriptionDropped",
               g_variant_new ("(s)", "more than 8 updates were not acknowledged"));
    }
}

static void complete_waiting (SpindleExport *self);

void
_spindle_export_apply_delta (SpindleExportDelta *delta)
{
  SpindleExport *self = delta->set->export;

  mirror_apply (self, delta);
  send_update (self, delta);

  if (delta->sync && self->n_awaited > 0 && --self->n_awaited == 0)
    complete_waiting (self);
}

/* D-Bus methods (export thread) ***********************************************/


void
_spindle_export_return_error (GDBusMethodInvocation *invocation,
                              const char            *name,
                              const char            *format,
                              ...)
{
  g_autofree char *error_name = g_strconcat (SPINDLE_EXPORT_ERROR_PREFIX, name, NULL);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_dbus_method_invocation_return_dbus_error (invocation, error_name, message);
}

static GVariant *
describe (SpindleExport *self)
{
  GVariantBuilder builder;
  gboolean control = FALSE;
  guint n_workers = 0;
  guint n_sets;

  _spindle_export_lock ();
  n_sets = self->sets->len;
  for (guint i = 0; i < n_sets; i++)
    {
      SpindleExportedSet *set = g_ptr_array_index (self->sets, i);

      control |= (g_atomic_int_get (&set->flags) & SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL) != 0;
      n_workers += g_atomic_int_get (&set->n_live);
    }
  _spindle_export_unlock ();

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "pid", g_variant_new_uint32 (getpid ()));
  g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (self->program_name));
  g_variant_builder_add (&builder, "{sv}", "version", g_variant_new_string (PACKAGE_VERSION));
  g_variant_builder_add (&builder, "{sv}", "control", g_variant_new_boolean (control));
  g_variant_builder_add (&builder, "{sv}", "n-sets", g_variant_new_uint32 (n_sets));
  g_variant_builder_add (&builder, "{sv}", "n-workers", g_variant_new_uint32 (n_workers));
  g_variant_builder_add (&builder, "{sv}", "interval-ms", g_variant_new_uint32 (SPINDLE_EXPORT_DEFAULT_INTERVAL_MS));

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
snapshot (SpindleExport *self)
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
                                 mirror_entry_dict (g_hash_table_lookup (self->mirror, g_ptr_array_index (keys, i))));

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
  SpindleExport *self = user_data;
  const char *name;
  const char *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, NULL, &new_owner);
  if (new_owner[0] == '\0')
    forget_subscriber (self, name);
}

static void
add_subscriber (SpindleExport    *self,
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
complete_waiting (SpindleExport *self)
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
subscribe (SpindleExport         *self,
           GVariant              *parameters,
           GDBusMethodInvocation *invocation)
{
  g_autoptr(GVariant) options = NULL;
  WaitingSubscribe *waiting;
  guint interval_ms = SPINDLE_EXPORT_DEFAULT_INTERVAL_MS;
  GVariant *value;

  g_variant_get (parameters, "(@a{sv})", &options);
  value = g_variant_lookup_value (options, "interval-ms", NULL);
  if (value != NULL && !g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    {
      g_variant_unref (value);
      _spindle_export_return_error (invocation, "InvalidArgs", "interval-ms must be of type u");
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

  _spindle_export_lock ();
  self->n_awaited = self->sets->len;
  _spindle_export_unlock ();
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
ack (SpindleExport         *self,
     GVariant              *parameters,
     GDBusMethodInvocation *invocation)
{
  Subscriber *subscriber = g_hash_table_lookup (self->subscribers,
                                                g_dbus_method_invocation_get_sender (invocation));
  guint64 seq;

  g_variant_get (parameters, "(t)", &seq);
  if (subscriber == NULL)
    {
      _spindle_export_return_error (invocation, "NotSubscribed", "Subscribe first");
      return;
    }
  if (seq > subscriber->sent)
    {
      _spindle_export_return_error (invocation, "InvalidArgs", "Update %" G_GUINT64_FORMAT " was not sent", seq);
      return;
    }

  subscriber->acked = MAX (subscriber->acked, seq);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
unsubscribe (SpindleExport         *self,
             GDBusMethodInvocation *invocation)
{
  const char *sender = g_dbus_method_invocation_get_sender (invocation);

  if (!g_hash_table_contains (self->subscribers, sender))
    {
      _spindle_export_return_error (invocation, "NotSubscribed", "Not subscribed");
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
  SpindleExport *self = user_data;

  if (g_str_equal (method, "Describe"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a{sv})", describe (self)));
  else if (g_str_equal (method, "Subscribe"))
    subscribe (self, parameters, invocation);
  else if (g_str_equal (method, "Ack"))
    ack (self, parameters, invocation);
  else if (g_str_equal (method, "Unsubscribe"))
    unsubscribe (self, invocation);
  else
    _spindle_export_control_call (self, method, parameters, invocation);
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call_cb,
};

const GDBusInterfaceVTable *
_spindle_export_get_vtable (void)
{
  return &vtable;
}

/* The export thread's tables, made with the export and cleared as its
 * thread ends: waiting subscribers are told, subscribers forgotten.
 */
void
_spindle_export_bus_init (SpindleExport *self)
{
  self->subscribers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) subscriber_free);
  self->mirror = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) mirror_entry_free);
  self->waiting = g_ptr_array_new_with_free_func (g_free);
}

void
_spindle_export_bus_close (SpindleExport *self)
{
  for (guint i = 0; i < self->waiting->len; i++)
    _spindle_export_return_error (((WaitingSubscribe *) g_ptr_array_index (self->waiting, i))->invocation,
                                  "NotSubscribed", "The program stopped exporting its workers");
  g_ptr_array_set_size (self->waiting, 0);
  g_hash_table_remove_all (self->subscribers);

  if (self->wait_source != NULL)
    g_source_destroy (self->wait_source);
  g_clear_pointer (&self->wait_source, g_source_unref);
}

void
_spindle_export_bus_free (SpindleExport *self)
{
  g_clear_pointer (&self->subscribers, g_hash_table_unref);
  g_clear_pointer (&self->mirror, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
}

