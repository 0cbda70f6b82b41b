/* spindle-panel-cells.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-panel"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "spindle-cell-binding.h"
#include "spindle-cell-text.h"
#include "spindle-elapsed-label.h"
#include "spindle-format.h"
#include "spindle-panel-private.h"
#include "spindle-timeline.h"

/* The list's cells, built in C: each column's GtkSignalListItemFactory
 * in spindle-panel.ui calls a setup_*_cell () below and the common
 * bind_cell () / unbind_cell () / teardown_cell ().
 *
 * Why not GtkBuilder templates, as the rest of the panel is: with 10,000
 * workers the first panel update made its ~200 rows of 9 cells from
 * templates in 400–590 ms, about a quarter of it GtkBuilder's own work
 * (parsing each template again for each cell, its expressions, closures
 * called through libffi), and every row the list recycled while
 * scrolling, and every notify of a worker on screen, went through the
 * same expressions. Built here, a cell is its widgets plus one small
 * struct (spindle-cell-binding.c) and one notify handler on its worker:
 * that first update's main-thread CPU went from 304 ms to 201 ms (medians
 * of six runs each, alternated, on a loaded 2-core machine), and a rebind
 * is a handler connected and a few texts compared.
 * The panel's remaining template callbacks (the sorters', the status
 * bar's) are at the end.
 */

static SpindleWorker *
list_item_get_worker (GtkListItem *list_item)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);

  return row ? gtk_tree_list_row_get_item (row) : NULL;
}

static GtkWidget *
new_inscription (float                   xalign,
                 guint                   min_chars,
                 guint                   nat_chars,
                 GtkInscriptionOverflow  overflow,
                 const char             *css_class)
{
  GtkWidget *inscription = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (inscription), xalign);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (inscription), min_chars);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (inscription), nat_chars);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (inscription), overflow);
  if (css_class != NULL)
    gtk_widget_add_css_class (inscription, css_class);

  return inscription;
}

static void
take_text (GtkWidget *inscription,
           char      *text)
{
  gtk_inscription_set_text (GTK_INSCRIPTION (inscription), text);
  g_free (text);
}

/* Setting the same classes again would restyle the cell. */
static void
take_classes (GtkWidget  *widget,
              char      **classes)
{
  g_auto(GStrv) shown = gtk_widget_get_css_classes (widget);

  if (!g_strv_equal ((const char * const *) shown, (const char * const *) classes))
    gtk_widget_set_css_classes (widget, (const char **) classes);
  g_strfreev (classes);
}

/* Tooltips ******************************************************************/

/* Cells and buttons compute their tooltips when one is asked for: a
 * tooltip-text set on each change makes GTK look up the pointer (a round
 * trip to the display server) each time the text changes, for every row,
 * every tick.
 */
#define TOOLTIP_TEXT_KEY "spindle-tooltip-text"

static gboolean
show_tooltip (GtkWidget  *widget,
              GtkTooltip *tooltip,
              char       *text)
{
  gboolean shown = text != NULL;

  if (shown)
    gtk_tooltip_set_text (tooltip, text);
  /* kept for _spindle_panel_query_tooltip () */
  g_object_set_data_full (G_OBJECT (widget), TOOLTIP_TEXT_KEY, text, g_free);

  return shown;
}

typedef char *(*TooltipFunc) (SpindleWorker *worker);

static gboolean
query_tooltip (GtkWidget   *widget,
               GtkTooltip  *tooltip,
               GtkListItem *list_item,
               TooltipFunc  func)
{
  g_autoptr(SpindleWorker) worker = list_item_get_worker (list_item);

  if (worker == NULL)
    return FALSE;

  return show_tooltip (widget, tooltip, func (worker));
}

static char *
state_tooltip (SpindleWorker *worker)
{
  return spindle_cell_text_state_tooltip (spindle_worker_get_state (worker),
                                          spindle_worker_get_unresponsive (worker));
}

