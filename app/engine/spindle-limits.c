/* spindle-limits.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-limits"

#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spindle-i18n-private.h"
#include "spindle-limits.h"
#include "spindle-types.h"

/* The budget ****************************************************************/

/* Room left under a known limit; what is in use counts as none if unknown. */
static gint64
room_under (gint64 limit,
            gint64 used)
{
  return MAX (limit - MAX (used, 0), 0);
}

/* Keeps @room if @limit is known and leaves less room than the one kept. */
static void
tighten (gint64              limit,
         gint64              room,
         SpindleThreadLimit  which,
         gint64             *best,
         SpindleThreadLimit *binding)
{
  if (limit < 0)
    return;

  if (*binding == SPINDLE_THREAD_LIMIT_NONE || room < *best)
    {
      *best = room;
      *binding = which;
    }
}

/**
 * spindle_thread_budget_compute:
 * @limits: the limits and what is in use
 * @binding: (out) (optional): the limit that sets the budget
 *
 * A pure function of @limits, so that tests can drive it: the room under
 * the tightest limit, less the headroom.
 *
 * Returns: how many more threads the workers may use
 */
guint
spindle_thread_budget_compute (const SpindleThreadLimits *limits,
                               SpindleThreadLimit        *binding)
{
  SpindleThreadLimit tightest = SPINDLE_THREAD_LIMIT_NONE;
  gint64 room = G_MAXINT64;

  g_return_val_if_fail (limits != NULL, 0);

  tighten (limits->nproc_limit, room_under (limits->nproc_limit, limits->user_threads),
           SPINDLE_THREAD_LIMIT_NPROC, &room, &tightest);
  tighten (limits->threads_max, room_under (limits->threads_max, limits->system_threads),
           SPINDLE_THREAD_LIMIT_THREADS_MAX, &room, &tightest);
  tighten (limits->pids_max, room_under (limits->pids_max, limits->pids_current),
           SPINDLE_THREAD_LIMIT_PIDS_CGROUP, &room, &tightest);
  tighten (limits->map_count_max, room_under (limits->map_count_max, limits->maps_in_use) / 2,
           SPINDLE_THREAD_LIMIT_MAP_COUNT, &room, &tightest);

  if (tightest != SPINDLE_THREAD_LIMIT_NONE)
    room = MAX (room - MAX (limits->headroom, 0), 0);

  /* the environment may only lower the budget, never raise it */
  if (limits->override >= 0 && limits->override < room)
    {
      room = limits->override;
      tightest = SPINDLE_THREAD_LIMIT_OVERRIDE;
    }

  if (binding != NULL)
    *binding = tightest;

  return (guint) MIN (room, (gint64) G_MAXUINT);
}

/* Reading the real limits ***************************************************/

/* A number at the start of a file; -1 when unreadable or "max". */
static gint64
read_number (const char *path)
{
  g_autofree char *contents = NULL;
  gint64 value;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;

  g_strstrip (contents);
  if (!g_ascii_string_to_signed (contents, 10, 0, G_MAXINT64, &value, NULL))
    return -1;

  return value;
}

/* RLIMIT_NPROC counts every thread of the user's processes: one stat of
 * each /proc/PID/task, whose link count is its threads plus two.
 */
static gint64
count_user_threads (uid_t uid)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  gint64 threads = 0;

  if (proc == NULL)
    return -1;

  while ((name = g_dir_read_name (proc)) != NULL)
    {
      char path[64];
      struct stat st;

      if (!g_ascii_isdigit (name[0]))
        continue;

      g_snprintf (path, sizeof path, "/proc/%s/task", name);
      if (stat (path, &st) == 0 && st.st_uid == uid && st.st_nlink > 2)
        threads += st.st_nlink - 2;
    }

  return threads;
}

static void
read_nproc (SpindleThreadLimits *limits)
{
  struct rlimit nproc;

  limits->nproc_limit = -1;
  limits->user_threads = -1;

  /* the kernel does not apply the limit to root */
  if (getuid () == 0 || getrlimit (RLIMIT_NPROC, &nproc) != 0 || nproc.rlim_cur == RLIM_INFINITY)
    return;

  limits->nproc_limit = (gint64) MIN (nproc.rlim_cur, (rlim_t) G_MAXINT64);
  limits->user_threads = count_user_threads (getuid ());
}

/* /proc/loadavg: "0.00 0.01 0.05 1/123 4567", where 123 counts every thread. */
static gint64
count_system_threads (void)
{
  g_autofree char *contents = NULL;
  const char *slash;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL) ||
      (slash = strchr (contents, '/')) == NULL)
    return -1;

  return g_ascii_strtoll (slash + 1, NULL, 10);
}

