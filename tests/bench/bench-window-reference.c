/* bench-window-reference.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The window benchmark's reference for scrolling: GTK's own GtkColumnView,
 * as bare as GTK makes it, with the shape of Spindle's list. The same
 * columns at the same widths, as many rows, each cell one GtkInscription
 * (GTK's cheapest text widget) holding the text Spindle shows there, the
 * name two lines high as Spindle's is, rows and cells styled as Spindle's. No pills, buttons, timelines,
 * sorting, tree or live figures: what is left is what GTK itself costs to
 * scroll a list of this size, drawn by the same renderer on the same
 * display, measured in the same run as Spindle's list.
 */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "bench-window-private.h"
#include "spindle.h"

typedef struct
{
  const char *title;
  int         width;     /* fixed; 0: sized by its content, or the one that expands */
  const char *text;      /* before the row's number, if it has one */
  int         number;    /* added to the row's number; -1: none */
  const char *after;     /* after the number */
} ReferenceColumn;

/* Spindle's columns, their widths and a sleeper's text (spindle-panel.ui):
 * the name takes what is left, its kind in a smaller size below it.
 */
static const ReferenceColumn columns[] = {
  { "Name",          0, "sleeper ", 0, "\n<small>Sleeper</small>" },
  { "TID",          72, "", 10000, "" },
  { "State",       116, "running", -1, "" },
  { "Elapsed",      80, "0:07.6", -1, "" },
  { "CPU %",        72, "0 %", -1, "" },
  { "Kernel",      136, "waiting in poll", -1, "" },
  { "Last Minute", 110, "", -1, "" },
  { "Cleanup",     112, "—", -1, "" },
  { "Actions",     170, "Stop    Force-Cancel", -1, "" },
};

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  const ReferenceColumn *column = data;
  GtkWidget *inscription = gtk_inscription_new (NULL);

  if (strchr (column->after, '\n') != NULL)
    gtk_inscription_set_min_lines (GTK_INSCRIPTION (inscription), 2);
  gtk_list_item_set_child (item, inscription);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  const ReferenceColumn *column = data;
  guint row = gtk_list_item_get_position (item) + 1;
  g_autofree char *text = column->number < 0 ? g_strdup (column->text)
                                             : g_strdup_printf ("%s%u%s", column->text, row + column->number,
                                                                column->after);

  gtk_inscription_set_markup (GTK_INSCRIPTION (gtk_list_item_get_child (item)), text);
}

/* Spindle's rows and cells as its style sheet has them (ui/style.css): the
 * same height and padding, and the theme's cell borders made transparent,
 * which the cairo renderer then does not draw (drawn, they cost more than
 * the text).
 */
static const char reference_css[] =
  "columnview.reference > listview > row { min-height: 40px; }\n"
  "columnview.reference > listview > row > cell {\n"
  "  padding-top: 4px; padding-bottom: 4px; border-color: transparent;\n"
  "}\n";

static void
add_style (GtkWidget *widget)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_data (provider, reference_css, -1);
  gtk_style_context_add_provider_for_display (gtk_widget_get_display (widget), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_widget_add_css_class (widget, "reference");
}

/* The rows need nothing of their own: the cells make their text from the
 * position.
 */
static GListModel *
rows_new (guint n_rows)
{
  GListStore *store = g_list_store_new (G_TYPE_OBJECT);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n_rows; i++)
    g_ptr_array_add (items, g_object_new (G_TYPE_OBJECT, NULL));
  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return G_LIST_MODEL (store);
}

GtkWidget *
bench_reference_window_new (guint       n_rows,
                            int         width,
                            int         height,
                            GtkWidget **list)
{
  GtkWidget *window = gtk_window_new ();
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (gtk_single_selection_new (rows_new (n_rows)));
  GtkWidget *view = gtk_column_view_new (selection);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  add_style (view);
  gtk_single_selection_set_autoselect (GTK_SINGLE_SELECTION (selection), FALSE);
  gtk_single_selection_set_can_unselect (GTK_SINGLE_SELECTION (selection), TRUE);
  gtk_selection_model_unselect_all (selection);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), (gpointer) &columns[i]);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), (gpointer) &columns[i]);
      column = gtk_column_view_column_new (columns[i].title, factory);
      if (columns[i].width > 0)
        gtk_column_view_column_set_fixed_width (column, columns[i].width);
      gtk_column_view_column_set_expand (column, i == 0);
      gtk_column_view_append_column (GTK_COLUMN_VIEW (view), column);
    }

  /* the size of Spindle's list, header row included */
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_window_set_child (GTK_WINDOW (window), scroller);

  *list = view;
  return window;
}

