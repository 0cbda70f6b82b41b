/* spindle-window-quit.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-window-private.h"

/* Quitting with live workers asks first, then shuts the set down in view:
 * a banner counts the workers still alive, and the window closes when
 * spindle_worker_set_shutdown_async() says the set is down.
 */

enum {
  RESPONSE_KEEP_RUNNING = GTK_RESPONSE_CANCEL,
  RESPONSE_FORCE_AND_QUIT = 1,
  RESPONSE_STOP_AND_QUIT = 2,
};

/* The set's own count: exact at every moment, with no recount. */
static guint
count_live (SpindleWindow *self)
{
  return spindle_worker_set_get_n_live (self->set);
}

void
_spindle_window_update_shutdown (SpindleWindow *self)
{
  g_autofree char *text = NULL;
  guint live;

  if (!self->shutting_down)
    return;

  live = count_live (self);
  self->shutdown_total = MAX (self->shutdown_total, live);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Shutting down: %u of %u worker still running…",
                                       "Shutting down: %u of %u workers still running…",
                                       self->shutdown_total),
                          live, self->shutdown_total);

  gtk_label_set_label (self->shutdown_label, text);
  gtk_progress_bar_set_fraction (self->shutdown_progress,
                                 self->shutdown_total ? 1.0 - (double) live / self->shutdown_total : 1.0);
}

static void
on_shutdown_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SpindleWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!spindle_worker_set_shutdown_finish (SPINDLE_WORKER_SET (source), result, &error))
    g_message ("Shutdown: %s", error->message);

  gtk_spinner_stop (self->shutdown_spinner);
  self->can_close = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static void
start_shutdown (SpindleWindow *self,
                gboolean       force)
{
  self->shutting_down = TRUE;
  self->shutdown_total = count_live (self);

  gtk_revealer_set_reveal_child (self->shutdown_revealer, TRUE);
  gtk_spinner_start (self->shutdown_spinner);
  _spindle_window_update_actions (self);
  _spindle_window_update_shutdown (self);

  if (force)
    spindle_worker_set_cancel_all (self->set);

  spindle_worker_set_shutdown_async (self->set, NULL, on_shutdown_done, g_object_ref (self));
}

static void
on_quit_response (GtkDialog     *dialog,
                  int            response,
                  SpindleWindow *self)
{
  self->dialog = NULL;
  gtk_window_destroy (GTK_WINDOW (dialog));

  if (response == RESPONSE_STOP_AND_QUIT)
    start_shutdown (self, FALSE);
  else if (response == RESPONSE_FORCE_AND_QUIT)
    start_shutdown (self, TRUE);
}

static void
ask_quit (SpindleWindow *self,
          guint          n_live)
{
  GtkWidget *dialog;
  GtkWidget *button;

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "%u worker is still running",
                                                "%u workers are still running", n_live),
                                   n_live);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
    _("Stop and Quit asks each worker to stop and waits for its cleanup, escalating to "
      "a forced cancel when a grace period passes. Force and Quit cancels them at once. "
      "Workers that never end are abandoned."));

  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Keep Running"), RESPONSE_KEEP_RUNNING);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Force and Quit"), RESPONSE_FORCE_AND_QUIT);
  gtk_widget_add_css_class (button, "destructive-action");
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Stop and Quit"), RESPONSE_STOP_AND_QUIT);
  gtk_widget_add_css_class (button, "suggested-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), RESPONSE_STOP_AND_QUIT);

  self->dialog = GTK_WINDOW (dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_quit_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Returns TRUE to keep the window open. */
gboolean
_spindle_window_close_request (SpindleWindow *self)
{
  guint n_live;

  if (self->can_close)
    return FALSE;

  if (self->shutting_down)
    return TRUE;

  n_live = count_live (self);
  if (n_live == 0)
    return FALSE;

  g_clear_pointer (&self->dialog, gtk_window_destroy);
  ask_quit (self, n_live);

  return TRUE;
}

void
spindle_window_request_quit (SpindleWindow *self)
{
  g_return_if_fail (SPINDLE_IS_WINDOW (self));

  gtk_window_close (GTK_WINDOW (self));
}

gboolean
spindle_window_is_shutting_down (SpindleWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), FALSE);

  return self->shutting_down;
}
