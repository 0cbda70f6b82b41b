/* spindle-recording.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-recording"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "spindle-json-private.h"
#include "spindle-recording-private.h"

/* A recording, read back and checked.
 *
 * The format (version 1) is UTF-8 text, one JSON object a line:
 *
 *   {"format":"spindle-recording","version":1,"pid":…,"program":"…",
 *    "started":"ISO 8601 UTC","max_bytes":…}               the header, first
 *   {"t":µs,"w":id,"ev":"spawn","name":"…","kind":"…"[,"parent":id][,"tid":n]}
 *   {"t":µs,"w":id,"ev":"state","state":"running"[,"tid":n][,"reason":"user"][,"error":"…"]}
 *   {"t":µs,"w":id,"ev":"phase","phase":"…"}
 *   {"t":µs,"w":id,"ev":"unresponsive","value":true}
 *   {"t":µs,"w":id,"ev":"sample","cpu":12.5[,"kernel":"S"][,"wchan":"…"]}
 *   {"t":µs,"w":id,"ev":"stop-requested"|"cancel-requested","reason":"user"}
 *   {"t":µs,"w":id,"ev":"escalated","escalation":"force-cancel"}
 *   {"t":µs,"w":id,"ev":"cleanup-step","label":"…","outcome":"ok"[,"message":"…"]}
 *   {"t":µs,"w":id,"ev":"cleanup-finished","usec":n,"steps":[{"label":"…","outcome":"ok","usec":n}…]}
 *   {"t":µs,"w":id,"ev":"stack","frames":["innermost", …]}
 *   {"t":µs,"w":id,"ev":"diagnosis","summary":"…"}
 *   {"t":µs,"ev":"truncated"}     the size bound was reached: nothing follows
 *   {"t":µs,"ev":"end"}           the recording was closed
 *
 * "t" counts microseconds from the start, never decreasing; "w" is the
 * worker's id, spawned before anything else is said of it; states,
 * reasons, escalations and outcomes are the engine's enum nicks.
 *
 * The reader trusts nothing: the file's size, each line's length and
 * nesting are bounded before any JSON is parsed, every record is checked
 * against the table below, and anything wrong is an error naming the line.
 * A last line cut short (Spindle ended while recording) ends the recording
 * there: it loads, and says it is not complete.
 */

#define MAX_FILE_BYTES (512 * 1024 * 1024)
#define MAX_LINE_BYTES (1024 * 1024)
#define MAX_DEPTH 4


/* What each record must hold: members as "name:type", type one of
 * s (string), i (integer ≥ 0), n (number ≥ 0), b (boolean), a (array),
 * S (state nick), R (stop reason nick), E (escalation nick), O (outcome
 * nick); a leading '?' makes the member optional.
 */
static const struct
{
  const char *name;
  gboolean    has_worker;
  const char *members;
} kinds[] = {
  [EV_SPAWN] = { "spawn", TRUE, "name:s kind:s ?parent:i ?tid:i" },
  [EV_STATE] = { "state", TRUE, "state:S ?tid:i ?reason:R ?error:s" },
  [EV_PHASE] = { "phase", TRUE, "phase:s" },
  [EV_UNRESPONSIVE] = { "unresponsive", TRUE, "value:b" },
  [EV_SAMPLE] = { "sample", TRUE, "cpu:n ?kernel:s ?wchan:s" },
  [EV_STOP_REQUESTED] = { "stop-requested", TRUE, "reason:R" },
  [EV_CANCEL_REQUESTED] = { "cancel-requested", TRUE, "reason:R" },
  [EV_ESCALATED] = { "escalated", TRUE, "escalation:E" },
  [EV_CLEANUP_STEP] = { "cleanup-step", TRUE, "label:s outcome:O ?message:s" },
  [EV_CLEANUP_FINISHED] = { "cleanup-finished", TRUE, "usec:i steps:a" },
  [EV_STACK] = { "stack", TRUE, "frames:a" },
  [EV_DIAGNOSIS] = { "diagnosis", TRUE, "summary:s" },
  [EV_TRUNCATED] = { "truncated", FALSE, "" },
  [EV_END] = { "end", FALSE, "" },
};


struct _SpindleRecording
{
  GObject    parent_instance;

  GArray    *records;    /* of Record, in time order */
  char      *program;
  int        pid;
  gboolean   truncated;  /* the recorder reached its bound */
  gboolean   complete;   /* an "end" record closes it */
};

