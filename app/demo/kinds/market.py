"""The 市场监督管理局: the single-unit demo (`python -m app --demo`) and the county's 市场监管 unit.
Its banks stay where they were written (app.demo.data, app.demo.phrases); the single-unit demo
is the same unit, draw for draw, as before the kinds were split out."""
from __future__ import annotations

from app.demo import data as D
from app.demo import phrases as P
from app.demo.kinds.base import Kind, Stations

KIND = Kind(
    key="market", unit_name=D.UNIT_NAME, unit_class="政府部门",
    sections=D.SECTIONS, duties=D.DUTIES,
    principal_post=D.PRINCIPAL_POST, principal_duties=D.PRINCIPAL_DUTIES, deputies=D.DEPUTIES,
    phrases=P, party_duty=D.PARTY_DUTY, affairs_duty=D.GENERAL_AFFAIRS_DUTY,
    staffing=(("事业编制", 0.12, 0, ("seq", "qual", "food", "drug", "station")),
              ("工勤编制", 0.05, 1, ("off",)),
              ("政法专项编制", 0.03, 1, ("enf",)),
              ("编外", 0.12, 0, ("cons", "reg", "off", "station", "enf"))),
    staff_posts=D.STAFF_POSTS, head_posts=D.HEAD_POSTS, deputy_head_posts=D.DEPUTY_HEAD_POSTS,
    field_topics=("enforce", "seq", "food"), section_bonus=D.SECTION_CATEGORY_BONUS,
    stations=Stations(D.STATION_SUMMARY, D.STATION_DUTIES, "food", D.station_name),
)
