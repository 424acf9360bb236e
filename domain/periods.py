"""Reporting periods: local calendar months and ISO weeks (docs/domain section 9).

A :class:`Period` has an inclusive ``start`` and exclusive ``end`` date; days are local days
in the organisation's time zone, so converting to instants always takes an explicit ``tz``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH = "month"
WEEK = "week"
PERIOD_KINDS: tuple[str, ...] = (MONTH, WEEK)

#: Years :func:`parse_period` accepts (inclusive).
MIN_YEAR = 2000
MAX_YEAR = 2100


@dataclass(frozen=True, order=True)
class Period:
    """A local calendar month or ISO week (Monday-Sunday).

    Fields: ``kind`` ('month' | 'week'), ``start`` (date, inclusive), ``end`` (date, exclusive).
    Raises ValueError for an unknown kind or an end not after the start.
    Rule source: docs/domain section 9 (a period is a local month or ISO week).
    """

    kind: str
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"Unknown period kind {self.kind!r}")
        if self.end <= self.start:
            raise ValueError("A period ends after it starts")

    @property
    def key(self) -> str:
        """'2026-10' for a month, '2026-W43' (ISO year and week) for a week."""
        if self.kind == MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        iso = self.start.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"

    def __str__(self) -> str:
        return self.key

    @property
    def days(self) -> int:
        """Number of local days in the period (28..31 for a month, 7 for a week)."""
        return (self.end - self.start).days

    @property
    def last_day(self) -> dt.date:
        """The period's last local day (inclusive): the Sunday of a week, the 28th..31st of a
        month. ``end`` is exclusive, so showing it as "ends on" names the day after; pages
        show this instead. Rule source: docs/domain section 9."""
        return self.end - dt.timedelta(days=1)

    def start_at(self, tz: dt.tzinfo) -> dt.datetime:
        """Aware datetime of local midnight in ``tz`` at the start."""
        return dt.datetime.combine(self.start, dt.time(), tzinfo=tz)

    def end_at(self, tz: dt.tzinfo) -> dt.datetime:
        """Aware datetime of local midnight in ``tz`` at the (exclusive) end."""
        return dt.datetime.combine(self.end, dt.time(), tzinfo=tz)

    def contains(self, day: dt.date) -> bool:
        """True when the local ``day`` lies in the period."""
        return self.start <= day < self.end

    def previous(self) -> Period:
        """The month or ISO week before this one."""
        if self.kind == MONTH:
            day = self.start - dt.timedelta(days=1)
            return month_period(day.year, day.month)
        return Period(WEEK, self.start - dt.timedelta(days=7), self.start)

    def next(self) -> Period:
        """The month or ISO week after this one."""
        if self.kind == MONTH:
            return month_period(self.end.year, self.end.month)
        return Period(WEEK, self.end, self.end + dt.timedelta(days=7))

    def year_before(self) -> Period:
        """The same month a year earlier; for a week, the same ISO week number of the previous
        ISO year (week 53 maps to week 52 when that year has only 52)."""
        if self.kind == MONTH:
            return month_period(self.start.year - 1, self.start.month)
        iso = self.start.isocalendar()
        year = iso.year - 1
        return iso_week_period(year, min(iso.week, weeks_in_iso_year(year)))


def month_period(year: int, month: int) -> Period:
    """The local calendar month ``year``-``month``. Raises ValueError for a bad month."""
    start = dt.date(year, month, 1)
    end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return Period(MONTH, start, end)


def iso_week_period(year: int, week: int) -> Period:
    """ISO week ``week`` of ISO year ``year`` (Monday to Sunday).

    Raises ValueError for a week the year does not have (e.g. 2027-W53; 2026 has 53 weeks).
    """
    start = dt.date.fromisocalendar(year, week, 1)
    return Period(WEEK, start, start + dt.timedelta(days=7))


def weeks_in_iso_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return dt.date(year, 12, 28).isocalendar().week


def period_of(day: dt.date, kind: str) -> Period:
    """The month or ISO week containing the local ``day``. Raises ValueError for a bad kind."""
    if kind == MONTH:
        return month_period(day.year, day.month)
    if kind == WEEK:
        iso = day.isocalendar()
        return iso_week_period(iso.year, iso.week)
    raise ValueError(f"Unknown period kind {kind!r}")


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)


def _check_year(year: int, text: object) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Period year out of range ({MIN_YEAR}..{MAX_YEAR}): {text!r}")


def parse_period(text: str | Period) -> Period:
    """Parse '2026-10' (month) or '2026-W43' (ISO week); a Period is returned as is.

    Raises ValueError with a clear message for any other text, a year outside 2000..2100
    (e.g. '9999-W52', '0001-W01'), a month outside 1..12 or a week the ISO year lacks.
    Rule source: docs/domain section 9.
    """
    if isinstance(text, Period):
        return text
    value = str(text).strip()
    if m := _MONTH_RE.match(value):
        year, month = int(m.group(1)), int(m.group(2))
        _check_year(year, text)
        if not 1 <= month <= 12:
            raise ValueError(f"Not a month (01..12): {text!r}")
        return month_period(year, month)
    if m := _WEEK_RE.match(value):
        year, week = int(m.group(1)), int(m.group(2))
        _check_year(year, text)
        if not 1 <= week <= weeks_in_iso_year(year):
            raise ValueError(f"ISO year {year} has no week {week}: {text!r}")
        return iso_week_period(year, week)
    raise ValueError(f"Not a period (expected 2026-10 or 2026-W43): {text!r}")


def day_bounds(day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) aware datetimes of the local ``day`` in ``tz``; end is exclusive
    (the next local midnight). Rule source: docs/domain section 3 (local days)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)


def period_bounds(period: Period, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) aware datetimes of ``period`` at local midnight in ``tz``; end exclusive."""
    return period.start_at(tz), period.end_at(tz)


def to_date_span(period: Period, today: dt.date) -> tuple[dt.date, dt.date]:
    """The part of ``period`` up to and including the local ``today``: (start, end exclusive).

    A period already over gives the whole period. Raises ValueError when ``today`` is before
    the period starts. Rule source: docs/domain section 9 (ruling: like spans).
    """
    if today < period.start:
        raise ValueError(f"{period} has not started on {today.isoformat()}")
    return period.start, min(today + dt.timedelta(days=1), period.end)


def _same_span(earlier: Period, days: int) -> tuple[dt.date, dt.date]:
    return earlier.start, min(earlier.start + dt.timedelta(days=days), earlier.end)


def previous_to_date_span(period: Period, today: dt.date) -> tuple[dt.date, dt.date]:
    """The same number of days at the start of the previous period (month on month),
    clamped to that period: Dec 1-3 -> Nov 1-3; Mar 1-31 -> Feb 1-28/29.
    Returns (start, end exclusive). Raises ValueError as :func:`to_date_span`.
    Rule source: docs/domain section 9 (ruling: like spans)."""
    start, end = to_date_span(period, today)
    return _same_span(period.previous(), (end - start).days)


def year_before_to_date_span(period: Period, today: dt.date) -> tuple[dt.date, dt.date]:
    """The same number of days at the start of the same period a year before (year on year),
    clamped to that period. Returns (start, end exclusive). Raises ValueError as
    :func:`to_date_span`. Rule source: docs/domain section 9 (ruling: like spans)."""
    start, end = to_date_span(period, today)
    return _same_span(period.year_before(), (end - start).days)
