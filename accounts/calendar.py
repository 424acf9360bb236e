"""The organisation's work calendar: which local dates are work days, for a team.

Rule (docs/domain, section 3, "Work days"): for a team, its own :class:`CalendarDay` entry
wins, then its branch's (the team's parent unit), then the organisation's (no unit); without
an entry, ``domain/workdays.py`` decides (the chinesecalendar package where it covers the year,
else Monday-Friday). Every consumer (journal statuses, the inbox, submission statistics,
reminders, the digest, the morning meeting, weekly journal gaps, diagnosis work days, the
weekly split of targets) asks here.

Reads cost one query for all entries (the table holds a few dozen rows a year), memoised for
the current request or task (:func:`calendar_cache`, opened by ``WorkCalendarMiddleware`` and
by the journal tasks), so a page or a task that asks for many teams and days still runs one
query. Writes (``calendar_day_set``, ``calendar_day_clear``, ``calendar_days_import``) are
admin-only services and drop the memo.
"""

from __future__ import annotations

import calendar as pycalendar
import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from domain import workdays

from .models import CalendarDay, OrgUnit, User

#: Where a day's status comes from (the year view shows it).
SOURCE_TEAM = "team"
SOURCE_BRANCH = "branch"
SOURCE_ORGANISATION = "organisation"
SOURCE_OFFICIAL = "official"
SOURCE_WEEKDAYS = "weekdays"

Entry = tuple[bool, str]


@dataclass(frozen=True)
class WorkCalendar:
    """The work calendar of one team (or of the organisation when ``team_id`` is None).

    ``overrides`` maps local dates to (is work day, name, source) for the entries that apply,
    the nearest unit's entry already chosen. Methods never raise for a valid date.
    """

    team_id: int | None
    overrides: Mapping[dt.date, tuple[bool, str, str]] = field(default_factory=dict)

    @property
    def _flags(self) -> dict[dt.date, bool]:
        return {day: entry[0] for day, entry in self.overrides.items()}

    def is_workday(self, day: dt.date) -> bool:
        """True when local ``day`` is a work day for this team."""
        entry = self.overrides.get(day)
        if entry is not None:
            return entry[0]
        return workdays.is_workday(day)

    def workdays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Work days from ``start`` to ``end``, both inclusive, in order ([] when end < start)."""
        return [d for d in workdays.days_between(start, end) if self.is_workday(d)]

    def previous_workday(self, day: dt.date) -> dt.date:
        """The last work day strictly before ``day`` (looks back 30 days, else ``day - 1``)."""
        return workdays.previous_workday(day, overrides=self._flags)

    def name_of(self, day: dt.date) -> str:
        """The entry's name for ``day`` ('' without a named entry)."""
        entry = self.overrides.get(day)
        return entry[1] if entry else ""

    def source_of(self, day: dt.date) -> str:
        """Where ``day``'s status comes from: team, branch, organisation (an entry), official
        (the chinesecalendar package) or weekdays (Monday-Friday fallback)."""
        entry = self.overrides.get(day)
        if entry is not None:
            return entry[2]
        return SOURCE_OFFICIAL if workdays.package_covers(day.year) else SOURCE_WEEKDAYS


