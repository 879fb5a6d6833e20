"""The staffing-need verdict (app.core.need) for a unit's figures: the thresholds come from the
database asking (a unit's own settings on its pages; the 编办's own settings for every unit it
judges, so a unit cannot lower the bar for itself) and the quota from the unit's roster."""
from __future__ import annotations

import datetime as dt

from app.core import metrics as M
from app.core.figures import Figures
from app.core.need import Need, NeedRule, assess
from app.db.engine import Database
from app.services.org import unit_settings
from app.services.org.headcount import staffing_of


def rule_of(db: Database, bands: M.Bands | None = None) -> NeedRule:
    values = unit_settings.all_values(db)
    return NeedRule(bands=bands or M.DEFAULT_BANDS, target=M.DEFAULT_TARGET_SATURATION,
                    trust_threshold=M.DEFAULT_TRUST_THRESHOLD,
                    min_completion=values["stats.min_completion"],
                    min_span_months=values["stats.min_span_months"])


def unit_need(db: Database, figures: Figures | None, today: dt.date | None = None,
              rule: NeedRule | None = None) -> Need:
    """The verdict on the unit's own figures against its own quota (the unit's 统计分析 page and
    reports)."""
    staffing, _ = staffing_of(db)
    return assess(figures, staffing.quota_total, staffing.vacancies, rule or rule_of(db),
                  today or dt.date.today())
