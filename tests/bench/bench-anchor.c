/* bench-anchor.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Runs one scenario of the Python anchor script, python_seed_stop.py, reads
 * the JSON line it prints and adds it as a reference row.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "spindle-bench.h"

static void
anchor_clear (Anchor *anchor)
{
  g_clear_pointer (&anchor->note, g_free);
  g_clear_pointer (&anchor->missing, g_free);
}

static double
json_field_number (const char *line,
                   const char *key)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\":", key);
  const char *at = strstr (line, pattern);

  return at != NULL ? g_ascii_strtod (at + strlen (pattern), NULL) : NAN;
}

static char *
json_field_string (const char *line,
                   const char *key)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\": \"", key);
  const char *at = strstr (line, pattern);
  const char *end;

  if (at == NULL)
    return NULL;
  at += strlen (pattern);
  end = strchr (at, '"');

  return end != NULL ? g_strndup (at, end - at) : NULL;
}

static void
anchor_parse (Anchor     *anchor,
              const char *output)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "\"p50_us\"") == NULL)
        continue;
      anchor->p50_us = json_field_number (lines[i], "p50_us");
      anchor->max_us = json_field_number (lines[i], "max_us");
      anchor->traced_slowdown = json_field_number (lines[i], "traced_slowdown");
      anchor->trials = (int) json_field_number (lines[i], "trials");
      anchor->note = json_field_string (lines[i], "note");
      anchor->ok = !isnan (anchor->p50_us);
      return;
    }
}

static void
run_anchor (const char *scenario,
            Anchor     *anchor)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *script = g_build_filename (opts.anchors_dir, "python_seed_stop.py", NULL);
  g_autofree char *trials = g_strdup_printf ("%d", opts.anchor_trials);
  g_autofree char *step = g_strdup_printf ("%g", opts.anchor_step);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  memset (anchor, 0, sizeof *anchor);
  anchor->traced_slowdown = NAN;

  if (python == NULL)
    {
      anchor->missing = g_strdup ("python3 is not installed: Python anchor row skipped");
      return;
    }
  if (!g_file_test (script, G_FILE_TEST_IS_REGULAR))
    {
      anchor->missing = g_strdup_printf ("%s not found (see --anchors): Python anchor row skipped", script);
      return;
    }

  {
    const char *argv[] = { python, script, "--trials", trials, "--step", step, "--only", scenario, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                       &out, &err, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        anchor->missing = g_strdup_printf ("the anchor script failed: %s", error->message);
        return;
      }
  }

  anchor_parse (anchor, out);
  if (!anchor->ok)
    anchor->missing = g_strdup ("the anchor script printed no result");
}

/* Each scenario runs once, at its first use: P3 and P4 share settrace_busy. */
static GHashTable *anchors;

static void
anchor_free (gpointer data)
{
  anchor_clear (data);
  g_free (data);
}

const Anchor *
get_anchor (const char *scenario)
{
  Anchor *anchor;

  if (anchors == NULL)
    anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, anchor_free);

  anchor = g_hash_table_lookup (anchors, scenario);
  if (anchor == NULL)
    {
      anchor = g_new0 (Anchor, 1);
      run_anchor (scenario, anchor);
      g_hash_table_insert (anchors, g_strdup (scenario), anchor);
    }

  return anchor;
}

void
clear_anchors (void)
{
  g_clear_pointer (&anchors, g_hash_table_unref);
}

void
add_anchor_row (const char *id,
                const char *measure,
                double      spindle_p50,
                double      spindle_p99,
                const char *scenario,
                const char *reference)
{
  const Anchor *anchor = get_anchor (scenario);
  g_autofree char *ref = g_strdup_printf ("Python: %s", reference);
  g_autofree char *note = NULL;
  Row *row = row_add (id, measure, "us", spindle_p50, spindle_p99, ref,
                      anchor->ok ? anchor->p50_us : NAN, NAN);

  if (!anchor->ok)
    {
      row_note (row, anchor->missing);
      return;
    }

  note = g_strdup_printf ("anchor: %s; %d trials, worker step %g s; the anchor reports p50 and max, no p99",
                          anchor->note != NULL ? anchor->note : "?", anchor->trials, opts.anchor_step);
  row_note (row, note);
  row_extra_num (row, "reference_max", anchor->max_us);
  row_extra_str (row, "reference_kind", "python-anchor");
}
