"""Demo work logs: per-person profiles (load, gaps, categories, lateness), day plans (leave,
trips, missing days, a few weekends and holidays worked) and entries with realistic texts,
written a month per transaction through `Database.bulk_insert`. Each log passes through the
review planner (app.demo.reviews), which decides what the reviewers did with it.

The assisted review (app.core.flags) should find what it finds in a real unit: most logs clean,
a few flagged for reasons of several kinds. Texts are composed per entry (app.demo.text)
and kept unlike the author's recent ones and the section's of the day; no entry exceeds twice
its category's standard hours unless planned; and a small share of entries, days and
submissions is made to earn a flag (the *_SHARE constants, profile.late_rate and off_day_rate):
vague or copied texts, over-long entries and days, late submissions, weekend work."""
from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from app.core import vocab
from app.core.ids import new_id
from app.core.logrules import EntryDraft
from app.db.models import EntryText, LogEntry, ReviewAction, SignedStatement, WorkLog
from app.demo import data as D
from app.demo import phrases as P
from app.demo import text as T
from app.demo.kinds.base import Kind
from app.demo.kinds.market import KIND as MARKET
from app.demo.plan import DemoInfo, PlanDuty, PlanPerson
from app.demo.reviews import ReviewPlanner
from app.demo.workload import DEFAULT, Workload
from app.services.gc_pause import collector_paused
from app.services.logs.daily import month_of

LEADERS = (vocab.ROLE_PRINCIPAL, vocab.ROLE_DEPUTY)

# ---------------------------------------------------------------- logs
_CAT_INDEX = {c: i for i, c in enumerate(D.CATEGORIES)}
_STANDARD_HOURS = dict(vocab.COMMON_CATEGORIES)
_ENTRY_COUNTS = (1, 2, 3, 4, 5)
_NORMAL, _LEAVE, _TRIP, _GAP, _OFF_DAY = 0, 1, 2, 3, 4
# Shares of entries and days that earn a review flag on purpose (app.core.flags): the rest of
# the texts are kept apart by TextMemory, so that most logs are clean as in a real unit.
VAGUE_SHARE = 0.022           # an entry that says nothing ("开会")
SELF_COPY_SHARE = 0.025       # an entry pasted from one of the author's last days
JOINT_COPY_SHARE = 0.06       # an inspection written as a section colleague wrote it that day
LONG_ENTRY_SHARE = 0.05       # a day whose longest entry may exceed 2× the category standard
EVENING_SHARE = 0.01          # a day with an evening on top (often over 12 hours)
TEXT_TRIES = 6


@dataclass
class _Profile:
    person: PlanPerson
    load: float
    gap_rate: float
    time_rate: float
    late_rate: float
    off_day_rate: float
    k_cum: list
    cat_cum: list
    party_duty: PlanDuty
    affairs_duty: PlanDuty
    unit_duties: list
    own_cum: list
    field_work: bool = False                    # topics of field work: more trips
    plan: dict = field(default_factory=dict)    # day → state


def profile(rng: random.Random, p: PlanPerson, duties: list[PlanDuty], kind: Kind = MARKET,
            workload: Workload = DEFAULT) -> _Profile:
    """How a person works: their usual day, gaps, times, lateness and categories; `workload`
    bends the day's hours, weekend work and gaps (no extra draws for DEFAULT)."""
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
    late_rate = rng.uniform(0.04, 0.09) if rng.random() < 0.3 else 0.004   # a few fill in late
    field_work = p.topic in kind.field_topics
    off_day_rate = 0.03 if p.role in LEADERS or field_work else 0.01
    k_weights = [w * rng.uniform(0.6, 1.4) for w in (8, 28, 34, 20, 10)]
    if load < 6:
        k_weights = [w * f for w, f in zip(k_weights, (2.5, 1.6, 1, 0.5, 0.2))]
    weights = list(D.ROLE_CATEGORY_WEIGHTS[p.role])
    if p.role not in LEADERS:
        for cat, extra in kind.section_bonus.get(p.section.key, {}).items():
            weights[_CAT_INDEX[cat]] += extra
    for cat, factor in kind.category_scale.items():
        weights[_CAT_INDEX[cat]] *= factor
    weights = [w * rng.uniform(0.7, 1.3) for w in weights]
    if workload is not DEFAULT:
        load *= workload.load
        off_day_rate *= workload.off_days
        if workload.absent_share and p.role not in LEADERS \
                and rng.random() < workload.absent_share:
            gap_rate = rng.uniform(*workload.absent_rate)
    return _Profile(p, load, gap_rate, time_rate, late_rate, off_day_rate,
                    list(accumulate(k_weights)), list(accumulate(weights)),
                    by_code[kind.party_duty], by_code[kind.affairs_duty], duties,
                    list(accumulate(D.DUTY_CLASS_WEIGHT[d.duty_class] for d in p.duties)),
                    field_work)