static char *
kernel_tooltip (SpindleWorker *worker)
{
  return spindle_cell_text_kernel_tooltip (spindle_worker_get_state (worker),
                                           spindle_worker_get_kernel_state (worker),
                                           spindle_worker_get_wait_channel (worker),
                                           spindle_worker_get_syscall (worker));
}

static gboolean
on_state_query_tooltip (GtkWidget   *widget,
                        int          x,
                        int          y,
                        gboolean     keyboard_mode,
                        GtkTooltip  *tooltip,
                        GtkListItem *list_item)
{
  return query_tooltip (widget, tooltip, list_item, state_tooltip);
}

static gboolean
on_kernel_query_tooltip (GtkWidget   *widget,
                         int          x,
                         int          y,
                         gboolean     keyboard_mode,
                         GtkTooltip  *tooltip,
                         GtkListItem *list_item)
{
  return query_tooltip (widget, tooltip, list_item, kernel_tooltip);
}

static gboolean
on_row_stop_query_tooltip (GtkWidget   *widget,
                           int          x,
                           int          y,
                           gboolean     keyboard_mode,
                           GtkTooltip  *tooltip,
                           GtkListItem *list_item)
{
  return query_tooltip (widget, tooltip, list_item, spindle_cell_text_stop_tooltip);
}

static gboolean
on_row_cancel_query_tooltip (GtkWidget   *widget,
                             int          x,
                             int          y,
                             gboolean     keyboard_mode,
                             GtkTooltip  *tooltip,
                             GtkListItem *list_item)
{
  return query_tooltip (widget, tooltip, list_item, spindle_cell_text_cancel_tooltip);
}

/* Computed when asked for, from the worker the cell shows then. */
static void
add_tooltip (GtkWidget   *widget,
             GtkListItem *list_item,
             GCallback    handler)
{
  gtk_widget_set_has_tooltip (widget, TRUE);
  g_signal_connect_object (widget, "query-tooltip", handler, list_item, 0);
}

/* The text a widget's tooltip would show now, or NULL (for tests). */
char *
_spindle_panel_query_tooltip (GtkWidget *widget)
{
  g_autoptr(GtkTooltip) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  gboolean shown = FALSE;

  g_object_set_data (G_OBJECT (widget), TOOLTIP_TEXT_KEY, NULL);
  g_signal_emit_by_name (widget, "query-tooltip", 0, 0, FALSE, tooltip, &shown);
  if (!shown)
    return NULL;

  return g_strdup (g_object_get_data (G_OBJECT (widget), TOOLTIP_TEXT_KEY));
}

/* Name **********************************************************************/

/* The expander arrow claims the click that toggles it, so the row's own
 * gesture never sees it: select the row here, then let the arrow toggle.
 */
static void
on_name_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 gpointer         unused)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  gtk_widget_activate_action (widget, "listitem.select", "(bb)", FALSE, FALSE);
}

static GtkWidget *
create_name_cell (SpindleCellBinding *cell)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkGesture *press = gtk_gesture_click_new ();

  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (press), GTK_PHASE_CAPTURE);
  g_signal_connect (press, "pressed", G_CALLBACK (on_name_pressed), NULL);
  gtk_widget_add_controller (expander, GTK_EVENT_CONTROLLER (press));

  cell->widgets[0] = expander;
  cell->widgets[1] = new_inscription (0, 14, 20, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, "worker-name");
  /* dimmed as dim-label would be, without its opacity (style.css) */
  cell->widgets[2] = new_inscription (0, 14, 20, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, "caption");
  gtk_widget_add_css_class (cell->widgets[2], "worker-kind");

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), cell->widgets[1]);
  gtk_box_append (GTK_BOX (box), cell->widgets[2]);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);

  return expander;
}

/* "leaf" or "parent": a parent's arrow has room, a leaf's name does not
 * move when a child comes.
 */
static void
update_expander_classes (SpindleCellBinding *cell)
{
  gboolean parent = g_list_model_get_n_items (cell->children) > 0;

  gtk_widget_remove_css_class (cell->widgets[0], parent ? "leaf" : "parent");
  gtk_widget_add_css_class (cell->widgets[0], parent ? "parent" : "leaf");
}

