/* spindle-recorder.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-recorder"

#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "spindle-json-private.h"
#include "spindle-recorder.h"

/* Records a session to a file: every worker's lifecycle, requests,
 * escalations, cleanup steps, samples, diagnoses and captured stacks, one
 * JSON object a line (the format is described in spindle-recording.c, which
 * reads it). It listens on the main thread, as the window does, and writes
 * through a buffer; past max_bytes it writes a last "truncated" record and
 * stops, so a recording left on never fills a disk.
 */

/* Room kept for the "truncated" and "end" records. */
#define CLOSING_ROOM 128

struct _SpindleRecorder
{
  GObject           parent_instance;

  SpindleWorkerSet *set;
  GOutputStream    *stream;      /* buffered */
  gsize             max_bytes;
  gsize             written;
  gint64            started_at;  /* monotonic µs; records' "t" counts from it */
  gboolean          truncated;
  gboolean          closed;
  GError           *error;       /* the first write error: recording stopped */
  GHashTable       *seen;        /* worker ids already announced */
  GString          *line;
  guint             flush_id;
  gboolean          unflushed;
};

G_DEFINE_FINAL_TYPE (SpindleRecorder, spindle_recorder, G_TYPE_OBJECT)

static void track_worker (SpindleRecorder *self,
                          SpindleWorker   *worker);

static gboolean
is_recording (SpindleRecorder *self)
{
  return !self->closed && !self->truncated && self->error == NULL;
}

static void
write_raw (SpindleRecorder *self,
           const GString   *text)
{
  gsize done = 0;

  if (!g_output_stream_write_all (self->stream, text->str, text->len, &done, NULL, &self->error))
    g_warning ("Recording stopped: %s", self->error->message);
  self->written += done;
  self->unflushed = TRUE;
}

/* A recording cut short by a crash keeps all but its last second. */
static gboolean
flush_cb (gpointer data)
{
  SpindleRecorder *self = data;

  if (self->unflushed && self->error == NULL &&
      !g_output_stream_flush (self->stream, NULL, &self->error))
    g_warning ("Recording stopped: %s", self->error->message);
  self->unflushed = FALSE;
  return G_SOURCE_CONTINUE;
}

/* Starts a record: {"t":…,"w":…,"ev":"…" — the caller adds members. */
static GString *
begin (SpindleRecorder *self,
       SpindleWorker   *worker,
       const char      *event)
{
  g_string_truncate (self->line, 0);
  g_string_append_printf (self->line, "{\"t\":%" G_GINT64_FORMAT,
                          MAX (0, g_get_monotonic_time () - self->started_at));
  if (worker != NULL)
    g_string_append_printf (self->line, ",\"w\":%" G_GUINT64_FORMAT, spindle_worker_get_id (worker));
  spindle_json_append_member (self->line, "ev", event);
  return self->line;
}

/* Ends the record and writes it, unless it would pass the bound. */
static void
commit (SpindleRecorder *self)
{
  g_string_append (self->line, "}\n");
  if (self->written + self->line->len + CLOSING_ROOM > self->max_bytes)
    {
      self->truncated = TRUE;
      begin (self, NULL, "truncated");
      g_string_append (self->line, "}\n");
    }
  write_raw (self, self->line);
}

static void
record_state (SpindleRecorder *self,
              SpindleWorker   *worker)
{
  SpindleWorkerState state = spindle_worker_get_state (worker);
  GString *line;
  const GError *error;

  if (!is_recording (self))
    return;
  line = begin (self, worker, "state");
  spindle_json_append_member (line, "state", spindle_json_enum_nick (SPINDLE_TYPE_WORKER_STATE, state));
  if (spindle_worker_get_tid (worker) > 0)
    g_string_append_printf (line, ",\"tid\":%d", spindle_worker_get_tid (worker));
  if (spindle_worker_state_is_terminal (state))
    {
      spindle_json_append_member (line, "reason",
                                  spindle_json_enum_nick (SPINDLE_TYPE_STOP_REASON,
                                                          spindle_worker_get_stop_reason (worker)));
      error = spindle_worker_get_error (worker);
      if (error != NULL)
        spindle_json_append_member (line, "error", error->message);
    }
  commit (self);
}

static void
on_state (SpindleWorker   *worker,
          GParamSpec      *pspec,
          SpindleRecorder *self)
{
  record_state (self, worker);
}

