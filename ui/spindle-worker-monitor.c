/* spindle-worker-monitor.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-worker-monitor"

#include "config.h"

#include <gtk/gtk.h>

#include "spindle-clock.h"
#include "spindle-event-log.h"
#include "spindle-worker-monitor.h"

/* A worker costs the monitor no handler of its own, and a change costs
 * what changed, not a walk over ten thousand workers:
 *
 *  - its state and unresponsive flag come through the one handler its
 *    event log follows it with (spindle_event_log_add_notify_hook ());
 *  - the children of every worker come through one emission hook on
 *    GListModel::items-changed, for all of them;
 *  - each model it watches (the set, and the children of a worker once it
 *    has any) has a mirror here, the workers it held when last seen, so
 *    that a removal names the workers that left: they and theirs are
 *    uncounted and let go, and nothing else is looked at.
 */

struct _SpindleWorkerMonitor
{
  GObject           parent_instance;

  SpindleWorkerSet *set;
  GThread          *owner;
  guint             changed_id;
  guint             counts[SPINDLE_WORKER_N_STATES];
  guint             n_total;
  guint             n_unresponsive;

  /* worker, unowned (its model's mirror holds it) → what it is counted
   * as (see counted_as ()), or PROCESS_ROW
   */
  GHashTable       *watched;

  /* GListModel (the set, or a watched worker's children), unowned → a
   * GPtrArray of its workers, a reference each: made when it first has
   * workers, so that a childless worker costs none
   */
  GHashTable       *mirrors;

  /* workers that left a model while the workers that came in a change
   * were being watched (n_taking_on > 0), unowned: only compared (see
   * mirror_change ())
   */
  GHashTable       *left;
  guint             n_taking_on;

  /* the process workers among them (unowned), whose trees are walked on
   * each tick of the clock while one of them or a process of its tree
   * lives: a set without any costs no tick
   */
  GHashTable       *processes;
  guint             n_process_rows;  /* watched rows of processes */
  GPtrArray        *new_parents;     /* top-level workers given their first child */
  gulong            tick_id;
  gulong            notify_hook_id;
  gulong            children_hook_id;
  guint64           n_visits;

  /* a view's rows (GtkTreeListRow) that are rows of processes, while
   * there are any: a byte per row, 1 for a process's
   */
  GListModel       *view;            /* unowned: only compared */
  GArray           *view_census;     /* guint8, or NULL: not followed now */
  guint             n_view_processes;
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

static void mirror_change (SpindleWorkerMonitor *self,
                           GListModel           *model,
                           GPtrArray            *mirror,
                           guint                 position,
                           guint                 removed,
                           guint                 added);

/* What a worker adds to the counts, packed in a pointer: its state, and
 * whether it is live and unresponsive. Stored + 1, so that a state of 0
 * is told apart from "not counted". A row of a process counts in nothing.
 */
#define UNRESPONSIVE_BIT 0x100
#define PROCESS_ROW      0x1000

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
  if (value == PROCESS_ROW)
    {
      self->n_process_rows += sign;
      return;
    }

