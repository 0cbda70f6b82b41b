/* spindle-i18n-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dlfcn.h>
#include <glib.h>
#include <libintl.h>

G_BEGIN_DECLS

/* The library's messages live in a text domain of their own, so that a
 * program linking libspindle-1 gets them translated whatever its own
 * domain is (po-libspindle/). Include this header, not <glib/gi18n.h>,
 * in the engine.
 */
#define SPINDLE_GETTEXT_PACKAGE "libspindle-1"

/* Where the catalogues are: the installed locale directory, or, when this
 * object was loaded from a meson build tree (<build>/app/engine/ or a test
 * in <build>/tests/…/), the build tree's, so that uninstalled programs and
 * the tests are translated too.
 */
static inline char *
_spindle_i18n_locale_dir (void)
{
  Dl_info info;
  g_autofree char *dir = NULL;
  g_autofree char *root = NULL;
  g_autofree char *ninja = NULL;

  if (dladdr ((void *) _spindle_i18n_locale_dir, &info) == 0 || info.dli_fname == NULL)
    return g_strdup (LOCALEDIR);

  dir = g_path_get_dirname (info.dli_fname);
  root = g_build_filename (dir, "..", "..", NULL);
  ninja = g_build_filename (root, "build.ninja", NULL);
  if (g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
    return g_build_filename (root, "po-libspindle", NULL);

  return g_strdup (LOCALEDIR);
}

/* Bound on first use, not at load time: a library has no main(). The
 * guard is per file that includes this header; binding again is harmless.
 */
static inline void
_spindle_i18n_bind (void)
{
  static gsize bound = 0;

  if (g_once_init_enter (&bound))
    {
      g_autofree char *dir = _spindle_i18n_locale_dir ();

      bindtextdomain (SPINDLE_GETTEXT_PACKAGE, dir);
      bind_textdomain_codeset (SPINDLE_GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&bound, 1);
    }
}

G_GNUC_FORMAT (1) static inline const char *
_spindle_gettext (const char *msgid)
{
  _spindle_i18n_bind ();
  return g_dgettext (SPINDLE_GETTEXT_PACKAGE, msgid);
}

#undef _
#undef N_
#define _(String) _spindle_gettext (String)
#define N_(String) (String)

/* Plurals are written g_dngettext (SPINDLE_GETTEXT_PACKAGE, …), which
 * xgettext's glib preset knows; this binds the domain first.
 */
G_GNUC_FORMAT (2) G_GNUC_FORMAT (3) static inline const char *
_spindle_dngettext (const char *domain,
                    const char *msgid,
                    const char *msgid_plural,
                    gulong      n)
{
  _spindle_i18n_bind ();
  return (g_dngettext) (domain, msgid, msgid_plural, n);
}

#define g_dngettext(Domain, Singular, Plural, N) \
  _spindle_dngettext ((Domain), (Singular), (Plural), (N))

G_END_DECLS
