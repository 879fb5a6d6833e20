"""County demo: the 编办's monthly 履职监测反馈 for the last whole months, each with a remark the
编办 would write from the figures, delivered to every demo unit through a real 下发包 round
(export at the 编办 → import into the unit's database), as in app.services.county.feedback."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core import feedback as FB
from app.core.errors import AppError
from app.db.engine import Database
from app.services.county import bureau
from app.services.county import feedback as bureau_fb
from app.services.county.mirrors import Mirrors, registered_units
from app.services.exchange import unit_side
from app.services.org.actor import SYSTEM
from app.services.org.setup import open_database

MONTHS = 2      # feedback for this many of the last whole months


def remark_for(content: dict) -> str:
    """What the 编办 writes under a unit's figures: the first thing to act on."""
    f, problems = content.get("figures") or {}, content.get("problems") or []
    if not f.get("logged_hours"):
        return "本月未见已审定的日志，请及时组织填报和审阅。"
    parts = []
    if f.get("band") == "red":
        low = (f.get("saturation") or 0) < 1
        parts.append("工作饱和度处于红灯区间，请" + ("核实人员在岗和日志填报情况" if low
                                               else "关注人员负荷，统筹调配科室力量"))
    elif f.get("band") == "yellow":
        parts.append("工作饱和度处于黄灯区间，请关注变化趋势")
    if (f.get("submission_rate") or 1) < 0.9:
        parts.append(f"日志提交率为{FB.pct(f.get('submission_rate'))}，请督促按日填报")
    if f.get("pending_logs"):
        parts.append(f"尚有{f['pending_logs']}篇日志待审阅，请各级审阅人及时审核")
    if problems:
        parts.append(f"{len(problems)}个评估问题尚未销号，请按期整改并报送整改情况")
    return "；".join(parts) + "。" if parts else "本月履职情况总体正常，请继续保持。"


def last_months(start: dt.date, end: dt.date, count: int = MONTHS) -> list[str]:
    """The last `count` whole calendar months within [start, end] (end is a month's last day)."""
    months, day = [], end
    while len(months) < count:
        first = day.replace(day=1)
        if first < start:
            break
        months.append(f"{first.year}-{first.month:02d}")
        day = first - dt.timedelta(days=1)
    return months[::-1]


def deliver(folder: Path, db: Database, start: dt.date, end: dt.date) -> int:
    """Issue the feedback of the last whole months for every unit, write each remark, export
    every unit's 下发包 into folder/dispatch and import it into folder/units/<name>.sqlite.
    Returns the number of feedback rows issued."""
    today = max(dt.date.today(), end + dt.timedelta(days=1))
    out = Path(folder) / "dispatch"
    out.mkdir(exist_ok=True)
    mirrors = Mirrors(db)
    issued = 0
    try:
        for month in last_months(start, end):
            for item in bureau_fb.issue_month(db, mirrors, SYSTEM, month, today=today):
                bureau_fb.set_remark(db, mirrors, SYSTEM, item.unit_id, month, remark_for(item.content))
                issued += 1
        for unit in registered_units(db):
            path = Path(folder) / "units" / f"{unit.name}.sqlite"
            if not path.exists():
                continue
            package = bureau.export_dispatch(db, mirrors, unit.unit_id, out).path
            target = open_database(path)
            try:
                [result] = unit_side.import_dispatch(target, [package], apply=True)
            finally:
                target.dispose()
            if result.rejected:
                raise AppError(f"演示下发包未能导入{unit.name}：{result.message}")
    finally:
        mirrors.close()
    return issued