  value--;
  self->counts[value & 0xff] += sign;
  self->n_total += sign;
  if (value & UNRESPONSIVE_BIT)
    self->n_unresponsive += sign;
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
         SpindleWorkerMonitor *monitor)
{
  g_autoptr(SpindleWorkerMonitor) self = g_object_ref (monitor);
  g_autoptr(GPtrArray) workers = g_ptr_array_new_full (g_hash_table_size (self->processes), g_object_unref);
  GHashTableIter iter;
  gpointer worker;

  /* a walk can run handlers that change the set, and so the table: the
   * workers are walked from a copy while the table still has them, a
   * reference each, so that one let go during its own walk stays */
  g_hash_table_iter_init (&iter, self->processes);
  while (g_hash_table_iter_next (&iter, &worker, NULL))
    g_ptr_array_add (workers, g_object_ref (worker));

  for (guint i = 0; i < workers->len; i++)
    {
      worker = g_ptr_array_index (workers, i);
      if (!g_hash_table_contains (self->processes, worker))
        continue;
      if (spindle_worker_is_terminal (worker) && !has_live_process (worker))
        g_hash_table_remove (self->processes, worker);
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

/* Joining and leaving *******************************************************/

static GPtrArray *
ensure_mirror (SpindleWorkerMonitor *self,
               GListModel           *model)
{
  GPtrArray *mirror = g_hash_table_lookup (self->mirrors, model);

  if (mirror == NULL)
    {
      mirror = g_ptr_array_new ();
      g_hash_table_insert (self->mirrors, model, mirror);
    }

  return mirror;
}

/* Counts a worker, follows it, and takes on its children: once, when it
 * joins the set or its parent's children.
 */
static void
watch_worker (SpindleWorkerMonitor *self,
              SpindleWorker        *worker)
{
  GListModel *children = spindle_worker_get_children (worker);
  guint value, n;

  self->n_visits++;
  if (g_hash_table_contains (self->watched, worker))
    return;

  value = spindle_worker_is_tree_process (worker) ? PROCESS_ROW : counted_as (worker);
  g_hash_table_insert (self->watched, worker, GUINT_TO_POINTER (value));
  add_counts (self, value, +1);

  /* its children's mirror first: a walk of its tree may add to them */
  if ((n = g_list_model_get_n_items (children)) > 0)
    mirror_change (self, children, ensure_mirror (self, children), 0, 0, n);

  spindle_event_log_follow (worker);
  watch_processes (self, worker);
}

/* A worker that left its model, with its children: uncounted, let go. */
static void
forget_worker (SpindleWorkerMonitor *self,
               SpindleWorker        *worker)
{
  GListModel *children = spindle_worker_get_children (worker);
  gpointer value;
  GPtrArray *mirror;

  self->n_visits++;
  if (self->n_taking_on > 0)
    g_hash_table_add (self->left, worker);
  if (!g_hash_table_steal_extended (self->watched, worker, NULL, &value))
    return;

  add_counts (self, GPOINTER_TO_UINT (value), -1);
  g_hash_table_remove (self->processes, worker);
  g_ptr_array_remove (self->new_parents, worker);

  if (g_hash_table_steal_extended (self->mirrors, children, NULL, (gpointer *) &mirror))
    {
      for (guint i = 0; i < mirror->len; i++)
        forget_worker (self, g_ptr_array_index (mirror, i));
      g_ptr_array_set_free_func (mirror, g_object_unref);
      g_ptr_array_unref (mirror);
    }
}

static gboolean
has_left (SpindleWorkerMonitor *self,
          SpindleWorker        *worker)
{
  return g_hash_table_size (self->left) > 0 && g_hash_table_contains (self->left, worker);
}

/* Brings @mirror level with @model after its items-changed: the workers
 * that left are forgotten, those that came are watched.
 *
 * Watching one (a walk of a process worker's tree) can run handlers that
 * change the models again, this one too: a worker that came and left
 * again before its turn is not watched, or it would be counted with no
 * mirror holding it. self->left names the workers that left since the
 * outermost change began watching, less those that came back since.
 */
static void
mirror_change (SpindleWorkerMonitor *self,
               GListModel           *model,
               GPtrArray            *mirror,
               guint                 position,
               guint                 removed,
               guint                 added)
{
  g_autoptr(GPtrArray) gone = NULL;
  g_autoptr(GPtrArray) came = NULL;

  g_return_if_fail (position + removed <= mirror->len);

  if (removed > 0)
    {
      gone = g_ptr_array_new_full (removed, g_object_unref);
      for (guint i = 0; i < removed; i++)
        g_ptr_array_add (gone, g_ptr_array_index (mirror, position + i));
      g_ptr_array_remove_range (mirror, position, removed);
      for (guint i = 0; i < removed; i++)
        forget_worker (self, g_ptr_array_index (gone, i));
    }

  if (added == 0)
    return;

  /* level first, then watched: watching may change the model again */
  came = g_ptr_array_new_full (added, g_object_unref);
  for (guint i = 0; i < added; i++)
    {
      SpindleWorker *worker = g_list_model_get_item (model, position + i);

      g_ptr_array_insert (mirror, position + i, worker);
      g_ptr_array_add (came, g_object_ref (worker));
      if (g_hash_table_size (self->left) > 0)
        g_hash_table_remove (self->left, worker);
    }

  self->n_taking_on++;
  for (guint i = 0; i < added; i++)
    if (!has_left (self, g_ptr_array_index (came, i)))
      watch_worker (self, g_ptr_array_index (came, i));
  if (--self->n_taking_on == 0 && g_hash_table_size (self->left) > 0)
    g_hash_table_remove_all (self->left);
}

static gboolean
emit_changed (gpointer data)
{
  SpindleWorkerMonitor *self = data;

  self->changed_id = 0;
  g_signal_emit (self, signals[CHANGED], 0);

  return G_SOURCE_REMOVE;
}

static void
queue_changed (SpindleWorkerMonitor *self)
{
  if (self->changed_id == 0)
    self->changed_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, emit_changed, self, NULL);
}

/* Here and in every handler the monitor has, the monitor is held: a
 * handler of its signals, or of a model a walk changes, may drop its
 * last reference (a window that closes), and the handler goes on with
 * its tables and its next emission.
 */
static void
on_set_items_changed (GListModel           *model,
                      guint                 position,
                      guint                 removed,
                      guint                 added,
                      SpindleWorkerMonitor *monitor)
{
  g_autoptr(SpindleWorkerMonitor) self = g_object_ref (monitor);

  mirror_change (self, model, ensure_mirror (self, model), position, removed, added);
  queue_changed (self);
  g_signal_emit (self, signals[WORKER_CHANGED], 0, NULL, FALSE);
}

/* The watched worker whose children @model is, if it is: told by the
 * worker that came at @position.
 */
static SpindleWorker *
find_parent (SpindleWorkerMonitor *self,
             GListModel           *model,
             guint                 position)
{
  g_autoptr(GObject) item = NULL;
  SpindleWorker *parent;

  if (g_list_model_get_item_type (model) != SPINDLE_TYPE_WORKER ||
      (item = g_list_model_get_item (model, position)) == NULL ||
      (parent = spindle_worker_get_parent (SPINDLE_WORKER (item))) == NULL ||
      spindle_worker_get_children (parent) != model ||
      !g_hash_table_contains (self->watched, parent))
    return NULL;

  return parent;
}

/* Every list model's items-changed, in this thread: the children of the
 * watched workers are told apart by their mirror, or, the first time
 * they have any, by their parent. Anything else costs a lookup.
 */
static gboolean
on_any_items_changed (GSignalInvocationHint *hint,
                      guint                  n_values,
                      const GValue          *values,
                      gpointer               data)
{
  SpindleWorkerMonitor *monitor = data;
  g_autoptr(SpindleWorkerMonitor) self = NULL;
  GListModel *model = g_value_peek_pointer (&values[0]);
  guint position = g_value_get_uint (&values[1]);
  guint removed = g_value_get_uint (&values[2]);
  guint added = g_value_get_uint (&values[3]);
  SpindleWorker *parent = NULL;
  GPtrArray *mirror;

  if (g_thread_self () != monitor->owner || model == G_LIST_MODEL (monitor->set))
    return TRUE;

  if ((mirror = g_hash_table_lookup (monitor->mirrors, model)) == NULL)
    {
      if (added == 0 || (parent = find_parent (monitor, model, position)) == NULL)
        return TRUE;
      mirror = ensure_mirror (monitor, model);
      /* its row, made without children, is to be made again */
      if (spindle_worker_get_parent (parent) == NULL)
        g_ptr_array_add (monitor->new_parents, parent);
    }

  self = g_object_ref (monitor);
  mirror_change (self, model, mirror, position, removed, added);
  queue_changed (self);
  g_signal_emit (self, signals[WORKER_CHANGED], 0, NULL, FALSE);

  return TRUE;
}

/* State changes *************************************************************/

/* A worker's state or unresponsive flag changed: move it between counts. */
static gboolean
recount_worker (SpindleWorkerMonitor *self,
                SpindleWorker        *worker)
{
  gpointer old_value;
  guint value;

  if (!g_hash_table_lookup_extended (self->watched, worker, NULL, &old_value))
    return FALSE;
  if (GPOINTER_TO_UINT (old_value) == PROCESS_ROW)
    return TRUE;

  value = counted_as (worker);
  if (value == GPOINTER_TO_UINT (old_value))
    return TRUE;

  add_counts (self, GPOINTER_TO_UINT (old_value), -1);
  add_counts (self, value, +1);
  g_hash_table_insert (self->watched, worker, GUINT_TO_POINTER (value));

  return TRUE;
}

static void
on_worker_notify (SpindleWorker *worker,
                  GParamSpec    *pspec,
                  gpointer       data)
{
  SpindleWorkerMonitor *monitor = data;
  g_autoptr(SpindleWorkerMonitor) self = NULL;
  gboolean state_changed = g_str_equal (g_param_spec_get_name (pspec), "state");

  if (!recount_worker (monitor, worker))
    return;

  self = g_object_ref (monitor);

  if (state_changed)
    watch_processes (self, worker);
  queue_changed (self);
  g_signal_emit (self, signals[WORKER_CHANGED], 0, worker, state_changed);

  if (state_changed && spindle_worker_is_terminal (worker))
    g_signal_emit (self, signals[WORKER_ENDED], 0, worker);
}

/* A view's rows *************************************************************/

static gboolean
is_process_row (gpointer item)
{
  g_autoptr(SpindleWorker) worker = NULL;

  if (GTK_IS_TREE_LIST_ROW (item))
    worker = gtk_tree_list_row_get_item (item);
  else if (SPINDLE_IS_WORKER (item))
    worker = g_object_ref (item);

  return worker != NULL && spindle_worker_is_tree_process (worker);
}

static void
census_insert (SpindleWorkerMonitor *self,
               guint                 position,
               guint                 added)
{
  g_autofree guint8 *flags = g_new (guint8, MAX (added, 1));

  for (guint i = 0; i < added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (self->view, position + i);

      self->n_visits++;
      flags[i] = is_process_row (item);
      self->n_view_processes += flags[i];
    }

  g_array_insert_vals (self->view_census, position, flags, added);
}

static void
drop_census (SpindleWorkerMonitor *self)
{
  g_clear_pointer (&self->view_census, g_array_unref);
  self->n_view_processes = 0;
  self->view = NULL;
}

/* Once, when the view has rows of processes to tell apart: from then on
 * only its changes are looked at.
 */
static void
take_census (SpindleWorkerMonitor *self,
             GListModel           *view)
{
  drop_census (self);
  self->view = view;
  self->view_census = g_array_new (FALSE, TRUE, sizeof (guint8));
  census_insert (self, 0, g_list_model_get_n_items (view));
}

/* GObject *******************************************************************/

static void
spindle_worker_monitor_constructed (GObject *object)
{
  SpindleWorkerMonitor *self = SPINDLE_WORKER_MONITOR (object);
  GListModel *model = G_LIST_MODEL (self->set);

  G_OBJECT_CLASS (spindle_worker_monitor_parent_class)->constructed (object);

  self->notify_hook_id = spindle_event_log_add_notify_hook (on_worker_notify, self);
  self->children_hook_id = g_signal_add_emission_hook (g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL),
                                                       0, on_any_items_changed, self, NULL);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_set_items_changed), self);
  on_set_items_changed (model, 0, 0, g_list_model_get_n_items (model), self);
}

