/* spindle-reaper-cgroup.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A cgroup (v2) of the command's own: everything the command forks stays
 * in it whatever it does (setsid(), double forks, a fork bomb), and one
 * write to its cgroup.kill (Linux 5.14) sends SIGKILL to every process in
 * it at once, with no walk of the tree to race. The command is placed in
 * it before it execs: it writes itself to the cgroup's cgroup.procs (see
 * launch_clone () in spindle-reaper-start.c).
 *
 * The v2 hierarchy is found in /proc/self/mountinfo (it is
 * /sys/fs/cgroup on a unified layout, /sys/fs/cgroup/unified on a hybrid
 * one), unless the host, which found it once, names it (--cgroup-mount
 * and --cgroup-root): the kernel writes out every mount for each read.
 * The reaper's own cgroup is in /proc/self/cgroup's "0::" line, read
 * each time: the host may have been moved since.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spindle-reaper-private.h"

/* @format and its arguments, then ": " and the error's text. */
static void __attribute__ ((format (printf, 3, 4)))
set_why (char       *why,
         int         error,
         const char *format,
         ...)
{
  va_list args;
  size_t len;

  va_start (args, format);
  vsnprintf (why, WHY_SIZE, format, args);
  va_end (args);
  len = strlen (why);
  snprintf (why + len, WHY_SIZE - len, ": %s", strerror (error));
}

/* A path as a reason shows it: whole, or its first PATH_SHOWN bytes (cut
 * where a character starts) and "…", so that a cut path does not pass for
 * the cgroup's own. @buf: SHOWN_PATH_SIZE bytes, used only if cut.
 */
const char *
shown_path (const char *path,
            char       *buf)
{
  size_t cut = PATH_SHOWN;

  if (strlen (path) <= PATH_SHOWN)
    return path;
  while (cut > 0 && ((unsigned char) path[cut] & 0xc0) == 0x80)
    cut--;
  memcpy (buf, path, cut);
  memcpy (buf + cut, "…", sizeof "…");
  return buf;
}

/* Finding the hierarchy *******************************************************/

