/* spindle-json.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "spindle-json-private.h"

/* A JSON string: quotes, backslashes and control characters escaped, and
 * bytes that are not UTF-8 replaced, so that any worker name or message
 * makes a valid line.
 */
void
spindle_json_append_string (GString    *out,
                            const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);

  g_string_append_c (out, '"');
  for (const char *c = valid; *c != '\0'; c++)
    {
      switch (*c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if ((guchar) *c < 0x20)
            g_string_append_printf (out, "\\u%04x", (guchar) *c);
          else
            g_string_append_c (out, *c);
        }
    }
  g_string_append_c (out, '"');
}

/* ,"name":"text" */
void
spindle_json_append_member (GString    *out,
                            const char *name,
                            const char *text)
{
  g_string_append_printf (out, ",\"%s\":", name);
  spindle_json_append_string (out, text);
}

const char *
spindle_json_enum_nick (GType enum_type,
                        int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);

  /* the nick is static: it outlives the class reference */
  return enum_value != NULL ? enum_value->value_nick : "unknown";
}
