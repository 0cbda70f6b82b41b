/* spindle-window-actions.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

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

/* (transfer full) (nullable): the worker @id, at any depth. */
static SpindleWorker *
find_worker (GListModel *model,
             guint64     id)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);
      SpindleWorker *found;

      if (spindle_worker_get_id (worker) == id)
        return g_steal_pointer (&worker);

      found = find_worker (spindle_worker_get_children (worker), id);
      if (found != NULL)
        return found;
    }

  return NULL;
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

/* Row menu ******************************************************************/

/* "sleeper 1 (Sleeper), worker 3, TID 1234\nState: …": what a bug report needs. */
static char *
describe_worker (SpindleWorker *worker)
{
  SpindleWorkerState state = spindle_worker_get_state (worker);
  gint64 now = g_get_monotonic_time ();
  g_autofree char *tid = spindle_format_tid (spindle_worker_get_tid (worker));
  g_autofree char *elapsed = spindle_format_elapsed (spindle_worker_get_elapsed (worker, now));
  g_autofree char *cleanup = spindle_format_cleanup_status (state, spindle_worker_get_cleanup_report (worker));
  g_autofree char *kernel = spindle_format_kernel_long (spindle_worker_get_kernel_state (worker),
                                                       spindle_worker_get_wait_channel (worker),
                                                       spindle_worker_get_syscall (worker));
  const char *phase = spindle_worker_get_phase (worker);
  const GError *error = spindle_worker_get_error (worker);
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, _("%s (%s), worker %llu, TID %s\n"),
                          spindle_worker_get_name (worker),
                          spindle_format_kind_title (spindle_worker_get_kind (worker)),
                          (unsigned long long) spindle_worker_get_id (worker), tid);
  g_string_append_printf (text, _("State: %s%s\n"), spindle_format_state_label (state),
                          spindle_worker_get_unresponsive (worker) ? _(", unresponsive") : "");
  g_string_append_printf (text, _("Elapsed: %s\n"), elapsed);
  if (spindle_format_thread_may_run (state))
    g_string_append_printf (text, _("Kernel: %s\n"), kernel);
  if (phase != NULL && *phase != '\0')
    g_string_append_printf (text, _("Phase: %s\n"), phase);
  g_string_append_printf (text, _("Cleanup: %s\n"), cleanup);
  if (error != NULL)
    g_string_append_printf (text, _("Error: %s\n"), error->message);

  return g_string_free (text, FALSE);
}

static GMenuModel *
row_menu_model (void)
{
  GMenu *menu = g_menu_new ();
  GMenu *section = g_menu_new ();

  g_menu_append (section, _("_Stop"), "win.stop-selected");
  g_menu_append (section, _("_Force-Cancel"), "win.cancel-selected");
  g_menu_append (section, _("_Abandon — the thread is left running and leaked"), "win.abandon-selected");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_object_unref (section);

  section = g_menu_new ();
  g_menu_append (section, _("_Copy Details"), "win.copy-details");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_object_unref (section);

  return G_MENU_MODEL (menu);
}

static void
on_view_destroy (GtkWidget *view,
                 GtkWidget *popover)
{
  gtk_widget_unparent (popover);
}

static GtkPopover *
get_row_menu (SpindleWindow *self)
{
  GtkPopover *popover = g_object_get_data (G_OBJECT (self), "spindle-row-menu");
  g_autoptr(GMenuModel) model = NULL;

  if (popover != NULL)
    return popover;

  model = row_menu_model ();
  popover = GTK_POPOVER (gtk_popover_menu_new_from_model (model));
  gtk_widget_set_name (GTK_WIDGET (popover), "row-menu");
  gtk_popover_set_has_arrow (popover, FALSE);
  gtk_widget_set_halign (GTK_WIDGET (popover), GTK_ALIGN_START);
  gtk_widget_set_parent (GTK_WIDGET (popover), GTK_WIDGET (self->column_view));
  g_signal_connect_object (self->column_view, "destroy", G_CALLBACK (on_view_destroy), popover, 0);
  g_object_set_data (G_OBJECT (self), "spindle-row-menu", popover);

  return popover;
}

/* Where the keyboard user is: the focused row, or else the view's corner. */
static graphene_point_t
focus_point (SpindleWindow *self)
{
  GtkWidget *view = GTK_WIDGET (self->column_view);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  graphene_point_t point = GRAPHENE_POINT_INIT (24, 24);

  if (focus != NULL && gtk_widget_is_ancestor (focus, view) &&
      gtk_widget_compute_point (focus, view,
                                &GRAPHENE_POINT_INIT (24, gtk_widget_get_height (focus) / 2.f),
                                &point))
    return point;

  return point;
}

