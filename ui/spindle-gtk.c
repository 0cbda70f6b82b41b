/* spindle-gtk.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-gtk"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "spindle-gtk-private.h"
#include "spindle-inspector-page.h"

/* What libspindle-gtk-1 needs wherever it is loaded: its messages, its
 * style sheet and its inspector page. Its templates and style sheet are in
 * its own resource bundle, which registers itself as the library loads
 * (compiled without --manual-register).
 */

#define STYLE_KEY "spindle-gtk-style"

/* Once per display: GTK's inspector, for one, runs on a display of its own. */
void
_spindle_gtk_ensure_style (GdkDisplay *display)
{
  g_autoptr(GtkCssProvider) provider = NULL;

  if (g_object_get_data (G_OBJECT (display), STYLE_KEY) != NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/dev/spindle/Spindle/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_data_full (G_OBJECT (display), STYLE_KEY, g_steal_pointer (&provider), g_object_unref);
}

/* As the library loads ******************************************************/

/* Messages: the library's strings are in the application's text domain,
 * "spindle" (po/), bound to the installation's locale directory, so that a
 * program embedding the panel gets them translated whatever its own domain
 * is. Bound before main () runs, so that a program that binds the domain
 * itself (Spindle from its build tree, its tests) has the last word.
 */
static void
bind_messages (void)
{
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}

/* GTK 4.8 registers the extension point "gtk-inspector-page" in gtk_init ()
 * and its inspector window makes one page of each implementation when it
 * opens. A library linked by the program loads before gtk_init (), so it
 * registers the point itself (registering twice returns the same point)
 * and implements it at once: the inspector of any program that loads
 * libspindle-gtk-1 has a "Spindle" page.
 */
static void
register_inspector_page (void)
{
  g_io_extension_point_register ("gtk-inspector-page");
  g_io_extension_point_implement ("gtk-inspector-page", SPINDLE_TYPE_INSPECTOR_PAGE, "spindle", 10);
}

__attribute__((constructor)) static void
spindle_gtk_load (void)
{
  bind_messages ();
  register_inspector_page ();
}
