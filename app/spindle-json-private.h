/* spindle-json-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Writing JSON text by hand, for the recorder and the trace export: both
 * write one small object at a time, far faster than building trees.
 */
void        spindle_json_append_string (GString    *out,
                                        const char *text);
void        spindle_json_append_member (GString    *out,
                                        const char *name,
                                        const char *text);
const char *spindle_json_enum_nick     (GType       enum_type,
                                        int         value);

G_END_DECLS
