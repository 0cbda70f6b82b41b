/* spindle-remote.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-i18n-private.h"
#include "spindle-remote-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* Attaching to a program that exports its workers (see
 * dev.spindle.Spindle1.Program.xml): the set it returns mirrors them. Its
 * workers are plain SpindleWorkers with no job: the snapshot creates them,
 * each Update sets what changed and emits what a local worker would
 * (notify, the request, cleanup and finished signals, in their order), all
 * on the set's context. Their requests go back over the bus. So the
 * window, its list and its side pane take a remote set as they take a
 * local one.
 *
 * The client subscribes to Update before it asks for the snapshot, so no
 * update falls between the two: those that come before the snapshot's
 * reply wait, and only those after its sequence number apply. A gap in
 * the numbers, or SubscriptionDropped, asks for a fresh snapshot, which
 * the mirror is reconciled with by id (spindle-remote-mirror.c).
 */

#define PROGRAM_PATH      "/dev/spindle/Spindle1"
#define PROGRAM_INTERFACE "dev.spindle.Spindle1.Program"
#define DEFAULT_INTERVAL_MS 250
#define MAX_PENDING       64


static void
ack (SpindleRemote *self)
{
  g_dbus_connection_call (self->connection, self->owner, PROGRAM_PATH, PROGRAM_INTERFACE, "Ack",
                          g_variant_new ("(t)", self->seq), NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1, NULL, NULL, NULL);
}

static void resubscribe (SpindleRemote *self);

static void
apply_update (SpindleRemote *self,
              GVariant      *parameters)
{
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GVariant) removed = NULL;
  const guint64 *ids;
  guint64 seq;
  guint32 dropped;
  gsize n_ids;

  g_variant_get (parameters, "(tu@aa{sv}@at)", &seq, &dropped, &changed, &removed);

  if (seq <= self->seq)
    return;
  if (seq != self->seq + 1)
    {
      g_debug ("Update %" G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT ": a fresh snapshot",
               seq, self->seq);
      resubscribe (self);
      return;
    }

  self->seq = seq;
  _spindle_remote_apply_changed (self, changed);
  ids = g_variant_get_fixed_array (removed, &n_ids, sizeof (guint64));
  for (gsize i = 0; i < n_ids; i++)
    _spindle_remote_remove_worker (self, ids[i]);

  ack (self);
}

static void
on_update (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         user_data)
{
  SpindleRemote *self = user_data;
  g_autoptr(SpindleWorkerSet) set = NULL;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(tuaa{sv}at)")))
    return;

  if (self->subscribing)
    {
      if (self->pending.length < MAX_PENDING)
        g_queue_push_tail (&self->pending, g_variant_ref (parameters));
      return;
    }

  /* a handler of what the update emits may drop the set, which owns us */
  set = g_object_ref (self->set);
  apply_update (self, parameters);
}

static void
on_dropped (GDBusConnection *connection,
            const char      *sender,
            const char      *path,
            const char      *interface,
            const char      *signal,
            GVariant        *parameters,
            gpointer         user_data)
{
  SpindleRemote *self = user_data;

  g_debug ("Subscription to %s dropped: a fresh snapshot", self->bus_name);
  resubscribe (self);
}

static void
set_gone (SpindleRemote *self)
{
  g_autoptr(SpindleWorkerSet) set = NULL;

  if (self->gone)
    return;

  /* a handler of the workers' notifies may drop the set, which owns us */
  set = g_object_ref (self->set);
  self->gone = TRUE;
  _spindle_remote_freeze (self);
  _spindle_worker_set_notify_remote_gone (set);
}

static void
on_owner_changed (GDBusConnection *connection,
                  const char      *sender,
                  const char      *path,
                  const char      *interface,
                  const char      *signal,
                  GVariant        *parameters,
                  gpointer         user_data)
{
  SpindleRemote *self = user_data;
  const char *name, *old_owner, *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (!g_str_equal (name, self->bus_name) || g_str_equal (new_owner, self->owner))
    return;

  /* the name left its owner: that program exited, or stopped exporting */
  set_gone (self);
}

/* Subscribing ***************************************************************/

static void
apply_info (SpindleRemote *self,
            GVariant      *info)
{
  const char *name = NULL;
  guint32 pid = 0;

  if (g_variant_lookup (info, "pid", "u", &pid))
    self->pid = (int) pid;
  if (g_variant_lookup (info, "name", "&s", &name))
    {
      g_free (self->name);
      self->name = g_strdup (name);
    }
  g_variant_lookup (info, "control", "b", &self->control);
}

