/* test-monitor.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the window's worker monitor costs: a worker made costs it no
 * handler of its own (the one handler its event log follows it with
 * serves both), and a change of a process worker's rows costs what
 * changed, with thousands of workers beside it. And what it counts when
 * a walk of a process worker's tree changes the lists it is walking.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spindle-clock.h"
#include "spindle-event-log.h"
#include "spindle-panel-private.h"
#include "spindle-test-util.h"
#include "spindle-ui-test-util.h"
#include "spindle-worker-monitor.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

#define N_SPAWNS 10000
#define N_BESIDE 2000
#define N_CHURNS 20

/* Handlers on @instance for the signals of @type, whatever their data or
 * detail: found one by one, blocked while counted.
 */
static guint
count_signal_handlers (gpointer instance,
                       GType    type)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (gulong));
  g_autofree guint *ids = NULL;
  guint n_ids;

  ids = g_signal_list_ids (type, &n_ids);
  for (guint i = 0; i < n_ids; i++)
    {
      gulong id;

      while ((id = g_signal_handler_find (instance, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED,
                                          ids[i], 0, NULL, NULL, NULL)) != 0)
        {
          g_signal_handler_block (instance, id);
          g_array_append_val (found, id);
        }
    }

  for (guint i = 0; i < found->len; i++)
    g_signal_handler_unblock (instance, g_array_index (found, gulong, i));

  return found->len;
}

static guint
n_handlers (gpointer instance)
{
  guint n = 0;

  for (GType type = G_TYPE_FROM_INSTANCE (instance); type != 0; type = g_type_parent (type))
    {
      g_autofree GType *ifaces = NULL;
      guint n_ifaces;

      n += count_signal_handlers (instance, type);
      ifaces = g_type_interfaces (type, &n_ifaces);
      for (guint i = 0; i < n_ifaces; i++)
        n += count_signal_handlers (instance, ifaces[i]);
    }

  return n;
}

static gboolean
has_running_child (gpointer data)
{
  GListModel *children = spindle_worker_get_children (data);
  g_autoptr(SpindleWorker) child = NULL;

  if (g_list_model_get_n_items (children) == 0)
    return FALSE;

  child = g_list_model_get_item (children, 0);
  return spindle_worker_get_state (child) == SPINDLE_WORKER_STATE_RUNNING;
}

static void
assert_one_handler (SpindleWorker *worker)
{
  g_assert_cmpuint (n_handlers (worker), ==, 1);
  g_assert_cmpuint (n_handlers (spindle_worker_get_children (worker)), ==, 0);
}

/* A worker, a child too, has one handler, its log's, and its children
 * none; the monitor still counts their states as they change, their
 * children as they come, and the workers that leave.
 */
