"""Demo review history: what the reviewers did with each generated log.

Logs older than about a week went through the whole chain (科室负责人, then 分管领导; the
principal for deputies), a few with a 批阅意见; about 2 % were returned with a reason first and
most of those corrected and resubmitted; the last few working days are partly still waiting at
level 1 or 2; drafts stay drafts. For the county demo, reviewers may go on working for a few days
after the last day of logs (`after`: the unit reports to the 编办 once the month is reviewed),
or be behind (`lag`: nobody has acted on what was submitted in the last N working days). The actions are rows for `Database.bulk_insert` (no service call
per log) and each log's derived columns come from `app.core.review.derive_state` over exactly those
rows, with the review chain of the real roster (`org_chart`). `refresh_all_logs` then runs the
service's own `review_state.refresh` over every log and counts the logs whose derived state it
left different from the planner's (0; tests/unit/test_demo.py holds it to that).
"""
from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left
from collections import Counter
from dataclasses import replace

from sqlalchemy import select

from app.core import vocab
from app.core.logrules import EntryDraft
from app.core.review import APPROVE, RETURN, ActionFact, derive_state
from app.db.models import WorkLog
from app.services.org import chart as org_chart, unit_settings
from app.services.review import state as review_state
from app.core.logrules import content_hash
from app.services.org.chart import OrgChart

RETURN_SHARE = 0.02
# Chance that a reviewer at position 1 / 2+ of the chain has acted, by the age of the submission
# in working days (0 = submitted on the last day); from a week on, everything is reviewed.
ACTED_BY_AGE = ((0.15, 0.0), (0.45, 0.25), (0.75, 0.5), (0.9, 0.75), (0.97, 0.9))
COMMENT_SHARE = {vocab.ROLE_SECTION_HEAD: 0.06, vocab.ROLE_DEPUTY: 0.12, vocab.ROLE_PRINCIPAL: 0.15}
COMMENTS = {
    vocab.ROLE_SECTION_HEAD: ("同意。", "情况属实，同意。", "已核实。", "请注意及时归档相关材料。",
                              "后续进展请在周例会上汇报。"),
    vocab.ROLE_DEPUTY: ("同意。", "已阅，工作扎实，继续保持。", "请持续跟踪整改落实情况。",
                        "注意总结经验做法，形成信息报办公室。", "请做好风险研判，发现问题及时报告。",
                        "同意，此项工作要抓紧抓实。"),
    vocab.ROLE_PRINCIPAL: ("同意。", "已阅。", "请抓好分管领域工作落实。", "此项工作请在党组会上专题汇报。"),
}
VAGUE_TEXTS = ("参加会议学习", "下乡检查工作", "处理日常事务", "开展业务工作", "参加调研活动")
REASONS = {
    "vague": ("工作内容过于笼统，请写明具体事项、对象和结果。", "请补充检查的单位名称和发现的问题。",
              "内容不具体，请按“做了什么、结果如何”重新填写。"),
    "hours": ("工时填报明显偏多，请按实际工作时间更正。", "当日工时与考勤记录不符，请核实后重新提交。"),
    "duty": ("该项工作属于本岗位职责，请关联对应的三定职责。", "请选择对应的职责事项后重新提交。"),
}
_OFFICE_START, _OFFICE_SPAN = 8 * 60 + 30, 9.5 * 3600   # reviewers act 08:30–18:00


