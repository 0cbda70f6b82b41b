/* test-list.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include <gdk/x11/gdkx.h>

#include "spindle-ui-test-util.h"

/* The worker list's interaction: what a row says, what a click, a context
 * menu and a narrow window do. Clicks are real pointer events, sent through
 * the X server's XTEST extension, so that the row's own gestures decide.
 */

typedef SpindleUiFixture Fixture;

typedef struct
{
  SpindleWindow *window;
  SpindleWorker *worker;
  const char    *text;
} RowWait;

static gboolean
row_exists (RowWait *wait)
{
  return spindle_ui_test_find_row (wait->window, wait->worker) != NULL;
}

static gboolean
row_shows (RowWait *wait)
{
  return spindle_ui_test_row_has_text (wait->window, wait->worker, wait->text);
}

static GtkWidget *
wait_row (Fixture       *fixture,
          SpindleWorker *worker)
{
  RowWait wait = { fixture->window, worker, NULL };

  spindle_ui_test_wait (row_exists, &wait);

  return spindle_ui_test_find_row (fixture->window, worker);
}

static void
wait_row_shows (Fixture       *fixture,
                SpindleWorker *worker,
                const char    *text)
{
  RowWait wait = { fixture->window, worker, text };

  spindle_ui_test_wait (row_shows, &wait);
}

static GtkSelectionModel *
get_selection (SpindleWindow *window)
{
  GtkWidget *view = spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW, "workers", NULL);

  if (view == NULL)
    view = spindle_ui_test_find (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW, NULL, NULL);

  return gtk_column_view_get_model (GTK_COLUMN_VIEW (view));
}

static SpindleWorker *
selected_worker (SpindleWindow *window)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (get_selection (window));
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (selection);

  return row ? gtk_tree_list_row_get_item (row) : NULL;
}

typedef struct
{
  SpindleWindow *window;
  SpindleWorker *worker;
} SelectWait;

static gboolean
is_selected (SelectWait *wait)
{
  g_autoptr(SpindleWorker) selected = selected_worker (wait->window);

  return selected == wait->worker;
}

/* Real pointer events ********************************************************/

typedef int  (*FakeMotionFunc)   (Display *, int, int, int, unsigned long);
typedef int  (*FakeButtonFunc)   (Display *, unsigned int, Bool, unsigned long);
typedef Bool (*TranslateFunc)    (Display *, Window, Window, int, int, int *, int *, Window *);
typedef Window (*RootWindowFunc) (Display *);
typedef int  (*FlushFunc)        (Display *);

typedef struct
{
  FakeMotionFunc motion;
  FakeButtonFunc button;
  TranslateFunc  translate;
  RootWindowFunc root;
  FlushFunc      flush;
} XTest;

/* libXtst is not a build dependency: it is looked up when a test clicks. */
static gboolean
xtest_load (XTest *xtest)
{
  void *xtst = dlopen ("libXtst.so.6", RTLD_NOW | RTLD_GLOBAL);

  if (xtst == NULL)
    return FALSE;

  xtest->motion = (FakeMotionFunc) dlsym (xtst, "XTestFakeMotionEvent");
  xtest->button = (FakeButtonFunc) dlsym (xtst, "XTestFakeButtonEvent");
  xtest->translate = (TranslateFunc) dlsym (RTLD_DEFAULT, "XTranslateCoordinates");
  xtest->root = (RootWindowFunc) dlsym (RTLD_DEFAULT, "XDefaultRootWindow");
  xtest->flush = (FlushFunc) dlsym (RTLD_DEFAULT, "XFlush");

  return xtest->motion && xtest->button && xtest->translate && xtest->root && xtest->flush;
}

static gboolean
can_click (void)
{
  XTest xtest;

  return GDK_IS_X11_DISPLAY (gdk_display_get_default ()) && xtest_load (&xtest);
}

/* Where @widget's centre is on the X screen. */
static void
widget_root_point (GtkWidget *widget,
                   XTest     *xtest,
                   int       *x,
                   int       *y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  Display *display = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  Window xid = gdk_x11_surface_get_xid (gtk_native_get_surface (native));
  graphene_point_t point;
  double sx, sy;
  Window child;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.f,
                                                                 gtk_widget_get_height (widget) / 2.f),
                                           &point));
  gtk_native_get_surface_transform (native, &sx, &sy);
  xtest->translate (display, xid, xtest->root (display),
                    (int) (point.x + sx), (int) (point.y + sy), x, y, &child);
}

/* Presses and releases @button over @widget's centre. */
static void
click_widget (GtkWidget *widget,
              guint      button)
{
  Display *display = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  XTest xtest;
  int x, y;

  g_assert_true (xtest_load (&xtest));
  g_assert_true (gtk_widget_get_mapped (widget));

  widget_root_point (widget, &xtest, &x, &y);
  xtest.motion (display, -1, x, y, 0);
  xtest.button (display, button, True, 0);
  xtest.button (display, button, False, 0);
  xtest.flush (display);
}

#define SKIP_WITHOUT_CLICKS() \
  G_STMT_START { \
    if (!can_click ()) \
      { \
        g_test_skip ("no XTEST on this display"); \
        return; \
      } \
  } G_STMT_END

/* Defect 3: the Name cell selects ***************************************/

static GtkWidget *
find_label_with_class (GtkWidget  *root,
                       const char *css_class)
{
  if (GTK_IS_LABEL (root) && gtk_widget_has_css_class (root, css_class))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with_class (child, css_class);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
click_and_wait_selected (Fixture       *fixture,
                         GtkWidget     *target,
                         SpindleWorker *worker)
{
  SelectWait wait = { fixture->window, worker };

  click_widget (target, 1);
  spindle_ui_test_wait (is_selected, &wait);
}

/* The expander arrow toggles the children and, as every other part of
 * the row, selects it.
 */
static void
test_name_cell_selects (Fixture *fixture)
{
  SpindleWorker *sleeper, *supervisor;
  GtkWidget *row, *expander;

  SKIP_WITHOUT_CLICKS ();

  sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  supervisor = spindle_ui_test_spawn (fixture, "supervisor");
  spindle_ui_test_settle (fixture->window);

  row = wait_row (fixture, sleeper);
  click_and_wait_selected (fixture, find_label_with_class (row, "numeric"), sleeper);

  row = wait_row (fixture, supervisor);
  expander = spindle_ui_test_find (row, GTK_TYPE_TREE_EXPANDER, NULL, NULL);
  g_assert_cmpstr (gtk_widget_get_css_name (gtk_widget_get_first_child (expander)), ==, "expander");
  click_and_wait_selected (fixture, gtk_widget_get_first_child (expander), supervisor);

  row = wait_row (fixture, sleeper);
  click_and_wait_selected (fixture, find_label_with_class (row, "worker-name"), sleeper);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

#define ADD(path, func) spindle_ui_test_add ("/ui/list/" path, func)

  ADD ("name-cell-selects", test_name_cell_selects);

#undef ADD

  return g_test_run ();
}
