/* test-process-failures.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "spindle-test-process.h"

/* The ways a command worker fails to start, as its user sees them: the
 * reaper helper cannot make a process at all (clone() or, for a systemd
 * scope, fork() refused), a scope is granted but its cgroup cannot be
 * opened, the command cannot be executed, the helper itself is missing.
 * Each worker ends FAILED (or runs in a lesser containment that the
 * report names), says why, and leaves no process, zombie, descriptor or
 * cgroup behind.
 *
 * No process may be made: the helper is run through this program (as
 * SPINDLE_REAPER, in a subprocess of the test), which takes RLIMIT_NPROC
 * to 0 and, run as root, whom that limit does not bind, becomes nobody
 * first, before it executes the real helper. A real kernel refuses the
 * helper's clone() and fork() with EAGAIN; no code of the helper changes.
 *
 * Every command carries a marker in its arguments (a sleep of mark
 * seconds), so that "nothing left behind" is checked over the machine.
 */

static char mark[32];

#define MARK ((const char *) mark)

/* Set in the helper's environment: this program is then the helper, and
 * executes the one named, limited; in the cgroup named by the other, if
 * set, which it joins first. */
#define LIMITED_REAPER_ENV "SPINDLE_TEST_LIMITED_REAPER"
#define LIMITED_CGROUP_ENV "SPINDLE_TEST_LIMITED_CGROUP"

/* Whom root becomes: RLIMIT_NPROC binds no process of root's. */
#define LIMITED_ID 65534

static const char *reaper;          /* the build tree's helper */
static char *no_limit_why;          /* why a helper cannot be limited here */
static const char *own_cgroup;      /* this test's writable cgroup v2, or NULL */

/* The limited helper ********************************************************/

/* Returns 0 or an errno. */
static int
limit_processes (void)
{
  struct rlimit none = { 0, 0 };

  /* the uid first: a setuid() over the limit would fail the exec too */
  if (geteuid () == 0 &&
      (setgroups (0, NULL) < 0 || setgid (LIMITED_ID) < 0 || setuid (LIMITED_ID) < 0))
    return errno;
  return setrlimit (RLIMIT_NPROC, &none) < 0 ? errno : 0;
}

static gboolean
join_cgroup_self (const char *dir)
{
  char path[4096];
  int fd;
  gboolean joined;

  snprintf (path, sizeof path, "%s/cgroup.procs", dir);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  joined = fd >= 0 && write (fd, "0", 1) == 1;
  if (fd >= 0)
    close (fd);
  return joined;
}

/* This program as the helper: from main(), before anything else. Plain C
 * library calls, and no return. */
static void __attribute__ ((noreturn))
limited_reaper_exec (char **argv)
{
  char path[4096];
  const char *cgroup = getenv (LIMITED_CGROUP_ENV);
  int error;

  snprintf (path, sizeof path, "%s", getenv (LIMITED_REAPER_ENV));
  if (cgroup != NULL && !join_cgroup_self (cgroup))
    {
      fprintf (stderr, "test-process-failures: cannot join %s: %s\n", cgroup, strerror (errno));
      _exit (125);
    }
  if ((error = limit_processes ()) != 0)
    {
      fprintf (stderr, "test-process-failures: cannot limit the helper: %s\n", strerror (error));
      _exit (125);
    }

  unsetenv (LIMITED_REAPER_ENV);
  unsetenv (LIMITED_CGROUP_ENV);
  argv[0] = path;
  execv (path, argv);
  fprintf (stderr, "test-process-failures: cannot execute %s: %s\n", path, strerror (errno));
  _exit (127);
}

typedef enum
{
  PROBE_OK,
  PROBE_NO_LIMIT,
  PROBE_NO_ACCESS,
  PROBE_NOT_ENFORCED,
  PROBE_OTHER,
} Probe;

/* In a forked child: the limit as the helper gets it, and a fork under it. */
static Probe
probe_child (void)
{
  pid_t pid;

  if (limit_processes () != 0)
    return PROBE_NO_LIMIT;
  if (access (reaper, X_OK) < 0)
    return PROBE_NO_ACCESS;
  pid = fork ();
  if (pid == 0)
    _exit (0);
  if (pid > 0)
    {
      waitpid (pid, NULL, 0);
      return PROBE_NOT_ENFORCED;
    }
  return errno == EAGAIN ? PROBE_OK : PROBE_OTHER;
}

