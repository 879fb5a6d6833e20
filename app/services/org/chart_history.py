"""The unit's reporting lines as they stood at any moment, rebuilt from its 任职记录
(app.db.post_history), and whether a review action's reviewer was entitled to it then.

The 编办 re-checks every review action a 上报包 brings against the roster, the 分管 charges and
the 代审 rows of the action's own time: a reviewer must be the person the unit's program would
have asked at that level then, or stand in for that person under a 代审 row covering that day.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.logchecks import MAX_LEVELS
from app.services.org import chart as org_chart
from app.services.org.chart import OrgChart, PersonInfo


@dataclass(frozen=True)
class Delegation:
    reviewer_id: str
    delegate_id: str
    start_day: str
    end_day: str


class ChartHistory:
    def __init__(self, people: dict[str, tuple[str, str, bool]],
                 records: dict[str, list[tuple[str, str, str | None, str, str]]],
                 present: dict[str, tuple[str, str | None, str, str]],
                 delegations: Iterable[Delegation] = ()):
        """people: id → (login, name, is_admin); records: id → [(since, role, section, status,
        charges)] sorted by since; present: id → the post the person row holds now, used for a
        person without any record (a database from before records were kept)."""
        self.people = people
        self.records = records
        self.present = present
        self.delegations = list(delegations)
        self.moments = sorted({since for rows in records.values() for since, *_ in rows if since})
        self._charts: dict[int, OrgChart] = {}

    def at(self, moment: str) -> OrgChart:
        epoch = bisect.bisect_right(self.moments, moment)
        chart = self._charts.get(epoch)
        if chart is None:
            chart = self._charts[epoch] = self._build(self.moments[epoch - 1] if epoch else "")
        return chart

    def _build(self, moment: str) -> OrgChart:
        persons: dict[str, PersonInfo] = {}
        charge_rows: list[tuple[str, str]] = []
        for pid in sorted(self.people, key=lambda p: self.people[p][0]):
            post = self._post(pid, moment)
            if post is None:
                continue
            role, section, status, charges = post
            login, name, is_admin = self.people[pid]
            persons[pid] = PersonInfo(pid, login, name, role, section, status, is_admin)
            charge_rows += [(pid, sec) for sec in charges.split(",") if sec]
        return org_chart.build(persons, {}, charge_rows)

    def _post(self, pid: str, moment: str):
        rows = self.records.get(pid)
        if not rows:
            return self.present.get(pid)
        held = [row for row in rows if row[0] <= moment]
        return tuple(held[-1][1:]) if held else None

    def stood_in(self, delegate_id: str, reviewer_id: str, day: str) -> bool:
        return any(d.delegate_id == delegate_id and d.reviewer_id == reviewer_id
                   and d.start_day <= day <= d.end_day for d in self.delegations)

    def entitlement_problem(self, author_id: str, reviewer_id: str, on_behalf_of: str | None,
                            level: int, moment: str) -> str | None:
        """None when the reviewer was entitled to act at `level` on the author's log at `moment`,
        else the rule broken, in words."""
        chart = self.at(moment)
        if author_id not in chart.persons:
            return f"{moment[:16]}时日志作者不在本单位的人员名册中"
        chain = chart.chain(author_id, MAX_LEVELS)
        if not 1 <= level <= len(chain):
            return f"按{moment[:16]}时的人员名册和分管设置，该日志的审阅链没有第{level}级"
        expected = chain[level - 1]
        if reviewer_id == expected:
            return None
        if on_behalf_of == expected and self.stood_in(reviewer_id, expected, moment[:10]):
            return None
        who = self.people.get(reviewer_id, ("未知人员",))[0]
        return (f"审阅人{who}在{moment[:16]}无权审阅该日志：按当时的人员名册、分管和代审设置，"
                f"第{level}级应由{self.people[expected][0]}审阅")


def load(conn, unit_id: str | None) -> ChartHistory:
    """The history of one unit's reporting lines (unit_id None: every person in the file)."""
    where, params = ("WHERE unit_id = ?", (unit_id,)) if unit_id else ("", ())
    people, present = {}, {}
    for pid, login, name, is_admin, role, section, status in conn.exec_driver_sql(
            f"SELECT id, login, name, is_admin, role, section_id, status FROM person {where}",
            params):
        people[pid] = (login, name, bool(is_admin))
        present[pid] = (role, section, status, "")
    for deputy, section in conn.exec_driver_sql(
            "SELECT deputy_id, section_id FROM section_charge WHERE deleted = 0"):
        if deputy in present:
            role, sec, status, charges = present[deputy]
            held = sorted(filter(None, [*charges.split(","), section]))
            present[deputy] = (role, sec, status, ",".join(held))
    records: dict[str, list] = {}
    for pid, since, role, section, status, charges in conn.exec_driver_sql(
            "SELECT person_id, since, role, section_id, status, charges FROM post_record"
            " WHERE deleted = 0 ORDER BY person_id, since, hlc"):
        if pid in people:
            records.setdefault(pid, []).append((since, role, section, status, charges or ""))
    # Cancelled 代审 rows count too: a stand-in's decisions made before the cancellation stood.
    delegations = [Delegation(*row) for row in conn.exec_driver_sql(
        "SELECT reviewer_id, delegate_id, start_day, end_day FROM delegation")
        if row[0] in people]
    return ChartHistory(people, records, present, delegations)
