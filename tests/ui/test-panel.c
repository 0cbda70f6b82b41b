/* test-panel.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SpindlePanel as another program sees it: a plain GtkWindow that shows
 * the panel over its own worker set, linked with libspindle-gtk-1 alone
 * (its public API, its resources and style registered by the library),
 * run without Spindle's GSettings schema.
 */

#include <string.h>

#include <spindle-gtk.h>

#define GUARD_MS 60000

/* Waiting *******************************************************************/

typedef gboolean (*Cond) (gpointer data);

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until @cond holds; the deadline only guards
 * against a hang.
 */
static void
wait_for (Cond        cond,
          gpointer    data,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + GUARD_MS * (gint64) 1000;
  guint waker = g_timeout_add (20, wake, NULL);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %d ms waiting for %s", GUARD_MS, what);
      g_main_context_iteration (NULL, TRUE);
    }

  g_source_remove (waker);
}

/* Finding widgets ***********************************************************/

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

static GtkWidget *
find (GtkWidget     *root,
      Match          match,
      gconstpointer  data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_named_button (GtkWidget     *widget,
                 gconstpointer  name)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
is_label_with_text (GtkWidget     *widget,
                    gconstpointer  text)
{
  const char *shown = NULL;

  /* the list's cells are inscriptions, the side pane's labels */
  if (GTK_IS_LABEL (widget))
    shown = gtk_label_get_label (GTK_LABEL (widget));
  else if (GTK_IS_INSCRIPTION (widget))
    shown = gtk_inscription_get_text (GTK_INSCRIPTION (widget));

  return shown != NULL && gtk_widget_get_mapped (widget) && g_strcmp0 (shown, text) == 0;
}

static gboolean
is_column_view (GtkWidget     *widget,
                gconstpointer  unused)
{
  return GTK_IS_COLUMN_VIEW (widget);
}

/* A body that naps until asked to stop ***************************************/

static GVariant *
nap_until_stopped (SpindleJob  *job,
                   gpointer     user_data,
                   GError     **error)
{
  while (spindle_job_sleep (job, 10 * G_USEC_PER_SEC))
    ;

  return NULL;
}

static gboolean
is_running (gpointer worker)
{
  return spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_RUNNING;
}

static gboolean
is_terminal (gpointer worker)
{
  return spindle_worker_is_terminal (worker);
}

/* Fixture *******************************************************************/

typedef struct
{
  SpindleWorkerSet *set;
  GtkWindow        *window;
  SpindlePanel     *panel;
} Fixture;

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->set = spindle_worker_set_new ();
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 1100, 600);
  fixture->panel = SPINDLE_PANEL (spindle_panel_new (fixture->set));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->panel));
  gtk_window_present (fixture->window);
  wait_for (is_mapped, fixture->panel, "the panel to map");
}

static gboolean
set_is_down (gpointer set)
{
  return spindle_worker_set_get_n_live (set) == 0;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  spindle_worker_set_cancel_all (fixture->set);
  wait_for (set_is_down, fixture->set, "the set to end");
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->set);
}

static SpindleWorker *
spawn_napper (Fixture    *fixture,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  SpindleWorker *worker = spindle_worker_set_spawn (fixture->set, name, nap_until_stopped, NULL, NULL, &error);

  g_assert_no_error (error);
  wait_for (is_running, worker, "the worker to run");

  return worker;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;

  return find (wait->root, is_label_with_text, wait->text) != NULL;
}

static void
wait_label (GtkWidget  *root,
            const char *text)
{
  LabelWait wait = { root, text };
  g_autofree char *what = g_strdup_printf ("“%s” to show", text);

  wait_for (label_shown, &wait, what);
}

static GtkWidget *
list_of (Fixture *fixture)
{
  GtkWidget *view = find (GTK_WIDGET (fixture->panel), is_column_view, NULL);

  g_assert_nonnull (view);
  return view;
}

/* Tests *********************************************************************/

/* The panel's own Stop button stops the program's worker, and the panel
 * shows how it ended: the row's state and the count below the list.
 */
static void
test_stop_through_button (Fixture       *fixture,
                          gconstpointer  data)
{
  SpindleWorker *worker = spawn_napper (fixture, "napper");
  GtkWidget *view = list_of (fixture);
  GtkWidget *stop;

  wait_label (view, "running");
  wait_label (GTK_WIDGET (fixture->panel), "1 worker");
  stop = find (view, is_named_button, "row-stop");
  g_assert_nonnull (stop);
  g_assert_true (gtk_widget_is_sensitive (stop));

  g_signal_emit_by_name (stop, "clicked");
  wait_for (is_terminal, worker, "the worker to end");
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_STOPPED);

  wait_label (view, "stopped");
  g_assert_false (gtk_widget_is_sensitive (find (view, is_named_button, "row-stop")));
  /* an embedded panel leaves the program's set alone */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, 1);
}

static gboolean
panel_has_selection (gpointer panel)
{
  return spindle_panel_get_selected_worker (panel) != NULL;
}

