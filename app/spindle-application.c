/* spindle-application.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-application.h"
#include "spindle-window.h"

struct _SpindleApplication
{
  GtkApplication    parent_instance;

  SpindleWorkerSet *set;
};

G_DEFINE_FINAL_TYPE (SpindleApplication, spindle_application, GTK_TYPE_APPLICATION)

SpindleApplication *
spindle_application_new (void)
{
  return g_object_new (SPINDLE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

SpindleWorkerSet *
spindle_application_get_worker_set (SpindleApplication *self)
{
  g_return_val_if_fail (SPINDLE_IS_APPLICATION (self), NULL);

  return self->set;
}

static void
spindle_application_activate (GApplication *app)
{
  SpindleApplication *self = SPINDLE_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (spindle_window_new (self, self->set));

  gtk_window_present (window);
}

static void
spindle_application_startup (GApplication *app)
{
  SpindleApplication *self = SPINDLE_APPLICATION (app);

  G_APPLICATION_CLASS (spindle_application_parent_class)->startup (app);

  self->set = spindle_worker_set_new ();
}

static void
spindle_application_shutdown (GApplication *app)
{
  SpindleApplication *self = SPINDLE_APPLICATION (app);

  g_clear_object (&self->set);

  G_APPLICATION_CLASS (spindle_application_parent_class)->shutdown (app);
}

static void
spindle_application_class_init (SpindleApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = spindle_application_activate;
  app_class->startup = spindle_application_startup;
  app_class->shutdown = spindle_application_shutdown;
}

static void
spindle_application_init (SpindleApplication *self)
{
}
