/* spindle-test-util.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/types.h>

#include "spindle.h"

G_BEGIN_DECLS

/* Every wait in the tests is bounded by a guard this generous, so that a
 * loaded two-core machine or a sanitizer build never makes a test flaky,
 * while a hang still fails instead of blocking until meson's timeout.
 */
#define SPINDLE_TEST_GUARD_MS 30000

typedef gboolean (*SpindleTestCondFunc) (gpointer data);

void         spindle_test_init               (int                  *argc,
                                              char               ***argv);
gboolean     spindle_test_is_main_thread     (void);

SpindleWorkerSet *spindle_test_set_new      (void);
SpindleWorker    *spindle_test_spawn        (SpindleWorkerSet     *set,
                                             const char           *name,
                                             SpindleJobFunc        func,
                                             gpointer              data);
SpindleWorker    *spindle_test_spawn_full   (SpindleWorkerSet     *set,
                                             const char           *name,
                                             SpindleJobFunc        func,
                                             gpointer              data,
                                             GDestroyNotify        destroy);

void         spindle_test_wait_until_full    (SpindleTestCondFunc   cond,
                                              gpointer              data,
                                              guint                 timeout_ms,
                                              const char           *what);
#define spindle_test_wait_until(cond, data, timeout_ms) \
  spindle_test_wait_until_full ((cond), (data), (timeout_ms), G_STRLOC ": " #cond)

gboolean     spindle_test_poll_until         (SpindleTestCondFunc   cond,
                                              gpointer              data,
                                              guint                 timeout_ms);
void         spindle_test_wait_terminal      (SpindleWorker        *worker);
void         spindle_test_wait_state         (SpindleWorker        *worker,
                                              SpindleWorkerState    state);
void         spindle_test_wait_flag          (gint                 *flag);
void         spindle_test_wait_count         (gint                 *counter,
                                              gint                  at_least);
void         spindle_test_wait_no_live       (SpindleWorkerSet     *set,
                                              guint                 timeout_ms);
void         spindle_test_wait_blocked       (pid_t                 tid,
                                              const char           *wchan);
void         spindle_test_wait_thread_gone   (pid_t                 tid);
guint        spindle_test_count_threads      (void);
guint        spindle_test_count_fds          (void);
guint        spindle_test_count_partial_files (void);
char         spindle_test_process_state      (pid_t                 pid);
GArray      *spindle_test_marked_pids        (const char           *mark);
guint        spindle_test_count_marked       (const char           *mark);
guint        spindle_test_count_children     (void);
pid_t        spindle_test_process_session    (pid_t                 pid);
gboolean     spindle_test_skip_without_reaper (const char          *path);
gboolean     spindle_test_is_sleep           (pid_t                 pid);
SpindleWorker *spindle_test_find_process_row (SpindleWorker        *worker,
                                              pid_t                 pid);
gboolean     spindle_test_has_process_rows   (gpointer              data);

typedef struct
{
  char  *dir;
  char  *path;
  guint  wanted;
} SpindleTestPidFile;

void         spindle_test_pid_file_init      (SpindleTestPidFile   *file,
                                              guint                 wanted);
void         spindle_test_pid_file_clear     (SpindleTestPidFile   *file);
char       **spindle_test_pid_file_read      (SpindleTestPidFile   *file);
gboolean     spindle_test_pid_file_full      (gpointer              data);
char       **spindle_test_sh_argv            (const char           *script,
                                              const char           *mark);
SpindleWorker *spindle_test_spawn_command    (SpindleWorkerSet     *set,
                                              char                **argv,
                                              const SpindleCommandOptions *options);
gboolean     spindle_test_report_has_step    (SpindleWorker        *worker,
                                              const char           *needle,
                                              SpindleCleanupOutcome outcome);
void         spindle_test_assert_report_has  (SpindleWorker        *worker,
                                              const char           *needle);
void         spindle_test_run_clock          (SpindleWorkerSet     *set,
                                              guint                 ticks);

char         spindle_test_kernel_state       (pid_t                 tid);
char        *spindle_test_read_task_file     (pid_t                 tid,
                                              const char           *name);

const char  *spindle_test_state_name         (SpindleWorkerState    state);
const char  *spindle_test_reason_name        (SpindleStopReason     reason);
const char  *spindle_test_outcome_name       (SpindleCleanupOutcome outcome);

void         spindle_test_pipe               (int                   fds[2]);
void         spindle_test_pipe_poke          (int                   fd);
void         spindle_test_close_pipe         (int                   fds[2]);

/* A body blocked in a raw read() of a pipe: a stop request cannot wake it,
 * a force-cancel can, a byte written to fds[1] ends it.
 */
typedef struct
{
  int   fds[2];
  gint  reached;
  gint  returned;  /* 0: not returned, 1: read a byte, 2: read nothing */
  pid_t tid;
} SpindleTestReader;

void         spindle_test_reader_init        (SpindleTestReader    *reader);
void         spindle_test_reader_clear       (SpindleTestReader    *reader);
GVariant    *spindle_test_reader_body        (SpindleJob           *job,
                                              gpointer              data,
                                              GError              **error);
void         spindle_test_reader_wait_blocked (SpindleTestReader   *reader);

/* Bodies that end at once: with the gint that @data points to as an
 * int32 result, or with G_IO_ERROR_PERMISSION_DENIED "no access here".
 */
GVariant    *spindle_test_int_body           (SpindleJob           *job,
                                              gpointer              data,
                                              GError              **error);
GVariant    *spindle_test_error_body         (SpindleJob           *job,
                                              gpointer              data,
                                              GError              **error);

/* A body asleep in one long engine wait, which a stop request ends. */
typedef struct
{
  gint  reached;
  gint  sleep_result;  /* 0: not returned, 1: slept it all, 2: woken by a stop */
  gint  destroyed;
  pid_t tid;
  pid_t job_tid;
} SpindleTestSleeper;

GVariant    *spindle_test_sleeper_body       (SpindleJob           *job,
                                              gpointer              data,
                                              GError              **error);
void         spindle_test_sleeper_destroy    (gpointer              data);
/* A parent that spawns one sleeper child (@data, a SpindleTestSleeper,
 * destroyed with spindle_test_sleeper_destroy()) and sleeps 60 s.
 */
GVariant    *spindle_test_parent_of_sleeper_body (SpindleJob       *job,
                                                  gpointer          data,
                                                  GError          **error);
/* The live workers of @workers and of their children, at every depth. */
guint        spindle_test_count_listed_live  (GListModel           *workers);

/* What most tests set up: a set without auto-escalation, a reader and a
 * sleeper for its workers, and a recorder for the one worker under test.
 * Use with g_test_add() through spindle_test_add().
 */
typedef struct _SpindleTestRecorder SpindleTestRecorder;

typedef struct
{
  SpindleWorkerSet    *set;
  SpindleTestRecorder *rec;
  SpindleTestReader    reader;
  SpindleTestSleeper   sleeper;
} SpindleTestFixture;

typedef void (*SpindleTestFixtureFunc) (SpindleTestFixture *fixture,
                                        gconstpointer       data);

void         spindle_test_fixture_setup      (SpindleTestFixture   *fixture,
                                              gconstpointer         data);
void         spindle_test_fixture_teardown   (SpindleTestFixture   *fixture,
                                              gconstpointer         data);
SpindleWorker *spindle_test_fixture_spawn    (SpindleTestFixture   *fixture,
                                              const char           *name,
                                              SpindleJobFunc        func,
                                              gpointer              data,
                                              GDestroyNotify        destroy);
void         spindle_test_fixture_end_set    (SpindleTestFixture   *fixture);
void         spindle_test_fixture_assert_recorded (SpindleTestFixture *fixture,
                                                   const char         *states,
                                                   const char         *events);

#define spindle_test_add(path, func) \
  g_test_add ((path), SpindleTestFixture, NULL, spindle_test_fixture_setup, \
              (func), spindle_test_fixture_teardown)

/* Records, on the thread that emits them, the signals and state changes of
 * one worker as short strings, and counts emissions off the main thread.
 */
SpindleTestRecorder *spindle_test_recorder_new          (SpindleWorker       *worker);
void                 spindle_test_recorder_free         (SpindleTestRecorder *rec);
char                *spindle_test_recorder_events       (SpindleTestRecorder *rec);
char                *spindle_test_recorder_states       (SpindleTestRecorder *rec);
guint                spindle_test_recorder_n_events     (SpindleTestRecorder *rec);
guint                spindle_test_recorder_n_emissions  (SpindleTestRecorder *rec);
guint                spindle_test_recorder_count        (SpindleTestRecorder *rec,
                                                         const char          *prefix);
guint                spindle_test_recorder_off_thread   (SpindleTestRecorder *rec);
SpindleCleanupReport *spindle_test_recorder_get_report  (SpindleTestRecorder *rec);
gboolean             spindle_test_recorder_has_finished (gpointer             rec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleTestRecorder, spindle_test_recorder_free)

/* A cleanup step that appends its label to a shared log and counts its runs. */
typedef struct _SpindleTestCleanupLog SpindleTestCleanupLog;

SpindleTestCleanupLog *spindle_test_cleanup_log_new     (void);
void                   spindle_test_cleanup_log_free    (SpindleTestCleanupLog *log);
guint                  spindle_test_cleanup_log_push    (SpindleTestCleanupLog *log,
                                                         SpindleJob            *job,
                                                         const char            *label,
                                                         const char            *fail_message);
char                  *spindle_test_cleanup_log_order   (SpindleTestCleanupLog *log);
guint                  spindle_test_cleanup_log_runs    (SpindleTestCleanupLog *log,
                                                         const char            *label);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpindleTestCleanupLog, spindle_test_cleanup_log_free)

void         spindle_test_assert_report      (SpindleCleanupReport *report,
                                              const char           *expected);

G_END_DECLS
