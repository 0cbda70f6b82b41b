/* test-columns.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The worker list's columns: widths that hold while values change, a
 * tooltip on every header, columns that drop out by priority in a narrow
 * window while the side pane gives way, the column chooser, and widths and
 * sort kept in the settings.
 */

#include "config.h"

#include "spindle-thread-list.h"
#include "spindle-ui-test-util.h"
#include "spindle-window-private.h"

typedef SpindleUiFixture Fixture;

static int
natural_width (const char *text,
               gboolean    numeric)
{
  GtkWidget *label = g_object_ref_sink (gtk_label_new (text));
  int natural;

  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  g_object_unref (label);

  return natural;
}

/* A column whose values change keeps one width, wide enough for its
 * common values, whatever they read now.
 */
static void
test_column_widths_hold (Fixture *fixture)
{
  static const struct { const char *title; const char *widest; } columns[] = {
    { "TID", "4194304" },
    { "State", "unresponsive" },
    { "Elapsed", "59:59.9" },
    { "CPU %", "100.0 %" },
    { "Kernel", "waiting in poll" },
    { "Cleanup", "not started" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkColumnViewColumn *column = spindle_ui_test_find_column (fixture->window, columns[i].title);
      int fixed = gtk_column_view_column_get_fixed_width (column);

      g_test_message ("%s: %d px for “%s” (%d px)", columns[i].title, fixed,
                      columns[i].widest, natural_width (columns[i].widest, TRUE));
      g_assert_cmpint (fixed, >, 0);
      /* and the cell's padding, 6 px a side in Adwaita */
      g_assert_cmpint (fixed, >=, natural_width (columns[i].widest, TRUE) + 12);
    }
}

/* The cells keep their size as they change ********************************/

static const char * const steady_columns[] = { "Name", "TID", "State", "CPU %", "Kernel", "Cleanup" };

/* The natural width of the row's cell in the column titled @title. */
static int
cell_width (Fixture       *fixture,
            SpindleWorker *worker,
            const char    *title)
{
  GListModel *columns = gtk_column_view_get_columns (spindle_ui_test_get_view (fixture->window));
  GtkWidget *cell = gtk_widget_get_first_child (spindle_ui_test_wait_row (fixture->window, worker));
  int natural = -1;

  for (guint i = 0; cell != NULL && i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (!gtk_column_view_column_get_visible (column))
        continue;
      if (g_str_equal (gtk_column_view_column_get_title (column), title))
        gtk_widget_measure (cell, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
      cell = gtk_widget_get_next_sibling (cell);
    }

  g_assert_cmpint (natural, >, 0);
  return natural;
}

static SpindleWorker *
spawn_named (Fixture    *fixture,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_worker_set_spawn (fixture->set, name, spindle_ui_test_sleep_until_stopped,
                                                    NULL, NULL, &error);

  g_assert_no_error (error);
  spindle_ui_test_wait_state (worker, SPINDLE_WORKER_STATE_RUNNING);
  spindle_ui_test_wait_row (fixture->window, worker);

  return worker;
}

/* A row's cells ask for the same width whatever they show: another
 * worker's name and TID as the row is reused while scrolling, a new state,
 * kernel state or cleanup. A new value then only redraws the cell, with no
 * layout of the window, and no column jumps.
 */
static void
test_cells_keep_width (Fixture *fixture)
{
  SpindleWorker *brief = spawn_named (fixture, "w");
  SpindleWorker *wordy = spawn_named (fixture, "a worker with a rather long name indeed");
  int widths[G_N_ELEMENTS (steady_columns)];

  spindle_ui_test_settle (fixture->window);
  for (guint i = 0; i < G_N_ELEMENTS (steady_columns); i++)
    {
      widths[i] = cell_width (fixture, brief, steady_columns[i]);
      g_test_message ("%s: %d px", steady_columns[i], widths[i]);
      g_assert_cmpint (cell_width (fixture, wordy, steady_columns[i]), ==, widths[i]);
    }

  spindle_worker_request_stop (brief);
  spindle_ui_test_wait_terminal (brief);
  spindle_ui_test_wait_row_shows (fixture->window, brief, "stopped");
  for (guint i = 0; i < G_N_ELEMENTS (steady_columns); i++)
    g_assert_cmpint (cell_width (fixture, brief, steady_columns[i]), ==, widths[i]);
}

/* What a row draws ************************************************************/

typedef struct
{
  guint borders;
  guint opacities;
  guint texts;
} NodeCounts;

static void
count_nodes (GskRenderNode *node,
             NodeCounts    *counts)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        count_nodes (gsk_container_node_get_child (node, i), counts);
      break;
    case GSK_TRANSFORM_NODE:
      count_nodes (gsk_transform_node_get_child (node), counts);
      break;
    case GSK_CLIP_NODE:
      count_nodes (gsk_clip_node_get_child (node), counts);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      count_nodes (gsk_rounded_clip_node_get_child (node), counts);
      break;
    case GSK_OPACITY_NODE:
      counts->opacities++;
      count_nodes (gsk_opacity_node_get_child (node), counts);
      break;
    case GSK_BORDER_NODE:
      counts->borders++;
      break;
    case GSK_TEXT_NODE:
      counts->texts++;
      break;
    default:
      break;
    }
}

