/* spindle-cleanup-step-row.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-cleanup-step-row"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-cleanup-step-row.h"
#include "spindle-format.h"

struct _SpindleCleanupStepRow
{
  GtkWidget               parent_instance;

  GtkWidget              *box;   /* the root: bound for dispose_template to unparent */
  SpindleCleanupStepItem *item;
};

G_DEFINE_FINAL_TYPE (SpindleCleanupStepRow, spindle_cleanup_step_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ITEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
step_mark (gpointer              this,
           SpindleCleanupOutcome outcome)
{
  switch (outcome)
    {
    case SPINDLE_CLEANUP_OUTCOME_OK:      return g_strdup ("✓");
    case SPINDLE_CLEANUP_OUTCOME_FAILED:  return g_strdup ("✗");
    case SPINDLE_CLEANUP_OUTCOME_NOT_RUN:
    default:                              return g_strdup ("–");
    }
}

static char **
step_mark_classes (gpointer              this,
                   SpindleCleanupOutcome outcome)
{
  const char *classes[] = { NULL, NULL };

  switch (outcome)
    {
    case SPINDLE_CLEANUP_OUTCOME_OK:      classes[0] = "step-ok"; break;
    case SPINDLE_CLEANUP_OUTCOME_FAILED:  classes[0] = "step-failed"; break;
    case SPINDLE_CLEANUP_OUTCOME_NOT_RUN:
    default:                              classes[0] = "step-not-run"; break;
    }

  return g_strdupv ((char **) classes);
}

static char **
message_classes (gpointer              this,
                 SpindleCleanupOutcome outcome)
{
  const char *classes[] = { "caption", outcome == SPINDLE_CLEANUP_OUTCOME_FAILED ? "error" : "dim-label", NULL };

  return g_strdupv ((char **) classes);
}

static gboolean
has_text (gpointer    this,
          const char *text)
{
  return text != NULL && *text != '\0';
}

/* "—" for a step with no duration of its own: a child's fate, a step
 * reported live before the report has its time.
 */
static char *
step_duration (gpointer this,
               gint64   duration)
{
  return duration >= 0 ? spindle_format_duration (duration) : g_strdup ("—");
}

static const char *
outcome_text (SpindleCleanupOutcome outcome)
{
  switch (outcome)
    {
    case SPINDLE_CLEANUP_OUTCOME_OK:      return _("succeeded");
    case SPINDLE_CLEANUP_OUTCOME_FAILED:  return _("failed");
    case SPINDLE_CLEANUP_OUTCOME_NOT_RUN:
    default:                              return _("not run");
    }
}

/* Accessible properties cannot be bound: set once, the item never changes. */
static void
set_item (SpindleCleanupStepRow  *self,
          SpindleCleanupStepItem *item)
{
  g_assert (SPINDLE_IS_CLEANUP_STEP_ROW (self));

  if (!g_set_object (&self->item, item))
    return;

  if (item != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, spindle_cleanup_step_item_get_label (item),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    outcome_text (spindle_cleanup_step_item_get_outcome (item)),
                                    -1);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
}

static void
spindle_cleanup_step_row_dispose (GObject *object)
{
  SpindleCleanupStepRow *self = SPINDLE_CLEANUP_STEP_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_CLEANUP_STEP_ROW);
  g_clear_object (&self->item);

  G_OBJECT_CLASS (spindle_cleanup_step_row_parent_class)->dispose (object);
}

static void
spindle_cleanup_step_row_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  SpindleCleanupStepRow *self = SPINDLE_CLEANUP_STEP_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_cleanup_step_row_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  SpindleCleanupStepRow *self = SPINDLE_CLEANUP_STEP_ROW (object);

  switch (prop_id)
    {
    case PROP_ITEM:
      set_item (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_cleanup_step_row_class_init (SpindleCleanupStepRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_cleanup_step_row_dispose;
  object_class->get_property = spindle_cleanup_step_row_get_property;
  object_class->set_property = spindle_cleanup_step_row_set_property;

  properties[PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, SPINDLE_TYPE_CLEANUP_STEP_ITEM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cleanupstep");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-cleanup-step-row.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleCleanupStepRow, box);
  gtk_widget_class_bind_template_callback (widget_class, step_mark);
  gtk_widget_class_bind_template_callback (widget_class, step_mark_classes);
  gtk_widget_class_bind_template_callback (widget_class, message_classes);
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  gtk_widget_class_bind_template_callback (widget_class, step_duration);
}

static void
spindle_cleanup_step_row_init (SpindleCleanupStepRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
spindle_cleanup_step_row_new (SpindleCleanupStepItem *item)
{
  return g_object_new (SPINDLE_TYPE_CLEANUP_STEP_ROW, "item", item, NULL);
}

SpindleCleanupStepItem *
spindle_cleanup_step_row_get_item (SpindleCleanupStepRow *self)
{
  g_return_val_if_fail (SPINDLE_IS_CLEANUP_STEP_ROW (self), NULL);

  return self->item;
}