class CalendarBook:
    """All calendar entries, loaded once; hands out each team's :class:`WorkCalendar`.

    Build it with :func:`calendar_book`. One query for the entries, plus one (only when a
    team is given by id) for the units' parents.
    """

    def __init__(self, rows: Iterable[tuple[dt.date, bool, str, int | None]]) -> None:
        self.entries: dict[int | None, dict[dt.date, Entry]] = {}
        for day, is_work, name, unit_id in rows:
            self.entries.setdefault(unit_id, {})[day] = (is_work, name)
        self._parents: dict[int, int | None] | None = None
        self._calendars: dict[int | None, WorkCalendar] = {}

    def _parent_of(self, unit_id: int) -> int | None:
        if self._parents is None:
            self._parents = dict(OrgUnit.objects.values_list("id", "parent_id"))
        return self._parents.get(unit_id)

    def for_team(self, team: OrgUnit | int | None) -> WorkCalendar:
        """The calendar of ``team`` (an OrgUnit, its id, or None for the organisation's).

        A branch given here gets its own entries over the organisation's.
        """
        if team is None:
            team_id, parent_id = None, None
        elif isinstance(team, OrgUnit):
            team_id, parent_id = team.pk, team.parent_id
        else:
            team_id = int(team)
            parent_id = self._parent_of(team_id) if self._has_unit_entries() else None
        cached = self._calendars.get(team_id)
        if cached is not None:
            return cached
        merged: dict[dt.date, tuple[bool, str, str]] = {}
        for unit_id, source in (
            (None, SOURCE_ORGANISATION),
            (parent_id, SOURCE_BRANCH),
            (team_id, SOURCE_TEAM),
        ):
            if unit_id is None and source != SOURCE_ORGANISATION:
                continue
            for day, (is_work, name) in self.entries.get(unit_id, {}).items():
                merged[day] = (is_work, name, source)
        calendar = WorkCalendar(team_id, merged)
        self._calendars[team_id] = calendar
        return calendar

    def _has_unit_entries(self) -> bool:
        return any(unit_id is not None for unit_id in self.entries)

    def unit_entries(self, unit_id: int | None) -> dict[dt.date, Entry]:
        """The entries stored for exactly this unit (None: the organisation's)."""
        return dict(self.entries.get(unit_id, {}))

    def year_covered(self, year: int) -> bool:
        """True when ``year``'s holidays are known: the chinesecalendar package covers it, or
        the organisation entered at least one day off for it (the year's holiday
        arrangement typed in by hand). Otherwise the year falls back to Monday-Friday."""
        if workdays.package_covers(year):
            return True
        return any(
            day.year == year and not is_work
            for day, (is_work, _name) in self.entries.get(None, {}).items()
        )


_memo: ContextVar[dict[str, CalendarBook] | None] = ContextVar("work_calendar_memo", default=None)


def _load() -> CalendarBook:
    return CalendarBook(CalendarDay.objects.values_list("date", "is_workday", "name", "unit_id"))


def calendar_book() -> CalendarBook:
    """Every calendar entry, memoised inside :func:`calendar_cache` (one query per request or
    task); outside it each call runs the query."""
    memo = _memo.get()
    if memo is None:
        return _load()
    book = memo.get("book")
    if book is None:
        book = memo["book"] = _load()
    return book


