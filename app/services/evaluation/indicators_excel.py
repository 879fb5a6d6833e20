"""An indicator system as an Excel workbook the 编办 edits: sheet 「指标体系」 (one row per
indicator, in outline order: a 二级指标 belongs to the 一级指标 above it, a 评估要点 to the 二级指标
above it), sheet 「模板信息」 (name, unit class, note) and a 「填写说明」 sheet that import ignores.

Import is all or nothing, like the roster and duty imports (app.services.excel.common): every
problem is listed with its sheet, row and column, and nothing is written while one remains. A
template whose name is already in the database is updated in place (items matched by 编号).
"""
from __future__ import annotations

import time
from pathlib import Path

from app.core.bureau import indicators as I
from app.db.engine import Database
from app.reports.xlsx_safe import save_workbook
from app.services.evaluation import indicators as S
from app.services.org.actor import Actor
from app.services.excel.common import (Column, ImportResult, Problems, SheetLayout, SheetRow, cell_text, choice, code_text, read_workbook)

SHEET, INFO, HELP = "指标体系", "模板信息", "填写说明"
COLUMNS = (
    Column("层级", 10, True, ("一级指标", "二级指标", "评估要点"), "一级指标、二级指标或评估要点（也可写1、2、3）"),
    Column("编号", 9, True, note="全表唯一，如 1、1.1、1.1.1", text=True),
    Column("名称", 34, True),
    Column("分值", 7, True, note="评估要点的满分；上级指标为下级之和（可留空，自动合计）"),
    Column("评分方式", 9, False, ("自动", "人工", "加减分"),
           "自动：按指标来源和规则计分；人工：由单位自评、编办现场评分；加减分：一级指标单列，编办逐个单位录入"),
    Column("指标来源", 16, False, note="自动评分取数的指标（见「填写说明」）；人工评分的要点可填作参考"),
    Column("规则", 40, False, note="自动评分的规则（写法见「填写说明」），也可填JSON"),
    Column("评分标准", 60, False, note="评估要点必填：怎样得满分、怎样扣分"),
    Column("个性指标", 9, False, ("是", "否"), "是：计入个性指标20分；留空同上级"),
)
LAYOUT = SheetLayout(SHEET, COLUMNS)
INFO_LAYOUT = SheetLayout(INFO, (Column("项目", 14, True), Column("内容", 80)))
INFO_NAME, INFO_CLASS, INFO_NOTE = "模板名称", "适用单位类别", "说明"
LEVEL_ALIASES = {"1": 1, "2": 2, "3": 3, "一级指标": 1, "二级指标": 2, "评估要点": 3, "三级指标": 3,
                 "一级": 1, "二级": 2, "三级": 3}
METHOD_ALIASES = {"自动": I.AUTO, "人工": I.MANUAL, "自动评分": I.AUTO, "人工评分": I.MANUAL,
                  "auto": I.AUTO, "manual": I.MANUAL, "加减分": I.ADJUST, "加分": I.ADJUST, "扣分": I.ADJUST,
                  "加扣分": I.ADJUST, "adjust": I.ADJUST}
FIELD_COLUMNS = {"level": "层级", "code": "编号", "name": "名称", "max_score": "分值", "method": "评分方式",
                 "metric": "指标来源", "rule": "规则", "guidance": "评分标准", "individual": "个性指标"}
RULE_EXAMPLES = (
    ("区间", "85%~115%得满分，低于60%或高于130%得0分，其间按比例", "在满分区间内得满分，超出零分界得0分，之间按比例"),
    ("越高越好", "不低于95%得满分，低于60%得0分，其间按比例", "达到满分线得满分，低于零分线得0分，之间按比例"),
    ("越低越好", "不高于0得满分，高于3得0分，其间按比例", "不超过满分线得满分，高于零分线得0分，之间按比例"),
    ("分档", "分档：不低于90%得满分，不低于80%得满分的80%，其余得0分", "从高到低，达到哪一档得该档分数"),
    ("扣分", "每1名扣2分，扣完为止", "每超出1名（或1个、1项）扣若干分，扣完为止"),
    ("加减分", "加分：每次加2分，最多加5分", "评分方式填“加减分”的一级指标（分值=上限）：编办逐个单位录入次数和理由；"
     "扣分写作“扣分：每次扣3分，最多扣10分”"),
)


