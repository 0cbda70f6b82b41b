#!/bin/sh
# tests/library/test-install.sh
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs the build into a temporary directory and builds the example
# against it as a program outside the tree would: its headers and
# libraries found through pkg-config only, then runs it.
# Then does the same for Python: the installed typelib and override, loaded
# by the system Python (the first python3 on PATH may lack gi), run the
# Python example.
# Usage: test-install.sh BUILDDIR EXAMPLE.c PREFIX LIBDIR SANITIZE EXAMPLE.py
set -eu

builddir=$1
example=$2
prefix=$3
libdir=$4
sanitize=${5:-none}
example_py=${6:-}

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

# Python, from the installed copy only.
gir=$(find "$destdir" -name Spindle-1.gir | head -n 1)
typelib=$(find "$destdir" -name Spindle-1.typelib | head -n 1)
override=$(find "$destdir" -path '*/gi/overrides/Spindle.py' | head -n 1)
for file in "$gir" "$typelib" "$override"; do
  if [ -z "$file" ]; then
    echo "the install lacks Spindle-1.gir, Spindle-1.typelib or gi/overrides/Spindle.py" >&2
    exit 1
  fi
done
# Installed where the system Python looks for the prefixes it knows.
site=$(dirname "$(dirname "$(dirname "$override")")")
case $prefix in
  /usr|/usr/local)
    if ! /usr/bin/python3 -c 'import sys; print("\n".join(sys.path))' | grep -qx "${site#"$destdir"}"; then
      echo "the override is installed in ${site#"$destdir"}, where /usr/bin/python3 does not look" >&2
      exit 1
    fi ;;
esac
export GI_TYPELIB_PATH="$(dirname "$typelib")"
export PYTHONPATH="$(dirname "$(dirname "$(dirname "$override")")")"

/usr/bin/python3 - "$destdir" <<'PY'
import sys
import gi
gi.require_version("Spindle", "1")
from gi.repository import Spindle

destdir = sys.argv[1]
workers = Spindle.WorkerSet.new()
override = sys.modules["gi.overrides.Spindle"].__file__
maps = open("/proc/self/maps").read()
assert override.startswith(destdir), override
assert destdir + "/" in maps and "libspindle-1.so.0" in maps
for name in ("Job", "Lock", "Cond", "SpawnOptions", "CleanupReport", "CleanupStep", "Diagnosis"):
    assert getattr(Spindle, name).__gtype__.is_a(gi.repository.GObject.TYPE_BOXED), name
assert isinstance(workers, gi.repository.GObject.Object)
print("typelib and override load from the installed copy")
PY

if [ -n "$example_py" ]; then
  /usr/bin/python3 "$example_py" > "$destdir/out-py"
  cat "$destdir/out-py"
  grep -q "^waiter: stopped" "$destdir/out-py"
  grep -q "^spinner: cancelled" "$destdir/out-py"
  grep -q "^spinner: finally ran, lock held: False" "$destdir/out-py"
  grep -q "release the scratch buffer" "$destdir/out-py"
fi
