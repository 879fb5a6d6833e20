"""Unit-wide settings (review levels, assisted-review thresholds, retirement rules), declared once
with their types, defaults and limits; stored as JSON in the synced `setting` table. A `dict`
setting is a JSON document checked by its spec's `check` (an empty one means the default).

Reading only: changing a setting (app.services.org.settings_change) re-derives review states,
which themselves read the settings here."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select

from app.core.errors import ValidationError
from app.db.engine import Database
from app.db.models import Setting
from app.core.bureau.retirement import parse_rules


@dataclass(frozen=True)
class Spec:
    kind: type
    default: object
    low: float | None
    high: float | None
    label: str
    check: Callable[[dict], object] | None = None   # dict settings: raises ValueError when invalid


def _check_retirement_rules(value: dict) -> None:
    parse_rules(value)


SPECS: dict[str, Spec] = {
    "review.levels": Spec(int, 2, 1, 3, "审阅级数（科室人员日志经过的审阅层级）"),
    "review.overdue_days": Spec(int, 3, 1, 30, "审阅超期天数（提交后超过该工作日数未审即为超期）"),
    "flags.day_max_hours": Spec(float, 12.0, 8, 24, "单日工时上限（超过则提示）"),
    "flags.day_min_hours": Spec(float, 2.0, 0, 8, "工作日工时下限（低于则提示）"),
    "flags.category_factor": Spec(float, 2.0, 1, 10, "单条工时超过类别标准工时的倍数"),
    "flags.similarity": Spec(float, 0.9, 0.5, 1, "内容相似度阈值（0.5–1）"),
    "flags.vague_min_chars": Spec(int, 10, 0, 50, "内容最少字数"),
    "flags.late_days": Spec(int, 7, 1, 60, "补填超过天数"),
    "stats.day_closes_at": Spec(int, 18, 0, 24,
                                "当天计入统计的时刻（时；此前本期只统计到前一天，24为始终到前一天）"),
    "stats.min_completion": Spec(float, 0.9, 0.5, 1,
                                 "审定率下限（已审定工时占已提交工时的比例，低于则不下增减编、升降结论）"),
    "stats.min_span_months": Spec(int, 3, 1, 12, "编制需求测算所需的最短期间（完整月数）"),
    "staffing.retirement_rules": Spec(dict, {}, None, None,
                                      "退休年龄规则（JSON；留空则用内置的渐进式延迟退休规则）",
                                      _check_retirement_rules),
}
# The 编办's own settings (编办版 only): its reminders and 通报 (app.core.bureau.reminders).
BUREAU_SPECS: dict[str, Spec] = {
    "notice.package_due_day": Spec(int, 5, 1, 28, "上报包报送截止日（每月几日前报送上月的上报包）"),
    "notice.min_review_rate": Spec(float, 0.8, 0, 1, "审核率下限（已审定日志占送审日志的比例，低于则提醒）"),
    "notice.min_submission_rate": Spec(float, 0.8, 0, 1, "填报率下限（低于则提醒）"),
}


# Settings that move a unit's figures without being work, with a short name and how a value reads.
# The 编办 names a unit's changes to them; it computes every unit with its own values of
# COUNTY_OWN. review.levels decides which logs count as approved (the review states are derived
# in the mirror with the unit's levels): the 编办 names it and cannot recompute it.
FIGURE_KEYS: dict[str, tuple[str, str]] = {
    "review.levels": ("审阅级数", "{:g}级"),
    "review.overdue_days": ("审阅超期天数", "{:g}个工作日"),
    "stats.day_closes_at": ("当天计入统计的时刻", "{:g}时"),
    "stats.min_completion": ("审定率下限", "{:.0%}"),
    "stats.min_span_months": ("编制需求测算最短期间", "{:g}个月"),
}
COUNTY_OWN = ("review.overdue_days", "stats.day_closes_at", "stats.min_completion",
              "stats.min_span_months")


def figure_value_text(key: str, value) -> str:
    """“90%”, “2级”: a FIGURE_KEYS value as people read it."""
    try:
        return FIGURE_KEYS[key][1].format(value)
    except (TypeError, ValueError):
        return str(value)


def figure_values_in(s) -> dict[str, object]:
    """The FIGURE_KEYS settings as this session sees them."""
    return {key: get_in(s, key) for key in FIGURE_KEYS}


def get(db: Database, key: str):
    with db.read() as s:
        return get_in(s, key)


def get_in(s, key: str):
    """The setting as seen by this session (including its own uncommitted writes)."""
    spec = SPECS.get(key) or BUREAU_SPECS[key]
    raw = s.scalar(select(Setting.value).where(Setting.key == key, Setting.deleted.is_(False)))
    if raw is None:
        return spec.default
    try:
        return spec.kind(json.loads(raw))
    except (ValueError, TypeError):
        return spec.default


def all_values(db: Database) -> dict[str, object]:
    with db.read() as s:
        stored = dict(s.execute(select(Setting.key, Setting.value)
                                .where(Setting.deleted.is_(False))).all())
    values = {}
    specs = {**SPECS, **BUREAU_SPECS} if db.edition == "bureau" else SPECS
    for key, spec in specs.items():
        try:
            values[key] = spec.kind(json.loads(stored[key])) if key in stored else spec.default
        except (ValueError, TypeError):
            values[key] = spec.default
    return values


def parse(key: str, text: str, bureau: bool = False):
    """The value of `text` for `key`; `bureau`: the 编办's own keys (BUREAU_SPECS) too."""
    specs = {**SPECS, **BUREAU_SPECS} if bureau else SPECS
    if key not in specs:
        raise ValidationError(f"未知的设置项“{key}”（可用：{'、'.join(specs)}）")
    spec = specs[key]
    if spec.kind is dict:
        return _parse_document(key, spec, text)
    try:
        value = spec.kind(str(text).strip())
    except ValueError:
        raise ValidationError(f"{key} 应为{'整数' if spec.kind is int else '数字'}：{text}") from None
    if value != value or (spec.low is not None and value < spec.low) or (
            spec.high is not None and value > spec.high):
        raise ValidationError(f"{key}（{spec.label}）应在 {spec.low:g}–{spec.high:g} 之间：{text}")
    return value


def _parse_document(key: str, spec: Spec, text) -> dict:
    try:
        value = text if isinstance(text, dict) else json.loads(str(text).strip() or "{}")
    except ValueError as exc:
        raise ValidationError(f"{key}（{spec.label}）不是有效的JSON：{exc}") from None
    if not isinstance(value, dict):
        raise ValidationError(f"{key}（{spec.label}）应为JSON对象")
    if value and spec.check is not None:
        try:
            spec.check(value)
        except ValueError as exc:
            raise ValidationError(f"{key}：{exc}") from None
    return value
