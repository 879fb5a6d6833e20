"""Nobody acts as someone else on the command line: whoever a command acts as gives their own
password (LZKP_PASSWORD here, as a script does); admin commands act as the admin named by --as,
or the only admin when there is one.

The insider of issue 15: a staff member who can run the program on the unit's file.
"""
from __future__ import annotations

import argparse

from sqlalchemy import select

from app.db.models import AuditLog, Credential, Person, WorkLog
from app.services.org import accounts, unit_settings
from app.services.org.actor import SYSTEM
from app.services.org.setup import open_database
from tests.e2e.cli_world import PASSWORDS, cli

STAFF_PW = PASSWORDS["staff1"]


def read(path, fn):
    db = open_database(path)
    try:
        with db.read() as s:
            return fn(s)
    finally:
        db.dispose()


def refused(r, *phrases):
    assert r.code == 1, (r.out, r.err)
    assert r.err.startswith("错误：") and len(r.err.strip().splitlines()) == 1, r.err
    for phrase in phrases:
        assert phrase in r.err, r.err


def log_state(path, day):
    return read(path, lambda s: s.scalar(select(WorkLog.state).where(WorkLog.day == day.isoformat())))


def test_staff_member_cannot_approve_his_own_log_as_his_head(world, db_file, capsys):
    for reviewer in ("head1", "dep1"):
        r = cli(capsys, "review", "approve", "--db", db_file, "--user", reviewer, "--author", "staff1",
                "--date", world.day, password=STAFF_PW)
        refused(r, "密码")
    assert log_state(db_file, world.day) == "submitted"
    # and the head, with his own password, can
    r = cli(capsys, "review", "approve", "--db", db_file, "--user", "head1", "--author", "staff1",
            "--date", world.day, password=PASSWORDS["head1"])
    assert r.code == 0, r.err


def admin_hash(s):
    admin_id = s.scalar(select(Person.id).where(Person.login == "admin"))
    return s.scalar(select(Credential.password_hash).where(Credential.person_id == admin_id))


def test_admin_commands_refuse_a_staff_members_password(db_file, capsys):
    before = read(db_file, lambda s: s.scalar(select(AuditLog.seq).order_by(AuditLog.seq.desc())))
    password_before = read(db_file, admin_hash)
    attempts = [
        ("set-password", "--db", db_file, "--user", "admin", "--password", "mine12345"),
        ("add-user", "--db", db_file, "--user", "mole", "--name", "内鬼", "--password", "mole12345",
         "--admin"),
        ("settings", "set", "--db", db_file, "review.levels", "1"),
        ("charge", "--db", db_file, "--deputy", "dep1", "--sections", "办公室"),
        ("backup", "--db", db_file, "--out", db_file.with_name("copy.sqlite")),
        ("audit", "verify", "--db", db_file),
        ("packages", "--db", db_file),
    ]
    for argv in attempts:
        refused(cli(capsys, *argv, password=STAFF_PW), "密码")
    # the same commands naming the staff member as the acting admin: he is not one
    for argv in attempts:
        refused(cli(capsys, *argv, "--as", "staff1", password=STAFF_PW), "管理员")
    assert not db_file.with_name("copy.sqlite").exists()
    assert read(db_file, lambda s: s.scalar(select(AuditLog.seq).order_by(AuditLog.seq.desc()))) == before
    assert read(db_file, lambda s: s.scalar(select(Person).where(Person.login == "mole"))) is None
    assert read(db_file, admin_hash) == password_before
    db = open_database(db_file)
    try:
        assert unit_settings.all_values(db)["review.levels"] != 1
    finally:
        db.dispose()


def test_without_a_password_and_no_terminal_the_command_says_how(db_file, capsys):
    r = cli(capsys, "settings", "set", "--db", db_file, "review.levels", "1")
    refused(r, "LZKP_PASSWORD")


