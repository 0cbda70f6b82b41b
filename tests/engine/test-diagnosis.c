/* test-diagnosis.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spindle-catalog.h"
#include "spindle-test-util.h"
#include "spindle-thread-info-private.h"

/* "Why is it still running?" tells the truth on real blocking calls: each
 * body blocks in one, the test waits until /proc shows it there, diagnoses
 * it now, and where the diagnosis says a request reaches it, checks that
 * the request does.
 */

typedef struct
{
  int             fds[2];       /* a pipe whose reader blocks */
  sem_t           semaphore;
  pthread_mutex_t mutex;
  pthread_cond_t  cond;
  GMutex          g_mutex;
  GCond           g_cond;
  gboolean        released;     /* with g_mutex */
  pthread_t       joined;       /* a thread blocked on the pipe, for pthread_join */
  char           *lock_path;
  int             lock_fd;      /* the holder's own open file description */
} Blockers;

static void
blockers_init (Blockers *b)
{
  memset (b, 0, sizeof *b);
  spindle_test_pipe (b->fds);
  sem_init (&b->semaphore, 0, 0);
  pthread_mutex_init (&b->mutex, NULL);
  pthread_cond_init (&b->cond, NULL);
  g_mutex_init (&b->g_mutex);
  g_cond_init (&b->g_cond);
  b->lock_fd = -1;
}

static void
blockers_clear (Blockers *b)
{
  spindle_test_close_pipe (b->fds);
  sem_destroy (&b->semaphore);
  pthread_mutex_destroy (&b->mutex);
  pthread_cond_destroy (&b->cond);
  g_mutex_clear (&b->g_mutex);
  g_cond_clear (&b->g_cond);
  if (b->lock_fd >= 0)
    close (b->lock_fd);
  if (b->lock_path != NULL)
    g_unlink (b->lock_path);
  g_free (b->lock_path);
}

/* Bodies **********************************************************************/

static GVariant *
sem_wait_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;

  sem_wait (&b->semaphore);
  return NULL;
}

static void
unlock_mutex (void *data)
{
  pthread_mutex_unlock (data);
}

static GVariant *
cond_wait_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;

  pthread_mutex_lock (&b->mutex);
  pthread_cleanup_push (unlock_mutex, &b->mutex);
  pthread_cond_wait (&b->cond, &b->mutex);
  pthread_cleanup_pop (1);
  return NULL;
}

static void *
pipe_reader_thread (void *data)
{
  Blockers *b = data;
  char byte;

  if (read (b->fds[0], &byte, 1) < 0)
    return NULL;
  return NULL;
}

static GVariant *
join_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;

  pthread_join (b->joined, NULL);
  return NULL;
}

static GVariant *
g_cond_wait_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;

  g_mutex_lock (&b->g_mutex);
  while (!b->released)
    g_cond_wait (&b->g_cond, &b->g_mutex);
  g_mutex_unlock (&b->g_mutex);
  return NULL;
}

static GVariant *
gio_read_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;
  g_autoptr(GInputStream) stream = g_unix_input_stream_new (b->fds[0], FALSE);
  char byte;

  g_input_stream_read (stream, &byte, 1, spindle_job_get_cancellable (job), error);
  return NULL;
}

static gboolean
unref_stream (gpointer   data,
              GError   **error)
{
  g_object_unref (data);
  return TRUE;
}

/* The job's cancellable is handed out, but this read is not given it. */
static GVariant *
gio_read_other_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;
  GInputStream *stream = g_unix_input_stream_new (b->fds[0], FALSE);
  char byte;

  spindle_job_get_cancellable (job);
  spindle_job_push_cleanup (job, "unref the stream", unref_stream, stream);
  g_input_stream_read (stream, &byte, 1, NULL, NULL);
  return NULL;
}

static GVariant *
raw_ppoll_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;
  struct pollfd pfd = { b->fds[0], POLLIN, 0 };

  ppoll (&pfd, 1, NULL, NULL);
  return NULL;
}

static GVariant *
held_read_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;
  char byte;

  spindle_job_hold_cancel (job);
  if (read (b->fds[0], &byte, 1) < 0)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "read failed");
  spindle_job_release_cancel (job);
  return NULL;
}

