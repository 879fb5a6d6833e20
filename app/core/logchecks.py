"""The rules a stored log and its review actions must satisfy, checked again wherever rows arrive
from another replica (the 编办 importing a 上报包): a unit's own program applies them when a log
is written, but a package is only as honest as the database it was read from.

Pure functions over plain facts; each problem is one Chinese sentence naming the rule. The
content hash is the one `app.services.logs.daily` stores: recomputing it from the entries shows
an entry added, removed or edited under an approval (an approval names the hash it judged).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from app.core import review, vocab
from app.core.logrules import MAX_DAY_HOURS, EntryDraft, content_hash, effective_hours

EARLIEST_DAY = dt.date(2000, 1, 1)      # no unit kept logs in this program before
MAX_TEXT = 20_000                       # characters of one entry's content or a comment
ACTIONS = (review.APPROVE, review.RETURN)
MAX_LEVELS = 3                          # the longest review chain review.levels allows
LOG_STATES = (vocab.LOG_DRAFT, vocab.LOG_SUBMITTED)


@dataclass
class StoredLog:
    """A work_log row and what belongs to it, as the database holds them."""
    id: str
    person_id: str
    day: str
    month: int
    day_state: str
    state: str
    version: int
    round: int
    content_hash: str | None
    entries: list[tuple[EntryDraft, str, int]]     # (entry, its day, its month)
    submitted_at: str | None = None
    signature_id: str | None = None
    status: str = ""                                # the derived status stored beside it

    def hash_matches(self) -> bool:
        """The stored content hash is the hash of the stored entries."""
        try:
            return self.content_hash == content_hash(self.day_state, [e for e, _, _ in self.entries])
        except (TypeError, ValueError):
            return False


@dataclass
class StoredAction:
    id: str
    log_id: str
    round: int
    version: int
    level: int
    action: str
    final: bool
    reviewer_id: str
    on_behalf_of: str | None
    comment: str
    content_hash: str | None = None
    created_at: str = ""
    signature_id: str | None = None


def parse_day(text: object) -> dt.date | None:
    """A real calendar day written YYYY-MM-DD, else None (2026-02-30, 'abcdefghij')."""
    if type(text) is not str or len(text) != 10:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _text_problems(what: str, text: str) -> list[str]:
    if "\x00" in text:
        return [f"{what}含有空字符（NUL）"]
    if len(text) > MAX_TEXT:
        return [f"{what}长{len(text)}字，超过{MAX_TEXT}字"]
    return []


def check_log(log: StoredLog, latest: dt.date) -> list[str]:
    """Problems of one log: its day (real, from 2000 to `latest`: the package's day plus one),
    its month, day state and author state, each entry's hours (finite, above 0), category and
    text, the day's total (≤ 24 h), and the content hash recomputed from the entries."""
    problems = []
    day = parse_day(log.day)
    if day is None:
        return [f"日期“{log.day}”不是有效日期"]
    if not EARLIEST_DAY <= day <= latest:
        problems.append(f"日期{log.day}不在{EARLIEST_DAY.year}年至上报包日期之间")
    if log.month != day.year * 100 + day.month:
        problems.append(f"月份{log.month}与日期{log.day}不符")
    if log.day_state not in vocab.DAY_STATES:
        problems.append(f"未知的日状态“{log.day_state}”")
    if log.state not in LOG_STATES:
        problems.append(f"未知的填报状态“{log.state}”")
    if type(log.version) is not int or log.version < 1 or type(log.round) is not int or log.round < 0:
        problems.append("版本号或提交轮次无效")
    total = 0.0
    for n, (entry, entry_day, entry_month) in enumerate(log.entries, start=1):
        where = f"第{n}条"
        if entry_day != log.day:
            problems.append(f"{where}的日期{entry_day}与日志日期{log.day}不符")
        elif entry_month != log.month:
            problems.append(f"{where}的月份{entry_month}与日志日期{log.day}不符")
        try:
            hours = effective_hours(entry)
        except ValueError as exc:
            problems.append(f"{where}：{exc}")
            continue
        if not (math.isfinite(hours) and 0 < hours <= MAX_DAY_HOURS):
            problems.append(f"{where}的工时{hours:g}不在0至24小时之间")
            continue
        total += hours
        if not entry.category:
            problems.append(f"{where}没有工作类别")
        problems += _text_problems(f"{where}的内容", entry.content)
    if total > MAX_DAY_HOURS:
        problems.append(f"当日工时合计{total:g}小时，超过24小时")
    if not problems and log.content_hash != content_hash(log.day_state, [e for e, _, _ in log.entries]):
        problems.append("日志内容与其内容哈希不符（条目在提交或审定后被改动）")
    return problems


def check_action(action: StoredAction, log: StoredLog, author_role: str | None,
                 reviewer_role: str | None) -> list[str]:
    """Problems of one review action on `log`: its action word, round and version (not ahead of
    the log), level (1 to the longest chain: roles and review.levels may have changed since it
    was written), `final` only on an approval, and who reviewed: a person of the unit, not the
    author, in a reviewing role unless standing in (代审) for one. The principal's logs need no
    review, so they carry no action."""
    problems = []
    if action.action not in ACTIONS:
        problems.append(f"未知的审阅动作“{action.action}”")
    if action.round > log.round or action.version > log.version or action.round < 1:
        problems.append(f"审阅的提交轮次{action.round}或版本{action.version}与日志不符")
    if not 1 <= action.level <= MAX_LEVELS:
        problems.append(f"审阅级次{action.level}不在1至{MAX_LEVELS}级之间")
    if action.final and action.action != review.APPROVE:
        problems.append("只有“同意”才能审定日志")
    if author_role == vocab.ROLE_PRINCIPAL:
        problems.append("主要领导的日志无需审阅，却带有审阅记录")
    if action.reviewer_id == log.person_id:
        problems.append("审阅人是日志作者本人")
    if reviewer_role is None:
        problems.append("审阅人不是本单位人员")
    elif reviewer_role == vocab.ROLE_STAFF and not action.on_behalf_of:
        problems.append("审阅人是科室人员，且不是代审")
    problems += _text_problems("审阅意见", action.comment or "")
    return problems