/* The floor under a launch: a bare program making @n threads of a worker's
 * stack size that each wait for the end, as a sleeper does, timed from
 * @t_main (the process's main ()) until every one runs. The threads are
 * left waiting: the process ends once it has measured.
 */
typedef struct
{
  GMutex lock;
  GCond  all_running;
  GCond  end;
  guint  n_running;
  guint  n;
} Threads;

static gpointer
waiting_thread (gpointer data)
{
  Threads *threads = data;

  g_mutex_lock (&threads->lock);
  if (++threads->n_running == threads->n)
    g_cond_signal (&threads->all_running);
  while (TRUE)
    g_cond_wait (&threads->end, &threads->lock);

  return NULL;
}

double
bench_reference_threads (guint  n,
                         gint64 t_main)
{
  static Threads threads;
  pthread_attr_t attr;
  double ms;

  g_mutex_init (&threads.lock);
  g_cond_init (&threads.all_running);
  g_cond_init (&threads.end);
  threads.n = n;

  pthread_attr_init (&attr);
  pthread_attr_setstacksize (&attr, SPINDLE_DEFAULT_STACK_SIZE);
  pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
  for (guint i = 0; i < n; i++)
    {
      pthread_t thread;

      if (pthread_create (&thread, &attr, waiting_thread, &threads) != 0)
        return -1;
    }
  pthread_attr_destroy (&attr);

  g_mutex_lock (&threads.lock);
  while (threads.n_running < n)
    g_cond_wait (&threads.all_running, &threads.lock);
  ms = (g_get_monotonic_time () - t_main) / 1000.0;
  g_mutex_unlock (&threads.lock);

  return ms;
}

/* The reference for the idle window: htop on the same threads ***************/

#define HTOP_SETTLE_MS  1000

/* utime + stime of a process, in clock ticks, from /proc/PID/stat. */
static gint64
process_ticks (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *after_name;
  unsigned long utime = 0, stime = 0;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after_name = strrchr (stat, ')')) == NULL)
    return -1;

  /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
  if (sscanf (after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return -1;

  return utime + stime;
}

/* Reads and drops what htop draws until @until, so it never blocks. */
static void
drain_until (int    fd,
             gint64 until)
{
  char buffer[65536];
  gint64 now;

  while ((now = g_get_monotonic_time ()) < until)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };

      if (poll (&pfd, 1, (int) ((until - now) / 1000) + 1) > 0 && read (fd, buffer, sizeof buffer) < 0 && errno != EINTR)
        g_usleep ((until - now) > 10000 ? 10000 : (until - now));
    }
}

/* htop showing @pid's threads at a 0.5 s refresh for @seconds: its CPU in
 * % of a core, or NAN if it could not run.
 */
double
bench_reference_htop (const char *htop,
                      GPid        pid,
                      guint       seconds)
{
  struct winsize size = { .ws_row = 50, .ws_col = 200 };
  g_autofree char *pid_text = g_strdup_printf ("%d", pid);
  gint64 start_ticks, end_ticks, start, end;
  int master;
  pid_t child = forkpty (&master, NULL, NULL, &size);

  if (child < 0)
    return NAN;

  if (child == 0)
    {
      /* no settings of the user's: htop's defaults, threads shown */
      g_setenv ("HTOPRC", "/nonexistent/htoprc", TRUE);
      g_setenv ("TERM", "xterm", TRUE);
      execl (htop, "htop", "-d", "5", "-p", pid_text, (char *) NULL);
      _exit (127);
    }

  drain_until (master, g_get_monotonic_time () + HTOP_SETTLE_MS * 1000);
  start = g_get_monotonic_time ();
  start_ticks = process_ticks (child);
  drain_until (master, start + seconds * G_USEC_PER_SEC);
  end_ticks = process_ticks (child);
  end = g_get_monotonic_time ();

  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  close (master);

  if (start_ticks < 0 || end_ticks < 0)
    return NAN;

  return 100.0 * (end_ticks - start_ticks) / sysconf (_SC_CLK_TCK) / ((end - start) / (double) G_USEC_PER_SEC);
}
