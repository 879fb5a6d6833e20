"""Import of the 三定职责 workbook: sections (内设机构) and unit duties (部门职责) with the
sections that carry them (承担科室).

All or nothing: every row is checked first; any problem aborts the import before a write.
Re-importing matches sections by name and duties by 职责编号 and updates them in place; the
承担科室 of each duty in the file become exactly what the file lists (removed links are
tombstoned, re-added ones revived). Sections and duties absent from the file are left alone.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.core import task_types, vocab
from app.core.ids import new_id
from app.db.engine import Database
from app.core.validators import clean_section_name, section_name_problem
from app.db.models import Duty, DutySection, Section
from app.services.org.actor import Actor
from app.services.excel.templates import DUTIES, SECTIONS
from app.services.excel.common import (CREATED, UNCHANGED, UPDATED, ImportResult, Problems, SheetRow, assign, cell_text, check_length, choice, code_text, name_key, read_workbook, split_list, sync_link_rows)
from app.db.exchange_models import bureau_origin

DUTY_CLASS_ALIASES = {f"{c}{suffix}": c for c in vocab.DUTY_CLASSES
                      for suffix in ("职责", "职能", "类")}

K_SECTION, K_DUTY, K_LINK = "科室", "职责", "承担科室"


@dataclass
class _SectionRow:
    row: int
    name: str
    summary: str
    order: int

    @property
    def key(self) -> str:
        return name_key(self.name)


@dataclass
class _DutyRow:
    row: int
    code: str
    content: str
    duty_class: str
    section_keys: list[str]
    order: int
    task_type: str | None = None    # None: not given (a new duty counts by the guess, a known one keeps its type)


def import_duties(db: Database, actor: Actor, path: Path) -> ImportResult:
    """Import a 三定职责 workbook (see excel_templates.SECTIONS/DUTIES)."""
    actor.require_admin()
    started = time.perf_counter()
    data = read_workbook(path, (SECTIONS, DUTIES))
    result = ImportResult("三定职责", ((K_SECTION, "个"), (K_DUTY, "条"), (K_LINK, "项")),
                          ignored_examples=data.ignored_examples)
    problems = Problems((SECTIONS, DUTIES))
    with db.session() as s:
        sections = s.scalars(select(Section).where(Section.unit_id == db.unit_id)
                             .order_by(Section.deleted, Section.sort_order)).all()
        db_keys = {name_key(x.name) for x in sections if not x.deleted}
        section_rows = _check_sections(data.sheets[SECTIONS.title], problems)
        duty_rows = _check_duties(data.sheets[DUTIES.title], problems,
                                  db_keys | {r.key for r in section_rows})
        bureau_owned = _bureau_owned(s, db, duty_rows, problems)
        problems.raise_if_any()
        if section_rows or duty_rows:
            _write(s, db, sections, section_rows, duty_rows, result, bureau_owned)
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------- checks
def _check_sections(rows: list[SheetRow], problems: Problems) -> list[_SectionRow]:
    sheet, found, seen = SECTIONS.title, [], {}
    for order, r in enumerate(rows, start=1):
        name = clean_section_name(cell_text(r.get("科室名称")))
        summary = cell_text(r.get("科室职责概述"))
        if not name:
            problems.add(sheet, r.number, "科室名称", "必填项未填写")
            continue
        if problem := section_name_problem(name):
            problems.add(sheet, r.number, "科室名称", problem)
            continue
        check_length(problems, sheet, r.number, "科室名称", name, 50)
        row = _SectionRow(r.number, name, summary, order)
        if row.key in seen:
            problems.add(sheet, r.number, "科室名称", f"科室“{name}”与第{seen[row.key]}行重复")
            continue
        seen[row.key] = r.number
        found.append(row)
    return found


def _bureau_owned(s, db: Database, duty_rows: list[_DutyRow], problems: Problems) -> set[str]:
    """Codes of duties the 编办 issued (its rows: single writer). Their text and class cannot be
    changed here — only which sections carry them."""
    origin = bureau_origin(s)
    if origin is None:
        return set()
    owned = {d.code: d for d in s.scalars(select(Duty).where(Duty.unit_id == db.unit_id,
                                                             Duty.origin == origin))}
    for r in duty_rows:
        duty = owned.get(r.code)
        if duty is not None and (duty.content != r.content or duty.duty_class != r.duty_class
                                 or duty.deleted):
            problems.add(DUTIES.title, r.row, "职责内容",
                         f"职责“{r.code}”由编办下发，内容和职能类别不能在本单位修改（承担科室可以修改），"
                         "如需调整请联系编办")
        elif duty is not None and r.task_type is not None and r.task_type != task_types.effective(
                duty.task_type, duty.content, duty.duty_class):
            problems.add(DUTIES.title, r.row, "任务类型",
                         f"职责“{r.code}”由编办下发，任务类型不能在本单位修改（可留空），如需调整请联系编办")
    return set(owned)


def _check_duties(rows: list[SheetRow], problems: Problems,
                  known_section_keys: set[str] | None) -> list[_DutyRow]:
    """Duty rows of the sheet; known_section_keys None: the 承担科室 column is not read (the
    编办 issues duties without knowing the unit's sections)."""
    sheet, found, seen = DUTIES.title, [], {}
    for order, r in enumerate(rows, start=1):
        ok = True
        code = code_text(r.get("职责编号"))
        content = cell_text(r.get("职责内容"))
        raw_class = r.get("职能类别")
        duty_class = choice(raw_class, vocab.DUTY_CLASSES, DUTY_CLASS_ALIASES)
        if not code:
            problems.add(sheet, r.number, "职责编号", "必填项未填写")
            ok = False
        elif len(code) > 20:
            check_length(problems, sheet, r.number, "职责编号", code, 20)
            ok = False
        elif code in seen:
            problems.add(sheet, r.number, "职责编号", f"职责编号“{code}”与第{seen[code]}行重复")
            ok = False
        else:
            seen[code] = r.number
        if not content:
            problems.add(sheet, r.number, "职责内容", "必填项未填写")
            ok = False
        if not cell_text(raw_class):
            problems.add(sheet, r.number, "职能类别", "必填项未填写")
            ok = False
        elif duty_class is None:
            problems.add(sheet, r.number, "职能类别",
                         f"无效的职能类别“{cell_text(raw_class)}”（可选：{'、'.join(vocab.DUTY_CLASSES)}）")
            ok = False
        raw_type = cell_text(r.get("任务类型"))
        task_type = task_types.parse(raw_type) if raw_type else None
        if raw_type and task_type is None:
            problems.add(sheet, r.number, "任务类型",
                         f"无效的任务类型“{raw_type}”（可选：{'、'.join(task_types.TASK_TYPES)}，或留空按职责内容推定）")
            ok = False
        names = split_list(r.get("承担科室")) if known_section_keys is not None else []
        unknown = [n for n in names if name_key(n) not in known_section_keys]
        if unknown:
            problems.add(sheet, r.number, "承担科室",
                         "、".join(f"“{n}”" for n in unknown)
                         + "不是已有的科室（须在「内设机构」表中列出或系统中已有）")
            ok = False
        keys = list(dict.fromkeys(name_key(n) for n in names))
        if ok:
            found.append(_DutyRow(r.number, code, content, duty_class, keys, order, task_type))
    return found


# ---------------------------------------------------------------- writing
def _write(s, db: Database, sections: list[Section], section_rows: list[_SectionRow],
           duty_rows: list[_DutyRow], result: ImportResult, bureau_owned: set[str]) -> None:
    by_key: dict[str, Section] = {}
    for sec in sections:            # active ones first (ordered by deleted), so they win
        by_key.setdefault(name_key(sec.name), sec)
    section_id = {key: sec.id for key, sec in by_key.items() if not sec.deleted}
    new_sections = []
    for r in section_rows:
        sec = by_key.get(r.key)
        if sec is None:
            row = {"id": new_id(), "unit_id": db.unit_id, "name": r.name, "summary": r.summary,
                   "sort_order": r.order}
            new_sections.append(row)
            section_id[r.key] = row["id"]
            result.add(K_SECTION, CREATED)
            continue
        revived = sec.deleted
        changed = assign(sec, name=r.name, summary=r.summary, sort_order=r.order, deleted=False)
        section_id[r.key] = sec.id
        result.add(K_SECTION, CREATED if revived else UPDATED if changed else UNCHANGED)

    duty_id = write_duties(s, db, duty_rows, result, bureau_owned)
    new_links = _sync_links(s, duty_rows, duty_id, section_id, result)
    s.flush()                                   # ORM updates first, then the new rows in FK order
    db.bulk_insert(s, Section, new_sections)
    db.bulk_insert(s, DutySection, new_links)


def write_duties(s, db: Database, duty_rows: list[_DutyRow], result: ImportResult,
                 bureau_owned: set[str]) -> dict[str, str]:
    """Create or update the duties of the rows (by 职责编号); returns code → duty id. Rows in
    `bureau_owned` are left as they are (checked equal before)."""
    duties = {d.code: d for d in s.scalars(select(Duty).where(Duty.unit_id == db.unit_id))}
    new_duties, duty_id = [], {}
    for r in duty_rows:
        duty = duties.get(r.code)
        if r.code in bureau_owned:
            duty_id[r.code] = duty.id
            result.add(K_DUTY, UNCHANGED)
            continue
        if duty is None:
            row = {"id": new_id(), "unit_id": db.unit_id, "code": r.code, "content": r.content,
                   "duty_class": r.duty_class, "active": True, "sort_order": r.order,
                   "task_type": r.task_type}
            new_duties.append(row)
            duty_id[r.code] = row["id"]
            result.add(K_DUTY, CREATED)
            continue
        revived = duty.deleted
        values = {"content": r.content, "duty_class": r.duty_class, "sort_order": r.order}
        if r.task_type is not None:
            values["task_type"] = r.task_type
        if revived:
            values.update(deleted=False, active=True)
        changed = assign(duty, **values)
        duty_id[r.code] = duty.id
        result.add(K_DUTY, CREATED if revived else UPDATED if changed else UNCHANGED)
    s.flush()                                   # ORM updates first, then the new rows
    db.bulk_insert(s, Duty, new_duties)
    return duty_id


def _sync_links(s, duty_rows: list[_DutyRow], duty_id: dict[str, str],
                section_id: dict[str, str], result: ImportResult) -> list[dict]:
    """Make each listed duty's DutySection rows exactly the file's 承担科室."""
    wanted = {(duty_id[r.code], section_id[key]): {} for r in duty_rows for key in r.section_keys}
    return sync_link_rows(s, DutySection, "duty_id", "section_id", list(duty_id.values()), wanted,
                          result, K_LINK)