@contextlib.contextmanager
def calendar_cache() -> Iterator[None]:
    """Memoise the calendar for the duration of the block (a request, a task run)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _forget() -> None:
    memo = _memo.get()
    if memo is not None:
        memo.pop("book", None)


def work_calendar(team: OrgUnit | int | None = None) -> WorkCalendar:
    """The work calendar of ``team`` (None: the organisation's). See :class:`CalendarBook`."""
    return calendar_book().for_team(team)


def is_workday(day: dt.date, team: OrgUnit | int | None = None) -> bool:
    """True when local ``day`` is a work day for ``team`` (None: the organisation)."""
    return work_calendar(team).is_workday(day)


def workdays_between(
    start: dt.date, end: dt.date, team: OrgUnit | int | None = None
) -> list[dt.date]:
    """Work days of ``team`` from ``start`` to ``end``, both inclusive, in order."""
    return work_calendar(team).workdays_between(start, end)


def previous_workday(day: dt.date, team: OrgUnit | int | None = None) -> dt.date:
    """The last work day of ``team`` strictly before ``day``."""
    return work_calendar(team).previous_workday(day)


def uncovered_years(today: dt.date) -> list[int]:
    """Years the calendar does not know the holidays of and that matter now: this year, and
    from December 1st the coming year. [] when all is well. See
    :meth:`CalendarBook.year_covered`."""
    book = calendar_book()
    years = [today.year] + ([today.year + 1] if today.month == 12 else [])
    return [y for y in years if not book.year_covered(y)]


# --- year view -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GridDay:
    """One cell of the year view: a date, its status for the unit and where it comes from."""

    day: dt.date
    is_workday: bool
    name: str
    source: str
    own_entry: bool

    @property
    def iso(self) -> str:
        """The date as YYYY-MM-DD (links and data attributes of the year view)."""
        return self.day.isoformat()


@dataclass(frozen=True)
class MonthGrid:
    """A month as weeks of 7 cells (None outside the month), Monday first."""

    month: dt.date
    weeks: list[list[GridDay | None]]


def year_grid(year: int, unit: OrgUnit | None) -> list[MonthGrid]:
    """The twelve months of ``year`` for ``unit`` (None: the organisation), each day with its
    status and source; ``own_entry`` marks the entries stored for exactly this unit.
    ValueError for a year outside 1-9998. One query."""
    if not 1 <= year <= 9998:
        raise ValueError(f"year out of range: {year}")
    book = calendar_book()
    calendar = book.for_team(unit)
    own = book.unit_entries(unit.pk if unit else None)
    months = []
    for month in range(1, 13):
        weeks: list[list[GridDay | None]] = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append(
                [
                    GridDay(
                        d,
                        calendar.is_workday(d),
                        calendar.name_of(d),
                        calendar.source_of(d),
                        d in own,
                    )
                    if d.month == month
                    else None
                    for d in week
                ]
            )
        months.append(MonthGrid(dt.date(year, month, 1), weeks))
    return months


# --- writes --------------------------------------------------------------------------------


def _check_admin(by: User) -> None:
    if not (by.is_active and by.is_staff):
        raise PermissionDenied(_("Only admins may change the work calendar."))


def _check_unit(unit: OrgUnit | None) -> None:
    if unit is not None and unit.kind == OrgUnit.Kind.COMPANY:
        raise ValidationError({"unit": _("Leave the unit empty for the whole organisation.")})


@transaction.atomic
def calendar_day_set(
    *, by: User, day: dt.date, is_workday: bool, name: str = "", unit: OrgUnit | None = None
) -> CalendarDay:
    """Store (create or replace) the entry of ``day`` for ``unit`` (None: the organisation).

    Admins only (PermissionDenied); ValidationError for a company unit or a name over 60
    characters. Returns the saved row.
    """
    _check_admin(by)
    _check_unit(unit)
    entry = CalendarDay.objects.filter(date=day, unit=unit).first() or CalendarDay(
        date=day, unit=unit
    )
    entry.is_workday = is_workday
    entry.name = name.strip()
    entry.updated_by = by
    entry.full_clean(validate_constraints=False)
    entry.save()
    _forget()
    return entry


@transaction.atomic
def calendar_day_clear(*, by: User, day: dt.date, unit: OrgUnit | None = None) -> bool:
    """Remove the entry of ``day`` for ``unit``, so the next level decides again. Admins only
    (PermissionDenied). Returns whether there was an entry."""
    _check_admin(by)
    deleted, _rows = CalendarDay.objects.filter(date=day, unit=unit).delete()
    _forget()
    return bool(deleted)


@transaction.atomic
def calendar_days_import(
    *, by: User, year: int, unit: OrgUnit | None, days: Mapping[dt.date, Entry]
) -> tuple[int, int]:
    """Apply a year's days (date -> (is work day, name), e.g. from an xlsx file) to ``unit``'s
    entries (None: the organisation's). For each given date: when its status differs from what
    it would be without this unit's entry, or it has a name, the entry is stored; otherwise the
    unit's entry of that date is removed (the levels below already say so). Dates not given
    keep their entries, so a file of a few holidays is safe and an exported full year round
    trips. Dates outside ``year`` raise ValidationError. Admins only (PermissionDenied).
    Returns (entries stored or changed, entries removed).
    """
    _check_admin(by)
    _check_unit(unit)
    outside = sorted(d for d in days if d.year != year)
    if outside:
        raise ValidationError(
            _("%(day)s is not in %(year)s.") % {"day": outside[0].isoformat(), "year": year}
        )
    book = _load()
    # What each day would be without this unit's own entries: the levels below it.
    layers: dict[dt.date, tuple[bool, str, str]] = {}
    if unit is not None:
        layers.update(
            {d: (w, n, SOURCE_ORGANISATION) for d, (w, n) in book.unit_entries(None).items()}
        )
        if unit.kind == OrgUnit.Kind.TEAM and unit.parent_id is not None:
            layers.update(
                {
                    d: (w, n, SOURCE_BRANCH)
                    for d, (w, n) in book.unit_entries(unit.parent_id).items()
                }
            )
    below = WorkCalendar(None, layers)
    wanted = {
        d: (is_work, name.strip())
        for d, (is_work, name) in days.items()
        if name.strip() or is_work != below.is_workday(d)
    }
    existing = {
        e.date: e
        for e in CalendarDay.objects.filter(unit=unit, date__year=year).select_for_update()
    }
    removed = [e.pk for d, e in existing.items() if d in days and d not in wanted]
    CalendarDay.objects.filter(pk__in=removed).delete()
    stored = 0
    for d, (is_work, name) in sorted(wanted.items()):
        entry = existing.get(d) or CalendarDay(date=d, unit=unit)
        if entry.pk and entry.is_workday == is_work and entry.name == name:
            continue
        entry.is_workday, entry.name, entry.updated_by = is_work, name[:60], by
        entry.save()
        stored += 1
    _forget()
    return stored, len(removed)