static GVariant *
held_sleep_body (SpindleJob *job, gpointer data, GError **error)
{
  spindle_job_hold_cancel (job);
  spindle_job_sleep (job, 60 * G_USEC_PER_SEC);
  spindle_job_release_cancel (job);
  return NULL;
}

static GVariant *
flock_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;
  int fd = open (b->lock_path, O_RDWR | O_CLOEXEC);

  flock (fd, LOCK_EX);
  close (fd);
  return NULL;
}

static GVariant *
ofd_lock_body (SpindleJob *job, gpointer data, GError **error)
{
  Blockers *b = data;
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  int fd = open (b->lock_path, O_RDWR | O_CLOEXEC);

  fcntl (fd, F_OFD_SETLKW, &lock);
  close (fd);
  return NULL;
}

/* Helpers *********************************************************************/

typedef struct
{
  pid_t tid;
  long  nr;
} InCall;

static gboolean
in_call (gpointer data)
{
  InCall *call = data;
  g_autofree char *text = spindle_test_read_task_file (call->tid, "syscall");

  return text != NULL && strtol (text, NULL, 10) == call->nr &&
         spindle_test_kernel_state (call->tid) == 'S';
}

/* Spawns a body and waits until the kernel shows it blocked in call nr. */
static SpindleWorker *
spawn_blocked (SpindleWorkerSet *set,
               SpindleJobFunc    func,
               gpointer          data,
               long              nr)
{
  SpindleWorker *worker = spindle_test_spawn (set, "blocked", func, data);
  InCall call;

  spindle_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  call = (InCall) { spindle_worker_get_tid (worker), nr };
  spindle_test_wait_until (in_call, &call, SPINDLE_TEST_GUARD_MS);

  return worker;
}

static SpindleDiagnosis *
diagnose_blocked (SpindleWorkerSet *set,
                  SpindleJobFunc    func,
                  gpointer          data,
                  long              nr,
                  SpindleWorker   **worker)
{
  *worker = spawn_blocked (set, func, data, nr);
  return spindle_worker_diagnose_now (*worker);
}

static void
assert_cancel_reaches (SpindleWorker *worker)
{
  spindle_worker_force_cancel (worker);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_CANCELLED);
}

static void
assert_stop_reaches (SpindleWorker *worker)
{
  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);
}

/* Futex waits *****************************************************************/

static void
assert_cancellable_futex (SpindleDiagnosis *diagnosis)
{
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_CANCEL);
  g_assert_nonnull (strstr (diagnosis->summary, "futex wait that is a cancellation point"));
}

static void
test_sem_wait (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  SpindleWorker *worker;
  Blockers b;

  blockers_init (&b);
  diagnosis = diagnose_blocked (set, sem_wait_body, &b, SYS_futex, &worker);
  assert_cancellable_futex (diagnosis);
  assert_cancel_reaches (worker);
  blockers_clear (&b);
}

static void
test_cond_wait (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  SpindleWorker *worker;
  Blockers b;

  blockers_init (&b);
  diagnosis = diagnose_blocked (set, cond_wait_body, &b, SYS_futex, &worker);
  assert_cancellable_futex (diagnosis);
  assert_cancel_reaches (worker);
  blockers_clear (&b);
}

static void
test_join (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  SpindleWorker *worker;
  Blockers b;

  blockers_init (&b);
  g_assert_cmpint (pthread_create (&b.joined, NULL, pipe_reader_thread, &b), ==, 0);
  diagnosis = diagnose_blocked (set, join_body, &b, SYS_futex, &worker);
  assert_cancellable_futex (diagnosis);
  assert_cancel_reaches (worker);

  /* a cancelled join leaves its thread joinable */
  spindle_test_pipe_poke (b.fds[1]);
  pthread_join (b.joined, NULL);
  blockers_clear (&b);
}

