"""The 用单 results table of the 评估批次 page with bodies together (app.services.evaluation.
rounds_bodies): a department, its institutions indented, then the body's average row (bold)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.services.evaluation.rounds_bodies import BODY, HEAD, MEMBER

ROLE_UNIT = Qt.ItemDataRole.UserRole + 1
INDENT = "　　"
BODY_TINT = "#e8eef8"


def result_row(r, rank, name: str) -> tuple:
    """A unit's 用单 row: the 编办's total, its 加分/扣分, the final score, 百分制 and 等次."""
    return (rank or "—", name, r.template_name, r.stage, r.self_total,
            r.bureau_total if r.bureau_total is not None else f"未完成（{r.scored}/{r.leaves}）",
            f"{r.adjust:+g}" if r.adjust else "0", r.final_total if r.final_total is not None else "—",
            r.percent if r.percent is not None else "—",
            (r.grade + "（受比例上限）" if r.capped else r.grade) if r.grade else "—",
            r.problems, r.open_problems, r.overdue)


def _body_cells(b, rank) -> tuple:
    members = b.members
    done = lambda v: v if v is not None else "—"  # noqa: E731
    return (rank or "—", b.name, "", "", done(b.self_average),
            b.bureau_average if b.bureau_average is not None else f"未完成（{b.scored}/{len(members)}个单位）",
            "", done(b.final_average), done(b.percent_average), "",
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
            rows.append(result_row(item, rank, name))
    table.set_rows(rows)
    for row, (kind, item, _) in enumerate(lines):
        table.item(row, 1).setData(ROLE_UNIT, None if kind == BODY else item.unit_id)
        if kind == BODY:
            table.item(row, 1).setToolTip("部门及所属单位的平均得分：各单位编办评分、最终得分（含加减分）和折算百分制的平均，"
                                          "全部单位评完后才计算，按平均最终得分排名；自评同样取平均；"
                                          "等次按各单位自己的得分评定。问题数相加。")
            for col in range(table.columnCount()):
                cell = table.item(row, col)
                if cell is None:
                    continue
                font = cell.font()
                font.setBold(True)
                cell.setFont(font)
                cell.setBackground(QColor(BODY_TINT))
