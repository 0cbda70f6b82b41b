/* spindle-export.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-export"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "spindle-dbus-generated.h"
#include "spindle-export-private.h"
#include "spindle-i18n-private.h"
#include "spindle-worker-set-private.h"

/* A program's worker sets on the session bus (dev.spindle.Spindle1.Program,
 * see its XML for the protocol and its cost model).
 *
 * Two sides, two kinds of thread:
 *  - the export thread owns the bus connection, the name, subscribers, flow
 *    control and a mirror of what was last sent (id → every key), so that
 *    bus traffic never waits for the program's main loop;
 *  - each set's owner thread gathers changes on a tick source that runs
 *    only while someone subscribes. Workers mark themselves changed in
 *    their set (a hash insert, nothing while no one subscribes); the tick
 *    compares each marked worker's fields with the last ones sent and
 *    hands the whole delta to the export thread at once.
 * The export thread never touches a worker: control calls are invoked on
 * the owner's context and answered from there.
 *
 * This file: the export thread's life, the exported sets, the API.
 * spindle-export-gather.c: ticks; spindle-export-bus.c: subscribers and
 * methods; spindle-export-control.c: control calls;
 * spindle-export-worker.c: a worker's keys.
 */

#define RETAIN_USEC          (60 * G_USEC_PER_SEC)
#define RETAIN_MAX           1000

/* The one export of the process, shared by its exported sets. Static, not
 * global: the library exports functions only.
 */
static GMutex         export_mutex;
static GCond          export_cond;
static SpindleExport *the_export;
static gint           retain_max = RETAIN_MAX;     /* atomic; tests lower them */
static gint64         retain_usec = RETAIN_USEC;   /* under export_mutex */

static void export_release (SpindleExport      *self,
                            SpindleExportedSet *set);

/* What a person would call the program: its GLib name, else its command
 * (the script, for an interpreter running one).
 */
static char *
program_name (void)
{
  g_autofree char *cmdline = NULL;
  g_autofree char *first = NULL;
  gsize length;

  if (g_get_prgname () != NULL)
    return g_strdup (g_get_prgname ());
  if (!g_file_get_contents ("/proc/self/cmdline", &cmdline, &length, NULL) || length == 0)
    return g_strdup ("");

  first = g_path_get_basename (cmdline);
  if (g_str_has_prefix (first, "python") && strlen (cmdline) + 1 < length)
    return g_path_get_basename (cmdline + strlen (cmdline) + 1);

  return g_steal_pointer (&first);
}

/* The export thread **********************************************************/

static void
set_ready (SpindleExport *self,
           GError        *error)
{
  g_mutex_lock (&export_mutex);
  self->ready = TRUE;
  if (error != NULL && self->error == NULL)
    self->error = g_error_copy (error);
  g_cond_broadcast (&export_cond);
  g_mutex_unlock (&export_mutex);
}

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  set_ready (user_data, NULL);
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                                         _("Could not own the name %s on the session bus"), name);

  set_ready (user_data, error);
}

static gboolean
connect_bus (SpindleExport  *self,
             GError        **error)
{
  g_autofree char *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, error);

  if (address == NULL)
    return FALSE;

  /* our own connection: the program's traffic and ours never wait on
   * each other, and closing it at unexport touches nothing of theirs
   */
  self->connection = g_dbus_connection_new_for_address_sync (address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, error);
  if (self->connection == NULL)
    return FALSE;

  g_dbus_connection_set_exit_on_close (self->connection, FALSE);
  self->object_id = g_dbus_connection_register_object (self->connection, SPINDLE_EXPORT_OBJECT_PATH,
                                                       spindle_dbus_program_interface_info (),
                                                       _spindle_export_get_vtable (), self, NULL, error);
  if (self->object_id == 0)
    return FALSE;

  self->owner_id = g_bus_own_name_on_connection (self->connection, self->bus_name,
                                                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                 name_acquired_cb, name_lost_cb, self, NULL);
  return TRUE;
}

