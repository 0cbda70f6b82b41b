/* test-children.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <unistd.h>

#include "spindle-test-util.h"

/* The grace of tests that wait for it to run out; in the others every child
 * ends at once, and a grace no loaded machine uses up costs nothing.
 */
#define GRACE (500 * 1000)
#define LONG_GRACE (60 * G_USEC_PER_SEC)

typedef enum
{
  CHILD_SLEEPS,      /* in an engine wait: a stop ends it */
  CHILD_READS,       /* in a raw read(): only a cancel ends it */
  CHILD_STUCK,       /* in a raw g_cond_wait: nothing ends it */
} ChildKind;

typedef struct
{
  ChildKind   kinds[3];
  guint       n_children;
  gint64      grace;
  int         fds[2];
  GMutex      mutex;
  GCond       cond;
  gboolean    released;
  GPtrArray  *order;       /* main thread: "name:signal" */
} Family;

typedef struct
{
  Family    *family;
  ChildKind  kind;
} ChildData;

static GVariant *
child_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  ChildData *child = data;
  Family *family = child->family;
  char c;

  switch (child->kind)
    {
    case CHILD_SLEEPS:
      spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
      break;

    case CHILD_READS:
      if (read (family->fds[0], &c, 1) < 0)
        return NULL;
      break;

    case CHILD_STUCK:
      g_mutex_lock (&family->mutex);
      while (!family->released)
        g_cond_wait (&family->cond, &family->mutex);
      g_mutex_unlock (&family->mutex);
      break;

    default:
      g_assert_not_reached ();
    }

  return NULL;
}

static GVariant *
parent_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  Family *family = data;

  for (guint i = 0; i < family->n_children; i++)
    {
      g_autofree char *name = g_strdup_printf ("child %u", i + 1);
      ChildData *child = g_new (ChildData, 1);

      *child = (ChildData) { family, family->kinds[i] };
      if (spindle_job_spawn_child (job, name, child_body, child, g_free, error) == NULL)
        return NULL;
    }

  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  return NULL;
}

static void
on_signal (SpindleWorker *worker,
           Family        *family,
           const char    *what)
{
  g_ptr_array_add (family->order, g_strdup_printf ("%s:%s", spindle_worker_get_name (worker), what));
}

static void
on_stop_requested (SpindleWorker *worker, SpindleStopReason reason, Family *family)
{
  on_signal (worker, family, reason == SPINDLE_STOP_REASON_PARENT ? "stop(parent)" : "stop");
}

static void
on_cancel_requested (SpindleWorker *worker, SpindleStopReason reason, Family *family)
{
  on_signal (worker, family, reason == SPINDLE_STOP_REASON_PARENT ? "cancel(parent)" : "cancel");
}

static void
on_finished (SpindleWorker *worker, Family *family)
{
  on_signal (worker, family, spindle_worker_state_to_string (spindle_worker_get_state (worker)));
}

static void
watch (SpindleWorker *worker,
       Family        *family)
{
  g_signal_connect (worker, "stop-requested", G_CALLBACK (on_stop_requested), family);
  g_signal_connect (worker, "cancel-requested", G_CALLBACK (on_cancel_requested), family);
  g_signal_connect (worker, "finished", G_CALLBACK (on_finished), family);
}

typedef struct
{
  SpindleWorker *parent;
  guint          n;
} ChildrenRunning;

static gboolean
children_running (gpointer data)
{
  ChildrenRunning *wait = data;
  GListModel *children = spindle_worker_get_children (wait->parent);

  if (g_list_model_get_n_items (children) != wait->n)
    return FALSE;

  for (guint i = 0; i < wait->n; i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);

      if (spindle_worker_get_state (child) != SPINDLE_WORKER_STATE_RUNNING)
        return FALSE;
    }

  return TRUE;
}

static SpindleWorker *
start_family (SpindleWorkerSet *set,
              Family           *family)
{
  g_autoptr(GError) error = NULL;
  SpindleSpawnOptions options = { .stop_grace_usec = family->grace, .cancel_grace_usec = family->grace };
  ChildrenRunning wait;
  SpindleWorker *parent;
  GListModel *children;

  g_mutex_init (&family->mutex);
  g_cond_init (&family->cond);
  family->order = g_ptr_array_new_with_free_func (g_free);
  spindle_test_pipe (family->fds);

  parent = spindle_worker_set_spawn_full (set, &options, "parent", parent_body, family, NULL, &error);
  g_assert_no_error (error);
  watch (parent, family);

  wait = (ChildrenRunning) { parent, family->n_children };
  spindle_test_wait_until (children_running, &wait, SPINDLE_TEST_GUARD_MS);

  children = spindle_worker_get_children (parent);
  for (guint i = 0; i < family->n_children; i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);

      g_assert_true (spindle_worker_get_parent (child) == parent);
      g_assert_cmpstr (spindle_worker_get_kind (child), ==, "child");
      g_assert_cmpint (spindle_worker_get_tid (child), >, 0);
      watch (child, family);
    }

  /* children are listed under their parent, not at the top */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 1 + family->n_children);

  return parent;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Requests in a fixed order, then the children's ends in any order (their
 * threads race), then the parent's end.
 */
