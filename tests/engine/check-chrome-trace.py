#!/usr/bin/python3
# tests/engine/check-chrome-trace.py
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks a trace Spindle exported: it passes the JSON schema of the Chrome
# trace event format (check-chrome-trace.py SCHEMA TRACE), every worker's
# track is named, and a track's state slices follow one another without
# overlapping. Prints what it found; exits 1 with the reason otherwise.
import collections
import json
import sys

import jsonschema


def main(schema_path, trace_path):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(trace_path, encoding="utf-8") as f:
        trace = json.load(f)

    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(trace), key=str)
    if errors:
        for error in errors[:5]:
            print(f"schema: {error.message} at {list(error.absolute_path)}", file=sys.stderr)
        return 1

    events = trace["traceEvents"]
    named = {e["tid"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    used = {e["tid"] for e in events if e["ph"] != "M" and e["tid"] != 0}
    if used - named:
        print(f"tracks without a name: {sorted(used - named)}", file=sys.stderr)
        return 1

    states = collections.defaultdict(list)
    for e in events:
        if e["ph"] == "X" and e.get("cat") == "state":
            states[e["tid"]].append((e["ts"], e["ts"] + e["dur"], e["name"]))
    for tid, slices in states.items():
        slices.sort()
        for (_, end, name), (start, _, next_name) in zip(slices, slices[1:]):
            if start < end:
                print(f"track {tid}: {name} overlaps {next_name}", file=sys.stderr)
                return 1

    kinds = collections.Counter(e["ph"] for e in events)
    print(f"{len(events)} events, {len(named)} worker tracks, "
          + ", ".join(f"{n} {ph}" for ph, n in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
