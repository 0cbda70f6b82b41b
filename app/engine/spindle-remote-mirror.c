/* spindle-remote-mirror.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "spindle-cleanup-report-private.h"
#include "spindle-enums.h"
#include "spindle-remote-private.h"
#include "spindle-thread-info-private.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* A remote set's workers, as the program's snapshot and updates describe
 * them (see spindle-remote.c for the subscription). Each is a plain
 * SpindleWorker with no job, whose fields are set here on the set's
 * context, with the notifies and signals a local worker would emit, and
 * whose thread is read from /proc/<pid>/task/<tid> by the sampler.
 */

typedef struct
{
  SpindleWorker *worker;
  guint          n_steps;         /* cleanup steps emitted so far */
} Mirror;

void
_spindle_remote_mirror_free (gpointer data)
{
  Mirror *mirror = data;

  g_object_unref (mirror->worker);
  g_free (mirror);
}

gboolean
_spindle_remote_is_mirror (SpindleWorker *worker)
{
  return worker->job == NULL && worker->set != NULL && worker->set->remote != NULL;
}

/* Enum values and keys ******************************************************/

static int
enum_from_nick (GType       type,
                const char *nick,
                int         fallback)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *value = g_enum_get_value_by_nick (klass, nick);

  return value != NULL ? value->value : fallback;
}

static void
set_string (SpindleWorker  *worker,
            char          **field,
            const char     *value,
            guint           prop_id)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  _spindle_worker_set_string (worker, field, value, prop_id);
}

#define SET_SCALAR(worker, field, value, prop) \
  G_STMT_START { \
    if ((worker)->field != (value)) \
      { \
        (worker)->field = (value); \
        _spindle_worker_notify ((worker), SPINDLE_WORKER_PROP_##prop); \
      } \
  } G_STMT_END

static SpindleCleanupReport *
report_from_variant (GVariant *steps)
{
  SpindleCleanupReport *report = _spindle_cleanup_report_new ();
  const char *label, *outcome, *message;
  gint64 duration, total = 0;
  GVariantIter iter;

  g_variant_iter_init (&iter, steps);
  while (g_variant_iter_next (&iter, "(&s&s&sx)", &label, &outcome, &message, &duration))
    {
      _spindle_cleanup_report_add (report, label,
                                   enum_from_nick (SPINDLE_TYPE_CLEANUP_OUTCOME, outcome,
                                                   SPINDLE_CLEANUP_OUTCOME_OK),
                                   message[0] != '\0' ? message : NULL, duration);
      total += MAX (duration, 0);
    }
  _spindle_cleanup_report_set_duration (report, total);

  return report;
}

static void
apply_result (SpindleWorker *worker,
              const char    *printed)
{
  GVariant *result = g_variant_parse (NULL, printed, NULL, NULL, NULL);

  if (result == NULL)
    result = g_variant_new_string (printed);

  g_clear_pointer (&worker->result, g_variant_unref);
  worker->result = g_variant_ref_sink (result);
  _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_RESULT);
}

static void
apply_error (SpindleWorker *worker,
             const char    *message)
{
  if (worker->error != NULL && g_strcmp0 (worker->error->message, message) == 0)
    return;

  g_clear_error (&worker->error);
  if (message[0] != '\0')
    worker->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
  _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_ERROR);
}

