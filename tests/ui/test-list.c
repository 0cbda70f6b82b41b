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

#include "spindle-catalog.h"
#include "spindle-event-log.h"
#include "spindle-thread-list.h"
#include "spindle-ui-test-util.h"
#include "spindle-window-private.h"

/* The worker list's interaction: what a row says, what a click, a context
 * menu and a narrow window do. Clicks are real pointer events, sent through
 * the X server's XTEST extension, so that the row's own gestures decide.
 */

typedef SpindleUiFixture Fixture;

static GtkSelectionModel *
get_selection (SpindleWindow *window)
{
  return gtk_column_view_get_model (spindle_ui_test_get_view (window));
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
typedef int  (*RaiseFunc)        (Display *, Window);
typedef int  (*SyncFunc)         (Display *, Bool);

typedef struct
{
  FakeMotionFunc motion;
  FakeButtonFunc button;
  TranslateFunc  translate;
  RootWindowFunc root;
  FlushFunc      flush;
  RaiseFunc      raise;
  SyncFunc       sync;
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
  xtest->raise = (RaiseFunc) dlsym (RTLD_DEFAULT, "XRaiseWindow");
  xtest->sync = (SyncFunc) dlsym (RTLD_DEFAULT, "XSync");

  return xtest->motion && xtest->button && xtest->translate && xtest->root && xtest->flush &&
         xtest->raise && xtest->sync;
}

static gboolean
can_click (void)
{
  XTest xtest;

  return GDK_IS_X11_DISPLAY (gdk_display_get_default ()) && xtest_load (&xtest);
}

/* Where @widget's centre is on the X screen; FALSE while another test's
 * window (the UI tests share one display) covers that point.
 */
static gboolean
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
  xtest->raise (display, xid);
  xtest->sync (display, False);
  xtest->translate (display, xid, xtest->root (display),
                    (int) (point.x + sx), (int) (point.y + sy), x, y, &child);
  xtest->translate (display, xtest->root (display), xtest->root (display), *x, *y, x, y, &child);

  return child == xid;
}

/* Presses and releases @button over @widget's centre, unless another
 * window covers it: the caller's wait clicks again.
 */
