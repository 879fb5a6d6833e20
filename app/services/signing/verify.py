"""Which logs count: checking the signatures behind every submitted log, at the 编办's import and
before the unit's own statistics (docs/ARCHITECTURE.md "Signatures").

A submitted log counts only when
- its entries still hash to the content hash it carries (nothing edited under it),
- its author signed exactly that submission (log, day, round, version, hash) with a key that is
  the author's, and
- its review status follows from review actions each signed by its reviewer: the status is
  derived again from the verifiable actions alone and must equal the stored one.
A log failing any of these gets the derived status 签名无效 ('invalid'), which no figure counts,
and the reason is named. The status is set back once the log verifies again (an amendment
signed anew). Signatures already checked in this process are remembered by their exact bytes,
so a page refresh checks only what is new.

A statement is signed with Ed25519 or, in a 国密 county, with SM2 (`alg`); an SM2 one counts only
when its key row's SM2 key is endorsed by the row's Ed25519 key (checked once per key and run),
so a county that switches mid-month has both kinds, and both verify.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from app.core import review, signing, vocab
from app.core.logchecks import StoredAction, StoredLog
from app.db.engine import in_chunks
from app.services.logs import stored
from app.services.org import chart as org_chart, unit_settings
from app.services.review import state as review_state
from app.services.review.state import review_length
from app.services.signing.statements import action_line, submission_line

LOG_INVALID = vocab.LOG_INVALID
_verified: set[bytes] = set()       # digests of (key, message, signature) that verified


@dataclass
class Finding:
    log_id: str
    person_id: str
    name: str
    day: str
    reason: str

    def text(self) -> str:
        return f"{self.name} {self.day}：{self.reason}"


@dataclass
class Verdicts:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    # month → (logs checked, findings): what check_span remembers per month
    per_month: dict[int, tuple[int, list[Finding]]] = field(default_factory=dict, repr=False)

    def summary(self, shown: int = 5) -> str:
        """签名无效 3 篇：张三 2026-11-03：…；… (empty when all verified)."""
        if not self.findings:
            return ""
        named = "；".join(f.text() for f in self.findings[:shown])
        more = f"等共{len(self.findings)}篇" if len(self.findings) > shown else ""
        return f"签名无效{len(self.findings)}篇，不计入统计：{named}{more}"


class _Statements:
    """Signed statements and person keys read once per check, each signature verified once."""

    def __init__(self, conn, ids: set[str]):
        self.rows: dict[str, tuple] = {}
        for chunk in in_chunks(sorted(i for i in ids if i)):
            marks = ", ".join("?" * len(chunk))
            for row in conn.exec_driver_sql(
                    "SELECT s.id, s.person_id, s.key_id, s.kind, s.items, s.value, s.created_at, "
                    "k.person_id, k.public_key, s.alg, k.sm2_public, k.sm2_endorsement "
                    f"FROM signed_statement s LEFT JOIN person_key k "
                    f"ON k.id = s.key_id AND k.deleted = 0 WHERE s.id IN ({marks}) AND s.deleted = 0",
                    tuple(chunk)):
                self.rows[row[0]] = row
        self._lines: dict[str, frozenset[str] | None] = {}
        self._endorsed: dict[tuple, bool] = {}   # (Ed25519 key, SM2 key, endorsement) → checked
        self._verify_sm2_at_once()

    def lines(self, statement_id: str | None, kind: str, signer_id: str) -> frozenset[str] | None:
        """The item lines of a statement of `kind` validly signed by `signer_id`, else None."""
        if statement_id not in self._lines:
            self._lines[statement_id] = self._check(statement_id)
        row = self.rows.get(statement_id)
        if row is None or row[3] != kind or row[1] != signer_id:
            return None
        return self._lines[statement_id]

    def _check(self, statement_id: str | None) -> frozenset[str] | None:
        row = self.rows.get(statement_id)
        prepared = self._prepared(row) if row is not None else None
        if prepared is None:
            return None
        alg, msg, memo = prepared
        value, public, sm2_public, endorsement = row[5], row[8], row[10], row[11]
        if memo not in _verified:
            if alg == signing.ALG_SM2:
                if not (self._sm2_endorsed(public, sm2_public, endorsement)
                        and signing.sm2_signature_valid(sm2_public, value, msg)):
                    return None
            elif not signing.signature_valid(public, value, msg):
                return None
            _verified.add(memo)
        return frozenset(row[4].split("\n"))

    @staticmethod
    def _prepared(row: tuple) -> tuple[str, bytes, bytes] | None:
        """(algorithm, signed message, memo key) of a statement that passes the cheap checks."""
        (sid, person_id, key_id, kind, items, value, created_at, key_owner, public,
         alg, sm2_public, endorsement) = row
        if key_owner != person_id or public is None:
            return None
        alg = alg or signing.ALG_ED25519            # NULL: a statement of an older program
        if alg not in (signing.ALG_ED25519, signing.ALG_SM2):
            return None
        if alg == signing.ALG_SM2 and sm2_public is None:
            return None
        msg = signing.message(sid, person_id, key_id, kind, created_at, items, alg)
        # the memo holds every input of the check (an SM2 one: the key row's both keys and the
        # endorsement), so a key row edited later is checked anew
        keys = (public, sm2_public or "", endorsement or "") if alg == signing.ALG_SM2 else (public,)
        memo = hashlib.sha256(b"\0".join((alg.encode(), *(k.encode() for k in keys), msg,
                                          value.encode()))).digest()
        return alg, msg, memo

    def _verify_sm2_at_once(self) -> None:
        """Every SM2 statement read, endorsed and not verified yet, verified in one batch (on
        every core where the verifier can: gm.verify_many); what verifies is remembered, so
        _check finds it done. The same checks as _check's, only earlier."""
        todo = []
        for row in self.rows.values():
            prepared = self._prepared(row)
            if (prepared is not None and prepared[0] == signing.ALG_SM2
                    and prepared[2] not in _verified and self._sm2_endorsed(row[8], row[10], row[11])):
                todo.append((prepared[2], (row[10], row[5], prepared[1])))
        if len(todo) > 1:
            for (memo, _), ok in zip(todo, signing.sm2_signatures_valid([item for _, item in todo])):
                if ok:
                    _verified.add(memo)

    def _sm2_endorsed(self, public: str, sm2_public: str, endorsement: str | None) -> bool:
        """The key row's SM2 key is endorsed by its Ed25519 key (checked once per key and run)."""
        key = (public, sm2_public, endorsement)
        if key not in self._endorsed:
            self._endorsed[key] = signing.sm2_endorsed(public, sm2_public, endorsement)
        return self._endorsed[key]


