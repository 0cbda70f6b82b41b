/* spindle-test-process.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spindle-test-process.h"

/* Forced containment *********************************************************/

void
spindle_test_forced_init (SpindleTestForced *forced,
                          const char        *containment)
{
  memset (forced, 0, sizeof *forced);
  forced->envp = g_environ_setenv (g_get_environ (), "SPINDLE_PROCESS_CONTAINMENT", containment, TRUE);
  forced->options.envp = (const char * const *) forced->envp;
}

void
spindle_test_forced_setenv (SpindleTestForced *forced,
                            const char        *name,
                            const char        *value)
{
  forced->envp = g_environ_setenv (forced->envp, name, value, TRUE);
  forced->options.envp = (const char * const *) forced->envp;
}

void
spindle_test_forced_clear (SpindleTestForced *forced)
{
  g_strfreev (forced->envp);
}

/* The cleanup report *********************************************************/

char *
spindle_test_report_text (SpindleWorker *worker)
{
  return spindle_cleanup_report_to_string (spindle_worker_get_cleanup_report (worker));
}

void
spindle_test_assert_report_lacks (SpindleWorker *worker,
                                  const char    *needle)
{
  if (spindle_test_report_has_step (worker, needle, SPINDLE_CLEANUP_OUTCOME_OK) ||
      spindle_test_report_has_step (worker, needle, SPINDLE_CLEANUP_OUTCOME_FAILED))
    {
      g_autofree char *text = spindle_test_report_text (worker);

      g_error ("a step “%s” in the report:\n%s", needle, text);
    }
}

void
spindle_test_assert_no_failed_step (SpindleWorker *worker)
{
  if (spindle_cleanup_report_count (spindle_worker_get_cleanup_report (worker),
                                    SPINDLE_CLEANUP_OUTCOME_FAILED) != 0)
    {
      g_autofree char *text = spindle_test_report_text (worker);

      g_error ("a step failed:\n%s", text);
    }
}

/* Processes and rows *********************************************************/

void
spindle_test_collect_rows (SpindleWorker *worker,
                           GPtrArray     *rows)
{
  GListModel *children = spindle_worker_get_children (worker);

  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);

      g_ptr_array_add (rows, child);
      spindle_test_collect_rows (child, rows);
    }
}

pid_t
spindle_test_parent_of (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  int ppid = 0;

  if (!g_file_get_contents (path, &stat, NULL, NULL) ||
      sscanf (strrchr (stat, ')') + 2, "%*c %d", &ppid) != 1)
    return 0;
  return ppid;
}

gboolean
spindle_test_is_sleep_cond (gpointer data)
{
  return spindle_test_is_sleep (GPOINTER_TO_INT (data));
}

/* Cgroups ********************************************************************/

char *
spindle_test_process_cgroup (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cgroup", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "0::"))
      return g_strdup (lines[i] + 3);
  return NULL;
}

static char *
find_own_cgroup (char **why)
{
  g_autofree char *mountinfo = NULL;
  g_autofree char *path = spindle_test_process_cgroup (getpid ());
  g_autofree char *probe = NULL;
  g_autofree char *kill_file = NULL;
  g_auto(GStrv) lines = NULL;
  char *dir = NULL;

  if (path == NULL || !g_file_get_contents ("/proc/self/mountinfo", &mountinfo, NULL, NULL))
    {
      *why = g_strdup ("this process has no cgroup v2");
      return NULL;
    }

  lines = g_strsplit (mountinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL && dir == NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);

      if (strstr (lines[i], " - cgroup2 ") != NULL && g_strv_length (fields) > 5 &&
          g_str_equal (fields[3], "/"))
        dir = g_strconcat (fields[4], g_str_equal (path, "/") ? "" : path, NULL);
    }
  if (dir == NULL)
    {
      *why = g_strdup ("no cgroup v2 hierarchy is mounted at its root");
      return NULL;
    }

  probe = g_strdup_printf ("%s/spindle-probe-%d", dir, (int) getpid ());
  kill_file = g_build_filename (probe, "cgroup.kill", NULL);
  if (g_mkdir (probe, 0755) < 0)
    *why = g_strdup_printf ("no writable cgroup v2: cannot make a cgroup in %s: %s", dir, g_strerror (errno));
  else if (!g_file_test (kill_file, G_FILE_TEST_EXISTS))
    *why = g_strdup_printf ("the cgroups in %s have no cgroup.kill (Linux < 5.14)", dir);
  if (g_file_test (probe, G_FILE_TEST_IS_DIR))
    g_rmdir (probe);

  if (*why != NULL)
    g_clear_pointer (&dir, g_free);
  return dir;
}

static char *own_cgroup;
static char *no_cgroup_why;