/* Every row on screen is drawn again on each frame of a scroll, in
 * software under the cairo renderer. A row draws no border (the theme's
 * transparent one between cells is drawn as a gradient mesh) and no
 * opacity group (an offscreen surface each): the kind and the empty
 * cleanup are dimmed by their colour, as much as the theme's dim-label.
 */
static void
test_rows_draw_cheaply (Fixture *fixture)
{
  SpindleWorker *worker = spawn_named (fixture, "drawn");
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkWidget *row, *kind, *cleanup;
  NodeCounts counts = { 0, };
  GdkRGBA fg, color;

  spindle_ui_test_wait_row_shows (fixture->window, worker, "—");
  row = spindle_ui_test_wait_row (fixture->window, worker);
  spindle_ui_test_wait_widget_drawn (row);

  paintable = gtk_widget_paintable_new (row);
  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (row), gtk_widget_get_height (row));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  count_nodes (node, &counts);
  g_test_message ("%u texts, %u borders, %u opacity groups", counts.texts, counts.borders, counts.opacities);
  g_assert_cmpuint (counts.texts, >=, 8);
  g_assert_cmpuint (counts.borders, ==, 0);
  g_assert_cmpuint (counts.opacities, ==, 0);

  kind = spindle_ui_test_find_css_class (row, "worker-kind");
  cleanup = spindle_ui_test_find_css_class (row, "cleanup-none");
  g_assert_nonnull (kind);
  g_assert_nonnull (cleanup);
  gtk_style_context_get_color (gtk_widget_get_style_context (gtk_widget_get_parent (kind)), &fg);
  gtk_style_context_get_color (gtk_widget_get_style_context (kind), &color);
  g_assert_cmpfloat_with_epsilon (color.alpha, fg.alpha * 0.55, 0.01);
  gtk_style_context_get_color (gtk_widget_get_style_context (cleanup), &color);
  g_assert_cmpfloat_with_epsilon (color.alpha, fg.alpha * 0.55, 0.01);
}

static void
assert_header_tooltips (GtkColumnView *view)
{
  GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (view));
  guint n = 0;

  g_assert_cmpstr (gtk_widget_get_css_name (header), ==, "header");
  for (GtkWidget *title = gtk_widget_get_first_child (header);
       title != NULL;
       title = gtk_widget_get_next_sibling (title), n++)
    {
      const char *tooltip = gtk_widget_get_tooltip_text (title);

      g_assert_nonnull (tooltip);
      g_assert_cmpuint (strlen (tooltip), >, 10);
    }

  g_assert_cmpuint (n, ==, g_list_model_get_n_items (gtk_column_view_get_columns (view)));
}

/* The worker list's headers, and the other threads' list's */
static void
test_header_tooltips (Fixture *fixture)
{
  GtkWidget *threads = spindle_ui_test_find (GTK_WIDGET (fixture->window), SPINDLE_TYPE_THREAD_LIST, NULL, NULL);

  assert_header_tooltips (spindle_ui_test_get_view (fixture->window));
  /* a collapsed expander holds its child out of the widget tree */
  spindle_ui_test_spawn (fixture, "sleeper");
  spindle_ui_test_settle (fixture->window);
  spindle_thread_list_set_expanded (SPINDLE_THREAD_LIST (threads), TRUE);
  assert_header_tooltips (GTK_COLUMN_VIEW (spindle_ui_test_find (threads, GTK_TYPE_COLUMN_VIEW, NULL, NULL)));
}

