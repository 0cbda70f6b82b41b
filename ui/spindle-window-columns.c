/* spindle-window-columns.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "spindle-clock.h"
#include "spindle-format.h"
#include "spindle-window-private.h"

/* The closures of the sorters and filters in spindle-window.ui and of the
 * cell templates in cells/, and the per-row buttons.
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

/* Empty until the first sample: zeros would be a lie. */
static char *
process_status (gpointer this,
                double   cpu_percent,
                guint64  resident,
                guint    n_threads,
                guint    n_cpus,
                double   load_average)
{
  if (n_cpus == 0)
    return g_strdup ("");

  return spindle_format_process_status (cpu_percent, resident, n_threads, n_cpus, load_average);
}

static gboolean
can_stop (gpointer           this,
          SpindleWorkerState state)
{
  return spindle_format_can_stop (state);
}

static gboolean
can_cancel (gpointer           this,
            SpindleWorkerState state)
{
  return spindle_format_can_cancel (state);
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
  /* kept for _spindle_window_query_tooltip () */
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

  return show_tooltip (widget, tooltip, cancel_tooltip (NULL, spindle_worker_get_name (worker)));
}

/* The text a widget's tooltip would show now, or NULL (for tests). */
char *
_spindle_window_query_tooltip (GtkWidget *widget)
{
  g_autoptr(GtkTooltip) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  gboolean shown = FALSE;

  g_object_set_data (G_OBJECT (widget), TOOLTIP_TEXT_KEY, NULL);
  g_signal_emit_by_name (widget, "query-tooltip", 0, 0, FALSE, tooltip, &shown);
  if (!shown)
    return NULL;

  return g_strdup (g_object_get_data (G_OBJECT (widget), TOOLTIP_TEXT_KEY));
}

/* Sorting and filtering *****************************************************/

/* Live workers first, in the order they move through, then the endings. */
static int
state_sort_key (gpointer           this,
                SpindleWorkerState state)
{
  return (int) state;
}

/* Ended workers sort below every live one. */
static double
cpu_sort_key (gpointer           this,
              SpindleWorkerState state,
              double             percent)
{
  return spindle_format_thread_may_run (state) ? percent : -1.0;
}

/* Every key of one sort uses the same "now", the last tick's. */
static gint64
elapsed_sort_key (SpindleWorker *worker)
{
  return spindle_worker_get_elapsed (worker, spindle_clock_get_now (spindle_clock_get_default ()));
}

static char *
row_search_text (GtkTreeListRow *row)
{
  g_autoptr(SpindleWorker) worker = gtk_tree_list_row_get_item (row);
  const char *kind = spindle_worker_get_kind (worker);

  return g_strjoin ("\n",
                    spindle_worker_get_name (worker),
                    kind ? kind : "",
                    spindle_format_kind_title (kind),
                    spindle_format_state_label (spindle_worker_get_state (worker)),
                    NULL);
}

static gboolean
finished_filter_func (gpointer item,
                      gpointer user_data)
{
  SpindleWindow *self = user_data;
  GHashTable *clearing = g_object_get_data (G_OBJECT (self), "spindle-clearing");
  g_autoptr(SpindleWorker) worker = NULL;

  if (self->show_finished && clearing == NULL)
    return TRUE;

  worker = gtk_tree_list_row_get_item (item);
  /* cleared, but still in the set while Undo is offered */
  if (clearing != NULL && g_hash_table_contains (clearing, worker))
    return FALSE;

  return self->show_finished || !spindle_worker_is_terminal (worker);
}

