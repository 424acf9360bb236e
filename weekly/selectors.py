"""Reads for weekly reports and the weekly meeting (DOMAIN.md section 4; issue 5).

Figures never re-implement a counting rule: they come from kpi.calculations (DOMAIN.md
section 9) over ``kpi.loading.load_input`` of the report's team. A whole team (every member
and the team itself) is computed in ONE load_input + compute_many call.

Figures are stored and passed as ``kpi.calculations.metrics_as_json`` dicts:
``{metric: {"value", "numerator", "denominator", "status"}}`` (money values as strings).
A plan (``WeeklyReport.plan`` / ``next_goals``) maps metric -> number as string; rates are
planned in percent (e.g. "40" for 40 %).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, restrict
from kpi.calculations import (
    Period,
    compute_many,
    metrics_as_json,
    parse_period,
    period_of,
)
from kpi.loading import load_input

from .models import TeamWeeklyReport, WeeklyReport

#: The personal report's indicators, in display order (issue 5, item 1).
WEEK_METRICS: tuple[str, ...] = (
    "visits",
    "customers_visited",
    "target_customer_visits",
    "effective_customers",
    "effective_activity_rate",
    "new_targets",
    "intents",
    "deals",
    "weekly_intent_rate",
    "new_sales_revenue",
    "sales_revenue",
)
RATE_METRICS = frozenset({"effective_activity_rate", "weekly_intent_rate"})
MONEY_METRICS = frozenset({"sales_revenue", "new_sales_revenue"})
METRIC_LABELS: dict[str, Any] = {
    "visits": _("Visits"),
    "customers_visited": _("Customers visited"),
    "target_customer_visits": _("Target-customer visits"),
    "effective_customers": _("Effective customers"),
    "effective_activity_rate": _("Effective activity rate"),
    "new_targets": _("New target customers"),
    "intents": _("Intents reached"),
    "deals": _("Deals"),
    "weekly_intent_rate": _("Weekly intent rate"),
    "new_sales_revenue": _("New sales revenue"),
    "sales_revenue": _("Total sales revenue"),
}
#: Rows of the team table (the seed's 小组活动统计); "achievement" = sales revenue / plan.
TEAM_ROWS: tuple[str, ...] = (
    "new_sales_revenue",
    "sales_revenue",
    "achievement",
    "customers_visited",
    "effective_customers",
    "effective_activity_rate",
)
TEAM_ROW_LABELS: dict[str, Any] = {
    **METRIC_LABELS,
    "sales_revenue": _("Total sales revenue"),
    "achievement": _("Achievement rate"),
}
DASH = "-"


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


# --- figures ------------------------------------------------------------------------------


def week_json(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The weekly report's metrics (and their completions) of a compute_many result as
    JSON (kpi.calculations.metrics_as_json)."""
    keep = set(WEEK_METRICS) | {f"{m}_completion" for m in WEEK_METRICS}
    return metrics_as_json({k: v for k, v in metrics.items() if k in keep})


