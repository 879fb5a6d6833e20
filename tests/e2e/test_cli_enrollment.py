"""Enrolling a unit, confirming keys and revoking one through the command line, each command a
`python -m app` subprocess: `enrollment` prints the one-time code; `init --enrollment` creates
nothing without the right --fingerprint and --code; the 编办's first import of a unit needs the
unit's --fingerprint; `revoke-key` and the unit's `rekey --code` register a new key, and the
revoked key's package is refused. A refused command leaves the 编办's databases unchanged."""
from __future__ import annotations

import re

import pytest

from app.services.exchange import packages as P
from app.services.org.setup import open_database
from app.sync import codes
from tests.e2e.test_cli_basic import run
from tests.unit.sync_fixtures import content_hash, credit

UNIT = "沂河县市场监督管理局"


def ok(result, *words):
    assert result.returncode == 0, result.stderr + result.stdout
    for word in words:
        assert word in result.stdout, result.stdout
    return result


def failed(result, *words):
    assert result.returncode == 1, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    text = result.stderr + result.stdout
    for word in words:
        assert word in text, text
    return result


def code_in(result) -> str:
    return re.search(r"一次性注册码：\s+(\S+)", result.stdout).group(1)


def fingerprint_of(path) -> str:
    db = open_database(path)
    try:
        return P.own_fingerprint(db)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def env_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("appdata")


def test_enroll_confirm_import_revoke_and_register_again(tmp_path, env_dir):
    def cli(*args):
        return run(*args, data_dir=env_dir)

    bureau, unit, usb = tmp_path / "county.sqlite", tmp_path / "unit.sqlite", tmp_path / "usb"
    usb.mkdir()
    ok(cli("init", "--db", bureau, "--edition", "bureau", "--unit-name", "沂河县委编办",
           "--credit-code", credit(0), "--admin", "bb", "--password", "abc12345"))
    ok(cli("register-unit", "--db", bureau, "--unit-name", UNIT, "--credit-code", credit(1),
           "--quotas", "行政编制=20"))
    written = ok(cli("enrollment", "--db", bureau, "--unit", credit(1), "--out", usb),
                 "已生成单位注册包", "只显示这一次")
    code = code_in(written)
    assert codes.normalize(code) == code
    [file] = usb.glob("*单位注册包*.lzkp")
    bureau_fp = re.search(r"编办密钥指纹：(\S+)（", written.stdout).group(1)
    assert "待注册" in ok(cli("fingerprint", "--db", bureau)).stdout

    failed(cli("init", "--db", unit, "--unit-name", UNIT, "--credit-code", credit(1), "--code", code,
               "--admin", "admin", "--password", "abc12345"), "只与 --enrollment")
    base = ("init", "--db", unit, "--enrollment", file, "--admin", "admin", "--password", "abc12345")
    failed(cli(*base, "--code", code), bureau_fp, f"--fingerprint {bureau_fp}", "未创建")
    assert not unit.exists()
    wrong_fp = bureau_fp[:-1] + ("0" if bureau_fp[-1] != "0" else "1")
    failed(cli(*base, "--code", code, "--fingerprint", wrong_fp), "指纹不符", "未创建")
    assert not unit.exists()
    failed(cli(*base, "--fingerprint", bureau_fp), "--code", "未创建")
    failed(cli(*base, "--fingerprint", bureau_fp, "--code", codes.new_code()), "注册码不正确")
    assert not unit.exists() and not list(tmp_path.glob("unit.sqlite*"))
    ok(cli(*base, "--fingerprint", bureau_fp.lower(), "--code", code.lower()), f"已用注册包创建单位“{UNIT}”")
    unit_fp = fingerprint_of(unit)

    out1 = tmp_path / "out1"
    out1.mkdir()
    ok(cli("export-package", "--db", unit, "--out", out1), "已导出第1号包")
    before = content_hash(bureau)
    refused = failed(cli("import-package", "--db", bureau, out1), f"--fingerprint {unit_fp}", "尚未核对")
    assert "已导入" not in refused.stdout and content_hash(bureau) == before
    failed(cli("import-package", "--db", bureau, out1, "--fingerprint", wrong_fp), unit_fp)
    assert content_hash(bureau) == before
    ok(cli("import-package", "--db", bureau, out1, "--fingerprint", unit_fp), "已导入")
    assert unit_fp in ok(cli("fingerprint", "--db", bureau)).stdout
    failed(cli("enrollment", "--db", bureau, "--unit", credit(1), "--out", usb), "已注册了密钥")

    old = tmp_path / "old"      # a package signed by the key about to be revoked
    old.mkdir()
    ok(cli("export-package", "--db", unit, "--out", old), "已导出第2号包")
    revoked = ok(cli("revoke-key", "--db", bureau, "--unit", UNIT, "--reason", "单位电脑丢失"),
                 f"已撤销“{UNIT}”的密钥（指纹{unit_fp}）", "rekey --code")
    new_code = code_in(revoked)
    before = content_hash(bureau)
    failed(cli("import-package", "--db", bureau, old), "已被撤销的密钥签名")
    assert content_hash(bureau) == before
    failed(cli("rekey", "--db", unit, "--code", new_code[:-1]), "应为20位")
    rekeyed = ok(cli("rekey", "--db", unit, "--code", new_code), "已生成本单位的新密钥")
    new_fp = fingerprint_of(unit)
    assert new_fp != unit_fp and new_fp in rekeyed.stdout
    out3 = tmp_path / "out3"
    out3.mkdir()
    ok(cli("export-package", "--db", unit, "--out", out3))
    ok(cli("import-package", "--db", bureau, out3, "--fingerprint", new_fp), "已导入", new_fp)
    failed(cli("import-package", "--db", bureau, old), "已被撤销的密钥签名")
    out4 = tmp_path / "out4"
    out4.mkdir()
    ok(cli("export-package", "--db", bureau, "--unit", UNIT, "--out", out4), "已导出")
    ok(cli("import-package", "--db", unit, out4), "已导入")