static char *
family_order (Family *family)
{
  guint n_requests = family->n_children + 1;
  GPtrArray *order = family->order;
  g_autoptr(GPtrArray) ends = g_ptr_array_new ();
  g_autoptr(GString) str = g_string_new (NULL);

  g_assert_cmpuint (order->len, ==, 2 * n_requests);

  for (guint i = n_requests; i < order->len - 1; i++)
    g_ptr_array_add (ends, order->pdata[i]);
  g_ptr_array_sort (ends, compare_strings);

  for (guint i = 0; i < n_requests; i++)
    g_string_append_printf (str, "%s ", (char *) order->pdata[i]);
  for (guint i = 0; i < ends->len; i++)
    g_string_append_printf (str, "%s ", (char *) ends->pdata[i]);
  g_string_append (str, order->pdata[order->len - 1]);

  return g_string_free (g_steal_pointer (&str), FALSE);
}

static void
end_family (Family *family)
{
  g_mutex_lock (&family->mutex);
  family->released = TRUE;
  g_cond_broadcast (&family->cond);
  g_mutex_unlock (&family->mutex);

  spindle_test_close_pipe (family->fds);
  g_ptr_array_unref (family->order);
  g_cond_clear (&family->cond);
  g_mutex_clear (&family->mutex);
}

static void
test_stopped_first (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Family family = { { CHILD_SLEEPS, CHILD_SLEEPS }, 2, LONG_GRACE };
  SpindleWorker *parent = start_family (set, &family);
  g_autofree char *order = NULL;

  spindle_worker_request_stop (parent);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);

  /* requests reach the children first; they end before their parent */
  order = family_order (&family);
  g_assert_cmpstr (order, ==,
                   "child 1:stop(parent) child 2:stop(parent) parent:stop "
                   "child 1:stopped child 2:stopped parent:stopped");
  spindle_test_assert_report (spindle_worker_get_cleanup_report (parent),
                              "child “child 1”: stopped:OK child “child 2”: stopped:OK");

  end_family (&family);
}

static void
test_cancel_reaches_children (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Family family = { { CHILD_READS, CHILD_SLEEPS }, 2, LONG_GRACE };
  SpindleWorker *parent = start_family (set, &family);
  g_autofree char *order = NULL;

  spindle_worker_force_cancel (parent);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);

  order = family_order (&family);
  g_assert_cmpstr (order, ==,
                   "child 1:cancel(parent) child 2:cancel(parent) parent:cancel "
                   "child 1:cancelled child 2:cancelled parent:cancelled");
  spindle_test_assert_report (spindle_worker_get_cleanup_report (parent),
                              "child “child 1”: cancelled:OK child “child 2”: cancelled:OK");

  end_family (&family);
}

/* The parent returns on its own; its end still stops, then cancels, a
 * child that ignores the stop.
 */
static void
test_parent_end_cancels_stubborn_child (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Family family = { { CHILD_READS }, 1, GRACE };
  SpindleWorker *parent = start_family (set, &family);
  g_autoptr(SpindleWorker) child = g_list_model_get_item (spindle_worker_get_children (parent), 0);

  spindle_worker_request_stop (parent);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);

  g_assert_cmpint (spindle_worker_get_state (child), ==, SPINDLE_WORKER_STATE_CANCELLED);
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_STOPPED);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (parent),
                              "child “child 1”: cancelled:OK");

  end_family (&family);
}

