/* spindle-diagnosis.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "spindle-diagnosis.h"
#include "spindle-i18n-private.h"
#include "spindle-thread-info-private.h"
#include "spindle-worker-private.h"

/* "Why is it still running?" as one table: the first rule that matches
 * what the engine and the kernel say about a worker gives the answer.
 *
 * The kernel names the system call; only user space tells whether the
 * call is a cancellation point (a futex wait can be sem_wait() or
 * g_cond_wait()) and whether a stop wakes it (a poll can be a GIO call
 * given the job's cancellable). The engine knows its own waits, its holds
 * and its cancellable; for the rest, a diagnosis made now reads where the
 * call was made and what it polls. What nobody can know is said so.
 */

#define LIVE (S (STARTING) | S (RUNNING) | S (STOPPING) | S (CANCELLING))
#define S(name) (1u << SPINDLE_WORKER_STATE_##name)
#define ANY (-1)
#define C(name) (1u << SPINDLE_CANCELLABLE_##name)

#define POLLS " poll ppoll select pselect6 epoll_wait epoll_pwait epoll_pwait2 "
#define SLEEPS " nanosleep clock_nanosleep "
/* measured with pthread_cancel on glibc 2.36 */
#define CANCEL_POINTS " read readv pread64 preadv preadv2 write writev pwrite64 pwritev pwritev2 " \
                      "open openat close accept accept4 connect recvfrom recvmsg recvmmsg " \
                      "sendto sendmsg sendmmsg wait4 waitid msgrcv msgsnd pause rt_sigsuspend " \
                      "rt_sigtimedwait fsync fdatasync sync_file_range fallocate splice " \
                      "mq_timedreceive mq_timedsend getrandom "
#define NO_CANCEL_POINTS " flock semop semtimedop futex_waitv ioctl io_getevents io_pgetevents io_uring_enter "

typedef struct
{
  guint             states;        /* where it applies */
  int               in_compute;    /* TRUE, FALSE or ANY */
  int               in_wait;       /* TRUE, FALSE or ANY */
  int               held;          /* TRUE, FALSE or ANY */
  int               call_site;     /* a SpindleCallSite or ANY */
  guint             cancellable;   /* SpindleCancellableUse bits; 0: any */
  const char       *kernel_states; /* one of these letters; NULL: any */
  const char       *wait_channel;  /* a substring of it; NULL: any */
  const char       *syscalls;      /* " name " among these; NULL: any */
  SpindleReach      reach;
  const char       *summary;
  const char       *advice;
} Rule;

