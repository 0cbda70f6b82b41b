/* spindle-worker-details.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-worker-details"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-catalog.h"
#include "spindle-cleanup-step-item.h"
#include "spindle-cleanup-step-row.h"
#include "spindle-clock.h"
#include "spindle-elapsed-label.h"
#include "spindle-event-log.h"
#include "spindle-format.h"
#include "spindle-kernel-view.h"
#include "spindle-log-row.h"
#include "spindle-stack-window.h"
#include "spindle-worker-details.h"

#define COUNTDOWN_INTERVAL_MS 100

/* The labels are bound in the template; what is left here feeds the
 * countdown (a timer), the cleanup list, the event log and the actions.
 */
struct _SpindleWorkerDetails
{
  GtkWidget            parent_instance;

  GtkStack            *stack;
  GtkWidget           *header;
  GtkWidget           *countdown_box;
  GtkLabel            *countdown_label;
  GtkWidget           *stop_button;
  GtkWidget           *cancel_button;
  GtkWidget           *abandon_button;
  GtkScrolledWindow   *scroller;
  SpindleKernelView   *kernel_view;
  GtkLabel            *process_label;
  SpindleProcessInfo  *process;       /* a process worker's, else NULL */
  gulong               process_tick_id;
  SpindleElapsedLabel *elapsed_value;
  GtkLabel            *cleanup_status;
  GtkListBox          *cleanup_list;
  GtkLabel            *cleanup_placeholder;
  GtkListBox          *log_list;

  SpindleWorker       *worker;
  SpindleEventLog     *log;
  GSignalGroup        *worker_signals;
  GSignalGroup        *log_signals;
  guint                countdown_id;
  gboolean             actionable;
};

G_DEFINE_FINAL_TYPE (SpindleWorkerDetails, spindle_worker_details, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKER,
  PROP_ACTIONABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_countdown (SpindleWorkerDetails *self);
static void update_process   (SpindleWorkerDetails *self);

/* Template callbacks ********************************************************/

static gboolean
has_text (gpointer    this,
          const char *text)
{
  return text != NULL && *text != '\0';
}

static char *
state_text (gpointer           this,
            SpindleWorkerState state)
{
  return g_strdup (spindle_format_state_label (state));
}

static char *
pill_text (gpointer           this,
           SpindleWorkerState state,
           gboolean           unresponsive)
{
  return g_strdup (spindle_format_pill_label (state, unresponsive));
}

static char **
pill_classes (gpointer           this,
              SpindleWorkerState state,
              gboolean           unresponsive)
{
  return spindle_format_pill_classes (state, unresponsive);
}

/* A process of a process worker's tree (spindle_worker_is_tree_process ())
 * has a worker row but is no worker: the pane says whose it is, and offers
 * none of a worker's actions, stop reason, progress, deadline or cleanup.
 */
static gboolean
is_tree_process (SpindleWorker *worker)
{
  return worker != NULL && spindle_worker_is_tree_process (worker);
}

static gboolean
is_worker (gpointer       this,
           SpindleWorker *worker)
{
  return !is_tree_process (worker);
}

/* The process worker whose tree the process is in. */
static SpindleWorker *
process_worker_of (SpindleWorker *process)
{
  SpindleWorker *worker = process;

  while (worker != NULL && spindle_worker_is_tree_process (worker))
    worker = spindle_worker_get_parent (worker);

  return worker;
}

static char *
tid_key_text (gpointer       this,
              SpindleWorker *worker)
{
  return g_strdup (is_tree_process (worker) ? _("Process ID") : _("Thread ID"));
}

static char *
kind_text (gpointer       this,
           const char    *kind,
           SpindleWorker *worker)
{
  const char *title = spindle_format_kind_title (kind);
  const SpindleCatalogEntry *entry = kind ? spindle_catalog_lookup (kind) : NULL;

  if (is_tree_process (worker))
    return g_strdup (_("A process of a process worker"));
  if (entry != NULL)
    return g_strdup_printf ("%s — %s", title, _(entry->description));

  return g_strdup (title);
}

/* Said only while it matters: a worker that ended waits for nothing. */
static char *
diagnosis_text (gpointer            this,
                SpindleWorkerState  state,
                gboolean            unresponsive,
                const char         *waiting_for)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (!spindle_worker_state_is_live (state))
    return g_strdup ("");

  if (unresponsive)
    g_string_append (text, _("Unresponsive: the grace period passed and the worker has not ended."));

  if (waiting_for != NULL && *waiting_for != '\0')
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Waiting for %s"), waiting_for);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Only an unresponsive worker is offered Abandon: nothing else can end it. */
static gboolean
can_abandon (gpointer           this,
             SpindleWorkerState state,
             gboolean           unresponsive)
{
  return spindle_format_is_unresponsive (state, unresponsive);
}

static char *
id_text (gpointer this,
         guint64  id)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, id);
}

