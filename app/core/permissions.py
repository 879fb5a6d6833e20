"""Who may do what, where: the permission matrix (role × action × scope).

Scopes say where the target lies relative to the actor:
  self     — the actor's own records
  section  — people of the actor's own section
  charge   — people of the sections the actor is in charge of (分管)
  unit     — anyone in the unit
Services work out the scope of a target and ask `allowed`; the UI and the CLI both go through
those services, so a hidden button is never the only guard.
"""
from __future__ import annotations

from app.core import vocab

SELF, SECTION, CHARGE, UNIT = "self", "section", "charge", "unit"
SCOPES = (SELF, SECTION, CHARGE, UNIT)

WRITE_LOG = "log.write"              # write, submit, recall, amend a log
READ_LOG = "log.read"                # read a log in any state (drafts excluded: author only)
READ_PUBLISHED = "log.read_published"  # read finally approved logs (单位履职动态)
REVIEW = "log.review"                # approve / return (only when the chain names the actor)
DELEGATE = "review.delegate"         # name a stand-in reviewer (代审) for one's own queue
NOTICE = "reminder.notice"           # see and export the 通报 (missing logs, overdue reviews)
MANAGE = "unit.manage"               # roster, duties, settings, review configuration
ACTIONS = (WRITE_LOG, READ_LOG, READ_PUBLISHED, REVIEW, DELEGATE, NOTICE, MANAGE)

_ALL = set(SCOPES)
MATRIX: dict[tuple[str, str], set[str]] = {
    (vocab.ROLE_STAFF, WRITE_LOG): {SELF},
    (vocab.ROLE_STAFF, READ_LOG): {SELF},
    (vocab.ROLE_STAFF, READ_PUBLISHED): _ALL,

    (vocab.ROLE_SECTION_HEAD, WRITE_LOG): {SELF},
    (vocab.ROLE_SECTION_HEAD, READ_LOG): {SELF, SECTION},
    (vocab.ROLE_SECTION_HEAD, READ_PUBLISHED): _ALL,
    (vocab.ROLE_SECTION_HEAD, REVIEW): {SECTION},
    (vocab.ROLE_SECTION_HEAD, DELEGATE): {SELF},
    (vocab.ROLE_SECTION_HEAD, NOTICE): {SELF, SECTION},

    (vocab.ROLE_DEPUTY, WRITE_LOG): {SELF},
    (vocab.ROLE_DEPUTY, READ_LOG): {SELF, CHARGE},
    (vocab.ROLE_DEPUTY, READ_PUBLISHED): _ALL,
    (vocab.ROLE_DEPUTY, REVIEW): {CHARGE},
    (vocab.ROLE_DEPUTY, DELEGATE): {SELF},
    (vocab.ROLE_DEPUTY, NOTICE): {SELF, CHARGE},

    (vocab.ROLE_PRINCIPAL, WRITE_LOG): {SELF},
    (vocab.ROLE_PRINCIPAL, READ_LOG): _ALL,
    (vocab.ROLE_PRINCIPAL, READ_PUBLISHED): _ALL,
    (vocab.ROLE_PRINCIPAL, REVIEW): {UNIT, CHARGE, SECTION},
    (vocab.ROLE_PRINCIPAL, DELEGATE): {SELF},
    (vocab.ROLE_PRINCIPAL, NOTICE): _ALL,
}
# The unit admin (a flag on any person) manages the unit; it adds no right to read or review logs.
# Scopes are exclusive (a target gets the narrowest that applies), so the grant names them all.
ADMIN_GRANTS: dict[str, set[str]] = {MANAGE: _ALL}


def allowed(role: str, is_admin: bool, action: str, scope: str) -> bool:
    if scope in MATRIX.get((role, action), set()):
        return True
    return is_admin and scope in ADMIN_GRANTS.get(action, set())


def denial_message(action: str) -> str:
    return {
        WRITE_LOG: "只能填写和修改本人的工作日志",
        READ_LOG: "无权查看该日志（仅本人、审阅人和主要领导可见未公开的日志）",
        READ_PUBLISHED: "无权查看单位履职动态",
        REVIEW: "无权审阅该日志（不在您的审阅范围内，或轮到其他审阅人）",
        DELEGATE: "只有审阅人可以为本人的审阅设置代审",
        NOTICE: "无权查看该范围的通报",
        MANAGE: "此操作需要单位管理员权限",
    }[action]
