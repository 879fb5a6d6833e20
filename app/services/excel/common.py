"""Shared parts of the Excel imports (人员名册, 三定职责): reading sheets, cleaning cells,
collecting per-cell problems and counting what an import did.

An import reads the whole workbook, validates every row against the file and the database, and
writes only when no problem was found (all or nothing). Problems name the sheet, the Excel row
number and the column, so the user can find the cell.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from app.core.errors import ValidationError
from app.core.ids import new_id
from app.core.validators import clean_person_name, fold_key, show_invisible

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- workbook layout
@dataclass(frozen=True)
class Column:
    """One column of an import sheet, as the template writes it."""
    name: str
    width: int
    required: bool = False
    choices: tuple[str, ...] = ()
    note: str = ""
    example: str = ""
    text: bool = False          # cells formatted as text (@) so Excel keeps leading zeros/digits
    added: bool = False         # added in a later template version: files without it still import


@dataclass(frozen=True)
class SheetLayout:
    title: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# ---------------------------------------------------------------- problems and results
@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"工作表「{self.sheet}」"
        if self.row:
            where += f"第{self.row}行"
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.reason}"


class Problems:
    """Collects problems of one import; `raise_if_any` aborts it before anything is written."""

    def __init__(self, layouts: Iterable[SheetLayout]):
        self._order = {}
        for i, layout in enumerate(layouts):
            self._order[layout.title] = (i, {c: j for j, c in enumerate(layout.names)})
        self.items: list[ImportProblem] = []

    def add(self, sheet: str, row: int | None, column: str | None, reason: str) -> None:
        self.items.append(ImportProblem(sheet, row, column, reason))

    def __len__(self) -> int:
        return len(self.items)

    def sorted(self) -> list[ImportProblem]:
        def key(p: ImportProblem):
            sheet_i, cols = self._order.get(p.sheet, (99, {}))
            return sheet_i, p.row or 0, cols.get(p.column, -1)
        return sorted(self.items, key=key)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(f"导入失败：共{len(self.items)}处错误，未导入任何数据",
                                  problems=self.sorted())


CREATED, UPDATED, UNCHANGED, REMOVED = "created", "updated", "unchanged", "removed"
_STATUS_LABELS = ((CREATED, "新增"), (UPDATED, "更新"), (UNCHANGED, "未变"), (REMOVED, "取消"))


@dataclass
class ImportResult:
    """What an import did, per kind of row (e.g. 人员, 岗位职责), and a Chinese summary."""
    what: str                                   # e.g. "人员名册"
    kinds: tuple[tuple[str, str], ...]          # (kind, measure word), display order
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    ignored_examples: list[str] = field(default_factory=list)   # sheets whose example row was left
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    new_accounts: list[str] = field(default_factory=list)       # logins still without a password

    def add(self, kind: str, status: str, n: int = 1) -> None:
        per_kind = self.counts.setdefault(kind, {})
        per_kind[status] = per_kind.get(status, 0) + n

    def count(self, kind: str, status: str) -> int:
        return self.counts.get(kind, {}).get(status, 0)

    def created(self, kind: str) -> int:
        return self.count(kind, CREATED)

    def updated(self, kind: str) -> int:
        return self.count(kind, UPDATED)

    def unchanged(self, kind: str) -> int:
        return self.count(kind, UNCHANGED)

    def removed(self, kind: str) -> int:
        return self.count(kind, REMOVED)

    @property
    def total_rows(self) -> int:
        return sum(sum(v.values()) for v in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(self.count(k, s) for k, _ in self.kinds for s in (CREATED, UPDATED, REMOVED))

    def summary(self) -> str:
        if not self.total_rows:
            text = f"「{self.what}」文件中没有可导入的数据"
            if self.ignored_examples:
                text += "（示例行未修改，已忽略）"
            return text + "，未做任何修改。"
        parts = []
        for kind, unit in self.kinds:
            shown = [f"{label}{self.count(kind, status)}{unit}" for status, label in _STATUS_LABELS
                     if self.count(kind, status)]
            if shown:
                parts.append(kind + "、".join(shown))
        text = f"已导入{self.what}：" + "；".join(parts) + "。"
        if self.ignored_examples:
            text += "示例行未修改，已忽略。"
        if not self.changed:
            text += "数据与系统中一致，未做修改。"
        return text + "".join(self.notes)


# ---------------------------------------------------------------- cell cleaning
_SEPARATORS = re.compile(r"[、,，;；\s]+")
_WS = re.compile(r"\s+")


def halfwidth(text: str) -> str:
    """Full-width ASCII (０-９, Ａ-Ｚ, ｘ, －, ／ …) and the ideographic space → half-width."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def cell_text(value) -> str:
    """Any cell value as trimmed text; whole numbers lose the '.0' Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def code_text(value) -> str:
    """Identifiers typed by people (登录名, 职责编号, 身份证号): half-width, no outer spaces."""
    return halfwidth(cell_text(value)).strip().lstrip("'").strip()


def person_name(value) -> str:
    """姓名 as stored (validators.clean_person_name): NFKC, padding spaces removed ('张  三' →
    '张三'), minority name dots unified to '·'."""
    return clean_person_name(cell_text(value))


def name_key(name: str) -> str:
    """Matching key for section names: NFKC, no whitespace ('综合科（法规科）' = '综合科(法规科)')."""
    return fold_key(name)


def split_list(value) -> list[str]:
    """'办公室、综合科' / '1,2；3' → items, trimmed, duplicates dropped, order kept."""
    items = []
    for item in _SEPARATORS.split(cell_text(value)):
        if item and item not in items:
            items.append(item)
    return items


def choice(value, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> str | None:
    """Match a drop-down value leniently (spaces, full-width letters, common synonyms)."""
    text = _WS.sub("", halfwidth(cell_text(value)))
    if text in choices:
        return text
    if aliases and text in aliases:
        return aliases[text]
    return None


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value) -> dt.date | None:
    """Excel dates, '1985-03-04', '1985/3/4', '1985.3.4', '1985年3月4日', '19850304'.
    Returns None when the cell cannot be read as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 10_000_000 <= value <= 99_999_999:           # 19850304 typed as a number
            value = str(int(value))
        elif 1 <= value < 2_958_466:                    # an Excel serial day shown as a number
            from openpyxl.utils.datetime import from_excel
            try:
                return from_excel(value).date()
            except (ValueError, OverflowError):
                return None
        else:
            return None
    text = _WS.sub("", halfwidth(cell_text(value)))
    text = re.sub(r"[T]?\d{1,2}:\d{2}(:\d{2})?$", "", text)   # '1985-03-04 00:00:00'
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def example_text(value) -> str:
    """A cell in the comparable form used to recognise the untouched example row."""
    date = parse_date(value) if isinstance(value, (dt.date, dt.datetime)) else None
    return date.isoformat() if date else code_text(value)


