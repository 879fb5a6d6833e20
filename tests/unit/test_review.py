"""The review chain end to end at the service level: queues, approvals, returns, locking,
recall, amendments with versions, delegation, levels, and the audit trail."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from app.core.errors import AppError, PermissionDenied, ValidationError
from app.db.models import ReviewAction
from app.services.logs import amend, daily as logs, published
from app.services.org import audit, delegation, settings_change
from app.services.review import queue as review
from tests.unit.review_fixtures import DAY, TODAY, build_unit, write


@pytest.fixture
def unit(unit_db, admin):
    return build_unit(unit_db, admin)


def queue_of(unit, login, **kw):
    return review.queue(unit.db, unit[login], today=TODAY, **kw)


def test_staff_log_goes_head_then_deputy_and_is_then_locked_and_published(unit):
    log = write(unit, "staff1")
    assert log.state == "submitted" and log.pending_level == 1
    assert [i.author_login for i in queue_of(unit, "head1")] == ["staff1"]
    assert queue_of(unit, "dep1") == [] and queue_of(unit, "head2") == []

    first = review.approve(unit.db, unit["head1"], log.log_id, "同意", today=TODAY)
    assert (first.final, first.status) == (False, "submitted")
    assert queue_of(unit, "head1") == []
    [item] = queue_of(unit, "dep1")
    assert (item.level, item.chain_len) == (2, 2)

    final = review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY)
    assert (final.final, final.status) == (True, "approved")
    day = logs.load_day(unit.db, unit["staff1"], DAY)
    assert day.state == "approved" and not day.editable
    with pytest.raises(AppError, match="申请修改"):
        write(unit, "staff1", content="改动")
    with pytest.raises(AppError):
        logs.recall_day(unit.db, unit["staff1"], DAY)
    entries, total = published.browse(unit.db, unit["staff3"])      # another section reads it
    assert total == 1 and entries[0].login == "staff1"


def test_head_deputy_and_principal_chains(unit):
    for login in ("head1", "dep1", "boss"):
        write(unit, login)
    assert [i.author_login for i in queue_of(unit, "dep1")] == ["head1"]
    assert [i.author_login for i in queue_of(unit, "boss")] == ["dep1"]
    assert logs.load_day(unit.db, unit["boss"], DAY).state == "approved"   # needs no review
    log_id = review.find_log(unit.db, "head1", DAY)
    assert review.approve(unit.db, unit["dep1"], log_id, today=TODAY).final


def test_levels_setting_changes_the_chain(unit):
    settings_change.set_value(unit.db, unit.admin, "review.levels", "1")
    log = write(unit, "staff1")
    assert review.approve(unit.db, unit["head1"], log.log_id, today=TODAY).final
    settings_change.set_value(unit.db, unit.admin, "review.levels", "3")
    log2 = write(unit, "staff2")
    for login in ("head1", "dep1"):
        assert not review.approve(unit.db, unit[login], log2.log_id, today=TODAY).final
    assert review.approve(unit.db, unit["boss"], log2.log_id, today=TODAY).final
    with pytest.raises(ValidationError):
        settings_change.set_value(unit.db, unit.admin, "review.levels", "4")


def test_return_needs_a_reason_and_the_author_resubmits(unit):
    log = write(unit, "staff1")
    with pytest.raises(ValidationError, match="退回理由"):
        review.return_log(unit.db, unit["head1"], log.log_id, "  ", today=TODAY)
    review.return_log(unit.db, unit["head1"], log.log_id, "内容过于笼统，请写明检查对象", today=TODAY)
    returned = logs.load_day(unit.db, unit["staff1"], DAY)
    assert returned.state == "returned" and returned.editable
    assert returned.return_reason == "内容过于笼统，请写明检查对象"
    assert queue_of(unit, "head1") == []
    # resubmitting the very same content starts a new round: the old return no longer applies
    again = logs.submit_day(unit.db, unit["staff1"], DAY, today=TODAY)
    assert again.state == "submitted" and again.pending_level == 1
    assert [i.author_login for i in queue_of(unit, "head1")] == ["staff1"]


def test_recall_only_before_the_first_review(unit):
    log = write(unit, "staff1")
    assert logs.recall_day(unit.db, unit["staff1"], DAY).state == "draft"
    log = logs.submit_day(unit.db, unit["staff1"], DAY, today=TODAY)
    review.approve(unit.db, unit["head1"], log.log_id, today=TODAY)
    with pytest.raises(AppError, match="撤回"):
        logs.recall_day(unit.db, unit["staff1"], DAY)


def test_nobody_reviews_their_own_log_or_out_of_turn(unit):
    log = write(unit, "staff1")
    with pytest.raises(PermissionDenied):
        review.approve(unit.db, unit["staff1"], log.log_id, today=TODAY)
    with pytest.raises(PermissionDenied):            # the deputy's turn has not come
        review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY)
    with pytest.raises(PermissionDenied):            # another section's head
        review.approve(unit.db, unit["head2"], log.log_id, today=TODAY)
    own = write(unit, "head1")
    with pytest.raises(PermissionDenied, match="本人"):
        review.approve(unit.db, unit["head1"], own.log_id, today=TODAY)


def test_approval_names_the_version_and_hash_it_approved(unit):
    log = write(unit, "staff1")
    review.approve(unit.db, unit["head1"], log.log_id, today=TODAY)
    with unit.db.read() as s:
        action = s.scalar(select(ReviewAction))
        stored = s.execute(text("select content_hash, version, round from work_log")).one()
    assert (action.content_hash, action.version, action.round) == tuple(stored)
    assert action.reviewer_id == unit["head1"].person_id and action.level == 1


def test_amendment_goes_through_the_chain_again_and_keeps_both_versions(unit):
    log = write(unit, "staff1", content="检查超市3家")
    review.approve(unit.db, unit["head1"], log.log_id, today=TODAY)
    review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY)
    with pytest.raises(ValidationError):
        amend.start_amendment(unit.db, unit["staff1"], DAY, "")
    amend.start_amendment(unit.db, unit["staff1"], DAY, "检查家数写错")
    editing = logs.load_day(unit.db, unit["staff1"], DAY)
    assert editing.state == "draft" and editing.version == 2 and editing.amend_reason == "检查家数写错"
    assert published.browse(unit.db, unit["staff3"])[1] == 0       # out of the published set
    write(unit, "staff1", content="检查超市5家")
    assert [i.version for i in queue_of(unit, "head1")] == [2]
    review.approve(unit.db, unit["head1"], log.log_id, today=TODAY)
    assert review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY).final
    versions = amend.history(unit.db, unit["staff1"], log.log_id)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].entries[0].content == "检查超市3家" and versions[0].reason == "检查家数写错"
    assert len(versions[0].reviews) == 2 and "终审" in versions[0].reviews[1]
    lines = amend.diff(unit.db, versions[0], versions[1])
    assert any(l.startswith("-") and "3家" in l for l in lines)
    assert any(l.startswith("+") and "5家" in l for l in lines)


def test_delegation_lets_a_stand_in_review_for_the_dates_only(unit):
    log = write(unit, "staff1")
    with pytest.raises(PermissionDenied):
        delegation.set_delegation(unit.db, unit["staff2"], "staff1", TODAY, TODAY)  # staff: no queue
    with pytest.raises(ValidationError):
        delegation.set_delegation(unit.db, unit["head1"], "head1", TODAY, TODAY)
    delegation.set_delegation(unit.db, unit["head1"], "staff2", TODAY, TODAY + dt.timedelta(days=2))
    [item] = queue_of(unit, "staff2")
    assert item.on_behalf_of == "张科长"
    assert review.queue(unit.db, unit["staff2"], today=TODAY + dt.timedelta(days=3)) == []
    decision = review.approve(unit.db, unit["staff2"], log.log_id, today=TODAY)
    with unit.db.read() as s:
        action = s.scalar(select(ReviewAction))
    assert action.reviewer_id == unit["staff2"].person_id
    assert action.on_behalf_of == unit["head1"].person_id and not decision.final
    own = write(unit, "staff2", day=DAY - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):   # a stand-in still never reviews their own log
        review.approve(unit.db, unit["staff2"], own.log_id, today=TODAY)


def test_approve_all_unflagged_approves_only_clean_logs_in_the_filter(unit):
    clean = write(unit, "staff1")
    vague = write(unit, "staff2", content="开会", hours=8)
    targets = review.unflagged(unit.db, unit["head1"], today=TODAY)
    assert [i.log_id for i in targets] == [clean.log_id]
    decisions = review.approve_all_unflagged(unit.db, unit["head1"], today=TODAY)
    assert [d.log_id for d in decisions] == [clean.log_id]
    [left] = queue_of(unit, "head1")
    assert left.log_id == vague.log_id and left.flags


def test_audit_trail_verifies_and_reports_the_first_tampered_record(unit):
    log = write(unit, "staff1")
    review.approve(unit.db, unit["head1"], log.log_id, today=TODAY)
    report = audit.verify(unit.db)
    assert report.problem is None and report.records > 20
    with unit.db.read() as s:
        actors = {r for (r,) in s.execute(text("select distinct actor from audit_log"))}
    assert {"admin", "staff1", "head1"} <= actors
    import sqlite3
    conn = sqlite3.connect(unit.db.path)
    seq = conn.execute("select seq from audit_log where actor='head1' order by seq limit 1").fetchone()[0]
    conn.execute("update audit_log set actor='staff2' where seq=?", (seq,))
    conn.commit()
    conn.close()
    broken = audit.verify(unit.db)
    assert broken.problem and f"第{seq}条" in broken.problem


def test_a_stand_in_who_is_also_the_next_reviewer_cannot_fill_both_levels(unit):
    log = write(unit, "staff1")
    delegation.set_delegation(unit.db, unit["head1"], "dep1", TODAY, TODAY)
    assert not review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY).final  # as 代审
    assert queue_of(unit, "dep1") == []
    with pytest.raises(PermissionDenied, match="两级"):
        review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY)
