/* spindle-recording.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <spindle.h>

G_BEGIN_DECLS

#define SPINDLE_RECORDING_ERROR (spindle_recording_error_quark ())

typedef enum
{
  SPINDLE_RECORDING_ERROR_TOO_LARGE,   /* past the reader's bounds */
  SPINDLE_RECORDING_ERROR_NOT_RECORDING, /* no recording header */
  SPINDLE_RECORDING_ERROR_VERSION,     /* a version this reader does not know */
  SPINDLE_RECORDING_ERROR_INVALID,     /* a record that breaks the format */
} SpindleRecordingError;

GQuark spindle_recording_error_quark (void);

/* One worker as the recording has it at one moment. */
typedef struct
{
  guint64             id;
  guint64             parent;        /* 0: none */
  char               *name;
  char               *kind;
  int                 tid;
  SpindleWorkerState  state;
  gint64              spawned_at;    /* µs from the recording's start */
  gint64              state_since;
  char               *phase;
  gboolean            unresponsive;
  double              cpu_percent;
  char               *kernel_state;
  char               *wait_channel;
  guint               n_cleanup_steps;
  guint               n_events;      /* of this worker, up to the moment */
  char               *last_event;    /* a sentence: "stop requested (user)" */
} SpindleRecordedWorker;

#define SPINDLE_TYPE_RECORDING (spindle_recording_get_type ())

G_DECLARE_FINAL_TYPE (SpindleRecording, spindle_recording, SPINDLE, RECORDING, GObject)

SpindleRecording *spindle_recording_load_bytes        (GBytes            *bytes,
                                                       GError           **error);
SpindleRecording *spindle_recording_load_path         (const char        *path,
                                                       GError           **error);
gint64            spindle_recording_get_duration      (SpindleRecording  *self);
guint             spindle_recording_get_n_records     (SpindleRecording  *self);
gboolean          spindle_recording_get_truncated     (SpindleRecording  *self);
gboolean          spindle_recording_get_complete      (SpindleRecording  *self);
const char       *spindle_recording_get_program       (SpindleRecording  *self);
int               spindle_recording_get_pid           (SpindleRecording  *self);
GPtrArray        *spindle_recording_get_workers_at    (SpindleRecording  *self,
                                                       gint64             t);
gboolean          spindle_recording_write_chrome_trace (SpindleRecording *self,
                                                        GOutputStream    *stream,
                                                        GError          **error);
gboolean          spindle_recording_save_chrome_trace  (SpindleRecording *self,
                                                        GFile            *file,
                                                        GError          **error);

/* A worker's state from a moment on. */
typedef struct
{
  gint64             t;
  SpindleWorkerState state;
} SpindleStateChange;

GArray           *spindle_recording_get_state_changes (SpindleRecording *self,
                                                        guint64           worker);
char             *spindle_recording_describe_worker   (SpindleRecording *self,
                                                        guint64           worker,
                                                        gint64            t);

void              spindle_recorded_worker_free        (SpindleRecordedWorker *worker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleRecordedWorker, spindle_recorded_worker_free)

G_END_DECLS
