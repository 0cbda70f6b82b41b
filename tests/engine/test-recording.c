/* test-recording.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <unistd.h>

#include "spindle-recorder.h"
#include "spindle-recording.h"
#include "spindle-test-util.h"

/* A session recorded, read back to the same states at the same times,
 * bounded, exported as a Chrome trace that passes the format's schema,
 * and a reader that turns damaged or hostile files into errors.
 */

/* What the test saw of one worker at one moment, on the recorder's clock. */
typedef struct
{
  gint64             t;
  guint64            id;
  SpindleWorkerState state;
} Seen;

typedef struct
{
  SpindleRecorder *recorder;
  GArray          *seen;
} Watch;

static void
on_state (SpindleWorker *worker,
          GParamSpec    *pspec,
          Watch         *watch)
{
  Seen seen = {
    g_get_monotonic_time () - spindle_recorder_get_started_at (watch->recorder),
    spindle_worker_get_id (worker),
    spindle_worker_get_state (worker),
  };

  g_array_append_val (watch->seen, seen);
}

static gboolean
step_ok (gpointer  data,
         GError  **error)
{
  return TRUE;
}

static gboolean
step_fails (gpointer  data,
            GError  **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the partial file is gone already");
  return FALSE;
}

static GVariant *
cleaning_sleeper_body (SpindleJob  *job,
                       gpointer     data,
                       GError     **error)
{
  spindle_job_push_cleanup (job, "close \"log\"\n", step_ok, NULL);
  spindle_job_push_cleanup (job, "remove partial file", step_fails, NULL);
  spindle_job_set_phase (job, "sleeping in ünïcode");
  spindle_job_sleep (job, G_MAXINT64);
  return NULL;
}

/* A raw wait that only a force-cancel reaches. */
static GVariant *
stubborn_body (SpindleJob  *job,
               gpointer     data,
               GError     **error)
{
  int *fds = data;
  char byte;

  spindle_job_push_cleanup (job, "release", step_ok, NULL);
  while (read (fds[0], &byte, 1) < 0)
    ;
  return NULL;
}

static SpindleWorker *
spawn_watched (SpindleWorkerSet *set,
               Watch            *watch,
               const char       *name,
               SpindleJobFunc    func,
               gpointer          data)
{
  SpindleWorker *worker = spindle_test_spawn (set, name, func, data);

  g_signal_connect (worker, "notify::state", G_CALLBACK (on_state), watch);
  return worker;
}

/* Records a small session: one worker that finishes, one stopped with a
 * failing cleanup step, one force-cancelled out of a raw read.
 */
