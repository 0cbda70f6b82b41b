/* spindle-worker-details.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-elapsed-label.h"
#include "spindle-event-log.h"
#include "spindle-format.h"
#include "spindle-kernel-view.h"
#include "spindle-worker-details.h"

#define COUNTDOWN_INTERVAL_MS 100

struct _SpindleWorkerDetails
{
  GtkWidget            parent_instance;

  GtkStack            *stack;
  GtkLabel            *name_label;
  GtkLabel            *state_pill;
  GtkLabel            *kind_label;
  GtkWidget           *countdown_box;
  GtkLabel            *countdown_label;
  GtkLabel            *diagnosis_label;
  SpindleKernelView   *kernel_view;
  GtkLabel            *id_value;
  GtkLabel            *tid_value;
  GtkLabel            *state_value;
  GtkLabel            *reason_value;
  GtkLabel            *phase_value;
  GtkLabel            *progress_value;
  GtkLabel            *started_value;
  SpindleElapsedLabel *elapsed_value;
  GtkLabel            *deadline_value;
  GtkLabel            *parent_value;
  GtkLabel            *cleanup_status;
  GtkListBox          *cleanup_list;
  GtkLabel            *outcome_heading;
  GtkLabel            *outcome_label;
  GtkListBox          *log_list;

  SpindleWorker       *worker;
  SpindleEventLog     *log;
  GSignalGroup        *worker_signals;
  GSignalGroup        *log_signals;
  guint                countdown_id;
};

G_DEFINE_FINAL_TYPE (SpindleWorkerDetails, spindle_worker_details, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_countdown (SpindleWorkerDetails *self);

/* Formatting ****************************************************************/

static char *
format_started (gint64 started_at)
{
  g_autoptr(GDateTime) wall = NULL;
  gint64 real;

  if (started_at <= 0)
    return g_strdup ("—");

  real = g_get_real_time () - (g_get_monotonic_time () - started_at);
  wall = g_date_time_new_from_unix_local (real / G_USEC_PER_SEC);

  return g_date_time_format (wall, "%H:%M:%S");
}

static char *
format_kind (SpindleWorker *worker)
{
  const char *kind = spindle_worker_get_kind (worker);
  const char *title = spindle_format_kind_title (kind);
  const SpindleCatalogEntry *entry = kind ? spindle_catalog_lookup (kind) : NULL;

  if (entry != NULL)
    return g_strdup_printf ("%s — %s", title, entry->description);

  return g_strdup (title);
}

/* The deadline is a monotonic time; the countdown shows what is left. */
static char *
format_deadline (SpindleWorker *worker)
{
  gint64 deadline = spindle_worker_get_deadline (worker);
  gint64 started_at = spindle_worker_get_started_at (worker);
  g_autofree char *after = NULL;

  if (deadline <= 0)
    return g_strdup (_("none"));

  after = spindle_format_duration (deadline - started_at);

  return g_strdup_printf (_("%s after the start"), after);
}

static char *
format_parent (SpindleWorker *worker)
{
  SpindleWorker *parent = spindle_worker_get_parent (worker);

  return g_strdup (parent ? spindle_worker_get_name (parent) : "—");
}

static void
set_label_printf (GtkLabel   *label,
                  const char *format,
                  ...) G_GNUC_PRINTF (2, 3);

static void
set_label_printf (GtkLabel   *label,
                  const char *format,
                  ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  gtk_label_set_label (label, text);
}

static void
take_label (GtkLabel *label,
            char     *text)
{
  gtk_label_set_label (label, text);
  g_free (text);
}

static void
set_state_pill (GtkLabel           *label,
                SpindleWorkerState  state)
{
  g_auto(GStrv) classes = spindle_format_state_pill_classes (state);

  gtk_label_set_label (label, spindle_format_state_label (state));
  gtk_widget_set_css_classes (GTK_WIDGET (label), (const char **) classes);
}

/* Sections ******************************************************************/

static void
update_header (SpindleWorkerDetails *self)
{
  SpindleWorkerState state = spindle_worker_get_state (self->worker);

  gtk_label_set_label (self->name_label, spindle_worker_get_name (self->worker));
  take_label (self->kind_label, format_kind (self->worker));
  set_state_pill (self->state_pill, state);
}

static void
update_properties (SpindleWorkerDetails *self)
{
  SpindleWorker *w = self->worker;
  const char *phase = spindle_worker_get_phase (w);

  set_label_printf (self->id_value, "%" G_GUINT64_FORMAT, spindle_worker_get_id (w));
  take_label (self->tid_value, spindle_format_tid (spindle_worker_get_tid (w)));
  gtk_label_set_label (self->state_value, spindle_format_state_label (spindle_worker_get_state (w)));
  gtk_label_set_label (self->reason_value, spindle_format_reason_label (spindle_worker_get_stop_reason (w)));
  gtk_label_set_label (self->phase_value, phase && *phase ? phase : "—");
  set_label_printf (self->progress_value, "%.0f %%", spindle_worker_get_progress (w) * 100);
  take_label (self->started_value, format_started (spindle_worker_get_started_at (w)));
  take_label (self->deadline_value, format_deadline (w));
  take_label (self->parent_value, format_parent (w));
}

