/* spindle-panel-columns.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "spindle-clock.h"
#include "spindle-format.h"
#include "spindle-panel-private.h"

/* The columns: which show (by the user's choice and the window's width),
 * their widths and sort kept in the application's settings when the panel
 * has them, the sorters' and filters' closures in spindle-panel.ui. The
 * cells are in -cells.c; how the window's header gives way when narrow is
 * the window's (spindle-window-columns.c).
 */

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
  SpindlePanel *self = user_data;
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
_spindle_panel_refilter (SpindlePanel *self)
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

G_STATIC_ASSERT (G_N_ELEMENTS (column_info) == SPINDLE_PANEL_N_COLUMNS);

static const ColumnInfo *
find_column_info (SpindlePanel        *self,
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
sort_follows_state (SpindlePanel *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    if (!g_str_equal (column_info[i].key, "name") && column_sorts (self->columns[i]))
      return TRUE;

  return FALSE;
}

/* States changed: a sort by them needs telling. */
void
_spindle_panel_resort (SpindlePanel *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);

  if (sorter != NULL && sort_follows_state (self))
    gtk_sorter_changed (sorter, GTK_SORTER_CHANGE_DIFFERENT);
}

/* GTK 4.8 has no tooltip on a column: set it on the header's title
 * buttons, which follow the columns' order.
 */
static void
set_header_tooltips (SpindlePanel *self)
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
column_width (SpindlePanel     *self,
              const ColumnInfo *info)
{
  int fixed = gtk_column_view_column_get_fixed_width (self->columns[info - column_info]);

  return fixed > 0 ? fixed : info->width;
}

/* The window's new width, not the paned's: it is allocated later. A panel
 * with no width hint (one embedded in another program) goes by its own,
 * once it has one.
 */
static int
list_width (SpindlePanel *self)
{
  GtkPaned *paned = self->paned;
  int width = self->width_hint > 0 ? self->width_hint : self->own_width;

  if (width <= 0)
    return G_MAXINT;
  if (!self->show_details)
    return width;

  if (gtk_widget_get_mapped (GTK_WIDGET (paned)))
    return gtk_paned_get_position (paned);

  return width - 300;
}

static GStrv
get_hidden (SpindlePanel *self)
{
  if (self->settings == NULL)
    return g_new0 (char *, 1);

  return g_settings_get_strv (self->settings, "hidden-columns");
}

void
_spindle_panel_apply_columns (SpindlePanel *self)
{
  g_auto(GStrv) hidden = get_hidden (self);
  gboolean shown[G_N_ELEMENTS (column_info)];
  int available;
  int total = 0;

  if (self->column_view == NULL || self->columns[0] == NULL)
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
                   SpindlePanel  *self)
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
sync_column_actions (SpindlePanel   *self,
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
on_columns_setting_changed (SpindlePanel  *self,
                            const char    *key,
                            GSettings     *settings)
{
  GActionGroup *group = g_object_get_data (G_OBJECT (self), "spindle-columns-actions");

  if (group != NULL)
    sync_column_actions (self, group);
  _spindle_panel_apply_columns (self);
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

/* The chooser's actions go on @where, the window whose primary menu
 * holds @section: the menu is not inside the panel.
 */
void
_spindle_panel_add_column_chooser (SpindlePanel *self,
                                   GtkWidget    *where,
                                   GMenu        *section)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GMenuModel) menu = columns_menu ();
  GMenu *primary = section;

  g_return_if_fail (self->settings != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    if (column_info[i].drop > 0)
      {
        g_autoptr(GSimpleAction) action =
          g_simple_action_new_stateful (column_info[i].key, NULL, g_variant_new_boolean (TRUE));

        g_signal_connect_object (action, "change-state", G_CALLBACK (on_column_toggled), self, 0);
        g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));
      }

  gtk_widget_insert_action_group (where, "columns", G_ACTION_GROUP (group));
  g_object_set_data_full (G_OBJECT (self), "spindle-columns-actions", g_object_ref (group), g_object_unref);
  g_menu_append_submenu (primary, _("_Columns"), menu);
  sync_column_actions (self, G_ACTION_GROUP (group));
}

/* Widths ********************************************************************/

/* a{si}: GVariantDict would make it a{sv} */
static void
on_column_width_changed (GtkColumnViewColumn *column,
                         GParamSpec          *pspec,
                         SpindlePanel        *self)
{
  const ColumnInfo *info = find_column_info (self, column);
  g_autoptr(GVariant) widths = NULL;
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  int width;

  g_assert (info != NULL);
  if (self->settings == NULL)
    {
      _spindle_panel_apply_columns (self);
      return;
    }

  widths = g_settings_get_value (self->settings, "column-widths");
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{si}"));
  g_variant_iter_init (&iter, widths);
  while (g_variant_iter_next (&iter, "{&si}", &key, &width))
    if (!g_str_equal (key, info->key))
      g_variant_builder_add (&builder, "{si}", key, width);
  g_variant_builder_add (&builder, "{si}", info->key, gtk_column_view_column_get_fixed_width (column));

  g_settings_set_value (self->settings, "column-widths", g_variant_builder_end (&builder));
  _spindle_panel_apply_columns (self);
}

