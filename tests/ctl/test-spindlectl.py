#!/usr/bin/python3
# tests/ctl/test-spindlectl.py
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# spindlectl against a real exporting program: list --json sees its
# workers, stop ends one and details shows its cleanup report, cancel
# force-cancels another, unknown programs and workers fail with status 1
# and one line, usage errors give 2, and watch on a pipe prints an update
# after a change and ends when the program exits. Speaks TAP.
#
# Usage: test-spindlectl.py SPINDLECTL -- PROGRAM [ARGS...]
# Run it under its own dbus-run-session. PROGRAM must export its workers
# with control allowed and keep at least three running until stopped.
# Every wait polls for an event with a generous guard; nothing sleeps a
# fixed time to let something happen.

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback
import unicodedata

GUARD_S = 60
POLL_S = 0.05
TERMINAL = {"finished", "failed", "stopped", "cancelled", "abandoned"}

spindlectl = sys.argv[1]
program_argv = sys.argv[sys.argv.index("--") + 1:]
program = None


def ctl(*args):
    """Runs spindlectl; returns (status, stdout, stderr)."""
    done = subprocess.run([spindlectl, *map(str, args)], capture_output=True,
                          text=True, timeout=GUARD_S)
    return done.returncode, done.stdout, done.stderr


def wait_for(what, probe):
    """Calls probe() until it returns something true; fails after the guard."""
    deadline = time.monotonic() + GUARD_S
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("still not true after %d s: %s" % (GUARD_S, what))
        time.sleep(POLL_S)


def listing():
    status, out, err = ctl("list", "--json")
    assert status == 0, "list --json failed (%d): %s" % (status, err)
    return json.loads(out)


def our_program(document):
    for entry in document["programs"]:
        if entry["pid"] == program.pid:
            return entry
    return None


def live_workers(entry):
    return [w for w in entry["workers"] if w["state"] == "running" and w["parent"] == 0]


def snapshot():
    return our_program(listing())


def worker(worker_id):
    entry = snapshot()
    assert entry is not None, "the program left the bus"
    for each in entry["workers"]:
        if each["id"] == worker_id:
            return each
    return None


def details(worker_id):
    status, out, err = ctl("details", "--json", program.pid, worker_id)
    assert status == 0, "details failed (%d): %s" % (status, err)
    return json.loads(out)


def ended(worker_id):
    """The details of a worker once it reached a terminal state."""
    found = details(worker_id)
    return found if found["worker"]["state"] in TERMINAL else None


def start_program():
    global program
    # the examples export themselves (with control, given --control)
    program = subprocess.Popen(program_argv, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL)
    wait_for("the program exports three running workers",
             lambda: (e := snapshot()) is not None and len(live_workers(e)) >= 3)


def pick_workers():
    """Running workers that stop when asked (the examples' counters)."""
    live = live_workers(snapshot())
    polite = [w["id"] for w in live if not w["name"].startswith("stubborn")]
    return polite or [w["id"] for w in live]


# --- cases --------------------------------------------------------------

def test_list_json():
    entry = snapshot()
    assert entry["bus-name"] == "dev.spindle.Spindle1.Program.p%d" % program.pid
    assert entry["control"] is True
    assert isinstance(entry["name"], str)
    keys = {"id", "set", "parent", "name", "kind", "tid", "pid", "state",
            "stop-reason", "started-at", "finished-at", "phase", "progress",
            "elapsed-us", "cleanup", "unresponsive", "error", "result"}
    for each in entry["workers"]:
        assert keys <= set(each), "missing keys: %s" % (keys - set(each))
        assert each["id"] > 0
        assert each["elapsed-us"] >= 0
    assert entry["n-workers"] >= len(live_workers(entry))


def test_list_table():
    status, out, err = ctl("list")
    assert status == 0, err
    assert "(PID %d)" % program.pid in out, out
    for each in live_workers(snapshot()):
        assert each["name"] in out, "%s not in %s" % (each["name"], out)