static void
click_widget (GtkWidget *widget,
              guint      button)
{
  Display *display = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  XTest xtest;
  int x, y;

  g_assert_true (xtest_load (&xtest));
  g_assert_true (gtk_widget_get_mapped (widget));

  if (!widget_root_point (widget, &xtest, &x, &y))
    return;
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

/* Cells show their text in inscriptions: a new text redraws them only. */
static const char *
cell_text (GtkWidget *cell)
{
  if (GTK_IS_INSCRIPTION (cell))
    return gtk_inscription_get_text (GTK_INSCRIPTION (cell));

  return gtk_label_get_label (GTK_LABEL (cell));
}

static gboolean
is_label_with_class (GtkWidget     *widget,
                     gconstpointer  css_class)
{
  return (GTK_IS_LABEL (widget) || GTK_IS_INSCRIPTION (widget)) && gtk_widget_has_css_class (widget, css_class);
}

/* The label or inscription with @css_class under @root. */
static GtkWidget *
find_label_with_class (GtkWidget  *root,
                       const char *css_class)
{
  return spindle_ui_test_find_match (root, is_label_with_class, css_class);
}

typedef struct
{
  GtkWidget         *target;
  guint              button;
  SpindleUiTestCond  cond;
  gpointer           data;
  gint64             next_click;
} ClickWait;

/* A click lost to another test's window is sent again, every second. */
static gboolean
clicked_until (ClickWait *wait)
{
  if (wait->cond (wait->data))
    return TRUE;

  if (g_get_monotonic_time () >= wait->next_click)
    {
      click_widget (wait->target, wait->button);
      wait->next_click = g_get_monotonic_time () + G_USEC_PER_SEC;
    }

  return FALSE;
}

static void
click_until (GtkWidget         *target,
             guint              button,
             SpindleUiTestCond  cond,
             gpointer           data)
{
  ClickWait wait = { g_object_ref (target), button, cond, data, 0 };

  spindle_ui_test_wait (clicked_until, &wait);
  g_object_unref (wait.target);
}

static void
click_and_wait_selected (Fixture       *fixture,
                         GtkWidget     *target,
                         SpindleWorker *worker)
{
  SelectWait wait = { fixture->window, worker };

  click_until (target, 1, (SpindleUiTestCond) is_selected, &wait);
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

  row = spindle_ui_test_wait_row (fixture->window, sleeper);
  click_and_wait_selected (fixture, find_label_with_class (row, "numeric"), sleeper);

  row = spindle_ui_test_wait_row (fixture->window, supervisor);
  expander = spindle_ui_test_find (row, GTK_TYPE_TREE_EXPANDER, NULL, NULL);
  g_assert_cmpstr (gtk_widget_get_css_name (gtk_widget_get_first_child (expander)), ==, "expander");
  click_and_wait_selected (fixture, gtk_widget_get_first_child (expander), supervisor);

  row = spindle_ui_test_wait_row (fixture->window, sleeper);
  click_and_wait_selected (fixture, find_label_with_class (row, "worker-name"), sleeper);
}

/* Defect 2: an unreachable worker ******************************************/

/* A raw g_cond_wait waiter, force-cancelled: the cancel cannot reach it,
 * and after a short cancel grace it is unresponsive, still "cancelling".
 */
static SpindleWorker *
spawn_unresponsive (Fixture *fixture)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  SpindleWorker *waiter;

  g_settings_set_uint (settings, "cancel-grace-ms", 100);
  waiter = spindle_ui_test_spawn (fixture, "cond-waiter");
  spindle_worker_force_cancel (waiter);
  spindle_ui_test_wait (spindle_ui_test_is_unresponsive, waiter);
  g_assert_cmpint (spindle_worker_get_state (waiter), ==, SPINDLE_WORKER_STATE_CANCELLING);

  return waiter;
}

static gboolean
action_enabled (Fixture    *fixture,
                const char *action)
{
  GtkWidget *button = spindle_ui_test_find_action_button (GTK_WIDGET (fixture->window), action);

  g_assert_nonnull (button);
  return gtk_widget_is_sensitive (button);
}

static void
test_unresponsive_row (Fixture *fixture)
{
  SpindleWorker *waiter = spawn_unresponsive (fixture);
  GtkWidget *pill;
  g_autofree char *tooltip = NULL;

  spindle_ui_test_wait_row_shows (fixture->window, waiter, "unresponsive");
  pill = find_label_with_class (spindle_ui_test_wait_row (fixture->window, waiter), "state-pill");
  g_assert_cmpstr (cell_text (pill), ==, "unresponsive");
  g_assert_true (gtk_widget_has_css_class (pill, "unresponsive"));
  tooltip = _spindle_window_query_tooltip (pill);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "Abandon"));

  /* Nothing that asks all of them can change its fate. */
  spindle_ui_test_settle (fixture->window);
  g_assert_false (action_enabled (fixture, "win.stop-all"));
  g_assert_false (action_enabled (fixture, "win.cancel-all"));
}

static void
test_cancel_all_counts_reachable (Fixture *fixture)
{
  SpindleWorker *waiter = spawn_unresponsive (fixture);
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  GtkMessageDialog *dialog;
  g_autofree char *text = NULL;
  g_autofree char *secondary = NULL;

  spindle_ui_test_settle (fixture->window);
  g_assert_true (action_enabled (fixture, "win.cancel-all"));
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.cancel-all", NULL);
  dialog = GTK_MESSAGE_DIALOG (spindle_ui_test_wait_dialog ());
  g_object_get (dialog, "text", &text, "secondary-text", &secondary, NULL);
  g_assert_cmpstr (text, ==, "Force-cancel 1 worker?");
  g_assert_nonnull (strstr (secondary, "1 unresponsive worker"));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);

  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_RUNNING);
  g_assert_true (spindle_worker_get_unresponsive (waiter));
}