static void
disconnect_bus (SpindleExport *self)
{
  _spindle_export_bus_close (self);
  if (self->owner_id != 0)
    g_bus_unown_name (self->owner_id);
  if (self->object_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->object_id);
  if (self->connection != NULL)
    g_dbus_connection_close_sync (self->connection, NULL, NULL);
  g_clear_object (&self->connection);
}

static gpointer
export_thread (gpointer data)
{
  SpindleExport *self = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  if (!connect_bus (self, &error))
    set_ready (self, error);
  else
    g_main_loop_run (self->loop);

  disconnect_bus (self);
  g_main_context_pop_thread_default (self->context);

  return NULL;
}

static void
export_free (SpindleExport *self)
{
  g_clear_pointer (&self->loop, g_main_loop_unref);
  /* pending deltas and control calls are dropped with the context */
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->sets, g_ptr_array_unref);
  _spindle_export_bus_free (self);
  g_clear_error (&self->error);
  g_free (self->bus_name);
  g_free (self->program_name);
  g_free (self);
}

static SpindleExport *
export_new (void)
{
  SpindleExport *self = g_new0 (SpindleExport, 1);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->bus_name = g_strdup_printf (SPINDLE_EXPORT_NAME_PREFIX "p%d", (int) getpid ());
  self->program_name = program_name ();
  self->sets = g_ptr_array_new ();
  _spindle_export_bus_init (self);
  self->interval_ms = SPINDLE_EXPORT_DEFAULT_INTERVAL_MS;

  return self;
}

/* Stops the thread; export_mutex is not held. */
static void
export_stop (SpindleExport *self)
{
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  export_free (self);
}

/* Called with export_mutex held: the process's export, started if need be. */
static SpindleExport *
export_acquire (GError **error)
{
  SpindleExport *self = the_export;

  if (self != NULL)
    return self;

  self = export_new ();
  self->thread = g_thread_new ("spindle-export", export_thread, self);
  while (!self->ready)
    g_cond_wait (&export_cond, &export_mutex);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      g_mutex_unlock (&export_mutex);
      export_stop (self);
      g_mutex_lock (&export_mutex);
      return NULL;
    }

  the_export = self;
  return self;
}

/* Exported sets ***************************************************************/

SpindleExportedSet *
_spindle_exported_set_ref (SpindleExportedSet *set)
{
  g_atomic_ref_count_inc (&set->ref_count);
  return set;
}

void
_spindle_exported_set_unref (SpindleExportedSet *set)
{
  if (!g_atomic_ref_count_dec (&set->ref_count))
    return;

  g_assert (set->set == NULL);
  g_clear_pointer (&set->tick, g_source_unref);
  g_clear_pointer (&set->context, g_main_context_unref);
  g_free (set);
}

static void
items_changed_cb (GListModel         *model,
                  guint               position,
                  guint               removed,
                  guint               added,
                  SpindleExportedSet *set)
{
  GHashTable *changed = set->set->export_changed;

  /* marks may name workers that are gone: the next tick walks the set */
  if (removed > 0)
    {
      set->resync = TRUE;
      if (changed != NULL)
        g_hash_table_remove_all (changed);
    }
}

static void
n_live_cb (SpindleWorkerSet   *model,
           GParamSpec         *pspec,
           SpindleExportedSet *set)
{
  g_atomic_int_set (&set->n_live, spindle_worker_set_get_n_live (model));
}

static void set_finalized_cb (gpointer data, GObject *where_the_object_was);

