"""Amendments of finally approved logs: the approved version is kept whole, the author edits a
new version with a reason, and that version goes through the review chain again.

While an amendment is in progress the log is not approved, so statistics (approved logs only)
leave it out until the new version is approved; the old version stays readable in the history.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError, ValidationError
from app.core.logrules import EntryDraft
from app.db.engine import Database, now_text
from app.db.models import LogVersion, ReviewAction, WorkLog
from app.services.review import state as review_state
from app.services.org.actor import Actor
from app.services.logs.daily import _entries_of, duty_labels
from app.db.models import Person
from app.services.logs.published import require_read


def start_amendment(db: Database, actor: Actor, day: dt.date, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("申请修改须填写修改理由")
    with db.session(actor) as s:
        log = s.scalar(select(WorkLog).where(WorkLog.person_id == actor.person_id,
                                             WorkLog.day == day.isoformat(),
                                             WorkLog.deleted.is_(False)))
        if log is None:
            raise AppError(f"{day.isoformat()}没有日志")
        if log.status != vocab.LOG_APPROVED:
            raise AppError("只有已审定的日志需要通过“申请修改”更正，其他状态可直接修改或撤回")
        entries = _entries_of(s, log.id)
        snapshot = {"day_state": log.day_state, "submitted_at": log.submitted_at,
                    "approved_at": log.approved_at,
                    "entries": [e.to_dict() for e in entries]}
        s.add(LogVersion(log_id=log.id, version=log.version, content_hash=log.content_hash or "",
                         snapshot=json.dumps(snapshot, ensure_ascii=False), reason=reason,
                         created_at=now_text()))
        log.version += 1
        log.state = vocab.LOG_DRAFT
        log.amend_reason = reason
        s.flush()
        review_state.refresh_for(db, s, [log.id])


@dataclass
class VersionView:
    version: int
    label: str                      # 第1版（2026-10-09 审定）
    day_state: str
    entries: list[EntryDraft]
    reason: str                     # why the following version was made
    reviews: list[str]              # "科室负责人 张三 2026-10-10 同意：…"

    def lines(self, labels: dict[str, str]) -> list[str]:
        out = [f"当日状态：{self.day_state}"]
        for n, e in enumerate(self.entries, 1):
            text = vocab.SECRET_CONTENT_LABEL if e.secret else e.content
            duty = labels.get(e.duty_id, "") if e.duty_id else ""
            out.append(f"{n}. {e.hours:g}小时 {e.category} {duty} {text}".rstrip())
        return out


def history(db: Database, actor: Actor, log_id: str) -> list[VersionView]:
    """All versions of a log, oldest first, with the reviews each received. Readable by the
    author and by anyone who may read the log (see app.services.logs.published for the rule)."""
    with db.read() as s:
        log = s.get(WorkLog, log_id)
        if log is None:
            raise AppError("日志不存在")
        require_read(db, actor, log)
        old = list(s.scalars(select(LogVersion).where(LogVersion.log_id == log_id,
                                                      LogVersion.deleted.is_(False))
                             .order_by(LogVersion.version)))
        actions = list(s.scalars(select(ReviewAction).where(ReviewAction.log_id == log_id,
                                                            ReviewAction.deleted.is_(False))
                                 .order_by(ReviewAction.created_at)))
        current_entries = _entries_of(s, log_id)
    names = _names(db, {a.reviewer_id for a in actions})
    views = []
    for v in old:
        data = json.loads(v.snapshot)
        views.append(VersionView(v.version, f"第{v.version}版（{(data.get('approved_at') or '')[:10]} 审定）",
                                 data["day_state"], [EntryDraft.from_dict(e) for e in data["entries"]],
                                 v.reason, _review_lines(actions, v.version, names)))
    state = vocab.LOG_STATE_LABELS.get(log.status, log.status)
    views.append(VersionView(log.version, f"第{log.version}版（当前，{state}）", log.day_state,
                             current_entries, "", _review_lines(actions, log.version, names)))
    return views


def _names(db: Database, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    with db.read() as s:
        return dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())


def _review_lines(actions, version: int, names: dict[str, str]) -> list[str]:
    verbs = {"approve": "同意", "return": "退回"}
    return [f"第{a.level}级 {names.get(a.reviewer_id, '?')} {a.created_at[:16].replace('T', ' ')} "
            f"{verbs.get(a.action, a.action)}{'（终审）' if a.final else ''}"
            f"{'：' + a.comment if a.comment else ''}"
            for a in actions if a.version == version]


def diff(db: Database, old: VersionView, new: VersionView) -> list[str]:
    """Unified diff of two versions as readable lines (- removed, + added)."""
    labels = duty_labels(db, [e.duty_id for e in old.entries + new.entries])
    return list(difflib.unified_diff(old.lines(labels), new.lines(labels),
                                     fromfile=old.label, tofile=new.label, lineterm="", n=1))