static const Rule rules[] = {
  /* what the worker's state alone decides */
  { S (FINISHED) | S (FAILED) | S (STOPPED) | S (CANCELLED), ANY, ANY, ANY, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_NONE, N_ ("it has ended"), N_ ("its thread is gone; the report says what its cleanup did") },
  { S (ABANDONED), ANY, ANY, ANY, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_NOTHING, N_ ("it was abandoned: it never died"),
    N_ ("its thread is detached; the steps and locks in its report are leaked") },
  { S (CLEANING), ANY, ANY, ANY, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_NOTHING, N_ ("running its cleanup steps"),
    N_ ("cancellation is off while cleanup runs; a step that hangs makes it unresponsive, then only abandon is left") },
  { S (STARTING), ANY, ANY, ANY, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_CANCEL, N_ ("its thread is starting"),
    N_ ("a request made now acts before or as soon as its body begins") },

  /* cancellation held: force-cancel waits for the release */
  { LIVE, ANY, TRUE, TRUE, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_STOP, N_ ("waiting in an engine wait"),
    N_ ("a stop wakes it at once; until spindle_job_release_cancel() a force-cancel acts as a stop") },
  { LIVE, ANY, ANY, TRUE, ANY, C (POLLED), NULL, NULL, POLLS,
    SPINDLE_REACH_STOP, N_ ("in a GIO call given the job's cancellable"),
    N_ ("a stop cancels it at once; until spindle_job_release_cancel() a force-cancel cannot act") },
  { LIVE, ANY, ANY, TRUE, ANY, 0, "R", NULL, NULL,
    SPINDLE_REACH_NEXT_CHECK, N_ ("busy on CPU"),
    N_ ("it sees a stop at its next check; a force-cancel waits for spindle_job_release_cancel()") },
  { LIVE, ANY, ANY, TRUE, ANY, 0, "SDtT", NULL, NULL,
    SPINDLE_REACH_NOTHING, N_ ("blocked outside the engine's waits"),
    N_ ("a stop cannot wake this call and a force-cancel waits for spindle_job_release_cancel(): "
    "hold cancellation only around calls that do not block — wait with spindle_job_wait_fd() first") },
  { LIVE, ANY, ANY, TRUE, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_UNKNOWN, N_ ("not sampled"),
    N_ ("a force-cancel waits for spindle_job_release_cancel(); a stop is seen at its next check or engine wait") },

  /* what the engine knows */
  { LIVE, TRUE, ANY, ANY, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_CANCEL, N_ ("busy on CPU in a compute region"),
    N_ ("force-cancel stops it at once; a stop is seen at its next check") },
  { LIVE, ANY, TRUE, ANY, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_STOP, N_ ("waiting in an engine wait"),
    N_ ("a stop wakes it at once; force-cancel acts immediately") },

  /* what the kernel says, judged with where the call was made */
  { LIVE, ANY, ANY, ANY, ANY, 0, "R", NULL, NULL,
    SPINDLE_REACH_NEXT_CHECK, N_ ("busy on CPU outside a compute region"),
    N_ ("it only stops at its next check; force-cancel acts at its next cancellation point") },
  { LIVE, ANY, ANY, ANY, ANY, 0, "D", NULL, NULL,
    SPINDLE_REACH_NOTHING, N_ ("in an uninterruptible kernel wait (disk or device I/O)"),
    N_ ("nothing interrupts it until the kernel call returns") },
  { LIVE, ANY, ANY, ANY, SPINDLE_CALL_SITE_RAW_SYSCALL, 0, NULL, NULL, " futex ",
    SPINDLE_REACH_NOTHING, N_ ("blocked on a raw futex wait (g_cond_wait, g_mutex_lock…)"),
    N_ ("neither a stop nor force-cancel can interrupt this wait — use spindle_job_cond_wait or a SpindleLock") },
  { LIVE, ANY, ANY, ANY, SPINDLE_CALL_SITE_CANCEL_POINT, 0, NULL, NULL, " futex ",
    SPINDLE_REACH_CANCEL, N_ ("blocked in a futex wait that is a cancellation point (sem_wait, pthread_cond_wait, pthread_join…)"),
    N_ ("a stop cannot wake it; force-cancel will act immediately") },
  { LIVE, ANY, ANY, ANY, ANY, 0, NULL, NULL, " futex ",
    SPINDLE_REACH_UNKNOWN, N_ ("blocked on a futex (a semaphore, mutex, condition variable or join)"),
    N_ ("a stop cannot wake it; force-cancel acts at once if this is sem_wait, pthread_cond_wait or pthread_join "
    "(cancellation points), and cannot if it is g_cond_wait or g_mutex_lock — diagnose it now to tell") },
  { LIVE, ANY, ANY, ANY, ANY, C (POLLED), NULL, NULL, POLLS,
    SPINDLE_REACH_STOP, N_ ("in a GIO call given the job's cancellable"),
    N_ ("a stop cancels it at once; force-cancel acts immediately") },
  { LIVE, ANY, ANY, ANY, SPINDLE_CALL_SITE_RAW_SYSCALL, 0, NULL, NULL, NULL,
    SPINDLE_REACH_NOTHING, N_ ("in a system call made through syscall(), which is no cancellation point"),
    N_ ("neither a stop nor force-cancel can interrupt it; only what it waits for ends it") },
  { LIVE, ANY, ANY, ANY, ANY, C (HANDED_OUT), NULL, NULL, POLLS,
    SPINDLE_REACH_UNKNOWN, N_ ("waiting in poll outside the engine's waits, with the job's cancellable in use"),
    N_ ("a stop wakes it if this call was given the job's cancellable; force-cancel will act immediately (a cancellation point)") },
  { LIVE, ANY, ANY, ANY, ANY, 0, NULL, NULL, POLLS,
    SPINDLE_REACH_CANCEL, N_ ("waiting in poll outside the engine's waits"),
    N_ ("a stop cannot wake it; force-cancel will act immediately (a cancellation point)") },
  { LIVE, ANY, ANY, ANY, ANY, 0, NULL, "nanosleep", NULL,
    SPINDLE_REACH_CANCEL, N_ ("sleeping in a cancellation point"),
    N_ ("force-cancel will act immediately; a stop flag is seen only when the sleep ends") },
  { LIVE, ANY, ANY, ANY, ANY, 0, NULL, NULL, SLEEPS,
    SPINDLE_REACH_CANCEL, N_ ("sleeping in a cancellation point"),
    N_ ("force-cancel will act immediately; a stop flag is seen only when the sleep ends") },
  { LIVE, ANY, ANY, ANY, ANY, 0, NULL, NULL, " fcntl ",
    SPINDLE_REACH_CANCEL, N_ ("waiting for a file lock (fcntl F_SETLKW, a cancellation point)"),
    N_ ("a stop cannot wake it; force-cancel will act immediately") },
  { LIVE, ANY, ANY, ANY, ANY, 0, NULL, NULL, CANCEL_POINTS,
    SPINDLE_REACH_CANCEL, N_ ("blocked in a system call that is a cancellation point"),
    N_ ("a stop cannot wake it; force-cancel will act immediately") },
  { LIVE, ANY, ANY, ANY, ANY, 0, NULL, NULL, NO_CANCEL_POINTS,
    SPINDLE_REACH_NOTHING, N_ ("blocked in a system call that is no cancellation point (flock, semop…)"),
    N_ ("neither a stop nor force-cancel can interrupt it; only what it waits for ends it — "
    "poll for it with a timeout and spindle_job_sleep between tries") },
  { LIVE, ANY, ANY, ANY, ANY, 0, "S", NULL, NULL,
    SPINDLE_REACH_UNKNOWN, N_ ("sleeping in the kernel in a call Spindle does not know"),
    N_ ("force-cancel acts if this call is a cancellation point; otherwise only what it waits for wakes it") },
  { LIVE, ANY, ANY, ANY, ANY, 0, "TtZX", NULL, NULL,
    SPINDLE_REACH_NOTHING, N_ ("stopped or exiting in the kernel (traced, stopped by a signal, or a zombie)"),
    N_ ("it resumes only when the kernel lets it") },
  { LIVE, ANY, ANY, ANY, ANY, 0, NULL, NULL, NULL,
    SPINDLE_REACH_NONE, N_ ("not sampled"),
    N_ ("its kernel state is read while it is on screen or selected") },
};

