/* spindle-dispatch-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-cleanup-report.h"
#include "spindle-types.h"

G_BEGIN_DECLS

typedef enum
{
  SPINDLE_EVENT_SPAWNED,     /* a child, posted by its parent */
  SPINDLE_EVENT_STARTED,
  SPINDLE_EVENT_DIRTY,
  SPINDLE_EVENT_CLEANUP_STARTED,
  SPINDLE_EVENT_CLEANUP_STEP,
  SPINDLE_EVENT_FINISHED,
} SpindleEventKind;

/* One thing a worker thread reports; it crosses to the main thread whole.
 * It carries its own queue link: GLib 2.74's list links come from GSlice,
 * whose per-thread magazines cost every new worker thread a heap of its
 * own at its first event.
 */
typedef struct
{
  GList                 link;
  SpindleEventKind      kind;
  SpindleJob           *job;
  int                   tid;
  char                 *label;
  char                 *message;
  SpindleCleanupOutcome outcome;
  gint64                time;
  SpindleWorkerState    terminal;
  GVariant             *result;
  GError               *error;
  SpindleCleanupReport *report;
} SpindleEvent;

typedef struct _SpindleDispatch SpindleDispatch;

/* Runs on the dispatch's main context with the events in posting order. */
typedef void (*SpindleDispatchFunc) (GQueue   *events,
                                     gpointer  user_data);

SpindleEvent    *_spindle_event_new          (SpindleEventKind     kind,
                                              SpindleJob          *job);
void             _spindle_event_free         (SpindleEvent        *event);

SpindleDispatch *_spindle_dispatch_new       (GMainContext        *context,
                                              SpindleDispatchFunc  func,
                                              gpointer             user_data);
SpindleDispatch *_spindle_dispatch_ref       (SpindleDispatch     *dispatch);
void             _spindle_dispatch_unref     (SpindleDispatch     *dispatch);
void             _spindle_dispatch_post      (SpindleDispatch     *dispatch,
                                              SpindleEvent        *event);
void             _spindle_dispatch_post_quiet (SpindleDispatch *dispatch,
                                              SpindleEvent        *event);
void             _spindle_dispatch_hurry     (SpindleDispatch     *dispatch);
void             _spindle_dispatch_flush     (SpindleDispatch     *dispatch);
void             _spindle_dispatch_close     (SpindleDispatch     *dispatch);
guint64          _spindle_dispatch_get_n_wakeups (SpindleDispatch *dispatch);

G_END_DECLS
