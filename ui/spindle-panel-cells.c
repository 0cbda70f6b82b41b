/* spindle-panel-cells.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-panel"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "spindle-format.h"
#include "spindle-panel-private.h"

/* The closures of the cell templates in cells/, the per-row buttons and
 * the cells' tooltips.
 */

static SpindleWorker *
list_item_get_worker (GtkListItem *list_item)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);

  return row ? gtk_tree_list_row_get_item (row) : NULL;
}

/* Cells *********************************************************************/

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

static char **
expander_classes (gpointer this,
                  guint    n_children)
{
  const char *classes[] = { n_children == 0 ? "leaf" : "parent", NULL };

  return g_strdupv ((char **) classes);
}

static char *
kind_title (gpointer    this,
            const char *kind)
{
  return g_strdup (spindle_format_kind_title (kind));
}

static char *
tid_label (gpointer this,
           int      tid)
{
  return spindle_format_tid (tid);
}

/* The engine keeps an unreachable worker "cancelling" (nothing else will
 * happen to it); the row says what that means.
 */
static char *
state_label (gpointer           this,
             SpindleWorkerState state,
             gboolean           unresponsive)
{
  return g_strdup (spindle_format_pill_label (state, unresponsive));
}

static char *
state_tooltip (gpointer           this,
               SpindleWorkerState state,
               gboolean           unresponsive)
{
  if (spindle_format_is_unresponsive (state, unresponsive))
    return g_strdup_printf (_("Still %s after its grace period: neither a stop request nor a "
                              "cancel reaches it. Abandon it from the row’s menu to let it go; "
                              "its thread is then left running and leaked."),
                            spindle_format_state_label (state));

  return NULL;
}

static char **
state_classes (gpointer           this,
               SpindleWorkerState state,
               gboolean           unresponsive)
{
  return spindle_format_pill_classes (state, unresponsive);
}

static char *
cleanup_status (gpointer              this,
                SpindleWorkerState    state,
                SpindleCleanupReport *report)
{
  return spindle_format_cleanup_status (state, report);
}

static char **
cleanup_classes (gpointer              this,
                 SpindleWorkerState    state,
                 SpindleCleanupReport *report)
{
  const char *classes[] = { "cleanup-status", spindle_format_cleanup_class (state, report), NULL };

  return g_strdupv ((char **) classes);
}

static char *
cpu_label (gpointer           this,
           SpindleWorkerState state,
           double             percent)
{
  if (!spindle_format_thread_may_run (state))
    return g_strdup ("—");

  return spindle_format_cpu_percent (percent);
}

/* What a wait channel or system call means to a person. The raw names
 * stay in the tooltip; these are the words the cell shows.
 */
static const struct {
  const char *fragment;
  const char *words;
} kernel_words[] = {
  { "futex",          N_("futex wait") },
  { "ep_poll",        N_("waiting in epoll") },
  { "epoll",          N_("waiting in epoll") },
  { "poll",           N_("waiting in poll") },
  { "select",         N_("waiting in select") },
  { "nanosleep",      N_("sleeping") },
  { "hrtimer",        N_("sleeping") },
  { "pipe_read",      N_("reading a pipe") },
  { "pipe_write",     N_("writing a pipe") },
  { "sk_wait",        N_("reading a socket") },
  { "unix_stream",    N_("reading a socket") },
  { "wait_woken",     N_("reading a socket") },
  { "inet_csk",       N_("accepting") },
  { "accept",         N_("accepting") },
  { "recv",           N_("reading a socket") },
  { "read",           N_("reading") },
  { "write",          N_("writing") },
  { "do_wait",        N_("waiting for a child") },
  { "wait4",          N_("waiting for a child") },
};

static const char *
words_for (const char *name)
{
  if (name == NULL || *name == '\0' || g_str_equal (name, "0") || g_str_equal (name, "running"))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (kernel_words); i++)
    if (strstr (name, kernel_words[i].fragment) != NULL)
      return _(kernel_words[i].words);

  return NULL;
}

