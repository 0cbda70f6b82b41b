/* test-signals.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <unistd.h>

#include "spindle-test-util.h"

#define LONG_WAIT (60 * G_USEC_PER_SEC)

/* Order per worker: request → cleanup-started → cleanup-step* →
 * cleanup-finished → notify::state (terminal) → finished. */

typedef enum
{
  END_RETURN,
  END_ERROR,
  END_STOP,
  END_CANCEL,
  END_STOP_THEN_CANCEL,
} Ending;

typedef struct
{
  const char *path;
  Ending      ending;
  const char *expected;
} OrderCase;

typedef struct
{
  const OrderCase *how;
  gint             reached;
  pid_t            tid;
  int              fds[2];
} Ender;

static gboolean
ok_step (gpointer   data,
         GError   **error)
{
  return TRUE;
}

static gboolean
failing_step (gpointer   data,
              GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not undo");
  return FALSE;
}

static GVariant *
ender_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  Ender *ender = data;
  char c;

  ender->tid = gettid ();
  spindle_job_push_cleanup (job, "first", ok_step, NULL);
  spindle_job_push_cleanup (job, "second", failing_step, NULL);

  switch (ender->how->ending)
    {
    case END_RETURN:
      return g_variant_new_boolean (TRUE);

    case END_ERROR:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "bad input");
      return NULL;

    case END_STOP:
      g_atomic_int_set (&ender->reached, 1);
      spindle_job_sleep (job, LONG_WAIT);
      return NULL;

    case END_CANCEL:
    case END_STOP_THEN_CANCEL:
      g_atomic_int_set (&ender->reached, 1);
      g_assert_cmpint (read (ender->fds[0], &c, 1), ==, 1);
      return NULL;

    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  gint     n_finished;
  gboolean consistent;
} FinishCheck;

/* When "finished" runs, everything about the end is already visible. */
static void
on_finished_check (SpindleWorker *worker,
                   FinishCheck   *check)
{
  check->n_finished++;
  check->consistent = spindle_worker_is_terminal (worker) &&
                      spindle_worker_get_cleanup_report (worker) != NULL &&
                      spindle_worker_get_finished_at (worker) >= spindle_worker_get_started_at (worker) &&
                      spindle_worker_get_finished_at (worker) > 0;
}

static void
test_order (gconstpointer data)
{
  const OrderCase *how = data;
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleTestRecorder) rec = NULL;
  g_autofree char *events = NULL;
  SpindleWorker *worker;
  Ender ender = { .how = how, .fds = { -1, -1 } };
  FinishCheck check = { 0 };

  spindle_test_pipe (ender.fds);
  worker = spindle_test_spawn (set, how->path, ender_body, &ender);
  rec = spindle_test_recorder_new (worker);
  g_signal_connect (worker, "finished", G_CALLBACK (on_finished_check), &check);

  if (how->ending >= END_STOP)
    {
      spindle_test_wait_flag (&ender.reached);
      spindle_test_wait_blocked (ender.tid, NULL);
    }
  if (how->ending == END_STOP || how->ending == END_STOP_THEN_CANCEL)
    spindle_worker_request_stop (worker);
  if (how->ending == END_CANCEL || how->ending == END_STOP_THEN_CANCEL)
    spindle_worker_force_cancel (worker);

  spindle_test_wait_terminal (worker);
  /* "finished" comes after the terminal notify, possibly in the same dispatch. */
  spindle_test_wait_until (spindle_test_recorder_has_finished, rec, SPINDLE_TEST_GUARD_MS);

  events = spindle_test_recorder_events (rec);
  g_assert_cmpstr (events, ==, how->expected);
  g_assert_cmpint (check.n_finished, ==, 1);
  g_assert_true (check.consistent);
  g_assert_cmpuint (spindle_test_recorder_off_thread (rec), ==, 0);

  g_signal_handlers_disconnect_by_data (worker, &check);
  g_clear_pointer (&rec, spindle_test_recorder_free);
  spindle_test_close_pipe (ender.fds);
}

#define STEPS "cleanup-started cleanup-step(second,FAILED,could not undo) cleanup-step(first,OK) " \
              "cleanup-finished(2) "

static const OrderCase order_cases[] = {
  { "/engine/signals/order/return", END_RETURN,
    STEPS "state(FINISHED) finished" },
  { "/engine/signals/order/error", END_ERROR,
    STEPS "state(FAILED) finished" },
  { "/engine/signals/order/stop", END_STOP,
    "stop-requested(USER) " STEPS "state(STOPPED) finished" },
  { "/engine/signals/order/cancel", END_CANCEL,
    "cancel-requested(USER) " STEPS "state(CANCELLED) finished" },
  { "/engine/signals/order/stop-then-cancel", END_STOP_THEN_CANCEL,
    "stop-requested(USER) cancel-requested(USER) " STEPS "state(CANCELLED) finished" },
};

