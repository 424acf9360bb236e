"""The weekly meeting page (周例会, docs/domain, section 4)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.middleware import ScopedRequest
from coaching.selectors import findings_for_team
from journals.selectors import pick_team
from journals.views import minutes_context
from kpi.templatetags.kpi_format import metric_label

from .. import selectors as sel
from ._common import _scope

# --- weekly meeting -----------------------------------------------------------------------


@login_required
@require_GET
def meeting(request: ScopedRequest) -> HttpResponse:
    """The weekly meeting (周例会) of a team (``?team=``) and week (``?week=``, default the
    current week): figures vs plan with a ranking, wins, problems, success cases, key
    coachees and training topics, and the meeting's minutes, decisions and action items;
    ``?present=1`` is meeting mode (one rep per screen). Fixed number of queries whatever
    the team size."""
    scope = _scope(request)
    team, teams = pick_team(scope, request.GET.get("team"))
    period = sel.parse_week(request.GET.get("week"), sel.meeting_default_period())
    data = sel.meeting(team=team, period=period)
    if not teams:  # pragma: no cover - pick_team raises first
        raise PermissionDenied
    findings = findings_for_team(team_id=team.pk, period=period)
    by_rep: dict[int, list] = {}
    for f in findings:
        by_rep.setdefault(f.rep_id, []).append(f)
    return render(
        request,
        "weekly/meeting.html",
        {
            "m": data,
            "team": team,
            "teams": teams,
            "period": period,
            "week_label": sel.week_label(period),
            "weeks": sel.week_choices(period),
            "table_rows": data.table.display_rows(),
            "metric_labels": [metric_label(m) for m in sel.WEEK_METRICS],
            "team_report_url": reverse("weekly:team_report", args=[team.code, period.key]),
            "findings": findings,
            "slides": [{"e": e, "findings": by_rep.get(e.user.pk, [])} for e in data.reps],
            "present": request.GET.get("present") == "1",
            "base_q": urlencode({"team": str(team.pk), "week": period.key}),
            **minutes_context(request=request, team=team, kind="weekly", day=period.start),
        },
    )
