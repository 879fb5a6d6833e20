"""SQLAlchemy 2 models.

Synced tables carry ``id`` (UUIDv7 text), ``hlc``, ``origin`` and ``deleted``
(docs/ARCHITECTURE.md "Data and sync model"). Local tables (outbox, replica state, drafts, login
guard) never leave the PC.
Dates are ISO text ('YYYY-MM-DD'); ``month`` columns (e.g. 202610) exist so statistics group by an
integer instead of ``substr(day, 1, 7)`` over millions of rows.
Entry content lives in ``entry_text`` apart from the narrow fact table ``log_entry``, so that
statistics never read text.
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import DERIVED, Base, Synced
from app.db.county_models import AcceptedDay, CountyFigures, DutyBaseline, RevokedKey
from app.db.exchange_models import PackageLedger, Peer, SyncKey
from app.db.feedback_models import MonthlyFeedback
from app.db.item_models import WorkItem, WorkItemCount, WorkItemDone, WorkItemDuty
from app.db.post_models import PostRecord
from app.db.signing_models import PersonKey, SignedStatement
from app.db.results_models import RoundGrading, ScoreAdjustment, UnitDecision

__all__ = ["Base", "DERIVED", "Synced", "PostRecord", "PersonKey", "SignedStatement", "AcceptedDay",
           "DutyBaseline", "MonthlyFeedback", "WorkItem", "WorkItemDuty", "WorkItemDone",
           "WorkItemCount", "RoundGrading", "ScoreAdjustment", "UnitDecision",
           "PackageLedger", "Peer", "SyncKey", "CountyFigures", "RevokedKey"]   # re-exported


# ---------------------------------------------------------------- organisation
class Unit(Synced, Base):
    __tablename__ = "unit"
    name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    unit_class: Mapped[str] = mapped_column(String(20))
    funding_form: Mapped[str | None] = mapped_column(String(10))
    parent_id: Mapped[str | None] = mapped_column(String(36))
    # 编制任务比 (镇江): 服务经济 / 社会民生 / 综合保障, and the year's number of key tasks.
    task_class: Mapped[str | None] = mapped_column(String(10))
    key_tasks: Mapped[int | None] = mapped_column(Integer)


class StaffingQuota(Synced, Base):
    """Approved quota (编制数) per staffing type, or leadership posts (领导职数) per kind."""
    __tablename__ = "staffing_quota"
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(10))       # 'staffing' | 'leader'
    name: Mapped[str] = mapped_column(String(20))       # 行政编制… or 正职/副职
    quota: Mapped[int] = mapped_column(Integer)
    __table_args__ = (UniqueConstraint("unit_id", "kind", "name"),)


class Section(Synced, Base):
    __tablename__ = "section"
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    name: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Person(Synced, Base):
    __tablename__ = "person"
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    section_id: Mapped[str | None] = mapped_column(ForeignKey("section.id"))
    name: Mapped[str] = mapped_column(String(30))
    id_number: Mapped[str | None] = mapped_column(String(18))
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    education: Mapped[str | None] = mapped_column(String(10))
    post: Mapped[str | None] = mapped_column(String(30))          # 职务
    staffing_type: Mapped[str | None] = mapped_column(String(10))
    role: Mapped[str] = mapped_column(String(10))
    login: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(4), default="在职")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Day the current status began (e.g. 借调 since): how long a secondment has lasted.
    status_since: Mapped[str | None] = mapped_column(String(10))


class Credential(Synced, Base):
    """Password hash of a person (argon2id). Synced only between the PCs of one unit."""
    __tablename__ = "credential"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change: Mapped[bool] = mapped_column(Boolean, default=True)
    # The person's signing key sealed under the password (app.core.signing.seal, JSON).
    sealed_key: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- duties
class Duty(Synced, Base):
    __tablename__ = "duty"
    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"))
    code: Mapped[str] = mapped_column(String(20))                 # 职责编号
    content: Mapped[str] = mapped_column(Text)
    duty_class: Mapped[str] = mapped_column(String(4))            # 核心/一般/辅助
    task_type: Mapped[str | None] = mapped_column(String(12), nullable=True)  # app.core.task_types
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("unit_id", "code"),)


class DutySection(Synced, Base):
    """A unit duty carried by a section (承担科室)."""
    __tablename__ = "duty_section"
    duty_id: Mapped[str] = mapped_column(ForeignKey("duty.id"))
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"))
    __table_args__ = (Index("ix_duty_section_pair", "duty_id", "section_id"),)


class PostDuty(Synced, Base):
    """A duty assigned to a person's post (岗位职责)."""
    __tablename__ = "post_duty"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    duty_id: Mapped[str] = mapped_column(ForeignKey("duty.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_post_duty_person", "person_id", "duty_id"),)