#undef S
#undef C

G_DEFINE_BOXED_TYPE (SpindleDiagnosis, spindle_diagnosis, spindle_diagnosis_copy, spindle_diagnosis_free)

/**
 * spindle_diagnosis_copy:
 * @diagnosis: a diagnosis
 *
 * Copies @diagnosis.
 *
 * Returns: (transfer full): the copy
 */
SpindleDiagnosis *
spindle_diagnosis_copy (const SpindleDiagnosis *diagnosis)
{
  SpindleDiagnosis *copy;

  g_return_val_if_fail (diagnosis != NULL, NULL);

  copy = g_new0 (SpindleDiagnosis, 1);
  copy->reach = diagnosis->reach;
  copy->summary = g_strdup (diagnosis->summary);
  copy->advice = g_strdup (diagnosis->advice);

  return copy;
}

/**
 * spindle_diagnosis_free:
 * @diagnosis: (nullable): a diagnosis
 *
 * Frees @diagnosis.
 */
void
spindle_diagnosis_free (SpindleDiagnosis *diagnosis)
{
  if (diagnosis == NULL)
    return;

  g_free (diagnosis->summary);
  g_free (diagnosis->advice);
  g_free (diagnosis);
}

/* The table ******************************************************************/

static gboolean
word_in (const char *words,
         const char *word)
{
  g_autofree char *padded = NULL;

  if (word == NULL)
    return FALSE;

  padded = g_strdup_printf (" %s ", word);
  return strstr (words, padded) != NULL;
}

