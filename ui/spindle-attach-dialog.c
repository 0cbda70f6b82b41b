/* spindle-attach-dialog.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-attach-dialog.h"
#include "spindle-remote.h"

/* Programs are found as MPRIS players are: by their well-known names,
 * listed once, then followed through NameOwnerChanged, so that one that
 * starts or exits appears or goes at once. Each is asked to Describe
 * itself, and again every few seconds while the dialog is open, for its
 * count of live workers: one small call per program, nothing to
 * subscribe to.
 */

#define NAMESPACE      "dev.spindle.Spindle1.Program"
#define PROGRAM_PATH   "/dev/spindle/Spindle1"
#define REFRESH_S      2

struct _SpindleAttachDialog
{
  GtkWindow        parent_instance;

  GtkListBox      *list;
  GtkButton       *attach_button;

  GDBusConnection *connection;
  GCancellable    *cancellable;
  GHashTable      *rows;          /* bus name → GtkListBoxRow */
  guint            owner_id;
  guint            refresh_id;
};

G_DEFINE_FINAL_TYPE (SpindleAttachDialog, spindle_attach_dialog, GTK_TYPE_WINDOW)

/* Rows **********************************************************************/

static GtkWidget *
add_label (GtkWidget  *box,
           const char *css_class,
           gboolean    expand)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), expand ? 0.0 : 1.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), expand ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  gtk_widget_set_hexpand (label, expand);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);

  return label;
}

static GtkWidget *
create_row (const char *bus_name)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);

  gtk_widget_set_name (row, bus_name);
  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  g_object_set_data (G_OBJECT (row), "name", add_label (box, "heading", TRUE));
  g_object_set_data (G_OBJECT (row), "pid", add_label (box, "numeric", FALSE));
  g_object_set_data (G_OBJECT (row), "workers", add_label (box, "dim-label", FALSE));
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "bus-name", g_strdup (bus_name), g_free);

  return row;
}

static void
fill_row (GtkWidget *row,
          GVariant  *info)
{
  const char *name = NULL;
  guint32 pid = 0, n_workers = 0;
  g_autofree char *pid_text = NULL;
  g_autofree char *workers_text = NULL;

  g_variant_lookup (info, "name", "&s", &name);
  g_variant_lookup (info, "pid", "u", &pid);
  g_variant_lookup (info, "n-workers", "u", &n_workers);

  /* Translators: a program's process id in the Attach to Program list */
  pid_text = g_strdup_printf (_("PID %u"), pid);
  workers_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u live worker", "%u live workers",
                                               n_workers), n_workers);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "name"),
                       name != NULL && name[0] != '\0' ? name : _("Unnamed program"));
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "pid"), pid_text);
  gtk_label_set_label (g_object_get_data (G_OBJECT (row), "workers"), workers_text);
}

static void
update_row (SpindleAttachDialog *self,
            const char          *bus_name,
            GVariant            *info)
{
  GtkWidget *row = g_hash_table_lookup (self->rows, bus_name);

  if (row == NULL)
    {
      row = create_row (bus_name);
      g_hash_table_insert (self->rows, g_strdup (bus_name), row);
      gtk_list_box_append (self->list, row);
      if (gtk_list_box_get_selected_row (self->list) == NULL)
        gtk_list_box_select_row (self->list, GTK_LIST_BOX_ROW (row));
    }

  fill_row (row, info);
}

static void
remove_row (SpindleAttachDialog *self,
            const char          *bus_name)
{
  GtkWidget *row = g_hash_table_lookup (self->rows, bus_name);

  if (row == NULL)
    return;

  gtk_list_box_remove (self->list, row);
  g_hash_table_remove (self->rows, bus_name);
}

/* The bus *******************************************************************/

typedef struct
{
  SpindleAttachDialog *self;
  char                *bus_name;
} Describing;

static void
on_described (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Describing *describing = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) info = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (reply != NULL)
        {
          g_variant_get (reply, "(@a{sv})", &info);
          update_row (describing->self, describing->bus_name, info);
        }
      else
        g_debug ("%s: %s", describing->bus_name, error->message);
    }

  g_free (describing->bus_name);
  g_free (describing);
}

static void
describe (SpindleAttachDialog *self,
          const char          *bus_name)
{
  Describing *describing = g_new0 (Describing, 1);

  describing->self = self;
  describing->bus_name = g_strdup (bus_name);
  g_dbus_connection_call (self->connection, bus_name, PROGRAM_PATH, NAMESPACE, "Describe", NULL,
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->cancellable, on_described, describing);
}