G_DEFINE_FINAL_TYPE (SpindleRecording, spindle_recording, G_TYPE_OBJECT)
G_DEFINE_QUARK (spindle-recording-error-quark, spindle_recording_error)

static void
record_clear (Record *record)
{
  g_clear_pointer (&record->object, json_object_unref);
}

static void
spindle_recording_finalize (GObject *object)
{
  SpindleRecording *self = SPINDLE_RECORDING (object);

  g_array_unref (self->records);
  g_free (self->program);

  G_OBJECT_CLASS (spindle_recording_parent_class)->finalize (object);
}

static void
spindle_recording_class_init (SpindleRecordingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = spindle_recording_finalize;
}

static void
spindle_recording_init (SpindleRecording *self)
{
  self->records = g_array_new (FALSE, TRUE, sizeof (Record));
  g_array_set_clear_func (self->records, (GDestroyNotify) record_clear);
}

/* Checking ******************************************************************/

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError     **error,
      guint        line,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: the first %u is a line number of a recording file */
  g_set_error (error, SPINDLE_RECORDING_ERROR, SPINDLE_RECORDING_ERROR_INVALID,
               _("Line %u of the recording: %s"), line, message);
  return FALSE;
}

/* Bounds the nesting of a line before a parser sees it: a line of a
 * million "[" would otherwise recurse until the stack runs out.
 */
static gboolean
nesting_ok (const char *text,
            gsize       length)
{
  gboolean in_string = FALSE;
  int depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_DEPTH)
            return FALSE;
        }
      else if (c == '}' || c == ']')
        depth--;
    }
  return TRUE;
}

static gboolean
nick_ok (GType       enum_type,
         const char *nick)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);

  return g_enum_get_value_by_nick (klass, nick) != NULL;
}

static int
nick_value (GType       enum_type,
            const char *nick)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *value = g_enum_get_value_by_nick (klass, nick);

  return value != NULL ? value->value : 0;
}

static gboolean
member_ok (JsonNode *node,
           char      type)
{
  GType value_type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (type)
    {
    case 'a':
      return JSON_NODE_HOLDS_ARRAY (node);
    case 'b':
      return value_type == G_TYPE_BOOLEAN;
    case 'i':
      return value_type == G_TYPE_INT64 && json_node_get_int (node) >= 0;
    case 'n':
      return (value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE) && json_node_get_double (node) >= 0;
    case 's':
      return value_type == G_TYPE_STRING;
    case 'S':
      return value_type == G_TYPE_STRING && nick_ok (SPINDLE_TYPE_WORKER_STATE, json_node_get_string (node));
    case 'R':
      return value_type == G_TYPE_STRING && nick_ok (SPINDLE_TYPE_STOP_REASON, json_node_get_string (node));
    case 'E':
      return value_type == G_TYPE_STRING && nick_ok (SPINDLE_TYPE_ESCALATION, json_node_get_string (node));
    case 'O':
      return value_type == G_TYPE_STRING && nick_ok (SPINDLE_TYPE_CLEANUP_OUTCOME, json_node_get_string (node));
    default:
      return FALSE;
    }
}

static gboolean
members_ok (JsonObject  *object,
            EventKind    kind,
            guint        line,
            GError     **error)
{
  g_auto(GStrv) specs = g_strsplit (kinds[kind].members, " ", -1);

  for (guint i = 0; specs[i] != NULL; i++)
    {
      const char *spec = specs[i];
      gboolean optional = spec[0] == '?';
      g_autofree char *name = NULL;
      const char *colon;
      JsonNode *node;

      if (*spec == '\0')
        continue;
      spec += optional;
      colon = strchr (spec, ':');
      name = g_strndup (spec, colon - spec);
      node = json_object_get_member (object, name);
      if (node == NULL && optional)
        continue;
      if (node == NULL)
        return fail (error, line, _("a “%s” record lacks “%s”"), kinds[kind].name, name);
      if (!member_ok (node, colon[1]))
        return fail (error, line, _("“%s” of a “%s” record is not valid"), name, kinds[kind].name);
    }
  return TRUE;
}

