"""Creating and opening a unit database: integrity check, backup + migration, first-run setup."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError, NetworkDatabase, ValidationError
from app.core.ids import new_id
from app.core.validators import credit_code_problem
from app.db.backup import list_backups, remove_database_files
from app.db.engine import Database, is_network_path, make_engine, now_text
from app.db.faults import check_file
from app.db.migrate import upgrade_to_head
from app.db.models import Holiday, Replica, StaffingQuota, Unit, WorkCategory
from app.services.org import accounts
from app.services.org.actor import SYSTEM
from app.services.org.calendar import shipped_holidays

log = logging.getLogger(__name__)


class DatabaseDamaged(AppError):
    """SQLite itself found the file damaged: the one case where a restore is offered."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        self.backups = list_backups(path)
        hint = (f"可从最近的备份恢复（{self.backups[0].name}）。" if self.backups
                else "未找到自动备份，请联系管理员用备份文件恢复。")
        super().__init__(f"数据库文件已损坏：{path}\n检查结果：{problems[0]}\n{hint}")


class NotInitialised(AppError):
    pass


def open_database(path: Path | str, *, create: bool = False) -> Database:
    """Open (or, with create=True, create) a database: check it, back up, migrate to head.

    A fault (locked, read-only, disk full, no permission) raises DatabaseFault, a file that is
    not ours (empty, not SQLite, other tables) too, before anything is written to it; only real
    damage raises DatabaseDamaged, which may lead to a restore. A file on a network share raises
    NetworkDatabase, untouched: every way in (the GUI's start and 打开数据库…, the CLI's --db, a
    join's destination) comes through here."""
    path = Path(path)
    if is_network_path(path):
        raise NetworkDatabase(path)
    if not path.exists() and not create:
        raise AppError(f"找不到数据库文件：{path}")
    # An empty file is where `init` may create a new database, and nothing else.
    if path.exists() and (path.stat().st_size > 0 or not create):
        problems = check_file(path)
        if problems:
            raise DatabaseDamaged(path, problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    try:
        upgrade_to_head(path, engine)
    except BaseException:
        engine.dispose()
        raise
    return Database(path, engine)


def is_initialised(db: Database) -> bool:
    return bool(db.origin)


@dataclass
class UnitSetup:
    unit_name: str
    credit_code: str
    unit_class: str = "政府部门"
    funding_form: str = "全额拨款"
    staffing_quotas: dict[str, int] = field(default_factory=dict)   # 行政编制 → 20
    leader_posts: dict[str, int] = field(default_factory=dict)      # 正职/副职 → n
    edition: str = "unit"

    def problems(self) -> list[str]:
        found = []
        if not self.unit_name.strip():
            found.append("请填写单位名称")
        problem = credit_code_problem(self.credit_code)
        if problem:
            found.append(problem)
        if self.unit_class not in vocab.UNIT_CLASSES:
            found.append(f"未知的单位类别“{self.unit_class}”")
        for name, n in {**self.staffing_quotas, **self.leader_posts}.items():
            if n is None or int(n) < 0:
                found.append(f"{name}数应为不小于0的整数")
        for name in self.staffing_quotas:
            if name not in vocab.STAFFING_TYPES:
                found.append(f"未知的编制类型“{name}”")
        return found


def initialise_unit(db: Database, setup: UnitSetup) -> str:
    """Write the replica identity, unit, quotas, categories and holiday calendar. Returns unit id."""
    if is_initialised(db):
        raise AppError("该数据库已经初始化，不能重复创建单位")
    problems = setup.problems()
    if problems:
        raise ValidationError("单位信息有误：" + "；".join(problems), problems)
    unit_id = new_id()
    with db.session() as s:
        s.add(Replica(id=1, origin=new_id(), edition=setup.edition, unit_id=unit_id,
                      created_at=now_text()))
    db.reload_identity()
    with db.session() as s:
        s.add(Unit(id=unit_id, name=setup.unit_name.strip(), credit_code=setup.credit_code.upper(),
                   unit_class=setup.unit_class, funding_form=setup.funding_form))
        s.flush()  # no ORM relationships, so parents are flushed before their children by hand
        for kind, quotas in (("staffing", setup.staffing_quotas), ("leader", setup.leader_posts)):
            for name, n in quotas.items():
                s.add(StaffingQuota(unit_id=unit_id, kind=kind, name=name, quota=int(n)))
        add_local_defaults(s)
    return unit_id


def create_database(path: Path, setup: UnitSetup, admin) -> Database:
    """A new unit or 编办 database (setup.edition) with its administrator (an accounts.NewUser),
    for the first-run wizard and `init` alike. Nothing is left behind when it fails, so a second
    attempt is not refused as 文件已存在."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise AppError(f"文件已存在：{path}（为防止覆盖数据，请换一个文件名）")
    problems = setup.problems()
    if (p := accounts.password_problem(admin.password)):
        problems.append(p)
    if problems:
        raise ValidationError("初始化失败：", problems)
    db = open_database(path, create=True)
    try:
        initialise_unit(db, setup)
        accounts.add_user(db, SYSTEM, admin)
    except BaseException:
        db.dispose()
        remove_database_files(path)
        raise
    return db


def add_local_defaults(session) -> None:
    """The built-in work categories and the shipped holiday calendar of a new database."""
    for order, (name, hours) in enumerate(vocab.COMMON_CATEGORIES):
        session.add(WorkCategory(name=name, standard_hours=hours, builtin=True, sort_order=order))
    for row in shipped_holidays():
        session.add(Holiday(**row))


def unit_of(db: Database) -> Unit:
    with db.read() as s:
        unit = s.get(Unit, db.unit_id) if db.unit_id else None
    if unit is None:
        raise NotInitialised("数据库尚未初始化：请先创建单位（首次运行向导或 init 命令）")
    return unit


def quotas_of(db: Database) -> list[StaffingQuota]:
    with db.read() as s:
        return list(s.scalars(select(StaffingQuota).where(StaffingQuota.deleted.is_(False))))


def today() -> dt.date:
    return dt.date.today()