# ---------------------------------------------------------------- export
def export_excel(db: Database, template_id: str, path: Path) -> Path:
    """The template as an .xlsx the 编办 edits and imports again."""
    from openpyxl import Workbook   # openpyxl takes ~0.3 s to import: only when exporting
    path = Path(path)
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    spec = S.spec_of(db, template_id)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    level1_fill = PatternFill("solid", fgColor="F2F2F2")
    for col, c in enumerate(COLUMNS, 1):
        cell = ws.cell(1, col, c.name)
        cell.font, cell.fill = Font(bold=True), header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = c.width
    for r, n in enumerate(I.walk(spec.roots), 2):
        leaf = n.is_leaf
        values = (I.LEVEL_NAMES[n.level], n.code, n.name, n.max_score,
                  I.METHOD_NAMES.get(n.method, n.method) if leaf else "",
                  I.METRICS[n.metric].label if n.metric in I.METRICS else (n.metric or ""),
                  I.rule_text(n.rule, n.metric) if n.rule and not I.rule_problem(n.rule) else
                  (I.rule_json(n.rule) or ""),
                  n.guidance, "是" if n.individual else "否")
        for col, value in enumerate(values, 1):
            cell = ws.cell(r, col, value)
            cell.alignment = Alignment(vertical="top", wrap_text=col in (3, 7, 8),
                                       indent=(n.level - 1) * 2 if col == 3 else 0)
            if n.level == 1:
                cell.font, cell.fill = Font(bold=True), level1_fill
        ws.cell(r, 2).number_format = "@"          # keep 1.10 from becoming the number 1.1
    last = ws.max_row + 200
    for col, c in enumerate(COLUMNS, 1):
        if c.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"', allow_blank=True)
            dv.add(f"{get_column_letter(col)}2:{get_column_letter(col)}{last}")
            ws.add_data_validation(dv)
    metric_col = get_column_letter(6)
    dv = DataValidation(type="list", formula1='"' + ",".join(m.label for m in I.METRICS.values()) + '"',
                        allow_blank=True, showErrorMessage=False)
    dv.add(f"{metric_col}2:{metric_col}{last}")
    ws.add_data_validation(dv)
    ws.freeze_panes = "C2"

    info = wb.create_sheet(INFO)
    for col, name in enumerate(("项目", "内容"), 1):
        info.cell(1, col, name).font = Font(bold=True)
    for r, (k, v) in enumerate(((INFO_NAME, spec.name), (INFO_CLASS, spec.unit_class),
                                (INFO_NOTE, spec.note)), 2):
        info.cell(r, 1, k)
        info.cell(r, 2, v).alignment = Alignment(wrap_text=True, vertical="top")
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 16, 90
    _help_sheet(wb.create_sheet(HELP), Font(bold=True))
    return save_workbook(wb, path)


def _help_sheet(ws, bold) -> None:
    rows: list[tuple] = [("填写说明（导入时不读取本表）",), ()]
    rows += [("一、层级",), ("「指标体系」表按顺序逐行填写：二级指标属于其上方最近的一级指标，评估要点属于其上方最近的二级指标。"
                         f"只有评估要点评分；共性指标合计{I.COMMON_TOTAL:g}分，个性指标合计{I.INDIVIDUAL_TOTAL:g}分。",), ()]
    rows += [("二、指标来源（自动评分取数）",), ("指标来源", "英文名", "取数说明", "数值写法")]
    kinds = {"percent": "百分数，如85%", "hours": "小时数，如7.5", "count": "人数，如2", "ratio": "比值，如1.2"}
    rows += [(m.label, m.name, m.source, kinds[m.kind]) for m in I.METRICS.values()]
    rows += [(), ("三、规则写法（也可填JSON）",), ("类型", "示例", "含义")]
    rows += list(RULE_EXAMPLES)
    rows += [(), ("指标没有数值时（如填报率未达到可信门槛、未核定编制）不自动评分，由人工评分，不会按0分计。",)]
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c, value)
            if len(row) == 1 or row in (("指标来源", "英文名", "取数说明", "数值写法"), ("类型", "示例", "含义")):
                cell.font = bold
    for letter, width in zip("ABCD", (18, 56, 48, 16)):
        ws.column_dimensions[letter].width = width


# ---------------------------------------------------------------- import
def import_excel(db: Database, actor: Actor, path: Path) -> ImportResult:
    """Import a template sheet (all or nothing); a template of the same name is updated in place."""
    path = Path(path)
    started = time.perf_counter()
    S.require_editor(db, actor)
    data = read_workbook(path, (LAYOUT, INFO_LAYOUT))
    problems = Problems((LAYOUT, INFO_LAYOUT))
    name, unit_class, note = _read_info(data.sheets[INFO], problems)
    rows = data.sheets[SHEET]
    inherit: set[int] = set()           # nodes whose 个性指标 cell was blank
    kept = []
    for row in rows:
        node, given = _read_row(row, problems)
        if node is not None:
            kept.append((row, node))
            if not given:
                inherit.add(id(node))
    roots, outline = I.nest([n for _, n in kept])
    for i, reason in outline:
        problems.add(SHEET, kept[i][0].number, "层级", reason)
    row_of = {id(n): row.number for row, n in kept}
    _fill_parents(roots, row_of, inherit, problems)
    if not rows:
        problems.add(SHEET, None, None, "没有指标（表中没有可导入的行）")
    elif len(kept) == len(rows) and not outline:
        # The outline is intact, so the tree's own checks name real rows; a cell already
        # reported is not reported again.
        reported = {(p.row, p.column) for p in problems.items}
        for p in I.problems_of(roots):
            where = (row_of.get(id(p.node)) if p.node else None,
                     FIELD_COLUMNS.get(p.field) if p.node else None)
            if p.node is None or where not in reported:
                problems.add(SHEET, *where, p.message)
    if unit_class is not None and unit_class not in I.TEMPLATE_CLASSES:
        problems.add(INFO, None, "内容", f"适用单位类别应为{'、'.join(I.TEMPLATE_CLASSES)}之一")
    problems.raise_if_any()
    spec = S.TemplateSpec(name, unit_class, note, roots)
    existing = S._live_template_id(db, name)
    _, result = S.save_template(db, actor, spec, existing)
    if not existing:
        result.notes.append(f"（新建指标体系“{name}”）")
    elif result.changed:
        result.notes.append(f"（已更新指标体系“{name}”）")
    result.seconds = time.perf_counter() - started
    return result