/* The filter and sort models do not watch items: states changed, so tell them. */
void
_spindle_window_refilter (SpindleWindow *self)
{
  const char *search = gtk_string_filter_get_search (self->search_filter);

  /* A worker only goes from live to ended: the hidden stay hidden. */
  if (!self->show_finished)
    gtk_filter_changed (GTK_FILTER (self->finished_filter), GTK_FILTER_CHANGE_MORE_STRICT);
  if (search != NULL && *search != '\0')
    gtk_filter_changed (GTK_FILTER (self->search_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Columns *******************************************************************/

/* A narrow window drops columns, the highest @drop first; 0 never drops.
 * @key names the column in the settings and the column chooser.
 */
typedef struct
{
  const char *id;
  const char *tooltip;
  guint       drop;
  const char *key;
  const char *title;
  int         width;   /* for the columns that size to their content */
} ColumnInfo;

static const ColumnInfo column_info[] = {
  { "name_column",     N_("The worker’s name and kind; children are listed under their parent"),
    0, "name", N_("Name"), 170 },
  { "tid_column",      N_("The kernel’s thread ID"), 7, "tid", N_("TID"), 0 },
  { "state_column",    N_("Where the worker is in its life, or how it ended; “unresponsive” when nothing reaches it"),
    0, "state", N_("State"), 0 },
  { "elapsed_column",  N_("Time since the worker started, frozen when it ended"), 2, "elapsed", N_("Elapsed"), 0 },
  { "cpu_column",      N_("CPU used since the last refresh, as a percentage of one core"), 5, "cpu", N_("CPU %"), 0 },
  { "kernel_column",   N_("What the thread does in the kernel, read for the rows on screen; hover a cell for the wait channel and system call"),
    3, "kernel", N_("Kernel"), 0 },
  { "timeline_column", N_("The worker’s states over the last minute"), 6, "timeline", N_("Last Minute"), 0 },
  { "cleanup_column",  N_("What the worker’s cleanup did: steps run, failed, or resources leaked"),
    4, "cleanup", N_("Cleanup"), 0 },
  /* the row menu and the side pane carry the same actions */
  { "actions_column",  N_("Stop asks the worker to stop; Force-Cancel unwinds its thread"),
    1, "actions", N_("Actions"), 170 },
};

G_STATIC_ASSERT (G_N_ELEMENTS (column_info) == SPINDLE_WINDOW_N_COLUMNS);

static const ColumnInfo *
find_column_info (SpindleWindow       *self,
                  GtkColumnViewColumn *column)
{
  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    if (self->columns[i] == column)
      return &column_info[i];

  return NULL;
}

/* A GtkColumnViewSorter listens to the sorters of the columns it sorts
 * by and to no other: GTK 4.8 has no getter for them.
 */
static gboolean
column_sorts (GtkColumnViewColumn *column)
{
  GtkSorter *sorter = gtk_column_view_column_get_sorter (column);

  return sorter != NULL &&
         g_signal_has_handler_pending (sorter, g_signal_lookup ("changed", GTK_TYPE_SORTER), 0, FALSE);
}

/* Every column but the name moves with the state (the TID comes as the
 * thread starts). With the list in the order workers came, or by name, a
 * state change leaves the order alone, and ten thousand rows are not
 * sorted again for it.
 */
static gboolean
sort_follows_state (SpindleWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    if (!g_str_equal (column_info[i].key, "name") && column_sorts (self->columns[i]))
      return TRUE;

  return FALSE;
}

/* States changed: a sort by them needs telling. */
void
_spindle_window_resort (SpindleWindow *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);

  if (sorter != NULL && sort_follows_state (self))
    gtk_sorter_changed (sorter, GTK_SORTER_CHANGE_DIFFERENT);
}

/* GTK 4.8 has no tooltip on a column: set it on the header's title
 * buttons, which follow the columns' order.
 */
static void
set_header_tooltips (SpindleWindow *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
  GtkWidget *title = header ? gtk_widget_get_first_child (header) : NULL;

  for (guint i = 0; title != NULL && i < g_list_model_get_n_items (columns); i++, title = gtk_widget_get_next_sibling (title))
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      const ColumnInfo *info = find_column_info (self, column);

      if (info != NULL)
        gtk_widget_set_tooltip_text (title, _(info->tooltip));
    }
}

/* Which columns show: the user's choice, less what a narrow list cannot
 * hold, dropped by priority.
 */
static int
column_width (SpindleWindow    *self,
              const ColumnInfo *info)
{
  int fixed = gtk_column_view_column_get_fixed_width (self->columns[info - column_info]);

  return fixed > 0 ? fixed : info->width;
}

static int
list_width (SpindleWindow *self)
{
  GtkPaned *paned = self->paned;
  int width, height;

  /* the window's new width, not the paned's: it is allocated later */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (!self->show_details)
    return width;

  if (gtk_widget_get_mapped (GTK_WIDGET (paned)))
    return gtk_paned_get_position (paned);

  return width - 300;
}

static void
apply_column_visibility (SpindleWindow *self)
{
  g_auto(GStrv) hidden = g_settings_get_strv (self->settings, "hidden-columns");
  gboolean shown[G_N_ELEMENTS (column_info)];
  int available;
  int total = 0;

  if (self->column_view == NULL)
    return;

  available = list_width (self);

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    {
      shown[i] = column_info[i].drop == 0 || !g_strv_contains ((const char * const *) hidden, column_info[i].key);
      if (shown[i])
        total += column_width (self, &column_info[i]);
    }

  for (guint drop = 7; drop > 0 && total > available; drop--)
    for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
      if (shown[i] && column_info[i].drop == drop)
        {
          shown[i] = FALSE;
          total -= column_width (self, &column_info[i]);
        }

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    gtk_column_view_column_set_visible (self->columns[i], shown[i]);
}

/* The column chooser: one checkbox action per column that may hide. */
static void
on_column_toggled (GSimpleAction *action,
                   GVariant      *state,
                   SpindleWindow *self)
{
  const char *key = g_action_get_name (G_ACTION (action));
  g_auto(GStrv) hidden = g_settings_get_strv (self->settings, "hidden-columns");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;

  for (guint i = 0; hidden[i] != NULL; i++)
    if (!g_str_equal (hidden[i], key))
      g_strv_builder_add (builder, hidden[i]);
  if (!g_variant_get_boolean (state))
    g_strv_builder_add (builder, key);

  result = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "hidden-columns", (const char * const *) result);
}

