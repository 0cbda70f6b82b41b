/* spindle-window-actions.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-format.h"
#include "spindle-window-private.h"

/* Dialogs *******************************************************************/

static void
on_error_response (GtkDialog *dialog,
                   int        response)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
}

void
_spindle_window_show_error (SpindleWindow *self,
                            const char    *primary,
                            const GError  *error)
{
  GtkWidget *dialog;

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE,
                                   "%s", primary);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", error->message);
  g_signal_connect (dialog, "response", G_CALLBACK (on_error_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_cancel_all_response (GtkDialog     *dialog,
                        int            response,
                        SpindleWindow *self)
{
  self->dialog = NULL;
  gtk_window_destroy (GTK_WINDOW (dialog));

  if (response == GTK_RESPONSE_ACCEPT)
    spindle_worker_set_cancel_all (self->set);
}

static void
confirm_cancel_all (SpindleWindow *self)
{
  guint n_live = spindle_worker_monitor_get_n_live (self->monitor);
  GtkWidget *dialog;
  GtkWidget *button;

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "Force-cancel %u live worker?",
                                                "Force-cancel %u live workers?", n_live),
                                   n_live);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
    _("Each thread is unwound at its next cancellation point, without finishing its work. "
      "A worker cancelled while holding a lock leaves the lock tainted, and one that "
      "a cancel cannot reach is abandoned when its grace period ends."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Force-Cancel All"), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (button, "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);

  self->dialog = GTK_WINDOW (dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_cancel_all_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Adding workers ************************************************************/

guint
spindle_window_add_workers (SpindleWindow  *self,
                            const char     *kind,
                            guint           count,
                            GError        **error)
{
  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), 0);
  g_return_val_if_fail (kind != NULL, 0);

  for (guint i = 0; i < count; i++)
    if (spindle_catalog_spawn (self->set, kind, error) == NULL)
      return i;

  return count;
}

gboolean
spindle_window_load_demo (SpindleWindow  *self,
                          GError        **error)
{
  guint n_entries;

  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), FALSE);

  spindle_catalog_get_entries (&n_entries);

  return spindle_catalog_spawn_demo (self->set, error) == n_entries;
}

static void
on_add_workers (SpindleWindow *self,
                const char    *kind,
                guint          count)
{
  g_autoptr(GError) error = NULL;

  if (spindle_window_add_workers (self, kind, count, &error) < count)
    _spindle_window_show_error (self, _("Could not start every worker"), error);
}

/* Actions *******************************************************************/

static void
add_workers_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);

  gtk_menu_button_popup (self->add_button);
}

static void
load_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!spindle_window_load_demo (self, &error))
    _spindle_window_show_error (self, _("Could not start the demo set"), error);
}

static void
stop_all_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  spindle_worker_set_stop_all (SPINDLE_WINDOW (widget)->set);
}

static void
cancel_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);

  if (self->dialog == NULL)
    confirm_cancel_all (self);
}

static void
stop_selected_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  g_autoptr(SpindleWorker) worker = _spindle_window_get_selected_worker (SPINDLE_WINDOW (widget));

  if (worker != NULL)
    spindle_worker_request_stop (worker);
}

static void
cancel_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  g_autoptr(SpindleWorker) worker = _spindle_window_get_selected_worker (SPINDLE_WINDOW (widget));

  if (worker != NULL)
    spindle_worker_force_cancel (worker);
}

static void
clear_finished_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  spindle_worker_set_clear_finished (SPINDLE_WINDOW (widget)->set);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
on_search_stopped (SpindleWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

/* Sensitivity ***************************************************************/

void
_spindle_window_update_actions (SpindleWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(SpindleWorker) selected = _spindle_window_get_selected_worker (self);
  SpindleWorkerState state = selected ? spindle_worker_get_state (selected) : SPINDLE_WORKER_STATE_FINISHED;
  guint n_live = spindle_worker_monitor_get_n_live (self->monitor);
  guint n_total = spindle_worker_monitor_get_n_total (self->monitor);

  gtk_widget_action_set_enabled (widget, "win.add-workers", !self->shutting_down);
  gtk_widget_action_set_enabled (widget, "win.load-demo", !self->shutting_down);
  gtk_widget_action_set_enabled (widget, "win.stop-all", n_live > 0 && !self->shutting_down);
  gtk_widget_action_set_enabled (widget, "win.cancel-all", n_live > 0);
  gtk_widget_action_set_enabled (widget, "win.clear-finished", n_total > n_live);
  gtk_widget_action_set_enabled (widget, "win.stop-selected", spindle_format_can_stop (state));
  gtk_widget_action_set_enabled (widget, "win.cancel-selected", spindle_format_can_cancel (state));
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), !self->shutting_down);
}

/* A lookup of "item" on no row fails and would leave the pane showing the
 * last worker; this passes NULL on when nothing is selected.
 */
static SpindleWorker *
selected_worker (gpointer        unused,
                 GtkTreeListRow *row)
{
  return row != NULL ? gtk_tree_list_row_get_item (row) : NULL;
}

static void
on_selection_changed (SpindleWindow *self)
{
  _spindle_window_update_actions (self);
}

void
_spindle_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.add-workers", NULL, add_workers_action);
  gtk_widget_class_install_action (widget_class, "win.load-demo", NULL, load_demo_action);
  gtk_widget_class_install_action (widget_class, "win.stop-all", NULL, stop_all_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-all", NULL, cancel_all_action);
  gtk_widget_class_install_action (widget_class, "win.stop-selected", NULL, stop_selected_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-selected", NULL, cancel_selected_action);
  gtk_widget_class_install_action (widget_class, "win.clear-finished", NULL, clear_finished_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_property_action (widget_class, "win.show-finished", "show-finished");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-workers", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.stop-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.stop-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_SHIFT_MASK, "win.cancel-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, GDK_SHIFT_MASK, "win.cancel-selected", NULL);

  gtk_widget_class_bind_template_callback (widget_class, on_add_workers);
  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, selected_worker);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stopped);
}