static void
test_one_handler_per_worker (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleWorkerMonitor) monitor = spindle_worker_monitor_new (set);
  SpindleWorker *sleeper = spindle_test_spawn (set, "sleeper", spindle_ui_test_sleep_until_stopped, NULL);
  g_autoptr(SpindleWorker) gone = g_object_ref (spindle_test_spawn (set, "gone", spindle_ui_test_sleep_until_stopped, NULL));
  SpindleWorker *parent = spindle_test_spawn (set, "parent", spindle_ui_test_parent_until_stopped, NULL);
  g_autoptr(SpindleWorker) child = NULL;

  spindle_test_wait_state (sleeper, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_state (gone, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_until (has_running_child, parent, SPINDLE_TEST_GUARD_MS);
  child = g_list_model_get_item (spindle_worker_get_children (parent), 0);
  spindle_worker_monitor_flush (monitor);

  assert_one_handler (sleeper);
  assert_one_handler (parent);
  assert_one_handler (child);
  g_assert_cmpuint (spindle_worker_monitor_get_n_total (monitor), ==, 4);
  g_assert_cmpuint (spindle_worker_monitor_get_n_in_state (monitor, SPINDLE_WORKER_STATE_RUNNING), ==, 4);

  spindle_worker_request_stop (child);
  spindle_test_wait_terminal (child);
  g_assert_cmpuint (spindle_worker_monitor_get_n_in_state (monitor, SPINDLE_WORKER_STATE_RUNNING), ==, 3);
  g_assert_cmpuint (spindle_worker_monitor_get_n_in_state (monitor, SPINDLE_WORKER_STATE_STOPPED), ==, 1);

  spindle_worker_request_stop (gone);
  spindle_test_wait_terminal (gone);
  spindle_worker_set_remove (set, gone);
  g_assert_cmpuint (spindle_worker_monitor_get_n_total (monitor), ==, 3);
  g_assert_cmpuint (spindle_worker_monitor_get_n_live (monitor), ==, 2);

  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (spindle_worker_monitor_get_n_live (monitor), ==, 0);
}

/* A window that owns the monitor and the set lets go of both from the
 * monitor's signal, when it closes as its last worker ends: the monitor,
 * which goes on to emit worker-ended for the same change, must outlive
 * its emissions, and the set the change it was making.
 */
typedef struct
{
  SpindleWorkerSet     *set;
  SpindleWorkerMonitor *monitor;
  guint                 n_dropped;
} Owner;

static void
drop_on_end (SpindleWorkerMonitor *monitor,
             SpindleWorker        *worker,
             gboolean              state_changed,
             Owner                *owner)
{
  if (worker == NULL || !state_changed || !spindle_worker_is_terminal (worker))
    return;

  g_signal_handlers_disconnect_by_func (monitor, drop_on_end, owner);
  g_clear_object (&owner->set);
  g_clear_object (&owner->monitor);
  owner->n_dropped++;
}

static gboolean
owner_dropped (gpointer data)
{
  return ((Owner *) data)->n_dropped > 0;
}

static void
test_handler_drops_monitor (void)
{
  static gint result;
  Owner owner = { spindle_test_set_new (), NULL, 0 };

  owner.monitor = spindle_worker_monitor_new (owner.set);
  g_signal_connect (owner.monitor, "worker-changed", G_CALLBACK (drop_on_end), &owner);
  spindle_test_spawn (owner.set, "quick", spindle_test_int_body, &result);

  spindle_test_wait_until (owner_dropped, &owner, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (owner.n_dropped, ==, 1);
  g_assert_null (owner.monitor);
  g_assert_null (owner.set);
}

/* A set whose workers' threads are made by its starter threads, as the
 * window's batches are, on small stacks.
 */
static SpindleWorkerSet *
background_set_new (void)
{
  SpindleWorkerSet *set = spindle_test_set_new ();

  g_object_set (set, "background-start", TRUE, NULL);
  spindle_worker_set_set_stack_size (set, 64 * 1024);

  return set;
}

static void
end_set (SpindleWorkerSet *set)
{
  spindle_worker_set_stop_all (set);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
}

static gboolean
all_running (gpointer data)
{
  SpindleWorkerMonitor *monitor = data;

  return spindle_worker_monitor_get_n_in_state (monitor, SPINDLE_WORKER_STATE_RUNNING) ==
         spindle_worker_monitor_get_n_total (monitor);
}

static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* The main thread's time to make @n workers, in ns each. */
static double
time_spawns (SpindleWorkerSet *set,
             guint             n)
{
  gint64 begin = thread_cpu_ns ();

  for (guint i = 0; i < n; i++)
    spindle_test_spawn (set, "sleeper", spindle_ui_test_sleep_until_stopped, NULL);

  return (thread_cpu_ns () - begin) / (double) n;
}

/* Workers made with the window's monitor attached (their logs with it)
 * cost one handler each, and no log; the time each costs the main
 * thread, with and without the monitor, is reported (ten thousand with
 * -m perf, two thousand otherwise).
 */
static void
test_spawn_cost (void)
{
  g_autoptr(SpindleWorkerSet) bare = background_set_new ();
  g_autoptr(SpindleWorkerSet) set = background_set_new ();
  g_autoptr(SpindleWorkerMonitor) monitor = spindle_worker_monitor_new (set);
  guint n = g_test_perf () ? N_SPAWNS : N_SPAWNS / 5;
  double bare_ns, watched_ns;

  bare_ns = time_spawns (bare, n);
  end_set (bare);
  watched_ns = time_spawns (set, n);
  g_test_message ("%u spawns: %.1f µs each on the main thread, %.1f µs with the monitor "
                  "(%.1f µs for the monitor)",
                  n, bare_ns / 1000, watched_ns / 1000, (watched_ns - bare_ns) / 1000);

  spindle_test_wait_until (all_running, monitor, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (spindle_worker_monitor_get_n_total (monitor), ==, n);
  for (guint i = 0; i < n; i += n / 100)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      assert_one_handler (worker);
      g_assert_null (spindle_event_log_peek (worker));
    }

  end_set (set);
}

/* Process rows ***************************************************************/

/* A row of a process under @parent, as spindle-process-tree.c makes one. */
static SpindleWorker *
add_process_row (SpindleWorker *parent,
                 int            pid)
{
  SpindleWorker *row = g_object_new (SPINDLE_TYPE_WORKER, NULL);

  row->tree_process = TRUE;
  row->set = parent->set;
  row->id = ++parent->set->last_id;
  row->name = g_strdup ("sleep");
  row->kind = g_strdup ("process");
  row->tid = pid;
  row->context = g_main_context_ref (parent->set->context);
  row->owner = parent->set->owner;
  row->state = SPINDLE_WORKER_STATE_RUNNING;
  row->started_at = g_get_monotonic_time ();
  g_set_weak_pointer (&row->parent, parent);
  g_list_store_append (parent->children, row);
  g_object_unref (row);

  return row;
}

static void
remove_first_row (SpindleWorker *parent)
{
  g_list_store_remove (parent->children, 0);
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static void
assert_shown (SpindlePanel *panel,
              const char   *text)
{
  _spindle_panel_flush (panel);
  g_assert_cmpstr (gtk_label_get_label (panel->shown_label), ==, text);
}

/* While a process worker's rows come and go under it, each change costs
 * the monitor and the panel what changed: a row watched or let go, a row
 * told apart in the list, not a look at the thousands of workers beside
 * it. The list's "N workers" still counts the workers alone.
 */
static void
test_process_row_change_visits (void)
{
  g_autoptr(SpindleWorkerSet) set = background_set_new ();
  g_autofree char *expected = g_strdup_printf ("%u workers", N_BESIDE + 1);
  SpindleWorker *worker;
  SpindlePanel *panel;
  GtkWidget *window;
  guint64 before;
  gint64 began;

  for (guint i = 0; i < N_BESIDE; i++)
    spindle_test_spawn (set, "sleeper", spindle_ui_test_sleep_until_stopped, NULL);
  worker = spindle_test_spawn (set, "process worker", spindle_ui_test_sleep_until_stopped, NULL);

  panel = SPINDLE_PANEL (spindle_panel_new (set));
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (panel));
  gtk_window_present (GTK_WINDOW (window));
  spindle_test_wait_until (is_mapped, panel, SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_until (all_running, panel->monitor, SPINDLE_TEST_GUARD_MS);

  /* its first row makes its row again, expanded: the rows are listed */
  add_process_row (worker, 1000);
  assert_shown (panel, expected);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (panel->filter_model)), ==, N_BESIDE + 2);

  before = _spindle_worker_monitor_get_n_visits (panel->monitor);
  began = thread_cpu_ns ();
  for (guint i = 0; i < N_CHURNS; i++)
    {
      add_process_row (worker, 1001 + i);
      assert_shown (panel, expected);
      remove_first_row (worker);
      assert_shown (panel, expected);
    }
  g_test_message ("%u rows that came and went beside %u workers: %" G_GUINT64_FORMAT " visits, "
                  "%.0f µs each on the main thread",
                  N_CHURNS, N_BESIDE, _spindle_worker_monitor_get_n_visits (panel->monitor) - before,
                  (thread_cpu_ns () - began) / 1000.0 / N_CHURNS);
  g_assert_cmpuint (_spindle_worker_monitor_get_n_visits (panel->monitor) - before, <=, 4 * N_CHURNS);
  g_assert_cmpuint (spindle_worker_monitor_get_n_process_rows (panel->monitor), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  end_set (set);
}

/* Walks that change what is walked *****************************************/

static char mark[32];

/* A process worker whose tree grew since it was last walked: its
 * command's row is listed, while a process the command left to the
 * reaper helper, a row beside the command's once walked, is not yet.
 */
typedef struct
{
  SpindleTestPidFile  file;
  char               *fifo;
  SpindleWorker      *worker;
} GrownTree;

/* The command's row, from a walk of a tree of the command alone. */
static gboolean
walked_command (gpointer data)
{
  GrownTree *tree = data;
  SpindleProcessInfo *info = spindle_process_info_get_for_worker (tree->worker);

  if (info == NULL)
    return FALSE;

  spindle_process_info_update (info);
  return g_list_model_get_n_items (spindle_worker_get_children (tree->worker)) == 1;
}

/* The command, blocked on opening the fifo, is let go. */
static gboolean
wrote_fifo (gpointer data)
{
  GrownTree *tree = data;
  int fd = open (tree->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    {
      g_assert_cmpint (errno, ==, ENXIO);
      return FALSE;
    }

  g_assert_cmpint (write (fd, "\n", 1), ==, 1);
  close (fd);
  return TRUE;
}

/* From /proc/PID/stat: "pid (name) state ppid …", the name any text. */
static int
parent_pid (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  const char *end;
  int ppid;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (end = strrchr (stat, ')')) == NULL ||
      sscanf (end + 1, " %*c %d", &ppid) != 1)
    return 0;

  return ppid;
}

/* The process the command left has the command's parent, the helper,
 * and the command, become a sleep, has no child left, not even a zombie.
 */
static gboolean
orphan_adopted (gpointer data)
{
  GrownTree *tree = data;
  g_auto(GStrv) pids = NULL;
  int helper;

  if (!spindle_test_pid_file_full (&tree->file))
    return FALSE;

  pids = spindle_test_pid_file_read (&tree->file);
  helper = parent_pid (pids[0]);
  return helper > 0 && parent_pid (pids[1]) == helper && spindle_test_is_sleep (atoi (pids[0]));
}

static void
grown_tree_start (GrownTree        *tree,
                  SpindleWorkerSet *set)
{
  g_autofree char *script = NULL;

  spindle_test_pid_file_init (&tree->file, 2);
  tree->fifo = g_build_filename (tree->file.dir, "go", NULL);
  g_assert_cmpint (mkfifo (tree->fifo, 0600), ==, 0);
  script = g_strdup_printf ("echo $$ >> %1$s; read go < %2$s; "
                            "(sleep @MARK@ & echo $! >> %1$s); "
                            "exec sleep @MARK@",
                            tree->file.path, tree->fifo);
  tree->worker = spindle_test_spawn_command (set, spindle_test_sh_argv (script, mark), NULL);

  spindle_test_wait_until (walked_command, tree, SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_until (wrote_fifo, tree, SPINDLE_TEST_GUARD_MS);
  spindle_test_wait_until (orphan_adopted, tree, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (tree->worker)), ==, 1);
}

static void
grown_tree_end (GrownTree *tree)
{
  spindle_worker_force_cancel (tree->worker);
  spindle_test_wait_terminal (tree->worker);
  g_assert_cmpuint (spindle_test_count_marked (mark), ==, 0);

  g_unlink (tree->fifo);
  g_free (tree->fifo);
  spindle_test_pid_file_clear (&tree->file);
}

static void
assert_counted (SpindleWorkerMonitor *monitor,
                guint                 n_workers,
                guint                 n_rows)
{
  g_assert_cmpuint (spindle_worker_monitor_get_n_total (monitor), ==, n_workers);
  g_assert_cmpuint (spindle_worker_monitor_get_n_process_rows (monitor), ==, n_rows);
}

/* A monitor made now walks the tree when it takes the worker on, and the
 * walk adds the orphan's row after the command's: the monitor, which
 * mirrors the children it found before it walks, counts both rows and
 * lets both go with their worker. (Walked first, the row added would
 * reach an empty mirror at position 1.)
 */
static void
test_walk_adds_child_row (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleWorkerMonitor) monitor = NULL;
  GrownTree tree;

  grown_tree_start (&tree, set);
  monitor = spindle_worker_monitor_new (set);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (tree.worker)), ==, 2);
  assert_counted (monitor, 1, 2);

  grown_tree_end (&tree);
  g_assert_true (spindle_worker_set_remove (set, tree.worker));
  assert_counted (monitor, 0, 0);
}