static SpindleExportedSet *
exported_set_new (SpindleExport      *export,
                  SpindleWorkerSet   *model,
                  SpindleExportFlags  flags)
{
  SpindleExportedSet *set = g_new0 (SpindleExportedSet, 1);

  g_atomic_ref_count_init (&set->ref_count);
  set->export = export;
  set->number = export->next_number++;
  set->flags = flags;
  set->set = model;
  set->context = g_main_context_ref (model->context);
  _spindle_exported_set_init_cache (set);
  set->n_live = spindle_worker_set_get_n_live (model);

  set->tick = _spindle_export_tick_new (set);

  set->items_changed_id = g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), set);
  set->n_live_id = g_signal_connect (model, "notify::n-live", G_CALLBACK (n_live_cb), set);
  g_object_weak_ref (G_OBJECT (model), set_finalized_cb, set);

  return set;
}

/* Owner thread, with export_mutex held: the set stops being exported;
 * @model is NULL when it is being finalized.
 */
static void
exported_set_detach (SpindleExportedSet *set,
                     SpindleWorkerSet   *model)
{
  if (model != NULL)
    {
      g_clear_signal_handler (&set->items_changed_id, model);
      g_clear_signal_handler (&set->n_live_id, model);
      g_object_weak_unref (G_OBJECT (model), set_finalized_cb, set);
    }
  /* the last set going takes the name with it: clients keep the last
   * state they saw; other sets going leave the views of the rest
   */
  if (set->export->sets->len > 1)
    _spindle_export_hand_over (set, _spindle_export_removal (set));
  g_clear_pointer (&set->set->export_changed, g_hash_table_unref);
  g_source_destroy (set->tick);
  g_clear_pointer (&set->cache, g_hash_table_unref);
  g_clear_pointer (&set->forgotten, g_hash_table_unref);
  g_queue_init (&set->finished);
  set->set = NULL;
}

static SpindleExportedSet *
lookup_set (SpindleExport    *export,
            SpindleWorkerSet *model)
{
  for (guint i = 0; export != NULL && i < export->sets->len; i++)
    {
      SpindleExportedSet *set = g_ptr_array_index (export->sets, i);

      if (set->set == model)
        return set;
    }

  return NULL;
}

/* With export_mutex held; releases it. The last set stops the thread. */
static void
export_release (SpindleExport      *export,
                SpindleExportedSet *set)
{
  gboolean last;

  g_ptr_array_remove (export->sets, set);
  last = export->sets->len == 0;
  if (last)
    the_export = NULL;
  g_mutex_unlock (&export_mutex);

  _spindle_exported_set_unref (set);
  if (last)
    export_stop (export);
}

static void
set_finalized_cb (gpointer  data,
                  GObject  *where_the_object_was)
{
  SpindleExportedSet *set = data;

  g_mutex_lock (&export_mutex);
  exported_set_detach (set, NULL);
  export_release (set->export, set);
}

/* Public API ******************************************************************/

/**
 * spindle_worker_set_export:
 * @set: a set
 * @flags: whether clients may control the workers
 * @error: where a failure to reach the session bus goes
 *
 * Shows @set's workers on the session bus, to `spindlectl`, Spindle's
 * "Attach to Program…" and any client of `dev.spindle.Spindle1.Program`
 * (the interface's XML, installed under `dbus-1/interfaces`, describes
 * the protocol). The program owns the name %SPINDLE_EXPORT_NAME_PREFIX
 * followed by "p" and its process id, which
 * spindle_worker_set_get_export_name() returns; every set a program
 * exports shares it. The first export waits until the name is owned.
 *
 * Setting `SPINDLE_EXPORT=1` in a program's environment exports every
 * set it creates read-only, and `SPINDLE_EXPORT=control` with control
 * allowed, without a line of code.
 *
 * The bus connection, subscriptions and flow control run on a thread of
 * their own: a client is answered even while the program's main loop is
 * busy. The workers' state is gathered on @set's main context, only
 * while a client subscribes: nothing is sent to the bus while no one
 * does. A program that never runs that context (no main loop) never
 * learns of its workers' own progress either: its clients are answered,
 * after at most 2 s, with the state as of the last time the context ran,
 * and control calls fail after 5 s with
 * `dev.spindle.Spindle1.Error.NotResponding`, having done nothing.
 *
 * Finished workers stay visible for 60 s after they ended, and no more
 * than the 1,000 that ended last.
 *
 * A set that mirrors another program (spindle_worker_set_is_remote()) is
 * never exported: this fails with %SPINDLE_ERROR_INVALID_ARGUMENT, and
 * `SPINDLE_EXPORT` leaves it alone.
 *
 * Exporting a set again changes its flags. Use it from @set's thread.
 *
 * Returns: whether @set is exported
 */
