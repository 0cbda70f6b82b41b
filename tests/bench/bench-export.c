/* bench-export.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* EX1-EX3: a set exported on the session bus (spindle_worker_set_export),
 * on a private bus of the benchmark's own:
 *  EX1  the snapshot of 1,000 workers to a new subscriber, beside the
 *       round trip of an empty call (Describe) in the same run;
 *  EX2  the exporting process's CPU with one subscriber in another
 *       process, its 1,000 workers each changing once a second, beside
 *       the same process with no subscriber;
 *  EX3  the messages the export sends with no subscriber (none).
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "spindle-export-private.h"
#include "spindle-bench.h"

#define EX_WORKERS     1000
#define IFACE          "dev.spindle.Spindle1.Program"
#define SUBSCRIBER_ENV "SPINDLE_BENCH_EXPORT_SUBSCRIBER"

static gint64
process_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts_to_ns (&ts);
}

/* Changes once a second, as the goal's workers do. */
static GVariant *
ticking_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  guint n = 0;

  while (spindle_job_sleep (job, G_USEC_PER_SEC))
    spindle_job_set_progress (job, (++n % 100) / 100.0);

  return NULL;
}

static gboolean
loop_quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Runs the main context for @msec: the set's events and ticks. */
static void
run_for (guint msec)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_timeout_add (msec, loop_quit_cb, loop);
  g_main_loop_run (loop);
}

/* EX1: the client calls from a thread of its own, the set's context runs
 * on the main thread, as in a program with a main loop.
 */
typedef struct
{
  char    *name;
  int      trials;
  GArray  *snapshot_ms;
  GArray  *describe_ms;
  guint    n_workers;
  gint     done;
} SnapshotTrials;

static double
call_ms (GDBusConnection *connection,
         const char      *name,
         const char      *method,
         GVariant        *parameters,
         GVariant       **reply)
{
  g_autoptr(GError) error = NULL;
  gint64 begin = now_ns ();
  GVariant *result = g_dbus_connection_call_sync (connection, name, SPINDLE_EXPORT_OBJECT_PATH, IFACE,
                                                  method, parameters, NULL, G_DBUS_CALL_FLAGS_NONE,
                                                  GUARD_MS, NULL, &error);
  double ms = (now_ns () - begin) / 1e6;

  if (result == NULL)
    g_error ("%s: %s", method, error->message);
  if (reply != NULL)
    *reply = result;
  else
    g_variant_unref (result);

  return ms;
}

static gpointer
snapshot_client (gpointer data)
{
  SnapshotTrials *trials = data;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GDBusConnection) connection = NULL;

  /* not the shared connection, which the bus's teardown waits for */
  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, NULL);
  g_assert (connection != NULL);

  for (int i = 0; i < trials->trials; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GVariant) workers = NULL;

      samples_add (trials->describe_ms, call_ms (connection, trials->name, "Describe", NULL, NULL));
      samples_add (trials->snapshot_ms,
                   call_ms (connection, trials->name, "Subscribe", g_variant_new ("(a{sv})", NULL), &reply));
      workers = g_variant_get_child_value (reply, 2);
      trials->n_workers = g_variant_n_children (workers);
      call_ms (connection, trials->name, "Unsubscribe", NULL, NULL);
    }

  g_dbus_connection_close_sync (connection, NULL, NULL);
  g_atomic_int_set (&trials->done, 1);
  g_main_context_wakeup (NULL);

  return NULL;
}

static gboolean
trials_done_cond (gpointer data)
{
  return g_atomic_int_get (&((SnapshotTrials *) data)->done) != 0;
}

static void
bench_snapshot (SpindleWorkerSet *set,
                guint             n)
{
  SnapshotTrials trials = {
    .name = (char *) spindle_worker_set_get_export_name (set),
    .trials = opts.quick ? 10 : 40,
    .snapshot_ms = samples_new (),
    .describe_ms = samples_new (),
  };
  g_autofree char *measure = g_strdup_printf ("Subscribe: snapshot of %u workers to a new subscriber", n);
  GThread *thread = g_thread_new ("ex1-client", snapshot_client, &trials);
  Row *row;

  wait_until (trials_done_cond, &trials, "EX1 trials");
  g_thread_join (thread);

  row = row_add ("EX1", measure, "ms",
                 percentile (trials.snapshot_ms, 50), percentile (trials.snapshot_ms, 99),
                 "Describe round trip", percentile (trials.describe_ms, 50), percentile (trials.describe_ms, 99));
  row_goal (row, "p50 ≤ 100 ms", percentile (trials.snapshot_ms, 50) <= 100);
  row_extra_num (row, "workers_in_snapshot", trials.n_workers);
  row_note (row, "each trial subscribes afresh: the set's context walks every worker, then the export thread answers");

  g_array_unref (trials.snapshot_ms);
  g_array_unref (trials.describe_ms);
}

