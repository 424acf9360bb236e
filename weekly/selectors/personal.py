"""Figures of a personal weekly report (docs/domain, section 4).

Figures never re-implement a counting rule: they come from the read seam ``kpi.figures``
(docs/domain, section 9), in the organisation's time zone. A whole team (every member and the
team itself) is computed in one load and one engine run (``kpi.figures.team_week``), so the
rep's figures here are the rep's figures on the KPI card.

Figures are stored and passed as ``kpi.calculations.metrics_as_json`` dicts:
``{metric: {"value", "numerator", "denominator", "status"}}`` (money values as strings).
A plan (``WeeklyReport.plan`` / ``next_goals``) maps metric -> number as string; rates are
planned in percent (e.g. "40" for 40 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain import metrics as registry
from kpi import figures as kpi_figures
from kpi.calculations import Period, metrics_as_json
from kpi.templatetags.kpi_format import metric_label, rate_help

from ..models import WeeklyReport
from .weeks import week_period

#: The personal report's indicators, in display order.
WEEK_METRICS: tuple[str, ...] = (
    "visits",
    "customers_visited",
    "follow_ups",
    "customers_touched",
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


#: Kinds from the metric registry (domain.metrics): which indicators are rates or money.
RATE_METRICS = frozenset(m for m in WEEK_METRICS if registry.metric(m).kind == registry.RATE)


MONEY_METRICS = frozenset(m for m in WEEK_METRICS if registry.metric(m).kind == registry.MONEY)


DASH = "-"


# --- figures ------------------------------------------------------------------------------


def week_json(metrics: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The weekly report's metrics (and their completions) of a compute_many result as
    JSON (kpi.calculations.metrics_as_json)."""
    keep = set(WEEK_METRICS) | {f"{m}_completion" for m in WEEK_METRICS}
    return metrics_as_json({k: v for k, v in metrics.items() if k in keep})


def team_week_figures(
    *, team_id: int, period: Period, rep_ids: list[int]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Live figures of a team and its reps for one ISO week (``kpi.figures.team_week``:
    one load, one engine run, the organisation's time zone; docs/domain, section 9). The
    team's ``<metric>_completion.denominator`` is the team's own weekly target
    (``kpi.figures.team_target``), the same number the weekly meeting and the exports show.

    Returns ``{"team": figures, "<rep id>": figures}`` (figures: see module docstring).
    """
    got = kpi_figures.team_week(team_id=team_id, period=period, rep_ids=rep_ids)
    return {key: week_json(metrics) for key, metrics in got.items()}


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
    separators, rates in percent with one decimal; None -> "-" (docs/domain, section 9)."""
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
    """Achievement rate = actual / plan (docs/domain, section 9); no plan, a plan of 0 or no
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
    help: str = ""  # what a rate counts (kpi_format.rate_help)


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
                label=metric_label(m),
                actual=fmt(m, actual),
                plan=fmt_plan(m, planned),
                achievement=fmt("achievement", ratio),
                now=now,
                next_goal=fmt_plan(m, plan_number(next_goals or {}, m)),
                ratio=ratio,
                help=rate_help(m, figures.get(m)),
            )
        )
    return rows


def week_plan(saved: WeeklyReport | None, previous: WeeklyReport | None) -> dict[str, Any]:
    """The rule of a rep's plan for a week (docs/domain, section 4: "this week's plan is
    last week's next goals"): the plan of the week's saved report, else the next-week goals
    of the previous week's report, else no plan (``{}``). ``{metric: number as string}``,
    rates in percent. The personal page, the team report, the weekly meeting and their
    exports all read it (through :func:`plans_for` or ``weekly.services.report_draft``)."""
    if saved is not None:
        return dict(saved.plan or {})
    if previous is not None:
        return dict(previous.next_goals or {})
    return {}


def plans_for(period: Period, rep_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each rep's plan for the ISO week ``period`` (:func:`week_plan`), so a rep who has not
    opened this week's draft yet shows last week's next goals: ``{rep id: plan}``, every id
    of ``rep_ids`` present. Two queries whatever the number of reps."""
    ids = list(rep_ids)
    saved = {
        r.rep_id: r
        for r in WeeklyReport.objects.filter(rep_id__in=ids, week=period.start).only(
            "rep_id", "plan"
        )
    }
    missing = [i for i in ids if i not in saved]
    previous = (
        {
            r.rep_id: r
            for r in WeeklyReport.objects.filter(
                rep_id__in=missing, week=period.previous().start
            ).only("rep_id", "next_goals")
        }
        if missing
        else {}
    )
    return {i: week_plan(saved.get(i), previous.get(i)) for i in ids}


def report_figures(report: WeeklyReport) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(figures shown, live figures for comparison). A draft shows live figures; a
    submitted report shows its frozen figures, with the live ones to flag later fixes."""
    live = live_figures(report)
    if report.is_locked():
        return report.figures, live
    return live, None