gboolean
spindle_worker_set_export (SpindleWorkerSet    *set,
                           SpindleExportFlags   flags,
                           GError             **error)
{
  SpindleExportedSet *exported;
  SpindleExport *export;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), FALSE);
  SPINDLE_RETURN_VAL_IF_NOT_OWNER (set->owner, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* a mirror's workers are another program's, which exports them itself */
  if (set->remote != NULL)
    {
      g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_INVALID_ARGUMENT,
                   _("Cannot export workers mirrored from another program"));
      return FALSE;
    }

  g_mutex_lock (&export_mutex);
  if ((exported = lookup_set (the_export, set)) != NULL)
    {
      g_atomic_int_set (&exported->flags, flags);
      g_mutex_unlock (&export_mutex);
      return TRUE;
    }

  if ((export = export_acquire (error)) == NULL)
    {
      g_mutex_unlock (&export_mutex);
      return FALSE;
    }

  exported = exported_set_new (export, set, flags);
  g_ptr_array_add (export->sets, exported);
  g_mutex_unlock (&export_mutex);

  /* the mirror starts right, for a subscriber whose program does not run
   * its main context
   */
  _spindle_export_hand_over (exported, _spindle_export_gather (exported, FALSE));

  return TRUE;
}

/**
 * spindle_worker_set_unexport:
 * @set: a set
 *
 * Takes @set off the session bus. While other sets of the program stay
 * exported, its workers leave subscribers' views. When it was the last,
 * the program gives up its name and closes its bus connection: clients
 * see the name go, as when the program exits, and keep the last state
 * they saw. Does nothing if @set is not exported. A set is unexported
 * when it is finalized. Use it from @set's thread.
 */
void
spindle_worker_set_unexport (SpindleWorkerSet *set)
{
  SpindleExportedSet *exported;

  g_return_if_fail (SPINDLE_IS_WORKER_SET (set));
  SPINDLE_RETURN_IF_NOT_OWNER (set->owner);

  g_mutex_lock (&export_mutex);
  if ((exported = lookup_set (the_export, set)) == NULL)
    {
      g_mutex_unlock (&export_mutex);
      return;
    }

  exported_set_detach (exported, set);
  export_release (exported->export, exported);
}

/**
 * spindle_worker_set_get_export_name:
 * @set: a set
 *
 * The name on the session bus under which @set is exported.
 *
 * Returns: (nullable): the well-known name, or %NULL if @set is not exported
 */
const char *
spindle_worker_set_get_export_name (SpindleWorkerSet *set)
{
  const char *name = NULL;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);

  g_mutex_lock (&export_mutex);
  if (lookup_set (the_export, set) != NULL)
    name = the_export->bus_name;
  g_mutex_unlock (&export_mutex);

  return name;
}

/* SPINDLE_EXPORT=1 or =control: every set the program creates, except the
 * mirrors of other programs (spindle-remote.c), which are made as any set
 * and marked remote just after: the export waits for the set's context to
 * run or its first spawn, whichever comes first. Exporting a mirror would
 * make Spindle, attached to a program, claim that program's workers.
 */
static GQuark env_pending_quark (void);
G_DEFINE_QUARK (spindle-export-env-pending, env_pending)