static gboolean
tristate_matches (int      rule,
                  gboolean value)
{
  return rule == ANY || rule == !!value;
}

/* A sample may hold the wait channel without the call. */
static const char *
call_of (const SpindleDiagnosisInput *input)
{
  if (input->syscall == NULL && input->wait_channel != NULL && strstr (input->wait_channel, "futex") != NULL)
    return "futex";

  return input->syscall;
}

static gboolean
rule_matches (const Rule                  *rule,
              const SpindleDiagnosisInput *input)
{
  return (rule->states & (1u << input->state)) != 0 &&
         tristate_matches (rule->in_compute, input->in_compute) &&
         tristate_matches (rule->in_wait, input->in_wait) &&
         tristate_matches (rule->held, input->held_since != 0) &&
         (rule->call_site == ANY || rule->call_site == (int) input->call_site) &&
         (rule->cancellable == 0 || (rule->cancellable & (1u << input->cancellable)) != 0) &&
         (rule->kernel_states == NULL ||
          (input->kernel_state != 0 && strchr (rule->kernel_states, input->kernel_state) != NULL)) &&
         (rule->wait_channel == NULL ||
          (input->wait_channel != NULL && strstr (input->wait_channel, rule->wait_channel) != NULL)) &&
         (rule->syscalls == NULL || word_in (rule->syscalls, call_of (input)));
}

/* "cancellation has been held for 2.5 s: " */
static char *
held_summary (const SpindleDiagnosisInput *input,
              const char                  *summary)
{
  gint64 now = input->now != 0 ? input->now : g_get_monotonic_time ();
  gint64 held = MAX (now - input->held_since, 0);

  if (held < G_USEC_PER_SEC)
    return g_strdup_printf (_("cancellation has been held for %d ms: %s"), (int) (held / 1000), summary);

  return g_strdup_printf (_("cancellation has been held for %.1f s: %s"), held / (double) G_USEC_PER_SEC, summary);
}

/* A foreign body's thread is never cancelled: its force-cancel is an
 * exception raised by its runtime, at its next instruction, which a call
 * blocked in C code sees only once the call returns.
 */
static void
adjust_for_foreign_body (const SpindleDiagnosisInput *input,
                         SpindleDiagnosis            *diagnosis)
{
  const char *advice;
  char *summary;

  if (!input->foreign_body ||
      (input->state != SPINDLE_WORKER_STATE_RUNNING &&
       input->state != SPINDLE_WORKER_STATE_STOPPING &&
       input->state != SPINDLE_WORKER_STATE_CANCELLING))
    return;

  if (diagnosis->reach == SPINDLE_REACH_STOP)
    advice = _("a stop or a force-cancel wakes this wait at once; force-cancel then raises an exception "
               "in the body instead of cancelling its thread");
  else if (input->kernel_state == 'R' || input->in_compute)
    {
      diagnosis->reach = SPINDLE_REACH_CANCEL;
      advice = _("force-cancel raises an exception at its next instruction, so its finally blocks run; "
                 "its thread is never cancelled");
    }
  else if (diagnosis->reach == SPINDLE_REACH_CANCEL || diagnosis->reach == SPINDLE_REACH_UNKNOWN)
    {
      diagnosis->reach = SPINDLE_REACH_NOTHING;
      advice = _("force-cancel raises an exception only once this call returns, since its thread is never "
                 "cancelled; if the call never returns the worker becomes unresponsive and can only be abandoned");
    }
  else
    advice = _("its thread is never cancelled: force-cancel raises an exception at its next instruction");

  summary = g_strdup_printf (_("a body with a runtime of its own (Python…), %s"), diagnosis->summary);
  g_free (diagnosis->summary);
  diagnosis->summary = summary;
  g_free (diagnosis->advice);
  diagnosis->advice = g_strdup (advice);
}

