"""The demo county the tests of 三提醒一通报 read: the first seven units of the small demo county,
one month (October 2026), so it holds the unit that reports late (总工会: its last 上报包 was
made in early October, app.demo.notice) and the one whose reviewers are a week behind
(疾控, app.demo.workload "lagging"). Generated once per test session; each caller gets its own
copy of the folder."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from app.demo.county import generate_county
from app.demo.unit import MIN_PEOPLE

END = dt.date(2026, 10, 31)
TODAY = dt.date(2026, 11, 10)             # the 5 November deadline has passed
LATE = "沂河县总工会"
LAGGING = "沂河县疾病预防控制中心"
_made: dict[str, Path] = {}


def notice_county(tmp_path_factory) -> Path:
    """A fresh copy of the county folder (county.sqlite, its mirrors, units, usb)."""
    if "folder" not in _made:
        folder = tmp_path_factory.mktemp("notice-county-master") / "county"
        generate_county(folder, units=7, people=MIN_PEOPLE, months=1, seed=3, end=END, workers=2)
        _made["folder"] = folder
    copy = tmp_path_factory.mktemp("notice-county") / "county"
    shutil.copytree(_made["folder"], copy)
    return copy
