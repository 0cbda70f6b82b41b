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

/* Shared by spindle-remote.c (attaching, the subscription, requests) and
 * spindle-remote-mirror.c (the mirrored workers, their sampling).
 */
struct _SpindleRemote
{
  SpindleWorkerSet *set;          /* owns us */
  GDBusConnection  *connection;
  GCancellable     *cancellable;  /* our calls in flight; cancelled when we go */
  char             *bus_name;     /* the well-known name, or the unique one given */
  char             *owner;        /* the unique name serving it */
  char             *name;         /* the program's */
  int               pid;
  gboolean          control;
  gboolean          gone;
  gboolean          subscribing;  /* a Subscribe call is in flight */
  guint64           seq;          /* the last applied snapshot or Update */
  guint             update_id;
  guint             dropped_id;
  guint             owner_id;
  GHashTable       *workers;      /* id → Mirror */
  GQueue            pending;      /* GVariant Updates that came before the snapshot */
  GTask            *attach;       /* until the first snapshot */
};

typedef enum
{
  SPINDLE_REMOTE_STOP,
  SPINDLE_REMOTE_FORCE_CANCEL,
  SPINDLE_REMOTE_ABANDON,
} SpindleRemoteRequest;

/* spindle-remote.c */
void     _spindle_remote_free     (SpindleRemote        *remote);
gboolean _spindle_remote_is_gone  (SpindleRemote        *remote);
gboolean _spindle_remote_forward  (SpindleWorker        *worker,
                                   SpindleRemoteRequest  request);
/* spindle-remote-mirror.c */
void     _spindle_remote_mirror_free   (gpointer             mirror);
gboolean _spindle_remote_is_mirror     (SpindleWorker       *worker);
void     _spindle_remote_apply_changed (SpindleRemote       *remote,
                                        GVariant            *changed);
void     _spindle_remote_remove_worker (SpindleRemote       *remote,
                                        guint64              id);
void     _spindle_remote_reconcile     (SpindleRemote       *remote,
                                        GVariant            *workers);
void     _spindle_remote_freeze        (SpindleRemote       *remote);
gboolean _spindle_remote_sample   (SpindleWorker        *worker,
                                   gboolean              detailed,
                                   SpindleSample        *sample,
                                   SpindleTaskDetails   *details);

G_END_DECLS
