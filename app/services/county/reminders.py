"""The 编办's reminders (三提醒 at the county): units whose 上报包 is overdue or due, whose 审核率 or
填报率 in a period is below the 编办's settings (app.core.bureau.reminders for the rules).

The package standing of each unit comes from the 编办's package ledger (when its newest 上报包 was
made and imported); 审核率 and 填报率 from the county table's rows of the period, so the
reminders, the 全县分析 page and the 通报 read the same numbers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.core.bureau import reminders as R
from app.core.bureau.county import CountyRow
from app.core.bureau.reminders import NoticeSettings, PackageStatus, UnitReminder
from app.core.metrics import Period
from app.db.engine import Database
from app.db.models import PackageLedger
from app.services.county import table as county
from app.services.county.mirrors import Mirrors, registered_units, require_bureau
from app.services.org import settings_change, unit_settings
from app.services.org.actor import Actor

KIND_REPORT = "report"                # app.services.exchange.packages.KIND_REPORT


def notice_settings(db: Database) -> NoticeSettings:
    with db.read() as s:
        return NoticeSettings(unit_settings.get_in(s, "notice.package_due_day"),
                              unit_settings.get_in(s, "notice.min_review_rate"),
                              unit_settings.get_in(s, "notice.min_submission_rate"))


def save_settings(db: Database, actor: Actor, values: NoticeSettings) -> NoticeSettings:
    """Store the 编办's reminder settings (编办管理员 only: settings_change checks)."""
    require_bureau(db)
    settings_change.set_value(db, actor, "notice.package_due_day", values.due_day)
    settings_change.set_value(db, actor, "notice.min_review_rate", values.min_review)
    settings_change.set_value(db, actor, "notice.min_submission_rate", values.min_submission)
    return notice_settings(db)


@dataclass
class CountyReminders:
    period: Period                    # the period of 审核率 and 填报率
    today: dt.date
    settings: NoticeSettings
    packages: dict[str, PackageStatus]            # unit id → its 上报包 standing
    names: dict[str, str]                         # unit id → name, in registration order
    items: list[UnitReminder] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[UnitReminder]:
        return [r for r in self.items if r.kind == kind]

    def summary(self) -> str:
        if not self.items:
            return (f"截至{self.today.month}月{self.today.day}日，各单位上报包均已按时报送，"
                    f"{self.period.label}审核率、填报率均未低于下限")
        parts = [f"{R.KIND_LABELS[k]}{len(self.of_kind(k))}个单位" for k in R.KIND_LABELS if self.of_kind(k)]
        return f"截至{self.today.month}月{self.today.day}日：" + "，".join(parts)

    def to_json(self) -> dict:
        return {"period": self.period.text, "today": self.today.isoformat(),
                "settings": {"package_due_day": self.settings.due_day,
                             "min_review_rate": self.settings.min_review,
                             "min_submission_rate": self.settings.min_submission},
                "reminders": [r.to_json() for r in self.items]}


def package_standing(db: Database, mirrors: Mirrors, today: dt.date,
                     due_day: int) -> dict[str, PackageStatus]:
    """Each registered unit's 上报包 standing on `today`, from the package ledger in its mirror."""
    found = {}
    for u in registered_units(db):
        made = got = None
        if mirrors.path(u.unit_id).exists():
            with mirrors.get(u.unit_id).read() as s:
                made, got = s.execute(select(func.max(PackageLedger.created_at), func.max(PackageLedger.imported_at))
                                      .where(PackageLedger.kind == KIND_REPORT)).one()
        found[u.unit_id] = R.package_status(made, got, today, due_day)
    return found


def reminders_of(db: Database, mirrors: Mirrors, rows: list[CountyRow], period: Period,
                 today: dt.date) -> CountyReminders:
    """The reminders on `today`, with 审核率 and 填报率 of `period` from the county table's `rows`."""
    settings = notice_settings(db)
    packages = package_standing(db, mirrors, today, settings.due_day)
    names = {u.unit_id: u.name for u in registered_units(db)}
    by_id = {r.unit_id: r for r in rows}
    found = CountyReminders(period, today, settings, packages, names)
    for unit_id, name in names.items():
        row = by_id.get(unit_id)
        figures = row.figures if row is not None else None
        # a unit without a submitted day in the period is named for its package, not its 填报率
        submission = figures.submission_rate if figures is not None and figures.submitted_days else None
        found.items += R.judge(unit_id, name, packages[unit_id], row.review if row else None,
                               submission, period, settings)
    order = list(R.KIND_LABELS)
    found.items.sort(key=lambda r: order.index(r.kind))
    return found


def county_reminders(db: Database, mirrors: Mirrors, period: Period,
                     today: dt.date | None = None) -> CountyReminders:
    """reminders_of with the county table of `period` computed here (CLI, 通报)."""
    today = today or dt.date.today()
    return reminders_of(db, mirrors, county.county_table(db, mirrors, period, today=today), period, today)


def default_period(today: dt.date) -> Period:
    """The month just ended: the one whose 上报包 and reviews are due now."""
    return R.month_of(today.year, today.month - 1)
