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

#include "spindle-reaper-bounds.h"

/* What the reaper's files share: the containment of the command (a cgroup
 * of its own, made by the reaper or by systemd's user manager) and the
 * ways of starting the command into it.
 */

#define CONTAINMENT_ENV "SPINDLE_PROCESS_CONTAINMENT"

/* Longest reason given for a containment that could not be had. */
#define WHY_SIZE 2048
/* Longest part of a path a reason shows, and room for it cut and marked. */
#define PATH_SHOWN 1024
#define SHOWN_PATH_SIZE (PATH_SHOWN + sizeof "…")

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
  int         procs_fd;        /* CONTAIN_CGROUP: cgroup.procs, to enter it */
  int         events_fd;       /* cgroup.events, polled for POLLPRI */
  int         kill_fd;         /* cgroup.kill, or -1 (Linux < 5.14) */
} Containment;

#define CONTAINMENT_INIT { CONTAIN_GROUP, "", "", -1, -1, -1 }

/* spindle-reaper-cgroup.c */
const char *shown_path       (const char  *path,
                              char        *buf);
void  cgroup_set_mount       (const char  *point,
                              const char  *root);
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

#define CONTROL_FD 3
#define REPORT_FD  4

/* How often a kill walks the tree again, for processes forked meanwhile. */
#define KILL_SWEEP_MS 10

/* /proc/PID/comm holds at most 15 bytes and a newline. */
#define COMM_MAX 15
#define COMM_SIZE 32

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

/* Every descendant signalled, by pid: an open-addressing table with
 * linear probing, so that a fork bomb's thousands stay cheap to look up.
 */
typedef struct
{
  pid_t pid;                   /* 0: free */
  char  comm[COMM_SIZE];
} Known;

typedef struct
{
  Known  *slots;
  size_t  size;                /* a power of two */
  size_t  len;
} KnownTable;

typedef struct
{
  pid_t  *pids;
  size_t  len;
  size_t  size;
} PidList;

typedef struct
{
  pid_t       main_pid;
  const char *program;         /* the command's argv[0] */
  int         pidfd;
  bool        main_done;
  int         stop_signal;     /* sent to leftovers once the command ended */
  bool        swept;           /* leftovers were sent stop_signal */
  bool        killing;
  bool        host_named;      /* the host froze and named the cgroup's members */
  long long   grace_deadline;  /* leftovers get SIGKILL then */
  long long   kill_deadline;
  long long   next_sweep;      /* while killing: the next sweep */
  unsigned    n_sweeps;
  int         sigfd;
  KnownTable  known;
  char        control[256];    /* a partial order line */
  size_t      control_len;
  Containment contain;
} Reaper;

/* spindle-reaper-lists.c */
void   *xrealloc               (void        *data,
                                size_t       size);
void    pid_list_add           (PidList     *list,
                                pid_t        pid);
Known  *known_lookup           (const KnownTable *table,
                                pid_t             pid);
Known  *known_add              (KnownTable  *table,
                                pid_t        pid);
void    known_remove           (KnownTable  *table,
                                pid_t        pid);

/* spindle-reaper.c */
long long reaper_now_ms        (void);
void    report                 (const char  *format,
                                ...) __attribute__ ((format (printf, 1, 2)));
ssize_t read_file              (const char  *path,
                                char        *buf,
                                size_t       size);
typedef bool (*LineFunc)       (char        *line,
                                void        *data);
bool    for_each_line          (const char  *path,
                                LineFunc     take,
                                void        *data);

/* spindle-reaper-start.c */
void    setup_descriptors      (void);
void    reset_ignored          (void);
int     setup_signals          (void);
pid_t   start_command          (Reaper      *self,
                                char       **argv,
                                const char  *cwd,
                                char        *why,
                                int         *exec_error);
void    report_containment     (Reaper      *self,
                                char        *why);
