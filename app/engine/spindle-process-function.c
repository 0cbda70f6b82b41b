/* spindle-process-function.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-process"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "spindle-i18n-private.h"
#include "spindle-process-private.h"

/* Function workers: the program runs one of its own functions in a fresh
 * process by executing itself again (/proc/PID/exe, which still names the
 * running program if its file was replaced) with the function's name, as a
 * command worker. fork() without exec() in a threaded GTK program would
 * copy locks held by other threads; a fresh exec starts clean.
 */

#define FUNCTION_ARG "--spindle-function"

typedef struct
{
  SpindleFunction func;
  gpointer        user_data;
} Registered;

/* name → Registered, private to this file, filled before any worker runs */
static GHashTable *functions;
G_LOCK_DEFINE_STATIC (functions);

static gboolean
lookup (const char *name,
        Registered *found)
{
  Registered *registered;
  gboolean known;

  G_LOCK (functions);
  registered = functions != NULL ? g_hash_table_lookup (functions, name) : NULL;
  known = registered != NULL;
  if (known)
    *found = *registered;
  G_UNLOCK (functions);

  return known;
}

/**
 * spindle_function_register: (skip)
 * @name: how spindle_worker_set_spawn_function() names the function
 * @func: the function, run in the fresh process
 * @user_data: data for @func
 *
 * Registers @func under @name, for function workers. The program must
 * register the same functions in the fresh process, before it calls
 * spindle_function_run_requested(): register them at the top of main().
 * Registering a name again replaces the function.
 */
void
spindle_function_register (const char      *name,
                           SpindleFunction  func,
                           gpointer         user_data)
{
  Registered *registered;

  g_return_if_fail (name != NULL && name[0] != '\0');
  g_return_if_fail (func != NULL);

  registered = g_new (Registered, 1);
  registered->func = func;
  registered->user_data = user_data;

  G_LOCK (functions);
  if (functions == NULL)
    functions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (functions, g_strdup (name), registered);
  G_UNLOCK (functions);
}

/**
 * spindle_function_run_requested: (skip)
 * @argc: the program's argument count
 * @argv: (array length=argc): the program's arguments
 * @exit_status: (out): what the program should exit with, when it returns
 *   %TRUE
 *
 * Call it at the top of main(), once the functions are registered and
 * before anything else starts (before GTK, before threads). In a process
 * started for a function worker it runs the function named on the command
 * line with the worker's arguments and returns %TRUE: main() then returns
 * @exit_status. In any other process it returns %FALSE at once.
 *
 * Returns: whether this process ran a function and must now exit
 */
gboolean
spindle_function_run_requested (int    argc,
                                char **argv,
                                int   *exit_status)
{
  Registered registered;

  g_return_val_if_fail (exit_status != NULL, FALSE);

  if (argc < 3 || argv == NULL || g_strcmp0 (argv[1], FUNCTION_ARG) != 0)
    return FALSE;

  if (!lookup (argv[2], &registered))
    {
      fprintf (stderr, "%s: no function “%s” is registered\n", g_get_prgname () ? g_get_prgname () : argv[0], argv[2]);
      *exit_status = 127;
      return TRUE;
    }

  *exit_status = registered.func ((const char * const *) argv + 3, registered.user_data);
  return TRUE;
}

static char *
function_label (const char         *function,
                const char * const *args)
{
  g_autofree char *joined = args != NULL ? g_strjoinv (" ", (char **) args) : NULL;

  return joined != NULL && joined[0] != '\0' ? g_strdup_printf ("%s %s", function, joined) : g_strdup (function);
}

/**
 * spindle_worker_set_spawn_function: (skip)
 * @set: a #SpindleWorkerSet
 * @options: (nullable): as for spindle_worker_set_spawn_full(); the kind
 *   defaults to "function"; the worker is named after the function
 * @function: a name given to spindle_function_register()
 * @args: (nullable) (array zero-terminated=1): the function's arguments
 * @command_options: (nullable): as for spindle_worker_set_spawn_command()
 * @error: return location for a #GError
 *
 * Runs a registered function in a fresh process: the program executes
 * itself again, and its spindle_function_run_requested() runs the function
 * there. The worker is a command worker in every other way: a stop sends
 * the stop signal, a force-cancel kills the process and all it started,
 * and the report lists every process reaped. The function's return value
 * is the process's exit status.
 *
 * Returns: (transfer none) (nullable): the worker, owned by the set, or
 *   %NULL with @error set when @function is not registered
 */
SpindleWorker *
spindle_worker_set_spawn_function (SpindleWorkerSet            *set,
                                   const SpindleSpawnOptions   *options,
                                   const char                  *function,
                                   const char * const          *args,
                                   const SpindleCommandOptions *command_options,
                                   GError                     **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *label = NULL;
  Registered registered;

  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);
  g_return_val_if_fail (function != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!lookup (function, &registered))
    {
      g_set_error (error, SPINDLE_ERROR, SPINDLE_ERROR_UNKNOWN_KIND,
                   _("No function “%s” is registered for function workers"), function);
      return NULL;
    }

  /* the running program, even if its file was replaced meanwhile */
  g_ptr_array_add (argv, g_strdup_printf ("/proc/%d/exe", (int) getpid ()));
  g_ptr_array_add (argv, g_strdup (FUNCTION_ARG));
  g_ptr_array_add (argv, g_strdup (function));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  label = function_label (function, args);
  return _spindle_process_spawn (set, options, "function", label, (const char * const *) argv->pdata,
                                 command_options, error);
}
