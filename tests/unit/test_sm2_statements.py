"""Personal signatures in SM2 when the county chose 国密 (issue 19): new statements are SM2 over
SM3 with a key derived from the person's Ed25519 key and endorsed by it; both ends verify them,
Ed25519 and SM2 statements side by side, with either SM2 backend; what an insider edits is
named exactly as on the Ed25519 path."""
from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from app.core import gm, signing, vocab
from app.core.logrules import EntryDraft, content_hash as log_hash
from app.core.metrics import parse_period
from app.db.models import EntryText, LogEntry, Person, PersonKey, ReviewAction, SignedStatement, WorkLog
from app.services.exchange import suite_choice
from app.services.org.actor import SYSTEM
from app.services.signing import verify
from app.services.stats import compute as stats
from tests.unit.sync_fixtures import DAYS, TODAY, actor_for, approve, build_world, write_log

OCTOBER = parse_period("2026-10")
# the SM2 implementations that verify: gmalg, gmssl-fast, and the system's OpenSSL (verify only)
BACKENDS = (["pure"] + (["fast"] if gm.backend().name == "fast" else [])
            + (["openssl"] if gm._openssl() is not None else []))


@pytest.fixture
def use_backend(monkeypatch):
    """Make `name` the SM2 backend of the program (as LZKP_SM2_BACKEND does at start) and forget
    the signatures verified so far, so the next check runs on it."""
    def use(name: str) -> None:
        monkeypatch.setenv("LZKP_SM2_BACKEND", name)
        gm.backend.cache_clear()
        verify._verified.clear()
        assert gm.verifier().name == name
    yield use
    monkeypatch.delenv("LZKP_SM2_BACKEND", raising=False)
    gm.backend.cache_clear()
    verify._verified.clear()


def _world(tmp_path, family: str):
    """A unit whose Ed25519 statements reached the 编办, then (guomi) the 编办 chose 国密 and its
    下发包 told the unit; then zs submits DAYS[3], ld approves it and ls submits DAYS[2]."""
    world = build_world(tmp_path / "w", keys=("a",))
    assert world.receive(world.report("a"))[0].status == "imported"
    if family == "guomi":
        suite_choice.set_county_family(world.bureau, SYSTEM, "guomi")
        assert world.unit_receives("a", world.dispatch("a"))[0].status == "imported"
    unit = world.units["a"]
    assert suite_choice.family_in_use(unit) == family
    write_log(unit, "zs", DAYS[3], "检查辖区农贸市场")
    approve(unit, "ld", "zs", DAYS[3])
    write_log(unit, "ls", DAYS[2], "办理个体工商户登记5件")
    return world


@pytest.fixture
def guomi(tmp_path):
    world = _world(tmp_path, "guomi")
    yield world
    world.close()


def _person_id(db, login: str) -> str:
    with db.read() as s:
        return s.scalar(select(Person.id).where(Person.login == login))


def _hours(db, login: str) -> float:
    return {f.login: f for f in stats.unit_stats(db, OCTOBER, "person", today=TODAY)}[login].logged_hours


def _statement_of(s, db, login: str, day) -> SignedStatement:
    log = s.scalar(select(WorkLog).where(WorkLog.person_id == _person_id(db, login),
                                         WorkLog.day == day.isoformat()))
    return s.get(SignedStatement, log.signature_id)