/* Bound in the .ui to the children's n-items: the engine adds children
 * without a notify of the worker's.
 */
static char *
children_label (gpointer this,
                guint    n_children)
{
  return g_strdup_printf ("%u", n_children);
}

static void
update_diagnosis (SpindleWorkerDetails *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *waiting_for = spindle_worker_get_waiting_for (self->worker);
  gboolean live = !spindle_worker_is_terminal (self->worker);

  if (live && spindle_worker_get_unresponsive (self->worker))
    g_string_append (text, _("Unresponsive: the grace period passed and the worker has not ended."));

  if (live && waiting_for != NULL && *waiting_for != '\0')
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Waiting for %s"), waiting_for);
    }

  gtk_label_set_label (self->diagnosis_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->diagnosis_label), text->len > 0);
}

static void
update_outcome (SpindleWorkerDetails *self)
{
  GVariant *result = spindle_worker_get_result (self->worker);
  const GError *error = spindle_worker_get_error (self->worker);
  gboolean visible = result != NULL || error != NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_label), "error");

  if (error != NULL)
    {
      gtk_label_set_label (self->outcome_heading, _("Error"));
      gtk_label_set_label (self->outcome_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->outcome_label), "error");
    }
  else if (result != NULL)
    {
      gtk_label_set_label (self->outcome_heading, _("Result"));
      take_label (self->outcome_label, g_variant_print (result, TRUE));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->outcome_heading), visible);
  gtk_widget_set_visible (GTK_WIDGET (self->outcome_label), visible);
}

/* The cleanup report ********************************************************/

