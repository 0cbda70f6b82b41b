/* spindle-window-remote.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-window-private.h"
#include "spindle-window-remote.h"

/* A window over another program's workers (spindle --attach, Attach to
 * Program…): the same list, side pane and buttons as over Spindle's own,
 * whose requests the remote set sends to the program. Only what belongs
 * to Spindle's own workers changes: the title names the program, nothing
 * can be added, closing the window leaves the program's workers alone
 * (see spindle-window.c), and once the program exits a banner says so
 * while the list keeps its last state, with nothing left to ask.
 */

#define BANNER_KEY "spindle-remote-banner"

static char *
program_title (SpindleWorkerSet *set)
{
  const char *name = spindle_worker_set_get_remote_name (set);

  /* Translators: the title of a window attached to a program: its name and process id */
  return g_strdup_printf (_("%s (PID %d)"), name != NULL ? name : _("Program"),
                          spindle_worker_set_get_remote_pid (set));
}

/* The header's title label is the subtitle's sibling in the template. */
static void
set_titles (SpindleWindow *self)
{
  GtkWidget *title = gtk_widget_get_prev_sibling (GTK_WIDGET (self->subtitle_label));
  g_autofree char *text = program_title (self->set);
  g_autofree char *window_title = g_strdup_printf ("%s — Spindle", text);

  if (GTK_IS_LABEL (title))
    gtk_label_set_label (GTK_LABEL (title), text);
  gtk_window_set_title (GTK_WINDOW (self), window_title);
}

/* Above the list, where the shutdown banner shows. */
static GtkWidget *
create_banner (SpindleWindow *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self->shutdown_revealer));
  g_autofree char *title = program_title (self->set);
  g_autofree char *text = NULL;
  GtkWidget *banner, *label;

  if (!GTK_IS_BOX (parent))
    return NULL;

  text = g_strdup_printf (_("%s has exited. The list shows its workers as they last were."), title);
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  banner = gtk_info_bar_new ();
  gtk_info_bar_set_message_type (GTK_INFO_BAR (banner), GTK_MESSAGE_WARNING);
  gtk_info_bar_add_child (GTK_INFO_BAR (banner), label);
  gtk_widget_set_name (banner, "remote-gone-banner");
  gtk_widget_set_visible (banner, FALSE);
  gtk_box_insert_child_after (GTK_BOX (parent), banner, GTK_WIDGET (self->shutdown_revealer));

  return banner;
}

static void
show_banner (SpindleWindow *self)
{
  GtkWidget *banner = g_object_get_data (G_OBJECT (self), BANNER_KEY);

  if (banner != NULL)
    gtk_widget_set_visible (banner, spindle_worker_set_get_remote_gone (self->set));
}

static void
on_remote_gone (SpindleWindow *self)
{
  show_banner (self);
  _spindle_window_update_actions (self);
}

void
_spindle_window_init_remote (SpindleWindow *self)
{
  GtkWidget *banner;

  if (!spindle_worker_set_is_remote (self->set))
    return;

  set_titles (self);
  gtk_widget_set_visible (GTK_WIDGET (self->add_button), FALSE);

  banner = create_banner (self);
  if (banner != NULL)
    g_object_set_data (G_OBJECT (self), BANNER_KEY, banner);
  g_signal_connect_object (self->set, "notify::remote-gone", G_CALLBACK (on_remote_gone),
                           self, G_CONNECT_SWAPPED);
  /* early in construction: the window's actions follow at its first update */
  show_banner (self);
}

/* After the window's own: a remote set spawns nothing, and a program
 * that is gone takes no request.
 */
void
_spindle_window_update_remote_actions (SpindleWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean gone;

  if (self->set == NULL || !spindle_worker_set_is_remote (self->set))
    return;

  gone = spindle_worker_set_get_remote_gone (self->set);
  gtk_widget_action_set_enabled (widget, "win.add-workers", FALSE);
  gtk_widget_action_set_enabled (widget, "win.load-demo", FALSE);
  if (!gone)
    return;

  gtk_widget_action_set_enabled (widget, "win.stop-all", FALSE);
  gtk_widget_action_set_enabled (widget, "win.cancel-all", FALSE);
}