@pytest.mark.parametrize("name", BACKENDS)
def test_a_guomi_unit_signs_in_sm2_and_both_ends_verify_mixed_statements(guomi, use_backend, name):
    use_backend(name)
    unit = guomi.units["a"]
    with unit.read() as s:
        by_alg = sorted(a for (a,) in s.execute(select(SignedStatement.alg)))
        zs_key = s.get(PersonKey, _statement_of(s, unit, "zs", DAYS[3]).key_id)
        new = _statement_of(s, unit, "zs", DAYS[3])
    assert new.alg == "sm2"
    assert (by_alg.count("ed25519"), by_alg.count("sm2")) == (7, 3)    # before and after 国密
    zs = actor_for(unit, "zs").signer
    assert zs_key.sm2_public == zs.sm2_public() and zs_key.sm2_endorsement == zs.sm2_endorsement()
    raw = base64.b64decode(new.value)
    assert len(raw) == gm.SIGNATURE_LENGTH and gm.verify(
        base64.b64decode(zs_key.sm2_public),
        signing.message(new.id, new.person_id, new.key_id, new.kind, new.created_at, new.items, "sm2"),
        raw)

    assert verify.check_all(unit).findings == []
    verify._verified.clear()
    [result] = guomi.receive(guomi.report("a"))
    assert result.status == "imported" and result.invalid_logs == [], result.message
    mirror = guomi.mirror("a")
    verify._verified.clear()
    assert verify.check_all(mirror).findings == []
    assert _hours(mirror, "zs") == _hours(unit, "zs") == 30.0      # 3 Ed25519-approved + 1 SM2


def test_one_import_holds_ed25519_and_sm2_statements_and_all_verify(tmp_path, use_backend):
    use_backend(BACKENDS[-1])
    world = build_world(tmp_path / "w", keys=("a",))          # Ed25519 statements, not reported
    try:
        unit = world.units["a"]
        with unit.session(SYSTEM) as s:                         # the 编办's 注册包 said 国密
            from app.db.models import Peer
            s.scalar(select(Peer).where(Peer.kind == "bureau")).suite_family = "guomi"
        write_log(unit, "zs", DAYS[3], "检查辖区农贸市场")
        approve(unit, "ld", "zs", DAYS[3])
        with unit.read() as s:
            assert {a for (a,) in s.execute(select(SignedStatement.alg))} == {"ed25519", "sm2"}
        [result] = world.receive(world.report("a"))
        assert result.status == "imported" and result.invalid_logs == [], result.message
        assert _hours(world.mirror("a"), "zs") == 30.0
    finally:
        world.close()


@pytest.mark.skipif(len(BACKENDS) < 2, reason="only the pure SM2 backend here")
def test_statements_signed_with_one_backend_verify_with_the_other(tmp_path, use_backend):
    world = None
    try:
        use_backend("pure")
        world = _world(tmp_path, "guomi")                      # signed by the pure backend
        for name in BACKENDS[1:]:
            use_backend(name)
            assert verify.check_all(world.units["a"]).findings == []
        use_backend(BACKENDS[1])
        write_log(world.units["a"], "ls", DAYS[4], "起草月度工作总结")   # signed by the other
        use_backend("pure")
        assert verify.check_all(world.units["a"]).findings == []
        [result] = world.receive(world.report("a"))
        assert result.status == "imported" and result.invalid_logs == [], result.message
    finally:
        if world is not None:
            world.close()


# ---------------------------------------------------------------- what an insider edits
def _forge_key(unit, login: str, day) -> None:
    """Replace the person's SM2 key with one of the insider's (no endorsement by their Ed25519
    key can be made) and sign the statement anew with it."""
    forged = gm.new_private()
    with unit.session(SYSTEM) as s:
        st = _statement_of(s, unit, login, day)
        key = s.get(PersonKey, st.key_id)
        key.sm2_public = base64.b64encode(gm.public_of(forged)).decode()
        st.value = base64.b64encode(gm.sign(forged, signing.message(
            st.id, st.person_id, st.key_id, st.kind, st.created_at, st.items, "sm2"))).decode()


def _change_line(unit, login: str, day) -> None:
    """Double the log's hours and make every hash agree again — the log's, its approvals' and
    the line its statement holds: only the signature can tell."""
    with unit.session(SYSTEM) as s:
        log = s.scalar(select(WorkLog).where(WorkLog.person_id == _person_id(unit, login),
                                             WorkLog.day == day.isoformat()))
        entries = list(s.scalars(select(LogEntry).where(LogEntry.log_id == log.id)))
        for e in entries:
            e.hours *= 2
        drafts = [EntryDraft(e.hours, e.category, s.get(EntryText, e.id).content) for e in entries]
        old, log.content_hash = log.content_hash, log_hash(log.day_state, drafts)
        for a in s.scalars(select(ReviewAction).where(ReviewAction.content_hash == old)):
            a.content_hash = log.content_hash
        for st in s.scalars(select(SignedStatement).where(SignedStatement.items.contains(old))):
            st.items = st.items.replace(old, log.content_hash)


