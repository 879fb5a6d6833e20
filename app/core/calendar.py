"""Working-day calendar: weekends, statutory holidays and make-up workdays (调休) as data."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

HOLIDAY = "holiday"   # a weekday off
WORKDAY = "workday"   # a weekend day worked (调休上班)


class WorkCalendar:
    def __init__(self, overrides: Iterable[tuple[dt.date, str]] = ()):
        self._overrides = {day: kind for day, kind in overrides}

    def is_working_day(self, day: dt.date) -> bool:
        kind = self._overrides.get(day)
        if kind == HOLIDAY:
            return False
        if kind == WORKDAY:
            return True
        return day.weekday() < 5

    def working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Working days in [start, end], both inclusive."""
        days, day = [], start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def previous_working_day(self, day: dt.date, limit_days: int = 40) -> dt.date | None:
        for back in range(1, limit_days + 1):
            candidate = day - dt.timedelta(days=back)
            if self.is_working_day(candidate):
                return candidate
        return None
