"""`template items`, `items import` (all or nothing, the bad row named; --preview writes nothing),
`log add --item` and `items list` (issue 20)."""
from __future__ import annotations

import json

from tests.e2e.cli_world import PASSWORDS, cli
from tests.unit.test_work_items import fill


def test_items_from_the_command_line(capsys, world, db_file, tmp_path):
    book = tmp_path / "items.xlsx"
    assert cli(capsys, "template", "items", "--out", book).code == 0
    fill(book, [("督办事项", "DB01", "县委督办：冷链食品排查", "", "食品安全科", "2026-01-05", 2026, ""),
                ("工作计划", "JH01", "检查计划", "", "不存在的科", "", 2026, "")])
    admin = PASSWORDS["admin"]
    bad = cli(capsys, "items", "import", "--db", db_file, book, password=admin)
    assert bad.code == 1
    assert "导入失败：共1处错误，未导入任何数据" in bad.err
    listed = cli(capsys, "items", "list", "--db", db_file, "--json", "--as", "staff1",
                 password=PASSWORDS["staff1"])
    assert json.loads(listed.out) == []
    fill(book, [("督办事项", "DB01", "县委督办：冷链食品排查", "", "食品安全科", "2026-01-05", 2026, ""),
                ("工作计划", "JH01", "检查计划", "", "", "", 2026, "")])
    preview = cli(capsys, "items", "import", "--db", db_file, book, "--preview", password=admin)
    assert preview.code == 0 and "预览（未写入）：将导入工作事项：工作事项新增2项" in preview.out
    assert "第2行  督办事项  DB01  县委督办：冷链食品排查  新增" in preview.out
    assert cli(capsys, "items", "import", "--db", db_file, book, password=admin).code == 0
    day = world.day.isoformat()
    added = cli(capsys, "log", "add", "--db", db_file, "--user", "head1", "--date", day, "--hours", "3",
                "--category", "业务工作", "--item", "DB01", "--content", "排查冷链食品经营户12家",
                "--submit", password=PASSWORDS["head1"])
    assert added.code == 0, added.err
    rows = {r["code"]: r for r in json.loads(cli(capsys, "items", "list", "--db", db_file, "--json",
                                                 "--as", "staff1", password=PASSWORDS["staff1"]).out)}
    assert (rows["DB01"]["entries"], rows["DB01"]["hours"], rows["DB01"]["light"]) == (1, 3.0, "红")
    assert rows["JH01"]["without_work"] is True
    unknown = cli(capsys, "log", "add", "--db", db_file, "--user", "head1", "--date", day, "--hours", "1",
                  "--category", "业务工作", "--item", "ZZ99", "--content", "x", password=PASSWORDS["head1"])
    assert unknown.code == 1 and "未知的工作事项编号“ZZ99”" in unknown.err
