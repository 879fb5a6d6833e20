"""任务类型 (seed 002, 桓台县: 业务、党建、财务和组织人事、信访投诉、综合性工作): a second
classification of duties, guessed from a duty's text and class, set by the Excel import or the
三定职责 page, and the statistics' split of hours by it — which adds up to the 计入工时 of the
unit, of each section and of each person — printed in the unit report."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import select

from app.core import task_types as T
from app.core.errors import PermissionDenied, ValidationError
from app.core.figures import PERSON, SECTION, UNIT
from app.core.metrics import parse_period
from app.db.models import Duty, Person
from app.demo.unit import generate_demo
from app.services.excel.duties import import_duties
from app.services.org import accounts
from app.services.org.duty_task_types import set_task_type
from app.services.org.setup import open_database
from app.services.reporting.unit import build_report
from app.services.stats import compute
from app.services.stats.task_types import task_type_view
from tests.pdf_text import pdf_text
from tests.unit.test_duties_import import DUTIES, duties_file

END = dt.date(2026, 9, 30)
Q3 = parse_period("2026-Q3")
PASSWORD = "lzkp2026"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("tasktypes") / "demo.sqlite"
    generate_demo(path, seed=7, months=3, people=30, end=END)
    return path


@pytest.fixture
def demo(demo_file, tmp_path):
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, copy)
    db = open_database(copy)
    yield db
    db.dispose()


def login_of(db, role: str, admin: bool = False) -> str:
    with db.read() as s:
        return s.scalar(select(Person.login).where(Person.role == role, Person.is_admin.is_(admin))
                        .order_by(Person.login).limit(1))


def test_the_guess_reads_the_duty_text_and_its_class():
    assert T.guess("负责机关党建、党风廉政建设和精神文明建设工作", "辅助") == T.PARTY
    assert T.guess("负责机关财务、国有资产管理和内部审计工作", "辅助") == T.FINANCE_HR
    assert T.guess("负责机关人事、机构编制、教育培训和干部队伍建设工作", "一般") == T.FINANCE_HR
    assert T.guess("负责受理群众来信来访和投诉举报", "一般") == T.PETITION
    assert T.guess("负责机关文电、会务、督办、档案、保密等日常运转工作", "辅助") == T.GENERAL
    assert T.guess("负责统计、信访、安全生产和应急管理等综合工作", "辅助") == T.GENERAL
    assert T.guess("负责直销监督管理和打击传销工作", "辅助") == T.GENERAL       # 辅助, nothing named
    assert T.guess("负责食品生产环节安全监督管理", "一般") == T.BUSINESS
    # a core duty is the unit's business whatever it names (a 组织部's 干部 work, a 财政局's 预算)
    assert T.guess("负责全县干部队伍建设和干部人事管理", "核心") == T.BUSINESS
    assert T.guess("编制县级预算草案并组织执行", "核心") == T.BUSINESS
    assert T.guess("负责消费者权益保护工作，受理处置12315投诉举报", "核心") == T.PETITION
    assert [T.parse(x) for x in ("党建", "信访", "财务和组织人事工作", "其他")] == [T.PARTY, T.PETITION, T.FINANCE_HR, None]
    assert T.of_category("党建工作") == T.PARTY and T.of_category("信访接待") == T.PETITION
    assert T.of_category("会议活动") == T.GENERAL and T.of_category("检查调研") == T.BUSINESS


def test_demo_duties_are_classified_and_the_split_adds_up_to_the_logged_hours(demo):
    with demo.read() as s:
        kinds = s.scalars(select(Duty.task_type)).all()
    assert None not in kinds and set(kinds) == set(T.TASK_TYPES)          # every type occurs
    view = task_type_view(demo, Q3, UNIT)
    unit = compute.unit_stats(demo, Q3, UNIT)[0]
    assert view.total.hours == unit.logged_hours > 1000
    assert round(sum(r.hours for r in view.total.rows), 2) == unit.logged_hours
    assert sum(r.share for r in view.total.rows) == pytest.approx(1.0)
    assert [r.task_type for r in view.total.rows] == list(T.TASK_TYPES)
    assert all(r.hours > 0 for r in view.total.rows)
    # each section's split adds up to that section's 计入工时, and the sections to the unit
    sections = compute.unit_stats(demo, Q3, SECTION)
    assert {c.name: c.hours for c in view.children} == {f.name: f.logged_hours for f in sections if f.people}
    for c in view.children:
        assert round(sum(r.hours for r in c.rows), 2) == c.hours
    for kind in T.TASK_TYPES:
        assert round(sum(c.hours_of(kind) for c in view.children), 2) == view.total.hours_of(kind)
    # a section: one row per person, each adding up to the person's own figures
    section_id = next(f.key for f in compute.unit_stats(demo, Q3, SECTION) if f.name == view.children[1].name)
    people = {f.name: f.logged_hours for f in compute.unit_stats(demo, Q3, PERSON, section_id=section_id)}
    in_section = task_type_view(demo, Q3, SECTION, section_id)
    assert {c.name: c.hours for c in in_section.children} == people
    assert in_section.total.hours == view.children[1].hours


def test_setting_a_duty_s_type_moves_its_hours_and_only_the_admin_may(demo):
    admin = accounts.login(demo, login_of(demo, "科室人员", admin=True), PASSWORD)
    staff = accounts.login(demo, login_of(demo, "科室人员"), PASSWORD)
    before = task_type_view(demo, Q3, UNIT).total
    with demo.read() as s:
        code = s.scalar(select(Duty.code).where(Duty.task_type == T.BUSINESS).order_by(Duty.sort_order))
    with pytest.raises(PermissionDenied):
        set_task_type(demo, staff, code, "党建工作")
    with pytest.raises(ValidationError, match="无效的任务类型“宣传”"):
        set_task_type(demo, admin, code, "宣传")
    assert set_task_type(demo, admin, code, "党建") == T.PARTY
    after = task_type_view(demo, Q3, UNIT).total
    moved = before.hours_of(T.BUSINESS) - after.hours_of(T.BUSINESS)
    assert moved > 0 and after.hours_of(T.PARTY) == pytest.approx(before.hours_of(T.PARTY) + moved)
    assert after.hours == before.hours
    # "" goes back to the guess from the duty's text
    assert set_task_type(demo, admin, code, "") == T.BUSINESS
    with demo.read() as s:
        assert s.scalar(select(Duty.task_type).where(Duty.code == code)) is None


def test_the_excel_import_sets_checks_and_keeps_task_types(unit_db, admin, tmp_path):
    rows = [{**DUTIES[0], "任务类型": "党建工作"}, {**DUTIES[1], "任务类型": None}, DUTIES[2]]
    import_duties(unit_db, admin, duties_file(tmp_path, duties=rows))
    types = lambda: dict(unit_db.read().__enter__().execute(select(Duty.code, Duty.task_type)).all())  # noqa: E731
    assert types() == {"1": "党建工作", "2": None, "3": None}        # blank: counts by the guess
    from app.services.org import structure as org
    assert [(d.code, d.task_type, d.task_type_set) for d in org.duties(unit_db)] == [
        ("1", "党建工作", True), ("2", "业务工作", False), ("3", "综合性工作", False)]
    # a wrong type names its row and column, and nothing changes
    bad = [{**DUTIES[0], "任务类型": "宣传工作"}, {**DUTIES[1], "任务类型": "信访"}, DUTIES[2]]
    with pytest.raises(ValidationError) as err:
        import_duties(unit_db, admin, duties_file(tmp_path, duties=bad, name="bad.xlsx"))
    [p] = err.value.problems
    assert (p.sheet, p.row, p.column) == ("部门职责", 2, "任务类型") and "无效的任务类型“宣传工作”" in p.reason
    assert types() == {"1": "党建工作", "2": None, "3": None}
    # re-imported with the column blank: the types set before are kept; a given one is written
    again = [{**DUTIES[0], "任务类型": None}, {**DUTIES[1], "任务类型": "信访"}, DUTIES[2]]
    import_duties(unit_db, admin, duties_file(tmp_path, duties=again, name="again.xlsx"))
    assert types() == {"1": "党建工作", "2": "信访投诉", "3": None}


def test_the_unit_report_prints_the_split_by_task_type(demo, tmp_path):
    view = task_type_view(demo, Q3, UNIT).total
    build_report(demo, "unit", Q3, tmp_path / "unit.pdf", today=dt.date(2026, 10, 10))
    text = pdf_text(tmp_path / "unit.pdf").replace("\n", "")
    business = view.rows[0]
    assert "（三）任务类型" in text and "按任务类型统计" in text and "各科室任务类型工时" in text
    assert f"业务工作{business.hours:g}小时，占{business.share * 100:.1f}%" in text
    for r in view.rows:
        assert r.task_type in text


def test_a_duty_the_bureau_issues_keeps_the_bureau_s_task_type(tmp_path):
    """The 编办 issues duties with their task type (its Excel sheet has the column); at the unit
    the row is the 编办's: the page and the unit's own import cannot change its type."""
    from app.services.county.issued_duties import import_unit_duties
    from app.services.org import structure as org
    from app.services.org.actor import SYSTEM
    from tests.unit.sync_fixtures import build_world
    from tests.unit.test_duties_import import fill
    from app.services.excel.templates import write_template

    w = build_world(tmp_path / "w", keys=("a",))
    try:
        assert not w.receive(w.report("a"))[0].rejected
        issued = tmp_path / "issued.xlsx"
        write_template("duties", issued)
        fill(issued, "部门职责", [{"职责编号": "B1", "职责内容": "受理群众来信来访", "职能类别": "一般", "任务类型": "信访投诉"},
                                  {"职责编号": "B2", "职责内容": "组织市场监管执法", "职能类别": "核心"}])
        import_unit_duties(w.bureau, w.mirrors, SYSTEM, w.unit_ids["a"], issued)
        assert not w.unit_receives("a", w.dispatch("a"))[0].rejected
        unit = w.units["a"]
        got = {d.code: (d.task_type, d.task_type_set) for d in org.duties(unit) if d.code in ("B1", "B2")}
        assert got == {"B1": ("信访投诉", True), "B2": ("业务工作", False)}
        with pytest.raises(PermissionDenied, match="职责“B1”由编办下发，任务类型不能在本单位修改"):
            set_task_type(unit, SYSTEM, "B1", "综合性工作")
        mine = tmp_path / "mine.xlsx"
        write_template("duties", mine)
        fill(mine, "部门职责", [{"职责编号": "B1", "职责内容": "受理群众来信来访", "职能类别": "一般", "任务类型": "综合"}])
        with pytest.raises(ValidationError) as err:
            import_duties(unit, SYSTEM, mine)
        assert [(p.row, p.column) for p in err.value.problems] == [(2, "任务类型")]
        # the column left blank (or the same type): the import goes through
        fill(mine, "部门职责", [{"职责编号": "B1", "职责内容": "受理群众来信来访", "职能类别": "一般", "任务类型": None}])
        import_duties(unit, SYSTEM, mine)
        assert {d.code: d.task_type for d in org.duties(unit)}["B1"] == "信访投诉"
    finally:
        w.close()
