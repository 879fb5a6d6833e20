"""Who is acting: a plain snapshot of the logged-in person, passed to every service call."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    person_id: str
    login: str
    name: str
    role: str
    section_id: str | None
    is_admin: bool
    must_change_password: bool = False

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("此操作需要单位管理员权限")

    def require_self(self, person_id: str) -> None:
        if person_id != self.person_id:
            raise PermissionDenied("只能填写和修改本人的工作日志")


# The CLI runs batch work for the unit admin on the local machine (like `sqlite3` on the file);
# commands that act for a named user resolve that user and act as them.
SYSTEM = Actor(person_id="", login="system", name="系统", role="", section_id=None, is_admin=True)
