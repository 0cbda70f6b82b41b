/* spindlectl-program.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One exporting program as spindlectl sees it: its description and its
 * workers, kept up to date from a snapshot and the Updates that follow.
 */

#define G_LOG_DOMAIN "spindlectl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "spindlectl-private.h"

/* A parent chain longer than this is malformed (a cycle): it ends there. */
#define MAX_DEPTH 64

char *
ctl_bus_name_for_pid (guint pid)
{
  return g_strdup_printf (CTL_NAME_PREFIX "p%u", pid);
}

CtlProgram *
ctl_program_new (guint pid)
{
  CtlProgram *program = g_new0 (CtlProgram, 1);

  program->pid = pid;
  program->bus_name = ctl_bus_name_for_pid (pid);
  program->workers = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                            g_free, (GDestroyNotify) g_variant_unref);
  program->order = g_array_new (FALSE, FALSE, sizeof (guint64));
  return program;
}

void
ctl_program_free (CtlProgram *program)
{
  g_clear_pointer (&program->bus_name, g_free);
  g_clear_pointer (&program->comm, g_free);
  g_clear_pointer (&program->info, g_variant_unref);
  g_clear_pointer (&program->workers, g_hash_table_unref);
  g_clear_pointer (&program->order, g_array_unref);
  g_free (program);
}

static guint64
worker_id (GVariant *worker)
{
  guint64 id = 0;

  g_variant_lookup (worker, "id", "t", &id);
  return id;
}

static void
forget_worker (CtlProgram *program,
               guint64     id)
{
  if (!g_hash_table_remove (program->workers, &id))
    return;

  for (guint i = 0; i < program->order->len; i++)
    if (g_array_index (program->order, guint64, i) == id)
      {
        g_array_remove_index (program->order, i);
        break;
      }
}

static void
clear_workers (CtlProgram *program)
{
  g_hash_table_remove_all (program->workers);
  g_array_set_size (program->order, 0);
}

/* An Update carries only the keys that changed: they are laid over what
 * was known of the worker. */
static GVariant *
merge_worker (GVariant *known,
              GVariant *changed)
{
  g_auto(GVariantDict) dict = G_VARIANT_DICT_INIT (known);
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, changed);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_variant_dict_insert_value (&dict, key, value);
      g_variant_unref (value);
    }

  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
apply_worker (CtlProgram *program,
              GVariant   *changed)
{
  guint64 id = worker_id (changed);
  GVariant *known;

  if (id == 0)
    return;

  known = g_hash_table_lookup (program->workers, &id);
  if (known != NULL)
    {
      g_hash_table_insert (program->workers, g_memdup2 (&id, sizeof id),
                           merge_worker (known, changed));
      return;
    }

  g_hash_table_insert (program->workers, g_memdup2 (&id, sizeof id),
                       g_variant_ref (changed));
  g_array_append_val (program->order, id);
}

void
ctl_program_apply_update (CtlProgram *program,
                          GVariant   *changed,
                          GVariant   *removed)
{
  GVariantIter iter;
  GVariant *worker;
  guint64 id;

  g_variant_iter_init (&iter, changed);
  while ((worker = g_variant_iter_next_value (&iter)) != NULL)
    {
      apply_worker (program, worker);
      g_variant_unref (worker);
    }

  g_variant_iter_init (&iter, removed);
  while (g_variant_iter_next (&iter, "t", &id))
    forget_worker (program, id);
}

gboolean
ctl_program_subscribe (CtlProgram      *program,
                       GDBusConnection *bus,
                       guint            interval_ms,
                       GError         **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) workers = NULL;
  g_autoptr(GVariant) none = NULL;
  GVariantBuilder options;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  if (interval_ms > 0)
    g_variant_builder_add (&options, "{sv}", "interval-ms", g_variant_new_uint32 (interval_ms));

  reply = g_dbus_connection_call_sync (bus, program->bus_name, CTL_OBJECT_PATH,
                                       CTL_INTERFACE, "Subscribe",
                                       g_variant_new ("(a{sv})", &options),
                                       G_VARIANT_TYPE ("(ta{sv}aa{sv})"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                                       NULL, error);
  if (reply == NULL)
    return FALSE;

  g_clear_pointer (&program->info, g_variant_unref);
  g_variant_get (reply, "(t@a{sv}@aa{sv})", &program->seq, &program->info, &workers);
  clear_workers (program);
  none = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE_UINT64, NULL, 0));
  ctl_program_apply_update (program, workers, none);
  return TRUE;
}

void
ctl_program_unsubscribe (CtlProgram      *program,
                         GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* A program that exited meanwhile has nothing left to unsubscribe. */
  reply = g_dbus_connection_call_sync (bus, program->bus_name, CTL_OBJECT_PATH,
                                       CTL_INTERFACE, "Unsubscribe", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                                       NULL, &error);
  if (reply == NULL)
    g_debug ("Unsubscribe from %s: %s", program->bus_name, error->message);
}

gboolean
ctl_program_snapshot (CtlProgram      *program,
                      GDBusConnection *bus,
                      GError         **error)
{
  if (!ctl_program_subscribe (program, bus, 0, error))
    return FALSE;

  ctl_program_unsubscribe (program, bus);
  return TRUE;
}

/* A program may not know its own name (a Python program has no GLib
 * prgname unless it sets one): the kernel's name of the process then
 * stands in, as ps would show it. */
