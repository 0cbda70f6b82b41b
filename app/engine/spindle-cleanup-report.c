/* spindle-cleanup-report.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "spindle-cleanup-report-private.h"

/* Built on the worker thread while its cleanup runs, then handed over whole
 * to the main thread and never changed again.
 */
struct _SpindleCleanupReport
{
  gatomicrefcount  ref_count;
  GArray          *steps;
  GArray          *processes;      /* StepProcess of each step, up to the last about one; NULL: none */
  gint64           duration_usec;
  guint            n_tainted_locks;
};

/* The process a step is about, kept beside its words: nothing reads a pid
 * back out of a label, which a translation words as it will. */
typedef struct
{
  int   pid;                       /* 0: the step is about no process */
  char *name;
} StepProcess;

/**
 * spindle_cleanup_step_copy:
 * @step: a step of a report
 *
 * Copies @step, so that it may outlive its report.
 *
 * Returns: (transfer full): the copy, freed with spindle_cleanup_step_free()
 */
SpindleCleanupStep *
spindle_cleanup_step_copy (const SpindleCleanupStep *step)
{
  SpindleCleanupStep *copy;

  g_return_val_if_fail (step != NULL, NULL);

  copy = g_memdup2 (step, sizeof *step);
  copy->label = g_strdup (step->label);
  copy->message = g_strdup (step->message);

  return copy;
}

/**
 * spindle_cleanup_step_free:
 * @step: (nullable): a step made by spindle_cleanup_step_copy()
 *
 * Frees a copied step.
 */
void
spindle_cleanup_step_free (SpindleCleanupStep *step)
{
  if (step == NULL)
    return;

  g_free (step->label);
  g_free (step->message);
  g_free (step);
}

/* Bindings copy a step they are handed, since it lives in its report. */
G_DEFINE_BOXED_TYPE (SpindleCleanupStep, spindle_cleanup_step,
                     spindle_cleanup_step_copy, spindle_cleanup_step_free)

G_DEFINE_BOXED_TYPE (SpindleCleanupReport, spindle_cleanup_report,
                     spindle_cleanup_report_ref, spindle_cleanup_report_unref)

static void
clear_step (gpointer data)
{
  SpindleCleanupStep *step = data;

  g_clear_pointer (&step->label, g_free);
  g_clear_pointer (&step->message, g_free);
}

static void
clear_step_process (gpointer data)
{
  StepProcess *process = data;

  g_clear_pointer (&process->name, g_free);
}

/* The process the step at @position is about, or 0; @name: its name then. */
int
_spindle_cleanup_report_get_step_process (SpindleCleanupReport  *self,
                                          guint                  position,
                                          const char           **name)
{
  const StepProcess *process;

  g_return_val_if_fail (self != NULL, 0);

  if (self->processes == NULL || position >= self->processes->len)
    return 0;

  process = &g_array_index (self->processes, StepProcess, position);
  if (name != NULL)
    *name = process->name;
  return process->pid;
}

