/* spindle-remote.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-enums.h"
#include "spindle-i18n-private.h"
#include "spindle-remote-private.h"
#include "spindle-thread-info-private.h"
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
 * the mirror is reconciled with by id.
 */

#define PROGRAM_PATH      "/dev/spindle/Spindle1"
#define PROGRAM_INTERFACE "dev.spindle.Spindle1.Program"
#define DEFAULT_INTERVAL_MS 250
#define MAX_PENDING       64

struct _SpindleRemote
{
  SpindleWorkerSet *set;          /* owns us */
  GDBusConnection  *connection;
  GCancellable     *cancellable;  /* our calls in flight; cancelled when we go */
  char             *bus_name;     /* the well-known name, or the unique one given */
  char             *owner;        /* the unique name serving it */
  char             *name;         /* the program's */
  int               pid;
  gboolean          control;
  gboolean          gone;
  gboolean          subscribing;  /* a Subscribe call is in flight */
  guint64           seq;          /* the last applied snapshot or Update */
  guint             update_id;
  guint             dropped_id;
  guint             owner_id;
  GHashTable       *workers;      /* id → Mirror */
  GQueue            pending;      /* GVariant Updates that came before the snapshot */
  GTask            *attach;       /* until the first snapshot */
};

typedef struct
{
  SpindleWorker *worker;
  guint          n_steps;         /* cleanup steps emitted so far */
} Mirror;

static void
mirror_free (gpointer data)
{
  Mirror *mirror = data;

  g_object_unref (mirror->worker);
  g_free (mirror);
}

static gboolean
is_mirror (SpindleWorker *worker)
{
  return worker->job == NULL && worker->set != NULL && worker->set->remote != NULL;
}

/* Enum values and keys ******************************************************/

static int
enum_from_nick (GType       type,
                const char *nick,
                int         fallback)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *value = g_enum_get_value_by_nick (klass, nick);

  return value != NULL ? value->value : fallback;
}

static void
set_string (SpindleWorker  *worker,
            char          **field,
            const char     *value,
            guint           prop_id)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  _spindle_worker_notify (worker, prop_id);
}

#define SET_SCALAR(worker, field, value, prop) \
  G_STMT_START { \
    if ((worker)->field != (value)) \
      { \
        (worker)->field = (value); \
        _spindle_worker_notify ((worker), SPINDLE_WORKER_PROP_##prop); \
      } \
  } G_STMT_END

static SpindleCleanupReport *
report_from_variant (GVariant *steps)
{
  SpindleCleanupReport *report = _spindle_cleanup_report_new ();
  const char *label, *outcome, *message;
  gint64 duration, total = 0;
  GVariantIter iter;

  g_variant_iter_init (&iter, steps);
  while (g_variant_iter_next (&iter, "(&s&s&sx)", &label, &outcome, &message, &duration))
    {
      _spindle_cleanup_report_add (report, label,
                                   enum_from_nick (SPINDLE_TYPE_CLEANUP_OUTCOME, outcome,
                                                   SPINDLE_CLEANUP_OUTCOME_OK),
                                   message[0] != '\0' ? message : NULL, duration);
      total += MAX (duration, 0);
    }
  _spindle_cleanup_report_set_duration (report, total);

  return report;
}

static void
apply_result (SpindleWorker *worker,
              const char    *printed)
{
  GVariant *result = g_variant_parse (NULL, printed, NULL, NULL, NULL);

  if (result == NULL)
    result = g_variant_new_string (printed);

  g_clear_pointer (&worker->result, g_variant_unref);
  worker->result = g_variant_ref_sink (result);
  _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_RESULT);
}

static void
apply_error (SpindleWorker *worker,
             const char    *message)
{
  if (worker->error != NULL && g_strcmp0 (worker->error->message, message) == 0)
    return;

  g_clear_error (&worker->error);
  if (message[0] != '\0')
    worker->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
  _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_ERROR);
}