def test_a_standalone_unit_joins_with_its_logs(tmp_path, env_dir):
    """Issue 17 item 11: `init` without a 注册包 (the wizard's 新建单位), logs written, then the
    编办 registers the unit and `join-bureau` takes the 注册包 into the existing database."""
    def cli(*args):
        return run(*args, data_dir=env_dir)

    bureau, unit, usb = tmp_path / "county.sqlite", tmp_path / "unit.sqlite", tmp_path / "usb"
    usb.mkdir()
    ok(cli("init", "--db", unit, "--unit-name", "市场监管局（自建）", "--credit-code", credit(1),
           "--admin", "admin", "--password", "abc12345"))
    ok(cli("log", "add", "--db", unit, "--user", "admin", "--date", "2026-11-02", "--hours", "6",
           "--category", "业务工作", "--content", "检查辖区超市", "--submit"))
    failed(cli("export-package", "--db", unit, "--out", usb), "尚未加入编办", "join-bureau")
    ok(cli("init", "--db", bureau, "--edition", "bureau", "--unit-name", "沂河县委编办",
           "--credit-code", credit(0), "--admin", "bb", "--password", "abc12345"))
    ok(cli("register-unit", "--db", bureau, "--unit-name", UNIT, "--credit-code", credit(1)))
    stick = tmp_path / "stick"
    stick.mkdir()
    written = ok(cli("enrollment", "--db", bureau, "--unit", credit(1), "--out", stick))
    [file] = stick.glob("*.lzkp")
    bureau_fp = re.search(r"编办密钥指纹：(\S+)（", written.stdout).group(1)

    before = content_hash(unit)
    failed(cli("join-bureau", "--db", unit, "--enrollment", file, "--code", code_in(written)), bureau_fp)
    assert content_hash(unit) == before
    ok(cli("join-bureau", "--db", unit, "--enrollment", file, "--fingerprint", bureau_fp,
           "--code", code_in(written)), "已加入“沂河县委编办”", "已有数据全部保留")
    ok(cli("export-package", "--db", unit, "--out", usb), "已导出第1号包")
    ok(cli("import-package", "--db", bureau, usb, "--fingerprint", fingerprint_of(unit)), "已导入")
    from sqlalchemy import func, select

    from app.db.models import WorkLog
    from app.services.county.mirrors import Mirrors, registered_units
    db = open_database(bureau)
    mirrors = Mirrors(db)
    try:
        [registered] = registered_units(db)
        with mirrors.get(registered.unit_id).read() as s:     # the log written before joining
            assert s.scalar(select(func.count()).select_from(WorkLog)
                            .where(WorkLog.day == "2026-11-02")) == 1
    finally:
        mirrors.close()
        db.dispose()