static void
on_phase (SpindleWorker   *worker,
          GParamSpec      *pspec,
          SpindleRecorder *self)
{
  if (!is_recording (self))
    return;
  spindle_json_append_member (begin (self, worker, "phase"), "phase", spindle_worker_get_phase (worker));
  commit (self);
}

static void
on_unresponsive (SpindleWorker   *worker,
                 GParamSpec      *pspec,
                 SpindleRecorder *self)
{
  if (!is_recording (self))
    return;
  g_string_append_printf (begin (self, worker, "unresponsive"), ",\"value\":%s",
                          spindle_worker_get_unresponsive (worker) ? "true" : "false");
  commit (self);
}

/* A sample: the window's sampler sets the CPU share last. */
static void
on_sample (SpindleWorker   *worker,
           GParamSpec      *pspec,
           SpindleRecorder *self)
{
  GString *line;

  if (!is_recording (self))
    return;
  line = begin (self, worker, "sample");
  g_string_append_printf (line, ",\"cpu\":%.1f", spindle_worker_get_cpu_percent (worker));
  if (spindle_worker_get_kernel_state (worker) != NULL)
    spindle_json_append_member (line, "kernel", spindle_worker_get_kernel_state (worker));
  if (spindle_worker_get_wait_channel (worker) != NULL)
    spindle_json_append_member (line, "wchan", spindle_worker_get_wait_channel (worker));
  commit (self);
}

static void
record_request (SpindleRecorder   *self,
                SpindleWorker     *worker,
                const char        *event,
                SpindleStopReason  reason)
{
  if (!is_recording (self))
    return;
  spindle_json_append_member (begin (self, worker, event), "reason",
                              spindle_json_enum_nick (SPINDLE_TYPE_STOP_REASON, reason));
  commit (self);
}

static void
on_stop_requested (SpindleWorker     *worker,
                   SpindleStopReason  reason,
                   SpindleRecorder   *self)
{
  record_request (self, worker, "stop-requested", reason);
}

static void
on_cancel_requested (SpindleWorker     *worker,
                     SpindleStopReason  reason,
                     SpindleRecorder   *self)
{
  record_request (self, worker, "cancel-requested", reason);
}

static void
on_escalated (SpindleWorker     *worker,
              SpindleEscalation  escalation,
              SpindleRecorder   *self)
{
  if (!is_recording (self))
    return;
  spindle_json_append_member (begin (self, worker, "escalated"), "escalation",
                              spindle_json_enum_nick (SPINDLE_TYPE_ESCALATION, escalation));
  commit (self);
}

static void
on_cleanup_step (SpindleWorker         *worker,
                 const char            *label,
                 SpindleCleanupOutcome  outcome,
                 const char            *message,
                 SpindleRecorder       *self)
{
  GString *line;

  if (!is_recording (self))
    return;
  line = begin (self, worker, "cleanup-step");
  spindle_json_append_member (line, "label", label);
  spindle_json_append_member (line, "outcome", spindle_json_enum_nick (SPINDLE_TYPE_CLEANUP_OUTCOME, outcome));
  if (message != NULL)
    spindle_json_append_member (line, "message", message);
  commit (self);
}

static void
on_cleanup_finished (SpindleWorker        *worker,
                     SpindleCleanupReport *report,
                     SpindleRecorder      *self)
{
  GString *line;
  guint n;

  if (!is_recording (self) || report == NULL)
    return;
  line = begin (self, worker, "cleanup-finished");
  g_string_append_printf (line, ",\"usec\":%" G_GINT64_FORMAT ",\"steps\":[",
                          spindle_cleanup_report_get_duration (report));
  n = spindle_cleanup_report_get_n_steps (report);
  for (guint i = 0; i < n; i++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, i);

      g_string_append (line, i > 0 ? ",{\"label\":" : "{\"label\":");
      spindle_json_append_string (line, step->label);
      spindle_json_append_member (line, "outcome", spindle_json_enum_nick (SPINDLE_TYPE_CLEANUP_OUTCOME, step->outcome));
      g_string_append_printf (line, ",\"usec\":%" G_GINT64_FORMAT "}", step->duration_usec);
    }
  g_string_append_c (line, ']');
  commit (self);
}

static void
on_children_changed (GListModel      *children,
                     guint            position,
                     guint            removed,
                     guint            added,
                     SpindleRecorder *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);

      track_worker (self, child);
    }
}

