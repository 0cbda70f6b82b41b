/* spindle-stack.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define G_LOG_DOMAIN "spindle-stack"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "spindle-i18n-private.h"
#include "spindle-remote-private.h"
#include "spindle-stack.h"

/* A thread's call stack, captured by the spindle-stack helper: a process
 * cannot ptrace its own threads, and unwinding from a signal handler would
 * cut the thread's sleep short (signal(7): sleep calls are not restarted
 * after a handler). The helper pauses only that thread, with no signal,
 * for as long as the walk takes.
 */

typedef struct
{
  guint64  address;
  char    *function;
  char    *module;
  char    *file;
  guint    line;
} Frame;

struct _SpindleStack
{
  gatomicrefcount  ref_count;
  int              tid;
  gint64           pause_usec;
  GArray          *frames;   /* of Frame, innermost first */
};

G_DEFINE_BOXED_TYPE (SpindleStack, spindle_stack, spindle_stack_ref, spindle_stack_unref)

/* Captures of several threads at once would fight over the one ptracer a
 * process may name for Yama: they take turns.
 */
static GMutex capture_lock;

static void
frame_clear (Frame *frame)
{
  g_free (frame->function);
  g_free (frame->module);
  g_free (frame->file);
}

static SpindleStack *
spindle_stack_new (int tid)
{
  SpindleStack *stack = g_new0 (SpindleStack, 1);

  g_atomic_ref_count_init (&stack->ref_count);
  stack->tid = tid;
  stack->frames = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (stack->frames, (GDestroyNotify) frame_clear);
  return stack;
}

/**
 * spindle_stack_ref:
 * @stack: a stack
 *
 * Takes a reference on @stack.
 *
 * Returns: (transfer full): @stack
 */
SpindleStack *
spindle_stack_ref (SpindleStack *stack)
{
  g_return_val_if_fail (stack != NULL, NULL);

  g_atomic_ref_count_inc (&stack->ref_count);
  return stack;
}

/**
 * spindle_stack_unref:
 * @stack: (transfer full): a stack
 *
 * Drops a reference on @stack, freeing it with the last one.
 */
void
spindle_stack_unref (SpindleStack *stack)
{
  g_return_if_fail (stack != NULL);

  if (g_atomic_ref_count_dec (&stack->ref_count))
    {
      g_array_unref (stack->frames);
      g_free (stack);
    }
}

/**
 * spindle_stack_get_tid:
 * @stack: a stack
 *
 * The thread the stack was captured from.
 *
 * Returns: the kernel thread id whose stack this is
 */
int
spindle_stack_get_tid (SpindleStack *stack)
{
  g_return_val_if_fail (stack != NULL, 0);

  return stack->tid;
}

/**
 * spindle_stack_get_pause_usec:
 * @stack: a stack
 *
 * The thread was paused only while its stack was walked; names and lines
 * were looked up after it ran again.
 *
 * Returns: how long the thread was paused, in microseconds
 */
gint64
spindle_stack_get_pause_usec (SpindleStack *stack)
{
  g_return_val_if_fail (stack != NULL, 0);

  return stack->pause_usec;
}

/**
 * spindle_stack_get_n_frames:
 * @stack: a stack
 *
 * How many frames were unwound.
 *
 * Returns: the number of frames, the innermost (where the thread is) first
 */
guint
spindle_stack_get_n_frames (SpindleStack *stack)
{
  g_return_val_if_fail (stack != NULL, 0);

  return stack->frames->len;
}

static Frame *
get_frame (SpindleStack *stack,
           guint         index)
{
  g_return_val_if_fail (stack != NULL, NULL);
  g_return_val_if_fail (index < stack->frames->len, NULL);

  return &g_array_index (stack->frames, Frame, index);
}

/**
 * spindle_stack_get_frame_address:
 * @stack: a stack
 * @index: a frame, 0 being the innermost
 *
 * Where in the code a frame is.
 *
 * Returns: the frame's code address: the call instruction for a caller's
 *   frame, where the thread is for the innermost
 */
guint64
spindle_stack_get_frame_address (SpindleStack *stack,
                                 guint         index)
{
  Frame *frame = get_frame (stack, index);

  return frame != NULL ? frame->address : 0;
}

/**
 * spindle_stack_get_frame_function:
 * @stack: a stack
 * @index: a frame, 0 being the innermost
 *
 * The function a frame is in.
 *
 * Returns: (nullable): the function's symbol name, or %NULL when the
 *   module has no symbol for the address
 */
const char *
spindle_stack_get_frame_function (SpindleStack *stack,
                                  guint         index)
{
  Frame *frame = get_frame (stack, index);

  return frame != NULL ? frame->function : NULL;
}

