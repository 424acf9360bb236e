"""KPI runs: the recompute button and a run's status page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Scope
from kpi.models import KpiRun
from kpi.views.scopes import _can_lead, _scope, _user, parse_period_params, resolve_scope_key


def _run_context(run: KpiRun | None) -> dict[str, Any]:
    active = run is not None and run.status in (KpiRun.Status.PENDING, KpiRun.Status.RUNNING)
    return {"run": run, "run_active": active}


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    """POST: start a manual KPI run for a scope the viewer leads (supervisor, manager,
    admin) over the chosen and the previous period. Answers the run panel (htmx) or
    redirects back. 404 for scopes not visible, 403 for visible ones the viewer does not
    lead (a rep)."""
    from kpi.services import kpi_run_start

    scope = _scope(request)
    ds = resolve_scope_key(scope, request.POST.get("scope", ""))
    if not _can_lead(scope, ds) or scope.primary_role not in ("supervisor", "manager", "admin"):
        raise PermissionDenied
    period = parse_period_params(request.POST)
    run = kpi_run_start(
        trigger=KpiRun.Trigger.MANUAL,
        periods=[period.previous().key, period.key],
        scope=ds.key,
        by=_user(request),
    )
    if request.headers.get("HX-Request"):
        run.refresh_from_db()
        return render(
            request,
            "kpi/_run_panel.html",
            {**_run_context(run), "can_recompute": True, "ds": ds, "filters": {"period": period}},
        )
    messages.success(request, _("Recompute started."))
    return redirect(f"{ds.url}?{urlencode({'period': period.key})}")


@login_required
@require_GET
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run panel (htmx polling while a run is queued or running). Leads only."""
    scope = _scope(request)
    if scope.primary_role not in ("supervisor", "manager", "admin"):
        raise Http404
    run = KpiRun.objects.filter(pk=pk).first()
    # Organisation-wide runs (scope "") are shown on every dashboard; scoped ones only
    # to viewers of that scope.
    if run is None or (
        run.scope
        and not scope.is_admin
        and run.requested_by_id != scope.user_id
        and not _run_visible(scope, run)
    ):
        raise Http404
    context: dict[str, Any] = {**_run_context(run), "can_recompute": False}
    if request.GET.get("scope"):
        # The dashboard's own scope, so the button comes back once the run is done.
        ds = resolve_scope_key(scope, request.GET["scope"])
        context.update(
            ds=ds,
            can_recompute=_can_lead(scope, ds),
            filters={"period": parse_period_params(request.GET)},
        )
    return render(request, "kpi/_run_panel.html", context)


def _run_visible(scope: Scope, run: KpiRun) -> bool:
    try:
        resolve_scope_key(scope, run.scope)
    except Http404:
        return False
    return True