static void
test_abandon_action (Fixture *fixture)
{
  SpindleWorker *waiter = spawn_unresponsive (fixture);
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");

  /* refused for a worker that a request still reaches */
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.abandon", "t",
                              spindle_worker_get_id (sleeper));
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_RUNNING);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.abandon", "t",
                                             spindle_worker_get_id (waiter)));
  spindle_ui_test_wait_terminal (waiter);
  g_assert_cmpint (spindle_worker_get_state (waiter), ==, SPINDLE_WORKER_STATE_ABANDONED);
  spindle_ui_test_wait_row_shows (fixture->window, waiter, "abandoned");
}

/* The row menu **************************************************************/

/* A menu's item: a widget with a "text" that is no label or entry. */
static gboolean
is_menu_item (GtkWidget     *widget,
              gconstpointer  fragment)
{
  g_autofree char *text = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (widget), "text") == NULL ||
      GTK_IS_LABEL (widget) || GTK_IS_EDITABLE (widget))
    return FALSE;

  g_object_get (widget, "text", &text, NULL);
  return text != NULL && strstr (text, fragment) != NULL;
}

static GtkWidget *
find_menu_item (GtkWidget  *root,
                const char *fragment)
{
  return spindle_ui_test_find_match (root, is_menu_item, fragment);
}

static GtkWidget *
find_row_menu (Fixture *fixture)
{
  GtkWidget *view = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_COLUMN_VIEW, NULL, NULL);

  return spindle_ui_test_find (view, GTK_TYPE_POPOVER, "row-menu", NULL);
}

static gboolean
row_menu_shown (Fixture *fixture)
{
  GtkWidget *menu = find_row_menu (fixture);

  return menu != NULL && gtk_widget_get_mapped (menu);
}

static gboolean
row_menu_hidden (Fixture *fixture)
{
  return !row_menu_shown (fixture);
}

static void
press_menu_item (Fixture    *fixture,
                 const char *fragment)
{
  GtkWidget *item = find_menu_item (find_row_menu (fixture), fragment);

  g_assert_nonnull (item);
  g_assert_true (gtk_widget_is_sensitive (item));
  gtk_widget_activate (item);
  spindle_ui_test_wait (row_menu_hidden, fixture);
}

/* A right click selects the row and opens its menu. */
static void
right_click_row (Fixture       *fixture,
                 SpindleWorker *worker)
{
  GtkWidget *row = spindle_ui_test_wait_row (fixture->window, worker);
  SelectWait wait = { fixture->window, worker };

  click_until (find_label_with_class (row, "worker-name"), 3, (SpindleUiTestCond) row_menu_shown, fixture);
  g_assert_true (is_selected (&wait));
}

static void
test_row_menu_right_click (Fixture *fixture)
{
  SpindleWorker *waiter, *sleeper;

  SKIP_WITHOUT_CLICKS ();

  waiter = spawn_unresponsive (fixture);
  sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  spindle_ui_test_settle (fixture->window);

  right_click_row (fixture, waiter);
  g_assert_false (gtk_widget_is_sensitive (find_menu_item (find_row_menu (fixture), "Force-Cancel")));
  press_menu_item (fixture, "left running and leaked");
  spindle_ui_test_wait_terminal (waiter);
  g_assert_cmpint (spindle_worker_get_state (waiter), ==, SPINDLE_WORKER_STATE_ABANDONED);

  right_click_row (fixture, sleeper);
  g_assert_false (gtk_widget_is_sensitive (find_menu_item (find_row_menu (fixture), "Abandon")));
  press_menu_item (fixture, "Stop");
  spindle_ui_test_wait_terminal (sleeper);
  g_assert_cmpint (spindle_worker_get_state (sleeper), ==, SPINDLE_WORKER_STATE_STOPPED);
}

static gboolean
clipboard_has (gpointer data)
{
  GdkClipboard *clipboard = data;
  GdkContentProvider *content = gdk_clipboard_get_content (clipboard);

  return content != NULL;
}