static void
test_raw_futex (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  g_autoptr(SpindleDiagnosis) sampled = NULL;
  SpindleWorker *worker;
  Blockers b;

  blockers_init (&b);
  diagnosis = diagnose_blocked (set, g_cond_wait_body, &b, SYS_futex, &worker);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_NOTHING);
  g_assert_nonnull (strstr (diagnosis->summary, "raw futex wait"));

  /* a sample alone cannot tell, and says so */
  {
    g_autoptr(SpindleSampler) sampler = spindle_sampler_new (set);

    spindle_sampler_watch (sampler, worker);
    spindle_sampler_tick (sampler);
    sampled = spindle_worker_diagnose (worker);
    g_assert_cmpint (sampled->reach, ==, SPINDLE_REACH_UNKNOWN);
    g_assert_nonnull (strstr (sampled->advice, "diagnose it now"));
  }

  g_mutex_lock (&b.g_mutex);
  b.released = TRUE;
  g_cond_broadcast (&b.g_cond);
  g_mutex_unlock (&b.g_mutex);
  spindle_test_wait_terminal (worker);
  blockers_clear (&b);
}

/* Polls *************************************************************************/

static long
poll_nr (void)
{
#ifdef SYS_poll
  return SYS_poll;
#else
  return SYS_ppoll;
#endif
}

static void
test_gio_with_cancellable (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  SpindleWorker *worker;
  Blockers b;

  blockers_init (&b);
  diagnosis = diagnose_blocked (set, gio_read_body, &b, poll_nr (), &worker);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_STOP);
  g_assert_cmpstr (diagnosis->summary, ==, "in a GIO call given the job's cancellable");
  assert_stop_reaches (worker);
  blockers_clear (&b);
}

static void
test_gio_without_cancellable (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  SpindleWorker *worker;
  Blockers b;

  blockers_init (&b);
  diagnosis = diagnose_blocked (set, gio_read_other_body, &b, poll_nr (), &worker);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_CANCEL);
  g_assert_cmpstr (diagnosis->summary, ==, "waiting in poll outside the engine's waits");
  assert_cancel_reaches (worker);
  blockers_clear (&b);
}

/* ppoll is the engine's call too: only the engine's flag tells them apart. */
static void
test_engine_wait_or_not (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) engine = NULL;
  g_autoptr(SpindleDiagnosis) raw = NULL;
  g_autoptr(GError) error = NULL;
  SpindleWorker *sleeper, *poller;
  Blockers b;

  blockers_init (&b);
  sleeper = spindle_catalog_spawn (set, "sleeper", &error);
  g_assert_no_error (error);
  spindle_test_wait_state (sleeper, SPINDLE_WORKER_STATE_RUNNING);
  spindle_test_wait_until (in_call, (&(InCall) { spindle_worker_get_tid (sleeper), SYS_ppoll }),
                           SPINDLE_TEST_GUARD_MS);
  engine = spindle_worker_diagnose_now (sleeper);
  g_assert_cmpint (engine->reach, ==, SPINDLE_REACH_STOP);
  g_assert_cmpstr (engine->summary, ==, "waiting in an engine wait");

  raw = diagnose_blocked (set, raw_ppoll_body, &b, SYS_ppoll, &poller);
  g_assert_cmpint (raw->reach, ==, SPINDLE_REACH_CANCEL);
  g_assert_cmpstr (raw->summary, ==, "waiting in poll outside the engine's waits");

  assert_stop_reaches (sleeper);
  assert_cancel_reaches (poller);
  blockers_clear (&b);
}

/* Holds *************************************************************************/

static void
test_held_blocking_call (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  SpindleWorker *worker;
  Blockers b;

  blockers_init (&b);
  diagnosis = diagnose_blocked (set, held_read_body, &b, SYS_read, &worker);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_NOTHING);
  g_assert_true (g_str_has_prefix (diagnosis->summary, "cancellation has been held for "));
  g_assert_nonnull (strstr (diagnosis->advice, "spindle_job_release_cancel"));

  spindle_test_pipe_poke (b.fds[1]);
  spindle_test_wait_terminal (worker);
  blockers_clear (&b);
}

static void
test_held_engine_wait (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) diagnosis = NULL;
  SpindleWorker *worker;

  diagnosis = diagnose_blocked (set, held_sleep_body, NULL, SYS_ppoll, &worker);
  g_assert_cmpint (diagnosis->reach, ==, SPINDLE_REACH_STOP);
  g_assert_true (g_str_has_prefix (diagnosis->summary, "cancellation has been held for "));

  assert_stop_reaches (worker);
}

/* File locks ********************************************************************/