/* Every key but the state and the cleanup, which come last and in order. */
static void
apply_key (SpindleWorker *worker,
           const char    *key,
           GVariant      *value)
{
  if (g_str_equal (key, "name") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    set_string (worker, &worker->name, g_variant_get_string (value, NULL), SPINDLE_WORKER_PROP_NAME);
  else if (g_str_equal (key, "kind") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    set_string (worker, &worker->kind, g_variant_get_string (value, NULL), SPINDLE_WORKER_PROP_KIND);
  else if (g_str_equal (key, "tid") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT32))
    SET_SCALAR (worker, tid, g_variant_get_int32 (value), TID);
  else if (g_str_equal (key, "stop-reason") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    SET_SCALAR (worker, stop_reason, (SpindleStopReason) enum_from_nick (SPINDLE_TYPE_STOP_REASON, g_variant_get_string (value, NULL), worker->stop_reason), STOP_REASON);
  else if (g_str_equal (key, "started-at") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    SET_SCALAR (worker, started_at, g_variant_get_int64 (value), STARTED_AT);
  else if (g_str_equal (key, "finished-at") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    SET_SCALAR (worker, finished_at, g_variant_get_int64 (value), FINISHED_AT);
  else if (g_str_equal (key, "phase") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    set_string (worker, &worker->phase, g_variant_get_string (value, NULL), SPINDLE_WORKER_PROP_PHASE);
  else if (g_str_equal (key, "progress") && g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
    SET_SCALAR (worker, progress, CLAMP (g_variant_get_double (value), 0.0, 1.0), PROGRESS);
  else if (g_str_equal (key, "waiting-for") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    set_string (worker, &worker->waiting_for, g_variant_get_string (value, NULL), SPINDLE_WORKER_PROP_WAITING_FOR);
  else if (g_str_equal (key, "deadline") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    SET_SCALAR (worker, deadline, MAX (0, g_variant_get_int64 (value)), DEADLINE);
  else if (g_str_equal (key, "escalation") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    SET_SCALAR (worker, escalation, (SpindleEscalation) enum_from_nick (SPINDLE_TYPE_ESCALATION, g_variant_get_string (value, NULL), SPINDLE_ESCALATION_NONE), ESCALATION);
  else if (g_str_equal (key, "escalation-at") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    SET_SCALAR (worker, escalation_at, MAX (0, g_variant_get_int64 (value)), ESCALATION_AT);
  else if (g_str_equal (key, "unresponsive") && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    SET_SCALAR (worker, unresponsive, (guint) g_variant_get_boolean (value), UNRESPONSIVE);
  else if (g_str_equal (key, "error") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    apply_error (worker, g_variant_get_string (value, NULL));
  else if (g_str_equal (key, "result") && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    apply_result (worker, g_variant_get_string (value, NULL));
}

/* States and their signals **************************************************/

/* Between two updates a worker may pass through several states: what a
 * local worker would have emitted on the way is emitted here, in the
 * engine's order (request → cleanup-started → cleanup-step* →
 * cleanup-finished → notify::state → finished).
 */
static void
emit_request (SpindleWorker      *worker,
              SpindleWorkerState  old,
              SpindleWorkerState  state)
{
  gboolean was_asked = old >= SPINDLE_WORKER_STATE_STOPPING;

  if (state == SPINDLE_WORKER_STATE_CANCELLING || state == SPINDLE_WORKER_STATE_CANCELLED)
    {
      if (old != SPINDLE_WORKER_STATE_CANCELLING && old < SPINDLE_WORKER_STATE_CLEANING)
        g_signal_emit_by_name (worker, "cancel-requested", worker->stop_reason);
    }
  else if (!was_asked && (state == SPINDLE_WORKER_STATE_STOPPING || state == SPINDLE_WORKER_STATE_STOPPED ||
                          (state == SPINDLE_WORKER_STATE_CLEANING && worker->stop_reason != SPINDLE_STOP_REASON_NONE)))
    g_signal_emit_by_name (worker, "stop-requested", worker->stop_reason);
}

static void
emit_steps (Mirror   *mirror,
            GVariant *cleanup)
{
  SpindleWorker *worker = mirror->worker;
  g_autoptr(SpindleCleanupReport) report = NULL;
  guint n;

  if (cleanup == NULL)
    return;

  report = report_from_variant (cleanup);
  n = spindle_cleanup_report_get_n_steps (report);
  for (; mirror->n_steps < n; mirror->n_steps++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, mirror->n_steps);

      g_signal_emit_by_name (worker, "cleanup-step", step->label, step->outcome, step->message);
    }
}

static void
finish (Mirror   *mirror,
        GVariant *cleanup)
{
  SpindleWorker *worker = mirror->worker;

  if (cleanup != NULL)
    {
      g_clear_pointer (&worker->cleanup_report, spindle_cleanup_report_unref);
      worker->cleanup_report = report_from_variant (cleanup);
      _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_CLEANUP_REPORT);
      g_signal_emit_by_name (worker, "cleanup-finished", worker->cleanup_report);
    }
}

static void
apply_state (Mirror             *mirror,
             SpindleWorkerState  state,
             GVariant           *cleanup,
             gboolean            is_new)
{
  SpindleWorker *worker = mirror->worker;
  SpindleWorkerState old = worker->state;
  gboolean terminal = spindle_worker_state_is_terminal (state);

  /* a mirror never goes back: an old update after a fresh snapshot */
  if (state == old || (!is_new && (state < old || spindle_worker_state_is_terminal (old))))
    {
      if (!terminal)
        emit_steps (mirror, cleanup);
      return;
    }

  if (!is_new)
    {
      emit_request (worker, old, state);
      /* as locally: an abandoned worker's cleanup never started */
      if (old < SPINDLE_WORKER_STATE_CLEANING && state >= SPINDLE_WORKER_STATE_CLEANING &&
          state != SPINDLE_WORKER_STATE_ABANDONED &&
          (state == SPINDLE_WORKER_STATE_CLEANING || cleanup != NULL))
        g_signal_emit_by_name (worker, "cleanup-started");
      emit_steps (mirror, cleanup);
      if (terminal)
        finish (mirror, cleanup);
    }
  else if (terminal && cleanup != NULL)
    {
      worker->cleanup_report = report_from_variant (cleanup);
      mirror->n_steps = spindle_cleanup_report_get_n_steps (worker->cleanup_report);
    }

  worker->state = state;
  _spindle_worker_record (worker, SPINDLE_HISTORY_STATE);
  if (terminal)
    _spindle_worker_clear_sample (worker);
  _spindle_worker_notify (worker, SPINDLE_WORKER_PROP_STATE);

  if (terminal && !is_new)
    {
      _spindle_worker_set_worker_ended (worker->set, worker);
      g_signal_emit_by_name (worker, "finished");
    }
}

static void
apply_worker (Mirror   *mirror,
              GVariant *dict,
              gboolean  is_new)
{
  SpindleWorker *worker = mirror->worker;
  g_autoptr(GVariant) cleanup = g_variant_lookup_value (dict, "cleanup", G_VARIANT_TYPE ("a(sssx)"));
  const char *state_nick = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_object_ref (worker);
  g_object_freeze_notify (G_OBJECT (worker));

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      apply_key (worker, key, value);
      g_variant_unref (value);
    }

  /* the state's notify comes before "finished", not at the thaw */
  g_object_thaw_notify (G_OBJECT (worker));

  if (g_variant_lookup (dict, "state", "&s", &state_nick))
    apply_state (mirror, enum_from_nick (SPINDLE_TYPE_WORKER_STATE, state_nick, worker->state),
                 cleanup, is_new);
  else if (cleanup != NULL && !spindle_worker_state_is_terminal (worker->state))
    emit_steps (mirror, cleanup);

  g_object_unref (worker);
}

/* Workers in and out of the set *********************************************/

static SpindleWorker *
new_worker (SpindleRemote *self,
            guint64        id)
{
  SpindleWorker *worker = g_object_new (SPINDLE_TYPE_WORKER, NULL);
  SpindleWorkerSet *set = self->set;

  worker->set = set;
  worker->id = id;
  worker->name = g_strdup ("");
  worker->kind = g_strdup ("custom");
  worker->context = g_main_context_ref (set->context);
  worker->owner = set->owner;
  worker->state = SPINDLE_WORKER_STATE_STARTING;

  return worker;
}

static Mirror *
lookup (SpindleRemote *self,
        guint64        id)
{
  return g_hash_table_lookup (self->workers, &id);
}

/* Parents come before their children; one whose parent is unknown (it was
 * retained no longer) shows at the top level.
 *
 * As for a local spawn, a live worker is counted quietly before it is
 * listed, and n-live is notified once it is: a handler of either finds
 * every worker n-live counts listed.
 */
static void
insert_worker (SpindleRemote *self,
               Mirror        *mirror,
               guint64        parent_id)
{
  SpindleWorker *worker = mirror->worker;
  SpindleWorkerSet *set = self->set;
  Mirror *parent = parent_id != 0 ? lookup (self, parent_id) : NULL;
  gboolean live = spindle_worker_state_is_live (worker->state);

  if (live)
    set->n_live++;

  if (parent != NULL)
    {
      g_set_weak_pointer (&worker->parent, parent->worker);
      g_list_store_append (parent->worker->children, worker);
    }
  else
    {
      g_ptr_array_add (set->workers, g_object_ref (worker));
      g_list_model_items_changed (G_LIST_MODEL (set), set->workers->len - 1, 0, 1);
    }

  if (live)
    g_object_notify (G_OBJECT (set), "n-live");
}

static void
add_worker (SpindleRemote *self,
            GVariant      *dict)
{
  guint64 id = 0, parent = 0;
  Mirror *mirror;

  if (!g_variant_lookup (dict, "id", "t", &id) || id == 0)
    return;

  if ((mirror = lookup (self, id)) != NULL)
    {
      apply_worker (mirror, dict, FALSE);
      return;
    }

  g_variant_lookup (dict, "parent", "t", &parent);
  mirror = g_new0 (Mirror, 1);
  mirror->worker = new_worker (self, id);
  apply_worker (mirror, dict, TRUE);
  g_hash_table_insert (self->workers, &mirror->worker->id, mirror);
  insert_worker (self, mirror, parent);
}

/* A worker that leaves hands its children to its own parent, or to the
 * top level as workers whose parent is unknown: the program may keep them
 * (an abandoned parent's children live on) or remove them too.
 *
 * As a worker is counted before it is listed, it is no longer counted
 * before it leaves the list, where its children take its place in the
 * same change, and n-live is notified once it has: a handler of either
 * finds every worker n-live counts listed.
 */
void
_spindle_remote_remove_worker (SpindleRemote *self,
                               guint64        id)
{
  Mirror *mirror = lookup (self, id);
  SpindleWorkerSet *set = self->set;
  g_autoptr(SpindleWorker) worker = NULL;
  g_autoptr(GPtrArray) children = NULL;
  SpindleWorker *parent;
  gboolean live;
  guint position;

  if (mirror == NULL)
    return;

  worker = g_object_ref (mirror->worker);
  g_hash_table_remove (self->workers, &id);
  parent = worker->parent;
  live = spindle_worker_state_is_live (worker->state);

  children = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (worker->children)); i++)
    {
      SpindleWorker *child = g_list_model_get_item (G_LIST_MODEL (worker->children), i);

      g_set_weak_pointer (&child->parent, parent);
      g_ptr_array_add (children, child);
    }

  if (live)
    set->n_live--;

  if (parent != NULL)
    {
      if (g_list_store_find (parent->children, worker, &position))
        g_list_store_splice (parent->children, position, 1, children->pdata, children->len);
    }
  else if (g_ptr_array_find (set->workers, worker, &position))
    {
      g_ptr_array_remove_index (set->workers, position);
      for (guint i = 0; i < children->len; i++)
        g_ptr_array_insert (set->workers, position + i, g_object_ref (children->pdata[i]));
      g_list_model_items_changed (G_LIST_MODEL (set), position, 1, children->len);
    }

  if (live)
    g_object_notify (G_OBJECT (set), "n-live");
}

/* Snapshots and updates *****************************************************/

void
_spindle_remote_apply_changed (SpindleRemote *self,
                               GVariant      *changed)
{
  GVariantIter iter;
  GVariant *dict;

  g_variant_iter_init (&iter, changed);
  while ((dict = g_variant_iter_next_value (&iter)) != NULL)
    {
      add_worker (self, dict);
      g_variant_unref (dict);
    }
}

/* A fresh snapshot over an older mirror: what it no longer lists is gone. */
void
_spindle_remote_reconcile (SpindleRemote *self,
                           GVariant      *workers)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) stale = g_array_new (FALSE, FALSE, sizeof (guint64));
  GHashTableIter iter;
  gpointer key;
  GVariantIter it;
  GVariant *dict;
  guint64 *ids;
  guint n = 0;

  ids = g_new0 (guint64, g_variant_n_children (workers) + 1);
  g_variant_iter_init (&it, workers);
  while ((dict = g_variant_iter_next_value (&it)) != NULL)
    {
      if (g_variant_lookup (dict, "id", "t", &ids[n]))
        g_hash_table_add (listed, &ids[n++]);
      g_variant_unref (dict);
    }

  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (listed, key))
      g_array_append_val (stale, *(guint64 *) key);

  for (guint i = stale->len; i > 0; i--)
    _spindle_remote_remove_worker (self, g_array_index (stale, guint64, i - 1));

  g_free (ids);
  _spindle_remote_apply_changed (self, workers);
}


/* Its workers keep their last state, but their time and their threads'
 * figures stopped with the program.
 */
void
_spindle_remote_freeze (SpindleRemote *self)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      SpindleWorker *worker = ((Mirror *) value)->worker;

      if (!spindle_worker_state_is_live (worker->state))
        continue;

      _spindle_worker_clear_sample (worker);
      if (worker->finished_at == 0)
        SET_SCALAR (worker, finished_at, now, FINISHED_AT);
    }
}

/* Sampling ******************************************************************/

static gboolean
read_task_file (int         pid,
                int         tid,
                const char *name,
                char       *buf,
                gsize       size)
{
  char path[80];
  gssize n;
  int fd;

  g_snprintf (path, sizeof path, "/proc/%d/task/%d/%s", pid, tid, name);
  if ((fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
    return FALSE;
  n = read (fd, buf, size - 1);
  close (fd);
  if (n < 0)
    return FALSE;

  buf[n] = '\0';
  g_strchomp (buf);
  return TRUE;
}

/* utime and stime, fields 14 and 15 of stat, in clock ticks */
static gboolean
parse_cpu_time (const char *stat,
                gint64     *ns)
{
  const char *end = strrchr (stat, ')');
  g_auto(GStrv) fields = NULL;
  long ticks = sysconf (_SC_CLK_TCK);

  if (end == NULL || ticks <= 0)
    return FALSE;

  fields = g_strsplit (end + 2, " ", 16);
  if (g_strv_length (fields) < 14)
    return FALSE;

  *ns = (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10))
        * (G_GINT64_CONSTANT (1000000000) / ticks);
  return TRUE;
}

static const char *
parse_syscall (const char *raw,
               char       *buf,
               gsize       size)
{
  gint64 nr;

  if (g_str_has_prefix (raw, "running"))
    return "running";
  nr = g_ascii_strtoll (raw, NULL, 10);
  if (nr < 0)
    return NULL;

  g_strlcpy (buf, _spindle_task_syscall_name (nr), size);
  return buf;
}

/* A mirror's thread is read from /proc/<pid>/task/<tid>: the same user
 * may read it, though not its CPU clock. Returns FALSE for a local worker
 * and for a thread that is gone.
 */
gboolean
_spindle_remote_sample (SpindleWorker      *worker,
                        gboolean            detailed,
                        SpindleSample      *sample,
                        SpindleTaskDetails *details)
{
  int pid = _spindle_remote_is_mirror (worker) ? worker->set->remote->pid : 0;
  char stat[512], raw[256];

  if (pid <= 0 || worker->tid <= 0 ||
      !read_task_file (pid, worker->tid, "stat", stat, sizeof stat) ||
      !parse_cpu_time (stat, &sample->cpu_time))
    return FALSE;

  if (!detailed)
    return TRUE;

  sample->detailed = TRUE;
  sample->kernel_state = _spindle_task_parse_state (stat);
  if (read_task_file (pid, worker->tid, "wchan", details->wait_channel, sizeof details->wait_channel) &&
      !g_str_equal (details->wait_channel, "0") && details->wait_channel[0] != '\0')
    sample->wait_channel = details->wait_channel;
  if (read_task_file (pid, worker->tid, "syscall", raw, sizeof raw))
    sample->syscall = parse_syscall (raw, details->syscall, sizeof details->syscall);

  return TRUE;
}
