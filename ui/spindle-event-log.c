/* spindle-event-log.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "spindle-event-log.h"
#include "spindle-format.h"

#define LOG_KEY "spindle-event-log"

struct _SpindleEventLog
{
  GObject     parent_instance;

  GListStore *entries;
  GArray     *steps;      /* live cleanup steps, before the report arrives */
};

G_DEFINE_FINAL_TYPE (SpindleEventLog, spindle_event_log, G_TYPE_OBJECT)

enum {
  STEPS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_step (gpointer data)
{
  SpindleCleanupStep *step = data;

  g_clear_pointer (&step->label, g_free);
  g_clear_pointer (&step->message, g_free);
}

static void
spindle_event_log_finalize (GObject *object)
{
  SpindleEventLog *self = SPINDLE_EVENT_LOG (object);

  g_clear_object (&self->entries);
  g_clear_pointer (&self->steps, g_array_unref);

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
  self->entries = g_list_store_new (GTK_TYPE_STRING_OBJECT);
  self->steps = g_array_new (FALSE, TRUE, sizeof (SpindleCleanupStep));
  g_array_set_clear_func (self->steps, clear_step);
}

static char *
format_timestamp (SpindleWorker *worker)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *clock = g_date_time_format (now, "%H:%M:%S");
  gint64 started_at = spindle_worker_get_started_at (worker);
  double since = started_at > 0 ? (g_get_monotonic_time () - started_at) / (double) G_USEC_PER_SEC : 0;

  return g_strdup_printf ("%s.%03d\t+%.3f s", clock,
                          g_date_time_get_microsecond (now) / 1000, since);
}

void
spindle_event_log_add (SpindleEventLog *self,
                       SpindleWorker   *worker,
                       const char      *format,
                       ...)
{
  g_autofree char *stamp = format_timestamp (worker);
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GtkStringObject) entry = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  line = g_strconcat (stamp, "\t", text, NULL);
  entry = gtk_string_object_new (line);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->entries)) >= SPINDLE_EVENT_LOG_MAX_ENTRIES)
    g_list_store_remove (self->entries, 0);

  g_list_store_append (self->entries, entry);
}

static void
on_state (SpindleWorker   *worker,
          GParamSpec      *pspec,
          SpindleEventLog *self)
{
  spindle_event_log_add (self, worker, _("state → %s"),
                         spindle_format_state_label (spindle_worker_get_state (worker)));
}

static void
on_tid (SpindleWorker   *worker,
        GParamSpec      *pspec,
        SpindleEventLog *self)
{
  spindle_event_log_add (self, worker, _("thread started, TID %d"), spindle_worker_get_tid (worker));
}

static void
on_stop_requested (SpindleWorker     *worker,
                   SpindleStopReason  reason,
                   SpindleEventLog   *self)
{
  spindle_event_log_add (self, worker, _("stop requested %s"), spindle_format_reason_label (reason));
}

static void
on_cancel_requested (SpindleWorker     *worker,
                     SpindleStopReason  reason,
                     SpindleEventLog   *self)
{
  spindle_event_log_add (self, worker, _("force-cancel requested %s"), spindle_format_reason_label (reason));
}

static void
on_escalated (SpindleWorker     *worker,
              SpindleEscalation  escalation,
              SpindleEventLog   *self)
{
  switch (escalation)
    {
    case SPINDLE_ESCALATION_STOP:
      spindle_event_log_add (self, worker, _("escalated: deadline reached, stopping"));
      break;
    case SPINDLE_ESCALATION_CANCEL:
      spindle_event_log_add (self, worker, _("escalated: grace period over, force-cancelling"));
      break;
    case SPINDLE_ESCALATION_UNRESPONSIVE:
      spindle_event_log_add (self, worker, _("escalated: grace period over, unresponsive"));
      break;
    case SPINDLE_ESCALATION_NONE:
    default:
      break;
    }
}

static void
on_cleanup_started (SpindleWorker   *worker,
                    SpindleEventLog *self)
{
  g_array_set_size (self->steps, 0);
  spindle_event_log_add (self, worker, _("cleanup started"));
  g_signal_emit (self, signals[STEPS_CHANGED], 0);
}

