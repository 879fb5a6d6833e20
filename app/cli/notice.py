"""CLI commands of 三提醒一通报: `reminders` (the unit's reminders of a person, or the 编办's
reminders of every unit) and `county-notice` (the 编办's 通报 as a PDF).

    python -m app reminders --scope county --db county.sqlite [--period 2026-11] [--today D] [--json]
    python -m app reminders --db unit.sqlite --as LOGIN [--today D] [--json]
    python -m app county-notice --db county.sqlite --period 2026-Q3 --out 通报.pdf [--number 7] [--today D]

The 编办's settings: `settings set --db county.sqlite notice.package_due_day 5`,
`notice.min_review_rate 0.8`, `notice.min_submission_rate 0.8`.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.cli.auth import READER, acts_as
from app.cli.common import open_db, parse_date, print_json
from app.core.errors import AppError
from app.core.metrics import parse_period


def add_parsers(sub) -> None:
    help_text = "提醒：单位版为本人的提醒（未写日志、待审、通报摘要）；编办版（--scope county）为各单位上报包逾期、审核率和填报率偏低"
    sp = acts_as(sub.add_parser("reminders", help=help_text, description=help_text), READER)
    sp.add_argument("--db", type=Path, required=True, help="数据库文件")
    sp.add_argument("--scope", choices=["unit", "county"], default="unit",
                    help="unit=单位版本人的提醒（默认），county=编办版各单位的提醒")
    sp.add_argument("--period", help="编办：审核率、填报率的统计期间（默认上月），如 2026-11、2026-Q3")
    sp.add_argument("--today", type=parse_date, help="以该日为今天（默认今天）")
    sp.add_argument("--json", action="store_true", help="输出JSON")

    help_text = "编办：生成全县机关履职监测情况的通报（PDF，公文格式）"
    sp = acts_as(sub.add_parser("county-notice", help=help_text, description=help_text), READER)
    sp.add_argument("--db", type=Path, required=True, help="编办版数据库文件")
    sp.add_argument("--period", required=True,
                    help="通报期间：2026-11（月）、2026-Q3（季度）、2026（年度）等")
    sp.add_argument("--out", type=Path, required=True, help="PDF文件")
    sp.add_argument("--number", type=int, help="文号中的序号（如 7 → 〔2026〕7号；省略时留空待填）")
    sp.add_argument("--today", type=parse_date, help="通报日期，也是上报包是否逾期的判断日（默认今天）")


def _period(text: str):
    try:
        return parse_period(text)
    except ValueError as exc:
        raise AppError(str(exc)) from None


def cmd_reminders(a) -> int:
    db = open_db(a.db)
    today = a.today or dt.date.today()
    if a.scope == "county":
        if db.edition != "bureau":
            raise AppError("--scope county 只能用于编办版数据库（本数据库是单位版）")
        from app.services.county import reminders
        from app.services.county.mirrors import Mirrors
        period = _period(a.period) if a.period else reminders.default_period(today)
        mirrors = Mirrors(db)
        try:
            found = reminders.county_reminders(db, mirrors, period, today)
        finally:
            mirrors.close()
        if a.json:
            print_json(found.to_json())
            return 0
        print(f"{found.summary()}（{found.settings.describe()}；审核率、填报率按{period.label}统计）")
        for r in found.items:
            print(f"【{r.label}】{r.name}：{r.text}")
        return 0
    if db.edition == "bureau":
        raise AppError("编办版数据库请用 --scope county 查看各单位的提醒")
    if a.period:
        raise AppError("--period 只能与 --scope county 一起使用")
    from app.services.review.reminders import reminders_for
    found = reminders_for(db, a.actor, today)
    if a.json:
        print_json([{"kind": r.kind, "text": r.text, "count": r.count,
                     "oldest": r.oldest.isoformat() if r.oldest else None, "details": list(r.details)}
                    for r in found])
        return 0
    if not found:
        print(f"{a.actor.name}：今天没有需要提醒的事项")
    for r in found:
        print(r.text)
        for line in r.details:
            print(f"  {line}")
    return 0


def cmd_county_notice(a) -> int:
    # imported here: reportlab (~0.2 s), only when a 通报 is written
    from app.services.reporting.county_notice import build_county_notice
    db = open_db(a.db)
    info = build_county_notice(db, _period(a.period), a.out, today=a.today, number=a.number)
    print(f"已生成《{info.title}》：{info.path}（{info.pages}页，用时{info.seconds:.1f}秒）")
    return 0


COMMANDS = {"reminders": cmd_reminders, "county-notice": cmd_county_notice}
