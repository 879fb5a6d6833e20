"""The review chain from the command line, spelled as the customer's scripts spell it.

One unit is built per module through the CLI itself (init, import-duties for the sections,
add-user with roles and sections, charge, log add --submit); the tests then run in file order as
one working week: queue as JSON, approve with a comment, return with a reason, recall, batch
approval of unflagged logs, 代审, review levels, amendment, refusals, and the audit chain.
Each program start costs ~1.5 s, so commands that do not depend on one another run concurrently
(see tests/e2e/test_cli_basic.py).
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e.test_cli_basic import init_args, run, run_all

PASSWORD = "abc12345"
FIRST_PASSWORD = "first1234"           # the admin gives it; each person changes it to PASSWORD
ROSTER = [  # login, name, role, section
    ("dep1", "李副局长", "分管领导", None),
    ("head1", "张科长", "科室负责人", "食品安全科"),
    ("staff1", "刘玥", "科室人员", "食品安全科"),
    ("staff2", "陈堃", "科室人员", "食品安全科"),
    ("head2", "孙主任", "科室负责人", "办公室"),
]
CLEAN = {  # distinct, specific contents that no assisted-review rule flags
    "staff1": ("检查城区3家大型超市冷链食品进货查验记录，发现1家台账不全，已责令整改",
               "对辖区学校食堂开展季度监督检查，抽查留样和消毒记录，填写检查记录表"),
    "staff2": ("受理并审核2份食品经营许可变更申请材料，组织现场核查并出具核查意见",
               "整理本月食品抽检不合格样品的核查处置台账，录入国家抽检信息系统"),
}


def duties_workbook(path: Path) -> Path:
    from app.services.excel.templates import write_template
    write_template("duties", path)
    wb = load_workbook(path)
    sheets = {"内设机构": [{"科室名称": "食品安全科", "科室职责概述": "负责食品安全监督管理"},
                          {"科室名称": "办公室", "科室职责概述": "负责机关日常运转"}],
              "部门职责": [{"职责编号": "1", "职责内容": "负责食品生产经营监督管理", "职能类别": "核心",
                          "承担科室": "食品安全科"},
                         {"职责编号": "2", "职责内容": "负责机关文电会务和综合协调", "职能类别": "辅助",
                          "承担科室": "办公室"}]}
    for title, rows in sheets.items():
        ws = wb[title]
        headers = [c.value for c in ws[1]]
        for i, row in enumerate(rows):
            for j, name in enumerate(headers, start=1):
                ws.cell(row=2 + i, column=j).value = row.get(name)
    wb.save(path)
    return path


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def refused(result, *phrases: str) -> str:
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("错误：") and "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("appdata")


@pytest.fixture(scope="module")
def unit(tmp_path_factory, env_dir):
    """The unit, its roster and this week's logs: D1 is the last working day before today."""
    folder = tmp_path_factory.mktemp("review")
    db = folder / "unit.sqlite"
    ok(run(*init_args(db), data_dir=env_dir))

    def add_user(login, name, role, section):
        return ("add-user", "--db", db, "--user", login, "--name", name, "--password", FIRST_PASSWORD,
                "--role", role, *(("--section", section) if section else ()))
    leaders = [p for p in ROSTER if not p[3]]
    imported, late_days, *results = run_all([
        ("import-duties", "--db", db, duties_workbook(folder / "duties.xlsx")),
        # the unit may be back from a long holiday: filling in last week is not "late" here
        ("settings", "set", "--db", db, "flags.late_days", "30"),
        *[add_user(*p) for p in leaders]], env_dir)       # sections come with the import
    assert "科室" in ok(imported)
    assert ok(late_days).strip() == "flags.late_days = 30"
    results += run_all([add_user(*p) for p in ROSTER if p not in leaders], env_dir)
    for r in results:
        assert "已添加账号" in ok(r)
    for r in run_all([("change-password", "--db", db, "--user", p[0]) for p in ROSTER], env_dir,
                     password=FIRST_PASSWORD, new_password=PASSWORD):
        assert "已修改" in ok(r)

    from app.services.org.calendar import work_calendar
    from app.services.org.setup import open_database
    database = open_database(db)
    try:
        calendar = work_calendar(database)
    finally:
        database.dispose()
    days, day = [], dt.date.today()
    while len(days) < 3:
        day = calendar.previous_working_day(day)
        days.append(day)
    d1, d2, d3 = days

    def add(login, day, content, *extra):
        return ("log", "add", "--db", db, "--user", login, "--date", day, "--hours", "6",
                "--category", "业务工作", "--content", content, "--duty", "1", *extra)
    charge, *logs = run_all([
        ("charge", "--db", db, "--deputy", "dep1", "--sections", "食品安全科、办公室"),
        add("staff1", d1, CLEAN["staff1"][0], "--submit"),
        add("staff1", d2, CLEAN["staff1"][1], "--submit"),
        add("staff2", d1, "开会", "--submit"),                 # vague: flagged
        add("staff2", d2, CLEAN["staff2"][0], "--submit"),
        add("staff2", d3, CLEAN["staff2"][1], "--submit"),
    ], env_dir)
    assert ok(charge).strip() == "dep1 分管：食品安全科、办公室"
    for r in logs:
        assert "已提交" in ok(r)
    return {"db": db, "env": env_dir, "d1": d1, "d2": d2, "d3": d3}