static void
hold_file_lock (Blockers *b,
                gboolean  ofd)
{
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  int fd = g_file_open_tmp ("spindle-lock-XXXXXX", &b->lock_path, NULL);

  g_assert_cmpint (fd, >=, 0);
  b->lock_fd = fd;
  if (ofd)
    g_assert_cmpint (fcntl (fd, F_OFD_SETLK, &lock), ==, 0);
  else
    g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);
}

static void
test_file_locks (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) fcntl_diagnosis = NULL;
  g_autoptr(SpindleDiagnosis) flock_diagnosis = NULL;
  SpindleWorker *fcntl_worker, *flock_worker;
  Blockers fcntl_b, flock_b;

  blockers_init (&fcntl_b);
  hold_file_lock (&fcntl_b, TRUE);
  fcntl_diagnosis = diagnose_blocked (set, ofd_lock_body, &fcntl_b, SYS_fcntl, &fcntl_worker);
  g_assert_cmpint (fcntl_diagnosis->reach, ==, SPINDLE_REACH_CANCEL);
  g_assert_nonnull (strstr (fcntl_diagnosis->summary, "fcntl"));
  assert_cancel_reaches (fcntl_worker);

  blockers_init (&flock_b);
  hold_file_lock (&flock_b, FALSE);
  flock_diagnosis = diagnose_blocked (set, flock_body, &flock_b, SYS_flock, &flock_worker);
  g_assert_cmpint (flock_diagnosis->reach, ==, SPINDLE_REACH_NOTHING);
  g_assert_nonnull (strstr (flock_diagnosis->summary, "no cancellation point"));

  close (flock_b.lock_fd);
  flock_b.lock_fd = -1;
  spindle_test_wait_terminal (flock_worker);

  blockers_clear (&fcntl_b);
  blockers_clear (&flock_b);
}

/* Now, without a sampler ***********************************************************/

static void
test_now_without_sampler (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_test_set_new ();
  g_autoptr(SpindleDiagnosis) sampled = NULL;
  g_autoptr(SpindleDiagnosis) now = NULL;
  SpindleWorker *worker = spawn_blocked (set, held_sleep_body, NULL, SYS_ppoll);

  /* what the engine knows is enough here: its own wait */
  sampled = spindle_worker_diagnose (worker);
  g_assert_cmpint (sampled->reach, ==, SPINDLE_REACH_STOP);
  now = spindle_worker_diagnose_now (worker);
  g_assert_cmpint (now->reach, ==, SPINDLE_REACH_STOP);
  /* the worker's sampled properties stay as they were */
  g_assert_null (spindle_worker_get_kernel_state (worker));

  spindle_worker_request_stop (worker);
  spindle_test_wait_terminal (worker);
  g_clear_pointer (&now, spindle_diagnosis_free);
  now = spindle_worker_diagnose_now (worker);
  g_assert_cmpint (now->reach, ==, SPINDLE_REACH_NONE);
  g_assert_cmpstr (now->summary, ==, "it has ended");
}

/* The system call names ****************************************************/

static void
test_syscall_names (void)
{
  static const struct { long nr; const char *name; } calls[] = {
    { SYS_read, "read" }, { SYS_readv, "readv" }, { SYS_pread64, "pread64" }, { SYS_write, "write" },
    { SYS_fcntl, "fcntl" }, { SYS_flock, "flock" }, { SYS_wait4, "wait4" }, { SYS_waitid, "waitid" },
    { SYS_pselect6, "pselect6" }, { SYS_epoll_pwait, "epoll_pwait" }, { SYS_epoll_pwait2, "epoll_pwait2" },
    { SYS_ppoll, "ppoll" }, { SYS_clock_nanosleep, "clock_nanosleep" }, { SYS_nanosleep, "nanosleep" },
    { SYS_accept, "accept" }, { SYS_accept4, "accept4" }, { SYS_recvfrom, "recvfrom" },
    { SYS_recvmsg, "recvmsg" }, { SYS_connect, "connect" }, { SYS_sendto, "sendto" },
    { SYS_futex, "futex" }, { SYS_futex_waitv, "futex_waitv" }, { SYS_msgrcv, "msgrcv" },
    { SYS_semop, "semop" }, { SYS_semtimedop, "semtimedop" },
#ifdef SYS_poll
    { SYS_poll, "poll" }, { SYS_select, "select" }, { SYS_epoll_wait, "epoll_wait" },
#endif
  };

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    g_assert_cmpstr (_spindle_task_syscall_name (calls[i].nr), ==, calls[i].name);
  g_assert_null (_spindle_task_syscall_name (100000));
}

