/* spindle-format.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-format"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "spindle-catalog.h"
#include "spindle-format.h"

/* 64.3 s → "1:04.3", 3725.4 s → "1:02:05.4": tenths, never rounded up, so
 * that a ticking value never runs ahead of the clock.
 */
char *
spindle_format_elapsed (gint64 usec)
{
  gint64 tenths = MAX (usec, 0) / (G_USEC_PER_SEC / 10);
  gint64 seconds = tenths / 10;

  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d%s%d",
                            seconds / 3600, (int) (seconds / 60 % 60),
                            (int) (seconds % 60), localeconv ()->decimal_point, (int) (tenths % 10));

  return g_strdup_printf ("%d:%02d%s%d",
                          (int) (seconds / 60), (int) (seconds % 60),
                          localeconv ()->decimal_point, (int) (tenths % 10));
}

/* A short span for cleanup steps: "35 µs", "12 ms", "1.5 s"; never
 * "0.0 ms" for a step that did take time.
 */
char *
spindle_format_duration (gint64 usec)
{
  if (usec < 1000)
    return g_strdup_printf (_("%d µs"), (int) MAX (usec, 0));
  if (usec < G_USEC_PER_SEC)
    return g_strdup_printf (_("%d ms"), (int) (usec / 1000));

  return g_strdup_printf (_("%.1f s"), usec / (double) G_USEC_PER_SEC);
}

char *
spindle_format_countdown (SpindleEscalation escalation,
                          gint64            remaining_usec)
{
  double seconds = MAX (remaining_usec, 0) / (double) G_USEC_PER_SEC;

  switch (escalation)
    {
    case SPINDLE_ESCALATION_STOP:
      return g_strdup_printf (_("deadline: stop in %.1f s"), seconds);
    case SPINDLE_ESCALATION_CANCEL:
      return g_strdup_printf (_("force-cancel in %.1f s"), seconds);
    case SPINDLE_ESCALATION_UNRESPONSIVE:
      return g_strdup_printf (_("marked unresponsive in %.1f s"), seconds);
    case SPINDLE_ESCALATION_NONE:
    default:
      return NULL;
    }
}

static gboolean
report_tainted (SpindleCleanupReport *report)
{
  return report != NULL && spindle_cleanup_report_get_n_tainted_locks (report) > 0;
}

char *
spindle_format_cleanup_status (SpindleWorkerState    state,
                               SpindleCleanupReport *report)
{
  guint n_failed;

  if (state == SPINDLE_WORKER_STATE_ABANDONED)
    return g_strdup (_("abandoned"));
  if (state == SPINDLE_WORKER_STATE_CLEANING)
    return g_strdup (_("cleaning…"));
  if (report == NULL)
    return g_strdup ("—");
  if (report_tainted (report))
    return g_strdup (_("lock tainted"));

  n_failed = spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_FAILED);
  if (n_failed > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u step failed", "%u steps failed", n_failed),
                            n_failed);

  return g_strdup (_("clean"));
}

const char *
spindle_format_cleanup_class (SpindleWorkerState    state,
                              SpindleCleanupReport *report)
{
  if (state == SPINDLE_WORKER_STATE_ABANDONED)
    return "cleanup-abandoned";
  if (state == SPINDLE_WORKER_STATE_CLEANING)
    return "cleanup-running";
  if (report == NULL)
    return "cleanup-none";
  if (report_tainted (report))
    return "cleanup-tainted";
  if (spindle_cleanup_report_count (report, SPINDLE_CLEANUP_OUTCOME_FAILED) > 0)
    return "cleanup-failed";

  return "cleanup-clean";
}

const char *
spindle_format_state_class (SpindleWorkerState state)
{
  static const char * const classes[SPINDLE_WORKER_N_STATES] = {
    [SPINDLE_WORKER_STATE_STARTING]   = "state-starting",
    [SPINDLE_WORKER_STATE_RUNNING]    = "state-running",
    [SPINDLE_WORKER_STATE_STOPPING]   = "state-stopping",
    [SPINDLE_WORKER_STATE_CANCELLING] = "state-cancelling",
    [SPINDLE_WORKER_STATE_CLEANING]   = "state-cleaning",
    [SPINDLE_WORKER_STATE_FINISHED]   = "state-finished",
    [SPINDLE_WORKER_STATE_FAILED]     = "state-failed",
    [SPINDLE_WORKER_STATE_STOPPED]    = "state-stopped",
    [SPINDLE_WORKER_STATE_CANCELLED]  = "state-cancelled",
    [SPINDLE_WORKER_STATE_ABANDONED]  = "state-abandoned",
  };

  g_return_val_if_fail (state < SPINDLE_WORKER_N_STATES, "state-starting");

  return classes[state];
}

