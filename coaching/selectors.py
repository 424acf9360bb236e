"""Coaching reads, always through the viewer's scope (accounts.scoping): a rep sees own
findings, plans and talks; a supervisor the team's; a manager the teams under them.
:func:`findings_for_team` is the unscoped read the morning and weekly meetings use after
their own access check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, active_memberships, local_today
from kpi.calculations import Period, iso_week_period, parse_period, period_of

from . import effect
from .models import CoachingPlan, Finding, Recognition, Symptom, Talk
from .services import rep_metrics


def findings_visible(scope: Scope) -> QuerySet[Finding]:
    """Findings the viewer may see (own as rep, their teams' as lead)."""
    return Finding.objects.visible_to(scope).select_related("rep", "team")


def plans_visible(scope: Scope) -> QuerySet[CoachingPlan]:
    """Coaching plans the viewer may see (own as coachee, their teams' as lead)."""
    return CoachingPlan.objects.visible_to(scope).select_related(
        "coachee", "coach", "team", "finding"
    )


def talks_visible(scope: Scope) -> QuerySet[Talk]:
    """One-on-one talks the viewer may see."""
    return Talk.objects.visible_to(scope).select_related("rep", "supervisor", "plan")


def recognitions_visible(scope: Scope) -> QuerySet[Recognition]:
    """Recognitions on the boards the viewer may see: their teams' and their own team's."""
    if scope.is_admin:
        return Recognition.objects.select_related("rep", "by", "team")
    teams = (scope.visible_team_ids or frozenset()) | scope.rep_team_ids
    return Recognition.objects.select_related("rep", "by", "team").filter(
        Q(team_id__in=sorted(teams)) | Q(rep_id=scope.user_id)
    )


def open_findings(
    findings: QuerySet[Finding] | None = None,
    *,
    team_id: int | None = None,
    rep_id: int | None = None,
    period: Period | str | None = None,
) -> QuerySet[Finding]:
    """The diagnosis as every page shows it: the stored findings (one per rep, period and
    symptom, written by ``coaching.services.findings_recompute``) that are not dismissed,
    of one team, rep and/or period (month or ISO week), ``rep`` loaded. The morning
    meeting (the month of its day), the weekly meeting (its week), the heat map and the
    rep's page all read through here, so they show one diagnosis per rep and period.
    ``findings`` narrows the rows (a scoped queryset); the caller checks access otherwise.
    Raises ValueError for a bad period key (docs/domain, section 8)."""
    qs = (Finding.objects.all() if findings is None else findings).exclude(
        status=Finding.Status.DISMISSED
    )
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if rep_id is not None:
        qs = qs.filter(rep_id=rep_id)
    if period is not None:
        p = parse_period(period)
        qs = qs.filter(period_kind=p.kind, period_start=p.start)
    return qs.select_related("rep")


def findings_for_team(*, team_id: int, period: Period | str) -> list[Finding]:
    """The team's findings of one month or ISO week, by rep then symptom (not dismissed;
    :func:`open_findings`).

    For the morning and weekly meetings; the caller has checked access to the team.
    One query; ``rep`` is loaded.
    """
    return list(
        open_findings(team_id=team_id, period=period).order_by(
            "rep__display_name", "rep_id", "symptom"
        )
    )


def findings_by_rep(team_id: int, day: dt.date) -> dict[int, list[Finding]]:
    """The team's open findings of the month of ``day``, per rep (one query): shown beside
    each member on the team page and the morning meeting (registered as the
    accounts.hooks member-findings provider)."""
    grouped: dict[int, list[Finding]] = {}
    for finding in findings_for_team(team_id=team_id, period=period_of(day, "month")):
        grouped.setdefault(finding.rep_id, []).append(finding)
    return grouped


def key_coachees(*, team_id: int, period: Period | str) -> list[CoachingPlan]:
    """Plans of the team running during the period (the weekly report's key coachees)."""
    period = parse_period(period)
    return list(
        CoachingPlan.objects.select_related("coachee", "coach")
        .filter(team_id=team_id, start__lt=period.end, end__gte=period.start)
        .exclude(status=CoachingPlan.Status.CANCELLED)
        .order_by("coachee__display_name", "-start")
    )


def parse_period_or_default(
    raw: str | None, kind: str = "month", today: dt.date | None = None
) -> Period:
    """A period from '2026-10' / '2026-W43', or the current month/week for bad or no input."""
    if raw:
        try:
            return parse_period(raw)
        except ValueError:
            pass
    return period_of(today or local_today(), kind)


def lead_teams(scope: Scope) -> QuerySet[OrgUnit]:
    """Teams the viewer leads (supervisor, manager, admin), by name."""
    teams = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).order_by("name")
    if scope.is_admin:
        return teams
    ids = scope.supervised_team_ids | scope.managed_team_ids
    return teams.filter(pk__in=sorted(ids))