const char *
spindle_test_own_cgroup (const char **why)
{
  static gsize found = 0;

  if (g_once_init_enter (&found))
    {
      own_cgroup = find_own_cgroup (&no_cgroup_why);
      g_once_init_leave (&found, 1);
    }
  if (why != NULL)
    *why = no_cgroup_why;
  return own_cgroup;
}

gboolean
spindle_test_skip_without_cgroup (void)
{
  const char *why;

  if (spindle_test_own_cgroup (&why) != NULL)
    return FALSE;
  g_test_skip (why);
  return TRUE;
}

guint
spindle_test_count_cgroups (const char *dir,
                            const char *prefix)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (entries);
  while ((name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      n += g_str_has_prefix (name, prefix) && g_file_test (path, G_FILE_TEST_IS_DIR);
    }
  return n;
}

guint
spindle_test_count_own_cgroups (const char *dir)
{
  g_autofree char *prefix = g_strdup_printf ("spindle-%d-", (int) getpid ());

  return dir != NULL ? spindle_test_count_cgroups (dir, prefix) : 0;
}

/* A mock systemd user manager ************************************************/

gboolean
spindle_test_skip_without_mock (gboolean needs_bus)
{
  if (needs_bus && g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus for the mock systemd user manager (run under dbus-run-session)");
      return TRUE;
    }
  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no /usr/bin/python3 for the mock systemd user manager");
      return TRUE;
    }
  return FALSE;
}

void
spindle_test_mock_init (SpindleTestMock *mock,
                        gboolean         open)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *systemd_dir = NULL;

  mock->dir = g_dir_make_tmp ("spindle-systemd-XXXXXX", &error);
  g_assert_no_error (error);
  mock->log = g_build_filename (mock->dir, "log", NULL);
  systemd_dir = g_build_filename (mock->dir, "systemd", NULL);
  mock->socket = g_build_filename (systemd_dir, "private", NULL);
  g_assert_no_errno (g_mkdir (systemd_dir, open ? 0755 : 0700));
  if (open)
    g_assert_no_errno (g_chmod (mock->dir, 0755));
}

static gboolean
log_has_cond (gpointer data)
{
  const char **args = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (args[0], &contents, NULL, NULL) && strstr (contents, args[1]) != NULL;
}

gboolean
spindle_test_mock_log_has (SpindleTestMock *mock,
                           const char      *needle)
{
  const char *args[] = { mock->log, needle };

  return log_has_cond (args);
}

void
spindle_test_mock_wait_log (SpindleTestMock *mock,
                            const char      *needle)
{
  const char *args[] = { mock->log, needle };

  spindle_test_wait_until_full (log_has_cond, args, SPINDLE_TEST_GUARD_MS, needle);
}

void
spindle_test_mock_stop (SpindleTestMock *mock)
{
  g_autofree char *systemd_dir = g_path_get_dirname (mock->socket);

  g_subprocess_force_exit (mock->process);
  g_assert_true (g_subprocess_wait (mock->process, NULL, NULL));
  g_clear_object (&mock->process);
  g_unlink (mock->log);
  g_unlink (mock->socket);
  g_rmdir (systemd_dir);
  g_rmdir (mock->dir);
  g_free (mock->log);
  g_free (mock->socket);
  g_free (mock->dir);
}

void
spindle_test_dead_manager_bind (const char *runtime)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_autofree char *systemd_dir = g_build_filename (runtime, "systemd", NULL);
  g_autofree char *socket_path = g_build_filename (systemd_dir, "private", NULL);
  int fd;

  g_assert_no_errno (g_mkdir_with_parents (systemd_dir, 0700));
  g_assert_cmpuint (strlen (socket_path), <, sizeof addr.sun_path);
  memcpy (addr.sun_path, socket_path, strlen (socket_path));
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_no_errno (bind (fd, (struct sockaddr *) &addr, sizeof addr));
  close (fd);
}

SpindleWorker *
spindle_test_spawn_under_helper (SpindleWorkerSet   *set,
                                 const char         *script,
                                 const char * const *argv,
                                 SpindleTestCondFunc started,
                                 gpointer            data)
{
  g_autofree char *reaper = g_strdup (g_getenv (SPINDLE_REAPER_ENV));
  g_autofree char *dir = g_dir_make_tmp ("spindle-test-XXXXXX", NULL);
  g_autofree char *helper = g_build_filename (dir, "helper", NULL);
  SpindleWorker *worker;

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (helper, script, -1, NULL));
  g_assert_no_errno (g_chmod (helper, 0755));

  g_setenv (SPINDLE_REAPER_ENV, helper, TRUE);
  worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), NULL);
  spindle_test_wait_until (started, data, SPINDLE_TEST_GUARD_MS);
  g_setenv (SPINDLE_REAPER_ENV, reaper, TRUE);

  g_assert_no_errno (g_unlink (helper));
  g_assert_no_errno (g_rmdir (dir));

  return worker;
}