def test_as_defaults_to_the_only_admin_and_the_audit_names_him(db_file, capsys):
    r = cli(capsys, "settings", "set", "--db", db_file, "flags.late_days", "9",
            password=PASSWORDS["admin"])
    assert (r.code, r.out.strip()) == (0, "flags.late_days = 9"), r.err
    last = read(db_file, lambda s: s.scalar(select(AuditLog.actor).order_by(AuditLog.seq.desc())))
    assert last == "admin"
    r = cli(capsys, "set-password", "--db", db_file, "--user", "staff1", "--password", "new12345x",
            password=PASSWORDS["admin"])
    assert r.code == 0, r.err


def test_several_admins_must_say_which_one_acts(db_file, capsys):
    db = open_database(db_file)
    try:
        accounts.add_user(db, SYSTEM, accounts.NewUser("admin2", "钱管理", "admin2-Pass9",
                                                       is_admin=True, must_change=False))
    finally:
        db.dispose()
    r = cli(capsys, "settings", "set", "--db", db_file, "flags.late_days", "9",
            password=PASSWORDS["admin"])
    refused(r, "--as", "admin", "admin2")
    r = cli(capsys, "settings", "set", "--db", db_file, "flags.late_days", "9", "--as", "admin2",
            password=PASSWORDS["admin"])
    refused(r, "密码")
    r = cli(capsys, "settings", "set", "--db", db_file, "flags.late_days", "9", "--as", "admin2",
            password="admin2-Pass9")
    assert r.code == 0, r.err
    last = read(db_file, lambda s: s.scalar(select(AuditLog.actor).order_by(AuditLog.seq.desc())))
    assert last == "admin2"


def test_statistics_show_the_reader_what_the_gui_shows_him(world, db_file, capsys):
    period = str(world.day.year)
    # a staff member reads his own figures with his own password, not the unit's
    r = cli(capsys, "stats", "--db", db_file, "--period", period, "--level", "person",
            "--user", "staff1", "--as", "staff1", "--json", password=STAFF_PW)
    assert r.code == 0, r.err
    refused(cli(capsys, "stats", "--db", db_file, "--period", period, "--level", "unit",
                "--as", "staff1", password=STAFF_PW), "无权查看")
    refused(cli(capsys, "stats", "--db", db_file, "--period", period, "--level", "person",
                "--user", "head1", "--as", "staff1", password=STAFF_PW), "无权查看")
    # reading his head's figures needs the head's password, not the subject's
    r = cli(capsys, "stats", "--db", db_file, "--period", period, "--level", "person",
            "--user", "staff1", "--as", "head1", password=PASSWORDS["head1"])
    assert r.code == 0, r.err
    r = cli(capsys, "stats", "--db", db_file, "--period", period, "--level", "unit",
            "--as", "boss", password=PASSWORDS["boss"])
    assert r.code == 0, r.err


def _leaves(parser: argparse.ArgumentParser, path=()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, child in subs[0].choices.items():
        yield from _leaves(child, path + (name,))


def test_every_command_declares_who_it_acts_as():
    from app.cli import build_parser
    from app.cli.auth import ADMIN, NOBODY, PERSON, READER
    declared = {}
    for path, parser in _leaves(build_parser()):
        assert "acts_as" in {k for k in parser._defaults}, f"{' '.join(path)} 未声明 acts_as"
        declared[" ".join(path)] = parser._defaults["acts_as"]
    # change-password logs the person in itself, with the old password the change needs; pcs
    # sync/status move only what the unit's PCs signed (the GUI's timer does so whoever is logged
    # in), and pcs join has no account yet: the admin's join code lets it in
    assert {c for c, kind in declared.items() if kind is NOBODY} == {
        "init", "demo", "demo-county", "template", "check", "change-password",
        "pcs join", "pcs sync", "pcs status"}
    assert set(declared.values()) <= {NOBODY, PERSON, ADMIN, READER}
    for command in ("set-password", "add-user", "settings set", "charge", "import-roster",
                    "import-duties", "packages", "export-package", "import-package",
                    "register-unit", "backup", "protect-keys", "round create",
                    "indicators install-defaults"):
        assert declared[command] == ADMIN, command
    for command in ("log add", "log submit", "review approve", "review list"):
        assert declared[command] == PERSON, command
