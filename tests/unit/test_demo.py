"""The demo database generator: promised contents, consistency with the services (logs, review
chain, derived review state), determinism."""
from __future__ import annotations

import bisect
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from app.core import vocab
from app.demo.data import PASSWORD as DEMO_PASSWORD
from app.core.errors import AppError
from app.core.flags import COPY_COLLEAGUE, COPY_SELF, DAY_OVER, LATE, NON_WORKING_DAY, VAGUE
from app.core.validators import parse_id_number
from app.services.org import accounts, chart as org_chart, unit_settings
from app.services.logs import daily as logs, published
from app.services.review import queue as review, flags as review_flags, state as review_state
from app.services.org.actor import Actor
from app.services.org.calendar import work_calendar
from app.demo.unit import generate_demo
from app.services.org.setup import open_database

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
        reviews = rows(conn, """select p.login, l.day, l.round, l.status, l.pending_level,
                                l.approved_at, a.round, a.level, a.action, a.final, r.login,
                                a.comment, a.created_at
                                from work_log l join person p on p.id = l.person_id
                                left join review_action a on a.log_id = l.id
                                left join person r on r.id = a.reviewer_id
                                order by p.login, l.day, a.created_at""")
        charges = rows(conn, """select p.login, s.name from section_charge c
                                join person p on p.id = c.deputy_id
                                join section s on s.id = c.section_id order by 1, 2""")
        return [people, entries, reviews, charges]
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
        assert logged[login] & days == days - gaps[login], login
    assert set(logged) == set(active)              # 借调/离岗 and the admin account write no logs
    share = len(info.gaps) / (len(active) * len(days))
    assert 0.005 < share < 0.08
    everything = set().union(*logged.values())
    off_days = {d for d in everything if not cal.is_working_day(dt.date.fromisoformat(d))}
    assert off_days and off_days == everything - days    # a few weekends or holidays worked
    worked = sum(len(logged[login] & off_days) for login in active)
    assert 0 < worked < 0.03 * info.logs
    assert set(rows(conn, f"""select day_state from work_log where day in
                             ({','.join('?' * len(off_days))})""", *off_days)) == {(vocab.DAY_NORMAL,)}
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
    missing, short = rows(conn, """select sum(t.id is null), sum(length(t.content) < 5)
                                   from log_entry e left join entry_text t on t.id = e.id
                                   where not e.secret""")[0]
    assert missing == 0 and short < 0.03 * info.entries     # short: the few "开会"-type entries
    texts = [t for (t,) in rows(conn, "select content from entry_text")]
    assert len(set(texts)) > 0.3 * len(texts)      # varied, not a handful of stock phrases


def test_most_logs_of_a_week_carry_no_review_flag(demo, db):
    """The assisted review has something to show on the demo: most of a week's logs are clean
    (so "approve all clean logs" approves most of a queue), and the flagged few are of several
    kinds, as in a real unit; not, as once, almost every log flagged as a copy."""
    info, conn = demo
    today = info.end + dt.timedelta(days=1)
    week_end = info.end - dt.timedelta(days=info.end.weekday() + 1)        # the Sunday before
    week = [i for (i,) in rows(conn, """select id from work_log where state = 'submitted'
                                       and day between ? and ?""",
                               (week_end - dt.timedelta(days=6)).isoformat(), week_end.isoformat())]
    flags = review_flags.compute_flags(db, week, today=today)
    assert len(flags) == len(week) > 200
    clean = sum(1 for found in flags.values() if not found) / len(flags)
    copies = sum(1 for found in flags.values()
                 if any(f.code in (COPY_SELF, COPY_COLLEAGUE) for f in found)) / len(flags)
    assert 0.6 <= clean < 0.97 and copies < 0.15, (clean, copies)
    everything = [i for (i,) in rows(conn, "select id from work_log where state = 'submitted'")]
    kinds = Counter(f.code for found in review_flags.compute_flags(db, everything, today=today).values()
                    for f in {f.code: f for f in found}.values())
    assert {COPY_SELF, COPY_COLLEAGUE, VAGUE, LATE, NON_WORKING_DAY, DAY_OVER} <= set(kinds), kinds
    assert max(kinds.values()) < 0.1 * len(everything), kinds


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


# ---------------------------------------------------------------- the review chain in the demo
def actor_of(conn, login: str) -> Actor:
    person_id, name, role, section_id, is_admin = rows(
        conn, "select id, name, role, section_id, is_admin from person where login = ?", login)[0]
    return Actor(person_id, login, name, role, section_id, bool(is_admin))


