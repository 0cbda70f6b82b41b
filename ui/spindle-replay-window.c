/* spindle-replay-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-replay"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-replay-row.h"
#include "spindle-replay-window.h"

/* A recording replayed: scrub the time slider and the list shows every
 * worker as it was at that moment: its state, phase, last request and
 * kernel wait. The recording can be exported as a Chrome trace for
 * Perfetto.
 */

/* The window ******************************************************************/

struct _SpindleReplayWindow
{
  GtkApplicationWindow  parent_instance;

  GtkLabel             *title_label;
  GtkLabel             *subtitle_label;
  GtkRevealer          *warning_revealer;
  GtkLabel             *warning_label;
  GtkAdjustment        *time_adjustment;
  GtkLabel             *time_label;
  GtkColumnView        *column_view;
  GtkLabel             *story_title;
  GtkLabel             *story_label;

  SpindleRecording     *recording;
  GHashTable           *changes;    /* worker id → its SpindleStateChange array */
  GtkSingleSelection   *selection;
  gint64                moment;
  GListStore           *rows;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (SpindleReplayWindow, spindle_replay_window, GTK_TYPE_APPLICATION_WINDOW)

static GArray *
changes_of (SpindleReplayWindow         *self,
            const SpindleRecordedWorker *worker)
{
  GArray *changes = g_hash_table_lookup (self->changes, &worker->id);

  if (changes == NULL)
    {
      changes = spindle_recording_get_state_changes (self->recording, worker->id);
      g_hash_table_insert (self->changes, g_memdup2 (&worker->id, sizeof worker->id), changes);
    }
  return changes;
}

/* The selected worker's records up to the moment shown. */
static void
show_story (SpindleReplayWindow *self)
{
  SpindleReplayRow *row = gtk_single_selection_get_selected_item (self->selection);
  g_autofree char *story = NULL;

  if (row == NULL)
    {
      gtk_label_set_text (self->story_title, _("Select a worker to see its story up to this moment"));
      gtk_label_set_text (self->story_label, "");
      return;
    }
  gtk_label_set_text (self->story_title, spindle_replay_row_get_name (row));
  story = spindle_recording_describe_worker (self->recording, spindle_replay_row_get_id (row), self->moment);
  gtk_label_set_text (self->story_label, story);
}

/* "1:02.345" */
static char *
format_moment (gint64 usec)
{
  gint64 msec = usec / 1000;

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d.%03d", msec / 60000,
                          (int) (msec / 1000 % 60), (int) (msec % 1000));
}

/**
 * spindle_replay_window_seek:
 * @self: a replay window
 * @t: µs from the recording's start
 *
 * Shows every worker as it was at @t.
 */
void
spindle_replay_window_seek (SpindleReplayWindow *self,
                            gint64               t)
{
  g_autoptr(GPtrArray) workers = spindle_recording_get_workers_at (self->recording, t);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *moment = format_moment (t);
  g_autofree char *duration = format_moment (spindle_recording_get_duration (self->recording));
  g_autofree char *label = NULL;

  guint selected = gtk_single_selection_get_selected (self->selection);

  self->moment = t;
  for (guint i = 0; i < workers->len; i++)
    g_ptr_array_add (rows, spindle_replay_row_new (workers->pdata[i], changes_of (self, workers->pdata[i]),
                                                   t, spindle_recording_get_duration (self->recording)));
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
  /* the same position is the same worker, as long as it was spawned by then */
  if (selected < rows->len)
    gtk_single_selection_set_selected (self->selection, selected);
  show_story (self);

  /* Translators: the moment of a recording shown, and its length */
  label = g_strdup_printf (_("%s of %s"), moment, duration);
  gtk_label_set_text (self->time_label, label);

  if (ABS (gtk_adjustment_get_value (self->time_adjustment) * G_USEC_PER_SEC - t) >= 1000)
    gtk_adjustment_set_value (self->time_adjustment, t / (double) G_USEC_PER_SEC);
}

static void
time_changed (SpindleReplayWindow *self)
{
  spindle_replay_window_seek (self, (gint64) (gtk_adjustment_get_value (self->time_adjustment) * G_USEC_PER_SEC));
}

static void
show_error (SpindleReplayWindow *self,
            const char          *message)
{
  gtk_label_set_text (self->warning_label, message);
  gtk_revealer_set_reveal_child (self->warning_revealer, TRUE);
}

