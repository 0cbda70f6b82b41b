/* spindle-worker-monitor.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-worker-monitor"

#include "config.h"

#include <string.h>

#include "spindle-clock.h"
#include "spindle-event-log.h"
#include "spindle-worker-monitor.h"

struct _SpindleWorkerMonitor
{
  GObject           parent_instance;

  SpindleWorkerSet *set;
  guint             changed_id;
  guint             counts[SPINDLE_WORKER_N_STATES];
  guint             n_total;
  guint             n_unresponsive;

  /* worker → what it is counted as (see counted_as ()); a worker not in
   * it, removed or not yet seen, changes no count
   */
  GHashTable       *counted;

  /* worker, owned → TRUE: the workers whose signals this monitor is
   * connected to. Plain connections, cut in dispose: a connection bound to
   * this object's life (g_signal_connect_object) adds a weak reference to
   * it, and GLib 2.74 keeps those in one array that grows by one element
   * at a time, so ten thousand workers cost seconds.
   */
  GHashTable       *watched;

  /* the process workers among them (unowned: watched holds them), whose
   * trees are walked on each tick of the clock while one of them or a
   * process of its tree lives: a set without any costs no tick
   */
  GHashTable       *processes;
  guint             n_process_rows;  /* watched rows of processes, listed */
  gulong            tick_id;
  guint             recount_pending : 1;
};

G_DEFINE_FINAL_TYPE (SpindleWorkerMonitor, spindle_worker_monitor, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SET,
  N_PROPS
};

enum {
  CHANGED,
  WORKER_CHANGED,
  WORKER_ENDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void watch_model (SpindleWorkerMonitor *self,
                         GListModel           *model,
                         guint                 position,
                         guint                 n_items,
                         gboolean              count);

/* What a worker adds to the counts, packed in a pointer: its state, and
 * whether it is live and unresponsive. Stored + 1, so that a state of 0
 * is told apart from "not counted".
 */
#define UNRESPONSIVE_BIT 0x100

static guint
counted_as (SpindleWorker *worker)
{
  SpindleWorkerState state = spindle_worker_get_state (worker);
  guint value = state;

  if (spindle_worker_state_is_live (state) && spindle_worker_get_unresponsive (worker))
    value |= UNRESPONSIVE_BIT;

  return value + 1;
}

static void
add_counts (SpindleWorkerMonitor *self,
            guint                 value,
            int                   sign)
{
  value--;
  self->counts[value & 0xff] += sign;
  self->n_total += sign;
  if (value & UNRESPONSIVE_BIT)
    self->n_unresponsive += sign;
}

/* Counts a worker and its children once, when it joins. The rows of a
 * process worker's processes are no workers: they count in nothing.
 */
static void
count_worker (SpindleWorkerMonitor *self,
              SpindleWorker        *worker)
{
  GListModel *children = spindle_worker_get_children (worker);
  guint n = g_list_model_get_n_items (children);
  guint value;

  if (g_hash_table_contains (self->counted, worker) || spindle_worker_is_tree_process (worker))
    return;

  value = counted_as (worker);
  g_hash_table_insert (self->counted, worker, GUINT_TO_POINTER (value));
  add_counts (self, value, +1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);

      count_worker (self, child);
    }
}

static void
disconnect_worker (SpindleWorkerMonitor *self,
                   SpindleWorker        *worker)
{
  g_signal_handlers_disconnect_by_data (worker, self);
  g_signal_handlers_disconnect_by_data (spindle_worker_get_children (worker), self);
  g_hash_table_remove (self->processes, worker);
}

/* Process workers ***********************************************************/

static gboolean
has_live_process (SpindleWorker *worker)
{
  GListModel *children = spindle_worker_get_children (worker);

  for (guint i = 0; i < g_list_model_get_n_items (children); i++)
    {
      g_autoptr(SpindleWorker) child = g_list_model_get_item (children, i);

      if (spindle_worker_is_tree_process (child) &&
          (!spindle_worker_is_terminal (child) || has_live_process (child)))
        return TRUE;
    }

  return FALSE;
}