/* Requests emit synchronously, inside the call */

typedef struct
{
  gboolean inside;
  guint    n_requests;
  guint    n_inside;
  GString *states;
} SyncCheck;

static void
on_request (SpindleWorker     *worker,
            SpindleStopReason  reason,
            SyncCheck         *check)
{
  g_assert_cmpint (reason, ==, SPINDLE_STOP_REASON_USER);
  check->n_requests++;
  check->n_inside += check->inside;
}

static void
on_state_sync (SpindleWorker *worker,
               GParamSpec    *pspec,
               SyncCheck     *check)
{
  if (check->inside)
    g_string_append_printf (check->states, "%s ",
                            spindle_test_state_name (spindle_worker_get_state (worker)));
}

static void
test_requests_synchronous (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GString) states = g_string_new (NULL);
  SpindleWorker *worker;
  SpindleTestReader reader;
  SyncCheck check = { .states = states };

  spindle_test_reader_init (&reader);
  worker = spindle_test_spawn (set, "reader", spindle_test_reader_body, &reader);
  g_signal_connect (worker, "stop-requested", G_CALLBACK (on_request), &check);
  g_signal_connect (worker, "cancel-requested", G_CALLBACK (on_request), &check);
  g_signal_connect (worker, "notify::state", G_CALLBACK (on_state_sync), &check);
  spindle_test_wait_flag (&reader.reached);
  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);

  check.inside = TRUE;
  spindle_worker_request_stop (worker);
  check.inside = FALSE;
  g_assert_cmpuint (check.n_inside, ==, 1);
  g_assert_cmpstr (states->str, ==, "STOPPING ");

  check.inside = TRUE;
  spindle_worker_force_cancel (worker);
  check.inside = FALSE;
  g_assert_cmpuint (check.n_inside, ==, 2);
  g_assert_cmpstr (states->str, ==, "STOPPING CANCELLING ");

  spindle_test_wait_terminal (worker);
  g_assert_cmpuint (check.n_requests, ==, 2);
  g_assert_cmpint (spindle_worker_get_stop_reason (worker), ==, SPINDLE_STOP_REASON_USER);

  g_assert_cmpint (g_atomic_int_get (&reader.returned), ==, 0);

  g_signal_handlers_disconnect_by_data (worker, &check);
  spindle_test_reader_clear (&reader);
}

/* Every emission happens on the main thread */

typedef struct
{
  guint kind;
  gint  reached;
  int   fds[2];
} Busy;

static GVariant *
busy_body (SpindleJob  *job,
           gpointer     data,
           GError     **error)
{
  Busy *busy = data;
  char c;

  spindle_job_push_cleanup (job, "ok", ok_step, NULL);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *phase = g_strdup_printf ("phase %u", i);

      spindle_job_set_phase (job, phase);
      spindle_job_set_progress (job, i / 20.0);
    }
  g_atomic_int_set (&busy->reached, 1);

  switch (busy->kind)
    {
    case 0:
      return g_variant_new_uint32 (busy->kind);
    case 1:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failed on purpose");
      return NULL;
    case 2:
      spindle_job_sleep (job, LONG_WAIT);
      return NULL;
    default:
      g_assert_cmpint (read (busy->fds[0], &c, 1), ==, 1);
      return NULL;
    }
}

typedef struct
{
  guint n_items_changed;
  guint n_notify;
  guint off_thread;
} SetWatch;

static void
on_set_items_changed (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      SetWatch   *watch)
{
  watch->n_items_changed++;
  if (!spindle_test_is_main_thread ())
    watch->off_thread++;
}

static void
on_set_notify (GObject    *object,
               GParamSpec *pspec,
               SetWatch   *watch)
{
  watch->n_notify++;
  if (!spindle_test_is_main_thread ())
    watch->off_thread++;
}

#define N_BUSY 24

