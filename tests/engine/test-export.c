/* test-export.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A set exported on the session bus (dev.spindle.Spindle1.Program), seen
 * by a client on a second connection of this process. Runs under its own
 * dbus-run-session. The client calls asynchronously and the test iterates
 * the main context meanwhile: the set's owner context must run for the
 * export to gather and to act.
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "spindle-export-private.h"
#include "spindle-remote.h"
#include "spindle-test-util.h"

#define IFACE "dev.spindle.Spindle1.Program"
#define ERROR(name) "dev.spindle.Spindle1.Error." name

/* The client ****************************************************************/

typedef struct
{
  GDBusConnection *connection;
  char            *name;          /* the program's */
  GPtrArray       *updates;       /* (tuaa{sv}at) */
  char            *dropped;       /* SubscriptionDropped's reason */
  guint            watch_id;
} Client;

static GDBusConnection *
connection_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  GDBusConnection *connection;

  g_assert_no_error (error);
  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (connection, FALSE);

  return connection;
}

static void
signal_cb (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *signal,
           GVariant        *parameters,
           gpointer         user_data)
{
  Client *client = user_data;

  if (g_str_equal (signal, "Update"))
    g_ptr_array_add (client->updates, g_variant_ref (parameters));
  else if (g_str_equal (signal, "SubscriptionDropped"))
    {
      g_free (client->dropped);
      g_variant_get (parameters, "(s)", &client->dropped);
    }
}

static Client *
client_new (const char *name)
{
  Client *client = g_new0 (Client, 1);

  g_assert_nonnull (name);
  client->connection = connection_new ();
  client->name = g_strdup (name);
  client->updates = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  client->watch_id = g_dbus_connection_signal_subscribe (client->connection, NULL, IFACE, NULL,
                                                         SPINDLE_EXPORT_OBJECT_PATH, NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE, signal_cb, client, NULL);

  return client;
}

static void
client_free (Client *client)
{
  g_dbus_connection_signal_unsubscribe (client->connection, client->watch_id);
  g_dbus_connection_close_sync (client->connection, NULL, NULL);
  g_object_unref (client->connection);
  g_ptr_array_unref (client->updates);
  g_free (client->dropped);
  g_free (client->name);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

typedef struct
{
  GVariant *reply;
  GError   *error;
  gboolean  done;
} Call;

static void
call_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &call->error);
  call->done = TRUE;
}

static gboolean
flag_cond (gpointer data)
{
  return *(gboolean *) data;
}

static GVariant *
client_call (Client      *client,
             const char  *method,
             GVariant    *parameters,
             GError     **error)
{
  Call call = { NULL };

  g_dbus_connection_call (client->connection, client->name, SPINDLE_EXPORT_OBJECT_PATH, IFACE, method,
                          parameters, NULL, G_DBUS_CALL_FLAGS_NONE, SPINDLE_TEST_GUARD_MS, NULL,
                          call_done_cb, &call);
  spindle_test_wait_until (flag_cond, &call.done, SPINDLE_TEST_GUARD_MS);
  if (call.error != NULL)
    g_propagate_error (error, call.error);

  return call.reply;
}

static GVariant *
client_call_ok (Client     *client,
                const char *method,
                GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = client_call (client, method, parameters, &error);

  g_assert_no_error (error);
  return reply;
}

static void
client_call_fails (Client     *client,
                   const char *method,
                   GVariant   *parameters,
                   const char *error_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = client_call (client, method, parameters, &error);
  g_autofree char *remote = NULL;

  g_assert_null (reply);
  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, error_name);
}

/* Subscribes; returns the snapshot's workers. */
static GVariant *
client_subscribe (Client  *client,
                  guint    interval_ms,
                  guint64 *seq)
{
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder options;
  GVariant *workers;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  if (interval_ms > 0)
    g_variant_builder_add (&options, "{sv}", "interval-ms", g_variant_new_uint32 (interval_ms));
  reply = client_call_ok (client, "Subscribe", g_variant_new ("(a{sv})", &options));
  g_variant_get (reply, "(t@a{sv}@aa{sv})", seq, NULL, &workers);

  return workers;
}

static GVariant *
find_worker (GVariant *workers,
             guint64   id)
{
  gsize n = g_variant_n_children (workers);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (workers, i);
      guint64 found;

      if (g_variant_lookup (dict, "id", "t", &found) && found == id)
        return g_steal_pointer (&dict);
    }

  return NULL;
}

/* The last state an Update gave for @id, or NULL. */
static char *
updated_state (Client  *client,
               guint64  id)
{
  char *state = NULL;

  for (guint i = 0; i < client->updates->len; i++)
    {
      g_autoptr(GVariant) changed = NULL;
      g_autoptr(GVariant) dict = NULL;

      g_variant_get (g_ptr_array_index (client->updates, i), "(tu@aa{sv}at)", NULL, NULL, &changed, NULL);
      dict = find_worker (changed, id);
      if (dict != NULL && g_variant_lookup (dict, "state", "s", NULL))
        {
          g_free (state);
          g_variant_lookup (dict, "state", "s", &state);
        }
    }

  return state;
}

typedef struct
{
  Client     *client;
  guint64     id;
  const char *state;
} StateWait;

static gboolean
updated_state_cond (gpointer data)
{
  StateWait *wait = data;
  g_autofree char *state = updated_state (wait->client, wait->id);

  return g_strcmp0 (state, wait->state) == 0;
}

static void
wait_updated_state (Client     *client,
                    guint64     id,
                    const char *state)
{
  StateWait wait = { client, id, state };

  spindle_test_wait_until (updated_state_cond, &wait, SPINDLE_TEST_GUARD_MS);
}

static void
ack_all (Client *client)
{
  guint64 seq;

  if (client->updates->len == 0)
    return;
  g_variant_get (g_ptr_array_index (client->updates, client->updates->len - 1), "(tu@aa{sv}at)",
                 &seq, NULL, NULL, NULL);
  g_variant_unref (client_call_ok (client, "Ack", g_variant_new ("(t)", seq)));
}

