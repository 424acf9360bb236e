"""The deal forecast with its back-test (docs/domain, section 7, "Forecast"): a panel the
dashboards load with htmx, and the same content as a page of its own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import OrgUnit
from kpi import forecast as fc
from kpi.views.scopes import DashScope, _scope, _user, resolve_scope_key


def _default_key(request: HttpRequest) -> str:
    """The viewer's own scope: their rep dashboard, supervised team or managed branch."""
    scope = _scope(request)
    if scope.is_rep and not scope.is_supervisor and not scope.is_manager:
        return f"rep:{_user(request).username}"
    if scope.supervised_team_ids:
        team = OrgUnit.objects.filter(pk=min(scope.supervised_team_ids)).first()
        return f"team:{team.code}" if team else ""
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("name")
    if not scope.is_admin:
        units = units.filter(pk__in=sorted(scope.managed_unit_ids))
    branch = units.first()
    return f"branch:{branch.code}" if branch else ""


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    """Expected deals and new revenue of the next three months for ``?scope=`` (a visible
    rep, team or branch; the viewer's own by default; 404 otherwise) beside its targets,
    and the back-test of the last six months."""
    key = request.GET.get("scope") or _default_key(request)
    if not key:
        raise Http404
    ds: DashScope = resolve_scope_key(_scope(request), key)
    data = fc.forecast_for(f"{ds.kind}:{ds.id}")
    rows = [
        {
            "month": month,
            "deals": data["deals"][i],
            "revenue": data["revenue"][i],
            "deals_target": data["targets"]["deals"][i],
            "revenue_target": data["targets"]["new_revenue"][i],
        }
        for i, month in enumerate(data["months"])
    ]
    chart = {
        "labels": [b["month"].strftime("%Y-%m") for b in data["backtest"]],
        "forecast": [round(b["forecast"], 2) for b in data["backtest"]],
        "actual": [b["actual"] for b in data["backtest"]],
    }
    context = {"ds": ds, "rows": rows, "chart": chart, **data}
    template = "kpi/_forecast.html" if getattr(request, "htmx", False) else "kpi/forecast.html"
    return render(request, template, context)
