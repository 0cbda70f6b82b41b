/* test-replay.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "spindle-recorder.h"
#include "spindle-replay-row.h"
#include "spindle-replay-window.h"
#include "spindle-ui-test-util.h"

/* A session recorded in the real window, replayed in the replay window:
 * each moment the test saw shows the same states in the replay's list.
 */

typedef struct
{
  gint64             t;
  char              *name;
  SpindleWorkerState state;
} Seen;

typedef struct
{
  SpindleRecorder *recorder;
  GArray          *seen;
} Watch;

static void
seen_clear (Seen *seen)
{
  g_free (seen->name);
}

static void
on_state (SpindleWorker *worker,
          GParamSpec    *pspec,
          Watch         *watch)
{
  Seen seen = {
    g_get_monotonic_time () - spindle_recorder_get_started_at (watch->recorder),
    g_strdup (spindle_worker_get_name (worker)),
    spindle_worker_get_state (worker),
  };

  g_array_append_val (watch->seen, seen);
}

typedef struct
{
  Watch         *watch;
  SpindleWorker *worker;
} SeenEnd;

/* The window's sampler holds a row's notifications until its frame is
 * drawn: wait for the end to be announced, not only reached.
 */
static gboolean
end_was_seen (SeenEnd *end)
{
  for (guint i = 0; i < end->watch->seen->len; i++)
    {
      Seen *seen = &g_array_index (end->watch->seen, Seen, i);

      if (g_strcmp0 (seen->name, spindle_worker_get_name (end->worker)) == 0 &&
          spindle_worker_state_is_terminal (seen->state))
        return TRUE;
    }
  return FALSE;
}

static void
wait_end_seen (Watch         *watch,
               SpindleWorker *worker)
{
  SeenEnd end = { watch, worker };

  spindle_ui_test_wait (end_was_seen, &end);
}

static SpindleReplayRow *
find_row (GListModel *rows,
          const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(SpindleReplayRow) row = g_list_model_get_item (rows, i);

      if (g_strcmp0 (spindle_replay_row_get_name (row), name) == 0)
        return row;
    }
  return NULL;
}

static void
test_replays_what_was_seen (SpindleUiFixture *fixture)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(SpindleRecorder) recorder = spindle_recorder_new (fixture->set, memory, 0);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SpindleRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  Watch watch = { recorder, g_array_new (FALSE, FALSE, sizeof (Seen)) };
  SpindleReplayWindow *replay;
  SpindleWorker *workers[2];
  gint64 before_stop;

  g_array_set_clear_func (watch.seen, (GDestroyNotify) seen_clear);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      workers[i] = spindle_ui_test_spawn (fixture, "sleeper");
      g_signal_connect (workers[i], "notify::state", G_CALLBACK (on_state), &watch);
    }
  before_stop = g_get_monotonic_time () - spindle_recorder_get_started_at (recorder);
  spindle_worker_request_stop (workers[0]);
  wait_end_seen (&watch, workers[0]);
  spindle_worker_force_cancel (workers[1]);
  wait_end_seen (&watch, workers[1]);
  g_assert_true (spindle_recorder_close (recorder, &error));
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  recording = spindle_recording_load_bytes (bytes, &error);
  g_assert_no_error (error);

  replay = spindle_replay_window_new (GTK_APPLICATION (fixture->app), recording, "session.spindle");
  gtk_window_present (GTK_WINDOW (replay));
  spindle_ui_test_wait_widget_drawn (GTK_WIDGET (replay));

  /* at its end, both rows show how their workers ended */
  g_assert_cmpuint (g_list_model_get_n_items (spindle_replay_window_get_rows (replay)), ==, 2);

  g_assert_cmpuint (watch.seen->len, >=, 4);
  for (guint i = 0; i < watch.seen->len; i++)
    {
      Seen *moment = &g_array_index (watch.seen, Seen, i);
      SpindleReplayRow *row;

      spindle_replay_window_seek (replay, moment->t);
      row = find_row (spindle_replay_window_get_rows (replay), moment->name);
      if (row == NULL)
        g_error ("%s is not in the replay at %" G_GINT64_FORMAT, moment->name, moment->t);
      g_assert_cmpint (spindle_replay_row_get_state (row), ==, moment->state);
    }

  /* the side pane tells the first worker's story up to the moment shown */
  spindle_replay_window_seek (replay, spindle_recording_get_duration (recording));
  spindle_replay_window_select (replay, 0);
  g_assert_nonnull (strstr (spindle_replay_window_get_story (replay), "stop requested (user)"));
  g_assert_nonnull (strstr (spindle_replay_window_get_story (replay), "stopped"));
  /* before the stop was asked for, the story does not know of it */
  spindle_replay_window_seek (replay, before_stop);
  g_assert_null (strstr (spindle_replay_window_get_story (replay), "stop requested"));
  g_assert_null (strstr (spindle_replay_window_get_story (replay), "stopped"));

  /* before the recording began the list is empty */
  spindle_replay_window_seek (replay, -1);
  g_assert_cmpuint (g_list_model_get_n_items (spindle_replay_window_get_rows (replay)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (replay));
  g_array_unref (watch.seen);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

  spindle_ui_test_add ("/ui/replay/replays-what-was-seen", test_replays_what_was_seen);

  return g_test_run ();
}
