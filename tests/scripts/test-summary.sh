#!/usr/bin/env bash
# tests/scripts/test-summary.sh
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Feeds build-aux/test's summary parser meson test logs, whole and
# damaged, and checks its last line and exit status. Prints TAP.
set -uo pipefail

script=${1:?usage: test-summary.sh PATH/TO/build-aux/test}
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

n=0
failures=0

ok_tap='{"name": "good", "result": "OK", "stdout": "TAP version 13\n1..2\nok 1 /a\nok 2 /b\n"}'

# check NAME EXPECTED_LAST_LINE EXPECTED_STATUS LOG_LINE...
check() {
  local name=$1 expected=$2 expected_status=$3 status last
  shift 3
  printf '%s\n' "$@" > "$workdir/testlog.json"
  "$script" --summarize "$workdir/testlog.json" > "$workdir/out" 2> "$workdir/err"
  status=$?
  last=$(tail -n 1 "$workdir/out")
  n=$(( n + 1 ))
  if [[ $last == "$expected" && $status == "$expected_status" ]]; then
    echo "ok $n $name"
  else
    echo "not ok $n $name"
    echo "# expected '$expected' (status $expected_status), got '$last' (status $status)"
    sed 's/^/# /' "$workdir/err"
    failures=$(( failures + 1 ))
  fi
}

echo "1..8"

check "every TAP case counts" "2 passed, 0 failed" 0 "$ok_tap"

check "cases skipped and failed inside a program" "1 passed, 1 failed, 1 skipped" 1 \
  '{"name": "mixed", "result": "FAIL", "stdout": "ok 1 /a\nok 2 /b # SKIP no display\nnot ok 3 /c\n"}'

check "a program that died between cases adds one failure" "3 passed, 1 failed" 1 \
  "$ok_tap" '{"name": "crash", "result": "ERROR", "stdout": "ok 1 /a\n"}'

check "a program without TAP counts once by its result" "3 passed, 0 failed, 1 skipped" 0 \
  "$ok_tap" '{"name": "desktop", "result": "OK", "stdout": ""}' \
  '{"name": "ui", "result": "SKIP", "stdout": "1..0 # SKIP no display\n"}'

check "a line cut short is counted failed under its test's name" "2 passed, 1 failed" 1 \
  "$ok_tap" '{"name": "cut", "stdout": "ok 1 /a\nok 2'

check "a line cut short that names no test fails the run" "2 passed, 0 failed" 1 \
  "$ok_tap" '{"stdout": "ok 1 /a\nok'

check "a JSON line that is no result fails the run" "2 passed, 0 failed" 1 \
  "$ok_tap" '42'

check "an empty log is no success" "0 passed, 0 failed" 1 ""

exit $(( failures > 0 ))
