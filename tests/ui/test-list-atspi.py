#!/usr/bin/python3
# tests/ui/test-list-atspi.py
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Drives the worker list through the accessibility bus, as a screen reader
# does: finds a worker's row by its buttons' accessible names ("Stop
# sleeper 1"), presses them through AT-SPI's Action interface, and reads
# the row's state back. Needs a display and a session bus (build-aux/test
# gives both); starts its own accessibility bus, and turns GTK's AT-SPI
# bridge back on for Spindle alone (the other UI tests run without it).
# Exits 77 (skipped) when python3-pyatspi or at-spi2-core is missing.
# Prints TAP.

import importlib.util
import os
import signal
import subprocess
import sys
import time

LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
GUARD_S = 30  # a failure guard for a loaded machine, not a timing goal

if importlib.util.find_spec("pyatspi") is None:
    print("1..0 # SKIP python3-pyatspi is not installed")
    sys.exit(0)

if not os.path.exists(LAUNCHER) or "DBUS_SESSION_BUS_ADDRESS" not in os.environ:
    print("1..0 # SKIP no at-spi2-core or no session bus: run under build-aux/test")
    sys.exit(0)

# The bus first: the AT-SPI client looks it up when it is first used.
launcher = subprocess.Popen([LAUNCHER, "--launch-immediately"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
subprocess.run(["gdbus", "wait", "--session", "--timeout", str(GUARD_S), "org.a11y.Bus"],
               check=True)

import pyatspi  # noqa: E402

cases = []


def case(func):
    cases.append(func)
    return func


def wait_for(what, condition):
    """Polls @condition (a query over the bus) until it holds."""
    deadline = time.monotonic() + GUARD_S
    while True:
        try:
            value = condition()
        except Exception:  # a node went away while it was read
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {GUARD_S} s waiting for {what}")
        time.sleep(0.05)


def walk(node):
    if node is None:
        return
    yield node
    for i in range(node.childCount):
        yield from walk(node.getChildAtIndex(i))


def find(root, role, name):
    for node in walk(root):
        if node.getRoleName() == role and node.name == name:
            return node
    return None


def row_of(node):
    while node is not None and node.getRoleName() != "table row":
        node = node.parent
    return node


def row_labels(row):
    return [n.name for n in walk(row) if n.getRoleName() == "label"]


def press(button):
    action = button.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    assert names, f"{button.name} has no action"
    action.doAction(names.index("click") if "click" in names else 0)


class Spindle:
    def __init__(self):
        env = dict(os.environ)
        env.pop("NO_AT_BRIDGE", None)
        env["GTK_A11Y"] = "atspi"
        binary = os.environ.get("SPINDLE_BINARY", "spindle")
        # three rows: a walk over the bus costs a round trip a node
        self.process = subprocess.Popen([binary, "--workers", "sleeper=1",
                                         "--workers", "socket-reader=1",
                                         "--workers", "compute=1"], env=env,
                                        stdout=subprocess.DEVNULL,
                                        start_new_session=True)
        self.app = wait_for("Spindle on the accessibility bus", self.find_app)

    def find_app(self):
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.get_process_id() == self.process.pid:
                return app
        return None

    def button(self, name):
        return wait_for(f"a button “{name}”",
                        lambda: find(self.app, "push button", name))

    def close(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@case
def stop_button_named_for_its_worker(spindle):
    stop = spindle.button("Stop sleeper 1")
    row = row_of(stop)
    assert "sleeper 1" in row_labels(row), row_labels(row)
    assert "running" in row_labels(row), row_labels(row)
    assert find(row, "push button", "Force-cancel sleeper 1") is not None

    press(stop)
    wait_for("sleeper 1 to show “stopped”",
             lambda: "stopped" in row_labels(row_of(spindle.button("Stop sleeper 1"))))


@case
def force_cancel_through_the_bus(spindle):
    cancel = spindle.button("Force-cancel socket-reader 1")
    press(cancel)
    wait_for("socket-reader 1 to show “cancelled”",
             lambda: "cancelled" in row_labels(row_of(spindle.button("Force-cancel socket-reader 1"))))


@case
def timeline_is_described(spindle):
    row = row_of(spindle.button("Stop compute 1"))
    timeline = wait_for("a timeline in the row", lambda: find(row, "image", "Last minute"))
    assert "last minute" in timeline.description, timeline.description


def main():
    print(f"1..{len(cases)}", flush=True)
    spindle = None
    failed = 0
    try:
        spindle = Spindle()
        for number, func in enumerate(cases, start=1):
            try:
                func(spindle)
                print(f"ok {number} /ui/list-atspi/{func.__name__}", flush=True)
            except Exception as error:  # one failed case does not stop the rest
                failed += 1
                print(f"# {type(error).__name__}: {error}")
                print(f"not ok {number} /ui/list-atspi/{func.__name__}", flush=True)
    finally:
        if spindle is not None:
            spindle.close()
        launcher.terminate()
        launcher.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
