/* spindle-window-spawning.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-window"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-catalog.h"
#include "spindle-window-private.h"

/* Workers asked for in bulk (10,000 from the command line) start in
 * batches from idles (the first before the window's first frame: see
 * FIRST_BATCH_USEC), so that the window maps and draws
 * meanwhile and says how far it got ("started 4,000 of 10,000"). The
 * workers are made on the set's own thread, which only the main loop is,
 * but their threads are created by the set's starter threads (its
 * "background-start"): pthread_create() would otherwise take most of the
 * main thread's launch. A thread that cannot be created shows as a FAILED
 * row with the reason. Events, the window's update and its frames all
 * come first (they have higher priorities), so each batch shows before the
 * next one starts. A batch lasts SPAWN_SHARE times what the main loop did
 * since the last one, within bounds: with frames of 90 ms (GL in software)
 * or 10 ms (cairo), four fifths of the time still go to starting workers,
 * and the window still draws a few times a second.
 */
#define SPAWN_SHARE     4
#define MIN_BATCH_USEC  (30 * 1000)
#define MAX_BATCH_USEC  (400 * 1000)
#define SPAWN_PRIORITY  G_PRIORITY_DEFAULT_IDLE

/* The first batch comes before the window's first frame (GDK maps and
 * draws a new window before an idle runs, even one of a high priority),
 * and is longer: the starter threads create threads from their queue while
 * the main thread makes the list's first rows and draws them, a few
 * hundred milliseconds; a first batch of 30 ms, after a frame of an empty
 * list, left them idle for most of that. At most half of what is left to
 * start, so that the window still shows how far it got; a few workers (up
 * to SMALL_REQUEST) all start at once, as one batch of 30 ms started them.
 */
#define FIRST_BATCH_USEC (150 * 1000)
#define FIRST_PRIORITY   G_PRIORITY_DEFAULT
#define SMALL_REQUEST    100

static gint64
batch_usec (SpindleWindow *self,
            gint64         now)
{
  gint64 gap = now - self->spawn_last_end;

  if (self->spawn_last_end == 0)
    return FIRST_BATCH_USEC;

  return CLAMP (SPAWN_SHARE * gap, MIN_BATCH_USEC, MAX_BATCH_USEC);
}

static guint
batch_max (SpindleWindow *self)
{
  /* what is left: some may have started before the window */
  guint left = self->spawn_requested - self->spawn_started;

  if (self->spawn_last_end == 0 && left > SMALL_REQUEST)
    return left / 2;

  return G_MAXUINT;
}

typedef struct
{
  char  *kind;
  guint  count;
} Request;

static void
request_clear (Request *request)
{
  g_clear_pointer (&request->kind, g_free);
}

static void
finish_spawning (SpindleWindow *self)
{
  g_array_set_size (self->spawn_queue, 0);
  self->spawn_requested = 0;
  self->spawn_started = 0;
  self->spawn_last_end = 0;
  self->spawn_id = 0;
  _spindle_panel_set_batching (self->panel, FALSE);
  spindle_window_flush (self);
}

static void
give_up (SpindleWindow *self,
         const GError  *error)
{
  finish_spawning (self);
  _spindle_window_show_error (self, _("Could not start every worker"), error);
}

/* Spawns from the head of the queue until @until, at most @max; FALSE
 * with @error set when a worker could not be made.
 */
static gboolean
spawn_until (SpindleWindow  *self,
             gint64          until,
             guint           max,
             GError        **error)
{
  for (guint n = 0; n < max && self->spawn_queue->len > 0; n++)
    {
      Request *request = &g_array_index (self->spawn_queue, Request, 0);

      if (spindle_catalog_spawn (self->set, request->kind, error) == NULL)
        return FALSE;

      self->spawn_started++;
      if (--request->count == 0)
        g_array_remove_index (self->spawn_queue, 0);

      if ((self->spawn_last_end = g_get_monotonic_time ()) >= until)
        break;
    }

  return TRUE;
}