def cli(unit, *args):
    return run(*args[:2], "--db", unit["db"], *args[2:], data_dir=unit["env"])


def batch(unit, *commands):
    return run_all([(*c[:2], "--db", unit["db"], *c[2:]) for c in commands], unit["env"])


def queue_json(result) -> list[dict]:
    return json.loads(ok(result))


def test_queue_as_json_and_refusals_out_of_scope(unit):
    d1, d2 = unit["d1"], unit["d2"]
    head, other_head, self_review, staff = batch(
        unit,
        ("review", "list", "--user", "head1", "--json"),
        ("review", "approve", "--user", "head2", "--author", "staff1", "--date", d1),
        ("review", "approve", "--user", "staff1", "--author", "staff1", "--date", d1),
        ("review", "return", "--user", "dep1", "--author", "staff1", "--date", d1,
         "--reason", "不同意"),
    )
    items = queue_json(head)
    assert [(i["author"], i["date"]) for i in items] == sorted(
        [("staff1", d1.isoformat()), ("staff1", d2.isoformat()), ("staff2", d1.isoformat()),
         ("staff2", d2.isoformat()), ("staff2", unit["d3"].isoformat())],
        key=lambda k: (k[1], k[0]))
    by_key = {(i["author"], i["date"]): i for i in items}
    clean = by_key[("staff1", d1.isoformat())]
    assert clean["flags"] == [] and (clean["level"], clean["levels"]) == (1, 2)
    assert clean["name"] == "刘玥" and clean["section"] == "食品安全科"
    [entry] = clean["entries"]
    assert (entry["hours"], entry["category"], entry["content"]) == (6, "业务工作", CLEAN["staff1"][0])
    assert entry["duty"].startswith("1 ") and clean["total_hours"] == 6
    vague = by_key[("staff2", d1.isoformat())]
    assert vague["flags"] and all(f["reason"] and f["entry"] in (None, 1) for f in vague["flags"])
    assert {f["code"] for f in vague["flags"]} & {"vague", "too_short"}
    assert [i["author"] for i in items if i["flags"]] == ["staff2"]
    refused(other_head, "无权审阅该日志")          # another section's head
    refused(self_review, "不能审阅本人的日志")
    refused(staff, "无权审阅该日志")               # the deputy's turn has not come


def stored(unit, login: str, day: dt.date) -> tuple:
    """(author's state, derived status, pending level, round, version) as stored in the file."""
    conn = sqlite3.connect(unit["db"])
    try:
        return conn.execute("""select l.state, l.status, l.pending_level, l.round, l.version
                               from work_log l join person p on p.id = l.person_id
                               where p.login = ? and l.day = ?""",
                            (login, day.isoformat())).fetchone()
    finally:
        conn.close()


