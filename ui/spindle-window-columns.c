/* spindle-window-columns.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-window-private.h"

/* How the header and the side pane give way in a narrow window, and the
 * column chooser in the primary menu. The columns themselves, their
 * widths, sort and the settings that keep them are the panel's
 * (spindle-panel-columns.c); the window tells it its width.
 */

/* Below these widths of the window, the header's buttons keep their
 * icons only, and the side pane gives way to the list (win.show-details,
 * F9, brings it back): the title's counts and the columns come first.
 */
#define ICONS_ONLY_BELOW 800
#define NO_PANE_BELOW    880

static void
set_button_label (GtkButton  *button,
                  const char *label,
                  const char *icon_name,
                  gboolean    icon_only)
{
  if (icon_only)
    gtk_button_set_icon_name (button, icon_name);
  else
    gtk_button_set_label (button, label);
}

/* A narrow header bar keeps Add Workers' icon, and its tooltip. */
static void
apply_header_width (SpindleWindow *self,
                    int            width)
{
  gboolean icons_only = width > 0 && width < ICONS_ONLY_BELOW;

  /* this runs while the window allocates: change nothing that has not */
  if (icons_only == self->icons_only)
    return;

  self->icons_only = icons_only;
  gtk_widget_set_visible (self->add_label, !icons_only);
  set_button_label (self->stop_all_button, _("_Stop All"), "media-playback-stop-symbolic", icons_only);
  set_button_label (self->cancel_all_button, _("_Force-Cancel All"), "process-stop-symbolic", icons_only);
}

/* Only when the window crosses the width: in between, the user decides. */
static void
apply_pane_width (SpindleWindow *self,
                  int            width)
{
  gboolean narrow = width > 0 && width < NO_PANE_BELOW;

  if (narrow == self->narrow)
    return;

  self->narrow = narrow;
  _spindle_window_set_show_details (self, !narrow);
}

static void
on_width_changed (SpindleWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  apply_header_width (self, width);
  apply_pane_width (self, width);
  _spindle_panel_set_width_hint (self->panel, width);
}

void
_spindle_window_init_columns (SpindleWindow *self)
{
  _spindle_panel_add_column_chooser (self->panel, GTK_WIDGET (self), self->columns_section);
  on_width_changed (self);

  g_signal_connect_object (self, "notify::default-width", G_CALLBACK (on_width_changed), self, G_CONNECT_SWAPPED);
}

void
_spindle_window_class_init_columns (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, add_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, stop_all_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, cancel_all_button);
  gtk_widget_class_bind_template_child (widget_class, SpindleWindow, columns_section);
}