static void
bind_name_cell (SpindleCellBinding *cell)
{
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (cell->widgets[0]), cell->row);

  cell->children = g_object_ref (spindle_worker_get_children (cell->worker));
  cell->children_id = g_signal_connect_swapped (cell->children, "items-changed",
                                                G_CALLBACK (update_expander_classes), cell);
}

static void
update_name_cell (SpindleCellBinding *cell)
{
  gtk_inscription_set_text (GTK_INSCRIPTION (cell->widgets[1]), spindle_worker_get_name (cell->worker));
  gtk_inscription_set_text (GTK_INSCRIPTION (cell->widgets[2]),
                            spindle_format_kind_title (spindle_worker_get_kind (cell->worker)));
  update_expander_classes (cell);
}

/* The expander keeps its row until the next bind: the list often binds a
 * cell to the same row again, and a new row rebuilds the arrow.
 */
static void
unbind_name_cell (SpindleCellBinding *cell)
{
  g_clear_signal_handler (&cell->children_id, cell->children);
  g_clear_object (&cell->children);
}

static const SpindleCellKind name_cell = {
  create_name_cell, bind_name_cell, update_name_cell, unbind_name_cell, { "name", "kind" },
};

/* TID ***********************************************************************/

/* Inscriptions, here and below: a row rebound to another worker, or a new
 * figure each tick, redraws them; a label's new text would lay the whole
 * window out again.
 */
static GtkWidget *
create_tid_cell (SpindleCellBinding *cell)
{
  cell->widgets[0] = new_inscription (1, 3, 7, GTK_INSCRIPTION_OVERFLOW_CLIP, "numeric");

  return cell->widgets[0];
}

static void
update_tid_cell (SpindleCellBinding *cell)
{
  take_text (cell->widgets[0], spindle_format_tid (spindle_worker_get_tid (cell->worker)));
}

static const SpindleCellKind tid_cell = {
  create_tid_cell, NULL, update_tid_cell, NULL, { "tid" },
};

/* State *********************************************************************/

/* A pill of one width for every state: its text changes without laying
 * the window out again.
 */
static GtkWidget *
create_state_cell (SpindleCellBinding *cell)
{
  GtkWidget *pill = new_inscription (0.5, 8, 11, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, NULL);

  gtk_widget_set_halign (pill, GTK_ALIGN_START);
  gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
  add_tooltip (pill, cell->list_item, G_CALLBACK (on_state_query_tooltip));
  cell->widgets[0] = pill;

  return pill;
}

static void
update_state_cell (SpindleCellBinding *cell)
{
  SpindleWorkerState state = spindle_worker_get_state (cell->worker);
  gboolean unresponsive = spindle_worker_get_unresponsive (cell->worker);

  gtk_inscription_set_text (GTK_INSCRIPTION (cell->widgets[0]), spindle_format_pill_label (state, unresponsive));
  take_classes (cell->widgets[0], spindle_format_pill_classes (state, unresponsive));
}

static const SpindleCellKind state_cell = {
  create_state_cell, NULL, update_state_cell, NULL, { "state", "unresponsive" },
};

/* Elapsed and timeline ******************************************************/

/* These widgets follow their worker themselves: the elapsed label on the
 * clock's ticks (and it tells the panel which rows are on screen), the
 * timeline on the worker's history.
 */
static GtkWidget *
create_elapsed_cell (SpindleCellBinding *cell)
{
  cell->widgets[0] = spindle_elapsed_label_new ();
  spindle_elapsed_label_set_report_shown (SPINDLE_ELAPSED_LABEL (cell->widgets[0]), TRUE);

  return cell->widgets[0];
}

static void
bind_elapsed_cell (SpindleCellBinding *cell)
{
  spindle_elapsed_label_set_worker (SPINDLE_ELAPSED_LABEL (cell->widgets[0]), cell->worker);
}

static void
unbind_elapsed_cell (SpindleCellBinding *cell)
{
  spindle_elapsed_label_set_worker (SPINDLE_ELAPSED_LABEL (cell->widgets[0]), NULL);
}

