/* test-screenshots.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-preferences-window.h"
#include "spindle-run-dialog.h"
#include "spindle-thread-list.h"
#include "spindle-ui-test-util.h"

/* Writes PNGs into the build directory, rendered by GTK itself: the empty
 * state; the demo set with a countdown to a force-cancel; the socket reader
 * after that escalation, its timeline marked; the raw condition waiter's
 * "why is it still running?" with the process's other threads shown, in
 * light and dark; the demo set in light and dark with the ledger holder
 * selected after a force-cancel tainted its lock; the add popover, the
 * Run Command dialog, preferences and the quit question.
 */

#define WIDTH 1400
#define HEIGHT 860

typedef SpindleUiFixture Fixture;

static void
save_widget (Fixture    *fixture,
             GtkWidget  *widget,
             const char *name)
{
  const char *dir = g_getenv ("SPINDLE_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir ? dir : ".", name, NULL);

  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_wait_widget_drawn (widget);
  spindle_ui_test_save_png (widget, path);
  g_test_message ("wrote %s", path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static void
save (Fixture    *fixture,
      const char *name)
{
  save_widget (fixture, GTK_WIDGET (fixture->window), name);
}

/* The windows around the main one: add popover, preferences, shortcuts,
 * quit question.
 */
static void
save_secondary (Fixture *fixture)
{
  GtkWidget *button = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_MENU_BUTTON, NULL, NULL);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  GtkWindow *window;

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  save_widget (fixture, popover, "spindle-add-workers.png");

  /* Run Command…, its stop choice the last one (close the command's input) */
  spindle_ui_test_activate (spindle_ui_test_find (popover, GTK_TYPE_BUTTON, "run-command", NULL));
  window = spindle_ui_test_find_toplevel (SPINDLE_TYPE_RUN_DIALOG);
  g_assert_nonnull (window);
  {
    GtkDropDown *choice = GTK_DROP_DOWN (spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_DROP_DOWN, "stop-signal", NULL));

    gtk_drop_down_set_selected (choice, g_list_model_get_n_items (gtk_drop_down_get_model (choice)) - 1);
  }
  save_widget (fixture, GTK_WIDGET (window), "spindle-run-command.png");
  gtk_window_destroy (window);
  gtk_popover_popdown (GTK_POPOVER (popover));

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  window = spindle_ui_test_find_toplevel (SPINDLE_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (window);
  save_widget (fixture, GTK_WIDGET (window), "spindle-preferences.png");
  gtk_window_destroy (window);

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-help-overlay", NULL);
  window = spindle_ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (window);
  save_widget (fixture, GTK_WIDGET (window), "spindle-shortcuts.png");
  gtk_window_close (window);

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "quit", NULL);
  window = spindle_ui_test_wait_dialog ();
  save_widget (fixture, GTK_WIDGET (window), "spindle-quit.png");
  gtk_dialog_response (GTK_DIALOG (window), GTK_RESPONSE_CANCEL);
}

static SpindleWorker *
find_kind (SpindleWorkerSet *set,
           const char       *kind)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (set));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      if (g_strcmp0 (spindle_worker_get_kind (worker), kind) == 0)
        return worker;
    }

  g_error ("no %s in the demo set", kind);
}

/* A moment of the demo set worth a picture: some workers ended, some ending. */
static SpindleWorker *
stage_demo (Fixture *fixture)
{
  SpindleWorkerSet *set = fixture->set;
  SpindleWorker *ledger;
  g_autoptr(GError) error = NULL;

  g_assert_true (spindle_window_load_demo (fixture->window, &error));
  g_assert_no_error (error);

  spindle_ui_test_wait_terminal (find_kind (set, "result"));
  spindle_ui_test_wait_terminal (find_kind (set, "failure"));

  spindle_worker_request_stop (find_kind (set, "sleeper"));
  spindle_worker_request_stop (find_kind (set, "supervisor"));
  spindle_worker_request_stop (find_kind (set, "file-writer"));
  spindle_ui_test_wait_terminal (find_kind (set, "supervisor"));

  ledger = find_kind (set, "ledger");
  spindle_ui_test_wait_phase (ledger, "holding");
  spindle_worker_force_cancel (ledger);
  spindle_ui_test_wait_terminal (ledger);

  return ledger;
}

static void
save_light_and_dark (Fixture    *fixture,
                     const char *light,
                     const char *dark)
{
  save (fixture, light);

  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", TRUE, NULL);
  save (fixture, dark);
  g_object_set (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", FALSE, NULL);
}

static gboolean
has_wait_channel (SpindleWorker *worker)
{
  return spindle_worker_get_wait_channel (worker) != NULL;
}

/* The raw waiter blocked on a futex, as the sampler saw it once selected. */
static void
save_kernel_view (Fixture *fixture)
{
  SpindleWorker *waiter = find_kind (fixture->set, "cond-waiter");
  GtkWidget *threads = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_THREAD_LIST, NULL, NULL);

  spindle_thread_list_set_expanded (SPINDLE_THREAD_LIST (threads), TRUE);
  spindle_ui_test_select (fixture->window, waiter);
  spindle_ui_test_wait (has_wait_channel, waiter);
  save_light_and_dark (fixture, "spindle-kernel.png", "spindle-kernel-dark.png");
  spindle_thread_list_set_expanded (SPINDLE_THREAD_LIST (threads), FALSE);
}

static void
test_screenshots (Fixture *fixture)
{
  SpindleWorker *ledger, *reader;

  save (fixture, "spindle-empty.png");

  ledger = stage_demo (fixture);

  /* Stuck in read(), the reader ignores the stop: a countdown to its force-cancel. */
  reader = find_kind (fixture->set, "socket-reader");
  spindle_worker_request_stop (reader);
  spindle_ui_test_select (fixture->window, reader);
  save (fixture, "spindle-countdown.png");

  /* Its timeline marks the escalation and the cleanup; the deadline job's too. */
  spindle_ui_test_wait_terminal (reader);
  spindle_ui_test_wait_terminal (find_kind (fixture->set, "deadline"));
  save (fixture, "spindle-escalation.png");

  save_kernel_view (fixture);

  spindle_ui_test_select (fixture->window, ledger);
  save_light_and_dark (fixture, "spindle-light.png", "spindle-dark.png");

  save_secondary (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;

  spindle_ui_test_init (&argc, &argv);

  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_int (settings, "window-width", WIDTH);
  g_settings_set_int (settings, "window-height", HEIGHT);

  spindle_ui_test_add ("/ui/screenshots/demo", test_screenshots);

  return g_test_run ();
}