def verify_logs(s, log_ids) -> Verdicts:
    """Check the given logs (all states) as `s` sees them; returns the failing ones."""
    conn = s.connection()
    logs = stored.load(conn, log_ids)
    actions: dict[str, list[StoredAction]] = {}
    for a in logs.actions:
        actions.setdefault(a.log_id, []).append(a)
    statements = _Statements(conn, {l.signature_id for l in logs.values()}
                             | {a.signature_id for a in logs.actions})
    chart = org_chart.load_in(s)
    levels = unit_settings.get_in(s, "review.levels")
    names = {pid: p.name for pid, p in chart.persons.items()}
    verdicts = Verdicts(checked=len(logs))
    for log in logs.values():
        reason = _problem(log, actions.get(log.id, []), statements, chart, levels)
        if reason:
            verdicts.findings.append(Finding(log.id, log.person_id, names.get(log.person_id, "未知人员"),
                                             log.day, reason))
    verdicts.findings.sort(key=lambda f: (f.day, f.name))
    return verdicts


def _problem(log: StoredLog, acts: list[StoredAction], statements: _Statements, chart,
             levels: int) -> str:
    if log.state != vocab.LOG_SUBMITTED:
        if log.status in (vocab.LOG_APPROVED, vocab.LOG_SUBMITTED):
            return "草稿却标为已提交或已审定"
        return ""
    if not log.hash_matches():
        return "日志条目与提交时不符（条目被改动）"
    if log.signature_id is None:
        return "提交没有签名"
    lines = statements.lines(log.signature_id, signing.SUBMIT, log.person_id)
    if lines is None or submission_line(log) not in lines:
        return "提交签名无效"
    current = [a for a in acts if (a.round, a.version, a.content_hash) ==
               (log.round, log.version, log.content_hash)]
    signed = [a for a in current if _action_signed(a, statements)]
    length = review_length(chart, log.person_id, levels)
    by_all, by_signed = (review.decide_state(log.state, length, [
        (a.created_at, a.level, a.action, a.final) for a in chosen], log.submitted_at).status
        for chosen in (current, signed))
    if by_all != by_signed:
        return f"审阅记录签名无效（{len(current) - len(signed)}条）"
    if log.status not in (by_all, LOG_INVALID) and log.status == vocab.LOG_APPROVED:
        return "审定状态没有审阅记录支持"
    return ""