static const SpindleCellKind elapsed_cell = {
  create_elapsed_cell, bind_elapsed_cell, NULL, unbind_elapsed_cell, { NULL },
};

static GtkWidget *
create_timeline_cell (SpindleCellBinding *cell)
{
  GtkWidget *timeline = spindle_timeline_new ();

  gtk_widget_set_valign (timeline, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (timeline),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Last minute"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("A bar of the worker’s states over the last minute, oldest at the left, one colour per state: the state column’s colours; the side pane’s legend names them, and the parts never sampled are shaded."),
                                  -1);
  cell->widgets[0] = timeline;

  return timeline;
}

static void
bind_timeline_cell (SpindleCellBinding *cell)
{
  spindle_timeline_set_worker (SPINDLE_TIMELINE (cell->widgets[0]), cell->worker);
}

static void
unbind_timeline_cell (SpindleCellBinding *cell)
{
  spindle_timeline_set_worker (SPINDLE_TIMELINE (cell->widgets[0]), NULL);
}

static const SpindleCellKind timeline_cell = {
  create_timeline_cell, bind_timeline_cell, NULL, unbind_timeline_cell, { NULL },
};

/* CPU, kernel, cleanup ******************************************************/

static GtkWidget *
create_cpu_cell (SpindleCellBinding *cell)
{
  cell->widgets[0] = new_inscription (1, 4, 7, GTK_INSCRIPTION_OVERFLOW_CLIP, "numeric");
  gtk_widget_add_css_class (cell->widgets[0], "cpu-percent");

  return cell->widgets[0];
}

static void
update_cpu_cell (SpindleCellBinding *cell)
{
  take_text (cell->widgets[0], spindle_cell_text_cpu (spindle_worker_get_state (cell->worker),
                                                      spindle_worker_get_cpu_percent (cell->worker)));
}

static const SpindleCellKind cpu_cell = {
  create_cpu_cell, NULL, update_cpu_cell, NULL, { "state", "cpu-percent" },
};

/* Fixed in width: the column does not jump as the value changes. */
static GtkWidget *
create_kernel_cell (SpindleCellBinding *cell)
{
  cell->widgets[0] = new_inscription (0, 6, 16, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, "kernel-state");
  add_tooltip (cell->widgets[0], cell->list_item, G_CALLBACK (on_kernel_query_tooltip));

  return cell->widgets[0];
}

static void
update_kernel_cell (SpindleCellBinding *cell)
{
  take_text (cell->widgets[0], spindle_cell_text_kernel (spindle_worker_get_state (cell->worker),
                                                         spindle_worker_get_kernel_state (cell->worker),
                                                         spindle_worker_get_wait_channel (cell->worker),
                                                         spindle_worker_get_syscall (cell->worker)));
}

static const SpindleCellKind kernel_cell = {
  create_kernel_cell, NULL, update_kernel_cell, NULL, { "state", "kernel-state", "wait-channel", "syscall" },
};

static GtkWidget *
create_cleanup_cell (SpindleCellBinding *cell)
{
  cell->widgets[0] = new_inscription (0, 6, 12, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, NULL);

  return cell->widgets[0];
}

static void
update_cleanup_cell (SpindleCellBinding *cell)
{
  SpindleWorkerState state = spindle_worker_get_state (cell->worker);
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (cell->worker);

  take_text (cell->widgets[0], spindle_format_cleanup_status (state, report));
  take_classes (cell->widgets[0], spindle_cell_text_cleanup_classes (state, report));
}

static const SpindleCellKind cleanup_cell = {
  create_cleanup_cell, NULL, update_cleanup_cell, NULL, { "state", "cleanup-report" },
};

/* Actions *******************************************************************/

static void
on_row_stop_clicked (GtkButton   *button,
                     GtkListItem *list_item)
{
  g_autoptr(SpindleWorker) worker = list_item_get_worker (list_item);

  if (worker != NULL)
    spindle_worker_request_stop (worker);
}

