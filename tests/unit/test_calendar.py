"""Working-day calendar with the shipped 2025/2026 holiday data (app/core/calendar,
app/services/calendar). Expected counts are worked out by hand from the 国务院办公厅 notices as
stored in resources/holidays/cn_2025.json and cn_2026.json."""
from __future__ import annotations

import calendar as pycal
import datetime as dt

import pytest
from sqlalchemy import func, select

from app.core.calendar import HOLIDAY, WORKDAY, WorkCalendar
from app.core.errors import PermissionDenied, ValidationError
from app.db.models import Holiday, Outbox
from app.services.org import accounts
from app.services.logs import daily as logs
from app.services.org import calendar as cal_service
from app.services.org.setup import shipped_holidays

D = dt.date


def month_days(cal: WorkCalendar, year: int, month: int) -> list[dt.date]:
    return cal.working_days(D(year, month, 1), D(year, month, pycal.monthrange(year, month)[1]))


@pytest.fixture(scope="module")
def shipped() -> WorkCalendar:
    return WorkCalendar((D.fromisoformat(r["day"]), r["kind"]) for r in shipped_holidays())


def test_plain_weekday_rule():
    cal = WorkCalendar()
    assert cal.is_working_day(D(2026, 11, 20))          # Friday
    assert not cal.is_working_day(D(2026, 11, 21))      # Saturday
    assert not cal.is_working_day(D(2026, 11, 22))      # Sunday
    assert len(cal.working_days(D(2026, 11, 16), D(2026, 11, 22))) == 5
    assert cal.working_days(D(2026, 11, 20), D(2026, 11, 19)) == []


def test_shipped_data_covers_2025_and_2026():
    rows = shipped_holidays()
    assert {r["day"][:4] for r in rows} == {"2025", "2026"}
    assert len(rows) == 72 and len({r["day"] for r in rows}) == 72
    assert {r["kind"] for r in rows} == {HOLIDAY, WORKDAY}


def test_october_2026(shipped):
    # 2026-10-01 is a Thursday. Weekdays: 1–2, 5–9, 12–16, 19–23, 26–30 = 2+5+5+5+5 = 22.
    # 国庆 holidays falling on weekdays: 1, 2, 5, 6, 7 = 5 (3 and 4 are a weekend anyway).
    # 调休上班: Saturday 10-10 = +1.  22 − 5 + 1 = 18.
    days = month_days(shipped, 2026, 10)
    assert len(days) == 18
    assert days[:3] == [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 10)]
    assert D(2026, 10, 10).weekday() == 5 and shipped.is_working_day(D(2026, 10, 10))
    assert not shipped.is_working_day(D(2026, 10, 11))   # the Sunday after stays off


def test_february_2026_spring_festival(shipped):
    # 2026-02-01 is a Sunday. Weekdays: 2–6, 9–13, 16–20, 23–27 = 20.
    # 春节 15–23: weekdays 16, 17, 18, 19, 20, 23 = 6.  调休上班: Sat 14 and Sat 28 = +2.
    # 20 − 6 + 2 = 16.
    assert len(month_days(shipped, 2026, 2)) == 16
    assert shipped.is_working_day(D(2026, 2, 14)) and shipped.is_working_day(D(2026, 2, 28))
    assert not shipped.is_working_day(D(2026, 2, 23))    # Monday, still 春节


def test_2025_months(shipped):
    # 2025-10-01 is a Wednesday. Weekdays: 1–3, 6–10, 13–17, 20–24, 27–31 = 3+20 = 23.
    # Holidays on weekdays: 1, 2, 3, 6, 7, 8 = 6.  调休上班: Sat 10-11 = +1.  23 − 6 + 1 = 18.
    assert len(month_days(shipped, 2025, 10)) == 18
    # 2025-01-01 is a Wednesday. Weekdays = 23. Holidays on weekdays: 1, 28, 29, 30, 31 = 5.
    # 调休上班: Sun 01-26 = +1.  23 − 5 + 1 = 19.
    assert len(month_days(shipped, 2025, 1)) == 19


def test_whole_years(shipped):
    # 2026: 365 days from a Thursday = 52 weeks + 1 weekday = 261 weekdays. Holidays on weekdays:
    # 元旦 2, 春节 6, 清明 1, 劳动节 3, 端午 1, 中秋 1, 国庆 5 = 19. 调休上班 days: 01-04, 02-14,
    # 02-28, 05-09, 09-20, 10-10 = 6.  261 − 19 + 6 = 248.
    assert len(shipped.working_days(D(2026, 1, 1), D(2026, 12, 31))) == 248
    # 2025: 261 weekdays (starts on a Wednesday). Holidays on weekdays: 元旦 1, 春节 6, 清明 1,
    # 劳动节 3, 端午 1, 国庆 6 = 18. 调休上班: 01-26, 02-08, 04-27, 09-28, 10-11 = 5.  → 248.
    assert len(shipped.working_days(D(2025, 1, 1), D(2025, 12, 31))) == 248