/**
 * spindle_diagnose:
 * @input: what the engine and the kernel say of a worker
 *
 * Why a worker in this situation is still running, and what will reach
 * it. Where the inputs cannot tell (a futex wait whose caller is unknown,
 * a poll that may or may not hold the job's cancellable), the reach is
 * %SPINDLE_REACH_UNKNOWN and the advice says what it depends on.
 *
 * Returns: (transfer full): the diagnosis
 */
SpindleDiagnosis *
spindle_diagnose (const SpindleDiagnosisInput *input)
{
  SpindleDiagnosis *diagnosis;
  const Rule *rule = NULL;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (input->state < SPINDLE_WORKER_N_STATES, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rules) && rule == NULL; i++)
    if (rule_matches (&rules[i], input))
      rule = &rules[i];
  g_assert (rule != NULL);

  diagnosis = g_new0 (SpindleDiagnosis, 1);
  diagnosis->reach = rule->reach;
  diagnosis->advice = g_strdup (_(rule->advice));
  if (rule->held == TRUE)
    diagnosis->summary = held_summary (input, _(rule->summary));
  else
    diagnosis->summary = g_strdup (_(rule->summary));
  adjust_for_foreign_body (input, diagnosis);

  return diagnosis;
}

/* What the engine knows **********************************************************/

static SpindleCancellableUse
cancellable_use (SpindleJob *job)
{
  gboolean handed_out;

  /* the job's cancellable is only made when spindle_job_get_cancellable() hands it out */
  g_mutex_lock (&job->lock);
  handed_out = job->cancellable != NULL;
  g_mutex_unlock (&job->lock);

  return handed_out ? SPINDLE_CANCELLABLE_HANDED_OUT : SPINDLE_CANCELLABLE_UNUSED;
}

static void
input_from_engine (SpindleWorker         *worker,
                   SpindleDiagnosisInput *input)
{
  SpindleJob *job = worker->job;

  input->state = spindle_worker_get_state (worker);
  input->now = g_get_monotonic_time ();
  if (!spindle_worker_state_is_live (input->state) || job == NULL)
    return;

  input->foreign_body = _spindle_job_is_foreign (job);
  input->in_compute = _spindle_job_get_in_compute (job);
  input->in_wait = _spindle_job_get_in_wait (job);
  input->held_since = _spindle_job_get_held_since (job);
  input->cancellable = cancellable_use (job);
}

/**
 * spindle_worker_diagnose:
 *
 * Diagnoses @worker from its last sample (see spindle_sampler_watch())
 * and what the engine knows of it now. A sample does not say where in
 * user space a call was made: a futex wait is then "unknown".
 * spindle_worker_diagnose_now() reads that too. Main thread only.
 *
 * Returns: (transfer full): the diagnosis
 */
SpindleDiagnosis *
spindle_worker_diagnose (SpindleWorker *worker)
{
  SpindleDiagnosisInput input = { 0 };
  const char *kernel_state;

  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), NULL);

  input_from_engine (worker, &input);
  kernel_state = spindle_worker_get_kernel_state (worker);
  input.kernel_state = kernel_state != NULL ? kernel_state[0] : 0;
  input.wait_channel = spindle_worker_get_wait_channel (worker);
  input.syscall = spindle_worker_get_syscall (worker);

  return spindle_diagnose (&input);
}

/* Where the call was made **********************************************************/

typedef struct
{
  sem_t semaphore;
  int   tid;
} Probe;

static void *
probe_thread (void *data)
{
  Probe *probe = data;

  g_atomic_int_set (&probe->tid, gettid ());
  while (sem_wait (&probe->semaphore) != 0)
    ;

  return NULL;
}

/* Reads where a thread blocked in sem_wait() made its futex call: the C
 * library's cancellable wait, shared by sem_wait(), pthread_cond_wait()
 * and pthread_join(). Bounded: 0 if the probe is not seen blocked in time.
 */