static void on_tick (SpindleClock         *clock,
                     gint64                now,
                     SpindleWorkerMonitor *self);

static void
follow_clock (SpindleWorkerMonitor *self)
{
  spindle_clock_follow (spindle_clock_get_default (), &self->tick_id,
                        g_hash_table_size (self->processes) > 0,
                        G_CALLBACK (on_tick), self);
}

/* The trees are walked, and their rows kept, at the refresh interval
 * while the window shows; a worker whose processes are all over is let
 * go (the engine ended its rows with it).
 */
static void
on_tick (SpindleClock         *clock,
         gint64                now,
         SpindleWorkerMonitor *self)
{
  GHashTableIter iter;
  gpointer worker;

  g_hash_table_iter_init (&iter, self->processes);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    {
      if (spindle_worker_is_terminal (worker) && !has_live_process (worker))
        g_hash_table_iter_remove (&iter);
      else
        spindle_process_info_update (spindle_process_info_get_for_worker (worker));
    }

  follow_clock (self);
}

/* A process worker joins the set before its process info is attached:
 * it is taken on here when it joins and at each change of its state.
 */
static void
watch_processes (SpindleWorkerMonitor *self,
                 SpindleWorker        *worker)
{
  SpindleProcessInfo *info = spindle_process_info_get_for_worker (worker);

  if (info == NULL || spindle_worker_is_terminal (worker) ||
      !g_hash_table_add (self->processes, worker))
    return;

  spindle_process_info_update (info);
  follow_clock (self);
}

static gboolean
model_contains (GListModel *model,
                gpointer    item)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) other = g_list_model_get_item (model, i);

      if (other == item)
        return TRUE;
    }

  return FALSE;
}

/* A worker is in the set while it is counted; a row of a process is,
 * while it is in its parent's children and its parent is.
 */
static gboolean
is_listed (SpindleWorkerMonitor *self,
           SpindleWorker        *worker)
{
  SpindleWorker *parent;

  if (!spindle_worker_is_tree_process (worker))
    return g_hash_table_contains (self->counted, worker);

  parent = spindle_worker_get_parent (worker);
  return parent != NULL && model_contains (spindle_worker_get_children (parent), worker) &&
         is_listed (self, parent);
}

/* A worker that left the set (and is not counted again) is let go. */
static void
forget_removed (SpindleWorkerMonitor *self)
{
  GHashTableIter iter;
  gpointer worker;

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    if (!is_listed (self, worker))
      {
        if (spindle_worker_is_tree_process (worker))
          self->n_process_rows--;
        disconnect_worker (self, worker);
        g_hash_table_iter_remove (&iter);
      }
}

/* Only after a removal: items-changed does not say which workers left. */
static void
recount (SpindleWorkerMonitor *self)
{
  GListModel *model = G_LIST_MODEL (self->set);
  guint n = g_list_model_get_n_items (model);

  memset (self->counts, 0, sizeof self->counts);
  self->n_total = 0;
  self->n_unresponsive = 0;
  self->recount_pending = FALSE;
  g_hash_table_remove_all (self->counted);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);

      count_worker (self, worker);
    }

  forget_removed (self);
}

static gboolean
emit_changed (gpointer data)
{
  SpindleWorkerMonitor *self = data;

  self->changed_id = 0;
  if (self->recount_pending)
    recount (self);
  g_signal_emit (self, signals[CHANGED], 0);

  return G_SOURCE_REMOVE;
}

static void
queue_changed (SpindleWorkerMonitor *self)
{
  if (self->changed_id == 0)
    self->changed_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, emit_changed, self, NULL);
}

/* A worker's state or unresponsive flag changed: move it between counts. */
static void
recount_worker (SpindleWorkerMonitor *self,
                SpindleWorker        *worker)
{
  gpointer old_value;
  guint value;

  if (!g_hash_table_lookup_extended (self->counted, worker, NULL, &old_value))
    return;

  value = counted_as (worker);
  if (value == GPOINTER_TO_UINT (old_value))
    return;

  add_counts (self, GPOINTER_TO_UINT (old_value), -1);
  add_counts (self, value, +1);
  g_hash_table_insert (self->counted, worker, GUINT_TO_POINTER (value));
}