def _action_signed(a: StoredAction, statements: _Statements) -> bool:
    lines = statements.lines(a.signature_id, signing.REVIEW, a.reviewer_id)
    return lines is not None and action_line(a) in lines


# What a log's verdict depends on besides the texts, concatenated by SQLite (one short row per
# log): a statistics refresh compares it with what the last full check in this process saw.
_FINGERPRINT = """
SELECT w.id, w.month, w.state || '|' || w.status || '|' || w.round || '|' || w.version || '|' ||
       ifnull(w.content_hash, '') || '|' || ifnull(w.signature_id, '') || '|' || w.day_state ||
       '|' || ifnull(w.submitted_at, '') || '#' ||
       ifnull((SELECT group_concat(e.id || ',' || e.hours || ',' || e.category || ',' ||
               ifnull(e.duty_id, '') || ',' || e.secret || ',' || ifnull(e.start_time, '') || ',' ||
               ifnull(e.end_time, '') || ',' || e.day || ',' || e.month || ',' || e.deleted, ';')
               FROM log_entry e WHERE e.log_id = w.id), '') || '#' ||
       ifnull((SELECT group_concat(a.id || ',' || a.round || ',' || a.version || ',' ||
               a.content_hash || ',' || a.level || ',' || a.action || ',' || a.final || ',' ||
               a.reviewer_id || ',' || ifnull(a.on_behalf_of, '') || ',' ||
               ifnull(a.signature_id, '') || ',' || a.deleted || ',' || a.created_at, ';')
               FROM review_action a WHERE a.log_id = w.id), '')
FROM work_log w WHERE w.month BETWEEN ? AND ? AND {months} AND w.deleted = 0
AND (w.state = ? OR w.status IN (?, ?, ?))"""
# (database file, log id) → (hash() of its fingerprint after the last full check, its Finding)
_seen: dict[tuple[str, str], tuple[int, Finding | None]] = {}
# (database file, month) → (its change count, the statements' count, logs checked, findings) as
# the last check in this process left them (app.db.signing_models.ChangeCount)
_months: dict[tuple[str, int], tuple[int, int, int, list[Finding]]] = {}
_statement_counts: dict[str, int] = {}     # database file → statements' count at the last check
STATEMENTS = 0          # the change count of signed statements and keys
MANY_MONTHS = 240       # longer spans are checked whole, without the per-month memo


def check_span(db, first: dt.date, last: dt.date) -> Verdicts:
    """A unit's statistics from `first` to `last`: check (and mark) every log of those months
    that counts or claims to (submitted, or marked as submitted, approved or invalid).

    Two memos keep a refresh cheap. A month whose change count (kept by triggers, whoever
    writes) has not moved since the last check in this process keeps its verdicts without
    reading a row. In a month that moved, a log whose fingerprint (every stored fact but its
    texts) is what the last full check saw keeps its verdict; the others get the full check.
    So an edit of hours, hashes, statuses, approvals, statements or keys is checked again at
    once; an edit of a text only by `audit verify` or after a restart (texts move no figure)."""
    months = _months_between(first, last)
    where = f"{db.path}|{db.origin}"
    with db.session() as s:
        conn = s.connection()
        if months is None:
            return _check_months(conn, s, where, (first, last), None)
        counts = _change_counts(conn, months)
        stale = [m for m in months if _months.get((where, m), (None, None))[:2]
                 != (counts.get(m, 0), counts.get(STATEMENTS, 0))]
        if _statement_counts.get(where) != counts.get(STATEMENTS, 0):
            # a statement or key changed: no fingerprint shows it, so every log is checked anew
            for key in [k for k in _seen if k[0] == where]:
                del _seen[key]
        verdicts = _check_months(conn, s, where, (first, last), stale) if stale else Verdicts()
        _statement_counts[where] = counts.get(STATEMENTS, 0)
        if stale:
            counts = _change_counts(conn, months)       # marking wrote to the months it checked
            per_month = verdicts.per_month
            for m in stale:
                checked, findings = per_month.get(m, (0, []))
                _months[(where, m)] = (counts.get(m, 0), counts.get(STATEMENTS, 0), checked, findings)
        for m in months:
            if m not in stale:
                _, _, checked, findings = _months[(where, m)]
                verdicts.checked += checked
                verdicts.findings += findings
        verdicts.findings.sort(key=lambda f: (f.day, f.name))
        return verdicts


