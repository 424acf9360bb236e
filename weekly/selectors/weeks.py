"""ISO weeks of weekly reports: the current week in the organisation's time zone, parsing
a week from a query string, labels and picker choices (docs/domain, section 4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kpi.calculations import (
    Period,
    parse_period,
    period_of,
)

from ..models import TeamWeeklyReport, WeeklyReport

# --- weeks --------------------------------------------------------------------------------


def meeting_default_period(now: dt.datetime | None = None) -> Period:
    """The week a weekly meeting reviews by default: the last complete ISO week."""
    return current_period(now).previous()


def current_period(now: dt.datetime | None = None) -> Period:
    """The ISO week of the organisation's local date at ``now`` (default: now). A report
    opened or submitted on Sunday 23:50 local time belongs to that Sunday's week."""
    return period_of(timezone.localdate(now or timezone.now()), "week")


def parse_week(raw: str | None, default: Period | None = None) -> Period:
    """'2026-W05' or a date '2026-01-28' -> that ISO week; anything else -> ``default``
    (the current week). Never raises for bad input."""
    fallback = default or current_period()
    text = (raw or "").strip()
    if not text:
        return fallback
    try:
        if "W" in text.upper():
            period = parse_period(text.upper())
            return period if period.kind == "week" else fallback
        return period_of(dt.date.fromisoformat(text), "week")
    except (ValueError, TypeError):
        return fallback


def week_label(period: Period) -> str:
    """'2026-W05 (01-26 - 02-01)': the key with the dates it covers."""
    last = period.end - dt.timedelta(days=1)
    return f"{period.key} ({period.start:%m-%d} - {last:%m-%d})"


def week_choices(selected: Period, *, back: int = 12, ahead: int = 0) -> list[dict[str, Any]]:
    """Weeks around ``selected`` for a picker: [{"key", "label", "selected"}], newest first."""
    today = current_period()
    anchor = max(selected, today)
    weeks = []
    p = anchor
    for _i in range(ahead):
        p = p.next()
    for _i in range(back + ahead + 1):
        weeks.append({"key": p.key, "label": week_label(p), "selected": p == selected})
        p = p.previous()
    if not any(w["selected"] for w in weeks):
        weeks.append({"key": selected.key, "label": week_label(selected), "selected": True})
    return weeks


def week_period(report: WeeklyReport | TeamWeeklyReport) -> Period:
    """The ISO week of a report (its ``week`` is the Monday)."""
    return period_of(report.week, "week")