static void
export_chosen (GtkNativeDialog     *chooser,
               int                  response,
               SpindleReplayWindow *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (!spindle_recording_save_chrome_trace (self->recording, file, &error))
        show_error (self, error->message);
    }
  g_clear_object (&self->chooser);
}

static void
export_trace_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       data)
{
  SpindleReplayWindow *self = data;

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export as Chrome Trace"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "spindle-trace.json");
  g_signal_connect (self->chooser, "response", G_CALLBACK (export_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
spindle_replay_window_dispose (GObject *object)
{
  SpindleReplayWindow *self = SPINDLE_REPLAY_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->recording);
  g_clear_object (&self->rows);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->changes, g_hash_table_unref);

  G_OBJECT_CLASS (spindle_replay_window_parent_class)->dispose (object);
}

static void
spindle_replay_window_class_init (SpindleReplayWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_replay_window_dispose;

  g_type_ensure (SPINDLE_TYPE_REPLAY_ROW);
  g_type_ensure (SPINDLE_TYPE_REPLAY_TIMELINE);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-replay-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, warning_revealer);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, warning_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, time_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, time_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, story_title);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, story_label);
}

static void
spindle_replay_window_init (SpindleReplayWindow *self)
{
  static const GActionEntry entries[] = {
    { "export-trace", export_trace_activated },
  };
  g_autoptr(GSimpleActionGroup) actions = g_simple_action_group_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_list_store_new (SPINDLE_TYPE_REPLAY_ROW);
  self->changes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_array_unref);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (show_story), self);

  g_action_map_add_action_entries (G_ACTION_MAP (actions), entries, G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "replay", G_ACTION_GROUP (actions));
  g_signal_connect_swapped (self->time_adjustment, "value-changed", G_CALLBACK (time_changed), self);
}

static void
show_condition (SpindleReplayWindow *self)
{
  if (spindle_recording_get_truncated (self->recording))
    show_error (self, _("The recording reached its size limit: nothing after its end was recorded."));
  else if (!spindle_recording_get_complete (self->recording))
    show_error (self, _("The recording ends early: Spindle stopped while recording, and the last moments may be missing."));
}

/**
 * spindle_replay_window_new:
 * @application: the application
 * @recording: the recording to replay
 * @title: the file's name, for the title
 *
 * Returns: (transfer full): a window replaying @recording, at its end
 */
SpindleReplayWindow *
spindle_replay_window_new (GtkApplication   *application,
                           SpindleRecording *recording,
                           const char       *title)
{
  SpindleReplayWindow *self = g_object_new (SPINDLE_TYPE_REPLAY_WINDOW, "application", application, NULL);
  gint64 duration = spindle_recording_get_duration (recording);
  g_autofree char *subtitle = NULL;

  self->recording = g_object_ref (recording);
  gtk_label_set_text (self->title_label, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  /* Translators: the replay window's subtitle: the program recorded and its process id */
  subtitle = g_strdup_printf (_("Recording of %s (process %d)"), spindle_recording_get_program (recording),
                              spindle_recording_get_pid (recording));
  gtk_label_set_text (self->subtitle_label, subtitle);

  gtk_adjustment_set_upper (self->time_adjustment, MAX (duration, 1) / (double) G_USEC_PER_SEC);
  show_condition (self);
  spindle_replay_window_seek (self, duration);
  return self;
}

/**
 * spindle_replay_window_get_rows:
 * @self: a replay window
 *
 * Returns: (transfer none): the workers at the moment shown, as
 *   #SpindleReplayRow items
 */
GListModel *
spindle_replay_window_get_rows (SpindleReplayWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_REPLAY_WINDOW (self), NULL);

  return G_LIST_MODEL (self->rows);
}

/**
 * spindle_replay_window_select:
 * @self: a replay window
 * @position: a row of the list
 *
 * Selects the worker at @position: the side pane tells its story.
 */
void
spindle_replay_window_select (SpindleReplayWindow *self,
                              guint                position)
{
  g_return_if_fail (SPINDLE_IS_REPLAY_WINDOW (self));

  gtk_single_selection_set_selected (self->selection, position);
}

/**
 * spindle_replay_window_get_story:
 * @self: a replay window
 *
 * Returns: what the side pane says of the selected worker
 */
const char *
spindle_replay_window_get_story (SpindleReplayWindow *self)
{
  g_return_val_if_fail (SPINDLE_IS_REPLAY_WINDOW (self), NULL);

  return gtk_label_get_text (self->story_label);
}