class WorkCategory(Synced, Base):
    __tablename__ = "work_category"
    name: Mapped[str] = mapped_column(String(20), unique=True)
    standard_hours: Mapped[float] = mapped_column(Float, default=4.0)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Holiday(Synced, Base):
    """Calendar override: a weekday off ('holiday') or a weekend workday ('workday')."""
    __tablename__ = "holiday"
    day: Mapped[str] = mapped_column(String(10), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(20), default="")


class Setting(Synced, Base):
    """Unit-wide settings (JSON values), e.g. review levels; synced between the unit's PCs."""
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(60), unique=True)
    value: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------- work logs
class WorkLog(Synced, Base):
    """One person's log for one day (header). Entries are in `log_entry`.

    Written only by its author: `state` is the author's intent ('draft' or 'submitted'), `round`
    counts submissions, `version` counts amendments. What reviewers did lives in `review_action`
    rows they own; the review outcome is *derived* into the columns marked DERIVED, which are
    recomputed locally (app.services.review.state) and never travel in sync packages.
    """
    __tablename__ = "work_log"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    day: Mapped[str] = mapped_column(String(10))
    month: Mapped[int] = mapped_column(Integer)
    day_state: Mapped[str] = mapped_column(String(4), default="正常")
    state: Mapped[str] = mapped_column(String(10), default="draft")
    submitted_at: Mapped[str | None] = mapped_column(String(19))
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    signature_id: Mapped[str | None] = mapped_column(String(36))    # the author's submission
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    amend_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="draft", server_default="draft",
                                        info=DERIVED)
    pending_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0", info=DERIVED)
    approved_at: Mapped[str | None] = mapped_column(String(19), info=DERIVED)
    __table_args__ = (UniqueConstraint("person_id", "day"),
                      Index("ix_work_log_month_state", "month", "state"),
                      Index("ix_work_log_status", "status", "day"))


class LogEntry(Synced, Base):
    """Numeric facts of one entry: narrow on purpose (no text) for fast statistics."""
    __tablename__ = "log_entry"
    log_id: Mapped[str] = mapped_column(ForeignKey("work_log.id"))
    person_id: Mapped[str] = mapped_column(String(36))
    day: Mapped[str] = mapped_column(String(10))
    month: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Float)
    start_time: Mapped[str | None] = mapped_column(String(5))
    end_time: Mapped[str | None] = mapped_column(String(5))
    category: Mapped[str] = mapped_column(String(20))
    duty_id: Mapped[str | None] = mapped_column(String(36))
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    item_id: Mapped[str | None] = mapped_column(String(36))      # 工作事项 (app.db.item_models)
    __table_args__ = (Index("ix_log_entry_log", "log_id"),
                      Index("ix_log_entry_person_day", "person_id", "day"),
                      Index("ix_log_entry_month", "month", "person_id"))


class EntryText(Synced, Base):
    """Content text of an entry (`id` equals the entry's id). Absent for 涉密 entries."""
    __tablename__ = "entry_text"
    content: Mapped[str] = mapped_column(Text)


class Attachment(Synced, Base):
    """A file attached to an entry; bytes stored once per SHA-256 beside the database."""
    __tablename__ = "attachment"
    entry_id: Mapped[str] = mapped_column(String(36), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)