def team_reps(team_id: int, day: dt.date) -> list[User]:
    """The team's reps on ``day``, by name."""
    ids = Membership.objects.filter(
        active_memberships(day), unit_id=team_id, role=Membership.Role.REP
    ).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "pk"))


def heatmap(*, team: OrgUnit, period: Period, day: dt.date) -> dict[str, Any]:
    """The team heat map, reps x symptoms, for one period.

    ``{"symptoms": [(code, label)], "rows": [{"rep", "cells": [Finding | None], "count"}],
    "totals": [int per symptom]}``. Rows are the team's reps today plus any rep with a
    finding in the period. Two queries.
    """
    findings = list(open_findings(team_id=team.pk, period=period))
    reps = {u.pk: u for u in team_reps(team.pk, day)}
    for f in findings:
        reps.setdefault(f.rep_id, f.rep)
    by_key = {(f.rep_id, f.symptom): f for f in findings}
    symptoms = list(Symptom.choices)
    rows: list[dict[str, Any]] = []
    for rep in sorted(reps.values(), key=lambda u: (u.display_name or u.username, u.pk)):
        cells = [by_key.get((rep.pk, code)) for code, _label in symptoms]
        rows.append({"rep": rep, "cells": cells, "count": sum(1 for c in cells if c)})
    totals = [sum(1 for r in rows if r["cells"][i]) for i in range(len(symptoms))]
    return {"symptoms": symptoms, "rows": rows, "totals": totals}


def plan_list(
    *, scope: Scope, status: str = "", team_id: int | None = None
) -> QuerySet[CoachingPlan]:
    """Visible plans, newest first, with counts of sessions and measures annotated."""
    qs = plans_visible(scope).annotate(
        n_sessions=Count("sessions", distinct=True), n_measures=Count("measures", distinct=True)
    )
    if status:
        qs = qs.filter(status=status)
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("-start", "-id")


def plan_effect(plan: CoachingPlan, today: dt.date | None = None) -> dict[str, Any]:
    """The plan's effect: its KPIs over equal windows before vs during/after the plan.

    ``{"before": (first, last) | None, "after": ..., "weeks": n, "rows": effect.compare(...),
    "chart": {"labels": [...], "start_index": int, "series": [{"name", "metric", "data"}]}}``.
    Figures come from coaching.services.rep_metrics (KPI snapshots or live compute).
    """
    today = today or local_today()
    metrics = [m for m in (plan.effect_metrics or []) if m in effect.EFFECT_METRICS] or [
        "visits",
        "effective_activity_rate",
    ]
    win = effect.windows(plan.start, plan.end, today)
    if not win.after:
        return {
            "before": None,
            "after": None,
            "weeks": 0,
            "rows": [],
            "chart": None,
            "metrics": metrics,
        }
    weeks = [iso_week_period(*monday.isocalendar()[:2]) for monday in win.before + win.after]
    figures = rep_metrics(
        team_ids=[plan.team_id], rep_ids=[plan.coachee_id], periods=weeks, metrics=metrics
    )
    per_week = [figures.get((w.key, plan.coachee_id), {}) for w in weeks]
    n = len(win.after)
    rows = effect.compare(metrics, per_week[:n], per_week[n:])
    chart = {
        "labels": [w.key for w in weeks],
        "start_index": n,
        "series": [
            {
                "metric": m,
                "is_rate": m in effect.RATE_METRICS,
                "data": [effect.week_value(m, f) for f in per_week],
            }
            for m in metrics
        ],
    }
    six = dt.timedelta(days=6)
    return {
        "before": (win.before[0], win.before[-1] + six),
        "after": (win.after[0], win.after[-1] + six),
        "weeks": n,
        "rows": rows,
        "chart": chart,
        "metrics": metrics,
    }
