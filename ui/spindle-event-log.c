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

/* The worker's properties the log follows, looked up once. */
static GParamSpec *state_pspec;
static GParamSpec *tid_pspec;
static GParamSpec *unresponsive_pspec;
static GParamSpec *waiting_for_pspec;

typedef struct
{
  gulong                    id;
  SpindleEventLogNotifyFunc func;
  gpointer                  user_data;
} NotifyHook;

/* Who hears of the followed workers' changes of state and of the
 * unresponsive flag (see spindle_event_log_add_notify_hook ()); the main
 * thread's, as the workers' notifies are. A hook removed while the hooks
 * run (by itself or by another) is only marked, its func cleared, and
 * taken out once the outermost run is over: the run's indices hold.
 */
static GArray   *notify_hooks;
static guint     notify_depth;    /* runs of the hooks under way */
static gboolean  notify_marked;   /* a hook was removed during one */

static void init_once (void);

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

/* Takes @text. @at is a g_get_monotonic_time () reading, and @real_time
 * the wall clock then.
 */
static void
add_text (SpindleEventLog *self,
          SpindleWorker   *worker,
          gint64           at,
          gint64           real_time,
          SpindleLogKind   kind,
          char            *text)
{
  gint64 started_at = spindle_worker_get_started_at (worker);
  Record record = { real_time, 0, kind, text };

  record.since = started_at > 0 ? MAX (at - started_at, 0) : 0;

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

/* A line written late, for what the worker's history says happened at
 * @at: @offset turns it into wall-clock time (see tell_start ()).
 */
static void
add_text_at (SpindleEventLog *self,
             SpindleWorker   *worker,
             gint64           at,
             gint64           offset,
             char            *text)
{
  add_text (self, worker, at, at + offset, SPINDLE_LOG_KIND_LIFE, text);
}

void
spindle_event_log_add (SpindleEventLog *self,
                       SpindleWorker   *worker,
                       SpindleLogKind   kind,
                       const char      *format,
                       ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  add_text (self, worker, g_get_monotonic_time (), g_get_real_time (), kind, text);
}

static GListStore *
ensure_steps (SpindleEventLog *self)
{
  if (self->steps == NULL)
    self->steps = g_list_store_new (SPINDLE_TYPE_CLEANUP_STEP_ITEM);

  return self->steps;
}

static SpindleEventLog *
peek_log (SpindleWorker *worker)
{
  return g_object_get_data (G_OBJECT (worker), LOG_KEY);
}

/* The start (a thread, then RUNNING) is what nearly every worker's log
 * ever says: the worker's history tells it when the log is made, and it
 * makes no log.
 */
static void
on_state (SpindleWorker *worker)
{
  SpindleWorkerState state = spindle_worker_get_state (worker);

  if (state == SPINDLE_WORKER_STATE_RUNNING && peek_log (worker) == NULL)
    return;

  spindle_event_log_add (spindle_event_log_ensure (worker), worker, SPINDLE_LOG_KIND_LIFE,
                         _("state → %s"), spindle_format_state_label (state));
}

static void
on_tid (SpindleWorker *worker)
{
  SpindleEventLog *self = peek_log (worker);

  if (self != NULL)
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
on_unresponsive (SpindleWorker *worker)
{
  SpindleEventLog *self;

  if (!spindle_worker_get_unresponsive (worker))
    return;

  /* the escalation said why already */
  self = spindle_event_log_ensure (worker);
  if (!take_escalation (self, SPINDLE_ESCALATION_UNRESPONSIVE))
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_ESCALATION, _("marked unresponsive"));
}

static void
on_waiting_for (SpindleWorker *worker)
{
  const char *waiting_for = spindle_worker_get_waiting_for (worker);

  if (waiting_for != NULL && *waiting_for != '\0')
    spindle_event_log_add (spindle_event_log_ensure (worker), worker, SPINDLE_LOG_KIND_WAIT,
                           _("waiting for %s"), waiting_for);
}

static void
sweep_notify_hooks (void)
{
  for (guint i = notify_hooks->len; i > 0; i--)
    if (g_array_index (notify_hooks, NotifyHook, i - 1).func == NULL)
      g_array_remove_index (notify_hooks, i - 1);

  notify_marked = FALSE;
}

/* A hook added by a hook hears of the next change, not of this one. The
 * hook is copied before it is called: one added meanwhile may move the
 * array.
 */
static void
run_notify_hooks (SpindleWorker *worker,
                  GParamSpec    *pspec)
{
  guint n = notify_hooks->len;

  notify_depth++;
  for (guint i = 0; i < n; i++)
    {
      NotifyHook hook = g_array_index (notify_hooks, NotifyHook, i);

      if (hook.func != NULL)
        hook.func (worker, pspec, hook.user_data);
    }

  if (--notify_depth == 0 && notify_marked)
    sweep_notify_hooks ();
}

/* The one handler a followed worker has, for all its properties: one
 * connection costs an allocation or three, and ten thousand workers made
 * in one launch each with four cost it a tenth of its main thread. The
 * log writes first, then the hooks hear of it.
 */
static void
on_notify (SpindleWorker *worker,
           GParamSpec    *pspec,
           gpointer       data)
{
  if (pspec == state_pspec)
    on_state (worker);
  else if (pspec == tid_pspec)
    on_tid (worker);
  else if (pspec == unresponsive_pspec)
    on_unresponsive (worker);
  else if (pspec == waiting_for_pspec)
    on_waiting_for (worker);

  if (pspec == state_pspec || pspec == unresponsive_pspec)
    run_notify_hooks (worker, pspec);
}

static gboolean
is_followed (SpindleWorker *worker)
{
  return g_signal_handler_find (worker, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_FUNC,
                                g_signal_lookup ("notify", G_TYPE_OBJECT), 0,
                                NULL, on_notify, NULL) != 0;
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
  SpindleEventLog *self = peek_log (worker);
  const char *name = data;

  /* a followed worker's log is made by the first thing it has to say */
  if (self == NULL && is_followed (worker))
    self = spindle_event_log_ensure (worker);
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

/* Once: the hooks stay for the life of the process. */
static void
install_hooks (void)
{
  static const char * const names[] = {
    "stop-requested", "cancel-requested", "escalated",
    "cleanup-started", "cleanup-step", "cleanup-finished",
  };
  GType type = SPINDLE_TYPE_WORKER;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_signal_add_emission_hook (g_signal_lookup (names[i], type), 0, on_signal, (gpointer) names[i], NULL);
}

static void
init_once (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      GObjectClass *worker_class = g_type_class_ref (SPINDLE_TYPE_WORKER);

      state_pspec = g_object_class_find_property (worker_class, "state");
      tid_pspec = g_object_class_find_property (worker_class, "tid");
      unresponsive_pspec = g_object_class_find_property (worker_class, "unresponsive");
      waiting_for_pspec = g_object_class_find_property (worker_class, "waiting-for");
      notify_hooks = g_array_new (FALSE, FALSE, sizeof (NotifyHook));
      install_hooks ();
      g_once_init_leave (&done, 1);
    }
}

/* What the history of a worker followed since it was added says of its
 * start, for a log made after it: the lines on_state () and on_tid ()
 * left to it, with the times they happened. A history cut short (it
 * keeps its last SPINDLE_HISTORY_CAPACITY changes) no longer holds the
 * start: the log says it watches from now on.
 */
static void
tell_start (SpindleEventLog *self,
            SpindleWorker   *worker)
{
  SpindleHistoryEntry history[SPINDLE_HISTORY_CAPACITY];
  guint n = spindle_worker_get_history (worker, history, G_N_ELEMENTS (history));
  const char *running = spindle_format_state_label (SPINDLE_WORKER_STATE_RUNNING);
  gint64 running_at = 0;
  int tid = spindle_worker_get_tid (worker);
  /* one offset for all the lines, so that lines of one moment keep their
   * order; the monotonic clock read first, so that a pause between the
   * two readings can only move them later, never after what is logged
   * from now on
   */
  gint64 now = g_get_monotonic_time ();
  gint64 offset = g_get_real_time () - now;

  /* a history cut short, or one that began after the start (a remote
   * worker's): nothing of the start is known, and no time is made up
   */
  if (n == 0 || history[0].kind != SPINDLE_HISTORY_STATE ||
      history[0].state != SPINDLE_WORKER_STATE_STARTING)
    {
      spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_LIFE, _("watched from now on, %s"),
                             spindle_format_state_label (spindle_worker_get_state (worker)));
      return;
    }

  /* the state's own change, not a kernel sample taken while it ran */
  for (guint i = 1; i < n; i++)
    if (history[i].kind == SPINDLE_HISTORY_STATE)
      {
        if (history[i].state == SPINDLE_WORKER_STATE_RUNNING)
          running_at = history[i].time;
        break;
      }

  add_text_at (self, worker, spindle_worker_get_started_at (worker), offset,
               g_strdup_printf (_("added, %s"), spindle_format_state_label (SPINDLE_WORKER_STATE_STARTING)));
  if (running_at == 0)
    return;
  if (tid > 0)
    add_text_at (self, worker, running_at, offset, g_strdup_printf (_("thread started, TID %d"), tid));
  add_text_at (self, worker, running_at, offset, g_strdup_printf (_("state → %s"), running));
}