def _months_between(first: dt.date, last: dt.date) -> list[int] | None:
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > MANY_MONTHS:
        return None
    return [(first.year + (first.month - 1 + i) // 12) * 100 + (first.month - 1 + i) % 12 + 1
            for i in range(count)]


def _change_counts(conn, months: list[int]) -> dict[int, int]:
    return dict(conn.exec_driver_sql(
        "SELECT month, n FROM change_count WHERE month = ? OR month BETWEEN ? AND ?",
        (STATEMENTS, months[0], months[-1])).fetchall())


def _check_months(conn, s, where: str, span: tuple[dt.date, dt.date],
                  months: list[int] | None) -> Verdicts:
    """The fingerprint pass over `months` (None: the whole span), and the full check of every
    log whose fingerprint is new; verdicts.per_month holds (logs checked, findings) by month."""
    first, last = span
    bounds = (first.year * 100 + first.month, last.year * 100 + last.month)
    only = "1" if months is None else f"w.month IN ({', '.join(str(int(m)) for m in months)})"
    sql = _FINGERPRINT.format(months=only)
    params = (*bounds, vocab.LOG_SUBMITTED, vocab.LOG_SUBMITTED, vocab.LOG_APPROVED, LOG_INVALID)
    rows = conn.exec_driver_sql(sql, params).fetchall()
    prints = {i: hash(fp) for i, _, fp in rows}
    month_of = {i: m for i, m, _ in rows}
    known = {i: _seen.get((where, i)) for i in prints}
    stale = [i for i, h in prints.items() if known[i] is None or known[i][0] != h]
    verdicts = mark(s, stale) if stale else Verdicts()
    found = {f.log_id: f for f in verdicts.findings}
    if stale:
        after = {i: fp for i, _, fp in conn.exec_driver_sql(sql, params).fetchall()}
        for i in stale:
            if i in after:
                _seen[(where, i)] = (hash(after[i]), found.get(i))
    for i in prints:
        if i not in found and known[i] is not None and i not in stale and known[i][1]:
            found[i] = known[i][1]
    verdicts.findings = sorted(found.values(), key=lambda f: (f.day, f.name))
    verdicts.checked = len(prints)
    for i, m in month_of.items():
        checked, findings = verdicts.per_month.setdefault(m, (0, []))
        if i in found:
            findings.append(found[i])
        verdicts.per_month[m] = (checked + 1, findings)
    return verdicts


def check_all(db) -> Verdicts:
    """Every log of the database (`audit verify`, and the 编办's mirrors have none to skip)."""
    return check_span(db, dt.date(1, 1, 1), dt.date(9999, 12, 31))


def mark(s, log_ids) -> Verdicts:
    """verify_logs, then store the outcome in the derived status: failing logs become
    'invalid'; an invalid log that verifies again gets its status derived anew."""
    log_ids = set(log_ids)
    verdicts = verify_logs(s, log_ids)
    bad = {f.log_id for f in verdicts.findings}
    conn = s.connection()
    if bad:
        conn.exec_driver_sql("UPDATE work_log SET status = ?, pending_level = 0, approved_at = NULL "
                             "WHERE id = ? AND status != ?",
                             [(LOG_INVALID, i, LOG_INVALID) for i in sorted(bad)])
    healed = []
    for chunk in in_chunks(sorted(log_ids - bad)):
        healed += [r[0] for r in conn.exec_driver_sql(
            f"SELECT id FROM work_log WHERE status = ? AND id IN ({', '.join('?' * len(chunk))})",
            (LOG_INVALID, *chunk))]
    if healed:
        review_state.refresh_for(None, s, healed, heal=True)
    return verdicts
