/* spindle-sampler-private.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "spindle-sampler.h"

G_BEGIN_DECLS

guint64 _spindle_sampler_get_n_other_reads (SpindleSampler *sampler);
guint64 _spindle_sampler_get_n_listings    (SpindleSampler *sampler);

G_END_DECLS
