"""单位管理 page (编办 edition, admin only): the register of units with their keys, 登记单位,
单位注册包 (with its one-time code), 撤销密钥 (and a new code), 调整编制 and the 下发包 per unit or
for all."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from app.core.errors import AppError
from app.db.engine import Database
from app.services.county import bureau
from app.services.county.mirrors import Mirrors, RegisteredUnit, registered_units
from app.services.exchange import packages as P
from app.services.org.actor import Actor
from app.settings import Settings
from app.ui.dialogs.base import show_error
from app.ui.tasks import TaskRunner
from app.ui.widgets.fingerprint import FingerprintLabel
from app.ui.widgets.key_passphrase import PassphraseDialog, ask_to_unlock
from app.ui.widgets.record_table import RecordTable
from app.services.org.headcount import staffing_of
from app.services.exchange.enrollment import write_enrollment
from app.services.county.unit_keys import key_state, revoke_key
from app.ui.widgets.file_dialogs import ask_folder, ask_open_path

ROLE_UNIT = Qt.ItemDataRole.UserRole + 1
ENROLL_STEPS = ("单位：首次启动程序，选“用编办的单位注册包创建”，选择注册包，与编办电话核对编办密钥指纹，"
                "输入注册码。之后导出上报包交编办；编办导入时核对单位密钥指纹，即完成注册。")
REKEY_STEPS = ("单位：在“数据交换”页点“输入编办的新注册码…”，输入此注册码（生成新密钥），再导出上报包交编办；"
               "编办导入时电话核对新的单位密钥指纹，即完成重新注册。单位需要重新建库时，改为为其生成注册包。")
HEADERS = ["单位名称", "统一社会信用代码", "单位类别", "编制任务比类别", "重点任务数", "编制数", "领导职数",
           "登记时间", "单位密钥指纹", "主管部门"]


@dataclass
class UnitLine:
    unit: RegisteredUnit
    unit_class: str
    task_class: str
    key_tasks: int | None
    quota: int
    leaders: str
    parent: str = ""          # 主管部门 (app.services.county.bodies)


def load_lines(db: Database, mirrors: Mirrors) -> list[UnitLine]:
    """Each registered unit with what its mirror says (class, quotas); runs in the worker."""
    lines = []
    names = {u.unit_id: u.name for u in registered_units(db)}
    for unit in registered_units(db):
        try:
            staffing, row = staffing_of(mirrors.get(unit.unit_id))
        except AppError:   # mirror file missing: still list the unit
            lines.append(UnitLine(unit, "—", "—", None, 0, "—"))
            continue
        leaders = "，".join(f"{k}{v}" for k, v in staffing.leader_quotas.items() if v) or "—"
        lines.append(UnitLine(unit, row.unit_class, row.task_class or "—", row.key_tasks,
                              staffing.quota_total, leaders, names.get(row.parent_id or "", "")))
    return lines


def export_all(db, mirrors, actor, folder: Path, report) -> tuple[list, list[str]]:
    """下发包 for every unit; units without a key yet (no 上报包 received) are listed, not fatal."""
    done, skipped = [], []
    units = registered_units(db)
    for i, unit in enumerate(units):
        report(i, len(units), unit.name)
        try:
            done.append(bureau.export_dispatch(db, mirrors, unit.unit_id, folder, actor=actor))
        except AppError as exc:
            skipped.append(f"{unit.name}：{exc}")
    return done, skipped


class BureauUnitsPage(QWidget):
    status_message = Signal(str)
    units_changed = Signal()

    def __init__(self, db: Database, mirrors: Mirrors, actor: Actor, settings: Settings,
                 runner: TaskRunner | None = None, parent=None):
        super().__init__(parent)
        self.db, self.mirrors, self.actor, self.settings = db, mirrors, actor, settings
        self.runner = runner or TaskRunner()
        self.lines: list[UnitLine] = []
        layout = QVBoxLayout(self)
        keys = QHBoxLayout()
        keys.addWidget(QLabel("本编办密钥指纹：\n（单位用注册包创建数据库时\n会来电核对，请念给对方）"))
        self.fingerprint = FingerprintLabel(P.own_fingerprint(db), object_name="bureauFingerprint")
        keys.addWidget(self.fingerprint)
        keys.addStretch(1)
        passphrase = QPushButton("设置密钥口令…", objectName="setPassphrase")
        passphrase.clicked.connect(lambda: self.set_passphrase())
        keys.addWidget(passphrase)
        layout.addLayout(keys)
        row = QHBoxLayout()
        for text, name, slot in (("登记单位…", "registerUnit", self.register),
                                 ("生成注册包…", "writeEnrollment", lambda: self.write_enrollment()),
                                 ("撤销密钥…", "revokeKey", lambda: self.revoke_key()),
                                 ("调整编制…", "adjustQuota", self.adjust_quota),
                                 ("主管部门…", "setParent", self.set_parent),
                                 ("编制决定…", "unitDecisions", lambda: self.decisions()),
                                 ("下发重点工作…", "issueKeyTasks", lambda: self.issue_key_tasks()),
                                 ("导出所选单位的下发包…", "exportOne", lambda: self.export_dispatch()),
                                 ("导出全部下发包…", "exportAll", lambda: self.export_dispatch(all_units=True)),
                                 ("刷新", "refreshUnits", self.refresh)):
            button = QPushButton(text, objectName=name)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.result = QLabel(objectName="unitsResult", wordWrap=True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result)
        self.table = RecordTable(HEADERS, 0)
        self.table.setObjectName("unitsTable")
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("流程：登记单位 → 生成注册包（U盘交给单位）和一次性注册码（另行告知）→ 单位用注册包"
                                "和注册码建库（电话核对编办指纹）、填报 → 导入单位的上报包（首次核对单位指纹，"
                                "注册码随之作废）→ 导出下发包（回执、编制调整）。单位密钥泄露或被冒用时“撤销密钥”，"
                                "把新注册码交给单位重新注册。", wordWrap=True, styleSheet="color:#555"))
        self.refresh()

    # ------------------------------------------------------------------ table
    def refresh(self) -> None:
        db, mirrors = self.db, self.mirrors
        self.runner.run(lambda: load_lines(db, mirrors), self._show,
                        lambda exc: show_error(self, "读取单位失败", exc), parent=self, label="正在读取单位…")

    def _show(self, lines: list[UnitLine]) -> None:
        self.lines = lines
        self.table.set_rows([(u.unit.name, u.unit.credit_code, u.unit_class, u.task_class,
                              "—" if u.key_tasks is None else u.key_tasks, u.quota, u.leaders,
                              u.unit.registered_at[:16].replace("T", " "),
                              key_state(u.unit.fingerprint, u.unit.code_issued_at), u.parent)
                             for u in lines])
        for row, u in enumerate(lines):
            self.table.item(row, 0).setData(ROLE_UNIT, u.unit.unit_id)
            if not u.unit.fingerprint:
                self.table.item(row, 8).setForeground(QColor("#8a5a00"))

    def selected_unit(self) -> RegisteredUnit | None:
        row = self.table.currentRow()
        if row < 0:
            return None
        unit_id = self.table.item(row, 0).data(ROLE_UNIT)
        return next((u.unit for u in self.lines if u.unit.unit_id == unit_id), None)

    def select(self, unit_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(ROLE_UNIT) == unit_id:
                self.table.selectRow(row)
                return

    def _need_unit(self) -> RegisteredUnit | None:
        unit = self.selected_unit()
        if unit is None:
            show_error(self, "单位管理", AppError("请先在表中选择一个单位"))
        return unit

    def _folder(self, title: str, folder: str | None) -> str | None:
        folder = folder or ask_folder(self, "package", title, self.settings.last_package_dir, self.settings)
        if folder:
            self.settings.last_package_dir = folder
        return folder or None

    # ------------------------------------------------------------------ actions
    def exec_dialog(self, dialog) -> int:
        """Runs a dialog; tests replace this to drive it without a modal loop."""
        return dialog.exec()

    def register(self) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.register_unit_dialog import RegisterUnitDialog
        dialog = RegisterUnitDialog(self.db, self.actor, self.settings, self)
        if self.exec_dialog(dialog) != QDialog.DialogCode.Accepted or dialog.unit_id is None:
            return
        name = dialog.name.text().strip()
        self.refresh()
        self.select(dialog.unit_id)
        self.result.setText(f"已登记“{name}”。下一步：选中该单位，点“生成注册包…”，把注册包交给单位。")
        self.status_message.emit(f"已登记“{name}”")
        self.units_changed.emit()

    def decisions(self) -> None:
        """The selected unit's 编制决定记录 (app.ui.dialogs.decision_dialog)."""
        if (unit := self._need_unit()) is None:
            return
        from app.ui.dialogs.decision_dialog import DecisionDialog
        dialog = DecisionDialog(self.db, self.mirrors, self.actor, unit, self)
        self.exec_dialog(dialog)
        if dialog.recorded:
            self.result.setText(f"已记录对“{unit.name}”的{dialog.recorded}项决定，随下一个下发包发给单位。")
            self.status_message.emit(f"已记录对“{unit.name}”的决定")

    def issue_key_tasks(self) -> None:
        """下发重点工作…: 年度重点工作 from a workbook (the 工作事项 template) to the selected unit,
        after a preview; they reach it in its next 下发包 (app.services.items.excel.issue_items)."""
        from app.services.items.excel import issue_items
        from app.ui.dialogs.item_dialogs import ItemsPreviewDialog
        if (unit := self._need_unit()) is None:
            return
        path = ask_open_path(self, "items_import", f"选择下发给“{unit.name}”的年度重点工作",
                             "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        try:
            preview = issue_items(self.db, self.mirrors, self.actor, unit.unit_id, Path(path), apply=False)
            if self.exec_dialog(ItemsPreviewDialog(preview, Path(path).name, self)) != QDialog.DialogCode.Accepted:
                return
            done = issue_items(self.db, self.mirrors, self.actor, unit.unit_id, Path(path))
        except AppError as exc:
            show_error(self, "下发年度重点工作失败", exc)
            return
        self.result.setText(f"“{unit.name}”：{done.result.summary()}。随下一个下发包发给单位。")
        self.status_message.emit(f"已向“{unit.name}”下发年度重点工作")

    def set_passphrase(self) -> None:
        if PassphraseDialog(self.db, self.actor, self).exec():
            self.status_message.emit("本编办密钥已用密钥口令加密保存")

    def write_enrollment(self, folder: str | None = None) -> None:
        unit = self._need_unit()
        if unit is None or not (folder := self._folder("注册包保存到", folder)):
            return
        if not ask_to_unlock(self, self.db):
            return
        try:
            written = write_enrollment(self.db, self.mirrors, unit.unit_id, Path(folder), actor=self.actor)
        except (AppError, OSError) as exc:
            show_error(self, "生成注册包失败", exc if isinstance(exc, AppError) else AppError(str(exc)))
            return
        path = self.last_path = written.path
        self.result.setText(f"已生成“{unit.name}”的单位注册包：{path}\n"
                            f"请把它和注册码分开交给单位；单位创建数据库时会来电核对编办密钥指纹 "
                            f"{self.fingerprint.fingerprint}。")
        self.status_message.emit(f"已生成单位注册包：{path.name}")
        self.refresh()
        self.select(unit.unit_id)
        self._show_code(unit.name, written.code, f"已生成单位注册包：{path}", ENROLL_STEPS)

    def revoke_key(self) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.text_prompt_dialog import TextPromptDialog
        unit = self._need_unit()
        if unit is None:
            return
        what = (f"撤销“{unit.name}”已注册的密钥（指纹{unit.fingerprint}）：此后由它签名的上报包一律拒收，"
                if unit.fingerprint else f"“{unit.name}”尚未注册密钥：将作废之前的注册码，")
        prompt = (f"{what}并发放新的一次性注册码，单位输入后重新注册。\n"
                  "用于单位密钥泄露、被他人冒用注册，或单位未能完成注册时。撤销原因（记入审计）：")
        dialog = TextPromptDialog("撤销单位密钥", prompt, required=False, parent=self,
                                  placeholder="如：单位电脑丢失；注册包被他人冒用")
        if self.exec_dialog(dialog) != QDialog.DialogCode.Accepted:
            return
        try:
            issued = revoke_key(self.db, self.mirrors, unit.unit_id, actor=self.actor, reason=dialog.text())
        except AppError as exc:
            show_error(self, "撤销密钥失败", exc)
            return
        heading = (f"已撤销“{unit.name}”的密钥（指纹{issued.revoked}）：此后由该密钥签名的包一律拒收。"
                   if issued.revoked else f"已为“{unit.name}”发放新注册码，之前的注册码作废。")
        self.result.setText(heading)
        self.status_message.emit(heading)
        self.refresh()
        self.select(unit.unit_id)
        self.units_changed.emit()
        self._show_code(unit.name, issued.code, heading, REKEY_STEPS)

    def _show_code(self, unit_name: str, code: str, heading: str, steps: str) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.code_dialog import CodeDialog
        self.last_code = code
        self.exec_dialog(CodeDialog(unit_name, code, heading, steps, self))

    def adjust_quota(self) -> None:
        # imported here: a page or dialog is built when it is first opened
        from app.ui.dialogs.register_unit_dialog import QuotaDialog
        unit = self._need_unit()
        if unit is None:
            return
        try:
            dialog = QuotaDialog(self.db, self.mirrors, self.actor, unit, self.settings, self)
        except AppError as exc:
            show_error(self, "调整编制", exc)
            return
        if self.exec_dialog(dialog) == QDialog.DialogCode.Accepted and dialog.changed:
            self.result.setText(f"已调整“{unit.name}”：{'，'.join(dialog.changed)}。随下一个下发包发给单位。")
            self.refresh()
            self.select(unit.unit_id)
            self.units_changed.emit()

    def set_parent(self) -> None:
        """主管部门… (所属事业单位 evaluated with their department, app.services.county.bodies)."""
        from app.ui.dialogs.register_unit_dialog import ParentDialog
        unit = self._need_unit()
        if unit is None:
            return
        dialog = ParentDialog(self.db, self.mirrors, self.actor, unit, self.settings, self)
        if self.exec_dialog(dialog) == QDialog.DialogCode.Accepted:
            self.result.setText(dialog.outcome + "。随下一个下发包发给单位。")
            self.refresh()
            self.select(unit.unit_id)
            self.units_changed.emit()

    def export_dispatch(self, folder: str | None = None, all_units: bool = False) -> None:
        unit = None if all_units else self._need_unit()
        if (unit is None and not all_units) or not (folder := self._folder("下发包保存到", folder)):
            return
        if not ask_to_unlock(self, self.db):
            return
        db, mirrors, actor = self.db, self.mirrors, self.actor
        if all_units:
            self.runner.run(lambda report: export_all(db, mirrors, actor, Path(folder), report),
                            self._exported, lambda exc: show_error(self, "导出失败", exc),
                            parent=self, label="正在导出下发包…", with_progress=True)
        else:
            self.runner.run(lambda: ([bureau.export_dispatch(db, mirrors, unit.unit_id, Path(folder),
                                                             actor=actor)], []),
                            self._exported, lambda exc: show_error(self, "导出失败", exc),
                            parent=self, label="正在导出下发包…")

    def _exported(self, outcome) -> None:
        done, skipped = outcome
        lines = [f"{r.path.name}：第{r.seq}号，{r.rows}条变更" for r in done]
        lines += [f"未导出 {text}" for text in skipped]
        self.result.setText(f"已导出{len(done)}个下发包" + (f"，{len(skipped)}个单位未导出" if skipped else "")
                            + "：\n" + "\n".join(lines))
        self.status_message.emit(f"已导出{len(done)}个下发包")