static void
on_cleanup_step (SpindleWorker         *worker,
                 const char            *label,
                 SpindleCleanupOutcome  outcome,
                 const char            *message,
                 SpindleEventLog       *self)
{
  SpindleCleanupStep step = {
    .label = g_strdup (label),
    .outcome = outcome,
    .message = g_strdup (message),
    .duration_usec = -1,
  };

  g_array_append_val (self->steps, step);

  if (outcome == SPINDLE_CLEANUP_OUTCOME_OK)
    spindle_event_log_add (self, worker, "✓ %s", label);
  else if (outcome == SPINDLE_CLEANUP_OUTCOME_FAILED)
    spindle_event_log_add (self, worker, "✗ %s: %s", label, message ? message : _("failed"));
  else
    spindle_event_log_add (self, worker, _("– %s: not run"), label);

  g_signal_emit (self, signals[STEPS_CHANGED], 0);
}

static void
on_cleanup_finished (SpindleWorker        *worker,
                     SpindleCleanupReport *report,
                     SpindleEventLog      *self)
{
  g_autofree char *duration = spindle_format_duration (spindle_cleanup_report_get_duration (report));
  guint n = spindle_cleanup_report_get_n_steps (report);

  spindle_event_log_add (self, worker,
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
  if (spindle_worker_get_unresponsive (worker))
    spindle_event_log_add (self, worker, _("unresponsive: grace period passed without progress"));
}

static void
on_waiting_for (SpindleWorker   *worker,
                GParamSpec      *pspec,
                SpindleEventLog *self)
{
  const char *waiting_for = spindle_worker_get_waiting_for (worker);

  if (waiting_for != NULL && *waiting_for != '\0')
    spindle_event_log_add (self, worker, _("waiting for %s"), waiting_for);
}

static void
spindle_event_log_attach (SpindleEventLog *self,
                          SpindleWorker   *worker)
{
  g_signal_connect (worker, "notify::state", G_CALLBACK (on_state), self);
  g_signal_connect (worker, "notify::tid", G_CALLBACK (on_tid), self);
  g_signal_connect (worker, "notify::unresponsive", G_CALLBACK (on_unresponsive), self);
  g_signal_connect (worker, "notify::waiting-for", G_CALLBACK (on_waiting_for), self);
  g_signal_connect (worker, "stop-requested", G_CALLBACK (on_stop_requested), self);
  g_signal_connect (worker, "cancel-requested", G_CALLBACK (on_cancel_requested), self);
  g_signal_connect (worker, "escalated", G_CALLBACK (on_escalated), self);
  g_signal_connect (worker, "cleanup-started", G_CALLBACK (on_cleanup_started), self);
  g_signal_connect (worker, "cleanup-step", G_CALLBACK (on_cleanup_step), self);
  g_signal_connect (worker, "cleanup-finished", G_CALLBACK (on_cleanup_finished), self);
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
  spindle_event_log_attach (self, worker);

  state = spindle_worker_get_state (worker);
  if (state == SPINDLE_WORKER_STATE_STARTING)
    spindle_event_log_add (self, worker, _("added, %s"), spindle_format_state_label (state));
  else
    spindle_event_log_add (self, worker, _("watched from now on, %s"), spindle_format_state_label (state));

  return self;
}

GListModel *
spindle_event_log_get_model (SpindleEventLog *self)
{
  g_return_val_if_fail (SPINDLE_IS_EVENT_LOG (self), NULL);

  return G_LIST_MODEL (self->entries);
}

guint
spindle_event_log_get_n_steps (SpindleEventLog *self)
{
  g_return_val_if_fail (SPINDLE_IS_EVENT_LOG (self), 0);

  return self->steps->len;
}

const SpindleCleanupStep *
spindle_event_log_get_step (SpindleEventLog *self,
                            guint            position)
{
  g_return_val_if_fail (SPINDLE_IS_EVENT_LOG (self), NULL);
  g_return_val_if_fail (position < self->steps->len, NULL);

  return &g_array_index (self->steps, SpindleCleanupStep, position);
}