const char *
ctl_program_name (CtlProgram *program)
{
  const char *name = NULL;

  if (program->info != NULL && g_variant_lookup (program->info, "name", "&s", &name) && name[0] != '\0')
    return name;

  if (program->comm == NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%u/comm", program->pid);

      if (!g_file_get_contents (path, &program->comm, NULL, NULL))
        program->comm = g_strdup ("?");
      g_strchomp (program->comm);
    }
  return program->comm;
}

guint
ctl_program_count_live (CtlProgram *program)
{
  GHashTableIter iter;
  gpointer worker;
  guint live = 0;

  g_hash_table_iter_init (&iter, program->workers);
  while (g_hash_table_iter_next (&iter, NULL, &worker))
    {
      const char *state = "";

      g_variant_lookup (worker, "state", "&s", &state);
      if (!ctl_state_is_terminal (state))
        live++;
    }

  return live;
}

static guint64
worker_parent (GVariant *worker)
{
  guint64 parent = 0;

  g_variant_lookup (worker, "parent", "t", &parent);
  return parent;
}

guint
ctl_program_depth (CtlProgram *program,
                   GVariant   *worker)
{
  guint depth = 0;
  guint64 parent = worker_parent (worker);

  while (parent != 0 && depth < MAX_DEPTH)
    {
      GVariant *up = g_hash_table_lookup (program->workers, &parent);

      if (up == NULL)
        break;
      depth++;
      parent = worker_parent (up);
    }

  return depth;
}

static void
add_subtree (CtlProgram *program,
             GHashTable *children,
             GHashTable *placed,
             GPtrArray  *tree,
             guint64     id)
{
  GArray *below = g_hash_table_lookup (children, &id);

  if (below == NULL)
    return;

  for (guint i = 0; i < below->len; i++)
    {
      guint64 child = g_array_index (below, guint64, i);

      if (!g_hash_table_add (placed, g_memdup2 (&child, sizeof child)))
        continue;
      g_ptr_array_add (tree, g_hash_table_lookup (program->workers, &child));
      add_subtree (program, children, placed, tree, child);
    }
}

/* Every worker once, children right after their parent, in the order the
 * program reported them; a worker whose parent is not exported (or that
 * sits in a malformed cycle) is shown at the top level. */
GPtrArray *
ctl_program_tree (CtlProgram *program)
{
  g_autoptr(GHashTable) children = NULL;
  g_autoptr(GHashTable) placed = NULL;
  GPtrArray *tree = g_ptr_array_new ();
  guint64 top = 0;

  children = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                    g_free, (GDestroyNotify) g_array_unref);
  placed = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; i < program->order->len; i++)
    {
      guint64 id = g_array_index (program->order, guint64, i);
      GVariant *worker = g_hash_table_lookup (program->workers, &id);
      guint64 parent = worker_parent (worker);
      GArray *list;

      if (parent == id || !g_hash_table_contains (program->workers, &parent))
        parent = 0;
      list = g_hash_table_lookup (children, &parent);
      if (list == NULL)
        {
          list = g_array_new (FALSE, FALSE, sizeof (guint64));
          g_hash_table_insert (children, g_memdup2 (&parent, sizeof parent), list);
        }
      g_array_append_val (list, id);
    }

  add_subtree (program, children, placed, tree, top);

  /* what a cycle kept out of reach of the top level */
  for (guint i = 0; i < program->order->len; i++)
    {
      guint64 id = g_array_index (program->order, guint64, i);

      if (g_hash_table_add (placed, g_memdup2 (&id, sizeof id)))
        g_ptr_array_add (tree, g_hash_table_lookup (program->workers, &id));
    }

  return tree;
}

static gboolean
parse_id (const char *text,
          guint64    *id)
{
  char *end = NULL;

  if (text[0] < '0' || text[0] > '9')
    return FALSE;
  *id = g_ascii_strtoull (text, &end, 10);
  return *end == '\0' && *id != 0;
}

static gboolean
find_by_name (CtlProgram *program,
              const char *name,
              guint64    *id,
              GError    **error)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  guint found = 0;

  for (guint i = 0; i < program->order->len; i++)
    {
      guint64 each = g_array_index (program->order, guint64, i);
      GVariant *worker = g_hash_table_lookup (program->workers, &each);
      const char *each_name = NULL;

      if (!g_variant_lookup (worker, "name", "&s", &each_name) || g_strcmp0 (each_name, name) != 0)
        continue;
      *id = each;
      g_string_append_printf (ids, "%s%" G_GUINT64_FORMAT, found++ ? ", " : "", each);
    }

  if (found == 1)
    return TRUE;

  if (found == 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("Program %u has no worker with the id or name “%s”"),
                 program->pid, name);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                 _("Program %u has %u workers named “%s” (ids %s): give the id"),
                 program->pid, found, name, ids->str);
  return FALSE;
}

/* WORKER on the command line: an id of the snapshot, else a name that
 * one worker alone bears, else (all digits) an id the program itself may
 * judge. */
gboolean
ctl_program_find_worker (CtlProgram *program,
                         const char *spec,
                         guint64    *id,
                         GError    **error)
{
  guint64 number = 0;
  gboolean numeric = parse_id (spec, &number);
  g_autoptr(GError) local_error = NULL;

  if (numeric && g_hash_table_contains (program->workers, &number))
    {
      *id = number;
      return TRUE;
    }

  if (find_by_name (program, spec, id, &local_error))
    return TRUE;

  if (numeric && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      *id = number;
      return TRUE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