static SpindleExportFlags
environment_flags (gboolean *wanted)
{
  const char *value = g_getenv ("SPINDLE_EXPORT");

  *wanted = value != NULL && value[0] != '\0' && !g_str_equal (value, "0");

  return *wanted && g_str_equal (value, "control") ? SPINDLE_EXPORT_FLAGS_ALLOW_CONTROL
                                                    : SPINDLE_EXPORT_FLAGS_NONE;
}

static gboolean env_failed;   /* atomic */

static void
export_from_environment_now (SpindleWorkerSet *set)
{
  g_autoptr(GError) error = NULL;
  SpindleExportFlags flags;
  gboolean wanted;

  /* a bus that could not be reached is not tried again for every set */
  flags = environment_flags (&wanted);
  if (!wanted || g_atomic_int_get (&env_failed) || set->remote != NULL)
    return;

  if (!spindle_worker_set_export (set, flags, &error) &&
      g_atomic_int_compare_and_exchange (&env_failed, FALSE, TRUE))
    g_message ("SPINDLE_EXPORT: %s", error->message);
}

static gboolean
env_export_idle_cb (gpointer data)
{
  g_autoptr(SpindleWorkerSet) set = g_weak_ref_get (data);

  if (set != NULL)
    _spindle_export_settle_environment (set);

  return G_SOURCE_REMOVE;
}

static void
env_weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

void
_spindle_export_from_environment (SpindleWorkerSet *set)
{
  g_autoptr(GSource) source = NULL;
  GWeakRef *ref;
  gboolean wanted;

  environment_flags (&wanted);
  if (!wanted || g_atomic_int_get (&env_failed))
    return;

  g_object_set_qdata (G_OBJECT (set), env_pending_quark (), GINT_TO_POINTER (TRUE));

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, set);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_static_name (source, "[spindle] SPINDLE_EXPORT");
  g_source_set_callback (source, env_export_idle_cb, ref, env_weak_ref_free);
  g_source_attach (source, set->context);
}

/* The set's context ran, or it spawns: it is known by now whether it is a
 * mirror.
 */
void
_spindle_export_settle_environment (SpindleWorkerSet *set)
{
  if (g_object_get_qdata (G_OBJECT (set), env_pending_quark ()) == NULL)
    return;

  g_object_set_qdata (G_OBJECT (set), env_pending_quark (), NULL);
  export_from_environment_now (set);
}

/* For tests: signals sent since the export started. */
guint
_spindle_export_get_n_signals (void)
{
  guint n;

  g_mutex_lock (&export_mutex);
  n = the_export != NULL ? (guint) g_atomic_int_get (&the_export->n_signals) : 0;
  g_mutex_unlock (&export_mutex);

  return n;
}

/* For tests: clients subscribed now, waiting ones included. */
guint
_spindle_export_get_n_subscribers (void)
{
  guint n;

  g_mutex_lock (&export_mutex);
  n = the_export != NULL ? (guint) g_atomic_int_get (&the_export->n_subscribers) : 0;
  g_mutex_unlock (&export_mutex);

  return n;
}

/* For tests: how many finished workers stay exported, and how long. */
void
_spindle_export_set_retention (guint  max,
                               gint64 usec)
{
  g_atomic_int_set (&retain_max, max);
  g_mutex_lock (&export_mutex);
  retain_usec = usec;
  g_mutex_unlock (&export_mutex);
}

/* For tests: whether @set's workers mark their changes for a tick (only
 * while someone subscribes). Owner thread.
 */
gboolean
_spindle_export_is_gathering (SpindleWorkerSet *set)
{
  return set->export_changed != NULL;
}

void
_spindle_export_lock (void)
{
  g_mutex_lock (&export_mutex);
}

void
_spindle_export_unlock (void)
{
  g_mutex_unlock (&export_mutex);
}

void
_spindle_export_get_retention (guint  *max,
                               gint64 *usec)
{
  *max = g_atomic_int_get (&retain_max);
  g_mutex_lock (&export_mutex);
  *usec = retain_usec;
  g_mutex_unlock (&export_mutex);
}
