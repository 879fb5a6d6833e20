"""CLI for what the 编办 does with a round's results (编办用单):

    round grades --db B --round R [--set 好=90,较好=80,一般=60,较差] [--top-share 30]
              the round's 等次 cut-offs (百分制: final score ÷ full score × 100) and every unit's grade
    round adjust --db B --round R --unit U [--item J1 --times 2 --reason T]
              加分/扣分 of a unit (without --item: its 加减分 items and entries); --times 0 removes
    decision add --db B --unit U --kind 编制核减 [--posts 2] --date D [--doc 文号]
              [--evidence need|figures|round|批次名称 …] [--period 2026-Q3] [--note T]
    decision list --db X [--unit U] [--json]    (a unit: the 编办's decisions its 下发包 brought)
"""
from __future__ import annotations

from pathlib import Path

from app.cli.auth import ADMIN, READER, acts_as
from app.cli.common import open_db, parse_date, print_json
from app.core.errors import AppError
from app.core.metrics import parse_period
from app.services.county import decisions as D
from app.services.county.mirrors import Mirrors, find_unit
from app.services.evaluation import adjustments
from app.services.evaluation.grading import grading_of, set_grading
from app.services.evaluation.rounds_bureau import results
from app.services.evaluation.rounds_find import find_round
from app.core.bureau import grades as G


# ---------------------------------------------------------------- round grades / adjust
def add_round_actions(action) -> None:
    """Called by app.cli.rounds with its parser factory."""
    sp = action("grades", "编办：查看或设定本批次的等次标准（按折算百分制），列出各单位等次")
    sp.add_argument("--set", dest="cutoffs", help="如 好=90,较好=80,一般=60,较差（最后一个为最低等次）")
    sp.add_argument("--top-share", type=float, help="最高等次不超过参评单位的百分比，如 30")
    sp.add_argument("--today", type=parse_date)
    sp = action("adjust", "编办：录入单位的加分扣分项（次数和理由）；不带 --item 时列出加减分项")
    sp.add_argument("--unit", required=True, help="单位名称或统一社会信用代码")
    sp.add_argument("--item", help="加减分项编号，如 J1")
    sp.add_argument("--times", type=int, help="次数（0为删除）")
    sp.add_argument("--reason", default="", help="理由，如表彰文件、通报文号")


def _grades(db, a) -> int:
    round_id = find_round(db, a.round)
    if a.cutoffs:
        try:
            grading = G.parse(a.cutoffs, a.top_share)
        except ValueError as exc:
            raise AppError(f"等次标准有误，未保存：{exc}") from None
        set_grading(db, a.actor, round_id, grading.cutoffs, grading.lowest, grading.top_share)
        print(f"已设定等次标准：{grading.text()}")
    elif a.top_share is not None:
        raise AppError("--top-share 须与 --set 一起使用")
    grading = grading_of(db, round_id)
    mirrors = Mirrors(db)
    try:
        found = results(db, mirrors, round_id, a.today)
    finally:
        mirrors.close()
    print(f"等次标准（折算百分制 = 最终得分 ÷ 满分 × 100）：{grading.text()}")
    for r in found:
        if r.grade:
            print(f"{r.rank}  {r.name}  最终得分{r.final_total:g}/{r.full:g}  折算{r.percent:g}  {r.grade}"
                  + ("（受比例上限，降一等次）" if r.capped else ""))
        else:
            print(f"—  {r.name}  编办未评完（{r.scored}/{r.leaves}），暂无等次")
    return 0


def _adjust(db, a) -> int:
    round_id = find_round(db, a.round)
    unit = find_unit(db, a.unit)
    mirrors = Mirrors(db)
    try:
        lines = adjustments.lines(mirrors.get(unit.unit_id), round_id, unit.unit_id)
        if not lines:
            raise AppError(f"{unit.name}的指标体系中没有加减分项（或该单位不在本批次）")
        if not a.item:
            for x in lines:
                entry = f"已录入{x.times}次，{x.points:+g}分（{x.reason}）" if x.times else "未录入"
                print(f"{x.code} {x.name}｜{x.rule_text}｜{entry}")
            return 0
        line = next((x for x in lines if x.code == a.item.strip() or x.item_id == a.item.strip()), None)
        if line is None:
            raise AppError(f"没有编号为“{a.item}”的加减分项（有：{'、'.join(x.code for x in lines)}）")
        if a.times is None:
            raise AppError("请用 --times 写明次数（0为删除）")
        _, message = adjustments.set_adjustment(db, mirrors, a.actor, round_id, unit.unit_id, line.item_id,
                                                a.times, a.reason)
        total = adjustments.total(mirrors.get(unit.unit_id), round_id, unit.unit_id)
    finally:
        mirrors.close()
    print(f"{unit.name}：{message}；加减分合计{total:+g}分（随下一个下发包发给单位）")
    return 0


