/* spindle-time-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Times are monotonic µs and durations may be G_MAXINT64 ("forever"):
 * every sum of the two saturates instead of wrapping negative.
 */
static inline gint64
_spindle_time_add (gint64 at,
                   gint64 usec)
{
  gint64 sum;

  if (__builtin_add_overflow (at, usec, &sum))
    return usec > 0 ? G_MAXINT64 : G_MININT64;

  return sum;
}

G_END_DECLS
