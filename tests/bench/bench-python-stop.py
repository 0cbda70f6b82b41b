#!/usr/bin/python3
# tests/bench/bench-python-stop.py
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Cooperative stop latency of a Python body hosted by libspindle-1, beside
# the seeds' Python techniques (../shared/anchors/python_seed_stop.py),
# measured the same way and alternated trial by trial: the time from the
# request to the moment the worker's own code runs again.
#
#   spindle_sleep        a body in job.sleep(60 s); request_stop()
#   spindle_should_stop  a body spinning on job.should_stop(); request_stop()
#   spindle_interrupt    a body in job.sleep(60 s); force_cancel(): the
#                        Spindle.Interrupted raised in it reaches its finally
#   seed_event_wait      a thread in `while not event.wait(0.5)`; event.set()
#   seed_async_exc_busy  a thread in a busy loop; PyThreadState_SetAsyncExc
#
# Prints one JSON object per scenario (p50, p99, max in µs); the goal for
# spindle_sleep is p50 <= 2 ms. Needs GI_TYPELIB_PATH, LD_LIBRARY_PATH and
# PYTHONPATH for the library under test (meson sets them).
#
# Usage: bench-python-stop.py [--trials N]

import argparse
import ctypes
import json
import statistics
import threading
import time

import gi

gi.require_version('Spindle', '1')
from gi.repository import GLib, Spindle  # noqa: E402

LONG = 60 * 1000 * 1000


def summary(name, samples, note):
    samples = sorted(samples)
    return {
        'scenario': name,
        'trials': len(samples),
        'p50_us': round(statistics.median(samples), 1),
        'p99_us': round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 1),
        'max_us': round(samples[-1], 1),
        'note': note,
    }


def iterate_until(cond):
    context = GLib.MainContext.default()
    while not cond():
        context.iteration(True)


def spindle_trial(workers, body, request):
    """Spawns body(job, seen), requests when it runs, returns µs to seen."""
    seen = []
    inside = threading.Event()
    worker = workers.spawn('bench', body, seen, inside)
    inside.wait()
    time.sleep(0.002)  # let it settle in its wait or loop
    t0 = time.monotonic()
    request(worker)
    iterate_until(worker.is_terminal)
    workers.remove(worker)
    return (seen[0] - t0) * 1e6


def sleeping(job, seen, inside):
    inside.set()
    job.sleep(LONG)
    seen.append(time.monotonic())


def spinning(job, seen, inside):
    inside.set()
    while not job.should_stop():
        pass
    seen.append(time.monotonic())


def interrupted(job, seen, inside):
    try:
        inside.set()
        while True:
            job.sleep(LONG)
    finally:
        seen.append(time.monotonic())


def seed_event_wait():
    stop, inside, seen = threading.Event(), threading.Event(), [0.0]

    def work():
        inside.set()
        while not stop.wait(0.5):
            pass
        seen[0] = time.monotonic()

    t = threading.Thread(target=work)
    t.start()
    inside.wait()
    time.sleep(0.002)
    t0 = time.monotonic()
    stop.set()
    t.join()
    return (seen[0] - t0) * 1e6


def seed_async_exc_busy():
    inside, seen = threading.Event(), [0.0]

    def work():
        try:
            inside.set()
            while True:
                pass
        except SystemExit:
            seen[0] = time.monotonic()

    t = threading.Thread(target=work)
    t.start()
    inside.wait()
    time.sleep(0.002)
    t0 = time.monotonic()
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(t.ident), ctypes.py_object(SystemExit))
    t.join()
    return (seen[0] - t0) * 1e6


def main():
    parser = argparse.ArgumentParser(description='Python body stop latency')
    parser.add_argument('--trials', type=int, default=200)
    args = parser.parse_args()

    workers = Spindle.WorkerSet.new()
    workers.set_auto_escalate(False)
    scenarios = {
        'spindle_sleep': (lambda: spindle_trial(workers, sleeping, Spindle.Worker.request_stop),
                          'request_stop() wakes job.sleep(60 s)'),
        'seed_event_wait': (seed_event_wait, 'while not event.wait(0.5): event.set()'),
        'spindle_should_stop': (lambda: spindle_trial(workers, spinning, Spindle.Worker.request_stop),
                                'busy loop on job.should_stop()'),
        'spindle_interrupt': (lambda: spindle_trial(workers, interrupted, Spindle.Worker.force_cancel),
                              'force_cancel() of job.sleep(60 s): finally reached'),
        'seed_async_exc_busy': (seed_async_exc_busy, 'SetAsyncExc during a busy loop'),
    }
    samples = {name: [] for name in scenarios}
    # alternated, so that a change of load hits every scenario alike
    for _ in range(args.trials):
        for name, (trial, _) in scenarios.items():
            samples[name].append(trial())
    for name, (_, note) in scenarios.items():
        print(json.dumps(summary(name, samples[name], note)), flush=True)


if __name__ == '__main__':
    main()
