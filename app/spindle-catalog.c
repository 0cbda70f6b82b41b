/* spindle-catalog.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "spindle-catalog-private.h"

/* The built-in workloads. Each shows one lesson about stopping threads and
 * uses the job API only, as an embedder's worker would.
 */

typedef struct
{
  SpindleJobFunc      func;
  gint64              deadline_usec;
  guint               n_children;    /* threads it starts besides its own */
  const char * const *command;       /* a process worker's, instead of func */
  const SpindleCommandOptions *command_options;
} Body;

/* Pure computation for compute regions: no locks, no allocation. */
static guint64
crunch (guint64 x,
        guint   rounds)
{
  for (guint i = 0; i < rounds; i++)
    {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }

  return x;
}

static void
set_phasef (SpindleJob *job,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
set_phasef (SpindleJob *job,
            const char *format,
            ...)
{
  g_autofree char *phase = NULL;
  va_list args;

  va_start (args, format);
  phase = g_strdup_vprintf (format, args);
  va_end (args);

  spindle_job_set_phase (job, phase);
}

/* sleeper ******************************************************************/

static GVariant *
sleeper_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  for (guint round = 1; ; round++)
    {
      set_phasef (job, _("sleeping 30 s, round %u"), round);
      if (!spindle_job_sleep (job, 30 * G_USEC_PER_SEC))
        return NULL;
    }
}

/* nested loops *************************************************************/

static GVariant *
nested_loops_body (SpindleJob  *job,
                   gpointer     data,
                   GError     **error)
{
  for (guint outer = 1; outer <= 10; outer++)
    for (guint inner = 1; inner <= 10; inner++)
      {
        set_phasef (job, _("loop %u of 10, step %u of 10, 5 s each"), outer, inner);
        spindle_job_set_progress (job, ((outer - 1) * 10 + inner - 1) / 100.0);
        if (!spindle_job_sleep (job, 5 * G_USEC_PER_SEC))
          return NULL;
      }

  return g_variant_new_string (_("all 100 steps done"));
}

/* compute loop *************************************************************/

static GVariant *
compute_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  guint64 x = 0x9e3779b97f4a7c15;

  spindle_job_set_phase (job, _("hashing in a compute region"));

  for (guint round = 1; !spindle_job_should_stop (job); round++)
    {
      spindle_job_enter_compute (job);
      x = crunch (x, 20 * 1000 * 1000);
      spindle_job_leave_compute (job);
      spindle_job_set_progress (job, (round % 100) / 100.0);
    }

  return g_variant_new_uint64 (x);
}

/* stubborn spinner *********************************************************/

static GVariant *
stubborn_spinner_body (SpindleJob  *job,
                       gpointer     data,
                       GError     **error)
{
  guint64 x = 1;

  spindle_job_set_phase (job, _("spinning; never checks for a stop"));

  for (;;)
    {
      spindle_job_enter_compute (job);
      x = crunch (x, 20 * 1000 * 1000);
      spindle_job_leave_compute (job);
    }

  return g_variant_new_uint64 (x);
}

/* raw g_cond_wait waiter ***************************************************/

static GMutex waiters_mutex;
static GCond waiters_cond;
static guint waiters_generation;

static GVariant *
cond_waiter_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  guint generation;

  spindle_job_set_phase (job, _("in a raw g_cond_wait (a futex): nothing but a signal wakes it"));

  g_mutex_lock (&waiters_mutex);
  generation = waiters_generation;
  while (generation == waiters_generation)
    g_cond_wait (&waiters_cond, &waiters_mutex);
  g_mutex_unlock (&waiters_mutex);

  return NULL;
}

void
_spindle_catalog_release_cond_waiters (void)
{
  g_mutex_lock (&waiters_mutex);
  waiters_generation++;
  g_cond_broadcast (&waiters_cond);
  g_mutex_unlock (&waiters_mutex);
}

/* file writer **************************************************************/

typedef struct
{
  int   fd;
  char *path;
} Partial;

