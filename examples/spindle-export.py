#!/usr/bin/python3
# spindle-export.py
#
# Copyright 2026 The Spindle authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Python bodies exported on the session bus, so that `spindlectl` or
# Spindle's "Attach to Program…" can watch and stop them. Prints its bus
# name once exported, then runs until SIGTERM or SIGINT.
#
#   /usr/bin/python3 spindle-export.py --workers 4 --control
#
# --workers N   polite workers: they count, and stop when asked (4)
# --stubborn N  workers that ignore a stop; force-cancel interrupts them (1)
# --control     let clients stop, force-cancel and abandon them
# --no-export   do not call export(): for SPINDLE_EXPORT=1 (or =control)

import argparse
import signal
import sys

import gi

gi.require_version('Spindle', '1')
from gi.repository import GLib, Spindle  # noqa: E402

SECOND = 1000 * 1000  # the engine counts µs


def polite(job, _data):
    """Counts to 100 over and over, a step a second, until asked to stop."""
    job.push_cleanup('close the output file', lambda: None)
    job.set_phase('counting')
    n = 0
    while job.sleep(SECOND):
        n += 1
        job.set_progress((n % 100) / 100)
    return GLib.Variant('u', n)


def stubborn(job, _data):
    """Ignores a stop: force-cancel raises Spindle.Interrupted in it."""
    job.push_cleanup('release the scratch buffer', lambda: None)
    job.set_phase('ignoring stops')
    while True:
        job.sleep(SECOND)


def main():
    parser = argparse.ArgumentParser(description='Export workers on the session bus')
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--stubborn', type=int, default=1)
    parser.add_argument('--control', action='store_true')
    parser.add_argument('--no-export', action='store_true')
    parser.add_argument('--prefix', default='counter',
                        help='name the polite workers PREFIX-1, PREFIX-2…')
    args = parser.parse_args()

    loop = GLib.MainLoop()
    workers = Spindle.WorkerSet.new()
    if not args.no_export:
        flags = Spindle.ExportFlags.ALLOW_CONTROL if args.control else Spindle.ExportFlags.NONE
        workers.export(flags)

    for i in range(args.workers):
        workers.spawn('%s-%d' % (args.prefix, i + 1), polite, None)
    for i in range(args.stubborn):
        workers.spawn('stubborn-%d' % (i + 1), stubborn, None)

    name = workers.get_export_name()
    if name is None:
        print('not exported: set SPINDLE_EXPORT=1 with --no-export', file=sys.stderr)
        return 1
    print(name, flush=True)

    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    loop.run()

    workers.unexport()
    workers.cancel_all()
    return 0


if __name__ == '__main__':
    sys.exit(main())
