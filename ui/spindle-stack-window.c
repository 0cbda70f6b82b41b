/* spindle-stack-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-stack-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "spindle-stack-window.h"

/* Where exactly a worker is stuck: its call stack, captured when the
 * window opens and again on request, with the program's own frames in
 * bold and runs of library frames (the C library, GLib, the engine)
 * folded unless the user asks to see them.
 */

struct _SpindleStackWindow
{
  GtkWindow      parent_instance;

  GtkLabel      *subtitle;
  GtkStack      *pages;
  GtkSpinner    *spinner;
  GtkLabel      *error_label;
  GtkTextView   *text_view;
  GtkLabel      *footer;
  GtkToggleButton *libraries_button;

  int            tid;
  SpindleStack  *stack;
  GCancellable  *cancellable;   /* of the capture under way */
  GSimpleActionGroup *actions;
};

G_DEFINE_FINAL_TYPE (SpindleStackWindow, spindle_stack_window, GTK_TYPE_WINDOW)

static const char *
basename_of (const char *path)
{
  const char *slash = path != NULL ? strrchr (path, '/') : NULL;

  return slash != NULL ? slash + 1 : path;
}

/* "clock_nanosleep@GLIBC_2.2.5" → "clock_nanosleep" */
static char *
display_function (const char *function)
{
  if (function == NULL)
    return g_strdup ("??");
  return g_strndup (function, strcspn (function, "@"));
}

static void
insert (GtkTextBuffer *buffer,
        const char    *text,
        const char    *tag)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (tag != NULL)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text, -1, tag, NULL);
  else
    gtk_text_buffer_insert (buffer, &end, text, -1);
}

static void
insert_frame (GtkTextBuffer *buffer,
              SpindleStack  *stack,
              guint          index)
{
  gboolean own = !spindle_stack_frame_is_library (stack, index);
  g_autofree char *number = g_strdup_printf ("#%-3u", index);
  g_autofree char *function = display_function (spindle_stack_get_frame_function (stack, index));
  const char *file = spindle_stack_get_frame_file (stack, index);
  const char *module = spindle_stack_get_frame_module (stack, index);
  g_autofree char *where = NULL;

  if (file != NULL)
    where = g_strdup_printf ("  %s:%u", file, spindle_stack_get_frame_line (stack, index));
  else
    where = g_strdup_printf ("  %s", module != NULL ? basename_of (module) : "?");

  insert (buffer, number, "location");
  insert (buffer, function, own ? "own" : NULL);
  insert (buffer, where, "location");
  insert (buffer, "\n", NULL);
}

static void
insert_fold (GtkTextBuffer *buffer,
             SpindleStack  *stack,
             guint          first,
             guint          end)
{
  g_autofree char *fold = spindle_stack_describe_frames (stack, first, end);
  g_autofree char *line = g_strdup_printf ("    … %s\n", fold);

  insert (buffer, line, "fold");
}

static void
show_stack (SpindleStackWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  gboolean fold = !gtk_toggle_button_get_active (self->libraries_button);
  guint n = spindle_stack_get_n_frames (self->stack);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *clock = g_date_time_format (now, "%X");
  g_autofree char *pause = NULL;
  g_autofree char *footer = NULL;

  gtk_text_buffer_set_text (buffer, "", 0);
  for (guint i = 0, end; i < n; i = end)
    {
      end = fold ? spindle_stack_get_fold_end (self->stack, i) : i + 1;
      if (end - i >= 2)
        insert_fold (buffer, self->stack, i, end);
      else
        insert_frame (buffer, self->stack, i);
    }

  pause = g_strdup_printf ("%.1f", spindle_stack_get_pause_usec (self->stack) / 1000.0);
  /* Translators: the first %s is a duration in milliseconds ("2.3"), the
   * second a time of day */
  footer = g_strdup_printf (ngettext ("%u frame. The thread was paused for %s ms to capture it, at %s; no other thread was paused.",
                                      "%u frames. The thread was paused for %s ms to capture them, at %s; no other thread was paused.",
                                      n),
                            n, pause, clock);
  gtk_label_set_text (self->footer, footer);
  gtk_stack_set_visible_child_name (self->pages, "stack");
}

static void
capture_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(SpindleStackWindow) self = data;
  g_autoptr(GError) error = NULL;
  SpindleStack *stack = spindle_stack_capture_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  gtk_spinner_stop (self->spinner);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "capture")), TRUE);

  g_clear_pointer (&self->stack, spindle_stack_unref);
  self->stack = stack;
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "copy")), stack != NULL);
  if (stack == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_stack_set_visible_child_name (self->pages, "error");
      return;
    }
  show_stack (self);
}

