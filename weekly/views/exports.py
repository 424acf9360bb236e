"""Weekly report exports (.xlsx): the personal report and the team report in the
小组活动统计 layout.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from accounts.middleware import ScopedRequest

from .. import selectors as sel
from ..exporting import report_workbook, team_workbook, workbook_response
from ..models import TeamWeeklyReport
from ._common import _report, _strict_week
from .team import _team, _team_table


@login_required
@require_GET
def report_export(request: ScopedRequest, pk: int) -> HttpResponse:
    """The personal report as .xlsx (title, figures vs plan, key customers, texts)."""
    report = _report(request, pk)
    shown, _live = sel.report_figures(report)
    wb = report_workbook(
        report=report,
        figures=shown,
        key_customers=list(report.key_customers.select_related("customer")),
    )
    name = f"weekly-{report.rep.username}-{sel.week_period(report).key}.xlsx"
    return workbook_response(wb, name)


@login_required
@require_GET
def team_report_export(request: ScopedRequest, code: str, week: str) -> HttpResponse:
    """The team report as .xlsx laid out like the seed's 小组活动统计 template."""
    team = _team(request, code)
    period = _strict_week(week)
    report = TeamWeeklyReport.objects.filter(team=team, week=period.start).first()
    ctx = _team_table(report, team, period)
    wb = team_workbook(
        team=team,
        period=period,
        table=ctx["table"],
        key_customers=list(report.key_customers.select_related("customer", "owner"))
        if report
        else [],
        coachees=list(report.key_coachees.select_related("rep")) if report else [],
        report=report,
    )
    return workbook_response(wb, f"team-weekly-{team.code}-{period.key}.xlsx")