static void
test_row_menu_keyboard_copy (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (fixture->window));
  GValue value = G_VALUE_INIT;
  const char *text;

  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_select (fixture->window, sleeper);
  spindle_ui_test_settle (fixture->window);

  /* Shift+F10 and the Menu key both open it, for the selected row */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.context-menu", NULL));
  spindle_ui_test_wait (row_menu_shown, fixture);
  press_menu_item (fixture, "Copy Details");

  spindle_ui_test_wait (clipboard_has, clipboard);
  g_value_init (&value, G_TYPE_STRING);
  g_assert_true (gdk_content_provider_get_value (gdk_clipboard_get_content (clipboard), &value, NULL));
  text = g_value_get_string (&value);
  g_assert_nonnull (strstr (text, spindle_worker_get_name (sleeper)));
  g_assert_nonnull (strstr (text, "State: running"));
  g_value_unset (&value);
}

/* Whether the window binds @keyval with @mods to @action. */
static gboolean
has_binding (GtkWidget       *widget,
             guint            keyval,
             GdkModifierType  mods,
             const char      *action)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          GtkShortcutAction *named = gtk_shortcut_get_action (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger) && GTK_IS_NAMED_ACTION (named) &&
              gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
              gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods &&
              g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (named)), action) == 0)
            return TRUE;
        }
    }

  return FALSE;
}

static void
test_row_menu_keys (Fixture *fixture)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);

  g_assert_true (has_binding (window, GDK_KEY_Menu, 0, "win.context-menu"));
  g_assert_true (has_binding (window, GDK_KEY_F10, GDK_SHIFT_MASK, "win.context-menu"));
}

/* Defect 8: words in the Kernel cell, widths that hold, headers explained */

static GtkWidget *
find_kernel_label (GtkWidget *row)
{
  return find_label_with_class (row, "kernel-state");
}

static gboolean
kernel_cell_reads (GtkWidget     *row,
                   gconstpointer  text)
{
  GtkWidget *label = find_kernel_label (row);

  return label != NULL && g_strcmp0 (cell_text (label), text) == 0;
}

static void
wait_kernel_cell (Fixture       *fixture,
                  SpindleWorker *worker,
                  const char    *text)
{
  spindle_ui_test_wait_row_matches (fixture->window, worker, kernel_cell_reads, text);
}

static void
test_kernel_words (Fixture *fixture)
{
  SpindleWorker *waiter = spindle_ui_test_spawn (fixture, "cond-waiter");
  SpindleWorker *reader = spindle_ui_test_spawn (fixture, "socket-reader");
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  SpindleWorker *spinner = spindle_ui_test_spawn (fixture, "stubborn-spinner");
  GtkWidget *label;
  g_autofree char *tooltip = NULL;

  wait_kernel_cell (fixture, waiter, "futex wait");
  wait_kernel_cell (fixture, reader, "reading a socket");
  wait_kernel_cell (fixture, sleeper, "waiting in poll");
  wait_kernel_cell (fixture, spinner, "on CPU");

  /* the raw names are in the tooltip, made when it is asked for: a
   * tooltip-text kept up to date costs a pointer query per change
   */
  label = find_kernel_label (spindle_ui_test_wait_row (fixture->window, waiter));
  g_assert_null (gtk_widget_get_tooltip_text (label));
  tooltip = _spindle_window_query_tooltip (label);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "futex"));
}

static void
test_show_finished_is_keep_finished (Fixture *fixture)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_assert_true (spindle_window_get_show_finished (fixture->window));
  g_settings_set_boolean (settings, "keep-finished", FALSE);
  g_assert_false (spindle_window_get_show_finished (fixture->window));
  spindle_window_set_show_finished (fixture->window, TRUE);
  g_assert_true (g_settings_get_boolean (settings, "keep-finished"));
}

/* No match, and an undoable Clear Finished **********************************/

static gboolean
no_match_shown (Fixture *fixture)
{
  GtkWidget *title = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_LABEL, NULL, "No Matching Workers");

  return title != NULL && gtk_widget_get_mapped (title);
}

