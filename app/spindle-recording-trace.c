/* spindle-recording-trace.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-recording"

#include "config.h"

#include "spindle-json-private.h"
#include "spindle-recording-private.h"

/* A recording as Chrome trace event JSON (the "JSON Object Format" of the
 * Trace Event Format), which Perfetto and chrome://tracing open: one track
 * per worker (the worker's id as the track's tid, its name as the track's
 * name), a complete ("X") slice per state it was in and per cleanup step,
 * instant ("i") events for requests, escalations, diagnoses and stacks,
 * and a counter ("C") per worker for its sampled CPU share. Times are in
 * microseconds from the recording's start, as the format wants.
 */

typedef struct
{
  char   *state;   /* open slice: the state it is in; NULL when terminal */
  gint64  since;
} Track;

typedef struct
{
  GOutputStream *stream;
  GString       *out;
  int            pid;
  gboolean       first;
  GHashTable    *tracks;   /* worker id → Track */
  GHashTable    *names;    /* worker id → name, for counters */
  GError        *error;
} Trace;

static void
track_free (Track *track)
{
  g_free (track->state);
  g_free (track);
}

static void
flush (Trace    *trace,
       gboolean  force)
{
  if (trace->error != NULL || (!force && trace->out->len < 64 * 1024))
    return;
  g_output_stream_write_all (trace->stream, trace->out->str, trace->out->len, NULL, NULL, &trace->error);
  g_string_truncate (trace->out, 0);
}

/* Starts an event object: the caller adds members, then end_event(). */
static GString *
begin_event (Trace      *trace,
             const char *phase,
             const char *name,
             const char *category,
             guint64     worker,
             gint64      ts)
{
  GString *out = trace->out;

  g_string_append (out, trace->first ? "\n{" : ",\n{");
  trace->first = FALSE;
  g_string_append (out, "\"ph\":");
  spindle_json_append_string (out, phase);
  spindle_json_append_member (out, "name", name);
  if (category != NULL)
    spindle_json_append_member (out, "cat", category);
  g_string_append_printf (out, ",\"pid\":%d,\"tid\":%" G_GUINT64_FORMAT ",\"ts\":%" G_GINT64_FORMAT,
                          trace->pid, worker, ts);
  return out;
}

static void
end_event (Trace *trace)
{
  g_string_append_c (trace->out, '}');
  flush (trace, FALSE);
}

static void
slice (Trace      *trace,
       const char *name,
       const char *category,
       guint64     worker,
       gint64      ts,
       gint64      dur,
       const char *arg_name,
       const char *arg_value)
{
  GString *out = begin_event (trace, "X", name, category, worker, ts);

  g_string_append_printf (out, ",\"dur\":%" G_GINT64_FORMAT, MAX (dur, 0));
  if (arg_name != NULL)
    {
      g_string_append_printf (out, ",\"args\":{\"%s\":", arg_name);
      spindle_json_append_string (out, arg_value);
      g_string_append_c (out, '}');
    }
  end_event (trace);
}

static void
instant (Trace      *trace,
         const char *name,
         const char *category,
         guint64     worker,
         gint64      ts,
         const char *arg_name,
         const char *arg_value)
{
  GString *out = begin_event (trace, "i", name, category, worker, ts);

  g_string_append (out, ",\"s\":\"t\"");
  if (arg_name != NULL)
    {
      g_string_append_printf (out, ",\"args\":{\"%s\":", arg_name);
      spindle_json_append_string (out, arg_value);
      g_string_append_c (out, '}');
    }
  end_event (trace);
}

static void
metadata (Trace      *trace,
          const char *kind,
          guint64     worker,
          const char *name)
{
  GString *out = trace->out;

  g_string_append (out, trace->first ? "\n{" : ",\n{");
  trace->first = FALSE;
  g_string_append_printf (out, "\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%" G_GUINT64_FORMAT ",\"args\":{\"name\":",
                          kind, trace->pid, worker);
  spindle_json_append_string (out, name);
  g_string_append (out, "}}");
}

static void
close_state (Trace  *trace,
             guint64 worker,
             Track  *track,
             gint64  t)
{
  if (track->state != NULL)
    slice (trace, track->state, "state", worker, track->since, t - track->since, NULL, NULL);
  g_clear_pointer (&track->state, g_free);
}

static void
on_state (Trace        *trace,
          const Record *record,
          Track        *track)
{
  const char *state = json_object_get_string_member (record->object, "state");
  g_autoptr(GEnumClass) klass = g_type_class_ref (SPINDLE_TYPE_WORKER_STATE);
  GEnumValue *value = g_enum_get_value_by_nick (klass, state);

  close_state (trace, record->worker, track, record->t);
  if (value != NULL && spindle_worker_state_is_terminal (value->value))
    instant (trace, state, "state", record->worker, record->t, "reason",
             json_object_get_string_member_with_default (record->object, "reason", "none"));
  else
    {
      track->state = g_strdup (state);
      track->since = record->t;
    }
}

/* The report gives each step's duration; the steps ran one after another
 * and ended when the report was made.
 */
static void
on_cleanup_finished (Trace        *trace,
                     const Record *record)
{
  JsonArray *steps = json_object_get_array_member (record->object, "steps");
  gint64 end = record->t;

  for (guint i = json_array_get_length (steps); i-- > 0;)
    {
      JsonObject *step = json_array_get_object_element (steps, i);
      gint64 usec = MIN (json_object_get_int_member (step, "usec"), end);

      slice (trace, json_object_get_string_member (step, "label"), "cleanup", record->worker,
             end - usec, usec, "outcome", json_object_get_string_member (step, "outcome"));
      end -= usec;
    }
}