static void
spindle_worker_monitor_dispose (GObject *object)
{
  SpindleWorkerMonitor *self = SPINDLE_WORKER_MONITOR (object);
  GHashTableIter iter;
  gpointer mirror;

  g_clear_handle_id (&self->changed_id, g_source_remove);
  g_clear_signal_handler (&self->tick_id, spindle_clock_get_default ());
  if (self->notify_hook_id != 0)
    spindle_event_log_remove_notify_hook (self->notify_hook_id);
  self->notify_hook_id = 0;
  if (self->children_hook_id != 0)
    g_signal_remove_emission_hook (g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL), self->children_hook_id);
  self->children_hook_id = 0;

  g_hash_table_iter_init (&iter, self->mirrors);
  while (g_hash_table_iter_next (&iter, NULL, &mirror))
    g_ptr_array_set_free_func (mirror, g_object_unref);
  g_hash_table_remove_all (self->mirrors);
  g_hash_table_remove_all (self->watched);
  g_hash_table_remove_all (self->processes);
  g_ptr_array_set_size (self->new_parents, 0);
  drop_census (self);
  self->n_process_rows = 0;

  if (self->set != NULL)
    g_signal_handlers_disconnect_by_data (self->set, self);
  g_clear_object (&self->set);

  G_OBJECT_CLASS (spindle_worker_monitor_parent_class)->dispose (object);
}

