#!/usr/bin/python3
# tests/library/test-python-bodies.py
# Copyright 2026 The Spindle authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Worker bodies written in Python, through gi.repository.Spindle and its
# override: results, errors, stops, cleanup reports, force-cancel as an
# interrupt. Speaks TAP. Every wait iterates the main loop until an event,
# with a generous guard that only fails a hung test.
#
# Needs GI_TYPELIB_PATH, LD_LIBRARY_PATH and PYTHONPATH (for
# gi/overrides/Spindle.py) pointing at the library under test.

import gc
import os
import subprocess
import sys
import threading
import traceback

import gi

gi.require_version('Spindle', '1')
from gi.repository import GLib, Gio, Spindle  # noqa: E402

GUARD_MS = 30000
LONG_WAIT = 60 * 1000 * 1000


def wait_until(cond, what):
    """Iterates the main context until cond() holds; fails after the guard."""
    context = GLib.MainContext.default()
    expired = []
    guard = GLib.timeout_add(GUARD_MS, lambda: expired.append(True) or False)
    while not cond():
        if expired:
            raise AssertionError('still not true after %d ms: %s' % (GUARD_MS, what))
        context.iteration(True)
    if not expired:
        GLib.source_remove(guard)


def wait_terminal(worker):
    wait_until(worker.is_terminal, worker.get_name() + ' ends')


def new_set():
    workers = Spindle.WorkerSet.new()
    workers.set_auto_escalate(False)
    return workers


def test_result():
    workers = new_set()
    worker = workers.spawn('answer', lambda job, n: GLib.Variant('i', n * 2), 21)
    wait_terminal(worker)
    assert worker.get_state() == Spindle.WorkerState.FINISHED
    gc.collect()
    assert worker.get_result().unpack() == 42
    # the result is the worker's own reference: freeing it is no double unref
    workers.remove(worker)
    del worker, workers
    gc.collect()


def test_locks_sampler_diagnosis():
    workers = new_set()
    sampler = Spindle.Sampler.new(workers)
    lock = Spindle.Lock.new('ledger')
    holding = threading.Event()

    def body(job):
        assert job.lock(lock)
        try:
            job.set_phase('posting')
            holding.set()
            while job.sleep(LONG_WAIT):
                pass
        finally:
            job.unlock(lock)

    worker = workers.spawn('poster', body)
    assert worker.get_kind() == 'python'
    holding.wait()
    wait_until(lambda: worker.get_phase() == 'posting', 'the phase is seen')
    assert lock.is_held() and lock.dup_holder() == 'poster', lock.dup_holder()
    sampler.watch(worker)
    sampler.tick()
    diagnosis = worker.diagnose_now()
    assert 'runtime of its own' in diagnosis.summary, diagnosis.summary
    worker.request_stop()
    wait_terminal(worker)
    assert worker.get_state() == Spindle.WorkerState.STOPPED
    assert not lock.is_held()


def test_stop_wakes_sleep():
    workers = new_set()
    seen = {}

    def body(job):
        seen['reached'] = True
        seen['slept'] = job.sleep(LONG_WAIT)
        seen['should_stop'] = job.should_stop()

    worker = workers.spawn('sleeper', body)
    wait_until(lambda: 'reached' in seen, 'the body runs')
    worker.request_stop()
    wait_terminal(worker)
    assert seen == {'reached': True, 'slept': False, 'should_stop': True}, seen
    assert worker.get_state() == Spindle.WorkerState.STOPPED


def test_stop_seen_by_should_stop():
    workers = new_set()
    count = [0]

    def body(job):
        while not job.should_stop():
            count[0] += 1

    worker = workers.spawn('spinner', body)
    wait_until(lambda: count[0] > 0, 'the loop runs')
    worker.request_stop()
    wait_terminal(worker)
    assert worker.get_state() == Spindle.WorkerState.STOPPED


def test_stop_wakes_wait_fd():
    workers = new_set()
    read_fd, write_fd = os.pipe()
    seen = {}

    def body(job):
        seen['reached'] = True
        # raises GLib.Error (G_IO_ERROR_CANCELLED) when a stop wakes it
        job.wait_fd(read_fd, GLib.IOCondition.IN, -1)
        seen['ready'] = True

    try:
        worker = workers.spawn('fd-waiter', body)
        wait_until(lambda: 'reached' in seen, 'the body runs')
        worker.request_stop()
        wait_terminal(worker)
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert 'ready' not in seen
    assert worker.get_state() == Spindle.WorkerState.STOPPED
    assert worker.get_error() is None


def test_exception_becomes_error():
    workers = new_set()

    def body(job):
        raise ValueError('bad input')

    worker = workers.spawn('raiser', body)
    wait_terminal(worker)
    error = worker.get_error()
    assert worker.get_state() == Spindle.WorkerState.FAILED
    assert error.matches(Spindle.error_quark(), Spindle.Error.BODY_EXCEPTION), error
    assert error.message.startswith('ValueError: bad input'), error.message
    assert "raise ValueError('bad input')" in error.message, error.message