/* Every key but the state and the cleanup, which come last and in order. */
static void
apply_key (SpindleWorker *worker,
           const char    *key,
           GVariant      *value)
{
  if (g_str_equal (key, "name") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    set_string (worker, &worker->name, g_variant_get_string (value, NULL), SPINDLE_WORKER_PROP_NAME);
  else if (g_str_equal (key, "kind") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    set_string (worker, &worker->kind, g_variant_get_string (value, NULL), SPINDLE_WORKER_PROP_KIND);
  else if (g_str_equal (key, "tid") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    SET_SCALAR (worker, tid, g_variant_get_int32 (value), TID);
  else if (g_str_equal (key, "stop-reason") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    SET_SCALAR (worker, stop_reason, (SpindleStopReason) enum_from_nick (SPINDLE_TYPE_STOP_REASON, g_variant_get_string (value, NULL), worker->stop_reason), STOP_REASON);
  else if (g_str_equal (key, "started-at") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    SET_SCALAR (worker, started_at, g_variant_get_int64 (value), STARTED_AT);
  else if (g_str_equal (key, "finished-at") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    SET_SCALAR (worker, finished_at, g_variant_get_int64 (value), FINISHED_AT);
  else if (g_str_equal (key, "phase") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    set_string (worker, &worker->phase, g_variant_get_string (value, NULL), SPINDLE_WORKER_PROP_PHASE);
  else if (g_str_equal (key, "progress") && g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    SET_SCALAR (worker, progress, CLAMP (g_variant_get_double (value), 0.0, 1.0), PROGRESS);
  else if (g_str_equal (key, "waiting-for") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    set_string (worker, &worker->waiting_for, g_variant_get_string (value, NULL), SPINDLE_WORKER_PROP_WAITING_FOR);
  else if (g_str_equal (key, "deadline") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    SET_SCALAR (worker, deadline, MAX (0, g_variant_get_int64 (value)), DEADLINE);
  else if (g_str_equal (key, "escalation") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    SET_SCALAR (worker, escalation, (SpindleEscalation) enum_from_nick (SPINDLE_TYPE_ESCALATION, g_variant_get_string (value, NULL), SPINDLE_ESCALATION_NONE), ESCALATION);
  else if (g_str_equal (key, "escalation-at") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    SET_SCALAR (worker, escalation_at, MAX (0, g_variant_get_int64 (value)), ESCALATION_AT);
  else if (g_str_equal (key, "unresponsive") && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    SET_SCALAR (worker, unresponsive, (guint) g_variant_get_boolean (value), UNRESPONSIVE);
  else if (g_str_equal (key, "error") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    apply_error (worker, g_variant_get_string (value, NULL));
  else if (g_str_equal (key, "result") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    apply_result (worker, g_variant_get_string (value, NULL));
}

/* States and their signals **************************************************/

/* Between two updates a worker may pass through several states: what a
 * local worker would have emitted on the way is emitted here, in the
 * engine's order (request → cleanup-started → cleanup-step* →
 * cleanup-finished → notify::state → finished).
 */
static void
emit_request (SpindleWorker      *worker,
              SpindleWorkerState  old,
              SpindleWorkerState  state)
{
  gboolean was_asked = old >= SPINDLE_WORKER_STATE_STOPPING;

  if (state == SPINDLE_WORKER_STATE_CANCELLING || state == SPINDLE_WORKER_STATE_CANCELLED)
    {
      if (old != SPINDLE_WORKER_STATE_CANCELLING && old < SPINDLE_WORKER_STATE_CLEANING)
        g_signal_emit_by_name (worker, "cancel-requested", worker->stop_reason);
    }
  else if (!was_asked && (state == SPINDLE_WORKER_STATE_STOPPING || state == SPINDLE_WORKER_STATE_STOPPED ||
                          (state == SPINDLE_WORKER_STATE_CLEANING && worker->stop_reason != SPINDLE_STOP_REASON_NONE)))
    g_signal_emit_by_name (worker, "stop-requested", worker->stop_reason);
}

static void
emit_steps (Mirror   *mirror,
            GVariant *cleanup)
{
  SpindleWorker *worker = mirror->worker;
  g_autoptr(SpindleCleanupReport) report = NULL;
  guint n;

  if (cleanup == NULL)
    return;

  report = report_from_variant (cleanup);
  n = spindle_cleanup_report_get_n_steps (report);
  for (; mirror->n_steps < n; mirror->n_steps++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, mirror->n_steps);

      g_signal_emit_by_name (worker, "cleanup-step", step->label, step->outcome, step->message);
    }
}

static void
finish (Mirror   *mirror,
        GVariant *cleanup)
{
  SpindleWorker *worker = mirror->worker;

  if (cleanup != NULL)
    {
      g_clear_pointer (&worker->cleanup_report, spindle_cleanup_report_unref);
      worker->cleanup_report = report_from_variant (cleanup);
      _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_CLEANUP_REPORT);
      g_signal_emit_by_name (worker, "cleanup-finished", worker->cleanup_report);
    }
}

static void
apply_state (Mirror             *mirror,
             SpindleWorkerState  state,
             GVariant           *cleanup,
             gboolean            is_new)
{
  SpindleWorker *worker = mirror->worker;
  SpindleWorkerState old = worker->state;
  gboolean terminal = spindle_worker_state_is_terminal (state);

  /* a mirror never goes back: an old update after a fresh snapshot */
  if (state == old || (!is_new && (state < old || spindle_worker_state_is_terminal (old))))
    {
      if (!terminal)
        emit_steps (mirror, cleanup);
      return;
    }

  if (!is_new)
    {
      emit_request (worker, old, state);
      /* as locally: an abandoned worker's cleanup never started */
      if (old < SPINDLE_WORKER_STATE_CLEANING && state >= SPINDLE_WORKER_STATE_CLEANING &&
          state != SPINDLE_WORKER_STATE_ABANDONED &&
          (state == SPINDLE_WORKER_STATE_CLEANING || cleanup != NULL))
        g_signal_emit_by_name (worker, "cleanup-started");
      emit_steps (mirror, cleanup);
      if (terminal)
        finish (mirror, cleanup);
    }
  else if (terminal && cleanup != NULL)
    {
      worker->cleanup_report = report_from_variant (cleanup);
      mirror->n_steps = spindle_cleanup_report_get_n_steps (worker->cleanup_report);
    }

  worker->state = state;
  _spindle_worker_record (worker, SPINDLE_HISTORY_STATE);
  if (terminal)
    _spindle_worker_clear_sample (worker);
  _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_STATE);

  if (terminal && !is_new)
    {
      _spindle_worker_set_worker_ended (worker->set, worker);
      g_signal_emit_by_name (worker, "finished");
    }
}

static void
apply_worker (Mirror   *mirror,
              GVariant *dict,
              gboolean  is_new)
{
  SpindleWorker *worker = mirror->worker;
  g_autoptr(GVariant) cleanup = g_variant_lookup_value (dict, "cleanup", G_VARIANT_TYPE ("a(sssx)"));
  const char *state_nick = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_object_ref (worker);
  g_object_freeze_notify (G_OBJECT (worker));

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      apply_key (worker, key, value);
      g_variant_unref (value);
    }

  /* the state's notify comes before "finished", not at the thaw */
  g_object_thaw_notify (G_OBJECT (worker));

  if (g_variant_lookup (dict, "state", "&s", &state_nick))
    apply_state (mirror, enum_from_nick (SPINDLE_TYPE_WORKER_STATE, state_nick, worker->state),
                 cleanup, is_new);
  else if (cleanup != NULL && !spindle_worker_state_is_terminal (worker->state))
    emit_steps (mirror, cleanup);

  g_object_unref (worker);
}

/* Workers in and out of the set *********************************************/

static SpindleWorker *
new_worker (SpindleRemote *self,
            guint64        id)
{
  SpindleWorker *worker = g_object_new (SPINDLE_TYPE_WORKER, NULL);
  SpindleWorkerSet *set = self->set;

  worker->set = set;
  worker->id = id;
  worker->name = g_strdup ("");
  worker->kind = g_strdup ("custom");
  worker->context = g_main_context_ref (set->context);
  worker->owner = set->owner;
  worker->state = SPINDLE_WORKER_STATE_STARTING;

  return worker;
}

static Mirror *
lookup (SpindleRemote *self,
        guint64        id)
{
  return g_hash_table_lookup (self->workers, &id);
}

/* Parents come before their children; one whose parent is unknown (it was
 * retained no longer) shows at the top level.
 */
static void
insert_worker (SpindleRemote *self,
               Mirror        *mirror,
               guint64        parent_id)
{
  SpindleWorker *worker = mirror->worker;
  SpindleWorkerSet *set = self->set;
  Mirror *parent = parent_id != 0 ? lookup (self, parent_id) : NULL;

  if (spindle_worker_state_is_live (worker->state))
    {
      set->n_live++;
      g_object_notify (G_OBJECT (set), "n-live");
    }

  if (parent != NULL)
    {
      g_set_weak_pointer (&worker->parent, parent->worker);
      g_list_store_append (parent->worker->children, worker);
      return;
    }

  g_ptr_array_add (set->workers, g_object_ref (worker));
  g_list_model_items_changed (G_LIST_MODEL (set), set->workers->len - 1, 0, 1);
}

static void
add_worker (SpindleRemote *self,
            GVariant      *dict)
{
  guint64 id = 0, parent = 0;
  Mirror *mirror;

  if (!g_variant_lookup (dict, "id", "t", &id) || id == 0)
    return;

  if ((mirror = lookup (self, id)) != NULL)
    {
      apply_worker (mirror, dict, FALSE);
      return;
    }

  g_variant_lookup (dict, "parent", "t", &parent);
  mirror = g_new0 (Mirror, 1);
  mirror->worker = new_worker (self, id);
  apply_worker (mirror, dict, TRUE);
  g_hash_table_insert (self->workers, &mirror->worker->id, mirror);
  insert_worker (self, mirror, parent);
}

static void
remove_from (GListModel *model,
             SpindleWorker *worker)
{
  if (G_IS_LIST_STORE (model))
    {
      guint position;

      if (g_list_store_find (G_LIST_STORE (model), worker, &position))
        g_list_store_remove (G_LIST_STORE (model), position);
      return;
    }
}

static void
remove_worker (SpindleRemote *self,
               guint64        id)
{
  Mirror *mirror = lookup (self, id);
  SpindleWorkerSet *set = self->set;
  SpindleWorker *worker;
  guint position;

  if (mirror == NULL)
    return;

  worker = g_object_ref (mirror->worker);
  g_hash_table_remove (self->workers, &id);

  if (spindle_worker_state_is_live (worker->state))
    {
      set->n_live--;
      g_object_notify (G_OBJECT (set), "n-live");
    }

  if (worker->parent != NULL)
    remove_from (spindle_worker_get_children (worker->parent), worker);
  else if (g_ptr_array_find (set->workers, worker, &position))
    {
      g_ptr_array_remove_index (set->workers, position);
      g_list_model_items_changed (G_LIST_MODEL (set), position, 1, 0);
    }

  g_object_unref (worker);
}

/* Snapshots and updates *****************************************************/

static void
apply_changed (SpindleRemote *self,
               GVariant      *changed)
{
  GVariantIter iter;
  GVariant *dict;

  g_variant_iter_init (&iter, changed);
  while ((dict = g_variant_iter_next_value (&iter)) != NULL)
    {
      add_worker (self, dict);
      g_variant_unref (dict);
    }
}

/* A fresh snapshot over an older mirror: what it no longer lists is gone. */
static void
reconcile (SpindleRemote *self,
           GVariant      *workers)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) stale = g_array_new (FALSE, FALSE, sizeof (guint64));
  GHashTableIter iter;
  gpointer key;
  GVariantIter it;
  GVariant *dict;
  guint64 *ids;
  guint n = 0;

  ids = g_new0 (guint64, g_variant_n_children (workers) + 1);
  g_variant_iter_init (&it, workers);
  while ((dict = g_variant_iter_next_value (&it)) != NULL)
    {
      if (g_variant_lookup (dict, "id", "t", &ids[n]))
        g_hash_table_add (listed, &ids[n++]);
      g_variant_unref (dict);
    }

  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (listed, key))
      g_array_append_val (stale, *(guint64 *) key);

  for (guint i = stale->len; i > 0; i--)
    remove_worker (self, g_array_index (stale, guint64, i - 1));

  g_free (ids);
  apply_changed (self, workers);
}

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
  apply_changed (self, changed);
  ids = g_variant_get_fixed_array (removed, &n_ids, sizeof (guint64));
  for (gsize i = 0; i < n_ids; i++)
    remove_worker (self, ids[i]);

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

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(tuaa{sv}at)")))
    return;

  if (self->subscribing)
    {
      if (self->pending.length < MAX_PENDING)
        g_queue_push_tail (&self->pending, g_variant_ref (parameters));
      return;
    }

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

/* Its workers keep their last state, but their time and their threads'
 * figures stopped with the program.
 */
static void
freeze_workers (SpindleRemote *self)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SpindleWorker *worker = ((Mirror *) value)->worker;

      if (!spindle_worker_state_is_live (worker->state))
        continue;

      _spindle_worker_clear_sample (worker);
      if (worker->finished_at == 0)
        SET_SCALAR (worker, finished_at, now, FINISHED_AT);
    }
}

static void
set_gone (SpindleRemote *self)
{
  if (self->gone)
    return;

  self->gone = TRUE;
  freeze_workers (self);
  _spindle_worker_set_notify_remote_gone (self->set);
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
  GError *error = NULL;
  SpindleRemote *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }

  self = user_data;
  self->subscribing = FALSE;
  if (attach_cancelled (self))
    {
      g_clear_error (&error);
      return;
    }
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

  g_variant_get (reply, "(t@a{sv}@aa{sv})", &self->seq, &info, &workers);
  apply_info (self, info);
  reconcile (self, workers);
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
  self->workers = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, mirror_free);
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
  SpindleRemote *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      return;
    }

  self = user_data;
  if (attach_cancelled (self))
    {
      g_clear_error (&error);
      return;
    }
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

  if (!is_mirror (worker))
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

/* Sampling ******************************************************************/

static gboolean
read_task_file (int         pid,
                int         tid,
                const char *name,
                char       *buf,
                gsize       size)
{
  char path[80];
  gssize n;
  int fd;

  g_snprintf (path, sizeof path, "/proc/%d/task/%d/%s", pid, tid, name);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return FALSE;
  n = read (fd, buf, size - 1);
  close (fd);
  if (n < 0)
    return FALSE;

  buf[n] = '\0';
  g_strchomp (buf);
  return TRUE;
}

/* utime and stime, fields 14 and 15 of stat, in clock ticks */
static gboolean
parse_cpu_time (const char *stat,
                gint64     *ns)
{
  const char *end = strrchr (stat, ')');
  g_auto(GStrv) fields = NULL;
  long ticks = sysconf (_SC_CLK_TCK);

  if (end == NULL || ticks <= 0)
    return FALSE;

  fields = g_strsplit (end + 2, " ", 16);
  if (g_strv_length (fields) < 14)
    return FALSE;

  *ns = (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10))
        * (G_GINT64_CONSTANT (1000000000) / ticks);
  return TRUE;
}

static const char *
parse_syscall (const char *raw,
               char       *buf,
               gsize       size)
{
  gint64 nr;

  if (g_str_has_prefix (raw, "running"))
    return "running";
  nr = g_ascii_strtoll (raw, NULL, 10);
  if (nr < 0)
    return NULL;

  g_strlcpy (buf, _spindle_task_syscall_name (nr), size);
  return buf;
}

/* A mirror's thread is read from /proc/<pid>/task/<tid>: the same user
 * may read it, though not its CPU clock. Returns FALSE for a local worker
 * and for a thread that is gone.
 */
gboolean
_spindle_remote_sample (SpindleWorker      *worker,
                        gboolean            detailed,
                        SpindleSample      *sample,
                        SpindleTaskDetails *details)
{
  int pid = is_mirror (worker) ? worker->set->remote->pid : 0;
  char stat[512], raw[256];

  if (pid <= 0 || worker->tid <= 0 ||
      !read_task_file (pid, worker->tid, "stat", stat, sizeof stat) ||
      !parse_cpu_time (stat, &sample->cpu_time))
    return FALSE;

  if (!detailed)
    return TRUE;

  sample->detailed = TRUE;
  sample->kernel_state = _spindle_task_parse_state (stat);
  if (read_task_file (pid, worker->tid, "wchan", details->wait_channel, sizeof details->wait_channel) &&
      !g_str_equal (details->wait_channel, "0") && details->wait_channel[0] != '\0')
    sample->wait_channel = details->wait_channel;
  if (read_task_file (pid, worker->tid, "syscall", raw, sizeof raw))
    sample->syscall = parse_syscall (raw, details->syscall, sizeof details->syscall);

  return TRUE;
}