def test_stop_reports_cleanup():
    target = pick_workers()[0]
    status, out, err = ctl("stop", program.pid, target)
    assert status == 0, err
    found = wait_for("worker %d ends after stop" % target, lambda: ended(target))
    assert found["worker"]["state"] == "stopped", found["worker"]
    assert found["worker"]["stop-reason"] == "user", found["worker"]
    assert len(found["cleanup"]) >= 1, "no cleanup report: %s" % found
    assert all(step["outcome"] == "ok" for step in found["cleanup"]), found["cleanup"]
    status, text, err = ctl("details", program.pid, target)
    assert status == 0, err
    assert found["cleanup"][0]["label"] in text, text
    # a second stop is refused: the worker already finished
    status, out, err = ctl("stop", program.pid, target)
    assert status == 1 and "already finished" in err, (status, err)
    assert len(err.strip().splitlines()) == 1, err


def test_cancel_by_name():
    entry = snapshot()
    names = [w["name"] for w in entry["workers"]]
    live = [w for w in live_workers(entry) if names.count(w["name"]) == 1]
    # the worker that ignores stops, if the program has one
    target = next((w for w in live if w["name"].startswith("stubborn")), live[-1])
    status, out, err = ctl("cancel", program.pid, target["name"])
    assert status == 0, err
    found = wait_for("worker %s ends after cancel" % target["name"],
                     lambda: ended(target["id"]))
    assert found["worker"]["state"] == "cancelled", found["worker"]


def test_unknown_program_and_worker():
    free_pid = program.pid + 1
    while os.path.exists("/proc/%d" % free_pid):
        free_pid += 1
    for args in (["stop", free_pid, 1], ["details", free_pid, 1], ["watch", free_pid]):
        status, out, err = ctl(*args)
        assert status == 1, (args, status, err)
        assert err.strip() == "spindlectl: No program with PID %d exports its workers" % free_pid, err
    status, out, err = ctl("cancel", program.pid, 987654321)
    assert status == 1 and "has no worker" in err, (status, err)
    status, out, err = ctl("stop", program.pid, "no-such-worker")
    assert status == 1 and "no-such-worker" in err, (status, err)
    assert len(err.strip().splitlines()) == 1, err


def test_usage_errors():
    for args in ([], ["frobnicate"], ["stop"], ["stop", program.pid],
                 ["stop", "not-a-pid", 1], ["cancel", program.pid, 1, 2],
                 ["list", "--bad"], ["list", "extra"], ["watch"],
                 ["watch", "--interval=soon", program.pid], ["--bogus"]):
        status, out, err = ctl(*args)
        assert status == 2, (args, status, err)
        assert "spindlectl --help" in err, (args, err)
    status, out, err = ctl("--help")
    assert status == 0 and "list" in out and "watch" in out and "Exit status" in out


def test_read_only_refuses_control():
    """The same program without --control: listed, but control fails."""
    argv = [arg for arg in program_argv if arg != "--control"]
    other = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        def exported():
            for entry in listing()["programs"]:
                if entry["pid"] == other.pid and live_workers(entry):
                    return entry
            return None

        entry = wait_for("the read-only program exports", exported)
        assert entry["control"] is False, entry
        target = live_workers(entry)[0]["id"]
        for command in ("stop", "cancel", "abandon"):
            status, out, err = ctl(command, other.pid, target)
            assert status == 1, (command, status, err)
            assert err.strip() == ("spindlectl: Program %d does not allow control of its workers"
                                   % other.pid), err
        status, out, err = ctl("details", other.pid, target)
        assert status == 0, err
    finally:
        other.terminate()
        other.wait()


def columns(text):
    """Terminal columns of a text: two for wide and fullwidth characters."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in text)


def test_table_aligns_wide_names():
    """Workers named in Chinese: the table pads by terminal columns, so the
    STATE column starts at the same column on every line."""
    argv = program_argv + ["--prefix", "计数器", "--workers", "2"]
    other = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        def exported():
            for entry in listing()["programs"]:
                if entry["pid"] == other.pid and len(live_workers(entry)) >= 2:
                    return entry
            return None

        wait_for("the program with Chinese names exports", exported)
        status, out, err = ctl("list")
        assert status == 0, err
        lines = out.splitlines()
        first = next(i for i, l in enumerate(lines) if "(PID %d)" % other.pid in l)
        block = []
        for line in lines[first + 1:]:
            if not line.startswith("  "):
                break
            block.append(line)
        header, rows = block[0], [l for l in block[1:] if "计数器" in l]
        assert len(rows) >= 2, block
        state_at = columns(header[:header.index("STATE")])
        for row in rows:
            assert columns(row[:row.index("running")]) == state_at, "\n".join(block)
    finally:
        other.terminate()
        other.wait()


class Reader:
    """Lines of a child's stdout, read on a thread so waits can time out."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def until(self, what, test):
        deadline = time.monotonic() + GUARD_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("watch never printed %s; it printed:\n%s"
                                     % (what, "".join(self.seen)))
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("watch ended before %s; it printed:\n%s"
                                     % (what, "".join(self.seen)))
            self.seen.append(line)
            if test(line):
                return line