static SpindleEventLog *
make_log (SpindleWorker *worker,
          gboolean       followed)
{
  SpindleEventLog *self = g_object_new (SPINDLE_TYPE_EVENT_LOG, NULL);
  SpindleWorkerState state = spindle_worker_get_state (worker);

  g_object_set_data_full (G_OBJECT (worker), LOG_KEY, self, g_object_unref);

  if (followed)
    tell_start (self, worker);
  else if (state == SPINDLE_WORKER_STATE_STARTING)
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_LIFE, _("added, %s"), spindle_format_state_label (state));
  else
    spindle_event_log_add (self, worker, SPINDLE_LOG_KIND_LIFE, _("watched from now on, %s"), spindle_format_state_label (state));

  return self;
}

SpindleEventLog *
spindle_event_log_peek (SpindleWorker *worker)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), NULL);

  return peek_log (worker);
}

/* Returns the worker's log (transfer none), creating it on first use;
 * a worker not followed yet is followed from now on.
 */
SpindleEventLog *
spindle_event_log_ensure (SpindleWorker *worker)
{
  SpindleEventLog *self;

  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), NULL);

  if ((self = peek_log (worker)) != NULL)
    return self;

  init_once ();
  if (is_followed (worker))
    return make_log (worker, TRUE);

  g_signal_connect (worker, "notify", G_CALLBACK (on_notify), NULL);
  return make_log (worker, FALSE);
}

