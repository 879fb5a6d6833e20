"""The 数据交换 page's 多台电脑共用 group (unit admin): the exchange folder, 立即同步, the last
round's outcome, the unit's PCs and 停用 for a lost or reinstalled one
(app.services.exchange.pc_unit; the rounds and the folder reads run on the task runner, never on
the GUI thread)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QVBoxLayout)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.exchange import pc_sync, pc_unit
from app.services.org.actor import Actor
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.widgets.key_passphrase import ask_to_unlock
from app.ui.widgets.record_table import RecordTable

PC_HEADERS = ["电脑名称", "编号", "最新变更文件", "时钟（与本机相比）", "其他电脑的变更", "状态"]
TABLE_ROWS_SHOWN = 4       # the table scrolls beyond: the page must fit a 1366×768 screen
from app.ui.widgets.file_dialogs import ask_folder


def status_text(cfg: pc_unit.PcConfig | None) -> str:
    if cfg is None:
        return "本机单独使用。选择一个各电脑都能访问的共享文件夹后，其他电脑可凭加入码加入本单位。"
    text = f"上次同步：{cfg.last_sync or '尚未同步'}　看到其他电脑{cfg.last_pcs}台"
    return text + ("\n" + "\n".join(f"⚠ {p}" for p in cfg.last_problems) if cfg.last_problems else "　无异常")


def clock_text(offset_ms: int | None, this_pc: bool) -> str:
    if this_pc:
        return "（本机）"
    if offset_ms is None:
        return "尚未比较"
    minutes = abs(offset_ms) // 60_000
    if minutes < 1:
        return "一致"
    warn = "⚠ " if abs(offset_ms) > pc_sync.CLOCK_WARN_MS else ""
    return f"{warn}{'快' if offset_ms > 0 else '慢'}约{minutes}分钟"


def short_origin(origin: str) -> str:
    """The end of a PC's number: its start is a time stamp, alike for PCs set up the same day."""
    return origin[-8:]


def table_row(row: pc_unit.PcRow) -> tuple:
    if row.problem:
        return (row.name, short_origin(row.origin), "", "", "", row.problem)
    behind = ("尚未同步" if row.behind is None else "已全部读入" if row.behind == 0
              else f"还有{row.behind}个文件未读入")
    state = "已停用" if row.retired else "本机" if row.this_pc else "使用中"
    return (row.name, short_origin(row.origin), row.last_file or "（无）", clock_text(row.offset_ms, row.this_pc),
            behind, state)


