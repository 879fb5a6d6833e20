"""Validation of a day's work log before it is saved or submitted."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

MAX_DAY_HOURS = 24.0
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024     # one attached file, at the unit and in a package


@dataclass(frozen=True)
class AttachmentRef:
    """A file already copied into the attachment store, addressed by its SHA-256."""
    filename: str
    sha256: str
    size: int


@dataclass
class EntryDraft:
    """One entry as the user typed it. Hours may come from a time range.
    `entry_id` is set when the entry was saved before, so a re-save updates it in place."""
    hours: float | None
    category: str
    content: str = ""
    duty_id: str | None = None
    start: str | None = None   # "HH:MM"
    end: str | None = None
    secret: bool = False
    attachments: tuple[AttachmentRef, ...] = ()
    entry_id: str | None = None
    item_id: str | None = None   # 工作事项 (app.core.items); its duty is the entry's duty

    def to_dict(self) -> dict:
        """Plain data (autosave, templates, CLI). A 涉密 entry's content is never included:
        such work keeps category, duty and hours only, even in a local draft."""
        return {"hours": self.hours, "category": self.category,
                "content": "" if self.secret else self.content,
                "duty_id": self.duty_id, "start": self.start, "end": self.end,
                "secret": self.secret, "entry_id": self.entry_id, "item_id": self.item_id,
                "attachments": [[a.filename, a.sha256, a.size] for a in self.attachments]}

    @classmethod
    def from_dict(cls, d: dict) -> "EntryDraft":
        return cls(hours=d.get("hours"), category=d.get("category") or "",
                   content=d.get("content") or "", duty_id=d.get("duty_id"),
                   start=d.get("start"), end=d.get("end"), secret=bool(d.get("secret")),
                   entry_id=d.get("entry_id"), item_id=d.get("item_id"),
                   attachments=tuple(AttachmentRef(*a) for a in d.get("attachments") or ()))


def hours_from_range(start: str, end: str) -> float:
    """Hours between two "HH:MM" times on one day; raises ValueError with a Chinese reason."""
    try:
        t1 = dt.datetime.strptime(start.strip(), "%H:%M")
        t2 = dt.datetime.strptime(end.strip(), "%H:%M")
    except ValueError:
        raise ValueError(f"时间格式应为“时:分”，如 08:30（收到“{start}”—“{end}”）") from None
    if t2 <= t1:
        raise ValueError(f"结束时间{end}应晚于开始时间{start}")
    return round((t2 - t1).seconds / 3600, 2)


def effective_hours(entry: EntryDraft) -> float:
    if entry.start and entry.end:
        return hours_from_range(entry.start, entry.end)
    if entry.hours is None:
        raise ValueError("请填写工时或起止时间")
    return float(entry.hours)


def total_hours(entries: list[EntryDraft]) -> float:
    """Sum of the entries' hours, skipping entries whose time range is still being typed."""
    total = 0.0
    for e in entries:
        try:
            total += effective_hours(e)
        except ValueError:
            pass
    return total


def check_day(day: dt.date, entries: list[EntryDraft], today: dt.date,
              known_categories: set[str] | None = None) -> list[str]:
    """All problems with a day's log, in Chinese, each naming its entry; empty when valid."""
    problems: list[str] = []
    if day > today:
        problems.append(f"不能填写未来日期（{day.isoformat()}）的日志")
    total = 0.0
    for n, entry in enumerate(entries, start=1):
        where = f"第{n}条"
        try:
            hours = effective_hours(entry)
        except ValueError as exc:
            problems.append(f"{where}：{exc}")
            continue
        if not hours > 0:  # written this way so that NaN (e.g. `--hours nan`) is refused too
            problems.append(f"{where}：工时应大于0")
        else:
            total += hours
        if not entry.category:
            problems.append(f"{where}：请选择工作类别")
        elif known_categories is not None and entry.category not in known_categories:
            problems.append(f"{where}：未知的工作类别“{entry.category}”")
        if not entry.secret and not entry.content.strip():
            problems.append(f"{where}：请填写工作内容（涉密工作可勾选“涉密”，不记录内容）")
    if total > MAX_DAY_HOURS:
        problems.append(f"当日工时合计{total:g}小时，超过24小时")
    return problems


def content_hash(day_state: str, entries: list[EntryDraft]) -> str:
    """Hash of what a reviewer approves: the day state and every entry's facts and text. An
    entry's 工作事项 is part of it only when it has one, so that entries written before items
    existed keep their hashes (and the signatures over them)."""
    canon = [day_state] + [
        [round(effective_hours(e), 2), e.category, e.duty_id, "" if e.secret else e.content.strip(),
         e.secret, e.start, e.end, sorted(a.sha256 for a in e.attachments)]
        + ([e.item_id] if e.item_id else []) for e in entries]
    return hashlib.sha256(json.dumps(canon, ensure_ascii=False).encode()).hexdigest()
