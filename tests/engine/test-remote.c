/* test-remote.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spindle-remote.h"
#include "spindle-test-util.h"

/* A set attached to another program (spindle_worker_set_attach_async())
 * mirrors its workers. Run under a session bus of its own
 * (dbus-run-session). The program is a scripted one served from this
 * process on a connection of its own, so that each case can say exactly
 * what the program sends: the snapshot, updates in and out of order,
 * malformed values, its exit. It owns the name of this process's id.
 */

#define PATH      "/dev/spindle/Spindle1"
#define INTERFACE "dev.spindle.Spindle1.Program"

static const char introspection[] =
  "<node><interface name='dev.spindle.Spindle1.Program'>"
  "<method name='Describe'><arg name='info' type='a{sv}' direction='out'/></method>"
  "<method name='Subscribe'><arg name='options' type='a{sv}' direction='in'/>"
  "<arg name='seq' type='t' direction='out'/><arg name='info' type='a{sv}' direction='out'/>"
  "<arg name='workers' type='aa{sv}' direction='out'/></method>"
  "<method name='Ack'><arg name='seq' type='t' direction='in'/></method>"
  "<method name='Unsubscribe'/>"
  "<method name='Stop'><arg name='id' type='t' direction='in'/></method>"
  "<method name='ForceCancel'><arg name='id' type='t' direction='in'/></method>"
  "<method name='Abandon'><arg name='id' type='t' direction='in'/></method>"
  "</interface></node>";

typedef struct
{
  GDBusConnection *connection;
  guint            object_id;
  guint            name_id;
  gboolean         owned;
  char            *subscriber;
  guint64          seq;
  GPtrArray       *snapshot;     /* GVariant a{sv}, floating-free */
  guint            n_subscribes;
  guint64          last_ack;
  GPtrArray       *requests;     /* "Stop 2", … */
  gboolean         refuse;       /* control methods fail with NotAllowed */
} FakeProgram;

static GVariant *
worker_dict (guint64     id,
             guint64     parent,
             const char *name,
             const char *state,
             int         tid)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "id", "t", id);
  g_variant_dict_insert (&dict, "set", "u", 0);
  g_variant_dict_insert (&dict, "parent", "t", parent);
  g_variant_dict_insert (&dict, "name", "s", name);
  g_variant_dict_insert (&dict, "kind", "s", "sleeper");
  g_variant_dict_insert (&dict, "tid", "i", tid);
  g_variant_dict_insert (&dict, "state", "s", state);
  g_variant_dict_insert (&dict, "stop-reason", "s", "none");
  g_variant_dict_insert (&dict, "started-at", "x", g_get_monotonic_time () - G_USEC_PER_SEC);
  g_variant_dict_insert (&dict, "finished-at", "x", (gint64) 0);
  g_variant_dict_insert (&dict, "phase", "s", "");
  g_variant_dict_insert (&dict, "progress", "d", 0.0);
  g_variant_dict_insert (&dict, "unresponsive", "b", FALSE);
  g_variant_dict_insert (&dict, "cleanup", "@a(sssx)", g_variant_new_array (G_VARIANT_TYPE ("(sssx)"), NULL, 0));

  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static GVariant *
info_dict (void)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "pid", "u", (guint32) getpid ());
  g_variant_dict_insert (&dict, "name", "s", "scripted");
  g_variant_dict_insert (&dict, "control", "b", TRUE);
  return g_variant_dict_end (&dict);
}