static void
announce (SpindleRecorder *self,
          SpindleWorker   *worker)
{
  SpindleWorker *parent = spindle_worker_get_parent (worker);
  GString *line = begin (self, worker, "spawn");

  spindle_json_append_member (line, "name", spindle_worker_get_name (worker));
  spindle_json_append_member (line, "kind", spindle_worker_get_kind (worker));
  if (parent != NULL)
    g_string_append_printf (line, ",\"parent\":%" G_GUINT64_FORMAT, spindle_worker_get_id (parent));
  if (spindle_worker_get_tid (worker) > 0)
    g_string_append_printf (line, ",\"tid\":%d", spindle_worker_get_tid (worker));
  commit (self);
}

static void
track_worker (SpindleRecorder *self,
              SpindleWorker   *worker)
{
  guint64 id = spindle_worker_get_id (worker);
  GListModel *children;

  /* a process worker's processes are rows, not workers: its report names them */
  if (!is_recording (self) || spindle_worker_is_tree_process (worker) ||
      g_hash_table_contains (self->seen, &id))
    return;
  g_hash_table_add (self->seen, g_memdup2 (&id, sizeof id));

  announce (self, worker);
  record_state (self, worker);

  g_signal_connect_object (worker, "notify::state", G_CALLBACK (on_state), self, 0);
  g_signal_connect_object (worker, "notify::phase", G_CALLBACK (on_phase), self, 0);
  g_signal_connect_object (worker, "notify::unresponsive", G_CALLBACK (on_unresponsive), self, 0);
  g_signal_connect_object (worker, "notify::cpu-percent", G_CALLBACK (on_sample), self, 0);
  g_signal_connect_object (worker, "stop-requested", G_CALLBACK (on_stop_requested), self, 0);
  g_signal_connect_object (worker, "cancel-requested", G_CALLBACK (on_cancel_requested), self, 0);
  g_signal_connect_object (worker, "escalated", G_CALLBACK (on_escalated), self, 0);
  g_signal_connect_object (worker, "cleanup-step", G_CALLBACK (on_cleanup_step), self, 0);
  g_signal_connect_object (worker, "cleanup-finished", G_CALLBACK (on_cleanup_finished), self, 0);

  children = spindle_worker_get_children (worker);
  if (children != NULL)
    {
      g_signal_connect_object (children, "items-changed", G_CALLBACK (on_children_changed), self, 0);
      on_children_changed (children, 0, 0, g_list_model_get_n_items (children), self);
    }
}

static void
on_workers_changed (GListModel      *workers,
                    guint            position,
                    guint            removed,
                    guint            added,
                    SpindleRecorder *self)
{
  on_children_changed (workers, position, removed, added, self);
}

static void
write_header (SpindleRecorder *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *started = g_date_time_format_iso8601 (now);
  GString *line = self->line;

  g_string_assign (line, "{\"format\":\"spindle-recording\",\"version\":1");
  g_string_append_printf (line, ",\"pid\":%d", (int) getpid ());
  spindle_json_append_member (line, "program", g_get_prgname () != NULL ? g_get_prgname () : "");
  spindle_json_append_member (line, "started", started);
  g_string_append_printf (line, ",\"max_bytes\":%" G_GSIZE_FORMAT "}\n", self->max_bytes);
  write_raw (self, line);
}

static void
spindle_recorder_dispose (GObject *object)
{
  SpindleRecorder *self = SPINDLE_RECORDER (object);

  if (!self->closed && self->stream != NULL)
    spindle_recorder_close (self, NULL);
  g_clear_object (&self->set);

  G_OBJECT_CLASS (spindle_recorder_parent_class)->dispose (object);
}

static void
spindle_recorder_finalize (GObject *object)
{
  SpindleRecorder *self = SPINDLE_RECORDER (object);

  g_clear_object (&self->stream);
  g_clear_error (&self->error);
  g_hash_table_unref (self->seen);
  g_string_free (self->line, TRUE);

  G_OBJECT_CLASS (spindle_recorder_parent_class)->finalize (object);
}

static void
spindle_recorder_class_init (SpindleRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = spindle_recorder_dispose;
  object_class->finalize = spindle_recorder_finalize;
}

static void
spindle_recorder_init (SpindleRecorder *self)
{
  self->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->line = g_string_sized_new (256);
}

/**
 * spindle_recorder_new:
 * @set: the worker set to record
 * @stream: where the recording goes; the recorder closes it
 * @max_bytes: the recording's bound (at least a few KiB); 0: the default
 *
 * Starts recording @set: the workers it has now, and every worker and
 * event from now on, until spindle_recorder_close().
 *
 * Returns: (transfer full): the recorder
 */
