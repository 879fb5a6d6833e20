"""Changes that move a unit's county figures without being work: duty classes and statistics
settings named in the import preview, the import's result and the county table; the calendar
counted the national way until the 编办 accepts the unit's days (and again once it withdraws).
Real SQLite databases, real packages (tests.unit.sync_fixtures)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core.calendar import HOLIDAY
from app.core.errors import AppError, PermissionDenied
from app.core.metrics import parse_period
from app.db.models import AuditLog, Duty
from app.services.county import table as county
from app.services.county.acceptance import accept_calendar, withdraw_calendar
from app.services.org.actor import SYSTEM, Actor
from app.services.org.calendar import set_override, work_calendar
from app.services.org.settings_change import set_value
from tests.unit.sync_fixtures import content_hash, reported_world

OCTOBER = parse_period("2026-10")
LATER = dt.date(2026, 11, 20)


@pytest.fixture
def world(tmp_path):
    yield from reported_world(tmp_path)


def _row(world):
    [row] = county.county_table(world.bureau, world.mirrors, OCTOBER, today=LATER)
    return row


def _duty_warnings(world) -> list[str]:
    return [w for w in _row(world).warnings if w.startswith(("职责类别变更", "新增核心职责"))]


def _texts(result) -> list[str]:
    return [c.text for c in result.figure_changes]


def _set_duties(db, classes: dict[str, str]) -> None:
    """Add or reclass the unit's own duties as its admin would (stamped, outboxed)."""
    with db.session(SYSTEM) as s:
        have = {d.code: d for d in s.scalars(select(Duty))}
        for code, cls in classes.items():
            if code in have:
                have[code].duty_class = cls
            else:
                s.add(Duty(unit_id=db.unit_id, code=code, content=f"职责{code}", duty_class=cls,
                           active=True, sort_order=len(have)))


def _preview_then_import(world):
    """Preview (names the changes, writes nothing), then import: the same changes."""
    package = world.report("a")
    before = content_hash(world.root / "county.sqlite")
    [preview] = world.receive(package, apply=False)
    assert preview.status == "ok", preview.message
    assert content_hash(world.root / "county.sqlite") == before
    [result] = world.receive(package)
    assert result.status == "imported", result.message
    assert _texts(result) == _texts(preview)
    return result


def test_duties_turned_core_are_named_in_the_preview_and_the_county_table(world):
    unit = world.units["a"]
    _set_duties(unit, {"D01": "核心", "D02": "一般", "D03": "一般", "D04": "辅助"})
    first = _preview_then_import(world)
    assert first.figure_changes == []               # the first duties are the baseline
    assert _duty_warnings(world) == []

    _set_duties(unit, {"D02": "核心", "D03": "核心", "D04": "一般", "D05": "核心"})
    result = _preview_then_import(world)
    assert _texts(result) == ["职责类别变更：2项职责由一般改为核心（编号D02、D03）",
                              "职责类别变更：1项职责由辅助改为一般（编号D04）",
                              "新增核心职责1项（编号D05）"]
    warnings = _row(world).warnings
    for text in _texts(result):
        assert text in warnings, warnings

    _set_duties(unit, {"D02": "一般", "D04": "辅助"})       # back to what the 编办 first received
    result = _preview_then_import(world)
    assert _texts(result) == ["职责类别变更：1项职责由核心改为一般（编号D02）",
                              "职责类别变更：1项职责由一般改为辅助（编号D04）"]
    assert _duty_warnings(world) == ["职责类别变更：1项职责由一般改为核心（编号D03）", "新增核心职责1项（编号D05）"]


def test_a_core_duty_added_beside_the_issued_ones_is_named(world):
    """The 编办 issued the unit's 三定 duties (its own rows in the mirror): a 核心 duty the unit
    adds of its own is named; the issued ones are not the unit's to change."""
    mirror = world.mirror("a")
    with mirror.session(SYSTEM) as s:
        s.add(Duty(unit_id=world.unit_ids["a"], code="SD-01", content="市场监管", duty_class="核心",
                   active=True, sort_order=0))
        s.add(Duty(unit_id=world.unit_ids["a"], code="SD-02", content="综合事务", duty_class="辅助",
                   active=True, sort_order=1))
    _set_duties(world.units["a"], {"X-01": "核心", "X-02": "一般"})
    result = _preview_then_import(world)
    assert _texts(result) == ["新增核心职责1项（编号X-01）"]
    assert "新增核心职责1项（编号X-01）" in _row(world).warnings


def test_statistics_settings_are_named_and_the_bureau_counts_with_its_own(world):
    unit = world.units["a"]
    set_value(unit, SYSTEM, "stats.min_completion", "0.5")
    set_value(unit, SYSTEM, "review.overdue_days", "10")
    set_value(unit, SYSTEM, "review.levels", "1")
    result = _preview_then_import(world)
    assert _texts(result) == ["统计设置变更：审阅级数 2级 → 1级，审阅超期天数 3个工作日 → 10个工作日，"
                              "审定率下限 90% → 50%"]
    assert result.figure_changes[0].items == ["review.levels", "review.overdue_days",
                                              "stats.min_completion"]
    row = _row(world)
    assert ("单位统计设置与编办不同（审阅超期天数：单位10个工作日、编办3个工作日，"
            "审定率下限：单位50%、编办90%），按编办的设置统计") in row.warnings, row.warnings
    assert "单位审阅级数为1级（默认2级）：其日志经1级审阅即算审定" in row.warnings
    thresholds = row.figures.settings
    assert (thresholds.min_completion, thresholds.overdue_days) == (0.9, 3)     # the 编办's