static char *
tid_text (gpointer this,
          int      tid)
{
  return spindle_format_tid (tid);
}

static char *
reason_text (gpointer          this,
             SpindleStopReason reason)
{
  return g_strdup (spindle_format_reason_label (reason));
}

/* A worker that ended is no longer in its phase: the row says "Last phase". */
static char *
phase_key (gpointer           this,
           SpindleWorkerState state)
{
  return g_strdup (spindle_worker_state_is_live (state) ? _("Phase") : _("Last phase"));
}

static char *
phase_text (gpointer            this,
            const char         *phase,
            SpindleWorkerState  state)
{
  return g_strdup (phase != NULL && *phase != '\0' ? phase : "—");
}

static char *
progress_text (gpointer this,
               double   progress)
{
  return g_strdup_printf (_("%.0f %%"), progress * 100);
}

static char *
started_text (gpointer this,
              gint64   started_at)
{
  g_autoptr(GDateTime) wall = NULL;
  gint64 real;

  if (started_at <= 0)
    return g_strdup ("—");

  real = g_get_real_time () - (g_get_monotonic_time () - started_at);
  wall = g_date_time_new_from_unix_local (real / G_USEC_PER_SEC);

  /* Translators: a time of day for g_date_time_format(); keep it short,
   * it is a column of the log and a line of the side pane */
  return g_date_time_format (wall, _("%H:%M:%S"));
}

/* The deadline is a monotonic time; the countdown shows what is left. */
static char *
deadline_text (gpointer this,
               gint64   deadline,
               gint64   started_at)
{
  g_autofree char *after = NULL;

  if (deadline <= 0)
    return g_strdup (_("none"));

  after = spindle_format_duration (deadline - started_at);

  return g_strdup_printf (_("%s after the start"), after);
}

static char *
parent_text (gpointer       this,
             SpindleWorker *parent)
{
  return g_strdup (parent ? spindle_worker_get_name (parent) : "—");
}

/* Bound to the children's n-items: the engine adds children without a
 * notify of the worker's.
 */
static char *
children_label (gpointer this,
                guint    n_children)
{
  return g_strdup_printf ("%u", n_children);
}

static char *
outcome_heading_text (gpointer      this,
                      GVariant     *result,
                      const GError *error)
{
  if (error != NULL)
    return g_strdup (_("Error"));
  if (result != NULL)
    return g_strdup (_("Result"));

  return g_strdup ("");
}

static char *
outcome_text (gpointer      this,
              GVariant     *result,
              const GError *error)
{
  if (error != NULL)
    return g_strdup (error->message);
  if (result != NULL)
    return spindle_format_variant (result);

  return g_strdup ("");
}

static char **
outcome_classes (gpointer      this,
                 const GError *error)
{
  const char *classes[] = { "outcome", error != NULL ? "error" : NULL, NULL };

  return g_strdupv ((char **) classes);
}

/* The cleanup report ********************************************************/

static GtkWidget *
create_step_row (gpointer item,
                 gpointer user_data)
{
  return spindle_cleanup_step_row_new (item);
}

/* The report once it is there, with each step's duration; until then the
 * steps as they are reported.
 */
static void
bind_cleanup_list (SpindleWorkerDetails *self)
{
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (self->worker);
  g_autoptr(GListModel) model = NULL;

  if (report != NULL)
    model = spindle_cleanup_step_items_from_report (report);
  else
    model = g_object_ref (spindle_event_log_get_steps (self->log));

  gtk_label_set_label (self->cleanup_placeholder,
                       report ? _("No cleanup steps were registered.")
                              : _("The cleanup runs when the worker ends."));
  gtk_list_box_bind_model (self->cleanup_list, model, create_step_row, NULL, NULL);
}

