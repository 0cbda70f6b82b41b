#!/bin/sh
# tests/library/check-exports.sh
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when the shared library exports a symbol outside its namespace:
# everything it defines for programs starts with spindle_.
# Usage: check-exports.sh LIBRARY
set -eu

lib=$1
symbols=$(nm -D --defined-only "$lib" | awk '{ print $NF }' | sed 's/@.*//')

if [ -z "$symbols" ]; then
  echo "$lib exports nothing" >&2
  exit 1
fi
if ! printf '%s\n' "$symbols" | grep -q '^spindle_worker_set_new$'; then
  echo "$lib does not export spindle_worker_set_new" >&2
  exit 1
fi

stray=$(printf '%s\n' "$symbols" | grep -v '^spindle_' || true)
if [ -n "$stray" ]; then
  echo "exported outside the spindle_ namespace:" >&2
  printf '  %s\n' $stray >&2
  exit 1
fi
echo "$(printf '%s\n' "$symbols" | wc -l) symbols, all spindle_*"