def _read_info(rows: list[SheetRow], problems: Problems) -> tuple[str, str | None, str]:
    info = {}
    for row in rows:
        key = cell_text(row.get("项目")).replace(" ", "")
        if key in (INFO_NAME, INFO_CLASS, INFO_NOTE):
            info[key] = (row.number, cell_text(row.get("内容")))
    name = info.get(INFO_NAME, (None, ""))[1]
    if not name:
        problems.add(INFO, info.get(INFO_NAME, (None,))[0], "内容", "请填写模板名称")
    elif len(name) > 100:
        problems.add(INFO, info[INFO_NAME][0], "内容", "模板名称过长（最多100个字）")
    unit_class = info.get(INFO_CLASS, (None, ""))[1] or None
    if unit_class is None:
        problems.add(INFO, info.get(INFO_CLASS, (None,))[0], "内容", "请填写适用单位类别")
    return name, unit_class, info.get(INFO_NOTE, (None, ""))[1]


def _read_row(row: SheetRow, problems: Problems) -> tuple[I.Node | None, bool]:
    """One indicator from a row (None, with problems added, when its level is unreadable) and
    whether its 个性指标 cell was filled."""
    def bad(column: str, reason: str) -> None:
        problems.add(SHEET, row.number, column, reason)

    level = LEVEL_ALIASES.get(code_text(row.get("层级")).replace(" ", ""))
    if level is None:
        bad("层级", "应为一级指标、二级指标或评估要点（或1、2、3）")
        return None, False
    code = code_text(row.get("编号"))
    if not code:
        bad("编号", "请填写编号")
    elif len(code) > 20:
        bad("编号", "编号过长（最多20个字符）")
    name = cell_text(row.get("名称"))
    if not name:
        bad("名称", "请填写名称")
    raw_score = row.get("分值")
    max_score = None
    if cell_text(raw_score):
        try:
            max_score = round(float(code_text(raw_score)), 2)
        except ValueError:
            bad("分值", f"“{cell_text(raw_score)}”不是数字")
    elif level == I.LEAF_LEVEL:
        bad("分值", "评估要点须填分值")
    metric = _metric(cell_text(row.get("指标来源")), bad)
    rule = None
    rule_cell = cell_text(row.get("规则"))
    if rule_cell:
        try:
            rule = I.parse_rule(rule_cell)
        except ValueError as exc:
            bad("规则", str(exc))
    method_cell = cell_text(row.get("评分方式"))
    method = METHOD_ALIASES.get(method_cell.replace(" ", "")) if method_cell else (
        (I.ADJUST if rule and rule.get("kind") == "adjust" else I.AUTO) if rule_cell else I.MANUAL)
    if method is None:
        bad("评分方式", "应为自动、人工或加减分")
        method = I.MANUAL
    individual_cell = cell_text(row.get("个性指标"))
    individual = choice(individual_cell, ("是", "否"), {"Y": "是", "N": "否", "个性": "是", "共性": "否"})
    if individual_cell and individual is None:
        bad("个性指标", "应为是或否")
    if max_score is None and method == I.ADJUST and rule and rule.get("kind") == "adjust":
        max_score = float(rule["cap"])
    node = I.Node(code=code, name=name, level=level, max_score=max_score if max_score is not None else -1,
                  method=method, metric=metric, rule=rule, guidance=cell_text(row.get("评分标准")),
                  individual=individual == "是")
    return node, individual is not None


def _metric(text: str, bad) -> str | None:
    if not text:
        return None
    for m in I.METRICS.values():
        if text in (m.name, m.label):
            return m.name
    bad("指标来源", f"没有“{text}”这个指标来源（可填：{'、'.join(m.label for m in I.METRICS.values())}）")
    return None


def _fill_parents(roots: list[I.Node], row_of: dict[int, int], inherit: set[int],
                  problems: Problems) -> None:
    """Blank cells: an upper level's 分值 = the sum of its children; 个性指标 = the parent's."""
    def visit(n: I.Node, parent: I.Node | None) -> None:
        if id(n) in inherit and parent is not None:
            n.individual = parent.individual
        for c in n.children:
            visit(c, n)
        if n.max_score < 0:
            if n.children and all(c.max_score >= 0 for c in n.children):
                n.max_score = round(sum(c.max_score for c in n.children), 2)
            elif not n.children:
                n.max_score = 0.0
                if n.level != I.LEAF_LEVEL:
                    return     # reported by validation: a level-1/2 row without children
            else:
                problems.add(SHEET, row_of.get(id(n)), "分值", "请填写分值")
    for root in roots:
        visit(root, None)
