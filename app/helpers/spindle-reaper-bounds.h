/* spindle-reaper-bounds.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

/* The reaper helper's time bounds, which the host's own bound on waiting
 * for the helper's report (app/engine/spindle-process.c) is made of: what
 * only the helper knows must not outlast what the host waits for.
 */

/* How long a kill may take before what is left is reported unreaped. */
#define KILL_BOUND_MS 5000
/* How long the cgroup may take to empty once the reaper has no child:
 * what is in it then was not the reaper's to reap. */
#define EMPTY_BOUND_MS 1000
/* How long the systemd user manager may take to start a scope; orders
 * wait meanwhile. */
#define SCOPE_BOUND_MS 5000

/* The longest a helper ordered to kill takes to report "done": the scope
 * it was placing the command in, the kill, the cgroup's emptying. */
#define REAPER_WORST_MS (SCOPE_BOUND_MS + KILL_BOUND_MS + EMPTY_BOUND_MS)
