/* main.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <sys/resource.h>

#include "spindle-application.h"

/* Each waiting worker holds an eventfd: a thousand workers outgrow the
 * usual soft limit of 1,024 descriptors, and the hard limit is there to be
 * used. Without it, waits fall back to polling their stop flag.
 */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
        g_debug ("Could not raise the file descriptor limit: %s", g_strerror (errno));
    }
}

/* The installed catalogues, or the build tree's when the program runs
 * from it (build-aux/run, the tests): <build>/app/spindle finds its .mo
 * files in <build>/po/<lang>/LC_MESSAGES. The library finds its own.
 */
static char *
locale_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *ninja = NULL;

  if (exe == NULL)
    return g_strdup (LOCALEDIR);

  dir = g_path_get_dirname (exe);
  ninja = g_build_filename (dir, "..", "build.ninja", NULL);
  if (g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
    return g_build_filename (dir, "..", "po", NULL);

  return g_strdup (LOCALEDIR);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SpindleApplication) app = NULL;
  g_autofree char *catalogues = NULL;

  /* before the command line is read, so that --help is translated: GTK
   * would set the locale only at startup */
  setlocale (LC_ALL, "");
  catalogues = locale_dir ();
  bindtextdomain (GETTEXT_PACKAGE, catalogues);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  raise_fd_limit ();
  app = spindle_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
