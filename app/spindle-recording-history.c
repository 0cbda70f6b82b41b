/* spindle-recording-history.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-recording"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-recording-private.h"

/* One worker's story in a recording: its states over time, for a replay's
 * timeline, and its records up to a moment, as sentences for the side pane.
 */

static int
state_from_nick (const char *nick)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (SPINDLE_TYPE_WORKER_STATE);
  GEnumValue *value = g_enum_get_value_by_nick (klass, nick);

  return value != NULL ? value->value : SPINDLE_WORKER_STATE_STARTING;
}

/**
 * spindle_recording_get_state_changes:
 * @self: a recording
 * @worker: a worker's id
 *
 * Returns: (transfer full) (element-type SpindleStateChange): the states
 *   @worker went through, each from the moment it began; empty for a
 *   worker the recording does not have
 */
GArray *
spindle_recording_get_state_changes (SpindleRecording *self,
                                     guint64           worker)
{
  const GArray *records = _spindle_recording_get_records (self);
  GArray *changes = g_array_new (FALSE, FALSE, sizeof (SpindleStateChange));

  for (guint i = 0; i < records->len; i++)
    {
      const Record *record = &g_array_index (records, Record, i);
      SpindleStateChange change = { record->t, SPINDLE_WORKER_STATE_STARTING };

      if (record->worker != worker || (record->kind != EV_STATE && record->kind != EV_SPAWN))
        continue;
      if (record->kind == EV_STATE)
        change.state = state_from_nick (json_object_get_string_member (record->object, "state"));
      if (changes->len > 0 && g_array_index (changes, SpindleStateChange, changes->len - 1).state == change.state)
        continue;
      g_array_append_val (changes, change);
    }
  return changes;
}

static const char *
string_member (const Record *record,
               const char   *name)
{
  return json_object_get_string_member_with_default (record->object, name, "");
}

/* A record as a sentence; NULL for those the side pane leaves out. */
char *
_spindle_recording_describe (const Record *record)
{
  switch (record->kind)
    {
    case EV_SPAWN:
      /* Translators: a line of a recorded worker's story; %s is its kind */
      return g_strdup_printf (_("spawned (%s)"), string_member (record, "kind"));
    case EV_STATE:
      if (json_object_has_member (record->object, "error"))
        /* Translators: a state reached with an error: "failed: No such file" */
        return g_strdup_printf (_("%s: %s"), string_member (record, "state"), string_member (record, "error"));
      return g_strdup (string_member (record, "state"));
    case EV_PHASE:
      return g_strdup_printf (_("phase: %s"), string_member (record, "phase"));
    case EV_UNRESPONSIVE:
      return json_object_get_boolean_member (record->object, "value") ? g_strdup (_("unresponsive")) : NULL;
    case EV_STOP_REQUESTED:
      /* Translators: %s is why: user, timeout, parent, shutdown */
      return g_strdup_printf (_("stop requested (%s)"), string_member (record, "reason"));
    case EV_CANCEL_REQUESTED:
      return g_strdup_printf (_("force-cancel requested (%s)"), string_member (record, "reason"));
    case EV_ESCALATED:
      /* Translators: %s is the step reached: stop, force-cancel, unresponsive */
      return g_strdup_printf (_("escalated: %s"), string_member (record, "escalation"));
    case EV_CLEANUP_STEP:
      return g_strdup_printf (_("cleanup step “%s”: %s"), string_member (record, "label"), string_member (record, "outcome"));
    case EV_CLEANUP_FINISHED:
      return g_strdup (_("cleanup finished"));
    case EV_STACK:
      return g_strdup (_("stack captured"));
    case EV_DIAGNOSIS:
      return g_strdup_printf (_("diagnosis: %s"), string_member (record, "summary"));
    case EV_SAMPLE:
    case EV_TRUNCATED:
    case EV_END:
    default:
      return NULL;
    }
}

/**
 * spindle_recording_describe_worker:
 * @self: a recording
 * @worker: a worker's id
 * @t: µs from the recording's start
 *
 * Returns: (transfer full): @worker's records up to @t, one a line, each
 *   with its time ("+1.234 s  stop requested (user)")
 */
char *
spindle_recording_describe_worker (SpindleRecording *self,
                                   guint64           worker,
                                   gint64            t)
{
  const GArray *records = _spindle_recording_get_records (self);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      const Record *record = &g_array_index (records, Record, i);
      g_autofree char *sentence = NULL;

      if (record->t > t)
        break;
      if (record->worker != worker || (sentence = _spindle_recording_describe (record)) == NULL)
        continue;
      g_string_append_printf (text, "+%.3f s  %s\n", record->t / (double) G_USEC_PER_SEC, sentence);
    }
  return g_string_free (text, FALSE);
}