def review_facts(demo, db):
    """Logs (with the age in working days before the end of their day and of their submission)
    and their review actions."""
    info, conn = demo
    days = [d.isoformat() for d in work_calendar(db).working_days(info.start, info.end)]

    def age(day: str) -> int:
        """Working days after `day` (a day off counts as the working day before it)."""
        return len(days) - bisect.bisect_right(days, day[:10])
    columns = "id person_id day state round status pending_level approved_at content_hash submitted_at"
    log_rows = [dict(zip(columns.split(), r)) for r in rows(conn, f"select {', '.join(columns.split())} from work_log")]
    for log in log_rows:
        log["age"] = age(log["day"])
        log["submitted_age"] = age(log["submitted_at"]) if log["submitted_at"] else log["age"]
    acts = defaultdict(list)
    names = "log_id round version content_hash level action final reviewer_id on_behalf_of comment created_at"
    for r in rows(conn, f"select {', '.join(names.split())} from review_action order by created_at"):
        a = dict(zip(names.split(), r))
        acts[a["log_id"]].append(a)
    return log_rows, acts


def test_deputies_are_in_charge_of_every_section(demo, db):
    info, conn = demo
    charges = defaultdict(set)
    for login, section in rows(conn, """select p.login, s.name from section_charge c
                                        join person p on p.id = c.deputy_id
                                        join section s on s.id = c.section_id where not c.deleted"""):
        charges[login].add(section)
    assert charges == {login: set(names) for login, names in info.in_charge.items()}
    assert set().union(*charges.values()) == {n for (n,) in rows(conn, "select name from section")}
    chart = org_chart.load(db)
    assert set(chart.deputies) == set(chart.heads) == set(chart.section_names)


def test_older_logs_went_through_the_whole_chain(demo, db):
    log_rows, acts = review_facts(demo, db)
    chart = org_chart.load(db)
    old = [log for log in log_rows if log["submitted_age"] >= 7]     # (a few are filled in late)
    statuses = Counter(log["status"] for log in old)
    assert statuses[vocab.LOG_APPROVED] >= 0.97 * len(old)
    assert statuses[vocab.LOG_SUBMITTED] == statuses[vocab.LOG_DRAFT] == 0
    comments = []
    for log in log_rows:
        if log["status"] != vocab.LOG_APPROVED:
            continue
        current = [a for a in acts[log["id"]] if a["round"] == log["round"]]
        chain = chart.chain(log["person_id"], 2)
        if not chain:                                     # the principal: final on submission
            assert chart.persons[log["person_id"]].role == vocab.ROLE_PRINCIPAL
            assert current == [] and log["approved_at"] == log["submitted_at"]
            continue
        assert [a["reviewer_id"] for a in current] == chain
        assert [a["level"] for a in current] == list(range(1, len(chain) + 1))
        assert [a["final"] for a in current] == [0] * (len(chain) - 1) + [1]
        assert all(a["action"] == "approve" and a["content_hash"] == log["content_hash"]
                   for a in current)
        stamps = [log["submitted_at"]] + [a["created_at"] for a in current]
        assert stamps == sorted(set(stamps))               # strictly after one another
        assert log["approved_at"] == stamps[-1] and log["pending_level"] == 0
        comments += [a["comment"] for a in current]
    assert 0.03 < sum(1 for c in comments if c) / len(comments) < 0.2


def test_a_few_logs_were_returned_with_a_reason_and_most_resubmitted(demo, db):
    info, _ = demo
    log_rows, acts = review_facts(demo, db)
    returned_logs = [log for log in log_rows
                     if any(a["action"] == "return" for a in acts[log["id"]])]
    assert 0.008 < len(returned_logs) / info.logs < 0.04
    resubmitted = [log for log in returned_logs if log["round"] == 2]
    waiting = [log for log in returned_logs if log["round"] == 1]
    assert resubmitted and waiting
    for log in returned_logs:
        first = [a for a in acts[log["id"]] if a["round"] == 1]
        assert first[-1]["action"] == "return" and len(first[-1]["comment"]) >= 8
        assert all(a["action"] == "approve" and not a["final"] for a in first[:-1])
    for log in resubmitted:                  # corrected: the approval judged another content
        first_hash = [a for a in acts[log["id"]] if a["round"] == 1][-1]["content_hash"]
        assert first_hash != log["content_hash"]
        assert log["submitted_at"] > acts[log["id"]][0]["created_at"]
        if log["submitted_age"] >= 7:
            assert log["status"] == vocab.LOG_APPROVED
    for log in waiting:
        assert log["status"] == vocab.LOG_RETURNED and log["pending_level"] == 0
    assert info.reviews[vocab.LOG_RETURNED] == len(waiting)
    assert info.reviews["resubmitted"] == len(resubmitted)


def test_the_author_of_a_returned_log_sees_the_reason(demo, db):
    _, conn = demo
    login, day, reason = rows(conn, """select p.login, l.day, a.comment from work_log l
                                       join person p on p.id = l.person_id
                                       join review_action a on a.log_id = l.id
                                       where l.status = 'returned' and a.action = 'return'
                                       order by l.day limit 1""")[0]
    loaded = logs.load_day(db, actor_of(conn, login), dt.date.fromisoformat(day))
    assert loaded.state == vocab.LOG_RETURNED and loaded.editable and loaded.return_reason == reason
    assert logs.content_hash(loaded.day_state, loaded.entries) == rows(
        conn, "select content_hash from work_log where id = ?", loaded.log_id)[0][0]


