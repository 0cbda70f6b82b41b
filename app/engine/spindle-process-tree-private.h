/* spindle-process-tree-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-worker.h"

G_BEGIN_DECLS

/* One process as /proc/PID/stat told it. */
typedef struct
{
  int      pid;
  int      ppid;
  char     name[64];
  char     state;        /* 'R', 'S', 'D', 'Z'… */
  guint64  start_ticks;  /* since boot: with the pid, who it is */
  gint64   started_at;   /* monotonic µs */
  gint64   cpu_ns;
  guint64  rss_bytes;
  int      n_threads;
} SpindleProcessEntry;

/* The rows of a process worker's processes (spindle-process-tree.c). */
typedef struct _SpindleProcessTree SpindleProcessTree;

gboolean            _spindle_process_entry_read  (int                        pid,
                                                  SpindleProcessEntry       *entry);
void                _spindle_process_tree_walk   (int                        root,
                                                  gboolean                   with_root,
                                                  int                        first,
                                                  GArray                    *entries);

SpindleProcessTree *_spindle_process_tree_new    (SpindleWorker             *worker);
void                _spindle_process_tree_free   (SpindleProcessTree        *tree);
void                _spindle_process_tree_sync   (SpindleProcessTree        *tree,
                                                  const SpindleProcessEntry *entries,
                                                  guint                      n_entries);
gboolean            _spindle_process_tree_is_followed (SpindleProcessTree   *tree);
void                _spindle_process_tree_end    (SpindleProcessTree        *tree);

G_END_DECLS
