"""数据交换 → 导入编办的单位注册包… for a unit set up on its own: the first-run wizard's 注册包
page (the 编办's fingerprint shown big to compare by phone, the one-time code), whose 完成 takes
the 注册包 into this database (app.services.exchange.join). A refusal is shown on the page and
leaves the database as it was."""
from __future__ import annotations

from PySide6.QtWidgets import QWizard

from app.core.errors import AppError
from app.db.engine import Database
from app.services.exchange.join import Joined, join_bureau
from app.services.org.actor import Actor
from app.ui.dialogs.first_run_wizard import EnrollmentPage


class JoinPage(EnrollmentPage):
    def __init__(self, db: Database, actor: Actor):
        super().__init__()
        self.db, self.actor = db, actor
        self.joined: Joined | None = None
        self.setTitle("加入编办：导入编办为本单位生成的单位注册包")
        self.setSubTitle("请编办先在编办版“单位管理”中用本单位的统一社会信用代码登记本单位，生成注册包和注册码。"
                         "导入后本单位已有的人员、职责和日志全部保留，单位名称和核定编制改用编办登记的。")

    def validatePage(self) -> bool:
        if not super().validatePage():          # the code opens the file
            return False
        try:
            self.joined = join_bureau(self.db, self.actor, self.info)
        except AppError as exc:
            self.code_message.setText(str(exc))
            return False
        return True

    def nextId(self) -> int:
        return -1


class JoinBureauDialog(QWizard):
    def __init__(self, db: Database, actor: Actor, parent=None):
        super().__init__(parent)
        self.setWindowTitle("加入编办")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.FinishButton, "导入注册包")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.page = JoinPage(db, actor)
        self.addPage(self.page)
        self.resize(720, 560)

    @property
    def joined(self) -> Joined | None:
        return self.page.joined