SpindleRecorder *
spindle_recorder_new (SpindleWorkerSet *set,
                      GOutputStream    *stream,
                      gsize             max_bytes)
{
  SpindleRecorder *self;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  self = g_object_new (SPINDLE_TYPE_RECORDER, NULL);
  self->set = g_object_ref (set);
  self->stream = g_buffered_output_stream_new_sized (stream, 64 * 1024);
  self->max_bytes = max_bytes > 0 ? MAX (max_bytes, 4096) : SPINDLE_RECORDER_DEFAULT_MAX_BYTES;
  self->started_at = g_get_monotonic_time ();

  write_header (self);
  self->flush_id = g_timeout_add_seconds (1, flush_cb, self);
  g_signal_connect_object (set, "items-changed", G_CALLBACK (on_workers_changed), self, 0);
  on_workers_changed (G_LIST_MODEL (set), 0, 0, g_list_model_get_n_items (G_LIST_MODEL (set)), self);
  return self;
}

/**
 * spindle_recorder_new_for_path:
 * @set: the worker set to record
 * @path: the file to write, replaced if it exists
 * @max_bytes: the recording's bound; 0: the default
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the recorder, or %NULL if the file
 *   cannot be created
 */
SpindleRecorder *
spindle_recorder_new_for_path (SpindleWorkerSet  *set,
                               const char        *path,
                               gsize              max_bytes,
                               GError           **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileOutputStream) stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);

  if (stream == NULL)
    return NULL;
  return spindle_recorder_new (set, G_OUTPUT_STREAM (stream), max_bytes);
}

/**
 * spindle_recorder_add_stack:
 * @self: a recorder
 * @worker: the worker whose stack it is
 * @stack: a stack captured by spindle_worker_capture_stack_async()
 *
 * Adds a captured stack to the recording.
 */
void
spindle_recorder_add_stack (SpindleRecorder *self,
                            SpindleWorker   *worker,
                            SpindleStack    *stack)
{
  GString *line;

  g_return_if_fail (SPINDLE_IS_RECORDER (self));

  if (!is_recording (self))
    return;
  line = begin (self, worker, "stack");
  g_string_append (line, ",\"frames\":[");
  for (guint i = 0; i < spindle_stack_get_n_frames (stack); i++)
    {
      const char *function = spindle_stack_get_frame_function (stack, i);

      if (i > 0)
        g_string_append_c (line, ',');
      spindle_json_append_string (line, function != NULL ? function : "??");
    }
  g_string_append_c (line, ']');
  commit (self);
}

/**
 * spindle_recorder_add_diagnosis:
 * @self: a recorder
 * @worker: the worker diagnosed
 * @summary: what the diagnosis said
 *
 * Adds a diagnosis to the recording.
 */
void
spindle_recorder_add_diagnosis (SpindleRecorder *self,
                                SpindleWorker   *worker,
                                const char      *summary)
{
  g_return_if_fail (SPINDLE_IS_RECORDER (self));

  if (!is_recording (self))
    return;
  spindle_json_append_member (begin (self, worker, "diagnosis"), "summary", summary);
  commit (self);
}

/**
 * spindle_recorder_close:
 * @self: a recorder
 * @error: return location for an error
 *
 * Stops recording, writes the "end" record, and closes the stream.
 *
 * Returns: %FALSE if a write failed, now or while recording
 */
gboolean
spindle_recorder_close (SpindleRecorder  *self,
                        GError          **error)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDER (self), FALSE);

  if (self->closed)
    return TRUE;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  /* a truncated recording already has its last record */
  if (self->error == NULL && !self->truncated)
    {
      begin (self, NULL, "end");
      g_string_append (self->line, "}\n");
      write_raw (self, self->line);
    }
  self->closed = TRUE;
  if (self->error == NULL)
    g_output_stream_close (self->stream, NULL, &self->error);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }
  return TRUE;
}

gsize
spindle_recorder_get_bytes_written (SpindleRecorder *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDER (self), 0);

  return self->written;
}

gboolean
spindle_recorder_get_truncated (SpindleRecorder *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDER (self), FALSE);

  return self->truncated;
}

gint64
spindle_recorder_get_started_at (SpindleRecorder *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDER (self), 0);

  return self->started_at;
}
