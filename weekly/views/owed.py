"""Who still owes a weekly report or a monthly analysis, for the teams a leader sees
(docs/domain, section 4); ``?format=xlsx`` downloads the list."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.middleware import ScopedRequest
from journals.selectors import teams_for_leader
from spreadsheets.writing import safe_append

from .. import selectors as sel
from ..selectors.owed import OwedTeam, owed_reports
from ._common import _scope


def _workbook(rows: list[OwedTeam], week: str, month: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Owed reports"))
    header = [_("Team"), _("Rep"), _("Weekly report %(w)s") % {"w": week}]
    header.append(_("Monthly analysis %(m)s") % {"m": month})
    safe_append(ws, [str(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        safe_append(
            ws,
            [row.team.name, _("team report"), _("done") if row.team_report_done else _("owed"), ""],
        )
        for u in row.reps:
            safe_append(
                ws,
                [
                    row.team.name,
                    u.name,
                    _("owed") if u in row.weekly_owed else _("done"),
                    _("owed") if u in row.analysis_owed else _("done"),
                ],
            )
    for col, width in zip("ABCD", (16, 16, 22, 22), strict=True):
        ws.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def owed(request: ScopedRequest) -> HttpResponse:
    """Per team a leader sees: reps without a submitted weekly report for the week
    (``?week=``, default the last complete one), the team report's state, and reps
    without a submitted monthly analysis for the month before the week's end. Four
    queries whatever the number of teams."""
    scope = _scope(request)
    teams = teams_for_leader(scope)
    if not teams:
        raise PermissionDenied(_("Only team leaders see who owes reports."))
    period = sel.parse_week(request.GET.get("week"), sel.meeting_default_period())
    # the month before the one the week ends in: the last month whose analysis is due
    month = (period.end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rows = owed_reports(teams=teams, period=period, month=month)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            _workbook(rows, period.key, month.strftime("%Y-%m")),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="owed-{period.key}.xlsx"'
        return response
    return render(
        request,
        "weekly/owed.html",
        {
            "rows": rows,
            "period": period,
            "month": month,
            "week_label": sel.week_label(period),
            "weeks": sel.week_choices(period),
            "owing": sum(1 for r in rows if r.owes_anything),
        },
    )
