"""Finding a round, a 评估要点 and a problem by what a person types: a round by name or id (or
the last characters of its id), a point by its 编号 (3.3.1), a problem by the short id `round
show` prints; and scores given as a CSV file (编号,得分,说明), checked whole before any is
written. Used by the command line; the pages pick from lists."""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from app.core.errors import AppError, ValidationError
from app.core.bureau.evaluation import score_problem
from app.db.engine import Database
from app.db.models import EvalRound, IndicatorItem, Problem, RoundUnit

MIN_PREFIX = 4          # shorter prefixes of UUIDv7 ids (time-ordered) match too much


def _by_key(rows: list[tuple[str, str]], key: str, what: str) -> str:
    """The id among (id, name) rows whose id or name is `key`, or whose id starts or ends with
    it (a short id); refuses an ambiguous one."""
    key = key.strip()
    exact = [i for i, name in rows if key in (i, name)]
    if len(exact) == 1:
        return exact[0]
    found = [i for i, _ in rows if len(key) >= MIN_PREFIX and (i.startswith(key) or i.endswith(key))]
    if len(found) == 1:
        return found[0]
    if len(found) > 1 or len(exact) > 1:
        raise AppError(f"“{key}”对应多个{what}，请写完整的编号")
    raise AppError(f"找不到{what}“{key}”")


def find_round(db: Database, key: str) -> str:
    """A round's id by its name, id or short id."""
    with db.read() as s:
        rows = s.execute(select(EvalRound.id, EvalRound.name).where(EvalRound.deleted.is_(False))).all()
    return _by_key([tuple(r) for r in rows], key, "评估批次")


def template_of(db: Database, round_id: str, unit_id: str) -> str:
    with db.read() as s:
        template_id = s.scalar(select(RoundUnit.template_id).where(
            RoundUnit.round_id == round_id, RoundUnit.unit_id == unit_id, RoundUnit.deleted.is_(False)))
    if template_id is None:
        raise AppError("该单位不在这个评估批次中（或尚未收到编办的下发包）")
    return template_id


def find_item(db: Database, round_id: str, unit_id: str, key: str) -> str:
    """The id of the 评估要点 numbered `key` (or with that id) in the unit's template."""
    template_id = template_of(db, round_id, unit_id)
    with db.read() as s:
        rows = s.execute(select(IndicatorItem.id, IndicatorItem.code, IndicatorItem.level).where(
            IndicatorItem.template_id == template_id, IndicatorItem.deleted.is_(False))).all()
    key = key.strip()
    for item_id, code, level in rows:
        if key in (item_id, code):
            if level != 3:
                raise AppError(f"{code}不是评估要点（只能对第三级指标打分），请写到第三级编号，如{code}.1")
            return item_id
    raise AppError(f"该单位的指标体系中没有编号为“{key}”的评估要点")


def find_problem(db: Database, key: str, unit_id: str | None = None) -> str:
    """A problem's id by its id or short id (as `round show` prints it)."""
    with db.read() as s:
        query = select(Problem.id, Problem.description).where(Problem.deleted.is_(False))
        if unit_id:
            query = query.where(Problem.unit_id == unit_id)
        rows = s.execute(query).all()
    return _by_key([(i, i) for i, _ in rows], key, "问题")


# ---------------------------------------------------------------- scores from a CSV file
def read_score_csv(path: Path, text_column: str) -> list[tuple[str, float | None, str]]:
    """(编号, 得分, 说明) rows of a UTF-8 CSV with a header naming 编号 and 得分."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise AppError(f"无法读取CSV文件：{path}（{exc}）") from None
    if not rows or "编号" not in rows[0] or "得分" not in rows[0]:
        raise AppError(f"CSV文件须有表头 编号,得分,{text_column}：{path}")
    out, problems = [], []
    for n, row in enumerate(rows, 2):
        code, raw = (row.get("编号") or "").strip(), (row.get("得分") or "").strip()
        try:
            value = float(raw) if raw else None
        except ValueError:
            problems.append(f"第{n}行：得分“{raw}”不是数字")
            continue
        out.append((code, value, (row.get(text_column) or "").strip()))
    if problems:
        raise ValidationError(f"CSV文件有{len(problems)}处问题，未写入任何得分", problems)
    return out


def resolve_scores(db: Database, round_id: str, unit_id: str,
                   rows: list[tuple[str, float | None, str]]) -> list[tuple[str, float | None, str]]:
    """(item id, score, text) of CSV rows: every row's 评估要点 found and its score within the
    max, before anything is written (all or nothing)."""
    out, problems = [], []
    for code, value, text in rows:
        try:
            item_id = find_item(db, round_id, unit_id, code)
        except AppError as exc:
            problems.append(f"{code}：{exc}")
            continue
        with db.read() as s:
            why = score_problem(value, s.get(IndicatorItem, item_id).max_score)
        if why:
            problems.append(f"{code}：{why}")
        out.append((item_id, value, text))
    if problems:
        raise ValidationError(f"有{len(problems)}处问题，未写入任何得分", problems)
    return out