# ---------------------------------------------------------------- reading a workbook
@dataclass
class SheetRow:
    number: int                 # the Excel row number (header is row 1)
    cells: dict[str, object]    # column name → raw cell value

    def get(self, column: str):
        return self.cells.get(column)


@dataclass
class WorkbookData:
    sheets: dict[str, list[SheetRow]]
    ignored_examples: list[str]


_HEADER_ALIASES = {
    "身份证号码": "身份证号", "公民身份号码": "身份证号", "公民身份证号": "身份证号",
    "所在科室": "科室", "所属科室": "科室", "用户名": "登录名", "账号": "登录名", "登录账号": "登录名",
    "状态": "人员状态", "职责类别": "职能类别", "职责类型": "职能类别", "编制性质": "编制类型",
    "职责编码": "职责编号", "科室职责": "科室职责概述",
}


def _header_key(value) -> str:
    text = _WS.sub("", halfwidth(cell_text(value))).strip("*")
    text = re.sub(r"\((必填|选填|可选)\)$", "", text).strip("*")
    return _HEADER_ALIASES.get(text, text)


def _sheet_key(name: str) -> str:
    return fold_key(name)


def _pick_sheets(wb, layouts: list[SheetLayout]) -> dict[str, str]:
    """The sheet read for each layout (title → name in the file). Refused, naming the sheet: a
    missing one, two whose names look alike (which one did the person fill in?), a hidden one
    (its content was never in front of the person who sends the file)."""
    by_key: dict[str, list[str]] = {}
    for name in wb.sheetnames:
        by_key.setdefault(_sheet_key(name), []).append(name)
    missing = [lay.title for lay in layouts if _sheet_key(lay.title) not in by_key]
    if missing:
        raise ValidationError(
            "导入失败：文件中缺少工作表" + "、".join(f"「{t}」" for t in missing)
            + f"（文件中的工作表：{'、'.join(wb.sheetnames)}）。请使用本程序生成的模板填写")
    chosen, problems, shorts = {}, [], []

    def refuse(title: str, short: str, advice: str) -> None:
        shorts.append(short)
        problems.append(ImportProblem(title, None, None, f"{short}，{advice}"))

    for layout in layouts:
        names = by_key[_sheet_key(layout.title)]
        if len(names) > 1:
            shown = "、".join(f"「{show_invisible(n)}」" for n in names)
            refuse(layout.title, f"有{len(names)}个与「{layout.title}」名称相近的工作表（{shown}）",
                   "无法确定应导入哪一个。请删除或改名多余的工作表后再导入")
            continue
        name = names[0]
        state = getattr(wb[name], "sheet_state", "visible")
        if state == "hidden":
            refuse(layout.title, f"工作表「{show_invisible(name)}」已被隐藏",
                   "其中的内容未经核对不能导入。请在Excel或WPS中右击工作表标签→“取消隐藏”，"
                   "核对内容后保存再导入")
        elif state != "visible":
            refuse(layout.title, f"工作表「{show_invisible(name)}」被设为深度隐藏",
                   "在Excel中看不到也无法直接取消隐藏，其中的内容不能导入。"
                   "请把要导入的数据复制到本程序生成的新模板中再导入")
        chosen[layout.title] = name
    if problems:
        raise ValidationError("导入失败：" + "；".join(shorts) + "，未导入任何数据", problems)
    return chosen