/* At @at in the view's coordinates, or at the focused row. */
static void
popup_row_menu (SpindleWindow          *self,
                const graphene_point_t *at)
{
  g_autoptr(SpindleWorker) worker = _spindle_window_get_selected_worker (self);
  GtkPopover *popover;
  graphene_point_t point;

  if (worker == NULL)
    return;

  point = at ? *at : focus_point (self);
  _spindle_window_update_actions (self);
  popover = get_row_menu (self);
  gtk_popover_set_pointing_to (popover, &(GdkRectangle) { (int) point.x, (int) point.y, 1, 1 });
  gtk_popover_popup (popover);
}

/* A right click selects the row under the pointer, as in Files, and
 * opens the menu for it.
 */
static void
on_view_secondary_pressed (GtkGestureClick *gesture,
                           int              n_press,
                           double           x,
                           double           y,
                           SpindleWindow   *self)
{
  GtkWidget *view = GTK_WIDGET (self->column_view);
  GtkWidget *picked = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);

  if (picked == NULL || picked == view)
    return;
  if (!gtk_widget_activate_action (picked, "listitem.select", "(bb)", FALSE, FALSE))
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_row_menu (self, &GRAPHENE_POINT_INIT (x, y));
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

/* Only a worker that nothing reaches is abandoned from the UI: its thread
 * is left running, detached, and whatever it holds is reported leaked.
 */
static void
abandon_worker (SpindleWorker *worker)
{
  if (worker != NULL && spindle_worker_get_unresponsive (worker) && !spindle_worker_is_terminal (worker))
    spindle_worker_abandon (worker);
}

static void
abandon_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);
  g_autoptr(SpindleWorker) worker = find_worker (G_LIST_MODEL (self->set), g_variant_get_uint64 (parameter));

  abandon_worker (worker);
}

static void
abandon_selected_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  g_autoptr(SpindleWorker) worker = _spindle_window_get_selected_worker (SPINDLE_WINDOW (widget));

  abandon_worker (worker);
}

static void
copy_details_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(SpindleWorker) worker = _spindle_window_get_selected_worker (SPINDLE_WINDOW (widget));
  g_autofree char *text = NULL;

  if (worker == NULL)
    return;

  text = describe_worker (worker);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

static void
context_menu_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  popup_row_menu (SPINDLE_WINDOW (widget), NULL);
}

/* Clearing finished workers *************************************************/

/* The engine cannot take a worker back, so Clear Finished hides them at
 * once (the filter skips the "spindle-clearing" set) and removes them
 * when the Undo bar goes: after a few seconds, or when dismissed.
 */
#define UNDO_TIMEOUT_S 5

static GtkRevealer *
undo_revealer (SpindleWindow *self)
{
  return self->undo_revealer;
}

static void
end_undo (SpindleWindow *self,
          gboolean       remove)
{
  g_autoptr(GHashTable) clearing = g_object_steal_data (G_OBJECT (self), "spindle-clearing");
  guint timeout_id = GPOINTER_TO_UINT (g_object_steal_data (G_OBJECT (self), "spindle-undo-timeout"));
  GHashTableIter iter;
  gpointer worker;

  if (timeout_id != 0)
    g_source_remove (timeout_id);
  if (clearing == NULL)
    return;

  if (self->set != NULL && remove)
    {
      g_hash_table_iter_init (&iter, clearing);
      while (g_hash_table_iter_next (&iter, &worker, NULL))
        spindle_worker_set_remove (self->set, worker);
    }

  if (self->finished_filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->finished_filter),
                        remove ? GTK_FILTER_CHANGE_DIFFERENT : GTK_FILTER_CHANGE_LESS_STRICT);
  if (undo_revealer (self) != NULL)
    gtk_revealer_set_reveal_child (undo_revealer (self), FALSE);
}

static gboolean
undo_timeout_cb (gpointer data)
{
  SpindleWindow *self = data;

  g_object_steal_data (G_OBJECT (self), "spindle-undo-timeout");
  end_undo (self, TRUE);

  return G_SOURCE_REMOVE;
}

static void
on_window_destroy (SpindleWindow *self)
{
  end_undo (self, TRUE);
}

