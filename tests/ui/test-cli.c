/* test-cli.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <grp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "spindle.h"
#include "spindle-ui-test-util.h"

/* Runs the built binary: bad command lines end with one line on stderr and
 * exit status 2, before any window could open (these run without a display).
 * SPINDLE_THREAD_BUDGET lowers the thread budget where a case needs a
 * small one whatever the machine.
 */

/* What a child that could not take on the test's limits exits with. */
#define EXIT_NO_SETUP 77
#define NOBODY 65534

/* The budget of this program's own windows. */
#define POPOVER_BUDGET 20

typedef struct
{
  const char *args[11];
  const char *message;   /* a fragment of the one line on stderr */
  const char *budget;    /* SPINDLE_THREAD_BUDGET, or NULL */
} BadCase;

#define TEN_TIMES(x) x, x, x, x, x, x, x, x, x, x

static const BadCase bad_cases[] = {
  { { "--workers", "sleepr=2" },          "unknown worker kind “sleepr”" },
  { { "--workers", "sleeper=many" },      "invalid count “many” for sleeper" },
  { { "--workers", "sleeper=-3" },        "invalid count “-3” for sleeper" },
  { { "--workers", "sleeper=0" },         "invalid count “0” for sleeper" },
  { { "--workers", "sleeper=" },          "invalid count “” for sleeper" },
  { { "--workers", "sleeper=99999999999" }, "invalid count “99999999999” for sleeper" },
  { { "--workers", "sleeper" },           "--workers expects KIND=N" },
  { { "--workers", "=3" },                "--workers expects KIND=N" },
  { { "--refresh", "fast" },              "invalid --refresh “fast”" },
  { { "--refresh", "5" },                 "invalid --refresh “5”" },
  { { "--refresh", "-100" },              "invalid --refresh “-100”" },
  /* what GOption finds */
  { { "--bogus" },                        "Unknown option --bogus (see “spindle --help”)" },
  { { "-x" },                             "Unknown option -x" },
  { { "--workers" },                      "Missing argument for --workers" },
  { { "-w" },                             "Missing argument for -w" },
  { { "--refresh" },                      "Missing argument for --refresh" },
  /* one operand is a recording to replay, alone */
  { { "--demo", "extra" },                "a recording is replayed on its own" },
  /* --run's command */
  { { "--run" },                          "--run needs a command after “--”" },
  { { "--run", "--" },                    "--run needs a command after “--”" },
  { { "--", "sleep", "1" },               "unexpected argument “1”: spindle takes one recording to replay, "
                                          "or a command after “--run --”" },
  { { "--run", "--", "spindle-no-such-program" },
                                          "--run: cannot find the program “spindle-no-such-program”" },
  { { "--run", "--", "/dev/null" },       "--run: cannot find the program “/dev/null”" },
  /* text that is not UTF-8, shown with a replacement character */
  { { "--workers", "sl\xff" "eeper=3" },     "invalid --workers “sl\xef\xbf\xbd" "eeper=3”: not valid UTF-8" },
  { { "--refresh", "1\xff" },             "invalid --refresh “1\xef\xbf\xbd”: not valid UTF-8" },
  { { "--w\xf6rkers=sleeper=3" },         "Unknown option --w\xef\xbf\xbdrkers" },
  /* an operand is a recording: one that is not there is a usage error */
  { { "\xff" },                           "spindle: \xef\xbf\xbd: " },
  /* one budget for every option together */
  { { "--workers", "sleeper=1000000" },   "cannot start 1000000 worker threads: this system allows 1000 "
                                          "(set by SPINDLE_THREAD_BUDGET)", "1000" },
  { { TEN_TIMES ("--workers=sleeper=100") },
                                          "cannot start 1000 worker threads: this system allows 999", "999" },
  { { "--workers", "supervisor=250" },    "cannot start 1000 worker threads", "999" },
  { { "--demo" },                         "cannot start 16 worker threads: this system allows 15", "15" },
  { { "-w", "sleeper=14", "--run", "--", "true" },
                                          "cannot start 15 worker threads: this system allows 14", "14" },
};

typedef struct
{
  const char *budget;
  rlim_t      nproc;    /* RLIMIT_NPROC for the child, as user nobody if run as root */
} Setup;

