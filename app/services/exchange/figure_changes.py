"""What a unit's 上报包 changes that moves its county figures without being work, besides the
calendar (packages.calendar_text): the class of its duties (a duty turned 核心 raises 主责主业
聚焦度) and the statistics settings (unit_settings.FIGURE_KEYS). The import preview and the
import's result name them; the county table names them for as long as they stand
(app.services.county.basis).

Baselines. A duty change is named against two references:
- in the preview and the result: the mirror as it was before the package (what this package
  changes): a class changed, or a 核心 duty added once the 编办 held any duty of the unit;
- in the county table: the duty's class when it first reached the 编办 (`duty_baseline`, noted in
  the import's transaction). A duty the unit added after the 编办 held duties of the unit (issued
  by the 编办 — app.services.county.issued_duties — or received before) has no baseline class,
  so a 核心 one is named as added. The first duties a unit sends are the baseline: to judge
  them against an official list, the 编办 issues the unit's 三定 duties.
The 编办's own (issued) duties are not the unit's to change (the merge refuses such rows), so
only the unit's duties are compared. A setting is named against the mirror before the package
here, and against the 编办's own values in the county table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.core import vocab
from app.services.org import unit_settings

SHOWN = 8        # duty codes named per line; the rest are counted


@dataclass
class FigureChange:
    kind: str                  # "duty" | "setting"
    text: str
    items: list[str] = field(default_factory=list)      # duty codes or setting keys

    def to_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "items": self.items}


@dataclass
class Before:
    """The mirror's duties (id → (code, class, deleted, origin)) and figure settings before a
    package's rows are merged; None for what the package does not touch."""
    duties: dict[str, tuple] | None
    settings: dict[str, object] | None


def snapshot(s, tables) -> Before:
    """Read before the merge: only what the package's tables (`tables`: its manifest's
    columns) can change."""
    return Before(_duties(s) if "duty" in tables else None,
                  unit_settings.figure_values_in(s) if "setting" in tables else None)


def after_merge(s, before: Before, bureau_origin: str, seq: int) -> list[FigureChange]:
    """The changes of the merged (uncommitted) rows against `before`; notes the baseline of the
    unit's duties that have none yet, as of package `seq` (in the same transaction: a preview's
    is rolled back)."""
    changes = []
    if before.duties is not None:
        after = _duties(s)
        changes += duty_changes(before.duties, after, bureau_origin)
        _note_baseline(s, before.duties, after, bureau_origin, seq)
    if before.settings is not None:
        changes += setting_changes(before.settings, unit_settings.figure_values_in(s))
    return changes


def _duties(s) -> dict[str, tuple]:
    return {r[0]: tuple(r[1:]) for r in s.connection().exec_driver_sql(
        "SELECT id, code, duty_class, deleted, origin FROM duty")}


def _live(found: dict[str, tuple]) -> bool:
    return any(not deleted for _, _, deleted, _ in found.values())


def duty_changes(before: dict[str, tuple], after: dict[str, tuple],
                 bureau_origin: str) -> list[FigureChange]:
    moved: list[tuple[str, str, str]] = []       # (code, from, to)
    added: list[str] = []
    held = _live(before)
    for duty_id, (code, duty_class, deleted, origin) in after.items():
        if deleted or origin == bureau_origin:
            continue
        was = before.get(duty_id)
        if was is not None and not was[2]:
            if was[1] != duty_class:
                moved.append((code, was[1], duty_class))
        elif held and duty_class == vocab.DUTY_CORE:
            added.append(code)
    return describe(moved, added)


def describe(moved: list[tuple[str, str | None, str]], added: list[str]) -> list[FigureChange]:
    """“职责类别变更：3项职责由一般改为核心（编号…）” per (from, to): towards 核心 first, then
    away from it, then the others; “新增核心职责2项（编号…）”."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for code, old, new in moved:
        pairs.setdefault((old, new), []).append(code)
    found = []
    core = vocab.DUTY_CORE
    for (old, new), codes in sorted(pairs.items(), key=lambda p: (
            0 if p[0][1] == core else 1 if p[0][0] == core else 2, p[0])):
        found.append(FigureChange("duty", f"职责类别变更：{len(codes)}项职责由{old}改为{new}"
                                          f"（编号{_codes(codes)}）", sorted(codes)))
    if added:
        found.append(FigureChange("duty", f"新增核心职责{len(added)}项（编号{_codes(added)}）",
                                  sorted(added)))
    return found


def _codes(codes: list[str]) -> str:
    codes = sorted(codes)
    return "、".join(codes[:SHOWN]) + (f"等{len(codes)}项" if len(codes) > SHOWN else "")


def _note_baseline(s, before: dict[str, tuple], after: dict[str, tuple], bureau_origin: str,
                   seq: int) -> None:
    """A baseline row for each live duty of the unit's without one: its class before this
    package; None when it is new and the 编办 held duties of the unit already; else (the first
    duties the 编办 receives) its class now."""
    conn = s.connection()
    noted = {r[0] for r in conn.exec_driver_sql("SELECT duty_id FROM duty_baseline")}
    held = _live(before)
    rows = []
    for duty_id, (code, duty_class, deleted, origin) in after.items():
        if deleted or origin == bureau_origin or duty_id in noted:
            continue
        was = before.get(duty_id)
        base = was[1] if was is not None and not was[2] else (None if held else duty_class)
        rows.append((duty_id, code, base, seq))
    if rows:
        conn.exec_driver_sql("INSERT INTO duty_baseline (duty_id, code, duty_class, noted_in) "
                             "VALUES (?, ?, ?, ?)", rows)


def setting_changes(before: dict[str, object], after: dict[str, object]) -> list[FigureChange]:
    """“统计设置变更：审定率下限 90% → 50%”."""
    keys = [k for k in unit_settings.FIGURE_KEYS if before.get(k) != after.get(k)]
    if not keys:
        return []
    text = "，".join(f"{unit_settings.FIGURE_KEYS[k][0]} {unit_settings.figure_value_text(k, before[k])}"
                    f" → {unit_settings.figure_value_text(k, after[k])}" for k in keys)
    return [FigureChange("setting", f"统计设置变更：{text}", keys)]
