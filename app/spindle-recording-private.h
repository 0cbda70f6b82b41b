/* spindle-recording-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "spindle-recording.h"

G_BEGIN_DECLS

/* The kinds of record (see spindle-recording.c for the format). */
typedef enum
{
  EV_SPAWN,
  EV_STATE,
  EV_PHASE,
  EV_UNRESPONSIVE,
  EV_SAMPLE,
  EV_STOP_REQUESTED,
  EV_CANCEL_REQUESTED,
  EV_ESCALATED,
  EV_CLEANUP_STEP,
  EV_CLEANUP_FINISHED,
  EV_STACK,
  EV_DIAGNOSIS,
  EV_TRUNCATED,
  EV_END,
} EventKind;

/* One checked record. */
typedef struct
{
  gint64      t;
  guint64     worker;   /* 0 for the end and truncated records */
  EventKind   kind;
  JsonObject *object;
} Record;

const GArray *_spindle_recording_get_records (SpindleRecording *self);
const char   *_spindle_recording_kind_name   (EventKind         kind);
char         *_spindle_recording_describe    (const Record     *record);

G_END_DECLS
