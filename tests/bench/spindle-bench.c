/* spindle-bench.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Measures the engine side by side with the techniques it replaces, in one
 * run on one machine (issue 6): each figure next to a raw C reference and,
 * where the anchor script has one, the Python seed technique.
 *
 * Latency is "request → the worker has observed it", as the anchor defines
 * it: the driver takes the time just before asking, and the worker takes it
 * where its own code first runs after the request (its wait returned FALSE,
 * or its cleanup step ran). Every worker is known to be inside its wait
 * (flag set, then the kernel reports the task sleeping, then a short
 * settle) before the request is made.
 *
 * Writes a markdown table on stdout and bench-results.json in the working
 * directory.
 *
 * This file holds the options, the result rows with their table and JSON,
 * and the order the figures run in; the figures live in bench-latency.c
 * (P1-P3), bench-cost.c (P4-P6) and bench-resources.c (P7, P8).
 */

#include "config.h"

#include <gnu/libc-version.h>
#include <math.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glibtop.h>

#include "spindle-bench.h"

#ifndef SPINDLE_BENCH_ANCHORS_DIR
# define SPINDLE_BENCH_ANCHORS_DIR "../shared/anchors"
#endif

/* Options ********************************************************************/

BenchOptions opts = {
  .trials = 0,
  .settle_usec = 2000,
  .anchor_trials = 0,
  .anchor_step = 0,
  .p6_window = 0,
  .max_workers = P6_TARGET,
  .internal_n = P7_WORKERS,
};

gboolean
wants (const char *id)
{
  g_auto(GStrv) ids = NULL;

  if (opts.only == NULL)
    return TRUE;

  ids = g_strsplit (opts.only, ",", -1);
  return g_strv_contains ((const char * const *) ids, id);
}

/* Results ********************************************************************/

GPtrArray *rows;

static void
row_free (Row *row)
{
  g_free (row->id);
  g_free (row->measure);
  g_free (row->unit);
  g_free (row->reference);
  g_free (row->goal);
  g_free (row->note);
  g_string_free (row->extra, TRUE);
  g_free (row);
}

Row *
row_add (const char *id,
         const char *measure,
         const char *unit,
         double      spindle_p50,
         double      spindle_p99,
         const char *reference,
         double      reference_p50,
         double      reference_p99)
{
  Row *row = g_new0 (Row, 1);

  row->id = g_strdup (id);
  row->measure = g_strdup (measure);
  row->unit = g_strdup (unit);
  row->spindle_p50 = spindle_p50;
  row->spindle_p99 = spindle_p99;
  row->reference = g_strdup (reference);
  row->reference_p50 = reference_p50;
  row->reference_p99 = reference_p99;
  row->goal_met = -1;
  row->extra = g_string_new (NULL);
  g_ptr_array_add (rows, row);

  return row;
}

/* A row of two sample sets, each summed up by its p50 and p99. */
Row *
row_add_samples (const char *id,
                 const char *measure,
                 const char *unit,
                 GArray     *spindle,
                 const char *reference,
                 GArray     *raw)
{
  return row_add (id, measure, unit, percentile (spindle, 50), percentile (spindle, 99),
                  reference, percentile (raw, 50), percentile (raw, 99));
}

void
row_goal (Row        *row,
          const char *goal,
          gboolean    met)
{
  g_free (row->goal);
  row->goal = g_strdup (goal);
  row->goal_met = met ? 1 : 0;
}

void
row_note (Row        *row,
          const char *note)
{
  g_free (row->note);
  row->note = g_strdup (note);
}

double
row_ratio (const Row *row)
{
  if (isnan (row->spindle_p50) || isnan (row->reference_p50) || row->reference_p50 == 0)
    return NAN;

  return row->spindle_p50 / row->reference_p50;
}

