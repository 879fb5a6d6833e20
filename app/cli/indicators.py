"""CLI command group `indicators`: the 编办's indicator systems (评估指标体系) and automatic scores.

    indicators install-defaults --db B            the seven shipped templates (skips names already there)
    indicators list --db D [--json]               templates with their points and automatic items
    indicators show --db D --template 名称 [--json]   the tree
    indicators export --db B --template 名称 --out F.xlsx
    indicators import --db B F.xlsx               all or nothing; a template of the same name is updated
    indicators copy --db B --template 名称 --name 新名称 [--unit-class 类别]
    indicators auto --db D --template 名称 --period 2026 [--unit 单位] [--json]
        automatic scores of one unit: on a unit database its own data; on a 编办 database the
        template is the 编办's and the data the unit's mirror (--unit required)

install-defaults, import and copy act as the 编办's admin (--as); the others as a reader (--as)
the GUI shows indicator systems to (app.services.evaluation.rounds.may_view).
"""
from __future__ import annotations

from pathlib import Path

from app.core.errors import AppError
from app.cli.auth import ADMIN, READER, acts_as
from app.cli.common import open_db, print_json
from app.cli.stats import _period as parse
from app.core.bureau import indicators as I
from app.core.bureau.indicators import METRICS
from app.services.county.mirrors import Mirrors, find_unit
from app.services.evaluation.indicators import auto_scores, copy_template, find_template, install_defaults, templates, tree
from app.services.evaluation.indicators_excel import export_excel, import_excel
from app.services.evaluation.rounds import require_viewer


def _period(text: str):
    return parse(text)


def add_parsers(sub) -> None:
    group = sub.add_parser("indicators", help="评估指标体系：安装默认模板、查看、导出/导入Excel、自动评分",
                           description="评估指标体系（一级指标→二级指标→评估要点，共性100分+个性20分）")
    actions = group.add_subparsers(dest="indicators_command", metavar="ACTION")
    actions.required = True

    def action(name, help_text):
        who = ADMIN if name in WRITING else READER
        sp = acts_as(actions.add_parser(name, help=help_text, description=help_text), who)
        sp.add_argument("--db", type=Path, required=True, help="数据库文件")
        return sp

    action("install-defaults", "编办：安装党委部门、政府部门、直属事业单位、公益服务类事业单位、人大政协机关、群团机关六套评估指标体系和江苏机关单位高质量发展绩效评价指标体系")
    sp = action("list", "列出指标体系")
    sp.add_argument("--json", action="store_true")
    sp = action("show", "显示一套指标体系的全部指标")
    sp.add_argument("--template", required=True, help="指标体系名称")
    sp.add_argument("--json", action="store_true")
    sp = action("export", "导出指标体系为Excel（修改后可再导入）")
    sp.add_argument("--template", required=True, help="指标体系名称")
    sp.add_argument("--out", type=Path, required=True, help="保存为（.xlsx）")
    sp = action("import", "编办：从Excel导入指标体系（有任何错误则全部不导入；同名的指标体系就地更新）")
    sp.add_argument("file", type=Path)
    sp = action("copy", "编办：复制一套指标体系（改名后修改）")
    sp.add_argument("--template", required=True, help="要复制的指标体系名称")
    sp.add_argument("--name", required=True, help="新名称")
    sp.add_argument("--unit-class", help="适用单位类别（默认同原指标体系）")
    sp = action("auto", "按统计数据计算自动评分的评估要点")
    sp.add_argument("--template", required=True, help="指标体系名称")
    sp.add_argument("--period", type=_period, required=True, help="评估期间：2026、2026-H1、2026-Q4、2026-10")
    sp.add_argument("--unit", help="编办版：单位名称或统一社会信用代码")
    sp.add_argument("--json", action="store_true")


WRITING = ("install-defaults", "import", "copy")