def test_approve_return_recall_and_approve_all_unflagged(unit):
    d1, d2, d3 = unit["d1"], unit["d2"], unit["d3"]
    approved, returned, recalled = batch(
        unit,
        ("review", "approve", "--user", "head1", "--author", "staff1", "--date", d1,
         "--comment", "情况属实，同意"),
        ("review", "return", "--user", "head1", "--author", "staff1", "--date", d2,
         "--reason", "请写明整改期限和复查安排"),
        ("log", "recall", "--user", "staff2", "--date", d3),
    )
    assert ok(approved).strip() == f"已同意 staff1 {d1} 的日志，转下一级审阅"
    assert ok(returned).strip() == f"已退回 staff1 {d2} 的日志：请写明整改期限和复查安排"
    assert ok(recalled).strip() == f"已撤回 staff2 {d3} 的日志"
    assert stored(unit, "staff1", d2)[:3] == ("submitted", "returned", 0)
    assert stored(unit, "staff2", d3)[:3] == ("draft", "draft", 0)

    batch_ok, final = batch(
        unit,
        ("review", "approve", "--user", "head1", "--all-unflagged"),
        ("review", "approve", "--user", "dep1", "--author", "staff1", "--date", d1,
         "--comment", "已阅，工作扎实"),
    )
    # staff1 d1 waits for dep1, d2 was returned, staff2 d3 recalled, staff2 d1 is flagged:
    # only staff2 d2 is clean
    assert ok(batch_ok).strip() == "已同意 1 篇无提示的日志（其中终审 0 篇）"
    assert ok(final).strip() == f"已同意 staff1 {d1} 的日志（终审，已锁定并公开）"
    assert stored(unit, "staff1", d1)[1:3] == ("approved", 0)
    assert stored(unit, "staff2", d2)[1:3] == ("submitted", 2)
    assert stored(unit, "staff2", d1)[1:3] == ("submitted", 1)


def test_amend_delegate_and_review_levels(unit):
    d1, d2 = unit["d1"], unit["d2"]
    today = dt.date.today()
    amend, delegate, staff_delegate = batch(
        unit,
        ("log", "amend", "--user", "staff1", "--date", d1, "--reason", "检查家数写错"),
        ("review", "delegate", "--user", "head1", "--to", "staff1", "--start", today,
         "--end", today + dt.timedelta(days=3)),
        ("review", "delegate", "--user", "staff2", "--to", "staff1", "--start", today,
         "--end", today),
    )
    assert ok(amend).strip() == f"已开始修改 staff1 {d1} 的日志（原版本已保留），修改后请重新提交"
    assert stored(unit, "staff1", d1) == ("draft", "draft", 0, 1, 2)   # version 2, with the author
    assert ok(delegate).strip() == f"已设置：{today}至{today + dt.timedelta(days=3)}由 staff1 代为审阅"
    refused(staff_delegate, "只有审阅人可以为本人的审阅设置代审")

    # one level from now on: the head's approval is final, and the logs already approved at
    # level 1 need no second one
    assert ok(cli(unit, "settings", "set", "review.levels", "1")).strip() == "review.levels = 1"
    assert stored(unit, "staff2", d2)[1:3] == ("approved", 0)
    stand_in, levels = batch(unit, ("review", "list", "--user", "staff1"),
                             ("settings", "get", "review.levels"))
    assert ok(levels).strip() == "1"
    lines = ok(stand_in).splitlines()               # the plain-text spelling of the queue
    assert lines[0] == "待审 1 篇（其中有提示 1 篇）" and len(lines) == 2
    assert f"{d1} staff2 陈堃 食品安全科 6小时 第1/1级 ⚠" in lines[1]
    approved = cli(unit, "review", "approve", "--user", "staff1", "--author", "staff2", "--date", d1)
    assert ok(approved).strip() == f"已同意 staff2 {d1} 的日志（终审，已锁定并公开）"
    assert stored(unit, "staff2", d1)[1:3] == ("approved", 0)
    conn = sqlite3.connect(unit["db"])
    try:
        acted = conn.execute("""select r.login, o.login from review_action a
                                join person r on r.id = a.reviewer_id
                                join person o on o.id = a.on_behalf_of""").fetchall()
    finally:
        conn.close()
    assert acted == [("staff1", "head1")]           # 代审 is recorded as such


def test_audit_verify_passes_then_detects_an_edited_record(unit):
    assert ok(cli(unit, "audit", "verify")).startswith("审计记录完整：共")
    conn = sqlite3.connect(unit["db"])
    try:
        seq = conn.execute("select seq from audit_log where actor = 'head1' order by seq "
                           "limit 1").fetchone()[0]
        conn.execute("update audit_log set actor = 'staff2' where seq = ?", (seq,))
        conn.commit()
    finally:
        conn.close()
    broken = cli(unit, "audit", "verify")
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert broken.stdout.startswith("审计记录校验未通过：") and f"第{seq}条" in broken.stdout