/* Workers *******************************************************************/

static gboolean
reached_cond (gpointer data)
{
  return g_atomic_int_get (&((SpindleTestSleeper *) data)->reached) != 0;
}

static SpindleWorker *
spawn_sleeper (SpindleWorkerSet   *set,
               const char         *name,
               SpindleTestSleeper *sleeper)
{
  SpindleWorker *worker = spindle_test_spawn (set, name, spindle_test_sleeper_body, sleeper);

  spindle_test_wait_until (reached_cond, sleeper, SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  return worker;
}

static gboolean
close_test_file (gpointer   data,
                 GError   **error)
{
  return TRUE;
}

static GVariant *
cleanup_sleeper_body (SpindleJob  *job,
                      gpointer     data,
                      GError     **error)
{
  spindle_job_push_cleanup (job, "close the test file", close_test_file, NULL);
  spindle_job_set_phase (job, "sleeping");
  while (spindle_job_sleep (job, 60 * G_USEC_PER_SEC))
    ;

  return NULL;
}

/* Progress a few hundred times a second, until stopped. */
static GVariant *
ticker_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  guint n = 0;

  while (spindle_job_sleep (job, 2000))
    spindle_job_set_progress (job, (++n % 1000) / 1000.0);

  return NULL;
}

static void
end_set (SpindleWorkerSet *set)
{
  spindle_worker_set_cancel_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_object_unref (set);
  g_assert_cmpuint (_spindle_export_get_n_subscribers (), ==, 0);
}

static SpindleWorkerSet *
exported_set_new (SpindleExportFlags flags)
{
  g_autoptr(GError) error = NULL;
  SpindleWorkerSet *set = spindle_test_set_new ();

  g_assert_true (spindle_worker_set_export (set, flags, &error));
  g_assert_no_error (error);

  return set;
}

/* Tests *********************************************************************/

static const struct
{
  const char *key;
  const char *type;
} keys[] = {
  { "id", "t" }, { "set", "u" }, { "parent", "t" }, { "name", "s" }, { "kind", "s" },
  { "tid", "i" }, { "state", "s" }, { "stop-reason", "s" }, { "started-at", "x" },
  { "finished-at", "x" }, { "phase", "s" }, { "progress", "d" }, { "waiting-for", "s" },
  { "deadline", "x" }, { "escalation", "s" }, { "escalation-at", "x" },
  { "unresponsive", "b" }, { "error", "s" }, { "result", "s" }, { "pid", "i" },
  { "cleanup", "a(sssx)" },
};

static void
assert_every_key (GVariant *dict)
{
  g_assert_cmpuint (g_variant_n_children (dict), ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (dict, keys[i].key, NULL);

      g_assert_nonnull (value);
      g_assert_cmpstr (g_variant_get_type_string (value), ==, keys[i].type);
    }
}

static void
test_snapshot (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL);
  SpindleTestSleeper sleepers[3] = { { 0 } };
  SpindleWorker *workers[3];
  g_autofree char *expected_name = g_strdup_printf ("dev.spindle.Spindle1.Program.p%d", (int) getpid ());
  g_autoptr(Client) client = NULL;
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  guint32 pid, n_workers;
  gboolean control;
  guint64 seq;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("sleeper-%u", i);

      workers[i] = spawn_sleeper (set, name, &sleepers[i]);
    }

  g_assert_cmpstr (spindle_worker_set_get_export_name (set), ==, expected_name);
  client = client_new (spindle_worker_set_get_export_name (set));

  info = client_call_ok (client, "Describe", NULL);
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value (info, 0);
    const char *text;

    g_assert_true (g_variant_lookup (dict, "pid", "u", &pid));
    g_assert_cmpuint (pid, ==, getpid ());
    g_assert_true (g_variant_lookup (dict, "control", "b", &control));
    g_assert_true (control);
    g_assert_true (g_variant_lookup (dict, "name", "&s", &text));
    g_assert_cmpstr (text, ==, g_get_prgname ());
    g_assert_true (g_variant_lookup (dict, "n-workers", "u", &n_workers));
    g_assert_cmpuint (n_workers, ==, 3);
  }

  snapshot = client_subscribe (client, 0, &seq);
  g_assert_cmpuint (g_variant_n_children (snapshot), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GVariant) dict = find_worker (snapshot, spindle_worker_get_id (workers[i]));
      g_autofree char *name = g_strdup_printf ("sleeper-%u", i);
      const char *text;
      gint32 tid;
      guint32 set_number;

      g_assert_nonnull (dict);
      assert_every_key (dict);
      g_assert_true (g_variant_lookup (dict, "name", "&s", &text));
      g_assert_cmpstr (text, ==, name);
      g_assert_true (g_variant_lookup (dict, "state", "&s", &text));
      g_assert_cmpstr (text, ==, "running");
      g_assert_true (g_variant_lookup (dict, "tid", "i", &tid));
      g_assert_cmpint (tid, ==, spindle_worker_get_tid (workers[i]));
      g_assert_true (g_variant_lookup (dict, "set", "u", &set_number));
      g_assert_cmpuint (set_number, ==, 0);
    }

  end_set (set);
}