def test_accepting_a_calendar_deviation_changes_w_and_withdrawing_restores_it(world):
    national = _row(world).figures.working_days
    unit, unit_id = world.units["a"], world.unit_ids["a"]
    days = work_calendar(unit).working_days(dt.date(2026, 10, 19), dt.date(2026, 10, 31))[:6]
    for day in days:
        set_override(unit, SYSTEM, day, HOLIDAY, "单位自定休息日")
    assert world.receive(world.report("a"))[0].calendar_days == days
    row = _row(world)
    assert row.figures.working_days == national
    assert any(w.startswith("单位工作日历与国家安排不同6天") for w in row.warnings), row.warnings

    clerk = Actor("", "fx", "分析员", "", None, False)
    with pytest.raises(PermissionDenied):
        accept_calendar(world.bureau, world.mirrors, clerk, unit_id)
    decision = accept_calendar(world.bureau, world.mirrors, SYSTEM, unit_id)
    assert decision.days == days and "已认可" in decision.summary()
    row = _row(world)
    assert row.figures.working_days == national - 6                 # the unit's days now count
    assert not any("按国家安排统计" in w for w in row.warnings), row.warnings
    assert any(w.startswith("编办已认可单位工作日历6天") for w in row.warnings), row.warnings
    with world.mirror("a").read() as s:
        assert s.scalars(select(AuditLog.action).order_by(AuditLog.seq.desc())).first() == "accept-calendar"
    with pytest.raises(AppError, match="没有未认可的差异"):
        accept_calendar(world.bureau, world.mirrors, SYSTEM, unit_id)

    extra = work_calendar(unit).working_days(dt.date(2026, 10, 27), dt.date(2026, 10, 31))[0]
    set_override(unit, SYSTEM, extra, HOLIDAY, "又一天")           # a day not accepted
    [result] = world.receive(world.report("a"))
    assert result.calendar_days == [extra]                          # accepted days not named again
    row = _row(world)
    assert row.figures.working_days == national - 6
    assert any(w.startswith("单位工作日历与国家安排不同1天") for w in row.warnings), row.warnings

    decision = withdraw_calendar(world.bureau, world.mirrors, SYSTEM, unit_id)
    assert decision.days == days and "撤销" in decision.summary()
    row = _row(world)
    assert row.figures.working_days == national
    assert any(w.startswith("单位工作日历与国家安排不同7天") for w in row.warnings), row.warnings
    with world.mirror("a").read() as s:
        assert s.scalars(select(AuditLog.action).order_by(AuditLog.seq.desc())).first() == "withdraw-calendar"
    with pytest.raises(AppError, match="没有已认可"):
        withdraw_calendar(world.bureau, world.mirrors, SYSTEM, unit_id)


def test_the_command_line_names_the_changes_and_accepts_the_calendar(world, capsys, monkeypatch):
    import json
    from app.cli import main
    from app.services.org import accounts
    unit, bureau = world.units["a"], str(world.root / "county.sqlite")
    # the 编办's admin runs the commands with his password, as a script passes it
    accounts.add_user(world.bureau, SYSTEM, accounts.NewUser("admin", "编办管理员", "abc12345",
                                                             is_admin=True, must_change=False))
    monkeypatch.setenv("LZKP_PASSWORD", "abc12345")
    _set_duties(unit, {"D01": "一般"})
    world.receive(world.report("a"))
    _set_duties(unit, {"D01": "核心"})
    set_value(unit, SYSTEM, "stats.min_completion", "0.6")
    day = work_calendar(unit).working_days(dt.date(2026, 10, 19), dt.date(2026, 10, 23))[0]
    set_override(unit, SYSTEM, day, HOLIDAY, "单位自定休息日")
    package = str(world.report("a"))
    capsys.readouterr()
    assert main(["import-package", "--db", bureau, package, "--preview", "--json", "--workers", "1"]) == 0
    [found] = json.loads(capsys.readouterr().out)
    assert found["status"] == "ok" and found["calendar_deviations"] == [day.isoformat()]
    assert [c["text"] for c in found["figure_changes"]] == [
        "职责类别变更：1项职责由一般改为核心（编号D01）", "统计设置变更：审定率下限 90% → 60%"]
    assert main(["import-package", "--db", bureau, package, "--preview", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "职责类别变更：1项职责由一般改为核心（编号D01）" in out and "工作日历与国家安排不同1天" in out
    assert main(["import-package", "--db", bureau, package, "--workers", "1"]) == 0
    national = _row(world).figures.working_days
    capsys.readouterr()
    assert main(["accept-calendar", "--db", bureau, "--unit", "沂河县第1局"]) == 0
    assert "已认可“沂河县第1局”的工作日历与国家安排不同的1天" in capsys.readouterr().out
    assert _row(world).figures.working_days == national - 1
    assert main(["withdraw-calendar", "--db", bureau, "--unit", "沂河县第1局"]) == 0
    assert "恢复按国家安排统计" in capsys.readouterr().out
    assert _row(world).figures.working_days == national
    assert main(["withdraw-calendar", "--db", bureau, "--unit", "沂河县第1局"]) == 1
    assert "没有已认可的工作日历差异" in capsys.readouterr().err