static GtkWidget *
find_outside_list (GtkWidget  *root,
                   const char *text)
{
  if (GTK_IS_COLUMN_VIEW (root))
    return NULL;
  if (is_label_with_text (root, text))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_outside_list (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
pane_names_worker (gpointer data)
{
  Fixture *fixture = data;

  return find_outside_list (GTK_WIDGET (fixture->panel), "selected napper") != NULL;
}

/* Selecting a row selects the worker, and the side pane shows it. */
static void
test_selected_worker (Fixture       *fixture,
                      gconstpointer  data)
{
  SpindleWorker *worker = spawn_napper (fixture, "selected napper");
  GtkWidget *view = list_of (fixture);
  GtkSelectionModel *model;

  g_assert_null (spindle_panel_get_selected_worker (fixture->panel));
  wait_label (view, "running");

  model = gtk_column_view_get_model (GTK_COLUMN_VIEW (view));
  gtk_selection_model_select_item (model, 0, TRUE);
  wait_for (panel_has_selection, fixture->panel, "a selection");
  g_assert_true (spindle_panel_get_selected_worker (fixture->panel) == worker);

  /* the side pane names it: a label outside the list */
  wait_for (pane_names_worker, fixture, "the side pane to show the worker");
}

static gboolean
label_gone (gpointer data)
{
  return !label_shown (data);
}

/* Another set in place of the first: the list follows it. */
static void
test_set_set (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SpindleWorkerSet) other = spindle_worker_set_new ();
  g_autoptr(GError) error = NULL;
  SpindleWorker *first = spawn_napper (fixture, "first set’s worker");
  SpindleWorker *second;
  LabelWait gone;

  g_assert_true (spindle_panel_get_set (fixture->panel) == fixture->set);
  wait_label (list_of (fixture), "first set’s worker");

  second = spindle_worker_set_spawn (other, "other set’s worker", nap_until_stopped, NULL, NULL, &error);
  g_assert_no_error (error);
  wait_for (is_running, second, "the other worker to run");

  spindle_panel_set_set (fixture->panel, other);
  g_assert_true (spindle_panel_get_set (fixture->panel) == other);
  wait_label (list_of (fixture), "other set’s worker");
  gone = (LabelWait) { list_of (fixture), "first set’s worker" };
  wait_for (label_gone, &gone, "the first set’s worker to leave the list");
  g_assert_false (spindle_worker_is_terminal (first));

  spindle_panel_set_set (fixture->panel, NULL);
  g_assert_null (spindle_panel_get_set (fixture->panel));
  spindle_worker_set_cancel_all (other);
  wait_for (set_is_down, other, "the other set to end");
}

static gboolean
is_panel (GtkWidget     *widget,
          gconstpointer  unused)
{
  return SPINDLE_IS_PANEL (widget);
}

typedef struct
{
  GtkWidget        *page;
  SpindleWorkerSet *set;
} PageWait;

static gboolean
page_shows_set (gpointer data)
{
  PageWait *wait = data;
  GtkWidget *panel = find (wait->page, is_panel, NULL);

  return panel != NULL && spindle_panel_get_set (SPINDLE_PANEL (panel)) == wait->set;
}

/* GTK's inspector makes its pages this way when it opens (gtk/inspector/
 * window.c): one of each type that implements "gtk-inspector-page", its
 * name from "title". The page finds the set this program's panel shows,
 * and shows its workers live in a panel of its own.
 */
static void
test_inspector_page (Fixture       *fixture,
                     gconstpointer  data)
{
  GIOExtensionPoint *point = g_io_extension_point_lookup ("gtk-inspector-page");
  GIOExtension *extension;
  g_autofree char *title = NULL;
  GtkWidget *page;
  GtkWindow *inspector;
  PageWait wait;

  spawn_napper (fixture, "inspected napper");
  g_assert_nonnull (point);
  extension = g_io_extension_point_get_extension_by_name (point, "spindle");
  g_assert_nonnull (extension);
  g_assert_true (g_type_is_a (g_io_extension_get_type (extension), GTK_TYPE_WIDGET));

  page = g_object_new (g_io_extension_get_type (extension), NULL);
  g_object_get (page, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "Spindle");

  inspector = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (inspector, 1000, 500);
  gtk_window_set_child (inspector, page);
  gtk_window_present (inspector);

  wait = (PageWait) { page, fixture->set };
  wait_for (page_shows_set, &wait, "the inspector page to show the program's set");
  wait_label (page, "inspected napper");
  wait_label (page, "1 worker, 1 live");

  gtk_window_destroy (inspector);
}

/* Translations ****************************************************************/

#define UI_RESOURCES "/dev/spindle/Spindle/ui/"

static void
assert_domain (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (strstr (text, "<interface domain=\"spindle\">") == NULL)
    g_error ("%s: not in the “spindle” translation domain", path);
}

/* In a host program, a template without a domain is translated in the
 * host's: the panel's own text would stay in English. The panel and its
 * side pane name the library's domain (the list's cells are built in C,
 * whose strings gettext looks up in the library's domain).
 */
static void
test_translation_domain (void)
{
  g_type_ensure (SPINDLE_TYPE_PANEL);
  assert_domain (UI_RESOURCES "spindle-panel.ui");
  assert_domain (UI_RESOURCES "spindle-worker-details.ui");
}

int
main (int   argc,
      char *argv[])
{
  gboolean tap = FALSE;

  for (int i = 1; i < argc; i++)
    tap |= g_str_equal (argv[i], "--tap");

  g_test_init (&argc, &argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display: run the UI tests under build-aux/test\n");
      return tap ? 0 : 77;
    }

  g_test_add ("/ui/panel/stop-through-button", Fixture, NULL,
              fixture_set_up, test_stop_through_button, fixture_tear_down);
  g_test_add ("/ui/panel/selected-worker", Fixture, NULL,
              fixture_set_up, test_selected_worker, fixture_tear_down);
  g_test_add ("/ui/panel/set-set", Fixture, NULL,
              fixture_set_up, test_set_set, fixture_tear_down);
  g_test_add ("/ui/panel/inspector-page", Fixture, NULL,
              fixture_set_up, test_inspector_page, fixture_tear_down);
  g_test_add_func ("/ui/panel/translation-domain", test_translation_domain);

  return g_test_run ();
}