static void
fake_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *path,
                  const char            *interface,
                  const char            *method,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  FakeProgram *fake = user_data;

  if (g_str_equal (method, "Subscribe"))
    {
      GVariantBuilder workers;

      fake->n_subscribes++;
      g_free (fake->subscriber);
      fake->subscriber = g_strdup (sender);
      g_variant_builder_init (&workers, G_VARIANT_TYPE ("aa{sv}"));
      for (guint i = 0; i < fake->snapshot->len; i++)
        g_variant_builder_add_value (&workers, g_ptr_array_index (fake->snapshot, i));
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(t@a{sv}aa{sv})", fake->seq, info_dict (), &workers));
    }
  else if (g_str_equal (method, "Ack"))
    {
      g_variant_get (parameters, "(t)", &fake->last_ack);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "Describe"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(@a{sv})", info_dict ()));
  else if (fake->refuse && !g_str_equal (method, "Unsubscribe"))
    g_dbus_method_invocation_return_dbus_error (invocation, "dev.spindle.Spindle1.Error.NotAllowed",
                                                "This program does not allow control");
  else
    {
      guint64 id = 0;

      if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(t)")))
        g_variant_get (parameters, "(t)", &id);
      g_ptr_array_add (fake->requests, g_strdup_printf ("%s %" G_GUINT64_FORMAT, method, id));
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static void
on_fake_name_acquired (GDBusConnection *connection,
                       const char      *name,
                       gpointer         user_data)
{
  FakeProgram *fake = user_data;

  fake->owned = TRUE;
}

static gboolean
fake_owns_name (gpointer data)
{
  return ((FakeProgram *) data)->owned;
}

static FakeProgram *
fake_new (void)
{
  static const GDBusInterfaceVTable vtable = { fake_method_call, NULL, NULL, { 0 } };
  FakeProgram *fake = g_new0 (FakeProgram, 1);
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (introspection, NULL);
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autofree char *name = g_strdup_printf (SPINDLE_REMOTE_NAME_PREFIX "%d", (int) getpid ());
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (address);
  fake->connection = g_dbus_connection_new_for_address_sync (address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (fake->connection, FALSE);
  fake->object_id = g_dbus_connection_register_object (fake->connection, PATH, node->interfaces[0],
                                                       &vtable, fake, NULL, &error);
  g_assert_no_error (error);
  fake->seq = 10;
  fake->snapshot = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  fake->requests = g_ptr_array_new_with_free_func (g_free);
  fake->name_id = g_bus_own_name_on_connection (fake->connection, name, G_BUS_NAME_OWNER_FLAGS_NONE,
                                                on_fake_name_acquired, NULL, fake, NULL);
  spindle_test_wait_until (fake_owns_name, fake, SPINDLE_TEST_GUARD_MS);

  return fake;
}

/* The program exits: its connection, and so its name, goes. */
static void
fake_exit (FakeProgram *fake)
{
  if (fake->connection == NULL)
    return;

  g_bus_unown_name (fake->name_id);
  g_dbus_connection_unregister_object (fake->connection, fake->object_id);
  g_dbus_connection_close_sync (fake->connection, NULL, NULL);
  g_clear_object (&fake->connection);
}

static void
fake_free (FakeProgram *fake)
{
  fake_exit (fake);
  g_ptr_array_unref (fake->snapshot);
  g_ptr_array_unref (fake->requests);
  g_free (fake->subscriber);
  g_free (fake);
}

/* Sends Update @seq with @changed (floating or not) and no removals. */
static void
fake_send (FakeProgram *fake,
           guint64      seq,
           GVariant    *changed,
           GVariant    *removed)
{
  g_autoptr(GError) error = NULL;

  if (removed == NULL)
    removed = g_variant_new_array (G_VARIANT_TYPE_UINT64, NULL, 0);
  g_dbus_connection_emit_signal (fake->connection, fake->subscriber, PATH, INTERFACE, "Update",
                                 g_variant_new ("(tu@aa{sv}@at)", seq, 0, changed, removed), &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (fake->connection, NULL, NULL);
}

static GVariant *
changes (GVariant *first,
         ...)
{
  GVariantBuilder builder;
  va_list args;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  va_start (args, first);
  for (GVariant *dict = first; dict != NULL; dict = va_arg (args, GVariant *))
    g_variant_builder_add_value (&builder, dict);
  va_end (args);

  return g_variant_builder_end (&builder);
}

static guint64 awaited_ack;

static gboolean
acked (gpointer data)
{
  return ((FakeProgram *) data)->last_ack >= awaited_ack;
}

/* The client acknowledges each update once it applied it. */
static void
wait_ack (FakeProgram *fake,
          guint64      seq)
{
  awaited_ack = seq;
  spindle_test_wait_until (acked, fake, SPINDLE_TEST_GUARD_MS);
}

/* Attaching *****************************************************************/

typedef struct
{
  SpindleWorkerSet *set;
  GError           *error;
  gboolean          done;
} Attach;

static void
on_attached (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Attach *attach = user_data;

  attach->set = spindle_worker_set_attach_finish (result, &attach->error);
  attach->done = TRUE;
}

static gboolean
attach_done (gpointer data)
{
  return ((Attach *) data)->done;
}

static SpindleWorkerSet *
attach (const char  *program,
        GError     **error)
{
  Attach attach = { 0 };

  spindle_worker_set_attach_async (program, NULL, on_attached, &attach);
  spindle_test_wait_until (attach_done, &attach, SPINDLE_TEST_GUARD_MS);
  if (attach.error != NULL)
    g_propagate_error (error, attach.error);

  return attach.set;
}

static SpindleWorkerSet *
attach_self (void)
{
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GError) error = NULL;
  SpindleWorkerSet *set = attach (pid, &error);

  g_assert_no_error (error);
  g_assert_nonnull (set);
  return set;
}

static SpindleWorker *
item (GListModel *model,
      guint       position)
{
  g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, position);

  return worker;   /* the model keeps it */
}

/* A program with a parent and its child asleep, and one that finished. */
static void
fill_snapshot (FakeProgram *fake)
{
  g_autoptr(GVariant) done = worker_dict (3, 0, "done", "finished", 0);
  GVariantDict dict;

  g_ptr_array_add (fake->snapshot, worker_dict (1, 0, "parent", "running", 4242));
  g_ptr_array_add (fake->snapshot, worker_dict (2, 1, "child", "running", 4243));
  g_variant_dict_init (&dict, done);
  g_variant_dict_insert (&dict, "result", "s", "int32 7");
  g_ptr_array_add (fake->snapshot, g_variant_ref_sink (g_variant_dict_end (&dict)));
}

static void
test_snapshot (void)
{
  FakeProgram *fake = fake_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  SpindleWorker *parent, *child, *done;

  fill_snapshot (fake);
  set = attach_self ();

  g_assert_true (spindle_worker_set_is_remote (set));
  g_assert_cmpint (spindle_worker_set_get_remote_pid (set), ==, getpid ());
  g_assert_cmpstr (spindle_worker_set_get_remote_name (set), ==, "scripted");
  g_assert_false (spindle_worker_set_get_remote_gone (set));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 2);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 2);
  parent = item (G_LIST_MODEL (set), 0);
  done = item (G_LIST_MODEL (set), 1);
  g_assert_cmpstr (spindle_worker_get_name (parent), ==, "parent");
  g_assert_cmpstr (spindle_worker_get_kind (parent), ==, "sleeper");
  g_assert_cmpint (spindle_worker_get_tid (parent), ==, 4242);
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpuint (spindle_worker_get_id (parent), ==, 1);
  g_assert_cmpint (spindle_worker_get_state (done), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_cmpint (g_variant_get_int32 (spindle_worker_get_result (done)), ==, 7);

  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (parent)), ==, 1);
  child = item (spindle_worker_get_children (parent), 0);
  g_assert_cmpstr (spindle_worker_get_name (child), ==, "child");
  g_assert_true (spindle_worker_get_parent (child) == parent);

  /* a local set is not remote */
  {
    g_autoptr(SpindleWorkerSet) local = spindle_worker_set_new ();

    g_assert_false (spindle_worker_set_is_remote (local));
    g_assert_cmpint (spindle_worker_set_get_remote_pid (local), ==, 0);
  }

  g_clear_object (&set);
  fake_free (fake);
}