static gboolean
remove_partial (gpointer   data,
                GError   **error)
{
  g_autofree Partial *partial = data;
  g_autofree char *path = g_steal_pointer (&partial->path);
  int saved_errno;

  if (partial->fd >= 0)
    close (partial->fd);

  if (path == NULL || g_unlink (path) == 0)
    return TRUE;

  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Could not remove %s: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static GVariant *
file_writer_body (SpindleJob  *job,
                  gpointer     data,
                  GError     **error)
{
  static const char chunk[64 * 1024] = { 0 };
  Partial *partial = g_new0 (Partial, 1);
  char template[64];
  guint64 written = 0;

  /* a cancel right after the file is made must not leak it */
  g_snprintf (template, sizeof template, "spindle-writer-%d-XXXXXX.part", (int) getpid ());
  spindle_job_hold_cancel (job);
  partial->fd = -1;
  spindle_job_push_cleanup (job, _("remove the partial file"), remove_partial, partial);
  partial->fd = g_file_open_tmp (template, &partial->path, error);
  spindle_job_release_cancel (job);

  if (partial->fd < 0)
    return NULL;

  for (guint i = 1; i <= 100; i++)
    {
      ssize_t n;

      set_phasef (job, _("writing chunk %u of 100 to %s"), i, partial->path);
      n = write (partial->fd, chunk, sizeof chunk);
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Could not write %s: %s"), partial->path, g_strerror (saved_errno));
          return NULL;
        }
      written += n;
      spindle_job_set_progress (job, i / 100.0);
      if (!spindle_job_sleep (job, 300 * 1000))
        break;
    }

  return g_variant_new_uint64 (written);
}

/* ledger lock holder *******************************************************/

SpindleLock *
_spindle_catalog_get_ledger_lock (void)
{
  static SpindleLock *lock;

  if (g_once_init_enter (&lock))
    g_once_init_leave (&lock, spindle_lock_new ("ledger"));

  return lock;
}

/* Takes the ledger's lock. A taint is no failure here: the lock is held
 * all the same, and the body repairs the ledger before using it.
 */
static gboolean
lock_ledger (SpindleJob   *job,
             SpindleLock  *lock,
             gboolean     *tainted,
             GError      **error)
{
  GError *local_error = NULL;

  *tainted = FALSE;
  if (spindle_job_lock (job, lock, &local_error))
    return TRUE;

  if (g_error_matches (local_error, SPINDLE_ERROR, SPINDLE_ERROR_LOCK_TAINTED))
    {
      *tainted = TRUE;
      g_error_free (local_error);
      return TRUE;
    }

  g_propagate_error (error, local_error);
  return FALSE;
}

/* Holds the lock for its whole update: a cancel there taints the ledger.
 * A repair cut short by a stop leaves it tainted for the next taker.
 */
static gboolean
update_ledger (SpindleJob  *job,
               SpindleLock *lock,
               gboolean     tainted)
{
  if (tainted)
    {
      spindle_job_set_phase (job, _("repairing the ledger after an update was cancelled"));
      if (!spindle_job_sleep (job, 500 * 1000))
        return FALSE;
      spindle_lock_mark_consistent (lock);
    }

  spindle_job_set_phase (job, _("updating the ledger, holding its lock"));
  return spindle_job_sleep (job, 2 * G_USEC_PER_SEC);
}

static GVariant *
ledger_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  SpindleLock *lock = _spindle_catalog_get_ledger_lock ();
  guint updates = 0;

  for (;;)
    {
      gboolean done, tainted;

      spindle_job_set_phase (job, _("waiting for the ledger lock"));
      if (!lock_ledger (job, lock, &tainted, error))
        return NULL;

      done = update_ledger (job, lock, tainted);
      spindle_job_unlock (job, lock);
      if (!done)
        break;
      updates++;

      spindle_job_set_phase (job, _("resting"));
      if (!spindle_job_sleep (job, G_USEC_PER_SEC))
        break;
    }

  return g_variant_new_uint32 (updates);
}

