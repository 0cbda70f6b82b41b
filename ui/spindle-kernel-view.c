/* spindle-kernel-view.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-format.h"
#include "spindle-kernel-view.h"
#include "spindle-timeline.h"

struct _SpindleKernelView
{
  GtkWidget        parent_instance;

  GtkWidget       *box;       /* the root: bound for dispose_template to unparent */
  GtkWidget       *why_box;
  GtkWidget       *reach_box;
  GtkImage        *reach_icon;
  GtkLabel        *reach_title;
  GtkLabel        *summary_label;
  GtkLabel        *advice_label;
  GtkWidget       *kernel_state_key;
  GtkLabel        *kernel_state_value;
  GtkWidget       *wait_channel_key;
  GtkLabel        *wait_channel_value;
  GtkWidget       *syscall_key;
  GtkLabel        *syscall_value;
  GtkLabel        *cpu_time_value;
  GtkWidget       *cpu_key;
  GtkLabel        *cpu_value;
  SpindleTimeline *timeline;

  SpindleWorker   *worker;
  GSignalGroup    *worker_signals;
};

G_DEFINE_FINAL_TYPE (SpindleKernelView, spindle_kernel_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_WORKER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Sections ******************************************************************/

static void
set_text (GtkLabel   *label,
          const char *text)
{
  gtk_label_set_label (label, text != NULL && *text != '\0' ? text : "—");
}

static void
take_text (GtkLabel *label,
           char     *text)
{
  set_text (label, text);
  g_free (text);
}

static void
take_label (GtkLabel *label,
            char     *text)
{
  gtk_label_set_label (label, text);
  g_free (text);
}

/* The table's phrases, "blocked on a futex", shown as sentences. */
static char *
sentence (const char *phrase)
{
  g_autoptr(GString) text = g_string_new (phrase);
  /* Translators: ends a phrase of the diagnosis shown as a sentence */
  const char *full_stop = C_("sentence end", ".");

  if (text->len == 0)
    return g_string_free (g_steal_pointer (&text), FALSE);

  text->str[0] = g_ascii_toupper (text->str[0]);
  if (!g_str_has_suffix (text->str, ".") && !g_str_has_suffix (text->str, full_stop))
    g_string_append (text, full_stop);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update_why (SpindleKernelView *self)
{
  /* one fresh read: a sample cannot tell a futex wait's caller or a poll's set */
  g_autoptr(SpindleDiagnosis) diagnosis = spindle_worker_diagnose_now (self->worker);
  gboolean shown = diagnosis != NULL && diagnosis->summary != NULL &&
                   spindle_format_thread_may_run (spindle_worker_get_state (self->worker));
  const char *classes[] = { "reach", NULL, NULL };
  const char *title;

  gtk_widget_set_visible (self->why_box, shown);
  if (!shown)
    return;

  title = spindle_format_reach_title (diagnosis->reach);
  classes[1] = spindle_format_reach_class (diagnosis->reach);
  gtk_widget_set_css_classes (self->reach_box, classes);
  gtk_image_set_from_icon_name (self->reach_icon, spindle_format_reach_icon (diagnosis->reach));
  gtk_label_set_label (self->reach_title, title);
  gtk_widget_set_visible (GTK_WIDGET (self->reach_title), *title != '\0');
  take_label (self->summary_label, sentence (diagnosis->summary));
  take_label (self->advice_label, sentence (diagnosis->advice ? diagnosis->advice : ""));
  gtk_widget_set_visible (GTK_WIDGET (self->advice_label), diagnosis->advice && *diagnosis->advice);
}

static char *
format_cpu (SpindleWorker *worker)
{
  g_autofree char *percent = spindle_format_cpu_percent (spindle_worker_get_cpu_percent (worker));

  if (spindle_worker_get_in_compute (worker))
    /* Translators: "98 % of one core, in a compute region" */
    return g_strdup_printf (_("%s of one core, in a compute region"), percent);

  /* Translators: "3.5 % of one core" */
  return g_strdup_printf (_("%s of one core"), percent);
}

static void
show_row (GtkWidget *key,
          GtkLabel  *value,
          gboolean   visible)
{
  gtk_widget_set_visible (key, visible);
  gtk_widget_set_visible (GTK_WIDGET (value), visible);
}

/* Once its thread is gone, only the CPU time it used is left to show. */
static void
update_kernel (SpindleKernelView *self)
{
  SpindleWorker *w = self->worker;
  g_autofree char *kernel_state = NULL;
  gboolean may_run = spindle_format_thread_may_run (spindle_worker_get_state (w));

  show_row (self->kernel_state_key, self->kernel_state_value, may_run);
  show_row (self->wait_channel_key, self->wait_channel_value, may_run);
  show_row (self->syscall_key, self->syscall_value, may_run);
  show_row (self->cpu_key, self->cpu_value, may_run);
  take_text (self->cpu_time_value, spindle_format_cpu_time (spindle_worker_get_cpu_time (w)));

  if (!may_run)
    return;

  kernel_state = spindle_format_kernel_state (spindle_worker_get_kernel_state (w));
  set_text (self->kernel_state_value, kernel_state ? kernel_state : _("not sampled yet"));

  set_text (self->wait_channel_value, spindle_worker_get_wait_channel (w));
  set_text (self->syscall_value, spindle_worker_get_syscall (w));
  take_text (self->cpu_value, format_cpu (w));
}

static void
update_all (SpindleKernelView *self)
{
  spindle_timeline_set_worker (self->timeline, self->worker);

  if (self->worker == NULL)
    return;

  update_why (self);
  update_kernel (self);
}

/* The sampler notifies several figures a tick: only those shown count,
 * and the CPU figures leave the diagnosis as it is.
 */
static void
on_notify (SpindleWorker     *worker,
           GParamSpec        *pspec,
           SpindleKernelView *self)
{
  static const char * const diagnosed[] = {
    "state", "kernel-state", "wait-channel", "syscall", "in-compute", NULL
  };
  static const char * const figures[] = { "cpu-time", "cpu-percent", NULL };
  gboolean changes_diagnosis = g_strv_contains (diagnosed, pspec->name);

  if (!changes_diagnosis && !g_strv_contains (figures, pspec->name))
    return;

  if (changes_diagnosis)
    update_why (self);
  update_kernel (self);
}

/* GObject *******************************************************************/

static void
spindle_kernel_view_dispose (GObject *object)
{
  SpindleKernelView *self = SPINDLE_KERNEL_VIEW (object);

  spindle_kernel_view_set_worker (self, NULL);
  g_clear_object (&self->worker_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_KERNEL_VIEW);

  G_OBJECT_CLASS (spindle_kernel_view_parent_class)->dispose (object);
}

static void
spindle_kernel_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SpindleKernelView *self = SPINDLE_KERNEL_VIEW (object);

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
spindle_kernel_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SpindleKernelView *self = SPINDLE_KERNEL_VIEW (object);

  switch (prop_id)
    {
    case PROP_WORKER:
      spindle_kernel_view_set_worker (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_kernel_view_class_init (SpindleKernelViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_kernel_view_dispose;
  object_class->get_property = spindle_kernel_view_get_property;
  object_class->set_property = spindle_kernel_view_set_property;

  properties[PROP_WORKER] =
    g_param_spec_object ("worker", NULL, NULL, SPINDLE_TYPE_WORKER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPINDLE_TYPE_TIMELINE);

  gtk_widget_class_set_css_name (widget_class, "kernelview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-kernel-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, box);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, why_box);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, reach_box);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, reach_icon);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, reach_title);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, advice_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, kernel_state_key);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, kernel_state_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, wait_channel_key);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, wait_channel_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, syscall_key);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, syscall_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, cpu_time_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, cpu_key);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, cpu_value);
  gtk_widget_class_bind_template_child (widget_class, SpindleKernelView, timeline);
}

static void
spindle_kernel_view_init (SpindleKernelView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->worker_signals = g_signal_group_new (SPINDLE_TYPE_WORKER);
  g_signal_group_connect (self->worker_signals, "notify", G_CALLBACK (on_notify), self);
}

GtkWidget *
spindle_kernel_view_new (void)
{
  return g_object_new (SPINDLE_TYPE_KERNEL_VIEW, NULL);
}

SpindleWorker *
spindle_kernel_view_get_worker (SpindleKernelView *self)
{
  g_return_val_if_fail (SPINDLE_IS_KERNEL_VIEW (self), NULL);

  return self->worker;
}

void
spindle_kernel_view_set_worker (SpindleKernelView *self,
                                SpindleWorker     *worker)
{
  g_return_if_fail (SPINDLE_IS_KERNEL_VIEW (self));
  g_return_if_fail (worker == NULL || SPINDLE_IS_WORKER (worker));

  if (!g_set_object (&self->worker, worker))
    return;

  g_signal_group_set_target (self->worker_signals, worker);
  update_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKER]);
}