static void
json_string (GString    *out,
             const char *s)
{
  if (s == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
json_number (GString *out,
             double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value) || isinf (value))
    g_string_append (out, "null");
  else if (value == floor (value) && fabs (value) < 1e15)
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.0f", value));
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

static void
json_member_str (GString    *out,
                 const char *key,
                 const char *value,
                 gboolean    first)
{
  g_string_append (out, first ? "" : ", ");
  json_string (out, key);
  g_string_append (out, ": ");
  json_string (out, value);
}

static void
json_member_num (GString    *out,
                 const char *key,
                 double      value)
{
  g_string_append (out, ", ");
  json_string (out, key);
  g_string_append (out, ": ");
  json_number (out, value);
}

void
row_extra_num (Row        *row,
               const char *key,
               double      value)
{
  json_member_num (row->extra, key, value);
}

void
row_extra_str (Row        *row,
               const char *key,
               const char *value)
{
  json_member_str (row->extra, key, value, FALSE);
}

/* What exactly is timed, for the JSON; the table keeps the short measure. */
void
row_detail (Row        *row,
            const char *detail)
{
  row_extra_str (row, "detail", detail);
}

static void
row_to_json (const Row *row,
             GString   *out)
{
  g_string_append (out, "  {");
  json_member_str (out, "id", row->id, TRUE);
  json_member_str (out, "measure", row->measure, FALSE);
  json_member_str (out, "unit", row->unit, FALSE);
  json_member_num (out, "spindle_p50", row->spindle_p50);
  json_member_num (out, "spindle_p99", row->spindle_p99);
  json_member_str (out, "reference", row->reference, FALSE);
  json_member_num (out, "reference_p50", row->reference_p50);
  json_member_num (out, "ratio_p50", row_ratio (row));
  json_member_num (out, "reference_p99", row->reference_p99);
  json_member_str (out, "goal", row->goal, FALSE);
  g_string_append (out, ", \"goal_met\": ");
  g_string_append (out, row->goal_met < 0 ? "null" : row->goal_met ? "true" : "false");
  json_member_str (out, "note", row->note, FALSE);
  json_member_str (out, "mode", opts.quick ? "quick" : "full", FALSE);
  g_string_append (out, row->extra->str);
  g_string_append (out, "}");
}

static void
write_json (const char *path)
{
  g_autoptr(GString) out = g_string_new ("[\n");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      row_to_json (g_ptr_array_index (rows, i), out);
      g_string_append (out, i + 1 < rows->len ? ",\n" : "\n");
    }
  g_string_append (out, "]\n");

  if (!g_file_set_contents (path, out->str, out->len, &error))
    g_printerr ("spindle-bench: could not write %s: %s\n", path, error->message);
  else
    printf ("\nWrote %s (%u rows)\n", path, rows->len);
}

static char *
format_value (double      value,
              const char *unit)
{
  if (isnan (value))
    return g_strdup ("–");
  if (g_str_equal (unit, "workers/s") || fabs (value) >= 1000)
    return g_strdup_printf ("%.0f", value);
  if (fabs (value) >= 10)
    return g_strdup_printf ("%.1f", value);

  return g_strdup_printf ("%.2f", value);
}

static void
print_row (const Row *row)
{
  g_autofree char *p50 = format_value (row->spindle_p50, row->unit);
  g_autofree char *p99 = format_value (row->spindle_p99, row->unit);
  g_autofree char *ref = format_value (row->reference_p50, row->unit);
  double ratio = row_ratio (row);
  g_autofree char *ratio_text = isnan (ratio) ? g_strdup ("–")
                                : ratio < 0.1 ? g_strdup_printf ("%.2g×", ratio)
                                : g_strdup_printf ("%.2f×", ratio);
  const char *verdict = row->goal_met < 0 ? "" : row->goal_met ? " ✓" : " ✗";

  printf ("| %s | %s | %s | %s | %s | %s | %s | %s | %s%s |\n",
           row->id, row->measure, row->unit, p50, p99,
           row->reference != NULL ? row->reference : "–", ref, ratio_text,
           row->goal != NULL ? row->goal : "", verdict);
}

static void
print_table (void)
{
  printf ("\n| id | measure | unit | Spindle p50 | Spindle p99 | reference | reference p50 | ratio p50 | goal |\n");
  printf ("|---|---|---|---:|---:|---|---:|---:|---|\n");
  for (guint i = 0; i < rows->len; i++)
    print_row (g_ptr_array_index (rows, i));

  printf ("\nNotes:\n");
  for (guint i = 0; i < rows->len; i++)
    {
      const Row *row = g_ptr_array_index (rows, i);

      if (row->note != NULL)
        printf ("- %s (%s): %s\n", row->id, row->reference != NULL ? row->reference : row->measure, row->note);
    }
}

/* The machine ****************************************************************/

static void
print_machine (void)
{
  g_autofree char *model = read_first_match ("/proc/cpuinfo", "model name");
  g_autofree char *load = read_trimmed ("/proc/loadavg");
  struct utsname uts;

  uname (&uts);
  printf ("spindle-bench %s (%s mode)\n", PACKAGE_VERSION, opts.quick ? "quick" : "full");
  printf ("Machine: %ld CPUs online, %s, Linux %s, glibc %s, GLib %u.%u.%u\n",
           sysconf (_SC_NPROCESSORS_ONLN), model != NULL ? model : "unknown CPU",
           uts.release, gnu_get_libc_version (),
           glib_major_version, glib_minor_version, glib_micro_version);
  printf ("Load average at start: %s\n", load);
}

