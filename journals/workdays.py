"""Work days: the Chinese official calendar, with make-up working days (调休上班).

A journal is due on every local work day (DOMAIN.md section 3). The calendar comes from
the maintained ``chinesecalendar`` package (``chinese_calendar``), which publishes the
State Council's holiday arrangement a year at a time. For a year it does not know yet,
Monday to Friday count as work days until the package is updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_work_day(day: dt.date) -> bool:
    """True when ``day`` is a work day: weekdays that are not public holidays, plus
    the weekend days declared make-up working days (e.g. Saturday 2026-10-10).

    Falls back to Monday-Friday for years the calendar package does not cover.
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def work_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The work days from ``start`` to ``end``, both inclusive, in order."""
    return [d for d in days_between(start, end) if is_work_day(d)]


def days_between(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """Every date from ``start`` to ``end`` inclusive (nothing when end < start)."""
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def previous_work_day(day: dt.date, *, limit: int = 30) -> dt.date:
    """The last work day strictly before ``day`` (looks back at most ``limit`` days;
    returns ``day - 1`` if none is found, which only happens with a broken calendar)."""
    candidate = day - dt.timedelta(days=1)
    for _ in range(limit):
        if is_work_day(candidate):
            return candidate
        candidate -= dt.timedelta(days=1)
    return day - dt.timedelta(days=1)
