/* bench-pause.c
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The least command a process worker can run, for PR3's cycles: it waits
 * in pause() until a signal ends it (SIGTERM's default action), and does
 * nothing else. Linked statically, its start-up is an exec and little
 * more, so that the cycles measure Spindle's own cost rather than the
 * dynamic loading and locale set-up of a command such as sleep.
 *
 *   spindle-bench-pause [MARK]   (arguments are ignored: the benchmark
 *                                 counts processes by a marker in them)
 */

#include <unistd.h>

int
main (void)
{
  for (;;)
    pause ();
}