/* Why a limited helper cannot be had here, or NULL. Run from main(), while
 * this process has one thread. */
static char *
probe_limit (void)
{
  const char *user = geteuid () == 0 ? "nobody (uid " G_STRINGIFY (LIMITED_ID) ")" : "this user";
  pid_t pid = fork ();
  int status = 0;

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (probe_child ());
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;

  switch (WIFEXITED (status) ? WEXITSTATUS (status) : PROBE_OTHER)
    {
    case PROBE_OK:
      return NULL;
    case PROBE_NO_LIMIT:
      return g_strdup_printf ("cannot run a process as %s with RLIMIT_NPROC 0", user);
    case PROBE_NO_ACCESS:
      return g_strdup_printf ("%s cannot execute the helper %s", user, reaper);
    case PROBE_NOT_ENFORCED:
      return g_strdup_printf ("RLIMIT_NPROC 0 does not stop %s from forking (a capability?)", user);
    default:
      return g_strdup ("a fork under RLIMIT_NPROC 0 failed other than with EAGAIN");
    }
}

static gboolean
skip_without_limit (void)
{
  if (no_limit_why == NULL)
    return FALSE;
  g_test_skip (no_limit_why);
  return TRUE;
}

/* Cgroups *******************************************************************/

/* A cgroup whose directory's path is longer than any path that open()
 * takes once a file name is added (PATH_MAX with its NUL: 4096), made
 * level by level through descriptors. */
#define DEEP_PATH_LENGTH 4090
#define DEEP_LEVEL 200

typedef struct
{
  char      *top;      /* the first level, in the test's cgroup */
  GPtrArray *names;    /* the levels below it */
  char      *path;     /* the whole path, as the helper reads it */
} Deep;

static void
deep_init (Deep *deep)
{
  gsize len;

  deep->top = g_strdup_printf ("%s/spindle-deep-%d", own_cgroup, (int) getpid ());
  deep->names = g_ptr_array_new_with_free_func (g_free);
  len = strlen (deep->top);
  while (len < DEEP_PATH_LENGTH)
    {
      gsize left = DEEP_PATH_LENGTH - len - 1;
      gsize n = MIN (DEEP_LEVEL, left);

      /* no level of an empty name: the one after takes two at least */
      if (left - n == 1)
        n--;
      g_ptr_array_add (deep->names, g_strnfill (n, 'd'));
      len += n + 1;
    }

  deep->path = g_strdup (deep->top);
  for (guint i = 0; i < deep->names->len; i++)
    {
      char *longer = g_strconcat (deep->path, "/", g_ptr_array_index (deep->names, i), NULL);

      g_free (deep->path);
      deep->path = longer;
    }
  g_assert_cmpuint (strlen (deep->path), ==, DEEP_PATH_LENGTH);
}