typedef struct
{
  SpindleWorkerSet *set;
  SpindleWorker    *finished;
  SpindleWorker    *joined;
} SetChange;

/* A program's handler of the process worker's children, run by the walk
 * that adds the orphan's row: a worker leaves the set, another joins it.
 */
static void
change_set (GListModel *children,
            guint       position,
            guint       removed,
            guint       added,
            SetChange  *change)
{
  if (added == 0 || change->joined != NULL)
    return;

  g_assert_true (spindle_worker_set_remove (change->set, change->finished));
  change->joined = spindle_test_spawn (change->set, "joined", spindle_ui_test_sleep_until_stopped, NULL);
}

static SpindleWorker *
spawn_finished (SpindleWorkerSet *set)
{
  static gint result;
  SpindleWorker *worker = spindle_test_spawn (set, "finished", spindle_test_int_body, &result);

  spindle_test_wait_terminal (worker);
  return worker;
}

/* The monitor, made over the process worker, a sleeper and a finished
 * worker before them or between them, is taking the set's workers on
 * when the walk of the process worker's tree runs a handler that
 * changes the set: it counts the workers the set holds after, the rows
 * of the tree, and nothing else, and none once the set is cleared.
 * (The set's mirror is level before any worker is taken on: workers
 * taken from the set one by one would meet a mirror short of the
 * sleeper, then a set that moved under them. A worker that left before
 * its turn came is not taken on.)
 */
