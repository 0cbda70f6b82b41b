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

/* The event log apart from any window: its notify hooks. Each test has a
 * set of its own.
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

static void
assert_calls (const Hook *hooks,
              guint       a,
              guint       b,
              guint       c)
{
  g_assert_cmpuint (hooks[0].n_calls, ==, a);
  g_assert_cmpuint (hooks[1].n_calls, ==, b);
  g_assert_cmpuint (hooks[2].n_calls, ==, c);
}

/* A hook that removes one before it, as a view that goes away while the
 * hooks run: the hook after it is still called, once.
 */
static void
test_hook_removes_another (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  SpindleWorker *worker = spawn_sleeper (set);
  Hook hooks[3] = { { 0 } };

  spindle_event_log_follow (worker);
  add_hooks (hooks, G_N_ELEMENTS (hooks));
  hooks[1].remove = hooks[0].id;

  notify_state (worker);
  assert_calls (hooks, 1, 1, 1);
  notify_state (worker);
  assert_calls (hooks, 1, 2, 2);

  spindle_event_log_remove_notify_hook (hooks[1].id);
  spindle_event_log_remove_notify_hook (hooks[2].id);
  stop_all (set, worker);
}

/* A hook that removes itself: the others are called once each, then and
 * on the next change, and it is not called again.
 */
static void
test_hook_removes_itself (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  SpindleWorker *worker = spawn_sleeper (set);
  Hook hooks[3] = { { 0 } };

  spindle_event_log_follow (worker);
  add_hooks (hooks, G_N_ELEMENTS (hooks));
  hooks[1].remove = hooks[1].id;

  notify_state (worker);
  assert_calls (hooks, 1, 1, 1);
  notify_state (worker);
  assert_calls (hooks, 2, 1, 2);

  spindle_event_log_remove_notify_hook (hooks[0].id);
  spindle_event_log_remove_notify_hook (hooks[2].id);
  stop_all (set, worker);
}

/* A hook that removes one after it: that one is not called. */
static void
test_hook_removes_later (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  SpindleWorker *worker = spawn_sleeper (set);
  Hook hooks[3] = { { 0 } };

  spindle_event_log_follow (worker);
  add_hooks (hooks, G_N_ELEMENTS (hooks));
  hooks[0].remove = hooks[2].id;

  notify_state (worker);
  assert_calls (hooks, 1, 1, 0);
  notify_state (worker);
  assert_calls (hooks, 2, 2, 0);

  spindle_event_log_remove_notify_hook (hooks[0].id);
  spindle_event_log_remove_notify_hook (hooks[1].id);
  stop_all (set, worker);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/event-log/hook-removes-another", test_hook_removes_another);
  g_test_add_func ("/ui/event-log/hook-removes-itself", test_hook_removes_itself);
  g_test_add_func ("/ui/event-log/hook-removes-later", test_hook_removes_later);

  return g_test_run ();
}