/* The descriptor of the deepest level, made if @make. */
static int
deep_open (Deep     *deep,
           gboolean  make)
{
  int fd;

  g_assert_true (!make || g_mkdir (deep->top, 0755) == 0);
  fd = open (deep->top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_assert_no_errno (fd);
  for (guint i = 0; i < deep->names->len; i++)
    {
      const char *name = g_ptr_array_index (deep->names, i);
      int below;

      g_assert_true (!make || mkdirat (fd, name, 0755) == 0);
      below = openat (fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      g_assert_no_errno (below);
      close (fd);
      fd = below;
    }
  return fd;
}

/* Whether nothing is in the deepest level. */
static gboolean
deep_is_empty (Deep *deep)
{
  int fd = deep_open (deep, FALSE);
  int procs = openat (fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
  char buf[64];
  ssize_t n;

  g_assert_no_errno (procs);
  n = read (procs, buf, sizeof buf);
  close (procs);
  close (fd);
  return n == 0;
}

/* Removes the levels deepest first; whether all went (a cgroup with a
 * process in it cannot). */
static gboolean
deep_remove (Deep *deep)
{
  gboolean removed = TRUE;

  for (guint depth = deep->names->len; depth > 0; depth--)
    {
      g_autofree char *name = g_strdup (g_ptr_array_index (deep->names, depth - 1));
      int fd;

      g_ptr_array_set_size (deep->names, depth - 1);
      fd = deep_open (deep, FALSE);
      removed &= unlinkat (fd, name, AT_REMOVEDIR) == 0;
      close (fd);
    }
  return g_rmdir (deep->top) == 0 && removed;
}

static void
deep_clear (Deep *deep)
{
  g_free (deep->top);
  g_ptr_array_unref (deep->names);
  g_free (deep->path);
}

/* The systemd user manager, mocked ******************************************/

typedef SpindleTestMock Mock;

/* org.freedesktop.systemd1 on the manager's private socket (a direct
 * connection, no bus needed), enough of it for a scope: StartTransientUnit
 * logs the call, places the PIDs and answers, then JobRemoved says
 * "done". Arguments: the socket, the log, the directory of the scopes'
 * cgroups (an empty scope's is removed, as systemd collects it), and a
 * cgroup to place every scope's PIDs in instead ("" for none), reached
 * level by level, as its path may be too long to open at once. It ends
 * at the end of its stdin, which the test never writes: a test that
 * aborts leaves no manager behind (nor one holding the runner's output).
 */
static const char mock_manager[] =
  "import os, sys\n"
  "from gi.repository import Gio, GLib\n"
  "socket_path, log_path, base, place = sys.argv[1:5]\n"
  SPINDLE_TEST_MOCK_MANAGER_XML
  "log = open(log_path, 'a', buffering=1)\n"
  "scopes = {}\n"
  "jobs = [0]\n"
  "def open_dir(path):\n"
  "    fd = os.open('/', os.O_RDONLY | os.O_DIRECTORY)\n"
  "    for part in path.strip('/').split('/'):\n"
  "        below = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)\n"
  "        os.close(fd)\n"
  "        fd = below\n"
  "    return fd\n"
  "def place_pids(d, pids):\n"
  "    fd = open_dir(d)\n"
  "    try:\n"
  "        for pid in pids:\n"
  "            procs = os.open('cgroup.procs', os.O_WRONLY, dir_fd=fd)\n"
  "            try:\n"
  "                os.write(procs, str(pid).encode())\n"
  "            finally:\n"
  "                os.close(procs)\n"
  "    finally:\n"
  "        os.close(fd)\n"
  "def call(conn, sender, path, iface, method, params, inv):\n"
  "    name, mode, props, aux = params.unpack()\n"
  "    pids = dict(props)['PIDs']\n"
  "    log.write('unit=%s pids=%s\\n' % (name, ','.join(str(p) for p in pids)))\n"
  "    d = place or os.path.join(base, name)\n"
  "    try:\n"
  "        if not place:\n"
  "            os.mkdir(d)\n"
  "            scopes[d] = name\n"
  "        place_pids(d, pids)\n"
  "    except OSError as e:\n"
  "        inv.return_dbus_error('org.freedesktop.systemd1.UnitExists', str(e))\n"
  "        return\n"
  "    jobs[0] += 1\n"
  "    job = '/org/freedesktop/systemd1/job/%d' % jobs[0]\n"
  SPINDLE_TEST_MOCK_MANAGER_JOB_DONE
  "node = Gio.DBusNodeInfo.new_for_xml(XML)\n"
  SPINDLE_TEST_MOCK_MANAGER_PEERS
  "server = Gio.DBusServer.new_sync('unix:path=' + socket_path, Gio.DBusServerFlags.NONE,\n"
  "                                 Gio.dbus_generate_guid(), None, None)\n"
  "server.connect('new-connection', on_peer)\n"
  "server.start()\n"
  "GLib.timeout_add(5, collect)\n"
  "loop = GLib.MainLoop()\n"
  "def test_gone(channel, condition):\n"
  "    loop.quit()\n"
  "    return False\n"
  "GLib.io_add_watch(GLib.IOChannel.unix_new(0), GLib.PRIORITY_DEFAULT,\n"
  "                  GLib.IOCondition.IN | GLib.IOCondition.HUP, test_gone)\n"
  "log.write('ready\\n')\n"
  "loop.run()\n";

/* Scopes made in @base, or all placed in @place if not NULL. The socket
 * is open to every user: the helper may run as nobody. */
static void
mock_start (Mock       *mock,
            const char *base,
            const char *place)
{
  g_autoptr(GError) error = NULL;

  spindle_test_mock_init (mock, TRUE);
  mock->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                    "/usr/bin/python3", "-c", mock_manager, mock->socket, mock->log,
                                    base, place != NULL ? place : "", NULL);
  g_assert_no_error (error);
  spindle_test_mock_wait_log (mock, "ready\n");
  g_assert_no_errno (g_chmod (mock->socket, 0777));
}

/* Workers and what they leave ***********************************************/

typedef SpindleTestForced Forced;

/* The worker failed with @domain, @code and @message exactly. */
static void
assert_failed_with (SpindleWorker *worker,
                    GQuark         domain,
                    int            code,
                    const char    *message)
{
  const GError *error = spindle_worker_get_error (worker);
  g_autofree char *text = spindle_test_report_text (worker);

  g_test_message ("%s\n%s", error != NULL ? error->message : "no error", text);
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FAILED);
  g_assert_error (error, domain, code);
  g_assert_cmpstr (error->message, ==, message);
}

/* A file the command makes first thing: whether it ever ran. */
typedef struct
{
  char *dir;
  char *path;
} Proof;

static void
proof_init (Proof *proof)
{
  g_autoptr(GError) error = NULL;

  proof->dir = g_dir_make_tmp ("spindle-ran-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (proof->dir, 0777));
  proof->path = g_build_filename (proof->dir, "ran", NULL);
}

static gboolean
proof_ran (Proof *proof)
{
  return g_file_test (proof->path, G_FILE_TEST_EXISTS);
}

static void
proof_clear (Proof *proof)
{
  g_unlink (proof->path);
  g_rmdir (proof->dir);
  g_free (proof->path);
  g_free (proof->dir);
}

/* The command: it proves it ran, leaves a marked sleep and ends. */
static char **
proving_argv (Proof *proof)
{
  g_autofree char *script = g_strdup_printf ("echo ran > %s; sleep @MARK@ & exit 0", proof->path);

  return spindle_test_sh_argv (script, MARK);
}

static gboolean
fds_at_most_cond (gpointer data)
{
  return spindle_test_count_fds () <= GPOINTER_TO_UINT (data);
}

/* Nothing left running and no descriptor left open once the worker is
 * cleared; @n_children: this test's other children (a mock manager). A
 * descriptor of an earlier test's may close meanwhile (seen once in 20
 * runs under ASan and load: one fewer after than before), so the count
 * may fall, never rise. */
static void
assert_nothing_left (SpindleWorkerSet *set,
                     guint             fds_before,
                     guint             n_children)
{
  spindle_worker_set_clear_finished (set);
  g_assert_cmpuint (spindle_test_count_marked (MARK), ==, 0);
  g_assert_cmpuint (spindle_test_count_children (), ==, n_children);
  spindle_test_wait_until (fds_at_most_cond, GUINT_TO_POINTER (fds_before), SPINDLE_TEST_GUARD_MS);
}

/* In a subprocess of the test, with the helper's path set before any
 * thread of the engine could read it: tests that name another helper. */
static gboolean
trap_in_subprocess (void)
{
  if (g_test_subprocess ())
    return FALSE;
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return TRUE;
}

/* No process for the command *************************************************/

/* The helper cannot make the command's process: clone() (the group, a
 * cgroup of the helper's) or fork() (the command paused for a scope)
 * fails with EAGAIN.
 */
typedef struct
{
  const char *containment;
  gboolean    cgroup;      /* the helper in a cgroup it can make one in */
  gboolean    manager;     /* a user manager on the private socket */
} NoProcess;

static const NoProcess no_process_group = { "group", FALSE, FALSE };
static const NoProcess no_process_cgroup = { "cgroup", TRUE, FALSE };
static const NoProcess no_process_scope = { "systemd", FALSE, TRUE };

/* The helper's cgroup, which the helper, limited, may make cgroups in. */
static char *
limited_cgroup_make (void)
{
  char *dir = g_strdup_printf ("%s/spindle-limited-%d", own_cgroup, (int) getpid ());

  g_assert_no_errno (g_mkdir (dir, 0755));
  if (geteuid () == 0)
    g_assert_no_errno (chown (dir, LIMITED_ID, LIMITED_ID));
  return dir;
}

static void
no_process_run (const NoProcess *data)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *cgroup = NULL;
  SpindleWorker *worker;
  Forced forced;
  Proof proof;
  Mock mock = { 0 };
  guint fds_before;

  g_assert_nonnull (self_path);
  g_setenv (SPINDLE_REAPER_ENV, self_path, TRUE);
  spindle_test_forced_init (&forced, data->containment);
  spindle_test_forced_setenv (&forced, LIMITED_REAPER_ENV, reaper);
  if (data->cgroup)
    {
      cgroup = limited_cgroup_make ();
      spindle_test_forced_setenv (&forced, LIMITED_CGROUP_ENV, cgroup);
    }
  if (data->manager)
    {
      /* no scope can be made there, if one were asked for */
      mock_start (&mock, "/nonexistent/spindle-no-scopes", NULL);
      spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", mock.dir);
    }
  proof_init (&proof);
  set = spindle_test_set_new ();
  fds_before = spindle_test_count_fds ();

  worker = spindle_test_spawn_command (set, proving_argv (&proof), &forced.options);
  spindle_test_wait_terminal (worker);

  /* not taken for a failed exec: said as what it is, in the error and
   * in the report */
  assert_failed_with (worker, G_SPAWN_ERROR, G_SPAWN_ERROR_FORK,
                      "Could not start “sh”: the system refused to create its process: too many processes");
  g_assert_false (proof_ran (&proof));
  g_assert_true (spindle_test_report_has_step (worker, "The system refused to create the command's process: "
                                                       "too many processes", SPINDLE_CLEANUP_OUTCOME_OK));
  spindle_test_assert_report_has (worker, "Reap the process helper");
  spindle_test_assert_no_failed_step (worker);
  assert_nothing_left (set, fds_before, data->manager ? 1 : 0);

  /* the manager was not asked for a scope for a process that is not */
  if (data->manager)
    {
      g_assert_false (spindle_test_mock_log_has (&mock, "unit="));
      spindle_test_mock_stop (&mock);
    }
  /* the cgroup made for the command went with it */
  if (cgroup != NULL)
    {
      g_assert_cmpuint (spindle_test_count_cgroups (cgroup, "spindle-"), ==, 0);
      g_assert_no_errno (g_rmdir (cgroup));
    }
  proof_clear (&proof);
  spindle_test_forced_clear (&forced);
}

static void
test_no_process (gconstpointer data)
{
  const NoProcess *no_process = data;

  if (skip_without_limit () ||
      (no_process->cgroup && spindle_test_skip_without_cgroup ()) ||
      (no_process->manager && spindle_test_skip_without_mock (FALSE)))
    return;
  if (trap_in_subprocess ())
    return;

  no_process_run (no_process);
}

/* A scope whose cgroup cannot be opened *************************************/

/* The manager grants the scope and places the paused command, but the
 * helper cannot open the scope's cgroup: a path too long to open (the
 * helper opens its files by path). The scope counts as refused: forced,
 * the command runs in its group alone; in "auto", in a cgroup of the
 * helper's, each with the reason.
 */
/* The report names the lesser containment and why not the scope: the
 * cgroup's path, cut as the helper cuts it (1024 bytes and a mark of
 * the cut), and the error. */
static void
assert_scope_refused (SpindleWorker *worker,
                      const char    *containment,
                      Deep          *deep)
{
  g_autofree char *text = spindle_test_report_text (worker);
  g_autofree char *why = g_strdup_printf ("cannot open the cgroup %.1024s…: %s", deep->path, g_strerror (ENAMETOOLONG));
  g_autofree char *group = g_strdup_printf ("Process group only (%s): ", why);
  g_autofree char *cgroup = g_strdup_printf ("Contained in cgroup %s/spindle-%d-", own_cgroup, (int) getpid ());
  g_autofree char *refused = g_strdup_printf (" (a systemd scope was refused: %s)", why);

  g_test_message ("%s", text);
  if (g_str_equal (containment, "systemd"))
    spindle_test_assert_report_has (worker, group);
  else
    {
      spindle_test_assert_report_has (worker, cgroup);
      spindle_test_assert_report_has (worker, refused);
      spindle_test_assert_report_has (worker, "emptied and removed");
    }
  spindle_test_assert_report_lacks (worker, "Contained in systemd scope");
}

static void
test_scope_unopenable (gconstpointer data)
{
  const char *containment = data;
  g_autoptr(SpindleWorkerSet) set = NULL;
  GVariant *result;
  const char *out = NULL;
  SpindleWorker *worker;
  Forced forced;
  Proof proof;
  Mock mock = { 0 };
  Deep deep;
  guint fds_before;

  if (spindle_test_skip_without_cgroup () || spindle_test_skip_without_mock (FALSE))
    return;

  deep_init (&deep);
  close (deep_open (&deep, TRUE));
  mock_start (&mock, own_cgroup, deep.path);
  spindle_test_forced_init (&forced, containment);
  spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", mock.dir);
  proof_init (&proof);
  set = spindle_test_set_new ();
  fds_before = spindle_test_count_fds ();

  worker = spindle_test_spawn_command (set, proving_argv (&proof), &forced.options);
  spindle_test_wait_terminal (worker);
  spindle_test_mock_wait_log (&mock, "unit=spindle-");

  /* the command ran, and its leftover went */
  g_assert_cmpint (spindle_worker_get_state (worker), ==, SPINDLE_WORKER_STATE_FINISHED);
  g_assert_true (proof_ran (&proof));
  result = spindle_worker_get_result (worker);
  g_assert_true (g_variant_lookup (result, "stderr", "&s", &out));
  g_assert_cmpstr (out, ==, "");
  spindle_test_assert_report_has (worker, "Descendant ");
  assert_scope_refused (worker, containment, &deep);
  spindle_test_assert_no_failed_step (worker);
  assert_nothing_left (set, fds_before, 1);

  /* nothing left in the scope's cgroup or the test's */
  g_assert_true (deep_is_empty (&deep));
  g_assert_true (deep_remove (&deep));
  g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);

  spindle_test_mock_stop (&mock);
  deep_clear (&deep);
  proof_clear (&proof);
  spindle_test_forced_clear (&forced);
}