/* The steps of a cleanup-finished record and the frames of a stack. */
static gboolean
arrays_ok (JsonObject  *object,
           EventKind    kind,
           guint        line,
           GError     **error)
{
  JsonArray *array;

  if (kind == EV_STACK)
    {
      array = json_object_get_array_member (object, "frames");
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!member_ok (json_array_get_element (array, i), 's'))
          return fail (error, line, _("a frame of a stack is not a string"));
    }
  if (kind == EV_CLEANUP_FINISHED)
    {
      array = json_object_get_array_member (object, "steps");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *step = json_array_get_element (array, i);
          JsonObject *step_object = JSON_NODE_HOLDS_OBJECT (step) ? json_node_get_object (step) : NULL;

          if (step_object == NULL ||
              !json_object_has_member (step_object, "label") || !member_ok (json_object_get_member (step_object, "label"), 's') ||
              !json_object_has_member (step_object, "outcome") || !member_ok (json_object_get_member (step_object, "outcome"), 'O') ||
              !json_object_has_member (step_object, "usec") || !member_ok (json_object_get_member (step_object, "usec"), 'i'))
            return fail (error, line, _("a step of a cleanup report is not valid"));
        }
    }
  return TRUE;
}

static JsonObject *
parse_line (JsonParser  *parser,
            const char  *text,
            gsize        length,
            guint        line,
            GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;

  if (length > MAX_LINE_BYTES)
    return fail (error, line, _("longer than %u bytes"), MAX_LINE_BYTES), NULL;
  if (!g_utf8_validate_len (text, length, NULL))
    return fail (error, line, _("not UTF-8 text")), NULL;
  if (!nesting_ok (text, length))
    return fail (error, line, _("nested deeper than a recording ever is")), NULL;
  if (!json_parser_load_from_data (parser, text, length, &parse_error))
    return fail (error, line, _("not JSON: %s"), parse_error->message), NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return fail (error, line, _("not a JSON object")), NULL;
  return json_object_ref (json_node_get_object (root));
}

/* A member that is a string, or NULL: a damaged file may hold any JSON
 * type where a string belongs, and json-glib's getters are criticals then. */
static const char *
string_value (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && member_ok (node, 's') ? json_node_get_string (node) : NULL;
}

/* A member that is a number of at least 0, or @fallback when it is absent
 * or something else. */
static gint64
count_value (JsonObject *object,
             const char *name,
             gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && member_ok (node, 'i') ? json_node_get_int (node) : fallback;
}

static gboolean
read_header (SpindleRecording  *self,
             JsonObject        *header,
             GError           **error)
{
  gint64 version = count_value (header, "version", 0);
  const char *program;
  gint64 pid;

  if (g_strcmp0 (string_value (header, "format"), "spindle-recording") != 0)
    {
      g_set_error (error, SPINDLE_RECORDING_ERROR, SPINDLE_RECORDING_ERROR_NOT_RECORDING,
                   _("This file is not a Spindle recording"));
      return FALSE;
    }
  if (version != 1)
    {
      g_set_error (error, SPINDLE_RECORDING_ERROR, SPINDLE_RECORDING_ERROR_VERSION,
                   _("This recording was made by a newer version of Spindle (format version %lld)"),
                   (long long) version);
      return FALSE;
    }
  program = json_object_has_member (header, "program") ? string_value (header, "program") : "";
  pid = count_value (header, "pid", json_object_has_member (header, "pid") ? -1 : 0);
  if (program == NULL)
    return fail (error, 1, _("the header’s “%s” is not valid"), "program");
  if (pid < 0)
    return fail (error, 1, _("the header’s “%s” is not valid"), "pid");

  self->program = g_strdup (program);
  self->pid = (int) MIN (pid, G_MAXINT);
  return TRUE;
}

static EventKind
kind_from_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i].name, name) == 0)
      return i;
  return G_N_ELEMENTS (kinds);
}

typedef struct
{
  gint64      last_t;
  GHashTable *spawned;   /* worker ids */
  gboolean    ended;
} Reading;