static void
flush_pending (SpindleRemote *self)
{
  GVariant *update;

  while ((update = g_queue_pop_head (&self->pending)) != NULL)
    {
      if (!self->subscribing)
        apply_update (self, update);
      g_variant_unref (update);
    }
}

static void
fail_attach (SpindleRemote *self,
             GError        *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->attach);

  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

/* The caller's cancellable is checked at each step of attaching. */
static gboolean
attach_cancelled (SpindleRemote *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->attach == NULL || !g_cancellable_is_cancelled (g_task_get_cancellable (self->attach)))
    return FALSE;

  task = g_steal_pointer (&self->attach);
  g_task_return_error_if_cancelled (task);
  return TRUE;
}

/* Finishes a call made for the attach or the subscription. FALSE when
 * there is nothing more to do: the call was cancelled (the remote may be
 * gone: @self is not touched) or the attach was. Otherwise the reply, or
 * NULL and the error. For the Subscribe call (@subscription), the flag
 * that one is in flight is cleared once the remote is known to live. */
static gboolean
finish_call (GObject        *source,
             GAsyncResult   *result,
             SpindleRemote  *self,
             gboolean        subscription,
             GVariant      **reply,
             GError        **error)
{
  *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, error);
  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (error);
      return FALSE;
    }
  if (subscription)
    self->subscribing = FALSE;
  if (attach_cancelled (self))
    {
      g_clear_error (error);
      g_clear_pointer (reply, g_variant_unref);
      return FALSE;
    }
  return TRUE;
}

static GError *
describe_error (SpindleRemote *self,
                GError        *error)
{
  GError *described;

  g_dbus_error_strip_remote_error (error);
  described = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not subscribe to the workers of %s: %s"),
                           self->bus_name, error->message);
  g_error_free (error);
  return described;
}

static void
on_subscribed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GVariant) workers = NULL;
  g_autoptr(SpindleWorkerSet) set = NULL;
  GError *error = NULL;
  SpindleRemote *self = user_data;

  if (!finish_call (source, result, self, TRUE, &reply, &error))
    return;
  if (reply == NULL)
    {
      g_queue_clear_full (&self->pending, (GDestroyNotify) g_variant_unref);
      if (self->attach == NULL)
        {
          g_message ("%s: %s", self->bus_name, error->message);
          g_error_free (error);
          set_gone (self);
          return;
        }
      fail_attach (self, describe_error (self, error));
      return;
    }

  /* a handler of what the snapshot and the updates that waited for it
   * emit may drop the set, which owns us */
  set = g_object_ref (self->set);
  g_variant_get (reply, "(t@a{sv}@aa{sv})", &self->seq, &info, &workers);
  apply_info (self, info);
  _spindle_remote_reconcile (self, workers);
  flush_pending (self);

  if (self->attach != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->attach);

      g_task_return_pointer (task, g_object_ref (self->set), g_object_unref);
    }
}

static void
subscribe (SpindleRemote *self)
{
  GVariantBuilder options;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "interval-ms", g_variant_new_uint32 (DEFAULT_INTERVAL_MS));

  self->subscribing = TRUE;
  g_dbus_connection_call (self->connection, self->owner, PROGRAM_PATH, PROGRAM_INTERFACE, "Subscribe",
                          g_variant_new ("(a{sv})", &options), G_VARIANT_TYPE ("(ta{sv}aa{sv})"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->cancellable, on_subscribed, self);
}

static void
resubscribe (SpindleRemote *self)
{
  if (self->subscribing || self->gone)
    return;

  subscribe (self);
}

/* Signals first, so that no update falls between them and the snapshot. */
static void
watch (SpindleRemote *self)
{
  self->update_id = g_dbus_connection_signal_subscribe (self->connection, self->owner, PROGRAM_INTERFACE,
                                                        "Update", PROGRAM_PATH, NULL,
                                                        G_DBUS_SIGNAL_FLAGS_NONE, on_update, self, NULL);
  self->dropped_id = g_dbus_connection_signal_subscribe (self->connection, self->owner, PROGRAM_INTERFACE,
                                                         "SubscriptionDropped", PROGRAM_PATH, NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE, on_dropped, self, NULL);
  self->owner_id = g_dbus_connection_signal_subscribe (self->connection, "org.freedesktop.DBus",
                                                       "org.freedesktop.DBus", "NameOwnerChanged",
                                                       "/org/freedesktop/DBus", self->bus_name,
                                                       G_DBUS_SIGNAL_FLAGS_NONE, on_owner_changed,
                                                       self, NULL);
}