static GBytes *
record_session (GArray **seen_out)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(SpindleRecorder) recorder = spindle_recorder_new (set, memory, 0);
  g_autoptr(GError) error = NULL;
  Watch watch = { recorder, g_array_new (FALSE, FALSE, sizeof (Seen)) };
  gint value = 42;
  int fds[2];
  SpindleWorker *quick, *sleeper, *stubborn;

  spindle_test_pipe (fds);
  quick = spawn_watched (set, &watch, "quick", spindle_test_int_body, &value);
  sleeper = spawn_watched (set, &watch, "sleeper \"one\"", cleaning_sleeper_body, NULL);
  stubborn = spawn_watched (set, &watch, "stubborn", stubborn_body, fds);

  spindle_test_wait_terminal (quick);
  spindle_test_wait_state (sleeper, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_state (stubborn, SPINDLE_WORKER_STATE_RUNNING);
  spindle_worker_request_stop (sleeper);
  spindle_test_wait_terminal (sleeper);
  spindle_worker_force_cancel (stubborn);
  spindle_test_wait_terminal (stubborn);
  spindle_test_close_pipe (fds);

  g_assert_true (spindle_recorder_close (recorder, &error));
  g_assert_no_error (error);
  g_assert_false (spindle_recorder_get_truncated (recorder));
  *seen_out = watch.seen;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static SpindleRecordedWorker *
find_worker (GPtrArray *workers,
             guint64    id)
{
  for (guint i = 0; i < workers->len; i++)
    if (((SpindleRecordedWorker *) workers->pdata[i])->id == id)
      return workers->pdata[i];
  return NULL;
}

static void
test_replays_same_states (void)
{
  g_autoptr(GArray) seen = NULL;
  g_autoptr(GBytes) bytes = record_session (&seen);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpindleRecording) recording = spindle_recording_load_bytes (bytes, &error);

  g_assert_no_error (error);
  g_assert_true (spindle_recording_get_complete (recording));
  g_assert_false (spindle_recording_get_truncated (recording));
  g_assert_cmpuint (seen->len, >=, 6);

  for (guint i = 0; i < seen->len; i++)
    {
      Seen *moment = &g_array_index (seen, Seen, i);
      g_autoptr(GPtrArray) workers = spindle_recording_get_workers_at (recording, moment->t);
      SpindleRecordedWorker *worker = find_worker (workers, moment->id);

      if (worker == NULL)
        g_error ("worker %" G_GUINT64_FORMAT " is not in the recording at %" G_GINT64_FORMAT, moment->id, moment->t);
      g_assert_cmpstr (spindle_test_state_name (worker->state), ==, spindle_test_state_name (moment->state));
    }

  /* before anything happened, nothing had been spawned */
  g_autoptr(GPtrArray) at_start = spindle_recording_get_workers_at (recording, -1);
  g_assert_cmpuint (at_start->len, ==, 0);
}

static void
test_records_requests_and_steps (void)
{
  g_autoptr(GArray) seen = NULL;
  g_autoptr(GBytes) bytes = record_session (&seen);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(SpindleRecording) recording = spindle_recording_load_bytes (bytes, NULL);
  g_autoptr(GPtrArray) workers = spindle_recording_get_workers_at (recording, G_MAXINT64);
  SpindleRecordedWorker *sleeper = NULL;

  g_assert_true (g_str_has_prefix (text, "{\"format\":\"spindle-recording\",\"version\":1"));
  g_assert_nonnull (strstr (text, "\"ev\":\"stop-requested\",\"reason\":\"user\""));
  g_assert_nonnull (strstr (text, "\"ev\":\"cancel-requested\",\"reason\":\"user\""));
  g_assert_nonnull (strstr (text, "\"label\":\"remove partial file\",\"outcome\":\"failed\""));
  g_assert_nonnull (strstr (text, "\"message\":\"the partial file is gone already\""));
  g_assert_nonnull (strstr (text, "\"ev\":\"cleanup-finished\""));

  g_assert_cmpuint (workers->len, ==, 3);
  for (guint i = 0; i < workers->len; i++)
    if (g_strcmp0 (((SpindleRecordedWorker *) workers->pdata[i])->name, "sleeper \"one\"") == 0)
      sleeper = workers->pdata[i];
  if (sleeper == NULL)
    g_error ("the sleeper is not in the recording");
  g_assert_cmpstr (sleeper->phase, ==, "sleeping in ünïcode");
  g_assert_cmpuint (sleeper->n_cleanup_steps, ==, 2);
  g_assert_cmpstr (sleeper->last_event, ==, "stop requested (user)");
  g_assert_cmpint (sleeper->tid, >, 0);
}

static GVariant *
short_body (SpindleJob  *job,
            gpointer     data,
            GError     **error)
{
  spindle_job_set_phase (job, "a phase long enough to fill the bound quickly, again and again");
  return NULL;
}

static void
test_bounded (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(SpindleRecorder) recorder = spindle_recorder_new (set, memory, 4096);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(SpindleRecording) recording = NULL;
  g_autoptr(GError) error = NULL;
  SpindleWorker *last = NULL;

  for (int i = 0; i < 100; i++)
    last = spindle_test_spawn (set, "filler", short_body, NULL);
  spindle_test_wait_no_live (set, SPINDLE_TEST_GUARD_MS);
  g_assert_nonnull (last);

  g_assert_true (spindle_recorder_get_truncated (recorder));
  g_assert_true (spindle_recorder_close (recorder, NULL));
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  g_assert_cmpuint (g_bytes_get_size (bytes), <=, 4096);

  recording = spindle_recording_load_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_true (spindle_recording_get_truncated (recording));
}

