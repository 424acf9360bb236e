"""Work days: the one work-day rule (docs/domain, section 3, "Work days").

In order: an organisation entry for the date wins (``overrides``: date -> work day or not;
the organisation calendar in ``accounts/calendar.py`` builds them for a team); otherwise the
Chinese official calendar from the ``chinesecalendar`` package (module ``chinese_calendar``),
which publishes the State Council's holiday arrangement a year at a time, so public holidays
are off and make-up Saturdays and Sundays (调休上班) are work days; for a year the package
does not cover, Monday to Friday. Pure: no Django; never raises for a valid date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import lru_cache

import chinese_calendar
import chinese_calendar.constants


@lru_cache(maxsize=1)
def covered_years() -> frozenset[int]:
    """The years the installed chinesecalendar package has holiday data for."""
    return frozenset(day.year for day in chinese_calendar.constants.holidays)


def package_covers(year: int) -> bool:
    """True when the installed chinesecalendar package has the holiday arrangement of ``year``
    (otherwise that year falls back to Monday-Friday unless the organisation enters its days)."""
    return year in covered_years()


@lru_cache(maxsize=8192)
def _calendar_workday(day: dt.date) -> bool:
    if day.year in covered_years():
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            pass
    return day.weekday() < 5


def is_workday(day: dt.date, *, overrides: Mapping[dt.date, bool] | None = None) -> bool:
    """True when the local ``day`` is a work day.

    ``overrides`` maps dates to True (work day) or False (day off) and wins over the
    calendar. Otherwise the official calendar where chinesecalendar covers the year (holidays
    off, make-up Saturdays/Sundays on), else Monday-Friday. Never raises for a valid date.
    Rule source: docs/domain, section 3 (a journal per working day).
    """
    if overrides is not None and day in overrides:
        return bool(overrides[day])
    return _calendar_workday(day)


def days_between(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every date from ``start`` to ``end``, both inclusive (nothing when end < start)."""
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def workdays_between(
    start: dt.date, end: dt.date, *, overrides: Mapping[dt.date, bool] | None = None
) -> list[dt.date]:
    """The work days from ``start`` to ``end``, both inclusive, in order (as :func:`is_workday`)."""
    return [d for d in days_between(start, end) if is_workday(d, overrides=overrides)]


def previous_workday(
    day: dt.date, *, overrides: Mapping[dt.date, bool] | None = None, limit: int = 30
) -> dt.date:
    """The last work day strictly before ``day``, looking back at most ``limit`` days;
    ``day - 1`` if none is found (only with a broken calendar or overrides)."""
    candidate = day - dt.timedelta(days=1)
    for _ in range(limit):
        if is_workday(candidate, overrides=overrides):
            return candidate
        candidate -= dt.timedelta(days=1)
    return day - dt.timedelta(days=1)