static void
test_update (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_NONE);
  SpindleTestSleeper sleepers[2] = { { 0 } };
  SpindleWorker *stopped = spawn_sleeper (set, "stopped", &sleepers[0]);
  SpindleWorker *untouched = spawn_sleeper (set, "untouched", &sleepers[1]);
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(GVariant) snapshot = NULL;
  guint64 seq;

  snapshot = client_subscribe (client, 50, &seq);
  spindle_worker_request_stop (stopped);
  wait_updated_state (client, spindle_worker_get_id (stopped), "stopped");

  for (guint i = 0; i < client->updates->len; i++)
    {
      g_autoptr(GVariant) changed = NULL;
      g_autoptr(GVariant) dict = NULL;
      guint64 update_seq;

      g_variant_get (g_ptr_array_index (client->updates, i), "(tu@aa{sv}at)", &update_seq, NULL, &changed, NULL);
      g_assert_cmpuint (update_seq, ==, seq + 1 + i);
      g_assert_null (find_worker (changed, spindle_worker_get_id (untouched)));

      dict = find_worker (changed, spindle_worker_get_id (stopped));
      g_assert_nonnull (dict);
      g_assert_true (g_variant_lookup (dict, "id", "t", NULL));
      g_assert_true (g_variant_lookup (dict, "state", "s", NULL));
      g_assert_false (g_variant_lookup (dict, "name", "s", NULL));
      g_assert_false (g_variant_lookup (dict, "kind", "s", NULL));
      g_assert_false (g_variant_lookup (dict, "started-at", "x", NULL));
      g_assert_false (g_variant_lookup (dict, "set", "u", NULL));
      g_assert_cmpuint (g_variant_n_children (dict), <, G_N_ELEMENTS (keys));
    }

  end_set (set);
}

static void
assert_cleanup_step (GVariant   *cleanup,
                     const char *label,
                     const char *outcome)
{
  const char *step_label, *step_outcome;

  g_assert_cmpuint (g_variant_n_children (cleanup), ==, 1);
  g_variant_get_child (cleanup, 0, "(&s&ssx)", &step_label, &step_outcome, NULL, NULL);
  g_assert_cmpstr (step_label, ==, label);
  g_assert_cmpstr (step_outcome, ==, outcome);
}

static void
test_stop (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL);
  SpindleWorker *worker = spindle_test_spawn (set, "with-cleanup", cleanup_sleeper_body, NULL);
  g_autoptr(Client) client = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(GVariant) cleanup = NULL;
  guint64 id = spindle_worker_get_id (worker);
  guint64 seq;

  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  client = client_new (spindle_worker_set_get_export_name (set));
  snapshot = client_subscribe (client, 50, &seq);

  g_variant_unref (client_call_ok (client, "Stop", g_variant_new ("(t)", id)));
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);
  wait_updated_state (client, id, "stopped");
  ack_all (client);

  /* the update that says so carries the cleanup report */
  for (guint i = 0; i < client->updates->len && cleanup == NULL; i++)
    {
      g_autoptr(GVariant) changed = NULL;

      g_variant_get (g_ptr_array_index (client->updates, i), "(tu@aa{sv}at)", NULL, NULL, &changed, NULL);
      g_clear_pointer (&dict, g_variant_unref);
      dict = find_worker (changed, id);
      if (dict != NULL)
        cleanup = g_variant_lookup_value (dict, "cleanup", G_VARIANT_TYPE ("a(sssx)"));
    }
  g_assert_nonnull (cleanup);
  assert_cleanup_step (cleanup, "close the test file", "ok");

  details = client_call_ok (client, "Details", g_variant_new ("(t)", id));
  g_clear_pointer (&dict, g_variant_unref);
  g_clear_pointer (&cleanup, g_variant_unref);
  dict = g_variant_get_child_value (details, 0);
  cleanup = g_variant_lookup_value (dict, "cleanup", G_VARIANT_TYPE ("a(sssx)"));
  assert_cleanup_step (cleanup, "close the test file", "ok");
  {
    g_autoptr(GVariant) history = g_variant_lookup_value (dict, "history", G_VARIANT_TYPE ("a(xss)"));
    const char *what;

    g_assert_nonnull (history);
    g_assert_cmpuint (g_variant_n_children (history), >=, 3);
    g_variant_get_child (history, g_variant_n_children (history) - 1, "(x&s&s)", NULL, NULL, &what);
    g_assert_cmpstr (what, ==, "stopped");
    g_assert_true (g_variant_lookup (dict, "diagnosis", "s", NULL));
  }

  end_set (set);
}

/* Cleanup steps reach subscribers as they run, not only in the final
 * report: the second step waits until the test opens its gate.
 */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean open;
} Gate;

static gboolean
wait_gate (gpointer   data,
           GError   **error)
{
  Gate *gate = data;

  g_mutex_lock (&gate->mutex);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->mutex);
  g_mutex_unlock (&gate->mutex);

  return TRUE;
}

static void
open_gate (Gate *gate)
{
  g_mutex_lock (&gate->mutex);
  gate->open = TRUE;
  g_cond_signal (&gate->cond);
  g_mutex_unlock (&gate->mutex);
}

static GVariant *
gated_cleanup_body (SpindleJob  *job,
                    gpointer     data,
                    GError     **error)
{
  /* a stack: the gate runs second */
  spindle_job_push_cleanup (job, "wait for the test", wait_gate, data);
  spindle_job_push_cleanup (job, "close the test file", close_test_file, NULL);
  while (spindle_job_sleep (job, 60 * G_USEC_PER_SEC))
    ;

  return NULL;
}

/* The cleanup steps the last Update that carried them gave for @id. */
static GVariant *
updated_cleanup (Client  *client,
                 guint64  id)
{
  GVariant *cleanup = NULL;

  for (guint i = 0; i < client->updates->len; i++)
    {
      g_autoptr(GVariant) changed = NULL;
      g_autoptr(GVariant) dict = NULL;
      GVariant *steps;

      g_variant_get (g_ptr_array_index (client->updates, i), "(tu@aa{sv}at)", NULL, NULL, &changed, NULL);
      dict = find_worker (changed, id);
      if (dict != NULL && (steps = g_variant_lookup_value (dict, "cleanup", G_VARIANT_TYPE ("a(sssx)"))) != NULL)
        {
          g_clear_pointer (&cleanup, g_variant_unref);
          cleanup = steps;
        }
    }

  return cleanup;
}

typedef struct
{
  Client *client;
  guint64 id;
  gsize   n_steps;
} StepsWait;

static gboolean
n_steps_cond (gpointer data)
{
  StepsWait *wait = data;
  g_autoptr(GVariant) cleanup = updated_cleanup (wait->client, wait->id);

  return cleanup != NULL && g_variant_n_children (cleanup) >= wait->n_steps;
}