/* main ***********************************************************************/

static void
apply_mode_defaults (void)
{
  if (opts.trials <= 0)
    opts.trials = opts.quick ? 100 : 500;
  if (opts.anchor_trials <= 0)
    opts.anchor_trials = opts.quick ? 5 : 20;
  if (opts.anchor_step <= 0)
    opts.anchor_step = opts.quick ? 0.2 : 0.5;
  if (opts.p6_window <= 0)
    opts.p6_window = opts.quick ? 2 : 10;
  if (opts.anchors_dir == NULL)
    opts.anchors_dir = g_strdup (SPINDLE_BENCH_ANCHORS_DIR);
  if (opts.json_path == NULL)
    opts.json_path = g_strdup ("bench-results.json");
}

static gboolean
parse_options (int    *argc,
               char ***argv)
{
  GOptionEntry entries[] = {
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &opts.quick, "Fewer trials and shorter windows (well under a minute)", NULL },
    { "anchors", 0, 0, G_OPTION_ARG_FILENAME, &opts.anchors_dir, "Directory holding python_seed_stop.py", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &opts.json_path, "Where to write the results (bench-results.json)", "PATH" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &opts.only, "Run only these ids, e.g. P1,P4", "IDS" },
    { "trials", 0, 0, G_OPTION_ARG_INT, &opts.trials, "Latency trials per side (100 quick, 500 full)", "N" },
    { "settle-us", 0, 0, G_OPTION_ARG_INT, &opts.settle_usec, "Pause after a thread is seen waiting (2000)", "USEC" },
    { "anchor-trials", 0, 0, G_OPTION_ARG_INT, &opts.anchor_trials, "Trials per Python scenario (5 quick, 20 full)", "N" },
    { "anchor-step", 0, 0, G_OPTION_ARG_DOUBLE, &opts.anchor_step, "Python workers' sleep step in s (0.2 quick, 0.5 full)", "S" },
    { "window", 0, 0, G_OPTION_ARG_INT, &opts.p6_window, "P6 window in seconds (2 quick, 10 full)", "S" },
    { "max-workers", 0, 0, G_OPTION_ARG_INT, &opts.max_workers, "Upper bound for P6's large population (10000)", "N" },
    { "internal-rss", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opts.internal_rss, NULL, NULL },
    { "internal-n", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &opts.internal_n, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— Spindle side by side with raw threads and the Python anchor");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("spindle-bench: %s\n", error->message);
      return FALSE;
    }

  apply_mode_defaults ();
  return TRUE;
}

static void
run_all (void)
{
  g_autoptr(SpindleWorkerSet) set = spindle_worker_set_new ();
  gint64 begin = now_ns ();
  g_autofree char *load = NULL;

  if (wants ("P1")) bench_p1 (set);
  if (wants ("P2")) bench_p2 (set);
  if (wants ("P3")) bench_p3 (set);
  if (wants ("P4")) bench_p4 (set);
  if (wants ("P5") || wants ("P6")) bench_p5_p6 (set);
  if (wants ("P7")) bench_p7 ();
  if (wants ("P8")) bench_p8 (set);
  bench_process ();
  bench_export ();

  load = read_trimmed ("/proc/loadavg");
  printf ("Load average at end: %s; %.1f s in all\n", load, (now_ns () - begin) / 1e9);
}

int
main (int    argc,
      char **argv)
{
  if (!parse_options (&argc, &argv))
    return 2;

  raise_nofile ();

  /* EX2's subscriber, in a process of its own */
  if (g_getenv ("SPINDLE_BENCH_EXPORT_SUBSCRIBER") != NULL)
    return bench_export_subscriber ();

  /* PR5's host, which the benchmark SIGKILLs */
  if (g_getenv ("SPINDLE_BENCH_PROCESS_HOST") != NULL)
    return bench_process_host ();

  if (opts.internal_rss != NULL)
    return g_str_equal (opts.internal_rss, "raw") ? rss_child_raw (opts.internal_n)
                                                  : rss_child_spindle (opts.internal_n);

  glibtop_init ();
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);

  print_machine ();
  run_all ();
  print_table ();
  write_json (opts.json_path);

  g_ptr_array_unref (rows);
  clear_anchors ();

  return 0;
}
