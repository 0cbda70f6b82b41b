/* test-cli.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <glib.h>

/* Runs the built binary: bad command lines end with one line on stderr and
 * exit status 2, before any window could open (these run without a display).
 */

typedef struct
{
  const char *args[3];
  const char *message;   /* a fragment of the one line on stderr */
} BadCase;

static const BadCase bad_cases[] = {
  { { "--workers", "sleepr=2" },          "unknown worker kind “sleepr”" },
  { { "--workers", "sleeper=many" },      "invalid count “many” for sleeper" },
  { { "--workers", "sleeper=-3" },        "invalid count “-3” for sleeper" },
  { { "--workers", "sleeper=0" },         "invalid count “0” for sleeper" },
  { { "--workers", "sleeper=1000000" },   "invalid count “1000000” for sleeper" },
  { { "--workers", "sleeper=" },          "invalid count “” for sleeper" },
  { { "--workers", "sleeper" },           "--workers expects KIND=N" },
  { { "--workers", "=3" },                "--workers expects KIND=N" },
  { { "--refresh", "fast" },              "invalid --refresh “fast”" },
  { { "--refresh", "5" },                 "invalid --refresh “5”" },
  { { "--refresh", "-100" },              "invalid --refresh “-100”" },
};

static int
run (const char * const  *args,
     char               **out,
     char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *binary = g_getenv ("SPINDLE_BINARY");
  int status = 0;

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* No display: whatever fails must fail before GTK is needed. */
  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));

  return WEXITSTATUS (status);
}

static void
test_bad_command_line (gconstpointer data)
{
  const BadCase *bad = data;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run (bad->args, &out, &err);

  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 2);
  g_assert_true (g_str_has_prefix (err, "spindle: "));
  g_assert_nonnull (strstr (err, bad->message));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);    /* one line */
  g_assert_cmpstr (out, ==, "");
}

static void
test_version (void)
{
  const char *args[] = { "--version", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, PACKAGE_NAME " " PACKAGE_VERSION "\n");
}

static void
test_help (void)
{
  const char *args[] = { "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "--workers=KIND=N"));
  g_assert_nonnull (strstr (out, "--demo"));
  g_assert_nonnull (strstr (out, "--refresh=MS"));
  g_assert_nonnull (strstr (out, "socket-reader"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ui/cli/bad-command-line/%u", i);

      g_test_add_data_func (path, &bad_cases[i], test_bad_command_line);
    }

  g_test_add_func ("/ui/cli/version", test_version);
  g_test_add_func ("/ui/cli/help", test_help);

  return g_test_run ();
}