/**
 * spindle_stack_get_frame_module:
 * @stack: a stack
 * @index: a frame, 0 being the innermost
 *
 * The file a frame's code was loaded from.
 *
 * Returns: (nullable): the path of the executable or shared library the
 *   code belongs to, or %NULL for code outside any mapped file
 */
const char *
spindle_stack_get_frame_module (SpindleStack *stack,
                                guint         index)
{
  Frame *frame = get_frame (stack, index);

  return frame != NULL ? frame->module : NULL;
}

/**
 * spindle_stack_get_frame_file:
 * @stack: a stack
 * @index: a frame, 0 being the innermost
 *
 * The source file of a frame.
 *
 * Returns: (nullable): the source file, when debug information for the
 *   module is installed
 */
const char *
spindle_stack_get_frame_file (SpindleStack *stack,
                              guint         index)
{
  Frame *frame = get_frame (stack, index);

  return frame != NULL ? frame->file : NULL;
}

/**
 * spindle_stack_get_frame_line:
 * @stack: a stack
 * @index: a frame, 0 being the innermost
 *
 * The source line of a frame.
 *
 * Returns: the source line, or 0 when the file is not known
 */
guint
spindle_stack_get_frame_line (SpindleStack *stack,
                              guint         index)
{
  Frame *frame = get_frame (stack, index);

  return frame != NULL ? frame->line : 0;
}

/* The runtimes a program's own frames run on top of. */
static const char * const library_prefixes[] = {
  "libc.so", "libc-", "ld-linux", "libpthread", "libdl", "libm.so",
  "libglib-2.0", "libgobject-2.0", "libgio-2.0", "libgthread-2.0", "libgmodule-2.0",
  "libspindle-1", "libffi", "libgirepository", "libpython", "libstdc++", "libgcc_s",
  "libasan", "libubsan", "libgtk-4",
};

/**
 * spindle_stack_frame_is_library:
 * @stack: a stack
 * @index: a frame, 0 being the innermost
 *
 * Whether the frame is in a runtime library (the C library, GLib,
 * libspindle, the Python interpreter…) rather than in the program's own
 * code: a view folds runs of them so that the program's frames stand out.
 *
 * Returns: %TRUE for a runtime library's frame
 */
gboolean
spindle_stack_frame_is_library (SpindleStack *stack,
                                guint         index)
{
  Frame *frame = get_frame (stack, index);
  const char *base;

  if (frame == NULL || frame->module == NULL)
    return FALSE;

  base = strrchr (frame->module, '/');
  base = base != NULL ? base + 1 : frame->module;
  for (gsize i = 0; i < G_N_ELEMENTS (library_prefixes); i++)
    if (g_str_has_prefix (base, library_prefixes[i]))
      return TRUE;
  return FALSE;
}

static const char *
basename_of (const char *path)
{
  const char *slash = path != NULL ? strrchr (path, '/') : NULL;

  return slash != NULL ? slash + 1 : path;
}

static void
append_frame (GString      *text,
              SpindleStack *stack,
              guint         index)
{
  Frame *frame = get_frame (stack, index);

  g_string_append_printf (text, "#%-2u %s", index,
                          frame->function != NULL ? frame->function : "??");
  if (frame->file != NULL)
    g_string_append_printf (text, " at %s:%u", frame->file, frame->line);
  else if (frame->module != NULL)
    g_string_append_printf (text, " in %s", basename_of (frame->module));
  g_string_append_printf (text, " (0x%" G_GINT64_MODIFIER "x)\n", frame->address);
}

/**
 * spindle_stack_get_fold_end:
 * @stack: a stack
 * @index: a frame, 0 being the innermost
 *
 * Where a view that folds library frames resumes after the frame at
 * that index: past the run of two or more runtime library frames (see
 * spindle_stack_frame_is_library()) that starts there, which it shows as
 * one line (spindle_stack_describe_frames()); for a frame shown on its
 * own, the frame after it. The innermost frame, which says where the
 * thread waits, is never folded.
 *
 * Returns: the index of the next frame to show
 */
guint
spindle_stack_get_fold_end (SpindleStack *stack,
                            guint         index)
{
  guint end = index;

  g_return_val_if_fail (stack != NULL, index + 1);

  if (index > 0)
    while (end < stack->frames->len && spindle_stack_frame_is_library (stack, end))
      end++;
  return end - index >= 2 ? end : index + 1;
}