/* "waiting in poll", "futex wait", "on CPU": read only while the row is on screen. */
static char *
kernel_label (gpointer            this,
              SpindleWorkerState  state,
              const char         *kernel_state,
              const char         *wait_channel,
              const char         *syscall)
{
  const char *words;

  if (!spindle_format_thread_may_run (state) || kernel_state == NULL || *kernel_state == '\0')
    return g_strdup ("—");

  switch (kernel_state[0])
    {
    case 'R': return g_strdup (_("on CPU"));
    case 'T': return g_strdup (_("stopped"));
    case 't': return g_strdup (_("traced"));
    case 'Z': return g_strdup (_("zombie"));
    case 'X': return g_strdup (_("dead"));
    default:  break;
    }

  words = words_for (wait_channel);
  if (words == NULL)
    words = words_for (syscall);
  if (words == NULL)
    words = kernel_state[0] == 'D' ? _("uninterruptible wait") : _("sleeping");

  return g_strdup (words);
}

static char *
kernel_tooltip (gpointer            this,
                SpindleWorkerState  state,
                const char         *kernel_state,
                const char         *wait_channel,
                const char         *syscall)
{
  if (!spindle_format_thread_may_run (state))
    return NULL;

  return spindle_format_kernel_long (kernel_state, wait_channel, syscall);
}

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

/* A process of a process worker's tree is a row with nothing of its own
 * to stop: its worker's buttons reach it.
 */
static gboolean
is_process_row (SpindleWorker *worker)
{
  return worker != NULL && spindle_worker_is_tree_process (worker);
}

static gboolean
can_stop (gpointer           this,
          SpindleWorkerState state,
          SpindleWorker     *worker)
{
  return spindle_format_can_stop (state) && !is_process_row (worker);
}

static gboolean
can_cancel (gpointer           this,
            SpindleWorkerState state,
            SpindleWorker     *worker)
{
  return spindle_format_can_cancel (state) && !is_process_row (worker);
}

static const char *
process_row_tooltip (void)
{
  return _("A process of a process worker: Stop and Force-Cancel act on the process worker, "
           "whose helper ends every process of its tree");
}

/* A request reaches no worker of a program that has exited. */
static gboolean
can_act (gpointer this,
         gboolean remote_gone)
{
  return !remote_gone;
}

/* A cell's template cannot reach the panel, so a row's buttons follow the
 * program's exit from here, once their box is in the panel: a watch on the
 * panel's set, released with the box.
 */
#define FOLLOWS_GONE_KEY "spindle-follows-gone"

static void
on_actions_box_realize (GtkWidget *box,
                        gpointer   user_data)
{
  GtkWidget *panel = gtk_widget_get_ancestor (box, SPINDLE_TYPE_PANEL);
  GtkExpression *gone;

  if (panel == NULL || g_object_get_data (G_OBJECT (box), FOLLOWS_GONE_KEY) != NULL)
    return;

  gone = gtk_property_expression_new (SPINDLE_TYPE_WORKER_SET,
                                      gtk_property_expression_new (SPINDLE_TYPE_PANEL, NULL, "set"),
                                      "remote-gone");
  gtk_expression_bind (gtk_cclosure_expression_new (G_TYPE_BOOLEAN, NULL, 1, &gone, G_CALLBACK (can_act), NULL, NULL),
                       box, "sensitive", panel);
  g_object_set_data (G_OBJECT (box), FOLLOWS_GONE_KEY, GINT_TO_POINTER (TRUE));
}

static char *
stop_tooltip (gpointer    this,
              const char *name)
{
  return g_strdup_printf (_("Ask “%s” to stop"), name);
}

static char *
cancel_tooltip (gpointer    this,
                const char *name)
{
  return g_strdup_printf (_("Force-cancel “%s”"), name);
}

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

/* "Stop sleeper 1": a screen reader says which worker a button acts on. */
static void
describe_button (GtkWidget   *button,
                 GtkListItem *list_item,
                 gboolean     stop)
{
  g_autoptr(SpindleWorker) worker = list_item_get_worker (list_item);
  g_autofree char *label = NULL;

  if (worker == NULL)
    return;

  if (stop)
    /* Translators: the accessible name of a row's Stop button */
    label = g_strdup_printf (_("Stop %s"), spindle_worker_get_name (worker));
  else
    /* Translators: the accessible name of a row's Force-Cancel button */
    label = g_strdup_printf (_("Force-cancel %s"), spindle_worker_get_name (worker));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* The accessible names follow the worker the row shows. */
static void
on_actions_item_changed (GtkListItem *list_item,
                         GParamSpec  *pspec,
                         gpointer     user_data)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);

  if (box == NULL)
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (box); child; child = gtk_widget_get_next_sibling (child))
    describe_button (child, list_item, g_str_equal (gtk_widget_get_name (child), "row-stop"));
}