static void
update_cleanup (SpindleWorkerDetails *self)
{
  SpindleWorkerState state = spindle_worker_get_state (self->worker);
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (self->worker);
  const char *classes[] = { "cleanup-status", spindle_format_cleanup_class (state, report), NULL };
  g_autofree char *status = spindle_format_cleanup_status (state, report);

  if (report != NULL && spindle_cleanup_report_get_n_steps (report) > 0)
    {
      g_autofree char *duration = spindle_format_duration (spindle_cleanup_report_get_duration (report));
      g_autofree char *text = g_strdup_printf ("%s · %s", status, duration);

      gtk_label_set_label (self->cleanup_status, text);
    }
  else
    gtk_label_set_label (self->cleanup_status, status);

  gtk_widget_set_css_classes (GTK_WIDGET (self->cleanup_status), classes);
}

/* The event log *************************************************************/

static GtkWidget *
create_log_row (gpointer item,
                gpointer user_data)
{
  return spindle_log_row_new (item);
}

/* Actions *******************************************************************/

static void
stop_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SpindleWorkerDetails *self = SPINDLE_WORKER_DETAILS (widget);

  if (self->worker != NULL)
    spindle_worker_request_stop (self->worker);
}

static void
force_cancel_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  SpindleWorkerDetails *self = SPINDLE_WORKER_DETAILS (widget);

  if (self->worker != NULL)
    spindle_worker_force_cancel (self->worker);
}

/* An abandoned worker's thread runs on, and is the one most worth a look. */
static gboolean
can_show_stack (SpindleWorkerDetails *self,
                SpindleWorkerState    state)
{
  return self->worker != NULL && spindle_worker_get_tid (self->worker) > 0 &&
         (spindle_worker_state_is_live (state) || state == SPINDLE_WORKER_STATE_ABANDONED);
}

static void
show_stack_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  SpindleWorkerDetails *self = SPINDLE_WORKER_DETAILS (widget);

  if (self->worker != NULL)
    spindle_stack_window_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->worker);
}

static void
take_button_name (GtkWidget *button,
                  char      *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_free (label);
}

static void
update_actions (SpindleWorkerDetails *self)
{
  SpindleWorkerState state = self->worker ? spindle_worker_get_state (self->worker) : SPINDLE_WORKER_STATE_FINISHED;
  gboolean act = self->worker != NULL && self->actionable && !is_tree_process (self->worker);
  gboolean unresponsive = act && can_abandon (self, state, spindle_worker_get_unresponsive (self->worker));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.stop", act && spindle_format_can_stop (state));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.force-cancel",
                                 act && spindle_format_can_cancel (state));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "details.show-stack", act && can_show_stack (self, state));
  gtk_widget_set_sensitive (self->abandon_button, unresponsive);
}

static void
name_actions (SpindleWorkerDetails *self)
{
  const char *name = spindle_worker_get_name (self->worker);

  /* Translators: the accessible name of a button, "Stop sleeper 1" */
  take_button_name (self->stop_button, g_strdup_printf (_("Stop %s"), name));
  /* Translators: the accessible name of a button, "Force-Cancel sleeper 1" */
  take_button_name (self->cancel_button, g_strdup_printf (_("Force-Cancel %s"), name));
  /* Translators: the accessible name of a button, "Abandon sleeper 1" */
  take_button_name (self->abandon_button, g_strdup_printf (_("Abandon %s"), name));

  /* the list's own action: one Abandon, wherever it is offered */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->abandon_button),
                                          g_variant_new_uint64 (spindle_worker_get_id (self->worker)));
}

/* Countdown *****************************************************************/

static gboolean
countdown_tick (gpointer data)
{
  update_countdown (data);

  return G_SOURCE_CONTINUE;
}