/* Updates *******************************************************************/

typedef struct
{
  GString *events;
} Events;

static void
on_notify_state (SpindleWorker *worker,
                 GParamSpec    *pspec,
                 GString       *events)
{
  g_string_append_printf (events, "state:%s ", spindle_test_state_name (spindle_worker_get_state (worker)));
}

static void
on_stop_requested (SpindleWorker     *worker,
                   SpindleStopReason  reason,
                   GString           *events)
{
  g_string_append_printf (events, "stop-requested:%s ", spindle_test_reason_name (reason));
}

static void
on_cleanup_started (SpindleWorker *worker,
                    GString       *events)
{
  g_string_append (events, "cleanup-started ");
}

static void
on_cleanup_step (SpindleWorker         *worker,
                 const char            *label,
                 SpindleCleanupOutcome  outcome,
                 const char            *message,
                 GString               *events)
{
  g_string_append_printf (events, "step:%s:%s ", label, spindle_test_outcome_name (outcome));
}

static void
on_cleanup_finished (SpindleWorker        *worker,
                     SpindleCleanupReport *report,
                     GString              *events)
{
  g_string_append_printf (events, "cleanup-finished:%u ", spindle_cleanup_report_get_n_steps (report));
}

static void
on_finished (SpindleWorker *worker,
             GString       *events)
{
  g_string_append (events, "finished");
}

static void
listen (SpindleWorker *worker,
        GString       *events)
{
  g_signal_connect (worker, "notify::state", G_CALLBACK (on_notify_state), events);
  g_signal_connect (worker, "stop-requested", G_CALLBACK (on_stop_requested), events);
  g_signal_connect (worker, "cleanup-started", G_CALLBACK (on_cleanup_started), events);
  g_signal_connect (worker, "cleanup-step", G_CALLBACK (on_cleanup_step), events);
  g_signal_connect (worker, "cleanup-finished", G_CALLBACK (on_cleanup_finished), events);
  g_signal_connect (worker, "finished", G_CALLBACK (on_finished), events);
}

static gboolean
string_nonempty (gpointer data)
{
  return ((GString *) data)->len > 0;
}

static gboolean
string_has_finished (gpointer data)
{
  return g_str_has_suffix (((GString *) data)->str, "finished");
}

