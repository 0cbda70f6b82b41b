/* spindle-early-start.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle.h"
#include "spindle-window.h"

G_BEGIN_DECLS

/* The command line's workers, started before the window exists: the
 * application parses them and decides when; this starts a share of them
 * in the background, reserves the heap the launch grows into, and hands
 * the rest to the window.
 */

/* One --workers KIND=N. */
typedef struct
{
  char  *kind;
  guint  count;
  guint  started;   /* before the window: see spindle_early_start_spawn () */
} SpindleWorkerRequest;

GArray   *spindle_early_start_new_requests (void);
gsize     spindle_early_start_count        (GArray           *requests);
gpointer  spindle_early_start_reserve_heap (gsize             n_workers) G_GNUC_WARN_UNUSED_RESULT;
void      spindle_early_start_spawn        (GArray           *requests,
                                            SpindleWorkerSet *set);
void      spindle_early_start_hand_over    (GArray           *requests,
                                            SpindleWindow    *window);

G_END_DECLS
