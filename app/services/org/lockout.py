"""Failed logins: a growing, never permanent lock per account, and the admin's unlock.

Failures are counted per login name (the `login_guard` table: local to this PC's database file,
never synced, so it survives a restart). Every 5th consecutive failure locks the account: 1
minute, then 2, 4, … up to 60 minutes; a successful login or the admin's unlock starts again
from zero. Attempts while locked are refused without checking the password and do not count, so
whoever keeps typing wrong passwords for someone cannot lock them for more than an hour at a
time, and only that account: every other account keeps its own count. An unknown login name is
counted and locked the same way, so the answers do not tell which accounts exist.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.core.errors import AppError
from app.db import audit
from app.db.engine import Database
from app.db.models import LoginGuard, Person

FAILURES_PER_LOCK = 5
FIRST_LOCK_MINUTES = 1
MAX_LOCK_MINUTES = 60


class LoginFailed(AppError):
    pass


def lock_minutes(failures: int) -> int:
    """Length of the lock that the `failures`-th consecutive failure starts (0: none)."""
    if failures < FAILURES_PER_LOCK or failures % FAILURES_PER_LOCK:
        return 0
    doublings = failures // FAILURES_PER_LOCK - 1
    return min(MAX_LOCK_MINUTES, FIRST_LOCK_MINUTES * 2 ** min(doublings, 16))


def guard_key(login_name: str) -> str:
    return login_name.strip()[:40]


def refuse_if_locked(s, key: str, now: dt.datetime) -> None:
    guard = s.get(LoginGuard, key)
    if guard is None or not guard.locked_until:
        return
    until = dt.datetime.fromisoformat(guard.locked_until)
    if until <= now:
        return
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    raise LoginFailed(f"密码连续错误{guard.failures}次，账号已锁定，请{minutes}分钟后再试"
                      "（也可请单位管理员解除锁定）")


def record_failure(s, key: str, now: dt.datetime) -> str:
    """Count a failed attempt; the message to show."""
    guard = s.get(LoginGuard, key)
    if guard is None:
        guard = LoginGuard(login=key, failures=0)
        s.add(guard)
    guard.failures = (guard.failures or 0) + 1
    minutes = lock_minutes(guard.failures)
    if minutes:
        guard.locked_until = (now + dt.timedelta(minutes=minutes)).isoformat(timespec="seconds")
        return (f"密码连续错误{guard.failures}次，账号已锁定{minutes}分钟"
                "（也可请单位管理员解除锁定）")
    left = FAILURES_PER_LOCK - guard.failures % FAILURES_PER_LOCK
    return f"用户名或密码错误（还可尝试{left}次）"


def clear(s, key: str) -> None:
    guard = s.get(LoginGuard, key)
    if guard is not None:
        guard.failures, guard.locked_until = 0, None


@dataclass(frozen=True)
class LockState:
    failures: int
    locked_until: dt.datetime | None      # None: not locked now

    def text(self) -> str:
        if self.locked_until:
            return f"已锁定至{self.locked_until:%H:%M}（连续错误{self.failures}次）"
        return f"连续错误{self.failures}次" if self.failures else ""


def lock_states(db: Database, now: dt.datetime | None = None) -> dict[str, LockState]:
    """Login name → its failures and lock, for the logins that have any."""
    now = now or dt.datetime.now()
    with db.read() as s:
        rows = s.scalars(select(LoginGuard).where(LoginGuard.failures > 0)).all()
    states = {}
    for g in rows:
        until = dt.datetime.fromisoformat(g.locked_until) if g.locked_until else None
        states[g.login] = LockState(g.failures, until if until and until > now else None)
    return states


def unlock(db: Database, actor, login_name: str) -> bool:
    """The admin lifts an account's lock and clears its failures (audited). False: there was
    nothing to lift."""
    actor.require_admin()
    with db.session(actor) as s:
        person = s.scalar(select(Person).where(Person.login == login_name.strip(),
                                               Person.deleted.is_(False)))
        if person is None:
            raise AppError(f"没有登录名为“{login_name.strip()}”的人员")
        guard = s.get(LoginGuard, person.login)
        if guard is None or not guard.failures:
            return False
        before = audit.row_hash({"login": guard.login, "failures": guard.failures,
                                 "locked_until": guard.locked_until})
        guard.failures, guard.locked_until = 0, None
        audit.append(s, actor.login, "unlock", "login_guard", person.id, before,
                     audit.row_hash({"login": guard.login, "failures": 0, "locked_until": None}))
        return True
