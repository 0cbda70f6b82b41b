/* spindle-inspector-page.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-inspector-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "spindle-inspector-page.h"
#include "spindle-panel-private.h"

/* A "Spindle" page in GTK's inspector (Ctrl+Shift+D, GTK_DEBUG=interactive).
 * GTK 4.8's inspector window makes one page of each type that implements
 * the GIOExtensionPoint "gtk-inspector-page" when it opens (g_object_new ()
 * of the type, then its "title"); libspindle-gtk-1 implements it as it
 * loads (spindle-gtk.c).
 *
 * The page lists the worker sets that the program shows in Spindle panels,
 * found in its toplevel windows, and shows the chosen one in a panel of
 * its own, on the inspector's display. The engine keeps no list of every
 * set a program has made; until it does, a set that no panel shows does
 * not appear here.
 */

struct _SpindleInspectorPage
{
  GtkWidget      parent_instance;

  /* template */
  GtkWidget     *box;
  GtkDropDown   *sets_dropdown;
  GtkStringList *set_names;
  GtkStack      *stack;
  SpindlePanel  *panel;

  GPtrArray     *sets;          /* SpindleWorkerSet, in the order of set_names */
  guint          refresh_id;
  gboolean       refreshing;
};

G_DEFINE_FINAL_TYPE (SpindleInspectorPage, spindle_inspector_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define REFRESH_S 1

/* Finding sets **************************************************************/

static void
collect_sets (GtkWidget *widget,
              GPtrArray *sets,
              GPtrArray *windows)
{
  if (SPINDLE_IS_PANEL (widget))
    {
      SpindleWorkerSet *set = spindle_panel_get_set (SPINDLE_PANEL (widget));

      if (set != NULL && !g_ptr_array_find (sets, set, NULL))
        {
          g_ptr_array_add (sets, g_object_ref (set));
          g_ptr_array_add (windows, gtk_widget_get_root (widget));
        }
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_sets (child, sets, windows);
}

/* "2 workers, 1 live — in “Editor”" */
static char *
describe_set (SpindleWorkerSet *set,
              GtkRoot          *root)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (set));
  const char *title = GTK_IS_WINDOW (root) ? gtk_window_get_title (GTK_WINDOW (root)) : NULL;
  g_autofree char *counts = NULL;

  /* Translators: a worker set in GTK's inspector: how many workers, how many still running */
  counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker, %u live", "%u workers, %u live", n),
                            n, spindle_worker_set_get_n_live (set));
  if (title == NULL || *title == '\0')
    return g_steal_pointer (&counts);

  /* Translators: a worker set's counts, then the title of the window that shows it */
  return g_strdup_printf (_("%s — in “%s”"), counts, title);
}

static void
refresh (SpindleInspectorPage *self)
{
  GtkRoot *own = gtk_widget_get_root (GTK_WIDGET (self));
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) sets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) windows = g_ptr_array_new ();
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  SpindleWorkerSet *shown = spindle_panel_get_set (self->panel);
  guint selected = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      /* not the inspector itself, whose page shows a panel too */
      if (GTK_ROOT (window) != own)
        collect_sets (window, sets, windows);
    }

  for (guint i = 0; i < sets->len; i++)
    {
      g_autofree char *name = describe_set (g_ptr_array_index (sets, i), g_ptr_array_index (windows, i));

      g_strv_builder_add (names, name);
      if (g_ptr_array_index (sets, i) == shown)
        selected = i;
    }

  g_ptr_array_unref (self->sets);
  self->sets = g_ptr_array_ref (sets);

  /* the dropdown's choice follows the set, not its place in the list */
  self->refreshing = TRUE;
  strv = g_strv_builder_end (names);
  gtk_string_list_splice (self->set_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->set_names)),
                          (const char * const *) strv);
  if (selected == GTK_INVALID_LIST_POSITION && sets->len > 0)
    selected = 0;
  gtk_drop_down_set_selected (self->sets_dropdown, selected);
  self->refreshing = FALSE;

  spindle_panel_set_set (self->panel, selected != GTK_INVALID_LIST_POSITION ? g_ptr_array_index (sets, selected) : NULL);
  gtk_stack_set_visible_child_name (self->stack, sets->len > 0 ? "set" : "none");
}

static void
on_selected_set (SpindleInspectorPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->sets_dropdown);

  if (!self->refreshing && selected < self->sets->len)
    spindle_panel_set_set (self->panel, g_ptr_array_index (self->sets, selected));
}

static gboolean
refresh_cb (gpointer data)
{
  refresh (data);

  return G_SOURCE_CONTINUE;
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  refresh (SPINDLE_INSPECTOR_PAGE (widget));
}

/* Windows come and go: look again while the page shows. */
static void
spindle_inspector_page_map (GtkWidget *widget)
{
  SpindleInspectorPage *self = SPINDLE_INSPECTOR_PAGE (widget);

  GTK_WIDGET_CLASS (spindle_inspector_page_parent_class)->map (widget);

  refresh (self);
  self->refresh_id = g_timeout_add_seconds (REFRESH_S, refresh_cb, self);
}

static void
spindle_inspector_page_unmap (GtkWidget *widget)
{
  SpindleInspectorPage *self = SPINDLE_INSPECTOR_PAGE (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  GTK_WIDGET_CLASS (spindle_inspector_page_parent_class)->unmap (widget);
}

/* GObject *******************************************************************/

static void
spindle_inspector_page_dispose (GObject *object)
{
  SpindleInspectorPage *self = SPINDLE_INSPECTOR_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_INSPECTOR_PAGE);
  g_clear_pointer (&self->sets, g_ptr_array_unref);

  G_OBJECT_CLASS (spindle_inspector_page_parent_class)->dispose (object);
}

static void
spindle_inspector_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_TITLE:
      /* the name of the page's tab */
      g_value_set_string (value, "Spindle");
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_inspector_page_class_init (SpindleInspectorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_inspector_page_dispose;
  object_class->get_property = spindle_inspector_page_get_property;

  widget_class->map = spindle_inspector_page_map;
  widget_class->unmap = spindle_inspector_page_unmap;

  /* GTK's inspector reads it for the page's name */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SPINDLE_TYPE_PANEL);

  gtk_widget_class_install_action (widget_class, "page.refresh", NULL, refresh_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-inspector-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleInspectorPage, box);
  gtk_widget_class_bind_template_child (widget_class, SpindleInspectorPage, sets_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpindleInspectorPage, set_names);
  gtk_widget_class_bind_template_child (widget_class, SpindleInspectorPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SpindleInspectorPage, panel);
  gtk_widget_class_bind_template_callback (widget_class, on_selected_set);
}

static void
spindle_inspector_page_init (SpindleInspectorPage *self)
{
  self->sets = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));
}
