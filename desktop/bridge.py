"""The one bridge between core work and the Qt main thread.

Core services are plain Python: they run on their own threads and report through callbacks. This
module turns those into Qt signals and runs one-off work (a search, a model import, a count) off the
UI thread, with success and failure callbacks delivered back on the UI thread — the same shape as
Anki's ``QueryOp``: the work function receives domain objects, never widgets.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

BACKGROUND_NICE = 5  # how much lower than the window a background thread's CPU priority is


def lower_thread_priority(step: int = BACKGROUND_NICE) -> None:
    """Give the calling thread (and the threads it starts: llama.cpp's and the embedder's compute
    threads inherit it) a lower CPU priority than the window's, so on a 2-core laptop the UI
    thread is scheduled first while a model loads or answers. Linux only (a thread's nice value);
    elsewhere, and when refused, nothing changes."""
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + step))
    except OSError:
        log.debug("could not lower a background thread's priority", exc_info=True)


class Runner(QObject):
    """Runs work functions on worker threads.

    Signals:
        busy_changed(int): how many operations are running (for a spinner or the status bar).
    """

    busy_changed = Signal(int)
    _finished = Signal(object, object, object, object)  # on_success, on_failure, result, error

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._finished.connect(self._deliver)
        self._running = 0
        self._threads: set[threading.Thread] = set()
        self.on_error: Callable[[BaseException], None] | None = None  # the app's one error display

    def run(self, work: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None, *, name: str = "lanterne-op") -> None:
        """Call ``work()`` on a new thread; then ``on_success(result)`` or ``on_failure(error)`` on the
        UI thread. Without ``on_failure``, errors go to the app's error display."""
        def target() -> None:
            lower_thread_priority()
            try:
                result = work()
            except BaseException as exc:  # delivered to the UI thread, never swallowed
                self._finished.emit(on_success, on_failure, None, exc)
            else:
                self._finished.emit(on_success, on_failure, result, None)
            finally:
                self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.add(thread)
        self._running += 1
        self.busy_changed.emit(self._running)
        thread.start()

    @Slot(object, object, object, object)
    def _deliver(self, on_success, on_failure, result, error) -> None:
        self._running -= 1
        self.busy_changed.emit(self._running)
        try:
            if error is None:
                if on_success is not None:
                    on_success(result)
            elif on_failure is not None:
                on_failure(error)
            elif self.on_error is not None:
                self.on_error(error)
            else:
                log.error("operation failed", exc_info=error)
        except Exception:
            log.exception("an operation callback failed")

    @property
    def running(self) -> int:
        """How many operations have not reported back yet."""
        return self._running

    def wait(self, timeout: float = 10.0) -> None:
        """Join the running operations (at quit)."""
        for thread in list(self._threads):
            thread.join(timeout)


class CoreSignals(QObject):
    """Core callbacks as signals. Emitting from any thread is safe: Qt queues the call to the
    receivers on the UI thread.

    Signals:
        progress(object): an ``indexing.Progress`` snapshot.
        watch_event(object): a ``watch.WatchEvent``.
    """

    progress = Signal(object)
    watch_event = Signal(object)
