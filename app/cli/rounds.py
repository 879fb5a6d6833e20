"""CLI command group `round`: an evaluation round (五单工作法) between the 编办 and its units.

    编办定单  round create --db B --name N --year 2026 --period 2026 [--deadline D]
              round assign --db B --round R --unit U [--unit U2 | --units a,b] [--template T]
    部门接单  round auto-fill --db U --round R
              round self-score --db U --round R --item 1.1.1 --score 3 [--explanation T] [--evidence F…]
              round self-score --db U --round R --batch scores.csv      (columns 编号,得分,说明)
              round submit --db U --round R [--recall]
    编办评单  round auto-fill --db B --round R [--unit U]            (every submitted unit without --unit)
              round score --db B --round R --unit U --item 1.1.1 --score 3 [--comment T] | --batch F.csv
              round problem add --db B --round R --unit U --category C --type 限时整改 --deadline D
                                --description T [--item 1.1.1]
    部门改单  round rectify --db U --problem ID --owner O --measures M [--progress P] [--done] [--evidence F…]
    编办用单  round verify --db B --unit U --problem ID (--close | --reopen --comment T)
              round results --db B --round R [--json]
              round close --db B --round R [--force]   (refused while units are unfinished, without --force)
    both      round list --db X [--json]; round show --db X --round R [--unit U] [--json]
              round report --db X --round R [--unit U] --out F.pdf [--xlsx F.xlsx]

Writing actions act as the admin (--as, default the only admin); list, show, results and report
as any reader (--as) the GUI shows the rounds to (app.services.evaluation.rounds.may_view).
Rounds are named by name or id (or the last characters of the id), 评估要点 by 编号, problems
by the short id `round show` and `problem add` print. Packages carry everything between the
two sides (export-package / import-package). `--today` fixes the day overdue items are judged by.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core.errors import AppError, ValidationError
from app.cli.auth import ADMIN, READER, acts_as
from app.cli.common import open_db, parse_date as parse, print_json
from app.core.bureau.evaluation import short_id
from app.services.county.mirrors import Mirrors, find_unit, registered_units
from app.services.evaluation.indicators import find_template, templates
from app.services.evaluation.rounds import require_viewer, assign_units, assigned_units, create_round, detail, file_evidence, fill_auto_self_scores, report_rectification, round_states, set_self_score, submit_self
from app.services.evaluation.rounds_bodies import bodies_of
from app.services.evaluation.rounds_bureau import add_problem, close_blockers, close_round, fill_auto_bureau_scores, results, set_bureau_score, verify_problem
from app.services.evaluation.rounds_find import find_item, find_problem, find_round, read_score_csv, resolve_scores
from app.services.org.setup import unit_of
from app.cli import results as results_cli
from app.services.evaluation import adjustments


def parse_date(text: str) -> dt.date:
    return parse(text)


def add_parsers(sub) -> None:
    group = sub.add_parser("round", help="评估批次（五单工作法）：定单、接单、评单、改单、用单",
                           description="机构编制执行情况和使用效益评估批次（五单工作法）")
    actions = group.add_subparsers(dest="round_command", metavar="ACTION")
    actions.required = True

    def action(name, help_text, parent=actions, round_arg=True):
        who = READER if name in READING else ADMIN
        sp = acts_as(parent.add_parser(name, help=help_text, description=help_text), who)
        sp.add_argument("--db", type=Path, required=True, help="数据库文件")
        if round_arg:
            sp.add_argument("--round", required=True, help="评估批次名称或编号")
        return sp

    sp = action("create", "编办：建立评估批次", round_arg=False)
    sp.add_argument("--name", required=True, help="批次名称，如 2026年度机构编制执行情况和使用效益评估")
    sp.add_argument("--year", type=int, required=True, help="评估年度")
    sp.add_argument("--period", required=True, help="统计期间（自动评分所用）：2026、2026-H1、2026-Q4、2026-10")
    sp.add_argument("--deadline", type=parse_date, help="单位自评截止日期")
    sp = action("assign", "编办：把评估任务下达给单位（随下一个下发包发出）")
    sp.add_argument("--unit", action="append", default=[], help="单位名称或统一社会信用代码（可重复）")
    sp.add_argument("--units", help="多个单位，用逗号分隔")
    sp.add_argument("--template", help="指标体系名称（默认按单位类别选用）")
    sp = action("list", "列出评估批次", round_arg=False)
    sp.add_argument("--json", action="store_true")
    sp = action("show", "查看一个单位的评估：指标、自评和编办评分、合计、阶段、问题")
    sp.add_argument("--unit", help="编办版：单位名称或统一社会信用代码")
    sp.add_argument("--today", type=parse_date, help="按该日判断是否逾期（默认今天）")
    sp.add_argument("--json", action="store_true")
    sp = action("auto-fill", "按统计数据填写自动评分的评估要点（单位：自评；编办：评分）")
    sp.add_argument("--unit", help="编办版：只评该单位（默认：已提交自评的全部单位）")
    sp.add_argument("--today", type=parse_date)
    sp = action("self-score", "单位：自评一个评估要点，或用 --batch 从CSV文件（编号,得分,说明）批量自评")
    sp.add_argument("--item", help="评估要点编号，如 1.1.1")
    sp.add_argument("--score", type=float)
    sp.add_argument("--explanation", help="自评说明")
    sp.add_argument("--evidence", type=Path, nargs="+", default=[], help="佐证材料文件（可多个）")
    sp.add_argument("--batch", type=Path, help="CSV文件（UTF-8），列：编号,得分,说明")
    sp = action("submit", "单位：提交自评（--recall 撤回，编办评分前可撤回）")
    sp.add_argument("--recall", action="store_true")
    sp.add_argument("--note", default="")
    sp = action("score", "编办：对单位的一个评估要点评分，或用 --batch 从CSV文件（编号,得分,意见）批量评分")
    sp.add_argument("--unit", required=True, help="单位名称或统一社会信用代码")
    sp.add_argument("--item", help="评估要点编号")
    sp.add_argument("--score", type=float)
    sp.add_argument("--comment", default="", help="评分意见")
    sp.add_argument("--batch", type=Path, help="CSV文件（UTF-8），列：编号,得分,意见")
    problem = actions.add_parser("problem", help="编办：记录评估发现的问题", description="评估发现的问题")
    problem_actions = problem.add_subparsers(dest="problem_command", metavar="ACTION")
    problem_actions.required = True
    sp = action("add", "编办：记录一个问题（下一个下发包发给单位）", parent=problem_actions)
    sp.add_argument("--unit", required=True)
    sp.add_argument("--category", required=True, help="问题类别，如 编制资源使用率不高")
    sp.add_argument("--type", required=True, dest="rectify_type", help="立查立改、限时整改或长期坚持")
    sp.add_argument("--deadline", type=parse_date, help="整改期限（限时整改必填）")
    sp.add_argument("--description", required=True)
    sp.add_argument("--item", help="关联的评估要点编号")
    sp = action("rectify", "单位：报告一个问题的整改（责任人、措施、进展）", round_arg=False)
    sp.add_argument("--problem", required=True, help="问题编号（round show 列出）")
    sp.add_argument("--owner", required=True, help="整改责任人或责任科室")
    sp.add_argument("--measures", required=True, help="整改措施")
    sp.add_argument("--progress", default="")
    sp.add_argument("--done", action="store_true", help="整改已完成，请编办核验")
    sp.add_argument("--evidence", type=Path, nargs="+", default=[])
    sp = action("verify", "编办：核验整改，销号（--close）或退回（--reopen，须写意见）", round_arg=False)
    sp.add_argument("--unit", required=True)
    sp.add_argument("--problem", required=True)
    how = sp.add_mutually_exclusive_group(required=True)
    how.add_argument("--close", action="store_true")
    how.add_argument("--reopen", action="store_true")
    sp.add_argument("--comment", default="")
    sp = action("results", "编办：各单位得分、排名、未销号和逾期问题")
    sp.add_argument("--today", type=parse_date)
    sp.add_argument("--json", action="store_true")
    sp = action("close", "编办：结束评估批次（之后不能再修改）；有单位未完成或问题未销号时须加 --force")
    sp.add_argument("--force", action="store_true", help="仍有单位未完成评估、问题未销号时也结束")
    sp.add_argument("--today", type=parse_date)
    sp = action("report", "生成评估报告（PDF）：单位报告，或编办版不带 --unit 时的批次工作情况报告")
    sp.add_argument("--unit", help="编办版：单位名称或统一社会信用代码")
    sp.add_argument("--out", type=Path, required=True)
    sp.add_argument("--xlsx", type=Path, help="同时导出全部得分和问题（Excel）")
    sp.add_argument("--today", type=parse_date)
    results_cli.add_round_actions(action)


READING = ("list", "show", "results", "report")


def cmd_round(a) -> int:
    db = open_db(a.db)
    require_viewer(db, a.actor)     # the writing actions' services also require an admin
    try:
        name = a.round_command if a.round_command != "problem" else "problem " + a.problem_command
        return ACTIONS[name](db, a)
    finally:
        db.dispose()


# ---------------------------------------------------------------- helpers
def _mirrors(db):
    return Mirrors(db)


def _unit(db, key: str | None):
    """(unit id, name, database holding its rows) — the unit itself, or its mirror at the 编办."""
    if db.edition == "bureau":
        if not key:
            raise AppError("编办版须用 --unit 指定单位")
        unit = find_unit(db, key)
        return unit.unit_id, unit.name
    if key:
        raise AppError("--unit 只用于编办版")
    return db.unit_id, unit_of(db).name


def _round(db, a) -> str:
    return find_round(db, a.round)


def _score(v) -> str:
    return "—" if v is None else f"{v:g}"


def _evidence(db, files: list[Path]) -> list[dict]:
    return file_evidence(db, files)


def _merged(old: list, new: list[dict]) -> list:
    shas = {e.get("sha256") for e in old if isinstance(e, dict)}
    return list(old) + [e for e in new if e["sha256"] not in shas]


# ---------------------------------------------------------------- 定单
def _create(db, a) -> int:
    round_id = create_round(db, a.actor, a.name, a.year, a.period, a.deadline)
    print(f"已建立评估批次“{a.name.strip()}”，编号：{round_id}")
    return 0


def _assign(db, a) -> int:
    keys = list(a.unit) + [k.strip() for k in (a.units or "").replace("，", ",").split(",") if k.strip()]
    if not keys:
        raise AppError("请用 --unit 或 --units 指定单位")
    round_id = _round(db, a)
    template = find_template(db, a.template).id if a.template else None
    names = {t.id: t.name for t in templates(db)}
    # All or none: every unit is found and checked before any is assigned.
    units, unknown = [], []
    for key in dict.fromkeys(keys):
        try:
            units.append(find_unit(db, key))
        except AppError as exc:
            unknown.append(str(exc))
    if unknown:
        raise ValidationError(("" if len(units) + len(unknown) == 1 else "所列单位都未下达：\n") + "\n".join(unknown),
                              unknown)
    mirrors = _mirrors(db)
    try:
        used = assign_units(db, mirrors, a.actor, round_id, [u.unit_id for u in units], template)
    finally:
        mirrors.close()
    for unit in units:
        print(f"已下达：{unit.name}（{names.get(used[unit.unit_id], used[unit.unit_id])}）")
    print("评估任务随下一个下发包发给单位（export-package）")
    return 0


# ---------------------------------------------------------------- reading
def _list(db, a) -> int:
    found = []
    for state in round_states(db):
        round_id = state.id
        entry = {"id": round_id, "name": state.name, "period": state.period, "closed_on": state.closed_on}
        if db.edition == "bureau":
            mirrors = _mirrors(db)
            try:
                entry["units"] = len(assigned_units(db, mirrors, round_id))
            finally:
                mirrors.close()
        else:
            try:
                entry["stage"] = detail(db, round_id).stage
            except AppError:
                entry["stage"] = None
        found.append(entry)
    if a.json:
        print_json(found)
        return 0
    if not found:
        print("没有评估批次" + ("" if db.edition == "bureau" else "（评估任务由编办在下发包中下达）"))
    for e in found:
        extra = f"单位{e['units']}个" if "units" in e else f"阶段：{e['stage'] or '—'}"
        status = f"已于{e['closed_on']}结束" if e["closed_on"] else "进行中"
        print(f"{e['id']}  {e['name']}  统计期间{e['period']}  {status}  {extra}")
    return 0


def _detail(db, a):
    """(the unit's round, its name, its 加分/扣分 entries)."""
    round_id = _round(db, a)
    unit_id, name = _unit(db, getattr(a, "unit", None))
    if db.edition == "bureau":
        mirrors = _mirrors(db)
        try:
            mirror = mirrors.get(unit_id)
            return detail(mirror, round_id, unit_id, a.today), name, adjustments.lines(mirror, round_id, unit_id)
        finally:
            mirrors.close()
    return detail(db, round_id, today=a.today), name, adjustments.lines(db, round_id)


def _show(db, a) -> int:
    d, name, entered = _detail(db, a)
    entered = [x for x in entered if x.times]
    if a.json:
        print_json({**d.to_json(name), "adjustments": [
            {"code": x.code, "name": x.name, "times": x.times, "points": x.points, "reason": x.reason}
            for x in entered]})
        return 0
    print(f"{d.name}  {name}  《{d.template_name}》  统计期间{d.period}  阶段：{d.stage}"
          + (f"  （批次已于{d.closed_on}结束）" if d.closed else ""))
    for i in d.items:
        pad = "  " * (i.level - 1)
        line = f"{pad}{i.code} {i.name}  {i.max_score:g}"
        if i.level == 3:
            line += f"  自评{_score(i.self_score)}  编办{_score(i.bureau_score)}" + ("  [自动]" if i.method == "auto" else "")
            files = [e for e in i.evidence if isinstance(e, dict) and e.get("kind") == "file"]
            if files:
                line += f"  佐证材料{len(files)}个"
        print(line)
    st, bt = d.self_totals, d.bureau_totals
    print(f"自评合计：{st.total:g}分（共性{st.common:g}、个性{st.individual:g}；已评{st.scored}/{st.leaves}项）"
          + (f"，已于{d.submitted_at[:10]}提交" if d.submitted_at else "，未提交"))
    print(f"编办评分：{bt.total:g}分（共性{bt.common:g}、个性{bt.individual:g}；已评{bt.scored}/{bt.leaves}项）")
    for x in entered:
        print(f"加分扣分：{x.code} {x.name}  {x.times}次  {x.points:+g}分  理由：{x.reason}")
    print(f"问题{len(d.problems)}个" + ("：" if d.problems else ""))
    for p in d.problems:
        print(f"  [{short_id(p.id)}] {p.category}｜{p.description}｜{p.rectify_type}"
              f"{'｜期限' + p.deadline if p.deadline else ''}｜{p.state}{'｜逾期' if p.overdue else ''}"
              + (f"｜责任：{p.owner}｜措施：{p.measures}" if p.measures else "")
              + (f"｜核验意见：{p.verify_comment}" if p.verify_comment else ""))
    return 0


# ---------------------------------------------------------------- 接单 / 评单
def _auto_fill(db, a) -> int:
    round_id = _round(db, a)
    if db.edition != "bureau":
        if a.unit:
            raise AppError("--unit 只用于编办版")
        print(fill_auto_self_scores(db, a.actor, round_id, a.today).summary())
        return 0
    names = {u.unit_id: u.name for u in registered_units(db)}
    mirrors = _mirrors(db)
    try:
        if a.unit:
            targets = [find_unit(db, a.unit).unit_id]
        else:
            targets = [u for u, _ in assigned_units(db, mirrors, round_id)
                       if detail(mirrors.get(u), round_id, u).submitted_at]
            if not targets:
                raise AppError("还没有单位提交自评（请先导入单位的上报包）")
        for unit_id in targets:
            result = fill_auto_bureau_scores(db, mirrors, a.actor, round_id, unit_id, a.today)
            print(f"{names.get(unit_id, unit_id)}：{result.summary()}")
    finally:
        mirrors.close()
    return 0


def _self_score(db, a) -> int:
    round_id = _round(db, a)
    if db.edition == "bureau":
        raise AppError("自评由单位在单位版中填写")
    if a.batch:
        if a.item or a.score is not None or a.evidence:
            raise AppError("--batch 不能与 --item、--score、--evidence 同时使用")
        rows = resolve_scores(db, round_id, db.unit_id, read_score_csv(a.batch, "说明"))
        current = {i.id: i for i in detail(db, round_id).items}
        for item_id, value, text in rows:
            set_self_score(db, a.actor, round_id, item_id, value, text or current[item_id].explanation,
                           current[item_id].evidence)
        print(f"已自评{len(rows)}个评估要点")
        return 0
    if not a.item:
        raise AppError("请用 --item 和 --score 指定评估要点和得分，或用 --batch 批量自评")
    item_id = find_item(db, round_id, db.unit_id, a.item)
    line = next(i for i in detail(db, round_id).items if i.id == item_id)
    score = a.score if a.score is not None else line.self_score
    evidence = _merged(line.evidence, _evidence(db, a.evidence))
    set_self_score(db, a.actor, round_id, item_id, score,
                   line.explanation if a.explanation is None else a.explanation, evidence)
    files = sum(1 for e in evidence if e.get("kind") == "file")
    print(f"已自评 {line.code} {line.name}：{_score(score)}分（满分{line.max_score:g}分）"
          + (f"，佐证材料{files}个" if files else ""))
    return 0


def _submit(db, a) -> int:
    round_id = _round(db, a)
    submit_self(db, a.actor, round_id, a.note, recall=a.recall)
    d = detail(db, round_id)
    if a.recall:
        print("已撤回自评，可以修改后重新提交")
    else:
        print(f"已提交自评：{d.self_totals.total:g}分（{d.self_totals.scored}个评估要点）。"
              f"随下一个上报包报送编办（export-package）")
    return 0


def _bureau_score(db, a) -> int:
    round_id = _round(db, a)
    unit_id, name = _unit(db, a.unit)
    mirrors = _mirrors(db)
    try:
        mirror = mirrors.get(unit_id)
        if a.batch:
            if a.item or a.score is not None:
                raise AppError("--batch 不能与 --item、--score 同时使用")
            rows = resolve_scores(mirror, round_id, unit_id, read_score_csv(a.batch, "意见"))
            for item_id, value, text in rows:
                set_bureau_score(db, mirrors, a.actor, round_id, unit_id, item_id, value, text)
            print(f"已对{name}的{len(rows)}个评估要点评分")
            return 0
        if not a.item or a.score is None:
            raise AppError("请用 --item 和 --score 指定评估要点和得分，或用 --batch 批量评分")
        item_id = find_item(mirror, round_id, unit_id, a.item)
        set_bureau_score(db, mirrors, a.actor, round_id, unit_id, item_id, a.score, a.comment)
        d = detail(mirror, round_id, unit_id)
    finally:
        mirrors.close()
    line = next(i for i in d.items if i.id == item_id)
    print(f"已评分 {name} {line.code} {line.name}：{a.score:g}分（自评{_score(line.self_score)}分）")
    return 0


def _problem_add(db, a) -> int:
    round_id = _round(db, a)
    unit_id, name = _unit(db, a.unit)
    mirrors = _mirrors(db)
    try:
        item_id = find_item(mirrors.get(unit_id), round_id, unit_id, a.item) if a.item else None
        problem_id = add_problem(db, mirrors, a.actor, round_id, unit_id, category=a.category,
                                 description=a.description, rectify_type=a.rectify_type,
                                 deadline=a.deadline, item_id=item_id)
    finally:
        mirrors.close()
    print(f"已记录{name}的问题（{a.rectify_type}），编号：{short_id(problem_id)}")
    print(f"问题ID：{problem_id}")
    return 0


# ---------------------------------------------------------------- 改单 / 用单
def _rectify(db, a) -> int:
    if db.edition == "bureau":
        raise AppError("整改情况由单位在单位版中填报")
    problem_id = find_problem(db, a.problem)
    report_rectification(db, a.actor, problem_id, owner=a.owner, measures=a.measures, progress=a.progress,
                         evidence=_evidence(db, a.evidence), done=a.done)
    print(f"已报告问题 {short_id(problem_id)} 的整改" + ("（已完成，待编办核验）" if a.done else "（整改中）")
          + "。随下一个上报包报送编办")
    return 0


def _verify(db, a) -> int:
    unit_id, name = _unit(db, a.unit)
    mirrors = _mirrors(db)
    try:
        problem_id = find_problem(mirrors.get(unit_id), a.problem, unit_id)
        verify_problem(db, mirrors, a.actor, unit_id, problem_id, close=a.close, comment=a.comment)
    finally:
        mirrors.close()
    print(f"{name} 问题 {short_id(problem_id)}：" + ("已核验销号" if a.close else f"已退回整改（{a.comment.strip()}）"))
    return 0


def _results(db, a) -> int:
    round_id = _round(db, a)
    mirrors = _mirrors(db)
    try:
        found = results(db, mirrors, round_id, a.today)
    finally:
        mirrors.close()
    summary = {"unit_count": len(found), "problems": sum(r.problems for r in found),
               "open_problems": sum(r.open_problems for r in found), "overdue": sum(r.overdue for r in found)}
    bodies = bodies_of(db, found)          # 部门及所属单位 with their average score
    if a.json:
        print_json({"round": round_id, "units": [r.__dict__ for r in found], **summary,
                    "bodies": [b.to_json() for b in bodies]})
        return 0
    print("排名  单位  指标体系  阶段  自评  编办评分  加减分  最终得分  折算百分制  等次  问题  未销号  逾期")
    for r in found:
        print(f"{r.rank or '—'}  {r.name}  {r.template_name}  {r.stage}  {r.self_total:g}  "
              f"{_score(r.bureau_total) if r.bureau_total is not None else f'未完成（{r.scored}/{r.leaves}）'}  "
              f"{r.adjust:+g}  {_score(r.final_total)}  {_score(r.percent)}  {r.grade or '—'}  "
              f"{r.problems}  {r.open_problems}  {r.overdue}")
    print(f"合计：{summary['unit_count']}个单位，问题{summary['problems']}个，未销号{summary['open_problems']}个，"
          f"逾期{summary['overdue']}个")
    for b in bodies:
        scores = "、".join(f"{m.name}{_score(m.bureau_total) if m.bureau_total is not None else '未评完'}"
                          for m in b.members)
        average = (f"平均{_score(b.bureau_average)}分（第{b.rank}名）" if b.bureau_average is not None
                   else f"平均分待全部评完（{b.scored}/{len(b.members)}）")
        print(f"部门及所属单位：{b.head.name}——{scores}；{average}")
    return 0


def _close(db, a) -> int:
    round_id = _round(db, a)
    mirrors = _mirrors(db)
    try:
        unfinished = close_blockers(db, mirrors, round_id, a.today)
        close_round(db, mirrors, a.actor, round_id, force=a.force, today=a.today)
    finally:
        mirrors.close()
    if unfinished:
        print(f"注意：以下{len(unfinished)}个单位未完成即结束（--force）：\n  " + "\n  ".join(unfinished))
    print("评估批次已结束，随下一个下发包通知各单位")
    return 0


def _report(db, a) -> int:
    # imported here: reportlab (~0.2 s), only when a report is written
    from app.services.reporting.evaluation import build_eval_report
    round_id = _round(db, a)
    unit_id = _unit(db, a.unit)[0] if a.unit else None
    info = build_eval_report(db, round_id, a.out, unit=unit_id, xlsx=a.xlsx, today=a.today)
    print(f"已生成《{info.title}》：{info.path}（{info.pages}页，用时{info.seconds:.1f}秒）")
    if info.xlsx:
        print(f"全部得分和问题已导出：{info.xlsx}")
    return 0


ACTIONS = {"create": _create, "assign": _assign, "list": _list, "show": _show, "auto-fill": _auto_fill,
           "self-score": _self_score, "submit": _submit, "score": _bureau_score, "problem add": _problem_add,
           "rectify": _rectify, "verify": _verify, "results": _results, "close": _close, "report": _report,
           **results_cli.ROUND_ACTIONS}
COMMANDS = {"round": cmd_round}