static GVariant *
change (guint64     id,
        const char *key,
        GVariant   *value)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "id", "t", id);
  g_variant_dict_insert_value (&dict, key, value);
  return g_variant_dict_end (&dict);
}

static GVariant *
stopped_with_cleanup (guint64 id)
{
  GVariantDict dict;
  GVariantBuilder steps;

  g_variant_builder_init (&steps, G_VARIANT_TYPE ("a(sssx)"));
  g_variant_builder_add (&steps, "(sssx)", "close the file", "ok", "", (gint64) 12);
  g_variant_builder_add (&steps, "(sssx)", "remove the partial file", "failed", "gone", (gint64) 30);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "id", "t", id);
  g_variant_dict_insert (&dict, "state", "s", "stopped");
  g_variant_dict_insert (&dict, "stop-reason", "s", "user");
  g_variant_dict_insert (&dict, "finished-at", "x", g_get_monotonic_time ());
  g_variant_dict_insert (&dict, "cleanup", "a(sssx)", &steps);
  return g_variant_dict_end (&dict);
}

static void
test_update (void)
{
  FakeProgram *fake = fake_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GString) events = g_string_new (NULL);
  SpindleWorker *parent;

  fill_snapshot (fake);
  set = attach_self ();
  parent = item (G_LIST_MODEL (set), 0);
  listen (parent, events);

  /* a state change arrives, with the phase */
  fake_send (fake, 11, changes (change (1, "state", g_variant_new_string ("stopping")),
                                change (1, "phase", g_variant_new_string ("flushing")), NULL), NULL);
  spindle_test_wait_until (string_nonempty, events, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpstr (events->str, ==, "stop-requested:NONE state:STOPPING ");
  g_assert_cmpstr (spindle_worker_get_phase (parent), ==, "flushing");

  /* a new worker, then one removed */
  g_string_truncate (events, 0);
  fake_send (fake, 12, changes (worker_dict (4, 0, "late", "running", 4250), NULL), NULL);
  fake_send (fake, 13, changes (NULL), g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64,
                                                                  (guint64[]) { 3 }, 1, sizeof (guint64)));
  wait_ack (fake, 13);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 2);
  g_assert_cmpstr (spindle_worker_get_name (item (G_LIST_MODEL (set), 1)), ==, "late");
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 3);

  g_clear_object (&set);
  fake_free (fake);
}

/* What a handler of the set sees: the workers n-live counts are listed,
 * whether it hears of a mirrored worker from n-live or from items-changed
 * (the set's, or its parent's children's), as for a local set.
 */
typedef struct
{
  SpindleWorkerSet *set;
  guint             n_checks;
  GString          *mismatches;
} Census;

static void
check_census (Census     *census,
              const char *when)
{
  guint n_listed_live = spindle_test_count_listed_live (G_LIST_MODEL (census->set));

  census->n_checks++;
  if (n_listed_live != spindle_worker_set_get_n_live (census->set))
    g_string_append_printf (census->mismatches, "%s%s: %u live, %u listed live",
                            census->mismatches->len ? "; " : "", when,
                            spindle_worker_set_get_n_live (census->set), n_listed_live);
}

static void
census_on_n_live (SpindleWorkerSet *set,
                  GParamSpec       *pspec,
                  Census           *census)
{
  check_census (census, "n-live");
}

static void
census_on_items_changed (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Census     *census)
{
  check_census (census, G_IS_LIST_STORE (model) ? "children's items-changed" : "items-changed");
}

