#!/usr/bin/python3
# spindle-hello.py
#
# Copyright 2026 The Spindle authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Python bodies hosted by libspindle-1: one worker waits for work and is
# asked to stop, another is stuck in a busy loop and is force-cancelled.
# Each prints its cleanup report. Run it with the system Python, which
# has PyGObject:
#
#   /usr/bin/python3 spindle-hello.py

import sys
import threading

import gi

gi.require_version('Spindle', '1')
from gi.repository import GLib, Spindle  # noqa: E402

SECOND = 1000 * 1000  # the engine counts µs

# Bodies run in their own threads, beside the main loop's handlers: print()
# writes a line's text and its newline apart, so lines from two threads
# could interleave without this lock.
print_lock = threading.Lock()


def say(text):
    with print_lock:
        print(text, flush=True)


def waiter(job, started):
    """Waits for work until asked to stop: a stop wakes job.sleep() at once."""
    job.push_cleanup('close the output file', lambda: None)
    job.set_phase('waiting for work')
    started.set()
    while not job.should_stop():
        job.sleep(60 * SECOND)
    return GLib.Variant('s', 'stopped politely')


def spinner(job, started):
    """Never looks at a stop: force-cancel interrupts it with
    Spindle.Interrupted, and its finally block and cleanup still run."""
    lock = threading.Lock()
    job.push_cleanup('release the scratch buffer', lambda: None)
    try:
        with lock:
            started.set()
            n = 0
            while True:
                n += 1
    finally:
        say('spinner: finally ran, lock held: %s' % lock.locked())


def main():
    loop = GLib.MainLoop()
    workers = Spindle.WorkerSet.new()
    ended = []
    started = {'waiter': threading.Event(), 'spinner': threading.Event()}

    def on_cleanup_finished(worker, report):
        say('%s cleaned up:\n%s' % (worker.get_name(), report.to_string()))

    def on_finished(worker):
        say('%s: %s' % (worker.get_name(), worker.get_state().value_nick))
        ended.append(worker)
        if len(ended) == 2:
            loop.quit()

    def when_started():
        if not all(event.is_set() for event in started.values()):
            return GLib.SOURCE_CONTINUE
        polite.request_stop()
        stubborn.force_cancel()
        return GLib.SOURCE_REMOVE

    polite = workers.spawn('waiter', waiter, started['waiter'])
    stubborn = workers.spawn('spinner', spinner, started['spinner'])
    for worker in (polite, stubborn):
        worker.connect('cleanup-finished', on_cleanup_finished)
        worker.connect('finished', on_finished)
    GLib.timeout_add(10, when_started)
    loop.run()

    good = (polite.get_state() == Spindle.WorkerState.STOPPED and
            stubborn.get_state() == Spindle.WorkerState.CANCELLED)
    return 0 if good else 1


if __name__ == '__main__':
    sys.exit(main())