/* The command cannot be executed ********************************************/

/* A program that is not there, or not executable, in each containment:
 * the command forked paused for a scope reports its exec's error through
 * a pipe, a cloned one through the helper's memory. The group and the
 * cgroup with a missing program are in test-process.c and
 * test-process-cgroup.c.
 */
typedef struct
{
  const char   *containment;
  gboolean      missing;       /* TRUE: nothing there; FALSE: a file without x */
} ExecFails;

static const ExecFails exec_fails_group = { "group", FALSE };
static const ExecFails exec_fails_cgroup = { "cgroup", FALSE };
static const ExecFails exec_fails_scope = { "systemd", FALSE };
static const ExecFails exec_missing_scope = { "systemd", TRUE };

/* A file of the test's that no one may execute (root neither: no x bit at
 * all), or a path to nothing. */
static char *
unexecutable_make (gboolean missing)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd;

  if (missing)
    return g_strdup ("/nonexistent/spindle-no-such-program");
  fd = g_file_open_tmp ("spindle-not-executable-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (write (fd, "#!/bin/sh\nexit 0\n", 17), ==, 17);
  close (fd);
  g_assert_no_errno (g_chmod (path, 0644));
  return path;
}

static void
test_exec_fails (gconstpointer data)
{
  const ExecFails *fails = data;
  gboolean scope = g_str_equal (fails->containment, "systemd");
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *program = NULL;
  g_autofree char *message = NULL;
  g_autofree char *unit = NULL;
  SpindleWorker *worker;
  Forced forced;
  Mock mock = { 0 };
  guint fds_before;

  if ((!g_str_equal (fails->containment, "group") && spindle_test_skip_without_cgroup ()) ||
      (scope && spindle_test_skip_without_mock (FALSE)))
    return;

  program = unexecutable_make (fails->missing);
  spindle_test_forced_init (&forced, fails->containment);
  if (scope)
    {
      mock_start (&mock, own_cgroup, NULL);
      spindle_test_forced_setenv (&forced, "XDG_RUNTIME_DIR", mock.dir);
    }
  set = spindle_test_set_new ();
  fds_before = spindle_test_count_fds ();
  {
    const char *argv[] = { program, MARK, NULL };

    worker = spindle_test_spawn_command (set, g_strdupv ((char **) argv), &forced.options);
  }
  spindle_test_wait_terminal (worker);

  message = g_strdup_printf ("Could not start “%s”: %s", program,
                             g_strerror (fails->missing ? ENOENT : EACCES));
  assert_failed_with (worker, G_IO_ERROR, fails->missing ? G_IO_ERROR_NOT_FOUND : G_IO_ERROR_PERMISSION_DENIED,
                      message);
  spindle_test_assert_report_has (worker, "Reap the process helper");
  spindle_test_assert_no_failed_step (worker);
  assert_nothing_left (set, fds_before, scope ? 1 : 0);

  /* the scope held the paused command, and was emptied for the manager */
  if (scope)
    {
      g_autofree char *collected = NULL;

      spindle_test_mock_wait_log (&mock, "unit=spindle-");
      collected = g_strdup_printf ("collected=spindle-%d-", (int) getpid ());
      spindle_test_mock_wait_log (&mock, collected);
      spindle_test_mock_stop (&mock);
    }
  if (!g_str_equal (fails->containment, "group"))
    g_assert_cmpuint (spindle_test_count_own_cgroups (own_cgroup), ==, 0);

  if (!fails->missing)
    g_unlink (program);
  spindle_test_forced_clear (&forced);
}