def plan_days(rng: random.Random, prof: _Profile, days: list[dt.date],
              off_days: list[dt.date] = (), last_day_gap: bool = True) -> None:
    """Each working day's state (normal, leave, trip, no log); a few weekends and holidays
    worked (the days of `off_days` left out of the plan are not worked). `last_day_gap`: the
    last day is more often without a log (not written yet on the day the demo is made)."""
    p = prof.person
    trip_p = 1 / 22 if p.role in LEADERS else 1 / 35 if prof.field_work else 1 / 60
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
        gap_rate = prof.gap_rate + (0.08 if last_day_gap and i == len(days) - 1 else 0.0)
        prof.plan[day] = _GAP if state == _NORMAL and rng.random() < gap_rate else state
    for day in off_days:
        if rng.random() < prof.off_day_rate:
            prof.plan[day] = _OFF_DAY


def _pick(rng: random.Random, items, cum) -> object:
    return items[bisect(cum, rng.random() * cum[-1])]


class _Writer:
    """Entries of one person's days, with texts kept apart by the unit's TextMemory."""

    def __init__(self, rng: random.Random, memory: T.TextMemory, phrases=P):
        self.rng, self.memory, self.phrases = rng, memory, phrases

    def text(self, prof: _Profile, day: dt.date, category: str, topic: str,
             duty_id: str | None) -> str:
        rng, p = self.rng, prof.person
        if p.in_charge:     # a leader visits a section in charge that works on the topic
            fitting = [s for s in p.in_charge if any(d.topic == topic for d in s.duties)]
            sec = rng.choice(fitting or p.in_charge).name
        else:
            sec = p.section.name if p.section else "各科室"
        leader = p.role in LEADERS
        return self.fresh(prof, day, category, duty_id,
                          lambda: T.compose(rng, self.phrases, category, topic, leader, sec))

    def fresh(self, prof: _Profile, day: dt.date, category: str, duty_id: str | None,
              make) -> str:
        """A text from `make()` → (text, template) that the memory accepts (the last try is
        kept whatever it is)."""
        p = prof.person
        section = p.section.id if p.section else None
        for attempt in range(TEXT_TRIES):
            text, template = make()
            if self.memory.offer(p.id, section, day, template, text,
                                 force=attempt == TEXT_TRIES - 1):
                break
        self.memory.remember(p.id, section, day, category, text, duty_id)
        return text

    def from_pool(self, prof: _Profile, day: dt.date, category: str, duty_id: str | None,
                  pool, topic: str, affair: str = "") -> str:
        """A fresh text from one of the templates of `pool` (trips, evenings)."""
        rng, top = self.rng, self.phrases.TOPICS[topic]

        def make():
            template = rng.choice(pool)
            return T.expand(rng, template, top, affair=affair), template
        return self.fresh(prof, day, category, duty_id, make)

    def planted(self, prof: _Profile, day: dt.date, category: str) -> tuple | None:
        """(category, text, duty id) of an entry written to earn a review flag, or None."""
        rng, p = self.rng, prof.person
        r = rng.random()
        if r < VAGUE_SHARE:
            return category, rng.choice(self.phrases.VAGUE_TEXT[category]), None
        r -= VAGUE_SHARE
        if r < SELF_COPY_SHARE:
            recent = [e for e in self.memory.recent.get(p.id, ())
                      if 0 < (day - e[0]).days <= 7 and e[1] == category]
            return rng.choice(recent)[1:] if recent else None
        if category == "检查调研" and p.section and rng.random() < JOINT_COPY_SHARE:
            done = self.memory.inspections.get((p.section.id, day))
            return (category, *rng.choice(done)) if done else None
        return None

    def duty(self, prof: _Profile, category: str) -> PlanDuty | None:
        rng, p = self.rng, prof.person
        r = rng.random()
        if category == "党建工作":
            return prof.party_duty if r < 0.5 else None
        if category == "学习教育":
            return _pick(rng, p.duties, prof.own_cum) if r < 0.3 else None
        if category == "综合事务":
            return (prof.affairs_duty if r < 0.4 else
                    _pick(rng, p.duties, prof.own_cum) if r < 0.6 else None)
        return (_pick(rng, p.duties, prof.own_cum) if r < 0.85 else
                rng.choice(prof.unit_duties) if r < 0.93 else None)

    def entries(self, prof: _Profile, day: dt.date, state: int) -> list[EntryDraft]:
        if state == _TRIP:
            return self.trip(prof, day)
        rng = self.rng
        if state == _OFF_DAY:
            total = rng.choice((2.0, 2.5, 3.0, 3.5, 4.0, 4.0, 5.0, 6.0))
            k = 1 if total < 3.5 or rng.random() < 0.5 else 2
            pool = ("检查调研", "业务工作", "综合事务") if prof.field_work else (
                "业务工作", "业务工作", "综合事务", "督办事项")
            categories = [rng.choice(pool) for _ in range(k)]
        else:
            total = round(max(1.0, rng.gauss(prof.load, 0.9)) * 2) / 2
            k = min(_pick(rng, _ENTRY_COUNTS, prof.k_cum), int(total * 2))
            categories = [_pick(rng, D.CATEGORIES, prof.cat_cum) for _ in range(k)]
        categories, hours = split_hours(rng, total, categories,
                                        capped=rng.random() >= LONG_ENTRY_SHARE)
        evening = state == _NORMAL and rng.random() < EVENING_SHARE and len(hours) < 5
        if evening:         # into the night: the day mostly ends above 12 hours
            categories.append("业务工作")
            hours.append(min(6.0, max(2.5, rng.choice((12.5, 13.0, 13.5, 14.0)) - sum(hours))))
        times = D.times_of(hours) if rng.random() < prof.time_rate else [(None, None)] * len(hours)
        drafts = []
        p = prof.person
        for n, (category, h, (start, end)) in enumerate(zip(categories, hours, times)):
            duty = self.duty(prof, category)
            topic = duty.topic if duty else p.topic
            secret = rng.random() < 0.02
            if secret:
                text = ""
            elif evening and n == len(hours) - 1:
                text = self.from_pool(prof, day, category, duty.id if duty else None,
                                      self.phrases.EVENING_TEXT, topic)
            else:
                planted = self.planted(prof, day, category)
                if planted:
                    category, text, duty_id = planted
                    duty = next((d for d in prof.unit_duties if d.id == duty_id), None)
                else:
                    text = self.text(prof, day, category, topic, duty.id if duty else None)
                if state == _OFF_DAY and n == 0 and rng.random() < 0.5:
                    text = ("周末加班，" if day.weekday() >= 5 else "节假日值守，") + text
            drafts.append(EntryDraft(hours=h, category=category, content=text,
                                     duty_id=duty.id if duty else None, start=start, end=end,
                                     secret=secret))
        return drafts

    def trip(self, prof: _Profile, day: dt.date) -> list[EntryDraft]:
        """A business trip: usually a morning and an afternoon (each within twice the category's
        standard hours), sometimes the way back as well; a quarter write the day as one entry."""
        rng, p = self.rng, prof.person
        duty = rng.choice(p.duties) if rng.random() < 0.6 else None
        topic = duty.topic if duty else p.topic
        category = rng.choice(("学习教育", "会议活动", "检查调研"))
        duty_id = duty.id if duty else None
        affair = self.phrases.TOPICS[topic].affairs(rng)          # what the whole day is about
        morning, afternoons = rng.choice(self.phrases.TRIPS)
        first = self.from_pool(prof, day, category, duty_id, (morning,), topic, affair)
        if rng.random() < 0.25:
            return [EntryDraft(hours=rng.choice((7.5, 8.0, 8.0, 9.0)), category=category,
                               content=first, duty_id=duty_id)]
        parts = [(rng.choice((3.5, 4.0)), category, first),
                 (rng.choice((3.0, 3.5, 4.0)), category,
                  self.from_pool(prof, day, category, duty_id, afternoons, topic, affair))]
        if rng.random() < 0.4:
            parts.append((rng.choice((1.0, 1.5)), "综合事务",
                          self.from_pool(prof, day, "综合事务", duty_id, self.phrases.TRIP_BACK, topic,
                                         affair)))
        return [EntryDraft(hours=h, category=c, content=text, duty_id=duty_id)
                for h, c, text in parts]