/**
 * spindle_stack_describe_frames:
 * @stack: a stack
 * @first: the first frame of a folded run
 * @end: the frame after it, from spindle_stack_get_fold_end()
 *
 * Says what a folded run of frames holds, for the one line a view shows
 * instead of them: "3 frames in libc.so.6, libglib-2.0.so.0".
 *
 * Returns: (transfer full): the text
 */
char *
spindle_stack_describe_frames (SpindleStack *stack,
                               guint         first,
                               guint         end)
{
  g_autoptr(GPtrArray) modules = g_ptr_array_new ();
  g_autofree char *names = NULL;

  g_return_val_if_fail (stack != NULL, NULL);
  g_return_val_if_fail (first <= end && end <= stack->frames->len, NULL);

  for (guint i = first; i < end; i++)
    {
      const char *base = basename_of (get_frame (stack, i)->module);

      if (base != NULL && !g_ptr_array_find_with_equal_func (modules, base, g_str_equal, NULL))
        g_ptr_array_add (modules, (gpointer) base);
    }
  g_ptr_array_add (modules, NULL);
  names = g_strjoinv (", ", (char **) modules->pdata);

  /* Translators: a line of a call stack that stands for several frames
   * of libraries, e.g. "3 frames in libc.so.6, libglib-2.0.so.0" */
  return g_strdup_printf (g_dngettext (SPINDLE_GETTEXT_PACKAGE, "%u frame in %s", "%u frames in %s", end - first),
                          end - first, names);
}

/**
 * spindle_stack_to_string:
 * @stack: a stack
 * @fold_libraries: whether runs of runtime library frames (see
 *   spindle_stack_frame_is_library()) are folded into one line, except
 *   the innermost frame, which says where the thread waits
 *
 * Formats the stack as a debugger would, one frame a line, innermost first.
 *
 * Returns: (transfer full): the text
 */
char *
spindle_stack_to_string (SpindleStack *stack,
                         gboolean      fold_libraries)
{
  GString *text;
  guint n;

  g_return_val_if_fail (stack != NULL, NULL);

  text = g_string_new (NULL);
  n = stack->frames->len;
  for (guint i = 0, end; i < n; i = end)
    {
      end = fold_libraries ? spindle_stack_get_fold_end (stack, i) : i + 1;
      if (end - i >= 2)
        {
          g_autofree char *fold = spindle_stack_describe_frames (stack, i, end);

          g_string_append_printf (text, "    … %s\n", fold);
        }
      else
        append_frame (text, stack, i);
    }
  return g_string_free (text, FALSE);
}

static const char *
helper_path (void)
{
  const char *path = g_getenv (SPINDLE_STACK_HELPER_ENV);

  return path != NULL && path[0] != '\0' ? path : SPINDLE_STACK_HELPER_PATH;
}

static char *
field_or_null (const char *field)
{
  return g_strcmp0 (field, "-") == 0 ? NULL : g_strdup (field);
}

static gboolean
parse_error (char    **fields,
             GError  **error)
{
  static const struct { const char *kind; GIOErrorEnum code; } kinds[] = {
    { "permission", G_IO_ERROR_PERMISSION_DENIED },
    { "gone", G_IO_ERROR_NOT_FOUND },
  };
  GIOErrorEnum code = G_IO_ERROR_FAILED;

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (fields[1], kinds[i].kind) == 0)
      code = kinds[i].code;
  g_set_error (error, G_IO_ERROR, code, _("Cannot capture the stack: %s"),
               fields[1] != NULL && fields[2] != NULL ? fields[2] : _("the helper failed"));
  return FALSE;
}

/* Reads the helper's records; fails on its error record or on output
 * that holds no frame.
 */
static gboolean
parse_output (SpindleStack  *stack,
              const char    *output,
              GError       **error)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 7);
      guint n = g_strv_length (fields);

      if (n >= 2 && strcmp (fields[0], "error") == 0)
        return parse_error (fields, error);
      if (n == 2 && strcmp (fields[0], "paused") == 0)
        stack->pause_usec = g_ascii_strtoll (fields[1], NULL, 10);
      if (n == 7 && strcmp (fields[0], "frame") == 0)
        {
          Frame frame = {
            .address = g_ascii_strtoull (fields[1], NULL, 16),
            .module = field_or_null (fields[2]),
            .function = field_or_null (fields[3]),
            .file = field_or_null (fields[5]),
            .line = (guint) g_ascii_strtoull (fields[6], NULL, 10),
          };
          g_array_append_val (stack->frames, frame);
        }
    }

  if (stack->frames->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot capture the stack: the helper %s gave no frame"), helper_path ());
      return FALSE;
    }
  return TRUE;
}

/* Yama's ptrace_scope 1 lets a process be traced only by its ancestors and
 * by the one process it names; the helper is a child, so it is named for
 * the time of the capture.
 */