/* The classes of a state pill, in a cell or in the details pane. */
char **
spindle_format_state_pill_classes (SpindleWorkerState state)
{
  const char *classes[] = { "state-pill", spindle_format_state_class (state), NULL };

  return g_strdupv ((char **) classes);
}

/* The engine keeps a worker nothing can reach "cancelling" (or stopping):
 * its pill says what that means, wherever it shows.
 */
gboolean
spindle_format_is_unresponsive (SpindleWorkerState state,
                                gboolean           unresponsive)
{
  return unresponsive && spindle_worker_state_is_live (state);
}

/* "running"; "unresponsive" for a live worker past its last grace. */
const char *
spindle_format_pill_label (SpindleWorkerState state,
                           gboolean           unresponsive)
{
  if (spindle_format_is_unresponsive (state, unresponsive))
    /* Translators: the state pill of a worker that nothing can reach */
    return _("unresponsive");

  return spindle_format_state_label (state);
}

char **
spindle_format_pill_classes (SpindleWorkerState state,
                             gboolean           unresponsive)
{
  const char *classes[] = { "state-pill", spindle_format_state_class (state), NULL, NULL };

  if (spindle_format_is_unresponsive (state, unresponsive))
    classes[2] = "unresponsive";

  return g_strdupv ((char **) classes);
}

const char *
spindle_format_state_label (SpindleWorkerState state)
{
  switch (state)
    {
    case SPINDLE_WORKER_STATE_STARTING:   return _("starting");
    case SPINDLE_WORKER_STATE_RUNNING:    return _("running");
    case SPINDLE_WORKER_STATE_STOPPING:   return _("stopping");
    case SPINDLE_WORKER_STATE_CANCELLING: return _("cancelling");
    case SPINDLE_WORKER_STATE_CLEANING:   return _("cleaning");
    case SPINDLE_WORKER_STATE_FINISHED:   return _("finished");
    case SPINDLE_WORKER_STATE_FAILED:     return _("failed");
    case SPINDLE_WORKER_STATE_STOPPED:    return _("stopped");
    case SPINDLE_WORKER_STATE_CANCELLED:  return _("cancelled");
    case SPINDLE_WORKER_STATE_ABANDONED:  return _("abandoned");
    default:                              return "?";
    }
}

const char *
spindle_format_reason_label (SpindleStopReason reason)
{
  switch (reason)
    {
    case SPINDLE_STOP_REASON_USER:     return _("by the user");
    case SPINDLE_STOP_REASON_TIMEOUT:  return _("deadline passed");
    case SPINDLE_STOP_REASON_PARENT:   return _("by its parent");
    case SPINDLE_STOP_REASON_SHUTDOWN: return _("for shutdown");
    case SPINDLE_STOP_REASON_NONE:
    default:                           return "—";
    }
}

/* A catalogue kind's title, "Sleeper"; an unknown kind as it is. */
const char *
spindle_format_kind_title (const char *kind)
{
  const SpindleCatalogEntry *entry = kind ? spindle_catalog_lookup (kind) : NULL;

  if (entry != NULL)
    return _(entry->title);

  /* Translators: the kinds the engine gives workers itself */
  if (g_strcmp0 (kind, "child") == 0)
    return _("child worker");
  if (g_strcmp0 (kind, "command") == 0)
    return _("command");
  /* one process of a process worker's tree, a row under it */
  if (g_strcmp0 (kind, "process") == 0)
    return _("process");
  if (kind == NULL || g_str_equal (kind, "custom"))
    return _("custom job");

  return kind;
}

/* "1234", or "—" before the thread has one. */
char *
spindle_format_tid (int tid)
{
  return tid > 0 ? g_strdup_printf ("%d", tid) : g_strdup ("—");
}

gboolean
spindle_format_can_stop (SpindleWorkerState state)
{
  return state == SPINDLE_WORKER_STATE_STARTING ||
         state == SPINDLE_WORKER_STATE_RUNNING;
}