/* One batch. Its spawns, and only they, leave the threads to the set's
 * starter threads: other spawns (the Add Workers popover) keep theirs.
 */
static gboolean
spawn_batch (gpointer data)
{
  SpindleWindow *self = data;
  gint64 now = g_get_monotonic_time ();
  gboolean first = self->spawn_last_end == 0;
  g_autoptr(GError) error = NULL;
  gboolean spawned;

  /* quitting: what has not started stays unstarted */
  if (self->shutting_down)
    {
      finish_spawning (self);
      return G_SOURCE_REMOVE;
    }

  /* one notify::n-live for the batch, instead of one per worker */
  g_object_freeze_notify (G_OBJECT (self->set));
  g_object_set (self->set, "background-start", TRUE, NULL);
  spawned = spawn_until (self, now + batch_usec (self, now), batch_max (self), &error);
  g_object_set (self->set, "background-start", FALSE, NULL);
  g_object_thaw_notify (G_OBJECT (self->set));

  if (!spawned)
    {
      give_up (self, error);
      return G_SOURCE_REMOVE;
    }

  if (self->spawn_queue->len == 0)
    {
      finish_spawning (self);
      return G_SOURCE_REMOVE;
    }

  /* the next batches wait for frames */
  if (first)
    {
      self->spawn_id = g_idle_add_full (SPAWN_PRIORITY, spawn_batch, self, NULL);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/**
 * spindle_window_start_workers:
 * @kind: a kind of the catalogue
 * @count: how many
 *
 * Starts @count workers of @kind in batches, from the main loop, while the
 * window keeps drawing; the title says how many have started. A worker
 * that cannot start ends the request, and the window says why.
 */
void
spindle_window_start_workers (SpindleWindow *self,
                              const char    *kind,
                              guint          count)
{
  Request request = { g_strdup (kind), count };

  g_return_if_fail (SPINDLE_IS_WINDOW (self));
  g_return_if_fail (kind != NULL);

  if (count == 0)
    {
      request_clear (&request);
      return;
    }

  g_array_append_val (self->spawn_queue, request);
  self->spawn_requested += count;
  if (self->spawn_id == 0)
    self->spawn_id = g_idle_add_full (FIRST_PRIORITY, spawn_batch, self, NULL);
  _spindle_panel_set_batching (self->panel, TRUE);
  spindle_window_flush (self);
}

/**
 * _spindle_window_add_started:
 * @n_started: workers of the same request that started before the window
 *
 * Counts @n_started workers that were started before the window existed
 * (the command line's, see spindle-application.c) among those asked for
 * in bulk and started, so that the title says how far the whole request
 * got ("started 6,000 of 10,000"). Nothing to count once none is left to
 * start.
 */
void
_spindle_window_add_started (SpindleWindow *self,
                             guint          n_started)
{
  g_return_if_fail (SPINDLE_IS_WINDOW (self));

  if (self->spawn_queue->len == 0)
    return;

  self->spawn_requested += n_started;
  self->spawn_started += n_started;
  spindle_window_flush (self);
}

/* How many of the workers asked for in bulk have started, of how many;
 * both 0 once all have.
 */
guint
spindle_window_get_n_starting (SpindleWindow *self,
                               guint         *n_requested)
{
  g_return_val_if_fail (SPINDLE_IS_WINDOW (self), 0);

  if (n_requested != NULL)
    *n_requested = self->spawn_requested;

  return self->spawn_started;
}

void
_spindle_window_init_spawning (SpindleWindow *self)
{
  self->spawn_queue = g_array_new (FALSE, TRUE, sizeof (Request));
  g_array_set_clear_func (self->spawn_queue, (GDestroyNotify) request_clear);
}

void
_spindle_window_dispose_spawning (SpindleWindow *self)
{
  g_clear_handle_id (&self->spawn_id, g_source_remove);
  g_clear_pointer (&self->spawn_queue, g_array_unref);
}
