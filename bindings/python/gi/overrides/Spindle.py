# gi/overrides/Spindle.py
#
# Copyright 2026 The Spindle authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""PyGObject overrides for libspindle-1: worker bodies written in Python.

A body is a Python function ``body(job, *user_data)`` that runs on the
worker's own thread (PyGObject takes the GIL there). The overrides add what
the C API cannot express:

* Every body is spawned with ``SpawnFlags.FOREIGN_BODY``: its thread is
  never cancelled with pthread_cancel, which would skip ``finally`` blocks,
  leave ``with lock:`` locks held and can hang the whole process when it
  lands during a hand-off of the GIL. A force-cancel interrupts the body
  instead: its waits wake, its cancellable is cancelled, and
  :class:`Interrupted` is raised in it at its next bytecode. A body that
  ends because of it (its ``finally`` blocks run) ends CANCELLED.
* A Python exception that is not a ``GLib.Error`` becomes the worker's
  error (``Spindle.Error.BODY_EXCEPTION``), instead of being printed and
  lost.
* Cleanup steps may be Python functions too; an exception fails the step.
"""

import ctypes
import threading
import traceback

from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

Spindle = get_introspection_module('Spindle')

__all__ = ['Interrupted', 'WorkerSet', 'Job']


class Interrupted(BaseException):
    """Raised inside a worker's body when the worker is force-cancelled.

    It derives from BaseException, as KeyboardInterrupt does, so that
    ``except Exception`` does not swallow it. A body may catch it to tidy
    up, but should let it go on: the worker then ends CANCELLED.
    """


__all__.append('Interrupted')

# PyThreadState_SetAsyncExc(ident, exc) raises exc in that thread at its
# next bytecode; with NULL it withdraws one not raised yet. PYFUNCTYPE
# keeps the GIL held through the call.
_raise_in = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ('PyThreadState_SetAsyncExc', ctypes.pythonapi))
_withdraw_from = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ('PyThreadState_SetAsyncExc', ctypes.pythonapi))

# Bodies running now, by kernel thread id: the interrupt signal names the
# thread that way. Changed with the GIL held.
_running = {}


class _Body:
    """One body's run on its thread, and the interrupt that may hit it.

    Raising is armed while the body's own code runs. The main thread raises
    only while armed, under the lock; the body's thread disarms under the
    same lock, then clears an exception raised but not delivered yet, so
    that none lands after the body is over.
    """

    def __init__(self, func, args):
        self.func = func
        self.args = args
        self.lock = threading.Lock()
        self.armed = False
        self.ident = 0

    def interrupt(self):
        with self.lock:
            if self.armed:
                _raise_in(self.ident, Interrupted)

    def _arm(self, tid):
        with self.lock:
            self.ident = threading.get_ident()
            self.armed = True
        _running[tid] = self

    def _disarm(self, tid):
        while True:
            try:
                _running.pop(tid, None)
                with self.lock:
                    self.armed = False
                _withdraw_from(self.ident, None)
                return
            except Interrupted:
                continue

    def __call__(self, job, *unused):
        tid = threading.get_native_id()
        try:
            try:
                self._arm(tid)
                # a force-cancel that came before the body began
                if job.is_interrupted():
                    raise Interrupted()
                result = self.func(job, *self.args)
            finally:
                self._disarm(tid)
            if result is not None and not isinstance(result, GLib.Variant):
                raise TypeError('a body returns a GLib.Variant or None, not %s'
                                % type(result).__name__)
            return result
        except Interrupted:
            raise GLib.Error.new_literal(Spindle.error_quark(),
                                         'Interrupted by force-cancel',
                                         Spindle.Error.INTERRUPTED)
        except GLib.Error:
            raise
        except BaseException as exception:
            raise _error_of(exception)


def _error_of(exception):
    """A GLib.Error that names a Python exception, with its traceback."""
    if isinstance(exception, GLib.Error):
        return exception
    text = ''.join(traceback.format_exception_only(type(exception), exception)).strip()
    # the first frame is the override's own call of the body
    tb = exception.__traceback__
    trace = ''.join(traceback.format_tb(tb.tb_next if tb is not None else None))
    if trace:
        text = '%s\n%s' % (text, trace.rstrip())
    return GLib.Error.new_literal(Spindle.error_quark(), text, Spindle.Error.BODY_EXCEPTION)


def _on_interrupt(worker_set, worker, tid):
    body = _running.get(tid)
    if body is not None:
        body.interrupt()


def _foreign(options):
    """Options for a Python body: the caller's, with FOREIGN_BODY set and
    the kind "python" unless the caller named one."""
    copy = options.copy() if options is not None else Spindle.SpawnOptions.new()
    copy.flags |= Spindle.SpawnFlags.FOREIGN_BODY
    if copy.kind is None:
        copy.set_kind('python')
    return copy


class _Cleanup:
    """A Python cleanup step: an exception fails the step."""

    def __init__(self, func, args):
        self.func = func
        self.args = args

    def __call__(self, *unused):
        try:
            result = self.func(*self.args)
        except BaseException as exception:
            raise _error_of(exception)
        return True if result is None else bool(result)


class WorkerSet(Spindle.WorkerSet):

    def _watch_interrupts(self):
        # the wrapper keeps its dict (PyGObject holds it with a toggle
        # reference), so the handler is connected once per set
        if not self.__dict__.get('_spindle_interrupts'):
            self.connect('interrupt', _on_interrupt)
            self.__dict__['_spindle_interrupts'] = True

    def spawn(self, name, func, *user_data):
        """Starts ``func(job, *user_data)`` as a worker's body."""
        return self.spawn_full(None, name, func, *user_data)

    def spawn_full(self, options, name, func, *user_data):
        """Starts ``func(job, *user_data)`` with options (or None)."""
        self._watch_interrupts()
        return Spindle.WorkerSet.spawn_full(self, _foreign(options), name,
                                            _Body(func, user_data))


WorkerSet = override(WorkerSet)


class Job(Spindle.Job):

    def spawn_child(self, name, func, *user_data):
        """Starts ``func(job, *user_data)`` as a child worker's body."""
        return self.spawn_child_full(None, name, func, *user_data)

    def spawn_child_full(self, options, name, func, *user_data):
        """Starts a child worker with options (or None)."""
        return Spindle.Job.spawn_child_full(self, _foreign(options), name,
                                            _Body(func, user_data))

    def push_cleanup(self, label, func, *user_data):
        """Pushes ``func(*user_data)`` on the cleanup stack; returns its id."""
        return Spindle.Job.push_cleanup(self, label, _Cleanup(func, user_data))


Job = override(Job)
