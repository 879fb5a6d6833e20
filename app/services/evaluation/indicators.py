"""Indicator systems (评估指标体系) in a database: the seven shipped templates, listing, reading a
tree, copying, and automatic scores. The Excel round trip is app.services.evaluation.indicators_excel.

Templates are rows the 编办 owns (indicator_template, indicator_item; merge.BUREAU_TABLES): they
are written in the 编办's own database, and only its admin edits them. A unit database holds the
templates the 编办 sent it and reads them like any other. Items are matched by 编号 when a
template is rewritten (re-import, reinstall), so an item keeps its id — and the scores that name
it — while its text, score or rule change; items no longer present are tombstoned.

Automatic scores read the metrics of one unit (app.core.bureau.indicator_rules) from the unit's own
database or its mirror at the 编办: the same statistics the unit sees (`stats --json`), and
its staffing (app.services.org.headcount.staffing_of).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select

from app.core.bureau import indicators as I
from app.core.errors import AppError, PermissionDenied, ValidationError
from app.core.ids import new_id
from app.core.metrics import Period
from app.db.engine import Database
from app.db.models import IndicatorItem, IndicatorTemplate
from app.paths import resources_dir
from app.services.org.actor import Actor
from app.services.items.county import unit_items
from app.services.items.progress import facts_payload
from app.services.excel.common import CREATED, REMOVED, UNCHANGED, UPDATED, ImportResult, assign
from app.services.org.headcount import staffing_of
from app.services.stats import compute as stats

KIND_ITEMS = ("指标", "项")
RESULT_KINDS = (KIND_ITEMS,)


# ---------------------------------------------------------------- templates
@dataclass(frozen=True)
class TemplateSpec:
    """A template as data (shipped JSON, an Excel sheet, a copy): not yet in a database."""
    name: str
    unit_class: str
    note: str
    roots: list[I.Node]
    sort_order: int = 0


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    name: str
    unit_class: str
    note: str
    sort_order: int
    leaves: int
    auto_leaves: int
    common: float            # common points (100 when valid)
    individual: float        # individual points (20 when valid)


def default_specs() -> list[TemplateSpec]:
    """The seven shipped templates (resources/indicators/*.json), in their order: the six 编制
    evaluation systems by unit class and 江苏's six-indicator 高质量发展绩效评价 system (seed 001)."""
    specs = []
    for file in sorted((resources_dir() / "indicators").glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        specs.append(TemplateSpec(data["name"], data["unit_class"], data.get("note", ""),
                                  I.from_outline(data["items"]), data.get("sort_order", 0)))
    return specs


def require_editor(db: Database, actor: Actor) -> None:
    """Templates belong to the 编办: only its admin edits them, in the 编办's own database."""
    if db.edition != "bureau":
        raise PermissionDenied("指标体系由编办制定和修改（本数据库是单位版，只能查看编办下发的指标体系）")
    if not actor.is_admin:
        raise PermissionDenied("修改指标体系需要编办管理员权限")


def templates(db: Database) -> list[TemplateInfo]:
    """Every template of the database, in display order."""
    with db.read() as s:
        rows = s.scalars(select(IndicatorTemplate).where(IndicatorTemplate.deleted.is_(False))
                         .order_by(IndicatorTemplate.sort_order, IndicatorTemplate.name)).all()
        items = s.scalars(select(IndicatorItem).where(IndicatorItem.deleted.is_(False))).all()
    by_template: dict[str, list[IndicatorItem]] = {}
    for item in items:
        by_template.setdefault(item.template_id, []).append(item)
    out = []
    for t in rows:
        roots = I.link(_node(i) for i in by_template.get(t.id, []))
        leaves = I.leaves(roots)
        common, individual = I.totals(roots)
        out.append(TemplateInfo(t.id, t.name, t.unit_class, t.note, t.sort_order, len(leaves),
                                sum(1 for n in leaves if n.method == I.AUTO), common, individual))
    return out


def find_template(db: Database, key: str) -> TemplateInfo:
    """A template by id or exact name."""
    key = key.strip()
    for t in templates(db):
        if key in (t.id, t.name):
            return t
    names = "、".join(t.name for t in templates(db)) or "（没有指标体系）"
    raise AppError(f"没有名为“{key}”的指标体系。现有：{names}")


def default_template_for(db: Database, unit_class: str) -> TemplateInfo | None:
    """The template a unit of this class is evaluated by unless the 编办 picks another: the
    first (in display order) made for its class, or for 公益服务类 when it is 公益一类/二类."""
    wanted = (unit_class, I.CLASS_TEMPLATE.get(unit_class))
    found = [t for t in templates(db) if t.unit_class in wanted]
    found.sort(key=lambda t: (wanted.index(t.unit_class), t.sort_order, t.name))
    return found[0] if found else None


def missing_default_for(db: Database, unit_class: str) -> str | None:
    """The name of a shipped template made for this class (or its 公益服务类) that the database
    does not hold: installing the defaults would give the class its template."""
    wanted = (unit_class, I.CLASS_TEMPLATE.get(unit_class))
    held = {t.name for t in templates(db)}
    return next((s.name for s in default_specs() if s.unit_class in wanted and s.name not in held), None)


def _node(item: IndicatorItem) -> I.Node:
    return I.Node(code=item.code, name=item.name, level=item.level, max_score=item.max_score,
                  method=item.method, metric=item.metric,
                  rule=json.loads(item.rule) if item.rule else None, guidance=item.guidance,
                  individual=item.individual, id=item.id, parent_id=item.parent_id,
                  sort_order=item.sort_order)


def tree(db: Database, template_id: str) -> list[I.Node]:
    """The template's roots (一级指标), each with its children, in display order."""
    with db.read() as s:
        if s.get(IndicatorTemplate, template_id) is None:
            raise AppError("找不到该指标体系")
        items = s.scalars(select(IndicatorItem).where(IndicatorItem.template_id == template_id,
                                                      IndicatorItem.deleted.is_(False))).all()
    return I.link(_node(i) for i in items)


def spec_of(db: Database, template_id: str) -> TemplateSpec:
    with db.read() as s:
        t = s.get(IndicatorTemplate, template_id)
    if t is None or t.deleted:
        raise AppError("找不到该指标体系")
    return TemplateSpec(t.name, t.unit_class, t.note, tree(db, template_id), t.sort_order)


# ---------------------------------------------------------------- writing
def check_spec(spec: TemplateSpec) -> list[str]:
    problems = []
    if not spec.name.strip():
        problems.append("请填写指标体系名称")
    elif len(spec.name.strip()) > 100:
        problems.append("指标体系名称过长（最多100个字）")
    if spec.unit_class not in I.TEMPLATE_CLASSES:
        problems.append(f"适用单位类别应为{'、'.join(I.TEMPLATE_CLASSES)}之一")
    return problems + I.validate(spec.roots)


def save_template(db: Database, actor: Actor, spec: TemplateSpec,
                  template_id: str | None = None) -> tuple[str, ImportResult]:
    """Write `spec` as a new template, or over `template_id` in place (items matched by 编号).
    Refuses a tree with problems; returns the template id and what changed."""
    require_editor(db, actor)
    problems = check_spec(spec)
    if problems:
        raise ValidationError(f"指标体系“{spec.name}”有{len(problems)}处问题，未保存", problems)
    result = ImportResult("评估指标体系", RESULT_KINDS)
    with db.session(actor) as s:
        if template_id is None:
            order = max((t.sort_order for t in s.scalars(select(IndicatorTemplate))), default=0)
            template = IndicatorTemplate(id=new_id(), name=spec.name.strip(), unit_class=spec.unit_class,
                                         note=spec.note, sort_order=spec.sort_order or order + 1)
            s.add(template)
            s.flush()
        else:
            template = s.get(IndicatorTemplate, template_id)
            assign(template, name=spec.name.strip(), unit_class=spec.unit_class, note=spec.note,
                   deleted=False)
        existing: dict[str, IndicatorItem] = {}
        for item in s.scalars(select(IndicatorItem).where(IndicatorItem.template_id == template.id)
                              .order_by(IndicatorItem.deleted)):
            existing.setdefault(item.code, item)      # a live row before a tombstone
        wanted = set()
        for parent, n, order in _with_parents(spec.roots):
            wanted.add(n.code)
            values = dict(parent_id=parent.id if parent else None, level=n.level, name=n.name.strip(),
                          max_score=float(n.max_score), method=n.method, metric=n.metric,
                          rule=I.rule_json(n.rule), guidance=n.guidance.strip(),
                          individual=n.individual, sort_order=order)
            row = existing.get(n.code)
            if row is None:
                row = IndicatorItem(id=new_id(), template_id=template.id, code=n.code, **values)
                s.add(row)
                result.add(KIND_ITEMS[0], CREATED)
            else:
                revived = row.deleted
                changed = assign(row, deleted=False, **values)
                result.add(KIND_ITEMS[0], CREATED if revived else UPDATED if changed else UNCHANGED)
            n.id = row.id
        for code, row in existing.items():
            if code not in wanted and not row.deleted:
                row.deleted = True
                result.add(KIND_ITEMS[0], REMOVED)
    return template.id, result


def _with_parents(roots: list[I.Node], parent: I.Node | None = None):
    """(parent, node, place among its siblings from 1), parents first. The order is kept per
    parent so that removing or adding one item does not rewrite the order of every other."""
    for order, n in enumerate(roots, 1):
        yield parent, n, order
        yield from _with_parents(n.children, n)


def _live_template_id(db: Database, name: str) -> str | None:
    with db.read() as s:
        return s.scalar(select(IndicatorTemplate.id).where(IndicatorTemplate.name == name.strip(),
                                                           IndicatorTemplate.deleted.is_(False)))


def install_defaults(db: Database, actor: Actor) -> list[tuple[str, bool]]:
    """Write the seven shipped templates into the 编办's database; a template whose name is
    already there is left as it is (the 编办 may have edited it). Returns (name, installed now)."""
    require_editor(db, actor)
    done = []
    for spec in default_specs():
        if _live_template_id(db, spec.name):
            done.append((spec.name, False))
        else:
            save_template(db, actor, spec)
            done.append((spec.name, True))
    return done


def copy_template(db: Database, actor: Actor, template_id: str, new_name: str,
                  unit_class: str | None = None) -> str:
    """A copy of a template under a new name (the 编办's own variant), for editing."""
    require_editor(db, actor)
    if _live_template_id(db, new_name):
        raise ValidationError(f"已有名为“{new_name.strip()}”的指标体系，请换一个名称")
    src = spec_of(db, template_id)
    for n in I.walk(src.roots):
        n.id = n.parent_id = None
    spec = TemplateSpec(new_name, unit_class or src.unit_class, src.note, src.roots)
    return save_template(db, actor, spec)[0]


# ---------------------------------------------------------------- automatic scores
@dataclass(frozen=True)
class AutoScore:
    item_id: str
    code: str
    name: str
    max_score: float
    metric: str
    value: float | None
    score: float | None           # None: no automatic score (explanation says why)
    explanation: str


def metric_values(db: Database, period: Period, *, actor: Actor | None = None,
                  today: dt.date | None = None) -> dict[str, I.MetricValue]:
    """Every metric of one unit for `period`, from a unit database or a 编办 mirror (the same
    statistics code either way). `actor` None reads as the program (the CLI, a mirror)."""
    if not db.unit_id or db.edition == "bureau":
        raise AppError("自动评分要读取某个单位的数据：请用单位的数据库，或在编办版中指定单位")
    found = stats.unit_stats(db, period, "unit", actor=actor, today=today)
    figures = found[0].to_json() if found else None
    staffing, unit = staffing_of(db)
    # 编制任务比 on the unit's list of 年度重点工作 when it keeps one (app.services.items.county)
    info = {"items": facts_payload(db), "task_class": unit.task_class if unit else None,
            "key_tasks": unit.key_tasks if unit else None}
    _, ratio = unit_items(info, staffing.quota_total, today or dt.date.today(), period.end.year)
    return I.metric_values(figures, staffing, ratio)


def auto_scores(db: Database, template_id: str, period: Period, *, source: Database | None = None,
                actor: Actor | None = None, today: dt.date | None = None) -> dict[str, AutoScore]:
    """{item id: AutoScore} for every automatic 评估要点 of the template in `db`, scored on the
    metrics of `source` (default `db`): a unit database holding the template, or at the 编办
    `db` = its own database and `source` = the unit's mirror."""
    values = metric_values(source or db, period, actor=actor, today=today)
    return scores_from(tree(db, template_id), values)


def scores_from(roots: list[I.Node], values: dict[str, I.MetricValue]) -> dict[str, AutoScore]:
    """The automatic scores of a tree for given metric values (e.g. from cached figures)."""
    out = {}
    for n in I.leaves(roots):
        if n.method != I.AUTO:
            continue
        mv = values[n.metric]
        label = I.METRICS[n.metric].label
        if mv.value is None:
            points, text = None, f"{label}无数值，不自动评分：{mv.reason}"
        else:
            points, why = I.score(n.rule, mv.value, n.max_score, n.metric)
            text = f"{label}{why}。{label}：{mv.inputs}"
        out[n.id] = AutoScore(n.id, n.code, n.name, n.max_score, n.metric, mv.value, points, text)
    return out