def row_of(worker_id, state):
    return lambda line: line.split()[:1] == [str(worker_id)] and state in line.split()


def test_watch_resubscribes_after_drop():
    """A watch that cannot keep up is dropped by the program and subscribes
    again: it is suspended while a second watch counts the updates sent."""
    slow = subprocess.Popen([spindlectl, "watch", "--interval=50", str(program.pid)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    counter = subprocess.Popen([spindlectl, "watch", "--interval=50", str(program.pid)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    slow_lines, counter_lines = Reader(slow.stdout), Reader(counter.stdout)
    try:
        is_heading = lambda line: "(PID %d)" % program.pid in line
        slow_lines.until("its first frame", is_heading)
        counter_lines.until("its first frame", is_heading)
        slow.send_signal(signal.SIGSTOP)
        # the program drops a subscriber 8 unacknowledged updates behind;
        # the counter's frames are updates the stopped one did not ack
        for n in range(12):
            counter_lines.until("update %d after the stop" % (n + 1), is_heading)
        slow.send_signal(signal.SIGCONT)
        slow_lines.until("the drop", lambda l: "dropped this view" in l)
        target = pick_workers()[0]
        status, out, err = ctl("stop", program.pid, target)
        assert status == 0, err
        slow_lines.until("worker %d stopped after the drop" % target, row_of(target, "stopped"))
        # Ctrl+C ends a watch with a word and status 0
        counter.send_signal(signal.SIGINT)
        counter_lines.until("the interrupt's message",
                            lambda l: "Stopped watching program %d" % program.pid in l)
        assert counter.wait(timeout=GUARD_S) == 0
    finally:
        for watch in (slow, counter):
            watch.send_signal(signal.SIGCONT)
            watch.kill()
            watch.wait()


def test_watch_follows_and_ends():
    target = pick_workers()[0]
    watch = subprocess.Popen([spindlectl, "watch", "--interval=50", str(program.pid)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = Reader(watch.stdout)
    try:
        reader.until("worker %d running" % target, row_of(target, "running"))
        status, out, err = ctl("stop", program.pid, target)
        assert status == 0, err
        reader.until("worker %d stopped" % target, row_of(target, "stopped"))
        program.send_signal(signal.SIGTERM)
        line = reader.until("the program's exit", lambda l: "has exited" in l)
        assert str(program.pid) in line, line
        assert watch.wait(timeout=GUARD_S) == 0
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()


TESTS = [
    test_list_json,
    test_list_table,
    test_stop_reports_cleanup,
    test_cancel_by_name,
    test_unknown_program_and_worker,
    test_usage_errors,
    test_read_only_refuses_control,
    test_table_aligns_wide_names,
    test_watch_resubscribes_after_drop,
    test_watch_follows_and_ends,  # ends the program: last
]


def main():
    print("1..%d" % len(TESTS), flush=True)
    failed = 0
    try:
        start_program()
    except Exception:
        traceback.print_exc()
        for number, test in enumerate(TESTS, start=1):
            print("not ok %d - %s # program did not export" % (number, test.__name__))
        return 1
    try:
        for number, test in enumerate(TESTS, start=1):
            try:
                test()
                print("ok %d - %s" % (number, test.__name__), flush=True)
            except Exception:
                failed += 1
                for line in traceback.format_exc().splitlines():
                    print("# " + line)
                print("not ok %d - %s" % (number, test.__name__), flush=True)
    finally:
        if program.poll() is None:
            program.kill()
        program.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
