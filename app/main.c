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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SpindleApplication) app = NULL;

  /* before the command line is read: GTK would set it only at startup */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  raise_fd_limit ();
  app = spindle_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