/* A process worker's processes are rows of the list, not workers: the
 * recording has the process worker alone, whose report names them.
 */
static void
test_process_rows_not_recorded (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(SpindleRecorder) recorder = spindle_recorder_new (set, memory, 0);
  g_autofree char *mark = g_strdup_printf ("7412.%d", (int) getpid ());
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  SpindleWorker *worker;
  guint spawns = 0;

  worker = spindle_test_spawn_command (set, spindle_test_sh_argv ("sleep @MARK@ & wait", mark), NULL);
  spindle_test_wait_until (spindle_test_has_process_rows, worker, SPINDLE_TEST_GUARD_MS);
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  g_assert_true (spindle_recorder_close (recorder, NULL));

  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    spawns += strstr (lines[i], "\"ev\":\"spawn\"") != NULL;
  g_assert_cmpuint (spawns, ==, 1);
  g_assert_cmpuint (spindle_test_count_marked (mark), ==, 0);
}

/* Damaged and hostile files: each one an error, none a crash. */
static void
test_rejects_damaged (void)
{
  g_autofree char *deep = NULL;
  g_autofree char *long_line = NULL;
  const char *header = "{\"format\":\"spindle-recording\",\"version\":1,\"pid\":1,\"program\":\"x\"}\n";
  const char *spawn = "{\"t\":1,\"w\":1,\"ev\":\"spawn\",\"name\":\"a\",\"kind\":\"k\"}\n";
  struct { const char *body; int code; const char *says; } cases[] = {
    { "", SPINDLE_RECORDING_ERROR_NOT_RECORDING, "empty" },
    { "hello\n", SPINDLE_RECORDING_ERROR_INVALID, "not JSON" },
    { "[1,2]\n", SPINDLE_RECORDING_ERROR_INVALID, "not a JSON object" },
    { "{\"format\":\"other\"}\n", SPINDLE_RECORDING_ERROR_NOT_RECORDING, "not a Spindle recording" },
    { "{\"format\":\"spindle-recording\",\"version\":7}\n", SPINDLE_RECORDING_ERROR_VERSION, "newer version" },
    /* members of the wrong JSON type: an error, not a critical */
    { "{\"format\":[\"spindle-recording\"],\"version\":1}\n", SPINDLE_RECORDING_ERROR_NOT_RECORDING, "not a Spindle recording" },
    { "{\"format\":\"spindle-recording\",\"version\":{}}\n", SPINDLE_RECORDING_ERROR_VERSION, "newer version" },
    { "{\"format\":\"spindle-recording\",\"version\":1,\"program\":{}}\n", SPINDLE_RECORDING_ERROR_INVALID, "header" },
    { "{\"format\":\"spindle-recording\",\"version\":1,\"pid\":[1]}\n", SPINDLE_RECORDING_ERROR_INVALID, "header" },
    { NULL, 0, NULL },
  };
  struct { const char *records; const char *says; } bad_records[] = {
    { "{\"t\":1,\"w\":2,\"ev\":\"state\",\"state\":\"running\"}\n", "never spawned" },
    { "{\"t\":1,\"w\":1,\"ev\":\"explode\"}\n", "unknown kind" },
    { "{\"t\":1,\"w\":1,\"ev\":{\"state\":1}}\n", "unknown kind" },
    { "{\"t\":1,\"w\":1,\"ev\":[\"phase\"]}\n", "unknown kind" },
    { "{\"t\":-5,\"w\":1,\"ev\":\"phase\",\"phase\":\"x\"}\n", "no valid time" },
    { "{\"t\":0,\"w\":1,\"ev\":\"state\",\"state\":\"running\"}\n", "before the previous" },
    { "{\"t\":2,\"w\":1,\"ev\":\"state\",\"state\":\"exploded\"}\n", "not valid" },
    { "{\"t\":2,\"w\":1,\"ev\":\"state\"}\n", "lacks" },
    { "{\"t\":2,\"w\":1,\"ev\":\"spawn\",\"name\":\"a\",\"kind\":\"k\"}\n", "spawned twice" },
    { "{\"t\":2,\"w\":2,\"ev\":\"spawn\",\"name\":\"b\",\"kind\":\"k\",\"parent\":9}\n", "parent" },
    { "{\"t\":2,\"w\":1,\"ev\":\"stack\",\"frames\":[1,2]}\n", "frame" },
    { "{\"t\":2,\"w\":1,\"ev\":\"cleanup-finished\",\"usec\":1,\"steps\":[{\"label\":\"x\"}]}\n", "step" },
    { "{\"t\":2,\"ev\":\"end\"}\n{\"t\":3,\"w\":1,\"ev\":\"phase\",\"phase\":\"x\"}\n", "after the end" },
    { "{\"t\":2,\"w\":1,\"ev\":\"phase\",\"phase\":\"\xff\xfe\"}\n", "UTF-8" },
    { "\n", "JSON" },
  };

  for (guint i = 0; cases[i].body != NULL; i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i].body, strlen (cases[i].body));
      g_autoptr(GError) error = NULL;

      g_assert_null (spindle_recording_load_bytes (bytes, &error));
      g_assert_error (error, SPINDLE_RECORDING_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_records); i++)
    {
      g_autofree char *text = g_strconcat (header, spawn, bad_records[i].records, "{\"t\":9,\"ev\":\"end\"}\n", NULL);
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_strdup (text), strlen (text));
      g_autoptr(GError) error = NULL;

      g_assert_null (spindle_recording_load_bytes (bytes, &error));
      g_assert_error (error, SPINDLE_RECORDING_ERROR, SPINDLE_RECORDING_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, bad_records[i].says));
      g_assert_true (g_str_has_prefix (error->message, "Line 3") || g_str_has_prefix (error->message, "Line 4"));
    }

  /* a million brackets would recurse a parser off its stack */
  deep = g_strnfill (1000000, '[');
  long_line = g_strconcat (header, deep, "\n", NULL);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_strdup (long_line), strlen (long_line));
    g_autoptr(GError) error = NULL;

    g_assert_null (spindle_recording_load_bytes (bytes, &error));
    g_assert_error (error, SPINDLE_RECORDING_ERROR, SPINDLE_RECORDING_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "nested"));
  }
}