/**
 * spindle_stack_window_capture:
 * @self: a stack window
 *
 * Captures the thread's stack again; the window shows a spinner meanwhile.
 */
void
spindle_stack_window_capture (SpindleStackWindow *self)
{
  g_return_if_fail (SPINDLE_IS_STACK_WINDOW (self));

  if (self->cancellable != NULL)
    return;

  self->cancellable = g_cancellable_new ();
  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->pages, "capturing");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "capture")), FALSE);
  spindle_stack_capture_async (self->tid, self->cancellable, capture_done, g_object_ref (self));
}

static void
capture_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       data)
{
  spindle_stack_window_capture (data);
}

static void
copy_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       data)
{
  SpindleStackWindow *self = data;
  g_autofree char *text = NULL;

  if (self->stack == NULL)
    return;
  text = spindle_stack_to_string (self->stack, !gtk_toggle_button_get_active (self->libraries_button));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

static void
libraries_toggled (SpindleStackWindow *self)
{
  if (self->stack != NULL)
    show_stack (self);
}

static void
spindle_stack_window_dispose (GObject *object)
{
  SpindleStackWindow *self = SPINDLE_STACK_WINDOW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stack, spindle_stack_unref);
  g_clear_object (&self->actions);

  G_OBJECT_CLASS (spindle_stack_window_parent_class)->dispose (object);
}

static void
spindle_stack_window_class_init (SpindleStackWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_stack_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-stack-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleStackWindow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, SpindleStackWindow, pages);
  gtk_widget_class_bind_template_child (widget_class, SpindleStackWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, SpindleStackWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleStackWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, SpindleStackWindow, footer);
  gtk_widget_class_bind_template_child (widget_class, SpindleStackWindow, libraries_button);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "stack.capture", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "stack.capture", NULL);
}

static void
spindle_stack_window_init (SpindleStackWindow *self)
{
  static const GActionEntry entries[] = {
    { "capture", capture_activated },
    { "copy", copy_activated },
  };
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->actions), entries, G_N_ELEMENTS (entries), self);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->actions), "copy")), FALSE);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "stack", G_ACTION_GROUP (self->actions));

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_create_tag (buffer, "own", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "location", "foreground-rgba", &(GdkRGBA) { 0.5, 0.5, 0.5, 1 }, NULL);
  gtk_text_buffer_create_tag (buffer, "fold", "style", PANGO_STYLE_ITALIC,
                              "foreground-rgba", &(GdkRGBA) { 0.5, 0.5, 0.5, 1 }, NULL);

  g_signal_connect_swapped (self->libraries_button, "toggled", G_CALLBACK (libraries_toggled), self);
}

/**
 * spindle_stack_window_new_for_tid:
 * @parent: (nullable): the window it belongs to
 * @tid: a thread of this process
 * @name: what the thread is called, for the subtitle
 *
 * Opens a window on the thread's call stack and starts capturing it.
 *
 * Returns: (transfer none): the window, already presented
 */
GtkWidget *
spindle_stack_window_new_for_tid (GtkWindow  *parent,
                                  int         tid,
                                  const char *name)
{
  SpindleStackWindow *self = g_object_new (SPINDLE_TYPE_STACK_WINDOW,
                                           "transient-for", parent,
                                           "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                                           NULL);
  g_autofree char *subtitle = NULL;

  self->tid = tid;
  /* Translators: the stack window's subtitle: a worker's name and its thread id */
  subtitle = g_strdup_printf (_("%s — thread %d"), name, tid);
  gtk_label_set_text (self->subtitle, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), subtitle);

  gtk_window_present (GTK_WINDOW (self));
  spindle_stack_window_capture (self);
  return GTK_WIDGET (self);
}

/**
 * spindle_stack_window_new:
 * @parent: (nullable): the window it belongs to
 * @worker: a worker with a thread
 *
 * Returns: (transfer none): the window on @worker's stack, presented
 */
GtkWidget *
spindle_stack_window_new (GtkWindow     *parent,
                          SpindleWorker *worker)
{
  g_return_val_if_fail (SPINDLE_IS_WORKER (worker), NULL);

  return spindle_stack_window_new_for_tid (parent, spindle_worker_get_tid (worker),
                                           spindle_worker_get_name (worker));
}

/**
 * spindle_stack_window_get_stack:
 * @self: a stack window
 *
 * Returns: (transfer none) (nullable): the stack shown, if one was captured
 */
SpindleStack *
spindle_stack_window_get_stack (SpindleStackWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_STACK_WINDOW (self), NULL);

  return self->stack;
}

/**
 * spindle_stack_window_get_page:
 * @self: a stack window
 *
 * Returns: "capturing", "error" or "stack"
 */
const char *
spindle_stack_window_get_page (SpindleStackWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_STACK_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->pages);
}
