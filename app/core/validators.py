"""Validators for Chinese national identifiers, logins and names. Each `…_problem` returns None
when valid, else a Chinese reason."""
from __future__ import annotations

import datetime as dt
import unicodedata
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


# --- 登录名, 姓名, 科室名称: what people type and others must be able to tell apart -------------
# An explicit allow-list rather than a confusables library (confusable_homoglyphs, ICU's spoof
# checker): the characters a Chinese roster needs are few and known, an allow-list refuses a
# Cyrillic "а", a right-to-left override or a zero-width space by construction, and the offline
# installer gains no dependency. unicodedata (standard library) supplies NFKC and the names.
LOGIN_MIN, LOGIN_MAX = 2, 32
LOGIN_PUNCT = "._-"

# Code points that show nothing (or reorder what follows), named in Chinese for the messages.
_INVISIBLE_NAMES = {
    0x00A0: "不换行空格", 0x00AD: "软连字符", 0x034F: "组合用字形连接符", 0x061C: "阿拉伯字母标记",
    0x115F: "朝鲜文初声填充符", 0x1160: "朝鲜文中声填充符", 0x180E: "蒙古文元音分隔符",
    0x200B: "零宽空格", 0x200C: "零宽不连字", 0x200D: "零宽连字", 0x200E: "从左到右标记",
    0x200F: "从右到左标记", 0x202A: "从左到右嵌入", 0x202B: "从右到左嵌入", 0x202C: "方向格式结束",
    0x202D: "从左到右覆盖", 0x202E: "从右到左覆盖", 0x2060: "词连接符", 0x2066: "从左到右隔离",
    0x2067: "从右到左隔离", 0x2068: "首强字符隔离", 0x2069: "方向隔离结束", 0x3164: "朝鲜文填充符",
    0xFEFF: "零宽不换行空格", 0xFFA0: "半角朝鲜文填充符",
}
_SCRIPT_NAMES = (("CYRILLIC", "西里尔字母"), ("GREEK", "希腊字母"), ("ARMENIAN", "亚美尼亚字母"),
                 ("FULLWIDTH", "全角字符"), ("HALFWIDTH", "半角片假名或符号"), ("HIRAGANA", "日文平假名"),
                 ("KATAKANA", "日文片假名"), ("HANGUL", "朝鲜文字母"), ("ARABIC", "阿拉伯字母"),
                 ("HEBREW", "希伯来字母"), ("CHEROKEE", "切罗基字母"), ("MATHEMATICAL", "数学字母符号"),
                 ("CJK RADICAL", "汉字部首"), ("KANGXI RADICAL", "康熙部首"))


def is_invisible(ch: str) -> bool:
    """Shows nothing, or steers the direction of the text around it."""
    return (ord(ch) in _INVISIBLE_NAMES or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
            or unicodedata.category(ch) == "Zs" and ch != " "
            or unicodedata.category(ch) == "Mn")


def describe_char(ch: str) -> str:
    """A character as a message names it: '“а”（U+0430，西里尔字母）'; an invisible one only by
    its code point: '不可见字符 U+200B（零宽空格）'."""
    code = f"U+{ord(ch):04X}"
    if ch == " ":
        return "空格"
    if is_invisible(ch):
        return f"不可见字符 {code}（{_INVISIBLE_NAMES.get(ord(ch)) or unicodedata.name(ch, '控制或格式字符')}）"
    name = unicodedata.name(ch, "")
    kind = next((label for prefix, label in _SCRIPT_NAMES if name.startswith(prefix)), None)
    if kind is None:
        kind = ("汉字" if is_han(ch) else "标点或符号" if unicodedata.category(ch)[0] in "PS"
                else name or "未知字符")
    return f"“{ch}”（{code}，{kind}）"


def show_invisible(text: str) -> str:
    """Text with its invisible characters written out, e.g. '人员[U+200B]名册' or '人员名册[空格]'."""
    return "".join(f"[{'空格' if ch == ' ' else f'U+{ord(ch):04X}'}]"
                   if ch == " " and (i == 0 or i == len(text) - 1) or is_invisible(ch) else ch
                   for i, ch in enumerate(text))