def split_hours(rng: random.Random, total: float, categories: list[str],
                capped: bool = True) -> tuple[list[str], list[float]]:
    """`total` hours (multiples of 0.5) over the entries of `categories`, the longest stretches
    to the categories that take longest. `capped`: no entry above twice its category's standard
    hours (the review flag's limit): the excess goes to entries with room, else to new
    business-work entries."""
    k = len(categories)
    weights = [0.4 + rng.random() for _ in range(k)]
    share = sum(weights)
    hours = [max(0.5, round(total * w / share * 2) / 2) for w in weights]
    big = hours.index(max(hours))
    hours[big] = max(0.5, hours[big] + total - sum(hours))
    while sum(hours) > total:       # many short entries rounded up
        hours[hours.index(max(hours))] -= 0.5
    ranked = sorted(range(k), key=lambda i: -_STANDARD_HOURS[categories[i]])
    for i, h in zip(ranked, sorted(hours, reverse=True)):
        hours[i] = h
    if not capped:
        return categories, hours
    caps = [2 * _STANDARD_HOURS[c] for c in categories]
    excess = 0.0
    for i in range(k):
        if hours[i] > caps[i]:
            excess += hours[i] - caps[i]
            hours[i] = caps[i]
    if excess:
        for i in sorted(range(k), key=lambda j: hours[j] - caps[j]):
            give = min(caps[i] - hours[i], excess)
            hours[i] += give
            excess -= give
        while excess > 0:
            h = min(excess, rng.choice((2.5, 3.0, 3.5, 4.0)))
            categories.append("业务工作")
            hours.append(h)
            excess -= h
    return categories, hours