class LogTemplate(Synced, Base):
    """A person's reusable set of entries (JSON list of entry dicts)."""
    __tablename__ = "log_template"
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    entries_json: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------- review
class ReviewAction(Synced, Base):
    """One reviewer's approve/return of one submission round of a log. Append-only, owned by
    the reviewer. It names the version and content hash it judged, so an edit after approval
    cannot inherit the approval."""
    __tablename__ = "review_action"
    log_id: Mapped[str] = mapped_column(ForeignKey("work_log.id"))
    round: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))             # approve | return
    final: Mapped[bool] = mapped_column(Boolean, default=False)  # completed the chain
    reviewer_id: Mapped[str] = mapped_column(String(36))
    on_behalf_of: Mapped[str | None] = mapped_column(String(36))  # 代审: the absent reviewer
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(19))
    signature_id: Mapped[str | None] = mapped_column(String(36))    # the reviewer's statement
    __table_args__ = (Index("ix_review_action_log", "log_id", "round"),
                      Index("ix_review_action_reviewer", "reviewer_id"))


class LogVersion(Synced, Base):
    """The approved version a log had before an amendment: kept whole (JSON) for the diff."""
    __tablename__ = "log_version"
    log_id: Mapped[str] = mapped_column(ForeignKey("work_log.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")          # why the next version was made
    created_at: Mapped[str] = mapped_column(String(19))


class SectionCharge(Synced, Base):
    """A deputy leader (分管领导) in charge of a section. Owned by the unit admin."""
    __tablename__ = "section_charge"
    deputy_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id"))
    __table_args__ = (Index("ix_section_charge_section", "section_id", "deputy_id"),)


class Delegation(Synced, Base):
    """代审: `delegate_id` reviews in place of `reviewer_id` on days start..end (inclusive)."""
    __tablename__ = "delegation"
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    delegate_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    start_day: Mapped[str] = mapped_column(String(10))
    end_day: Mapped[str] = mapped_column(String(10))


# ---------------------------------------------------------------- evaluation (五单工作法)
# Owned by the 编办: indicator templates and items, rounds, assignments, its scores, problems.
# Owned by the unit: self-assessment scores, its submission, rectification reports.
class IndicatorTemplate(Synced, Base):
    """An indicator system (评估指标体系) for one class of units."""
    __tablename__ = "indicator_template"
    name: Mapped[str] = mapped_column(String(100))
    unit_class: Mapped[str] = mapped_column(String(20))        # 党委部门 / 政府部门 / …
    note: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class IndicatorItem(Synced, Base):
    """A node of the tree 一级指标 (level 1) → 二级指标 (2) → 评估要点 (3). Scores live on level 3;
    the upper levels' max_score is the sum below them. method 'auto' scores from `metric` with
    `rule` (JSON, see app.core.bureau.indicators); 'manual' is scored by people."""
    __tablename__ = "indicator_item"
    template_id: Mapped[str] = mapped_column(ForeignKey("indicator_template.id"))
    parent_id: Mapped[str | None] = mapped_column(String(36))
    level: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    max_score: Mapped[float] = mapped_column(Float, default=0)
    method: Mapped[str] = mapped_column(String(10), default="manual")    # manual | auto
    metric: Mapped[str | None] = mapped_column(String(40))
    rule: Mapped[str | None] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")              # 评分标准/说明
    individual: Mapped[bool] = mapped_column(Boolean, default=False)     # 个性指标
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_indicator_item_template", "template_id", "sort_order"),)


class EvalRound(Synced, Base):
    """An evaluation round (评估批次) the 编办 runs."""
    __tablename__ = "eval_round"
    name: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(24))            # statistics period, e.g. '2026'
    self_deadline: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")      # open | closed
    created_at: Mapped[str] = mapped_column(String(19))


class RoundUnit(Synced, Base):
    """定单: a unit picked for a round with the template it is evaluated by."""
    __tablename__ = "round_unit"
    round_id: Mapped[str] = mapped_column(ForeignKey("eval_round.id"))
    unit_id: Mapped[str] = mapped_column(String(36))
    template_id: Mapped[str] = mapped_column(ForeignKey("indicator_template.id"))
    issued_at: Mapped[str] = mapped_column(String(19))
    __table_args__ = (Index("ix_round_unit", "round_id", "unit_id"),)