static void
on_sample (Trace        *trace,
           const Record *record)
{
  g_autofree char *name = g_strdup_printf ("CPU %%: %s", (const char *) g_hash_table_lookup (trace->names, &record->worker));
  GString *out = begin_event (trace, "C", name, "sample", record->worker, record->t);

  g_string_append_printf (out, ",\"args\":{\"cpu\":%.1f}", json_object_get_double_member (record->object, "cpu"));
  end_event (trace);
}

static void
on_spawn (Trace        *trace,
          const Record *record)
{
  const char *name = json_object_get_string_member (record->object, "name");
  Track *track = g_new0 (Track, 1);

  g_hash_table_insert (trace->tracks, g_memdup2 (&record->worker, sizeof record->worker), track);
  g_hash_table_insert (trace->names, g_memdup2 (&record->worker, sizeof record->worker), g_strdup (name));
  metadata (trace, "thread_name", record->worker, name);
  instant (trace, "spawned", "lifecycle", record->worker, record->t, "kind",
           json_object_get_string_member (record->object, "kind"));
}

static void
on_record (Trace        *trace,
           const Record *record)
{
  Track *track = g_hash_table_lookup (trace->tracks, &record->worker);
  JsonObject *object = record->object;
  g_autofree char *text = NULL;

  switch (record->kind)
    {
    case EV_SPAWN:
      on_spawn (trace, record);
      break;
    case EV_STATE:
      on_state (trace, record, track);
      break;
    case EV_PHASE:
      instant (trace, "phase", "phase", record->worker, record->t, "phase", json_object_get_string_member (object, "phase"));
      break;
    case EV_UNRESPONSIVE:
      if (json_object_get_boolean_member (object, "value"))
        instant (trace, "unresponsive", "escalation", record->worker, record->t, NULL, NULL);
      break;
    case EV_SAMPLE:
      on_sample (trace, record);
      break;
    case EV_STOP_REQUESTED:
    case EV_CANCEL_REQUESTED:
      text = g_strdup_printf ("%s (%s)", _spindle_recording_kind_name (record->kind),
                              json_object_get_string_member (object, "reason"));
      instant (trace, text, "request", record->worker, record->t, NULL, NULL);
      break;
    case EV_ESCALATED:
      instant (trace, json_object_get_string_member (object, "escalation"), "escalation", record->worker, record->t, NULL, NULL);
      break;
    case EV_CLEANUP_STEP:
      break;   /* the report that follows has the step with its duration */
    case EV_CLEANUP_FINISHED:
      on_cleanup_finished (trace, record);
      break;
    case EV_STACK:
      text = json_to_string (json_object_get_member (object, "frames"), FALSE);
      instant (trace, "stack captured", "stack", record->worker, record->t, "frames", text);
      break;
    case EV_DIAGNOSIS:
      instant (trace, "diagnosis", "diagnosis", record->worker, record->t, "summary", json_object_get_string_member (object, "summary"));
      break;
    case EV_TRUNCATED:
    case EV_END:
      break;
    }
}

/**
 * spindle_recording_write_chrome_trace:
 * @self: a recording
 * @stream: where the trace goes; it is not closed
 * @error: return location for an error
 *
 * Writes the recording as Chrome trace event JSON.
 *
 * Returns: %FALSE if writing failed
 */
gboolean
spindle_recording_write_chrome_trace (SpindleRecording  *self,
                                      GOutputStream     *stream,
                                      GError           **error)
{
  g_autoptr(GHashTable) tracks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) track_free);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GString) out = g_string_sized_new (64 * 1024);
  const GArray *records = _spindle_recording_get_records (self);
  gint64 end = spindle_recording_get_duration (self);
  Trace trace = { stream, out, MAX (spindle_recording_get_pid (self), 1), TRUE, tracks, names, NULL };
  g_autofree char *process = g_strdup_printf ("Spindle recording of %s", spindle_recording_get_program (self));
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (SPINDLE_IS_RECORDING (self), FALSE);

  g_string_append (out, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"source\":\"spindle-recording\"},\"traceEvents\":[");
  metadata (&trace, "process_name", 0, process);
  for (guint i = 0; i < records->len; i++)
    on_record (&trace, &g_array_index (records, Record, i));

  /* states still open when the recording ends */
  g_hash_table_iter_init (&iter, tracks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    close_state (&trace, *(guint64 *) key, value, end);

  g_string_append (out, "\n]}\n");
  flush (&trace, TRUE);
  if (trace.error != NULL)
    {
      g_propagate_error (error, trace.error);
      return FALSE;
    }
  return TRUE;
}

/**
 * spindle_recording_save_chrome_trace:
 * @self: a recording
 * @file: where the trace goes, replaced if it exists
 * @error: return location for an error
 *
 * Writes the recording as Chrome trace event JSON to @file.
 *
 * Returns: %FALSE if the file could not be written
 */
gboolean
spindle_recording_save_chrome_trace (SpindleRecording  *self,
                                     GFile             *file,
                                     GError           **error)
{
  g_autoptr(GFileOutputStream) stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);

  return stream != NULL &&
         spindle_recording_write_chrome_trace (self, G_OUTPUT_STREAM (stream), error) &&
         g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}