static GtkWidget *
create_step_row (const SpindleCleanupStep *step)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *glyph = gtk_label_new (NULL);
  GtkWidget *label = gtk_label_new (step->label);
  const char *outcome_text;

  switch (step->outcome)
    {
    case SPINDLE_CLEANUP_OUTCOME_OK:
      gtk_label_set_label (GTK_LABEL (glyph), "✓");
      gtk_widget_add_css_class (glyph, "step-ok");
      outcome_text = _("succeeded");
      break;
    case SPINDLE_CLEANUP_OUTCOME_FAILED:
      gtk_label_set_label (GTK_LABEL (glyph), "✗");
      gtk_widget_add_css_class (glyph, "step-failed");
      outcome_text = _("failed");
      break;
    case SPINDLE_CLEANUP_OUTCOME_NOT_RUN:
    default:
      gtk_label_set_label (GTK_LABEL (glyph), "–");
      gtk_widget_add_css_class (glyph, "step-not-run");
      outcome_text = _("not run");
      break;
    }

  gtk_widget_set_valign (glyph, GTK_ALIGN_START);
  gtk_widget_add_css_class (box, "step");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), label);

  if (step->message != NULL && *step->message != '\0')
    {
      GtkWidget *message = gtk_label_new (step->message);

      gtk_label_set_xalign (GTK_LABEL (message), 0);
      gtk_label_set_wrap (GTK_LABEL (message), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (message), PANGO_WRAP_WORD_CHAR);
      gtk_widget_add_css_class (message, "caption");
      gtk_widget_add_css_class (message, step->outcome == SPINDLE_CLEANUP_OUTCOME_FAILED ? "error" : "dim-label");
      gtk_box_append (GTK_BOX (texts), message);
    }

  gtk_box_append (GTK_BOX (box), glyph);
  gtk_box_append (GTK_BOX (box), texts);

  if (step->duration_usec >= 0)
    {
      g_autofree char *text = spindle_format_duration (step->duration_usec);
      GtkWidget *duration = gtk_label_new (text);

      gtk_widget_set_valign (duration, GTK_ALIGN_START);
      gtk_widget_add_css_class (duration, "numeric");
      gtk_widget_add_css_class (duration, "dim-label");
      gtk_box_append (GTK_BOX (box), duration);
    }

  gtk_accessible_update_property (GTK_ACCESSIBLE (box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, step->label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, outcome_text,
                                  -1);
  return box;
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
add_placeholder_row (GtkListBox *list,
                     const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_list_box_append (list, label);
}

static void
fill_cleanup_list (SpindleWorkerDetails *self)
{
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (self->worker);
  guint n;

  clear_list (self->cleanup_list);

  if (report != NULL)
    {
      n = spindle_cleanup_report_get_n_steps (report);
      for (guint i = 0; i < n; i++)
        gtk_list_box_append (self->cleanup_list, create_step_row (spindle_cleanup_report_get_step (report, i)));
    }
  else
    {
      n = spindle_event_log_get_n_steps (self->log);
      for (guint i = 0; i < n; i++)
        gtk_list_box_append (self->cleanup_list, create_step_row (spindle_event_log_get_step (self->log, i)));
    }

  if (n == 0)
    add_placeholder_row (self->cleanup_list,
                         report ? _("No cleanup steps were registered.")
                                : _("The cleanup runs when the worker ends."));
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
  fill_cleanup_list (self);
}

/* The event log *************************************************************/

static GtkWidget *
create_log_row (gpointer item,
                gpointer user_data)
{
  const char *line = gtk_string_object_get_string (item);
  g_auto(GStrv) parts = g_strsplit (line, "\t", 3);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *time = gtk_label_new (parts[0]);
  GtkWidget *since = gtk_label_new (parts[1] ? parts[1] : "");
  GtkWidget *text = gtk_label_new (parts[1] && parts[2] ? parts[2] : "");

  gtk_widget_add_css_class (box, "log-entry");
  gtk_widget_add_css_class (time, "numeric");
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_set_valign (time, GTK_ALIGN_START);
  gtk_widget_add_css_class (since, "numeric");
  gtk_widget_add_css_class (since, "dim-label");
  gtk_widget_set_valign (since, GTK_ALIGN_START);
  gtk_label_set_xalign (GTK_LABEL (since), 1);
  gtk_label_set_width_chars (GTK_LABEL (since), 10);
  gtk_label_set_xalign (GTK_LABEL (text), 0);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (text, TRUE);

  gtk_box_append (GTK_BOX (box), time);
  gtk_box_append (GTK_BOX (box), since);
  gtk_box_append (GTK_BOX (box), text);

  return box;
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

/* The sampler's figures change on every tick: the kernel view shows them. */
static gboolean
is_sampled_property (GParamSpec *pspec)
{
  static const char * const names[] = {
    "cpu-time", "cpu-percent", "kernel-state", "wait-channel", "syscall", "in-compute", NULL
  };

  return g_strv_contains (names, pspec->name);
}

static void
update_sections (SpindleWorkerDetails *self)
{
  update_header (self);
  update_properties (self);
  update_diagnosis (self);
  update_outcome (self);
  update_countdown (self);
}

static void
on_notify (SpindleWorker        *worker,
           GParamSpec           *pspec,
           SpindleWorkerDetails *self)
{
  if (is_sampled_property (pspec))
    return;

  update_sections (self);

  if (g_strcmp0 (pspec->name, "state") == 0 || g_strcmp0 (pspec->name, "cleanup-report") == 0)
    update_cleanup (self);
}

static void
on_steps_changed (SpindleEventLog      *log,
                  SpindleWorkerDetails *self)
{
  update_cleanup (self);
}

static void
disconnect_worker (SpindleWorkerDetails *self)
{
  if (self->worker == NULL)
    return;

  g_signal_group_set_target (self->worker_signals, NULL);
  g_signal_group_set_target (self->log_signals, NULL);
  gtk_list_box_bind_model (self->log_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->log);
  g_clear_object (&self->worker);
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
}

static void
update_all (SpindleWorkerDetails *self)
{
  spindle_elapsed_label_set_worker (self->elapsed_value, self->worker);
  spindle_kernel_view_set_worker (self->kernel_view, self->worker);

  if (self->worker == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      update_countdown (self);
      return;
    }

  update_sections (self);
  update_cleanup (self);
  gtk_stack_set_visible_child_name (self->stack, "worker");
}

/* GObject *******************************************************************/

static void
spindle_worker_details_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (spindle_worker_details_parent_class)->map (widget);

  update_countdown (SPINDLE_WORKER_DETAILS (widget));
}

static void
spindle_worker_details_unmap (GtkWidget *widget)
{
  SpindleWorkerDetails *self = SPINDLE_WORKER_DETAILS (widget);

  g_clear_handle_id (&self->countdown_id, g_source_remove);

  GTK_WIDGET_CLASS (spindle_worker_details_parent_class)->unmap (widget);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPINDLE_TYPE_ELAPSED_LABEL);
  g_type_ensure (SPINDLE_TYPE_KERNEL_VIEW);

  gtk_widget_class_set_css_name (widget_class, "workerdetails");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-worker-details.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, name_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, state_pill);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, kind_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, countdown_box);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, countdown_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, diagnosis_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, kernel_view);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, id_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, tid_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, state_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, reason_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, phase_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, progress_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, started_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, elapsed_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, deadline_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, parent_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, cleanup_status);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, cleanup_list);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, outcome_heading);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, outcome_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWorkerDetails, log_list);
  gtk_widget_class_bind_template_callback (widget_class, children_label);
}

static void
spindle_worker_details_init (SpindleWorkerDetails *self)
{
  self->worker_signals = g_signal_group_new (SPINDLE_TYPE_WORKER);
  g_signal_group_connect (self->worker_signals, "notify", G_CALLBACK (on_notify), self);
  self->log_signals = g_signal_group_new (SPINDLE_TYPE_EVENT_LOG);
  g_signal_group_connect (self->log_signals, "steps-changed", G_CALLBACK (on_steps_changed), self);

  gtk_widget_init_template (GTK_WIDGET (self));
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