static void
test_counted_are_listed (void)
{
  FakeProgram *fake = fake_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GString) mismatches = g_string_new (NULL);
  Census census = { NULL, 0, mismatches };
  g_autoptr(SpindleWorker) parent = NULL;

  fill_snapshot (fake);
  set = attach_self ();
  census.set = set;
  /* held: the program removes it below */
  parent = g_object_ref (item (G_LIST_MODEL (set), 0));
  g_signal_connect (set, "notify::n-live", G_CALLBACK (census_on_n_live), &census);
  g_signal_connect (set, "items-changed", G_CALLBACK (census_on_items_changed), &census);
  g_signal_connect (spindle_worker_get_children (parent), "items-changed",
                    G_CALLBACK (census_on_items_changed), &census);

  /* a new worker, and a new child of the parent */
  fake_send (fake, 11, changes (worker_dict (4, 0, "late", "running", 4250),
                                worker_dict (5, 1, "late child", "running", 4251), NULL), NULL);
  wait_ack (fake, 11);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (parent)), ==, 2);

  /* one ends */
  fake_send (fake, 12, changes (stopped_with_cleanup (4), NULL), NULL);
  wait_ack (fake, 12);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 3);

  /* live ones leave: one at the top level, a child */
  fake_send (fake, 13, changes (worker_dict (6, 0, "brief", "running", 4252), NULL), NULL);
  fake_send (fake, 14, changes (NULL), g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64,
                                                                  (guint64[]) { 6, 5 }, 2, sizeof (guint64)));
  wait_ack (fake, 14);
  g_assert_cmpstr (mismatches->str, ==, "");
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (parent)), ==, 1);

  /* a live parent leaves without its live child: the child takes its
   * place at the top level, then leaves in turn */
  fake_send (fake, 15, changes (NULL), g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64,
                                                                  (guint64[]) { 1 }, 1, sizeof (guint64)));
  wait_ack (fake, 15);
  g_assert_cmpstr (mismatches->str, ==, "");
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 3);
  g_assert_cmpstr (spindle_worker_get_name (item (G_LIST_MODEL (set), 0)), ==, "child");
  g_assert_null (spindle_worker_get_parent (item (G_LIST_MODEL (set), 0)));
  fake_send (fake, 16, changes (NULL), g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64,
                                                                  (guint64[]) { 2 }, 1, sizeof (guint64)));
  wait_ack (fake, 16);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 2);

  g_assert_cmpstr (mismatches->str, ==, "");
  g_assert_cmpuint (census.n_checks, >=, 10);

  g_signal_handlers_disconnect_by_data (spindle_worker_get_children (parent), &census);
  g_signal_handlers_disconnect_by_data (set, &census);
  g_clear_object (&set);
  fake_free (fake);
}

/* A stop through the mirror reaches the program, and its cleanup comes back. */
static void
test_stop (void)
{
  FakeProgram *fake = fake_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GString) events = g_string_new (NULL);
  SpindleWorker *parent;
  SpindleCleanupReport *report;

  fill_snapshot (fake);
  set = attach_self ();
  parent = item (G_LIST_MODEL (set), 0);
  listen (parent, events);

  spindle_worker_request_stop (parent);
  spindle_worker_force_cancel (item (spindle_worker_get_children (parent), 0));
  /* the mirror waits for the program to say what happened */
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_count ((gint *) &fake->requests->len, 2);
  g_assert_cmpstr (g_ptr_array_index (fake->requests, 0), ==, "Stop 1");
  g_assert_cmpstr (g_ptr_array_index (fake->requests, 1), ==, "ForceCancel 2");

  /* between two updates it went through stopping and cleaning: the
   * signals come in the engine's order all the same */
  fake_send (fake, 11, changes (stopped_with_cleanup (1), NULL), NULL);
  spindle_test_wait_until (string_has_finished, events, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpstr (events->str, ==,
                   "stop-requested:USER cleanup-started step:close the file:OK "
                   "step:remove the partial file:FAILED cleanup-finished:2 state:STOPPED finished");
  report = spindle_worker_get_cleanup_report (parent);
  g_assert_nonnull (report);
  g_assert_cmpuint (spindle_cleanup_report_get_n_steps (report), ==, 2);
  g_assert_cmpstr (spindle_cleanup_report_get_step (report, 1)->message, ==, "gone");
  g_assert_cmpint (spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_FAILED), ==, 1);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 1);

  /* a request for a worker that is over is not sent */
  spindle_worker_request_stop (parent);
  spindle_worker_abandon (item (spindle_worker_get_children (parent), 0));
  spindle_test_wait_count ((gint *) &fake->requests->len, 3);
  g_assert_cmpstr (g_ptr_array_index (fake->requests, 2), ==, "Abandon 2");

  g_clear_object (&set);
  fake_free (fake);
}

/* A program that refuses control: the refusal is logged, nothing breaks. */
static void
on_refusal_logged (const char     *domain,
                   GLogLevelFlags  level,
                   const char     *message,
                   gpointer        user_data)
{
  if (strstr (message, "does not allow control") != NULL)
    g_atomic_int_inc ((gint *) user_data);
}

static void
test_refused (void)
{
  FakeProgram *fake = fake_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  SpindleWorker *parent;
  gint logged = 0;
  guint handler;

  fill_snapshot (fake);
  fake->refuse = TRUE;
  set = attach_self ();
  parent = item (G_LIST_MODEL (set), 0);

  handler = g_log_set_handler (NULL, G_LOG_LEVEL_MESSAGE, on_refusal_logged, &logged);
  spindle_worker_request_stop (parent);
  spindle_test_wait_count (&logged, 1);
  g_log_remove_handler (NULL, handler);
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_RUNNING);

  g_clear_object (&set);
  fake_free (fake);
}

static gboolean
set_gone (gpointer data)
{
  return spindle_worker_set_get_remote_gone (data);
}

static void
on_gone (GObject    *set,
         GParamSpec *pspec,
         gint       *notified)
{
  (*notified)++;
}

