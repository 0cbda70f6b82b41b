/* spindlectl-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What spindlectl knows of Spindle is its D-Bus protocol, written down in
 * app/engine/dev.spindle.Spindle1.Program.xml: these names, nothing of the
 * engine's code. */
#define CTL_NAME_PREFIX  "dev.spindle.Spindle1.Program."
#define CTL_OBJECT_PATH  "/dev/spindle/Spindle1"
#define CTL_INTERFACE    "dev.spindle.Spindle1.Program"
#define CTL_ERROR_PREFIX "dev.spindle.Spindle1.Error."

/* Exit statuses, as gdbus and busctl use them. */
typedef enum
{
  CTL_EXIT_OK = 0,
  CTL_EXIT_FAILED = 1,
  CTL_EXIT_USAGE = 2,
} CtlExit;

/* A program's workers as last seen: id → a{sv} (every key), in the order
 * the program listed them (parents before children). */
typedef struct
{
  guint       pid;
  char       *bus_name;
  char       *comm;
  GVariant   *info;
  GHashTable *workers;
  GArray     *order;
  guint64     seq;
  guint64     dropped;
} CtlProgram;

CtlProgram *ctl_program_new            (guint           pid);
void        ctl_program_free           (CtlProgram     *program);
gboolean    ctl_program_subscribe      (CtlProgram     *program,
                                        GDBusConnection *bus,
                                        guint           interval_ms,
                                        GError        **error);
void        ctl_program_unsubscribe    (CtlProgram     *program,
                                        GDBusConnection *bus);
gboolean    ctl_program_snapshot       (CtlProgram     *program,
                                        GDBusConnection *bus,
                                        GError        **error);
void        ctl_program_apply_update   (CtlProgram     *program,
                                        GVariant       *changed,
                                        GVariant       *removed);
GPtrArray  *ctl_program_tree           (CtlProgram     *program);
guint       ctl_program_depth          (CtlProgram     *program,
                                        GVariant       *worker);
const char *ctl_program_name           (CtlProgram     *program);
guint       ctl_program_count_live     (CtlProgram     *program);
gboolean    ctl_program_find_worker    (CtlProgram     *program,
                                        const char     *spec,
                                        guint64        *id,
                                        GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtlProgram, ctl_program_free)

char       *ctl_bus_name_for_pid       (guint           pid);
gboolean    ctl_parse_pid              (const char     *text,
                                        guint          *pid);
void        ctl_explain_error          (GError         *error,
                                        guint           pid,
                                        const char     *worker);
const char *ctl_state_label            (const char     *nick);
gboolean    ctl_state_is_terminal      (const char     *nick);
char       *ctl_format_elapsed         (gint64          usec);
guint       ctl_text_width             (const char     *text);
guint       ctl_char_width             (gunichar        c);
gint64      ctl_worker_elapsed         (GVariant       *worker,
                                        gint64          now);
void        ctl_append_program_table   (GString        *out,
                                        CtlProgram     *program,
                                        gint64          now);

/* Each command: its arguments after the command's name. */
int         ctl_command_list           (GDBusConnection *bus,
                                        int             argc,
                                        char          **argv);
int         ctl_command_watch          (GDBusConnection *bus,
                                        int             argc,
                                        char          **argv);
int         ctl_command_details        (GDBusConnection *bus,
                                        int             argc,
                                        char          **argv);
int         ctl_command_control        (GDBusConnection *bus,
                                        const char     *command,
                                        int             argc,
                                        char          **argv);

CtlProgram *ctl_resolve_worker         (GDBusConnection *bus,
                                        guint           pid,
                                        const char     *spec,
                                        guint64        *id);
char      **ctl_split_options          (const char     *command,
                                        int             argc,
                                        char          **argv,
                                        const char     *const *known,
                                        GHashTable     *found,
                                        int            *n_rest);
void        ctl_json_add_worker        (JsonBuilder    *builder,
                                        GVariant       *worker,
                                        gint64          now);
void        ctl_json_add_cleanup       (JsonBuilder    *builder,
                                        GVariant       *cleanup);
void        ctl_print_json             (JsonBuilder    *builder);

int         ctl_usage_error            (const char     *format,
                                        ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