static void
read_threads_max (SpindleThreadLimits *limits)
{
  gint64 threads_max = read_number ("/proc/sys/kernel/threads-max");
  gint64 pid_max = read_number ("/proc/sys/kernel/pid_max");

  if (threads_max < 0 || (pid_max >= 0 && pid_max < threads_max))
    threads_max = pid_max;

  limits->threads_max = threads_max;
  limits->system_threads = count_system_threads ();
}

/* Keeps the pids.max of @dir if it leaves less room than the one kept. */
static void
consider_pids_dir (const char          *dir,
                   SpindleThreadLimits *limits)
{
  g_autofree char *max_path = g_build_filename (dir, "pids.max", NULL);
  g_autofree char *current_path = g_build_filename (dir, "pids.current", NULL);
  gint64 max = read_number (max_path);
  gint64 current = read_number (current_path);

  if (max < 0)
    return;

  if (limits->pids_max < 0 ||
      room_under (max, current) < room_under (limits->pids_max, limits->pids_current))
    {
      limits->pids_max = max;
      limits->pids_current = current;
    }
}

/* The cgroup's own limit and every parent's apply: walk down from the root. */
static void
consider_pids_hierarchy (const char          *mount,
                         const char          *path,
                         SpindleThreadLimits *limits)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GString) dir = g_string_new (mount);

  consider_pids_dir (dir->str, limits);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      /* a cgroup outside our namespace's view: nothing more to read */
      if (g_str_equal (parts[i], ".."))
        break;
      if (parts[i][0] == '\0')
        continue;

      g_string_append_printf (dir, "/%s", parts[i]);
      consider_pids_dir (dir->str, limits);
    }
}

/* "0::/user.slice/…" (cgroup v2) or "8:pids:/user.slice/…" (v1). */
static void
read_pids_cgroup (SpindleThreadLimits *limits)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  limits->pids_max = -1;
  limits->pids_current = -1;

  if (!g_file_get_contents ("/proc/self/cgroup", &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ":", 3);
      g_auto(GStrv) controllers = NULL;

      if (g_strv_length (fields) != 3)
        continue;

      controllers = g_strsplit (fields[1], ",", -1);
      if (g_str_equal (fields[0], "0") && fields[1][0] == '\0')
        {
          consider_pids_hierarchy ("/sys/fs/cgroup", fields[2], limits);
          consider_pids_hierarchy ("/sys/fs/cgroup/unified", fields[2], limits);
        }
      else if (g_strv_contains ((const char * const *) controllers, "pids"))
        consider_pids_hierarchy ("/sys/fs/cgroup/pids", fields[2], limits);
    }
}

static gint64
count_lines (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;
  gint64 lines = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return -1;

  for (gsize i = 0; i < length; i++)
    lines += contents[i] == '\n';

  return lines;
}

static gint64
read_override (void)
{
  const char *text = g_getenv ("SPINDLE_THREAD_BUDGET");
  guint64 value;

  if (text == NULL)
    return -1;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    {
      g_warning ("Ignoring SPINDLE_THREAD_BUDGET=“%s”: not a number of threads", text);
      return -1;
    }

  return (gint64) value;
}

/**
 * spindle_thread_limits_read:
 * @limits: (out caller-allocates): filled in
 *
 * Reads the limits that apply to this process now, and what is in use.
 */
void
spindle_thread_limits_read (SpindleThreadLimits *limits)
{
  g_return_if_fail (limits != NULL);

  read_nproc (limits);
  read_threads_max (limits);
  read_pids_cgroup (limits);
  limits->map_count_max = read_number ("/proc/sys/vm/max_map_count");
  limits->maps_in_use = count_lines ("/proc/self/maps");
  limits->headroom = SPINDLE_THREAD_HEADROOM;
  limits->override = read_override ();
}

/* The process's budget ******************************************************/

typedef struct
{
  guint              budget;
  SpindleThreadLimit binding;
} Budget;

static gpointer
compute_process_budget (gpointer unused)
{
  SpindleThreadLimits limits;
  Budget *budget = g_new0 (Budget, 1);

  spindle_thread_limits_read (&limits);
  budget->budget = spindle_thread_budget_compute (&limits, &budget->binding);
  g_debug ("Thread budget: %u, set by %s", budget->budget,
           spindle_thread_limit_describe (budget->binding));

  return budget;
}

/**
 * spindle_get_thread_budget:
 * @binding: (out) (optional): the limit that sets it
 *
 * The budget of worker threads for the whole process, computed once from
 * the real limits on the first call: call it before starting any worker.
 * SPINDLE_THREAD_BUDGET=N in the environment lowers it to N.
 *
 * Returns: how many worker threads the process may run at once
 */
guint
spindle_get_thread_budget (SpindleThreadLimit *binding)
{
  static GOnce once = G_ONCE_INIT;
  const Budget *budget = g_once (&once, compute_process_budget, NULL);

  if (binding != NULL)
    *binding = budget->binding;

  return budget->budget;
}

