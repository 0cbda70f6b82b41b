/* spindle-early-start.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include "spindle-catalog.h"
#include "spindle-early-start.h"
#include "spindle-window-private.h"

/* The workers of the command line start before GTK does. Its start-up
 * (gtk_init, opening the display, the style, the window) takes the main
 * thread a few hundred milliseconds, in which the set's starter threads
 * (its "background-start") can create the first workers' threads instead
 * of waiting for the window's batches: creating a thread costs ~100 µs
 * here, a second for ten thousand. Making a worker costs the main thread
 * tens of microseconds, so only a share, for EARLY_USEC, is made before
 * GTK starts; the window makes the rest in its batches (see
 * spindle-window-spawning.c), counting these among those started.
 */
#define EARLY_USEC (100 * 1000)

/* The heap the launch grows into, populated in advance. With 10,000
 * workers the main thread's heap grows by ~57 MB before the list is
 * populated (the workers, their jobs, the list's models and rows), ~14,000
 * pages. On a virtual machine where a page fault cost ~20 µs, that was a
 * quarter of the main thread's launch; populated by madvise
 * (MADV_POPULATE_WRITE), one call a block, a page costs ~1 µs and its first
 * touch ~12 µs more (the hypervisor maps it then). Huge pages cost less
 * still to map, but their zeroing up front, on the main thread, made the
 * launch and the idle window measure worse.
 *
 * The blocks are taken from the heap itself (each below glibc's mmap
 * threshold) and populated; all but one are freed, and the one kept as a
 * fence keeps them from joining the heap's top, where free() would hand
 * them back to the system at once: later allocations are carved from
 * them. The fence is the block at the highest address, not merely the
 * last taken: a block may come from a free chunk lower down, and one
 * below another block would fence nothing. With every other block below
 * it, none borders the top once freed. The fence goes with the
 * application.
 *
 * Only for HEAP_MIN_WORKERS workers or more (with fewer, the base alone
 * would stay resident for nothing), up to HEAP_MAX in all, and only as
 * far as the memory is granted: a block refused ends the reserve quietly.
 */
#define HEAP_BLOCK        (120 * 1024)
#define HEAP_BASE         (8 * 1024 * 1024)
#define HEAP_PER_WORKER   (9 * 512)
#define HEAP_MAX          (64 * 1024 * 1024)
#define HEAP_MIN_WORKERS  1000

static void
clear_request (gpointer data)
{
  SpindleWorkerRequest *request = data;

  g_clear_pointer (&request->kind, g_free);
}

/* An empty list of SpindleWorkerRequest, which frees their kinds. */
GArray *
spindle_early_start_new_requests (void)
{
  GArray *requests = g_array_new (FALSE, TRUE, sizeof (SpindleWorkerRequest));

  g_array_set_clear_func (requests, clear_request);
  return requests;
}

/* The workers asked for in all. */
gsize
spindle_early_start_count (GArray *requests)
{
  gsize n = 0;

  for (guint i = 0; i < requests->len; i++)
    n += g_array_index (requests, SpindleWorkerRequest, i).count;

  return n;
}

static void
populate_block (char *block)
{
  gsize page = sysconf (_SC_PAGESIZE);
  char *start = (char *) (((guintptr) block + page - 1) & ~(guintptr) (page - 1));
  char *end = (char *) (((guintptr) block + HEAP_BLOCK) & ~(guintptr) (page - 1));

  /* without it (before Linux 5.14), the pages fault in as they are used */
  if (end > start)
    madvise (start, end - start, MADV_POPULATE_WRITE);
}

/* Returns the fence, for g_free() when the application goes, or NULL when
 * no reserve was made.
 */
gpointer
spindle_early_start_reserve_heap (gsize n_workers)
{
  gsize size, n_blocks, n_taken = 0, highest = 0;
  g_autofree char **blocks = NULL;
  gpointer fence;

  if (n_workers < HEAP_MIN_WORKERS)
    return NULL;

  size = n_workers < (HEAP_MAX - HEAP_BASE) / HEAP_PER_WORKER
         ? HEAP_BASE + n_workers * HEAP_PER_WORKER : HEAP_MAX;
  n_blocks = size / HEAP_BLOCK;
  blocks = g_try_new (char *, n_blocks);
  if (blocks == NULL)
    return NULL;

  for (; n_taken < n_blocks; n_taken++)
    {
      blocks[n_taken] = g_try_malloc (HEAP_BLOCK);
      if (blocks[n_taken] == NULL)
        break;
      populate_block (blocks[n_taken]);
      if ((guintptr) blocks[n_taken] > (guintptr) blocks[highest])
        highest = n_taken;
    }

  if (n_taken == 0)
    return NULL;

  fence = blocks[highest];
  for (gsize i = n_taken; i > 0; i--)
    if (i - 1 != highest)
      g_free (blocks[i - 1]);

  return fence;
}

/* Stops at the first worker that cannot be made: the window's batch makes
 * the same one again and says why.
 */
static void
start_requests_until (GArray           *requests,
                      SpindleWorkerSet *set,
                      gint64            until)
{
  for (guint i = 0; i < requests->len; i++)
    {
      SpindleWorkerRequest *request = &g_array_index (requests, SpindleWorkerRequest, i);

      for (; request->started < request->count; request->started++)
        if (g_get_monotonic_time () >= until ||
            spindle_catalog_spawn (set, request->kind, NULL) == NULL)
          return;
    }
}

/* As many of the requests as are made in EARLY_USEC, their threads
 * created by the set's starter threads.
 */
void
spindle_early_start_spawn (GArray           *requests,
                           SpindleWorkerSet *set)
{
  g_object_set (set, "background-start", TRUE, NULL);
  start_requests_until (requests, set, g_get_monotonic_time () + EARLY_USEC);
  g_object_set (set, "background-start", FALSE, NULL);
}

/* What spindle_early_start_spawn () left, in batches, while the window
 * draws and counts them. The requests are done with.
 */
void
spindle_early_start_hand_over (GArray        *requests,
                               SpindleWindow *window)
{
  guint started = 0;

  for (guint i = 0; i < requests->len; i++)
    {
      SpindleWorkerRequest *request = &g_array_index (requests, SpindleWorkerRequest, i);

      spindle_window_start_workers (window, request->kind, request->count - request->started);
      started += request->started;
    }
  _spindle_window_add_started (window, started);

  g_array_set_size (requests, 0);
}