class PcsBox(QGroupBox):
    status_message = Signal(str)
    changed = Signal()           # a folder set or a PC retired: the status bar reads again
    synced = Signal(object)      # 立即同步's SyncReport: the window refreshes its pages with it

    def __init__(self, db: Database, actor: Actor, settings: Settings, runner: TaskRunner, parent=None):
        super().__init__("多台电脑共用（每台电脑一份数据，通过共享文件夹交换变更）", parent)
        self.db, self.actor, self.settings, self.runner = db, actor, settings, runner
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("交换文件夹："))
        self.folder = QLabel(objectName="pcsFolder")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.folder, 1)
        choose = QPushButton("选择…", objectName="pcsChoose")
        choose.clicked.connect(self.choose_folder)
        row.addWidget(choose)
        self.sync_button = QPushButton("立即同步", objectName="pcsSyncNow")
        self.sync_button.clicked.connect(self.sync_now)
        row.addWidget(self.sync_button)
        self.code_button = QPushButton("生成新加入码…", objectName="pcsNewCode")
        self.code_button.clicked.connect(self.new_code)
        row.addWidget(self.code_button)
        layout.addLayout(row)
        self.status = QLabel(objectName="pcsStatus", wordWrap=True)
        layout.addWidget(self.status)
        self.table = RecordTable(PC_HEADERS, 0)
        self.table.setObjectName("pcsTable")
        self.table.setSelectionMode(RecordTable.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._update_retire)
        self.retire_button = QPushButton("停用所选电脑…", objectName="pcsRetire")
        self.retire_button.setToolTip("电脑丢失或重装时：它到现在为止写出的变更仍然有效，此后写的不再读取")
        self.retire_button.clicked.connect(self.retire_selected)
        below = QHBoxLayout()
        below.addWidget(self.table, 1)
        below.addWidget(self.retire_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(below)
        self.rows: list[pc_unit.PcRow] = []
        self.show_state()

    def show_state(self) -> None:
        cfg = pc_unit.config(self.db, self.settings)
        self.folder.setText(str(cfg.folder) if cfg else "（未设置）")
        self.sync_button.setEnabled(cfg is not None)
        self.code_button.setEnabled(cfg is not None)
        self.status.setText(status_text(cfg))
        self.table.setVisible(cfg is not None)
        self.retire_button.setVisible(cfg is not None)
        if cfg is not None:
            db, settings = self.db, self.settings
            self.runner.run(lambda: pc_unit.pcs_table(db, settings=settings), self._show_rows,
                            self._rows_failed)

    def _show_rows(self, rows: list[pc_unit.PcRow]) -> None:
        self.rows = rows
        self.table.set_rows([table_row(r) for r in rows])
        self.table.setSortingEnabled(False)       # the rows and self.rows stay in one order
        for i, row in enumerate(rows):
            self.table.item(i, 1).setToolTip(f"编号 {row.origin}")
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(i) for i in range(min(len(rows), TABLE_ROWS_SHOWN)))
        self.table.setFixedHeight(max(height, 60))
        self._update_retire()

    def _rows_failed(self, exc: BaseException) -> None:
        self.rows = []
        self.table.set_rows([])
        self.status.setText(self.status.text() + f"\n⚠ 无法列出各电脑：{exc}")
        self._update_retire()

    def selected_row(self) -> pc_unit.PcRow | None:
        picked = self.table.selectionModel().selectedRows()
        return self.rows[picked[0].row()] if picked and picked[0].row() < len(self.rows) else None

    def _update_retire(self) -> None:
        row = self.selected_row()
        self.retire_button.setEnabled(row is not None and not row.this_pc and not row.retired
                                      and not row.problem)

    def retire_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        answer = QMessageBox.question(
            self, "停用电脑",
            f"确定停用电脑“{row.name}”（编号 {row.origin}）吗？\n\n"
            "它到现在为止写出的变更文件仍然有效，其他电脑照常读入；停用之后它再写出的变更不再被读入。"
            "这台电脑如需继续使用，须凭新的加入码重新加入本单位。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes or not ask_to_unlock(self, self.db):
            return
        db, actor, settings, origin = self.db, self.actor, self.settings, row.origin
        self.runner.run(lambda: pc_unit.retire(db, actor, origin, settings=settings), self._retired,
                        lambda exc: show_error(self, "停用失败", exc))

    def _retired(self, result: tuple[str, int]) -> None:
        name, after = result
        self.show_state()
        self.changed.emit()
        self.status_message.emit(f"已停用电脑“{name}”：它的前{after}个变更文件仍然有效" if after
                                 else f"已停用电脑“{name}”（它尚未写出变更文件）")

    def choose_folder(self) -> None:
        cfg = pc_unit.config(self.db, self.settings)
        folder = ask_folder(self, "exchange_folder", "选择交换文件夹（各电脑都能访问的共享文件夹）",
                            str(cfg.folder) if cfg else "", self.settings)
        if not folder or not (pc_unit.keys_ready(self.db, self.settings) or ask_to_unlock(self, self.db)):
            return
        db, actor, settings = self.db, self.actor, self.settings
        self.runner.run(lambda: pc_unit.setup(db, actor, Path(folder), settings=settings),
                        self._set_up, lambda exc: show_error(self, "设置失败", exc),
                        parent=self, label="正在设置交换文件夹并生成数据快照…")

    def _set_up(self, code: str) -> None:
        self.show_state()
        self.changed.emit()
        self.status_message.emit("已设置多台电脑共用")
        QMessageBox.information(self, "加入码", f"已设置交换文件夹并生成数据快照。\n\n加入码：{code}\n\n"
                                "请当面或电话把加入码告诉要加入的电脑的使用人；换新加入码后旧的即失效。")

    def new_code(self) -> None:
        """A new join code for one more PC (the unit key must be open to be sealed under it)."""
        if not (pc_unit.keys_ready(self.db, self.settings) or ask_to_unlock(self, self.db)):
            return
        try:
            code = pc_unit.new_join_code(self.db, self.actor, settings=self.settings)
        except AppError as exc:
            show_error(self, "生成加入码失败", exc)
            return
        QMessageBox.information(self, "加入码", f"新的加入码：{code}\n\n原来的加入码已失效。请当面或电话"
                                "把加入码告诉要加入的电脑的使用人，在该电脑的首次使用向导中输入。")

    def sync_now(self) -> None:
        if not (pc_unit.keys_ready(self.db, self.settings) or ask_to_unlock(self, self.db)):
            return
        self.sync_button.setEnabled(False)
        db, settings = self.db, self.settings
        self.runner.run(lambda: pc_unit.sync(db, settings=settings), self._synced, self._failed)

    def _synced(self, report) -> None:
        self.show_state()
        self.synced.emit(report)
        self.status_message.emit(report.summary())

    def _failed(self, exc: BaseException) -> None:
        self.show_state()
        show_error(self, "同步失败", exc)