def _another_persons_key(unit, login: str, day) -> None:
    """Sign the person's statement anew with another person's (ls's) key."""
    other = actor_for(unit, "ls").signer
    with unit.session(SYSTEM) as s:
        st = _statement_of(s, unit, login, day)
        msg = signing.message(st.id, st.person_id, st.key_id, st.kind, st.created_at, st.items, st.alg)
        st.value = (base64.b64encode(gm.sign(other.sm2_private(), msg)).decode() if st.alg == "sm2"
                    else base64.b64encode(other.private.sign(msg)).decode())


def _another_persons_endorsed_key(unit, login: str, day) -> None:
    """As above, and put ls's SM2 key with its (valid, but ls's) endorsement on zs's key row."""
    _another_persons_key(unit, login, day)
    other = actor_for(unit, "ls").signer
    with unit.session(SYSTEM) as s:
        key = s.get(PersonKey, _statement_of(s, unit, login, day).key_id)
        key.sm2_public, key.sm2_endorsement = other.sm2_public(), other.sm2_endorsement()


FORGERIES = {"forged_key": _forge_key, "changed_line": _change_line,
             "another_persons_key": _another_persons_key,
             "another_persons_endorsed_key": _another_persons_endorsed_key}
EXPECTED = [f"张三 {DAYS[3].isoformat()}：提交签名无效"]


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("name", BACKENDS)
def test_what_an_insider_edits_in_sm2_statements_is_named_at_both_ends(guomi, use_backend, name,
                                                                       forgery):
    use_backend(name)
    unit = guomi.units["a"]
    FORGERIES[forgery](unit, "zs", DAYS[3])
    assert [f.text() for f in verify.check_all(unit).findings] == EXPECTED
    assert _hours(unit, "zs") == 22.5                # the SM2-signed day counts no more
    verify._verified.clear()
    [result] = guomi.receive(guomi.report("a"))
    assert result.status == "imported", result.message
    assert result.invalid_logs == EXPECTED
    with guomi.mirror("a").read() as s:
        status = s.scalar(select(WorkLog.status).where(WorkLog.day == DAYS[3].isoformat(),
                                                       WorkLog.person_id == _person_id(unit, "zs")))
    assert status == vocab.LOG_INVALID
    assert _hours(guomi.mirror("a"), "ls") == 0      # ls's honest SM2 submission: not approved
    assert verify.check_all(guomi.mirror("a")).findings[0].text() == EXPECTED[0]


@pytest.mark.parametrize("forgery", ["changed_line", "another_persons_key"])
def test_the_ed25519_path_reports_the_same_findings(tmp_path, forgery):
    world = _world(tmp_path, "classic")
    try:
        unit = world.units["a"]
        with unit.read() as s:
            assert _statement_of(s, unit, "zs", DAYS[3]).alg == "ed25519"
        FORGERIES[forgery](unit, "zs", DAYS[3])
        assert [f.text() for f in verify.check_all(unit).findings] == EXPECTED
        [result] = world.receive(world.report("a"))
        assert result.invalid_logs == EXPECTED
    finally:
        world.close()


def test_an_unknown_algorithm_or_a_statement_without_the_sm2_key_does_not_verify(guomi):
    unit = guomi.units["a"]
    with unit.session(SYSTEM) as s:
        st = _statement_of(s, unit, "zs", DAYS[3])
        st.alg = "sm9"
    assert [f.text() for f in verify.check_all(unit).findings] == EXPECTED
    with unit.session(SYSTEM) as s:
        st = _statement_of(s, unit, "zs", DAYS[3])
        st.alg = "sm2"
        s.get(PersonKey, st.key_id).sm2_public = None
    assert [f.text() for f in verify.check_all(unit).findings] == EXPECTED