static void
on_row_cancel_clicked (GtkButton   *button,
                       GtkListItem *list_item)
{
  g_autoptr(SpindleWorker) worker = list_item_get_worker (list_item);

  if (worker != NULL)
    spindle_worker_force_cancel (worker);
}

/* Flat: every row on screen is drawn again on each frame of a scroll,
 * and a framed button costs more than its row.
 */
static GtkWidget *
new_row_button (GtkListItem *list_item,
                const char  *name,
                const char  *label,
                GCallback    clicked,
                GCallback    on_query_tooltip)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_name (button, name);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "row-action");
  add_tooltip (button, list_item, on_query_tooltip);
  g_signal_connect_object (button, "clicked", clicked, list_item, 0);

  return button;
}

/* A request reaches no worker of a program that has exited. */
static gboolean
can_act (gpointer this,
         gboolean remote_gone)
{
  return !remote_gone;
}

/* The buttons follow the exit of the panel's program (a remote set). */
static void
follow_remote_gone (GtkWidget    *box,
                    SpindlePanel *panel)
{
  GtkExpression *gone = gtk_property_expression_new (SPINDLE_TYPE_WORKER_SET,
                                                     gtk_property_expression_new (SPINDLE_TYPE_PANEL, NULL, "set"),
                                                     "remote-gone");

  gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_BOOLEAN, NULL, 1, &gone, G_CALLBACK (can_act), NULL, NULL),
                       box, "sensitive", panel);
}

static GtkWidget *
create_actions_cell (SpindleCellBinding *cell)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_list_item_set_activatable (cell->list_item, FALSE);
  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  cell->widgets[0] = new_row_button (cell->list_item, "row-stop",
                                     /* A button: ask the worker to stop */
                                     _("Stop"),
                                     G_CALLBACK (on_row_stop_clicked), G_CALLBACK (on_row_stop_query_tooltip));
  cell->widgets[1] = new_row_button (cell->list_item, "row-cancel", _("Force-Cancel"),
                                     G_CALLBACK (on_row_cancel_clicked), G_CALLBACK (on_row_cancel_query_tooltip));
  gtk_widget_add_css_class (cell->widgets[1], "row-cancel");
  gtk_box_append (GTK_BOX (box), cell->widgets[0]);
  gtk_box_append (GTK_BOX (box), cell->widgets[1]);
  follow_remote_gone (box, cell->owner);

  return box;
}

static void
take_accessible_name (GtkWidget *button,
                      char      *name)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_free (name);
}

/* "Stop sleeper 1": the buttons' accessible names follow the worker. */
static void
update_actions_cell (SpindleCellBinding *cell)
{
  gtk_widget_set_sensitive (cell->widgets[0], spindle_cell_text_can_stop (cell->worker));
  gtk_widget_set_sensitive (cell->widgets[1], spindle_cell_text_can_cancel (cell->worker));
  take_accessible_name (cell->widgets[0], spindle_cell_text_stop_name (cell->worker));
  take_accessible_name (cell->widgets[1], spindle_cell_text_cancel_name (cell->worker));
}

static const SpindleCellKind actions_cell = {
  create_actions_cell, NULL, update_actions_cell, NULL, { "state", "name" },
};

/* The factories' handlers ***************************************************/

/* @panel: the template's object, which GtkBuilder hands every handler */
#define SETUP_HANDLER(func, kind)                                          \
  static void                                                              \
  func (GtkSignalListItemFactory *factory,                                 \
        GtkListItem              *list_item,                               \
        SpindlePanel             *panel)                                   \
  {                                                                        \
    spindle_cell_binding_setup (list_item, &kind, panel);                  \
  }

SETUP_HANDLER (setup_name_cell, name_cell)
SETUP_HANDLER (setup_tid_cell, tid_cell)
SETUP_HANDLER (setup_state_cell, state_cell)
SETUP_HANDLER (setup_elapsed_cell, elapsed_cell)
SETUP_HANDLER (setup_cpu_cell, cpu_cell)
SETUP_HANDLER (setup_kernel_cell, kernel_cell)
SETUP_HANDLER (setup_timeline_cell, timeline_cell)
SETUP_HANDLER (setup_cleanup_cell, cleanup_cell)
SETUP_HANDLER (setup_actions_cell, actions_cell)

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           SpindlePanel             *panel)
{
  spindle_cell_binding_bind (list_item);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             SpindlePanel             *panel)
{
  spindle_cell_binding_unbind (list_item);
}