/* Narrow windows, the column chooser and what is remembered ****************/

static gboolean
window_narrow (Fixture *fixture)
{
  return gtk_widget_get_width (GTK_WIDGET (fixture->window)) <= 600;
}

static void
test_narrow_window (Fixture *fixture)
{
  spindle_ui_test_spawn (fixture, "sleeper");
  spindle_ui_test_settle (fixture->window);
  g_assert_true (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "Last Minute")));

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 600, 700);
  spindle_ui_test_wait (window_narrow, fixture);
  spindle_ui_test_settle (fixture->window);

  g_assert_true (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "Name")));
  g_assert_true (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "State")));
  g_assert_false (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "Last Minute")));
  g_assert_false (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "TID")));

  /* the side pane gives way, the header keeps its buttons' icons, and the
   * title's counts show whole
   */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (fixture->window->details)));
  g_assert_cmpstr (gtk_button_get_icon_name (fixture->window->stop_all_button), ==, "media-playback-stop-symbolic");
  g_assert_cmpstr (gtk_button_get_icon_name (fixture->window->cancel_all_button), ==, "process-stop-symbolic");
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (fixture->window->subtitle_label)));

  /* F9 or the menu brings the pane back, beside the list */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-details", NULL);
  spindle_ui_test_settle (fixture->window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window->details)));
  g_assert_true (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "Name")));
  g_assert_true (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "State")));

  /* wide again: they come back */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1400, 860);
  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_wait (gtk_column_view_column_get_visible, spindle_ui_test_find_column (fixture->window, "Last Minute"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window->details)));
  g_assert_cmpstr (gtk_button_get_label (fixture->window->cancel_all_button), ==, "_Force-Cancel All");
}

static void
test_column_chooser (Fixture *fixture)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_auto(GStrv) hidden = NULL;

  g_assert_true (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "CPU %")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "columns.cpu", NULL));
  g_assert_false (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "CPU %")));
  hidden = g_settings_get_strv (settings, "hidden-columns");
  g_assert_true (g_strv_contains ((const char * const *) hidden, "cpu"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "columns.cpu", NULL));
  g_assert_true (gtk_column_view_column_get_visible (spindle_ui_test_find_column (fixture->window, "CPU %")));
  g_settings_reset (settings, "hidden-columns");
}

static gboolean
sort_saved (GSettings *settings)
{
  g_autofree char *column = g_settings_get_string (settings, "sort-column");

  return g_str_equal (column, "cpu") && g_settings_get_boolean (settings, "sort-descending");
}

static void
test_widths_and_sort_remembered (Fixture *fixture)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GVariant) widths = NULL;
  int width = 0;

  gtk_column_view_column_set_fixed_width (spindle_ui_test_find_column (fixture->window, "Kernel"), 201);
  widths = g_settings_get_value (settings, "column-widths");
  g_assert_true (g_variant_lookup (widths, "kernel", "i", &width));
  g_assert_cmpint (width, ==, 201);

  gtk_column_view_sort_by_column (spindle_ui_test_get_view (fixture->window), spindle_ui_test_find_column (fixture->window, "CPU %"), GTK_SORT_DESCENDING);
  spindle_ui_test_wait (sort_saved, settings);

  g_settings_reset (settings, "column-widths");
  g_settings_reset (settings, "sort-column");
  g_settings_reset (settings, "sort-descending");
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

#define ADD(path, func) spindle_ui_test_add ("/ui/columns/" path, func)

  ADD ("column-widths-hold", test_column_widths_hold);
  ADD ("cells-keep-width", test_cells_keep_width);
  ADD ("rows-draw-cheaply", test_rows_draw_cheaply);
  ADD ("header-tooltips", test_header_tooltips);
  ADD ("narrow-window", test_narrow_window);
  ADD ("column-chooser", test_column_chooser);
  ADD ("widths-and-sort-remembered", test_widths_and_sort_remembered);

  return g_test_run ();
}
