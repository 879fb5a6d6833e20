"""The 编办's side of 三提醒一通报, as pure judgements on one unit (docs/ARCHITECTURE.md "Review").

- 上报包 on time: each unit's 上报包 for a month is due by day `due_day` of the next month. A
  package covers what its unit had when it was made, so the month is covered by any package made
  on or after the first day of the next month. On `today` the month due is the latest month whose
  deadline has passed: a unit without a package covering it is 逾期未报; the month just ended,
  while its deadline is still ahead, is 待报 for a unit that has not covered it yet. A unit
  registered after a month ended owes no package for it.
- 审核率: of the logs submitted for review in the period (their authors' chain is not empty, i.e.
  not the 主要领导's), the share finally approved by the chain: approved ÷ (approved + waiting).
  Returned logs are back with their authors and count in neither.
- 填报率: the unit's submission rate (app.core.metrics.submission_rate).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core import metrics as M
from app.core.metrics import Period

PACKAGE_LATE, PACKAGE_DUE = "package_late", "package_due"
REVIEW_LOW, SUBMISSION_LOW = "review_low", "submission_low"
KIND_LABELS = {PACKAGE_LATE: "上报包逾期未报", PACKAGE_DUE: "上报包待报",
               REVIEW_LOW: "审核率偏低", SUBMISSION_LOW: "填报率偏低"}


@dataclass(frozen=True)
class NoticeSettings:
    """The 编办's settings of reminders and 通报 (unit_settings.BUREAU_SPECS)."""
    due_day: int = 5                  # day of the month by which last month's 上报包 is due
    min_review: float = 0.8           # 审核率 below this is reminded and named
    min_submission: float = 0.8       # 填报率 below this is reminded and named

    def describe(self) -> str:
        return (f"上报包每月{self.due_day}日前报送上月数据；审核率低于{M.percent(self.min_review, 0)}、"
                f"填报率低于{M.percent(self.min_submission, 0)}予以提醒")


@dataclass(frozen=True)
class ReviewRate:
    """Logs of a unit in a period sent for review, and how many of them are finally approved."""
    submitted: int = 0
    approved: int = 0

    @property
    def waiting(self) -> int:
        return self.submitted - self.approved

    @property
    def rate(self) -> float | None:
        return self.approved / self.submitted if self.submitted else None

    def to_json(self) -> dict:
        return {"submitted": self.submitted, "approved": self.approved}

    @classmethod
    def from_json(cls, d: dict) -> "ReviewRate":
        return cls(int(d.get("submitted", 0)), int(d.get("approved", 0)))

    def text(self) -> str:
        """审核率71.2%（送审日志118篇，已审定84篇，待审34篇）."""
        if not self.submitted:
            return "本期没有送审的日志"
        return (f"审核率{M.percent(self.rate)}（送审日志{self.submitted}篇，已审定{self.approved}篇"
                + (f"，待审{self.waiting}篇）" if self.waiting else "）"))


def month_of(year: int, month: int) -> Period:
    while month < 1:
        year, month = year - 1, month + 12
    return M.month_period(year, month)


def deadline_of(month: Period, due_day: int) -> dt.date:
    """Day `due_day` of the month after `month`."""
    after = month.end + dt.timedelta(days=1)
    return after.replace(day=due_day)


@dataclass(frozen=True)
class PackageStatus:
    """Where a unit stands with its monthly 上报包 on `today`."""
    last_created: str | None          # when its newest 上报包 was made (ISO), None: never sent one
    last_imported: str | None         # when the 编办 imported it
    due_month: Period | None          # the latest month whose deadline has passed
    deadline: dt.date | None
    late: bool                        # due_month not covered though its deadline passed
    next_month: Period | None = None  # the month just ended, its deadline still ahead …
    next_deadline: dt.date | None = None
    next_open: bool = False           # … and not covered yet
    today: dt.date | None = None

    @property
    def days_late(self) -> int:
        return (self.today - self.deadline).days if self.late and self.today and self.deadline else 0

    def last_text(self) -> str:
        if self.last_created is None:
            return "尚未报送过上报包"
        made = dt.date.fromisoformat(self.last_created[:10])
        text = f"最近一次上报包生成于{made.month}月{made.day}日"
        if self.last_imported:
            got = dt.date.fromisoformat(self.last_imported[:10])
            if got != made:
                text += f"、{got.month}月{got.day}日导入"
        return text

    def late_text(self) -> str:
        """12月5日前应报送11月的上报包，已逾期1天；最近一次上报包生成于11月8日."""
        d = self.deadline
        return (f"应于{d.month}月{d.day}日前报送{_month_name(self.due_month)}的上报包，"
                f"已逾期{self.days_late}天；{self.last_text()}")

    def due_text(self) -> str:
        d = self.next_deadline
        left = (d - self.today).days if self.today else 0
        when = "今天到期" if left == 0 else f"还有{left}天"
        return (f"{_month_name(self.next_month)}的上报包应于{d.month}月{d.day}日前报送（{when}）；"
                f"{self.last_text()}")


def _month_name(month: Period | None) -> str:
    return "" if month is None else f"{month.start.year}年{month.start.month}月"


def package_status(last_created: str | None, last_imported: str | None, today: dt.date,
                   due_day: int) -> PackageStatus:
    """The unit's standing on `today` (see the module docstring)."""
    just_ended = month_of(today.year, today.month - 1)
    due = just_ended if today > deadline_of(just_ended, due_day) else month_of(today.year, today.month - 2)
    def covered(month: Period) -> bool:
        return last_created is not None and dt.date.fromisoformat(last_created[:10]) > month.end

    status = PackageStatus(last_created, last_imported, due, deadline_of(due, due_day),
                           not covered(due), today=today)
    if due is not just_ended and not covered(just_ended):
        return PackageStatus(last_created, last_imported, due, status.deadline, status.late,
                             just_ended, deadline_of(just_ended, due_day), True, today)
    return status


@dataclass(frozen=True)
class UnitReminder:
    unit_id: str
    name: str
    kind: str                         # PACKAGE_LATE / PACKAGE_DUE / REVIEW_LOW / SUBMISSION_LOW
    text: str                         # what is due or low, with its numbers

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def to_json(self) -> dict:
        return {"unit_id": self.unit_id, "unit": self.name, "kind": self.kind,
                "label": self.label, "text": self.text}


def judge(unit_id: str, name: str, package: PackageStatus, review: ReviewRate | None,
          submission: float | None, period: Period, settings: NoticeSettings) -> list[UnitReminder]:
    """The reminders of one unit: its package, then its 审核率 and 填报率 in `period`."""
    found = []
    if package.late:
        found.append(UnitReminder(unit_id, name, PACKAGE_LATE, package.late_text()))
    if package.next_open:
        found.append(UnitReminder(unit_id, name, PACKAGE_DUE, package.due_text()))
    if review is not None and review.rate is not None and review.rate < settings.min_review:
        found.append(UnitReminder(unit_id, name, REVIEW_LOW,
                                  f"{period.label}{review.text()}，低于{M.percent(settings.min_review, 0)}"))
    if submission is not None and submission < settings.min_submission:
        found.append(UnitReminder(unit_id, name, SUBMISSION_LOW,
                                  f"{period.label}日志填报率{M.percent(submission)}，"
                                  f"低于{M.percent(settings.min_submission, 0)}"))
    return found
