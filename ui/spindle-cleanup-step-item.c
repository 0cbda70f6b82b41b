/* spindle-cleanup-step-item.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-cleanup-step-item"

#include "config.h"

#include "spindle-cleanup-step-item.h"

struct _SpindleCleanupStepItem
{
  GObject                parent_instance;

  char                  *label;
  char                  *message;
  SpindleCleanupOutcome  outcome;
  gint64                 duration;
};

G_DEFINE_FINAL_TYPE (SpindleCleanupStepItem, spindle_cleanup_step_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LABEL,
  PROP_OUTCOME,
  PROP_MESSAGE,
  PROP_DURATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
spindle_cleanup_step_item_finalize (GObject *object)
{
  SpindleCleanupStepItem *self = SPINDLE_CLEANUP_STEP_ITEM (object);

  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (spindle_cleanup_step_item_parent_class)->finalize (object);
}

static void
spindle_cleanup_step_item_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  SpindleCleanupStepItem *self = SPINDLE_CLEANUP_STEP_ITEM (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_OUTCOME:
      g_value_set_enum (value, self->outcome);
      break;

    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;

    case PROP_DURATION:
      g_value_set_int64 (value, self->duration);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_cleanup_step_item_class_init (SpindleCleanupStepItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = spindle_cleanup_step_item_finalize;
  object_class->get_property = spindle_cleanup_step_item_get_property;

  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, flags);
  properties[PROP_OUTCOME] = g_param_spec_enum ("outcome", NULL, NULL, SPINDLE_TYPE_CLEANUP_OUTCOME,
                                                SPINDLE_CLEANUP_OUTCOME_OK, flags);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  /* -1: the step has no duration of its own (yet) */
  properties[PROP_DURATION] = g_param_spec_int64 ("duration", NULL, NULL, -1, G_MAXINT64, -1, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spindle_cleanup_step_item_init (SpindleCleanupStepItem *self)
{
  self->duration = -1;
}

SpindleCleanupStepItem *
spindle_cleanup_step_item_new (const SpindleCleanupStep *step)
{
  SpindleCleanupStepItem *self;

  g_return_val_if_fail (step != NULL, NULL);

  self = g_object_new (SPINDLE_TYPE_CLEANUP_STEP_ITEM, NULL);
  self->label = g_strdup (step->label);
  self->message = g_strdup (step->message);
  self->outcome = step->outcome;
  self->duration = MAX (step->duration_usec, -1);

  return self;
}

const char *
spindle_cleanup_step_item_get_label (SpindleCleanupStepItem *self)
{
  g_return_val_if_fail (SPINDLE_IS_CLEANUP_STEP_ITEM (self), NULL);

  return self->label;
}

SpindleCleanupOutcome
spindle_cleanup_step_item_get_outcome (SpindleCleanupStepItem *self)
{
  g_return_val_if_fail (SPINDLE_IS_CLEANUP_STEP_ITEM (self), SPINDLE_CLEANUP_OUTCOME_NOT_RUN);

  return self->outcome;
}

const char *
spindle_cleanup_step_item_get_message (SpindleCleanupStepItem *self)
{
  g_return_val_if_fail (SPINDLE_IS_CLEANUP_STEP_ITEM (self), NULL);

  return self->message;
}

gint64
spindle_cleanup_step_item_get_duration (SpindleCleanupStepItem *self)
{
  g_return_val_if_fail (SPINDLE_IS_CLEANUP_STEP_ITEM (self), -1);

  return self->duration;
}

/* The report's steps as items, in the order they ran. */
GListModel *
spindle_cleanup_step_items_from_report (SpindleCleanupReport *report)
{
  GListStore *store = g_list_store_new (SPINDLE_TYPE_CLEANUP_STEP_ITEM);
  guint n = report ? spindle_cleanup_report_get_n_steps (report) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleCleanupStepItem) item =
        spindle_cleanup_step_item_new (spindle_cleanup_report_get_step (report, i));

      g_list_store_append (store, item);
    }

  return G_LIST_MODEL (store);
}
