/* spindle-export-worker.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-export"

#include "config.h"

#include "spindle-cleanup-report-private.h"
#include "spindle-diagnosis.h"
#include "spindle-enums.h"
#include "spindle-export-private.h"
#include "spindle-process.h"
#include "spindle-worker-private.h"
#include "spindle-worker-set-private.h"

/* A worker as the export's keys, on the set's owner thread. A tick reads
 * each marked worker's fields without allocating, compares them with what
 * was last sent and builds a GVariant of the changed keys only: most ticks
 * carry a key or two of most workers (a progress, a state).
 */

const char *
_spindle_export_nick (GType type,
                      int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  /* static types: their classes are never finalized */
  g_type_class_unref (klass);

  return enum_value != NULL ? enum_value->value_nick : "";
}

static int
worker_pid (SpindleWorker *worker)
{
  SpindleProcessInfo *info = spindle_process_info_get_for_worker (worker);

  return info != NULL ? spindle_process_info_get_pid (info) : 0;
}

/* Cleanup steps as they run ************************************************/

/* The worker's report exists only once its cleanup is over; an exported
 * worker keeps the steps that ran so far in a report of its own, so that
 * clients see each step as it runs, as the local window does.
 */
static GQuark steps_quark (void);
G_DEFINE_QUARK (spindle-export-steps, steps)

void
_spindle_export_note_step (SpindleWorker         *worker,
                           const char            *label,
                           SpindleCleanupOutcome  outcome,
                           const char            *message,
                           gint64                 duration_usec)
{
  SpindleCleanupReport *steps;

  if (worker->set == NULL || spindle_worker_set_get_export_name (worker->set) == NULL)
    return;

  if ((steps = g_object_get_qdata (G_OBJECT (worker), steps_quark ())) == NULL)
    {
      steps = _spindle_cleanup_report_new ();
      g_object_set_qdata_full (G_OBJECT (worker), steps_quark (), steps,
                               (GDestroyNotify) spindle_cleanup_report_unref);
    }

  _spindle_cleanup_report_add (steps, label, outcome, message, duration_usec);
  _spindle_worker_set_mark_changed (worker->set, worker);
}

/* The final report replaces the steps. */
void
_spindle_export_forget_steps (SpindleWorker *worker)
{
  g_object_set_qdata (G_OBJECT (worker), steps_quark (), NULL);
}

static SpindleCleanupReport *
cleanup_so_far (SpindleWorker *worker)
{
  SpindleCleanupReport *report = spindle_worker_get_cleanup_report (worker);

  if (report == NULL && worker->state == SPINDLE_WORKER_STATE_CLEANING)
    report = g_object_get_qdata (G_OBJECT (worker), steps_quark ());

  return report;
}

/* Borrows the worker's strings, result and report. */
void
_spindle_export_fields_read (SpindleExportFields *fields,
                             SpindleWorker       *worker,
                             guint                set_number)
{
  SpindleWorker *parent = spindle_worker_get_parent (worker);
  const GError *error = spindle_worker_get_error (worker);

  fields->parent = parent != NULL ? _spindle_export_id (set_number, spindle_worker_get_id (parent)) : 0;
  fields->name = (char *) spindle_worker_get_name (worker);
  fields->kind = (char *) spindle_worker_get_kind (worker);
  fields->tid = spindle_worker_get_tid (worker);
  fields->state = spindle_worker_get_state (worker);
  fields->stop_reason = spindle_worker_get_stop_reason (worker);
  fields->started_at = spindle_worker_get_started_at (worker);
  fields->finished_at = spindle_worker_get_finished_at (worker);
  fields->phase = (char *) spindle_worker_get_phase (worker);
  fields->progress = spindle_worker_get_progress (worker);
  fields->waiting_for = (char *) spindle_worker_get_waiting_for (worker);
  fields->deadline = spindle_worker_get_deadline (worker);
  fields->escalation = spindle_worker_get_escalation (worker);
  fields->escalation_at = spindle_worker_get_escalation_at (worker);
  fields->unresponsive = spindle_worker_get_unresponsive (worker);
  fields->error = error != NULL ? error->message : NULL;
  fields->result = spindle_worker_get_result (worker);
  fields->pid = worker_pid (worker);
  fields->cleanup = cleanup_so_far (worker);
  fields->n_steps = fields->cleanup != NULL ? spindle_cleanup_report_get_n_steps (fields->cleanup) : 0;
}