/* Spindle ended while recording: the last line is cut. */
static void
test_cut_short_loads_incomplete (void)
{
  g_autoptr(GArray) seen = NULL;
  g_autoptr(GBytes) whole = record_session (&seen);
  gsize size = g_bytes_get_size (whole);
  const char *data = g_bytes_get_data (whole, NULL);
  g_autoptr(GBytes) cut = g_bytes_new (data, size - 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpindleRecording) recording = spindle_recording_load_bytes (cut, &error);

  g_assert_no_error (error);
  g_assert_false (spindle_recording_get_complete (recording));
  g_assert_cmpuint (spindle_recording_get_n_records (recording), >, 5);
}

static void
mutate (GByteArray *data,
        GRand      *rand)
{
  guint kind = g_rand_int_range (rand, 0, 5);
  guint at = data->len > 0 ? g_rand_int_range (rand, 0, data->len) : 0;
  guint8 byte = g_rand_int_range (rand, 0, 256);
  static const char *tokens[] = { "{", "}", "[", "]", "\"", "\n", ",", ":", "-1", "1e308", "null", "\\u0000" };

  switch (kind)
    {
    case 0: if (data->len > 0) data->data[at] = byte; break;
    case 1: g_byte_array_set_size (data, at); break;
    case 2:
      {
        guint length = g_rand_int_range (rand, 1, 40);

        g_byte_array_remove_range (data, at, MIN (data->len - at, length));
        break;
      }
    case 3:
      {
        const char *token = tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))];
        guint8 *copy = g_memdup2 (data->data + at, data->len - at);
        guint rest = data->len - at;

        g_byte_array_set_size (data, at);
        g_byte_array_append (data, (const guint8 *) token, strlen (token));
        g_byte_array_append (data, copy, rest);
        g_free (copy);
        break;
      }
    default:
      if (data->len > 0) data->data[at] ^= 1u << g_rand_int_range (rand, 0, 8);
    }
}

