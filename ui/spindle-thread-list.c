/* spindle-thread-list.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-clock.h"
#include "spindle-format.h"
#include "spindle-stack-window.h"
#include "spindle-thread-list.h"

struct _SpindleThreadList
{
  GtkWidget         parent_instance;

  GtkExpander      *threads_expander;
  GtkColumnView    *threads_view;
  GtkSortListModel *threads_sort_model;
  GtkNumericSorter *threads_cpu_sorter;
  GtkStringSorter  *threads_kernel_sorter;

  gulong            tick_id;
};

G_DEFINE_FINAL_TYPE (SpindleThreadList, spindle_thread_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_EXPANDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Cells *********************************************************************/

static char *
threads_title (gpointer this,
               guint    n_items)
{
  /* Translators: the heading of the list of threads Spindle did not start */
  return g_strdup_printf (_("Other Threads of This Process (%u)"), n_items);
}

static char *
tid_label (gpointer this,
           int      tid)
{
  return spindle_format_tid (tid);
}

static char *
thread_cpu_label (gpointer this,
                  double   percent)
{
  return spindle_format_cpu_percent (percent);
}

static char *
thread_kernel_label (gpointer    this,
                     const char *kernel_state)
{
  char *text = spindle_format_kernel_state (kernel_state);

  return text ? text : g_strdup ("—");
}

/* Headers *******************************************************************/

/* GTK 4.8 has no tooltip on a column: the header's title buttons, in
 * the columns' order, take them.
 */
static void
set_header_tooltips (SpindleThreadList *self)
{
  static const char * const tooltips[] = {
    N_("The thread’s name, as set by the code that started it"),
    N_("The kernel’s thread ID"),
    N_("CPU used since the last refresh, as a percentage of one core"),
    N_("The thread’s state in the kernel"),
  };
  GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (self->threads_view));
  GtkWidget *title = header ? gtk_widget_get_first_child (header) : NULL;

  for (guint i = 0; title != NULL && i < G_N_ELEMENTS (tooltips); i++, title = gtk_widget_get_next_sibling (title))
    gtk_widget_set_tooltip_text (title, _(tooltips[i]));
}

/* Ticks *********************************************************************/

/* Figures change in place: a sort by them needs telling. */
static void
on_tick (SpindleClock      *clock,
         gint64             now,
         SpindleThreadList *self)
{
  gtk_sorter_changed (GTK_SORTER (self->threads_cpu_sorter), GTK_SORTER_CHANGE_DIFFERENT);
  gtk_sorter_changed (GTK_SORTER (self->threads_kernel_sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
sync_ticks (SpindleThreadList *self)
{
  spindle_clock_follow (spindle_clock_get_default (), &self->tick_id,
                        gtk_widget_get_mapped (GTK_WIDGET (self)) &&
                        gtk_expander_get_expanded (self->threads_expander),
                        G_CALLBACK (on_tick), self);
}

static void
on_expanded (SpindleThreadList *self)
{
  sync_ticks (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPANDED]);
}

/* Any thread of the process has a stack to look at, not only workers. */
static void
thread_activated (GtkColumnView *view,
                  guint          position,
                  gpointer       data)
{
  g_autoptr(SpindleThreadInfo) thread = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)), position);

  if (thread != NULL)
    spindle_stack_window_new_for_tid (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (view))),
                                      spindle_thread_info_get_tid (thread),
                                      spindle_thread_info_get_name (thread));
}

/* GObject *******************************************************************/

static void
spindle_thread_list_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (spindle_thread_list_parent_class)->map (widget);

  sync_ticks (SPINDLE_THREAD_LIST (widget));
}

static void
spindle_thread_list_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (spindle_thread_list_parent_class)->unmap (widget);

  sync_ticks (SPINDLE_THREAD_LIST (widget));
}

static void
spindle_thread_list_dispose (GObject *object)
{
  SpindleThreadList *self = SPINDLE_THREAD_LIST (object);

  g_clear_signal_handler (&self->tick_id, spindle_clock_get_default ());
  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_THREAD_LIST);

  G_OBJECT_CLASS (spindle_thread_list_parent_class)->dispose (object);
}

static void
spindle_thread_list_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SpindleThreadList *self = SPINDLE_THREAD_LIST (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, spindle_thread_list_get_model (self));
      break;

    case PROP_EXPANDED:
      g_value_set_boolean (value, spindle_thread_list_get_expanded (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_thread_list_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SpindleThreadList *self = SPINDLE_THREAD_LIST (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      spindle_thread_list_set_model (self, g_value_get_object (value));
      break;

    case PROP_EXPANDED:
      spindle_thread_list_set_expanded (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_thread_list_class_init (SpindleThreadListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_thread_list_dispose;
  object_class->get_property = spindle_thread_list_get_property;
  object_class->set_property = spindle_thread_list_set_property;

  widget_class->map = spindle_thread_list_map;
  widget_class->unmap = spindle_thread_list_unmap;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_EXPANDED] =
    g_param_spec_boolean ("expanded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPINDLE_TYPE_THREAD_INFO);

  gtk_widget_class_set_css_name (widget_class, "threadlist");
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-thread-list.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleThreadList, threads_expander);
  gtk_widget_class_bind_template_child (widget_class, SpindleThreadList, threads_view);
  gtk_widget_class_bind_template_callback (widget_class, thread_activated);
  gtk_widget_class_bind_template_child (widget_class, SpindleThreadList, threads_sort_model);
  gtk_widget_class_bind_template_child (widget_class, SpindleThreadList, threads_cpu_sorter);
  gtk_widget_class_bind_template_child (widget_class, SpindleThreadList, threads_kernel_sorter);
  gtk_widget_class_bind_template_callback (widget_class, threads_title);
  gtk_widget_class_bind_template_callback (widget_class, tid_label);
  gtk_widget_class_bind_template_callback (widget_class, thread_cpu_label);
  gtk_widget_class_bind_template_callback (widget_class, thread_kernel_label);
}

static void
spindle_thread_list_init (SpindleThreadList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_header_tooltips (self);

  g_signal_connect_object (self->threads_expander, "notify::expanded",
                           G_CALLBACK (on_expanded), self, G_CONNECT_SWAPPED);
}

GtkWidget *
spindle_thread_list_new (void)
{
  return g_object_new (SPINDLE_TYPE_THREAD_LIST, NULL);
}

GListModel *
spindle_thread_list_get_model (SpindleThreadList *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_LIST (self), NULL);

  return gtk_sort_list_model_get_model (self->threads_sort_model);
}

void
spindle_thread_list_set_model (SpindleThreadList *self,
                               GListModel        *model)
{
  g_return_if_fail (SPINDLE_IS_THREAD_LIST (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (spindle_thread_list_get_model (self) == model)
    return;

  gtk_sort_list_model_set_model (self->threads_sort_model, model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

gboolean
spindle_thread_list_get_expanded (SpindleThreadList *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_LIST (self), FALSE);

  return gtk_expander_get_expanded (self->threads_expander);
}

void
spindle_thread_list_set_expanded (SpindleThreadList *self,
                                  gboolean           expanded)
{
  g_return_if_fail (SPINDLE_IS_THREAD_LIST (self));

  gtk_expander_set_expanded (self->threads_expander, expanded);
}