static void
assert_set_change_during_walk (gboolean finished_later)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleWorkerMonitor) monitor = NULL;
  SetChange change = { set, NULL, NULL };
  GrownTree tree;

  if (!finished_later)
    change.finished = spawn_finished (set);
  grown_tree_start (&tree, set);
  if (finished_later)
    change.finished = spawn_finished (set);
  spindle_test_spawn (set, "sleeper", spindle_ui_test_sleep_until_stopped, NULL);
  g_signal_connect (spindle_worker_get_children (tree.worker), "items-changed",
                    G_CALLBACK (change_set), &change);

  monitor = spindle_worker_monitor_new (set);
  g_assert_nonnull (change.joined);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 3);
  assert_counted (monitor, 3, 2);
  spindle_test_wait_until (all_running, monitor, SPINDLE_TEST_GUARD_MS);

  g_signal_handlers_disconnect_by_data (spindle_worker_get_children (tree.worker), &change);
  grown_tree_end (&tree);
  end_set (set);
  g_assert_cmpuint (spindle_worker_set_clear_finished (set), ==, 3);
  assert_counted (monitor, 0, 0);
  g_assert_cmpuint (spindle_worker_monitor_get_n_live (monitor), ==, 0);
}

static void
test_set_changes_during_walk (void)
{
  assert_set_change_during_walk (FALSE);
}