def test_glib_error_kept():
    workers = new_set()

    def body(job):
        raise GLib.Error.new_literal(Gio.io_error_quark(), 'no access here',
                                     Gio.IOErrorEnum.PERMISSION_DENIED)

    worker = workers.spawn('denied', body)
    wait_terminal(worker)
    error = worker.get_error()
    assert worker.get_state() == Spindle.WorkerState.FAILED
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.PERMISSION_DENIED), error
    assert error.message == 'no access here'


def test_cleanup_report_through_signals():
    workers = new_set()
    steps, reports, ran = [], [], []

    def body(job):
        job.push_cleanup('close the output file', lambda: ran.append('close'))
        job.push_cleanup('remove the lock file', lambda: 1 / 0)
        while job.sleep(LONG_WAIT):
            pass

    worker = workers.spawn('writer', body)
    worker.connect('cleanup-step', lambda w, label, outcome, message: steps.append((label, outcome)))
    worker.connect('cleanup-finished', lambda w, report: reports.append(report.to_string()))
    wait_until(lambda: worker.get_state() == Spindle.WorkerState.RUNNING, 'the body runs')
    worker.request_stop()
    wait_terminal(worker)
    assert ran == ['close']
    assert steps == [('remove the lock file', Spindle.CleanupOutcome.FAILED),
                     ('close the output file', Spindle.CleanupOutcome.OK)], steps
    assert len(reports) == 1 and 'ZeroDivisionError' in reports[0], reports
    report = worker.get_cleanup_report()
    assert report.get_n_steps() == 2
    assert report.get_step(1).label == 'close the output file'


def test_force_cancel_runs_finally():
    workers = new_set()
    lock = threading.Lock()
    seen = []

    def body(job):
        try:
            with lock:
                seen.append('reached')
                while True:
                    job.sleep(LONG_WAIT)
        finally:
            seen.append('finally')

    worker = workers.spawn('holder', body)
    wait_until(lambda: seen, 'the body holds its lock')
    worker.force_cancel()
    wait_terminal(worker)
    assert seen == ['reached', 'finally'], seen
    assert not lock.locked()
    assert worker.get_state() == Spindle.WorkerState.CANCELLED
    assert worker.get_error() is None


def test_force_cancel_busy_loop():
    workers = new_set()
    seen = []

    def body(job):
        try:
            seen.append('reached')
            x = 0
            while True:
                x += 1
        except Spindle.Interrupted:
            seen.append('interrupted')
            raise

    worker = workers.spawn('busy', body)
    wait_until(lambda: seen, 'the loop runs')
    worker.force_cancel()
    wait_terminal(worker)
    assert seen == ['reached', 'interrupted'], seen
    assert worker.get_state() == Spindle.WorkerState.CANCELLED


def test_children_are_python_too():
    workers = new_set()
    seen = []
    inside = []

    def child(job):
        try:
            inside.append('child')
            GLib.MainContext.default().wakeup()
            while True:
                job.sleep(LONG_WAIT)
        finally:
            seen.append('child finally')

    def parent(job):
        job.spawn_child('child', child)
        try:
            inside.append('parent')
            GLib.MainContext.default().wakeup()
            while True:
                job.sleep(LONG_WAIT)
        finally:
            seen.append('parent finally')

    worker = workers.spawn('parent', parent)
    wait_until(lambda: worker.get_children().get_n_items() == 1, 'the child is listed')
    kid = worker.get_children().get_item(0)
    # both inside their try: an interrupt before it would skip a finally
    wait_until(lambda: len(inside) == 2, 'the child\'s and the parent\'s code run')
    worker.force_cancel()
    wait_terminal(worker)
    assert sorted(seen) == ['child finally', 'parent finally'], seen
    assert kid.get_state() == Spindle.WorkerState.CANCELLED
    assert worker.get_state() == Spindle.WorkerState.CANCELLED


def test_ignored_interrupt_can_be_abandoned():
    workers = new_set()
    workers.set_cancel_grace(50 * 1000)
    release = threading.Event()
    seen = []

    def body(job):
        while True:
            try:
                seen.append('reached')
                release.wait()
                seen.append('returned')
                GLib.MainContext.default().wakeup()
                return None
            except Spindle.Interrupted:
                seen.append('ignored')

    worker = workers.spawn('stubborn', body)
    wait_until(lambda: seen, 'the body runs')
    worker.force_cancel()
    wait_until(worker.get_unresponsive, 'the worker is unresponsive')
    worker.abandon()
    assert worker.get_state() == Spindle.WorkerState.ABANDONED
    # its thread was never cancelled: let go, the body ends on its own
    release.set()
    wait_until(lambda: 'returned' in seen, 'the body returns')
    assert seen == ['reached', 'ignored', 'reached', 'returned'], seen


