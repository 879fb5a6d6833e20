"""CLI command `staffing`: the staffing analysis (人员编制分析).

    python -m app staffing --db D [--json] [--xlsx F.xlsx] [--today YYYY-MM-DD] [--unit 单位]

单位版: the unit's own analysis. 编办版: the county totals with one row per unit (default), or
one registered unit (--unit: name, credit code or id). --json prints Analysis.to_json (for the
county with `units`, one object per unit); --xlsx also writes every table to a workbook.
The reader (--as, with their password) must be one the GUI shows the 人员编制 page to: in a unit
its admin and leaders (app.services.county.staffing.require_reader); at the 编办 every account.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core.errors import AppError
from app.cli.auth import READER, acts_as
from app.cli.common import open_db, parse_date, print_json
from app.cli.stats import table
from app.core import metrics as M
from app.services.county import staffing as S
from app.services.county.mirrors import Mirrors, find_unit

PERCENT_COLUMNS = ("使用率", "占比")


def add_parsers(sub) -> None:
    help_text = ("人员编制分析：编制使用（核定与实有、空编、超编、领导职数）、年龄/学历/性别结构、"
                 "借调人员及时长、未来5年退休预测")
    sp = acts_as(sub.add_parser("staffing", help=help_text, description=help_text), READER)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--unit", help="编办版：只看该单位（名称、统一社会信用代码或编号）；默认全县合计与各单位")
    sp.add_argument("--today", type=parse_date, help="按该日计算年龄、借调时长和退休预测（默认今天）")
    sp.add_argument("--json", action="store_true", help="输出JSON")
    sp.add_argument("--xlsx", type=Path, help="同时把各表导出为Excel文件")


def _cell(value, header: str) -> str:
    if value is None:
        return M.DASH
    if isinstance(value, float) and header in PERCENT_COLUMNS:
        return M.percent(value)
    return str(value)


def render(a) -> str:
    scope = "全县" if a.scope == "county" else ""
    lines = [f"人员编制分析  {a.name}{scope}（{a.today.isoformat()}，在职和借调{a.people}人）",
             f"退休规则：{a.rules.name}"]
    for name, headers, rows in S.tables(a):
        if not rows:
            continue
        lines.append(f"\n【{name}】")
        if headers == ["预警"]:
            lines += [f"  - {w}" for (w,) in rows]
            continue
        cells = [list(headers)] + [[_cell(v, h) for v, h in zip(row, headers)] for row in rows]
        right = {i for i, h in enumerate(headers)
                 if all(isinstance(r[i], (int, float)) or r[i] is None or r[i] == "—" for r in rows)}
        lines.append(table(cells, right))
    if a.no_rule:
        lines.append(f"\n另有{a.no_rule}人缺少性别或出生日期，未做退休预测")
    return "\n".join(lines)


def cmd_staffing(a) -> int:
    db = open_db(a.db)
    today = a.today or dt.date.today()
    if db.edition == "bureau":
        mirrors = Mirrors(db)
        try:
            analysis = (S.analyse_mirror(db, mirrors, find_unit(db, a.unit).unit_id, actor=a.actor,
                                         today=today)
                        if a.unit else S.analyse_county(db, mirrors, actor=a.actor, today=today))
        finally:
            mirrors.close()
    else:
        if a.unit:
            raise AppError("--unit 只用于编办版（单位版分析本单位）")
        analysis = S.analyse_unit(db, a.actor, today)
    if a.xlsx:
        S.export_xlsx(analysis, a.xlsx)
    if a.json:
        print_json(analysis.to_json())
    else:
        print(render(analysis))
        if a.xlsx:
            print(f"\n已导出：{a.xlsx}")
    return 0


COMMANDS = {"staffing": cmd_staffing}