gboolean
spindle_format_can_cancel (SpindleWorkerState state)
{
  return state == SPINDLE_WORKER_STATE_STARTING ||
         state == SPINDLE_WORKER_STATE_RUNNING ||
         state == SPINDLE_WORKER_STATE_STOPPING;
}

/* Kernel view ***************************************************************/

/* Live, or abandoned: a detached thread that may still run and burn CPU. */
gboolean
spindle_format_thread_may_run (SpindleWorkerState state)
{
  return spindle_worker_state_is_live (state) || state == SPINDLE_WORKER_STATE_ABANDONED;
}

/* "0.4 %", "12 %", "180 %": percent of one core, so beyond 100 on several. */
char *
spindle_format_cpu_percent (double percent)
{
  /* Translators: a percentage of one core; write it as your language
   * writes percentages (“12 %”, “12%”, “%12”) */
  if (percent < 0.05)
    return g_strdup_printf (_("%.0f %%"), 0.0);
  if (percent < 10)
    return g_strdup_printf (_("%.1f %%"), percent);

  return g_strdup_printf (_("%.0f %%"), percent);
}

/* CPU time in the form of the Elapsed column, "0:46.7", "1:02.5", so that
 * the two compare at a glance wherever either shows.
 */
char *
spindle_format_cpu_time (gint64 nsec)
{
  return spindle_format_elapsed (MAX (nsec, 0) / 1000);
}

/* The letters of /proc/<tid>/stat's third field. */
const char *
spindle_format_kernel_state_name (char kernel_state)
{
  switch (kernel_state)
    {
    case 'R': return C_("kernel state", "running");
    case 'S': return C_("kernel state", "sleeping");
    case 'D': return C_("kernel state", "uninterruptible wait");
    case 'T': return C_("kernel state", "stopped");
    case 't': return C_("kernel state", "traced");
    case 'Z': return C_("kernel state", "zombie");
    case 'X': return C_("kernel state", "dead");
    case 'I': return C_("kernel state", "idle");
    case 'P': return C_("kernel state", "parked");
    case 0:   return C_("kernel state", "not sampled");
    default:  return C_("kernel state", "unknown");
    }
}

static gboolean
is_meaningful (const char *text)
{
  return text != NULL && *text != '\0' && g_strcmp0 (text, "0") != 0;
}

/* "S (sleeping)"; NULL when not sampled. */
char *
spindle_format_kernel_state (const char *kernel_state)
{
  if (kernel_state == NULL || *kernel_state == '\0')
    return NULL;

  return g_strdup_printf ("%s (%s)", kernel_state, spindle_format_kernel_state_name (kernel_state[0]));
}

/* Where it waits: the wait channel, or else the system call. */
static const char *
kernel_detail (const char *wait_channel,
               const char *syscall)
{
  if (is_meaningful (wait_channel))
    return wait_channel;
  if (is_meaningful (syscall))
    return syscall;

  return NULL;
}

/* "S · hrtimer_nanosleep", "R · running", "—" when not sampled. */
char *
spindle_format_kernel_short (const char *kernel_state,
                             const char *wait_channel,
                             const char *syscall)
{
  const char *detail = kernel_detail (wait_channel, syscall);

  if (!is_meaningful (kernel_state))
    return g_strdup ("—");
  if (detail == NULL)
    return g_strdup (kernel_state);

  return g_strdup_printf ("%s · %s", kernel_state, detail);
}

/* "S (sleeping) in hrtimer_nanosleep, system call nanosleep". */
char *
spindle_format_kernel_long (const char *kernel_state,
                            const char *wait_channel,
                            const char *syscall)
{
  g_autofree char *state = NULL;
  g_autoptr(GString) text = NULL;

  if (!is_meaningful (kernel_state))
    return g_strdup (_("Not sampled: the kernel state is read for the rows on screen"));

  state = spindle_format_kernel_state (kernel_state);
  text = g_string_new (state);
  if (is_meaningful (wait_channel))
    g_string_append_printf (text, _(" in %s"), wait_channel);
  if (is_meaningful (syscall) && g_strcmp0 (syscall, "running") != 0)
    g_string_append_printf (text, _(", system call %s"), syscall);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* "CPU 12 % · 38.2 MB · 24 threads · 8 CPUs · load 0.52" */
char *
spindle_format_process_status (double  cpu_percent,
                               guint64 resident,
                               guint   n_threads,
                               guint   n_cpus,
                               double  load_average)
{
  g_autofree char *cpu = spindle_format_cpu_percent (cpu_percent);
  g_autofree char *memory = g_format_size (resident);
  g_autofree char *threads = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thread", "%u threads", n_threads),
                                              n_threads);
  g_autofree char *cpus = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u CPU", "%u CPUs", n_cpus), n_cpus);

  /* Translators: process CPU, resident memory, threads, CPUs, 1-minute load */
  return g_strdup_printf (_("CPU %s · %s · %s · %s · load %.2f"), cpu, memory, threads, cpus, load_average);
}

