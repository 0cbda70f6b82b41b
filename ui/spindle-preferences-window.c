/* spindle-preferences-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-preferences-window.h"

struct _SpindlePreferencesWindow
{
  GtkWindow      parent_instance;

  GtkSpinButton *stop_grace;
  GtkSwitch     *auto_escalate;
  GtkSpinButton *cancel_grace;
  GtkSpinButton *default_deadline;
  GtkSpinButton *refresh_interval;
  GtkSwitch     *keep_finished;
  GtkSpinButton *stack_size;

  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (SpindlePreferencesWindow, spindle_preferences_window, GTK_TYPE_WINDOW)

/* The keys count milliseconds, the spin buttons seconds. */
static gboolean
ms_to_seconds (GValue   *value,
               GVariant *variant,
               gpointer  user_data)
{
  g_value_set_double (value, g_variant_get_uint32 (variant) / 1000.0);

  return TRUE;
}

static GVariant *
seconds_to_ms (const GValue       *value,
               const GVariantType *expected_type,
               gpointer            user_data)
{
  return g_variant_new_uint32 ((guint32) (g_value_get_double (value) * 1000.0 + 0.5));
}

static void
bind_seconds (SpindlePreferencesWindow *self,
              const char               *key,
              GtkSpinButton            *spin)
{
  g_settings_bind_with_mapping (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT,
                                ms_to_seconds, seconds_to_ms, NULL, NULL);
}

static void
bind_settings (SpindlePreferencesWindow *self)
{
  bind_seconds (self, "stop-grace-ms", self->stop_grace);
  bind_seconds (self, "cancel-grace-ms", self->cancel_grace);
  bind_seconds (self, "default-deadline-ms", self->default_deadline);
  g_settings_bind (self->settings, "auto-escalate", self->auto_escalate, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "refresh-interval-ms", self->refresh_interval, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "keep-finished", self->keep_finished, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "stack-size-kib", self->stack_size, "value", G_SETTINGS_BIND_DEFAULT);
}

static void
spindle_preferences_window_dispose (GObject *object)
{
  SpindlePreferencesWindow *self = SPINDLE_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (spindle_preferences_window_parent_class)->dispose (object);
}

static void
spindle_preferences_window_class_init (SpindlePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindlePreferencesWindow, stop_grace);
  gtk_widget_class_bind_template_child (widget_class, SpindlePreferencesWindow, auto_escalate);
  gtk_widget_class_bind_template_child (widget_class, SpindlePreferencesWindow, cancel_grace);
  gtk_widget_class_bind_template_child (widget_class, SpindlePreferencesWindow, default_deadline);
  gtk_widget_class_bind_template_child (widget_class, SpindlePreferencesWindow, refresh_interval);
  gtk_widget_class_bind_template_child (widget_class, SpindlePreferencesWindow, keep_finished);
  gtk_widget_class_bind_template_child (widget_class, SpindlePreferencesWindow, stack_size);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
spindle_preferences_window_init (SpindlePreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  bind_settings (self);
}

GtkWidget *
spindle_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (SPINDLE_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       NULL);
}