/* Thousands of damaged copies of a real recording: each loads or fails
 * cleanly, and whatever loads replays and exports.
 */
static void
test_fuzz (void)
{
  g_autoptr(GArray) seen = NULL;
  g_autoptr(GBytes) original = record_session (&seen);
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  guint loaded = 0, refused = 0;
  guint rounds = g_test_slow () ? 20000 : 3000;

  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SpindleRecording) recording = NULL;
      guint n = g_rand_int_range (rand, 1, 6);

      g_byte_array_append (data, g_bytes_get_data (original, NULL), g_bytes_get_size (original));
      for (guint m = 0; m < n; m++)
        mutate (data, rand);
      bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data));

      recording = spindle_recording_load_bytes (bytes, &error);
      if (recording == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == SPINDLE_RECORDING_ERROR);
          refused++;
          continue;
        }
      loaded++;
      {
        g_autoptr(GPtrArray) workers = spindle_recording_get_workers_at (recording, spindle_recording_get_duration (recording) / 2);
        g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();

        g_assert_true (spindle_recording_write_chrome_trace (recording, sink, NULL));
      }
    }
  g_test_message ("%u damaged copies loaded, %u refused", loaded, refused);
  g_assert_cmpuint (loaded, >, 0);
  g_assert_cmpuint (refused, >, 0);
}

/* The exported trace passes a JSON schema of the Chrome trace event
 * format, and the checker's own rules (each track named, slices in order).
 */
static void
test_chrome_trace_schema (void)
{
  g_autoptr(GArray) seen = NULL;
  g_autoptr(GBytes) bytes = record_session (&seen);
  g_autoptr(SpindleRecording) recording = spindle_recording_load_bytes (bytes, NULL);
  g_autoptr(GFileIOStream) io = NULL;
  g_autoptr(GFile) file = g_file_new_tmp ("spindle-trace-XXXXXX.json", &io, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);
  const char *checker = g_getenv ("SPINDLE_TRACE_CHECKER");
  const char *schema = g_getenv ("SPINDLE_TRACE_SCHEMA");
  g_autofree char *output = NULL;
  int status = -1;

  g_assert_nonnull (checker);
  g_assert_nonnull (schema);
  g_assert_true (spindle_recording_write_chrome_trace (recording, g_io_stream_get_output_stream (G_IO_STREAM (io)), &error));
  g_assert_no_error (error);
  g_assert_true (g_io_stream_close (G_IO_STREAM (io), NULL, NULL));

  {
    const char *argv[] = { "/usr/bin/python3", checker, schema, path, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                 &output, NULL, &status, &error));
  }
  g_assert_no_error (error);
  g_test_message ("%s", output);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_nonnull (strstr (output, "3 worker tracks"));
  g_file_delete (file, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/recording/replays-same-states", test_replays_same_states);
  g_test_add_func ("/recording/requests-and-steps", test_records_requests_and_steps);
  g_test_add_func ("/recording/bounded", test_bounded);
  g_test_add_func ("/recording/process-rows-not-recorded", test_process_rows_not_recorded);
  g_test_add_func ("/recording/rejects-damaged", test_rejects_damaged);
  g_test_add_func ("/recording/cut-short-loads-incomplete", test_cut_short_loads_incomplete);
  g_test_add_func ("/recording/fuzz", test_fuzz);
  g_test_add_func ("/recording/chrome-trace-schema", test_chrome_trace_schema);

  return g_test_run ();
}
