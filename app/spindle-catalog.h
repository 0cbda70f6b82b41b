/* spindle-catalog.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "spindle.h"

G_BEGIN_DECLS

/* The built-in workloads: each one shows one lesson about stopping threads,
 * and each is written with the job API only.
 */
typedef struct
{
  const char *kind;         /* "sleeper": what --workers KIND=N takes */
  const char *title;        /* "Sleeper" */
  const char *description;  /* one line for the UI */
} SpindleCatalogEntry;

const SpindleCatalogEntry *spindle_catalog_get_entries (guint             *n_entries);
const SpindleCatalogEntry *spindle_catalog_lookup      (const char        *kind);
SpindleWorker             *spindle_catalog_spawn       (SpindleWorkerSet  *set,
                                                        const char        *kind,
                                                        GError           **error);
guint                      spindle_catalog_spawn_demo  (SpindleWorkerSet  *set,
                                                        GError           **error);
/* Threads one worker of @kind runs: itself and its children; 0 if unknown. */
guint                      spindle_catalog_get_thread_cost (const char    *kind);

G_END_DECLS