/* EX2's subscriber, in a process of its own (SPINDLE_BENCH_EXPORT_SUBSCRIBER
 * names the program): acknowledges every update, says "ready" on stdout
 * once subscribed, and runs until killed.
 */
static void
subscriber_update_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  guint64 seq;

  g_variant_get (parameters, "(tu@aa{sv}@at)", &seq, NULL, NULL, NULL);
  g_dbus_connection_call (connection, user_data, SPINDLE_EXPORT_OBJECT_PATH, IFACE, "Ack",
                          g_variant_new ("(t)", seq), NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
}

int
bench_export_subscriber (void)
{
  const char *name = g_getenv (SUBSCRIBER_ENV);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GDBusConnection) connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  GVariantBuilder options;

  g_dbus_connection_signal_subscribe (connection, NULL, IFACE, "Update", SPINDLE_EXPORT_OBJECT_PATH, NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, subscriber_update_cb, (gpointer) name, NULL);
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "interval-ms", g_variant_new_uint32 (1000));
  reply = g_dbus_connection_call_sync (connection, name, SPINDLE_EXPORT_OBJECT_PATH, IFACE, "Subscribe",
                                       g_variant_new ("(a{sv})", &options), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       GUARD_MS, NULL, NULL);
  if (reply == NULL)
    return 1;

  printf ("ready\n");
  fflush (stdout);
  g_main_loop_run (loop);

  return 0;
}

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

static gboolean
line_done_cond (gpointer data)
{
  return ((LineRead *) data)->done;
}

static GSubprocess *
start_subscriber (const char *name)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  LineRead read = { NULL };
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, SUBSCRIBER_ENV, name, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, self, NULL);
  if (process == NULL)
    g_error ("EX2 subscriber: %s", error->message);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
  wait_until (line_done_cond, &read, "EX2 subscriber ready");
  if (g_strcmp0 (read.line, "ready") != 0)
    g_error ("EX2 subscriber did not subscribe");
  g_free (read.line);

  return process;
}

/* EX3 counts what the bus carries from the program, as dbus-monitor
 * would: a monitor connection that sees every message the program's
 * connection sends.
 */
static GDBusMessage *
monitor_filter (GDBusConnection *connection,
                GDBusMessage    *message,
                gboolean         incoming,
                gpointer         user_data)
{
  const char *sender = g_object_get_data (G_OBJECT (connection), "spindle-bench-sender");

  if (!incoming || g_strcmp0 (g_dbus_message_get_sender (message), sender) != 0)
    return message;

  g_atomic_int_inc ((gint *) user_data);
  g_object_unref (message);
  return NULL;
}

static GDBusConnection *
monitor_program (const char *name,
                 gint       *n_messages)
{
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *rule = NULL;
  const char *rules[2] = { NULL, NULL };
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  if (connection == NULL)
    g_error ("EX3 monitor: %s", error->message);
  owner = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner", g_variant_new ("(s)", name),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (owner == NULL)
    g_error ("EX3 monitor: %s", error->message);

  g_object_set_data_full (G_OBJECT (connection), "spindle-bench-sender",
                          g_variant_dup_string (g_variant_get_child_value (owner, 0), NULL), g_free);
  rule = g_strdup_printf ("sender='%s'", (const char *) g_object_get_data (G_OBJECT (connection),
                                                                          "spindle-bench-sender"));
  rules[0] = rule;
  g_dbus_connection_add_filter (connection, monitor_filter, n_messages, NULL);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                       g_variant_new ("(^asu)", rules, 0), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, &error);
  if (reply == NULL)
    g_error ("EX3 monitor: %s", error->message);

  return connection;
}

/* Process CPU over @msec of the main loop, as % of one core. */
static double
cpu_percent_over (guint msec)
{
  gint64 cpu = process_cpu_ns ();
  gint64 begin = now_ns ();

  run_for (msec);
  return 100.0 * (process_cpu_ns () - cpu) / (double) (now_ns () - begin);
}

