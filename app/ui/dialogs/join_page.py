"""The first-run wizard's join route: a new PC of a unit that already shares its data through an
exchange folder (issue 16). The PC builds its own replica from the newest snapshot in the folder,
opened with the join code the admin got on the 数据交换 page (or from `pcs join-code`); the
accounts come with the snapshot, so the wizard ends at the login. The join runs on the task
runner: the snapshot may be large and the folder a slow share."""
from __future__ import annotations

import socket
from pathlib import Path

from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QWizard, QWizardPage)

from app.core.errors import AppError
from app.services.exchange import pc_unit
from app.ui.tasks import TaskRunner
from app.ui.widgets.file_dialogs import ask_folder

ERROR_STYLE = "color: #b00020"
CODE_STYLE = "font-family: 'DejaVu Sans Mono', Consolas, monospace; font-size: 14pt"


class JoinPage(QWizardPage):
    """Folder, join code and this PC's name; 加入 runs pc_unit.join and the wizard then closes
    with `wizard.db` open on the new replica. A failure is said on the page; what was typed stays."""

    def __init__(self, runner: TaskRunner | None = None):
        super().__init__()
        self.runner = runner or TaskRunner()
        self.db = None
        self.busy = False
        self.setTitle("加入本单位已有的多台电脑共用")
        self.setSubTitle("本机将从交换文件夹中的数据快照建立自己的一份数据，之后与本单位其他电脑"
                         "通过该文件夹自动交换变更。各人的账号和密码与其他电脑上相同。")
        form = QFormLayout(self)
        row = QHBoxLayout()
        self.folder = QLineEdit(objectName="joinFolder",
                                placeholderText=r"如 \\服务器\履职考评交换 或 Z:\履职考评交换")
        choose = QPushButton("选择文件夹…", objectName="chooseJoinFolder")
        choose.clicked.connect(self.choose)
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        form.addRow("交换文件夹", row)
        self.code = QLineEdit(objectName="joinCode", placeholderText="XXXX-XXXX-XXXX-XXXX-XXXX")
        self.code.setStyleSheet(CODE_STYLE)
        form.addRow("加入码", self.code)
        self.code_hint = QLabel(objectName="joinCodeHint", wordWrap=True, styleSheet=ERROR_STYLE)
        form.addRow("", self.code_hint)
        self.name = QLineEdit(socket.gethostname(), objectName="joinPcName")
        form.addRow("本机名称", self.name)
        note = QLabel("交换文件夹和加入码请向单位管理员索取：管理员在“数据交换”页的“多台电脑共用”中"
                      "设置交换文件夹时得到加入码（也可用命令 pcs join-code 生成新的，旧的随即失效）。"
                      "本机名称会显示在其他电脑和管理员的同步状态中，便于认出是哪台电脑。",
                      wordWrap=True, styleSheet="color:#555")
        form.addRow(note)
        self.progress = QProgressBar(objectName="joinProgress", textVisible=False)
        self.progress.setRange(0, 0)             # no percentage: a busy bar while it works
        self.progress.hide()
        self.progress_text = QLabel("正在从交换文件夹读取数据快照并建立本机数据库，请稍候…")
        self.progress_text.hide()
        form.addRow(self.progress_text)
        form.addRow(self.progress)
        self.message = QLabel(objectName="joinMessage", wordWrap=True, styleSheet=ERROR_STYLE)
        form.addRow(self.message)
        for edit in (self.folder, self.code, self.name):
            edit.textChanged.connect(self._changed)

    def initializePage(self) -> None:
        self.setButtonText(QWizard.WizardButton.FinishButton, "加入")

    def nextId(self) -> int:
        return -1                  # the accounts came with the snapshot: next is the login

    def choose(self) -> None:
        folder = ask_folder(self, "exchange_folder", "选择交换文件夹", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _changed(self) -> None:
        typed = "".join(c for c in self.code.text() if c not in " -")
        problem = pc_unit.code_problem(self.code.text()) if typed else None
        # said once the code could be whole, or at once for a letter a code never holds
        self.code_hint.setText(problem if problem and (len(typed) >= 20 or "不会出现" in problem) else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return (not self.busy and bool(self.folder.text().strip()) and bool(self.name.text().strip())
                and pc_unit.code_problem(self.code.text()) is None)

    def validatePage(self) -> bool:
        """The first press starts the join and stays on the page; when it has worked the wizard
        is accepted (which validates again, now true)."""
        if self.db is not None:
            return True
        if not self.busy:
            self.start()
        return False

    def start(self) -> None:
        dest, settings = self.wizard().db_path, self.wizard().settings
        folder, code, name = Path(self.folder.text().strip()), self.code.text(), self.name.text().strip()
        self._set_busy(True)
        self.message.setText("")
        self.runner.run(lambda: pc_unit.join(dest, folder, code, name=name, settings=settings),
                        self._joined, self._failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.progress, self.progress_text):
            widget.setVisible(busy)
        for edit in (self.folder, self.code, self.name):
            edit.setReadOnly(busy)
        wizard = self.wizard()
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            wizard.button(which).setEnabled(not busy)
        self.completeChanged.emit()

    def _joined(self, db) -> None:
        self.db = db
        self.wizard().db = db
        self._set_busy(False)
        self.wizard().accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, AppError):
            self.message.setText(f"未能加入：{exc}")
        elif isinstance(exc, OSError):
            self.message.setText(f"未能加入：读写文件失败（{exc.strerror or exc}）。"
                                 "请确认交换文件夹可以访问、本机磁盘有空间。")
        else:
            raise exc