ROUND_ACTIONS = {"grades": _grades, "adjust": _adjust}


# ---------------------------------------------------------------- decision
def add_parsers(sub) -> None:
    group = sub.add_parser("decision", help="编办对单位的编制决定记录（核增、核减、冻结、用编计划优先）",
                           description="编办对单位的编制决定记录")
    actions = group.add_subparsers(dest="decision_command", metavar="ACTION")
    actions.required = True
    sp = acts_as(actions.add_parser("add", help="编办：记录对单位的决定及其依据（随下一个下发包发给单位）"), ADMIN)
    sp.add_argument("--db", type=Path, required=True)
    sp.add_argument("--unit", required=True, help="单位名称或统一社会信用代码")
    sp.add_argument("--kind", required=True, help="、".join(D.KINDS))
    sp.add_argument("--posts", type=int, help="编制数（核增、核减必填；用编计划优先为进人计划名额）")
    sp.add_argument("--date", type=parse_date, required=True, help="决定日期 YYYY-MM-DD")
    sp.add_argument("--doc", default="", help="文号")
    sp.add_argument("--evidence", nargs="+", default=[],
                    help="依据：need（编制需求）、figures（期间数据）、round（最近的评估结果）或评估批次名称")
    sp.add_argument("--period", help="编制需求和期间数据的统计期间（默认上一个完整季度）")
    sp.add_argument("--note", default="")
    sp.add_argument("--today", type=parse_date)
    sp = acts_as(actions.add_parser("list", help="列出决定记录（单位版：编办对本单位的决定）"), READER)
    sp.add_argument("--db", type=Path, required=True)
    sp.add_argument("--unit", help="编办版：单位名称或统一社会信用代码（默认全部单位）")
    sp.add_argument("--json", action="store_true")


def _chosen(options: list[D.Evidence], wanted: list[str]) -> list[D.Evidence]:
    out = []
    for key in wanted:
        k = key.strip()
        kind = {"need": D.NEED, "编制需求": D.NEED, "figures": D.FIGURES, "期间数据": D.FIGURES,
                "round": D.ROUND, "评估结果": D.ROUND}.get(k)
        match = [e for e in options if e.kind == kind] if kind else [e for e in options if e.label == k]
        if not match:
            have = "、".join(e.label for e in options) or "没有可用的依据"
            raise AppError(f"没有依据“{k}”（可用：{have}）")
        out.append(match[0])
    return list(dict.fromkeys(out))


def _add(db, a) -> int:
    unit = find_unit(db, a.unit)
    mirrors = Mirrors(db)
    try:
        period = parse_period(a.period) if a.period else None
        options = D.evidence_options(db, mirrors, unit.unit_id, period, a.today) if a.evidence else []
        chosen = _chosen(options, a.evidence)
        D.add_decision(db, mirrors, a.actor, unit.unit_id, kind=a.kind.strip(), posts=a.posts,
                       decided_on=a.date, doc_no=a.doc, evidence=chosen, note=a.note)
    finally:
        mirrors.close()
    print(f"已记录对{unit.name}的决定：{a.kind}" + (f"{a.posts}名" if a.posts else "")
          + (f"（{a.doc.strip()}）" if a.doc.strip() else "") + "，随下一个下发包发给单位")
    for e in chosen:
        print(f"  依据 {e.label}：{e.text}")
    return 0


def _list(db, a) -> int:
    if db.edition == "bureau":
        mirrors = Mirrors(db)
        try:
            from app.services.county.mirrors import registered_units
            units = [find_unit(db, a.unit)] if a.unit else registered_units(db)
            found = [(u.name, d) for u in units for d in D.decisions_of(db, mirrors, u.unit_id)]
        finally:
            mirrors.close()
    else:
        if a.unit:
            raise AppError("--unit 只用于编办版")
        from app.services.org.setup import unit_of
        name = unit_of(db).name
        found = [(name, d) for d in D.decisions_here(db, a.actor)]
    if a.json:
        print_json([{"unit": n, **d.to_json()} for n, d in found])
        return 0
    if not found:
        print("没有决定记录")
    for n, d in found:
        print(f"{d.decided_on}  {n}  {d.kind}  {d.posts_text}  {d.doc_no or '—'}"
              + (f"  备注：{d.note}" if d.note else ""))
        for e in d.evidence:
            print(f"    依据 {e.get('label')}：{e.get('text')}")
    return 0


def cmd_decision(a) -> int:
    db = open_db(a.db)
    try:
        return {"add": _add, "list": _list}[a.decision_command](db, a)
    finally:
        db.dispose()


COMMANDS = {"decision": cmd_decision}