static void
test_main_thread (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  SpindleTestRecorder *recs[N_BUSY];
  SpindleWorker *workers[N_BUSY];
  Busy busy[N_BUSY];
  SetWatch watch = { 0 };
  guint total = 0;

  g_signal_connect (set, "items-changed", G_CALLBACK (on_set_items_changed), &watch);
  g_signal_connect (set, "notify", G_CALLBACK (on_set_notify), &watch);

  for (guint i = 0; i < N_BUSY; i++)
    {
      busy[i] = (Busy) { .kind = i % 5, .fds = { -1, -1 } };
      spindle_test_pipe (busy[i].fds);
      workers[i] = spindle_test_spawn (set, "busy", busy_body, &busy[i]);
      recs[i] = spindle_test_recorder_new (workers[i]);
    }
  for (guint i = 0; i < N_BUSY; i++)
    {
      spindle_test_wait_flag (&busy[i].reached);
      if (busy[i].kind == 2)
        spindle_worker_request_stop (workers[i]);
      else if (busy[i].kind == 3)
        spindle_worker_force_cancel (workers[i]);
      else if (busy[i].kind == 4)
        {
          spindle_worker_request_stop (workers[i]);
          spindle_worker_force_cancel (workers[i]);
        }
    }
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);

  for (guint i = 0; i < N_BUSY; i++)
    {
      spindle_test_wait_until (spindle_test_recorder_has_finished, recs[i], SPINDLE_TEST_GUARD_MS);
      g_assert_cmpuint (spindle_test_recorder_off_thread (recs[i]), ==, 0);
      g_assert_cmpuint (spindle_test_recorder_count (recs[i], "finished"), ==, 1);
      g_assert_cmpuint (spindle_test_recorder_count (recs[i], "cleanup-finished"), ==, 1);
      total += spindle_test_recorder_n_emissions (recs[i]);
      spindle_test_recorder_free (recs[i]);
      spindle_test_close_pipe (busy[i].fds);
    }

  g_test_message ("%u worker emissions, %u items-changed, %u set notifies",
                  total, watch.n_items_changed, watch.n_notify);
  g_assert_cmpuint (total, >=, N_BUSY * 6);
  g_assert_cmpuint (watch.n_items_changed, ==, N_BUSY);
  g_assert_cmpuint (watch.off_thread, ==, 0);

  g_signal_handlers_disconnect_by_data (set, &watch);
}

/* The set emits on the context that was thread-default when it was created */

typedef struct
{
  GMainContext *context;
  GThread      *thread;
  guint         n_emissions;
  guint         elsewhere;
  gboolean      expired;
  gint          reached;
} OwnContext;

static void
on_own_context_notify (SpindleWorker *worker,
                       GParamSpec    *pspec,
                       OwnContext    *own)
{
  own->n_emissions++;
  if (g_thread_self () != own->thread || !g_main_context_is_owner (own->context))
    own->elsewhere++;
}

static void
on_own_context_finished (SpindleWorker *worker,
                         OwnContext    *own)
{
  on_own_context_notify (worker, NULL, own);
}

static gboolean
own_context_expired (gpointer data)
{
  OwnContext *own = data;

  own->expired = TRUE;
  return G_SOURCE_REMOVE;
}

static GVariant *
own_context_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  OwnContext *own = data;

  g_atomic_int_set (&own->reached, 1);
  spindle_job_sleep (job, LONG_WAIT);
  return NULL;
}

static gpointer
own_context_thread (gpointer data)
{
  OwnContext *own = data;
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autoptr(GSource) guard = NULL;
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker;

  own->thread = g_thread_self ();
  g_main_context_push_thread_default (own->context);
  set = spindle_test_set_new ();
  worker = spindle_test_spawn (set, "own-context", own_context_body, own);
  g_signal_connect (worker, "notify", G_CALLBACK (on_own_context_notify), own);
  g_signal_connect (worker, "finished", G_CALLBACK (on_own_context_finished), own);

  guard = g_timeout_source_new (SPINDLE_TEST_GUARD_MS);
  g_source_set_callback (guard, own_context_expired, own, NULL);
  g_source_attach (guard, own->context);

  while (spindle_worker_get_state (worker) != SPINDLE_WORKER_STATE_RUNNING && !own->expired)
    g_main_context_iteration (own->context, TRUE);
  spindle_worker_request_stop (worker);
  while (!spindle_worker_is_terminal (worker) && !own->expired)
    g_main_context_iteration (own->context, TRUE);

  g_source_destroy (guard);
  g_assert_false (own->expired);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_signal_handlers_disconnect_by_data (worker, own);
  g_clear_object (&set);
  g_main_context_pop_thread_default (own->context);

  return NULL;
}

static void
test_thread_default_context (void)
{
  OwnContext own = { 0 };

  own.context = g_main_context_new ();
  g_thread_join (g_thread_new ("own-context", own_context_thread, &own));

  g_assert_cmpuint (own.n_emissions, >=, 4);
  g_assert_cmpuint (own.elsewhere, ==, 0);
  g_main_context_unref (own.context);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (order_cases); i++)
    g_test_add_data_func (order_cases[i].path, &order_cases[i], test_order);
  g_test_add_func ("/engine/signals/requests-emit-synchronously", test_requests_synchronous);
  g_test_add_func ("/engine/signals/all-on-main-thread", test_main_thread);
  g_test_add_func ("/engine/signals/thread-default-context", test_thread_default_context);

  return g_test_run ();
}
