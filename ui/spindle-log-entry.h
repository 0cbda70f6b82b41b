/* spindle-log-entry.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What a line of a worker's event log tells of. */
typedef enum
{
  SPINDLE_LOG_KIND_LIFE,        /* added, thread started, state changes */
  SPINDLE_LOG_KIND_REQUEST,     /* a stop or force-cancel someone asked for */
  SPINDLE_LOG_KIND_ESCALATION,  /* an automatic step: a deadline or a grace ran out */
  SPINDLE_LOG_KIND_CLEANUP,     /* the cleanup and its steps */
  SPINDLE_LOG_KIND_WAIT,        /* what the body waits for */
} SpindleLogKind;

#define SPINDLE_TYPE_LOG_KIND (spindle_log_kind_get_type ())
#define SPINDLE_TYPE_LOG_ENTRY (spindle_log_entry_get_type ())

GType spindle_log_kind_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (SpindleLogEntry, spindle_log_entry, SPINDLE, LOG_ENTRY, GObject)

/* One line of the event log: when (wall clock and since the worker's
 * start), what kind of event, and its text. Immutable.
 */
SpindleLogEntry *spindle_log_entry_new        (GDateTime       *time,
                                               gint64           since_start_usec,
                                               SpindleLogKind   kind,
                                               const char      *text);
GDateTime       *spindle_log_entry_get_time   (SpindleLogEntry *self);
gint64           spindle_log_entry_get_since  (SpindleLogEntry *self);
SpindleLogKind   spindle_log_entry_get_kind   (SpindleLogEntry *self);
const char      *spindle_log_entry_get_text   (SpindleLogEntry *self);

G_END_DECLS
