"""Periods (local months and ISO weeks) and scopes (rep, team, branch) of the KPIs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Period:
    """A local calendar month or ISO week: ``start`` inclusive, ``end`` exclusive (dates)."""

    kind: str
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.kind not in ("month", "week"):
            raise ValueError(f"Unknown period kind {self.kind!r}")
        if self.end <= self.start:
            raise ValueError("A period ends after it starts")

    @property
    def key(self) -> str:
        """'2026-10' for a month, '2026-W43' (ISO year and week) for a week."""
        if self.kind == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        iso = self.start.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"

    def __str__(self) -> str:
        return self.key

    def start_at(self, tz: dt.tzinfo) -> dt.datetime:
        """Aware datetime of local midnight at the start."""
        return dt.datetime.combine(self.start, dt.time(), tzinfo=tz)

    def end_at(self, tz: dt.tzinfo) -> dt.datetime:
        """Aware datetime of local midnight at the (exclusive) end."""
        return dt.datetime.combine(self.end, dt.time(), tzinfo=tz)

    def contains(self, day: dt.date) -> bool:
        """True when the local ``day`` lies in the period."""
        return self.start <= day < self.end

    def previous(self) -> Period:
        """The month or ISO week before this one."""
        if self.kind == "month":
            day = self.start - dt.timedelta(days=1)
            return month_period(day.year, day.month)
        return Period("week", self.start - dt.timedelta(days=7), self.start)

    def next(self) -> Period:
        """The month or ISO week after this one."""
        if self.kind == "month":
            return month_period(self.end.year, self.end.month)
        return Period("week", self.end, self.end + dt.timedelta(days=7))


def month_period(year: int, month: int) -> Period:
    """The local calendar month ``year``-``month``. Raises ValueError for a bad month."""
    start = dt.date(year, month, 1)
    end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return Period("month", start, end)


def iso_week_period(year: int, week: int) -> Period:
    """ISO week ``week`` of ISO year ``year`` (Monday to Sunday).

    Raises ValueError for a week the year does not have (e.g. 2027-W53; 2026 has 53 weeks).
    """
    start = dt.date.fromisocalendar(year, week, 1)
    return Period("week", start, start + dt.timedelta(days=7))


def weeks_in_iso_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return dt.date(year, 12, 28).isocalendar().week


def period_of(day: dt.date, kind: str) -> Period:
    """The month or ISO week containing the local ``day``."""
    if kind == "month":
        return month_period(day.year, day.month)
    if kind == "week":
        iso = day.isocalendar()
        return iso_week_period(iso.year, iso.week)
    raise ValueError(f"Unknown period kind {kind!r}")


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)


def parse_period(text: str | Period) -> Period:
    """Parse '2026-10' (month) or '2026-W43' (ISO week). Raises ValueError otherwise."""
    if isinstance(text, Period):
        return text
    value = str(text).strip()
    if m := _MONTH_RE.match(value):
        return month_period(int(m.group(1)), int(m.group(2)))
    if m := _WEEK_RE.match(value):
        return iso_week_period(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"Not a period (expected 2026-10 or 2026-W43): {text!r}")


# --------------------------------------------------------------------------- scopes


@dataclass(frozen=True)
class Scope:
    """Who the figures are for: a rep (user id), a team (unit id) or a branch.

    A branch is the set of its team ids; ``id`` (the branch unit id) is optional and only
    used to look up the branch's own targets.
    """

    kind: str
    id: int | None = None
    team_ids: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.kind not in ("rep", "team", "branch"):
            raise ValueError(f"Unknown scope kind {self.kind!r}")
        if self.kind != "branch" and self.id is None:
            raise ValueError(f"A {self.kind} scope needs an id")
        if (self.id is not None and self.id < 0) or any(t < 0 for t in self.team_ids):
            raise ValueError("Scope ids are not negative")

    @classmethod
    def rep(cls, user_id: int) -> Scope:
        return cls("rep", int(user_id))

    @classmethod
    def team(cls, team_id: int) -> Scope:
        return cls("team", int(team_id))

    @classmethod
    def branch(cls, team_ids: Iterable[int], branch_id: int | None = None) -> Scope:
        return cls("branch", branch_id, frozenset(int(t) for t in team_ids))

    @property
    def key(self) -> str:
        """'rep:5', 'team:7', 'branch:3' or, without an id, 'branch:7+8'."""
        if self.kind == "branch" and self.id is None:
            return "branch:" + "+".join(str(t) for t in sorted(self.team_ids))
        return f"{self.kind}:{self.id}"

    def __str__(self) -> str:
        return self.key


def as_scope(value: Scope | tuple[Any, ...]) -> Scope:
    """Accept a Scope or a tuple ('rep', id) | ('team', id) | ('branch', team_ids)
    | ('branch', branch_id, team_ids). Raises ValueError otherwise."""
    if isinstance(value, Scope):
        return value
    if not isinstance(value, tuple) or len(value) not in (2, 3):
        raise ValueError(f"Not a scope: {value!r}")
    kind = value[0]
    if kind == "branch":
        if len(value) == 3:
            return Scope.branch(value[2], value[1])
        return Scope.branch(value[1])
    if kind in ("rep", "team") and len(value) == 2:
        return Scope(kind, int(value[1]))
    raise ValueError(f"Not a scope: {value!r}")