def open_workbook(path: Path):
    """Open an .xlsx for reading; any failure becomes a ValidationError the user understands."""
    import zipfile

    from openpyxl import load_workbook
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"找不到文件：{path}")
    if path.is_dir():
        raise ValidationError(f"“{path}”是文件夹，请选择Excel文件（.xlsx）")
    suffix = path.suffix.lower()
    if suffix in (".xls", ".et", ".csv", ".wps"):
        raise ValidationError(f"不支持“{suffix}”格式的文件：{path.name}。请在Excel或WPS中"
                              "“另存为”Excel工作簿（.xlsx）后再导入")
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):          # OLE: encrypted .xlsx or a renamed .xls
        raise ValidationError(f"无法读取文件“{path.name}”：文件设置了打开密码，或是旧版 .xls 格式。"
                              "请取消密码并在Excel或WPS中“另存为”Excel工作簿（.xlsx）后再导入")
    if not zipfile.is_zipfile(path):
        raise ValidationError(f"无法读取文件“{path.name}”：不是有效的Excel工作簿（.xlsx）。"
                              "请使用本程序生成的模板填写，并保存为 .xlsx 格式")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except PermissionError:
        raise ValidationError(f"无法打开文件“{path.name}”：没有读取权限，"
                              "或文件正在被其他程序使用") from None
    except Exception:  # openpyxl raises many kinds for damaged files
        log.warning("cannot open workbook %s", path, exc_info=True)
        raise ValidationError(f"无法读取文件“{path.name}”：文件已损坏或不是Excel工作簿（.xlsx）。"
                              "请在Excel或WPS中打开确认后另存为 .xlsx 再导入") from None