/* The worker that leaves was still to be taken on: it is not counted. */
static void
test_walk_removes_later_worker (void)
{
  assert_set_change_during_walk (TRUE);
}

typedef struct
{
  SpindleWorkerSet *set;
  SpindleWorker    *ended;
  gboolean          removed;
} TickChange;

/* A program's handler of the process worker's children, run by the
 * tick's walk that adds the orphan's row: another process worker, over,
 * leaves the set.
 */
static void
remove_ended (GListModel *children,
              guint       position,
              guint       removed,
              guint       added,
              TickChange *change)
{
  if (added == 0 || change->removed)
    return;

  g_assert_true (spindle_worker_set_remove (change->set, change->ended));
  change->removed = TRUE;
}

static void
emit_tick (void)
{
  g_signal_emit_by_name (spindle_clock_get_default (), "tick", g_get_monotonic_time ());
}

/* A process worker that is over, but still has a row of a live process
 * (added here: its own rows ended with it), is walked on each tick with
 * the one whose tree grew. The tick's walk of that tree runs a handler
 * that removes the first from the set: the monitor's ticks go on over
 * the workers it still has, whichever it had walked, and count what the
 * set holds.
 */
static void
test_tick_walk_removes_worker (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleWorkerMonitor) monitor = spindle_worker_monitor_new (set);
  TickChange change = { set, NULL, FALSE };
  GrownTree tree;

  g_assert_false (spindle_clock_is_running (spindle_clock_get_default ()));
  change.ended = spindle_test_spawn_command (set, spindle_test_sh_argv ("exec sleep @MARK@", mark), NULL);
  spindle_test_wait_state (change.ended, SPINDLE_WORKER_STATE_RUNNING);
  grown_tree_start (&tree, set);
  spindle_worker_force_cancel (change.ended);
  spindle_test_wait_terminal (change.ended);
  add_process_row (change.ended, 1);
  g_signal_connect (spindle_worker_get_children (tree.worker), "items-changed",
                    G_CALLBACK (remove_ended), &change);

  emit_tick ();
  g_assert_true (change.removed);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_worker_get_children (tree.worker)), ==, 2);
  assert_counted (monitor, 1, 2);
  emit_tick ();

  g_signal_handlers_disconnect_by_data (spindle_worker_get_children (tree.worker), &change);
  grown_tree_end (&tree);
  g_assert_true (spindle_worker_set_remove (set, tree.worker));
  assert_counted (monitor, 0, 0);
  emit_tick ();
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init_full (&argc, &argv, spindle_test_init);

  g_test_add_func ("/ui/monitor/one-handler-per-worker", test_one_handler_per_worker);
  g_test_add_func ("/ui/monitor/handler-drops-monitor", test_handler_drops_monitor);
  g_test_add_func ("/ui/monitor/spawn-cost", test_spawn_cost);
  g_test_add_func ("/ui/monitor/process-row-change-visits", test_process_row_change_visits);

  g_snprintf (mark, sizeof mark, "7331.%d", (int) getpid ());
  if (!spindle_test_skip_without_reaper ("/ui/monitor/no-reaper"))
    {
      g_test_add_func ("/ui/monitor/walk-adds-child-row", test_walk_adds_child_row);
      g_test_add_func ("/ui/monitor/set-changes-during-walk", test_set_changes_during_walk);
      g_test_add_func ("/ui/monitor/walk-removes-later-worker", test_walk_removes_later_worker);
      g_test_add_func ("/ui/monitor/tick-walk-removes-worker", test_tick_walk_removes_worker);
    }

  return g_test_run ();
}
