/* spindle-application-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle-application.h"
#include "spindle-recorder.h"
#include "spindle-recording.h"

G_BEGIN_DECLS

/* Shared by spindle-application.c (life cycle, settings, actions, signals,
 * the first window) and -command-line.c (the options and operands, checked
 * before anything registers or opens a window).
 */

struct _SpindleApplication
{
  GtkApplication    parent_instance;

  SpindleWorkerSet *set;
  GSettings        *settings;

  /* from the command line, used by the first activation */
  GArray           *requests;      /* of SpindleWorkerRequest */
  guint             refresh_ms;
  gboolean          demo;
  char            **run_argv;      /* --run's command, or NULL */
  char             *record_path;   /* --record's file, or NULL */
  SpindleRecording *replay;        /* the recording given as an operand */
  char             *replay_name;
  char             *export_path;   /* --export-trace's file, or NULL */
  SpindleRecorder  *recorder;
  char             *attach_target; /* --attach's PID, or NULL */
  SpindleWorkerSet *attached;      /* its workers, attached before the first window */

  /* SIGTERM and SIGINT shut the set down and quit, with no dialog */
  guint             sigterm_id;
  guint             sigint_id;
  gboolean          signalled;

  gpointer          heap_fence;    /* see spindle_early_start_reserve_heap () */
};

/* spindle-application-command-line.c */
gboolean _spindle_application_handle_command_line (SpindleApplication   *self,
                                                  char               ***arguments,
                                                  int                 *exit_status);

G_END_DECLS