static void
test_no_match_page (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");

  spindle_ui_test_settle (fixture->window);
  g_assert_false (no_match_shown (fixture));

  spindle_ui_test_set_search (fixture->window, "no such worker");
  spindle_ui_test_wait (no_match_shown, fixture);

  spindle_ui_test_set_search (fixture->window, "sleep");
  g_assert_false (no_match_shown (fixture));
  spindle_ui_test_wait_row (fixture->window, sleeper);
}

static gboolean
set_is_empty (SpindleWorkerSet *set)
{
  return g_list_model_get_n_items (G_LIST_MODEL (set)) == 0;
}

static gboolean
undo_offered (Fixture *fixture)
{
  GtkWidget *undo = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_BUTTON, NULL, "_Undo");

  return undo != NULL && gtk_widget_get_mapped (undo) &&
         gtk_revealer_get_child_revealed (GTK_REVEALER (gtk_widget_get_ancestor (undo, GTK_TYPE_REVEALER)));
}

static void
test_clear_finished_undo (Fixture *fixture)
{
  SpindleWorker *result = spindle_ui_test_spawn (fixture, "result");
  GtkWidget *window = GTK_WIDGET (fixture->window);

  spindle_ui_test_wait_terminal (result);
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 1);

  /* cleared from the list at once, the Undo bar shows */
  g_assert_true (gtk_widget_activate_action (window, "win.clear-finished", NULL));
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 0);
  spindle_ui_test_wait (undo_offered, fixture);

  /* Undo brings it back */
  spindle_ui_test_activate (spindle_ui_test_find (window, GTK_TYPE_BUTTON, NULL, "_Undo"));
  spindle_ui_test_settle (fixture->window);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 1);
  spindle_ui_test_wait_row (fixture->window, result);

  /* left alone, the bar times out and the worker goes for good */
  g_assert_true (gtk_widget_activate_action (window, "win.clear-finished", NULL));
  spindle_ui_test_wait (set_is_empty, fixture->set);
  g_assert_cmpuint (spindle_ui_test_n_rows (fixture->window), ==, 0);
}

/* Drawing a row ************************************************************/

/* Whether @node or a node under it fills, strokes or shades anything
 * other than text.
 */
static gboolean
draws_more_than_text (GskRenderNode *node)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        if (draws_more_than_text (gsk_container_node_get_child (node, i)))
          return TRUE;
      return FALSE;
    case GSK_TRANSFORM_NODE:
      return draws_more_than_text (gsk_transform_node_get_child (node));
    case GSK_OPACITY_NODE:
      return draws_more_than_text (gsk_opacity_node_get_child (node));
    case GSK_CLIP_NODE:
      return draws_more_than_text (gsk_clip_node_get_child (node));
    case GSK_TEXT_NODE:
      return FALSE;
    default:
      g_test_message ("a %s node", g_type_name (G_TYPE_FROM_INSTANCE (node)));
      return TRUE;
    }
}

static GskRenderNode *
snapshot_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/* Every row on screen is drawn again on each frame while the list scrolls;
 * under the cairo renderer a button's frame, gradient and shadows cost
 * more than the rest of its row. A row's buttons draw their text alone
 * until the pointer is over them.
 */
static void
test_row_buttons_draw_text (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");
  const char *names[] = { "row-stop", "row-cancel" };

  spindle_ui_test_settle (fixture->window);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *button = spindle_ui_test_find_row_button (fixture->window, sleeper, names[i]);
      g_autoptr(GskRenderNode) node = NULL;

      g_assert_nonnull (button);
      g_assert_true (gtk_widget_is_sensitive (button));
      spindle_ui_test_wait_widget_drawn (button);
      node = snapshot_widget (button);
      g_assert_nonnull (node);
      g_assert_false (draws_more_than_text (node));
    }
}

/* The event log *************************************************************/

/* The position of the first entry at or after @from whose text starts
 * with @prefix, skipping what the worker said it waits for.
 */
static guint
find_entry (GListModel *model,
            guint       from,
            const char *prefix)
{
  for (guint i = from; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SpindleLogEntry) entry = g_list_model_get_item (model, i);

      if (g_str_has_prefix (spindle_log_entry_get_text (entry), prefix))
        return i;
    }

  g_error ("no log entry “%s…” after entry %u", prefix, from);
}

