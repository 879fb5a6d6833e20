"""Who is acting: a plain snapshot of the logged-in person, passed to every service call."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core.errors import AppError, PermissionDenied
from app.core.signing import Signer


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

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("此操作需要单位管理员权限")

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
