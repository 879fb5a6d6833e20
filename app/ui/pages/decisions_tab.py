"""The 决定记录 tab of the 人员编制 page: the 编办's decisions on a unit (编制核增/核减/冻结/用编计划
优先) with the figures they rested on — in a unit as its 下发包 brought them (its admin and 主要领导
see them), at the 编办 for the unit picked (app.services.county.decisions)."""
from __future__ import annotations

from app.core.errors import AppError
from app.services.county import decisions as D
from app.ui.dialogs.decision_dialog import HISTORY_HEADERS, history_rows
from app.ui.widgets.record_table import RecordTable

TAB = "决定记录"


def decision_lines(db, actor, mirrors, unit_id: str | None) -> list[D.DecisionLine] | None:
    """The lines to show, or None when there is no tab (county scope, or a reader who may not)."""
    if mirrors is None:
        return D.decisions_here(db, actor) if D.may_see_here(actor) else None
    if not unit_id:
        return None
    try:
        return D.decisions_of(db, mirrors, unit_id)
    except AppError:
        return None


def decision_table(lines: list[D.DecisionLine]) -> RecordTable:
    table = RecordTable(HISTORY_HEADERS, 4)
    table.setObjectName("table_决定记录")
    rows = history_rows(lines)
    table.set_rows(rows or [("—", "编办尚未作出编制决定", "", "", "", "")])
    return table