static void
sync_column_actions (SpindleWindow  *self,
                     GActionGroup   *group)
{
  g_auto(GStrv) hidden = g_settings_get_strv (self->settings, "hidden-columns");

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    if (column_info[i].drop > 0)
      g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (group), column_info[i].key)),
                                 g_variant_new_boolean (!g_strv_contains ((const char * const *) hidden,
                                                                          column_info[i].key)));
}

static void
on_columns_setting_changed (SpindleWindow *self,
                            const char    *key,
                            GSettings     *settings)
{
  GActionGroup *group = g_object_get_data (G_OBJECT (self), "spindle-columns-actions");

  sync_column_actions (self, group);
  apply_column_visibility (self);
}

static GMenuModel *
columns_menu (void)
{
  GMenu *menu = g_menu_new ();

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    if (column_info[i].drop > 0)
      {
        g_autofree char *action = g_strdup_printf ("columns.%s", column_info[i].key);

        g_menu_append (menu, _(column_info[i].title), action);
      }

  return G_MENU_MODEL (menu);
}

static void
init_column_chooser (SpindleWindow *self)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GMenuModel) menu = columns_menu ();
  GMenu *primary = self->columns_section;

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    if (column_info[i].drop > 0)
      {
        g_autoptr(GSimpleAction) action =
          g_simple_action_new_stateful (column_info[i].key, NULL, g_variant_new_boolean (TRUE));

        g_signal_connect_object (action, "change-state", G_CALLBACK (on_column_toggled), self, 0);
        g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
      }

  gtk_widget_insert_action_group (GTK_WIDGET (self), "columns", G_ACTION_GROUP (group));
  g_object_set_data_full (G_OBJECT (self), "spindle-columns-actions", g_object_ref (group), g_object_unref);
  g_menu_append_submenu (primary, _("_Columns"), menu);
  sync_column_actions (self, G_ACTION_GROUP (group));
}

/* Widths ********************************************************************/

/* a{si}: GVariantDict would make it a{sv} */
static void
on_column_width_changed (GtkColumnViewColumn *column,
                         GParamSpec          *pspec,
                         SpindleWindow       *self)
{
  const ColumnInfo *info = find_column_info (self, column);
  g_autoptr(GVariant) widths = g_settings_get_value (self->settings, "column-widths");
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  int width;

  g_assert (info != NULL);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{si}"));
  g_variant_iter_init (&iter, widths);
  while (g_variant_iter_next (&iter, "{&si}", &key, &width))
    if (!g_str_equal (key, info->key))
      g_variant_builder_add (&builder, "{si}", key, width);
  g_variant_builder_add (&builder, "{si}", info->key, gtk_column_view_column_get_fixed_width (column));

  g_settings_set_value (self->settings, "column-widths", g_variant_builder_end (&builder));
  apply_column_visibility (self);
}

