"""The 加分/扣分 entry of the 编办's 评单 tab: shown instead of the score entry when a 加减分 item
(一级指标 J1 …) is selected in the unit's tree — its rule, how many times it applied and the
reason; the points are capped by the rule and the message says so
(app.services.evaluation.adjustments)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QSpinBox

from app.services.evaluation import adjustments
from app.services.evaluation.adjustments import AdjustLine


class AdjustBox(QGroupBox):
    def __init__(self, tab):
        super().__init__("加分扣分项：编办录入")
        self.tab = tab
        self.line: AdjustLine | None = None
        form = QFormLayout(self)
        self.title = QLabel(wordWrap=True, objectName="adjustTitle")
        self.rule = QLabel(objectName="adjustRule", styleSheet="color:#555")
        self.times = QSpinBox(objectName="adjustTimes", minimum=0, maximum=adjustments.MAX_TIMES, suffix=" 次")
        self.times.setToolTip("0次为删除该项")
        self.reason = QLineEdit(objectName="adjustReason", placeholderText="理由：表彰文件、通报文号等（必填）")
        self.current = QLabel(wordWrap=True, objectName="adjustCurrent")
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("保存加分扣分", objectName="saveAdjustment")
        self.save_button.clicked.connect(self.save)
        form.addRow(self.title)
        form.addRow("规则：", self.rule)
        form.addRow("次数：", self.times)
        form.addRow("理由：", self.reason)
        form.addRow("已录入：", self.current)
        form.addRow(self.save_button)

    def show_line(self, line: AdjustLine | None, why: str) -> None:
        """The item selected in the tree (None: hide), and why saving is not possible ('' when it is)."""
        self.line = line
        self.setVisible(line is not None)
        if line is None:
            return
        self.title.setText(f"{line.code} {line.name}\n{line.guidance}")
        self.rule.setText(line.rule_text)
        self.times.setValue(line.times)
        self.reason.setText(line.reason)
        self.current.setText(f"{line.times}次，{line.points:+g}分" if line.times else "未录入")
        self.save_button.setEnabled(not why)
        self.save_button.setToolTip(why)

    def save(self) -> None:
        if self.line is None:
            return
        line, times, reason = self.line, self.times.value(), self.reason.text()
        done = []
        if self.tab._do("保存加分扣分失败", lambda: done.append(adjustments.set_adjustment(
                *self.tab._args(), line.item_id, times, reason)), "已保存加分扣分"):
            self.tab.changed.emit(f"{self.tab.unit_box.currentText()}：{done[0][1]}")
