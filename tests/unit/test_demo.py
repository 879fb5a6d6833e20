"""The demo database generator: promised contents, consistency with the services, determinism."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import Counter, defaultdict

import pytest

from app.core import vocab
from app.core.errors import AppError
from app.core.validators import parse_id_number
from app.services import accounts, logs
from app.services.actor import Actor
from app.services.calendar import work_calendar
from app.services.demo import generate_demo
from app.services.setup import open_database

END = dt.date(2026, 6, 30)       # fixed, so that the test does not depend on today


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    info = generate_demo(path, seed=7, months=1, end=END)
    conn = sqlite3.connect(path)
    yield info, conn
    conn.close()


@pytest.fixture(scope="module")
def db(demo):
    database = open_database(demo[0].path)
    yield database
    database.dispose()


def rows(conn, sql, *args):
    return conn.execute(sql, args).fetchall()


def fingerprint(path) -> list:
    """Everything a seed decides (ids and HLC stamps are made at write time, so left out)."""
    conn = sqlite3.connect(path)
    try:
        people = rows(conn, """select p.login, p.name, p.id_number, p.role, p.staffing_type, p.post,
                               p.status, s.name from person p left join section s on s.id = p.section_id
                               order by p.login""")
        entries = rows(conn, """select p.login, l.day, l.day_state, l.state, l.submitted_at, e.seq,
                                e.hours, e.start_time, e.category, d.code, e.secret, t.content
                                from work_log l join person p on p.id = l.person_id
                                left join log_entry e on e.log_id = l.id
                                left join duty d on d.id = e.duty_id
                                left join entry_text t on t.id = e.id
                                order by p.login, l.day, e.seq""")
        return [people, entries]
    finally:
        conn.close()


def test_organisation_counts(demo):
    info, conn = demo
    assert info.people == 61 and info.sections >= 8 and info.duties == 40
    assert rows(conn, "select count(*) from person")[0][0] == 61
    roles = Counter(r for (r,) in rows(conn, "select role from person where login != 'admin'"))
    assert roles[vocab.ROLE_PRINCIPAL] == 1 and 3 <= roles[vocab.ROLE_DEPUTY] <= 4
    assert roles[vocab.ROLE_SECTION_HEAD] == info.sections
    assert set(roles) == set(vocab.ROLES)
    types = Counter(t for (t,) in rows(conn, "select staffing_type from person where login != 'admin'"))
    assert set(types) == set(vocab.STAFFING_TYPES)
    assert types["行政编制"] == max(types.values())
    statuses = Counter(s for (s,) in rows(conn, "select status from person"))
    assert statuses["在职"] >= 55 and statuses["借调"] >= 1 and statuses["离岗"] >= 1
    principal = rows(conn, "select is_admin from person where role = ?", vocab.ROLE_PRINCIPAL)
    assert principal == [(0,)]
    admin = rows(conn, """select p.is_admin, s.name from person p join section s on s.id = p.section_id
                          where p.login = 'admin'""")
    assert admin == [(1, "办公室")]
    assert all(summary for (summary,) in rows(conn, "select summary from section"))
    quotas = dict(rows(conn, "select name, quota from staffing_quota"))
    assert quotas["正职"] == 1 and quotas["副职"] == 4 and quotas["行政编制"] >= types["行政编制"]
    names = "".join(n for (n,) in rows(conn, "select name from person"))
    assert all(c in names for c in "堃喆昇赟玥")


def test_duties_and_post_duties(demo):
    _, conn = demo
    classes = Counter(c for (c,) in rows(conn, "select duty_class from duty"))
    assert set(classes) == set(vocab.DUTY_CLASSES)
    assert 0.35 <= classes["核心"] / 40 <= 0.55 and 0.1 <= classes["辅助"] / 40 <= 0.3
    codes = [c for (c,) in rows(conn, "select code from duty order by sort_order")]
    assert codes == [f"SD-{n:02d}" for n in range(1, 41)]
    links = Counter(d for (d,) in rows(conn, "select duty_id from duty_section"))
    assert len(links) == 40 and set(links.values()) <= {1, 2}
    section_duties = defaultdict(set)
    for section_id, duty_id in rows(conn, "select section_id, duty_id from duty_section"):
        section_duties[section_id].add(duty_id)
    post = defaultdict(set)
    for person_id, duty_id in rows(conn, "select person_id, duty_id from post_duty"):
        post[person_id].add(duty_id)
    for person_id, section_id, role in rows(conn, "select id, section_id, role from person"):
        assert 2 <= len(post[person_id]) <= 4
        if role in (vocab.ROLE_STAFF, vocab.ROLE_SECTION_HEAD):
            assert post[person_id] <= section_duties[section_id]


def test_id_numbers_valid_and_consistent(demo):
    _, conn = demo
    people = rows(conn, "select id_number, gender, birth_date from person where login != 'admin'")
    assert len({p[0] for p in people}) == len(people)
    for id_number, gender, birth in people:
        parsed = parse_id_number(id_number)
        assert parsed.gender == gender and parsed.birth_date.isoformat() == birth


def test_every_working_day_has_a_log_except_planted_gaps(demo, db):
    info, conn = demo
    cal = work_calendar(db)
    days = {d.isoformat() for d in cal.working_days(info.start, info.end)}
    assert len(days) == info.working_days > 15
    logged = defaultdict(set)
    for login, day in rows(conn, """select p.login, l.day from work_log l
                                    join person p on p.id = l.person_id"""):
        logged[login].add(day)
    active = [l for (l,) in rows(conn, "select login from person where status = '在职' and login != 'admin'")]
    gaps = defaultdict(set)
    for login, day in info.gaps:
        gaps[login].add(day)
    for login in active:
        assert logged[login] == days - gaps[login], login
    assert set(logged) == set(active)              # 借调/离岗 and the admin account write no logs
    share = len(info.gaps) / (len(active) * len(days))
    assert 0.005 < share < 0.08
    everything = set().union(*logged.values())
    assert all(cal.is_working_day(dt.date.fromisoformat(d)) for d in everything)
    total = rows(conn, "select count(*), (select count(*) from log_entry) from work_log")[0]
    assert total == (info.logs, info.entries)


def test_log_contents(demo):
    info, conn = demo
    states = Counter(rows(conn, "select day_state, state from work_log"))
    assert states[(vocab.DAY_NORMAL, vocab.LOG_SUBMITTED)] > 0.8 * info.logs
    assert sum(n for (ds, _), n in states.items() if ds == vocab.DAY_LEAVE) > 0
    assert sum(n for (ds, _), n in states.items() if ds == vocab.DAY_TRIP) > 0
    last_two = sorted({d for (d,) in rows(conn, "select day from work_log")})[-2:]
    for day, state, submitted_at in rows(conn, "select day, state, submitted_at from work_log"):
        assert (state == vocab.LOG_DRAFT) == (submitted_at is None)
        if state == vocab.LOG_DRAFT:
            assert day in last_two
    assert rows(conn, "select count(*) from log_entry e join work_log l on l.id = e.log_id "
                      "where l.day_state = '请假'")[0][0] == 0
    per_log = rows(conn, "select count(*), sum(hours) from log_entry group by log_id")
    assert all(1 <= n <= 5 and 0 < h <= 24 for n, h in per_log)
    normal = [h for (h,) in rows(conn, """select sum(e.hours) from log_entry e join work_log l
                                          on l.id = e.log_id where l.day_state = '正常'
                                          group by l.id""")]
    assert 6.0 <= sum(normal) / len(normal) <= 9.0
    categories = {c for (c,) in rows(conn, "select distinct category from log_entry")}
    assert categories == {c for c, _ in vocab.COMMON_CATEGORIES}
    linked = rows(conn, "select avg(duty_id is not null) from log_entry")[0][0]
    assert 0.7 < linked < 0.97
    assert rows(conn, "select count(*) from log_entry where start_time is not null")[0][0] > 0


def test_secret_entries_keep_no_text(demo):
    info, conn = demo
    secret, with_text = rows(conn, """select count(*), count(t.id) from log_entry e
                                      left join entry_text t on t.id = e.id where e.secret""")[0]
    assert secret == info.secret_entries and with_text == 0
    assert 0.005 < secret / info.entries < 0.05
    missing = rows(conn, """select count(*) from log_entry e left join entry_text t on t.id = e.id
                            where not e.secret and (t.id is null or length(t.content) < 5)""")
    assert missing == [(0,)]
    texts = [t for (t,) in rows(conn, "select content from entry_text")]
    assert len(set(texts)) > 0.3 * len(texts)      # varied, not a handful of stock phrases


def test_content_hash_matches_the_log_service(demo, db):
    """The stored hash equals what logs.content_hash gives for the log as load_day reads it."""
    _, conn = demo
    sample = rows(conn, """select p.id, p.login, p.name, p.role, p.section_id, l.day, l.content_hash
                           from work_log l join person p on p.id = l.person_id
                           order by l.day, p.login limit 60""")
    for person_id, login, name, role, section_id, day, stored in sample:
        actor = Actor(person_id, login, name, role, section_id, False)
        loaded = logs.load_day(db, actor, dt.date.fromisoformat(day))
        assert loaded.entries or loaded.day_state != vocab.DAY_NORMAL
        assert logs.content_hash(loaded.day_state, loaded.entries) == stored


def test_demo_accounts_log_in(demo, db):
    info, conn = demo
    value = rows(conn, "select value from setting where key = 'demo.password'")[0][0]
    assert json.loads(value) == info.password
    admin = accounts.login(db, "admin", info.password)
    assert admin.is_admin and not admin.must_change_password
    for role in vocab.ROLES:
        login, name, _, _ = next(a for a in info.accounts if a[2] == role and a[0] != "admin")
        actor = accounts.login(db, login, info.password)
        assert actor.name == name and actor.role == role and not actor.is_admin
    assert {a[0] for a in info.accounts} == {l for (l,) in rows(conn, "select login from person")}
    text = info.summary()
    assert info.password in text and "沂河县市场监督管理局" in text and str(info.logs) in text


def test_deterministic_for_a_seed_and_refuses_to_overwrite(demo, tmp_path):
    info, _ = demo
    path = tmp_path / "again.sqlite"
    again = generate_demo(path, seed=7, months=1, end=END)
    assert fingerprint(path) == fingerprint(info.path)
    assert again.gaps == info.gaps and again.accounts == info.accounts
    with pytest.raises(AppError, match="--force"):
        generate_demo(path, seed=8, months=1, end=END)
    assert fingerprint(path) == fingerprint(info.path)        # untouched
    generate_demo(path, seed=8, months=1, end=END, overwrite=True)
    assert fingerprint(path) != fingerprint(info.path)


def test_scaled_unit_gets_more_sections(tmp_path):
    info = generate_demo(tmp_path / "big.sqlite", seed=3, months=1, people=150,
                         end=dt.date(2026, 3, 31))
    assert info.people == 151 and info.sections > 10
    conn = sqlite3.connect(info.path)
    try:
        roles = Counter(r for (r,) in rows(conn, "select role from person"))
        assert roles[vocab.ROLE_SECTION_HEAD] == info.sections
        assert rows(conn, "select count(*) from section where name like '%市场监督管理所'")[0][0] > 0
    finally:
        conn.close()
    with pytest.raises(AppError):
        generate_demo(tmp_path / "tiny.sqlite", people=5)