def cmd_indicators(a) -> int:
    db = open_db(a.db)
    require_viewer(db, a.actor)     # the writing actions' services also require the 编办's admin
    return ACTIONS[a.indicators_command](db, a)


def _install(db, a) -> int:
    for name, installed in install_defaults(db, a.actor):
        print(f"{'已安装' if installed else '已存在，未改动'}：{name}")
    return 0


def _list(db, a) -> int:
    found = templates(db)
    if a.json:
        print_json([t.__dict__ for t in found])
        return 0
    if not found:
        print("没有指标体系" + ("（可运行 indicators install-defaults 安装默认模板）" if db.edition == "bureau"
                            else "（指标体系由编办下发）"))
    for t in found:
        print(f"{t.name}  适用：{t.unit_class}  评估要点{t.leaves}项（自动评分{t.auto_leaves}项）  "
              f"共性{t.common:g}分 + 个性{t.individual:g}分")
    return 0


def _show(db, a) -> int:
    t = find_template(db, a.template)
    roots = tree(db, t.id)
    if a.json:
        print_json({"id": t.id, "name": t.name, "unit_class": t.unit_class, "note": t.note,
                    "items": [n.to_json() for n in roots]})
        return 0
    print(f"{t.name}（{t.unit_class}）  共性{t.common:g}分 + 个性{t.individual:g}分")
    for n in I.walk(roots):
        line = f"{'  ' * (n.level - 1)}{n.code} {n.name}  {n.max_score:g}分"
        if n.is_leaf:
            if n.method == I.AUTO:
                line += f"  [自动：{I.METRICS[n.metric].label}，{I.rule_text(n.rule, n.metric)}]"
            else:
                line += "  [人工]"
        print(line + ("  （个性指标）" if n.individual and n.level == 1 else ""))
    return 0


def _export(db, a) -> int:
    t = find_template(db, a.template)
    print(f"已导出“{t.name}”：{export_excel(db, t.id, a.out)}")
    return 0


def _import(db, a) -> int:
    print(import_excel(db, a.actor, a.file).summary())
    return 0


def _copy(db, a) -> int:
    src = find_template(db, a.template)
    copy_template(db, a.actor, src.id, a.name, a.unit_class)
    print(f"已将“{src.name}”复制为“{a.name.strip()}”")
    return 0


def _auto(db, a) -> int:
    t = find_template(db, a.template)
    source, unit_name = db, None
    if db.edition == "bureau":
        if not a.unit:
            raise AppError("编办版须用 --unit 指定单位（自动评分读取该单位的数据）")
        unit = find_unit(db, a.unit)
        source, unit_name = Mirrors(db).get(unit.unit_id), unit.name
    elif a.unit:
        raise AppError("--unit 只用于编办版")
    scores = list(auto_scores(db, t.id, a.period, source=source).values())
    scored = [s for s in scores if s.score is not None]
    got, possible = round(sum(s.score for s in scored), 2), sum(s.max_score for s in scored)
    if a.json:
        print_json({"template": t.name, "unit": unit_name, "period": a.period.text,
                    "items": [{**s.__dict__, "metric_label": METRICS[s.metric].label} for s in scores],
                    "score": got, "max_score": possible,
                    "unscored": [s.code for s in scores if s.score is None]})
        return 0
    print(f"{t.name}  {unit_name + '  ' if unit_name else ''}{a.period.label}  自动评分")
    for s in scores:
        points = "—" if s.score is None else f"{s.score:g}"
        print(f"{s.code} {s.name}  {points}/{s.max_score:g}分  {s.explanation}")
    missing = len(scores) - len(scored)
    print(f"合计：自动评分{len(scored)}项得{got:g}分（满分{possible:g}分）"
          + (f"；{missing}项没有数值，需人工评分" if missing else ""))
    return 0


ACTIONS = {"install-defaults": _install, "list": _list, "show": _show, "export": _export,
           "import": _import, "copy": _copy, "auto": _auto}
COMMANDS = {"indicators": cmd_indicators}
