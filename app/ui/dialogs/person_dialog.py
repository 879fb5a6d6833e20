"""The admin's form for a person: add (with a login) or edit (the login stays). The unit asks for
科室, 角色, 职务 and 编制类型; the 编办 only for its two roles. Checks are the services' own."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit)

from app.core import vocab
from app.services.org.account_changes import BUREAU_ADMIN, BUREAU_ROLES, PersonChange
from app.services.org.accounts import NewUser

NO_SECTION = "（无）"
NO_TYPE = "（未填写）"


class PersonDialog(QDialog):
    """`person` (a structure.PersonRow) to edit, or None to add someone."""

    def __init__(self, sections: list[str], person=None, *, bureau: bool = False, parent=None):
        super().__init__(parent)
        self.bureau, self.person = bureau, person
        adding = person is None
        self.setWindowTitle(("添加账号" if bureau else "添加人员") if adding else f"编辑 {person.name}")
        form = QFormLayout(self)
        self.login = QLineEdit(objectName="personLogin")
        self.person_name = QLineEdit(objectName="personName")
        if adding:
            form.addRow("登录名", self.login)
        else:
            self.login.setText(person.login)
            form.addRow("登录名", QLabel(person.login))
            self.person_name.setText(person.name)
        form.addRow("姓名", self.person_name)
        self.role = QComboBox(objectName="personRole")
        if bureau:
            self.role.addItems(BUREAU_ROLES)
            self.role.setCurrentIndex(0 if person is not None and person.is_admin else 1)
            form.addRow("角色", self.role)
        else:
            self.section = self._combo("personSection", NO_SECTION, sections,
                                       person.section if person else "")
            self.role.addItems(vocab.ROLES)
            if person is not None:
                self.role.setCurrentText(person.role)
            self.post = QLineEdit(person.post if person else "", objectName="personPost",
                                  placeholderText="如：科长、科员（可不填）")
            self.staffing = self._combo("personStaffing", NO_TYPE, list(vocab.STAFFING_TYPES),
                                        person.staffing_type if person else "")
            form.addRow("科室", self.section)
            form.addRow("角色", self.role)
            form.addRow("职务", self.post)
            form.addRow("编制类型", self.staffing)
        if adding:
            form.addRow(QLabel("初始密码由程序随机生成，保存为初始密码单。", styleSheet="color:#555"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @staticmethod
    def _combo(name: str, empty: str, values: list[str], current: str) -> QComboBox:
        combo = QComboBox(objectName=name)
        combo.addItem(empty, "")
        for value in values:
            combo.addItem(value, value)
        index = combo.findData(current or "")
        combo.setCurrentIndex(max(index, 0))
        return combo

    def new_user(self) -> NewUser:
        name = self.person_name.text().strip()
        if self.bureau:
            return NewUser(self.login.text().strip(), name, None,
                           is_admin=self.role.currentText() == BUREAU_ADMIN)
        return NewUser(self.login.text().strip(), name, None, role=self.role.currentText(),
                       section=self.section.currentData() or None,
                       post=self.post.text().strip() or None,
                       staffing_type=self.staffing.currentData() or None)

    def change(self) -> PersonChange:
        """The unit's edit (the 编办's role goes through set_bureau_role)."""
        name = self.person_name.text().strip()
        if self.bureau:
            return PersonChange(name=name)
        return PersonChange(name=name, section=self.section.currentData(),
                            role=self.role.currentText(), post=self.post.text(),
                            staffing_type=self.staffing.currentData())