/* The program exits: the set says so and keeps the workers as they were. */
static void
test_gone (void)
{
  FakeProgram *fake = fake_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  gint notified = 0;

  fill_snapshot (fake);
  set = attach_self ();
  g_signal_connect (set, "notify::remote-gone", G_CALLBACK (on_gone), &notified);

  fake_exit (fake);
  spindle_test_wait_until (set_gone, set, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (notified, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 2);
  g_assert_cmpint (spindle_worker_get_state (item (G_LIST_MODEL (set), 0)), ==, SPINDLE_WORKER_STATE_RUNNING);

  /* requests to a program that is gone do nothing */
  spindle_worker_request_stop (item (G_LIST_MODEL (set), 0));
  g_assert_cmpint (spindle_worker_get_state (item (G_LIST_MODEL (set), 0)), ==, SPINDLE_WORKER_STATE_RUNNING);

  g_clear_object (&set);
  fake_free (fake);
}

/* Handlers that drop the set's last reference, as a window that owns it
 * does when it closes: the mirror went on with the update, the snapshot
 * or the program's exit on the set and its mirrors after that.
 */
typedef struct
{
  SpindleWorkerSet *set;
  gint              dropped;
} Dropper;

static void
drop (Dropper *dropper)
{
  g_clear_object (&dropper->set);
  dropper->dropped++;
}

static void
drop_on_n_live (GObject    *set,
                GParamSpec *pspec,
                Dropper    *dropper)
{
  g_signal_handlers_disconnect_by_func (set, drop_on_n_live, dropper);
  drop (dropper);
}

static void
drop_on_items_changed (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       Dropper    *dropper)
{
  g_signal_handlers_disconnect_by_func (model, drop_on_items_changed, dropper);
  drop (dropper);
}

static void
drop_on_finished (SpindleWorker *worker,
                  Dropper       *dropper)
{
  g_signal_handlers_disconnect_by_func (worker, drop_on_finished, dropper);
  drop (dropper);
}

static void
drop_on_notify (GObject    *worker,
                GParamSpec *pspec,
                Dropper    *dropper)
{
  g_signal_handlers_disconnect_by_func (worker, drop_on_notify, dropper);
  drop (dropper);
}

static GVariant *
removals (guint64 first,
          guint64 second)
{
  guint64 ids[] = { first, second };

  return g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, ids, second != 0 ? 2 : 1, sizeof (guint64));
}

typedef enum
{
  DROP_ON_NEW,          /* n-live, for a new worker */
  DROP_ON_REMOVAL,      /* items-changed, for a removal */
  DROP_ON_FINISHED,     /* a worker's finished */
  DROP_ON_SNAPSHOT,     /* items-changed, for a fresh snapshot's removal */
  DROP_ON_EXIT,         /* a worker's notify, as the program exits */
} DropCase;

static void
test_drops_set (gconstpointer data)
{
  DropCase drop_case = GPOINTER_TO_INT (data);
  FakeProgram *fake = fake_new ();
  Dropper dropper = { NULL, 0 };
  /* the set's connection to the bus outlives it, as in an application:
   * the acknowledgement it sends as it goes is not lost with it */
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  fill_snapshot (fake);
  dropper.set = attach_self ();

  switch (drop_case)
    {
    case DROP_ON_NEW:
      g_signal_connect (dropper.set, "notify::n-live", G_CALLBACK (drop_on_n_live), &dropper);
      fake_send (fake, 11, changes (worker_dict (4, 0, "late", "running", 4250),
                                    change (1, "phase", g_variant_new_string ("after")), NULL),
                 removals (3, 0));
      wait_ack (fake, 11);
      break;

    case DROP_ON_REMOVAL:
      g_signal_connect (dropper.set, "items-changed", G_CALLBACK (drop_on_items_changed), &dropper);
      fake_send (fake, 11, changes (NULL), removals (3, 1));
      wait_ack (fake, 11);
      break;

    case DROP_ON_FINISHED:
      g_signal_connect (item (G_LIST_MODEL (dropper.set), 0), "finished",
                        G_CALLBACK (drop_on_finished), &dropper);
      fake_send (fake, 11, changes (stopped_with_cleanup (1),
                                    change (2, "phase", g_variant_new_string ("after")), NULL),
                 removals (3, 0));
      wait_ack (fake, 11);
      break;

    case DROP_ON_SNAPSHOT:
      /* update 11 is lost: the fresh snapshot no longer has the one
       * that finished */
      g_signal_connect (dropper.set, "items-changed", G_CALLBACK (drop_on_items_changed), &dropper);
      g_ptr_array_remove_index (fake->snapshot, 2);
      g_ptr_array_add (fake->snapshot, worker_dict (4, 0, "fresh", "running", 4250));
      fake->seq = 20;
      fake_send (fake, 12, changes (NULL), NULL);
      spindle_test_wait_count (&dropper.dropped, 1);
      break;

    case DROP_ON_EXIT:
      g_signal_connect (item (G_LIST_MODEL (dropper.set), 0), "notify::finished-at",
                        G_CALLBACK (drop_on_notify), &dropper);
      fake_exit (fake);
      spindle_test_wait_count (&dropper.dropped, 1);
      break;
    }

  g_assert_cmpint (dropper.dropped, ==, 1);
  g_assert_null (dropper.set);
  fake_free (fake);
}

