/* spindlectl-format.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How spindlectl writes workers for people: states in words, elapsed
 * times, and the table that list and watch print.
 */

#define G_LOG_DOMAIN "spindlectl"

#include "config.h"

#include <glib/gi18n.h>

#include "spindlectl-private.h"

#define NAME_WIDTH_MAX 40

typedef struct
{
  const char *nick;
  const char *label;
  gboolean    terminal;
} StateWord;

/* The protocol's SpindleWorkerState nicks. */
static const StateWord state_words[] = {
  { "starting",   N_("starting"),   FALSE },
  { "running",    N_("running"),    FALSE },
  { "stopping",   N_("stopping"),   FALSE },
  { "cancelling", N_("cancelling"), FALSE },
  { "cleaning",   N_("cleaning"),   FALSE },
  { "finished",   N_("finished"),   TRUE },
  { "failed",     N_("failed"),     TRUE },
  { "stopped",    N_("stopped"),    TRUE },
  { "cancelled",  N_("cancelled"),  TRUE },
  { "abandoned",  N_("abandoned"),  TRUE },
};

static const StateWord *
find_state (const char *nick)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_words); i++)
    if (g_strcmp0 (state_words[i].nick, nick) == 0)
      return &state_words[i];
  return NULL;
}

/* A state this version does not know is shown as the program sent it. */
const char *
ctl_state_label (const char *nick)
{
  const StateWord *word = find_state (nick);

  return word != NULL ? _(word->label) : nick;
}

gboolean
ctl_state_is_terminal (const char *nick)
{
  const StateWord *word = find_state (nick);

  return word != NULL && word->terminal;
}

char *
ctl_format_elapsed (gint64 usec)
{
  gint64 seconds = usec / G_USEC_PER_SEC;

  if (usec < 60 * G_USEC_PER_SEC)
    /* TRANSLATORS: an elapsed time under a minute, in seconds */
    return g_strdup_printf (_("%.1f s"), usec / (double) G_USEC_PER_SEC);
  if (seconds < 3600)
    return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600),
                          (int) (seconds / 60 % 60), (int) (seconds % 60));
}

/* Start and finish are CLOCK_MONOTONIC, which one boot shares between
 * processes: the program's stamps compare with this process's clock. */
gint64
ctl_worker_elapsed (GVariant *worker,
                    gint64    now)
{
  gint64 started = 0;
  gint64 finished = 0;
  gint64 end;

  g_variant_lookup (worker, "started-at", "x", &started);
  g_variant_lookup (worker, "finished-at", "x", &finished);
  if (started <= 0)
    return 0;
  end = finished > 0 ? finished : now;
  return MAX (end - started, 0);
}

/* Columns a terminal gives @text: two for East Asian wide and fullwidth
 * characters (a Chinese name or translation), none for combining marks. */
guint
ctl_text_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += ctl_char_width (g_utf8_get_char (p));
  return width;
}

guint
ctl_char_width (gunichar c)
{
  if (g_unichar_iszerowidth (c))
    return 0;
  return g_unichar_iswide (c) ? 2 : 1;
}

/* The longest start of @text that fits in @width columns. */
static char *
cut_to_width (const char *text,
              guint       width)
{
  const char *p = text;
  guint used = 0;

  while (*p != '\0' && used + ctl_char_width (g_utf8_get_char (p)) <= width)
    {
      used += ctl_char_width (g_utf8_get_char (p));
      p = g_utf8_next_char (p);
    }
  return g_strndup (text, p - text);
}

/* Pads to terminal columns, not bytes or characters: names and
 * translations are UTF-8, and CJK characters take two columns. */
