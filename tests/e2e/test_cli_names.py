"""`add-user` on the command line: the same login and name rules as everywhere else."""
from __future__ import annotations

from tests.e2e.test_cli_basic import init_args, open_db, run, run_all


def test_add_user_refuses_look_alike_logins_and_names(tmp_path):
    db = tmp_path / "unit.sqlite"
    r = run(*init_args(db), data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    add = ("add-user", "--db", db, "--password", "zs123456")
    cyrillic, invisible, good = run_all([
        (*add, "--user", "\u0430dmin", "--name", "张三"),
        (*add, "--user", "lisi", "--name", "李\u200b四"),
        (*add, "--user", "ayigul", "--name", "阿依古丽•买买提"),
    ], tmp_path)
    assert cyrillic.returncode == 1 and "“а”（U+0430，西里尔字母）" in cyrillic.stderr
    assert invisible.returncode == 1 and "不可见字符 U+200B（零宽空格）" in invisible.stderr
    assert "Traceback" not in cyrillic.stderr + invisible.stderr
    assert good.returncode == 0, good.stderr
    from app.services.org import structure as org
    unit = open_db(db)
    try:
        assert {p.login: p.name for p in org.persons(unit)} == {"admin": "单位管理员",
                                                                 "ayigul": "阿依古丽·买买提"}
    finally:
        unit.dispose()
