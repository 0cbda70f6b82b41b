/* spindle-version-macros.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (SPINDLE_INSIDE) && !defined (SPINDLE_COMPILATION)
# error "Only <spindle.h> can be included directly."
#endif

/* The library is built with hidden visibility: what carries this macro is
 * its public API, and nothing else is exported. Programs that use the
 * library see a plain extern declaration.
 */
#if defined (SPINDLE_COMPILATION) && defined (__GNUC__)
# define SPINDLE_AVAILABLE_IN_ALL __attribute__((visibility ("default"))) extern
#else
# define SPINDLE_AVAILABLE_IN_ALL extern
#endif
