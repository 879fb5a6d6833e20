"""部门及所属单位 in the round report: each department and its affiliated institutions listed
together with the body's average scores (app.core.bureau.bodies.average: the members' 编办
totals, each by its own indicator system, averaged once every member is fully scored)."""
from __future__ import annotations

from typing import Mapping

from app.core.bureau import bodies as B
from app.reports.report_book import INT, SMALL_TABLE, Col, ReportBook

SCORE = "score"
COLS = (Col("单位"), Col("自评得分", SCORE), Col("评估得分", SCORE), Col("问题数", INT), Col("未销号", INT))


def _score(v):
    return None if v is None else round(v, 2)


def body_scores(book: ReportBook, units, parents: Mapping[str, str | None] | None) -> None:
    """A paragraph and a table of the bodies among the round's `units` (UnitEval); nothing
    when no unit of the round has its 主管部门 in the round."""
    groups = [g for g in B.group(units, parents or {}) if g.is_body]
    if not groups:
        return
    lines, texts = [], []
    for g in groups:
        members = g.members
        self_avg = B.average([u.detail.self_totals.total if u.detail.self_totals.scored else None
                              for u in members])
        bureau_avg = B.average([u.total for u in members])
        lines.append([f"{g.head.name}（本级）", _score(g.head.detail.self_totals.total) if g.head.detail.self_totals.scored
                      else None, _score(g.head.total), len(g.head.detail.problems), len(g.head.open_problems)])
        lines += [[u.name, _score(u.detail.self_totals.total) if u.detail.self_totals.scored else None,
                   _score(u.total), len(u.detail.problems), len(u.open_problems)] for u in g.institutions]
        lines.append([f"{g.head.name}{B.TOTAL_SUFFIX}（平均）", _score(self_avg), _score(bureau_avg),
                      sum(len(u.detail.problems) for u in members), sum(len(u.open_problems) for u in members)])
        names = "、".join(u.name for u in g.institutions)
        texts.append(f"{g.head.name}与所属{names}一体化评估，"
                     + (f"评估得分平均{bureau_avg:.2f}分" if bureau_avg is not None else
                        f"尚有{sum(u.total is None for u in members)}个单位未完成评分，暂不计算平均得分")
                     + f"，发现问题{sum(len(u.detail.problems) for u in members)}个。")
    book.doc.paragraph("部门及所属单位：" + "".join(texts))
    book.table("部门及所属单位评估得分", COLS, lines, font_size=SMALL_TABLE,
               notes=["合计（平均）为部门本级与各所属单位得分（按各自的指标体系）的平均，全部单位评完后计算；问题数相加。"])