static void
test_unkillable_child_abandoned (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  Family family = { { CHILD_STUCK, CHILD_SLEEPS }, 2, GRACE };
  SpindleWorker *parent = start_family (set, &family);
  g_autoptr(SpindleWorker) stuck = g_list_model_get_item (spindle_worker_get_children (parent), 0);
  g_autoptr(SpindleWorker) sleeper = g_list_model_get_item (spindle_worker_get_children (parent), 1);

  spindle_worker_request_stop (parent);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);

  /* no child outlives its parent unreported */
  g_assert_cmpint (spindle_worker_get_state (parent), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_state (stuck), ==, SPINDLE_WORKER_STATE_ABANDONED);
  spindle_test_assert_report (spindle_worker_get_cleanup_report (parent),
                              "child “child 1”: abandoned with its parent:FAILED(It did not end within the grace periods) "
                              "child “child 2”: stopped:OK");

  end_family (&family);
  spindle_test_wait_thread_gone (spindle_worker_get_tid (stuck));
}

/* A child that appears after its parent was asked to stop: a handler of
 * its listing abandons the parent (a view that gives up on a stopping
 * tree), and the child with it, which its parent's request already
 * reached.
 */
typedef struct
{
  SpindleWorkerSet   *set;
  SpindleWorker      *parent;
  SpindleTestSleeper  child;
  gint                parent_destroyed;
  SpindleWorkerState  child_state;   /* as the parent was abandoned */
  gboolean            remove;        /* and removes it */
  guint               n_removed;
} LateChild;

static GVariant *
late_parent_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  LateChild *late = data;

  /* until its stop */
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  spindle_job_spawn_child (job, "late child", spindle_test_sleeper_body, &late->child,
                           spindle_test_sleeper_destroy, error);

  return NULL;
}

static void
late_parent_destroy (gpointer data)
{
  g_atomic_int_inc (&((LateChild *) data)->parent_destroyed);
}

static void
abandon_on_child_listed (GListModel *children,
                         guint       position,
                         guint       removed,
                         guint       added,
                         LateChild  *late)
{
  g_autoptr(SpindleWorker) child = g_list_model_get_item (children, position);

  late->child_state = spindle_worker_get_state (child);
  spindle_worker_abandon (late->parent);
  if (late->remove)
    late->n_removed += spindle_worker_set_remove (late->set, late->parent);
}

static void
test_late_child_abandoned_with_parent (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  LateChild late = { 0 };
  g_autoptr(SpindleWorker) child = NULL;
  GListModel *children;

  late.parent = spindle_test_spawn_full (set, "parent", late_parent_body, &late, late_parent_destroy);
  children = spindle_worker_get_children (late.parent);
  g_signal_connect (children, "items-changed", G_CALLBACK (abandon_on_child_listed), &late);
  spindle_worker_request_stop (late.parent);
  spindle_test_wait_state (late.parent, SPINDLE_WORKER_STATE_ABANDONED);

  g_assert_cmpint (late.child_state, ==, SPINDLE_WORKER_STATE_STOPPING);
  child = g_list_model_get_item (children, 0);
  g_assert_cmpint (spindle_worker_get_state (child), ==, SPINDLE_WORKER_STATE_ABANDONED);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  /* both threads, let go, still end */
  spindle_test_wait_count (&late.child.destroyed, 1);
  spindle_test_wait_count (&late.parent_destroyed, 1);
  g_signal_handlers_disconnect_by_data (children, &late);
}

/* The same handler removes the abandoned parent, which only the set held:
 * the listing of the child goes on in the parent's store.
 */
static gboolean
late_parent_removed (gpointer data)
{
  return ((LateChild *) data)->n_removed > 0;
}

static void
test_late_child_listing_removes_parent (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  LateChild late = { .set = set, .remove = TRUE };

  late.parent = spindle_test_spawn_full (set, "parent", late_parent_body, &late, late_parent_destroy);
  g_signal_connect (spindle_worker_get_children (late.parent), "items-changed",
                    G_CALLBACK (abandon_on_child_listed), &late);
  spindle_worker_request_stop (late.parent);
  spindle_test_wait_until (late_parent_removed, &late, SPINDLE_TEST_GUARD_MS);

  g_assert_cmpint (late.child_state, ==, SPINDLE_WORKER_STATE_STOPPING);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);

  spindle_test_wait_count (&late.child.destroyed, 1);
  spindle_test_wait_count (&late.parent_destroyed, 1);
}

/* A handler of a child's request that ends the parent first: the parent's
 * own request, made after its children's, then has nothing left to do.
 */
static gboolean
has_child (gpointer parent)
{
  return g_list_model_get_n_items (spindle_worker_get_children (parent)) > 0;
}

static void
cancel_parent (SpindleWorker     *child,
               SpindleStopReason  reason,
               SpindleWorker     *parent)
{
  spindle_worker_force_cancel (parent);
}

static void
abandon_parent (SpindleWorker     *child,
                SpindleStopReason  reason,
                SpindleWorker     *parent)
{
  spindle_worker_abandon (parent);
}

