/* spindle-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-window.h"

struct _SpindleWindow
{
  GtkApplicationWindow  parent_instance;

  SpindleWorkerSet     *set;

  GtkNoSelection       *selection;
};

G_DEFINE_FINAL_TYPE (SpindleWindow, spindle_window, GTK_TYPE_APPLICATION_WINDOW)

static char *
state_label (gpointer           unused,
             SpindleWorkerState state)
{
  return g_strdup (spindle_worker_state_to_string (state));
}

static void
spindle_window_dispose (GObject *object)
{
  SpindleWindow *self = SPINDLE_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_WINDOW);
  g_clear_object (&self->set);

  G_OBJECT_CLASS (spindle_window_parent_class)->dispose (object);
}

static void
spindle_window_class_init (SpindleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_window_dispose;

  g_type_ensure (SPINDLE_TYPE_WORKER);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, selection);
  gtk_widget_class_bind_template_callback (widget_class, state_label);
}

static void
spindle_window_init (SpindleWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

SpindleWindow *
spindle_window_new (gpointer          application,
                    SpindleWorkerSet *set)
{
  SpindleWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);

  self = g_object_new (SPINDLE_TYPE_WINDOW, "application", application, NULL);
  self->set = g_object_ref (set);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (set));

  return self;
}
