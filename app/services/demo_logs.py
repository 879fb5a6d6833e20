"""Demo work logs: per-person profiles (load, gaps, categories), day plans (leave, trips,
missing days) and entries with realistic texts, written a month per transaction through
`Database.bulk_insert`. Each log passes through the review planner (app.services.demo_reviews),
which decides what the reviewers did with it."""
from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

from app.core import vocab
from app.core.ids import new_id
from app.core.logrules import EntryDraft
from app.db.models import EntryText, LogEntry, ReviewAction, WorkLog
from app.services import demo_data as D
from app.services.logs import month_of

if TYPE_CHECKING:
    from app.services.demo import DemoInfo, _Duty, _Person
    from app.services.demo_reviews import ReviewPlanner

LEADERS = (vocab.ROLE_PRINCIPAL, vocab.ROLE_DEPUTY)

# ---------------------------------------------------------------- logs
_CAT_INDEX = {c: i for i, c in enumerate(D.CATEGORIES)}
_STANDARD_HOURS = dict(vocab.COMMON_CATEGORIES)
_ENTRY_COUNTS = (1, 2, 3, 4, 5)
_NORMAL, _LEAVE, _TRIP, _GAP = 0, 1, 2, 3


@dataclass
class _Profile:
    person: _Person
    load: float
    gap_rate: float
    time_rate: float
    k_cum: list
    cat_cum: list
    party_duty: _Duty
    affairs_duty: _Duty
    unit_duties: list
    own_cum: list
    plan: dict = field(default_factory=dict)    # day → state


def profile(rng: random.Random, p: _Person, duties: list[_Duty]) -> _Profile:
    by_code = {d.code: d for d in duties}
    u = rng.random()
    if p.role in LEADERS:
        load = rng.gauss(9.8, 0.45) if u < 0.25 else rng.gauss(8.4, 0.5)
    else:
        load = (rng.gauss(5.0, 0.35) if u < 0.12 else rng.gauss(9.9, 0.45) if u < 0.22
                else rng.gauss(7.5, 0.55))
    u = rng.random()
    gap_rate = rng.uniform(0.06, 0.10) if u < 0.15 else rng.uniform(0.005, 0.035)
    u = rng.random()
    time_rate = 0.8 if u < 0.15 else 0.15 if u < 0.45 else 0.0
    k_weights = [w * rng.uniform(0.6, 1.4) for w in (8, 28, 34, 20, 10)]
    if load < 6:
        k_weights = [w * f for w, f in zip(k_weights, (2.5, 1.6, 1, 0.5, 0.2))]
    weights = list(D.ROLE_CATEGORY_WEIGHTS[p.role])
    if p.role not in LEADERS:
        for cat, extra in D.SECTION_CATEGORY_BONUS.get(p.section.key, {}).items():
            weights[_CAT_INDEX[cat]] += extra
    weights = [w * rng.uniform(0.7, 1.3) for w in weights]
    return _Profile(p, load, gap_rate, time_rate, list(accumulate(k_weights)),
                    list(accumulate(weights)), by_code[D.PARTY_DUTY],
                    by_code[D.GENERAL_AFFAIRS_DUTY], duties,
                    list(accumulate(D.DUTY_CLASS_WEIGHT[d.duty_class] for d in p.duties)))


def plan_days(rng: random.Random, prof: _Profile, days: list[dt.date]) -> None:
    p = prof.person
    trip_p = 1 / 22 if p.role in LEADERS else 1 / 35 if p.topic in ("enforce", "seq", "food") else 1 / 60
    state, left = _NORMAL, 0
    for i, day in enumerate(days):
        if left == 0:
            r = rng.random()
            if r < 1 / 40:
                state, left = _LEAVE, rng.choice((1, 1, 1, 2, 2, 3, 5))
            elif r < 1 / 40 + trip_p:
                state, left = _TRIP, rng.choice((1, 1, 2, 2, 3))
            else:
                state, left = _NORMAL, 1
        left -= 1
        gap_rate = prof.gap_rate + (0.08 if i == len(days) - 1 else 0.0)
        prof.plan[day] = _GAP if state == _NORMAL and rng.random() < gap_rate else state


def _pick(rng: random.Random, items, cum) -> object:
    return items[bisect(cum, rng.random() * cum[-1])]


def _text(rng: random.Random, p: _Person, category: str, topic: str) -> str:
    if p.in_charge:     # a leader visits a section in charge that works on the topic
        fitting = [s for s in p.in_charge if any(d.topic == topic for d in s.duties)]
        sec = rng.choice(fitting or p.in_charge).name
    else:
        sec = p.section.name if p.section else "各科室"
    return D.compose(rng, category, topic, p.role in LEADERS, sec)


