/* spindle-cell-text.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "spindle-cell-text.h"
#include "spindle-format.h"

char *
spindle_cell_text_cpu (SpindleWorkerState state,
                       double             percent)
{
  if (!spindle_format_thread_may_run (state))
    return g_strdup ("—");

  return spindle_format_cpu_percent (percent);
}

/* What a wait channel or system call means to a person. The raw names
 * stay in the tooltip; these are the words the cell shows.
 */
static const struct {
  const char *fragment;
  const char *words;
} kernel_words[] = {
  { "futex",          N_("futex wait") },
  { "ep_poll",        N_("waiting in epoll") },
  { "epoll",          N_("waiting in epoll") },
  { "poll",           N_("waiting in poll") },
  { "select",         N_("waiting in select") },
  { "nanosleep",      N_("sleeping") },
  { "hrtimer",        N_("sleeping") },
  { "pipe_read",      N_("reading a pipe") },
  { "pipe_write",     N_("writing a pipe") },
  { "sk_wait",        N_("reading a socket") },
  { "unix_stream",    N_("reading a socket") },
  { "wait_woken",     N_("reading a socket") },
  { "inet_csk",       N_("accepting") },
  { "accept",         N_("accepting") },
  { "recv",           N_("reading a socket") },
  { "read",           N_("reading") },
  { "write",          N_("writing") },
  { "do_wait",        N_("waiting for a child") },
  { "wait4",          N_("waiting for a child") },
};

static const char *
words_for (const char *name)
{
  if (name == NULL || *name == '\0' || g_str_equal (name, "0") || g_str_equal (name, "running"))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (kernel_words); i++)
    if (strstr (name, kernel_words[i].fragment) != NULL)
      return _(kernel_words[i].words);

  return NULL;
}

/* "waiting in poll", "futex wait", "on CPU": read only while the row is on screen. */
char *
spindle_cell_text_kernel (SpindleWorkerState  state,
                          const char         *kernel_state,
                          const char         *wait_channel,
                          const char         *syscall)
{
  const char *words;

  if (!spindle_format_thread_may_run (state) || kernel_state == NULL || *kernel_state == '\0')
    return g_strdup ("—");

  switch (kernel_state[0])
    {
    case 'R': return g_strdup (_("on CPU"));
    case 'T': return g_strdup (_("stopped"));
    case 't': return g_strdup (_("traced"));
    case 'Z': return g_strdup (_("zombie"));
    case 'X': return g_strdup (_("dead"));
    default:  break;
    }

  words = words_for (wait_channel);
  if (words == NULL)
    words = words_for (syscall);
  if (words == NULL)
    words = kernel_state[0] == 'D' ? _("uninterruptible wait") : _("sleeping");

  return g_strdup (words);
}

char *
spindle_cell_text_kernel_tooltip (SpindleWorkerState  state,
                                  const char         *kernel_state,
                                  const char         *wait_channel,
                                  const char         *syscall)
{
  if (!spindle_format_thread_may_run (state))
    return NULL;

  return spindle_format_kernel_long (kernel_state, wait_channel, syscall);
}

/* The engine keeps an unreachable worker "cancelling" (nothing else will
 * happen to it); the row says what that means.
 */
char *
spindle_cell_text_state_tooltip (SpindleWorkerState state,
                                 gboolean           unresponsive)
{
  if (spindle_format_is_unresponsive (state, unresponsive))
    return g_strdup_printf (_("Still %s after its grace period: neither a stop request nor a "
                              "cancel reaches it. Abandon it from the row’s menu to let it go; "
                              "its thread is then left running and leaked."),
                            spindle_format_state_label (state));

  return NULL;
}

char **
spindle_cell_text_cleanup_classes (SpindleWorkerState    state,
                                   SpindleCleanupReport *report)
{
  const char *classes[] = { "cleanup-status", spindle_format_cleanup_class (state, report), NULL };

  return g_strdupv ((char **) classes);
}

/* Row buttons ***************************************************************/

/* A process of a process worker's tree is a row with nothing of its own
 * to stop: its worker's buttons reach it.
 */
static gboolean
is_process_row (SpindleWorker *worker)
{
  return worker != NULL && spindle_worker_is_tree_process (worker);
}

gboolean
spindle_cell_text_can_stop (SpindleWorker *worker)
{
  return spindle_format_can_stop (spindle_worker_get_state (worker)) && !is_process_row (worker);
}

gboolean
spindle_cell_text_can_cancel (SpindleWorker *worker)
{
  return spindle_format_can_cancel (spindle_worker_get_state (worker)) && !is_process_row (worker);
}

static char *
process_row_tooltip (void)
{
  return g_strdup (_("A process of a process worker: Stop and Force-Cancel act on the process worker, "
                     "whose helper ends every process of its tree"));
}

char *
spindle_cell_text_stop_tooltip (SpindleWorker *worker)
{
  if (is_process_row (worker))
    return process_row_tooltip ();

  return g_strdup_printf (_("Ask “%s” to stop"), spindle_worker_get_name (worker));
}

char *
spindle_cell_text_cancel_tooltip (SpindleWorker *worker)
{
  if (is_process_row (worker))
    return process_row_tooltip ();

  return g_strdup_printf (_("Force-cancel “%s”"), spindle_worker_get_name (worker));
}

/* "Stop sleeper 1": a screen reader says which worker a button acts on. */
char *
spindle_cell_text_stop_name (SpindleWorker *worker)
{
  /* Translators: the accessible name of a row's Stop button */
  return g_strdup_printf (_("Stop %s"), spindle_worker_get_name (worker));
}

char *
spindle_cell_text_cancel_name (SpindleWorker *worker)
{
  /* Translators: the accessible name of a row's Force-Cancel button */
  return g_strdup_printf (_("Force-cancel %s"), spindle_worker_get_name (worker));
}