/**
 * spindle_thread_limit_describe:
 * @limit: a limit
 *
 * A sentence naming @limit, for messages.
 *
 * Returns: (transfer none): the description
 */
const char *
spindle_thread_limit_describe (SpindleThreadLimit limit)
{
  switch (limit)
    {
    case SPINDLE_THREAD_LIMIT_NPROC:
      return _("the user’s process limit, ulimit -u");
    case SPINDLE_THREAD_LIMIT_THREADS_MAX:
      return _("the system’s thread limit, kernel.threads-max");
    case SPINDLE_THREAD_LIMIT_PIDS_CGROUP:
      return _("the control group’s pids.max");
    case SPINDLE_THREAD_LIMIT_MAP_COUNT:
      return _("the memory map limit, vm.max_map_count");
    case SPINDLE_THREAD_LIMIT_OVERRIDE:
      return "SPINDLE_THREAD_BUDGET";
    case SPINDLE_THREAD_LIMIT_NONE:
    default:
      return _("no known limit");
    }
}

static char *
describe_budget (SpindleThreadLimit binding)
{
  if (binding == SPINDLE_THREAD_LIMIT_OVERRIDE || binding == SPINDLE_THREAD_LIMIT_NONE)
    return g_strdup_printf (_("set by %s"), spindle_thread_limit_describe (binding));

  return g_strdup_printf (_("set by %s, with %d threads kept for the toolkit"),
                          spindle_thread_limit_describe (binding), SPINDLE_THREAD_HEADROOM);
}

/**
 * spindle_thread_budget_check:
 * @n_live: worker threads running now
 * @n_requested: worker threads about to start
 * @error: where a refusal goes
 *
 * Whether @n_requested more worker threads fit in the process's budget.
 *
 * Returns: TRUE if they fit in the process's budget; otherwise FALSE with a
 *   one-line %SPINDLE_ERROR_THREAD_CREATE error that says which limit
 */
gboolean
spindle_thread_budget_check (guint     n_live,
                             guint64   n_requested,
                             GError  **error)
{
  SpindleThreadLimit binding;
  guint budget = spindle_get_thread_budget (&binding);
  g_autofree char *why = NULL;

  if (n_requested <= budget && n_live <= budget - n_requested)
    return TRUE;

  why = describe_budget (binding);
  if (n_live == 0)
    g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE,
                 g_dngettext (SPINDLE_GETTEXT_PACKAGE,
                              "cannot start %llu worker thread: this system allows %u (%s)",
                              "cannot start %llu worker threads: this system allows %u (%s)",
                              (gulong) MIN (n_requested, G_MAXULONG)),
                 (unsigned long long) n_requested, budget, why);
  else
    g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_THREAD_CREATE,
                 g_dngettext (SPINDLE_GETTEXT_PACKAGE,
                              "cannot start %llu more worker thread: %u are running "
                              "of the %u this system allows (%s)",
                              "cannot start %llu more worker threads: %u are running "
                              "of the %u this system allows (%s)",
                              (gulong) MIN (n_requested, G_MAXULONG)),
                 (unsigned long long) n_requested, n_live, budget, why);

  return FALSE;
}

/**
 * spindle_thread_limits_new:
 *
 * Limits for bindings to fill in, all unknown (-1) and no headroom.
 *
 * Returns: (transfer full): new limits, free with spindle_thread_limits_free()
 */
SpindleThreadLimits *
spindle_thread_limits_new (void)
{
  SpindleThreadLimits *limits = g_new (SpindleThreadLimits, 1);

  limits->nproc_limit = limits->user_threads = limits->threads_max = -1;
  limits->system_threads = limits->pids_max = limits->pids_current = -1;
  limits->map_count_max = limits->maps_in_use = limits->override = -1;
  limits->headroom = 0;
  return limits;
}

/**
 * spindle_thread_limits_copy:
 * @limits: limits to copy
 *
 * Copies @limits.
 *
 * Returns: (transfer full): a copy, free with spindle_thread_limits_free()
 */
SpindleThreadLimits *
spindle_thread_limits_copy (const SpindleThreadLimits *limits)
{
  g_return_val_if_fail (limits != NULL, NULL);

  return g_memdup2 (limits, sizeof *limits);
}

/**
 * spindle_thread_limits_free:
 * @limits: (nullable): limits made by spindle_thread_limits_new() or
 *   spindle_thread_limits_copy()
 *
 * Frees @limits.
 */
void
spindle_thread_limits_free (SpindleThreadLimits *limits)
{
  g_free (limits);
}

G_DEFINE_BOXED_TYPE (SpindleThreadLimits, spindle_thread_limits,
                     spindle_thread_limits_copy, spindle_thread_limits_free)