const char *
spindle_format_reach_title (SpindleReach reach)
{
  switch (reach)
    {
    case SPINDLE_REACH_STOP:       return _("A stop reaches it at once");
    case SPINDLE_REACH_CANCEL:     return _("Only force-cancel reaches it");
    case SPINDLE_REACH_NEXT_CHECK: return _("It sees a stop at its next check");
    case SPINDLE_REACH_NOTHING:    return _("Nothing can reach it");
    case SPINDLE_REACH_UNKNOWN:    return _("Spindle cannot tell what reaches it");
    case SPINDLE_REACH_NONE:
    default:                       return "";
    }
}

const char *
spindle_format_reach_icon (SpindleReach reach)
{
  switch (reach)
    {
    case SPINDLE_REACH_STOP:       return "emblem-ok-symbolic";
    case SPINDLE_REACH_CANCEL:     return "process-stop-symbolic";
    case SPINDLE_REACH_NEXT_CHECK: return "alarm-symbolic";
    case SPINDLE_REACH_NOTHING:    return "dialog-warning-symbolic";
    case SPINDLE_REACH_UNKNOWN:    return "dialog-question-symbolic";
    case SPINDLE_REACH_NONE:
    default:                       return "dialog-information-symbolic";
    }
}

const char *
spindle_format_reach_class (SpindleReach reach)
{
  switch (reach)
    {
    case SPINDLE_REACH_STOP:       return "reach-stop";
    case SPINDLE_REACH_CANCEL:     return "reach-cancel";
    case SPINDLE_REACH_NEXT_CHECK: return "reach-next-check";
    case SPINDLE_REACH_NOTHING:    return "reach-nothing";
    case SPINDLE_REACH_UNKNOWN:    return "reach-unknown";
    case SPINDLE_REACH_NONE:
    default:                       return "reach-none";
    }
}

static void append_variant (GString  *text,
                            GVariant *value);

static void
append_container (GString    *text,
                  GVariant   *value,
                  const char *open,
                  const char *close)
{
  gsize n = g_variant_n_children (value);

  g_string_append (text, open);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (value, i);

      if (i > 0)
        g_string_append (text, ", ");
      append_variant (text, child);
    }
  g_string_append (text, close);
}

static void
append_variant (GString  *text,
                GVariant *value)
{
  g_autofree char *printed = NULL;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE_SIGNATURE))
    g_string_append (text, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (value);

      append_variant (text, inner);
    }
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (text, g_variant_get_boolean (value) ? _("yes") : _("no"));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_TUPLE) ||
           g_variant_is_of_type (value, G_VARIANT_TYPE_DICT_ENTRY))
    append_container (text, value, "(", ")");
  else if (g_variant_is_container (value) && !g_variant_is_of_type (value, G_VARIANT_TYPE_MAYBE))
    append_container (text, value, "[", "]");
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_MAYBE))
    {
      g_autoptr(GVariant) inner = g_variant_get_maybe (value);

      if (inner != NULL)
        append_variant (text, inner);
      else
        g_string_append (text, "—");
    }
  else
    {
      /* numbers and handles: without the type annotation ("uint32 43") */
      printed = g_variant_print (value, FALSE);
      g_string_append (text, printed);
    }
}

/* A worker's result for people: 43, all 100 steps done, (3, done), [1, 2]. */
char *
spindle_format_variant (GVariant *value)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (value == NULL)
    return g_strdup ("—");

  append_variant (text, value);

  return g_string_free (g_steal_pointer (&text), FALSE);
}