static void
test_cleanup_streamed (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_NONE);
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariant) cleanup = NULL;
  g_autoptr(GVariant) final = NULL;
  g_autofree char *state = NULL;
  const char *label, *outcome;
  Gate gate = { 0 };
  SpindleWorker *worker;
  StepsWait wait;
  guint64 seq;

  g_mutex_init (&gate.mutex);
  g_cond_init (&gate.cond);
  worker = spindle_test_spawn (set, "gated", gated_cleanup_body, &gate);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  snapshot = client_subscribe (client, 50, &seq);

  spindle_worker_request_stop (worker);
  wait = (StepsWait) { client, spindle_worker_get_id (worker), 1 };
  spindle_test_wait_until (n_steps_cond, &wait, SPINDLE_TEST_GUARD_MS);

  /* the first step, while the worker still waits in the second */
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CLEANING);
  g_assert_null (spindle_worker_get_cleanup_report (worker));
  state = updated_state (client, wait.id);
  g_assert_cmpstr (state, ==, "cleaning");
  cleanup = updated_cleanup (client, wait.id);
  g_assert_cmpuint (g_variant_n_children (cleanup), ==, 1);
  g_variant_get_child (cleanup, 0, "(&s&s&sx)", &label, &outcome, NULL, NULL);
  g_assert_cmpstr (label, ==, "close the test file");
  g_assert_cmpstr (outcome, ==, "ok");

  open_gate (&gate);
  wait_updated_state (client, wait.id, "stopped");
  final = updated_cleanup (client, wait.id);
  g_assert_cmpuint (g_variant_n_children (final), ==, 2);
  g_variant_get_child (final, 1, "(&s&s&sx)", &label, NULL, NULL, NULL);
  g_assert_cmpstr (label, ==, "wait for the test");

  end_set (set);
  g_mutex_clear (&gate.mutex);
  g_cond_clear (&gate.cond);
}

static void
test_read_only (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_NONE);
  SpindleTestSleeper sleeper = { 0 };
  SpindleWorker *worker = spawn_sleeper (set, "read-only", &sleeper);
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(GVariant) info = NULL;
  GVariant *id = g_variant_new ("(t)", spindle_worker_get_id (worker));
  gboolean control = TRUE;

  g_variant_ref_sink (id);
  client_call_fails (client, "Stop", id, ERROR ("NotAllowed"));
  client_call_fails (client, "ForceCancel", id, ERROR ("NotAllowed"));
  client_call_fails (client, "Abandon", id, ERROR ("NotAllowed"));
  g_variant_unref (client_call_ok (client, "Details", id));
  g_variant_unref (id);

  info = client_call_ok (client, "Describe", NULL);
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value (info, 0);

    g_assert_true (g_variant_lookup (dict, "control", "b", &control));
  }
  g_assert_false (control);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_RUNNING);

  end_set (set);
}

static void
test_errors (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL);
  SpindleTestSleeper sleeper = { 0 };
  SpindleWorker *running = spawn_sleeper (set, "running", &sleeper);
  gint value = 7;
  SpindleWorker *finished = spindle_test_spawn (set, "finished", spindle_test_int_body, &value);
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (set));
  guint64 finished_id = spindle_worker_get_id (finished);

  spindle_test_wait_terminal (finished);

  client_call_fails (client, "Stop", g_variant_new ("(t)", (guint64) 12345), ERROR ("UnknownWorker"));
  client_call_fails (client, "Stop", g_variant_new ("(t)", (G_GUINT64_CONSTANT (9) << 40) | 1),
                     ERROR ("UnknownWorker"));
  client_call_fails (client, "Stop", g_variant_new ("(t)", finished_id), ERROR ("Finished"));
  client_call_fails (client, "ForceCancel", g_variant_new ("(t)", finished_id), ERROR ("Finished"));
  client_call_fails (client, "Abandon", g_variant_new ("(t)", spindle_worker_get_id (running)),
                     ERROR ("InvalidArgs"));
  client_call_fails (client, "Stop", g_variant_new ("(s)", "1"), "org.freedesktop.DBus.Error.InvalidArgs");
  client_call_fails (client, "Stop", NULL, "org.freedesktop.DBus.Error.InvalidArgs");
  client_call_fails (client, "Ack", g_variant_new ("(t)", (guint64) 1), ERROR ("NotSubscribed"));
  client_call_fails (client, "Unsubscribe", NULL, ERROR ("NotSubscribed"));
  client_call_fails (client, "Frobnicate", NULL, "org.freedesktop.DBus.Error.UnknownMethod");
  {
    GVariantBuilder options;

    g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add (&options, "{sv}", "interval-ms", g_variant_new_string ("fast"));
    client_call_fails (client, "Subscribe", g_variant_new ("(a{sv})", &options), ERROR ("InvalidArgs"));
  }

  /* still standing, still answering */
  g_assert_cmpint (spindle_worker_get_state (running), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_variant_unref (client_call_ok (client, "Details", g_variant_new ("(t)", finished_id)));

  end_set (set);
}

static gboolean
dropped_cond (gpointer data)
{
  return ((Client *) data)->dropped != NULL;
}

typedef struct
{
  SpindleWorker *worker;
  gint           changes;
} ProgressCount;

static void
progress_cb (SpindleWorker *worker,
             GParamSpec    *pspec,
             ProgressCount *count)
{
  count->changes++;
}

static gboolean
progress_cond (gpointer data)
{
  return ((ProgressCount *) data)->changes >= 10;
}