SpindleCleanupReport *
_spindle_cleanup_report_new (void)
{
  SpindleCleanupReport *self = g_new0 (SpindleCleanupReport, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->steps = g_array_new (FALSE, TRUE, sizeof (SpindleCleanupStep));
  g_array_set_clear_func (self->steps, clear_step);

  return self;
}

void
_spindle_cleanup_report_add (SpindleCleanupReport  *self,
                             const char            *label,
                             SpindleCleanupOutcome  outcome,
                             const char            *message,
                             gint64                 duration_usec)
{
  _spindle_cleanup_report_add_process_step (self, label, outcome, message, duration_usec, 0, NULL);
}

/* As _spindle_cleanup_report_add (), for a step about the process @pid,
 * named @name (a @pid of 0: about none), which the job gave with the step. */
void
_spindle_cleanup_report_add_process_step (SpindleCleanupReport  *self,
                                          const char            *label,
                                          SpindleCleanupOutcome  outcome,
                                          const char            *message,
                                          gint64                 duration_usec,
                                          int                    pid,
                                          const char            *name)
{
  SpindleCleanupStep step = {
    .label = g_strdup (label),
    .outcome = outcome,
    .message = g_strdup (message),
    .duration_usec = duration_usec,
  };
  StepProcess *process;

  g_array_append_val (self->steps, step);

  if (pid <= 0)
    return;

  if (self->processes == NULL)
    {
      self->processes = g_array_new (FALSE, TRUE, sizeof (StepProcess));
      g_array_set_clear_func (self->processes, clear_step_process);
    }
  g_array_set_size (self->processes, self->steps->len);
  process = &g_array_index (self->processes, StepProcess, self->steps->len - 1);
  process->pid = pid;
  process->name = g_strdup (name);
}

void
_spindle_cleanup_report_set_duration (SpindleCleanupReport *self,
                                      gint64                duration_usec)
{
  self->duration_usec = duration_usec;
}

void
_spindle_cleanup_report_note_tainted_lock (SpindleCleanupReport *self)
{
  self->n_tainted_locks++;
}

/**
 * spindle_cleanup_report_get_n_tainted_locks:
 * @report: a report
 *
 * How many tracked locks the worker held when it was cancelled.
 *
 * Returns: the number of locks; each was released and marked tainted
 */
guint
spindle_cleanup_report_get_n_tainted_locks (SpindleCleanupReport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_tainted_locks;
}

/**
 * spindle_cleanup_report_ref:
 * @report: a report
 *
 * Takes a reference to @report.
 *
 * Returns: (transfer full): @report
 */
SpindleCleanupReport *
spindle_cleanup_report_ref (SpindleCleanupReport *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

/**
 * spindle_cleanup_report_unref:
 * @report: (transfer full): a report
 *
 * Drops a reference to @report.
 */
void
spindle_cleanup_report_unref (SpindleCleanupReport *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_array_unref (self->steps);
      g_clear_pointer (&self->processes, g_array_unref);
      g_free (self);
    }
}

/**
 * spindle_cleanup_report_get_n_steps:
 * @report: a report
 *
 * How many steps the report holds.
 *
 * Returns: the number of steps
 */
guint
spindle_cleanup_report_get_n_steps (SpindleCleanupReport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->steps->len;
}

/**
 * spindle_cleanup_report_get_step:
 * @report: a report
 * @position: from 0, in the order the steps ran
 *
 * One step of the report.
 *
 * Returns: (transfer none): the step, valid as long as @report
 */
const SpindleCleanupStep *
spindle_cleanup_report_get_step (SpindleCleanupReport *self,
                                 guint                 position)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (position < self->steps->len, NULL);

  return &g_array_index (self->steps, SpindleCleanupStep, position);
}

/**
 * spindle_cleanup_report_count:
 * @report: a report
 * @outcome: an outcome
 *
 * How many steps had @outcome.
 *
 * Returns: the number of steps
 */
guint
spindle_cleanup_report_count (SpindleCleanupReport  *self,
                              SpindleCleanupOutcome  outcome)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->steps->len; i++)
    n += g_array_index (self->steps, SpindleCleanupStep, i).outcome == outcome;

  return n;
}

/**
 * spindle_cleanup_report_get_duration:
 * @report: a report
 *
 * How long the whole cleanup took.
 *
 * Returns: µs
 */
gint64
spindle_cleanup_report_get_duration (SpindleCleanupReport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->duration_usec;
}

/**
 * spindle_cleanup_report_to_string:
 * @report: a report
 *
 * The report as text, one line per step.
 *
 * Returns: (transfer full): the text
 */
char *
spindle_cleanup_report_to_string (SpindleCleanupReport *self)
{
  static const char * const marks[] = { "✓", "✗", "–" };
  GString *str = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->steps->len; i++)
    {
      const SpindleCleanupStep *step = &g_array_index (self->steps, SpindleCleanupStep, i);

      g_string_append_printf (str, "%s %s (%.1f ms)", marks[step->outcome], step->label,
                              step->duration_usec / 1000.0);
      if (step->message != NULL)
        g_string_append_printf (str, ": %s", step->message);
      g_string_append_c (str, '\n');
    }

  return g_string_free (str, FALSE);
}