/* Tooltips ******************************************************************/

/* Cells and buttons compute their tooltips when one is asked for: a
 * bound tooltip-text makes GTK look up the pointer (a round trip to the
 * display server) each time the text changes, for every row, every tick.
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

static gboolean
on_state_query_tooltip (GtkWidget   *widget,
                        int          x,
                        int          y,
                        gboolean     keyboard_mode,
                        GtkTooltip  *tooltip,
                        GtkListItem *list_item)
{
  g_autoptr(SpindleWorker) worker = list_item_get_worker (list_item);

  if (worker == NULL)
    return FALSE;

  return show_tooltip (widget, tooltip,
                       state_tooltip (NULL, spindle_worker_get_state (worker),
                                      spindle_worker_get_unresponsive (worker)));
}

static gboolean
on_kernel_query_tooltip (GtkWidget   *widget,
                         int          x,
                         int          y,
                         gboolean     keyboard_mode,
                         GtkTooltip  *tooltip,
                         GtkListItem *list_item)
{
  g_autoptr(SpindleWorker) worker = list_item_get_worker (list_item);

  if (worker == NULL)
    return FALSE;

  return show_tooltip (widget, tooltip,
                       kernel_tooltip (NULL, spindle_worker_get_state (worker),
                                       spindle_worker_get_kernel_state (worker),
                                       spindle_worker_get_wait_channel (worker),
                                       spindle_worker_get_syscall (worker)));
}

static gboolean
on_row_stop_query_tooltip (GtkWidget   *widget,
                           int          x,
                           int          y,
                           gboolean     keyboard_mode,
                           GtkTooltip  *tooltip,
                           GtkListItem *list_item)
{
  g_autoptr(SpindleWorker) worker = list_item_get_worker (list_item);

  if (worker == NULL)
    return FALSE;

  if (is_process_row (worker))
    return show_tooltip (widget, tooltip, g_strdup (process_row_tooltip ()));
  return show_tooltip (widget, tooltip, stop_tooltip (NULL, spindle_worker_get_name (worker)));
}

static gboolean
on_row_cancel_query_tooltip (GtkWidget   *widget,
                             int          x,
                             int          y,
                             gboolean     keyboard_mode,
                             GtkTooltip  *tooltip,
                             GtkListItem *list_item)
{
  g_autoptr(SpindleWorker) worker = list_item_get_worker (list_item);

  if (worker == NULL)
    return FALSE;

  if (is_process_row (worker))
    return show_tooltip (widget, tooltip, g_strdup (process_row_tooltip ()));
  return show_tooltip (widget, tooltip, cancel_tooltip (NULL, spindle_worker_get_name (worker)));
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

void
_spindle_panel_class_init_cells (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, expander_classes);
  gtk_widget_class_bind_template_callback (widget_class, on_name_pressed);
  gtk_widget_class_bind_template_callback (widget_class, kind_title);
  gtk_widget_class_bind_template_callback (widget_class, tid_label);
  gtk_widget_class_bind_template_callback (widget_class, state_label);
  gtk_widget_class_bind_template_callback (widget_class, state_classes);
  gtk_widget_class_bind_template_callback (widget_class, on_state_query_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, cleanup_status);
  gtk_widget_class_bind_template_callback (widget_class, cleanup_classes);
  gtk_widget_class_bind_template_callback (widget_class, cpu_label);
  gtk_widget_class_bind_template_callback (widget_class, kernel_label);
  gtk_widget_class_bind_template_callback (widget_class, on_kernel_query_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, process_status);
  gtk_widget_class_bind_template_callback (widget_class, process_status_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, is_local);
  gtk_widget_class_bind_template_callback (widget_class, can_act);
  gtk_widget_class_bind_template_callback (widget_class, on_actions_box_realize);
  gtk_widget_class_bind_template_callback (widget_class, can_stop);
  gtk_widget_class_bind_template_callback (widget_class, can_cancel);
  gtk_widget_class_bind_template_callback (widget_class, on_row_stop_query_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, on_row_cancel_query_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, on_row_stop_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_row_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_actions_item_changed);
}