static void
test_slow_subscriber (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_NONE);
  SpindleWorker *worker = spindle_test_spawn (set, "ticker", ticker_body, NULL);
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(GVariant) snapshot = NULL;
  ProgressCount count = { worker, 0 };
  guint n_signals;
  gulong handler;
  guint64 seq;

  snapshot = client_subscribe (client, 50, &seq);
  spindle_test_wait_until (dropped_cond, client, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (client->updates->len, ==, 8);
  g_assert_cmpuint (_spindle_export_get_n_subscribers (), ==, 0);

  /* the worker goes on changing: nothing more is sent or kept for it */
  n_signals = _spindle_export_get_n_signals ();
  handler = g_signal_connect (worker, "notify::progress", G_CALLBACK (progress_cb), &count);
  spindle_test_wait_until (progress_cond, &count, SPINDLE_TEST_GUARD_MS);
  g_signal_handler_disconnect (worker, handler);
  g_variant_unref (client_call_ok (client, "Describe", NULL));
  g_assert_cmpuint (_spindle_export_get_n_signals (), ==, n_signals);
  g_assert_cmpuint (client->updates->len, ==, 8);

  /* it may subscribe again */
  g_clear_pointer (&snapshot, g_variant_unref);
  snapshot = client_subscribe (client, 50, &seq);
  g_assert_cmpuint (g_variant_n_children (snapshot), ==, 1);
  g_assert_cmpuint (_spindle_export_get_n_subscribers (), ==, 1);
  g_variant_unref (client_call_ok (client, "Unsubscribe", NULL));

  end_set (set);
}

/* Messages the program sends, seen by a monitor of the bus. */
typedef struct
{
  GDBusConnection *connection;
  const char      *sender;
  gint             n_messages;
  gint             n_returns;
} Monitor;

static GDBusMessage *
monitor_filter (GDBusConnection *connection,
                GDBusMessage    *message,
                gboolean         incoming,
                gpointer         user_data)
{
  Monitor *monitor = user_data;

  /* the rest is the bus's, to the monitor itself (BecomeMonitor's reply) */
  if (!incoming || g_strcmp0 (g_dbus_message_get_sender (message), monitor->sender) != 0)
    return message;

  g_atomic_int_inc (&monitor->n_messages);
  if (g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_RETURN)
    g_atomic_int_inc (&monitor->n_returns);

  /* a copy of the program's messages, never to be answered */
  g_object_unref (message);
  return NULL;
}

static void
monitor_start (Monitor    *monitor,
               const char *sender)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rule = g_strdup_printf ("sender='%s'", sender);
  const char *rules[] = { rule, NULL };
  g_autoptr(GVariant) reply = NULL;

  monitor->sender = sender;
  monitor->connection = connection_new ();
  g_dbus_connection_add_filter (monitor->connection, monitor_filter, monitor, NULL);
  reply = g_dbus_connection_call_sync (monitor->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                       g_variant_new ("(^asu)", rules, 0), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
returned_cond (gpointer data)
{
  return g_atomic_int_get (&((Monitor *) data)->n_returns) > 0;
}

/* Workers start, change, end; then one call: the reply is all the
 * program sent.
 */
static void
assert_silent (SpindleWorkerSet *set,
               Client           *client,
               const char       *owner)
{
  Monitor monitor = { NULL };
  SpindleTestSleeper sleepers[4] = { { 0 } };

  monitor_start (&monitor, owner);
  for (guint i = 0; i < G_N_ELEMENTS (sleepers); i++)
    spindle_worker_request_stop (spawn_sleeper (set, "silent", &sleepers[i]));
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);

  g_variant_unref (client_call_ok (client, "Describe", NULL));
  spindle_test_wait_until (returned_cond, &monitor, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (g_atomic_int_get (&monitor.n_messages), ==, 1);

  g_dbus_connection_close_sync (monitor.connection, NULL, NULL);
  g_object_unref (monitor.connection);
}

static gboolean
not_gathering_cond (gpointer data)
{
  return !_spindle_export_is_gathering (data);
}

static void
test_silent (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_NONE);
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  SpindleTestSleeper sleeper = { 0 };
  guint64 seq;

  g_assert_false (_spindle_export_is_gathering (set));
  owner = g_dbus_connection_call_sync (client->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", client->name), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  assert_silent (set, client, g_variant_get_string (g_variant_get_child_value (owner, 0), NULL));

  /* a subscriber came and went: silent again */
  snapshot = client_subscribe (client, 50, &seq);
  g_assert_true (_spindle_export_is_gathering (set));
  spindle_worker_request_stop (spawn_sleeper (set, "seen", &sleeper));
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_variant_unref (client_call_ok (client, "Unsubscribe", NULL));
  spindle_test_wait_until (not_gathering_cond, set, SPINDLE_TEST_GUARD_MS);
  assert_silent (set, client, g_variant_get_string (g_variant_get_child_value (owner, 0), NULL));

  end_set (set);
}

static gboolean
no_subscriber_cond (gpointer data)
{
  return _spindle_export_get_n_subscribers () == 0;
}

static void
test_vanish (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_NONE);
  Client *client = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(GVariant) snapshot = NULL;
  guint64 seq;

  snapshot = client_subscribe (client, 50, &seq);
  g_assert_cmpuint (_spindle_export_get_n_subscribers (), ==, 1);

  /* nothing changes, so no update could find it gone */
  client_free (client);
  spindle_test_wait_until (no_subscriber_cond, NULL, SPINDLE_TEST_GUARD_MS);

  end_set (set);
}

static void
quick_workers (SpindleWorkerSet *set,
               guint             n,
               SpindleWorker   **last)
{
  static gint value = 1;

  for (guint i = 0; i < n; i++)
    {
      *last = spindle_test_spawn (set, "quick", spindle_test_int_body, &value);
      spindle_test_wait_terminal (*last);
    }
}

static gboolean
n_updates_cond (gpointer data)
{
  return ((Client *) data)->updates->len > 0;
}