def read_workbook(path: Path, layouts: Iterable[SheetLayout]) -> WorkbookData:
    """Rows of the given sheets, with every template column present; the untouched example
    row 2 and empty rows are left out. Missing sheets/columns raise a ValidationError."""
    layouts = list(layouts)
    wb = open_workbook(path)
    try:
        chosen = _pick_sheets(wb, layouts)
        sheets, ignored, problems = {}, [], []
        for layout in layouts:
            ws = wb[chosen[layout.title]]
            rows, skipped, missing = _read_sheet(ws, layout)
            if missing:
                problems += [ImportProblem(layout.title, 1, col, "缺少此列（表头须在第1行，列名与模板一致）")
                             for col in missing]
            sheets[layout.title] = rows
            if skipped:
                ignored.append(layout.title)
        if problems:
            cols = "；".join(f"工作表「{p.sheet}」缺少列「{p.column}」" for p in problems)
            raise ValidationError(f"导入失败：{cols}。表头须在第1行，列名与模板一致", problems)
        return WorkbookData(sheets, ignored)
    except ValidationError:
        raise
    except Exception:
        log.warning("cannot read workbook %s", path, exc_info=True)
        raise ValidationError(f"无法读取文件“{Path(path).name}”：内容已损坏。"
                              "请在Excel或WPS中打开确认后另存为 .xlsx 再导入") from None
    finally:
        wb.close()


def _read_sheet(ws, layout: SheetLayout) -> tuple[list[SheetRow], bool, list[str]]:
    if not hasattr(ws, "iter_rows"):      # a chart sheet
        return [], False, list(layout.names)
    if hasattr(ws, "reset_dimensions"):   # some tools write a wrong <dimension>: read all rows
        ws.reset_dimensions()
    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, ())
    positions: dict[str, int] = {}
    for i, value in enumerate(header):
        key = _header_key(value)
        if key in layout.names and key not in positions:
            positions[key] = i
    missing = [c.name for c in layout.columns if c.name not in positions and not c.added]
    if missing:
        return [], False, missing
    example = {c.name: example_text(c.example) for c in layout.columns}
    rows, skipped = [], False
    for number, values in enumerate(rows_iter, start=2):
        cells = {name: (values[i] if i < len(values) else None) for name, i in positions.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        if number == 2 and all(example_text(cells.get(n)) == example[n] for n in positions):
            skipped = True
            continue
        rows.append(SheetRow(number, cells))
    return rows, skipped, []


# ---------------------------------------------------------------- writing
def assign(obj, **values) -> bool:
    """Set only the attributes whose value differs, so unchanged rows stay out of the outbox.
    Returns True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def check_length(problems: Problems, sheet: str, row: int, column: str, text: str,
                 limit: int) -> None:
    if len(text) > limit:
        problems.add(sheet, row, column, f"内容过长（{len(text)}个字，最多{limit}个字）")


def sync_link_rows(s, model, left: str, right: str, owner_ids: list[str],
                   wanted: dict[tuple[str, str], dict], result: "ImportResult",
                   kind: str) -> list[dict]:
    """Make the link rows (`left`, `right`) of the given owners exactly `wanted` (pair → values of
    the other columns): revive tombstoned rows, update changed values, tombstone the rest.
    Returns the rows to insert. Duplicate pairs (e.g. written on two PCs) collapse to one."""
    from sqlalchemy import select

    owner_col = getattr(model, left)
    existing: dict[tuple[str, str], list] = {}
    for i in range(0, len(owner_ids), 500):
        for row in s.scalars(select(model).where(owner_col.in_(owner_ids[i:i + 500]))):
            existing.setdefault((getattr(row, left), getattr(row, right)), []).append(row)
    new_rows = []
    for pair, values in wanted.items():
        rows = existing.get(pair, [])
        active = [x for x in rows if not x.deleted]
        if active:
            result.add(kind, UPDATED if assign(active[0], **values) else UNCHANGED)
        elif rows:
            assign(rows[0], deleted=False, **values)
            result.add(kind, CREATED)
        else:
            new_rows.append({"id": new_id(), left: pair[0], right: pair[1], **values})
            result.add(kind, CREATED)
    for pair, rows in existing.items():
        active = [x for x in rows if not x.deleted]
        keep = 1 if pair in wanted else 0
        for row in active[keep:]:
            row.deleted = True
        if not keep and active:
            result.add(kind, REMOVED)
    return new_rows