class ReviewPlanner:
    """Decides the review history of each log as the logs are generated (see module doc)."""

    def __init__(self, chart: OrgChart, levels: int, days: list[dt.date], seed: int,
                 after: list[dt.date] = (), lag: int = 0):
        days = list(days) + list(after)
        self.chart, self.levels, self.days = chart, levels, days
        self.index = {d: i for i, d in enumerate(days)}
        self.last = len(days) - 1
        # submissions from this working day on wait for their first reviewer
        self.lag_from = len(days) - len(after) - lag if lag else len(days)
        self.limit = dt.datetime.combine(days[-1], dt.time(23, 59, 59)) if days else None
        self.office = [dt.datetime.combine(d, dt.time()) + dt.timedelta(minutes=_OFFICE_START)
                       for d in days]
        self.rng = random.Random(f"demo-review-{seed}")
        self.derived: dict[str, tuple] = {}  # log id → (status, pending level, approved at)
        self.counts: Counter = Counter()     # derived status → logs, and "resubmitted"
        self._chains: dict[str, tuple] = {}

    def plan(self, log_id: str, author_id: str, day: dt.date, day_state: str,
             drafts: list[EntryDraft], submitted_at: str | None):
        """(entries to store, WorkLog columns, ReviewAction rows) for one log."""
        if submitted_at is None:
            self.counts[vocab.LOG_DRAFT] += 1
            self.derived[log_id] = (vocab.LOG_DRAFT, 0, None)
            return drafts, dict(state=vocab.LOG_DRAFT, submitted_at=None, round=0,
                                content_hash=content_hash(day_state, drafts),
                                status=vocab.LOG_DRAFT, pending_level=0, approved_at=None), []
        chain, _ = self._chain(author_id)
        i = self._position(day)
        idx = self._position(dt.date.fromisoformat(submitted_at[:10]))
        actions: list[dict] = []
        round_, stamp = 1, dt.datetime.fromisoformat(submitted_at)
        current_hash = content_hash(day_state, drafts)
        bad = self._bad_version(drafts) if chain and self.rng.random() < RETURN_SHARE else None
        if bad:
            bad_drafts, reason = bad
            bad_hash = content_hash(day_state, bad_drafts)
            at = 2 if len(chain) >= 2 and self.rng.random() < 0.25 else 1
            first, ret_idx, ret_stamp = self._walk(log_id, chain, 1, bad_hash, idx, stamp,
                                                   return_at=at, reason=reason)
            if first and first[-1]["action"] == RETURN:
                actions += first
                age = self.last - i
                again = self._resubmission(ret_idx, ret_stamp) if (
                    self.rng.random() < (0.8 if age >= 5 else 0.3)) else None
                if again is None:        # the author has not corrected it yet
                    return self._finish(log_id, bad_drafts, day_state, author_id, 1, bad_hash,
                                        submitted_at, actions)
                self.counts["resubmitted"] += 1
                round_, (idx, stamp) = 2, again
                submitted_at = stamp.isoformat()
        actions += self._walk(log_id, chain, round_, current_hash, idx, stamp)[0]
        return self._finish(log_id, drafts, day_state, author_id, round_, current_hash,
                            submitted_at, actions)

    def _chain(self, author_id: str) -> tuple[list[str], int]:
        """The author's review chain and its length as the service counts it (the roster does
        not change while the demo is generated)."""
        found = self._chains.get(author_id)
        if found is None:
            found = self._chains[author_id] = (
                self.chart.chain(author_id, self.levels),
                review_state.review_length(self.chart, author_id, self.levels))
        return found

    def _position(self, day: dt.date) -> int:
        """Index of the working day `day` is, or of the next one (a weekend or holiday worked,
        a submission on a day off); the last day at most."""
        found = self.index.get(day)
        return found if found is not None else min(bisect_left(self.days, day), self.last)

    def _finish(self, log_id, drafts, day_state, author_id, round_, hash_, submitted_at, actions):
        _, chain_len = self._chain(author_id)
        facts = [ActionFact(a["round"], a["version"], a["content_hash"], a["level"], a["action"],
                            a["final"], a["created_at"]) for a in actions]
        state = derive_state(vocab.LOG_SUBMITTED, round_, 1, hash_, chain_len, facts, submitted_at)
        self.counts[state.status] += 1
        self.derived[log_id] = (state.status, state.pending_level, state.approved_at)
        return drafts, dict(state=vocab.LOG_SUBMITTED, submitted_at=submitted_at, round=round_,
                            content_hash=hash_, status=state.status,
                            pending_level=state.pending_level, approved_at=state.approved_at), actions

    def _walk(self, log_id, chain, round_, hash_, idx, stamp, return_at=None, reason=""):
        """Reviewers act level by level after the submission at `stamp` (working day `idx`):
        up to and including a return at level `return_at`, else as far as the age allows."""
        actions = []
        age = self.last - idx
        if idx >= self.lag_from:
            return actions, idx, stamp
        for level, reviewer in enumerate(chain, 1):
            if return_at is None and age < len(ACTED_BY_AGE):
                if self.rng.random() >= ACTED_BY_AGE[age][min(level, 2) - 1]:
                    break
            idx, stamp = self._next(idx, stamp, level)
            if stamp is None:
                break
            returning = level == return_at
            role = self.chart.persons[reviewer].role
            comment = reason if returning else (
                self.rng.choice(COMMENTS[role]) if self.rng.random() < COMMENT_SHARE.get(role, 0)
                else "")
            actions.append(dict(log_id=log_id, round=round_, version=1, content_hash=hash_,
                                level=level, action=RETURN if returning else APPROVE,
                                final=not returning and level == len(chain), reviewer_id=reviewer,
                                on_behalf_of=None, comment=comment,
                                created_at=stamp.isoformat()))
            if returning:
                break
        return actions, idx, stamp

    def _next(self, idx: int, after: dt.datetime, level: int) -> tuple[int, dt.datetime | None]:
        """When the next reviewer acts: a working day or a few later, in office hours, always
        after the previous step and never after the last generated day."""
        rng = self.rng.random
        delay = (0, 1, 1, 2)[int(rng() * 4)] if level == 1 else (0, 1, 1, 2, 3)[int(rng() * 5)]
        idx = min(idx + delay, self.last)
        when = self.office[idx] + dt.timedelta(seconds=int(rng() * _OFFICE_SPAN))
        if when <= after:
            when = after + dt.timedelta(seconds=180 + int(rng() * 5220))
        return (idx, when) if when <= self.limit else (idx, None)

    def _resubmission(self, idx: int, returned: dt.datetime) -> tuple[int, dt.datetime] | None:
        """The author corrects and resubmits the same day or the next working day."""
        if returned.hour < 16:
            when = returned + dt.timedelta(minutes=self.rng.randint(30, 180))
        elif idx < self.last:
            idx += 1
            when = dt.datetime.combine(self.days[idx], dt.time(8, self.rng.randint(30, 59),
                                                               self.rng.randint(0, 59)))
        else:
            return None
        return (idx, when) if when <= self.limit else None

    def _bad_version(self, drafts: list[EntryDraft]) -> tuple[list[EntryDraft], str] | None:
        """What the author first submitted before a reviewer returned it, and the reason."""
        plain = [n for n, e in enumerate(drafts) if not e.secret]
        if not plain:
            return None
        n = self.rng.choice(plain)
        entry = drafts[n]
        kinds = ["vague"]
        if not entry.start and sum(e.hours or 0 for e in drafts) + 4 <= 14:
            kinds.append("hours")
        if entry.duty_id:
            kinds.append("duty")
        kind = self.rng.choice(kinds)
        bad = {"vague": lambda: replace(entry, content=self.rng.choice(VAGUE_TEXTS)),
               "hours": lambda: replace(entry, hours=entry.hours + 4),
               "duty": lambda: replace(entry, duty_id=None)}[kind]()
        return drafts[:n] + [bad] + drafts[n + 1:], self.rng.choice(REASONS[kind])


def planner_for(db, days: list[dt.date], seed: int, after: list[dt.date] = (),
                lag: int = 0) -> ReviewPlanner:
    """A planner with the roster, 分管 lines and review levels as stored in `db`."""
    with db.read() as s:
        chart = org_chart.load_in(s)
        levels = unit_settings.get_in(s, "review.levels")
    return ReviewPlanner(chart, levels, days, seed, after, lag)


def refresh_all_logs(db, planner: ReviewPlanner) -> int:
    """Run the service's `review_state.refresh` over every log; the number of logs whose derived
    columns then differ from the planner's (0: the demo holds what the service would derive)."""
    with db.session() as s:
        review_state.refresh(s, planner.derived, org_chart.load_in(s),
                             unit_settings.get_in(s, "review.levels"))
        after = s.execute(select(WorkLog.id, WorkLog.status, WorkLog.pending_level,
                                 WorkLog.approved_at)).all()
    return sum(1 for log_id, *state in after if planner.derived.get(log_id) != tuple(state))
