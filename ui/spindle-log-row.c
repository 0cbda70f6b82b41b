/* spindle-log-row.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-log-row"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-log-row.h"

struct _SpindleLogRow
{
  GtkWidget        parent_instance;

  GtkWidget       *box;     /* the root: bound for dispose_template to unparent */
  SpindleLogEntry *entry;
};

G_DEFINE_FINAL_TYPE (SpindleLogRow, spindle_log_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ENTRY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "19:52:03.481" */
static char *
clock_time (gpointer   this,
            GDateTime *time)
{
  g_autofree char *clock = NULL;

  if (time == NULL)
    return g_strdup ("");

  /* Translators: a time of day for g_date_time_format(); keep it short,
   * it is a column of the log and a line of the side pane */
  clock = g_date_time_format (time, _("%H:%M:%S"));

  return g_strdup_printf ("%s.%03d", clock, g_date_time_get_microsecond (time) / 1000);
}

/* "+1.234 s" since the worker started */
static char *
since_start (gpointer this,
             gint64   since)
{
  /* Translators: seconds since the worker was added, in its event log */
  return g_strdup_printf (_("+%.3f s"), since / (double) G_USEC_PER_SEC);
}

static char **
text_classes (gpointer       this,
              SpindleLogKind kind)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (SPINDLE_TYPE_LOG_KIND);
  GEnumValue *value = g_enum_get_value (enum_class, kind);
  g_autofree char *kind_class = g_strconcat ("log-", value ? value->value_nick : "life", NULL);
  const char *classes[] = { "log-text", kind_class, NULL };

  return g_strdupv ((char **) classes);
}

static void
spindle_log_row_dispose (GObject *object)
{
  SpindleLogRow *self = SPINDLE_LOG_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_LOG_ROW);
  g_clear_object (&self->entry);

  G_OBJECT_CLASS (spindle_log_row_parent_class)->dispose (object);
}

static void
spindle_log_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SpindleLogRow *self = SPINDLE_LOG_ROW (object);

  switch (prop_id)
    {
    case PROP_ENTRY:
      g_value_set_object (value, self->entry);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_log_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SpindleLogRow *self = SPINDLE_LOG_ROW (object);

  switch (prop_id)
    {
    case PROP_ENTRY:
      if (g_set_object (&self->entry, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_log_row_class_init (SpindleLogRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_log_row_dispose;
  object_class->get_property = spindle_log_row_get_property;
  object_class->set_property = spindle_log_row_set_property;

  properties[PROP_ENTRY] =
    g_param_spec_object ("entry", NULL, NULL, SPINDLE_TYPE_LOG_ENTRY,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "logentry");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-log-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleLogRow, box);
  gtk_widget_class_bind_template_callback (widget_class, clock_time);
  gtk_widget_class_bind_template_callback (widget_class, since_start);
  gtk_widget_class_bind_template_callback (widget_class, text_classes);
}

static void
spindle_log_row_init (SpindleLogRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
spindle_log_row_new (SpindleLogEntry *entry)
{
  return g_object_new (SPINDLE_TYPE_LOG_ROW, "entry", entry, NULL);
}

SpindleLogEntry *
spindle_log_row_get_entry (SpindleLogRow *self)
{
  g_return_val_if_fail (SPINDLE_IS_LOG_ROW (self), NULL);

  return self->entry;
}
