/* spindle-test-process.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/types.h>

#include "spindle-test-util.h"

G_BEGIN_DECLS

/* What the tests of process workers share: command options that force a
 * containment, the cleanup report as text, the test's own cgroup v2, a
 * mock systemd user manager's files and process, and a worker's rows.
 */

/* Options whose environment forces @containment (SPINDLE_PROCESS_CONTAINMENT). */
typedef struct
{
  SpindleCommandOptions  options;
  char                 **envp;
} SpindleTestForced;

void      spindle_test_forced_init          (SpindleTestForced *forced,
                                             const char        *containment);
void      spindle_test_forced_setenv        (SpindleTestForced *forced,
                                             const char        *name,
                                             const char        *value);
void      spindle_test_forced_clear         (SpindleTestForced *forced);

char     *spindle_test_report_text          (SpindleWorker     *worker);
void      spindle_test_assert_report_lacks  (SpindleWorker     *worker,
                                             const char        *needle);
void      spindle_test_assert_no_failed_step (SpindleWorker    *worker);

/* The rows of @worker's processes, at any depth, appended to @rows. */
void      spindle_test_collect_rows         (SpindleWorker     *worker,
                                             GPtrArray         *rows);

/* The parent of @pid, or 0 when it is gone. */
pid_t     spindle_test_parent_of            (pid_t              pid);
/* A condition: the process GPOINTER_TO_INT (@data) sleeps. */
gboolean  spindle_test_is_sleep_cond        (gpointer           data);

/* The "0::" path of a process, or NULL when it is gone. */
char     *spindle_test_process_cgroup       (pid_t              pid);
/* This process's cgroup v2 directory, without a trailing slash, if a
 * child with cgroup.kill can be made in it; else NULL and @why. Found
 * once, as the reaper finds its own. */
const char *spindle_test_own_cgroup         (const char       **why);
/* Skips the test (and returns TRUE) without such a cgroup. */
gboolean  spindle_test_skip_without_cgroup  (void);
/* The cgroups (directories) in @dir whose names start with @prefix. */
guint     spindle_test_count_cgroups        (const char        *dir,
                                             const char        *prefix);
/* Those the reapers of this test made ("spindle-PID-…"); 0 if @dir is NULL. */
guint     spindle_test_count_own_cgroups    (const char        *dir);

/* A mock systemd user manager: its XDG_RUNTIME_DIR @dir, with its log
 * and its private socket's path ($dir/systemd/private). */
typedef struct
{
  GSubprocess *process;
  char        *dir;
  char        *log;
  char        *socket;
} SpindleTestMock;

/* Pieces of the Python program of a mock systemd user manager
 * (python3 -c), which each test completes with its own arguments, calls
 * and connections. XML: the interface, enough of it for a scope
 * (StartTransientUnit and JobRemoved). */
#define SPINDLE_TEST_MOCK_MANAGER_XML \
  "XML = '''<node><interface name='org.freedesktop.systemd1.Manager'>\n" \
  "<method name='StartTransientUnit'><arg type='s' direction='in'/><arg type='s' direction='in'/>\n" \
  "<arg type='a(sv)' direction='in'/><arg type='a(sa(sv))' direction='in'/><arg type='o' direction='out'/></method>\n" \
  "<signal name='JobRemoved'><arg type='u'/><arg type='o'/><arg type='s'/><arg type='s'/></signal>\n" \
  "</interface></node>'''\n"

/* The end of call() once the scope name is made: the reply with its job
 * and JobRemoved "done"; then collect(), which removes the empty scopes
 * (scopes: their directories and names), as systemd collects them. */
#define SPINDLE_TEST_MOCK_MANAGER_JOB_DONE \
  "    inv.return_value(GLib.Variant('(o)', (job,)))\n" \
  "    conn.emit_signal(None, '/org/freedesktop/systemd1', 'org.freedesktop.systemd1.Manager',\n" \
  "                     'JobRemoved', GLib.Variant('(uoss)', (jobs[0], job, name, 'done')))\n" \
  "def collect():\n" \
  "    for d in list(scopes):\n" \
  "        with open(os.path.join(d, 'cgroup.events')) as f:\n" \
  "            if 'populated 0' in f.read():\n" \
  "                os.rmdir(d)\n" \
  "                log.write('collected=%s\\n' % scopes.pop(d))\n" \
  "    return True\n"

/* on_peer(): serves node's interface to each connection of a
 * Gio.DBusServer on the private socket. */
#define SPINDLE_TEST_MOCK_MANAGER_PEERS \
  "peers = []\n" \
  "def on_peer(server, peer):\n" \
  "    peer.register_object('/org/freedesktop/systemd1', node.interfaces[0], call, None, None)\n" \
  "    peers.append(peer)\n" \
  "    return True\n"

/* Skips the test without /usr/bin/python3 or, if @needs_bus, without a
 * session bus. */
gboolean  spindle_test_skip_without_mock    (gboolean           needs_bus);
/* Makes the mock's directories, open to every user if @open (a helper
 * may run as nobody); the test starts mock->process, then waits for
 * "ready\n" in its log. */
void      spindle_test_mock_init            (SpindleTestMock   *mock,
                                             gboolean           open);
gboolean  spindle_test_mock_log_has         (SpindleTestMock   *mock,
                                             const char        *needle);
void      spindle_test_mock_wait_log        (SpindleTestMock   *mock,
                                             const char        *needle);
/* Ends the mock's process and removes its files. */
void      spindle_test_mock_stop            (SpindleTestMock   *mock);

/* Binds a socket at @runtime/systemd/private, making the directories, and
 * closes it: a user manager seems to run there, and a call fails at once. */
void      spindle_test_dead_manager_bind    (const char        *runtime);

/* Spawns @argv in @set with the shell @script standing in for the reaper
 * helper, and waits until @started holds: the worker's thread reads
 * SPINDLE_REAPER only as it starts the helper. Then the real helper is
 * named again and the script's file removed (the shell holds it open). */
SpindleWorker *spindle_test_spawn_under_helper (SpindleWorkerSet   *set,
                                               const char         *script,
                                               const char * const *argv,
                                               SpindleTestCondFunc started,
                                               gpointer            data);

G_END_DECLS
