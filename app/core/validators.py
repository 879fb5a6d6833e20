"""Validators for Chinese national identifiers. Each returns None when valid, else a Chinese reason."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# --- 公民身份号码 GB 11643-1999 -------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


@dataclass(frozen=True)
class IdCardInfo:
    birth_date: dt.date
    gender: str  # 男 / 女


def parse_id_number(value: str) -> IdCardInfo:
    """Validate an 18-digit 身份证号; raises ValueError with a Chinese reason."""
    s = (value or "").strip().upper()
    if len(s) != 18:
        raise ValueError(f"身份证号应为18位，实际为{len(s)}位")
    if not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        raise ValueError("身份证号前17位应为数字，末位为数字或X")
    try:
        birth = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValueError(f"身份证号中的出生日期{s[6:14]}不是有效日期") from None
    if not dt.date(1900, 1, 1) <= birth <= dt.date.today():
        raise ValueError(f"身份证号中的出生日期{birth.isoformat()}不合理")
    expected = id_check_char(s[:17])
    if s[17] != expected:
        raise ValueError(f"身份证号校验位错误（应为{expected}）")
    return IdCardInfo(birth, "男" if int(s[16]) % 2 == 1 else "女")


def id_number_problem(value: str) -> str | None:
    try:
        parse_id_number(value)
    except ValueError as exc:
        return str(exc)
    return None


# --- 统一社会信用代码 GB 32100-2015 -----------------------------------------------------
_CC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 组织机构代码 GB 11714 (characters 9–17 of the credit code) has its own check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_check_char(first8: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS))
    c9 = 11 - total % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def credit_check_char(first17: str) -> str:
    total = sum(_CC_CHARS.index(c) * w for c, w in zip(first17, _CC_WEIGHTS))
    return _CC_CHARS[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    s = (value or "").strip().upper()
    if len(s) != 18:
        return f"统一社会信用代码应为18位，实际为{len(s)}位"
    bad = [c for c in s if c not in _CC_CHARS]
    if bad:
        return f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用I、O、Z、S、V）"
    if not s[2:8].isdigit():
        return "统一社会信用代码第3–8位应为行政区划代码（数字）"
    org = s[8:17]
    if all(c.isdigit() or c.isupper() for c in org[:8]) and org[8] != _org_check_char(org[:8]):
        return f"统一社会信用代码第9–17位（组织机构代码）校验位错误（应为{_org_check_char(org[:8])}）"
    expected = credit_check_char(s[:17])
    if s[17] != expected:
        return f"统一社会信用代码校验位错误（应为{expected}）"
    return None


def make_credit_code(prefix8: str, org8: str) -> str:
    """Build a valid code from 登记管理部门+机构类别+行政区划 (8) and the organisation body (8)."""
    org = org8 + _org_check_char(org8)
    first17 = (prefix8 + org).upper()
    return first17 + credit_check_char(first17)


def make_id_number(region6: str, birth: dt.date, seq3: int, male: bool) -> str:
    """Build a valid 身份证号 (used by the demo generator and tests)."""
    seq = seq3 - seq3 % 2 + (1 if male else 0)
    seq = seq % 1000
    first17 = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)