/* Attaching *****************************************************************/

static SpindleRemote *
remote_new (SpindleWorkerSet *set,
            GDBusConnection  *connection,
            const char       *bus_name)
{
  SpindleRemote *self = g_new0 (SpindleRemote, 1);

  self->set = set;
  self->connection = g_object_ref (connection);
  self->cancellable = g_cancellable_new ();
  self->bus_name = g_strdup (bus_name);
  self->workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, _spindle_remote_mirror_free);
  g_queue_init (&self->pending);

  return self;
}

void
_spindle_remote_free (SpindleRemote *self)
{
  if (self == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  if (self->update_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->update_id);
  if (self->dropped_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->dropped_id);
  if (self->owner_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->owner_id);
  if (self->owner != NULL && !self->gone)
    g_dbus_connection_call (self->connection, self->owner, PROGRAM_PATH, PROGRAM_INTERFACE,
                            "Unsubscribe", NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                            NULL, NULL, NULL);

  g_queue_clear_full (&self->pending, (GDestroyNotify) g_variant_unref);
  g_clear_pointer (&self->workers, g_hash_table_unref);
  g_clear_object (&self->attach);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  g_free (self->bus_name);
  g_free (self->owner);
  g_free (self->name);
  g_free (self);
}

/* "1234" is a process id; anything else a bus name, well-known or unique. */
static char *
bus_name_for (const char  *program,
              int         *pid,
              GError     **error)
{
  guint64 value;

  *pid = 0;
  if (g_ascii_string_to_unsigned (program, 10, 1, G_MAXINT, &value, NULL))
    {
      *pid = (int) value;
      return g_strdup_printf (SPINDLE_REMOTE_NAME_PREFIX "%d", *pid);
    }

  if (g_dbus_is_name (program))
    return g_strdup (program);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("“%s” is neither a process id nor a bus name"), program);
  return NULL;
}

static GError *
no_owner_error (SpindleRemote *self)
{
  char path[32];

  if (self->pid <= 0)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                        _("No program owns the bus name %s"), self->bus_name);

  g_snprintf (path, sizeof path, "/proc/%d", self->pid);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is no process %d"), self->pid);

  return g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                      _("Process %d does not export its workers: a program shows them to Spindle "
                        "when it calls spindle_worker_set_export() or runs with SPINDLE_EXPORT=1"),
                      self->pid);
}

