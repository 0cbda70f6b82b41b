/* spindle-log-row.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle-log-entry.h"

G_BEGIN_DECLS

#define SPINDLE_TYPE_LOG_ROW (spindle_log_row_get_type ())

G_DECLARE_FINAL_TYPE (SpindleLogRow, spindle_log_row, SPINDLE, LOG_ROW, GtkWidget)

/* A line of the event log, bound in its template to the entry. */
GtkWidget       *spindle_log_row_new       (SpindleLogEntry *entry);
SpindleLogEntry *spindle_log_row_get_entry (SpindleLogRow   *self);

G_END_DECLS