/* Ticks ten times a second, only while a countdown shows. */
static void
update_countdown (SpindleWorkerDetails *self)
{
  g_autofree char *text = NULL;
  gint64 at = 0;

  if (self->worker != NULL && !spindle_worker_is_terminal (self->worker))
    at = spindle_worker_get_escalation_at (self->worker);

  if (at > 0)
    text = spindle_format_countdown (spindle_worker_get_escalation (self->worker),
                                     at - g_get_monotonic_time ());

  gtk_label_set_label (self->countdown_label, text ? text : "");
  gtk_widget_set_visible (self->countdown_box, text != NULL);

  if (text != NULL && self->countdown_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->countdown_id = g_timeout_add (COUNTDOWN_INTERVAL_MS, countdown_tick, self);
  else if (text == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    g_clear_handle_id (&self->countdown_id, g_source_remove);
}

/* Worker ********************************************************************/

static void
on_notify (SpindleWorker        *worker,
           GParamSpec           *pspec,
           SpindleWorkerDetails *self)
{
  if (pspec->name == g_intern_static_string ("state") ||
      pspec->name == g_intern_static_string ("unresponsive"))
    update_actions (self);

  if (pspec->name == g_intern_static_string ("escalation") ||
      pspec->name == g_intern_static_string ("escalation-at") ||
      pspec->name == g_intern_static_string ("state"))
    update_countdown (self);

  if ((pspec->name == g_intern_static_string ("name") ||
       pspec->name == g_intern_static_string ("kernel-state") ||
       pspec->name == g_intern_static_string ("wait-channel")) && is_tree_process (worker))
    update_process (self);

  if (pspec->name == g_intern_static_string ("state"))
    update_cleanup (self);
  else if (pspec->name == g_intern_static_string ("cleanup-report"))
    {
      update_cleanup (self);
      bind_cleanup_list (self);
    }
}

static void
on_steps_changed (SpindleEventLog      *log,
                  SpindleWorkerDetails *self)
{
  update_cleanup (self);
}

/* Process workers ***********************************************************/

/* What a row of a process is, and where its actions are. */
static void
describe_tree_process (SpindleWorkerDetails *self)
{
  SpindleWorker *worker = process_worker_of (self->worker);
  g_autofree char *text = NULL;

  /* Translators: the side pane of a process under a process worker:
   * its pid, its program, and the process worker's name */
  text = g_strdup_printf (_("Process %d (%s) of the process worker “%s”. It is not a worker of its own: "
                            "Stop and Force-Cancel act on the process worker, whose helper ends "
                            "every process of its tree, and its report names each one."),
                          spindle_worker_get_tid (self->worker), spindle_worker_get_name (self->worker),
                          worker != NULL ? spindle_worker_get_name (worker) : "?");

  /* the kernel view's diagnosis is a thread's, read from this process's
   * tasks: for another process it says nothing true, so the process's
   * state is said here */
  if (spindle_worker_get_kernel_state (self->worker) != NULL)
    {
      g_autofree char *kernel = spindle_format_kernel_long (spindle_worker_get_kernel_state (self->worker),
                                                            spindle_worker_get_wait_channel (self->worker),
                                                            spindle_worker_get_syscall (self->worker));
      g_autofree char *joined = g_strdup_printf ("%s\n%s", text, kernel);

      g_free (g_steal_pointer (&text));
      text = g_steal_pointer (&joined);
    }
  gtk_label_set_text (self->process_label, text);
}

/* "Process 4242 (sh) · CPU 0.12 s · 3.4 MB" and its tree, a line each. */
static void
update_process (SpindleWorkerDetails *self)
{
  const char * const *tree;
  g_autofree char *memory = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GString) text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->process_label),
                          self->process != NULL || is_tree_process (self->worker));
  if (is_tree_process (self->worker))
    {
      describe_tree_process (self);
      return;
    }
  if (self->process == NULL)
    return;

  spindle_process_info_update (self->process);
  if (spindle_process_info_get_pid (self->process) <= 0)
    {
      gtk_label_set_text (self->process_label, _("The process has not started, or has ended."));
      return;
    }

  g_object_get (self->process, "name", &name, NULL);
  memory = g_format_size (spindle_process_info_get_memory (self->process));
  cpu = g_strdup_printf ("%.2f", spindle_process_info_get_cpu_time (self->process) / (double) G_USEC_PER_SEC);
  text = g_string_new (NULL);
  /* Translators: a process worker's process group: its pid, its program,
   * the CPU time (seconds) and resident memory of its whole tree */
  g_string_printf (text, _("Process %d (%s) · CPU %s s · %s"), spindle_process_info_get_pid (self->process),
                   name != NULL ? name : "?", cpu, memory);
  tree = spindle_process_info_get_tree (self->process);
  for (guint i = 0; tree != NULL && tree[i] != NULL; i++)
    g_string_append_printf (text, "\n    %s", tree[i]);
  gtk_label_set_text (self->process_label, text->str);
}

