"""The permission matrix, cell by cell, and the services that enforce it.

The expected table below is written from docs/ARCHITECTURE.md ("People and roles", "Review"), not
copied from app/core/permissions.py: every role × admin flag × action × scope is one test. Cells
where this table and the matrix disagree are listed in DISPUTED with the reason; they run as strict
xfails, so that fixing the matrix (or deciding the table is wrong) has to touch this file.

Then the behaviour: reading unpublished logs, reviewing out of scope, settings and 分管 lines
for non-admins, and the admin flag granting nothing in the review chain.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.core import permissions as perm
from app.core import vocab
from app.core.errors import PermissionDenied
from app.db.models import WorkLog
from app.services.org import accounts, delegation, structure as org, chart as org_chart
from app.services.logs import amend, published
from app.services.review import queue as review
from app.services.review import state as review_state
from app.services.org import unit_settings, settings_change
from tests.unit.review_fixtures import DAY, PASSWORD, TODAY, build_unit, write

# ---------------------------------------------------------------- the expected matrix
# Y = allowed, . = refused. Scopes (where the target lies relative to the actor):
#   self = own records, section = own section, charge = sections in charge (分管), unit = anyone.
# Reasons, from docs/ARCHITECTURE.md ("People and roles", "Review"):
#   log.write          everyone writes only their own log (the principal's needs no review).
#   log.read           unpublished logs: the author, the reviewers of that author (head: own
#                      section; deputy: sections in charge) and the principal (sees everything).
#   log.read_published finally approved logs are published to all members of the unit.
#   log.review         head: the section's staff; deputy: the sections in charge and their heads;
#                      principal: the deputies (and anyone when review.levels = 3); no self-review.
#   review.delegate    only someone with a review queue names a stand-in, for their own queue.
#   reminder.notice    the 通报 of missing logs / overdue reviews is a leader's tool: each reviewer
#                      over their review scope and themselves, the principal over the unit; staff
#                      have none (their own missing log is a reminder, not a 通报).
#   unit.manage        the 单位管理员 flag alone: roster, sections, duties, settings — the whole
#                      unit, so every scope (the admin's own record and section included).
TABLE = """
role      admin  action              self section charge unit
科室人员   no     log.write           Y    .       .      .
科室人员   no     log.read            Y    .       .      .
科室人员   no     log.read_published  Y    Y       Y      Y
科室人员   no     log.review          .    .       .      .
科室人员   no     review.delegate     .    .       .      .
科室人员   no     reminder.notice     .    .       .      .
科室人员   no     unit.manage         .    .       .      .
科室人员   yes    log.write           Y    .       .      .
科室人员   yes    log.read            Y    .       .      .
科室人员   yes    log.read_published  Y    Y       Y      Y
科室人员   yes    log.review          .    .       .      .
科室人员   yes    review.delegate     .    .       .      .
科室人员   yes    reminder.notice     .    .       .      .
科室人员   yes    unit.manage         Y    Y       Y      Y
科室负责人 no     log.write           Y    .       .      .
科室负责人 no     log.read            Y    Y       .      .
科室负责人 no     log.read_published  Y    Y       Y      Y
科室负责人 no     log.review          .    Y       .      .
科室负责人 no     review.delegate     Y    .       .      .
科室负责人 no     reminder.notice     Y    Y       .      .
科室负责人 no     unit.manage         .    .       .      .
科室负责人 yes    log.write           Y    .       .      .
科室负责人 yes    log.read            Y    Y       .      .
科室负责人 yes    log.read_published  Y    Y       Y      Y
科室负责人 yes    log.review          .    Y       .      .
科室负责人 yes    review.delegate     Y    .       .      .
科室负责人 yes    reminder.notice     Y    Y       .      .
科室负责人 yes    unit.manage         Y    Y       Y      Y
分管领导   no     log.write           Y    .       .      .
分管领导   no     log.read            Y    .       Y      .
分管领导   no     log.read_published  Y    Y       Y      Y
分管领导   no     log.review          .    .       Y      .
分管领导   no     review.delegate     Y    .       .      .
分管领导   no     reminder.notice     Y    .       Y      .
分管领导   no     unit.manage         .    .       .      .
分管领导   yes    log.write           Y    .       .      .
分管领导   yes    log.read            Y    .       Y      .
分管领导   yes    log.read_published  Y    Y       Y      Y
分管领导   yes    log.review          .    .       Y      .
分管领导   yes    review.delegate     Y    .       .      .
分管领导   yes    reminder.notice     Y    .       Y      .
分管领导   yes    unit.manage         Y    Y       Y      Y
主要领导   no     log.write           Y    .       .      .
主要领导   no     log.read            Y    Y       Y      Y
主要领导   no     log.read_published  Y    Y       Y      Y
主要领导   no     log.review          .    Y       Y      Y
主要领导   no     review.delegate     Y    .       .      .
主要领导   no     reminder.notice     Y    Y       Y      Y
主要领导   no     unit.manage         .    .       .      .
主要领导   yes    log.write           Y    .       .      .
主要领导   yes    log.read            Y    Y       Y      Y
主要领导   yes    log.read_published  Y    Y       Y      Y
主要领导   yes    log.review          .    Y       Y      Y
主要领导   yes    review.delegate     Y    .       .      .
主要领导   yes    reminder.notice     Y    Y       Y      Y
主要领导   yes    unit.manage         Y    Y       Y      Y
"""

_MANAGE_ALL = ("scopes are exclusive (OrgChart.scope gives the narrowest), so unit.manage on "
               "'unit' alone leaves the admin's own record and section out, e.g. "
               "OrgChart.people_in_scope(admin, unit.manage); latent while the admin services "
               "check Actor.require_admin instead")
# Resolved: ADMIN_GRANTS now names every scope for unit.manage. Kept for future disputes.
DISPUTED: dict[tuple[str, bool, str, str], str] = {}


def _parse(table: str) -> dict[tuple[str, bool, str, str], bool]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    scopes = header[3:]
    cells = {}
    for role, admin, action, *marks in rows:
        assert len(marks) == len(scopes), (role, action)
        for scope, mark in zip(scopes, marks):
            assert mark in ("Y", ".")
            cells[(role, admin == "yes", action, scope)] = mark == "Y"
    return cells


EXPECTED = _parse(TABLE)


def _cell_params():
    for (role, admin, action, scope), want in EXPECTED.items():
        marks = ()
        if (role, admin, action, scope) in DISPUTED:
            marks = pytest.mark.xfail(strict=True, reason=DISPUTED[(role, admin, action, scope)])
        yield pytest.param(role, admin, action, scope, want, marks=marks,
                           id=f"{role}-{'admin' if admin else 'user'}-{action}-{scope}")


def test_the_table_covers_every_cell_of_the_matrix():
    assert set(perm.SCOPES) == {"self", "section", "charge", "unit"}
    expected_keys = {(r, a, act, s) for r in vocab.ROLES for a in (False, True)
                     for act in perm.ACTIONS for s in perm.SCOPES}
    assert set(EXPECTED) == expected_keys            # a new action or scope needs a row here
    assert len(EXPECTED) == 4 * 2 * 7 * 4
    assert set(DISPUTED) <= expected_keys


@pytest.mark.parametrize("role, is_admin, action, scope, want", list(_cell_params()))
def test_matrix_cell(role, is_admin, action, scope, want):
    assert perm.allowed(role, is_admin, action, scope) is want


def test_unknown_roles_actions_and_scopes_are_refused():
    assert not perm.allowed("单位管理员", False, perm.READ_LOG, perm.SELF)
    assert not perm.allowed(vocab.ROLE_PRINCIPAL, True, "log.delete", perm.UNIT)
    assert not perm.allowed(vocab.ROLE_PRINCIPAL, True, perm.READ_LOG, "county")


def test_every_action_has_a_chinese_denial_message():
    for action in perm.ACTIONS:
        message = perm.denial_message(action)
        assert message and any("\u4e00" <= c <= "\u9fff" for c in message)


# ---------------------------------------------------------------- enforced by the services
@pytest.fixture
def unit(unit_db, admin):
    return build_unit(unit_db, admin)


def stored(unit, log_id: str) -> WorkLog:
    with unit.db.read() as s:
        return s.get(WorkLog, log_id)


def readers(unit, log_id: str) -> set[str]:
    """Logins (of the fixture roster) that require_read lets through."""
    log = stored(unit, log_id)
    ok = set()
    for login, actor in unit.people.items():
        try:
            published.require_read(unit.db, actor, log)
        except PermissionDenied:
            continue
        ok.add(login)
    return ok


def test_a_submitted_log_is_read_by_its_author_and_reviewers_scopes_and_the_principal(unit):
    staff_log = write(unit, "staff1")                       # 食品安全科, in dep1's charge
    assert readers(unit, staff_log.log_id) == {"staff1", "head1", "dep1", "boss"}
    office_log = write(unit, "staff3")                      # 办公室, in dep2's charge
    assert readers(unit, office_log.log_id) == {"staff3", "head2", "dep2", "boss"}
    head_log = write(unit, "head1")
    assert readers(unit, head_log.log_id) == {"head1", "dep1", "boss"}
    deputy_log = write(unit, "dep1")
    assert readers(unit, deputy_log.log_id) == {"dep1", "boss"}


def test_staff_cannot_read_a_colleagues_submitted_log_nor_its_history(unit):
    log = write(unit, "staff1")
    with pytest.raises(PermissionDenied, match="无权查看"):
        published.require_read(unit.db, unit["staff2"], stored(unit, log.log_id))
    with pytest.raises(PermissionDenied):
        amend.history(unit.db, unit["staff2"], log.log_id)
    assert amend.history(unit.db, unit["head1"], log.log_id)[-1].entries   # the head may


def test_returned_logs_stay_in_the_reviewers_scope(unit):
    log = write(unit, "staff1")
    review.return_log(unit.db, unit["head1"], log.log_id, "请写明检查对象", today=TODAY)
    assert stored(unit, log.log_id).status == vocab.LOG_RETURNED
    assert readers(unit, log.log_id) == {"staff1", "head1", "dep1", "boss"}


def test_drafts_are_for_their_author_only(unit):
    draft = write(unit, "staff1", submit=False)
    assert readers(unit, draft.log_id) == {"staff1"}
    with pytest.raises(PermissionDenied, match="草稿"):
        published.require_read(unit.db, unit["boss"], stored(unit, draft.log_id))
    with pytest.raises(PermissionDenied, match="草稿"):
        published.require_read(unit.db, unit.admin, stored(unit, draft.log_id))


def test_approved_logs_are_published_to_everyone(unit):
    log = write(unit, "staff1")
    review.approve(unit.db, unit["head1"], log.log_id, today=TODAY)
    assert review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY).final
    assert readers(unit, log.log_id) == set(unit.people)
    published.require_read(unit.db, unit.admin, stored(unit, log.log_id))
    for actor in [*unit.people.values(), unit.admin]:
        assert published.browse(unit.db, actor)[1] == 1


def test_nobody_approves_or_returns_outside_their_scope(unit):
    log = write(unit, "staff1")
    for login in ("staff2", "staff3", "head2", "dep1", "dep2", "boss"):   # level 1 is head1's
        with pytest.raises(PermissionDenied, match="无权审阅"):
            review.approve(unit.db, unit[login], log.log_id, today=TODAY)
        with pytest.raises(PermissionDenied):
            review.return_log(unit.db, unit[login], log.log_id, "不同意", today=TODAY)
    with pytest.raises(PermissionDenied):
        review.approve(unit.db, unit.admin, log.log_id, today=TODAY)
    review.approve(unit.db, unit["head1"], log.log_id, today=TODAY)
    for login in ("head1", "head2", "dep2", "boss", "staff2"):            # level 2 is dep1's
        with pytest.raises(PermissionDenied):
            review.approve(unit.db, unit[login], log.log_id, today=TODAY)
    assert review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY).final


def test_a_batch_with_one_log_out_of_scope_approves_nothing(unit):
    mine = write(unit, "staff1")
    other = write(unit, "staff3")
    with pytest.raises(PermissionDenied):
        review.approve_many(unit.db, unit["head1"], [mine.log_id, other.log_id], today=TODAY)
    assert stored(unit, mine.log_id).pending_level == 1
    assert [i.log_id for i in review.queue(unit.db, unit["head1"], today=TODAY)] == [mine.log_id]


def test_queues_hold_only_what_the_actor_may_review(unit):
    for login in ("staff1", "staff2", "staff3", "head1", "head2", "dep1", "dep2"):
        write(unit, login)

    def queued(login):
        return sorted(i.author_login for i in review.queue(unit.db, unit[login], today=TODAY))
    assert queued("head1") == ["staff1", "staff2"]
    assert queued("head2") == ["staff3"]
    assert queued("dep1") == ["head1"]
    assert queued("dep2") == ["head2"]
    assert queued("boss") == ["dep1", "dep2"]
    for login in ("staff1", "staff2", "staff3"):
        assert queued(login) == []
    assert review.queue(unit.db, unit.admin, today=TODAY) == []


def test_non_admins_cannot_change_settings_or_charges(unit):
    for login in ("boss", "dep1", "head1", "staff1"):
        with pytest.raises(PermissionDenied, match="管理员"):
            settings_change.set_value(unit.db, unit[login], "review.levels", "1")
        with pytest.raises(PermissionDenied, match="管理员"):
            org.set_section_charges(unit.db, unit[login], "dep1", ["办公室"])
    assert unit_settings.get(unit.db, "review.levels") == 2
    assert org_chart.load(unit.db).deputies == {
        unit["staff1"].section_id: unit["dep1"].person_id,
        unit["staff3"].section_id: unit["dep2"].person_id}
    settings_change.set_value(unit.db, unit.admin, "review.levels", "1")      # the admin may
    assert unit_settings.get(unit.db, "review.levels") == 1


def _add(unit, login, name, role, section, is_admin=False):
    accounts.add_user(unit.db, unit.admin, accounts.NewUser(
        login, name, PASSWORD, role=role, section=section, is_admin=is_admin, must_change=False))
    return accounts.login(unit.db, login, PASSWORD)


def test_the_admin_flag_alone_grants_no_review_or_reading_rights(unit):
    clerk = _add(unit, "clerk", "吴管理", vocab.ROLE_STAFF, "食品安全科", is_admin=True)
    log = write(unit, "staff1")
    with pytest.raises(PermissionDenied):
        published.require_read(unit.db, clerk, stored(unit, log.log_id))
    with pytest.raises(PermissionDenied):
        published.require_read(unit.db, unit.admin, stored(unit, log.log_id))
    for actor in (clerk, unit.admin):
        with pytest.raises(PermissionDenied):
            review.approve(unit.db, actor, log.log_id, today=TODAY)
        with pytest.raises(PermissionDenied):
            delegation.set_delegation(unit.db, actor, "staff2", TODAY, TODAY)
        assert review.queue(unit.db, actor, today=TODAY) == []
    # and an admin flag on a section head takes nothing away from the head
    head3_admin = _add(unit, "head3", "钱科长", vocab.ROLE_SECTION_HEAD, "办公室", is_admin=True)
    office = write(unit, "staff3")
    chart = org_chart.load(unit.db)
    assert chart.heads[unit["staff3"].section_id] == unit["head2"].person_id  # first by login
    with pytest.raises(PermissionDenied):                    # not the head the chain names
        review.approve(unit.db, head3_admin, office.log_id, today=TODAY)


def test_staff_cannot_delegate_and_reviewers_delegate_only_their_own_queue(unit):
    with pytest.raises(PermissionDenied, match="审阅人"):
        delegation.set_delegation(unit.db, unit["staff1"], "staff2", TODAY, TODAY)
    delegation.set_delegation(unit.db, unit["head1"], "staff2", TODAY, TODAY)
    log = write(unit, "staff3")                               # another section
    assert review.queue(unit.db, unit["staff2"], today=TODAY) == []
    with pytest.raises(PermissionDenied):
        review.approve(unit.db, unit["staff2"], log.log_id, today=TODAY)


def test_people_in_scope_follow_the_matrix(unit):
    chart = org_chart.load(unit.db)

    def logins(login, action):
        return {p.login for p in chart.people_in_scope(unit[login].person_id, action)}
    assert logins("staff1", perm.READ_LOG) == {"staff1"}
    assert logins("head1", perm.READ_LOG) == {"head1", "staff1", "staff2"}
    assert logins("dep1", perm.READ_LOG) == {"dep1", "head1", "staff1", "staff2"}
    assert logins("boss", perm.READ_LOG) == set(chart.persons[p].login for p in chart.persons)
    assert logins("head2", perm.REVIEW) == {"staff3"}
    assert logins("staff2", perm.REVIEW) == set()


def test_a_deputy_listed_in_a_section_they_are_in_charge_of_still_reviews_it(unit):
    dep3 = _add(unit, "dep3", "钱副局长", vocab.ROLE_DEPUTY, "办公室")
    org.set_section_charges(unit.db, unit.admin, "dep2", [])
    org.set_section_charges(unit.db, unit.admin, "dep3", ["办公室"])
    log = write(unit, "staff3")
    review.approve(unit.db, unit["head2"], log.log_id, today=TODAY)
    published.require_read(unit.db, dep3, stored(unit, log.log_id))
    assert [i.author_login for i in review.queue(unit.db, dep3, today=TODAY)] == ["staff3"]
    assert review.approve(unit.db, dep3, log.log_id, today=TODAY).final


def test_levels_three_lets_the_principal_review_staff_but_never_a_stranger_level(unit):
    settings_change.set_value(unit.db, unit.admin, "review.levels", "3")
    log = write(unit, "staff1", day=DAY - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):                    # level 1 is still the head's
        review.approve(unit.db, unit["boss"], log.log_id, today=TODAY)
    review.approve(unit.db, unit["head1"], log.log_id, today=TODAY)
    review.approve(unit.db, unit["dep1"], log.log_id, today=TODAY)
    published.require_read(unit.db, unit["boss"], stored(unit, log.log_id))
    assert review.approve(unit.db, unit["boss"], log.log_id, today=TODAY).final
    with unit.db.read() as s:
        assert s.scalar(select(WorkLog.status).where(WorkLog.id == log.log_id)) == "approved"


def test_an_approval_that_only_a_shorter_chain_gave_is_withdrawn_with_it(unit):
    """Lowering review.levels approves a log whose remaining levels no longer exist; raising it
    again reopens that log for the deputy — the same state a recomputation from the data gives
    (a later save or sync merge), so no reviewer's turn is skipped for good."""
    def state(log_id):
        with unit.db.read() as s:
            return s.execute(select(WorkLog.status, WorkLog.pending_level)
                             .where(WorkLog.id == log_id)).one()
    half = write(unit, "staff1")
    review.approve(unit.db, unit["head1"], half.log_id, today=TODAY)
    done = write(unit, "staff2")
    review.approve(unit.db, unit["head1"], done.log_id, today=TODAY)
    review.approve(unit.db, unit["dep1"], done.log_id, today=TODAY)
    boss = write(unit, "boss")
    settings_change.set_value(unit.db, unit.admin, "review.levels", "1")
    assert tuple(state(half.log_id)) == ("approved", 0)
    settings_change.set_value(unit.db, unit.admin, "review.levels", "2")
    assert tuple(state(half.log_id)) == ("submitted", 2)
    assert [i.log_id for i in review.queue(unit.db, unit["dep1"], today=TODAY)] == [half.log_id]
    assert tuple(state(done.log_id)) == tuple(state(boss.log_id)) == ("approved", 0)
    with unit.db.session() as s:                        # recomputing changes nothing
        review_state.refresh_for(unit.db, s, [half.log_id, done.log_id, boss.log_id])
    assert tuple(state(half.log_id)) == ("submitted", 2)
    assert tuple(state(done.log_id)) == tuple(state(boss.log_id)) == ("approved", 0)
