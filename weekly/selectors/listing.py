"""Scoped querysets of personal and team weekly reports (lists and detail pages)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scoping import Scope
from kpi.calculations import Period

from ..models import TeamWeeklyReport, WeeklyReport

# --- querysets ----------------------------------------------------------------------------


def report_queryset(scope: Scope) -> QuerySet[WeeklyReport]:
    """Personal reports ``scope`` may see: own, and those of visible teams (404 otherwise)."""
    return WeeklyReport.objects.visible_to(scope).select_related("rep", "team", "reviewed_by")


def team_report_queryset(scope: Scope) -> QuerySet[TeamWeeklyReport]:
    """Team reports of the teams ``scope`` leads or manages (admins: all)."""
    return TeamWeeklyReport.objects.visible_to(scope).select_related(
        "team", "author", "reviewed_by"
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
