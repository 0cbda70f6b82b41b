/* spindle-starter-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <pthread.h>

#include "spindle-job-private.h"

G_BEGIN_DECLS

typedef struct _SpindleStarter SpindleStarter;

typedef enum
{
  SPINDLE_STARTER_PAUSE_NONE,
  SPINDLE_STARTER_PAUSE_BEFORE_TAKE,
  SPINDLE_STARTER_PAUSE_AFTER_TAKE,
} SpindleStarterPause;

SpindleStarter *_spindle_starter_new   (void);
void            _spindle_starter_push  (SpindleStarter *starter,
                                        SpindleJob     *job);
void            _spindle_starter_close (SpindleStarter *starter);
void            _spindle_starter_unref (SpindleStarter *starter);

gpointer        _spindle_starter_take_stack (gsize      size);
void            _spindle_starter_give_stack (gpointer   stack);
void            _spindle_starter_let_go     (pthread_t  thread,
                                             gpointer   stack);
void            _spindle_starter_reap       (void);

/* for tests */
void            _spindle_starter_set_pause    (SpindleStarter      *starter,
                                               SpindleStarterPause  pause);
guint           _spindle_starter_get_n_paused (SpindleStarter      *starter);

G_END_DECLS