static guint64
find_cancel_point_pc (void)
{
  Probe probe = { .tid = 0 };
  SpindleTaskDetails details = { .pc = 0 };
  gint64 give_up = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  pthread_t thread;

  sem_init (&probe.semaphore, 0, 0);
  if (pthread_create (&thread, NULL, probe_thread, &probe) != 0)
    return 0;

  while (g_get_monotonic_time () < give_up)
    {
      int tid = g_atomic_int_get (&probe.tid);

      if (tid != 0)
        _spindle_task_read_details (tid, &details);
      if (details.syscall_nr == SYS_futex && details.kernel_state == 'S')
        break;
      details.pc = 0;
      g_usleep (200);
    }

  sem_post (&probe.semaphore);
  pthread_join (thread, NULL);
  sem_destroy (&probe.semaphore);

  return details.pc;
}

static SpindleCallSite
call_site (guint64 pc)
{
  static gsize cancel_point_pc = 0;
  Dl_info info;

  if (pc == 0)
    return SPINDLE_CALL_SITE_UNKNOWN;

  if (dladdr ((void *) (gsize) pc, &info) != 0 && g_strcmp0 (info.dli_sname, "syscall") == 0)
    return SPINDLE_CALL_SITE_RAW_SYSCALL;

  if (g_once_init_enter (&cancel_point_pc))
    g_once_init_leave (&cancel_point_pc, MAX (find_cancel_point_pc (), 1));

  return pc == cancel_point_pc ? SPINDLE_CALL_SITE_CANCEL_POINT : SPINDLE_CALL_SITE_UNKNOWN;
}

/* What a poll waits on ***********************************************************/

/* The thread's own poll set, from the arguments of its call: our own
 * memory, read so that a set freed meanwhile is an error, not a crash.
 */
static gboolean
poll_set_holds (const SpindleTaskDetails *details,
                int                       fd)
{
  struct pollfd fds[64];
  gsize n = MIN (details->args[1], G_N_ELEMENTS (fds));
  struct iovec local = { fds, n * sizeof fds[0] };
  struct iovec remote = { (void *) (gsize) details->args[0], n * sizeof fds[0] };

  if (process_vm_readv (getpid (), &local, 1, &remote, 1, 0) != (gssize) local.iov_len)
    return FALSE;

  for (gsize i = 0; i < n; i++)
    if (fds[i].fd == fd)
      return TRUE;

  return FALSE;
}

static gboolean
reads_poll_set (const SpindleTaskDetails *details)
{
#ifdef SYS_poll
  if (details->syscall_nr == SYS_poll)
    return TRUE;
#endif
  return details->syscall_nr == SYS_ppoll && details->args[1] > 0 && details->args[1] <= 64;
}

/* GLib's blocking GIO calls poll the cancellable's fd beside their own.
 * Asking for the fd makes one if no call holds it: it is released at once.
 */
static SpindleCancellableUse
polled_cancellable (SpindleJob               *job,
                    const SpindleTaskDetails *details)
{
  g_autoptr(GCancellable) cancellable = NULL;
  GPollFD pollfd;
  gboolean polled;

  g_mutex_lock (&job->lock);
  g_set_object (&cancellable, job->cancellable);
  g_mutex_unlock (&job->lock);

  if (cancellable == NULL || !reads_poll_set (details) ||
      !g_cancellable_make_pollfd (cancellable, &pollfd))
    return cancellable != NULL ? SPINDLE_CANCELLABLE_HANDED_OUT : SPINDLE_CANCELLABLE_UNUSED;

  polled = poll_set_holds (details, pollfd.fd);
  g_cancellable_release_fd (cancellable);

  return polled ? SPINDLE_CANCELLABLE_POLLED : SPINDLE_CANCELLABLE_NOT_POLLED;
}

/**
 * spindle_worker_diagnose_now:
 *
 * Diagnoses @worker as it is now, for callers without a sampler: one
 * fresh read of its /proc/self/task/<tid>/{stat,wchan,syscall} files, and
 * of where in user space its blocking call was made and what it polls, so
 * that a futex wait that is a cancellation point (sem_wait,
 * pthread_cond_wait, pthread_join) is told from one that is not
 * (g_cond_wait, g_mutex_lock), and a GIO call given the job's cancellable
 * from any other poll. The worker's sampled properties are left as they
 * are. Main thread only; a few tens of µs.
 *
 * Returns: (transfer full): the diagnosis
 */