static void
append_padded (GString    *out,
               const char *text,
               guint       width,
               gboolean    right)
{
  guint length = ctl_text_width (text);
  guint pad = width > length ? width - length : 0;

  if (right)
    for (guint i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
  g_string_append (out, text);
  if (!right)
    for (guint i = 0; i < pad; i++)
      g_string_append_c (out, ' ');
}

static char *
worker_label (CtlProgram *program,
              GVariant   *worker)
{
  guint depth = MIN (ctl_program_depth (program, worker), 8);
  const char *name = "";
  g_autofree char *indent = g_strnfill (depth * 2, ' ');
  g_autofree char *label = NULL;
  g_autofree char *cut = NULL;

  g_variant_lookup (worker, "name", "&s", &name);
  label = g_strconcat (indent, name, NULL);
  if (ctl_text_width (label) <= NAME_WIDTH_MAX)
    return g_steal_pointer (&label);
  cut = cut_to_width (label, NAME_WIDTH_MAX - 1);
  return g_strconcat (cut, "…", NULL);
}

typedef struct
{
  guint id;
  guint name;
  guint state;
  guint elapsed;
} Widths;

static void
append_heading (GString      *out,
                const Widths *widths)
{
  g_string_append (out, "  ");
  append_padded (out, _("ID"), widths->id, TRUE);
  g_string_append (out, "  ");
  append_padded (out, _("NAME"), widths->name, FALSE);
  g_string_append (out, "  ");
  append_padded (out, _("STATE"), widths->state, FALSE);
  g_string_append (out, "  ");
  append_padded (out, _("ELAPSED"), widths->elapsed, TRUE);
  g_string_append_printf (out, "  %s\n", _("PHASE"));
}

typedef struct
{
  char       *id;
  char       *name;
  const char *state;
  char       *elapsed;
  const char *phase;
} Row;

static void
row_clear (Row *row)
{
  g_free (row->id);
  g_free (row->name);
  g_free (row->elapsed);
}

static void
fill_row (Row        *row,
          CtlProgram *program,
          GVariant   *worker,
          gint64      now,
          Widths     *widths)
{
  const char *state = "";
  guint64 id = 0;

  g_variant_lookup (worker, "id", "t", &id);
  g_variant_lookup (worker, "state", "&s", &state);
  row->phase = "";
  g_variant_lookup (worker, "phase", "&s", &row->phase);
  row->id = g_strdup_printf ("%" G_GUINT64_FORMAT, id);
  row->name = worker_label (program, worker);
  row->state = ctl_state_label (state);
  row->elapsed = ctl_format_elapsed (ctl_worker_elapsed (worker, now));

  widths->id = MAX (widths->id, ctl_text_width (row->id));
  widths->name = MAX (widths->name, ctl_text_width (row->name));
  widths->state = MAX (widths->state, ctl_text_width (row->state));
  widths->elapsed = MAX (widths->elapsed, ctl_text_width (row->elapsed));
}

static void
append_program_heading (GString    *out,
                        CtlProgram *program)
{
  guint total = g_hash_table_size (program->workers);
  guint live = ctl_program_count_live (program);
  gboolean control = FALSE;

  if (program->info != NULL)
    g_variant_lookup (program->info, "control", "b", &control);

  /* TRANSLATORS: a program's heading, e.g. "backup-tool (PID 4242)" */
  g_string_append_printf (out, _("%s (PID %u)"), ctl_program_name (program), program->pid);
  g_string_append (out, " · ");
  /* TRANSLATORS: the first %u is live workers, the second all listed */
  g_string_append_printf (out, ngettext ("%u live of %u worker", "%u live of %u workers", total),
                          live, total);
  g_string_append (out, " · ");
  g_string_append (out, control ? _("control allowed") : _("read-only"));
  g_string_append_c (out, '\n');
}

void
ctl_append_program_table (GString    *out,
                          CtlProgram *program,
                          gint64      now)
{
  g_autoptr(GPtrArray) tree = ctl_program_tree (program);
  g_autofree Row *rows = g_new0 (Row, tree->len + 1);
  Widths widths = {
    ctl_text_width (_("ID")), ctl_text_width (_("NAME")),
    ctl_text_width (_("STATE")), ctl_text_width (_("ELAPSED")),
  };

  append_program_heading (out, program);
  if (tree->len == 0)
    {
      g_string_append_printf (out, "  %s\n", _("(no workers)"));
      return;
    }

  for (guint i = 0; i < tree->len; i++)
    fill_row (&rows[i], program, g_ptr_array_index (tree, i), now, &widths);

  append_heading (out, &widths);
  for (guint i = 0; i < tree->len; i++)
    {
      g_string_append (out, "  ");
      append_padded (out, rows[i].id, widths.id, TRUE);
      g_string_append (out, "  ");
      append_padded (out, rows[i].name, widths.name, FALSE);
      g_string_append (out, "  ");
      append_padded (out, rows[i].state, widths.state, FALSE);
      g_string_append (out, "  ");
      append_padded (out, rows[i].elapsed, widths.elapsed, TRUE);
      g_string_append_printf (out, "  %s\n", rows[i].phase);
      row_clear (&rows[i]);
    }
}
