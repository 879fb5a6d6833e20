"""Fonts for printed output: find, register with reportlab, check glyph coverage.

GB/T 9704 documents use 仿宋 for body text, 黑体 and 楷体 for headings and 宋体 for page numbers.
The Windows fonts (simfang.ttf, simhei.ttf, simsun.ttc, simkai.ttf) are used when the machine has
them (also looked for on Linux/macOS, where they are often copied in); otherwise every role falls
back to the bundled free fonts in resources/fonts (see its README for licences and coverage).

reportlab embeds TrueType outlines only: a file it cannot read (CFF/OTF, damaged) is skipped.
Names may use characters a font lacks (e.g. 䶮 outside GBK): `FontSet.markup` prints those
characters in a bundled font that has them instead of dropping them silently.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from app.paths import resources_dir

log = logging.getLogger(__name__)

ROLES = ("fangsong", "heiti", "songti", "kaiti")
ROLE_LABELS = {"fangsong": "仿宋", "heiti": "黑体", "songti": "宋体", "kaiti": "楷体"}

# Candidate system files per role, best first: (file name, subfont index inside a .ttc).
# STFANGSO/STSONG/STKAITI are the 华文 fonts installed with Microsoft Office.
SYSTEM_FILES: dict[str, tuple[tuple[str, int], ...]] = {
    "fangsong": (("simfang.ttf", 0), ("stfangso.ttf", 0)),
    "heiti": (("simhei.ttf", 0),),
    "songti": (("simsun.ttc", 0), ("stsong.ttf", 0)),
    "kaiti": (("simkai.ttf", 0), ("stkaiti.ttf", 0)),
}
SYSTEM_NAMES = {"fangsong": "LZKP-FangSong", "heiti": "LZKP-HeiTi", "songti": "LZKP-SongTi",
                "kaiti": "LZKP-KaiTi"}


@dataclass(frozen=True)
class BundledFont:
    name: str          # reportlab font name
    file: str          # under resources/fonts
    subfont: int = 0


MICROHEI = BundledFont("LZKP-WQYMicroHei", "wqy-microhei.ttc", 0)
WENKAI = BundledFont("LZKP-LXGWWenKai", "LXGWWenKai-Regular.ttf", 0)
# Bundled font per role when the system has none; MICROHEI is the default for any role.
BUNDLED_FOR_ROLE = {"kaiti": WENKAI}
# Order in which bundled fonts are tried for characters the chosen font lacks.
FALLBACK_ORDER = (MICROHEI, WENKAI)

# Set to 1 to ignore system fonts (reproducible output in tests and CI).
ENV_BUNDLED_ONLY = "LZKP_BUNDLED_FONTS_ONLY"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def bundled_font_path() -> Path:
    """The bundled general-purpose CJK font (TTC), for QFontDatabase.addApplicationFont."""
    return fonts_dir() / MICROHEI.file


def bundled_font_paths() -> list[Path]:
    return [fonts_dir() / f.file for f in FALLBACK_ORDER if (fonts_dir() / f.file).is_file()]


def system_font_dirs() -> list[Path]:
    """Folders where Windows fonts may live on this machine (existing ones only)."""
    home = Path.home()
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
        dirs = [Path(windir) / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    elif sys.platform == "darwin":
        dirs = [Path("/Library/Fonts"), home / "Library" / "Fonts",
                Path("/System/Library/Fonts/Supplemental")]
    else:
        xdg = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
        dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), xdg / "fonts",
                home / ".fonts"]
    return [d for d in dirs if d.is_dir()]


def _index_font_files(dirs: list[Path], wanted: set[str], limit: int = 20000) -> dict[str, Path]:
    """Lower-case file name → first path found, for the wanted names (recursive, bounded)."""
    found: dict[str, Path] = {}
    seen = 0
    for top in dirs:
        for root, subdirs, files in os.walk(top):
            subdirs.sort()
            for name in files:
                seen += 1
                key = name.lower()
                if key in wanted and key not in found:
                    found[key] = Path(root) / name
            if seen > limit or len(found) == len(wanted):
                return found
    return found


def _utf16_hex(code: int) -> str:
    return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(fontname, subset):
    """reportlab's ToUnicode CMap with characters beyond the BMP written as UTF-16 surrogate
    pairs, as the PDF spec requires. reportlab writes e.g. <2C317> for 𬌗 (CJK Extension B, used
    in names), which makes viewers and pypdf fail to copy or search that character."""
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname, "/Ordering (%s)" % fontname, "/Supplement 0", ">> def",
        "/CMapName /%s def" % fontname, "/CMapType 2 def",
        "1 begincodespacerange", "<00> <%02X>" % (len(subset) - 1), "endcodespacerange",
        "%d beginbfchar" % len(subset),
        *["<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset)],
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"])


# Patch only while reportlab still has the bug, so a fixed release is used as is.
if "<2C317>" in ttfonts.makeToUnicodeCMap("probe", [0x2C317]):
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def _load(name: str, path: Path, subfont: int) -> bool:
    """Register one TrueType font with reportlab; False (and a log line) when it cannot be used."""
    if name in pdfmetrics.getRegisteredFontNames():
        return True
    try:
        font = TTFont(name, str(path), subfontIndex=subfont)
    except Exception as exc:  # CFF outlines, damaged or unreadable files
        log.warning("font %s (%s) not usable by reportlab: %s", path, name, exc)
        return False
    pdfmetrics.registerFont(font)
    # CJK fonts have no bold/italic faces; map them to the same face so <b>/<i> markup works.
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    return True


@dataclass(frozen=True)
class FontSet:
    """reportlab font names per role, plus bundled fallbacks for missing characters."""
    fangsong: str
    heiti: str
    songti: str
    kaiti: str
    fallbacks: tuple[str, ...] = ()
    files: dict[str, Path] = field(default_factory=dict)   # font name → file
    system_roles: tuple[str, ...] = ()                      # roles served by a system font

    def role(self, role: str) -> str:
        if role not in ROLES:
            raise KeyError(f"unknown font role {role!r}; expected one of {ROLES}")
        return getattr(self, role)

    @property
    def uses_system_fonts(self) -> bool:
        return bool(self.system_roles)

    def describe(self) -> str:
        """One Chinese line per role, e.g. for an 'about printing' dialog or a log file."""
        lines = []
        for r in ROLES:
            name = self.role(r)
            where = "系统字体" if r in self.system_roles else "内置字体"
            lines.append(f"{ROLE_LABELS[r]}：{self.files[name].name}（{where}）")
        return "\n".join(lines)

    def font_for(self, text: str, role: str = "fangsong") -> str:
        """The role's font if it has every character of `text`, else the first bundled font that
        does, else the candidate missing the fewest (for canvas.drawString, which has no markup)."""
        candidates = [self.role(role), *[f for f in self.fallbacks if f != self.role(role)]]
        best, best_missing = candidates[0], None
        for name in candidates:
            missing = len(missing_glyphs(name, text))
            if missing == 0:
                return name
            if best_missing is None or missing < best_missing:
                best, best_missing = name, missing
        return best

    def markup(self, text: str, role: str = "fangsong") -> str:
        """XML-escaped Paragraph text in the role's font; characters that font lacks are wrapped
        in <font face="..."> of a bundled font that has them. Newlines become <br/>."""
        primary = self.role(role)
        out: list[str] = []
        run_font, run = primary, []

        def flush():
            if run:
                chunk = escape("".join(run)).replace("\n", "<br/>")
                out.append(chunk if run_font == primary else f'<font face="{run_font}">{chunk}</font>')
                run.clear()

        for ch in text:
            font = primary
            if _needs_glyph(ch) and not has_glyph(primary, ch):
                font = next((f for f in self.fallbacks if has_glyph(f, ch)), primary)
            if font != run_font:
                flush()
                run_font = font
            run.append(ch)
        flush()
        return "".join(out)


_lock = threading.Lock()
_cache: dict[tuple, FontSet] = {}


def register_fonts(*, use_system: bool | None = None,
                   search_dirs: list[Path] | None = None) -> FontSet:
    """Register the fonts for printing with reportlab (once per process) and return their names.

    use_system=None follows the LZKP_BUNDLED_FONTS_ONLY environment switch (system fonts unless
    it is 1). search_dirs overrides where system fonts are looked for (tests).
    """
    if use_system is None:
        use_system = os.environ.get(ENV_BUNDLED_ONLY, "") not in ("1", "true", "yes")
    dirs = list(search_dirs) if search_dirs is not None else (system_font_dirs() if use_system else [])
    key = (bool(use_system), tuple(str(d) for d in dirs))
    with _lock:
        if key not in _cache:
            _cache[key] = _build(dirs if use_system else [])
        return _cache[key]


def _build(dirs: list[Path]) -> FontSet:
    files: dict[str, Path] = {}
    chosen: dict[str, str] = {}
    system_roles: list[str] = []
    wanted = {fname for cands in SYSTEM_FILES.values() for fname, _ in cands}
    index = _index_font_files(dirs, wanted) if dirs else {}
    for role in ROLES:
        for fname, sub in SYSTEM_FILES[role]:
            path = index.get(fname)
            if path is not None and _load(SYSTEM_NAMES[role], path, sub):
                chosen[role] = SYSTEM_NAMES[role]
                files[SYSTEM_NAMES[role]] = path
                system_roles.append(role)
                break
    fallbacks = []
    for font in FALLBACK_ORDER:
        path = fonts_dir() / font.file
        if path.is_file() and _load(font.name, path, font.subfont):
            fallbacks.append(font.name)
            files[font.name] = path
    if not fallbacks and len(chosen) < len(ROLES):
        raise FileNotFoundError(f"未找到可用于打印的中文字体：{fonts_dir()} 中的内置字体缺失或损坏")
    for role in ROLES:
        if role not in chosen:
            preferred = BUNDLED_FOR_ROLE.get(role, MICROHEI).name
            chosen[role] = preferred if preferred in fallbacks else fallbacks[0]
    result = FontSet(fallbacks=tuple(fallbacks), files=files, system_roles=tuple(system_roles),
                     **chosen)
    log.info("print fonts: %s", result.describe().replace("\n", "; "))
    return result


def _cmap(font_name: str) -> dict[int, int]:
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    cmap = getattr(face, "charToGlyph", None)
    if cmap is None:
        raise ValueError(f"{font_name} is not a registered TrueType font")
    return cmap


def _needs_glyph(ch: str) -> bool:
    """Whitespace, control and format characters are never looked up in the font."""
    return not ch.isspace() and unicodedata.category(ch)[0] != "C"


def has_glyph(font_name: str, ch: str) -> bool:
    return _cmap(font_name).get(ord(ch), 0) != 0


def missing_glyphs(font_name: str, text: str) -> list[str]:
    """Characters of `text` (each once, in order) that the registered TTF font has no glyph for."""
    cmap = _cmap(font_name)
    missing: list[str] = []
    for ch in dict.fromkeys(text):
        if _needs_glyph(ch) and cmap.get(ord(ch), 0) == 0:
            missing.append(ch)
    return missing
