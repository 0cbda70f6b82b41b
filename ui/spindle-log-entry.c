/* spindle-log-entry.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-log-entry"

#include "config.h"

#include "spindle-log-entry.h"

struct _SpindleLogEntry
{
  GObject         parent_instance;

  GDateTime      *time;
  gint64          since;
  SpindleLogKind  kind;
  char           *text;
};

G_DEFINE_FINAL_TYPE (SpindleLogEntry, spindle_log_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TIME,
  PROP_SINCE,
  PROP_KIND,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
spindle_log_kind_get_type (void)
{
  static gsize type_id;
  static const GEnumValue values[] = {
    { SPINDLE_LOG_KIND_LIFE, "SPINDLE_LOG_KIND_LIFE", "life" },
    { SPINDLE_LOG_KIND_REQUEST, "SPINDLE_LOG_KIND_REQUEST", "request" },
    { SPINDLE_LOG_KIND_ESCALATION, "SPINDLE_LOG_KIND_ESCALATION", "escalation" },
    { SPINDLE_LOG_KIND_CLEANUP, "SPINDLE_LOG_KIND_CLEANUP", "cleanup" },
    { SPINDLE_LOG_KIND_WAIT, "SPINDLE_LOG_KIND_WAIT", "wait" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static (g_intern_static_string ("SpindleLogKind"), values));

  return type_id;
}

static void
spindle_log_entry_finalize (GObject *object)
{
  SpindleLogEntry *self = SPINDLE_LOG_ENTRY (object);

  g_clear_pointer (&self->time, g_date_time_unref);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (spindle_log_entry_parent_class)->finalize (object);
}

static void
spindle_log_entry_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SpindleLogEntry *self = SPINDLE_LOG_ENTRY (object);

  switch (prop_id)
    {
    case PROP_TIME:
      g_value_set_boxed (value, self->time);
      break;

    case PROP_SINCE:
      g_value_set_int64 (value, self->since);
      break;

    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;

    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_log_entry_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SpindleLogEntry *self = SPINDLE_LOG_ENTRY (object);

  switch (prop_id)
    {
    case PROP_TIME:
      self->time = g_value_dup_boxed (value);
      break;

    case PROP_SINCE:
      self->since = g_value_get_int64 (value);
      break;

    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;

    case PROP_TEXT:
      self->text = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_log_entry_class_init (SpindleLogEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = spindle_log_entry_finalize;
  object_class->get_property = spindle_log_entry_get_property;
  object_class->set_property = spindle_log_entry_set_property;

  properties[PROP_TIME] = g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_SINCE] = g_param_spec_int64 ("since", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, SPINDLE_TYPE_LOG_KIND,
                                             SPINDLE_LOG_KIND_LIFE, flags);
  properties[PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spindle_log_entry_init (SpindleLogEntry *self)
{
}

SpindleLogEntry *
spindle_log_entry_new (GDateTime      *time,
                       gint64          since_start_usec,
                       SpindleLogKind  kind,
                       const char     *text)
{
  g_return_val_if_fail (time != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return g_object_new (SPINDLE_TYPE_LOG_ENTRY,
                       "time", time,
                       "since", MAX (since_start_usec, 0),
                       "kind", kind,
                       "text", text,
                       NULL);
}

GDateTime *
spindle_log_entry_get_time (SpindleLogEntry *self)
{
  g_return_val_if_fail (SPINDLE_IS_LOG_ENTRY (self), NULL);

  return self->time;
}

gint64
spindle_log_entry_get_since (SpindleLogEntry *self)
{
  g_return_val_if_fail (SPINDLE_IS_LOG_ENTRY (self), 0);

  return self->since;
}

SpindleLogKind
spindle_log_entry_get_kind (SpindleLogEntry *self)
{
  g_return_val_if_fail (SPINDLE_IS_LOG_ENTRY (self), SPINDLE_LOG_KIND_LIFE);

  return self->kind;
}

const char *
spindle_log_entry_get_text (SpindleLogEntry *self)
{
  g_return_val_if_fail (SPINDLE_IS_LOG_ENTRY (self), NULL);

  return self->text;
}
