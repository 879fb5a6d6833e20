"""Demo database: a county unit of one kind (app.demo.kinds; by default the 市场监督管理局) with
its sections, 三定 duties, ~60 people with their 分管 lines, and months of logs that went
through the review chain.

This module plans and writes the organisation (the plan's objects: app.demo.plan);
app.demo.logs writes the logs and app.demo.reviews decides what the reviewers did with them.
Deterministic for a given seed and end date (row ids and HLCs are not: they are made at write time).
Rows go in through `Database.bulk_insert` (Core speed, stamped, outboxed), a month of logs per
transaction, so that 60 people × 3 months take a few seconds and `people=` can build far larger
synthetic units (the extra people go to grassroots sections such as the 市场监督管理所, or, for a
kind without them, to the sections in proportion to their size). A `Workload`
(app.demo.workload) bends the logs for the county demo: more or fewer hours, people who often
leave a day without a log, reviewers behind.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import random
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path

from app.core import vocab
from app.core.errors import AppError
from app.core.validators import make_credit_code, make_id_number
from app.db.models import (Credential, Duty, DutySection, Person, PersonKey, PostDuty, Section,
                           SectionCharge, Setting)
from app.demo import data as D
from app.demo.kinds import Kind, get_kind
from app.demo.kinds.market import KIND as MARKET
from app.demo.task_types import classify_duties
from app.demo.plan import DemoInfo, PlanDuty, PlanPerson, PlanSection
from app.demo import items as demo_items, logs as demo_logs, reviews as demo_reviews
from app.demo.signatures import DemoSigners
from app.demo.workload import DEFAULT, Workload
from app.services.org.accounts import hash_password
from app.services.org.calendar import work_calendar
from app.services.org.setup import UnitSetup, initialise_unit, open_database, unit_of
from app.db.backup import remove_database_files
from app.services.exchange.enrollment import create_from_enrollment

DEFAULT_PEOPLE = 60
MIN_PEOPLE = 30


def _section_sizes(rng: random.Random, staff: int, kind: Kind = MARKET) -> tuple[list[int], list[int]]:
    """People per base section and per grassroots station for `staff` section members."""
    base = [s[3] for s in kind.sections]
    if kind.stations is None or staff < sum(base) + kind.stations.min_extra:
        sizes = [max(2, round(b * staff / sum(base))) for b in base]
        while sum(sizes) != staff:
            step = 1 if sum(sizes) < staff else -1
            candidates = [i for i, v in enumerate(sizes) if v + step >= 2]
            i = max(candidates, key=lambda j: (sizes[j], j)) if step < 0 else rng.choice(candidates)
            sizes[i] += step
        return sizes, []
    sizes = [round(b * 1.2) for b in base]
    rest = staff - sum(sizes)
    count = max(1, round(rest / 8))
    return sizes, [rest // count + (1 if i < rest % count else 0) for i in range(count)]


def _plan_org(rng: random.Random, people: int, year: int, kind: Kind = MARKET):
    staff_total = people - 1 - len(kind.deputies)
    sizes, station_sizes = _section_sizes(rng, staff_total, kind)
    sections = [PlanSection(k, name, summary, topic, i) for i, (k, name, summary, _, topic)
                in enumerate(kind.sections)]
    st = kind.stations
    sections += [PlanSection("station", st.name(i), st.summary, st.topic, len(sections) + i)
                 for i in range(len(station_sizes))]
    by_key = {s.key: s for s in sections if s.key != "station"}
    stations = [s for s in sections if s.key == "station"]
    duties = [PlanDuty(code, cls, secs, topic, content) for code, cls, secs, topic, content in kind.duties]
    by_code = {d.code: d for d in duties}
    for d in duties:
        for key in d.section_keys:
            by_key[key].duties.append(d)
    for s in stations:
        s.duties = [by_code[c] for c in st.duties]

    main = kind.main_staffing
    principal = PlanPerson(vocab.ROLE_PRINCIPAL, None, main, post=kind.principal_post,
                           male=rng.random() < 0.85, age=rng.randint(47, 56),
                           education="研究生" if rng.random() < 0.5 else "大学本科",
                           duties=[by_code[c] for c in kind.principal_duties])
    persons = [principal]
    for n, (post, keys) in enumerate(kind.deputies):
        charge = [by_key[k] for k in keys] + stations[n::len(kind.deputies)]
        pool = list(dict.fromkeys(d for s in charge[:3] for d in s.duties if d.duty_class == "核心")) \
            or list(dict.fromkeys(d for s in charge for d in s.duties))
        persons.append(PlanPerson(vocab.ROLE_DEPUTY, None, main, post=post, male=rng.random() < 0.75,
                                  age=rng.randint(40, 57), in_charge=charge,
                                  education="研究生" if rng.random() < 0.35 else "大学本科",
                                  duties=rng.sample(pool, min(len(pool), rng.randint(2, 4)))))
    members: list[PlanPerson] = []
    for sec, size in zip(sections, sizes + station_sizes):
        head = PlanPerson(vocab.ROLE_SECTION_HEAD, sec, main, male=rng.random() < 0.7,
                          age=rng.randint(35, 54))
        group = [head] + [PlanPerson(vocab.ROLE_STAFF, sec, main, male=rng.random() < 0.56,
                                     age=rng.randint(23, 58)) for _ in range(size - 1)]
        if size >= 6:
            group[1].deputy_head, group[1].age = True, rng.randint(32, 50)
        members += group
    _assign_staffing(rng, members, people, kind)
    persons += members
    for p in persons[1:]:
        if not p.duties:
            own = p.section.duties
            p.duties = rng.sample(own, min(len(own), rng.randint(2, 4)))
    _describe(rng, persons, year, kind)
    admin = PlanPerson(vocab.ROLE_STAFF, by_key["off"], staffing=None, post="系统管理员",
                       name="单位管理员", login="admin", is_admin=True, male=True, age=0,
                       duties=by_key["off"].duties[-2:])
    return sections, duties, persons, admin


def _assign_staffing(rng: random.Random, members: list[PlanPerson], people: int,
                     kind: Kind = MARKET) -> None:
    """Section members get staffing types (leaders and heads keep the kind's main type) and a
    few statuses."""
    plain = [p for p in members if p.role == vocab.ROLE_STAFF and not p.deputy_head]
    rng.shuffle(plain)
    free = list(plain)
    for staffing, share, least, keys in kind.staffing:
        count = max(least, round(people * share))
        ranked = sorted(free, key=lambda p: p.section.key not in keys)   # stable: keeps shuffle
        for p in ranked[:count]:
            p.staffing = staffing
        free = ranked[count:]
    admin_staff = [p for p in plain if p.staffing == kind.main_staffing]
    n_seconded = max(1, round(people * 0.03))
    for i, p in enumerate(admin_staff[:n_seconded + max(1, round(people * 0.015))]):
        p.status = "借调" if i < n_seconded else "离岗"


def _describe(rng: random.Random, persons: list[PlanPerson], year: int, kind: Kind = MARKET) -> None:
    """Names, logins, 身份证号 (consistent with gender and birth), education and posts."""
    surnames = D.split_pinyin(D.SURNAMES)
    surname_cum = list(accumulate(D.SURNAME_WEIGHTS))
    chars = {True: D.split_pinyin(D.MALE_CHARS), False: D.split_pinyin(D.FEMALE_CHARS)}
    rare_for: dict[int, tuple[str, str]] = {}
    candidates = list(range(1, len(persons)))
    rng.shuffle(candidates)
    for char, py, gender in D.RARE_CHARS:
        i = next(i for i in candidates if persons[i].male == (gender == "男") and i not in rare_for)
        rare_for[i] = (char, py)
    names, logins, id_numbers = set(), set(), set()
    for i, p in enumerate(persons):
        while True:
            sur, sur_py = surnames[bisect(surname_cum, rng.random() * surname_cum[-1])]
            given = rng.sample(chars[p.male], 1 if rng.random() < 0.3 else 2)
            if i in rare_for:
                given = given[:1] + [rare_for[i]] if rng.random() < 0.6 else [rare_for[i]]
            name = sur + "".join(c for c, _ in given)
            if name not in names:
                break
        names.add(name)
        login = base = sur_py + "".join(py for _, py in given)
        n = 2
        while login in logins or login == "admin":
            login, n = f"{base}{n}", n + 1
        logins.add(login)
        gender = "男" if p.male else "女"
        if p.age:
            p.age = min(p.age, D.MAX_AGE.get((gender, p.staffing), D.MAX_AGE[(gender, None)]))
        birth = dt.date(year - p.age, rng.randint(1, 12), rng.randint(1, 28))
        while True:
            id_number = make_id_number(rng.choice(D.ID_REGIONS), birth, rng.randint(0, 999), p.male)
            if id_number not in id_numbers:
                break
        id_numbers.add(id_number)
        p.name, p.login, p.birth, p.id_number = name, login, birth, id_number
        p.education = p.education or rng.choices(vocab.EDUCATIONS,
                                                 weights=D.EDUCATION_WEIGHTS[p.staffing])[0]
        p.post = p.post or _post(rng, p, kind)


def _post(rng: random.Random, p: PlanPerson, kind: Kind) -> str:
    key = p.section.key
    if p.role == vocab.ROLE_SECTION_HEAD:
        return kind.stations.head if key == "station" else kind.head_posts.get(key, kind.default_head)
    if p.deputy_head:
        return (kind.stations.deputy_head if key == "station" else
                kind.deputy_head_posts.get(key, kind.default_deputy_head))
    if p.staffing != "行政编制":
        posts = kind.staff_posts[p.staffing]
        return rng.choice(posts.get(key) or posts[""])
    return rng.choice(next(ranks for age, ranks in D.RANKS_BY_AGE if p.age >= age))


# ---------------------------------------------------------------- writing the organisation
def _write_org(db, sections, duties, persons, admin, password_hash: str) -> DemoSigners:
    unit_id = db.unit_id
    everyone = persons + [admin]
    signers = DemoSigners([p.id for p in everyone], D.PASSWORD)
    with db.session() as s:
        db.bulk_insert(s, Section, [dict(id=x.id, unit_id=unit_id, name=x.name, summary=x.summary,
                                         sort_order=x.order) for x in sections])
        db.bulk_insert(s, Person, [dict(
            id=p.id, unit_id=unit_id, section_id=p.section.id if p.section else None, name=p.name,
            id_number=p.id_number, gender=("男" if p.male else "女") if p.id_number else None,
            birth_date=p.birth.isoformat() if p.birth else None, education=p.education,
            post=p.post, staffing_type=p.staffing, role=p.role, login=p.login, status=p.status,
            status_since=p.status_since.isoformat() if p.status_since else None,
            is_admin=p.is_admin) for p in everyone])
        db.bulk_insert(s, Credential, [dict(person_id=p.id, password_hash=password_hash,
                                            must_change=False, sealed_key=signers.sealed[p.id])
                                       for p in everyone])
        db.bulk_insert(s, PersonKey, signers.key_rows)
        db.bulk_insert(s, Duty, [dict(id=d.id, unit_id=unit_id, code=d.code, content=d.content,
                                      duty_class=d.duty_class, active=True, sort_order=i)
                                 for i, d in enumerate(duties)])
        db.bulk_insert(s, DutySection, [dict(duty_id=d.id, section_id=x.id)
                                        for x in sections for d in x.duties])
        db.bulk_insert(s, PostDuty, [dict(person_id=p.id, duty_id=d.id, note="")
                                     for p in everyone for d in p.duties])
        db.bulk_insert(s, SectionCharge, [dict(deputy_id=p.id, section_id=x.id)
                                          for p in persons for x in p.in_charge])
        db.bulk_insert(s, Setting, [dict(key="demo.password", value=json.dumps(D.PASSWORD))])
    return signers


# ---------------------------------------------------------------- entry point
def _months_back(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _clear(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise AppError(f"文件已存在：{path}（加 --force 覆盖）")
    remove_database_files(path)


def generate_demo(path: Path, seed: int = 1, months: int = 3, overwrite: bool = False,
                  people: int | None = None, end: dt.date | None = None,
                  enrollment: Path | None = None, kind: str | Kind = "market",
                  workload: Workload = DEFAULT, review_until: dt.date | None = None,
                  enrollment_code: str | None = None) -> DemoInfo:
    """Write a demo unit database to `path`; returns what was made (see DemoInfo.summary).
    With `enrollment` (a 单位注册包) and its one-time `enrollment_code` the unit is the one the
    编办 registered — its name, code and quotas come from the file — and the generated roster,
    duties and logs are added to it.
    `kind`: what sort of unit (app.demo.kinds); `workload`: how its logs are bent
    (app.demo.workload); `review_until`: reviewers keep working on the working days after
    `end` up to this day (no logs are written for them), as they would have by the time the
    unit reports to the 编办; by default they stop at `end`."""
    started = time.perf_counter()
    kind = get_kind(kind) if isinstance(kind, str) else kind
    path = Path(path)
    people = DEFAULT_PEOPLE if people is None else people
    if people < MIN_PEOPLE:
        raise AppError(f"演示单位至少需要{MIN_PEOPLE}人")
    if months < 1:
        raise AppError("演示日志的月数至少为1")
    _clear(path, overwrite)
    end = end or dt.date.today() - dt.timedelta(days=1)
    start = _months_back(end, months) + dt.timedelta(days=1)
    rng = random.Random(seed)
    sections, duties, persons, admin = _plan_org(rng, people, end.year, kind)
    away = sorted((p for p in persons if p.status != "在职"), key=lambda p: p.status != "借调")
    for i, p in enumerate(away):      # no random draw: the rest of the demo stays as it was
        p.status_since = end - dt.timedelta(days=D.STATUS_SINCE_DAYS[i % len(D.STATUS_SINCE_DAYS)])
    prefix = ("12" if "事业" in kind.unit_class else "13" if kind.unit_class == "群团机关" else "11") \
        + D.CREDIT_PREFIX[2:]     # 机构类别: 机关 1, 事业单位 2, 群团 3
    credit_code = make_credit_code(prefix, f"00{rng.randrange(10**6):06d}")
    counts: dict[str, int] = {}
    for p in persons:
        counts[p.staffing] = counts.get(p.staffing, 0) + 1
    slack = {"行政编制": 2, "事业编制": 1}
    setup = UnitSetup(kind.unit_name, credit_code, unit_class=kind.unit_class,
                      funding_form="差额拨款" if kind.unit_class == "公益二类事业单位" else "全额拨款",
                      staffing_quotas={t: counts.get(t, 0) + slack.get(t, 0)
                                       for t in vocab.STAFFING_TYPES if t != "编外"},
                      leader_posts={"正职": 1, "副职": len(kind.deputies)})
    if enrollment is not None:
        db, _ = create_from_enrollment(path, enrollment, enrollment_code)
        unit = unit_of(db)
        unit_name, credit_code = unit.name, unit.credit_code
    else:
        db = open_database(path, create=True)
        unit_name = kind.unit_name
    try:
        if enrollment is None:
            initialise_unit(db, setup)
        signers = _write_org(db, sections, duties, persons, admin, hash_password(D.PASSWORD))
        classify_duties(db)
        items = demo_items.add_items(db, db.unit_id, duties, sections, start, end, seed)
        days = work_calendar(db).working_days(start, end)
        info = DemoInfo(path=path, unit_name=unit_name, credit_code=credit_code,
                        sections=len(sections), people=len(persons) + 1, duties=len(duties),
                        logs=0, entries=0, secret_entries=0, password=D.PASSWORD, start=start,
                        end=end, working_days=len(days))
        working = set(days)
        off_days = [d for d in (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
                    if d not in working]
        profiles = [demo_logs.profile(rng, p, duties, kind, workload) for p in persons
                    if p.status == "在职"]
        for prof in profiles:
            demo_logs.plan_days(rng, prof, days, off_days, last_day_gap=review_until is None)
        after = work_calendar(db).working_days(end + dt.timedelta(days=1), review_until) \
            if review_until and review_until > end else []
        reviews = demo_reviews.planner_for(db, days, seed, after=after, lag=workload.review_lag)
        demo_logs.write_logs(db, rng, profiles, days, info, reviews, off_days, kind.phrases,
                             drafts_at_end=review_until is None, signers=signers, items=items)
        info.reviews = reviews.counts
        info.review_corrections = demo_reviews.refresh_all_logs(db, reviews)
    finally:
        db.dispose()
    info.accounts = [(p.login, p.name, p.role, p.section.name if p.section else "")
                     for p in [admin] + persons]
    info.in_charge = {p.login: [s.name for s in p.in_charge] for p in persons if p.in_charge}
    info.elapsed = time.perf_counter() - started
    return info
