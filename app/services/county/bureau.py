"""The 编办 edition's acts: registering units, changing their quotas and info, importing their
上报包 and writing their 下发包, backing up.

The 编办's own database (`county.sqlite`) holds the 编办 as a unit (its staff log in there), its
keys, the register of units (`peer` rows) and the cached county figures (county.figures). Each
registered unit has a mirror (county.mirrors) whose outbox holds the rows the 编办 writes for the
unit (registration, quotas, duties), which the 下发包 carries.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Iterable

from sqlalchemy import select

from app.core import vocab
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.ids import new_id
from app.db.engine import Database, now_text
from app.db.backup import backup_to, remove_database_files
from app.db.models import PackageLedger, Peer, Replica, StaffingQuota, Unit
from app.paths import private_dir
from app.services.county import bodies, figures as county, import_pool
from app.services.county.mirrors import Mirrors, mirrors_dir, registered_units, require_bureau
from app.services.county.receive import receive_report
from app.services.county.unit_keys import sync_register
from app.services.exchange import packages as P, suite_choice
from app.services.org.actor import SYSTEM, Actor
from app.services.org.setup import UnitSetup, open_database, unit_of
from app.sync import container
from app.sync.merge import BUREAU_TABLES

TASK_CLASSES = ("服务经济", "社会民生", "综合保障")


# ---------------------------------------------------------------- register
def register_unit(db: Database, actor: Actor, setup: UnitSetup, *, task_class: str | None = None,
                  key_tasks: int | None = None, parent_id: str | None = None) -> str:
    """Register a unit: its mirror with the unit row and quotas written by the 编办; `parent_id`:
    its 主管部门 among the registered units (app.services.county.bodies, one level)."""
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("登记单位需要编办管理员权限")
    problems = setup.problems()
    if task_class is not None and task_class not in TASK_CLASSES:
        problems.append(f"编制任务比类别应为{'/'.join(TASK_CLASSES)}之一")
    if key_tasks is not None and key_tasks < 0:
        problems.append("重点任务数应为不小于0的整数")
    code = setup.credit_code.upper()
    if any(u.credit_code == code for u in registered_units(db)):
        problems.append(f"统一社会信用代码{code}的单位已经登记过")
    try:
        bodies.check_parent(db, None, parent_id, setup.unit_name.strip())
    except ValidationError as exc:
        problems += [f"主管部门：{p}" for p in exc.problems]
    if problems:
        raise ValidationError("单位信息有误：" + "；".join(problems), problems)
    unit_id = new_id()
    private_dir(mirrors_dir(db))
    path = mirrors_dir(db) / f"{unit_id}.sqlite"
    mirror = open_database(path, create=True)
    try:
        with mirror.session(actor) as s:
            s.add(Replica(id=1, origin=db.origin, edition="mirror", unit_id=unit_id,
                          created_at=now_text()))
            s.add(Peer(peer_id=unit_id, kind="unit", name=setup.unit_name.strip(), credit_code=code,
                       registered_at=now_text(), next_seq=1, acked_upto=0))
        mirror.reload_identity()
        with mirror.session(actor) as s:
            s.add(Unit(id=unit_id, name=setup.unit_name.strip(), credit_code=code,
                       unit_class=setup.unit_class, funding_form=setup.funding_form,
                       task_class=task_class, key_tasks=key_tasks, parent_id=parent_id or None))
            s.flush()
            for kind, quotas in (("staffing", setup.staffing_quotas), ("leader", setup.leader_posts)):
                for name, n in quotas.items():
                    s.add(StaffingQuota(unit_id=unit_id, kind=kind, name=name, quota=int(n)))
        today = dt.date.today()       # the staffing snapshot of the county table, from the start
        snapshot = county.unit_figures(mirror, set(), today)
    except BaseException:
        mirror.dispose()
        remove_database_files(path)
        raise
    mirror.dispose()
    with db.session(actor) as s:
        s.add(Peer(peer_id=unit_id, kind="unit", name=setup.unit_name.strip(), credit_code=code,
                   registered_at=now_text(), next_seq=1, acked_upto=0))
    county.store_figures(db, unit_id, snapshot, today)
    return unit_id


def set_quota(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str, kind: str, name: str,
              quota: int) -> None:
    """Change (or add) one approved quota of a unit; it travels in the next 下发包."""
    if not actor.is_admin:
        raise PermissionDenied("调整编制需要编办管理员权限")
    if kind == "staffing" and name not in vocab.STAFFING_TYPES:
        raise ValidationError(f"未知的编制类型“{name}”")
    if quota < 0:
        raise ValidationError("编制数应为不小于0的整数")
    mirror = mirrors.get(unit_id)
    with mirror.session(actor) as s:
        row = s.scalar(select(StaffingQuota).where(StaffingQuota.unit_id == unit_id,
                                                   StaffingQuota.kind == kind, StaffingQuota.name == name))
        if row is None:
            s.add(StaffingQuota(unit_id=unit_id, kind=kind, name=name, quota=quota))
        else:
            row.quota, row.deleted = quota, False


# ---------------------------------------------------------------- packages
def import_packages(db: Database, mirrors: Mirrors, paths: Iterable[Path], *, apply: bool,
                    actor: Actor = SYSTEM,
                    progress: Callable[[int, int, str], None] | None = None,
                    workers: int | None = None,
                    confirmed_keys: Collection[str] | None = None) -> list[P.PackageResult]:
    """Preview (apply=False) or import 上报包 files, one transaction per package. Files from
    one unit are taken in sequence order whatever their names. With workers > 1 (None: one per
    CPU core, at most 4), several units' packages worth it are imported by that many processes
    at once (app.services.county.import_pool). A unit's first key is registered only with a
    proof of its one-time code and, if `confirmed_keys` is given, when its fingerprint is
    among them (confirmed by phone: the GUI passes those the preview showed, the CLI those
    typed with --fingerprint)."""
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("导入上报包需要编办管理员权限")
    keys = P.ensure_keys(db)
    units = {u.unit_id: u for u in registered_units(db)}
    opened, results = P.open_packages(
        paths, P.KIND_REPORT,
        lambda h: None if h["sender"] in units else f"来自未登记的单位“{h['sender_name']}”：请先登记该单位")
    if workers is None:
        workers = import_pool.default_workers()
    if workers > 1 and import_pool.worth_it(opened):
        import_pool.import_parallel(db, mirrors, opened, keys, apply=apply, actor=actor,
                                    progress=progress, workers=workers, confirmed_keys=confirmed_keys)
        return results
    previewed: dict[str, list] = {}
    for i, (package, result) in enumerate(opened):
        if progress:
            progress(i, len(opened), result.path.name)
        started = time.perf_counter()
        unit_id = package.header["sender"]
        mirror = mirrors.get(unit_id)
        stale = county.mark_dirty(db, unit_id) if apply else set()
        receive_report(mirror, unit_id, package, keys, db.origin, result, apply=apply, actor=actor,
                       previewed=None if apply else previewed.setdefault(unit_id, []),
                       confirmed_keys=confirmed_keys)
        if apply:
            sync_register(db, unit_id, mirror)
            months = county.log_months(mirror) if result.reference_changed else result.months
            county.refresh_unit(db, mirrors, unit_id, months | stale)
        result.seconds = time.perf_counter() - started
    if progress:
        progress(len(opened), len(opened), "")
    return results


def export_dispatch(db: Database, mirrors: Mirrors, unit_id: str, out_dir: Path, *,
                    actor: Actor = SYSTEM, full: bool = False) -> P.ExportResult:
    """The 下发包 for one unit: the 编办's rows for it not yet acknowledged + receipts."""
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("导出下发包需要编办管理员权限")
    me = unit_of(db)
    unit = next((u for u in registered_units(db) if u.unit_id == unit_id), None)
    if unit is None:
        raise AppError("该单位未登记")
    family = suite_choice.county_family(db)
    return P.export_to(mirrors.get(unit_id), unit_id, out_dir, kind=P.KIND_DISPATCH,
                       keys=P.ensure_keys(db), sender_id=me.id, sender_name=me.name,
                       file_unit_name=unit.name, tables=set(BUREAU_TABLES), full=full, actor=actor,
                       family=family, extra_header={"suite_family": family})