/* The helper cannot be started ********************************************/

/* SPINDLE_REAPER names a helper that is not there, or not executable: the
 * worker fails, naming the helper and why; the command never ran, and no
 * descriptor of the channels made for the helper is left open.
 */
static void
helper_fails_run (gboolean missing)
{
  g_autoptr(SpindleWorkerSet) set = NULL;
  g_autofree char *helper = unexecutable_make (missing);
  g_autofree char *message = NULL;
  SpindleWorker *worker;
  Proof proof;
  guint fds_before;

  g_setenv (SPINDLE_REAPER_ENV, helper, TRUE);
  proof_init (&proof);
  set = spindle_test_set_new ();
  fds_before = spindle_test_count_fds ();

  worker = spindle_test_spawn_command (set, proving_argv (&proof), NULL);
  spindle_test_wait_terminal (worker);

  message = g_strdup_printf ("Could not start the process helper “%s”: %s", helper,
                             g_strerror (missing ? ENOENT : EACCES));
  assert_failed_with (worker, G_IO_ERROR, missing ? G_IO_ERROR_NOT_FOUND : G_IO_ERROR_PERMISSION_DENIED,
                      message);
  g_assert_false (proof_ran (&proof));
  spindle_test_assert_no_failed_step (worker);
  assert_nothing_left (set, fds_before, 0);

  if (!missing)
    g_unlink (helper);
  proof_clear (&proof);
}

