"""编办版 → 本办账号: the 编办's own accounts and their two roles, 编办管理员 (registers units, imports
packages, manages accounts) and 编办分析员 (reads and analyses). The unit's 人员名册 actions —
add with a random initial password and its slip, edit, 停用/启用, reset, unlock — without the
unit's 科室, 角色, 职务 and 编制 columns, which mean nothing in the 编办's database. Only the
编办管理员 acts (the services refuse anyone else); the page is listed for them alone."""
from __future__ import annotations

from app.db.engine import Database
from app.services.org import account_changes
from app.services.org.account_changes import BUREAU_ADMIN, BUREAU_ANALYST
from app.services.org.actor import Actor
from app.ui.dialogs.person_dialog import PersonDialog
from app.ui.pages.accounts_tab import AccountsTab

HEADERS = ["登录名", "姓名", "角色", "账号"]


class BureauAccountsPage(AccountsTab):
    headers = HEADERS
    add_text = "添加账号…"
    bureau = True
    stretch_column = 3
    note = ("编办管理员登记单位、导入同步包、管理本办账号；编办分析员只查看和分析。新账号没有密码，须打印初始密码单交给本人，"
            "首次登录须修改密码。停用的账号不能登录，可再启用。不能停用自己，也不能取消最后一位编办管理员。")

    def __init__(self, db: Database, actor: Actor, parent=None):
        super().__init__(db, actor, parent)
        self.setObjectName("bureauAccounts")
        self.refresh()

    def row_of(self, p, state: str) -> tuple:
        return (p.login, p.name, BUREAU_ADMIN if p.is_admin else BUREAU_ANALYST,
                state or ("离退" if p.status == "离退" else "在用"))

    def apply_edit(self, login: str, dialog: PersonDialog) -> bool:
        return account_changes.set_bureau_role(self.db, self.actor, login, dialog.role.currentText(),
                                               name=dialog.person_name.text())