def test_the_last_days_are_partly_waiting_at_level_one_or_two_and_drafts_stay_drafts(demo, db):
    log_rows, acts = review_facts(demo, db)
    recent = [log for log in log_rows if log["age"] <= 3 and log["state"] == vocab.LOG_SUBMITTED]
    pending = Counter(log["pending_level"] for log in recent if log["status"] == vocab.LOG_SUBMITTED)
    assert pending[1] > 5 and pending[2] > 5
    assert sum(1 for log in recent if log["status"] == vocab.LOG_APPROVED) > 5
    for log in log_rows:
        if log["state"] == vocab.LOG_DRAFT:
            assert log["status"] == vocab.LOG_DRAFT and log["round"] == 0 and not acts[log["id"]]
            assert log["age"] <= 1
        else:
            assert log["round"] in (1, 2)
        if log["status"] == vocab.LOG_SUBMITTED:
            current = [a for a in acts[log["id"]] if a["round"] == log["round"]]
            assert [a["level"] for a in current] == list(range(1, log["pending_level"]))


def test_derived_state_is_what_the_review_service_derives(demo, db):
    """The stored status / pending level / approved at equal review_state.refresh's result when
    recomputed from scratch (in a transaction rolled back afterwards)."""
    from sqlalchemy import select, update

    from app.db.models import WorkLog
    info, _ = demo
    assert info.review_corrections == 0
    columns = (WorkLog.id, WorkLog.status, WorkLog.pending_level, WorkLog.approved_at)
    with db.read() as s:
        everything = s.execute(select(*columns).order_by(WorkLog.day, WorkLog.person_id)).all()
        sample = {r.id for r in everything[::5]} | {r.id for r in everything
                                                    if r.status != vocab.LOG_APPROVED}
        before = {r.id: tuple(r) for r in everything if r.id in sample}
        s.execute(update(WorkLog).where(WorkLog.id.in_(sample))
                  .values(status="draft", pending_level=0, approved_at=None))
        review_state.refresh(s, sample, org_chart.load_in(s),
                             unit_settings.get_in(s, "review.levels"))
        after = {r.id: tuple(r) for r in s.execute(select(*columns).where(WorkLog.id.in_(sample)))}
        s.rollback()
    assert len(sample) > 200 and after == before


def test_every_pending_log_is_in_exactly_one_queue_and_approved_ones_are_published(demo, db):
    info, conn = demo
    today = info.end + dt.timedelta(days=1)
    reviewers = [login for login, _, role, _ in info.accounts
                 if role in (vocab.ROLE_SECTION_HEAD, vocab.ROLE_DEPUTY, vocab.ROLE_PRINCIPAL)]
    queued = Counter()
    for login in reviewers:
        for item in review.queue(db, actor_of(conn, login), today=today, with_flags=False):
            queued[item.log_id] += 1
    pending = {i for (i,) in rows(conn, "select id from work_log where status = 'submitted'")}
    assert set(queued) == pending and set(queued.values()) == {1}
    heads = [login for login, _, role, _ in info.accounts if role == vocab.ROLE_SECTION_HEAD]
    busiest = max(heads, key=lambda h: len(review.queue(db, actor_of(conn, h), today=today,
                                                        with_flags=False)))
    items = review.queue(db, actor_of(conn, busiest), today=today)       # with flags
    assert items and all(i.level == 1 and isinstance(i.flags, list) for i in items)
    assert any(i.entries for i in items)
    staff = next(login for login, _, role, _ in info.accounts if role == vocab.ROLE_STAFF
                 and login != "admin")
    _, total = published.browse(db, actor_of(conn, staff))
    approved_entries = rows(conn, """select count(*) from log_entry e join work_log l
                                     on l.id = e.log_id where l.status = 'approved'""")[0][0]
    assert total == approved_entries > 0.8 * info.entries


def test_cli_review_list_on_the_demo(demo, db):
    info, conn = demo
    today = info.end + dt.timedelta(days=1)
    heads = [login for login, _, role, _ in info.accounts if role == vocab.ROLE_SECTION_HEAD]
    head = next(h for h in heads if review.queue(db, actor_of(conn, h), today=today,
                                                 with_flags=False))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LZKP_PASSWORD": DEMO_PASSWORD}
    result = subprocess.run(
        [sys.executable, "-m", "app", "review", "list", "--db", str(info.path), "--user", head,
         "--json"], cwd=Path(__file__).resolve().parents[2],
        env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data and all(d["level"] == 1 and d["levels"] == 2 for d in data)
    assert any(d["entries"] for d in data) and all("flags" in d for d in data)
    section = rows(conn, """select s.name from person p join section s on s.id = p.section_id
                            where p.login = ?""", head)[0][0]
    assert {d["section"] for d in data} == {section}