static void
test_helper_fails (gconstpointer data)
{
  if (trap_in_subprocess ())
    return;
  helper_fails_run (GPOINTER_TO_INT (data));
}

int
main (int    argc,
      char **argv)
{
  if (getenv (LIMITED_REAPER_ENV) != NULL)
    limited_reaper_exec (argv);

  reaper = g_getenv (SPINDLE_REAPER_ENV);
  if (reaper == NULL)
    {
      g_printerr ("SPINDLE_REAPER does not name the reaper helper of the build tree\n");
      return 77;
    }
  reaper = g_strdup (reaper);
  no_limit_why = probe_limit ();

  spindle_test_init (&argc, &argv);
  g_snprintf (mark, sizeof mark, "7423.%d", (int) getpid ());
  own_cgroup = spindle_test_own_cgroup (NULL);

  g_test_add_data_func ("/engine/process-failures/no-process-group", &no_process_group, test_no_process);
  g_test_add_data_func ("/engine/process-failures/no-process-cgroup", &no_process_cgroup, test_no_process);
  g_test_add_data_func ("/engine/process-failures/no-process-scope", &no_process_scope, test_no_process);
  g_test_add_data_func ("/engine/process-failures/scope-unopenable-forced", "systemd", test_scope_unopenable);
  g_test_add_data_func ("/engine/process-failures/scope-unopenable-auto", "auto", test_scope_unopenable);
  g_test_add_data_func ("/engine/process-failures/exec-not-executable-group", &exec_fails_group, test_exec_fails);
  g_test_add_data_func ("/engine/process-failures/exec-not-executable-cgroup", &exec_fails_cgroup, test_exec_fails);
  g_test_add_data_func ("/engine/process-failures/exec-not-executable-scope", &exec_fails_scope, test_exec_fails);
  g_test_add_data_func ("/engine/process-failures/exec-missing-scope", &exec_missing_scope, test_exec_fails);
  g_test_add_data_func ("/engine/process-failures/helper-missing", GINT_TO_POINTER (TRUE), test_helper_fails);
  g_test_add_data_func ("/engine/process-failures/helper-not-executable", GINT_TO_POINTER (FALSE),
                        test_helper_fails);

  return g_test_run ();
}
