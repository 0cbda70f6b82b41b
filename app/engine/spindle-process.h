/* spindle-process.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

#include <gio/gio.h>

#include "spindle-types.h"
#include "spindle-worker.h"
#include "spindle-worker-set.h"

#include "spindle-version-macros.h"

G_BEGIN_DECLS

/**
 * SpindleCommandOptions:
 * @cwd: (nullable): the directory to run in; %NULL: the host's
 * @envp: (nullable) (array zero-terminated=1): the environment; %NULL: the
 *   host's
 * @stop_signal: sent to the group on a stop; 0: SIGTERM
 * @output_limit: bytes kept of stdout and of stderr; 0: 64 KiB
 * @leftover_grace_usec: after the command ended, before its leftovers get
 *   SIGKILL; 0: 1 s
 * @stdin_data: (nullable): written to the command's stdin, which then
 *   ends (unless @stop_closes_stdin keeps it open); %NULL: no input
 * @stop_closes_stdin: a stop closes the command's stdin (it reads the end
 *   of its input) instead of sending @stop_signal; the stdin is a pipe
 *   held open until then
 *
 * How to run a command worker's program. Zero means the default for every
 * field; the struct and its strings are copied. Without @stdin_data and
 * @stop_closes_stdin, the command's stdin is `/dev/null`.
 */
typedef struct
{
  const char         *cwd;                 /* NULL: the host's */
  const char * const *envp;                /* NULL: the host's environment */
  int                 stop_signal;         /* sent to the group on a stop; 0: SIGTERM */
  gsize               output_limit;        /* bytes kept of stdout and of stderr; 0: 64 KiB */
  gint64              leftover_grace_usec; /* after the command ended, before its leftovers get SIGKILL; 0: 1 s */
  GBytes             *stdin_data;          /* NULL: no input */
  gboolean            stop_closes_stdin;   /* a stop closes stdin instead of signalling */
} SpindleCommandOptions;

#define SPINDLE_TYPE_COMMAND_OPTIONS (spindle_command_options_get_type ())

SPINDLE_AVAILABLE_IN_ALL
GType                  spindle_command_options_get_type (void) G_GNUC_CONST;
SPINDLE_AVAILABLE_IN_ALL
SpindleCommandOptions *spindle_command_options_new      (void);
SPINDLE_AVAILABLE_IN_ALL
SpindleCommandOptions *spindle_command_options_copy     (const SpindleCommandOptions *options);
SPINDLE_AVAILABLE_IN_ALL
void                   spindle_command_options_free     (SpindleCommandOptions       *options);
SPINDLE_AVAILABLE_IN_ALL
void                   spindle_command_options_set_cwd  (SpindleCommandOptions       *options,
                                                         const char                  *cwd);
SPINDLE_AVAILABLE_IN_ALL
void                   spindle_command_options_set_envp (SpindleCommandOptions       *options,
                                                         const char * const          *envp);
SPINDLE_AVAILABLE_IN_ALL
void                   spindle_command_options_set_stdin_data (SpindleCommandOptions *options,
                                                               GBytes                *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleCommandOptions, spindle_command_options_free)

/**
 * SPINDLE_REAPER_ENV:
 *
 * The environment variable that names the reaper helper, for tests and
 * the build tree; the installed one is used without it.
 */
#define SPINDLE_REAPER_ENV "SPINDLE_REAPER"

SPINDLE_AVAILABLE_IN_ALL
SpindleWorker *spindle_worker_set_spawn_command (SpindleWorkerSet            *set,
                                                 const SpindleSpawnOptions   *options,
                                                 const char * const          *argv,
                                                 const SpindleCommandOptions *command_options,
                                                 GError                     **error);
SPINDLE_AVAILABLE_IN_ALL
SpindleWorker *spindle_worker_set_spawn_command_full (SpindleWorkerSet            *set,
                                                      const SpindleSpawnOptions   *options,
                                                      const char                  *name,
                                                      const char * const          *argv,
                                                      const SpindleCommandOptions *command_options,
                                                      GError                     **error);
SPINDLE_AVAILABLE_IN_ALL
GVariant      *spindle_job_run_command          (SpindleJob                  *job,
                                                 const char * const          *argv,
                                                 const SpindleCommandOptions *command_options,
                                                 GError                     **error);

/**
 * SpindleFunction:
 * @args: (array zero-terminated=1): the arguments given to
 *   spindle_worker_set_spawn_function()
 * @user_data: what spindle_function_register() was given
 *
 * A function run by a function worker, in a fresh process of the program
 * (it executes itself again).
 *
 * Returns: the process's exit status
 */
typedef int (*SpindleFunction) (const char * const *args,
                                gpointer            user_data);

SPINDLE_AVAILABLE_IN_ALL
void           spindle_function_register         (const char                  *name,
                                                  SpindleFunction              func,
                                                  gpointer                     user_data);
SPINDLE_AVAILABLE_IN_ALL
gboolean       spindle_function_run_requested    (int                          argc,
                                                  char                       **argv,
                                                  int                         *exit_status);
SPINDLE_AVAILABLE_IN_ALL
SpindleWorker *spindle_worker_set_spawn_function (SpindleWorkerSet            *set,
                                                  const SpindleSpawnOptions   *options,
                                                  const char                  *function,
                                                  const char * const          *args,
                                                  const SpindleCommandOptions *command_options,
                                                  GError                     **error);

/* The processes of a command worker, read on the main context. */
#define SPINDLE_TYPE_PROCESS_INFO (spindle_process_info_get_type ())

SPINDLE_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpindleProcessInfo, spindle_process_info, SPINDLE, PROCESS_INFO, GObject)

SPINDLE_AVAILABLE_IN_ALL
SpindleProcessInfo *spindle_process_info_get_for_worker (SpindleWorker      *worker);
SPINDLE_AVAILABLE_IN_ALL
void                spindle_process_info_update         (SpindleProcessInfo *info);
SPINDLE_AVAILABLE_IN_ALL
int                 spindle_process_info_get_pid        (SpindleProcessInfo *info);
SPINDLE_AVAILABLE_IN_ALL
gint64              spindle_process_info_get_cpu_time   (SpindleProcessInfo *info);
SPINDLE_AVAILABLE_IN_ALL
guint64             spindle_process_info_get_memory     (SpindleProcessInfo *info);
SPINDLE_AVAILABLE_IN_ALL
const char * const *spindle_process_info_get_tree       (SpindleProcessInfo *info);

G_END_DECLS