static gboolean
read_record (SpindleRecording  *self,
             Reading           *reading,
             JsonObject        *object,
             guint              line,
             GError           **error)
{
  JsonNode *t = json_object_get_member (object, "t");
  JsonNode *w = json_object_get_member (object, "w");
  const char *name = string_value (object, "ev");
  EventKind kind = kind_from_name (name);
  Record record = { 0 };

  if (reading->ended)
    return fail (error, line, _("a record after the end"));
  if (t == NULL || !member_ok (t, 'i'))
    return fail (error, line, _("no valid time"));
  if (kind == G_N_ELEMENTS (kinds))
    return fail (error, line, _("an unknown kind of record"));
  record.t = json_node_get_int (t);
  if (record.t < reading->last_t)
    return fail (error, line, _("its time is before the previous record’s"));
  if (kinds[kind].has_worker && (w == NULL || !member_ok (w, 'i') || json_node_get_int (w) == 0))
    return fail (error, line, _("no valid worker id"));
  if (!members_ok (object, kind, line, error) || !arrays_ok (object, kind, line, error))
    return FALSE;

  if (kinds[kind].has_worker)
    {
      record.worker = (guint64) json_node_get_int (w);
      if (kind == EV_SPAWN && g_hash_table_contains (reading->spawned, &record.worker))
        return fail (error, line, _("worker %llu is spawned twice"), (unsigned long long) record.worker);
      if (kind != EV_SPAWN && !g_hash_table_contains (reading->spawned, &record.worker))
        return fail (error, line, _("worker %llu was never spawned"), (unsigned long long) record.worker);
      if (kind == EV_SPAWN)
        {
          gint64 parent = json_object_get_int_member_with_default (object, "parent", 0);

          if (parent != 0 && !g_hash_table_contains (reading->spawned, &parent))
            return fail (error, line, _("the parent of worker %llu was never spawned"), (unsigned long long) record.worker);
          g_hash_table_add (reading->spawned, g_memdup2 (&record.worker, sizeof record.worker));
        }
    }

  reading->last_t = record.t;
  reading->ended = kind == EV_END || kind == EV_TRUNCATED;
  self->truncated |= kind == EV_TRUNCATED;
  self->complete |= kind == EV_END || kind == EV_TRUNCATED;
  record.kind = kind;
  record.object = json_object_ref (object);
  g_array_append_val (self->records, record);
  return TRUE;
}

static gboolean
read_lines (SpindleRecording  *self,
            const char        *data,
            gsize              size,
            GError           **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GHashTable) spawned = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  Reading reading = { 0, spawned, FALSE };
  const char *end = data + size;
  guint line = 0;

  for (const char *start = data; start < end; line++)
    {
      const char *newline = memchr (start, '\n', end - start);
      gsize length = (newline != NULL ? newline : end) - start;
      g_autoptr(JsonObject) object = NULL;
      g_autoptr(GError) line_error = NULL;

      object = parse_line (parser, start, length, line + 1, &line_error);
      /* A last line cut short ends a recording that was not closed. */
      if (object == NULL && newline == NULL && line > 0)
        break;
      if (object == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&line_error));
          return FALSE;
        }
      if (line == 0 ? !read_header (self, object, error) : !read_record (self, &reading, object, line + 1, error))
        return FALSE;
      start = newline != NULL ? newline + 1 : end;
    }

  if (line == 0)
    {
      g_set_error (error, SPINDLE_RECORDING_ERROR, SPINDLE_RECORDING_ERROR_NOT_RECORDING,
                   _("This file is empty: it is not a Spindle recording"));
      return FALSE;
    }
  return TRUE;
}

/**
 * spindle_recording_load_bytes:
 * @bytes: a recording's contents
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the recording, or %NULL with an
 *   error that names what is wrong and where
 */
SpindleRecording *
spindle_recording_load_bytes (GBytes  *bytes,
                              GError **error)
{
  g_autoptr(SpindleRecording) self = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size > MAX_FILE_BYTES)
    {
      g_set_error (error, SPINDLE_RECORDING_ERROR, SPINDLE_RECORDING_ERROR_TOO_LARGE,
                   _("The recording is larger than %u MiB"), MAX_FILE_BYTES / (1024 * 1024));
      return NULL;
    }

  self = g_object_new (SPINDLE_TYPE_RECORDING, NULL);
  if (!read_lines (self, data != NULL ? data : "", size, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * spindle_recording_load_path:
 * @path: a file name or URI
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the recording in the file
 */
SpindleRecording *
spindle_recording_load_path (const char  *path,
                             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, error);
  g_autoptr(GBytes) bytes = NULL;

  if (info == NULL)
    return NULL;
  if (g_file_info_get_size (info) > MAX_FILE_BYTES)
    {
      g_set_error (error, SPINDLE_RECORDING_ERROR, SPINDLE_RECORDING_ERROR_TOO_LARGE,
                   _("The recording is larger than %u MiB"), MAX_FILE_BYTES / (1024 * 1024));
      return NULL;
    }
  bytes = g_file_load_bytes (file, NULL, NULL, error);
  return bytes != NULL ? spindle_recording_load_bytes (bytes, error) : NULL;
}

/* Reading back ****************************************************************/

const GArray *
_spindle_recording_get_records (SpindleRecording *self)
{
  return self->records;
}

const char *
_spindle_recording_kind_name (EventKind kind)
{
  return kind < G_N_ELEMENTS (kinds) ? kinds[kind].name : "unknown";
}

gint64
spindle_recording_get_duration (SpindleRecording *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDING (self), 0);

  return self->records->len > 0 ? g_array_index (self->records, Record, self->records->len - 1).t : 0;
}

