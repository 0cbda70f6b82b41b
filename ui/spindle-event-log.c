/* spindle-event-log.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-event-log"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-cleanup-step-item.h"
#include "spindle-event-log.h"
#include "spindle-format.h"

#define LOG_KEY "spindle-event-log"

/* A line logged before anyone asked for the model: kept plain, and made a
 * SpindleLogEntry only when the log is shown. Ten thousand workers log
 * three lines each as they start, and almost none is ever looked at.
 */
typedef struct
{
  gint64          real_time;    /* g_get_real_time () */
  gint64          since;
  SpindleLogKind  kind;
  char           *text;
} Record;

struct _SpindleEventLog
{
  GObject     parent_instance;

  GArray            *records;     /* (nullable) Record, until the model is asked for */
  GListStore        *entries;     /* (nullable) SpindleLogEntry, from then on */
  GListStore        *steps;       /* (nullable) SpindleCleanupStepItem: live, before the report arrives */
  SpindleEscalation  escalating;  /* an automatic step logged, its request not yet seen */
};

G_DEFINE_FINAL_TYPE (SpindleEventLog, spindle_event_log, G_TYPE_OBJECT)

enum {
  STEPS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void install_hooks (void);

static void
record_clear (Record *record)
{
  g_clear_pointer (&record->text, g_free);
}

static void
spindle_event_log_finalize (GObject *object)
{
  SpindleEventLog *self = SPINDLE_EVENT_LOG (object);

  g_clear_pointer (&self->records, g_array_unref);
  g_clear_object (&self->entries);
  g_clear_object (&self->steps);

  G_OBJECT_CLASS (spindle_event_log_parent_class)->finalize (object);
}

static void
spindle_event_log_class_init (SpindleEventLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = spindle_event_log_finalize;

  signals[STEPS_CHANGED] =
    g_signal_new ("steps-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  install_hooks ();
}

static void
spindle_event_log_init (SpindleEventLog *self)
{
  self->records = g_array_sized_new (FALSE, FALSE, sizeof (Record), 4);
  g_array_set_clear_func (self->records, (GDestroyNotify) record_clear);
}

/* Loaded once: looking the zone up again for every entry costs, and
 * thousands of workers starting log thousands of them.
 */
static GTimeZone *
local_zone (void)
{
  static gsize zone;

  if (g_once_init_enter (&zone))
    g_once_init_leave (&zone, (gsize) g_time_zone_new_local ());

  return (GTimeZone *) zone;
}

static SpindleLogEntry *
entry_new (const Record *record)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (record->real_time / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, local_zone ());
  g_autoptr(GDateTime) time = g_date_time_add (local, record->real_time % G_USEC_PER_SEC);

  return spindle_log_entry_new (time, record->since, record->kind, record->text);
}

static void
append_entry (SpindleEventLog *self,
              const Record    *record)
{
  g_autoptr(SpindleLogEntry) entry = entry_new (record);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->entries)) >= SPINDLE_EVENT_LOG_MAX_ENTRIES)
    g_list_store_remove (self->entries, 0);

  g_list_store_append (self->entries, entry);
}

static void
append_record (SpindleEventLog *self,
               Record          *record)
{
  if (self->records->len >= SPINDLE_EVENT_LOG_MAX_ENTRIES)
    g_array_remove_index (self->records, 0);

  g_array_append_val (self->records, *record);
}

void
spindle_event_log_add (SpindleEventLog *self,
                       SpindleWorker   *worker,
                       SpindleLogKind   kind,
                       const char      *format,
                       ...)
{
  gint64 started_at = spindle_worker_get_started_at (worker);
  Record record = { g_get_real_time (), 0, kind, NULL };
  va_list args;

  record.since = started_at > 0 ? MAX (g_get_monotonic_time () - started_at, 0) : 0;
  va_start (args, format);
  record.text = g_strdup_vprintf (format, args);
  va_end (args);

  if (self->entries != NULL)
    {
      append_entry (self, &record);
      record_clear (&record);
    }
  else
    {
      append_record (self, &record);
    }
}

static GListStore *
ensure_steps (SpindleEventLog *self)
{
  if (self->steps == NULL)
    self->steps = g_list_store_new (SPINDLE_TYPE_CLEANUP_STEP_ITEM);

  return self->steps;
}

static void
on_state (SpindleWorker   *worker,
          GParamSpec      *pspec,
          SpindleEventLog *self)
{
  spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_LIFE, _("state → %s"),
                         spindle_format_state_label (spindle_worker_get_state (worker)));
}

static void
on_tid (SpindleWorker   *worker,
        GParamSpec      *pspec,
        SpindleEventLog *self)
{
  spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_LIFE, _("thread started, TID %d"), spindle_worker_get_tid (worker));
}

/* "stop requested by the user"; a request the set makes on its own after a
 * deadline or a grace period was logged with its escalation already.
 */
