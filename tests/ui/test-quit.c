/* test-quit.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "spindle-ui-test-util.h"

typedef SpindleUiFixture Fixture;

/* The responses of the quit question, as its buttons are laid out. */
enum {
  KEEP_RUNNING = GTK_RESPONSE_CANCEL,
  FORCE_AND_QUIT = 1,
  STOP_AND_QUIT = 2,
};

/* Grace periods, which the application applies to its set at once. Only
 * a test that waits for one to run out gets a short one: a long grace that
 * is not used up costs nothing, and a short one makes a loaded machine
 * escalate what would have ended.
 */
#define LONG_GRACE_MS 60000
#define SHORT_GRACE_MS 1000

static void
set_grace (guint stop_ms,
           guint cancel_ms)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_settings_set_uint (settings, "stop-grace-ms", stop_ms);
  g_settings_set_uint (settings, "cancel-grace-ms", cancel_ms);
}

static void
quit (Fixture *fixture)
{
  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "quit", NULL);
}

static gboolean
is_destroyed (Fixture *fixture)
{
  return fixture->destroyed;
}

static gboolean
no_dialog (gpointer data)
{
  return spindle_ui_test_find_dialog () == NULL;
}

static void
answer (GtkWindow *dialog,
        int        response)
{
  GtkWidget *button = gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), response);

  g_assert_nonnull (button);
  spindle_ui_test_activate (button);
  spindle_ui_test_wait (no_dialog, NULL);
}

static void
test_no_live_workers (Fixture *fixture)
{
  SpindleWorker *result = spindle_ui_test_spawn (fixture, "result");

  spindle_ui_test_wait_terminal (result);
  spindle_ui_test_settle (fixture->window);

  quit (fixture);
  spindle_ui_test_wait (is_destroyed, fixture);
  g_assert_null (spindle_ui_test_find_dialog ());
}

static void
test_keep_running (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");

  quit (fixture);
  answer (spindle_ui_test_wait_dialog (), KEEP_RUNNING);
  spindle_ui_test_settle (fixture->window);

  g_assert_false (fixture->destroyed);
  g_assert_false (spindle_window_is_shutting_down (fixture->window));
  g_assert_null (spindle_ui_test_find_dialog ());
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_RUNNING);
}

static gboolean
banner_shows (Fixture *fixture)
{
  GtkWidget *revealer = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_REVEALER, NULL, NULL);
  GtkWidget *label = spindle_ui_test_find (revealer, GTK_TYPE_LABEL, NULL, NULL);

  return gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)) &&
         g_str_has_prefix (gtk_label_get_label (GTK_LABEL (label)), "Shutting down:");
}

/* The reader ignores the stop: the test waits for its stop grace to end. */
static void
test_stop_and_quit (Fixture *fixture)
{
  SpindleWorker *sleeper, *reader;

  set_grace (SHORT_GRACE_MS, LONG_GRACE_MS);
  sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  reader = spindle_ui_test_spawn (fixture, "socket-reader");

  quit (fixture);
  answer (spindle_ui_test_wait_dialog (), STOP_AND_QUIT);

  g_assert_true (spindle_window_is_shutting_down (fixture->window));
  g_assert_true (banner_shows (fixture));
  g_assert_false (fixture->destroyed);

  spindle_ui_test_wait (is_destroyed, fixture);

  /* The sleeper heeds the stop; the reader, stuck in read(), is escalated. */
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_STOPPED);
  g_assert_cmpint (spindle_worker_get_stop_reason (sleeper), ==, SPINDLE_STOP_REASON_SHUTDOWN);
  g_assert_cmpint (spindle_worker_get_state (reader), ==, SPINDLE_WORKER_STATE_CANCELLED);
  set_grace (LONG_GRACE_MS, LONG_GRACE_MS);
}

static void
test_force_and_quit (Fixture *fixture)
{
  SpindleWorker *reader = spindle_ui_test_spawn (fixture, "socket-reader");

  quit (fixture);
  answer (spindle_ui_test_wait_dialog (), FORCE_AND_QUIT);

  spindle_ui_test_wait (is_destroyed, fixture);
  g_assert_cmpint (spindle_worker_get_state (reader), ==, SPINDLE_WORKER_STATE_CANCELLED);
}

static void
test_close_button_asks (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");

  gtk_window_close (GTK_WINDOW (fixture->window));
  answer (spindle_ui_test_wait_dialog (), STOP_AND_QUIT);

  spindle_ui_test_wait (is_destroyed, fixture);
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_STOPPED);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);
  set_grace (LONG_GRACE_MS, LONG_GRACE_MS);

#define ADD(path, func) spindle_ui_test_add ("/ui/quit/" path, func)

  ADD ("no-live-workers", test_no_live_workers);
  ADD ("keep-running", test_keep_running);
  ADD ("stop-and-quit", test_stop_and_quit);
  ADD ("force-and-quit", test_force_and_quit);
  ADD ("close-button-asks", test_close_button_asks);

#undef ADD

  return g_test_run ();
}
