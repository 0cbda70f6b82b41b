/* spindle-run-dialog.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>

#include "spindle-run-dialog.h"

struct _SpindleRunDialog
{
  GtkWindow         parent_instance;

  GtkEntry         *command_entry;
  GtkEntry         *directory_entry;
  GtkDropDown      *signal_dropdown;
  GtkLabel         *error_label;

  SpindleWorkerSet *set;
};

G_DEFINE_FINAL_TYPE (SpindleRunDialog, spindle_run_dialog, GTK_TYPE_WINDOW)

/* In the order of the drop-down's items. */
static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static void
show_error (SpindleRunDialog *self,
            GtkWidget        *culprit,
            const char       *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_add_css_class (culprit, "error");
  gtk_widget_grab_focus (culprit);
}

static void
on_changed (SpindleRunDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->command_entry), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->directory_entry), "error");
}

/* The command line as a shell would split it, with its program found. */
static char **
read_command (SpindleRunDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->command_entry));
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *program = NULL;
  g_autofree char *message = NULL;

  if (!g_shell_parse_argv (text, NULL, &argv, &error))
    {
      if (g_error_matches (error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
        message = g_strdup (_("Type the command to run, for example: sleep 60"));
      else
        message = g_strdup_printf (_("The command line cannot be read: %s"), error->message);
      show_error (self, GTK_WIDGET (self->command_entry), message);
      return NULL;
    }

  program = g_find_program_in_path (argv[0]);
  if (program == NULL)
    {
      message = g_strdup_printf (_("No program “%s” was found in PATH, or it is not executable"), argv[0]);
      show_error (self, GTK_WIDGET (self->command_entry), message);
      return NULL;
    }

  return g_steal_pointer (&argv);
}

/* TRUE with *directory NULL for the host's own. */
static gboolean
read_directory (SpindleRunDialog  *self,
                char             **directory)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->directory_entry))));
  g_autofree char *message = NULL;

  *directory = NULL;
  if (text[0] == '\0')
    return TRUE;

  if (text[0] == '~' && (text[1] == '\0' || text[1] == '/'))
    {
      char *expanded = g_build_filename (g_get_home_dir (), text + 1, NULL);

      g_free (text);
      text = expanded;
    }

  if (!g_file_test (text, G_FILE_TEST_IS_DIR))
    {
      message = g_strdup_printf (_("There is no folder “%s”"), text);
      show_error (self, GTK_WIDGET (self->directory_entry), message);
      return FALSE;
    }

  *directory = g_steal_pointer (&text);
  return TRUE;
}

static int
read_stop_signal (SpindleRunDialog *self)
{
  guint selected = gtk_drop_down_get_selected (self->signal_dropdown);

  return selected < G_N_ELEMENTS (stop_signals) ? stop_signals[selected] : SIGTERM;
}

/* The choice after the signals: a stop closes the command's stdin. */
static gboolean
read_stop_closes_stdin (SpindleRunDialog *self)
{
  return gtk_drop_down_get_selected (self->signal_dropdown) == G_N_ELEMENTS (stop_signals);
}

static gboolean
spawn (SpindleRunDialog  *self,
       char             **argv,
       const char        *directory)
{
  SpindleCommandOptions options = { 0 };
  g_autoptr(GError) error = NULL;

  options.cwd = directory;
  options.stop_signal = read_stop_signal (self);
  options.stop_closes_stdin = read_stop_closes_stdin (self);

  /* the worker's thread counts against the budget as any other */
  if (spindle_thread_budget_check (spindle_worker_set_get_n_live (self->set), 1, &error) &&
      spindle_worker_set_spawn_command (self->set, NULL, (const char * const *) argv, &options, &error) != NULL)
    return TRUE;

  show_error (self, GTK_WIDGET (self->command_entry), error->message);
  return FALSE;
}

static void
on_run_clicked (SpindleRunDialog *self)
{
  g_auto(GStrv) argv = NULL;
  g_autofree char *directory = NULL;

  on_changed (self);
  argv = read_command (self);
  if (argv == NULL || !read_directory (self, &directory))
    return;

  if (spawn (self, argv, directory))
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
spindle_run_dialog_dispose (GObject *object)
{
  SpindleRunDialog *self = SPINDLE_RUN_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), SPINDLE_TYPE_RUN_DIALOG);
  g_clear_object (&self->set);

  G_OBJECT_CLASS (spindle_run_dialog_parent_class)->dispose (object);
}

static void
spindle_run_dialog_class_init (SpindleRunDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_run_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-run-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleRunDialog, command_entry);
  gtk_widget_class_bind_template_child (widget_class, SpindleRunDialog, directory_entry);
  gtk_widget_class_bind_template_child (widget_class, SpindleRunDialog, signal_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpindleRunDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_run_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
spindle_run_dialog_init (SpindleRunDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
spindle_run_dialog_new (GtkWindow        *parent,
                        SpindleWorkerSet *set)
{
  SpindleRunDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (SPINDLE_IS_WORKER_SET (set), NULL);

  self = g_object_new (SPINDLE_TYPE_RUN_DIALOG, "transient-for", parent, NULL);
  self->set = g_object_ref (set);

  return GTK_WIDGET (self);
}