static void
on_process_tick (SpindleClock         *clock,
                 gint64                now,
                 SpindleWorkerDetails *self)
{
  update_process (self);
}

/* The tree is read again each tick while the pane shows a process worker. */
static void
sync_process_ticks (SpindleWorkerDetails *self)
{
  spindle_clock_follow (spindle_clock_get_default (), &self->process_tick_id,
                        self->process != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)),
                        G_CALLBACK (on_process_tick), self);
}

static void
disconnect_worker (SpindleWorkerDetails *self)
{
  if (self->worker == NULL)
    return;

  g_signal_group_set_target (self->worker_signals, NULL);
  g_signal_group_set_target (self->log_signals, NULL);
  gtk_list_box_bind_model (self->log_list, NULL, NULL, NULL, NULL);
  gtk_list_box_bind_model (self->cleanup_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->log);
  g_clear_object (&self->process);
  g_clear_object (&self->worker);
  sync_process_ticks (self);
}

static void
connect_worker (SpindleWorkerDetails *self,
                SpindleWorker        *worker)
{
  self->worker = g_object_ref (worker);
  self->log = g_object_ref (spindle_event_log_ensure (worker));
  g_signal_group_set_target (self->worker_signals, worker);
  g_signal_group_set_target (self->log_signals, self->log);
  gtk_list_box_bind_model (self->log_list, spindle_event_log_get_model (self->log),
                           create_log_row, NULL, NULL);
  g_set_object (&self->process, spindle_process_info_get_for_worker (worker));
  update_process (self);
  sync_process_ticks (self);
}

/* Another worker starts at the top: its name, state and countdown first. */
static void
scroll_to_top (SpindleWorkerDetails *self)
{
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_lower (vadjustment));
}

static void
update_all (SpindleWorkerDetails *self)
{
  spindle_elapsed_label_set_worker (self->elapsed_value, self->worker);
  spindle_kernel_view_set_worker (self->kernel_view, self->worker);
  update_actions (self);
  update_countdown (self);

  if (self->worker == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  name_actions (self);
  update_cleanup (self);
  bind_cleanup_list (self);
  scroll_to_top (self);
  gtk_stack_set_visible_child_name (self->stack, "worker");
}

/* GObject *******************************************************************/

static void
spindle_worker_details_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (spindle_worker_details_parent_class)->map (widget);

  update_countdown (SPINDLE_WORKER_DETAILS (widget));
  sync_process_ticks (SPINDLE_WORKER_DETAILS (widget));
}

static void
spindle_worker_details_unmap (GtkWidget *widget)
{
  SpindleWorkerDetails *self = SPINDLE_WORKER_DETAILS (widget);

  g_clear_handle_id (&self->countdown_id, g_source_remove);

  GTK_WIDGET_CLASS (spindle_worker_details_parent_class)->unmap (widget);
  sync_process_ticks (self);
}

static void
spindle_worker_details_dispose (GObject *object)
{
  SpindleWorkerDetails *self = SPINDLE_WORKER_DETAILS (object);

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  disconnect_worker (self);
  g_clear_object (&self->worker_signals);
  g_clear_object (&self->log_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_WORKER_DETAILS);

  G_OBJECT_CLASS (spindle_worker_details_parent_class)->dispose (object);
}

static void
set_actionable (SpindleWorkerDetails *self,
                gboolean              actionable)
{
  actionable = !!actionable;
  if (self->actionable == actionable)
    return;

  self->actionable = actionable;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIONABLE]);
}