static void
assert_times_ordered (GListModel *model,
                      gint64      before,
                      gint64      after)
{
  gint64 last = before;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SpindleLogEntry) entry = g_list_model_get_item (model, i);
      gint64 time = g_date_time_to_unix (spindle_log_entry_get_time (entry)) * G_USEC_PER_SEC +
                    g_date_time_get_microsecond (spindle_log_entry_get_time (entry));

      g_assert_cmpint (time, >=, last);
      g_assert_cmpint (time, <=, after);
      last = time;
    }
}

/* The start, told first and in order: the position of its last entry. */
static guint
find_start (GListModel *model)
{
  guint at = find_entry (model, 0, "added, starting");

  g_assert_cmpuint (at, ==, 0);
  at = find_entry (model, at + 1, "thread started, TID");
  return find_entry (model, at + 1, "state → running");
}

/* A sleeper, running and listed, that has no log yet. */
static SpindleWorker *
spawn_sleeper_without_log (Fixture *fixture)
{
  SpindleWorker *sleeper = spindle_ui_test_spawn (fixture, "sleeper");

  spindle_ui_test_wait_state (sleeper, SPINDLE_WORKER_STATE_RUNNING);
  spindle_ui_test_settle (fixture->window);
  g_assert_null (spindle_event_log_peek (sleeper));

  return sleeper;
}

/* The window keeps a log of every worker from the moment it is listed.
 * A worker that only started has none yet (ten thousand of them would
 * cost a launch an object, an array and three lines each): its log is
 * made when it is asked for, with the start the worker's history tells,
 * in order, with the times it happened. The worker's own signals reach
 * every log through emission hooks; once shown, the log grows live.
 */
static void
test_event_log_made_when_asked (Fixture *fixture)
{
  gint64 before = g_get_real_time ();
  SpindleWorker *sleeper = spawn_sleeper_without_log (fixture);
  SpindleEventLog *log = spindle_event_log_ensure (sleeper);
  GListModel *model = spindle_event_log_get_model (log);
  guint at;

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  at = find_start (model);

  spindle_worker_request_stop (sleeper);
  spindle_ui_test_wait_terminal (sleeper);
  g_assert_true (spindle_event_log_get_model (log) == model);
  at = find_entry (model, at + 1, "state → stopping");
  at = find_entry (model, at + 1, "stop requested by the user");
  at = find_entry (model, at + 1, "cleanup started");
  at = find_entry (model, at + 1, "cleanup finished");
  find_entry (model, at + 1, "state → stopped");
  assert_times_ordered (model, before, g_get_real_time ());
}

/* Workers already running when a window first follows them (the command
 * line's start before GTK's) get no log at once, and a log made later
 * tells their start from their history, not "watched from now on".
 */
static void
test_event_log_follow_running_makes_none (Fixture *fixture)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  g_autoptr(GError) error = NULL;
  SpindleWorker *sleeper = spindle_catalog_spawn (set, "sleeper", &error);
  SpindleEventLog *log;

  g_assert_no_error (error);
  spindle_ui_test_wait_state (sleeper, SPINDLE_WORKER_STATE_RUNNING);
  spindle_event_log_follow (sleeper);
  g_assert_null (spindle_event_log_peek (sleeper));

  log = spindle_event_log_ensure (sleeper);
  find_start (spindle_event_log_get_model (log));

  spindle_worker_request_stop (sleeper);
  spindle_ui_test_wait_terminal (sleeper);
}

/* A worker that has more to say than its start gets its log then, with
 * its start told first.
 */
static void
test_event_log_made_by_request (Fixture *fixture)
{
  gint64 before = g_get_real_time ();
  SpindleWorker *sleeper = spawn_sleeper_without_log (fixture);
  SpindleEventLog *log;
  GListModel *model;
  guint at;

  spindle_worker_request_stop (sleeper);
  log = spindle_event_log_peek (sleeper);
  g_assert_nonnull (log);
  spindle_ui_test_wait_terminal (sleeper);

  model = spindle_event_log_get_model (log);
  at = find_start (model);
  at = find_entry (model, at + 1, "state → stopping");
  at = find_entry (model, at + 1, "stop requested by the user");
  find_entry (model, at + 1, "state → stopped");
  assert_times_ordered (model, before, g_get_real_time ());
}

