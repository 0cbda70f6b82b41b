/* spindle-gtk-version-macros.h
 *
 * Copyright 2026 The Spindle authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined (SPINDLE_GTK_INSIDE) && !defined (SPINDLE_GTK_COMPILATION)
# error "Only <spindle-gtk.h> can be included directly."
#endif

/* libspindle-gtk-1 is built with hidden visibility, as the engine is: what
 * carries this macro is its public API, and nothing else is exported.
 * Programs that use the library see a plain extern declaration.
 */
#if defined (SPINDLE_GTK_COMPILATION) && defined (__GNUC__)
# define SPINDLE_GTK_AVAILABLE_IN_ALL __attribute__((visibility ("default"))) extern
#else
# define SPINDLE_GTK_AVAILABLE_IN_ALL extern
#endif