static void
clear_finished_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SpindleWindow *self = SPINDLE_WINDOW (widget);
  GListModel *model = G_LIST_MODEL (self->set);
  GHashTable *clearing = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  g_autofree char *text = NULL;
  guint timeout_id;

  end_undo (self, TRUE);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      SpindleWorker *worker = g_list_model_get_item (model, i);

      if (spindle_worker_is_terminal (worker))
        g_hash_table_add (clearing, worker);
      else
        g_object_unref (worker);
    }

  if (g_hash_table_size (clearing) == 0)
    {
      g_hash_table_unref (clearing);
      return;
    }

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u finished worker cleared",
                                       "%u finished workers cleared", g_hash_table_size (clearing)),
                          g_hash_table_size (clearing));
  gtk_label_set_label (self->undo_label, text);

  g_object_set_data_full (G_OBJECT (self), "spindle-clearing", clearing, (GDestroyNotify) g_hash_table_unref);
  timeout_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, UNDO_TIMEOUT_S, undo_timeout_cb,
                                           g_object_ref (self), g_object_unref);
  g_object_set_data (G_OBJECT (self), "spindle-undo-timeout", GUINT_TO_POINTER (timeout_id));
  gtk_filter_changed (GTK_FILTER (self->finished_filter), GTK_FILTER_CHANGE_MORE_STRICT);
  gtk_revealer_set_reveal_child (undo_revealer (self), TRUE);

  if (g_object_get_data (G_OBJECT (self), "spindle-undo-watch") == NULL)
    {
      g_signal_connect (self, "destroy", G_CALLBACK (on_window_destroy), NULL);
      g_object_set_data (G_OBJECT (self), "spindle-undo-watch", GUINT_TO_POINTER (1));
    }
}

static void
undo_clear_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  end_undo (SPINDLE_WINDOW (widget), FALSE);
}

static void
dismiss_undo_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  end_undo (SPINDLE_WINDOW (widget), TRUE);
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
  /* Only what a request can still change: not a worker already asked, nor one nothing reaches. */
  gtk_widget_action_set_enabled (widget, "win.stop-all",
                                 n_live > 0 && !self->shutting_down &&
                                 count_workers (self, spindle_format_can_stop, 1) > 0);
  gtk_widget_action_set_enabled (widget, "win.cancel-all",
                                 n_live > 0 && count_workers (self, spindle_format_can_cancel, 1) > 0);
  gtk_widget_action_set_enabled (widget, "win.clear-finished", n_total > n_live);
  gtk_widget_action_set_enabled (widget, "win.stop-selected", spindle_format_can_stop (state));
  gtk_widget_action_set_enabled (widget, "win.cancel-selected", spindle_format_can_cancel (state));
  gtk_widget_action_set_enabled (widget, "win.abandon-selected",
                                 selected != NULL && spindle_format_thread_may_run (state) &&
                                 !spindle_worker_is_terminal (selected) &&
                                 spindle_worker_get_unresponsive (selected));
  gtk_widget_action_set_enabled (widget, "win.copy-details", selected != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), !self->shutting_down);
  _spindle_window_update_remote_actions (self);
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

/* The monitor follows states; "unresponsive" changes within one, so the
 * selected worker's flag is watched here.
 */
static void
watch_selected (SpindleWindow *self)
{
  SpindleWorker *watched = g_object_get_data (G_OBJECT (self), "spindle-watched-selected");
  g_autoptr(SpindleWorker) selected = _spindle_window_get_selected_worker (self);

  if (watched == selected)
    return;

  if (watched != NULL)
    g_signal_handlers_disconnect_by_func (watched, _spindle_window_update_actions, self);
  if (selected != NULL)
    g_signal_connect_object (selected, "notify::unresponsive",
                             G_CALLBACK (_spindle_window_update_actions), self, G_CONNECT_SWAPPED);

  g_object_set_data_full (G_OBJECT (self), "spindle-watched-selected",
                          selected ? g_object_ref (selected) : NULL, g_object_unref);
}

static void
on_selection_changed (SpindleWindow *self)
{
  watch_selected (self);
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
  gtk_widget_class_install_action (widget_class, "win.abandon", "t", abandon_action);
  gtk_widget_class_install_action (widget_class, "win.abandon-selected", NULL, abandon_selected_action);
  gtk_widget_class_install_action (widget_class, "win.copy-details", NULL, copy_details_action);
  gtk_widget_class_install_action (widget_class, "win.context-menu", NULL, context_menu_action);
  gtk_widget_class_install_action (widget_class, "win.clear-finished", NULL, clear_finished_action);
  gtk_widget_class_install_action (widget_class, "win.undo-clear", NULL, undo_clear_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-undo", NULL, dismiss_undo_action);

  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, undo_revealer);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, undo_label);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
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
  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, selected_worker);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stopped);
  gtk_widget_class_bind_template_callback (widget_class, on_view_secondary_pressed);
}
