#!/bin/sh
# tests/library/test-install.sh
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the build into a temporary directory and builds the example
# against it as a program outside the tree would: its headers and
# libraries found through pkg-config only, then runs it.
# Usage: test-install.sh BUILDDIR EXAMPLE.c PREFIX LIBDIR SANITIZE
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

# The .pc file names the final prefix: point it at the copy instead.
mkdir "$destdir/pkgconfig"
sed "s|^prefix=.*|prefix=$destdir$prefix|" "$destdir$libdir/pkgconfig/spindle-1.pc" \
  > "$destdir/pkgconfig/spindle-1.pc"

export PKG_CONFIG_PATH="$destdir/pkgconfig"
flags=$(pkg-config --cflags --libs spindle-1)
case $flags in
  *"$destdir"*) ;;
  *) echo "pkg-config does not point into the installed copy: $flags" >&2; exit 1 ;;
esac

# Only what was installed: no -I into the source or build tree.
${CC:-cc} -Wall -Werror -o "$destdir/spindle-hello" "$example" $flags

export LD_LIBRARY_PATH="$destdir$libdir"
if ! ldd "$destdir/spindle-hello" | grep -q "libspindle-1.so.0 => $destdir"; then
  echo "the example does not load the installed library:" >&2
  ldd "$destdir/spindle-hello" >&2
  exit 1
fi
"$destdir/spindle-hello" > "$destdir/out"
cat "$destdir/out"
grep -q "^hello: stopped" "$destdir/out"
grep -q "close the output file" "$destdir/out"