def team_week_figures(
    *, team_id: int, period: Period, rep_ids: list[int]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Live figures of a team and its reps for one ISO week, computed in one
    ``load_input`` + ``compute_many`` call (kpi.calculations, DOMAIN.md section 9).

    Returns ``{"team": figures, "<rep id>": figures}`` (figures: see module docstring).
    """
    data = load_input(team_ids=[team_id])
    scopes = [("team", team_id)] + [("rep", rid) for rid in rep_ids]
    result = compute_many([period], scopes, data)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for (_p, scope), metrics in result.items():
        key = "team" if scope.kind == "team" else str(scope.id)
        out[key] = week_json(metrics)
    return out


def live_figures(report: WeeklyReport) -> dict[str, dict[str, Any]]:
    """The personal report's figures recomputed now (rep scope, the report's week)."""
    figs = team_week_figures(
        team_id=report.team_id, period=week_period(report), rep_ids=[report.rep_id]
    )
    return figs[str(report.rep_id)]


def figure_value(figures: dict[str, Any], metric: str) -> Decimal | float | int | None:
    """The value of ``metric`` in stored figures (money as Decimal), None when absent."""
    raw = (figures.get(metric) or {}).get("value")
    if raw is None:
        return None
    if metric in MONEY_METRICS:
        return Decimal(str(raw))
    return raw


def fmt(metric: str, value: Any) -> str:
    """Display a figure: counts as integers, money with 2 decimals and thousands
    separators, rates in percent with one decimal; None -> "-" (DOMAIN.md section 9)."""
    if value is None:
        return DASH
    if metric in RATE_METRICS or metric == "achievement":
        return f"{float(value) * 100:.1f}%"
    if metric in MONEY_METRICS:
        return f"{Decimal(str(value)):,.2f}"
    return str(int(value))


def plan_number(plan: dict[str, Any], metric: str) -> Decimal | None:
    """The planned number of ``metric`` (rates in percent), None when not planned."""
    raw = plan.get(metric)
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return None


def achievement(metric: str, actual: Any, planned: Decimal | None) -> float | None:
    """Achievement rate = actual / plan (DOMAIN.md section 9); no plan, a plan of 0 or no
    actual value -> None ("-"). Rates are planned in percent."""
    if planned is None or planned <= 0 or actual is None:
        return None
    value = Decimal(str(actual))
    if metric in RATE_METRICS:
        value *= 100
    return float(value / planned)


def fmt_plan(metric: str, planned: Decimal | None) -> str:
    """Display a planned number (rates with a % sign)."""
    if planned is None:
        return DASH
    if metric in RATE_METRICS:
        return f"{planned.normalize():f}%"
    if metric in MONEY_METRICS:
        return f"{planned:,.2f}"
    return f"{planned.normalize():f}"


@dataclass
class FigureRow:
    """One indicator of a personal report, ready to display."""

    metric: str
    label: str
    actual: str
    plan: str
    achievement: str
    now: str | None = None  # live value when it differs from the frozen one
    next_goal: str = DASH
    ratio: float | None = None  # achievement as a number


def figure_rows(
    *,
    figures: dict[str, Any],
    plan: dict[str, Any],
    next_goals: dict[str, Any] | None = None,
    live: dict[str, Any] | None = None,
) -> list[FigureRow]:
    """Rows of indicator, actual, plan, achievement rate (and "now: X" when ``live``
    figures differ from frozen ``figures``)."""
    rows = []
    for m in WEEK_METRICS:
        actual = figure_value(figures, m)
        planned = plan_number(plan, m)
        now = None
        ratio = achievement(m, actual, planned)
        if live is not None:
            live_value = figure_value(live, m)
            if fmt(m, live_value) != fmt(m, actual):
                now = fmt(m, live_value)
        rows.append(
            FigureRow(
                metric=m,
                label=str(METRIC_LABELS[m]),
                actual=fmt(m, actual),
                plan=fmt_plan(m, planned),
                achievement=fmt("achievement", ratio),
                now=now,
                next_goal=fmt_plan(m, plan_number(next_goals or {}, m)),
                ratio=ratio,
            )
        )
    return rows


def report_figures(report: WeeklyReport) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(figures shown, live figures for comparison). A draft shows live figures; a
    submitted report shows its frozen figures, with the live ones to flag later fixes."""
    live = live_figures(report)
    if report.is_locked():
        return report.figures, live
    return live, None


# --- querysets ----------------------------------------------------------------------------


def report_queryset(scope: Scope) -> QuerySet[WeeklyReport]:
    """Personal reports ``scope`` may see: own, and those of visible teams (404 otherwise)."""
    return restrict(
        WeeklyReport.objects.select_related("rep", "team", "reviewed_by"),
        scope,
        owner_field="rep",
        team_field="team",
    )


def team_report_queryset(scope: Scope) -> QuerySet[TeamWeeklyReport]:
    """Team reports of the teams ``scope`` leads or manages (admins: all)."""
    return restrict(
        TeamWeeklyReport.objects.select_related("team", "author", "reviewed_by"),
        scope,
        owner_field="author",
        team_field="team",
    )


def report_list(
    *, scope: Scope, team_id: int | None = None, period: Period | None = None
) -> QuerySet[WeeklyReport]:
    """Visible personal reports, newest week first, optionally one team and/or week."""
    qs = report_queryset(scope)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if period:
        qs = qs.filter(week=period.start)
    return qs.order_by("-week", "rep__username")


def team_members(team_id: int, period: Period) -> list[User]:
    """Reps of the team at any time during the week, by username. One query."""
    last = period.end - dt.timedelta(days=1)
    rows = (
        Membership.objects.filter(
            Q(end__isnull=True) | Q(end__gte=period.start),
            unit_id=team_id,
            start__lte=last,
            role=Membership.Role.REP,
        )
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, User] = {}
    for m in rows:
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def leader_teams(scope: Scope) -> list[OrgUnit]:
    """Teams whose team report and meeting the viewer sees (supervised first). One query."""
    from journals.selectors import teams_for_leader

    return teams_for_leader(scope)


# --- team table ---------------------------------------------------------------------------


