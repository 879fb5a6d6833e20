"""数据交换 page (unit edition, admin only): the unit's PCs sharing an exchange folder (pcs_box),
the keys' fingerprints (and a new key with the 编办's
new registration code after it revoked ours), 上报包 out to the 编办, 下发包 in from it through a
preview, and the ledger of received packages."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QCheckBox, QDialog, QGridLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.exchange import keystore, packages as P, pc_unit, suite_choice
from app.services.exchange import unit_side as unit_sync
from app.services.org.actor import Actor
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.widgets.fingerprint import FingerprintLabel
from app.ui.widgets.key_passphrase import PassphraseDialog, ask_to_unlock
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.file_dialogs import ask_folder, ask_open_paths

NOTE_BRUSH = QBrush(QColor("#fff0d9"))
STANDALONE_TEXT = (
    "本单位的数据库是独立创建的（首次使用时选择了“新建单位”），尚未加入编办，因此还不能与编办交换数据包。\n\n"
    "如需向编办报送履职数据：请编办在编办版“单位管理”中用本单位的统一社会信用代码登记本单位，"
    "生成“单位注册包”和注册码；再点下面的按钮导入注册包（与编办电话核对指纹、输入注册码）。"
    "本单位已有的人员、职责和日志全部保留；单位名称和核定编制改用编办登记的。之后即可在本页导出上报包"
    "（第一个上报包含全部历史数据）、导入下发包。")

def ledger_rows(lines) -> list[tuple]:
    return [(line.seq, line.kind, line.suite or "—", line.created_at.replace("T", " ")[:16],
             line.imported_at.replace("T", " ")[:16], line.rows, line.note or "", line.file_name)
            for line in lines]


class SyncPage(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, settings: Settings,
                 runner: TaskRunner | None = None, parent=None):
        super().__init__(parent)
        self.db, self.actor, self.settings = db, actor, settings
        self.runner = runner or TaskRunner()
        self.last_export: P.ExportResult | None = None
        self.last_results: list[P.PackageResult] = []
        self.peer = unit_sync.bureau_peer(db)
        layout = QVBoxLayout(self)
        # imported here: a page or dialog is built when it is first opened
        from app.ui.pages.pcs_box import PcsBox
        self.pcs = PcsBox(db, actor, settings, self.runner, self)
        self.pcs.status_message.connect(self.status_message)
        layout.addWidget(self.pcs)
        if self.peer is None:
            self._standalone_box(layout)
            return
        self._build_exchange(layout)

    def _standalone_box(self, layout: QVBoxLayout) -> None:
        self.standalone = QWidget()
        box = QVBoxLayout(self.standalone)
        note = QLabel(STANDALONE_TEXT, wordWrap=True, objectName="standaloneNote")
        note.setStyleSheet("font-size: 12pt; padding: 16px; background:#f6f6f6; border:1px solid #ddd")
        box.addWidget(note)
        join = QPushButton("导入编办的单位注册包…", objectName="joinBureau")
        join.clicked.connect(lambda: self.join_bureau())
        box.addWidget(join, 0, Qt.AlignmentFlag.AlignLeft)
        box.addStretch(1)
        layout.addWidget(self.standalone, 1)

    def join_bureau(self) -> None:
        """Take the 编办's 注册包 into this database; the page then shows the exchange."""
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.join_bureau_dialog import JoinBureauDialog
        dialog = JoinBureauDialog(self.db, self.actor, self)
        if not dialog.exec() or dialog.joined is None:
            return
        joined = dialog.joined
        self.standalone.hide()
        self.layout().removeWidget(self.standalone)
        self.standalone.deleteLater()
        self.peer = unit_sync.bureau_peer(self.db)
        self._build_exchange(self.layout())
        renamed = (f"单位名称按编办登记改为“{joined.unit_name}”（重新登录后标题栏随之更新）。"
                   if joined.unit_name != joined.old_unit_name else "")
        QMessageBox.information(self, "已加入编办", f"已导入“{joined.bureau_name}”的单位注册包。{renamed}"
                                "本单位已有的数据全部保留。\n\n请导出上报包交给编办：第一个上报包包含全部历史数据，"
                                "编办导入时会来电核对本单位的密钥指纹（见本页“密钥”）。")
        self.status_message.emit(f"已加入{joined.bureau_name}")

    def _build_exchange(self, layout: QVBoxLayout) -> None:
        layout.addWidget(self._keys_box())
        row = QHBoxLayout()
        row.addWidget(self._export_box(), 1)
        row.addWidget(self._import_box(), 1)
        layout.addLayout(row)
        layout.addWidget(QLabel("已收到的编办包（注册包、下发包；浅橙色标出缺口或分叉：请向编办核实是否漏导，"
                                "或编办用旧备份恢复过数据库）"))
        self.ledger = RecordTable(["序号", "类型", "算法", "生成时间", "导入时间", "变更条数", "说明", "文件名"],
                                  6)
        self.ledger.setObjectName("ledgerTable")
        layout.addWidget(self.ledger, 1)
        self.refresh()

    # ------------------------------------------------------------------ layout
    def _keys_box(self) -> QGroupBox:
        box = QGroupBox("密钥指纹（与编办电话核对用）")
        grid = QGridLayout(box)
        self.own_fingerprint = FingerprintLabel(P.own_fingerprint(self.db), object_name="ownFingerprint")
        self.bureau_fingerprint = FingerprintLabel(self.peer.fingerprint or "", object_name="bureauFingerprint")
        grid.addWidget(QLabel("本单位"), 0, 0)
        grid.addWidget(QLabel(f"编办：{self.peer.name}"), 0, 1)
        grid.addWidget(self.own_fingerprint, 1, 0)
        grid.addWidget(self.bureau_fingerprint, 1, 1)
        grid.addWidget(QLabel("编办导入本单位第一个上报包时会看到本单位的指纹并来电核对；编办的指纹来自注册包，"
                              "创建数据库时已核对过。", wordWrap=True, styleSheet="color:#555"), 2, 0, 1, 2)
        rekey = QPushButton("输入编办的新注册码…", objectName="rekey")
        rekey.setToolTip("编办撤销本单位密钥并给了新注册码时：生成新密钥，之后的上报包由编办重新登记")
        rekey.clicked.connect(self.rekey)
        grid.addWidget(rekey, 3, 0)
        self.rekey_result = QLabel(objectName="rekeyResult", wordWrap=True)
        grid.addWidget(self.rekey_result, 3, 1)

        self.key_state = QLabel(objectName="keyState", wordWrap=True)
        passphrase = QPushButton("设置密钥口令…", objectName="setPassphrase")
        passphrase.clicked.connect(lambda: self.set_passphrase())
        grid.addWidget(self.key_state, 4, 0)
        grid.addWidget(passphrase, 4, 1)
        self._show_key_state()
        return box

    def _show_key_state(self) -> None:
        if keystore.protected(self.db):
            self.key_state.setText("本机密钥已用密钥口令加密保存。")
            self.key_state.setStyleSheet("color:#2e7d32")
        else:
            self.key_state.setText("本机密钥尚未加密保存：数据库文件被拷走即可冒用本单位上报，请设置密钥口令。")
            self.key_state.setStyleSheet("color:#b00020")

    def set_passphrase(self) -> None:
        if PassphraseDialog(self.db, self.actor, self).exec():
            self._show_key_state()

    def rekey(self) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.rekey_dialog import RekeyDialog
        dialog = RekeyDialog(self.db, self.actor, self)
        if self.confirm(dialog) != QDialog.DialogCode.Accepted or not dialog.fingerprint:
            return
        self.own_fingerprint.set_fingerprint(dialog.fingerprint)
        self.rekey_result.setText("已生成新密钥（上方为新指纹）。下一步：导出上报包交编办；编办导入时会来电核对新指纹。")
        self.status_message.emit("已生成本单位的新密钥")

    def _export_box(self) -> QGroupBox:
        box = QGroupBox("上报：导出上报包给编办")
        layout = QVBoxLayout(box)
        layout.addWidget(QLabel("上报包含编办尚未确认收到的全部变更（日志、审阅、名册、职责等），"
                                "签名并加密给编办，只有编办能打开。", wordWrap=True))
        self.suite_label = QLabel(objectName="suiteFamily", wordWrap=True)
        layout.addWidget(self.suite_label)
        row = QHBoxLayout()
        self.folder = QLineEdit(self.settings.last_package_dir, objectName="exportFolder",
                                placeholderText="保存到的文件夹，如U盘")
        choose = QPushButton("选择…")
        choose.clicked.connect(self.choose_folder)
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        layout.addLayout(row)
        self.full = QCheckBox("导出全部数据（编办要求重发时使用）", objectName="exportFull")
        layout.addWidget(self.full)
        export = QPushButton("导出上报包", objectName="exportReport")
        export.setStyleSheet("font-weight:bold; padding:6px 18px")
        export.clicked.connect(lambda: self.export_report())
        layout.addWidget(export)
        self.export_result = QLabel(objectName="exportResult", wordWrap=True)
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.export_result)
        layout.addStretch(1)
        return box

    def _import_box(self) -> QGroupBox:
        box = QGroupBox("接收：导入编办的下发包")
        layout = QVBoxLayout(box)
        layout.addWidget(QLabel("下发包带来编办核定的编制、职数、三定职责和回执。导入前先预览，"
                                "确认后每个包要么全部导入，要么完全不导入。", wordWrap=True))
        row = QHBoxLayout()
        files = QPushButton("选择文件…", objectName="importFiles")
        files.clicked.connect(lambda: self.choose_import(folder=False))
        folder = QPushButton("选择文件夹…", objectName="importFolder")
        folder.clicked.connect(lambda: self.choose_import(folder=True))
        row.addWidget(files)
        row.addWidget(folder)
        row.addStretch(1)
        layout.addLayout(row)
        self.import_result = QLabel(objectName="importResult", wordWrap=True)
        layout.addWidget(self.import_result)
        layout.addStretch(1)
        return box

    def refresh(self) -> None:
        self.suite_label.setText(f"加密算法：{suite_choice.family_label(suite_choice.unit_family(self.db))}"
                                 "（由编办选定，随其注册包、下发包告知）")
        lines = unit_sync.ledger_lines(self.db)
        self.ledger.set_rows(ledger_rows(lines))
        for row, line in enumerate(lines):
            if line.note:
                for col in range(self.ledger.columnCount()):
                    self.ledger.item(row, col).setBackground(NOTE_BRUSH)

    # ------------------------------------------------------------------ export
    def choose_folder(self) -> None:
        folder = ask_folder(self, "package", "上报包保存到", self.folder.text(), self.settings)
        if folder:
            self.folder.setText(folder)

    def export_report(self, folder: str | None = None) -> None:
        folder = folder or self.folder.text().strip()
        if not folder:
            self.choose_folder()
            folder = self.folder.text().strip()
            if not folder:
                return
        self.folder.setText(folder)
        self.settings.last_package_dir = folder
        if not (pc_unit.keys_ready(self.db, self.settings) or ask_to_unlock(self, self.db)):
            return
        db, actor, full = self.db, self.actor, self.full.isChecked()
        self.runner.run(lambda: unit_sync.export_report(db, Path(folder), actor=actor, full=full),
                        self._exported, lambda exc: show_error(self, "导出失败", exc),
                        parent=self, label="正在导出上报包…")

    def _exported(self, result: P.ExportResult) -> None:
        self.last_export = result
        self.full.setChecked(False)
        self.export_result.setText(f"已导出第{result.seq}号上报包：{result.rows}条变更、{result.files}个附件，"
                                   f"用时{result.seconds:.1f}秒。\n文件：{result.path.name}\n位置：{result.path.parent}"
                                   + (f"\n{result.missing_files}个附件文件缺失未带上" if result.missing_files else ""))
        self.status_message.emit(result.summary())

    # ------------------------------------------------------------------ import
    def choose_import(self, folder: bool) -> None:
        start = self.settings.last_package_dir
        if folder:
            chosen = ask_folder(self, "package", "选择存放下发包的文件夹", start, self.settings)
            paths = [chosen] if chosen else []
        else:
            paths = ask_open_paths(self, "package", "选择下发包", "同步包 (*.lzkp)", self.settings)
        if paths:
            self.settings.last_package_dir = str(Path(paths[0]) if folder else Path(paths[0]).parent)
            self.preview([Path(p) for p in paths])

    def preview(self, paths: list[Path]) -> None:
        if not (pc_unit.keys_ready(self.db, self.settings) or ask_to_unlock(self, self.db)):
            return
        db, actor = self.db, self.actor
        self.runner.run(lambda: unit_sync.import_dispatch(db, paths, apply=False, actor=actor),
                        self._previewed, lambda exc: show_error(self, "无法预览", exc),
                        parent=self, label="正在检查下发包…")

    def _previewed(self, results: list[P.PackageResult]) -> None:
        if not results:
            show_error(self, "导入下发包", AppError("所选位置没有找到同步包（.lzkp 文件）"))
            return
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.import_preview_dialog import ImportPreviewDialog
        dialog = ImportPreviewDialog(results, self.settings, self)
        if self.confirm(dialog) != QDialog.DialogCode.Accepted:
            return
        paths = [r.path for r in dialog.importable]
        db, actor = self.db, self.actor
        settings = self.settings    # a PC with an exchange folder passes it on to the others
        self.runner.run(lambda: pc_unit.import_dispatch(db, paths, apply=True, actor=actor,
                                                        settings=settings),
                        self._imported, lambda exc: show_error(self, "导入失败", exc),
                        parent=self, label="正在导入下发包…")

    def confirm(self, dialog) -> int:
        """Shows the preview; tests replace this to answer without a modal loop."""
        return dialog.exec()

    def _imported(self, results: list[P.PackageResult]) -> None:
        self.last_results = results
        self.refresh()
        done = [r for r in results if r.status == P.IMPORTED]
        self.import_result.setText("；".join(f"第{r.seq}号：{r.message}" for r in results))
        self.status_message.emit(f"已导入{len(done)}个下发包")
        if len(done) != len(results):
            # imported here: a page or dialog is built when it is first opened
            from app.ui.dialogs.import_preview_dialog import ImportPreviewDialog
            self.confirm(ImportPreviewDialog(results, self.settings, self, done=True))