GIL_STORM = r'''
import sys, threading, gi
gi.require_version('Spindle', '1')
from gi.repository import GLib, Spindle

ROUNDS, BODIES = int(sys.argv[1]), int(sys.argv[2])
finals = []
entered = []
lock = threading.Lock()

def body(job, n):
    entered.append(n)
    try:
        # contend for the GIL: pure Python work, allocation, lock hand-offs
        x = []
        while True:
            with lock:
                x.append(n)
            if len(x) > 1000:
                x = []
    finally:
        finals.append(n)

for r in range(ROUNDS):
    workers = Spindle.WorkerSet.new()
    workers.set_auto_escalate(False)
    ws = [workers.spawn('gil-%d' % i, body, i) for i in range(BODIES)]
    context = GLib.MainContext.default()
    # some bodies run, others are still starting: both must end well
    while not entered or any(w.get_state() == Spindle.WorkerState.STARTING for w in ws):
        context.iteration(False)
    for w in ws:
        w.force_cancel()
    while workers.get_n_live() > 0:
        context.iteration(True)
    states = {w.get_state().value_nick for w in ws}
    assert states == {'cancelled'}, states
    assert not lock.locked()
print('bodies entered:', len(entered), 'finally blocks run:', len(finals))
assert len(finals) == len(entered)
'''


def test_gil_handoff_cannot_hang():
    """Many Python bodies contend for the GIL and are force-cancelled at
    once, over and over: pthread_cancel here skips finally blocks, leaves
    the lock held and can hang the process in a GIL hand-off. Run in a
    child process so that a hang fails the test instead of stalling it."""
    # about 10 s on two loaded cores; with pthread_cancel it hangs
    child = subprocess.run([sys.executable, '-c', GIL_STORM, '10', '16'],
                           capture_output=True, text=True, timeout=GUARD_MS / 1000 * 8)
    assert child.returncode == 0, (child.returncode, child.stdout, child.stderr)
    assert 'finally blocks run' in child.stdout, child.stdout


def command_options(**fields):
    options = Spindle.CommandOptions.new()
    for name, value in fields.items():
        if name == 'stdin_data':
            options.set_stdin_data(GLib.Bytes.new(value))
        elif name == 'cwd':
            options.set_cwd(value)
        else:
            setattr(options, name, value)
    return options


def test_command_input_from_python():
    """A command worker from Python: its options, input included, reach
    the command, and the result carries its output."""
    workers = new_set()
    options = command_options(cwd='/', stdin_data=b'one\ntwo\n')
    worker = workers.spawn_command(None, ['sh', '-c', 'pwd; wc -l'], options)
    wait_terminal(worker)
    assert worker.get_state() == Spindle.WorkerState.FINISHED, worker.get_error()
    result = worker.get_result().unpack()
    assert result['stdout'] == '/\n2', result
    assert result['exit-status'] == 0, result


def test_command_stop_closes_stdin_from_python():
    """stop_closes_stdin set from Python: a stop ends the command's input
    and sends no signal (the shell's TERM trap would say so)."""
    workers = new_set()
    options = command_options(stop_closes_stdin=True)
    worker = workers.spawn_command(None, ['sh', '-c', 'trap "echo got-term" TERM; cat; echo input-ended'], options)
    wait_until(lambda: 'running' in (worker.get_phase() or ''), 'the command runs')
    worker.request_stop()
    wait_terminal(worker)
    assert worker.get_state() == Spindle.WorkerState.STOPPED, worker.get_error()
    result = worker.get_result().unpack()
    assert result['stdout'] == 'input-ended', result
    assert result['signal'] == 0, result


def test_command_force_kills_tree_from_python():
    """The hard kill Python bodies cannot have: a command that ignores
    SIGTERM, with a child, is force-cancelled and every process of it is
    reported reaped."""
    workers = new_set()
    worker = workers.spawn_command(None, ['sh', '-c', "trap '' TERM; sleep 600 & wait"], None)
    info = Spindle.ProcessInfo.get_for_worker(worker)

    def sleep_runs():
        info.update()
        return any(line.endswith(' sleep') for line in info.get_tree() or [])
    wait_until(sleep_runs, 'the sleep runs')
    worker.force_cancel()
    wait_terminal(worker)
    assert worker.get_state() == Spindle.WorkerState.CANCELLED
    report = worker.get_cleanup_report().to_string()
    assert '(sleep) was killed by SIGKILL, reaped' in report, report
    assert '(sh) was killed by SIGKILL, reaped' in report, report


TESTS = [value for name, value in sorted(globals().items()) if name.startswith('test_')]


def main():
    only = sys.argv[1:]
    tests = [t for t in TESTS if not only or t.__name__ in only]
    print('1..%d' % len(tests), flush=True)
    failed = 0
    for number, test in enumerate(tests, 1):
        try:
            test()
        except BaseException:
            failed += 1
            print('not ok %d /library/python/%s' % (number, test.__name__[5:]))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        else:
            print('ok %d /library/python/%s' % (number, test.__name__[5:]))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