/* supervisor ***************************************************************/

static const struct { const char *name; SpindleJobFunc func; } supervisor_children[] = {
  { "child sleeper", sleeper_body },
  { "child loops", nested_loops_body },
  { "child compute", compute_body },
};

static GVariant *
supervisor_body (SpindleJob  *job,
                 gpointer     data,
                 GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (supervisor_children); i++)
    if (spindle_job_spawn_child (job, supervisor_children[i].name, supervisor_children[i].func,
                                 NULL, NULL, error) == NULL)
      return NULL;

  spindle_job_set_phase (job, _("supervising three children"));
  while (spindle_job_sleep (job, 30 * G_USEC_PER_SEC))
    ;

  return NULL;
}

/* loopback socket reader ***************************************************/

typedef struct
{
  int listener;
  int client;
  int server;
} Sockets;

static gboolean
close_sockets (gpointer   data,
               GError   **error)
{
  g_autofree Sockets *sockets = data;

  if (sockets->server >= 0)
    close (sockets->server);
  if (sockets->client >= 0)
    close (sockets->client);
  if (sockets->listener >= 0)
    close (sockets->listener);

  return TRUE;
}

static gboolean
set_socket_error (GError     **error,
                  const char  *what)
{
  int saved_errno = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               /* Translators: the first %s is what failed, “open a loopback connection” */
               _("Could not %s: %s"), what, g_strerror (saved_errno));
  return FALSE;
}

/* A non-blocking listener, so that accept4() never blocks, and a client
 * connected to it: on the loopback, connect() completes at once.
 */
static gboolean
listen_and_connect (Sockets  *sockets,
                    GError  **error)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;

  if ((sockets->listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) >= 0 &&
      bind (sockets->listener, (struct sockaddr *) &addr, sizeof addr) == 0 &&
      listen (sockets->listener, 1) == 0 &&
      getsockname (sockets->listener, (struct sockaddr *) &addr, &len) == 0 &&
      (sockets->client = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0 &&
      connect (sockets->client, (struct sockaddr *) &addr, sizeof addr) == 0)
    return TRUE;

  return set_socket_error (error, _("open a loopback connection"));
}

/* The safe pattern for a call that makes a resource: wait in the engine's
 * wait, which a stop wakes and a force-cancel reaches, then make the call
 * without blocking inside a hold, so that no cancel can act between its
 * return and the fd reaching the cleanup stack (glibc BZ#12683). A hold
 * around a blocking accept() would leave the worker unreachable.
 */
static gboolean
accept_peer (SpindleJob  *job,
             Sockets     *sockets,
             GError     **error)
{
  for (;;)
    {
      if (!spindle_job_wait_fd (job, sockets->listener, G_IO_IN, -1, error))
        return FALSE;

      gboolean failed;

      spindle_job_hold_cancel (job);
      sockets->server = accept4 (sockets->listener, NULL, NULL, SOCK_CLOEXEC);
      failed = sockets->server < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
      if (failed)
        set_socket_error (error, _("accept the loopback connection"));
      spindle_job_release_cancel (job);

      if (sockets->server >= 0 || failed)
        return !failed;
    }
}

static GVariant *
socket_reader_body (SpindleJob  *job,
                    gpointer     data,
                    GError     **error)
{
  Sockets *sockets = g_new (Sockets, 1);
  gboolean opened;
  char buffer[256];

  *sockets = (Sockets) { -1, -1, -1 };

  /* socket() hands back a resource: no cancel may act just after it */
  spindle_job_hold_cancel (job);
  spindle_job_push_cleanup (job, _("close the loopback sockets"), close_sockets, sockets);
  opened = listen_and_connect (sockets, error);
  spindle_job_release_cancel (job);

  if (!opened || !accept_peer (job, sockets, error))
    return NULL;

  spindle_job_set_phase (job, _("blocked in read() on a loopback socket: a stop cannot wake it"));
  if (read (sockets->server, buffer, sizeof buffer) < 0)
    return NULL;

  return NULL;
}

