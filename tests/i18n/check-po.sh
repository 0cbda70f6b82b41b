#!/bin/sh
# tests/i18n/check-po.sh
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Every catalogue of every text domain passes msgfmt --check and is
# complete: all messages translated, none fuzzy, none untranslated.
# Usage: check-po.sh PO_DIR... Prints TAP, one case per catalogue.
set -u

n=0
for dir in "$@"; do
  for po in "$dir"/*.po; do
    n=$((n + 1))
  done
done
echo "1..$n"

i=0
failed=0
for dir in "$@"; do
  for po in "$dir"/*.po; do
    i=$((i + 1))
    name="$(basename "$dir")/$(basename "$po")"
    stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1)
    status=$?
    echo "# $name: $stats" | tr '\n' ' '
    echo
    if [ $status -eq 0 ] && printf '%s' "$stats" | grep -Eq '^[0-9]+ translated messages?\.$'; then
      echo "ok $i /i18n/po/$name"
    else
      echo "not ok $i /i18n/po/$name"
      failed=1
    fi
  done
done
exit $failed