/* One round: a window with no subscriber, then one with a subscriber in
 * another process; the extra is their difference. Rounds alternate, so
 * that the machine's load, which varies, falls on both sides alike.
 */
static void
cpu_round (SpindleWorkerSet *set,
           guint             window,
           GArray           *extra,
           GArray           *idle,
           gint             *idle_messages,
           guint            *busy_signals)
{
  const char *name = spindle_worker_set_get_export_name (set);
  GDBusConnection *monitor = monitor_program (name, idle_messages);
  GSubprocess *subscriber;
  guint signals_before;
  double without, with;

  without = cpu_percent_over (window);
  g_dbus_connection_close_sync (monitor, NULL, NULL);
  g_object_unref (monitor);

  subscriber = start_subscriber (name);
  run_for (1500);   /* the first tick, with every worker, is behind us */
  /* no monitor here: its connection would parse copies of the updates
   * on this process's GDBus thread and count against the export
   */
  signals_before = _spindle_export_get_n_signals ();
  with = cpu_percent_over (window);
  *busy_signals += _spindle_export_get_n_signals () - signals_before;
  g_subprocess_force_exit (subscriber);
  g_subprocess_wait (subscriber, NULL, NULL);
  g_object_unref (subscriber);
  run_for (1500);   /* the export forgets it and stops gathering */

  samples_add (extra, with - without);
  samples_add (idle, without);
}

static void
bench_cpu (SpindleWorkerSet *set,
           guint             n)
{
  guint window = opts.quick ? 2000 : 5000;
  guint rounds = opts.quick ? 2 : 4;
  g_autofree char *measure = g_strdup_printf ("CPU of the exporting process, %u workers changing at 1 Hz, "
                                              "one subscriber (1 s ticks)", n);
  g_autoptr(GArray) extra = samples_new ();
  g_autoptr(GArray) idle = samples_new ();
  gint idle_messages = 0;
  guint busy_signals = 0;
  Row *row;

  for (guint i = 0; i < rounds; i++)
    cpu_round (set, window, extra, idle, &idle_messages, &busy_signals);

  row = row_add ("EX2", measure, "% of a core", percentile (extra, 50), percentile (extra, 99),
                 "the same process, no subscriber (% of a core)", percentile (idle, 50), percentile (idle, 99));
  row_goal (row, "≤ 1 %", percentile (extra, 50) <= 1.0);
  row_extra_num (row, "rounds", rounds);
  row_extra_num (row, "updates_per_second", busy_signals * 1000.0 / (window * rounds));
  row_note (row, "median over rounds of (window with a subscriber in another process) minus "
                 "(window without), the rounds alternating; the p99 column is the worst round");

  row = row_add ("EX3", "bus messages from the program with no subscriber, workers changing at 1 Hz",
                 "messages", g_atomic_int_get (&idle_messages), NAN, NULL, NAN, NAN);
  row_goal (row, "0", g_atomic_int_get (&idle_messages) == 0);
  row_note (row, "seen by a monitor of the bus (as dbus-monitor) during EX2's windows without a subscriber");
}

static gboolean
all_running_cond (gpointer data)
{
  GListModel *model = data;
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);

      if (spindle_worker_get_state (worker) != SPINDLE_WORKER_STATE_RUNNING)
        return FALSE;
    }

  return TRUE;
}

void
bench_export (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GError) error = NULL;
  guint n = worker_budget (EX_WORKERS);

  if (!wants ("EX1") && !wants ("EX2") && !wants ("EX3"))
    return;

  /* a bus of our own: nothing else on it, and no session bus needed */
  g_test_dbus_up (bus);
  set = spindle_worker_set_new ();
  if (!spindle_worker_set_export (set, SPINDLE_EXPORT_FLAGS_NONE, &error))
    g_error ("EX: cannot export: %s", error->message);

  for (guint i = 0; i < n; i++)
    spawn_or_die (set, "ticking", ticking_body, NULL);
  wait_until (all_running_cond, set, "EX workers running");

  if (wants ("EX1"))
    bench_snapshot (set, n);
  if (wants ("EX2") || wants ("EX3"))
    bench_cpu (set, n);

  spindle_worker_set_stop_all (set);
  wait_until (set_idle_cond, set, "EX workers ended");
  spindle_worker_set_unexport (set);
  g_test_dbus_down (bus);
}
