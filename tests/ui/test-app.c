/* test-app.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-clock.h"
#include "spindle-preferences-window.h"
#include "spindle-ui-test-util.h"

typedef SpindleUiFixture Fixture;

static GtkWidget *
open_preferences (Fixture *fixture)
{
  GtkWindow *preferences;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  preferences = spindle_ui_test_find_toplevel (SPINDLE_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (fixture->window));
  spindle_ui_test_wait_widget_drawn (GTK_WIDGET (preferences));

  return GTK_WIDGET (preferences);
}

static GtkWidget *
control (GtkWidget  *preferences,
         GType       type,
         const char *name)
{
  GtkWidget *widget = spindle_ui_test_find (preferences, type, name, NULL);

  g_assert_nonnull (widget);

  return widget;
}

static void
test_preferences_apply_live (Fixture *fixture)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  GtkWidget *preferences = open_preferences (fixture);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (control (preferences, GTK_TYPE_SPIN_BUTTON, "stop-grace")), 1.5);
  g_assert_cmpuint (g_settings_get_uint (settings, "stop-grace-ms"), ==, 1500);
  g_assert_cmpint (spindle_worker_set_get_stop_grace (fixture->set), ==, 1500 * 1000);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (control (preferences, GTK_TYPE_SPIN_BUTTON, "cancel-grace")), 0.5);
  g_assert_cmpint (spindle_worker_set_get_cancel_grace (fixture->set), ==, 500 * 1000);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (control (preferences, GTK_TYPE_SPIN_BUTTON, "default-deadline")), 30);
  g_assert_cmpint (spindle_worker_set_get_default_deadline (fixture->set), ==, 30 * G_USEC_PER_SEC);

  gtk_switch_set_active (GTK_SWITCH (control (preferences, GTK_TYPE_SWITCH, "auto-escalate")), FALSE);
  g_assert_false (spindle_worker_set_get_auto_escalate (fixture->set));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (control (preferences, GTK_TYPE_SPIN_BUTTON, "refresh-interval")), 250);
  g_assert_cmpuint (spindle_clock_get_interval (spindle_clock_get_default ()), ==, 250);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (control (preferences, GTK_TYPE_SPIN_BUTTON, "stack-size")), 512);
  g_assert_cmpuint (spindle_worker_set_get_stack_size (fixture->set), ==, 512 * 1024);

  gtk_window_destroy (GTK_WINDOW (preferences));
  for (guint i = 0; i < 7; i++)
    {
      static const char * const keys[] = { "stop-grace-ms", "cancel-grace-ms", "default-deadline-ms",
                                           "auto-escalate", "refresh-interval-ms", "stack-size-kib",
                                           "keep-finished" };
      g_settings_reset (settings, keys[i]);
    }
}

static gboolean
set_is_empty (SpindleWorkerSet *set)
{
  return g_list_model_get_n_items (G_LIST_MODEL (set)) == 0;
}

static void
test_keep_finished_off (Fixture *fixture)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  SpindleWorker *earlier = spindle_ui_test_spawn (fixture, "result");
  GtkWidget *preferences;

  spindle_ui_test_wait_terminal (earlier);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, 1);

  /* Turning it off clears what already ended… */
  preferences = open_preferences (fixture);
  gtk_switch_set_active (GTK_SWITCH (control (preferences, GTK_TYPE_SWITCH, "keep-finished")), FALSE);
  g_assert_false (g_settings_get_boolean (settings, "keep-finished"));
  gtk_window_destroy (GTK_WINDOW (preferences));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, 0);

  /* …and each worker that ends from then on. */
  spindle_ui_test_spawn (fixture, "result");
  spindle_ui_test_wait (set_is_empty, fixture->set);

  g_settings_reset (settings, "keep-finished");
}

static guint
count_preferences (Fixture *fixture)
{
  guint n = 0;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (fixture->app)); l != NULL; l = l->next)
    n += SPINDLE_IS_PREFERENCES_WINDOW (l->data);

  return n;
}

/* Ctrl+, again brings the open window forward instead of opening another. */
static void
test_preferences_once (Fixture *fixture)
{
  GtkWidget *preferences = open_preferences (fixture);

  g_assert_cmpuint (count_preferences (fixture), ==, 1);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  g_assert_cmpuint (count_preferences (fixture), ==, 1);
  g_assert_true (spindle_ui_test_find_toplevel (SPINDLE_TYPE_PREFERENCES_WINDOW) == GTK_WINDOW (preferences));

  gtk_window_destroy (GTK_WINDOW (preferences));
  g_assert_cmpuint (count_preferences (fixture), ==, 0);
}

/* The application sets the shared clock's interval, from the setting and
 * --refresh: a window opened later leaves it as it is.
 */
static void
test_window_leaves_clock (Fixture *fixture)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  SpindleClock *clock = spindle_clock_get_default ();
  SpindleWindow *second;

  g_assert_cmpuint (spindle_clock_get_interval (clock), ==, g_settings_get_uint (settings, "refresh-interval-ms"));

  spindle_clock_set_interval (clock, 1234);
  second = spindle_window_new (GTK_APPLICATION (fixture->app), fixture->set);
  g_assert_cmpuint (spindle_clock_get_interval (clock), ==, 1234);

  gtk_window_destroy (GTK_WINDOW (second));
  spindle_clock_set_interval (clock, g_settings_get_uint (settings, "refresh-interval-ms"));
}

static void
test_about (Fixture *fixture)
{
  GtkWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "about", NULL);
  about = spindle_ui_test_find_toplevel (GTK_TYPE_ABOUT_DIALOG);
  g_assert_nonnull (about);

  g_assert_cmpstr (gtk_about_dialog_get_version (GTK_ABOUT_DIALOG (about)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (gtk_about_dialog_get_logo_icon_name (GTK_ABOUT_DIALOG (about)), ==, APPLICATION_ID);
  g_assert_cmpint (gtk_about_dialog_get_license_type (GTK_ABOUT_DIALOG (about)), ==, GTK_LICENSE_GPL_3_0);
  g_assert_true (gtk_window_get_transient_for (about) == GTK_WINDOW (fixture->window));

  gtk_window_destroy (about);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

  spindle_ui_test_add ("/ui/app/preferences-apply-live", test_preferences_apply_live);
  spindle_ui_test_add ("/ui/app/keep-finished-off", test_keep_finished_off);
  spindle_ui_test_add ("/ui/app/preferences-once", test_preferences_once);
  spindle_ui_test_add ("/ui/app/window-leaves-clock", test_window_leaves_clock);
  spindle_ui_test_add ("/ui/app/about", test_about);

  return g_test_run ();
}
