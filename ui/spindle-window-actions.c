/* spindle-window-actions.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "spindle-catalog.h"
#include "spindle-format.h"
#include "spindle-window-private.h"
#include "spindle-window-remote.h"

/* Finding workers ***********************************************************/

typedef gboolean (*StateTest) (SpindleWorkerState state);

/* Top-level workers whose state passes @test, counted up to @limit: a
 * request to all reaches the children through their parents.
 */
static guint
count_workers (SpindleWindow *self,
               StateTest      test,
               guint          limit)
{
  GListModel *model = G_LIST_MODEL (self->set);
  guint n = g_list_model_get_n_items (model);
  guint count = 0;

  for (guint i = 0; i < n && count < limit; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);

      if (test (spindle_worker_get_state (worker)))
        count++;
    }

  return count;
}

static guint
count_unresponsive (SpindleWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->set);
  guint n = g_list_model_get_n_items (model);
  guint count = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);

      if (spindle_worker_state_is_live (spindle_worker_get_state (worker)) &&
          spindle_worker_get_unresponsive (worker))
        count++;
    }

  return count;
}

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

/* A worker already cancelled, or one nothing reaches, is not counted:
 * cancelling all again would not change its fate.
 */
static char *
cancel_all_secondary (SpindleWindow *self)
{
  guint n_unresponsive = count_unresponsive (self);
  const char *text = _("Each thread is unwound at its next cancellation point, without finishing "
                       "its work. A worker cancelled while holding a lock leaves the lock tainted, "
                       "and one that a cancel cannot reach is marked unresponsive when its grace "
                       "period ends.");

  if (n_unresponsive == 0)
    return g_strdup (text);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s\n\n%u unresponsive worker cannot be reached and is not "
                                       "counted: abandon it from its row’s menu.",
                                       "%s\n\n%u unresponsive workers cannot be reached and are not "
                                       "counted: abandon them from their rows’ menus.",
                                       n_unresponsive),
                          text, n_unresponsive);
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
  guint n_reachable = count_workers (self, spindle_format_can_cancel, G_MAXUINT);
  g_autofree char *secondary = NULL;
  GtkWidget *dialog;
  GtkWidget *button;

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_WARNING, GTK_BUTTONS_NONE,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "Force-cancel %u worker?",
                                                "Force-cancel %u workers?", n_reachable),
                                   n_reachable);
  secondary = cancel_all_secondary (self);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", secondary);
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

/* The list's actions are the panel's (spindle-panel-actions.c): the
 * window's own names, which its menus, shortcuts and tests use, pass
 * them on.
 */
static void
forward_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);
  g_autofree char *name = g_strconcat ("panel.", action_name + strlen ("win."), NULL);

  gtk_widget_activate_action_variant (GTK_WIDGET (self->panel), name, parameter);
}

/* Sensitivity ***************************************************************/

static void
set_enabled (GtkWidget           *widget,
             const char          *action_name,
             SpindlePanelActions  actions,
             SpindlePanelActions  action)
{
  gtk_widget_action_set_enabled (widget, action_name, (actions & action) != 0);
}

void
_spindle_window_update_actions (SpindleWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  SpindlePanelActions actions = _spindle_panel_get_enabled_actions (self->panel);
  guint n_live = spindle_worker_monitor_get_n_live (self->monitor);

  gtk_widget_action_set_enabled (widget, "win.add-workers", !self->shutting_down);
  gtk_widget_action_set_enabled (widget, "win.load-demo", !self->shutting_down);
  /* Only what a request can still change: not a worker already asked, nor one nothing reaches. */
  gtk_widget_action_set_enabled (widget, "win.stop-all",
                                 n_live > 0 && !self->shutting_down &&
                                 count_workers (self, spindle_format_can_stop, 1) > 0);
  gtk_widget_action_set_enabled (widget, "win.cancel-all",
                                 n_live > 0 && count_workers (self, spindle_format_can_cancel, 1) > 0);
  set_enabled (widget, "win.clear-finished", actions, SPINDLE_PANEL_ACTION_CLEAR_FINISHED);
  set_enabled (widget, "win.stop-selected", actions, SPINDLE_PANEL_ACTION_STOP_SELECTED);
  set_enabled (widget, "win.cancel-selected", actions, SPINDLE_PANEL_ACTION_CANCEL_SELECTED);
  set_enabled (widget, "win.abandon-selected", actions, SPINDLE_PANEL_ACTION_ABANDON_SELECTED);
  set_enabled (widget, "win.copy-details", actions, SPINDLE_PANEL_ACTION_COPY_DETAILS);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), !self->shutting_down);
  _spindle_window_update_remote_actions (self);
}

void
_spindle_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.add-workers", NULL, add_workers_action);
  gtk_widget_class_install_action (widget_class, "win.load-demo", NULL, load_demo_action);
  gtk_widget_class_install_action (widget_class, "win.stop-all", NULL, stop_all_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-all", NULL, cancel_all_action);
  gtk_widget_class_install_action (widget_class, "win.stop-selected", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-selected", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.abandon", "t", forward_action);
  gtk_widget_class_install_action (widget_class, "win.abandon-selected", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.copy-details", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.context-menu", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.clear-finished", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.undo-clear", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-undo", NULL, forward_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, forward_action);
  gtk_widget_class_install_property_action (widget_class, "win.show-finished", "show-finished");
  gtk_widget_class_install_property_action (widget_class, "win.show-details", "show-details");
  /* F9 shows and hides a side pane in GNOME's applications */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-details", NULL);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-workers", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.stop-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.stop-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_SHIFT_MASK, "win.cancel-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, GDK_SHIFT_MASK, "win.cancel-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "win.context-menu", NULL);

  gtk_widget_class_bind_template_callback (widget_class, on_add_workers);
}
