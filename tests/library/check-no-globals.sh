#!/bin/sh
# tests/library/check-no-globals.sh
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when an object of the engine defines a global variable: state that
# files share goes through private functions, so that nothing but
# functions could ever be exported, and no file writes another's tables.
# Usage: check-no-globals.sh ARCHIVE
set -eu

archive=$1
listing=$(nm -g --defined-only "$archive")

if ! printf '%s\n' "$listing" | grep -q ' T spindle_worker_set_new$'; then
  echo "$archive does not define spindle_worker_set_new" >&2
  exit 1
fi

variables=$(printf '%s\n' "$listing" | awk 'NF == 3 && $2 ~ /^[BCDGRSV]$/ { print $3 }')
if [ -n "$variables" ]; then
  echo "global variables in the engine:" >&2
  printf '  %s\n' $variables >&2
  exit 1
fi
echo "no global variables"
