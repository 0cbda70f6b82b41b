/* spindle-export-control.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-export"

#include "config.h"

#include "spindle-enums.h"
#include "spindle-export-private.h"

/* Stop, ForceCancel, Abandon and Details: checked on the export thread,
 * invoked on the set's context, answered from there. A call the context
 * does not run in time is answered NotResponding and will do nothing.
 */

#define WORKER_ID_MASK       ((G_GUINT64_CONSTANT (1) << SPINDLE_EXPORT_SET_SHIFT) - 1)
#define CONTROL_WAIT_USEC    (5 * G_USEC_PER_SEC)
#define MAX_CALLS            64

/* Control (export thread → owner thread) *************************************/

typedef enum
{
  CONTROL_STOP,
  CONTROL_FORCE_CANCEL,
  CONTROL_ABANDON,
  CONTROL_DETAILS,
} ControlOp;

typedef struct
{
  gatomicrefcount        ref_count;
  gint                   answered;      /* atomic: the first to answer wins */
  SpindleExportedSet           *set;
  GDBusMethodInvocation *invocation;
  GSource               *timeout;
  ControlOp              op;
  guint64                id;
} Control;

static Control *
control_ref (Control *control)
{
  g_atomic_ref_count_inc (&control->ref_count);
  return control;
}

static void
control_unref (Control *control)
{
  if (!g_atomic_ref_count_dec (&control->ref_count))
    return;

  /* never answered: its context went away (the set was unexported) */
  if (g_atomic_int_compare_and_exchange (&control->answered, FALSE, TRUE))
    _spindle_export_return_error (control->invocation, "UnknownWorker",
                                  "Worker %" G_GUINT64_FORMAT " is no longer exported", control->id);
  g_clear_pointer (&control->timeout, g_source_unref);
  g_atomic_int_dec_and_test (&control->set->n_calls);
  _spindle_exported_set_unref (control->set);
  g_free (control);
}

static gboolean
claim (Control *control)
{
  if (!g_atomic_int_compare_and_exchange (&control->answered, FALSE, TRUE))
    return FALSE;

  g_source_destroy (control->timeout);
  return TRUE;
}

static SpindleWorker *
find_worker (GListModel *model,
             guint64     id)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpindleWorker) worker = g_list_model_get_item (model, i);
      SpindleWorker *found;

      if (spindle_worker_get_id (worker) == id)
        return worker;
      if ((found = find_worker (spindle_worker_get_children (worker), id)) != NULL)
        return found;
    }

  return NULL;
}

static void
control_act (Control       *control,
             SpindleWorker *worker)
{
  GDBusMethodInvocation *invocation = control->invocation;

  if (control->op == CONTROL_DETAILS)
    {
      g_dbus_method_invocation_return_value (invocation, _spindle_export_details (worker));
      return;
    }

  if (spindle_worker_is_terminal (worker))
    {
      _spindle_export_return_error (invocation, "Finished", "Worker %" G_GUINT64_FORMAT " already ended (%s)", control->id,
                    _spindle_export_nick (SPINDLE_TYPE_WORKER_STATE, spindle_worker_get_state (worker)));
      return;
    }

  switch (control->op)
    {
    case CONTROL_STOP:
      spindle_worker_request_stop (worker);
      break;

    case CONTROL_FORCE_CANCEL:
      spindle_worker_force_cancel (worker);
      break;

    case CONTROL_ABANDON:
      if (spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_STARTING ||
          spindle_worker_get_state (worker) == SPINDLE_WORKER_STATE_RUNNING)
        {
          _spindle_export_return_error (invocation, "InvalidArgs",
                        "Worker %" G_GUINT64_FORMAT " was not asked to stop: stop or cancel it first",
                        control->id);
          return;
        }
      spindle_worker_abandon (worker);
      break;

    case CONTROL_DETAILS:
    default:
      g_assert_not_reached ();
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* Owner thread. */
static gboolean
control_run_cb (gpointer data)
{
  Control *control = data;
  SpindleWorkerSet *set = control->set->set;
  SpindleWorker *worker;

  if (!claim (control))
    return G_SOURCE_REMOVE;

  worker = set != NULL ? find_worker (G_LIST_MODEL (set), control->id & WORKER_ID_MASK) : NULL;
  if (worker == NULL)
    _spindle_export_return_error (control->invocation, "UnknownWorker", "No worker %" G_GUINT64_FORMAT, control->id);
  else
    control_act (control, worker);

  return G_SOURCE_REMOVE;
}

/* Export thread: nothing was done, and nothing will be. */
static gboolean
control_timeout_cb (gpointer data)
{
  Control *control = data;

  if (g_atomic_int_compare_and_exchange (&control->answered, FALSE, TRUE))
    _spindle_export_return_error (control->invocation, "NotResponding",
                  "The program's main context did not run the call in %d s",
                  (int) (CONTROL_WAIT_USEC / G_USEC_PER_SEC));

  return G_SOURCE_REMOVE;
}

static SpindleExportedSet *
find_set (SpindleExport *self,
          guint64        id)
{
  SpindleExportedSet *found = NULL;

  _spindle_export_lock ();
  for (guint i = 0; i < self->sets->len && found == NULL; i++)
    {
      SpindleExportedSet *set = g_ptr_array_index (self->sets, i);

      if (set->number == id >> SPINDLE_EXPORT_SET_SHIFT)
        found = _spindle_exported_set_ref (set);
    }
  _spindle_export_unlock ();

  return found;
}

static gboolean
parse_op (const char *method,
          ControlOp  *op)
{
  static const char * const names[] = { "Stop", "ForceCancel", "Abandon", "Details" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (method, names[i]))
      {
        *op = i;
        return TRUE;
      }

  return FALSE;
}

void
_spindle_export_control_call (SpindleExport         *self,
                              const char            *method,
                              GVariant              *parameters,
                              GDBusMethodInvocation *invocation)
{
  SpindleExportedSet *set;
  Control *call;
  ControlOp op;
  guint64 id;

  if (!parse_op (method, &op))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No method %s", method);
      return;
    }

  g_variant_get (parameters, "(t)", &id);
  if ((set = find_set (self, id)) == NULL)
    {
      _spindle_export_return_error (invocation, "UnknownWorker", "No worker %" G_GUINT64_FORMAT, id);
      return;
    }
  if (op != CONTROL_DETAILS && !(g_atomic_int_get (&set->flags) & SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL))
    {
      _spindle_exported_set_unref (set);
      _spindle_export_return_error (invocation, "NotAllowed", "The program exports its workers read-only");
      return;
    }

  /* a context that does not run keeps its calls: not without bound */
  if (g_atomic_int_add (&set->n_calls, 1) >= MAX_CALLS)
    {
      g_atomic_int_dec_and_test (&set->n_calls);
      _spindle_exported_set_unref (set);
      _spindle_export_return_error (invocation, "NotResponding",
                                    "%d calls are waiting for the program's main context", MAX_CALLS);
      return;
    }

  call = g_new0 (Control, 1);
  g_atomic_ref_count_init (&call->ref_count);
  call->set = set;
  call->invocation = invocation;
  call->op = op;
  call->id = id;
  call->timeout = g_timeout_source_new (CONTROL_WAIT_USEC / 1000);
  g_source_set_callback (call->timeout, control_timeout_cb, control_ref (call),
                         (GDestroyNotify) control_unref);
  g_source_attach (call->timeout, self->context);
  g_main_context_invoke_full (call->set->context, G_PRIORITY_DEFAULT, control_run_cb,
                              call, (GDestroyNotify) control_unref);
}