/* Rows of parents ***********************************************************/

/* Naps until *@user_data is set, then starts a child and naps on. */
static GVariant *
late_parent (SpindleJob  *job,
             gpointer     user_data,
             GError     **error)
{
  gint *go = user_data;

  while (!g_atomic_int_get (go))
    if (!spindle_job_sleep (job, 5000))
      return NULL;

  return spindle_ui_test_parent_until_stopped (job, NULL, error);
}

/* A late parent, running and listed without children. */
static SpindleWorker *
spawn_late_parent (Fixture *fixture,
                   gint    *go)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *parent = spindle_worker_set_spawn (fixture->set, "late parent", late_parent, go, NULL, &error);

  g_assert_no_error (error);
  spindle_ui_test_wait_state (parent, SPINDLE_WORKER_STATE_RUNNING);
  spindle_ui_test_settle (fixture->window);

  return parent;
}

/* Before its test returns: its body reads the test's @go until it ends. */
static void
end_late_parent (Fixture       *fixture,
                 SpindleWorker *parent)
{
  spindle_worker_set_cancel_all (fixture->set);
  spindle_ui_test_wait_terminal (parent);
}

/* The row of @worker in the list, or NULL. */
static GtkTreeListRow *
dup_row (SpindleWindow *window,
         SpindleWorker *worker)
{
  GListModel *rows = G_LIST_MODEL (get_selection (window));

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (rows, i);
      g_autoptr(SpindleWorker) item = gtk_tree_list_row_get_item (row);

      if (item == worker)
        return g_steal_pointer (&row);
    }

  return NULL;
}

typedef struct
{
  SpindleWindow *window;
  SpindleWorker *parent;
} ChildWait;

/* The parent's first child is listed, under it. */
static gboolean
child_listed (ChildWait *wait)
{
  GListModel *children = spindle_worker_get_children (wait->parent);
  g_autoptr(SpindleWorker) child = NULL;
  g_autoptr(GtkTreeListRow) row = NULL;
  g_autoptr(GtkTreeListRow) parent_row = NULL;
  g_autoptr(SpindleWorker) parent = NULL;

  if (g_list_model_get_n_items (children) == 0)
    return FALSE;

  child = g_list_model_get_item (children, 0);
  if ((row = dup_row (wait->window, child)) == NULL)
    return FALSE;

  parent_row = gtk_tree_list_row_get_parent (row);
  g_assert_nonnull (parent_row);
  parent = gtk_tree_list_row_get_item (parent_row);
  g_assert_true (parent == wait->parent);
  g_assert_cmpuint (gtk_tree_list_row_get_depth (row), ==, 1);

  return TRUE;
}

/* A top-level worker without children gets a row without a child model
 * (ten thousand of them cost the list's tree less); when its first child
 * comes, its row is made again, the child listed under it, and the
 * selection stays on it.
 */
static void
test_first_child_remakes_row (Fixture *fixture)
{
  ChildWait wait = { fixture->window, NULL };
  g_autoptr(GtkTreeListRow) row = NULL;
  g_autoptr(SpindleWorker) selected = NULL;
  gint go = FALSE;

  wait.parent = spawn_late_parent (fixture, &go);
  row = dup_row (fixture->window, wait.parent);
  g_assert_nonnull (row);
  g_assert_false (gtk_tree_list_row_is_expandable (row));
  g_clear_object (&row);
  spindle_ui_test_select (fixture->window, wait.parent);

  g_atomic_int_set (&go, TRUE);
  spindle_ui_test_wait (child_listed, &wait);

  row = dup_row (fixture->window, wait.parent);
  g_assert_true (gtk_tree_list_row_is_expandable (row));
  g_assert_true (gtk_tree_list_row_get_expanded (row));
  selected = selected_worker (fixture->window);
  g_assert_true (selected == wait.parent);

  end_late_parent (fixture, wait.parent);
}