static void
on_owner (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;
  SpindleRemote *self = user_data;

  if (!finish_call (source, result, self, FALSE, &reply, &error))
    return;
  if (reply == NULL)
    {
      g_error_free (error);
      fail_attach (self, no_owner_error (self));
      return;
    }

  g_variant_get (reply, "(s)", &self->owner);
  watch (self);
  subscribe (self);
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(SpindleWorkerSet) set = NULL;
  GError *error = NULL;
  const char *program = g_task_get_task_data (task);
  SpindleRemote *self;
  g_autofree char *bus_name = NULL;
  int pid;

  connection = g_bus_get_finish (result, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if ((bus_name = bus_name_for (program, &pid, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* the set lives on the caller's context, as a local one would */
  set = spindle_worker_set_new ();
  self = remote_new (set, connection, bus_name);
  self->pid = pid;
  self->attach = g_steal_pointer (&task);
  set->remote = self;
  g_object_set_data_full (G_OBJECT (self->attach), "spindle-set", g_steal_pointer (&set), g_object_unref);

  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetNameOwner", g_variant_new ("(s)", bus_name),
                          G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
                          on_owner, self);
}

/**
 * spindle_worker_set_attach_async:
 * @program: the process id of a program that exports its workers (as
 *   text, "1234"), or its bus name
 * @cancellable: (nullable): cancels the attaching
 * @callback: (scope async): called on the thread-default main context
 *   once the program's workers are in the set, or attaching failed
 * @user_data: data for @callback
 *
 * Attaches to a program that exports its worker sets on the session bus
 * (see spindle_worker_set_export() and `SPINDLE_EXPORT=1`): the set that
 * spindle_worker_set_attach_finish() returns mirrors its workers, live,
 * children under their parents. It belongs to the thread-default main
 * context, as spindle_worker_set_new() does, and its workers change and
 * emit their signals there as local workers do. Their requests
 * (spindle_worker_request_stop(), spindle_worker_force_cancel(),
 * spindle_worker_abandon()) are sent to the program; a refusal is logged.
 * A remote set spawns nothing. When the program exits, the set keeps the
 * workers as they last were and #SpindleWorkerSet:remote-gone turns TRUE.
 */
void
spindle_worker_set_attach_async (const char          *program,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (program != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, spindle_worker_set_attach_async);
  g_task_set_task_data (task, g_strdup (program), g_free);

  g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_bus, task);
}

/**
 * spindle_worker_set_attach_finish:
 * @result: the result given to the callback
 * @error: where a failure goes: %G_IO_ERROR_NOT_FOUND when no such program
 *   exports its workers, %G_IO_ERROR_INVALID_ARGUMENT for a @program that
 *   is neither a process id nor a bus name
 *
 * Finishes spindle_worker_set_attach_async().
 *
 * Returns: (transfer full): the remote set, or %NULL with @error set
 */
SpindleWorkerSet *
spindle_worker_set_attach_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == spindle_worker_set_attach_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * spindle_worker_set_is_remote:
 * @set: a set
 *
 * Whether @set mirrors another program's workers
 * (spindle_worker_set_attach_async()) rather than hosting its own.
 *
 * Returns: %TRUE for a remote set
 */
gboolean
spindle_worker_set_is_remote (SpindleWorkerSet *set)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), FALSE);

  return set->remote != NULL;
}

/**
 * spindle_worker_set_get_remote_pid:
 * @set: a set
 *
 * The process id of the program a remote set mirrors.
 *
 * Returns: the process id, or 0 for a local set
 */
int
spindle_worker_set_get_remote_pid (SpindleWorkerSet *set)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), 0);

  return set->remote != NULL ? set->remote->pid : 0;
}

/**
 * spindle_worker_set_get_remote_name:
 * @set: a set
 *
 * The name the program a remote set mirrors gives itself.
 *
 * Returns: (transfer none) (nullable): the program's name, or %NULL for a
 *   local set
 */
const char *
spindle_worker_set_get_remote_name (SpindleWorkerSet *set)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);

  return set->remote != NULL ? set->remote->name : NULL;
}

/**
 * spindle_worker_set_get_remote_gone:
 * @set: a set
 *
 * Whether the program a remote set mirrors has exited (or stopped
 * exporting): its workers are kept as they last were, and their requests
 * do nothing. See #SpindleWorkerSet:remote-gone.
 *
 * Returns: %TRUE once the program is gone; %FALSE for a local set
 */
gboolean
spindle_worker_set_get_remote_gone (SpindleWorkerSet *set)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), FALSE);

  return set->remote != NULL && set->remote->gone;
}

gboolean
_spindle_remote_is_gone (SpindleRemote *self)
{
  return self != NULL && self->gone;
}

/* Requests ******************************************************************/

typedef struct
{
  char    *bus_name;
  guint64  id;
} Request;

static void
on_request_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_message ("Worker %" G_GUINT64_FORMAT " of %s: %s", request->id, request->bus_name, error->message);
    }

  g_free (request->bus_name);
  g_free (request);
}

/* A mirror's request goes to its program; the state it leads to comes
 * back in the next update. Returns FALSE for a local worker.
 */
gboolean
_spindle_remote_forward (SpindleWorker        *worker,
                         SpindleRemoteRequest  kind)
{
  static const char * const methods[] = { "Stop", "ForceCancel", "Abandon" };
  SpindleRemote *self;
  Request *request;

  if (!_spindle_remote_is_mirror (worker))
    return FALSE;

  self = worker->set->remote;
  if (self->gone || self->owner == NULL || spindle_worker_state_is_terminal (worker->state))
    return TRUE;

  request = g_new0 (Request, 1);
  request->bus_name = g_strdup (self->bus_name);
  request->id = worker->id;
  g_dbus_connection_call (self->connection, self->owner, PROGRAM_PATH, PROGRAM_INTERFACE, methods[kind],
                          g_variant_new ("(t)", worker->id), NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          -1, NULL, on_request_done, request);
  return TRUE;
}