static void
test_retention (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_NONE);
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(Client) other = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariant) other_snapshot = NULL;
  g_autoptr(GVariant) changed = NULL;
  g_autoptr(GVariant) removed = NULL;
  SpindleWorker *last = NULL;
  guint64 seq, before_id, removed_id;
  guint32 dropped;

  _spindle_export_set_retention (3, G_MAXINT64);
  quick_workers (set, 6, &last);

  snapshot = client_subscribe (client, 10000, &seq);
  g_assert_cmpuint (g_variant_n_children (snapshot), ==, 3);
  g_assert_nonnull (find_worker (snapshot, spindle_worker_get_id (last)));
  g_assert_null (find_worker (snapshot, spindle_worker_get_id (last) - 3));

  /* one kept; five end between two ticks (another subscriber's snapshot
   * makes the tick): four of them were never sent
   */
  _spindle_export_set_retention (1, G_MAXINT64);
  before_id = spindle_worker_get_id (last);
  quick_workers (set, 5, &last);
  other_snapshot = client_subscribe (other, 10000, &seq);
  spindle_test_wait_until (n_updates_cond, client, SPINDLE_TEST_GUARD_MS);

  g_variant_get (g_ptr_array_index (client->updates, 0), "(tu@aa{sv}@at)", NULL, &dropped, &changed, &removed);
  g_assert_cmpuint (dropped, ==, 4);
  g_assert_cmpuint (g_variant_n_children (changed), ==, 1);
  g_assert_nonnull (find_worker (changed, spindle_worker_get_id (last)));
  g_assert_cmpuint (g_variant_n_children (removed), ==, 3);
  g_variant_get_child (removed, 2, "t", &removed_id);
  g_assert_cmpuint (removed_id, ==, before_id);
  g_assert_cmpuint (g_variant_n_children (other_snapshot), ==, 1);

  /* by time */
  g_ptr_array_set_size (client->updates, 0);
  _spindle_export_set_retention (1000, 0);
  g_variant_unref (client_subscribe (other, 10000, &seq));
  spindle_test_wait_until (n_updates_cond, client, SPINDLE_TEST_GUARD_MS);
  g_clear_pointer (&removed, g_variant_unref);
  g_variant_get (g_ptr_array_index (client->updates, 0), "(tu@aa{sv}@at)", NULL, NULL, NULL, &removed);
  g_assert_cmpuint (g_variant_n_children (removed), ==, 1);

  _spindle_export_set_retention (1000, 60 * G_USEC_PER_SEC);
  g_variant_unref (client_call_ok (client, "Unsubscribe", NULL));
  g_variant_unref (client_call_ok (other, "Unsubscribe", NULL));
  end_set (set);
}

/* A program that never runs its set's context: the export answers from
 * the state gathered at export, and control calls fail without acting.
 */
typedef struct
{
  GMutex            lock;
  GCond             cond;
  SpindleWorkerSet *set;
  SpindleWorker    *worker;
  GMainContext     *context;
  SpindleTestSleeper sleeper;
  gboolean          release;
} Idle;

static gpointer
idle_owner_thread (gpointer data)
{
  Idle *idle = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (idle->context);
  idle->set = spindle_test_set_new ();
  idle->worker = spindle_test_spawn (idle->set, "never-seen", spindle_test_sleeper_body, &idle->sleeper);
  g_assert_true (spindle_worker_set_export (idle->set, SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL, &error));

  g_mutex_lock (&idle->lock);
  g_cond_signal (&idle->cond);
  while (!idle->release)
    g_cond_wait (&idle->cond, &idle->lock);
  g_mutex_unlock (&idle->lock);

  /* now it runs: the late Stop must do nothing */
  while (g_main_context_iteration (idle->context, FALSE))
    ;
  g_assert_cmpint (spindle_worker_get_stop_reason (idle->worker), ==, SPINDLE_STOP_REASON_NONE);
  spindle_worker_set_cancel_all (idle->set);
  while (spindle_worker_set_get_n_live (idle->set) > 0)
    g_main_context_iteration (idle->context, TRUE);
  g_clear_object (&idle->set);
  g_main_context_pop_thread_default (idle->context);

  return NULL;
}

typedef struct
{
  guint n_done;
  guint n_refused;     /* at once: too many calls waiting */
} Flood;

static void
flood_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Flood *flood = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autofree char *remote = error != NULL ? g_dbus_error_get_remote_error (error) : NULL;

  g_assert_null (reply);
  g_assert_cmpstr (remote, ==, ERROR ("NotResponding"));
  if (strstr (error->message, "calls are waiting") != NULL)
    flood->n_refused++;
  flood->n_done++;
}

static gboolean
flood_done_cond (gpointer data)
{
  return ((Flood *) data)->n_done == 80;
}

/* Calls a context that does not run are kept, but not without bound. */
static void
assert_calls_bounded (Client *client)
{
  Flood flood = { 0 };

  for (guint i = 0; i < 80; i++)
    g_dbus_connection_call (client->connection, client->name, SPINDLE_EXPORT_OBJECT_PATH, IFACE, "Stop",
                            g_variant_new ("(t)", (guint64) 1), NULL, G_DBUS_CALL_FLAGS_NONE,
                            SPINDLE_TEST_GUARD_MS, NULL, flood_done_cb, &flood);
  spindle_test_wait_until (flood_done_cond, &flood, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (flood.n_refused, >=, 80 - 64);
}

static void
test_idle_owner (void)
{
  Idle idle = { .context = g_main_context_new () };
  g_autofree char *name = g_strdup_printf ("dev.spindle.Spindle1.Program.p%d", (int) getpid ());
  g_autoptr(Client) client = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariant) dict = NULL;
  const char *state;
  GThread *thread;
  guint64 seq;

  g_mutex_init (&idle.lock);
  g_cond_init (&idle.cond);
  g_mutex_lock (&idle.lock);
  thread = g_thread_new ("idle-owner", idle_owner_thread, &idle);
  while (idle.set == NULL || spindle_worker_set_get_export_name (idle.set) == NULL)
    g_cond_wait (&idle.cond, &idle.lock);
  g_mutex_unlock (&idle.lock);

  client = client_new (name);
  snapshot = client_subscribe (client, 0, &seq);
  g_assert_cmpuint (g_variant_n_children (snapshot), ==, 1);
  dict = g_variant_get_child_value (snapshot, 0);
  g_assert_true (g_variant_lookup (dict, "state", "&s", &state));
  g_assert_cmpstr (state, ==, "starting");
  client_call_fails (client, "Stop", g_variant_new ("(t)", (guint64) 1), ERROR ("NotResponding"));
  assert_calls_bounded (client);

  g_mutex_lock (&idle.lock);
  idle.release = TRUE;
  g_cond_signal (&idle.cond);
  g_mutex_unlock (&idle.lock);
  g_thread_join (thread);
  g_main_context_unref (idle.context);
  g_mutex_clear (&idle.lock);
  g_cond_clear (&idle.cond);
  g_assert_cmpuint (_spindle_export_get_n_subscribers (), ==, 0);
}

