/* spindle-recorder.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <spindle.h>

G_BEGIN_DECLS

/* A recording is bounded: past this size the recorder writes a
 * "truncated" record and stops.
 */
#define SPINDLE_RECORDER_DEFAULT_MAX_BYTES (64 * 1024 * 1024)

#define SPINDLE_TYPE_RECORDER (spindle_recorder_get_type ())

G_DECLARE_FINAL_TYPE (SpindleRecorder, spindle_recorder, SPINDLE, RECORDER, GObject)

SpindleRecorder *spindle_recorder_new               (SpindleWorkerSet  *set,
                                                     GOutputStream     *stream,
                                                     gsize              max_bytes);
SpindleRecorder *spindle_recorder_new_for_path      (SpindleWorkerSet  *set,
                                                     const char        *path,
                                                     gsize              max_bytes,
                                                     GError           **error);
void             spindle_recorder_add_stack         (SpindleRecorder   *self,
                                                     SpindleWorker     *worker,
                                                     SpindleStack      *stack);
void             spindle_recorder_add_diagnosis     (SpindleRecorder   *self,
                                                     SpindleWorker     *worker,
                                                     const char        *summary);
gboolean         spindle_recorder_close             (SpindleRecorder   *self,
                                                     GError           **error);
gsize            spindle_recorder_get_bytes_written (SpindleRecorder   *self);
gboolean         spindle_recorder_get_truncated     (SpindleRecorder   *self);
gint64           spindle_recorder_get_started_at    (SpindleRecorder   *self);

G_END_DECLS