@dataclass
class TeamTable:
    """The 小组活动统计 table: rows x (team target, then plan/achieved per member).

    ``cells[row]`` = {"target": value, "members": [(plan, achieved), ...]} with raw
    numbers (Decimal / float / int / None); ``display`` the same as strings.
    """

    members: list[User]
    rows: list[str]
    labels: dict[str, str]
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)

    def display_rows(self) -> list[dict[str, Any]]:
        """[{"row", "label", "target", "team_actual", "pairs": [(plan, achieved)],
        "cells": [{"plan", "actual"}]}] as strings."""
        out = []
        for row in self.rows:
            c = self.cells[row]
            out.append(
                {
                    "row": row,
                    "label": self.labels[row],
                    "target": _team_fmt(row, c["target"]),
                    "team_actual": _team_fmt(row, c.get("team_actual")),
                    "pairs": [
                        (_team_fmt(row, p, plan=True), _team_fmt(row, a)) for p, a in c["members"]
                    ],
                    "cells": [
                        {"plan": _team_fmt(row, p, plan=True), "actual": _team_fmt(row, a)}
                        for p, a in c["members"]
                    ],
                }
            )
        return out


def _team_fmt(row: str, value: Any, *, plan: bool = False) -> str:
    if value is None:
        return DASH
    if row in RATE_METRICS or row == "achievement":
        return f"{float(value) * 100:.1f}%"
    if row in MONEY_METRICS:
        return f"{Decimal(str(value)):,.2f}"
    if plan and isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(int(value))


def _target(figures: dict[str, Any], metric: str) -> Any:
    den = (figures.get(f"{metric}_completion") or {}).get("denominator")
    if den is None:
        return None
    return Decimal(str(den)) if metric in MONEY_METRICS else den


def team_table(
    *,
    members: list[User],
    figures: dict[str, dict[str, Any]],
    plans: dict[int, dict[str, Any]],
) -> TeamTable:
    """Build the team table from ``team_week_figures`` output and each member's plan for
    the week (their personal report's ``plan``). Team target: the team's weekly target
    (kpi targets, DOMAIN.md section 4b); achievement rate = total sales revenue / its
    target (team) or plan (member); rate rows: the target/plan is in percent."""
    labels = {r: str(TEAM_ROW_LABELS[r]) for r in TEAM_ROWS}
    table = TeamTable(members=members, rows=list(TEAM_ROWS), labels=labels)
    team = figures.get("team", {})
    for row in TEAM_ROWS:
        pairs = []
        for u in members:
            f = figures.get(str(u.pk), {})
            plan = plans.get(u.pk, {})
            if row == "achievement":
                p_rev = plan_number(plan, "sales_revenue")
                pairs.append(
                    (None, achievement("sales_revenue", figure_value(f, "sales_revenue"), p_rev))
                )
            else:
                planned = plan_number(plan, row)
                if planned is not None and row in RATE_METRICS:
                    planned = planned / 100
                pairs.append((planned, figure_value(f, row)))
        if row == "achievement":
            tgt = _target(team, "sales_revenue")
            target_val = achievement("sales_revenue", figure_value(team, "sales_revenue"), tgt)
            team_actual = target_val
        else:
            target_val = _target(team, row) if row not in RATE_METRICS else None
            team_actual = figure_value(team, row)
        table.cells[row] = {"target": target_val, "team_actual": team_actual, "members": pairs}
    return table


def plans_for(team_id: int, period: Period) -> dict[int, dict[str, Any]]:
    """Each rep's plan for the week from their personal reports. One query."""
    return dict(
        WeeklyReport.objects.filter(team_id=team_id, week=period.start).values_list(
            "rep_id", "plan"
        )
    )


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
    the journals app's submission statistics rules (Chinese work calendar, exemptions).
    Days not yet due are not counted."""
    from journals.models import Journal
    from journals.workdays import is_work_day

    last = min(period.end - dt.timedelta(days=1), today - dt.timedelta(days=1))
    submitted = defaultdict(set)
    for rep_id, day in Journal.objects.filter(
        team_id=team_id,
        day__gte=period.start,
        day__lte=period.end,
        status__in=[Journal.Status.SUBMITTED, Journal.Status.REVIEWED],
    ).values_list("rep_id", "day"):
        submitted[rep_id].add(day)
    days = []
    d = period.start
    while d <= last:
        if is_work_day(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return {u.pk: sum(1 for d in days if d not in submitted[u.pk]) for u in members}


@dataclass
class Meeting:
    """The weekly meeting (周例会) of one team and week (DOMAIN.md section 4)."""

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
    from journals.models import Visit

    today = today or timezone.localdate()
    members = team_members(team.pk, period)
    figures = team_week_figures(team_id=team.pk, period=period, rep_ids=[u.pk for u in members])
    reports = {r.rep_id: r for r in WeeklyReport.objects.filter(team_id=team.pk, week=period.start)}
    plans = {rid: r.plan for rid, r in reports.items()}
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
                {"user": e.user, "kind": "below_plan", "value": ", ".join(e.below_plan)}
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
        table=team_table(members=members, figures=figures, plans=plans),
        praise=praise,
        problems=problems,
        cases=cases,
        team_report=team_report,
        coachees=coachees,
    )