/* Owns copies of what @src borrowed. */
void
_spindle_export_fields_copy (SpindleExportFields       *dest,
                             const SpindleExportFields *src)
{
  *dest = *src;
  dest->name = g_strdup (src->name);
  dest->kind = g_strdup (src->kind);
  dest->phase = g_strdup (src->phase);
  dest->waiting_for = g_strdup (src->waiting_for);
  dest->error = g_strdup (src->error);
  if (src->result != NULL)
    dest->result = g_variant_ref (src->result);
  if (src->cleanup != NULL)
    dest->cleanup = spindle_cleanup_report_ref (src->cleanup);
}

static void
take_str (char       **field,
          const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

/* Makes @dest, which owns its copies, equal to @now, which borrows: only
 * what changed is copied (most ticks change a number or two).
 */
void
_spindle_export_fields_update (SpindleExportFields       *dest,
                               const SpindleExportFields *now)
{
  SpindleExportFields old = *dest;

  *dest = *now;
  dest->name = old.name;
  dest->kind = old.kind;
  dest->phase = old.phase;
  dest->waiting_for = old.waiting_for;
  dest->error = old.error;
  dest->result = old.result;
  dest->cleanup = old.cleanup;
  take_str (&dest->name, now->name);
  take_str (&dest->kind, now->kind);
  take_str (&dest->phase, now->phase);
  take_str (&dest->waiting_for, now->waiting_for);
  take_str (&dest->error, now->error);
  if (dest->result != now->result)
    {
      g_clear_pointer (&dest->result, g_variant_unref);
      dest->result = now->result != NULL ? g_variant_ref (now->result) : NULL;
    }
  if (dest->cleanup != now->cleanup)
    {
      g_clear_pointer (&dest->cleanup, spindle_cleanup_report_unref);
      dest->cleanup = now->cleanup != NULL ? spindle_cleanup_report_ref (now->cleanup) : NULL;
    }
}

void
_spindle_export_fields_clear (SpindleExportFields *fields)
{
  g_clear_pointer (&fields->name, g_free);
  g_clear_pointer (&fields->kind, g_free);
  g_clear_pointer (&fields->phase, g_free);
  g_clear_pointer (&fields->waiting_for, g_free);
  g_clear_pointer (&fields->error, g_free);
  g_clear_pointer (&fields->result, g_variant_unref);
  g_clear_pointer (&fields->cleanup, spindle_cleanup_report_unref);
}

GVariant *
_spindle_export_cleanup_variant (SpindleCleanupReport *report)
{
  GVariantBuilder builder;
  guint n = report != NULL ? spindle_cleanup_report_get_n_steps (report) : 0;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sssx)"));
  for (guint i = 0; i < n; i++)
    {
      const SpindleCleanupStep *step = spindle_cleanup_report_get_step (report, i);

      g_variant_builder_add (&builder, "(sssx)",
                             step->label != NULL ? step->label : "",
                             _spindle_export_nick (SPINDLE_TYPE_CLEANUP_OUTCOME, step->outcome),
                             step->message != NULL ? step->message : "",
                             step->duration_usec);
    }

  return g_variant_builder_end (&builder);
}

static GVariant *
result_variant (GVariant *result)
{
  return g_variant_new_take_string (result != NULL ? g_variant_print (result, TRUE) : g_strdup (""));
}

/* An entry made directly: g_variant_builder_add() would parse "{sv}" for
 * each key of each changed worker, the most of a tick's cost.
 */
#define ADD(key, variant) \
  (g_variant_builder_add_value (&builder, g_variant_new_dict_entry (g_variant_new_string (key), \
                                                                    g_variant_new_variant (variant))), n++)
#define CHANGED(field) \
  (before == NULL || before->field != now->field)
#define STR_CHANGED(field) \
  (before == NULL || g_strcmp0 (before->field, now->field) != 0)
#define STR(field) \
  g_variant_new_string (now->field != NULL ? now->field : "")

/* "id" and the keys of @now that differ from @before (every key when
 * @before is NULL), in the protocol's order; NULL when nothing changed.
 * The result and the report are set once: comparing them is comparing
 * pointers (and, for the steps of a cleanup under way, their number).
 */