/* Malformed updates are ignored, a gap in the numbers takes a new snapshot. */
static void
test_malformed (void)
{
  FakeProgram *fake = fake_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GError) error = NULL;
  SpindleWorker *parent;

  fill_snapshot (fake);
  set = attach_self ();
  parent = item (G_LIST_MODEL (set), 0);

  /* values of the wrong type, an unknown state, no id, an unknown key */
  fake_send (fake, 11, changes (change (1, "tid", g_variant_new_string ("twelve")),
                                change (1, "state", g_variant_new_string ("exploded")),
                                change (1, "name", g_variant_new_uint32 (5)),
                                change (1, "no-such-key", g_variant_new_boolean (TRUE)),
                                change (0, "name", g_variant_new_string ("no id")), NULL), NULL);
  wait_ack (fake, 11);
  g_assert_cmpint (spindle_worker_get_tid (parent), ==, 4242);
  g_assert_cmpstr (spindle_worker_get_name (parent), ==, "parent");
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 2);

  /* a signal of the wrong signature */
  g_dbus_connection_emit_signal (fake->connection, fake->subscriber, PATH, INTERFACE, "Update",
                                 g_variant_new ("(s)", "garbage"), &error);
  g_assert_no_error (error);

  /* updates 12 and 13 were lost: the client asks for a fresh snapshot,
   * in which the parent has gone and a new worker has come */
  g_ptr_array_remove_index (fake->snapshot, 0);
  g_ptr_array_remove_index (fake->snapshot, 0);
  g_ptr_array_add (fake->snapshot, worker_dict (5, 0, "fresh", "running", 4260));
  fake->seq = 20;
  fake_send (fake, 14, changes (NULL), NULL);
  spindle_test_wait_count ((gint *) &fake->n_subscribes, 2);
  fake_send (fake, 21, changes (change (5, "phase", g_variant_new_string ("after")), NULL), NULL);
  wait_ack (fake, 21);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 2);
  g_assert_cmpstr (spindle_worker_get_name (item (G_LIST_MODEL (set), 0)), ==, "done");
  g_assert_cmpstr (spindle_worker_get_name (item (G_LIST_MODEL (set), 1)), ==, "fresh");
  g_assert_cmpstr (spindle_worker_get_phase (item (G_LIST_MODEL (set), 1)), ==, "after");
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 1);

  g_clear_object (&set);
  fake_free (fake);
}

static void
on_stack (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **error = user_data;
  SpindleStack *stack = spindle_stack_capture_finish (result, error);

  g_assert_null (stack);
}

static gboolean
error_set (gpointer data)
{
  return *(GError **) data != NULL;
}

/* Show Stack on another program's worker says why it cannot be done. */
static void
test_stack (void)
{
  FakeProgram *fake = fake_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GError) error = NULL;

  fill_snapshot (fake);
  set = attach_self ();
  spindle_worker_capture_stack_async (item (G_LIST_MODEL (set), 0), NULL, on_stack, &error);
  spindle_test_wait_until (error_set, &error, SPINDLE_TEST_GUARD_MS);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "another program"));

  g_clear_object (&set);
  fake_free (fake);
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_strdup_printf ("%d", (int) getppid ());
  SpindleWorkerSet *set;

  /* a process that exports nothing */
  set = attach (parent, &error);
  g_assert_null (set);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "does not export"));
  g_clear_error (&error);

  /* no such process */
  set = attach ("2147483647", &error);
  g_assert_null (set);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no process"));
  g_clear_error (&error);

  /* neither a process id nor a bus name */
  set = attach ("twelve monkeys", &error);
  g_assert_null (set);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* a name that serves something else */
  set = attach ("org.freedesktop.DBus", &error);
  g_assert_null (set);
  g_assert_nonnull (error);
}

/* A real export ****************************************************************/

static gboolean
close_file (gpointer   user_data,
            GError   **error)
{
  return TRUE;
}

static GVariant *
sleeper (SpindleJob  *job,
         gpointer     user_data,
         GError     **error)
{
  spindle_job_push_cleanup (job, "close the file", close_file, NULL);
  while (spindle_job_sleep (job, G_USEC_PER_SEC))
    ;
  return NULL;
}

