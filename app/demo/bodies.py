"""The demo county's bodies (部门及所属事业单位, app.services.county.bodies): each department
below with those of its institutions the demo registered — 卫生健康局 with the 疾病预防控制中心
and the 人民医院 (the default `demo-county --units 10` holds these three), and in a larger county
the other health institutions and a few more departments with their centres."""
from __future__ import annotations

from typing import Sequence

from app.db.engine import Database
from app.services.county.bodies import set_parent
from app.services.county.mirrors import Mirrors
from app.services.org.actor import SYSTEM

# department → its institutions (names after the county's)
BODIES = {
    "卫生健康局": ("疾病预防控制中心", "人民医院", "中医医院", "妇幼保健院"),
    "人力资源和社会保障局": ("社会保险事业中心",),
    "农业农村局": ("农业技术推广中心",),
    "退役军人事务局": ("退役军人服务中心",),
    "自然资源和规划局": ("不动产登记中心",),
}


def affiliate(db: Database, mirrors: Mirrors, planned: Sequence, county: str) -> list[tuple[str, str]]:
    """Set the 主管部门 of the planned units (objects with `name` and `unit_id`, registered)
    whose department the demo also registered; returns (institution, department) names."""
    ids = {u.name: u.unit_id for u in planned}
    done = []
    for department, institutions in BODIES.items():
        head = ids.get(county + department)
        if head is None:
            continue
        for name in institutions:
            unit_id = ids.get(county + name)
            if unit_id is not None:
                set_parent(db, mirrors, SYSTEM, unit_id, head)
                done.append((county + name, county + department))
    return done