/* The table ***********************************************************************/

static void
test_table (void)
{
  static const struct {
    SpindleDiagnosisInput input;
    SpindleReach          reach;
    const char           *summary;
  } cases[] = {
    { { SPINDLE_WORKER_STATE_STOPPED }, SPINDLE_REACH_NONE, "it has ended" },
    { { SPINDLE_WORKER_STATE_ABANDONED, .kernel_state = 'S', .syscall = "futex" },
      SPINDLE_REACH_NOTHING, "it was abandoned: it never died" },
    { { SPINDLE_WORKER_STATE_CLEANING, .kernel_state = 'S' }, SPINDLE_REACH_NOTHING, "running its cleanup steps" },
    { { SPINDLE_WORKER_STATE_STARTING }, SPINDLE_REACH_CANCEL, "its thread is starting" },
    { { SPINDLE_WORKER_STATE_RUNNING, .in_compute = TRUE, .kernel_state = 'R', .syscall = "running" },
      SPINDLE_REACH_CANCEL, "busy on CPU in a compute region" },
    { { SPINDLE_WORKER_STATE_STOPPING, .kernel_state = 'R', .syscall = "running" },
      SPINDLE_REACH_NEXT_CHECK, "busy on CPU outside a compute region" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 'D', .syscall = "read" },
      SPINDLE_REACH_NOTHING, "in an uninterruptible kernel wait (disk or device I/O)" },
    { { SPINDLE_WORKER_STATE_RUNNING, .in_wait = TRUE, .kernel_state = 'S', .syscall = "ppoll" },
      SPINDLE_REACH_STOP, "waiting in an engine wait" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 'S', .syscall = "ppoll" },
      SPINDLE_REACH_CANCEL, "waiting in poll outside the engine's waits" },
    { { SPINDLE_WORKER_STATE_RUNNING, .cancellable = SPINDLE_CANCELLABLE_POLLED, .kernel_state = 'S', .syscall = "poll" },
      SPINDLE_REACH_STOP, "in a GIO call given the job's cancellable" },
    { { SPINDLE_WORKER_STATE_RUNNING, .cancellable = SPINDLE_CANCELLABLE_HANDED_OUT, .kernel_state = 'S', .syscall = "poll" },
      SPINDLE_REACH_UNKNOWN, "waiting in poll outside the engine's waits, with the job's cancellable in use" },
    { { SPINDLE_WORKER_STATE_RUNNING, .cancellable = SPINDLE_CANCELLABLE_NOT_POLLED, .kernel_state = 'S', .syscall = "poll" },
      SPINDLE_REACH_CANCEL, "waiting in poll outside the engine's waits" },
    { { SPINDLE_WORKER_STATE_CANCELLING, .call_site = SPINDLE_CALL_SITE_RAW_SYSCALL, .kernel_state = 'S',
        .wait_channel = "futex_do_wait", .syscall = "futex" },
      SPINDLE_REACH_NOTHING, "blocked on a raw futex wait (g_cond_wait, g_mutex_lock…)" },
    { { SPINDLE_WORKER_STATE_RUNNING, .call_site = SPINDLE_CALL_SITE_CANCEL_POINT, .kernel_state = 'S', .syscall = "futex" },
      SPINDLE_REACH_CANCEL, "blocked in a futex wait that is a cancellation point (sem_wait, pthread_cond_wait, pthread_join…)" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 'S', .wait_channel = "futex_do_wait" },
      SPINDLE_REACH_UNKNOWN, "blocked on a futex (a semaphore, mutex, condition variable or join)" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 'S', .wait_channel = "hrtimer_nanosleep", .syscall = "clock_nanosleep" },
      SPINDLE_REACH_CANCEL, "sleeping in a cancellation point" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 'S', .syscall = "fcntl" },
      SPINDLE_REACH_CANCEL, "waiting for a file lock (fcntl F_SETLKW, a cancellation point)" },
    { { SPINDLE_WORKER_STATE_STOPPING, .kernel_state = 'S', .wait_channel = "wait_woken", .syscall = "read" },
      SPINDLE_REACH_CANCEL, "blocked in a system call that is a cancellation point" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 'S', .syscall = "accept4" },
      SPINDLE_REACH_CANCEL, "blocked in a system call that is a cancellation point" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 'S', .syscall = "semop" },
      SPINDLE_REACH_NOTHING, "blocked in a system call that is no cancellation point (flock, semop…)" },
    { { SPINDLE_WORKER_STATE_RUNNING, .call_site = SPINDLE_CALL_SITE_RAW_SYSCALL, .kernel_state = 'S', .syscall = "read" },
      SPINDLE_REACH_NOTHING, "in a system call made through syscall(), which is no cancellation point" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 'S', .syscall = "syscall 999" },
      SPINDLE_REACH_UNKNOWN, "sleeping in the kernel in a call Spindle does not know" },
    { { SPINDLE_WORKER_STATE_RUNNING, .kernel_state = 't' },
      SPINDLE_REACH_NOTHING, "stopped or exiting in the kernel (traced, stopped by a signal, or a zombie)" },
    { { SPINDLE_WORKER_STATE_RUNNING }, SPINDLE_REACH_NONE, "not sampled" },
    /* held: force-cancel waits for the release */
    { { SPINDLE_WORKER_STATE_RUNNING, .held_since = 1, .now = 2500001, .kernel_state = 'S', .syscall = "accept" },
      SPINDLE_REACH_NOTHING, "cancellation has been held for 2.5 s: blocked outside the engine's waits" },
    { { SPINDLE_WORKER_STATE_RUNNING, .held_since = 1000, .now = 251000, .in_wait = TRUE, .kernel_state = 'S', .syscall = "ppoll" },
      SPINDLE_REACH_STOP, "cancellation has been held for 250 ms: waiting in an engine wait" },
    { { SPINDLE_WORKER_STATE_RUNNING, .held_since = 1, .now = 1, .in_compute = TRUE, .kernel_state = 'R' },
      SPINDLE_REACH_NEXT_CHECK, "cancellation has been held for 0 ms: busy on CPU" },
    { { SPINDLE_WORKER_STATE_RUNNING, .held_since = 1, .now = 1, .cancellable = SPINDLE_CANCELLABLE_POLLED,
        .kernel_state = 'S', .syscall = "poll" },
      SPINDLE_REACH_STOP, "cancellation has been held for 0 ms: in a GIO call given the job's cancellable" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SpindleDiagnosis) d = spindle_diagnose (&cases[i].input);

      g_test_message ("case %u", i);
      g_assert_nonnull (d);
      g_assert_cmpint (d->reach, ==, cases[i].reach);
      g_assert_cmpstr (d->summary, ==, cases[i].summary);
      g_assert_nonnull (d->advice);
    }
}

