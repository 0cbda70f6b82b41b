#!/bin/sh
# tests/library/test-install-gtk.sh
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# libspindle-gtk-1 as a program outside the tree uses it: installs the
# build into a temporary directory, checks that the library exports its
# public API and nothing else, builds examples/spindle-embed.c with
# `pkg-config --cflags --libs spindle-gtk-1` against the installed copy
# only, and runs it with --check (the panel lists the program's workers and
# its own Stop buttons stop them) when a display is there.
# Usage: test-install-gtk.sh BUILDDIR EXAMPLE.c PREFIX LIBDIR SANITIZE
set -eu

builddir=$1
example=$2
prefix=$3
libdir=$4
sanitize=${5:-none}

# A sanitized library needs its runtime loaded first, which a program
# built as users build theirs does not do: 77 tells meson "skipped".
if [ "$sanitize" != none ]; then
  echo "skipped: the library is built with -fsanitize=$sanitize"
  exit 77
fi
case $libdir in
  /*) ;;
  *) libdir=$prefix/$libdir ;;
esac

destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

meson install -C "$builddir" --destdir "$destdir" --no-rebuild --quiet >/dev/null

# The public surface: SpindlePanel's functions, nothing of the widgets
# inside it.
lib="$destdir$libdir/libspindle-gtk-1.so"
exports=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | sort)
expected="spindle_panel_get_selected_worker
spindle_panel_get_set
spindle_panel_get_type
spindle_panel_new
spindle_panel_set_set"
if [ "$exports" != "$expected" ]; then
  echo "libspindle-gtk-1 exports other functions than its public API:" >&2
  printf '%s\n' "$exports" >&2
  exit 1
fi
for header in spindle-gtk.h spindle-gtk-version-macros.h spindle-panel.h; do
  if [ ! -f "$destdir$prefix/include/spindle-gtk-1/$header" ]; then
    echo "include/spindle-gtk-1/$header is not installed" >&2
    exit 1
  fi
done

# The .pc files name the final prefix: point them at the copy instead.
mkdir "$destdir/pkgconfig"
for pc in spindle-1 spindle-gtk-1; do
  sed "s|^prefix=.*|prefix=$destdir$prefix|" "$destdir$libdir/pkgconfig/$pc.pc" \
    > "$destdir/pkgconfig/$pc.pc"
done

export PKG_CONFIG_PATH="$destdir/pkgconfig"
flags=$(pkg-config --cflags --libs spindle-gtk-1)
case $flags in
  *"$destdir$prefix/include/spindle-gtk-1"*"$destdir$prefix/include/spindle-1"*|*"$destdir$prefix/include/spindle-1"*"$destdir$prefix/include/spindle-gtk-1"*) ;;
  *) echo "pkg-config does not point into the installed copy: $flags" >&2; exit 1 ;;
esac

# Only what was installed: no -I into the source or build tree.
${CC:-cc} -Wall -Werror -o "$destdir/spindle-embed" "$example" $flags

export LD_LIBRARY_PATH="$destdir$libdir"
for so in libspindle-gtk-1.so.0 libspindle-1.so.0; do
  if ! ldd "$destdir/spindle-embed" | grep -q "$so => $destdir"; then
    echo "the example does not load the installed $so:" >&2
    ldd "$destdir/spindle-embed" >&2
    exit 1
  fi
done

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "built against the installed copy; not run: no display (build-aux/test gives one)"
  exit 0
fi

# Its templates, style sheet and icons come from the library itself: a
# missing resource would be a critical, made fatal here. No Spindle schema.
G_DEBUG=fatal-criticals GSETTINGS_BACKEND=memory GTK_A11Y=none \
  "$destdir/spindle-embed" --check > "$destdir/out"
cat "$destdir/out"
grep -q "^every worker stopped through the panel$" "$destdir/out"