def fold_key(text: str) -> str:
    """What two names are compared by: NFKC (full-width, Kangxi radicals, compatibility
    ideographs folded), no whitespace or invisible characters, case-folded. Two sheets or
    sections with the same key look alike to a person."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace() and not is_invisible(ch)).casefold()


def login_problem(login: str) -> str | None:
    """登录名: ASCII letters, digits and . _ - ; 2–32 characters; starts with a letter or digit.
    Nothing else, so that no two logins look alike but differ (Cyrillic "а", invisible marks)."""
    if not login:
        return "请填写登录名"
    for ch in login:
        if ch == " ":
            return f"登录名不能包含空格：“{login}”；登录名只能使用英文字母、数字和 . _ -"
        if not (ch.isascii() and (ch.isalnum() or ch in LOGIN_PUNCT)):
            hint = "（请切换到半角输入）" if unicodedata.name(ch, "").startswith("FULLWIDTH") else ""
            return (f"登录名“{show_invisible(login)}”含有{describe_char(ch)}{hint}；"
                    "登录名只能使用英文字母、数字和 . _ -")
    if not login[0].isalnum():
        return f"登录名“{login}”须以英文字母或数字开头"
    if not LOGIN_MIN <= len(login) <= LOGIN_MAX:
        return f"登录名应为{LOGIN_MIN}–{LOGIN_MAX}个字符，“{login}”有{len(login)}个"
    return None


MIDDLE_DOT = "·"       # U+00B7: between the parts of a minority or foreign name (阿依古丽·买买提)
_NAME_DOTS = "•・･．.‧∙⋅"   # what people type for it; unified in Chinese names
_LATIN_NAME_PUNCT = " -'."  # John Smith, Jean-Luc, O'Brien, J. Smith


def is_han(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FA1F
            or 0x30000 <= code <= 0x323AF or 0xF900 <= code <= 0xFAFF or code == 0x3007)


def _is_latin_letter(ch: str) -> bool:
    """ASCII letters and the accented letters of Latin-1 (Lü, José); not × or ÷."""
    return ch.isascii() and ch.isalpha() or "\u00C0" <= ch <= "\u00FF" and ch not in "×÷"


def clean_person_name(text: str) -> str:
    """姓名 as stored: NFKC; a Chinese name loses its spaces ('张  三' → '张三') and its dots
    become '·'; other names keep single spaces."""
    name = unicodedata.normalize("NFKC", text or "").strip()
    if any(is_han(ch) for ch in name):
        name = "".join(ch for ch in name if not ch.isspace())
        name = "".join(MIDDLE_DOT if ch in _NAME_DOTS else ch for ch in name)
    return " ".join(name.split())


def person_name_problem(name: str) -> str | None:
    """A cleaned 姓名: Chinese characters, Latin letters and digits, with '·' between parts (and
    space - ' . in Latin names). Refused: other scripts (look-alike letters), invisible or
    direction-control characters, symbols."""
    if not name:
        return "请填写姓名"
    han = any(is_han(ch) for ch in name)
    for ch in name:
        if is_han(ch) or _is_latin_letter(ch) or ch.isascii() and ch.isdigit() or ch == MIDDLE_DOT:
            continue
        if ch in _LATIN_NAME_PUNCT and not han:
            continue
        return (f"姓名“{show_invisible(name)}”含有{describe_char(ch)}；"
                "姓名只能使用汉字、英文字母，少数民族和外国人姓名用间隔号“·”分隔")
    if not (is_han(name[0]) or _is_latin_letter(name[0])):
        return f"姓名“{name}”须以汉字或英文字母开头"
    if name[-1] in MIDDLE_DOT + _LATIN_NAME_PUNCT or MIDDLE_DOT * 2 in name:
        return f"姓名“{name}”中的间隔号“·”只能用在两部分之间"
    return None


def clean_section_name(text: str) -> str:
    """科室名称 as stored: NFKC folds letters and digits (ＡＢ１ → AB1, ⼈ → 人), but full-width
    punctuation stays as typed, as Chinese documents write it: 综合科（法规科）. Single spaces."""
    out = []
    for ch in text or "":
        keep = 0xFF01 <= ord(ch) <= 0xFF5E and not ch.isalnum()
        out.append(ch if keep else unicodedata.normalize("NFKC", ch))
    return " ".join("".join(out).split())


def section_name_problem(name: str) -> str | None:
    """A cleaned 科室名称: no invisible or direction-control characters and no letters of scripts
    that imitate Latin or Chinese (Cyrillic, Greek …); punctuation and digits are fine."""
    if not name:
        return "请填写科室名称"
    for ch in name:
        if is_invisible(ch):
            break
        if ch.isalpha() and not (is_han(ch) or _is_latin_letter(ch)):
            break
    else:
        return None
    return f"科室名称“{show_invisible(name)}”含有{describe_char(ch)}；科室名称只能使用汉字、英文字母、数字和标点"
