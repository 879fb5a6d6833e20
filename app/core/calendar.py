"""Working-day calendar: weekends, statutory holidays and make-up workdays (调休) as data."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

HOLIDAY = "holiday"   # a weekday off
WORKDAY = "workday"   # a weekend day worked (调休上班)


class WorkCalendar:
    def __init__(self, overrides: Iterable[tuple[dt.date, str]] = ()):
        self._overrides = {day: kind for day, kind in overrides}

    @property
    def overrides(self) -> dict[dt.date, str]:
        return dict(self._overrides)

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


def deviations(official: WorkCalendar, own: WorkCalendar, years: Iterable[int]) -> list[dt.date]:
    """Days of `years` that are working days in one calendar and not in the other: a unit's
    calendar departing from the official one (6 weekdays declared holidays cut W by 6)."""
    days = set(official.overrides) | set(own.overrides)
    wanted = set(years)
    return sorted(d for d in days if d.year in wanted
                  and official.is_working_day(d) != own.is_working_day(d))


def with_accepted(official: WorkCalendar, own: WorkCalendar,
                  accepted: dict[dt.date, bool]) -> WorkCalendar:
    """The calendar the 编办 counts a unit by: the official one, except on the days it accepted
    the unit's (`accepted`: day → working when accepted) while the unit's calendar still says
    what was accepted (a day the unit changed again is back to the official one)."""
    overrides = official.overrides
    for day, working in accepted.items():
        if own.is_working_day(day) == working:
            overrides[day] = WORKDAY if working else HOLIDAY
    return WorkCalendar(overrides.items())
