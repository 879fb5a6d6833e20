"""全县分析 grouped by department (部门及所属单位, app.core.bureau.bodies): the department's row
(the department alone), its institutions indented below, then the body's 合计 row; bodies and
units on their own ranked as wholes. The 按部门分组 box switches back to the flat, sortable table.

The 合计 row is built column by column from BODY_RULES, keyed by the column's title, so columns
other pages add to the county table work too: TOTAL takes the cell of the body's combined row
(app.core.bureau.bodies.body_row: sums, and ratios recomputed from summed inputs — never an
average of the members' ratios), SUM adds the members' numbers, and a column without a rule is
left blank in the 合计 row.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.core.bureau import bodies as B
from app.core.bureau.county import CountyRow, ranked

TOTAL, SUM, BLANK = "total", "sum", "blank"
BODY_RULES = {
    "排名": TOTAL,            # the body's rank as a whole (its 合计 against the other units)
    "单位": TOTAL,            # 卫生健康局合计（部门及所属单位2个）
    "编制数": TOTAL,          # Σ quotas
    "实有": TOTAL,            # Σ actual staff on a quota type
    "使用率": TOTAL,          # Σ 实有 ÷ Σ 编制数
    "空编": TOTAL,            # Σ the members' own vacancies
    "超编": TOTAL,            # Σ the members' own excesses
    "饱和度": TOTAL,          # Σ approved hours ÷ Σ expected hours
    "核心聚焦度": TOTAL,      # Σ core-duty hours ÷ Σ hours on duties
    "全面度": TOTAL,          # Σ duties with entries ÷ Σ active duties
    "填报率": TOTAL,          # Σ submitted days ÷ Σ available days
    "审核率": TOTAL,          # Σ finally approved logs ÷ Σ logs sent for review
    "待审": TOTAL,            # Σ pending hours ÷ Σ submitted hours
    "测算需（差额）": TOTAL,  # the need rule on the combined figures, against Σ quota
    "编制需求": TOTAL,        # its verdict
    "编制任务比": TOTAL,      # Σ key tasks ÷ Σ (quota ÷ base)
    "红灯事项": TOTAL,        # Σ the members' red work items
    "预警": TOTAL,            # the body's own warnings (each member's stay on its row)
}
INDENT = "　　"
TOTAL_TINT = "#e8eef8"
HEAD, MEMBER, BODY_TOTAL, SINGLE = "head", "member", "total", "single"


@dataclass
class Line:
    kind: str
    row: CountyRow
    cells: list          # (text, sort value) per column


def total_cells(total: CountyRow, members: list[CountyRow], rank: int | None, titles: list[str],
                cells) -> list:
    """The 合计 row's cells by BODY_RULES (default blank)."""
    combined = cells(rank, total)
    per_member = [cells(None, m) for m in members]
    out = []
    for col, title in enumerate(titles):
        rule = BODY_RULES.get(title, BLANK)
        if rule == TOTAL:
            out.append(combined[col])
        elif rule == SUM:
            values = [c[col][1] for c in per_member]
            if all(isinstance(v, (int, float)) for v in values):
                value = sum(values)
                out.append((f"{value:g}" if isinstance(value, int) else f"{value:.2f}", value))
            else:
                out.append(("", None))
        else:
            out.append(("", None))
    return out


def grouped_lines(rows: list[CountyRow], parents: dict, key: str, rule, today, titles: list[str],
                  cells) -> list[Line] | None:
    """The table's lines grouped by department, or None when no body is among `rows`."""
    groups = B.county_groups(rows, parents, rule, today)
    if not any(g.is_body for g in groups):
        return None
    lines = []
    for rank, g in B.ranked_groups(groups, key):
        if not g.is_body:
            lines.append(Line(SINGLE, g.head, cells(rank, g.head)))
            continue
        lines.append(Line(HEAD, g.head, cells(None, g.head)))
        for m in g.institutions:
            line = Line(MEMBER, m, cells(None, m))
            name_col = titles.index("单位")
            line.cells[name_col] = (INDENT + line.cells[name_col][0], line.cells[name_col][1])
            lines.append(line)
        lines.append(Line(BODY_TOTAL, g.total, total_cells(g.total, g.members, rank, titles, cells)))
    return lines


def show_grouped(page, P) -> bool:
    """Fill the county page's table grouped by department; False (nothing done) when the box is
    off or no unit has a 主管部门. `P`: the county page's module (its columns, cells, tooltips,
    item class and roles; passed in, as it imports this module)."""
    page.group_lines = None
    if not page.grouped.isChecked():
        return False
    titles = [c[0] for c in P.COLUMNS]
    lines = grouped_lines(page.rows, page.parents, page.rank_key.currentData(), P.rule_of(page.db),
                          page.today(), titles, P.cells)
    if lines is None:
        return False
    page.group_lines = lines
    alone = {r.unit_id: rank for rank, r in ranked(page.rows, page.rank_key.currentData())}
    table = page.table
    table.setSortingEnabled(False)
    table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setRowCount(len(lines))
    for row, line in enumerate(lines):
        tips = P.tooltips(line.row)
        for col, (text, key) in enumerate(line.cells):
            item = P.SortItem(text)
            item.setData(P.ROLE_SORT, key)
            if col not in P.TEXT_COLUMNS:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col in tips and (line.kind != BODY_TOTAL or BODY_RULES.get(titles[col]) == TOTAL):
                item.setToolTip(tips[col])
            table.setItem(row, col, item)
        page._colour(row, line.row)
        name = table.item(row, P.COL_NAME)
        if line.kind in (HEAD, MEMBER):
            place = alone.get(line.row.unit_id)
            name.setToolTip(name.toolTip() + (f"\n单独排名：第{place}名" if place else "")
                            + ("\n部门本级（不含所属单位）" if line.kind == HEAD else "\n所属单位"))
        if line.kind == HEAD:
            font = name.font()
            font.setBold(True)
            name.setFont(font)
        if line.kind == BODY_TOTAL:
            name.setData(P.ROLE_UNIT, None)          # not a unit: no drill-down, no calendar
            name.setToolTip(f"{line.row.name}：部门本级与所属单位的合计。人数、工时、编制数相加；饱和度等比率"
                            "按各单位的分子、分母分别相加后计算（不是比率的平均）；编制需求按合计数据测算。")
            for col in range(len(titles)):
                item = table.item(row, col)
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                if col != P.COL_SATURATION:
                    item.setBackground(QColor(TOTAL_TINT))
    page._enable_calendar()
    return True


def export_lines(page, cells) -> list[tuple[int | None, CountyRow, list]]:
    """(rank, row, cells) of the table as shown — grouped or flat — for the Excel export."""
    if getattr(page, "group_lines", None):
        return [(None, line.row, line.cells) for line in page.group_lines]
    return [(rank, r, cells(rank, r)) for rank, r in page.ranked]