GVariant *
_spindle_export_fields_diff (const SpindleExportFields *before,
                             const SpindleExportFields *now,
                             guint64                    id,
                             guint                      set_number)
{
  GVariantBuilder builder;
  guint n = 0;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  ADD ("id", g_variant_new_uint64 (id));
  if (before == NULL)
    ADD ("set", g_variant_new_uint32 (set_number));
  if (CHANGED (parent))        ADD ("parent", g_variant_new_uint64 (now->parent));
  if (STR_CHANGED (name))      ADD ("name", STR (name));
  if (STR_CHANGED (kind))      ADD ("kind", STR (kind));
  if (CHANGED (tid))           ADD ("tid", g_variant_new_int32 (now->tid));
  if (CHANGED (state))
    ADD ("state", g_variant_new_string (_spindle_export_nick (SPINDLE_TYPE_WORKER_STATE, now->state)));
  if (CHANGED (stop_reason))
    ADD ("stop-reason", g_variant_new_string (_spindle_export_nick (SPINDLE_TYPE_STOP_REASON, now->stop_reason)));
  if (CHANGED (started_at))    ADD ("started-at", g_variant_new_int64 (now->started_at));
  if (CHANGED (finished_at))   ADD ("finished-at", g_variant_new_int64 (now->finished_at));
  if (STR_CHANGED (phase))     ADD ("phase", STR (phase));
  if (CHANGED (progress))      ADD ("progress", g_variant_new_double (now->progress));
  if (STR_CHANGED (waiting_for)) ADD ("waiting-for", STR (waiting_for));
  if (CHANGED (deadline))      ADD ("deadline", g_variant_new_int64 (now->deadline));
  if (CHANGED (escalation))
    ADD ("escalation", g_variant_new_string (_spindle_export_nick (SPINDLE_TYPE_ESCALATION, now->escalation)));
  if (CHANGED (escalation_at)) ADD ("escalation-at", g_variant_new_int64 (now->escalation_at));
  if (CHANGED (unresponsive))  ADD ("unresponsive", g_variant_new_boolean (now->unresponsive));
  if (STR_CHANGED (error))     ADD ("error", STR (error));
  if (CHANGED (result))        ADD ("result", result_variant (now->result));
  if (CHANGED (pid))           ADD ("pid", g_variant_new_int32 (now->pid));
  if (CHANGED (cleanup) || CHANGED (n_steps))
    ADD ("cleanup", _spindle_export_cleanup_variant (now->cleanup));

  if (n == 1)
    {
      g_variant_builder_clear (&builder);
      return NULL;
    }

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

#undef ADD
#undef CHANGED
#undef STR_CHANGED
#undef STR

static GVariant *
history_variant (SpindleWorker *worker)
{
  SpindleHistoryEntry entries[SPINDLE_HISTORY_CAPACITY];
  guint n = spindle_worker_get_history (worker, entries, G_N_ELEMENTS (entries));
  static const char * const kinds[] = { "state", "kernel-state", "escalated", "cleanup" };
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(xss)"));
  for (guint i = 0; i < n; i++)
    {
      const SpindleHistoryEntry *entry = &entries[i];
      char kernel_state[2] = { entry->kernel_state, '\0' };
      const char *what = entry->kind == SPINDLE_HISTORY_KERNEL_STATE
                         ? kernel_state
                         : _spindle_export_nick (SPINDLE_TYPE_WORKER_STATE, entry->state);

      g_variant_builder_add (&builder, "(xss)", entry->time,
                             entry->kind < G_N_ELEMENTS (kinds) ? kinds[entry->kind] : "", what);
    }

  return g_variant_builder_end (&builder);
}

/* Details(): the diagnosis now, the cleanup report and the event log. */
GVariant *
_spindle_export_details (SpindleWorker *worker)
{
  g_autoptr(SpindleDiagnosis) diagnosis = spindle_worker_diagnose_now (worker);
  g_autofree char *text = NULL;
  GVariantBuilder builder;

  if (diagnosis != NULL)
    text = g_strjoin ("\n", diagnosis->summary != NULL ? diagnosis->summary : "",
                      diagnosis->advice != NULL ? diagnosis->advice : "", NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "diagnosis", g_variant_new_string (text != NULL ? text : ""));
  g_variant_builder_add (&builder, "{sv}", "cleanup",
                         _spindle_export_cleanup_variant (spindle_worker_get_cleanup_report (worker)));
  g_variant_builder_add (&builder, "{sv}", "history", history_variant (worker));

  return g_variant_new ("(@a{sv})", g_variant_builder_end (&builder));
}