/* Between fork and exec: only async-signal-safe calls. */
static void
take_on_limits (gpointer data)
{
  const Setup *setup = data;
  struct rlimit nproc = { setup->nproc, setup->nproc };

  if (setup->nproc == 0)
    return;

  /* root is exempt from RLIMIT_NPROC: become a user it applies to */
  if (getuid () == 0 &&
      (setgroups (0, NULL) != 0 || setgid (NOBODY) != 0 || setuid (NOBODY) != 0))
    _exit (EXIT_NO_SETUP);

  if (setrlimit (RLIMIT_NPROC, &nproc) != 0)
    _exit (EXIT_NO_SETUP);
}

static int
run_with (const char * const  *args,
          const Setup         *setup,
          char               **out,
          char               **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *binary = g_getenv ("SPINDLE_BINARY");
  int status = 0;

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* No display: whatever fails must fail before GTK is needed. */
  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  envp = g_environ_unsetenv (envp, "SPINDLE_THREAD_BUDGET");
  if (setup->budget != NULL)
    envp = g_environ_setenv (envp, "SPINDLE_THREAD_BUDGET", setup->budget, TRUE);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, take_on_limits, (gpointer) setup,
                out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));

  return WEXITSTATUS (status);
}

static int
run (const char * const  *args,
     char               **out,
     char               **err)
{
  const Setup setup = { NULL, 0 };

  return run_with (args, &setup, out, err);
}

static void
assert_usage_error (int         status,
                    const char *out,
                    const char *err,
                    const char *message)
{
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, SPINDLE_EXIT_USAGE);
  g_assert_true (g_str_has_prefix (err, "spindle: "));
  g_assert_nonnull (strstr (err, message));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);    /* one line */
  g_assert_cmpstr (out, ==, "");
}

static void
test_bad_command_line (gconstpointer data)
{
  const BadCase *bad = data;
  const Setup setup = { bad->budget, 0 };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_with (bad->args, &setup, &out, &err);

  assert_usage_error (status, out, err, bad->message);
}

/* A command line that is good goes on to need a display, which the tests
 * take away: any failure then is GTK's, not a usage error.
 */
static void
assert_accepted (int         status,
                 const char *err)
{
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, !=, SPINDLE_EXIT_USAGE);
  g_assert_null (strstr (err, "spindle: "));
}

/* Exactly as many as the budget, over several options. */
static void
test_budget_fits (void)
{
  const char *args[] = { "--workers", "sleeper=990", "--workers", "supervisor=2", "--workers", "result=2", NULL };
  const Setup setup = { "1000", 0 };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_with (args, &setup, &out, &err);

  assert_accepted (status, err);
}

/* Ten thousand, where the system allows it, and no cap per option. */
static void
test_ten_thousand (void)
{
  const char *args[] = { "--workers=sleeper=5000", "--workers=compute=4000", "-w", "supervisor=250", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  SpindleThreadLimits limits;
  SpindleThreadLimit binding;
  guint budget;
  int status;

  /* the machine's budget, not the one this program set for itself */
  spindle_thread_limits_read (&limits);
  limits.override = -1;
  budget = spindle_thread_budget_compute (&limits, &binding);

  if (budget < 10000)
    {
      g_test_skip_printf ("this system allows %u worker threads (%s)", budget,
                          spindle_thread_limit_describe (binding));
      return;
    }

  status = run (args, &out, &err);
  assert_accepted (status, err);
}

/* The real limit, as a user meets it: `ulimit -u 300`. */
static void
test_nproc_limit (void)
{
  const char *too_many[] = { "--workers", "sleeper=1000", NULL };
  const char *some[] = { "--workers", "sleeper=100", NULL };
  const Setup setup = { NULL, 300 };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_with (too_many, &setup, &out, &err);

  if (status == EXIT_NO_SETUP)
    {
      g_test_skip ("cannot run the binary as a user RLIMIT_NPROC applies to");
      return;
    }

  assert_usage_error (status, out, err, "cannot start 1000 worker threads: this system allows ");
  g_assert_nonnull (strstr (err, "(set by the user’s process limit, ulimit -u, with 64 threads kept for the toolkit)"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = run_with (some, &setup, &out, &err);
  assert_accepted (status, err);
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

/* Picks @count workers of @kind in the popover; says if they were added. */
static gboolean
add_from_popover (SpindleUiFixture *fixture,
                  const char       *kind,
                  guint             count)
{
  GtkWidget *button = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_MENU_BUTTON, NULL, NULL);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  GtkWidget *spin = spindle_ui_test_find (popover, GTK_TYPE_SPIN_BUTTON, NULL, NULL);
  GtkWidget *message = spindle_ui_test_find (popover, GTK_TYPE_LABEL, "budget-message", NULL);
  guint n_before = g_list_model_get_n_items (G_LIST_MODEL (fixture->set));

  if (!gtk_widget_get_mapped (popover))
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  spindle_ui_test_wait (is_mapped, popover);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), count);
  g_assert_false (gtk_widget_get_visible (message));
  g_assert_true (gtk_widget_activate (spindle_ui_test_find (popover, GTK_TYPE_LIST_BOX_ROW, kind, NULL)));
  spindle_ui_test_settle (fixture->window);

  if (gtk_widget_get_visible (message))
    {
      g_test_message ("popover: %s", gtk_label_get_text (GTK_LABEL (message)));
      g_assert_true (gtk_widget_get_mapped (popover));
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, n_before);
      return FALSE;
    }

  g_assert_false (gtk_widget_get_mapped (popover));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->set)), ==, n_before + count);
  return TRUE;
}

