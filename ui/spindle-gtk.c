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

/* What libspindle-gtk-1 needs wherever it is loaded: its messages and its
 * style sheet. Its templates and style sheet are in its own resource
 * bundle, which registers itself as the library loads (compiled without
 * --manual-register).
 *
 * Messages: the library's strings are in the application's text domain,
 * "spindle" (po/), bound here to the installation's locale directory, so
 * that a program embedding the panel gets them translated whatever its
 * own domain is.
 */
void
_spindle_gtk_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&done, 1);
    }
}

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

/* GTK's inspector ***********************************************************/

/* GTK 4.8 registers the extension point "gtk-inspector-page" in gtk_init ()
 * and its inspector window makes one page of each implementation when it
 * opens. A library linked by the program loads before gtk_init (), so it
 * registers the point itself (registering twice returns the same point)
 * and implements it at once: the inspector of any program that loads
 * libspindle-gtk-1 has a "Spindle" page.
 */
__attribute__((constructor)) static void
spindle_gtk_register_inspector_page (void)
{
  g_io_extension_point_register ("gtk-inspector-page");
  g_io_extension_point_implement ("gtk-inspector-page", SPINDLE_TYPE_INSPECTOR_PAGE, "spindle", 10);
}