static void
restore_column_widths (SpindlePanel *self)
{
  g_autoptr(GVariant) widths = g_settings_get_value (self->settings, "column-widths");

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    {
      GtkColumnViewColumn *column = self->columns[i];
      int width;

      /* what the settings say need not be written back */
      g_signal_handlers_block_by_func (column, on_column_width_changed, self);
      if (g_variant_lookup (widths, column_info[i].key, "i", &width) && width > 0)
        gtk_column_view_column_set_fixed_width (column, width);
      g_signal_handlers_unblock_by_func (column, on_column_width_changed, self);
    }
}

/* Sort **********************************************************************/

/* GTK 4.8 cannot tell which column sorts (that is 4.10's
 * gtk_column_view_sorter_get_primary_sort_column()); the header's sort
 * arrow can, through its "ascending" or "descending" class.
 */
static gboolean
find_sort_column (SpindlePanel      *self,
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
  SpindlePanel *self = data;
  const ColumnInfo *info = NULL;
  gboolean descending = FALSE;

  g_object_steal_data (G_OBJECT (self), "spindle-save-sort");

  /* the panel may have gone meanwhile */
  if (self->column_view != NULL && self->settings != NULL && find_sort_column (self, &info, &descending))
    {
      g_settings_set_string (self->settings, "sort-column", info->key);
      g_settings_set_boolean (self->settings, "sort-descending", descending);
    }

  return G_SOURCE_REMOVE;
}

/* The header updates its arrows on the same signal: read them after. */
static void
on_sorter_changed (SpindlePanel *self)
{
  if (g_object_get_data (G_OBJECT (self), "spindle-save-sort") != NULL)
    return;

  g_object_set_data (G_OBJECT (self), "spindle-save-sort", GUINT_TO_POINTER (1));
  g_idle_add_full (G_PRIORITY_LOW, save_sort, g_object_ref (self), g_object_unref);
}

static void
restore_sort (SpindlePanel *self)
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

/* "No Matching Workers" in place of an empty list, while a search is on. */
static void
update_no_match (SpindlePanel *self)
{
  const char *search = gtk_string_filter_get_search (self->search_filter);
  gboolean no_match = search != NULL && *search != '\0' &&
                      g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0 &&
                      self->set != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->set)) > 0;
  GtkWidget *page = self->no_match_page;
  GtkWidget *scroller = self->list_scroller;

  if (page == NULL || scroller == NULL)
    return;

  gtk_widget_set_visible (page, no_match);
  gtk_widget_set_visible (scroller, !no_match);
}

static void
on_list_width_changed (SpindlePanel *self)
{
  _spindle_panel_apply_columns (self);
}

/* From the template, before any set or settings. */
void
_spindle_panel_init_columns (SpindlePanel *self)
{
  set_header_tooltips (self);

  g_signal_connect_object (self->filter_model, "items-changed", G_CALLBACK (update_no_match), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_filter, "notify::search", G_CALLBACK (update_no_match), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paned, "notify::position", G_CALLBACK (on_list_width_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self, "notify::show-details", G_CALLBACK (on_list_width_changed), self, G_CONNECT_SWAPPED);
  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    g_signal_connect_object (self->columns[i], "notify::fixed-width", G_CALLBACK (on_column_width_changed), self, 0);

  gtk_custom_filter_set_filter_func (self->finished_filter, finished_filter_func, self, NULL);
}

/* What the application's settings keep: see _spindle_panel_set_settings (). */
void
_spindle_panel_load_columns (SpindlePanel *self)
{
  /* One setting: kept finished workers are shown; otherwise they go. */
  g_settings_bind (self->settings, "keep-finished", self, "show-finished", G_SETTINGS_BIND_DEFAULT);

  restore_column_widths (self);
  restore_sort (self);
  _spindle_panel_apply_columns (self);

  g_signal_connect_object (self->settings, "changed::hidden-columns",
                           G_CALLBACK (on_columns_setting_changed), self, G_CONNECT_SWAPPED);
}

void
_spindle_panel_class_init_columns (GtkWidgetClass *widget_class)
{
  _spindle_panel_class_init_cells (widget_class);

  for (guint i = 0; i < G_N_ELEMENTS (column_info); i++)
    gtk_widget_class_bind_template_child_full (widget_class, column_info[i].id, FALSE,
                                               G_STRUCT_OFFSET (SpindlePanel, columns) + i * sizeof (gpointer));

  gtk_widget_class_bind_template_callback (widget_class, state_sort_key);
  gtk_widget_class_bind_template_callback (widget_class, elapsed_sort_key);
  gtk_widget_class_bind_template_callback (widget_class, cpu_sort_key);
  gtk_widget_class_bind_template_callback (widget_class, row_search_text);
}