static void
allow_tracer (GSubprocess *helper)
{
  const char *identifier = g_subprocess_get_identifier (helper);

  if (identifier != NULL)
    prctl (PR_SET_PTRACER, (unsigned long) atoi (identifier), 0, 0, 0);
}

static SpindleStack *
capture (int            tid,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(SpindleStack) stack = spindle_stack_new (tid);
  g_autoptr(GSubprocess) helper = NULL;
  g_autofree char *task_path = g_strdup_printf ("/proc/self/task/%d", tid);
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *tid_text = g_strdup_printf ("%d", tid);
  g_autofree char *output = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  const char *argv[] = { helper_path (), pid, tid_text, NULL };
  gboolean done;

  if (!g_file_test (task_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Cannot capture the stack: thread %d has ended, or is not a thread of this process"), tid);
      return NULL;
    }

  locker = g_mutex_locker_new (&capture_lock);
  helper = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, error);
  if (helper == NULL)
    return NULL;

  allow_tracer (helper);
  done = g_subprocess_communicate_utf8 (helper, "go\n", cancellable, &output, NULL, error);
  prctl (PR_SET_PTRACER, 0, 0, 0, 0);
  if (!done)
    {
      g_subprocess_force_exit (helper);
      return NULL;
    }
  if (!parse_output (stack, output != NULL ? output : "", error))
    return NULL;
  return g_steal_pointer (&stack);
}

static void
capture_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  SpindleStack *stack = capture (GPOINTER_TO_INT (task_data), cancellable, &error);

  if (stack != NULL)
    g_task_return_pointer (task, stack, (GDestroyNotify) spindle_stack_unref);
  else
    g_task_return_error (task, error);
}

/**
 * spindle_stack_capture_async:
 * @tid: a kernel thread id of this process: a worker's
 *   (spindle_worker_get_tid()) or any other thread's
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called on the thread-default main context of
 *   the caller when the stack is captured
 * @user_data: data for @callback
 *
 * Captures the thread's user-space call stack, with function names, and
 * source files and lines where debug information is installed. Only that
 * thread is paused, and only while its stack is walked; a sleep or wait it
 * is in goes on afterwards for the time it had left.
 *
 * The capture runs in the spindle-stack helper, which needs to be allowed
 * to trace this process: the library names it as the process's tracer
 * (`PR_SET_PTRACER`) for Yama's ptrace_scope 1. Under ptrace_scope 2 or 3,
 * or in a container without ptrace, the capture fails with
 * %G_IO_ERROR_PERMISSION_DENIED and a message that says what would allow
 * it. A thread that has ended fails with %G_IO_ERROR_NOT_FOUND.
 */
void
spindle_stack_capture_async (int                  tid,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, spindle_stack_capture_async);
  g_task_set_task_data (task, GINT_TO_POINTER (tid), NULL);
  if (tid <= 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("Cannot capture the stack: the worker has no thread"));
      return;
    }
  g_task_run_in_thread (task, capture_thread);
}

/**
 * spindle_stack_capture_finish:
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes spindle_stack_capture_async() or
 * spindle_worker_capture_stack_async().
 *
 * Returns: (transfer full): the stack, or %NULL with @error set
 */
SpindleStack *
spindle_stack_capture_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * spindle_worker_capture_stack_async:
 * @worker: a worker
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the stack is captured
 * @user_data: data for @callback
 *
 * Captures the call stack of @worker's thread, as
 * spindle_stack_capture_async() does; a worker whose thread has not
 * started or has ended fails with %G_IO_ERROR_NOT_FOUND; an abandoned
 * worker's thread, which runs on, can be captured. Finish with
 * spindle_stack_capture_finish().
 */
void
spindle_worker_capture_stack_async (SpindleWorker       *worker,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  SpindleWorkerState state;

  g_return_if_fail (SPINDLE_IS_WORKER (worker));

  /* the helper traces threads of this process only */
  if (_spindle_remote_is_mirror (worker))
    {
      g_task_report_new_error (NULL, callback, user_data, spindle_stack_capture_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                               _("Cannot capture the stack of another program’s worker: Spindle "
                                 "traces the threads of its own process only"));
      return;
    }

  /* An abandoned worker's thread runs on, and is the one most worth a
   * look; a finished worker's thread id may belong to another thread now.
   */
  state = spindle_worker_get_state (worker);
  spindle_stack_capture_async (spindle_worker_state_is_live (state) || state == SPINDLE_WORKER_STATE_ABANDONED
                               ? spindle_worker_get_tid (worker) : 0,
                               cancellable, callback, user_data);
}