static void
on_unresponsive (SpindleWorker        *worker,
                 GParamSpec           *pspec,
                 SpindleWorkerMonitor *self)
{
  recount_worker (self, worker);
  queue_changed (self);
  g_signal_emit (self, signals[WORKER_CHANGED], 0, worker, FALSE);
}

static void
on_state (SpindleWorker        *worker,
          GParamSpec           *pspec,
          SpindleWorkerMonitor *self)
{
  recount_worker (self, worker);
  watch_processes (self, worker);
  queue_changed (self);
  g_signal_emit (self, signals[WORKER_CHANGED], 0, worker, TRUE);

  if (spindle_worker_is_terminal (worker))
    g_signal_emit (self, signals[WORKER_ENDED], 0, worker);
}

static void
on_items_changed (GListModel           *model,
                  guint                 position,
                  guint                 removed,
                  guint                 added,
                  SpindleWorkerMonitor *self)
{
  watch_model (self, model, position, added, !self->recount_pending);
  if (removed > 0)
    self->recount_pending = TRUE;
  queue_changed (self);
  g_signal_emit (self, signals[WORKER_CHANGED], 0, NULL, FALSE);
}

static void
watch_worker (SpindleWorkerMonitor *self,
              SpindleWorker        *worker,
              gboolean              count)
{
  GListModel *children;

  /* counted before the check: a worker removed and added back may be
   * watched still, but must count again
   */
  if (count)
    count_worker (self, worker);

  if (!g_hash_table_add (self->watched, g_object_ref (worker)))
    return;
  if (spindle_worker_is_tree_process (worker))
    self->n_process_rows++;

  spindle_event_log_ensure (worker);
  watch_processes (self, worker);
  g_signal_connect (worker, "notify::state", G_CALLBACK (on_state), self);
  g_signal_connect (worker, "notify::unresponsive", G_CALLBACK (on_unresponsive), self);

  children = spindle_worker_get_children (worker);
  g_signal_connect (children, "items-changed", G_CALLBACK (on_items_changed), self);
  watch_model (self, children, 0, g_list_model_get_n_items (children), FALSE);
}

static void
watch_model (SpindleWorkerMonitor *self,
             GListModel           *model,
             guint                 position,
             guint                 n_items,
             gboolean              count)
{
  for (guint i = position; i < position + n_items; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);

      watch_worker (self, worker, count);
    }
}

static void
spindle_worker_monitor_constructed (GObject *object)
{
  SpindleWorkerMonitor *self = SPINDLE_WORKER_MONITOR (object);
  GListModel *model = G_LIST_MODEL (self->set);

  G_OBJECT_CLASS (spindle_worker_monitor_parent_class)->constructed (object);

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), self);
  watch_model (self, model, 0, g_list_model_get_n_items (model), TRUE);
}

static void
spindle_worker_monitor_dispose (GObject *object)
{
  SpindleWorkerMonitor *self = SPINDLE_WORKER_MONITOR (object);

  GHashTableIter iter;
  gpointer worker;

  g_clear_handle_id (&self->changed_id, g_source_remove);
  g_clear_signal_handler (&self->tick_id, spindle_clock_get_default ());

  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    disconnect_worker (self, worker);
  g_hash_table_remove_all (self->watched);
  self->n_process_rows = 0;
  if (self->set != NULL)
    g_signal_handlers_disconnect_by_data (self->set, self);
  g_clear_object (&self->set);
  g_hash_table_remove_all (self->counted);

  G_OBJECT_CLASS (spindle_worker_monitor_parent_class)->dispose (object);
}

