/* spindle-embed.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GTK 4 program that shows its own worker threads in Spindle's panel:
 * a download that naps between chunks and an indexer that computes. Stop
 * or force-cancel them from the panel; the side pane says what each
 * cleanup did.
 *
 *   cc spindle-embed.c $(pkg-config --cflags --libs spindle-gtk-1) -o spindle-embed
 *
 * With --check it starts its workers, waits until the panel lists them
 * all running, stops them through the panel's own Stop buttons and exits:
 * 0 when each ended stopped, 1 otherwise (or after a minute).
 */

#include <spindle-gtk.h>

static gboolean check;

/* The workers' bodies *******************************************************/

static gboolean
close_connection (gpointer   user_data,
                  GError   **error)
{
  return TRUE;
}

/* Naps between chunks in the engine's sleep, which a stop wakes at once. */
static GVariant *
download (SpindleJob  *job,
          gpointer     user_data,
          GError     **error)
{
  guint chunk = 0;

  spindle_job_push_cleanup (job, "close the connection", close_connection, NULL);
  spindle_job_set_phase (job, "downloading");
  while (spindle_job_sleep (job, G_USEC_PER_SEC / 2))
    spindle_job_set_progress (job, (++chunk % 100) / 100.0);

  return g_variant_new_uint32 (chunk);
}

/* Computes in short steps and looks at the stop flag between them. */
static GVariant *
index_words (SpindleJob  *job,
             gpointer     user_data,
             GError     **error)
{
  volatile guint64 sum = 0;

  spindle_job_set_phase (job, "indexing");
  while (!spindle_job_should_stop (job))
    {
      for (guint i = 0; i < 1000000; i++)
        sum += i;
      spindle_job_sleep (job, G_USEC_PER_SEC / 20);
    }

  return g_variant_new_uint64 (sum);
}

/* Starts the program's workers, as any program would. */
static void
start_workers (SpindleWorkerSet *set)
{
  g_autoptr(GError) error = NULL;

  if (spindle_worker_set_spawn (set, "download", download, NULL, NULL, &error) == NULL ||
      spindle_worker_set_spawn (set, "indexer", index_words, NULL, NULL, &error) == NULL)
    g_printerr ("Could not start a worker: %s\n", error->message);
}

/* --check *******************************************************************/

typedef struct
{
  SpindleWorkerSet *set;
  GtkWidget        *panel;
  GtkApplication   *app;
  gboolean          clicked;
} Check;

static GtkWidget *
find_button (GtkWidget  *root,
             const char *name)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_get_mapped (root) && gtk_widget_is_sensitive (root) &&
      g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
all_in_state (SpindleWorkerSet   *set,
              SpindleWorkerState  state)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (set));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (G_LIST_MODEL (set), i);

      if (spindle_worker_get_state (worker) != state)
        return FALSE;
    }

  return n > 0;
}

/* Each tick: once every worker runs, press the panel's Stop buttons one
 * by one; once every worker has stopped, quit.
 */
static gboolean
check_timeout (gpointer data)
{
  g_printerr ("the workers did not all stop through the panel within a minute\n");
  g_application_quit (G_APPLICATION (data));

  return G_SOURCE_REMOVE;
}

static gboolean
check_tick (gpointer data)
{
  Check *c = data;
  GtkWidget *stop;

  if (all_in_state (c->set, SPINDLE_WORKER_STATE_STOPPED))
    {
      g_print ("every worker stopped through the panel\n");
      g_application_quit (G_APPLICATION (c->app));
      return G_SOURCE_REMOVE;
    }

  if (!c->clicked && !all_in_state (c->set, SPINDLE_WORKER_STATE_RUNNING))
    return G_SOURCE_CONTINUE;

  c->clicked = TRUE;
  if ((stop = find_button (c->panel, "row-stop")) != NULL)
    g_signal_emit_by_name (stop, "clicked");

  return G_SOURCE_CONTINUE;
}

/* The program ***************************************************************/

static void
on_activate (GtkApplication *app,
             gpointer        user_data)
{
  SpindleWorkerSet *set = user_data;
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label = gtk_label_new ("The program’s own interface goes here; its worker threads are below.");
  GtkWidget *panel = spindle_panel_new (set);

  gtk_window_set_title (GTK_WINDOW (window), "Spindle embedded in a program");
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 560);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_vexpand (panel, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), panel);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));

  start_workers (set);

  if (check)
    {
      Check *c = g_new0 (Check, 1);

      *c = (Check) { set, panel, app, FALSE };
      g_timeout_add_full (G_PRIORITY_DEFAULT, 50, check_tick, c, g_free);
      g_timeout_add_seconds (60, check_timeout, app);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(SpindleWorkerSet) set = NULL;
  int status;

  check = argc > 1 && g_str_equal (argv[1], "--check");

  set = spindle_worker_set_new ();
  app = gtk_application_new ("dev.spindle.EmbedExample", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), set);
  status = g_application_run (G_APPLICATION (app), 1, argv);

  spindle_worker_set_cancel_all (set);
  while (spindle_worker_set_get_n_live (set) > 0)
    g_main_context_iteration (NULL, TRUE);

  return check && !all_in_state (set, SPINDLE_WORKER_STATE_STOPPED) ? 1 : status;
}
