/* spindle-shown-workers.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-shown-workers.h"

struct _SpindleShownWorkers
{
  GObject     parent_instance;

  GHashTable *counts;           /* SpindleWorker, owned → number of cells */
};

G_DEFINE_FINAL_TYPE (SpindleShownWorkers, spindle_shown_workers, G_TYPE_OBJECT)

enum {
  SHOWN,
  HIDDEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
get_count (SpindleShownWorkers *self,
           SpindleWorker       *worker)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, worker));
}

/* Inserting an existing key frees the key passed in, so each insert refs. */
static void
set_count (SpindleShownWorkers *self,
           SpindleWorker       *worker,
           guint                count)
{
  if (count == 0)
    g_hash_table_remove (self->counts, worker);
  else
    g_hash_table_insert (self->counts, g_object_ref (worker), GUINT_TO_POINTER (count));
}

static void
spindle_shown_workers_finalize (GObject *object)
{
  SpindleShownWorkers *self = SPINDLE_SHOWN_WORKERS (object);

  g_clear_pointer (&self->counts, g_hash_table_unref);

  G_OBJECT_CLASS (spindle_shown_workers_parent_class)->finalize (object);
}

static void
spindle_shown_workers_class_init (SpindleShownWorkersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spindle_shown_workers_finalize;

  /* A worker came on screen, or left it: its window reads /proc for it at
   * once, so its cells are right the moment they show.
   */
  signals[SHOWN] =
    g_signal_new ("shown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SPINDLE_TYPE_WORKER);
  signals[HIDDEN] =
    g_signal_new ("hidden", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SPINDLE_TYPE_WORKER);
}

static void
spindle_shown_workers_init (SpindleShownWorkers *self)
{
  self->counts = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

SpindleShownWorkers *
spindle_shown_workers_new (void)
{
  return g_object_new (SPINDLE_TYPE_SHOWN_WORKERS, NULL);
}

void
spindle_shown_workers_show (SpindleShownWorkers *self,
                            SpindleWorker       *worker)
{
  guint count;

  g_return_if_fail (SPINDLE_IS_SHOWN_WORKERS (self));
  g_return_if_fail (SPINDLE_IS_WORKER (worker));

  count = get_count (self, worker);
  set_count (self, worker, count + 1);
  if (count == 0)
    g_signal_emit (self, signals[SHOWN], 0, worker);
}

void
spindle_shown_workers_hide (SpindleShownWorkers *self,
                            SpindleWorker       *worker)
{
  guint count;

  g_return_if_fail (SPINDLE_IS_SHOWN_WORKERS (self));
  g_return_if_fail (SPINDLE_IS_WORKER (worker));

  count = get_count (self, worker);
  g_return_if_fail (count > 0);

  /* the signal's handlers may still use the worker */
  g_object_ref (worker);
  set_count (self, worker, count - 1);
  if (count == 1)
    g_signal_emit (self, signals[HIDDEN], 0, worker);
  g_object_unref (worker);
}

gboolean
spindle_shown_workers_contains (SpindleShownWorkers *self,
                                SpindleWorker       *worker)
{
  g_return_val_if_fail (SPINDLE_IS_SHOWN_WORKERS (self), FALSE);

  return g_hash_table_contains (self->counts, worker);
}

guint
spindle_shown_workers_get_n_workers (SpindleShownWorkers *self)
{
  g_return_val_if_fail (SPINDLE_IS_SHOWN_WORKERS (self), 0);

  return g_hash_table_size (self->counts);
}

/* Calls @func (worker, @user_data) once for each shown worker; @func must
 * not show or hide workers.
 */
void
spindle_shown_workers_foreach (SpindleShownWorkers *self,
                               GFunc                func,
                               gpointer             user_data)
{
  GHashTableIter iter;
  gpointer worker;

  g_return_if_fail (SPINDLE_IS_SHOWN_WORKERS (self));
  g_return_if_fail (func != NULL);

  g_hash_table_iter_init (&iter, self->counts);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    func (worker, user_data);
}