/* mountinfo escapes blanks and backslashes as \ooo. */
static void
unescape_octal (char *text)
{
  char *out = text;

  for (char *in = text; *in != '\0'; in++)
    {
      if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' &&
          in[2] >= '0' && in[2] <= '7' && in[3] >= '0' && in[3] <= '7')
        {
          *out++ = (char) ((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
          in += 3;
        }
      else
        *out++ = *in;
    }
  *out = '\0';
}

/* The v2 mount: its mount point and the cgroup it shows as its root (not
 * "/" when a container mounted only its own part of the tree). Found
 * once, unless the host named it: point NULL until then, "" if there is
 * none. */
static struct
{
  const char *point;
  const char *root;
  char        found_point[4096];
  char        found_root[4096];
} hierarchy;

void
cgroup_set_mount (const char *point,
                  const char *root)
{
  hierarchy.point = point;
  hierarchy.root = root[0] != '\0' ? root : "/";
}

/* "ID PARENT MAJOR:MINOR ROOT POINT OPTIONS [TAGS…] - TYPE SOURCE OPTIONS" */
static bool
take_mount (char *line,
            void *data)
{
  char *dash = strstr (line, " - ");
  char *fields[5], *rest = NULL;

  if (dash == NULL || strncmp (dash, " - cgroup2 ", 11) != 0)
    return false;

  *dash = '\0';
  for (size_t i = 0; i < N_ELEMENTS (fields); i++)
    if ((fields[i] = strtok_r (i == 0 ? line : NULL, " ", &rest)) == NULL)
      return false;

  unescape_octal (fields[3]);
  unescape_octal (fields[4]);
  return snprintf (hierarchy.found_point, sizeof hierarchy.found_point, "%s", fields[4]) < (int) sizeof hierarchy.found_point &&
         snprintf (hierarchy.found_root, sizeof hierarchy.found_root, "%s", fields[3]) < (int) sizeof hierarchy.found_root;
}

static bool
find_mount (void)
{
  if (hierarchy.point == NULL)
    {
      bool found = for_each_line ("/proc/self/mountinfo", take_mount, NULL);

      hierarchy.point = found ? hierarchy.found_point : "";
      hierarchy.root = found ? hierarchy.found_root : "/";
    }
  return hierarchy.point[0] != '\0';
}

typedef struct
{
  char   *dir;
  size_t  size;
  char   *why;
  bool    found;
} DirFind;

/* The "0::" line of /proc/PID/cgroup, the process's v2 cgroup, made the
 * directory it is under the mount point, straight from the line. */
static bool
take_dir (char *line,
          void *data)
{
  DirFind *find = data;
  const char *path = line + 3, *rest;
  size_t root_len;

  if (strncmp (line, "0::", 3) != 0)
    return false;

  /* the path is relative to the mount's root */
  root_len = strcmp (hierarchy.root, "/") == 0 ? 0 : strlen (hierarchy.root);
  if (strncmp (path, hierarchy.root, root_len) != 0 || (path[root_len] != '/' && path[root_len] != '\0'))
    {
      char shown[SHOWN_PATH_SIZE];

      snprintf (find->why, WHY_SIZE, "the cgroup %s is outside the mounted hierarchy", shown_path (path, shown));
      return true;
    }

  rest = path + root_len;
  if (snprintf (find->dir, find->size, "%s%s", hierarchy.point, strcmp (rest, "/") == 0 ? "" : rest) >= (int) find->size)
    snprintf (find->why, WHY_SIZE, "the cgroup's path is too long");
  else
    find->found = true;
  return true;
}

static bool
dir_of (const char *cgroup_file,
        char       *dir,
        size_t      size,
        char       *why)
{
  DirFind find = { dir, size, why, false };

  if (!find_mount ())
    {
      snprintf (why, WHY_SIZE, "no cgroup v2 hierarchy is mounted");
      return false;
    }
  if (!for_each_line (cgroup_file, take_dir, &find))
    {
      snprintf (why, WHY_SIZE, "%.64s names no cgroup v2", cgroup_file);
      return false;
    }
  return find.found;
}

bool
cgroup_own_dir (char   *dir,
                size_t  size,
                char   *why)
{
  return dir_of ("/proc/self/cgroup", dir, size, why);
}

bool
cgroup_dir_of (pid_t   pid,
               char   *dir,
               size_t  size,
               char   *why)
{
  char file[64];

  snprintf (file, sizeof file, "/proc/%d/cgroup", (int) pid);
  return dir_of (file, dir, size, why);
}

/* Making and opening ***********************************************************/

static int
open_in (Containment *self,
         const char  *name,
         int          flags)
{
  char path[sizeof self->path + 32];

  snprintf (path, sizeof path, "%s/%s", self->path, name);
  return open (path, flags | O_CLOEXEC);
}

/* The files a kill and its wait use. Without cgroup.kill the cgroup would
 * only hold the command, not kill it: not worth having.
 */
bool
cgroup_open (Containment *self,
             char        *why)
{
  char shown[SHOWN_PATH_SIZE];

  self->events_fd = open_in (self, "cgroup.events", O_RDONLY);
  self->kill_fd = open_in (self, "cgroup.kill", O_WRONLY);

  if (self->events_fd < 0)
    {
      set_why (why, errno, "cannot open the cgroup %s", shown_path (self->path, shown));
      return false;
    }
  if (self->kill_fd < 0)
    {
      if (errno == ENOENT)
        snprintf (why, WHY_SIZE, "%s has no cgroup.kill (Linux < 5.14)", shown_path (self->path, shown));
      else
        set_why (why, errno, "cannot open %s/cgroup.kill", shown_path (self->path, shown));
      return false;
    }
  return true;
}

/* A child of @parent named @name, opened. A directory of that name left by
 * a reaper that died (its pid since reused) is removed first if empty.
 */
bool
cgroup_create (Containment *self,
               const char  *parent,
               const char  *name,
               char        *why)
{
  char shown[SHOWN_PATH_SIZE];

  if (snprintf (self->path, sizeof self->path, "%s/%s", parent, name) >= (int) sizeof self->path)
    {
      snprintf (why, WHY_SIZE, "the cgroup's path is too long");
      return false;
    }

  if (mkdir (self->path, 0755) < 0 && (errno != EEXIST || rmdir (self->path) < 0 ||
                                       mkdir (self->path, 0755) < 0))
    {
      set_why (why, errno, "cannot make a cgroup in %s", shown_path (parent, shown));
      return false;
    }

  self->kind = CONTAIN_CGROUP;
  if (!cgroup_open (self, why))
    {
      cgroup_discard (self);
      return false;
    }

  self->procs_fd = open_in (self, "cgroup.procs", O_WRONLY);
  if (self->procs_fd < 0)
    {
      set_why (why, errno, "cannot open %s/cgroup.procs", shown_path (self->path, shown));
      cgroup_discard (self);
      return false;
    }
  return true;
}

/* Placing ***********************************************************************/

bool
cgroup_move (Containment *self,
             pid_t        pid,
             char        *why)
{
  char text[32], shown[SHOWN_PATH_SIZE];
  int len = snprintf (text, sizeof text, "%d", (int) pid);

  if (write (self->procs_fd, text, len) == len)
    return true;
  set_why (why, errno, "cannot move a process into %s", shown_path (self->path, shown));
  return false;
}

/* Killing and removing ******************************************************/

/* Frozen tasks fork nothing; SIGKILL still reaches them. */
void
cgroup_freeze (Containment *self)
{
  int fd;

  if (self->kind == CONTAIN_GROUP || (fd = open_in (self, "cgroup.freeze", O_WRONLY)) < 0)
    return;
  (void) !write (fd, "1", 1);
  close (fd);
}

void
cgroup_kill (Containment *self)
{
  if (self->kill_fd >= 0)
    (void) !write (self->kill_fd, "1", 1);
}

/* Reading cgroup.events also re-arms its poll(). */
bool
cgroup_is_populated (Containment *self)
{
  char events[256];
  ssize_t n;

  if (self->events_fd < 0)
    return false;
  n = pread (self->events_fd, events, sizeof events - 1, 0);
  if (n <= 0)
    return false;
  events[n] = '\0';
  return strstr (events, "populated 1") != NULL;
}

/* The kernel notifies a change of cgroup.events as POLLPRI. */
bool
cgroup_wait_empty (Containment *self,
                   long long    deadline_ms)
{
  while (cgroup_is_populated (self))
    {
      struct pollfd pfd = { self->events_fd, POLLPRI, 0 };
      long long left = deadline_ms - reaper_now_ms ();

      if (left <= 0)
        return false;
      if (poll (&pfd, 1, (int) left) < 0 && errno != EINTR)
        return false;
    }
  return true;
}

/* A systemd scope is the manager's to remove once empty: the reaper
 * removes only what it made. An empty cgroup whose last processes are
 * still being released can refuse rmdir() a moment (EBUSY).
 */
#define MAX_SUBTREE_DEPTH 16

/* The cgroups the command made in its own (it may: the cgroup is its to
 * use), deepest first: a cgroup with children refuses rmdir(). Their
 * processes are gone with the whole tree's (cgroup.kill reaches them).
 */
static void
remove_subtree (const char *dir,
                int         depth)
{
  char path[PATH_MAX];
  struct dirent *entry;
  DIR *children;

  if (depth >= MAX_SUBTREE_DEPTH || (children = opendir (dir)) == NULL)
    return;
  while ((entry = readdir (children)) != NULL)
    if (entry->d_type == DT_DIR && entry->d_name[0] != '.' &&
        snprintf (path, sizeof path, "%s/%s", dir, entry->d_name) < (int) sizeof path)
      {
        remove_subtree (path, depth + 1);
        rmdir (path);
      }
  closedir (children);
}

bool
cgroup_remove (Containment *self,
               long long    deadline_ms)
{
  if (self->kind != CONTAIN_CGROUP)
    return cgroup_wait_empty (self, deadline_ms);

  /* the command seldom makes cgroups: the walk is only for a refusal */
  while (rmdir (self->path) < 0)
    {
      if (errno != EBUSY || !cgroup_wait_empty (self, deadline_ms))
        return false;
      if (reaper_now_ms () >= deadline_ms)
        return false;
      /* empty but still busy (itself or a cgroup below, released a
       * moment after its last process): let the release run */
      sched_yield ();
      remove_subtree (self->path, 0);
    }
  return true;
}

void
cgroup_close (Containment *self)
{
  int *fds[] = { &self->procs_fd, &self->events_fd, &self->kill_fd };

  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (*fds[i] >= 0)
      {
        close (*fds[i]);
        *fds[i] = -1;
      }
}

/* Gives up a cgroup nothing was placed in. */
void
cgroup_discard (Containment *self)
{
  cgroup_close (self);
  if (self->kind == CONTAIN_CGROUP)
    rmdir (self->path);
  self->kind = CONTAIN_GROUP;
  self->path[0] = '\0';
}