static void
restore_column_widths (SpindleWindow *self)
{
  g_autoptr(GVariant) widths = g_settings_get_value (self->settings, "column-widths");

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    {
      GtkColumnViewColumn *column = self->columns[i];
      int width;

      if (g_variant_lookup (widths, column_info[i].key, "i", &width) && width > 0)
        gtk_column_view_column_set_fixed_width (column, width);
      g_signal_connect_object (column, "notify::fixed-width", G_CALLBACK (on_column_width_changed), self, 0);
    }
}

/* Sort **********************************************************************/

/* GTK 4.8 cannot tell which column sorts (that is 4.10's
 * gtk_column_view_sorter_get_primary_sort_column()); the header's sort
 * arrow can, through its "ascending" or "descending" class.
 */
static gboolean
find_sort_column (SpindleWindow     *self,
                  const ColumnInfo **found,
                  gboolean          *descending)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
  GtkWidget *title = header ? gtk_widget_get_first_child (header) : NULL;

  for (guint i = 0; title != NULL && i < g_list_model_get_n_items (columns); i++, title = gtk_widget_get_next_sibling (title))
    for (GtkWidget *child = gtk_widget_get_first_child (title); child != NULL; child = gtk_widget_get_next_sibling (child))
      for (GtkWidget *icon = gtk_widget_get_first_child (child); icon != NULL; icon = gtk_widget_get_next_sibling (icon))
        if (gtk_widget_has_css_class (icon, "ascending") || gtk_widget_has_css_class (icon, "descending"))
          {
            g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

            *found = find_column_info (self, column);
            *descending = gtk_widget_has_css_class (icon, "descending");
            return *found != NULL;
          }

  return FALSE;
}

static gboolean
save_sort (gpointer data)
{
  SpindleWindow *self = data;
  const ColumnInfo *info = NULL;
  gboolean descending = FALSE;

  g_object_steal_data (G_OBJECT (self), "spindle-save-sort");

  /* the window may have gone meanwhile */
  if (self->column_view != NULL && find_sort_column (self, &info, &descending))
    {
      g_settings_set_string (self->settings, "sort-column", info->key);
      g_settings_set_boolean (self->settings, "sort-descending", descending);
    }

  return G_SOURCE_REMOVE;
}

/* The header updates its arrows on the same signal: read them after. */
static void
on_sorter_changed (SpindleWindow *self)
{
  if (g_object_get_data (G_OBJECT (self), "spindle-save-sort") != NULL)
    return;

  g_object_set_data (G_OBJECT (self), "spindle-save-sort", GUINT_TO_POINTER (1));
  g_idle_add_full (G_PRIORITY_LOW, save_sort, g_object_ref (self), g_object_unref);
}

static void
restore_sort (SpindleWindow *self)
{
  g_autofree char *key = g_settings_get_string (self->settings, "sort-column");
  GtkSorter *sorter;

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    if (g_str_equal (key, column_info[i].key))
      gtk_column_view_sort_by_column (self->column_view, self->columns[i],
                                      g_settings_get_boolean (self->settings, "sort-descending") ?
                                      GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);

  sorter = gtk_column_view_get_sorter (self->column_view);
  if (sorter != NULL)
    g_signal_connect_object (sorter, "changed", G_CALLBACK (on_sorter_changed), self, G_CONNECT_SWAPPED);
}

/* A narrow header bar keeps Add Workers' icon, and its tooltip. */
/* "No Matching Workers" in place of an empty list, while a search is on. */
static void
update_no_match (SpindleWindow *self)
{
  const char *search = gtk_string_filter_get_search (self->search_filter);
  gboolean no_match = search != NULL && *search != '\0' &&
                      g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0 &&
                      g_list_model_get_n_items (G_LIST_MODEL (self->set)) > 0;
  GtkWidget *page = self->no_match_page;
  GtkWidget *scroller = self->list_scroller;

  if (page == NULL || scroller == NULL)
    return;

  gtk_widget_set_visible (page, no_match);
  gtk_widget_set_visible (scroller, !no_match);
}