static void
on_owner_changed (GDBusConnection *connection,
                  const char      *sender,
                  const char      *path,
                  const char      *interface,
                  const char      *signal,
                  GVariant        *parameters,
                  gpointer         user_data)
{
  SpindleAttachDialog *self = user_data;
  const char *name, *old_owner, *new_owner;

  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (!g_str_has_prefix (name, SPINDLE_REMOTE_NAME_PREFIX))
    return;

  if (new_owner[0] == '\0')
    remove_row (self, name);
  else
    describe (self, name);
}

static void
on_names (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **names = NULL;
  SpindleAttachDialog *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (reply == NULL)
    {
      g_warning ("Could not list the programs on the session bus: %s", error->message);
      return;
    }

  g_variant_get (reply, "(^a&s)", &names);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], SPINDLE_REMOTE_NAME_PREFIX))
      describe (self, names[i]);
}

static gboolean
refresh (gpointer data)
{
  SpindleAttachDialog *self = data;
  GHashTableIter iter;
  gpointer bus_name;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &bus_name, NULL))
    describe (self, bus_name);

  return G_SOURCE_CONTINUE;
}

static void
on_bus (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *connection = g_bus_get_finish (result, &error);
  SpindleAttachDialog *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (connection == NULL)
    {
      g_warning ("No session bus: %s", error->message);
      return;
    }

  self->connection = connection;
  /* before the listing, so that no program falls between the two */
  self->owner_id = g_dbus_connection_signal_subscribe (connection, "org.freedesktop.DBus",
                                                       "org.freedesktop.DBus", "NameOwnerChanged",
                                                       "/org/freedesktop/DBus", NAMESPACE,
                                                       G_DBUS_SIGNAL_FLAGS_MATCH_ARG0_NAMESPACE,
                                                       on_owner_changed, self, NULL);
  g_dbus_connection_call (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "ListNames", NULL, G_VARIANT_TYPE ("(as)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_names, self);
  self->refresh_id = g_timeout_add_seconds (REFRESH_S, refresh, self);
}

/* Attaching *****************************************************************/

static void
attach_row (SpindleAttachDialog *self,
            GtkListBoxRow       *row)
{
  const char *bus_name = row != NULL ? g_object_get_data (G_OBJECT (row), "bus-name") : NULL;
  GApplication *app = g_application_get_default ();

  if (bus_name == NULL || app == NULL)
    return;

  g_action_group_activate_action (G_ACTION_GROUP (app), "attach-program", g_variant_new_string (bus_name));
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_attach_clicked (SpindleAttachDialog *self)
{
  attach_row (self, gtk_list_box_get_selected_row (self->list));
}

static void
on_row_activated (SpindleAttachDialog *self,
                  GtkListBoxRow       *row)
{
  attach_row (self, row);
}

static void
on_row_selected (SpindleAttachDialog *self,
                 GtkListBoxRow       *row)
{
  /* the list unselects as the template goes */
  if (self->attach_button != NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self->attach_button), row != NULL);
}

/* GObject *******************************************************************/

static void
spindle_attach_dialog_dispose (GObject *object)
{
  SpindleAttachDialog *self = SPINDLE_ATTACH_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->owner_id != 0)
    g_dbus_connection_signal_unsubscribe (self->connection, self->owner_id);
  self->owner_id = 0;
  g_clear_pointer (&self->rows, g_hash_table_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), SPINDLE_TYPE_ATTACH_DIALOG);

  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (spindle_attach_dialog_parent_class)->dispose (object);
}

static void
spindle_attach_dialog_class_init (SpindleAttachDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_attach_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-attach-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleAttachDialog, list);
  gtk_widget_class_bind_template_child (widget_class, SpindleAttachDialog, attach_button);
  gtk_widget_class_bind_template_callback (widget_class, on_attach_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
spindle_attach_dialog_init (SpindleAttachDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* the rows are the list box's: the table only finds them */
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, on_bus, self);
}

GtkWidget *
spindle_attach_dialog_new (GtkWindow *parent)
{
  return g_object_new (SPINDLE_TYPE_ATTACH_DIALOG,
                       "transient-for", parent,
                       NULL);
}

/* How many programs the list shows. */
guint
spindle_attach_dialog_get_n_programs (SpindleAttachDialog *self)
{
  g_return_val_if_fail (SPINDLE_IS_ATTACH_DIALOG (self), 0);

  return self->rows != NULL ? g_hash_table_size (self->rows) : 0;
}
