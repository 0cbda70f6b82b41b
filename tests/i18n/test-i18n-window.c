/* test-i18n-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "spindle-ui-test-util.h"

/* The window in Chinese, as LANGUAGE (zh_CN or zh_TW, set by meson) asks:
 * text from the application's catalogue (column titles, a state pill, the
 * side pane) and from libspindle-1's (the diagnosis) is found translated,
 * and the layout holds at 1400×900 and at 600×700: the window fits the
 * smaller size and no column title is cut short. The expected words are
 * written here, not looked up, so that a missing translation fails.
 * PNGs of both sizes go to SPINDLE_SCREENSHOT_DIR for a person to look at.
 */

typedef SpindleUiFixture Fixture;

typedef struct
{
  const char *language;
  const char *column;       /* the Name column's title */
  const char *running;      /* a worker's state pill */
  const char *why;          /* the side pane's heading */
  const char *diagnosis;    /* libspindle-1: a sleeper in an engine wait */
  const char *stop;         /* a row's Stop button */
} Expected;

static const Expected expectations[] = {
  { "zh_CN", "名称", "运行中", "为何仍在运行？", "处于引擎等待中", "停止" },
  { "zh_TW", "名稱", "執行中", "為何仍在執行？", "處於引擎等待中", "停止" },
};

static const Expected *
expected (void)
{
  const char *language = g_getenv ("LANGUAGE");

  for (guint i = 0; i < G_N_ELEMENTS (expectations); i++)
    if (g_strcmp0 (language, expectations[i].language) == 0)
      return &expectations[i];

  g_error ("LANGUAGE must be zh_CN or zh_TW, not %s", language ? language : "unset");
}

/* Every label under @root whose text contains @text. */
static void
collect_labels (GtkWidget  *root,
                const char *text,
                GPtrArray  *found)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_label (GTK_LABEL (root)), text) != NULL)
    g_ptr_array_add (found, root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    collect_labels (child, text, found);
}

static gboolean
shows_text (GtkWidget  *root,
            const char *text)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_labels (root, text, found);

  for (guint i = 0; i < found->len; i++)
    if (gtk_widget_is_drawable (g_ptr_array_index (found, i)))
      return TRUE;

  return FALSE;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} Shown;

static gboolean
is_shown (Shown *shown)
{
  return shows_text (shown->root, shown->text);
}

static void
wait_shown (GtkWidget  *root,
            const char *text)
{
  Shown shown = { root, text };

  spindle_ui_test_wait_full ((SpindleUiTestCond) is_shown, &shown, text);
}

static SpindleWorker *
start_sleeper (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");

  spindle_ui_test_spawn (fixture, "socket-reader");
  spindle_ui_test_spawn (fixture, "supervisor");
  spindle_ui_test_wait_row_shows (fixture->window, sleeper, expected ()->running);

  return sleeper;
}

static void
test_list_translated (Fixture *fixture)
{
  const Expected *words = expected ();
  SpindleWorker *sleeper = start_sleeper (fixture);
  GtkWidget *view = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_COLUMN_VIEW, NULL, NULL);
  GListModel *columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (view));
  g_autoptr(GtkColumnViewColumn) first = g_list_model_get_item (columns, 0);

  g_assert_cmpstr (gtk_column_view_column_get_title (first), ==, words->column);
  g_assert_true (spindle_ui_test_row_has_text (fixture->window, sleeper, words->running));
  wait_shown (GTK_WIDGET (fixture->window), words->stop);
}

static void
test_details_translated (Fixture *fixture)
{
  const Expected *words = expected ();
  SpindleWorker *sleeper = start_sleeper (fixture);

  spindle_ui_test_select (fixture->window, sleeper);
  wait_shown (GTK_WIDGET (fixture->window), words->why);
  /* the diagnosis comes from the library's own text domain */
  wait_shown (GTK_WIDGET (fixture->window), words->diagnosis);
}

static gboolean
in_column_title (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "GtkColumnViewTitle") == 0)
      return TRUE;

  return FALSE;
}

/* A column title cut short by its column's width is a clipped column:
 * its label is ellipsized, or narrower than its text. Returns how many
 * titles were checked.
 */
static guint
assert_titles_whole (GtkWidget *root)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_is_drawable (child) && in_column_title (child))
        {
          PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (child));
          int text_width;

          pango_layout_get_pixel_size (layout, &text_width, NULL);
          g_test_message ("column title “%s”: %d px of text in %d px",
                          gtk_label_get_label (GTK_LABEL (child)), text_width, gtk_widget_get_width (child));
          g_assert_false (pango_layout_is_ellipsized (layout));
          g_assert_cmpint (text_width, <=, gtk_widget_get_width (child));
          n++;
        }
      n += assert_titles_whole (child);
    }

  return n;
}

/* The window's own measure counts the shadow drawn around it: what must
 * fit is its title bar and its content, each in the width it was given.
 */
static void
assert_fits (GtkWidget  *widget,
             const char *what)
{
  int minimum;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_test_message ("%s: the %s needs %d px of %d", expected ()->language, what, minimum,
                  gtk_widget_get_width (widget));
  g_assert_cmpint (minimum, <=, gtk_widget_get_width (widget));
}

static gboolean
has_size (Fixture *fixture)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  int *size = g_object_get_data (G_OBJECT (window), "i18n-test-size");

  /* the window's own size leaves out what the toolkit draws around it */
  return ABS (gtk_widget_get_width (window) - size[0]) <= 20 &&
         ABS (gtk_widget_get_height (window) - size[1]) <= 60;
}

static void
check_layout_at (Fixture *fixture,
                 int      width,
                 int      height)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  const char *dir = g_getenv ("SPINDLE_SCREENSHOT_DIR");
  g_autofree char *name = g_strdup_printf ("spindle-%s-%dx%d.png", expected ()->language, width, height);
  g_autofree char *path = g_build_filename (dir ? dir : ".", name, NULL);
  int size[2] = { width, height };

  /* a shown window keeps its size: it takes the new one when shown again */
  g_object_set_data (G_OBJECT (window), "i18n-test-size", size);
  gtk_widget_set_visible (window, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  spindle_ui_test_wait (has_size, fixture);
  spindle_ui_test_settle (fixture->window);

  assert_fits (gtk_window_get_titlebar (GTK_WINDOW (window)), "header bar");
  assert_fits (gtk_window_get_child (GTK_WINDOW (window)), "content");
  spindle_ui_test_wait_drawn (fixture->window);
  g_assert_cmpuint (assert_titles_whole (window), >, 0);

  spindle_ui_test_save_png (window, path);
  g_test_message ("wrote %s", path);
}

static void
test_layout_holds (Fixture *fixture)
{
  SpindleWorker *sleeper = start_sleeper (fixture);

  spindle_ui_test_select (fixture->window, sleeper);
  wait_shown (GTK_WIDGET (fixture->window), expected ()->diagnosis);

  check_layout_at (fixture, 1400, 900);
  check_layout_at (fixture, 600, 700);
}

int
main (int   argc,
      char *argv[])
{
  /* as app/main.c does, but with the build tree's catalogues */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, SPINDLE_TEST_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  spindle_ui_test_init (&argc, &argv);

  spindle_ui_test_add ("/i18n/window/list-translated", test_list_translated);
  spindle_ui_test_add ("/i18n/window/details-translated", test_details_translated);
  spindle_ui_test_add ("/i18n/window/layout-holds", test_layout_holds);

  return g_test_run ();
}