/* SPINDLE_EXPORT in the environment, for a program that does not call
 * spindle_worker_set_export() (the example with --no-export).
 */
typedef struct
{
  char     *line;
  gboolean  done;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  read->done = TRUE;
}

static GSubprocess *
start_example (const char  *value,
               char       **name)
{
  const char *example = g_getenv ("SPINDLE_EXPORT_EXAMPLE");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  LineRead read = { NULL };
  GSubprocess *process;

  g_assert_nonnull (example);
  g_subprocess_launcher_setenv (launcher, "SPINDLE_EXPORT", value, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, example, "--no-export",
                                         "--workers", "2", "--stubborn", "0", NULL);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
  spindle_test_wait_until (flag_cond, &read.done, SPINDLE_TEST_GUARD_MS);
  g_assert_nonnull (read.line);
  *name = read.line;

  return process;
}

static void
end_example (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (process);
}

static void
test_environment (void)
{
  g_autofree char *name = NULL;
  g_autofree char *control_name = NULL;
  GSubprocess *process = start_example ("1", &name);
  g_autoptr(Client) client = client_new (name);
  g_autoptr(Client) control_client = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariant) worker = NULL;
  guint64 seq, id;

  g_assert_true (g_str_has_prefix (name, SPINDLE_EXPORT_NAME_PREFIX "p"));
  snapshot = client_subscribe (client, 0, &seq);
  g_assert_cmpuint (g_variant_n_children (snapshot), ==, 2);
  worker = g_variant_get_child_value (snapshot, 0);
  g_assert_true (g_variant_lookup (worker, "id", "t", &id));
  client_call_fails (client, "Stop", g_variant_new ("(t)", id), ERROR ("NotAllowed"));
  end_example (process);

  process = start_example ("control", &control_name);
  control_client = client_new (control_name);
  g_variant_unref (client_call_ok (control_client, "Stop", g_variant_new ("(t)", id)));
  end_example (process);
}

static gboolean
n_updates_cond (gpointer data);

/* Two sets share the program's name: ids carry the set's number, control
 * reaches the right set, and a set unexported leaves the others' views.
 */
static void
test_two_sets (void)
{
  SpindleWorkerSet *first = exported_set_new (SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL);
  SpindleWorkerSet *second = exported_set_new (SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL);
  SpindleTestSleeper sleepers[2] = { { 0 } };
  SpindleWorker *one = spawn_sleeper (first, "one", &sleepers[0]);
  SpindleWorker *two = spawn_sleeper (second, "two", &sleepers[1]);
  guint64 two_id = (G_GUINT64_CONSTANT (1) << 40) | spindle_worker_get_id (two);
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (first));
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariant) dict = NULL;
  g_autoptr(GVariant) removed = NULL;
  guint32 set_number;
  guint64 seq, removed_id;

  g_assert_cmpstr (spindle_worker_set_get_export_name (first), ==, spindle_worker_set_get_export_name (second));
  snapshot = client_subscribe (client, 50, &seq);
  g_assert_cmpuint (g_variant_n_children (snapshot), ==, 2);
  dict = find_worker (snapshot, two_id);
  g_assert_nonnull (dict);
  g_assert_true (g_variant_lookup (dict, "set", "u", &set_number));
  g_assert_cmpuint (set_number, ==, 1);
  g_assert_nonnull (find_worker (snapshot, spindle_worker_get_id (one)));

  g_variant_unref (client_call_ok (client, "Stop", g_variant_new ("(t)", two_id)));
  g_assert_cmpint (spindle_worker_get_stop_reason (two), ==, SPINDLE_STOP_REASON_USER);
  g_assert_cmpint (spindle_worker_get_state (one), ==, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_no_live (second, SPINDLE_TEST_GUARD_MS);
  wait_updated_state (client, two_id, "stopped");
  ack_all (client);

  g_ptr_array_set_size (client->updates, 0);
  spindle_worker_set_unexport (second);
  spindle_test_wait_until (n_updates_cond, client, SPINDLE_TEST_GUARD_MS);
  g_variant_get (g_ptr_array_index (client->updates, 0), "(tu@aa{sv}@at)", NULL, NULL, NULL, &removed);
  g_assert_cmpuint (g_variant_n_children (removed), ==, 1);
  g_variant_get_child (removed, 0, "t", &removed_id);
  g_assert_cmpuint (removed_id, ==, two_id);
  g_assert_null (spindle_worker_set_get_export_name (second));

  g_object_unref (second);
  end_set (first);
}

/* A mirror of another program (here of this one: the attach only needs
 * a program that exports) is never exported, neither when asked nor by
 * SPINDLE_EXPORT: Spindle attached to a program would claim its workers.
 */
typedef struct
{
  SpindleWorkerSet *set;
  GError           *error;
  gboolean          done;
} Attach;

static void
attached_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Attach *attach = user_data;

  attach->set = spindle_worker_set_attach_finish (result, &attach->error);
  attach->done = TRUE;
}

static gboolean
environment_settled_cond (gpointer data)
{
  return g_object_get_qdata (data, g_quark_from_static_string ("spindle-export-env-pending")) == NULL;
}

