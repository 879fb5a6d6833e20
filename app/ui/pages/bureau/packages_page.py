"""同步包 page (编办 edition, admin only): import 上报包 (files or a folder) through a preview,
in the background with progress; the ledger of every unit's imported packages (with each one's
cipher suite); the choice of the county's suite (通用 / 国密)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.county import bureau
from app.services.county.mirrors import Mirrors
from app.services.exchange import packages as P, suite_choice
from app.services.org.actor import Actor
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.key_passphrase import ask_to_unlock
from app.ui.widgets.file_dialogs import ask_folder, ask_open_paths

NOTE_BRUSH = QBrush(QColor("#fff0d9"))
FORK_BRUSH = QBrush(QColor("#f8d7da"))
HEADERS = ["单位", "序号", "类型", "算法", "生成时间", "导入时间", "变更条数", "说明", "文件名"]


class BureauPackagesPage(QWidget):
    status_message = Signal(str)
    imported = Signal()        # the county figures changed

    def __init__(self, db: Database, mirrors: Mirrors, actor: Actor, settings: Settings,
                 runner: TaskRunner | None = None, parent=None):
        super().__init__(parent)
        self.db, self.mirrors, self.actor, self.settings = db, mirrors, actor, settings
        self.runner = runner or TaskRunner()
        self.last_results: list[P.PackageResult] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("导入各单位报来的上报包：先预览每个包将新增、更新的记录和问题，确认后导入。"
                                "每个包要么全部导入，要么完全不导入；同一单位的多个包按序号先后导入，"
                                "重复导入同一个包不会改变任何数据。", wordWrap=True))
        row = QHBoxLayout()
        for text, name, folder in (("导入上报包（选择文件）…", "importFiles", False),
                                   ("导入上报包（选择文件夹）…", "importFolder", True)):
            button = QPushButton(text, objectName=name)
            button.clicked.connect(lambda _c=False, f=folder: self.choose(f))
            row.addWidget(button)
        refresh = QPushButton("刷新", objectName="refreshLedger")
        refresh.clicked.connect(self.refresh)
        row.addStretch(1)
        row.addWidget(QLabel("全县同步包加密算法："))
        self.suite_box = QComboBox(objectName="suiteFamily")
        for family in suite_choice.FAMILIES:
            self.suite_box.addItem(suite_choice.family_label(family), family)
        self.suite_box.setCurrentIndex(self.suite_box.findData(suite_choice.county_family(db)))
        self.suite_box.setEnabled(actor.is_admin)
        self.suite_box.setToolTip("随单位注册包和下发包告知各单位；两种算法的包每个单位都能读，"
                                  "无需约定统一的切换时间。国密：SM2 签名与密钥加密、SM4-GCM 加密、SM3 杂凑"
                                  "（所用的是这些算法，不是经认证的密码模块）")
        self.suite_box.activated.connect(self._choose_suite)
        row.addWidget(self.suite_box)
        row.addWidget(refresh)
        layout.addLayout(row)
        self.result = QLabel(objectName="importResult", wordWrap=True)
        layout.addWidget(self.result)
        layout.addWidget(QLabel("已导入的包（浅橙：有缺口，即中间有包未导入；浅红：分叉，即单位可能用旧备份"
                                "恢复后重复使用了序号——请与单位核实）"))
        self.ledger = RecordTable(HEADERS, 7)
        self.ledger.setObjectName("ledgerTable")
        layout.addWidget(self.ledger, 1)
        self.refresh()

    def refresh(self) -> None:
        db, mirrors = self.db, self.mirrors   # opens every mirror: not on the GUI thread
        self.runner.run(lambda: bureau.ledger_lines(db, mirrors), self._show_ledger,
                        lambda exc: show_error(self, "读取台账失败", exc))

    def _show_ledger(self, lines: list[bureau.LedgerLine]) -> None:
        self.lines = lines
        self.ledger.set_rows([(line.unit_name, line.seq, line.kind, line.suite or "—",
                               line.created_at.replace("T", " ")[:16],
                               line.imported_at.replace("T", " ")[:16], line.rows, line.note or "",
                               line.file_name)
                              for line in lines])
        for row, line in enumerate(lines):
            if line.note:
                brush = FORK_BRUSH if "分叉" in line.note else NOTE_BRUSH
                for col in range(self.ledger.columnCount()):
                    self.ledger.item(row, col).setBackground(brush)

    def _choose_suite(self, _index: int) -> None:
        family = self.suite_box.currentData()
        current = suite_choice.county_family(self.db)
        if family == current:
            return
        answer = QMessageBox.question(
            self, "更改同步包加密算法",
            f"改为“{suite_choice.family_label(family)}”？\n\n下一次生成的注册包和下发包起告知各单位；"
            "各单位收到后，其上报包即改用此算法，编办从中得知单位的密钥后下发包也改用。"
            "切换期间两种算法的包都能正常导入。")
        if answer != QMessageBox.StandardButton.Yes:
            self.suite_box.setCurrentIndex(self.suite_box.findData(current))
            return
        try:
            suite_choice.set_county_family(self.db, self.actor, family)
        except AppError as exc:
            self.suite_box.setCurrentIndex(self.suite_box.findData(current))
            show_error(self, "无法更改加密算法", exc)
            return
        self.status_message.emit(f"全县同步包加密算法已改为：{suite_choice.family_label(family)}")

    def choose(self, folder: bool) -> None:
        start = self.settings.last_package_dir
        if folder:
            chosen = ask_folder(self, "package", "选择存放上报包的文件夹（如U盘）", start, self.settings)
            paths = [chosen] if chosen else []
        else:
            paths = ask_open_paths(self, "package", "选择上报包", "同步包 (*.lzkp)", self.settings)
        if paths:
            self.settings.last_package_dir = str(Path(paths[0]) if folder else Path(paths[0]).parent)
            self.preview([Path(p) for p in paths])

    def preview(self, paths: list[Path]) -> None:
        if not ask_to_unlock(self, self.db):
            return
        db, mirrors, actor = self.db, self.mirrors, self.actor
        self.runner.run(lambda report: bureau.import_packages(db, mirrors, paths, apply=False, actor=actor,
                                                              progress=report),
                        self._previewed, lambda exc: show_error(self, "无法预览", exc),
                        parent=self, label="正在检查上报包…", with_progress=True)

    def confirm(self, dialog) -> int:
        """Shows a dialog; tests replace this to answer without a modal loop."""
        return dialog.exec()

    def _previewed(self, results: list[P.PackageResult]) -> None:
        if not results:
            show_error(self, "导入上报包", AppError("所选位置没有找到同步包（.lzkp 文件）"))
            return
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.import_preview_dialog import ImportPreviewDialog
        dialog = ImportPreviewDialog(results, self.settings, self)
        if self.confirm(dialog) != QDialog.DialogCode.Accepted:
            return
        paths = [r.path for r in dialog.importable]
        # only the unit keys the preview showed and the user confirmed by phone: a file swapped
        # on the stick since the preview brings another key, which is then refused
        confirmed = {r.new_key for r in dialog.importable if r.new_key}
        db, mirrors, actor = self.db, self.mirrors, self.actor
        self.runner.run(lambda report: bureau.import_packages(db, mirrors, paths, apply=True, actor=actor,
                                                              progress=report, confirmed_keys=confirmed),
                        self._imported, lambda exc: show_error(self, "导入失败", exc),
                        parent=self, label="正在导入上报包并更新全县统计…", with_progress=True)

    def _imported(self, results: list[P.PackageResult]) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.import_preview_dialog import ImportPreviewDialog, summary
        self.last_results = results
        self.refresh()
        done = [r for r in results if r.status == P.IMPORTED]
        rows = sum(r.plan.written for r in done)
        seconds = sum(r.seconds for r in results)
        self.result.setText(f"{summary(results)}；共写入{rows}条记录，用时{seconds:.1f}秒。")
        self.status_message.emit(f"已导入{len(done)}个上报包")
        if done:
            self.imported.emit()
        if len(done) != len(results):     # something went otherwise than previewed: show it
            self.confirm(ImportPreviewDialog(results, self.settings, self, done=True))
