"""部门及所属单位 evaluated as one body (seeds 002, 004) on the demo county of 10 units, where
卫生健康局 has 疾病预防控制中心 and 人民医院 under it: the body's 合计 against figures computed
per unit directly from each mirror, the one-level rule (cycles and a second level refused with
a message, nothing changed), registering under a department, `stats --body` and the county PDF
listing the body together."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from app.core.bureau import bodies as BD
from app.core.errors import ValidationError
from app.core.metrics import parse_period
from app.core.validators import make_credit_code
from app.demo.county import generate_county
from app.demo.unit import MIN_PEOPLE
from app.services.county import bodies, bureau
from app.services.county.mirrors import Mirrors, find_unit, registered_units
from app.services.org.actor import SYSTEM
from app.services.org.calendar import county_calendar
from app.services.org.headcount import staffing_of
from app.services.org.setup import UnitSetup, open_database
from app.services.county.basis import bureau_values
from app.services.stats import compute as stats
from tests.pdf_text import pdf_text

END = dt.date(2026, 10, 31)
TODAY = dt.date(2026, 12, 1)
MONTH = parse_period("2026-10")
CODE = make_credit_code("12371321", "MB289999")
HEALTH, CDC, HOSPITAL = "沂河县卫生健康局", "沂河县疾病预防控制中心", "沂河县人民医院"


@pytest.fixture(scope="module")
def county_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bodies") / "county"
    generate_county(folder, units=10, people=MIN_PEOPLE, months=1, seed=3, end=END, workers=2)
    return folder


@pytest.fixture
def county(county_dir, tmp_path):
    """A copy of the demo 编办 (county.sqlite with its mirrors), opened."""
    copy = tmp_path / "county"
    copy.mkdir()
    shutil.copy2(county_dir / "county.sqlite", copy / "county.sqlite")
    shutil.copytree(county_dir / "county.sqlite.units", copy / "county.sqlite.units")
    db = open_database(copy / "county.sqlite")
    mirrors = Mirrors(db)
    yield db, mirrors
    mirrors.close()
    db.dispose()


def direct(db, mirrors, name):
    """A unit's October figures and staffing computed straight from its mirror."""
    unit_id = find_unit(db, name).unit_id
    mirror = mirrors.get(unit_id)
    figures = stats.unit_stats_many(mirror, [MONTH], today=TODAY, calendar=county_calendar(mirror),
                                    settings=bureau_values(db))[0]
    return figures, staffing_of(mirror)[0]


def test_the_demo_department_and_its_institutions_are_one_body_with_sums_right(county):
    db, mirrors = county
    groups = bodies.period_groups(db, mirrors, MONTH, TODAY)
    body = next(g for g in groups if g.is_body)
    assert body.head.name == HEALTH and [r.name for r in body.institutions] == [CDC, HOSPITAL]
    assert [g.head.name for g in groups if g.is_body] == [HEALTH]     # the only body
    assert not any(r.name in (CDC, HOSPITAL) for g in groups if not g.is_body for r in g.members)
    per_unit = [direct(db, mirrors, n) for n in (HEALTH, CDC, HOSPITAL)]
    t = body.total
    assert t.name == f"{HEALTH}合计（部门及所属单位2个）"
    assert t.staffing.quota_total == sum(s.quota_total for _, s in per_unit)
    assert t.staffing.actual_total == sum(s.actual_total for _, s in per_unit)
    assert t.staffing.vacancies == sum(s.vacancies for _, s in per_unit)
    f = t.figures
    assert f.people == sum(u.people for u, _ in per_unit)
    logged = sum(u.logged_hours for u, _ in per_unit)
    expected = sum(u.expected_hours for u, _ in per_unit)
    assert f.logged_hours == pytest.approx(logged, abs=0.01)
    assert f.expected_hours == pytest.approx(expected, abs=0.01)
    # weighted: Σ hours ÷ Σ expected hours, which is not the average of the three saturations
    assert f.saturation == pytest.approx(logged / expected, rel=1e-9)
    mean = sum(u.saturation for u, _ in per_unit) / 3
    assert abs(f.saturation - mean) > 0.005
    core = sum(u.focus_hours["core"] for u, _ in per_unit)
    on_duties = sum(sum(u.focus_hours.values()) for u, _ in per_unit)
    assert f.focus["core"] == pytest.approx(core / on_duties, abs=1e-4)
    assert f.submission_rate == pytest.approx(sum(u.submitted_days for u, _ in per_unit)
                                              / sum(u.available_days for u, _ in per_unit), rel=1e-9)
    assert f.pending_hours == pytest.approx(sum(u.pending_hours for u, _ in per_unit), abs=0.01)
    # the need rule on the combined figures: N = ΣP × saturation, against Σ quota
    assert t.need.need == pytest.approx(f.people * logged / expected, rel=1e-6)
    assert t.need.quota == t.staffing.quota_total
    # 审核率 of the body: Σ finally approved logs ÷ Σ logs sent for review, counted on each mirror
    from app.services.county import review_rate
    counted = [review_rate.count(mirrors.get(find_unit(db, n).unit_id), MONTH) for n in (HEALTH, CDC, HOSPITAL)]
    assert (t.review.submitted, t.review.approved) == (sum(c.submitted for c in counted),
                                                       sum(c.approved for c in counted))
    # 编制任务比 of the body: Σ key tasks ÷ Σ (quota ÷ base), from the lists as each member's is
    assert t.ratio.key_tasks == sum(r.ratio.key_tasks for r in body.members)
    assert {r.ratio.source for r in body.members} == {t.ratio.source}
    # red work items add up over the members that keep a list
    assert t.red_items == sum(r.red_items or 0 for r in body.members) and t.red_items is not None
    # each member keeps its own row: the department alone is not the body
    assert body.head.figures.logged_hours == pytest.approx(per_unit[0][0].logged_hours, abs=0.01)
    assert body.head.staffing.quota_total == per_unit[0][1].quota_total < t.staffing.quota_total