int
main (int   argc,
      char *argv[])
{
  spindle_test_init (&argc, &argv);

  g_test_add_func ("/engine/diagnosis/table", test_table);
  g_test_add_func ("/engine/diagnosis/syscall-names", test_syscall_names);
  g_test_add_func ("/engine/diagnosis/sem-wait", test_sem_wait);
  g_test_add_func ("/engine/diagnosis/cond-wait", test_cond_wait);
  g_test_add_func ("/engine/diagnosis/join", test_join);
  g_test_add_func ("/engine/diagnosis/raw-futex", test_raw_futex);
  g_test_add_func ("/engine/diagnosis/gio-with-cancellable", test_gio_with_cancellable);
  g_test_add_func ("/engine/diagnosis/gio-without-cancellable", test_gio_without_cancellable);
  g_test_add_func ("/engine/diagnosis/engine-wait-or-not", test_engine_wait_or_not);
  g_test_add_func ("/engine/diagnosis/held-blocking-call", test_held_blocking_call);
  g_test_add_func ("/engine/diagnosis/held-engine-wait", test_held_engine_wait);
  g_test_add_func ("/engine/diagnosis/file-locks", test_file_locks);
  g_test_add_func ("/engine/diagnosis/now-without-sampler", test_now_without_sampler);

  return g_test_run ();
}