static const char *
request_reason (SpindleStopReason reason)
{
  switch (reason)
    {
    case SPINDLE_STOP_REASON_USER:     return _("by the user");
    case SPINDLE_STOP_REASON_TIMEOUT:  return _("automatically");
    case SPINDLE_STOP_REASON_PARENT:   return _("by its parent");
    case SPINDLE_STOP_REASON_SHUTDOWN: return _("for shutdown");
    case SPINDLE_STOP_REASON_NONE:
    default:                           return "";
    }
}

/* TRUE when the escalation just logged announced this request. */
static gboolean
take_escalation (SpindleEventLog   *self,
                 SpindleEscalation  escalation)
{
  if (self->escalating != escalation)
    return FALSE;

  self->escalating = SPINDLE_ESCALATION_NONE;

  return TRUE;
}

static void
on_stop_requested (SpindleWorker     *worker,
                   SpindleStopReason  reason,
                   SpindleEventLog   *self)
{
  if (!take_escalation (self, SPINDLE_ESCALATION_STOP))
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_REQUEST,
                           _("stop requested %s"), request_reason (reason));
}

static void
on_cancel_requested (SpindleWorker     *worker,
                     SpindleStopReason  reason,
                     SpindleEventLog   *self)
{
  if (!take_escalation (self, SPINDLE_ESCALATION_CANCEL))
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_REQUEST,
                           _("force-cancel requested %s"), request_reason (reason));
}

/* What ran out, in the words of the step it causes. The engine arms the
 * last step from the cancel grace, or while cleaning from the cleanup's
 * own budget.
 */
static const char *
escalation_text (SpindleWorker     *worker,
                 SpindleEscalation  escalation)
{
  switch (escalation)
    {
    case SPINDLE_ESCALATION_STOP:
      return _("deadline passed: stop requested");
    case SPINDLE_ESCALATION_CANCEL:
      return _("stop grace ran out: force-cancel requested");
    case SPINDLE_ESCALATION_UNRESPONSIVE:
      if (spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_CLEANING)
        return _("cleanup grace ran out: marked unresponsive");
      return _("cancel grace ran out: marked unresponsive");
    case SPINDLE_ESCALATION_NONE:
    default:
      return NULL;
    }
}

static void
on_escalated (SpindleWorker     *worker,
              SpindleEscalation  escalation,
              SpindleEventLog   *self)
{
  const char *text = escalation_text (worker, escalation);

  if (text == NULL)
    return;

  self->escalating = escalation;
  spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_ESCALATION, "%s", text);
}

static void
on_cleanup_started (SpindleWorker   *worker,
                    SpindleEventLog *self)
{
  g_list_store_remove_all (ensure_steps (self));
  spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_CLEANUP, _("cleanup started"));
  g_signal_emit (self, signals[STEPS_CHANGED], 0);
}

static void
on_cleanup_step (SpindleWorker         *worker,
                 const char            *label,
                 SpindleCleanupOutcome  outcome,
                 const char            *message,
                 SpindleEventLog       *self)
{
  /* its duration comes with the report */
  SpindleCleanupStep step = { (char *) label, outcome, (char *) message, -1 };
  g_autoptr(SpindleCleanupStepItem) item = spindle_cleanup_step_item_new (&step);

  g_list_store_append (ensure_steps (self), item);

  if (outcome == SPINDLE_CLEANUP_OUTCOME_OK)
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_CLEANUP, "✓ %s", label);
  else if (outcome == SPINDLE_CLEANUP_OUTCOME_FAILED)
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_CLEANUP, "✗ %s: %s", label, message ? message : _("failed"));
  else
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_CLEANUP, _("– %s: not run"), label);

  g_signal_emit (self, signals[STEPS_CHANGED], 0);
}

static void
on_cleanup_finished (SpindleWorker        *worker,
                     SpindleCleanupReport *report,
                     SpindleEventLog      *self)
{
  g_autofree char *duration = spindle_format_duration (spindle_cleanup_report_get_duration (report));
  guint n = spindle_cleanup_report_get_n_steps (report);

  spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_CLEANUP,
                         g_dngettext (GETTEXT_PACKAGE,
                                      "cleanup finished: %u step in %s",
                                      "cleanup finished: %u steps in %s", n),
                         n, duration);
  g_signal_emit (self, signals[STEPS_CHANGED], 0);
}

static void
on_unresponsive (SpindleWorker   *worker,
                 GParamSpec      *pspec,
                 SpindleEventLog *self)
{
  /* the escalation said why already */
  if (spindle_worker_get_unresponsive (worker) && !take_escalation (self, SPINDLE_ESCALATION_UNRESPONSIVE))
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_ESCALATION, _("marked unresponsive"));
}

static void
on_waiting_for (SpindleWorker   *worker,
                GParamSpec      *pspec,
                SpindleEventLog *self)
{
  const char *waiting_for = spindle_worker_get_waiting_for (worker);

  if (waiting_for != NULL && *waiting_for != '\0')
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_WAIT, _("waiting for %s"), waiting_for);
}