/* What SPINDLE_EXPORT does once the set's context ran. */
static void
wait_environment_settled (SpindleWorkerSet *set)
{
  spindle_test_wait_until (environment_settled_cond, set, SPINDLE_TEST_GUARD_MS);
  /* the flag goes before the export is tried: one more turn */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_mirror_not_exported (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL);
  g_autoptr(SpindleWorkerSet) local = NULL;
  g_autoptr(GError) error = NULL;
  SpindleTestSleeper sleeper = { 0 };
  Attach attach = { 0 };

  spawn_sleeper (set, "exported", &sleeper);
  g_setenv ("SPINDLE_EXPORT", "control", TRUE);

  spindle_worker_set_attach_async (spindle_worker_set_get_export_name (set), NULL, attached_cb, &attach);
  spindle_test_wait_until (flag_cond, &attach.done, SPINDLE_TEST_GUARD_MS);
  g_assert_no_error (attach.error);
  g_assert_true (spindle_worker_set_is_remote (attach.set));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (attach.set)), ==, 1);

  wait_environment_settled (attach.set);
  g_assert_null (spindle_worker_set_get_export_name (attach.set));

  g_assert_false (spindle_worker_set_export (attach.set, SPINDLE_EXPORT_FLAGS_NONE, &error));
  g_assert_error (error, SPINDLE_ERROR, SPINDLE_ERROR_INVALID_ARGUMENT);
  g_assert_null (spindle_worker_set_get_export_name (attach.set));

  /* a local set made meanwhile is exported as before */
  local = spindle_test_set_new ();
  wait_environment_settled (local);
  g_assert_cmpstr (spindle_worker_set_get_export_name (local), ==, spindle_worker_set_get_export_name (set));

  g_unsetenv ("SPINDLE_EXPORT");
  spindle_worker_set_unexport (local);
  g_clear_object (&attach.set);
  end_set (set);
}

/* A process worker's processes are rows of the list, not workers of the
 * program: neither the snapshot nor an update sends one.
 */
static void
test_process_rows_not_exported (void)
{
  SpindleWorkerSet *set = exported_set_new (SPINDLE_EXPORT_FLAGS_NONE);
  g_autofree char *mark = g_strdup_printf ("7411.%d", (int) getpid ());
  g_autoptr(Client) client = client_new (spindle_worker_set_get_export_name (set));
  g_autoptr(GVariant) snapshot = NULL;
  SpindleWorker *worker;
  guint64 seq;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("sleep @MARK@ & wait", mark), NULL);
  snapshot = client_subscribe (client, 50, &seq);
  /* the rows come, and change, while the client is subscribed */
  spindle_test_wait_until (spindle_test_has_process_rows, worker, SPINDLE_TEST_GUARD_MS);
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  wait_updated_state (client, spindle_worker_get_id (worker), spindle_worker_state_to_string (spindle_worker_get_state (worker)));

  g_assert_cmpuint (g_variant_n_children (snapshot), ==, 1);
  for (guint i = 0; i < client->updates->len; i++)
    {
      g_autoptr(GVariant) changed = NULL;

      g_variant_get (g_ptr_array_index (client->updates, i), "(tu@aa{sv}at)", NULL, NULL, &changed, NULL);
      for (guint j = 0; j < g_variant_n_children (changed); j++)
        {
          g_autoptr(GVariant) dict = g_variant_get_child_value (changed, j);
          guint64 id;

          g_assert_true (g_variant_lookup (dict, "id", "t", &id));
          g_assert_cmpuint (id, ==, spindle_worker_get_id (worker));
        }
    }
  g_assert_cmpuint (spindle_test_count_marked (mark), ==, 0);

  end_set (set);
}

/* The Python example: Python bodies exported with control, one stopped
 * through the bus and reported stopped with its cleanup step.
 */
static void
test_python_example (void)
{
  const char *example = g_getenv ("SPINDLE_EXPORT_EXAMPLE_PY");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(Client) client = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  LineRead read = { NULL };
  guint64 seq;

  if (example == NULL)
    {
      g_test_skip ("SPINDLE_EXPORT_EXAMPLE_PY is not set (a sanitized build)");
      return;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "SPINDLE_EXPORT");
  process = g_subprocess_launcher_spawn (launcher, &error, "/usr/bin/python3", example,
                                         "--workers", "2", "--control", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
  spindle_test_wait_until (flag_cond, &read.done, SPINDLE_TEST_GUARD_MS);
  g_assert_nonnull (read.line);

  client = client_new (read.line);
  g_free (read.line);
  snapshot = client_subscribe (client, 50, &seq);
  g_assert_cmpuint (g_variant_n_children (snapshot), ==, 3);
  g_variant_unref (client_call_ok (client, "Stop", g_variant_new ("(t)", (guint64) 1)));
  wait_updated_state (client, 1, "stopped");
  g_variant_unref (client_call_ok (client, "ForceCancel", g_variant_new ("(t)", (guint64) 3)));
  wait_updated_state (client, 3, "cancelled");

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/export/snapshot", test_snapshot);
  g_test_add_func ("/engine/export/update-carries-changed-keys", test_update);
  g_test_add_func ("/engine/export/stop-reports-cleanup", test_stop);
  g_test_add_func ("/engine/export/cleanup-steps-streamed", test_cleanup_streamed);
  g_test_add_func ("/engine/export/read-only", test_read_only);
  g_test_add_func ("/engine/export/errors", test_errors);
  g_test_add_func ("/engine/export/slow-subscriber-dropped", test_slow_subscriber);
  g_test_add_func ("/engine/export/silent-without-subscriber", test_silent);
  g_test_add_func ("/engine/export/vanished-client-forgotten", test_vanish);
  g_test_add_func ("/engine/export/retention", test_retention);
  g_test_add_func ("/engine/export/environment", test_environment);
  g_test_add_func ("/engine/export/mirror-not-exported", test_mirror_not_exported);
  g_test_add_func ("/engine/export/process-rows-not-exported", test_process_rows_not_exported);
  g_test_add_func ("/engine/export/owner-context-not-running", test_idle_owner);
  g_test_add_func ("/engine/export/two-sets", test_two_sets);
  g_test_add_func ("/engine/export/python-example", test_python_example);

  return g_test_run ();
}