static void
teardown_cell (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               SpindlePanel             *panel)
{
  spindle_cell_binding_teardown (list_item);
}

/* The sorters' closures *****************************************************/

/* The Kernel and Cleanup columns sort by the words their cells show. */
static char *
kernel_label (gpointer            this,
              SpindleWorkerState  state,
              const char         *kernel_state,
              const char         *wait_channel,
              const char         *syscall)
{
  return spindle_cell_text_kernel (state, kernel_state, wait_channel, syscall);
}

static char *
cleanup_status (gpointer              this,
                SpindleWorkerState    state,
                SpindleCleanupReport *report)
{
  return spindle_format_cleanup_status (state, report);
}

/* The status bar ************************************************************/

/* The sampler reads this process. Over another program's workers its
 * figures and threads would pass for the program's: the status bar names
 * the program instead, and the other threads are not listed.
 */
static gboolean
is_local (gpointer          this,
          SpindleWorkerSet *set)
{
  return set == NULL || !spindle_worker_set_is_remote (set);
}

static char *
program_status (SpindleWorkerSet *set)
{
  const char *name = spindle_worker_set_get_remote_name (set);
  int pid = spindle_worker_set_get_remote_pid (set);

  if (name == NULL || *name == '\0')
    /* Translators: the status bar of a window over another program's workers */
    return g_strdup_printf (_("Program with PID %d"), pid);

  /* Translators: the status bar of a window over another program's workers: its name and process id */
  return g_strdup_printf (_("Program %s, PID %d"), name, pid);
}

static char *
process_status_tooltip (gpointer          this,
                        SpindleWorkerSet *set)
{
  if (!is_local (this, set))
    return g_strdup (_("Another program’s workers, read over D-Bus. Its CPU, memory and other threads are not shown."));

  return g_strdup (_("This process: CPU as a percentage of one core, resident memory and threads. This machine: CPUs and the 1-minute load average."));
}

/* Empty until the first sample: zeros would be a lie. */
static char *
process_status (gpointer          this,
                SpindleWorkerSet *set,
                double            cpu_percent,
                guint64           resident,
                guint             n_threads,
                guint             n_cpus,
                double            load_average)
{
  if (!is_local (this, set))
    return program_status (set);
  if (n_cpus == 0)
    return g_strdup ("");

  return spindle_format_process_status (cpu_percent, resident, n_threads, n_cpus, load_average);
}

void
_spindle_panel_class_init_cells (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, setup_name_cell);
  gtk_widget_class_bind_template_callback (widget_class, setup_tid_cell);
  gtk_widget_class_bind_template_callback (widget_class, setup_state_cell);
  gtk_widget_class_bind_template_callback (widget_class, setup_elapsed_cell);
  gtk_widget_class_bind_template_callback (widget_class, setup_cpu_cell);
  gtk_widget_class_bind_template_callback (widget_class, setup_kernel_cell);
  gtk_widget_class_bind_template_callback (widget_class, setup_timeline_cell);
  gtk_widget_class_bind_template_callback (widget_class, setup_cleanup_cell);
  gtk_widget_class_bind_template_callback (widget_class, setup_actions_cell);
  gtk_widget_class_bind_template_callback (widget_class, bind_cell);
  gtk_widget_class_bind_template_callback (widget_class, unbind_cell);
  gtk_widget_class_bind_template_callback (widget_class, teardown_cell);

  gtk_widget_class_bind_template_callback (widget_class, kernel_label);
  gtk_widget_class_bind_template_callback (widget_class, cleanup_status);
  gtk_widget_class_bind_template_callback (widget_class, process_status);
  gtk_widget_class_bind_template_callback (widget_class, process_status_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, is_local);
  gtk_widget_class_bind_template_callback (widget_class, can_act);
}
