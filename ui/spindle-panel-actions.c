/* spindle-panel-actions.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-panel"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "spindle-format.h"
#include "spindle-panel-private.h"

/* The panel's actions, under the "panel" prefix: on the selected worker
 * (Stop, Force-Cancel, Abandon, Copy Details, the row menu), Clear
 * Finished with its Undo bar, and search. The application's window keeps
 * its own win.* actions for its header, menus and shortcuts, and passes
 * them on to these.
 */

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

  g_menu_append (section, _("_Stop"), "panel.stop-selected");
  g_menu_append (section, _("_Force-Cancel"), "panel.cancel-selected");
  g_menu_append (section, _("_Abandon — the thread is left running and leaked"), "panel.abandon-selected");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_object_unref (section);

  section = g_menu_new ();
  g_menu_append (section, _("_Copy Details"), "panel.copy-details");
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
get_row_menu (SpindlePanel *self)
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
focus_point (SpindlePanel *self)
{
  GtkWidget *view = GTK_WIDGET (self->column_view);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
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
popup_row_menu (SpindlePanel           *self,
                const graphene_point_t *at)
{
  g_autoptr(SpindleWorker) worker = _spindle_panel_dup_selected (self);
  GtkPopover *popover;
  graphene_point_t point;

  if (worker == NULL)
    return;

  point = at ? *at : focus_point (self);
  _spindle_panel_update_actions (self);
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
                           SpindlePanel    *self)
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

/* Actions on workers ********************************************************/

static void
stop_selected_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  g_autoptr(SpindleWorker) worker = _spindle_panel_dup_selected (SPINDLE_PANEL (widget));

  if (worker != NULL)
    spindle_worker_request_stop (worker);
}

static void
cancel_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  g_autoptr(SpindleWorker) worker = _spindle_panel_dup_selected (SPINDLE_PANEL (widget));

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
  SpindlePanel *self = SPINDLE_PANEL (widget);
  g_autoptr(SpindleWorker) worker = NULL;

  if (self->set != NULL)
    worker = find_worker (G_LIST_MODEL (self->set), g_variant_get_uint64 (parameter));
  abandon_worker (worker);
}

static void
abandon_selected_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  g_autoptr(SpindleWorker) worker = _spindle_panel_dup_selected (SPINDLE_PANEL (widget));

  abandon_worker (worker);
}

static void
copy_details_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(SpindleWorker) worker = _spindle_panel_dup_selected (SPINDLE_PANEL (widget));
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
  popup_row_menu (SPINDLE_PANEL (widget), NULL);
}

/* Clearing finished workers *************************************************/

/* The engine cannot take a worker back, so Clear Finished hides them at
 * once (the filter skips the "spindle-clearing" set) and removes them
 * when the Undo bar goes: after a few seconds, or when dismissed.
 */
#define UNDO_TIMEOUT_S 5

void
_spindle_panel_end_undo (SpindlePanel *self,
                         gboolean      remove)
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
  if (self->undo_revealer != NULL)
    gtk_revealer_set_reveal_child (self->undo_revealer, FALSE);
}

static gboolean
undo_timeout_cb (gpointer data)
{
  SpindlePanel *self = data;

  g_object_steal_data (G_OBJECT (self), "spindle-undo-timeout");
  _spindle_panel_end_undo (self, TRUE);

  return G_SOURCE_REMOVE;
}

static void
clear_finished_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SpindlePanel *self = SPINDLE_PANEL (widget);
  GHashTable *clearing;
  g_autofree char *text = NULL;
  guint timeout_id;

  _spindle_panel_end_undo (self, TRUE);
  if (self->set == NULL)
    return;

  clearing = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->set)); i++)
    {
      SpindleWorker *worker = g_list_model_get_item (G_LIST_MODEL (self->set), i);

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
  gtk_revealer_set_reveal_child (self->undo_revealer, TRUE);
}

static void
undo_clear_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  _spindle_panel_end_undo (SPINDLE_PANEL (widget), FALSE);
}

static void
dismiss_undo_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  _spindle_panel_end_undo (SPINDLE_PANEL (widget), TRUE);
}

