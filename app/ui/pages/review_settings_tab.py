"""审阅设置 (admin): review levels, assisted-review thresholds, and which sections each 分管领导
is in charge of."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QListWidget, QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout,
                               QWidget)

from app.core import vocab
from app.core.errors import AppError
from app.db.engine import Database
from app.services.org import structure as org, unit_settings, settings_change
from app.services.org.actor import Actor
from app.ui.dialogs.base import show_error


class ReviewSettingsTab(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, actor: Actor, parent=None):
        super().__init__(parent)
        self.db, self.actor = db, actor
        layout = QHBoxLayout(self)
        layout.addWidget(self._settings_box(), 1)
        layout.addWidget(self._charges_box(), 1)

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("审阅级数与辅助审核阈值")
        form = QFormLayout(box)
        self.editors = {}
        values = unit_settings.all_values(self.db)
        for key, spec in unit_settings.SPECS.items():
            if spec.kind not in (int, float):     # documents (退休年龄规则) have their own editor
                continue
            editor = QSpinBox() if spec.kind is int else QDoubleSpinBox(decimals=2, singleStep=0.1)
            editor.setObjectName(key)
            editor.setRange(spec.low, spec.high)
            editor.setValue(values[key])
            self.editors[key] = editor
            form.addRow(spec.label, editor)
        save = QPushButton("保存设置", objectName="saveSettings")
        save.clicked.connect(self.save_settings)
        form.addRow(save)
        return box

    def save_settings(self) -> None:
        current = unit_settings.all_values(self.db)
        changed = []
        try:
            for key, editor in self.editors.items():
                if editor.value() != current[key]:
                    settings_change.set_value(self.db, self.actor, key, editor.value())
                    changed.append(unit_settings.SPECS[key].label)
        except AppError as exc:
            show_error(self, "保存失败", exc)
            return
        self.status_message.emit("已保存：" + "、".join(changed) if changed else "设置没有变化")

    def _charges_box(self) -> QGroupBox:
        box = QGroupBox("分管领导分管的科室（决定科室日志的第二级审阅人）")
        layout = QVBoxLayout(box)
        self.deputy = QComboBox(objectName="deputy")
        for p in org.persons(self.db):
            if p.role == vocab.ROLE_DEPUTY:
                self.deputy.addItem(f"{p.name}（{p.login}）", p.login)
        self.sections = QListWidget(objectName="chargeSections")
        save = QPushButton("保存分管科室", objectName="saveCharges")
        save.clicked.connect(self.save_charges)
        layout.addWidget(self.deputy)
        layout.addWidget(self.sections, 1)
        layout.addWidget(save)
        self.deputy.currentIndexChanged.connect(lambda _i: self.show_charges())
        self.show_charges()
        return box

    def show_charges(self) -> None:
        charges = org.section_charges(self.db).get(self.deputy.currentData(), [])
        self.sections.clear()
        for section in org.sections(self.db):
            item = QListWidgetItem(section.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if section.name in charges
                               else Qt.CheckState.Unchecked)
            self.sections.addItem(item)

    def save_charges(self) -> None:
        login = self.deputy.currentData()
        if not login:
            return
        names = [self.sections.item(i).text() for i in range(self.sections.count())
                 if self.sections.item(i).checkState() == Qt.CheckState.Checked]
        try:
            org.set_section_charges(self.db, self.actor, login, names)
        except AppError as exc:
            show_error(self, "保存失败", exc)
            return
        self.status_message.emit(f"{self.deputy.currentText()} 分管：{'、'.join(names) or '无'}")
