/* spindle-ui-test-util.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spindle-application.h"
#include "spindle.h"
#include "spindle-window.h"

G_BEGIN_DECLS

/* Every wait is bounded by this guard: generous for a loaded machine, while
 * a hang still fails instead of blocking until meson's timeout.
 */
#define SPINDLE_UI_TEST_GUARD_MS 30000

typedef gboolean (*SpindleUiTestCond) (gpointer data);
typedef gboolean (*SpindleUiTestMatch) (GtkWidget     *widget,
                                        gconstpointer  data);

typedef struct
{
  SpindleApplication *app;
  SpindleWindow      *window;
  SpindleWorkerSet   *set;
  gboolean            destroyed;
} SpindleUiFixture;

typedef void (*SpindleUiTestFunc) (SpindleUiFixture *fixture);
typedef void (*SpindleUiTestInitFunc) (int    *argc,
                                       char ***argv);

void           spindle_ui_test_init            (int                 *argc,
                                                char              ***argv);
void           spindle_ui_test_init_full       (int                 *argc,
                                                char              ***argv,
                                                SpindleUiTestInitFunc test_init);
void           spindle_ui_test_add             (const char          *path,
                                                SpindleUiTestFunc    func);

void           spindle_ui_test_wait_full       (SpindleUiTestCond    cond,
                                                gpointer             data,
                                                const char          *what);
#define spindle_ui_test_wait(cond, data) \
  spindle_ui_test_wait_full ((SpindleUiTestCond) (cond), (data), G_STRLOC ": " #cond)
void           spindle_ui_test_wait_state      (SpindleWorker       *worker,
                                                SpindleWorkerState   state);
void           spindle_ui_test_wait_terminal   (SpindleWorker       *worker);
void           spindle_ui_test_wait_phase      (SpindleWorker       *worker,
                                                const char          *fragment);
void           spindle_ui_test_wait_drawn      (SpindleWindow       *window);
void           spindle_ui_test_wait_widget_drawn (GtkWidget         *widget);
void           spindle_ui_test_settle          (SpindleWindow       *window);

SpindleWorker *spindle_ui_test_spawn           (SpindleUiFixture    *fixture,
                                                const char          *kind);

void           spindle_ui_test_activate        (GtkWidget           *button);
GtkWidget     *spindle_ui_test_find            (GtkWidget           *root,
                                                GType                type,
                                                const char          *name,
                                                const char          *label);
GtkWidget     *spindle_ui_test_find_match      (GtkWidget           *root,
                                                SpindleUiTestMatch   match,
                                                gconstpointer        data);
GtkWidget     *spindle_ui_test_find_action_button (GtkWidget        *root,
                                                   const char       *action_name);
GtkWidget     *spindle_ui_test_find_css_class  (GtkWidget           *root,
                                                const char          *css_class);
GtkWidget     *spindle_ui_test_row_of          (GtkWidget           *widget);
const char    *spindle_ui_test_text_of         (GtkWidget           *widget);
gboolean       spindle_ui_test_widget_has_text (GtkWidget           *widget,
                                                const char          *text);
GtkWidget     *spindle_ui_test_find_row        (SpindleWindow       *window,
                                                SpindleWorker       *worker);
GtkWidget     *spindle_ui_test_find_row_button (SpindleWindow       *window,
                                                SpindleWorker       *worker,
                                                const char          *button_name);
char          *spindle_ui_test_row_text        (SpindleWindow       *window,
                                                SpindleWorker       *worker);
gboolean       spindle_ui_test_row_has_text    (SpindleWindow       *window,
                                                SpindleWorker       *worker,
                                                const char          *text);
GtkWidget     *spindle_ui_test_wait_row        (SpindleWindow       *window,
                                                 SpindleWorker       *worker);
void           spindle_ui_test_wait_row_shows  (SpindleWindow       *window,
                                                 SpindleWorker       *worker,
                                                 const char          *text);
void           spindle_ui_test_wait_row_matches (SpindleWindow      *window,
                                                 SpindleWorker      *worker,
                                                 SpindleUiTestMatch  match,
                                                 gconstpointer       data);
guint          spindle_ui_test_n_rows          (SpindleWindow       *window);
void           spindle_ui_test_select          (SpindleWindow       *window,
                                                SpindleWorker       *worker);
void           spindle_ui_test_unselect        (SpindleWindow       *window);
GtkWindow     *spindle_ui_test_find_toplevel   (GType                type);
GtkWindow     *spindle_ui_test_find_dialog     (void);
GtkWindow     *spindle_ui_test_wait_dialog     (void);

GtkColumnView *spindle_ui_test_get_view        (SpindleWindow       *window);
GtkColumnViewColumn *spindle_ui_test_find_column (SpindleWindow     *window,
                                                 const char          *title);
void           spindle_ui_test_sort_by         (SpindleWindow       *window,
                                                const char          *title);
void           spindle_ui_test_set_search      (SpindleWindow       *window,
                                                const char          *text);
gboolean       spindle_ui_test_is_unresponsive (SpindleWorker       *worker);
GVariant      *spindle_ui_test_sleep_until_stopped (SpindleJob      *job,
                                                    gpointer         data,
                                                    GError         **error);
GVariant      *spindle_ui_test_parent_until_stopped (SpindleJob     *job,
                                                     gpointer        data,
                                                     GError        **error);
void           spindle_ui_test_save_png        (GtkWidget           *widget,
                                                const char          *path);

G_END_DECLS