/* Search ********************************************************************/

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SpindlePanel *self = SPINDLE_PANEL (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
on_search_stopped (SpindlePanel *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

/* Sensitivity ***************************************************************/

SpindlePanelActions
_spindle_panel_get_enabled_actions (SpindlePanel *self)
{
  g_autoptr(SpindleWorker) selected = _spindle_panel_dup_selected (self);
  SpindleWorkerState state = selected ? spindle_worker_get_state (selected) : SPINDLE_WORKER_STATE_FINISHED;
  SpindlePanelActions actions = 0;

  /* a program that has exited takes no request */
  if (self->set != NULL && spindle_worker_set_get_remote_gone (self->set))
    state = SPINDLE_WORKER_STATE_FINISHED;

  /* Only what a request can still change: not a worker already asked, nor one nothing reaches. */
  if (spindle_format_can_stop (state))
    actions |= SPINDLE_PANEL_ACTION_STOP_SELECTED;
  if (spindle_format_can_cancel (state))
    actions |= SPINDLE_PANEL_ACTION_CANCEL_SELECTED;
  if (selected != NULL && spindle_format_thread_may_run (state) &&
      !spindle_worker_is_terminal (selected) && spindle_worker_get_unresponsive (selected))
    actions |= SPINDLE_PANEL_ACTION_ABANDON_SELECTED;
  if (selected != NULL)
    actions |= SPINDLE_PANEL_ACTION_COPY_DETAILS;
  if (self->monitor != NULL &&
      spindle_worker_monitor_get_n_total (self->monitor) > spindle_worker_monitor_get_n_live (self->monitor))
    actions |= SPINDLE_PANEL_ACTION_CLEAR_FINISHED;

  return actions;
}

void
_spindle_panel_update_actions (SpindlePanel *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  SpindlePanelActions actions = _spindle_panel_get_enabled_actions (self);

  gtk_widget_action_set_enabled (widget, "panel.stop-selected", actions & SPINDLE_PANEL_ACTION_STOP_SELECTED);
  gtk_widget_action_set_enabled (widget, "panel.cancel-selected", actions & SPINDLE_PANEL_ACTION_CANCEL_SELECTED);
  gtk_widget_action_set_enabled (widget, "panel.abandon-selected", actions & SPINDLE_PANEL_ACTION_ABANDON_SELECTED);
  gtk_widget_action_set_enabled (widget, "panel.copy-details", actions & SPINDLE_PANEL_ACTION_COPY_DETAILS);
  gtk_widget_action_set_enabled (widget, "panel.clear-finished", actions & SPINDLE_PANEL_ACTION_CLEAR_FINISHED);
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
on_selected_unresponsive (SpindlePanel *self)
{
  _spindle_panel_update_actions (self);
  if (self->update_func != NULL)
    self->update_func (self->update_data);
}

/* The monitor follows states; "unresponsive" changes within one, so the
 * selected worker's flag is watched here.
 */
static void
watch_selected (SpindlePanel *self)
{
  SpindleWorker *watched = g_object_get_data (G_OBJECT (self), "spindle-watched-selected");
  g_autoptr(SpindleWorker) selected = _spindle_panel_dup_selected (self);

  if (watched == selected)
    return;

  if (watched != NULL)
    g_signal_handlers_disconnect_by_func (watched, on_selected_unresponsive, self);
  if (selected != NULL)
    g_signal_connect_object (selected, "notify::unresponsive",
                             G_CALLBACK (on_selected_unresponsive), self, G_CONNECT_SWAPPED);

  g_object_set_data_full (G_OBJECT (self), "spindle-watched-selected",
                          selected ? g_object_ref (selected) : NULL, g_object_unref);
}

static void
on_selection_changed (SpindlePanel *self)
{
  watch_selected (self);
  on_selected_unresponsive (self);
}

void
_spindle_panel_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "panel.stop-selected", NULL, stop_selected_action);
  gtk_widget_class_install_action (widget_class, "panel.cancel-selected", NULL, cancel_selected_action);
  gtk_widget_class_install_action (widget_class, "panel.abandon", "t", abandon_action);
  /* The side pane's Abandon button names win.abandon (spindle-worker-details.ui):
   * answered here too, so that it works in a panel that no Spindle window holds.
   */
  gtk_widget_class_install_action (widget_class, "win.abandon", "t", abandon_action);
  gtk_widget_class_install_action (widget_class, "panel.abandon-selected", NULL, abandon_selected_action);
  gtk_widget_class_install_action (widget_class, "panel.copy-details", NULL, copy_details_action);
  gtk_widget_class_install_action (widget_class, "panel.context-menu", NULL, context_menu_action);
  gtk_widget_class_install_action (widget_class, "panel.clear-finished", NULL, clear_finished_action);
  gtk_widget_class_install_action (widget_class, "panel.undo-clear", NULL, undo_clear_action);
  gtk_widget_class_install_action (widget_class, "panel.dismiss-undo", NULL, dismiss_undo_action);
  gtk_widget_class_install_action (widget_class, "panel.search", NULL, search_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "panel.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "panel.stop-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "panel.stop-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_SHIFT_MASK, "panel.cancel-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, GDK_SHIFT_MASK, "panel.cancel-selected", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "panel.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "panel.context-menu", NULL);

  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, selected_worker);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stopped);
  gtk_widget_class_bind_template_callback (widget_class, on_view_secondary_pressed);
}
