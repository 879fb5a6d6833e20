"""The permission matrix, cell by cell, is the same on the command line as in the GUI.

Each action runs twice per role, each time on a fresh copy of the same unit: once through the
service as the GUI calls it (with the Actor the GUI's login returns), once through the command
line (main(argv), that person's own password in LZKP_PASSWORD). Allowed: both succeed. Denied:
the service raises PermissionDenied and the command line prints that message, exit 1 — or, for an
admin command, the command line's own admin gate (app.cli.auth) says so first.
EXPECTED spells the matrix out, so both paths being equally wrong fails too.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import PermissionDenied
from app.db.models import Section
from app.services.county import staffing as S
from app.services.county.bureau import register_unit
from app.services.county.mirrors import Mirrors
from app.services.evaluation.indicators import install_defaults
from app.services.evaluation.rounds import require_viewer, rounds_here
from app.services.org import account_changes, accounts, settings_change, structure as org
from app.services.org.actor import SYSTEM
from app.services.org.setup import UnitSetup, create_database, open_database
from app.services.review import queue as review
from app.services.stats import compute as stats
from app.core.metrics import parse_period
from tests.e2e.cli_world import PASSWORDS, ROLES, build_world, cli, copy_of
from tests.unit.sync_fixtures import credit

UNIT = "unit"
BUREAU = "bureau"


def section_id(db, name):
    with db.read() as s:
        return s.scalar(select(Section.id).where(Section.name == name))


def _report(db, actor, w, out):
    from app.services.reporting.unit import build_report
    build_report(db, "section", w.period, out / "gui.pdf", section="食品安全科", actor=actor)


def _rounds(db, actor, w, out):
    require_viewer(db, actor)        # what decides whether the GUI shows the rounds page
    rounds_here(db)


# action: (who acts on the command line, the GUI's service call, the command line after `main`)
UNIT_ACTIONS = {
    "审阅他人日志": ("--user",
                lambda db, a, w, out: review.approve(db, a, review.find_log(db, "staff1", w.day)),
                lambda p, w, out: ["review", "approve", "--db", p, "--author", "staff1", "--date", w.day]),
    "修改单位设置": ("--as",
                lambda db, a, w, out: settings_change.set_value(db, a, "flags.late_days", "9"),
                lambda p, w, out: ["settings", "set", "--db", p, "flags.late_days", "9"]),
    "添加账号": ("--as",
             lambda db, a, w, out: accounts.add_user(db, a, accounts.NewUser("newbie", "新人", "newbie-Pass9")),
             lambda p, w, out: ["add-user", "--db", p, "--user", "newbie", "--name", "新人",
                                "--password", "newbie-Pass9"]),
    "重设他人密码": ("--as",
                lambda db, a, w, out: accounts.set_password(db, a, "staff1", "reset-Pass9"),
                lambda p, w, out: ["set-password", "--db", p, "--user", "staff1", "--password", "reset-Pass9"]),
    "修改人员信息": ("--as",
                lambda db, a, w, out: account_changes.edit_person(
                    db, a, "staff1", account_changes.PersonChange(staffing_type="事业编制")),
                lambda p, w, out: ["edit-user", "--db", p, "--user", "staff1", "--staffing-type", "事业编制"]),
    "停用账号": ("--as",
             lambda db, a, w, out: account_changes.set_active(db, a, "staff1", False),
             lambda p, w, out: ["disable-user", "--db", p, "--user", "staff1"]),
    "设置分管科室": ("--as",
                lambda db, a, w, out: org.set_section_charges(db, a, "dep1", ["食品安全科", "办公室"]),
                lambda p, w, out: ["charge", "--db", p, "--deputy", "dep1", "--sections", "食品安全科,办公室"]),
    "全单位统计": ("--as",
              lambda db, a, w, out: stats.unit_stats(db, w.period, "unit", actor=a),
              lambda p, w, out: ["stats", "--db", p, "--period", w.period.text, "--level", "unit"]),
    "科室统计": ("--as",
             lambda db, a, w, out: stats.unit_stats(db, w.period, "section",
                                                    section_id=section_id(db, "食品安全科"), actor=a),
             lambda p, w, out: ["stats", "--db", p, "--period", w.period.text, "--level", "section",
                                "--section", "食品安全科"]),
    "他人统计": ("--as",
             lambda db, a, w, out: stats.unit_stats(db, w.period, "person", person_id=w.staff_id, actor=a),
             lambda p, w, out: ["stats", "--db", p, "--period", w.period.text, "--level", "person",
                                "--user", "staff1"]),
    "科室报告": ("--as", _report,
             lambda p, w, out: ["report", "--db", p, "--kind", "section", "--section", "食品安全科",
                                "--period", w.period.text, "--out", out / "cli.pdf"]),
    "人员编制分析": ("--as",
                lambda db, a, w, out: S.analyse_unit(db, a),
                lambda p, w, out: ["staffing", "--db", p]),
    "查看评估批次": ("--as", _rounds,
                lambda p, w, out: ["round", "list", "--db", p]),
}
EXPECTED_UNIT = {
    "审阅他人日志": {"head1"},
    "修改单位设置": {"admin"},
    "添加账号": {"admin"},
    "重设他人密码": {"admin"},
    "修改人员信息": {"admin"},
    "停用账号": {"admin"},
    "设置分管科室": {"admin"},
    "全单位统计": {"boss"},
    "科室统计": {"head1", "dep1", "boss"},
    "他人统计": {"staff1", "head1", "dep1", "boss"},
    "科室报告": {"head1", "dep1", "boss"},
    "人员编制分析": {"dep1", "boss", "admin"},
    "查看评估批次": {"boss", "admin"},
}

BUREAU_PASSWORDS = {"badmin": "badmin-Pass9", "analyst": "analyst-Pass9"}


CODES = {i: credit(i) for i in (0, 1)}
BUREAU_ACTIONS = {
    "登记单位": ("--as",
             lambda db, a, w, out: register_unit(db, a, UnitSetup("沂河县第1局", CODES[1])),
             lambda p, w, out: ["register-unit", "--db", p, "--unit-name", "沂河县第1局",
                                "--credit-code", CODES[1]]),
    "安装指标体系": ("--as",
                lambda db, a, w, out: install_defaults(db, a),
                lambda p, w, out: ["indicators", "install-defaults", "--db", p]),
    "查看评估批次": ("--as", _rounds, lambda p, w, out: ["round", "list", "--db", p]),
    "修改本办账号角色": ("--as",
                  lambda db, a, w, out: account_changes.set_bureau_role(db, a, "analyst", "编办管理员"),
                  lambda p, w, out: ["edit-user", "--db", p, "--user", "analyst",
                                     "--bureau-role", "编办管理员"]),
    "全县人员编制": ("--as",
                lambda db, a, w, out: S.analyse_county(db, Mirrors(db), a),
                lambda p, w, out: ["staffing", "--db", p]),
}
EXPECTED_BUREAU = {
    "登记单位": {"badmin"},
    "安装指标体系": {"badmin"},
    "查看评估批次": {"badmin"},
    "修改本办账号角色": {"badmin"},
    "全县人员编制": {"badmin", "analyst"},
}


class Setting:
    def __init__(self, path, day=None, period=None, staff_id=None):
        self.path, self.day, self.period, self.staff_id = path, day, period, staff_id


@pytest.fixture(scope="module")
def unit_world(tmp_path_factory):
    world = build_world(tmp_path_factory.mktemp("unit"))
    db = open_database(world.path)
    try:
        actors = {login: accounts.login(db, login, PASSWORDS[login]) for login in ROLES}
    finally:
        db.dispose()
    period = parse_period(f"{world.day:%Y-%m}")
    return Setting(world.path, world.day, period, actors["staff1"].person_id), actors, PASSWORDS


@pytest.fixture(scope="module")
def bureau_world(tmp_path_factory):
    path = tmp_path_factory.mktemp("bureau") / "county.sqlite"
    db = create_database(path, UnitSetup("沂河县委编办", CODES[0], edition="bureau"),
                         accounts.NewUser("badmin", "编办管理员", BUREAU_PASSWORDS["badmin"],
                                          is_admin=True, must_change=False))
    try:
        accounts.add_user(db, SYSTEM, accounts.NewUser("analyst", "分析员", BUREAU_PASSWORDS["analyst"],
                                                       must_change=False))
        actors = {login: accounts.login(db, login, pw) for login, pw in BUREAU_PASSWORDS.items()}
    finally:
        db.dispose()
    return Setting(path), actors, BUREAU_PASSWORDS


def outcome_in_gui(setting, actor, action, folder):
    path = copy_of(setting, folder, "gui.sqlite")
    db = open_database(path)
    try:
        action(db, actor, setting, folder)
        return "ok"
    except PermissionDenied as exc:
        return f"错误：{exc}"
    finally:
        db.dispose()


def outcome_on_command_line(capsys, setting, login, password, flag, argv, folder):
    path = copy_of(setting, folder, "cli.sqlite")
    r = cli(capsys, *argv(path, setting, folder), flag, login, password=password)
    if r.code == 0:
        return "ok"
    assert r.code == 1 and len(r.err.splitlines()) == 1, r.err
    return r.err.strip()


def check_matrix(capsys, tmp_path, world, actions, expected, gate):
    setting, actors, passwords = world
    mismatches, allowed = [], {}
    for name, (flag, gui, argv) in actions.items():
        for login, actor in actors.items():
            folder = tmp_path / f"{name}-{login}"
            folder.mkdir()
            in_gui = outcome_in_gui(setting, actor, gui, folder)
            on_cli = outcome_on_command_line(capsys, setting, login, passwords[login], flag, argv, folder)
            if in_gui != on_cli and not (in_gui != "ok" and on_cli == gate):
                mismatches.append(f"{name} × {login}: GUI {in_gui} / CLI {on_cli}")
            if in_gui == "ok":
                allowed.setdefault(name, set()).add(login)
    assert not mismatches, "\n".join(mismatches)
    assert {name: allowed.get(name, set()) for name in actions} == expected


def test_unit_matrix_is_the_same_in_gui_and_cli(capsys, tmp_path, unit_world):
    check_matrix(capsys, tmp_path, unit_world, UNIT_ACTIONS, EXPECTED_UNIT,
                 gate="错误：此操作需要单位管理员权限")


def test_bureau_matrix_is_the_same_in_gui_and_cli(capsys, tmp_path, bureau_world):
    check_matrix(capsys, tmp_path, bureau_world, BUREAU_ACTIONS, EXPECTED_BUREAU,
                 gate="错误：此操作需要编办管理员权限")