/* deadline *****************************************************************/

static GVariant *
deadline_body (SpindleJob  *job,
               gpointer     data,
               GError     **error)
{
  for (guint second = 1; second <= 60; second++)
    {
      set_phasef (job, _("second %u of a 60 s job; its deadline is 10 s"), second);
      spindle_job_set_progress (job, second / 60.0);
      if (!spindle_job_sleep (job, G_USEC_PER_SEC))
        return NULL;
    }

  return g_variant_new_string (_("beat its deadline"));
}

/* result *******************************************************************/

static guint
count_primes (guint from,
              guint to)
{
  guint n = 0;

  for (guint i = MAX (from, 2); i < to; i++)
    {
      gboolean prime = TRUE;

      for (guint d = 2; prime && d * d <= i; d++)
        prime = i % d != 0;
      n += prime;
    }

  return n;
}

static GVariant *
result_body (SpindleJob  *job,
             gpointer     data,
             GError     **error)
{
  const guint chunk = 100 * 1000, n_chunks = 20;
  guint primes = 0;

  for (guint i = 0; i < n_chunks; i++)
    {
      set_phasef (job, _("counting primes below %u"), (i + 1) * chunk);
      spindle_job_enter_compute (job);
      primes += count_primes (i * chunk, (i + 1) * chunk);
      spindle_job_leave_compute (job);
      spindle_job_set_progress (job, (i + 1.0) / n_chunks);
      if (!spindle_job_sleep (job, 150 * 1000))
        return NULL;
    }

  return g_variant_new ("(su)", "primes below 2000000", primes);
}

/* failure ******************************************************************/

static GVariant *
failure_body (SpindleJob  *job,
              gpointer     data,
              GError     **error)
{
  spindle_job_set_phase (job, _("looking for ledger.csv"));
  if (!spindle_job_sleep (job, 2 * G_USEC_PER_SEC))
    return NULL;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("Could not open “ledger.csv”: no such file (this worker fails on purpose)"));
  return NULL;
}

/* process tree *************************************************************/

/* A shell with two sleeps: one ignores SIGTERM, one escaped with setsid().
 * A stop ends the shell; the reaper helper then kills and reaps what it
 * left, and the report names every process. A force-cancel kills all.
 * A process worker: its processes are rows under it in the list.
 */
static const char * const process_tree_argv[] = {
  "sh", "-c", "sh -c 'trap \"\" TERM; exec sleep 3600' & setsid sleep 3600 & wait", NULL
};

static const SpindleCommandOptions process_tree_options = {
  .leftover_grace_usec = 300 * 1000,
};

/* The catalogue ************************************************************/

static const SpindleCatalogEntry entries[] = {
  /* Translators: the kinds of demo worker, a title and one line each;
   * the kind itself (“sleeper”) is a command-line word, not translated */
  { "sleeper", N_("Sleeper"),
    N_("Sleeps in long engine waits: a stop wakes it at once") },
  { "nested-loops", N_("Nested loops"),
    N_("Loops within loops with 5-second steps: a stop is still immediate") },
  { "compute", N_("Compute loop"),
    N_("Busy in a compute region: force-cancel stops it mid-loop") },
  { "stubborn-spinner", N_("Stubborn spinner"),
    N_("Never checks for a stop: only force-cancel, in its compute region, ends it") },
  { "cond-waiter", N_("Raw condition waiter"),
    N_("Blocked in a raw g_cond_wait: force-cancel cannot reach a futex, so it is abandoned") },
  { "file-writer", N_("File writer"),
    N_("Writes a temporary file; its cleanup removes the partial file") },
  { "ledger", N_("Ledger lock holder"),
    N_("Updates a shared ledger under a lock: cancelled mid-update, it taints the lock") },
  { "supervisor", N_("Supervisor"),
    N_("Starts three children: stopping it stops them first and reports their fate") },
  { "socket-reader", N_("Socket reader"),
    N_("Blocked in read() on a loopback socket: a stop cannot wake it, force-cancel can") },
  { "deadline", N_("Deadline job"),
    N_("A 60-second job with a 10-second deadline: watch it escalate") },
  { "result", N_("Result"),
    N_("Counts primes and returns the count as its result") },
  { "failure", N_("Failure"),
    N_("Gives up after two seconds with an error") },
  { "process-tree", N_("Process tree"),
    N_("A command with a child that ignores SIGTERM and one escaped with setsid(): "
       "nothing is left behind, and the report names every process reaped") },
};

