/* spindle-thread-info.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-thread-info-private.h"

struct _SpindleThreadInfo
{
  GObject  parent_instance;

  int      tid;
  char    *name;
  char     kernel_state[2];
  gint64   cpu_time;      /* ns */
  gint64   sampled_at;    /* µs */
  double   cpu_percent;
};

enum {
  PROP_0,
  PROP_TID,
  PROP_NAME,
  PROP_CPU_PERCENT,
  PROP_KERNEL_STATE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpindleThreadInfo, spindle_thread_info, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

SpindleThreadInfo *
_spindle_thread_info_new (int tid)
{
  SpindleThreadInfo *self = g_object_new (SPINDLE_TYPE_THREAD_INFO, NULL);

  self->tid = tid;

  return self;
}

void
_spindle_thread_info_update (SpindleThreadInfo *self,
                             const char        *name,
                             char               kernel_state,
                             gint64             cpu_time,
                             gint64             at)
{
  double percent = self->cpu_percent;

  if (self->sampled_at != 0 && at > self->sampled_at)
    percent = MAX (0.0, (cpu_time - self->cpu_time) / 10.0 / (at - self->sampled_at));
  self->cpu_time = cpu_time;
  self->sampled_at = at;

  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
    }

  if (self->kernel_state[0] != kernel_state)
    {
      self->kernel_state[0] = kernel_state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KERNEL_STATE]);
    }

  if (self->cpu_percent != percent)
    {
      self->cpu_percent = percent;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU_PERCENT]);
    }
}

static void
spindle_thread_info_finalize (GObject *object)
{
  SpindleThreadInfo *self = (SpindleThreadInfo *) object;

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (spindle_thread_info_parent_class)->finalize (object);
}

static void
spindle_thread_info_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SpindleThreadInfo *self = SPINDLE_THREAD_INFO (object);

  switch (prop_id)
    {
    case PROP_TID:          g_value_set_int (value, self->tid); break;
    case PROP_NAME:         g_value_set_string (value, self->name); break;
    case PROP_CPU_PERCENT:  g_value_set_double (value, self->cpu_percent); break;
    case PROP_KERNEL_STATE: g_value_set_string (value, spindle_thread_info_get_kernel_state (self)); break;
    default:                G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_thread_info_class_init (SpindleThreadInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = spindle_thread_info_finalize;
  object_class->get_property = spindle_thread_info_get_property;

  properties[PROP_TID] = g_param_spec_int ("tid", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_CPU_PERCENT] = g_param_spec_double ("cpu-percent", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0, ro);
  properties[PROP_KERNEL_STATE] = g_param_spec_string ("kernel-state", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
spindle_thread_info_init (SpindleThreadInfo *self)
{
}

int
spindle_thread_info_get_tid (SpindleThreadInfo *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_INFO (self), 0);
  return self->tid;
}

const char *
spindle_thread_info_get_name (SpindleThreadInfo *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_INFO (self), NULL);
  return self->name;
}

double
spindle_thread_info_get_cpu_percent (SpindleThreadInfo *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_INFO (self), 0.0);
  return self->cpu_percent;
}

const char *
spindle_thread_info_get_kernel_state (SpindleThreadInfo *self)
{
  g_return_val_if_fail (SPINDLE_IS_THREAD_INFO (self), NULL);
  return self->kernel_state[0] != 0 ? self->kernel_state : NULL;
}