/* Below these widths of the window, the header's buttons keep their
 * icons only, and the side pane gives way to the list (win.show-details,
 * F9, brings it back): the title's counts and the columns come first.
 */
#define ICONS_ONLY_BELOW 800
#define NO_PANE_BELOW    880

static void
set_button_label (GtkButton  *button,
                  const char *label,
                  const char *icon_name,
                  gboolean    icon_only)
{
  if (icon_only)
    gtk_button_set_icon_name (button, icon_name);
  else
    gtk_button_set_label (button, label);
}

static void
apply_header_width (SpindleWindow *self,
                    int            width)
{
  gboolean icons_only = width > 0 && width < ICONS_ONLY_BELOW;

  /* this runs while the window allocates: change nothing that has not */
  if (icons_only == self->icons_only)
    return;

  self->icons_only = icons_only;
  gtk_widget_set_visible (self->add_label, !icons_only);
  set_button_label (self->stop_all_button, _("_Stop All"), "media-playback-stop-symbolic", icons_only);
  set_button_label (self->cancel_all_button, _("_Force-Cancel All"), "process-stop-symbolic", icons_only);
}

/* Only when the window crosses the width: in between, the user decides. */
static void
apply_pane_width (SpindleWindow *self,
                  int            width)
{
  gboolean narrow = width > 0 && width < NO_PANE_BELOW;

  if (narrow == self->narrow)
    return;

  self->narrow = narrow;
  _spindle_window_set_show_details (self, !narrow);
}

static void
on_list_width_changed (SpindleWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  apply_header_width (self, width);
  apply_pane_width (self, width);
  apply_column_visibility (self);
}

void
_spindle_window_init_columns (SpindleWindow *self)
{
  GObject *paned = G_OBJECT (self->paned);

  /* One setting: kept finished workers are shown; otherwise they go. */
  g_settings_bind (self->settings, "keep-finished", self, "show-finished", G_SETTINGS_BIND_DEFAULT);

  set_header_tooltips (self);
  restore_column_widths (self);
  restore_sort (self);
  init_column_chooser (self);
  on_list_width_changed (self);

  g_signal_connect_object (self->filter_model, "items-changed", G_CALLBACK (update_no_match), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_filter, "notify::search", G_CALLBACK (update_no_match), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::hidden-columns",
                           G_CALLBACK (on_columns_setting_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (paned, "notify::position", G_CALLBACK (on_list_width_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "notify::default-width", G_CALLBACK (on_list_width_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "notify::show-details", G_CALLBACK (on_list_width_changed), self, G_CONNECT_SWAPPED);

  gtk_custom_filter_set_filter_func (self->finished_filter, finished_filter_func, self, NULL);
}

void
_spindle_window_class_init_columns (GtkWidgetClass *widget_class)
{
  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    gtk_widget_class_bind_template_child_full (widget_class, column_info[i].id, FALSE,
                                               G_STRUCT_OFFSET (SpindleWindow, columns) + i * sizeof (gpointer));
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, add_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, stop_all_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, cancel_all_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, no_match_page);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, list_scroller);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, columns_section);

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
  gtk_widget_class_bind_template_callback (widget_class, can_stop);
  gtk_widget_class_bind_template_callback (widget_class, can_cancel);
  gtk_widget_class_bind_template_callback (widget_class, on_row_stop_query_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, on_row_cancel_query_tooltip);
  gtk_widget_class_bind_template_callback (widget_class, on_row_stop_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_row_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_actions_item_changed);
  gtk_widget_class_bind_template_callback (widget_class, state_sort_key);
  gtk_widget_class_bind_template_callback (widget_class, elapsed_sort_key);
  gtk_widget_class_bind_template_callback (widget_class, cpu_sort_key);
  gtk_widget_class_bind_template_callback (widget_class, row_search_text);
}
