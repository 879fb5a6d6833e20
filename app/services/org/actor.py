"""Who is acting: a plain snapshot of the logged-in person, passed to every service call."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.errors import AppError, PermissionDenied
from app.core.signing import Signer


class PasswordChangeRequired(PermissionDenied):
    """The actor logged in with an initial or reset password and has not changed it yet."""


# What every service reads to decide who acts and what they may do. An actor still holding an
# initial or reset password (must_change_password) cannot use any of them: the one thing such a
# login is good for is accounts.change_password, which reads `pending_person_id`. Guarding the
# attributes (rather than each of the services) means no service can forget the check.
_GUARDED = frozenset({"person_id", "role", "section_id", "is_admin", "signer",
                      "require_admin", "require_self", "require_signer"})


@dataclass(frozen=True)
class Actor:
    person_id: str
    login: str
    name: str
    role: str
    section_id: str | None
    is_admin: bool
    must_change_password: bool = False
    # The person's unsealed signing key (app.services.signing.keys), from their login.
    signer: Signer | None = field(default=None, compare=False, repr=False)

    def __getattribute__(self, name: str):
        if name in _GUARDED and object.__getattribute__(self, "must_change_password"):
            login = object.__getattribute__(self, "login")
            raise PasswordChangeRequired(
                f"账号“{login}”正在使用初始密码或管理员重设的密码，须先修改密码才能进行其他操作"
                "（图形界面登录后会提示修改；命令行用 change-password）")
        return object.__getattribute__(self, name)

    def __repr__(self) -> str:
        return (f"Actor(login={self.login!r}, name={self.name!r}, "
                f"must_change_password={self.must_change_password})")

    def __eq__(self, other) -> bool:
        return isinstance(other, Actor) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def _identity(self) -> tuple:
        return tuple(object.__getattribute__(self, f)
                     for f in ("person_id", "login", "name", "role", "section_id", "is_admin",
                               "must_change_password"))

    @property
    def pending_person_id(self) -> str:
        """The person, for changing the password (the only thing a pending login may do)."""
        return object.__getattribute__(self, "person_id")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("此操作需要单位管理员权限")

    def may_open_other_database(self) -> bool:
        """文件 → 打开数据库…: which database this PC works on (and opens at the next start) is
        the admin's decision; anyone else logs out and in again on the same one."""
        return self.is_admin

    def require_self(self, person_id: str) -> None:
        if person_id != self.person_id:
            raise PermissionDenied("只能填写和修改本人的工作日志")

    def require_signer(self) -> Signer:
        """The key that signs what this person submits or decides."""
        if self.signer is None or self.signer.person_id != self.person_id:
            raise AppError("提交和审阅需要本人签名：请用本人的账号和密码登录后再操作")
        return self.signer


# The program itself, when no person acts: creating a database and its first admin (init,
# enrollment), generating demo data, the self-test. Never a stand-in for a person: the command
# line logs in whoever a command acts as (app.cli.auth) and passes that Actor.
SYSTEM = Actor(person_id="", login="system", name="系统", role="", section_id=None, is_admin=True)