/* Follows @worker from now on, with one handler, for its log and for the
 * notify hooks. It gets no log yet, whatever its state: all but a few of
 * ten thousand only start and run, which their history tells, and their
 * log is made when they have more to say, or when it is asked for. A
 * window opened on workers started before it (the command line's start
 * before GTK's) would otherwise make ten thousand logs at once.
 */
void
spindle_event_log_follow (SpindleWorker *worker)
{
  g_return_if_fail (SPINDLE_IS_WORKER (worker));

  init_once ();
  if (is_followed (worker))
    return;

  g_signal_connect (worker, "notify", G_CALLBACK (on_notify), NULL);
}

/* GLib gives a notify no emission hooks (G_SIGNAL_NO_HOOKS): these stand
 * in for them, for the followed workers' changes of "state" and
 * "unresponsive", so that a view that counts them needs no handler of its
 * own on each worker. Main thread only.
 */
gulong
spindle_event_log_add_notify_hook (SpindleEventLogNotifyFunc func,
                                   gpointer                  user_data)
{
  static gulong last_id;
  NotifyHook hook = { ++last_id, func, user_data };

  g_return_val_if_fail (func != NULL, 0);

  init_once ();
  g_array_append_val (notify_hooks, hook);

  return hook.id;
}

/* From a hook too, even itself: see run_notify_hooks (). */
void
spindle_event_log_remove_notify_hook (gulong id)
{
  g_return_if_fail (id != 0);

  for (guint i = 0; notify_hooks != NULL && i < notify_hooks->len; i++)
    {
      NotifyHook *hook = &g_array_index (notify_hooks, NotifyHook, i);

      if (hook->id != id)
        continue;

      if (notify_depth == 0)
        {
          g_array_remove_index (notify_hooks, i);
          return;
        }

      /* a marked hook keeps no id: it cannot be removed twice */
      *hook = (NotifyHook) { 0 };
      notify_marked = TRUE;
      return;
    }
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