/* One handler per worker for its properties: one connection costs an
 * allocation or three, and ten thousand workers each with ten cost a
 * launch a fifth of its main thread.
 */
static void
on_notify (SpindleWorker   *worker,
           GParamSpec      *pspec,
           SpindleEventLog *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "state"))
    on_state (worker, pspec, self);
  else if (g_str_equal (name, "tid"))
    on_tid (worker, pspec, self);
  else if (g_str_equal (name, "unresponsive"))
    on_unresponsive (worker, pspec, self);
  else if (g_str_equal (name, "waiting-for"))
    on_waiting_for (worker, pspec, self);
}

/* The worker's own signals reach every log through emission hooks, one
 * for all workers, instead of six connections per worker. A hook runs
 * before the handlers connected to the worker, as the log's handlers,
 * connected first, used to.
 */
static gboolean
on_signal (GSignalInvocationHint *hint,
           guint                  n_values,
           const GValue          *values,
           gpointer               data)
{
  SpindleWorker *worker = g_value_get_object (&values[0]);
  SpindleEventLog *self = g_object_get_data (G_OBJECT (worker), LOG_KEY);
  const char *name = data;

  if (self == NULL)
    return TRUE;

  if (g_str_equal (name, "stop-requested"))
    on_stop_requested (worker, g_value_get_enum (&values[1]), self);
  else if (g_str_equal (name, "cancel-requested"))
    on_cancel_requested (worker, g_value_get_enum (&values[1]), self);
  else if (g_str_equal (name, "escalated"))
    on_escalated (worker, g_value_get_enum (&values[1]), self);
  else if (g_str_equal (name, "cleanup-started"))
    on_cleanup_started (worker, self);
  else if (g_str_equal (name, "cleanup-step"))
    on_cleanup_step (worker, g_value_get_string (&values[1]), g_value_get_enum (&values[2]),
                     g_value_get_string (&values[3]), self);
  else if (g_str_equal (name, "cleanup-finished"))
    on_cleanup_finished (worker, g_value_get_boxed (&values[1]), self);

  return TRUE;
}

/* Once, from class_init: the hooks stay for the life of the process. */
static void
install_hooks (void)
{
  static const char * const names[] = {
    "stop-requested", "cancel-requested", "escalated",
    "cleanup-started", "cleanup-step", "cleanup-finished",
  };
  GType type = SPINDLE_TYPE_WORKER;

  g_type_class_ref (type);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_signal_add_emission_hook (g_signal_lookup (names[i], type), 0, on_signal, (gpointer) names[i], NULL);
}

SpindleEventLog *
spindle_event_log_peek (SpindleWorker *worker)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), NULL);

  return g_object_get_data (G_OBJECT (worker), LOG_KEY);
}

/* Returns the worker's log (transfer none), creating it on first use. */
SpindleEventLog *
spindle_event_log_ensure (SpindleWorker *worker)
{
  SpindleEventLog *self = spindle_event_log_peek (worker);
  SpindleWorkerState state;

  if (self != NULL)
    return self;

  self = g_object_new (SPINDLE_TYPE_EVENT_LOG, NULL);
  g_object_set_data_full (G_OBJECT (worker), LOG_KEY, self, g_object_unref);
  g_signal_connect (worker, "notify", G_CALLBACK (on_notify), self);

  state = spindle_worker_get_state (worker);
  if (state == SPINDLE_WORKER_STATE_STARTING)
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_LIFE, _("added, %s"), spindle_format_state_label (state));
  else
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_LIFE, _("watched from now on, %s"), spindle_format_state_label (state));

  return self;
}

/* The entries are made when first asked for, from what was logged until then. */
GListModel *
spindle_event_log_get_model (SpindleEventLog *self)
{
  g_return_val_if_fail (SPINDLE_IS_EVENT_LOG (self), NULL);

  if (self->entries == NULL)
    {
      g_autoptr(GPtrArray) entries = g_ptr_array_new_full (self->records->len, g_object_unref);

      for (guint i = 0; i < self->records->len; i++)
        g_ptr_array_add (entries, entry_new (&g_array_index (self->records, Record, i)));

      self->entries = g_list_store_new (SPINDLE_TYPE_LOG_ENTRY);
      g_list_store_splice (self->entries, 0, 0, entries->pdata, entries->len);
      g_clear_pointer (&self->records, g_array_unref);
    }

  return G_LIST_MODEL (self->entries);
}

/* The steps reported live (SpindleCleanupStepItem), until the next cleanup. */
GListModel *
spindle_event_log_get_steps (SpindleEventLog *self)
{
  g_return_val_if_fail (SPINDLE_IS_EVENT_LOG (self), NULL);

  return G_LIST_MODEL (ensure_steps (self));
}
