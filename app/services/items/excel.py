"""Excel import of work items (工作事项): the template, a preview, the import.

Sheet 「工作事项」: one item a row, matched by 事项编号 on re-import (updated in place); sheet
「审批办理量」: an 审批服务事项's 受理 / 办结 / 超时 件数 per month. All or nothing, like the 三定
workbook (app.services.excel.duties): every row is checked first and any problem — named by
sheet, row and column — aborts the import before a write. `apply=False` checks and counts the
same way and writes nothing (the page's preview). The 编办 issues a unit's 年度重点工作 with the
same workbook into the unit's mirror (`issue_items`): they reach the unit in its next 下发包.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.core.errors import AppError, PermissionDenied
from app.core.items import APPROVAL, KEY_TASK, KINDS
from app.db.engine import Database
from app.db.models import WorkItem
from app.reports.xlsx_safe import save_workbook
from app.services.excel.common import (CREATED, UNCHANGED, UPDATED, Column, ImportResult, Problems,
                                       SheetLayout, cell_text, choice, code_text, parse_date,
                                       read_workbook, split_list)
from app.services.excel.templates import _write_sheet
from app.db.exchange_models import bureau_origin
from app.services.items.manage import (ItemInput, check_values, lookups, require_manage, resolve,
                                       write_count, write_item)
from app.services.org.actor import Actor

ITEMS = SheetLayout("工作事项", (
    Column("事项类型", 14, True, choices=KINDS, example=KEY_TASK,
           note="年度重点工作、督办事项、审批服务事项或工作计划（从下拉列表选择）。"),
    Column("事项编号", 12, True, text=True, example="ZD01",
           note="本单位内不可重复，如 ZD01、DB-3。再次导入时按编号更新。"),
    Column("事项名称", 50, True, example="推进“高效办成一件事”改革，企业开办全流程1个工作日办结"),
    Column("关联职责编号", 16, text=True, example="1、2",
           note="该事项对应的三定职责编号，多个用顿号“、”分隔；须是系统中已有的职责。"
                "填写后，日志关联此事项时自动带出职责。"),
    Column("责任科室", 16, example="办公室", note="须是系统中已有的科室，可不填。"),
    Column("截止日期", 12, text=True, example="2026-12-31",
           note="督办事项必填；格式如 2026-12-31。年度重点工作不填时以当年12月31日为准。"),
    Column("年度", 8, example="2026", note="不填为本年；编制任务比按当年的年度重点工作计数。"),
    Column("说明", 40, example="", note="可不填。"),
))
COUNTS = SheetLayout("审批办理量", (
    Column("事项编号", 12, True, text=True, example="SP01",
           note="审批服务事项的编号（本表或「工作事项」表中的事项）。"),
    Column("月份", 10, True, text=True, example="2026-10", note="格式如 2026-10。"),
    Column("受理件数", 10, True, example="12"),
    Column("办结件数", 10, True, example="11"),
    Column("超时件数", 10, example="0", note="超过承诺时限办结或未办结的件数，不填为0。"),
))
K_ITEM, K_COUNT = "工作事项", "月办理量"
GUIDE = ["工作事项导入模板 填写说明", "",
         "1. 本文件有「工作事项」和「审批办理量」两个工作表，请勿修改工作表名称和第1行表头。",
         "2. 第2行为示例（灰色斜体），可直接覆盖；保持原样时导入会自动忽略。",
         "3. 表头为橙色的列必填；带下拉箭头的列请从列表中选择。",
         "4. 关联职责编号、责任科室须在系统中已有（先导入三定职责）。",
         "5. 有任何错误则全部不导入，并列出每处错误所在的工作表、行和列；导入前可先预览。",
         "6. 再次导入时按事项编号更新已有事项，不会重复创建；「审批办理量」同一事项同一月份以本次为准。"]


@dataclass
class PreviewRow:
    row: int
    kind: str
    code: str
    title: str
    status: str               # 新增 / 更新 / 未变


@dataclass
class ItemsImport:
    result: ImportResult
    rows: list[PreviewRow] = field(default_factory=list)
    applied: bool = False


def write_items_template(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    wb.remove(wb.active)
    for layout in (ITEMS, COUNTS):
        _write_sheet(wb.create_sheet(layout.title), layout)
    guide = wb.create_sheet("填写说明")
    guide.column_dimensions["A"].width = 100
    for n, line in enumerate(GUIDE, start=1):
        guide.cell(row=n, column=1, value=line).font = Font(bold=n == 1, size=14 if n == 1 else 11)
    wb.active = 0
    try:
        save_workbook(wb, Path(path))
    except OSError as exc:
        raise AppError(f"无法保存模板到“{path}”：{exc.strerror or exc}（文件是否正在Excel中打开？）") from None


def _int(value) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return -1
    return int(number) if number.is_integer() and number >= 0 else -1


def _items(rows, problems: Problems, today: dt.date, only: str | None) -> list[tuple[int, ItemInput]]:
    sheet, found, seen = ITEMS.title, [], {}
    for r in rows:
        raw_kind = cell_text(r.get("事项类型"))
        kind = choice(raw_kind, KINDS) or raw_kind
        deadline_raw = r.get("截止日期")
        deadline = parse_date(deadline_raw)
        year = _int(r.get("年度"))
        data = ItemInput(kind, code_text(r.get("事项编号")), cell_text(r.get("事项名称")),
                         split_list(code_text(r.get("关联职责编号"))), cell_text(r.get("责任科室")),
                         deadline.isoformat() if deadline else "",
                         today.year if year is None else year, cell_text(r.get("说明")))
        bad = check_values(data)
        if cell_text(deadline_raw) and deadline is None:
            bad.append(("截止日期", f"“{cell_text(deadline_raw)}”不是有效日期（格式如 2026-12-31）"))
        if year == -1:
            bad = [b for b in bad if b[0] != "年度"] + [("年度", f"“{cell_text(r.get('年度'))}”不是年份（如 2026）")]
        if only and data.kind in KINDS and data.kind != only:
            bad.append(("事项类型", f"编办只下发{only}（本行是{data.kind}）"))
        if data.code and data.code in seen:
            bad.append(("事项编号", f"事项编号“{data.code}”与第{seen[data.code]}行重复"))
        seen.setdefault(data.code, r.number)
        for column, reason in bad:
            problems.add(sheet, r.number, column, reason)
        found.append((r.number, data))      # a bad row is still checked against the database
    return found


def _counts(rows, problems: Problems, kinds: dict[str, str]) -> list[tuple[int, str, str, int, int, int]]:
    sheet, found, seen = COUNTS.title, [], {}
    for r in rows:
        code = code_text(r.get("事项编号"))
        period = parse_date(f"{cell_text(r.get('月份'))}-01") if cell_text(r.get("月份")) else None
        values = [_int(r.get(c)) for c in ("受理件数", "办结件数", "超时件数")]
        bad = []
        if not code:
            bad.append(("事项编号", "必填项未填写"))
        elif code not in kinds:
            bad.append(("事项编号", f"没有编号为“{code}”的工作事项"))
        elif kinds[code] != APPROVAL:
            bad.append(("事项编号", f"“{code}”是{kinds[code]}，只有审批服务事项填写办理量"))
        if period is None:
            bad.append(("月份", f"“{cell_text(r.get('月份'))}”不是有效月份（格式如 2026-10）"
                        if cell_text(r.get("月份")) else "必填项未填写"))
        for column, v, required in zip(("受理件数", "办结件数", "超时件数"), values, (True, True, False)):
            if v is None and required:
                bad.append((column, "必填项未填写"))
            elif v == -1:
                bad.append((column, f"“{cell_text(r.get(column))}”不是0或正整数"))
        key = (code, period)
        if not bad and key in seen:
            bad.append(("月份", f"与第{seen[key]}行是同一事项同一月份"))
        seen.setdefault(key, r.number)
        for column, reason in bad:
            problems.add(sheet, r.number, column, reason)
        if not bad:
            a, f, o = (v or 0 for v in values)
            found.append((r.number, code, f"{period.year}-{period.month:02d}", a, f, o))
    return found


def _import(db: Database, actor: Actor, path: Path, apply: bool, today: dt.date,
            only: str | None = None) -> ItemsImport:
    started = time.perf_counter()
    data = read_workbook(path, (ITEMS, COUNTS))
    result = ImportResult("工作事项", ((K_ITEM, "项"), (K_COUNT, "条")),
                          ignored_examples=data.ignored_examples)
    problems = Problems((ITEMS, COUNTS))
    items = _items(data.sheets[ITEMS.title], problems, today, only)
    outcome = ItemsImport(result)
    with (db.session(actor) if apply else db.rehearsal()) as s:
        duties, sections = lookups(s, db.unit_id)
        existing = {i.code: i for i in s.scalars(select(WorkItem).where(
            WorkItem.unit_id == db.unit_id, WorkItem.deleted.is_(False)))}
        foreign = bureau_origin(s) if only is None else None
        for number, item in items:
            for column, reason in resolve(item, duties, sections):
                problems.add(ITEMS.title, number, column, reason)
            row = existing.get(item.code)
            if row is not None and foreign and row.origin == foreign:
                problems.add(ITEMS.title, number, "事项编号",
                             f"事项“{item.code}”由编办下发，不能在本单位通过导入修改")
            if row is not None and only and row.origin != db.origin:
                problems.add(ITEMS.title, number, "事项编号",
                             f"事项“{item.code}”是单位自己录入的，编办不能修改")
        kinds = {code: row.kind for code, row in existing.items()}
        kinds.update({item.code: item.kind for _, item in items})
        counts = _counts(data.sheets[COUNTS.title], problems, kinds) if only is None else []
        problems.raise_if_any()
        order = max((i.sort_order for i in existing.values()), default=0)
        for number, item in items:
            row = existing.get(item.code)
            order += 1
            row, changed = write_item(s, db.unit_id, item, row,
                                      [duties[c] for c in item.duty_codes],
                                      sections.get(item.section), order)
            status = CREATED if item.code not in existing else UPDATED if changed else UNCHANGED
            result.add(K_ITEM, status)
            outcome.rows.append(PreviewRow(number, item.kind, item.code, item.title,
                                           {CREATED: "新增", UPDATED: "更新"}.get(status, "未变")))
            existing[item.code] = row
        s.flush()
        for number, code, period, a, f, o in counts:
            changed = write_count(s, existing[code].id, period, a, f, o)
            result.add(K_COUNT, UPDATED if changed else UNCHANGED)
        s.flush()
    outcome.applied = apply
    result.seconds = time.perf_counter() - started
    return outcome


def import_items(db: Database, actor: Actor, path: Path, apply: bool = True,
                 today: dt.date | None = None) -> ItemsImport:
    """The unit imports its items (apply=False: the preview, nothing written)."""
    require_manage(actor)
    if db.edition != "unit":
        raise AppError("编办下发年度重点工作：在“单位管理”页选择单位后点“下发重点工作…”（或用 items import --unit 单位）")
    return _import(db, actor, Path(path), apply, today or dt.date.today())


def issue_items(db: Database, mirrors, actor: Actor, unit_id: str, path: Path, apply: bool = True,
                today: dt.date | None = None) -> ItemsImport:
    """The 编办 issues 年度重点工作 to a unit (its mirror; the next 下发包 carries them)."""
    from app.services.county.mirrors import require_bureau
    require_bureau(db)
    if not actor.is_admin:
        raise PermissionDenied("下发年度重点工作需要编办管理员权限")
    return _import(mirrors.get(unit_id), actor, Path(path), apply, today or dt.date.today(),
                   only=KEY_TASK)
