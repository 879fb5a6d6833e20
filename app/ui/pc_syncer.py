"""When this PC exchanges changes with the unit's other PCs (issue 16): shortly after start-up,
every 45 seconds, and a few seconds after anything is written here — a log saved or submitted, a
review decision, a roster change. The write is noticed where every synced row is stamped
(Database.write_listeners, app.db.engine), so no page has to remember to ask; many saves in a
row make one round, and never do two rounds run at once. Rounds run on the task runner, never
on the GUI thread; a PC without an exchange folder does nothing."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.db.engine import Database
from app.services.exchange import pc_unit
from app.settings import Settings
from app.ui.tasks import TaskRunner

# A reviewer on another PC sees a log within a minute (issue 16): the author's round 3 s after the
# submit, then the reviewer's timer, so at most 3 + 45 s and the rounds (0.15 s for a 60-PC day,
# tests/bench/bench_pc_sync.py); a round with nothing new only lists a few small files. One round
# shortly after start-up, once the window is up.
PC_SYNC_SECONDS = 45
PC_SYNC_FIRST_MS = 5000
# After a write: long enough for a burst of saves (a reviewer approving a page of logs) to make
# one round, short enough that the change is in the folder before the user turns away.
AFTER_WRITE_MS = 3000


class PcSyncer(QObject):
    synced = Signal(object)        # a pc_sync.SyncReport, on the GUI thread
    failed = Signal(object)        # the exception a round raised
    paused = Signal(str)           # why a round could not start
    _wrote = Signal()              # emitted from whichever thread committed a write

    def __init__(self, db: Database, settings: Settings, parent: QObject | None = None,
                 runner: TaskRunner | None = None):
        super().__init__(parent)
        self.db, self.settings = db, settings
        self.runner = runner or TaskRunner()
        self.busy = False
        self._again = False        # a write came while a round ran: another round after it
        self.timer = QTimer(self)
        self.timer.setInterval(PC_SYNC_SECONDS * 1000)
        self.timer.timeout.connect(self.sync)
        self.after_write = QTimer(self)
        self.after_write.setSingleShot(True)
        self.after_write.setInterval(AFTER_WRITE_MS)
        self.after_write.timeout.connect(self._after_write_due)
        self._wrote.connect(self._written)     # queued onto the GUI thread when from a worker
        listener = self._wrote.emit
        db.write_listeners.append(listener)
        self.destroyed.connect(lambda *_: listener in db.write_listeners and db.write_listeners.remove(listener))

    def start(self) -> None:
        self.timer.start()
        QTimer.singleShot(PC_SYNC_FIRST_MS, self.sync)

    def configured(self) -> bool:
        return self.db.edition == "unit" and pc_unit.config(self.db, self.settings) is not None

    def _written(self) -> None:
        if self.configured():
            self.after_write.start()           # restarted by every write: one round per burst

    def _after_write_due(self) -> None:
        if self.busy:
            self._again = True
        else:
            self.sync()

    def sync(self) -> None:
        """One round in the background (nothing when one is running or no folder is set)."""
        if self.busy or not self.configured():
            return
        if not pc_unit.keys_ready(self.db, self.settings):
            self.paused.emit("多台电脑同步暂停：本机同步密钥已加密保存，请在“数据交换”页输入密钥口令")
            return
        self.busy = True
        db, settings = self.db, self.settings
        self.runner.run(lambda: pc_unit.sync(db, settings=settings), self._done, self._failed)

    def _done(self, report) -> None:
        self._finish()
        self.synced.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        self.failed.emit(exc)

    def _finish(self) -> None:
        self.busy = False
        if self._again:
            self._again = False
            self.after_write.start()
