/* test-event-log.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-catalog.h"
#include "spindle-event-log.h"
#include "spindle-ui-test-util.h"

/* The event log apart from any window: its notify hooks, and what a log
 * made late says of a worker's start. Each test has a set of its own.
 */

static SpindleWorker *
spawn_sleeper (SpindleWorkerSet *set)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_catalog_spawn (set, "sleeper", &error);

  g_assert_no_error (error);
  spindle_ui_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  return worker;
}

static void
stop_all (SpindleWorkerSet *set,
          SpindleWorker    *worker)
{
  spindle_worker_set_stop_all (set);
  spindle_ui_test_wait_terminal (worker);
}

/* Notify hooks ***************************************************************/

typedef struct
{
  guint  n_calls;
  gulong id;
  gulong remove;   /* the hook this one removes at its first call, or 0 */
} Hook;

static void
on_hook (SpindleWorker *worker,
         GParamSpec    *pspec,
         gpointer       data)
{
  Hook *hook = data;

  if (hook->n_calls++ == 0 && hook->remove != 0)
    spindle_event_log_remove_notify_hook (hook->remove);
}

/* One notification of the followed worker's state, as its change makes. */
static void
notify_state (SpindleWorker *worker)
{
  g_object_notify (G_OBJECT (worker), "state");
}

static void
add_hooks (Hook  *hooks,
           guint  n)
{
  for (guint i = 0; i < n; i++)
    hooks[i].id = spindle_event_log_add_notify_hook (on_hook, &hooks[i]);
}

/* Which hook removes which at its first call, and the calls each of the
 * three has had after one notification and after two.
 */
typedef struct
{
  guint remover;
  guint removed;
  guint first[3];
  guint second[3];
} Removal;

/* A hook that removes one before it, as a view that goes away while the
 * hooks run: the hook after it is still called, once. */
static const Removal removes_another = { 1, 0, { 1, 1, 1 }, { 1, 2, 2 } };
/* A hook that removes itself: the others are called once each, then and
 * on the next change, and it is not called again. */
static const Removal removes_itself = { 1, 1, { 1, 1, 1 }, { 2, 1, 2 } };
/* A hook that removes one after it: that one is not called. */
static const Removal removes_later = { 0, 2, { 1, 1, 0 }, { 2, 2, 0 } };

static void
assert_calls (const Hook  *hooks,
              const guint *calls)
{
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (hooks[i].n_calls, ==, calls[i]);
}

static void
test_hook_removes (gconstpointer data)
{
  const Removal *removal = data;
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  SpindleWorker *worker = spawn_sleeper (set);
  Hook hooks[3] = { { 0 } };

  spindle_event_log_follow (worker);
  add_hooks (hooks, G_N_ELEMENTS (hooks));
  hooks[removal->remover].remove = hooks[removal->removed].id;

  notify_state (worker);
  assert_calls (hooks, removal->first);
  notify_state (worker);
  assert_calls (hooks, removal->second);

  for (guint i = 0; i < G_N_ELEMENTS (hooks); i++)
    if (i != removal->removed)
      spindle_event_log_remove_notify_hook (hooks[i].id);
  stop_all (set, worker);
}

/* A start told from a history cut short *************************************/

/* Spins while *@data is set, naps while not, until stopped. */
static GVariant *
spin_or_nap (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  gint *spin = data;

  while (!spindle_job_should_stop (job))
    if (!g_atomic_int_get (spin))
      spindle_job_sleep (job, 10 * 1000);

  return NULL;
}

typedef struct
{
  SpindleSampler *sampler;
  SpindleWorker  *worker;
  char            kernel_state;
} KernelWait;

static gboolean
sampled_as (KernelWait *wait)
{
  const char *state;

  spindle_sampler_tick (wait->sampler);
  state = spindle_worker_get_kernel_state (wait->worker);

  return state != NULL && state[0] == wait->kernel_state;
}

static gboolean
history_holds_start (SpindleWorker *worker)
{
  SpindleHistoryEntry history[SPINDLE_HISTORY_CAPACITY];
  guint n = spindle_worker_get_history (worker, history, G_N_ELEMENTS (history));

  g_assert_cmpuint (n, >, 0);
  return history[0].kind == SPINDLE_HISTORY_STATE && history[0].state == SPINDLE_WORKER_STATE_STARTING;
}

/* The worker's history keeps its latest SPINDLE_HISTORY_CAPACITY changes:
 * a worker whose kernel state the sampler saw change that often has lost
 * its start from it. A log made then for a worker followed from its
 * start makes up no start time: it says it watches from now on.
 */
static void
test_history_cut_short (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpindleLogEntry) first = NULL;
  KernelWait wait = { sampler, NULL, 0 };
  gint spin = FALSE;
  GListModel *model;
  guint n_changes = 0;

  wait.worker = spindle_worker_set_spawn (set, "spin or nap", spin_or_nap, &spin, NULL, &error);
  g_assert_no_error (error);
  spindle_event_log_follow (wait.worker);
  spindle_ui_test_wait_state (wait.worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_sampler_watch (sampler, wait.worker);
  g_assert_true (history_holds_start (wait.worker));

  while (history_holds_start (wait.worker))
    {
      g_atomic_int_set (&spin, !spin);
      wait.kernel_state = spin ? 'R' : 'S';
      spindle_ui_test_wait (sampled_as, &wait);
      n_changes++;
    }
  g_test_message ("the start left the history after %u changes of kernel state", n_changes);
  g_assert_cmpuint (n_changes, >=, SPINDLE_HISTORY_CAPACITY - 2);
  g_assert_null (spindle_event_log_peek (wait.worker));

  model = spindle_event_log_get_model (spindle_event_log_ensure (wait.worker));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  first = g_list_model_get_item (model, 0);
  g_assert_cmpstr (spindle_log_entry_get_text (first), ==, "watched from now on, running");

  spindle_sampler_unwatch (sampler, wait.worker);
  stop_all (set, wait.worker);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

  g_test_add_data_func ("/ui/event-log/hook-removes-another", &removes_another, test_hook_removes);
  g_test_add_data_func ("/ui/event-log/hook-removes-itself", &removes_itself, test_hook_removes);
  g_test_add_data_func ("/ui/event-log/hook-removes-later", &removes_later, test_hook_removes);
  g_test_add_func ("/ui/event-log/history-cut-short", test_history_cut_short);

  return g_test_run ();
}