static void
spindle_worker_monitor_finalize (GObject *object)
{
  SpindleWorkerMonitor *self = SPINDLE_WORKER_MONITOR (object);

  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->mirrors, g_hash_table_unref);
  g_clear_pointer (&self->left, g_hash_table_unref);
  g_clear_pointer (&self->processes, g_hash_table_unref);
  g_clear_pointer (&self->new_parents, g_ptr_array_unref);

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
  self->owner = g_thread_self ();
  self->watched = g_hash_table_new (NULL, NULL);
  self->mirrors = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->processes = g_hash_table_new (NULL, NULL);
  self->left = g_hash_table_new (NULL, NULL);
  self->new_parents = g_ptr_array_new ();
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

/* The top-level workers that had their first child since the last call,
 * each once in the monitor's life (transfer full): a view that made their
 * rows without children makes them again. The rows of a process worker's
 * processes come and go under it without this.
 */
GPtrArray *
spindle_worker_monitor_take_new_parents (SpindleWorkerMonitor *self)
{
  GPtrArray *parents;

  g_return_val_if_fail (SPINDLE_IS_WORKER_MONITOR (self), NULL);

  parents = g_ptr_array_new_full (self->new_parents->len, g_object_unref);
  for (guint i = 0; i < self->new_parents->len; i++)
    g_ptr_array_add (parents, g_object_ref (g_ptr_array_index (self->new_parents, i)));
  g_ptr_array_set_size (self->new_parents, 0);

  return parents;
}