static void
unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

/* What the side pane and the panel's "selected-worker" showed. */
static void
record_selected (GObject    *object,
                 GParamSpec *pspec,
                 GPtrArray  *seen)
{
  SpindleWorker *worker = NULL;

  g_object_get (object, pspec->name, &worker, NULL);
  g_ptr_array_add (seen, worker);
}

static gboolean
focus_in_row (SpindleWindow *window,
              SpindleWorker *worker)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
  GtkWidget *row = spindle_ui_test_find_row (window, worker);

  return focus != NULL && row != NULL && (focus == row || gtk_widget_is_ancestor (focus, row));
}

/* When a selected top-level worker's row is made again for its first
 * child, the selection never leaves the worker: the side pane and the
 * panel's "selected-worker" show no other worker (none, nor the row
 * beside it) on the way, and keyboard focus stays on its row.
 */
static void
test_first_child_keeps_selection (Fixture *fixture)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (unref_nullable);
  ChildWait wait = { fixture->window, NULL };
  SpindlePanel *panel = fixture->window->panel;
  gint go = FALSE;

  spindle_ui_test_spawn (fixture, "sleeper");
  wait.parent = spawn_late_parent (fixture, &go);
  spindle_ui_test_spawn (fixture, "sleeper");
  spindle_ui_test_settle (fixture->window);
  spindle_ui_test_select (fixture->window, wait.parent);
  gtk_widget_grab_focus (spindle_ui_test_wait_row (fixture->window, wait.parent));
  spindle_ui_test_settle (fixture->window);
  g_assert_true (focus_in_row (fixture->window, wait.parent));

  g_signal_connect (panel, "notify::selected-worker", G_CALLBACK (record_selected), seen);
  g_signal_connect (panel->details, "notify::worker", G_CALLBACK (record_selected), seen);
  g_atomic_int_set (&go, TRUE);
  spindle_ui_test_wait (child_listed, &wait);
  spindle_ui_test_settle (fixture->window);
  g_signal_handlers_disconnect_by_data (panel, seen);
  g_signal_handlers_disconnect_by_data (panel->details, seen);

  for (guint i = 0; i < seen->len; i++)
    g_assert_true (g_ptr_array_index (seen, i) == wait.parent);
  g_assert_true (spindle_panel_get_selected_worker (panel) == wait.parent);
  g_assert_true (focus_in_row (fixture->window, wait.parent));

  end_late_parent (fixture, wait.parent);
}

int
main (int   argc,
      char *argv[])
{
  spindle_ui_test_init (&argc, &argv);

#define ADD(path, func) spindle_ui_test_add ("/ui/list/" path, func)

  ADD ("name-cell-selects", test_name_cell_selects);
  ADD ("unresponsive-row", test_unresponsive_row);
  ADD ("cancel-all-counts-reachable", test_cancel_all_counts_reachable);
  ADD ("abandon-action", test_abandon_action);
  ADD ("row-menu-right-click", test_row_menu_right_click);
  ADD ("row-menu-keyboard-copy", test_row_menu_keyboard_copy);
  ADD ("row-menu-keys", test_row_menu_keys);
  ADD ("kernel-words", test_kernel_words);
  ADD ("row-buttons-draw-text", test_row_buttons_draw_text);
  ADD ("show-finished-is-keep-finished", test_show_finished_is_keep_finished);
  ADD ("no-match-page", test_no_match_page);
  ADD ("clear-finished-undo", test_clear_finished_undo);
  ADD ("event-log-made-when-asked", test_event_log_made_when_asked);
  ADD ("event-log-follow-running-makes-none", test_event_log_follow_running_makes_none);
  ADD ("event-log-made-by-request", test_event_log_made_by_request);
  ADD ("first-child-remakes-row", test_first_child_remakes_row);
  ADD ("first-child-keeps-selection", test_first_child_keeps_selection);

#undef ADD

  return g_test_run ();
}
