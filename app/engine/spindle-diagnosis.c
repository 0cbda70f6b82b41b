/* spindle-diagnosis.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-diagnosis.h"

/* "Why is it still running?" as one table: the first rule that matches
 * what the engine and the kernel say about a worker gives the answer.
 */

#define LIVE (S (STARTING) | S (RUNNING) | S (STOPPING) | S (CANCELLING))
#define S(name) (1u << SPINDLE_WORKER_STATE_##name)
#define ANY_COMPUTE (-1)

typedef struct
{
  guint             states;        /* where it applies */
  int               in_compute;    /* TRUE, FALSE or ANY_COMPUTE */
  const char       *kernel_states; /* one of these letters; NULL: any */
  const char       *wait_channel;  /* a substring of it; NULL: any */
  const char       *syscalls;      /* " name " among these; NULL: any */
  SpindleDiagnosis  diagnosis;
} Rule;

static const Rule rules[] = {
  { S (FINISHED) | S (FAILED) | S (STOPPED) | S (CANCELLED), ANY_COMPUTE, NULL, NULL, NULL,
    { SPINDLE_REACH_NONE, "it has ended", "its thread is gone; the report says what its cleanup did" } },
  { S (ABANDONED), ANY_COMPUTE, NULL, NULL, NULL,
    { SPINDLE_REACH_NOTHING, "it was abandoned: it never died",
      "its thread is detached; the steps and locks in its report are leaked" } },
  { S (CLEANING), ANY_COMPUTE, NULL, NULL, NULL,
    { SPINDLE_REACH_NOTHING, "running its cleanup steps",
      "cancellation is off while cleanup runs; a step that hangs makes it unresponsive, then only abandon is left" } },
  { S (STARTING), ANY_COMPUTE, NULL, NULL, NULL,
    { SPINDLE_REACH_CANCEL, "its thread is starting",
      "a request made now acts before or as soon as its body begins" } },
  { LIVE, TRUE, NULL, NULL, NULL,
    { SPINDLE_REACH_CANCEL, "busy on CPU in a compute region",
      "force-cancel stops it at once; a stop is seen at its next check" } },
  { LIVE, FALSE, "R", NULL, NULL,
    { SPINDLE_REACH_NEXT_CHECK, "busy on CPU outside a compute region",
      "it only stops at its next check; force-cancel acts at its next cancellation point" } },
  { LIVE, ANY_COMPUTE, "D", NULL, NULL,
    { SPINDLE_REACH_NOTHING, "in an uninterruptible kernel wait (disk or device I/O)",
      "nothing interrupts it until the kernel call returns" } },
  { LIVE, ANY_COMPUTE, NULL, "futex", NULL,
    { SPINDLE_REACH_NOTHING, "blocked on a futex (a mutex or condition variable)",
      "force-cancel cannot interrupt this wait — use spindle_job_cond_wait or a SpindleLock" } },
  { LIVE, ANY_COMPUTE, NULL, NULL, " futex ",
    { SPINDLE_REACH_NOTHING, "blocked on a futex (a mutex or condition variable)",
      "force-cancel cannot interrupt this wait — use spindle_job_cond_wait or a SpindleLock" } },
  { LIVE, ANY_COMPUTE, NULL, NULL, " ppoll ",
    { SPINDLE_REACH_STOP, "waiting in an engine wait (ppoll)",
      "a stop wakes it at once; force-cancel acts immediately" } },
  { LIVE, ANY_COMPUTE, NULL, NULL, " poll select pselect6 epoll_wait epoll_pwait ",
    { SPINDLE_REACH_CANCEL, "waiting in poll outside the engine",
      "a stop cannot wake it; force-cancel will act immediately (a cancellation point)" } },
  { LIVE, ANY_COMPUTE, NULL, "nanosleep", NULL,
    { SPINDLE_REACH_CANCEL, "sleeping in a cancellation point",
      "force-cancel will act immediately; a stop flag is seen only when the sleep ends" } },
  { LIVE, ANY_COMPUTE, NULL, NULL, " nanosleep clock_nanosleep ",
    { SPINDLE_REACH_CANCEL, "sleeping in a cancellation point",
      "force-cancel will act immediately; a stop flag is seen only when the sleep ends" } },
  { LIVE, ANY_COMPUTE, NULL, NULL, " read readv pread64 recvfrom recvmsg accept accept4 connect write writev sendto sendmsg wait4 waitid ",
    { SPINDLE_REACH_CANCEL, "blocked in a system call that is a cancellation point",
      "a stop cannot wake it; force-cancel will act immediately" } },
  { LIVE, ANY_COMPUTE, "S", NULL, NULL,
    { SPINDLE_REACH_NEXT_CHECK, "sleeping in the kernel",
      "force-cancel acts if this wait is a cancellation point; otherwise only what it waits for wakes it" } },
  { LIVE, ANY_COMPUTE, "TtZX", NULL, NULL,
    { SPINDLE_REACH_NOTHING, "stopped or exiting in the kernel (traced, stopped by a signal, or a zombie)",
      "it resumes only when the kernel lets it" } },
  { LIVE, ANY_COMPUTE, NULL, NULL, NULL,
    { SPINDLE_REACH_NONE, "not sampled",
      "its kernel state is read while it is on screen or selected" } },
};

#undef S

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
rule_matches (const Rule         *rule,
              SpindleWorkerState  state,
              gboolean            in_compute,
              char                kernel_state,
              const char         *wait_channel,
              const char         *syscall)
{
  return (rule->states & (1u << state)) != 0 &&
         (rule->in_compute == ANY_COMPUTE || rule->in_compute == !!in_compute) &&
         (rule->kernel_states == NULL || (kernel_state != 0 && strchr (rule->kernel_states, kernel_state) != NULL)) &&
         (rule->wait_channel == NULL || (wait_channel != NULL && strstr (wait_channel, rule->wait_channel) != NULL)) &&
         (rule->syscalls == NULL || word_in (rule->syscalls, syscall));
}

/**
 * spindle_diagnose:
 * @kernel_state: the letter from /proc (R, S, D…), or 0 when not sampled
 *
 * Returns: (transfer none): why a worker in this situation is still
 *   running, and what will reach it
 */
const SpindleDiagnosis *
spindle_diagnose (SpindleWorkerState  state,
                  gboolean            in_compute,
                  char                kernel_state,
                  const char         *wait_channel,
                  const char         *syscall)
{
  g_return_val_if_fail (state < SPINDLE_WORKER_N_STATES, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rule_matches (&rules[i], state, in_compute, kernel_state, wait_channel, syscall))
      return &rules[i].diagnosis;

  g_assert_not_reached ();
}

const SpindleDiagnosis *
spindle_worker_diagnose (SpindleWorker *worker)
{
  const char *kernel_state;

  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), NULL);

  kernel_state = spindle_worker_get_kernel_state (worker);

  return spindle_diagnose (spindle_worker_get_state (worker),
                           spindle_worker_get_in_compute (worker),
                           kernel_state != NULL ? kernel_state[0] : 0,
                           spindle_worker_get_wait_channel (worker),
                           spindle_worker_get_syscall (worker));
}
