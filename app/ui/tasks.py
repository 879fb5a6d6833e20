"""Background work: run a function on a worker thread, deliver its result on the GUI thread.

Worker code never touches widgets; it receives plain values and returns plain values
(Picard's run_task, Anki's operations). A progress dialog appears only when the task runs longer
than ~600 ms (Anki's progress.py). Tests use `SyncRunner` so everything happens inline.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)
PROGRESS_DELAY_MS = 600


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals):
        super().__init__()
        self.fn, self.signals = fn, signals

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # delivered to the GUI thread, never swallowed
            log.debug("task failed: %s", traceback.format_exc())
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class TaskRunner:
    """Runs tasks on a QThreadPool; callbacks are invoked on the GUI thread."""

    def __init__(self, pool: QThreadPool | None = None):
        self.pool = pool or QThreadPool.globalInstance()
        self._alive: set[_Signals] = set()

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None], *, parent: QWidget | None = None,
            label: str = "正在处理，请稍候…", with_progress: bool = False) -> None:
        """With `with_progress`, fn is called as fn(report) and may call report(i, n, text)
        from the worker; the dialog then shows i of n and the text (a file name, a unit)."""
        signals = _Signals()
        self._alive.add(signals)
        progress = None
        if parent is not None:
            progress = QProgressDialog(label, None, 0, 0, parent)
            progress.setWindowTitle("请稍候")
            progress.setWindowModality(Qt.WindowModality.WindowModal)
            progress.setMinimumDuration(PROGRESS_DELAY_MS)
            progress.setValue(0)

        def finish(callback, value):
            self._alive.discard(signals)
            if progress is not None:
                progress.reset()
                progress.deleteLater()
            callback(value)

        def step(i: int, n: int, text: str) -> None:
            if progress is not None and n > 0:
                progress.setMaximum(n)
                progress.setValue(min(i, n - 1))   # reaching n would auto-close the dialog
                if text:
                    progress.setLabelText(f"{label}\n{text}（{min(i + 1, n)}/{n}）")

        signals.done.connect(lambda r: finish(on_done, r), Qt.ConnectionType.QueuedConnection)
        signals.failed.connect(lambda e: finish(on_error, e), Qt.ConnectionType.QueuedConnection)
        signals.progress.connect(step, Qt.ConnectionType.QueuedConnection)
        job = (lambda: fn(lambda i, n, text="": signals.progress.emit(i, n, text))) if with_progress else fn
        self.pool.start(_Job(job, signals))


class SyncRunner(TaskRunner):
    """Runs tasks inline (tests, and callers that must finish before going on)."""

    def __init__(self):
        super().__init__(pool=None)
        self.steps: list[tuple[int, int, str]] = []   # every progress report, for tests

    def run(self, fn, on_done, on_error, *, parent=None, label="", with_progress=False):
        try:
            result = fn(lambda i, n, text="": self.steps.append((i, n, text))) if with_progress else fn()
        except BaseException as exc:
            on_error(exc)
        else:
            on_done(result)


def call_later(ms: int, fn: Callable[[], None]) -> None:
    QTimer.singleShot(ms, fn)