static SpindleWorker *
find_named (GListModel *model,
            const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (spindle_worker_get_name (item (model, i)), name))
      return item (model, i);

  return NULL;
}

static gboolean
name_vanished (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_vanished (GDBusConnection *connection,
             const char      *name,
             gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* This process exports a set of its own and attaches to itself: the
 * export answers on its own thread, the set ticks on this context.
 */
static void
test_exported (void)
{
  g_autoptr(SpindleWorkerSet) local = spindle_test_set_new ();
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf (SPINDLE_REMOTE_NAME_PREFIX "%d", (int) getpid ());
  SpindleWorker *alpha, *beta, *mirror_alpha, *mirror_beta;
  gboolean vanished = FALSE;
  guint watch;

  alpha = spindle_test_spawn (local, "alpha", sleeper, NULL);
  beta = spindle_test_spawn (local, "beta", sleeper, NULL);
  g_assert_true (spindle_worker_set_export (local, SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL, &error));
  g_assert_no_error (error);

  set = attach_self ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 2);
  mirror_alpha = find_named (G_LIST_MODEL (set), "alpha");
  mirror_beta = find_named (G_LIST_MODEL (set), "beta");
  g_assert_nonnull (mirror_alpha);
  g_assert_nonnull (mirror_beta);
  g_assert_cmpuint (spindle_worker_get_id (mirror_alpha), ==, spindle_worker_get_id (alpha));
  spindle_test_wait_state (mirror_alpha, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_cmpint (spindle_worker_get_tid (mirror_alpha), ==, spindle_worker_get_tid (alpha));

  /* a change in the program reaches the mirror */
  spindle_worker_request_stop (alpha);
  spindle_test_wait_state (mirror_alpha, SPINDLE_WORKER_STATE_STOPPED);

  /* a stop through the mirror ends the program's worker, cleanup and all */
  spindle_worker_request_stop (mirror_beta);
  spindle_test_wait_state (beta, SPINDLE_WORKER_STATE_STOPPED);
  spindle_test_wait_state (mirror_beta, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_nonnull (spindle_worker_get_cleanup_report (mirror_beta));
  g_assert_cmpuint (spindle_cleanup_report_get_n_steps (spindle_worker_get_cleanup_report (mirror_beta)), ==, 1);
  g_assert_cmpstr (spindle_cleanup_report_get_step (spindle_worker_get_cleanup_report (mirror_beta), 0)->label,
                   ==, "close the file");
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  /* the program stops exporting: the set follows its name */
  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, name, G_BUS_NAME_WATCHER_FLAGS_NONE,
                            NULL, on_vanished, &vanished, NULL);
  spindle_worker_set_unexport (local);
  spindle_test_wait_until (set_gone, set, SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_until (name_vanished, &vanished, SPINDLE_TEST_GUARD_MS);
  g_bus_unwatch_name (watch);
  g_assert_cmpint (spindle_worker_get_state (mirror_beta), ==, SPINDLE_WORKER_STATE_STOPPED);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("test-remote needs a session bus of its own: run it under dbus-run-session\n");
      return 1;
    }

  /* first: the scripted program takes the same name after it */
  g_test_add_func ("/engine/remote/exported", test_exported);
  g_test_add_func ("/engine/remote/snapshot", test_snapshot);
  g_test_add_func ("/engine/remote/update", test_update);
  g_test_add_func ("/engine/remote/counted-are-listed", test_counted_are_listed);
  g_test_add_func ("/engine/remote/stop", test_stop);
  g_test_add_func ("/engine/remote/refused", test_refused);
  g_test_add_func ("/engine/remote/gone", test_gone);
  g_test_add_data_func ("/engine/remote/drops-set/new", GINT_TO_POINTER (DROP_ON_NEW), test_drops_set);
  g_test_add_data_func ("/engine/remote/drops-set/removal", GINT_TO_POINTER (DROP_ON_REMOVAL), test_drops_set);
  g_test_add_data_func ("/engine/remote/drops-set/finished", GINT_TO_POINTER (DROP_ON_FINISHED), test_drops_set);
  g_test_add_data_func ("/engine/remote/drops-set/snapshot", GINT_TO_POINTER (DROP_ON_SNAPSHOT), test_drops_set);
  g_test_add_data_func ("/engine/remote/drops-set/exit", GINT_TO_POINTER (DROP_ON_EXIT), test_drops_set);
  g_test_add_func ("/engine/remote/malformed", test_malformed);
  g_test_add_func ("/engine/remote/stack", test_stack);
  g_test_add_func ("/engine/remote/errors", test_errors);

  return g_test_run ();
}
