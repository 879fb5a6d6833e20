"""The indicator tree of one unit in an evaluation round: 一级 → 二级 → 评估要点 with max score,
method, automatic value, self-score, the 编办's score and the explanation. Shared by the unit's
评估自评 page and the 编办's 评估批次 page."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTreeWidget, QTreeWidgetItem

from app.core.bureau.indicators import format_value
from app.core.bureau.evaluation import ItemLine, RoundDetail

ROLE_ITEM = Qt.ItemDataRole.UserRole + 1
HEADERS = ["指标", "满分", "方式", "自动值", "自评", "编办评分", "说明"]
COL_AUTO, COL_SELF, COL_BUREAU, COL_TEXT = 3, 4, 5, 6
MISSING = QBrush(QColor("#fff0d9"))       # a point still without a score on the side that scores now
DIFFERENT = QBrush(QColor("#fde2e1"))     # the 编办's score below the self-score


def _score(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _sum(values) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known), 2) if known else None


class RoundTree(QTreeWidget):
    def __init__(self, parent=None, *, scoring: str = "self"):
        """`scoring`: whose empty scores to highlight — "self" (the unit) or "bureau"."""
        super().__init__(parent)
        self.scoring = scoring
        self.setColumnCount(len(HEADERS))
        self.setHeaderLabels(HEADERS)
        self.setAlternatingRowColors(True)
        head = self.header()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        head.setStretchLastSection(True)
        self.setColumnWidth(0, 340)
        self.detail: RoundDetail | None = None
        self._by_id: dict[str, QTreeWidgetItem] = {}

    def set_detail(self, detail: RoundDetail | None, auto: dict | None = None,
                   adjusted: dict | None = None) -> None:
        """Show a unit's round; `auto`: {item id: AutoScore} for the automatic values;
        `adjusted`: {加减分 item id: (signed points the 编办 entered, its reason)}."""
        current = self.current_line()
        self.clear()
        self._by_id.clear()
        self.detail = detail
        if detail is None:
            return
        auto = auto or {}
        children: dict[str | None, list[ItemLine]] = {}
        for line in detail.items:
            children.setdefault(line.parent_id, []).append(line)
        bold = QFont()
        bold.setBold(True)

        def leaves(line: ItemLine) -> list[ItemLine]:
            kids = children.get(line.id, [])
            return [line] if not kids else [x for k in kids for x in leaves(k)]

        def add(parent, line: ItemLine) -> None:
            node = QTreeWidgetItem(parent)
            node.setData(0, ROLE_ITEM, line.id)
            node.setText(0, f"{line.code} {line.name}")
            node.setText(1, f"{line.max_score:g}")
            node.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if line.method == "adjust":         # 加分/扣分: outside the 100 + 20, entered by the 编办
                node.setText(1, f"上限{line.max_score:g}")
                node.setText(2, "加减分")
                points, reason = (adjusted or {}).get(line.id, (0, ""))
                node.setText(COL_BUREAU, f"{points:+g}" if points else "")
                node.setText(COL_TEXT, reason or line.guidance)
                node.setToolTip(COL_TEXT, line.guidance)
            elif line.level < 3:
                under = leaves(line)
                node.setText(COL_SELF, _score(_sum(x.self_score for x in under)))
                node.setText(COL_BUREAU, _score(_sum(x.bureau_score for x in under)))
                if line.level == 1:
                    for col in range(len(HEADERS)):
                        node.setFont(col, bold)
            else:
                node.setText(2, "自动" if line.method == "auto" else "人工")
                a = auto.get(line.id)
                if a is not None:
                    node.setText(COL_AUTO, format_value(a.value, a.metric) if a.value is not None else "无数值")
                    node.setToolTip(COL_AUTO, a.explanation)
                node.setText(COL_SELF, _score(line.self_score))
                node.setText(COL_BUREAU, _score(line.bureau_score))
                text = line.bureau_comment if self.scoring == "bureau" and line.bureau_comment else line.explanation
                node.setText(COL_TEXT, text.replace("\n", " "))
                node.setToolTip(COL_TEXT, text)
                mine = line.self_score if self.scoring == "self" else line.bureau_score
                if mine is None:
                    node.setBackground(COL_SELF if self.scoring == "self" else COL_BUREAU, MISSING)
                elif (line.bureau_score is not None and line.self_score is not None
                      and line.bureau_score < line.self_score - 0.005):
                    node.setBackground(COL_BUREAU, DIFFERENT)
            for col in (COL_AUTO, COL_SELF, COL_BUREAU):
                node.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._by_id[line.id] = node
            for child in children.get(line.id, []):
                add(node, child)

        for root in children.get(None, []):
            add(self, root)
        self.expandAll()
        if current is not None:
            self.select(current.id)

    def current_line(self) -> ItemLine | None:
        node = self.currentItem()
        if node is None or self.detail is None:
            return None
        item_id = node.data(0, ROLE_ITEM)
        return next((i for i in self.detail.items if i.id == item_id), None)

    def select(self, item_id: str) -> None:
        node = self._by_id.get(item_id)
        if node is not None:
            self.setCurrentItem(node)

    def select_code(self, code: str) -> None:
        for line in self.detail.items if self.detail else ():
            if line.code == code:
                self.select(line.id)
                return


def fit_problem_columns(table: QTableWidget, widths: dict[int, int]) -> None:
    """Problem tables: the description (column 1) takes the room left; the long text columns get
    a fixed width (their text wraps) instead of pushing it off screen."""
    head = table.horizontalHeader()
    for col, width in widths.items():
        head.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(col, width)
    head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
