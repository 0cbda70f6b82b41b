/* spindle-replay-window.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spindle-replay"

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-format.h"
#include "spindle-replay-window.h"

/* A recording replayed: scrub the time slider and the list shows every
 * worker as it was at that moment: its state, phase, last request and
 * kernel wait. The recording can be exported as a Chrome trace for
 * Perfetto.
 */

/* One worker at the moment shown **********************************************/

struct _SpindleReplayRow
{
  GObject             parent_instance;

  char               *name;
  SpindleWorkerState  state;
  char               *phase;
  char               *last_event;
  char               *kernel;
};

G_DEFINE_FINAL_TYPE (SpindleReplayRow, spindle_replay_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_NAME,
  ROW_PROP_STATE_LABEL,
  ROW_PROP_PHASE,
  ROW_PROP_LAST_EVENT,
  ROW_PROP_KERNEL,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

static void
spindle_replay_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  SpindleReplayRow *self = SPINDLE_REPLAY_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_NAME: g_value_set_string (value, self->name); break;
    case ROW_PROP_STATE_LABEL: g_value_set_string (value, spindle_format_state_label (self->state)); break;
    case ROW_PROP_PHASE: g_value_set_string (value, self->phase); break;
    case ROW_PROP_LAST_EVENT: g_value_set_string (value, self->last_event); break;
    case ROW_PROP_KERNEL: g_value_set_string (value, self->kernel); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
spindle_replay_row_finalize (GObject *object)
{
  SpindleReplayRow *self = SPINDLE_REPLAY_ROW (object);

  g_free (self->name);
  g_free (self->phase);
  g_free (self->last_event);
  g_free (self->kernel);

  G_OBJECT_CLASS (spindle_replay_row_parent_class)->finalize (object);
}

static void
spindle_replay_row_class_init (SpindleReplayRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = spindle_replay_row_get_property;
  object_class->finalize = spindle_replay_row_finalize;

  row_properties[ROW_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_PHASE] = g_param_spec_string ("phase", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_LAST_EVENT] = g_param_spec_string ("last-event", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_KERNEL] = g_param_spec_string ("kernel", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
spindle_replay_row_init (SpindleReplayRow *self)
{
}

static SpindleReplayRow *
spindle_replay_row_new (const SpindleRecordedWorker *worker)
{
  SpindleReplayRow *self = g_object_new (SPINDLE_TYPE_REPLAY_ROW, NULL);

  self->name = g_strdup (worker->name);
  self->state = worker->state;
  self->phase = g_strdup (worker->phase);
  self->last_event = g_strdup (worker->last_event);
  if (worker->kernel_state != NULL)
    self->kernel = g_strdup_printf ("%s %s", worker->kernel_state,
                                    worker->wait_channel != NULL ? worker->wait_channel : "");
  return self;
}

const char *
spindle_replay_row_get_name (SpindleReplayRow *row)
{
  g_return_val_if_fail (SPINDLE_IS_REPLAY_ROW (row), NULL);

  return row->name;
}

SpindleWorkerState
spindle_replay_row_get_state (SpindleReplayRow *row)
{
  g_return_val_if_fail (SPINDLE_IS_REPLAY_ROW (row), 0);

  return row->state;
}

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

  SpindleRecording     *recording;
  GListStore           *rows;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (SpindleReplayWindow, spindle_replay_window, GTK_TYPE_APPLICATION_WINDOW)

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

  for (guint i = 0; i < workers->len; i++)
    g_ptr_array_add (rows, spindle_replay_row_new (workers->pdata[i]));
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);

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
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
      if (stream != NULL &&
          spindle_recording_write_chrome_trace (self->recording, G_OUTPUT_STREAM (stream), &error))
        g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error);
      if (error != NULL)
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

  G_OBJECT_CLASS (spindle_replay_window_parent_class)->dispose (object);
}

static void
spindle_replay_window_class_init (SpindleReplayWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_replay_window_dispose;

  g_type_ensure (SPINDLE_TYPE_REPLAY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-replay-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, warning_revealer);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, warning_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, time_adjustment);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, time_label);
  gtk_widget_class_bind_template_child (widget_class, SpindleReplayWindow, column_view);
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
  gtk_column_view_set_model (self->column_view,
                             GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->rows)))));

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