@dataclass
class LedgerLine:
    unit_name: str
    seq: int
    kind: str
    created_at: str
    imported_at: str
    rows: int
    note: str
    file_name: str
    suite: str = ""          # “国密” / “通用”, or "" for packages imported before it was kept


def ledger_lines(db: Database, mirrors: Mirrors) -> list[LedgerLine]:
    """Every imported package of every unit, newest first per unit."""
    lines = []
    for unit in registered_units(db):
        if not mirrors.path(unit.unit_id).exists():
            continue
        with mirrors.get(unit.unit_id).read() as s:
            for row in s.scalars(select(PackageLedger).order_by(PackageLedger.id.desc())):
                lines.append(LedgerLine(unit.name, row.seq, P.KIND_NAMES.get(row.kind, row.kind),
                                        row.created_at, row.imported_at, row.rows, row.note,
                                        row.file_name, _suite_text(row.suite)))
    return lines


def _suite_text(suite: str) -> str:
    return container.suite_label(suite) if suite else ""


def today() -> dt.date:
    return dt.date.today()


def backup_all(db: Database, target: Path) -> list[Path]:
    """Back up the 编办's database to `target` and every unit mirror into `<target>.units/`
    (the mirrors are the units' data: a backup without them could not be restored)."""
    require_bureau(db)
    target = Path(target)
    written = [backup_to(db.path, target)]
    folder = target.with_name(target.name + ".units")
    source = mirrors_dir(db)
    if source.is_dir():
        folder.mkdir(exist_ok=True)
        for mirror in sorted(source.glob("*.sqlite")):
            written.append(backup_to(mirror, folder / mirror.name))
    return written


def set_unit_info(db: Database, mirrors: Mirrors, actor: Actor, unit_id: str, *,
                  task_class: str | None, key_tasks: int | None) -> None:
    """Change a unit's 编制任务比 class and number of key tasks (编办 rows: go out in the next 下发包)."""
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("修改单位信息需要编办管理员权限")
    problems = []
    if task_class is not None and task_class not in TASK_CLASSES:
        problems.append(f"编制任务比类别应为{'/'.join(TASK_CLASSES)}之一")
    if key_tasks is not None and key_tasks < 0:
        problems.append("重点任务数应为不小于0的整数")
    if problems:
        raise ValidationError("；".join(problems), problems)
    with mirrors.get(unit_id).session(actor) as s:
        unit = s.get(Unit, unit_id)
        unit.task_class, unit.key_tasks = task_class, key_tasks
    county.refresh_unit(db, mirrors, unit_id, set())
