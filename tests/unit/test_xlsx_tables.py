"""Tables written for people to read: the title row says the workbook's title and the sheet's
name once (the 全县分析 export said "全县各单位 2026-Q3 — 全县各单位"), and ratios show two
decimals (编制任务比 showed 1.379310344827586)."""
from __future__ import annotations

from openpyxl import load_workbook

from app.reports.xlsx_tables import write_tables


def test_title_said_once_and_ratios_with_two_decimals(tmp_path):
    path = write_tables(tmp_path / "t.xlsx", "全县各单位 2026-Q3",
                        [("全县各单位", ["单位", "使用率", "编制任务比"], [["沂河县总工会", 0.8, 1.379310344827586]]),
                         ("人员", ["姓名"], [["张三"]])],
                        percent_columns={"使用率"}, decimal_columns={"编制任务比"})
    book = load_workbook(path)
    first, second = book["全县各单位"], book["人员"]
    assert first.cell(1, 1).value == "全县各单位 2026-Q3"
    assert second.cell(1, 1).value == "全县各单位 2026-Q3 — 人员"
    assert (first.cell(3, 2).number_format, first.cell(3, 3).number_format) == ("0.0%", "0.00")