def _entries(rng: random.Random, prof: _Profile, trip: bool) -> list[EntryDraft]:
    p = prof.person
    if trip:
        duty = rng.choice(p.duties) if rng.random() < 0.6 else None
        topic = duty.topic if duty else p.topic
        text = rng.choice(D.TRIP_TEXT).expand(rng, {**D.SLOTS, "tname": D.TOPICS[topic][0]})
        return [EntryDraft(hours=rng.choice((7.5, 8.0, 8.0, 9.0)),
                           category=rng.choice(("学习教育", "会议活动", "检查调研")),
                           content=text, duty_id=duty.id if duty else None)]
    total = round(max(1.0, rng.gauss(prof.load, 0.9)) * 2) / 2
    k = min(_pick(rng, _ENTRY_COUNTS, prof.k_cum), int(total * 2))
    weights = [0.4 + rng.random() for _ in range(k)]
    share = sum(weights)
    hours = [max(0.5, round(total * w / share * 2) / 2) for w in weights]
    big = hours.index(max(hours))
    hours[big] = max(0.5, hours[big] + total - sum(hours))
    # the longest stretches go to the categories that take longest (inspections, casework)
    categories = [_pick(rng, D.CATEGORIES, prof.cat_cum) for _ in range(k)]
    ranked = sorted(range(k), key=lambda i: -_STANDARD_HOURS[categories[i]])
    for i, h in zip(ranked, sorted(hours, reverse=True)):
        hours[i] = h
    times = D.times_of(hours) if rng.random() < prof.time_rate else [(None, None)] * k
    drafts = []
    for category, h, (start, end) in zip(categories, hours, times):
        r = rng.random()
        if category == "党建工作":
            duty = prof.party_duty if r < 0.5 else None
        elif category == "学习教育":
            duty = _pick(rng, p.duties, prof.own_cum) if r < 0.3 else None
        elif category == "综合事务":
            duty = (prof.affairs_duty if r < 0.4 else
                    _pick(rng, p.duties, prof.own_cum) if r < 0.6 else None)
        else:
            duty = (_pick(rng, p.duties, prof.own_cum) if r < 0.85 else
                    rng.choice(prof.unit_duties) if r < 0.93 else None)
        secret = rng.random() < 0.02
        text = "" if secret else _text(rng, p, category, duty.topic if duty else p.topic)
        drafts.append(EntryDraft(hours=h, category=category, content=text,
                                 duty_id=duty.id if duty else None, start=start, end=end,
                                 secret=secret))
    return drafts


def _submitted_at(rng: random.Random, day: dt.date, end: dt.date) -> str:
    if day < end and rng.random() < 0.2:
        stamp = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(8, rng.randint(0, 59)))
    else:
        stamp = dt.datetime.combine(day, dt.time(rng.randint(17, 19), rng.randint(0, 59)))
    return stamp.replace(second=rng.randint(0, 59)).isoformat()


def write_logs(db, rng: random.Random, profiles: list[_Profile], days: list[dt.date],
               info: DemoInfo, reviews: ReviewPlanner) -> None:
    """Logs, entries, texts and review actions, a month per transaction. `reviews` decides
    each log's review history (and so its round, stored content and derived state)."""
    draft_days = set(days[-2:])
    end = days[-1] if days else None
    months: dict[int, list[dt.date]] = {}
    for day in days:
        months.setdefault(month_of(day), []).append(day)
    for month, month_days in months.items():
        log_rows, entry_rows, text_rows, action_rows = [], [], [], []
        for prof in profiles:
            person_id = prof.person.id
            for day in month_days:
                state = prof.plan[day]
                if state == _GAP:
                    info.gaps.add((prof.person.login, day.isoformat()))
                    continue
                day_state = {_NORMAL: vocab.DAY_NORMAL, _LEAVE: vocab.DAY_LEAVE,
                             _TRIP: vocab.DAY_TRIP}[state]
                drafts = [] if state == _LEAVE else _entries(rng, prof, state == _TRIP)
                draft = day in draft_days and rng.random() < 0.45
                submitted_at = None if draft else _submitted_at(rng, day, end)
                log_id, iso = new_id(), day.isoformat()
                drafts, fields, actions = reviews.plan(log_id, person_id, day, day_state, drafts,
                                                       submitted_at)
                log_rows.append(dict(id=log_id, person_id=person_id, day=iso, month=month,
                                     day_state=day_state, version=1, **fields))
                action_rows += actions
                for seq, e in enumerate(drafts, start=1):
                    entry_id = new_id()
                    entry_rows.append(dict(
                        id=entry_id, log_id=log_id, person_id=person_id, day=iso, month=month,
                        seq=seq, hours=e.hours,
                        start_time=e.start, end_time=e.end, category=e.category,
                        duty_id=e.duty_id, secret=e.secret))
                    if e.secret:
                        info.secret_entries += 1
                    else:
                        text_rows.append(dict(id=entry_id, content=e.content))
        with db.session() as s:
            db.bulk_insert(s, WorkLog, log_rows)
            db.bulk_insert(s, LogEntry, entry_rows)
            db.bulk_insert(s, EntryText, text_rows)
            db.bulk_insert(s, ReviewAction, action_rows)
        info.logs += len(log_rows)
        info.entries += len(entry_rows)
