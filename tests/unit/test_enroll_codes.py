"""One-time registration codes (app/sync/codes.py) and the enrollment file sealed to them
(app/services/exchange/enrollment.py): what a copy of the 单位注册包 without the code is worth.

Real argon2id, Ed25519 and ChaCha20-Poly1305 throughout, no mocks.
"""
from __future__ import annotations

import re

import pytest

from app.core.errors import AppError
from app.services.county import bureau as B
from app.services.county.mirrors import Mirrors
from app.services.exchange import enrollment
from app.services.org.setup import UnitSetup
from app.sync import codes, container
from app.sync.keys import generate
from tests.unit.sync_fixtures import credit, new_bureau

CODE_SHAPE = re.compile(r"^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){4}$")


def test_codes_are_twenty_unambiguous_letters_in_groups_and_differ():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert CODE_SHAPE.match(code), code
        assert codes.normalize(code) == code
    assert len(codes.ALPHABET) == 32 and not set("01IO") & set(codes.ALPHABET)
    assert 5 * (codes.LENGTH - 1) >= 80          # random bits besides the check character


def test_a_code_is_read_as_people_type_it_and_typos_are_caught():
    code = codes.new_code()
    assert codes.normalize(code.lower().replace("-", " ")) == code
    assert codes.normalize("  " + code.replace("-", "") + " ") == code
    body, last = code[:-1], code[-1]
    typo = body + next(c for c in codes.ALPHABET if c != last)
    with pytest.raises(codes.CodeError, match="校验不符"):
        codes.normalize(typo)
    with pytest.raises(codes.CodeError, match="没有数字0、1和字母O、I"):
        codes.normalize(code[:-2] + "0" + last)
    with pytest.raises(codes.CodeError, match="应为20位，输入了19位"):
        codes.normalize(code[:-1])
    with pytest.raises(codes.CodeError, match="请输入"):
        codes.normalize(" - ")
    # a mistyped character is caught by the check character 31 times in 32
    caught = sum(not codes.is_well_formed(body[:3] + c + body[4:] + last)
                 for c in codes.ALPHABET if c != body[3])
    assert caught >= 25


def test_derived_keys_depend_on_code_and_unit_and_proofs_bind_the_keys():
    code, other = codes.new_code(), codes.new_code()
    a = codes.derive(code, "unit-a")
    assert codes.derive(code.lower(), "unit-a").verifier() == a.verifier()   # same code as typed
    assert codes.derive(code, "unit-b").verifier() != a.verifier()
    assert codes.derive(other, "unit-a").verifier() != a.verifier()
    assert codes.derive(code, "unit-b").box != a.box
    keys, stranger = generate().public(), generate().public()
    proof = codes.prove(a, keys)
    assert codes.check_proof(a.verifier(), proof, "unit-a", keys)
    assert not codes.check_proof(a.verifier(), proof, "unit-a", stranger)     # other keys
    assert not codes.check_proof(a.verifier(), proof, "unit-b", keys)         # other unit
    assert not codes.check_proof(codes.derive(other, "unit-a").verifier(), proof, "unit-a", keys)
    for junk in (None, 7, "", "不是base64", "QUJD", proof[:-4]):
        assert not codes.check_proof(a.verifier(), junk, "unit-a", keys)
    assert code not in repr(a) and a.box.hex() not in repr(a)


def test_fingerprints_compare_as_typed():
    fp = generate().public().fingerprint()
    assert codes.same_fingerprint(fp.lower().replace("-", " "), fp)
    assert not codes.same_fingerprint(fp[:-1] + ("0" if fp[-1] != "0" else "1"), fp)
    assert not codes.same_fingerprint("", fp) and not codes.same_fingerprint("指纹", fp)


@pytest.fixture
def bureau_with_unit(tmp_path):
    db = new_bureau(tmp_path / "county.sqlite")
    mirrors = Mirrors(db)
    unit_id = B.register_unit(db, B.SYSTEM, UnitSetup("沂河县第1局", credit(1),
                                                      staffing_quotas={"行政编制": 10}))
    usb = tmp_path / "usb"
    usb.mkdir()
    yield db, mirrors, unit_id, usb
    mirrors.close()
    db.dispose()


def test_a_copy_of_the_enrollment_without_its_code_starts_nothing(bureau_with_unit, tmp_path):
    db, mirrors, unit_id, usb = bureau_with_unit
    written = enrollment.write_enrollment(db, mirrors, unit_id, usb)
    assert CODE_SHAPE.match(written.code)
    data = written.path.read_bytes()
    assert "行政编制".encode() not in data and written.code.encode() not in data   # content sealed
    info = enrollment.read_enrollment(written.path)      # the header alone: name and fingerprint
    assert info.unit_name == "沂河县第1局" and info.code_keys is None
    target = tmp_path / "thief.sqlite"
    with pytest.raises(AppError, match="请输入编办给的注册码"):
        enrollment.create_from_enrollment(target, written.path, None)
    with pytest.raises(AppError, match="注册码不正确"):
        enrollment.create_from_enrollment(target, written.path, codes.new_code())   # a guess
    with pytest.raises(AppError, match="校验不符"):
        enrollment.init_from_enrollment(target, written.path, written.code[:-1] + (
            "2" if written.code[-1] != "2" else "3"), "admin", "管理员", "Admin2026")
    assert not target.exists() and list(tmp_path.glob("thief*")) == []
    # the container refuses a wrong secret before opening anything
    with pytest.raises(container.PackageError) as refused:
        container.check_opener(info.opened, container.SharedSecret(codes.derive(codes.new_code(), unit_id).box))
    assert refused.value.code == "wrong_secret"
    unit, _ = enrollment.init_from_enrollment(target, written.path, written.code.lower(), "admin", "管理员",
                                              "Admin2026")
    assert unit.unit_id == unit_id
    unit.dispose()


def test_a_new_enrollment_voids_the_earlier_code(bureau_with_unit, tmp_path):
    db, mirrors, unit_id, usb = bureau_with_unit
    first = enrollment.write_enrollment(db, mirrors, unit_id, usb)
    second = enrollment.write_enrollment(db, mirrors, unit_id, usb)
    assert first.code != second.code
    with pytest.raises(AppError, match="注册码不正确"):       # each file opens with its own code
        enrollment.create_from_enrollment(tmp_path / "x.sqlite", second.path, first.code)


def test_an_old_unprotected_enrollment_file_is_refused(bureau_with_unit, tmp_path):
    db, mirrors, unit_id, usb = bureau_with_unit
    written = enrollment.write_enrollment(db, mirrors, unit_id, usb)
    opened = container.read_header(written.path)
    header = {k: v for k, v in opened.header.items()
              if k not in ("format", "suite", "body_length", "chunk_size", "sender_key", "salt", "key_check")}
    plain = tmp_path / "old.lzkp"
    container.write_package(plain, header, [b"{}"], sign_key=generate(), recipient=None)
    with pytest.raises(container.PackageError, match="没有注册码保护"):
        enrollment.read_enrollment(plain)