static void
assert_request_ended_by_child (const char        *signal,
                               GCallback          handler,
                               gboolean           force,
                               SpindleWorkerState parent_end)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleTestSleeper sleeper = { 0 };
  SpindleWorker *parent = spindle_test_spawn (set, "parent", spindle_test_parent_of_sleeper_body, &sleeper);
  g_autoptr(SpindleWorker) child = NULL;

  spindle_test_wait_until (has_child, parent, SPINDLE_TEST_GUARD_MS);
  child = g_list_model_get_item (spindle_worker_get_children (parent), 0);

  /* a parent is abandoned only once it was asked to end */
  if (force)
    spindle_worker_request_stop (parent);
  g_signal_connect (child, signal, handler, parent);

  if (force)
    spindle_worker_force_cancel (parent);
  else
    spindle_worker_request_stop (parent);

  g_assert_cmpint (spindle_worker_get_state (parent), ==, parent_end);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_assert_cmpint (spindle_worker_get_state (parent), ==, parent_end == SPINDLE_WORKER_STATE_CANCELLING
                                                           ? SPINDLE_WORKER_STATE_CANCELLED : parent_end);
  /* an abandoned child's thread still ends, asked to stop before */
  spindle_test_wait_count (&sleeper.destroyed, 1);
}

static void
test_child_handler_cancels_parent (void)
{
  assert_request_ended_by_child ("stop-requested", G_CALLBACK (cancel_parent), FALSE,
                                 SPINDLE_WORKER_STATE_CANCELLING);
}

static void
test_child_handler_abandons_parent (void)
{
  /* a stopping parent force-cancelled: its child's handler abandons it */
  assert_request_ended_by_child ("cancel-requested", G_CALLBACK (abandon_parent), TRUE,
                                 SPINDLE_WORKER_STATE_ABANDONED);
}

/* A child's own end gives its parent up, and removes it: the parent stays
 * listed until the child, whose end is being reported, is over too.
 */
typedef struct
{
  SpindleWorkerSet *set;
  SpindleWorker    *parent;
  gint              removed;   /* -1: not tried */
} GiveUp;

static void
give_up_parent (SpindleWorker        *child,
                SpindleCleanupReport *report,
                GiveUp               *give_up)
{
  spindle_worker_abandon (give_up->parent);
  g_assert_cmpint (spindle_worker_get_state (give_up->parent), ==, SPINDLE_WORKER_STATE_ABANDONED);
  give_up->removed = spindle_worker_set_remove (give_up->set, give_up->parent);
}

static void
test_parent_removed_before_child_over (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleTestSleeper sleeper = { 0 };
  GiveUp give_up = { set, NULL, -1 };
  g_autoptr(SpindleWorker) child = NULL;

  give_up.parent = spindle_test_spawn (set, "parent", spindle_test_parent_of_sleeper_body, &sleeper);
  spindle_test_wait_until (has_child, give_up.parent, SPINDLE_TEST_GUARD_MS);
  child = g_list_model_get_item (spindle_worker_get_children (give_up.parent), 0);
  g_signal_connect (child, "cleanup-finished", G_CALLBACK (give_up_parent), &give_up);

  spindle_worker_request_stop (give_up.parent);
  spindle_test_wait_terminal (child);

  g_assert_cmpint (give_up.removed, ==, FALSE);
  g_assert_cmpuint (spindle_worker_set_get_n_live (set), ==, 0);
  g_assert_true (spindle_worker_set_remove (set, give_up.parent));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 0);
  spindle_test_wait_count (&sleeper.destroyed, 1);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/children/stopped-first", test_stopped_first);
  g_test_add_func ("/engine/children/cancel-reaches-children", test_cancel_reaches_children);
  g_test_add_func ("/engine/children/parent-end-cancels-stubborn-child", test_parent_end_cancels_stubborn_child);
  g_test_add_func ("/engine/children/unkillable-child-abandoned", test_unkillable_child_abandoned);
  g_test_add_func ("/engine/children/late-child-abandoned-with-parent", test_late_child_abandoned_with_parent);
  g_test_add_func ("/engine/children/late-child-listing-removes-parent", test_late_child_listing_removes_parent);
  g_test_add_func ("/engine/children/child-handler-cancels-parent", test_child_handler_cancels_parent);
  g_test_add_func ("/engine/children/child-handler-abandons-parent", test_child_handler_abandons_parent);
  g_test_add_func ("/engine/children/parent-removed-before-child-over", test_parent_removed_before_child_over);

  return g_test_run ();
}
