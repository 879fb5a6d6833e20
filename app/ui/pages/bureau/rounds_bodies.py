"""The 用单 results table of the 评估批次 page with bodies together (app.services.evaluation.
rounds_bodies): a department, its institutions indented, then the body's average row (bold)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.services.evaluation.rounds_bodies import BODY, HEAD, MEMBER

ROLE_UNIT = Qt.ItemDataRole.UserRole + 1
INDENT = "　　"
BODY_TINT = "#e8eef8"


def _unit_cells(r, rank, name: str) -> tuple:
    return (rank or "—", name, r.template_name, r.stage, r.self_total,
            r.bureau_total if r.bureau_total is not None else f"未完成（{r.scored}/{r.leaves}）",
            r.problems, r.open_problems, r.overdue)


def _body_cells(b, rank) -> tuple:
    members = b.members
    return (rank or "—", b.name, "", "", b.self_average if b.self_average is not None else "—",
            b.bureau_average if b.bureau_average is not None else f"未完成（{b.scored}/{len(members)}个单位）",
            sum(m.problems for m in members), sum(m.open_problems for m in members),
            sum(m.overdue for m in members))


def fill_results(table, lines) -> None:
    """Fill the RecordTable `table` with result_lines (kind, item, rank)."""
    rows = []
    for kind, item, rank in lines:
        if kind == BODY:
            rows.append(_body_cells(item, rank))
        else:
            name = INDENT + item.name if kind == MEMBER else item.name + ("（本级）" if kind == HEAD else "")
            rows.append(_unit_cells(item, rank, name))
    table.set_rows(rows)
    for row, (kind, item, _) in enumerate(lines):
        table.item(row, 1).setData(ROLE_UNIT, None if kind == BODY else item.unit_id)
        if kind == BODY:
            table.item(row, 1).setToolTip("部门及所属单位的平均得分：各单位编办评分（按各自的指标体系）的平均，"
                                          "全部单位评完后才计算；自评同样取平均。问题数相加。")
            for col in range(table.columnCount()):
                cell = table.item(row, col)
                if cell is None:
                    continue
                font = cell.font()
                font.setBold(True)
                cell.setFont(font)
                cell.setBackground(QColor(BODY_TINT))