def _submitted_at(rng: random.Random, prof: _Profile, day: dt.date, end: dt.date,
                  working: bool = True) -> str:
    """The evening of the day, next morning, or now and then more than a week later."""
    late = dt.timedelta(days=rng.randint(8, 16)) if rng.random() < prof.late_rate else None
    if late and day + late <= end:
        stamp = dt.datetime.combine(day + late, dt.time(rng.randint(8, 21), rng.randint(0, 59)))
    elif working and day < end and rng.random() < 0.2:
        stamp = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(8, rng.randint(0, 59)))
    else:
        stamp = dt.datetime.combine(day, dt.time(rng.randint(17, 19), rng.randint(0, 59)))
    return stamp.replace(second=rng.randint(0, 59)).isoformat()


def write_logs(db, rng: random.Random, profiles: list[_Profile], days: list[dt.date],
               info: DemoInfo, reviews: ReviewPlanner, off_days: list[dt.date] = (),
               phrases=P, drafts_at_end: bool = True, signers=None, items=None) -> None:
    """Logs, entries, texts and review actions, a month per transaction. `reviews` decides
    each log's review history (and so its round, stored content and derived state); `phrases`:
    the kind's text bank; `drafts_at_end`: some logs of the last two days are still drafts;
    `signers` (app.demo.signatures): who signs the submissions and actions; `items`
    (app.demo.items.DemoItems): links some entries to work items."""
    with collector_paused():
        _write_logs(db, rng, profiles, days, info, reviews, off_days, phrases, drafts_at_end,
                    signers, items)


def _write_logs(db, rng, profiles, days, info, reviews, off_days, phrases, drafts_at_end,
                signers, items=None) -> None:
    draft_days = set(days[-2:]) if drafts_at_end else set()
    end = days[-1] if days else None
    writer = _Writer(rng, T.TextMemory(), phrases)
    months: dict[int, list[dt.date]] = {}
    for day in sorted([*days, *(d for d in off_days if end and d < end)]):
        months.setdefault(month_of(day), []).append(day)
    states = {_NORMAL: vocab.DAY_NORMAL, _LEAVE: vocab.DAY_LEAVE, _TRIP: vocab.DAY_TRIP,
              _OFF_DAY: vocab.DAY_NORMAL}
    for month, month_days in months.items():
        log_rows, entry_rows, text_rows, action_rows = [], [], [], []
        for prof in profiles:
            person_id = prof.person.id
            for day in month_days:
                state = prof.plan.get(day)
                if state is None:
                    continue
                if state == _GAP:
                    info.gaps.add((prof.person.login, day.isoformat()))
                    continue
                drafts = [] if state == _LEAVE else writer.entries(prof, day, state)
                if items is not None:
                    items.link(drafts, day)
                draft = day in draft_days and rng.random() < 0.45
                submitted_at = None if draft else _submitted_at(rng, prof, day, end,
                                                                state != _OFF_DAY)
                log_id, iso = new_id(), day.isoformat()
                drafts, fields, actions = reviews.plan(log_id, person_id, day, states[state],
                                                       drafts, submitted_at)
                log_rows.append(dict(id=log_id, person_id=person_id, day=iso, month=month,
                                     day_state=states[state], version=1, **fields))
                action_rows += actions
                for seq, e in enumerate(drafts, start=1):
                    entry_id = new_id()
                    entry_rows.append(dict(
                        id=entry_id, log_id=log_id, person_id=person_id, day=iso, month=month,
                        seq=seq, hours=e.hours,
                        start_time=e.start, end_time=e.end, category=e.category,
                        duty_id=e.duty_id, secret=e.secret, item_id=e.item_id))
                    if e.secret:
                        info.secret_entries += 1
                    else:
                        text_rows.append(dict(id=entry_id, content=e.content))
        statements = signers.sign(log_rows, action_rows) if signers else []
        with db.session() as s:
            db.bulk_insert(s, SignedStatement, statements)
            db.bulk_insert(s, WorkLog, log_rows)
            db.bulk_insert(s, LogEntry, entry_rows)
            db.bulk_insert(s, EntryText, text_rows)
            db.bulk_insert(s, ReviewAction, action_rows)
        info.logs += len(log_rows)
        info.entries += len(entry_rows)
