"""The weekly meeting (周例会) of one team and week: ranked reps, praise, problems, missing
journals and success cases (docs/domain, section 4).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.calendar import work_calendar
from accounts.models import OrgUnit, User
from accounts.wording import join_items
from journals.models import Journal, Visit
from kpi.calculations import Period

from ..models import TeamWeeklyReport, WeeklyReport
from .personal import FigureRow, figure_rows, figure_value, fmt, plans_for, team_week_figures
from .team import TeamTable, team_members, team_table, team_targets

# --- weekly meeting -----------------------------------------------------------------------


@dataclass
class MeetingRep:
    """One rep on the weekly meeting page."""

    user: User
    rank: int
    rows: list[FigureRow]
    revenue: Any
    effective_rate: float | None
    deals: int
    below_plan: list[str]
    missing_journals: int
    report: WeeklyReport | None


def journal_gaps(
    *, team_id: int, period: Period, members: list[User], today: dt.date
) -> dict[int, int]:
    """Work days of the week (up to ``today``) without a submitted journal, per rep, using
    the team's work calendar (``accounts.calendar``). Days not yet due are not counted."""
    last = min(period.end - dt.timedelta(days=1), today - dt.timedelta(days=1))
    submitted = defaultdict(set)
    for rep_id, day in Journal.objects.filter(
        team_id=team_id,
        day__gte=period.start,
        day__lte=period.end,
        status__in=[Journal.Status.SUBMITTED, Journal.Status.REVIEWED],
    ).values_list("rep_id", "day"):
        submitted[rep_id].add(day)
    days = work_calendar(team_id).workdays_between(period.start, last)
    return {u.pk: sum(1 for d in days if d not in submitted[u.pk]) for u in members}


@dataclass
class Meeting:
    """The weekly meeting (周例会) of one team and week (docs/domain, section 4)."""

    team: OrgUnit
    period: Period
    reps: list[MeetingRep]
    table: TeamTable
    praise: list[dict[str, Any]]
    problems: list[dict[str, Any]]
    cases: list[Any]
    team_report: TeamWeeklyReport | None
    coachees: list[Any]


LOW_EFFECTIVE_RATE = 0.3


def meeting(*, team: OrgUnit, period: Period, today: dt.date | None = None) -> Meeting:
    """Everything the supervisor needs at the weekly meeting, in a fixed number of queries
    whatever the team size: each rep's figures vs plan ranked by total sales revenue then
    effective customers; wins to praise (deals closed, best effective activity rate);
    problems (below plan, effective activity rate under 30 %, missing journals); success
    cases (visits marked ``is_case``); the team report's key coachees and training topics.
    """
    today = today or timezone.localdate()
    members = team_members(team.pk, period)
    figures = team_week_figures(team_id=team.pk, period=period, rep_ids=[u.pk for u in members])
    reports = {r.rep_id: r for r in WeeklyReport.objects.filter(team_id=team.pk, week=period.start)}
    plans = plans_for(period, [u.pk for u in members])
    gaps = journal_gaps(team_id=team.pk, period=period, members=members, today=today)
    entries = []
    for u in members:
        f = figures.get(str(u.pk), {})
        rows = figure_rows(figures=f, plan=plans.get(u.pk, {}))
        below = [r.label for r in rows if r.ratio is not None and r.ratio < 1]
        entries.append(
            MeetingRep(
                user=u,
                rank=0,
                rows=rows,
                revenue=figure_value(f, "sales_revenue") or Decimal(0),
                effective_rate=figure_value(f, "effective_activity_rate"),  # type: ignore[arg-type]
                deals=int(figure_value(f, "deals") or 0),
                below_plan=below,
                missing_journals=gaps.get(u.pk, 0),
                report=reports.get(u.pk),
            )
        )
    entries.sort(
        key=lambda e: (
            -Decimal(str(e.revenue)),
            -int(figure_value(figures.get(str(e.user.pk), {}), "effective_customers") or 0),
            e.user.username,
        )
    )
    for i, e in enumerate(entries, start=1):
        e.rank = i
    praise: list[dict[str, Any]] = []
    for e in entries:
        if e.deals:
            praise.append({"user": e.user, "kind": "deals", "value": e.deals})
    rated = [e for e in entries if e.effective_rate is not None]
    if rated:
        best = max(rated, key=lambda e: e.effective_rate or 0)
        if best.effective_rate:
            praise.append(
                {
                    "user": best.user,
                    "kind": "rate",
                    "value": fmt("effective_activity_rate", best.effective_rate),
                }
            )
    problems: list[dict[str, Any]] = []
    for e in entries:
        if e.below_plan:
            problems.append(
                {"user": e.user, "kind": "below_plan", "value": join_items(e.below_plan)}
            )
        if e.effective_rate is not None and e.effective_rate < LOW_EFFECTIVE_RATE:
            problems.append(
                {
                    "user": e.user,
                    "kind": "low_rate",
                    "value": fmt("effective_activity_rate", e.effective_rate),
                }
            )
        if e.missing_journals:
            problems.append({"user": e.user, "kind": "missing", "value": e.missing_journals})
    cases = list(
        Visit.objects.filter(
            team_id=team.pk,
            is_case=True,
            occurred_at__gte=period.start_at(timezone.get_current_timezone()),
            occurred_at__lt=period.end_at(timezone.get_current_timezone()),
        )
        .select_related("rep", "customer")
        .order_by("occurred_at")
    )
    team_report = (
        TeamWeeklyReport.objects.filter(team_id=team.pk, week=period.start)
        .prefetch_related("key_coachees__rep")
        .first()
    )
    coachees = list(team_report.key_coachees.all()) if team_report else []
    return Meeting(
        team=team,
        period=period,
        reps=entries,
        table=team_table(
            members=members,
            figures=figures,
            plans=plans,
            targets=team_targets(team.pk, period),
        ),
        praise=praise,
        problems=problems,
        cases=cases,
        team_report=team_report,
        coachees=coachees,
    )
