/* spindle-remote-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-remote.h"
#include "spindle-thread-info-private.h"
#include "spindle-worker-private.h"

G_BEGIN_DECLS

/* The client side of dev.spindle.Spindle1.Program: a set in mirror mode,
 * whose workers are another program's, seen through its snapshot and
 * updates. A mirror worker has no job and no thread of this process.
 */
typedef struct _SpindleRemote SpindleRemote;

typedef enum
{
  SPINDLE_REMOTE_STOP,
  SPINDLE_REMOTE_FORCE_CANCEL,
  SPINDLE_REMOTE_ABANDON,
} SpindleRemoteRequest;

void     _spindle_remote_free     (SpindleRemote        *remote);
gboolean _spindle_remote_is_gone  (SpindleRemote        *remote);
gboolean _spindle_remote_forward  (SpindleWorker        *worker,
                                   SpindleRemoteRequest  request);
gboolean _spindle_remote_sample   (SpindleWorker        *worker,
                                   gboolean              detailed,
                                   SpindleSample        *sample,
                                   SpindleTaskDetails   *details);

G_END_DECLS