SpindleDiagnosis *
spindle_worker_diagnose_now (SpindleWorker *worker)
{
  SpindleDiagnosisInput input = { 0 };
  SpindleTaskDetails details;

  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), NULL);

  input_from_engine (worker, &input);
  if (!spindle_worker_state_is_live (input.state) || worker->tid <= 0)
    return spindle_diagnose (&input);

  _spindle_task_read_details (worker->tid, &details);
  input.kernel_state = details.kernel_state;
  input.wait_channel = details.wait_channel[0] != '\0' ? details.wait_channel : NULL;
  input.syscall = details.syscall[0] != '\0' ? details.syscall : NULL;
  if (details.syscall_nr >= 0)
    {
      input.call_site = call_site (details.pc);
      input.cancellable = polled_cancellable (worker->job, &details);
    }

  return spindle_diagnose (&input);
}

/* Inputs for bindings ************************************************************/

/**
 * spindle_diagnosis_input_new:
 *
 * Inputs for bindings to fill in: a boxed input owns its strings, set
 * with spindle_diagnosis_input_set_wait_channel() and
 * spindle_diagnosis_input_set_syscall(). An input on a C stack owns
 * nothing and is never freed.
 *
 * Returns: (transfer full): zeroed inputs, free with
 *   spindle_diagnosis_input_free()
 */
SpindleDiagnosisInput *
spindle_diagnosis_input_new (void)
{
  return g_new0 (SpindleDiagnosisInput, 1);
}

/**
 * spindle_diagnosis_input_copy:
 * @input: inputs to copy
 *
 * Copies @input with its strings.
 *
 * Returns: (transfer full): a copy that owns copies of the strings
 */
SpindleDiagnosisInput *
spindle_diagnosis_input_copy (const SpindleDiagnosisInput *input)
{
  SpindleDiagnosisInput *copy;

  g_return_val_if_fail (input != NULL, NULL);

  copy = g_memdup2 (input, sizeof *input);
  copy->wait_channel = g_strdup (input->wait_channel);
  copy->syscall = g_strdup (input->syscall);
  return copy;
}

/**
 * spindle_diagnosis_input_free:
 * @input: (nullable): inputs made by spindle_diagnosis_input_new() or
 *   spindle_diagnosis_input_copy()
 *
 * Frees @input and its strings.
 */
void
spindle_diagnosis_input_free (SpindleDiagnosisInput *input)
{
  if (input == NULL)
    return;

  g_free ((char *) input->wait_channel);
  g_free ((char *) input->syscall);
  g_free (input);
}

/**
 * spindle_diagnosis_input_set_wait_channel:
 * @input: inputs made by spindle_diagnosis_input_new() or
 *   spindle_diagnosis_input_copy()
 * @wait_channel: (nullable): the kernel's wait channel
 *
 * Sets the wait channel of a boxed input, which owns its copy.
 */
void
spindle_diagnosis_input_set_wait_channel (SpindleDiagnosisInput *input,
                                          const char            *wait_channel)
{
  g_return_if_fail (input != NULL);

  g_free ((char *) input->wait_channel);
  input->wait_channel = g_strdup (wait_channel);
}

/**
 * spindle_diagnosis_input_set_syscall:
 * @input: inputs made by spindle_diagnosis_input_new() or
 *   spindle_diagnosis_input_copy()
 * @syscall: (nullable): the system call it waits in, or "running"
 *
 * Sets the system call of a boxed input, which owns its copy.
 */
void
spindle_diagnosis_input_set_syscall (SpindleDiagnosisInput *input,
                                     const char            *syscall)
{
  g_return_if_fail (input != NULL);

  g_free ((char *) input->syscall);
  input->syscall = g_strdup (syscall);
}

G_DEFINE_BOXED_TYPE (SpindleDiagnosisInput, spindle_diagnosis_input,
                     spindle_diagnosis_input_copy, spindle_diagnosis_input_free)
