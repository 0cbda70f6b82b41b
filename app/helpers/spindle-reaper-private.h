/* spindle-reaper-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What the reaper's files share: the containment of the command (a cgroup
 * of its own, made by the reaper or by systemd's user manager) and the
 * ways of starting the command into it.
 */

#define CONTAINMENT_ENV "SPINDLE_PROCESS_CONTAINMENT"

/* Longest reason given for a containment that could not be had. */
#define WHY_SIZE 2048

typedef enum
{
  CONTAIN_GROUP,               /* process group and subreaper only */
  CONTAIN_CGROUP,              /* a child of the reaper's own cgroup */
  CONTAIN_SCOPE,               /* a transient scope of the user manager */
} ContainKind;

typedef struct
{
  ContainKind kind;
  char        path[4096];      /* the cgroup's directory */
  char        unit[128];       /* CONTAIN_SCOPE: the scope's name */
  int         dir_fd;          /* O_PATH, for clone3 (CLONE_INTO_CGROUP) */
  int         events_fd;       /* cgroup.events, polled for POLLPRI */
  int         kill_fd;         /* cgroup.kill, or -1 (Linux < 5.14) */
} Containment;

#define CONTAINMENT_INIT { CONTAIN_GROUP, "", "", -1, -1, -1 }

/* spindle-reaper-cgroup.c */
bool  cgroup_own_dir         (char        *dir,
                              size_t       size,
                              char        *why);
bool  cgroup_dir_of          (pid_t        pid,
                              char        *dir,
                              size_t       size,
                              char        *why);
bool  cgroup_create          (Containment *self,
                              const char  *parent,
                              const char  *name,
                              char        *why);
bool  cgroup_open            (Containment *self,
                              char        *why);
bool  cgroup_move            (Containment *self,
                              pid_t        pid,
                              char        *why);
pid_t cgroup_clone_into      (Containment *self);
void  cgroup_freeze          (Containment *self);
void  cgroup_kill            (Containment *self);
bool  cgroup_is_populated    (Containment *self);
bool  cgroup_wait_empty      (Containment *self,
                              long long    deadline_ms);
bool  cgroup_remove          (Containment *self,
                              long long    deadline_ms);
void  cgroup_close           (Containment *self);
void  cgroup_discard         (Containment *self);

/* spindle-reaper-systemd.c */
bool  systemd_available      (void);
bool  systemd_start_scope    (const char  *unit,
                              pid_t        pid,
                              long long    deadline_ms,
                              char        *why);

/* spindle-reaper.c */
long long reaper_now_ms      (void);