static void
spindle_worker_details_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  SpindleWorkerDetails *self = SPINDLE_WORKER_DETAILS (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      g_value_set_object (value, self->worker);
      break;

    case PROP_ACTIONABLE:
      g_value_set_boolean (value, self->actionable);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_worker_details_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  SpindleWorkerDetails *self = SPINDLE_WORKER_DETAILS (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      spindle_worker_details_set_worker (self, g_value_get_object (value));
      break;

    case PROP_ACTIONABLE:
      set_actionable (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_worker_details_class_init (SpindleWorkerDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_worker_details_dispose;
  object_class->get_property = spindle_worker_details_get_property;
  object_class->set_property = spindle_worker_details_set_property;

  widget_class->map = spindle_worker_details_map;
  widget_class->unmap = spindle_worker_details_unmap;

  properties[PROP_WORKER] =
    g_param_spec_object ("worker", NULL, NULL, SPINDLE_TYPE_WORKER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Whether a request can reach the worker at all: not once the program
   * of a remote set has exited (the panel binds it to
   * SpindleWorkerSet:remote-gone). Every action of the pane waits on it.
   */
  properties[PROP_ACTIONABLE] =
    g_param_spec_boolean ("actionable", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPINDLE_TYPE_ELAPSED_LABEL);
  g_type_ensure (SPINDLE_TYPE_KERNEL_VIEW);

  gtk_widget_class_set_css_name (widget_class, "workerdetails");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-worker-details.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, header);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, countdown_box);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, stop_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, abandon_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, scroller);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, process_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, kernel_view);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, elapsed_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, cleanup_status);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, cleanup_list);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, log_list);
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  gtk_widget_class_bind_template_callback (widget_class, state_text);
  gtk_widget_class_bind_template_callback (widget_class, pill_text);
  gtk_widget_class_bind_template_callback (widget_class, pill_classes);
  gtk_widget_class_bind_template_callback (widget_class, kind_text);
  gtk_widget_class_bind_template_callback (widget_class, is_worker);
  gtk_widget_class_bind_template_callback (widget_class, tid_key_text);
  gtk_widget_class_bind_template_callback (widget_class, diagnosis_text);
  gtk_widget_class_bind_template_callback (widget_class, can_abandon);
  gtk_widget_class_bind_template_callback (widget_class, id_text);
  gtk_widget_class_bind_template_callback (widget_class, tid_text);
  gtk_widget_class_bind_template_callback (widget_class, reason_text);
  gtk_widget_class_bind_template_callback (widget_class, phase_key);
  gtk_widget_class_bind_template_callback (widget_class, phase_text);
  gtk_widget_class_bind_template_callback (widget_class, progress_text);
  gtk_widget_class_bind_template_callback (widget_class, started_text);
  gtk_widget_class_bind_template_callback (widget_class, deadline_text);
  gtk_widget_class_bind_template_callback (widget_class, parent_text);
  gtk_widget_class_bind_template_callback (widget_class, children_label);
  gtk_widget_class_bind_template_callback (widget_class, outcome_heading_text);
  gtk_widget_class_bind_template_callback (widget_class, outcome_text);
  gtk_widget_class_bind_template_callback (widget_class, outcome_classes);

  gtk_widget_class_install_action (widget_class, "details.stop", NULL, stop_activated);
  gtk_widget_class_install_action (widget_class, "details.force-cancel", NULL, force_cancel_activated);
  gtk_widget_class_install_action (widget_class, "details.show-stack", NULL, show_stack_activated);
}

static void
spindle_worker_details_init (SpindleWorkerDetails *self)
{
  self->actionable = TRUE;
  self->worker_signals = g_signal_group_new (SPINDLE_TYPE_WORKER);
  g_signal_group_connect (self->worker_signals, "notify", G_CALLBACK (on_notify), self);
  self->log_signals = g_signal_group_new (SPINDLE_TYPE_EVENT_LOG);
  g_signal_group_connect (self->log_signals, "steps-changed", G_CALLBACK (on_steps_changed), self);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cleanup_placeholder = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->cleanup_placeholder, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->cleanup_placeholder), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->cleanup_placeholder), "placeholder");
  gtk_list_box_set_placeholder (self->cleanup_list, GTK_WIDGET (self->cleanup_placeholder));

  update_all (self);
}

GtkWidget *
spindle_worker_details_new (void)
{
  return g_object_new (SPINDLE_TYPE_WORKER_DETAILS, NULL);
}

SpindleWorker *
spindle_worker_details_get_worker (SpindleWorkerDetails *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_DETAILS (self), NULL);

  return self->worker;
}

void
spindle_worker_details_set_worker (SpindleWorkerDetails *self,
                                   SpindleWorker        *worker)
{
  g_return_if_fail (SPINDLE_IS_WORKER_DETAILS (self));
  g_return_if_fail (worker == NULL || SPINDLE_IS_WORKER (worker));

  if (self->worker == worker)
    return;

  disconnect_worker (self);
  if (worker != NULL)
    connect_worker (self, worker);

  update_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER]);
}