def test_previous_working_day(shipped):
    assert shipped.previous_working_day(D(2026, 10, 12)) == D(2026, 10, 10)   # Mon → 调休 Sat
    assert shipped.previous_working_day(D(2026, 10, 8)) == D(2026, 9, 30)     # over 国庆
    assert shipped.previous_working_day(D(2026, 2, 24)) == D(2026, 2, 14)     # over 春节
    assert shipped.previous_working_day(D(2026, 1, 5)) == D(2026, 1, 4)       # 调休 Sunday
    assert shipped.previous_working_day(D(2026, 11, 17)) == D(2026, 11, 16)
    everything_off = WorkCalendar((D(2026, 11, 1) + dt.timedelta(days=n), HOLIDAY)
                                  for n in range(30))
    assert everything_off.previous_working_day(D(2026, 12, 1), limit_days=20) is None


# --------------------------------------------------------------------------- the unit's calendar

def test_unit_database_starts_with_the_shipped_calendar(unit_db):
    overrides = cal_service.list_overrides(unit_db)
    assert len(overrides) == 72
    assert len(cal_service.list_overrides(unit_db, 2026)) == 39
    assert cal_service.list_overrides(unit_db, 2026)[0] == cal_service.CalendarDay(
        D(2026, 1, 1), HOLIDAY, "元旦")
    assert len(month_days(cal_service.work_calendar(unit_db), 2026, 10)) == 18


def test_admin_sets_and_clears_overrides(unit_db, admin):
    def outbox():
        with unit_db.read() as s:
            return s.scalar(select(func.count()).select_from(Outbox))

    start = outbox()
    cal_service.set_override(unit_db, admin, D(2026, 11, 16), HOLIDAY, "县庆")
    cal_service.set_override(unit_db, admin, D(2026, 11, 21), WORKDAY, "补班")
    cal = cal_service.work_calendar(unit_db)
    assert not cal.is_working_day(D(2026, 11, 16))
    assert cal.is_working_day(D(2026, 11, 21))
    assert len(month_days(cal, 2026, 11)) == 21 - 1 + 1      # November 2026 has 21 weekdays
    assert outbox() == start + 2                              # synced to the unit's other PCs

    cal_service.set_override(unit_db, admin, D(2026, 11, 16), None)      # back to the rule
    assert cal_service.work_calendar(unit_db).is_working_day(D(2026, 11, 16))
    with unit_db.read() as s:
        row = s.scalar(select(Holiday).where(Holiday.day == "2026-11-16"))
        assert row.deleted is True                                       # a tombstone
    cal_service.set_override(unit_db, admin, D(2026, 11, 16), HOLIDAY, "县庆")
    with unit_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Holiday).where(
            Holiday.day == "2026-11-16")) == 1                           # same row revived
    # the shipped 国庆 day can be turned into a workday too
    cal_service.set_override(unit_db, admin, D(2026, 10, 7), WORKDAY, "值班")
    assert cal_service.work_calendar(unit_db).is_working_day(D(2026, 10, 7))
    # clearing a day that has no override changes nothing
    before = outbox()
    cal_service.set_override(unit_db, admin, D(2026, 12, 1), None)
    assert outbox() == before


def test_load_day_reports_working_day_from_the_unit_calendar(unit_db, admin):
    assert not logs.load_day(unit_db, admin, D(2026, 10, 5)).is_working_day
    assert logs.load_day(unit_db, admin, D(2026, 10, 10)).is_working_day
    cal_service.set_override(unit_db, admin, D(2026, 10, 5), WORKDAY)
    assert logs.load_day(unit_db, admin, D(2026, 10, 5)).is_working_day


def test_non_admin_cannot_change_the_calendar(unit_db, admin):
    accounts.add_user(unit_db, admin, accounts.NewUser("zhangsan", "张三", "zs123456", must_change=False))
    staff = accounts.login(unit_db, "zhangsan", "zs123456")
    with pytest.raises(PermissionDenied, match="需要单位管理员权限"):
        cal_service.set_override(unit_db, staff, D(2026, 11, 16), HOLIDAY, "想放假")
    with pytest.raises(PermissionDenied):
        cal_service.set_override(unit_db, staff, D(2026, 10, 1), None)
    cal = cal_service.work_calendar(unit_db)
    assert cal.is_working_day(D(2026, 11, 16)) and not cal.is_working_day(D(2026, 10, 1))


def test_unknown_kind_refused(unit_db, admin):
    with pytest.raises(ValidationError, match="日期类型应为"):
        cal_service.set_override(unit_db, admin, D(2026, 11, 16), "半天")