guint
spindle_recording_get_n_records (SpindleRecording *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDING (self), 0);

  return self->records->len;
}

gboolean
spindle_recording_get_truncated (SpindleRecording *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDING (self), FALSE);

  return self->truncated;
}

/* FALSE when the recording stops without its "end" record: Spindle ended
 * while recording.
 */
gboolean
spindle_recording_get_complete (SpindleRecording *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDING (self), FALSE);

  return self->complete;
}

const char *
spindle_recording_get_program (SpindleRecording *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDING (self), NULL);

  return self->program;
}

int
spindle_recording_get_pid (SpindleRecording *self)
{
  g_return_val_if_fail (SPINDLE_IS_RECORDING (self), 0);

  return self->pid;
}

void
spindle_recorded_worker_free (SpindleRecordedWorker *worker)
{
  g_free (worker->name);
  g_free (worker->kind);
  g_free (worker->phase);
  g_free (worker->kernel_state);
  g_free (worker->wait_channel);
  g_free (worker->last_event);
  g_free (worker);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  return json_object_get_string_member_with_default (object, name, NULL);
}

static void
replace (char       **field,
         const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* One record applied to the worker it speaks of. */
static void
apply (SpindleRecordedWorker *worker,
       const Record          *record)
{
  JsonObject *object = record->object;

  worker->n_events++;
  switch (record->kind)
    {
    case EV_STATE:
      worker->state = nick_value (SPINDLE_TYPE_WORKER_STATE, string_member (object, "state"));
      worker->state_since = record->t;
      worker->tid = (int) MIN (json_object_get_int_member_with_default (object, "tid", worker->tid), G_MAXINT);
      break;
    case EV_PHASE:
      replace (&worker->phase, string_member (object, "phase"));
      break;
    case EV_UNRESPONSIVE:
      worker->unresponsive = json_object_get_boolean_member (object, "value");
      break;
    case EV_SAMPLE:
      worker->cpu_percent = json_object_get_double_member (object, "cpu");
      replace (&worker->kernel_state, string_member (object, "kernel"));
      replace (&worker->wait_channel, string_member (object, "wchan"));
      break;
    case EV_CLEANUP_STEP:
      worker->n_cleanup_steps++;
      break;
    default:
      break;
    }

  /* the last request, in the words of the worker's story */
  if (record->kind == EV_STOP_REQUESTED || record->kind == EV_CANCEL_REQUESTED || record->kind == EV_ESCALATED)
    {
      g_free (worker->last_event);
      worker->last_event = _spindle_recording_describe (record);
    }
}

/**
 * spindle_recording_get_workers_at:
 * @self: a recording
 * @t: µs from the recording's start
 *
 * Returns: (transfer full) (element-type SpindleRecordedWorker): the
 *   workers spawned by @t, in the order they were spawned, each as the
 *   recording has it at @t
 */
GPtrArray *
spindle_recording_get_workers_at (SpindleRecording *self,
                                  gint64            t)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  GPtrArray *workers = g_ptr_array_new_with_free_func ((GDestroyNotify) spindle_recorded_worker_free);

  g_return_val_if_fail (SPINDLE_IS_RECORDING (self), workers);

  for (guint i = 0; i < self->records->len; i++)
    {
      const Record *record = &g_array_index (self->records, Record, i);
      SpindleRecordedWorker *worker;

      if (record->t > t)
        break;
      if (record->kind == EV_SPAWN)
        {
          worker = g_new0 (SpindleRecordedWorker, 1);
          worker->id = record->worker;
          worker->parent = (guint64) json_object_get_int_member_with_default (record->object, "parent", 0);
          worker->name = g_strdup (string_member (record->object, "name"));
          worker->kind = g_strdup (string_member (record->object, "kind"));
          worker->tid = (int) MIN (json_object_get_int_member_with_default (record->object, "tid", 0), G_MAXINT);
          worker->spawned_at = worker->state_since = record->t;
          g_ptr_array_add (workers, worker);
          g_hash_table_insert (by_id, &worker->id, worker);
          continue;
        }
      worker = g_hash_table_lookup (by_id, &record->worker);
      if (worker != NULL)
        apply (worker, record);
    }
  return workers;
}