static void
spindle_worker_monitor_finalize (GObject *object)
{
  SpindleWorkerMonitor *self = SPINDLE_WORKER_MONITOR (object);

  g_clear_pointer (&self->counted, g_hash_table_unref);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->processes, g_hash_table_unref);

  G_OBJECT_CLASS (spindle_worker_monitor_parent_class)->finalize (object);
}

static void
spindle_worker_monitor_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  SpindleWorkerMonitor *self = SPINDLE_WORKER_MONITOR (object);

  switch (prop_id)
    {
    case PROP_SET:
      g_value_set_object (value, self->set);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_worker_monitor_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  SpindleWorkerMonitor *self = SPINDLE_WORKER_MONITOR (object);

  switch (prop_id)
    {
    case PROP_SET:
      self->set = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_worker_monitor_class_init (SpindleWorkerMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = spindle_worker_monitor_constructed;
  object_class->dispose = spindle_worker_monitor_dispose;
  object_class->finalize = spindle_worker_monitor_finalize;
  object_class->get_property = spindle_worker_monitor_get_property;
  object_class->set_property = spindle_worker_monitor_set_property;

  properties[PROP_SET] =
    g_param_spec_object ("set", NULL, NULL, SPINDLE_TYPE_WORKER_SET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Emitted at once, the counts already changed: @worker's state (then
   * @state_changed is TRUE) or unresponsive flag changed, or, with no
   * worker, workers joined or left the set or a worker's children. A view
   * that must be level with the set before its next frame listens here,
   * once, instead of to every worker.
   */
  signals[WORKER_CHANGED] =
    g_signal_new ("worker-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, SPINDLE_TYPE_WORKER, G_TYPE_BOOLEAN);
  signals[WORKER_ENDED] =
    g_signal_new ("worker-ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SPINDLE_TYPE_WORKER);
}

static void
spindle_worker_monitor_init (SpindleWorkerMonitor *self)
{
  /* unowned keys: a worker counted is in the set, which holds it */
  self->counted = g_hash_table_new (NULL, NULL);
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->processes = g_hash_table_new (NULL, NULL);
}

SpindleWorkerMonitor *
spindle_worker_monitor_new (SpindleWorkerSet *set)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);

  return g_object_new (SPINDLE_TYPE_WORKER_MONITOR, "set", set, NULL);
}

guint
spindle_worker_monitor_get_n_total (SpindleWorkerMonitor *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_MONITOR (self), 0);

  return self->n_total;
}

guint
spindle_worker_monitor_get_n_live (SpindleWorkerMonitor *self)
{
  guint n = 0;

  g_return_val_if_fail (SPINDLE_IS_WORKER_MONITOR (self), 0);

  for (guint state = 0; state < SPINDLE_WORKER_N_STATES; state++)
    if (spindle_worker_state_is_live (state))
      n += self->counts[state];

  return n;
}

/* Live workers that nothing can reach: they count in their state too. */
guint
spindle_worker_monitor_get_n_unresponsive (SpindleWorkerMonitor *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_MONITOR (self), 0);

  return self->n_unresponsive;
}

guint
spindle_worker_monitor_get_n_in_state (SpindleWorkerMonitor *self,
                                       SpindleWorkerState    state)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_MONITOR (self), 0);
  g_return_val_if_fail (state < SPINDLE_WORKER_N_STATES, 0);

  return self->counts[state];
}

/* The rows of processes of process workers' trees listed under their
 * workers (spindle_worker_is_tree_process ()): rows, not workers, so in
 * none of the counts above. 0 for a set without process workers, so that
 * a view need not look at its rows to tell its workers from them.
 */
guint
spindle_worker_monitor_get_n_process_rows (SpindleWorkerMonitor *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_MONITOR (self), 0);

  return self->n_process_rows;
}

/* Emits a pending "changed" now (tests, and before a snapshot). */
void
spindle_worker_monitor_flush (SpindleWorkerMonitor *self)
{
  g_return_if_fail (SPINDLE_IS_WORKER_MONITOR (self));

  if (self->changed_id != 0)
    {
      g_clear_handle_id (&self->changed_id, g_source_remove);
      emit_changed (self);
    }
}
