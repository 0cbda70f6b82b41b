/* spindle-add-popover.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "spindle-add-popover.h"
#include "spindle-catalog.h"
#include "spindle-run-dialog.h"
#include "spindle.h"

#define KIND_KEY "spindle-kind"

struct _SpindleAddPopover
{
  GtkPopover     parent_instance;

  GtkSpinButton *count_spin;
  GtkListBox    *kinds;
  GtkLabel      *budget_label;
};

G_DEFINE_FINAL_TYPE (SpindleAddPopover, spindle_add_popover, GTK_TYPE_POPOVER)

enum {
  ADD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkWidget *
create_kind_row (const SpindleCatalogEntry *entry)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (_(entry->title));
  GtkWidget *description = gtk_label_new (_(entry->description));

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (description), 0);
  gtk_label_set_wrap (GTK_LABEL (description), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (description), 52);
  gtk_label_set_width_chars (GTK_LABEL (description), 40);
  gtk_widget_add_css_class (description, "dim-label");

  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), description);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  gtk_widget_set_name (row, entry->kind);
  g_object_set_data_full (G_OBJECT (row), KIND_KEY, g_strdup (entry->kind), g_free);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(entry->title),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _(entry->description),
                                  -1);

  return row;
}

static void
populate (SpindleAddPopover *self)
{
  const SpindleCatalogEntry *entries;
  guint n_entries = 0;

  entries = spindle_catalog_get_entries (&n_entries);
  for (guint i = 0; i < n_entries; i++)
    gtk_list_box_append (self->kinds, create_kind_row (&entries[i]));
}

static void
hide_message (SpindleAddPopover *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->budget_label), FALSE);
}

static void
show_message (SpindleAddPopover *self,
              const GError      *error)
{
  g_autofree char *text = g_strdup (error->message);

  /* the engine's messages start in lower case, to follow "spindle: " */
  text[0] = g_ascii_toupper (text[0]);
  gtk_label_set_text (self->budget_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->budget_label), TRUE);
}

/* The window the popover belongs to shows a set as its "set" property. */
static SpindleWorkerSet *
dup_set (SpindleAddPopover *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  SpindleWorkerSet *set = NULL;
  GParamSpec *pspec;

  if (root == NULL)
    return NULL;

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (root), "set");
  if (pspec == NULL || !g_type_is_a (pspec->value_type, SPINDLE_TYPE_WORKER_SET))
    return NULL;

  g_object_get (root, "set", &set, NULL);
  return set;
}

static guint
count_live_workers (SpindleAddPopover *self)
{
  g_autoptr(SpindleWorkerSet) set = dup_set (self);

  return set != NULL ? spindle_worker_set_get_n_live (set) : 0;
}

/* The whole request fits in the process's thread budget, or none of it
 * starts: the popover stays open and says why.
 */
static gboolean
fits_budget (SpindleAddPopover  *self,
             const char         *kind,
             guint               count,
             GError            **error)
{
  guint64 threads = (guint64) count * spindle_catalog_get_thread_cost (kind);

  return spindle_thread_budget_check (count_live_workers (self), threads, error);
}

static void
on_count_changed (SpindleAddPopover *self)
{
  hide_message (self);
}

static void
on_show (SpindleAddPopover *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->kinds, 0);

  hide_message (self);

  if (first != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (first));
}

static void
on_row_activated (SpindleAddPopover *self,
                  GtkListBoxRow     *row,
                  GtkListBox        *list_box)
{
  const char *kind = g_object_get_data (G_OBJECT (row), KIND_KEY);
  g_autoptr(GError) error = NULL;
  guint count;

  gtk_spin_button_update (self->count_spin);
  count = spindle_add_popover_get_count (self);
  if (!fits_budget (self, kind, count, &error))
    {
      show_message (self, error);
      return;
    }

  hide_message (self);
  gtk_popover_popdown (GTK_POPOVER (self));
  g_signal_emit (self, signals[ADD], 0, kind, count);
}

/* A command runs on the window's set, as a worker of the list like any other. */
static void
on_run_command_clicked (SpindleAddPopover *self)
{
  g_autoptr(SpindleWorkerSet) set = dup_set (self);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_popover_popdown (GTK_POPOVER (self));
  if (set == NULL)
    return;

  gtk_window_present (GTK_WINDOW (spindle_run_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, set)));
}

static void
spindle_add_popover_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SPINDLE_TYPE_ADD_POPOVER);

  G_OBJECT_CLASS (spindle_add_popover_parent_class)->dispose (object);
}

static void
spindle_add_popover_class_init (SpindleAddPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spindle_add_popover_dispose;

  signals[ADD] =
    g_signal_new ("add", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/spindle/Spindle/ui/spindle-add-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, SpindleAddPopover, count_spin);
  gtk_widget_class_bind_template_child (widget_class, SpindleAddPopover, kinds);
  gtk_widget_class_bind_template_child (widget_class, SpindleAddPopover, budget_label);
  gtk_widget_class_bind_template_callback (widget_class, on_count_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_show);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_run_command_clicked);
}

static void
spindle_add_popover_init (SpindleAddPopover *self)
{
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));
  populate (self);

  /* one request may ask for the whole budget, never more */
  adjustment = gtk_spin_button_get_adjustment (self->count_spin);
  gtk_adjustment_set_upper (adjustment, MAX (1, spindle_get_thread_budget (NULL)));
}

GtkWidget *
spindle_add_popover_new (void)
{
  return g_object_new (SPINDLE_TYPE_ADD_POPOVER, NULL);
}

guint
spindle_add_popover_get_count (SpindleAddPopover *self)
{
  g_return_val_if_fail (SPINDLE_IS_ADD_POPOVER (self), 0);

  return (guint) gtk_spin_button_get_value_as_int (self->count_spin);
}