static gboolean
has_budget_live (SpindleWorkerSet *set)
{
  return spindle_worker_set_get_n_live (set) == POPOVER_BUDGET;
}

/* The popover counts what runs already and refuses a request that would
 * pass the budget, whole, saying why in the window.
 */
static void
test_add_popover (SpindleUiFixture *fixture)
{
  GtkWidget *button = spindle_ui_test_find (GTK_WIDGET (fixture->window), GTK_TYPE_MENU_BUTTON, NULL, NULL);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  GtkWidget *spin = spindle_ui_test_find (popover, GTK_TYPE_SPIN_BUTTON, NULL, NULL);
  GtkWidget *message = spindle_ui_test_find (popover, GTK_TYPE_LABEL, "budget-message", NULL);

  /* one request may ask for the whole budget */
  g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin))),
                     ==, POPOVER_BUDGET);

  g_assert_true (add_from_popover (fixture, "sleeper", 12));
  g_assert_false (add_from_popover (fixture, "sleeper", 9));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (message)), ==,
                   "Cannot start 9 more worker threads: 12 are running of the 20 this system allows "
                   "(set by SPINDLE_THREAD_BUDGET)");

  /* a supervisor's children count too: 3 × 4 threads */
  g_assert_false (add_from_popover (fixture, "supervisor", 3));
  g_assert_true (add_from_popover (fixture, "supervisor", 2));
  spindle_ui_test_wait (has_budget_live, fixture->set);
  g_assert_false (add_from_popover (fixture, "sleeper", 1));
  gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
test_version (void)
{
  const char *args[] = { "--version", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, PACKAGE_NAME " " PACKAGE_VERSION "\n");
}

static void
test_help (void)
{
  const char *args[] = { "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "--workers=KIND=N"));
  g_assert_nonnull (strstr (out, "--demo"));
  g_assert_nonnull (strstr (out, "--refresh=MS"));
  g_assert_nonnull (strstr (out, "socket-reader"));
  g_assert_nonnull (strstr (out, "--run -- COMMAND [ARGUMENT…]"));
  g_assert_nonnull (strstr (out, "--run "));
  g_assert_nonnull (strstr (out, "spindle --run -- sleep 60"));
}

int
main (int   argc,
      char *argv[])
{
  gboolean display;

  g_setenv ("SPINDLE_THREAD_BUDGET", G_STRINGIFY (POPOVER_BUDGET), TRUE);
  g_test_init (&argc, &argv, NULL);
  display = gtk_init_check ();

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ui/cli/bad-command-line/%u", i);

      g_test_add_data_func (path, &bad_cases[i], test_bad_command_line);
    }

  g_test_add_func ("/ui/cli/budget/fits", test_budget_fits);
  g_test_add_func ("/ui/cli/budget/ten-thousand", test_ten_thousand);
  g_test_add_func ("/ui/cli/budget/nproc-limit", test_nproc_limit);
  if (display)
    spindle_ui_test_add ("/ui/cli/budget/add-popover", test_add_popover);
  g_test_add_func ("/ui/cli/version", test_version);
  g_test_add_func ("/ui/cli/help", test_help);

  return g_test_run ();
}