class SelfScore(Synced, Base):
    """接单: the unit's self-assessment of one 评估要点 (owned by the unit)."""
    __tablename__ = "self_score"
    round_id: Mapped[str] = mapped_column(ForeignKey("eval_round.id"))
    item_id: Mapped[str] = mapped_column(ForeignKey("indicator_item.id"))
    score: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="[]")   # JSON: files (sha256) and links
    __table_args__ = (Index("ix_self_score_round", "round_id", "item_id"),)


class RoundSubmission(Synced, Base):
    """The unit's 接单 submitted (or recalled) for a round (owned by the unit)."""
    __tablename__ = "round_submission"
    round_id: Mapped[str] = mapped_column(ForeignKey("eval_round.id"))
    submitted_at: Mapped[str | None] = mapped_column(String(19))
    note: Mapped[str] = mapped_column(Text, default="")


class BureauScore(Synced, Base):
    """评单: the 编办's on-site score of one 评估要点 of one unit."""
    __tablename__ = "bureau_score"
    round_id: Mapped[str] = mapped_column(ForeignKey("eval_round.id"))
    unit_id: Mapped[str] = mapped_column(String(36))
    item_id: Mapped[str] = mapped_column(ForeignKey("indicator_item.id"))
    score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_bureau_score_round", "round_id", "unit_id"),)


class Problem(Synced, Base):
    """A problem the 编办 found (评单), with its rectification type and deadline, and the
    编办's verification (用单). The unit's measures and progress are in `rectification`."""
    __tablename__ = "problem"
    round_id: Mapped[str] = mapped_column(ForeignKey("eval_round.id"))
    unit_id: Mapped[str] = mapped_column(String(36))
    item_id: Mapped[str | None] = mapped_column(String(36))
    category: Mapped[str] = mapped_column(String(40))          # seed 004's default list
    description: Mapped[str] = mapped_column(Text)
    rectify_type: Mapped[str] = mapped_column(String(10))      # 立查立改 / 限时整改 / 长期坚持
    deadline: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")      # open | closed
    verified_at: Mapped[str | None] = mapped_column(String(19))
    verify_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(19))
    __table_args__ = (Index("ix_problem_round", "round_id", "unit_id"),)


class Rectification(Synced, Base):
    """改单: the unit's owner, measures and progress on one problem (owned by the unit)."""
    __tablename__ = "rectification"
    problem_id: Mapped[str] = mapped_column(ForeignKey("problem.id"))
    owner: Mapped[str] = mapped_column(String(60), default="")     # 责任人/责任科室
    measures: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="[]")
    done: Mapped[bool] = mapped_column(Boolean, default=False)     # the unit reports it finished
    reported_at: Mapped[str | None] = mapped_column(String(19))
    __table_args__ = (Index("ix_rectification_problem", "problem_id"),)


# ---------------------------------------------------------------- local-only tables
class Outbox(Base):
    """Change log: every write to a synced row appends (table, row id, hlc) in the same
    transaction. A package is the current state of rows changed since the last acknowledged seq."""
    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    hlc: Mapped[str] = mapped_column(String(24))


class Replica(Base):
    """This database file's identity (single row). A 'mirror' is the 编办's copy of one unit
    (one file per unit beside the 编办's own database); its origin is the 编办's."""
    __tablename__ = "replica"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(36))
    edition: Mapped[str] = mapped_column(String(10))       # 'unit' | 'bureau' | 'mirror'
    unit_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[str] = mapped_column(String(19))


class LoginGuard(Base):
    """Failed-login counter and lock, kept per PC."""
    __tablename__ = "login_guard"
    login: Mapped[str] = mapped_column(String(40), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str | None] = mapped_column(String(19))


class LocalDraft(Base):
    """Autosaved editor state of a day's log (JSON), written every few seconds while typing.
    Kept apart from the synced tables so autosave never floods the outbox."""
    __tablename__ = "local_draft"
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[str] = mapped_column(String(26))


class AuditLog(Base):
    """Append-only record of every write, chained by hashes (app.services.org.audit verifies it)."""
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(26))
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(20))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    before_hash: Mapped[str | None] = mapped_column(String(64))
    after_hash: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def synced_models() -> list[type[Base]]:
    return [m.class_ for m in Base.registry.mappers if issubclass(m.class_, Synced)]


SYNCED_TABLES = {m.__tablename__: m for m in synced_models()}