def test_cycles_and_a_second_level_are_refused_with_a_message(county):
    db, mirrors = county
    health, cdc, hospital = (find_unit(db, n).unit_id for n in (HEALTH, CDC, HOSPITAL))
    other = find_unit(db, "沂河县总工会").unit_id
    before = bodies.parents(db)
    cases = [
        (health, hospital, f"“{HOSPITAL}”的主管部门是“{HEALTH}”，再把“{HOSPITAL}”设为“{HEALTH}”的主管部门会形成循环"),
        (other, cdc, f"“{CDC}”本身是“{HEALTH}”的所属单位，不能再作为主管部门（只支持部门—所属单位一级，请选“{HEALTH}”）"),
        (health, other, f"“{HEALTH}”下已有所属单位（{CDC}、{HOSPITAL}），不能再隶属其他部门"),
        (other, other, "“沂河县总工会”不能作为自己的主管部门"),
    ]
    for unit_id, parent_id, message in cases:
        with pytest.raises(ValidationError) as refused:
            bodies.set_parent(db, mirrors, SYSTEM, unit_id, parent_id)
        assert message in refused.value.problems[0]
        assert bodies.parents(db) == before
    # allowed: another unit under the department, then on its own again
    assert bodies.set_parent(db, mirrors, SYSTEM, other, health).endswith("与其一体化评估")
    assert bodies.parents(db)[other] == health
    groups = bodies.period_groups(db, mirrors, MONTH, TODAY)
    assert [r.name for r in next(g for g in groups if g.is_body).institutions] == [CDC, HOSPITAL, "沂河县总工会"]
    bodies.set_parent(db, mirrors, SYSTEM, other, None)
    assert bodies.parents(db) == before


def test_registering_under_a_department_and_a_refused_parent(county):
    db, _ = county
    health, cdc = find_unit(db, HEALTH).unit_id, find_unit(db, CDC).unit_id
    with pytest.raises(ValidationError) as refused:
        bureau.register_unit(db, SYSTEM, UnitSetup("沂河县妇幼保健院", CODE,
                                                   unit_class="公益二类事业单位"), parent_id=cdc)
    assert any(p.startswith(f"主管部门：“{CDC}”本身是“{HEALTH}”的所属单位") for p in refused.value.problems)
    assert "沂河县妇幼保健院" not in [u.name for u in registered_units(db)]       # nothing registered
    unit_id = bureau.register_unit(db, SYSTEM, UnitSetup("沂河县妇幼保健院", CODE,
                                                         unit_class="公益二类事业单位"), parent_id=health)
    assert bodies.parents(db)[unit_id] == health


def test_only_an_institution_of_a_department_not_in_the_rows_stands_alone():
    rows = [type("R", (), {"unit_id": u})() for u in ("a", "b", "c")]
    groups = BD.group(rows, {"b": "a", "c": "x"})
    assert [(g.head.unit_id, [i.unit_id for i in g.institutions]) for g in groups] == [("a", ["b"]), ("c", [])]


def test_stats_body_and_the_county_pdf_list_the_body_together(county, tmp_path, capsys, monkeypatch):
    from app.cli import main
    from app.services.reporting.county import build_county_report
    db, _ = county
    monkeypatch.setenv("LZKP_PASSWORD", "lzkp2026")
    assert main(["stats", "--db", str(db.path), "--scope", "county", "--period", "2026-10",
                 "--body", HOSPITAL]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "沂河县" in line]
    assert lines[0].startswith(f"{HEALTH}及所属单位")
    names = [re.split(r"\s{2,}", line.strip())[1] for line in lines[1:]]
    assert names == [HEALTH, CDC, HOSPITAL, f"{HEALTH}合计（部门及所属单位2个）"]
    assert "加权，不是各单位比率的平均" in out
    info = build_county_report(db, "2026-10", tmp_path / "county.pdf", today=TODAY)
    text = re.sub(r"\s+", "", pdf_text(info.path))
    assert "（四）部门及所属单位一体化评估" in text
    g = next(g for g in bodies.period_groups(db, Mirrors(db), MONTH, TODAY) if g.is_body)
    assert (f"{HEALTH}及所属{CDC}、{HOSPITAL}合计核定编制{g.total.staffing.quota_total}名，"
            f"实有{g.total.staffing.actual_total}人") in text
    table = text[re.search(r"表\d+部门及所属单位一体化评估", text).start():]
    at = [table.index(n) for n in (f"{HEALTH}（本级）", CDC, HOSPITAL, f"{HEALTH}合计")]
    assert at == sorted(at)            # the department, its institutions, the 合计, together