/* A view's list of rows (GtkTreeListRow over the set's workers, after its
 * filter) changed: @view's items-changed, passed on by its owner before
 * it asks spindle_worker_monitor_count_shown_workers (). Only the rows
 * that came are looked at, and only while rows of processes are watched.
 */
void
spindle_worker_monitor_view_changed (SpindleWorkerMonitor *self,
                                     GListModel           *view,
                                     guint                 position,
                                     guint                 removed,
                                     guint                 added)
{
  g_return_if_fail (SPINDLE_IS_WORKER_MONITOR (self));

  if (self->view_census == NULL || view != self->view)
    return;

  if (position + removed > self->view_census->len)
    {
      drop_census (self);
      return;
    }

  for (guint i = position; i < position + removed; i++)
    self->n_view_processes -= self->view_census->data[i];
  g_array_remove_range (self->view_census, position, removed);
  census_insert (self, position, added);
}

/* The rows of @view that are workers: all of them, but for the rows of
 * processes, which are told apart by one walk when they first appear and
 * by the view's changes after (see spindle_worker_monitor_view_changed ()).
 */
guint
spindle_worker_monitor_count_shown_workers (SpindleWorkerMonitor *self,
                                            GListModel           *view)
{
  guint n;

  g_return_val_if_fail (SPINDLE_IS_WORKER_MONITOR (self), 0);
  g_return_val_if_fail (G_IS_LIST_MODEL (view), 0);

  n = g_list_model_get_n_items (view);
  if (self->n_process_rows == 0)
    {
      drop_census (self);
      return n;
    }

  if (self->view_census == NULL || view != self->view || self->view_census->len != n)
    take_census (self, view);

  return n - self->n_view_processes;
}

/* For tests: how many times the monitor looked at a worker or a row. */
guint64
_spindle_worker_monitor_get_n_visits (SpindleWorkerMonitor *self)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER_MONITOR (self), 0);

  return self->n_visits;
}