/* In the order of entries. */
static const Body bodies[] = {
  { sleeper_body },
  { nested_loops_body },
  { compute_body },
  { stubborn_spinner_body },
  { cond_waiter_body },
  { file_writer_body },
  { ledger_body },
  { supervisor_body, 0, G_N_ELEMENTS (supervisor_children) },
  { socket_reader_body },
  { deadline_body, 10 * G_USEC_PER_SEC },
  { result_body },
  { failure_body },
  { NULL, 0, 0, process_tree_argv, &process_tree_options },
};

G_STATIC_ASSERT (G_N_ELEMENTS (entries) == G_N_ELEMENTS (bodies));

static guint spawned[G_N_ELEMENTS (entries)];

const SpindleCatalogEntry *
spindle_catalog_get_entries (guint *n_entries)
{
  if (n_entries != NULL)
    *n_entries = G_N_ELEMENTS (entries);

  return entries;
}

static gboolean
find_kind (const char *kind,
           guint      *index)
{
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    if (g_strcmp0 (entries[i].kind, kind) == 0)
      {
        *index = i;
        return TRUE;
      }

  return FALSE;
}

const SpindleCatalogEntry *
spindle_catalog_lookup (const char *kind)
{
  guint index;

  return find_kind (kind, &index) ? &entries[index] : NULL;
}

static char *
known_kinds (void)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    g_string_append_printf (str, "%s%s", i > 0 ? ", " : "", entries[i].kind);

  return g_string_free (str, FALSE);
}

guint
spindle_catalog_get_thread_cost (const char *kind)
{
  guint index;

  g_return_val_if_fail (kind != NULL, 0);

  return find_kind (kind, &index) ? 1 + bodies[index].n_children : 0;
}

/**
 * spindle_catalog_spawn:
 *
 * Returns: (transfer none) (nullable): the new worker, named after its kind
 */
SpindleWorker *
spindle_catalog_spawn (SpindleWorkerSet  *set,
                       const char        *kind,
                       GError           **error)
{
  SpindleSpawnOptions options = { 0 };
  g_autofree char *name = NULL;
  guint index;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  if (!find_kind (kind, &index))
    {
      g_autofree char *known = known_kinds ();

      g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_UNKNOWN_KIND,
                   _("Unknown worker kind “%s” (known kinds: %s)"), kind, known);
      return NULL;
    }

  /* the application checks whole requests; this keeps any other caller
   * from spending the threads the toolkit needs */
  if (!spindle_thread_budget_check (spindle_worker_set_get_n_live (set),
                                    1 + bodies[index].n_children, error))
    return NULL;

  name = g_strdup_printf ("%s %u", entries[index].kind, ++spawned[index]);
  options.kind = entries[index].kind;
  options.deadline_usec = bodies[index].deadline_usec;

  if (bodies[index].command != NULL)
    return spindle_worker_set_spawn_command_full (set, &options, name, bodies[index].command,
                                                  bodies[index].command_options, error);
  return spindle_worker_set_spawn_full (set, &options, name, bodies[index].func, NULL, NULL, error);
}

/**
 * spindle_catalog_spawn_demo:
 *
 * Starts one worker of each kind.
 *
 * Returns: how many were started; fewer than all with @error set
 */
guint
spindle_catalog_spawn_demo (SpindleWorkerSet  *set,
                            GError           **error)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), 0);

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    if (spindle_catalog_spawn (set, entries[i].kind, error) == NULL)
      return i;

  return G_N_ELEMENTS (entries);
}
