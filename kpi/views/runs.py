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

from accounts.scoping import Scope, get_visible_or_404
from kpi.models import KpiRun
from kpi.views.scopes import _can_lead, _scope, _user, parse_period_params, resolve_scope_key

#: Who follows KPI runs: the leads (docs/domain, section 1); reps see only their figures.
LEAD_ROLES = ("supervisor", "manager", "admin")


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
    if not _can_lead(scope, ds) or scope.primary_role not in LEAD_ROLES:
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


def _visible_run(scope: Scope, pk: int) -> KpiRun:
    """The run ``pk`` as the viewer may follow it, else Http404 (existence never leaks).

    Leads only (fetched with :func:`accounts.scoping.get_visible_or_404`, like every kpi
    page's row). An organisation-wide run (scope ``""``) is shown on every lead's dashboard;
    a scoped one (``"team:CODE"``, ``"branch:CODE"``, ``"rep:USERNAME"``) to the admins, to
    the lead who started it, and to whoever may open that scope's dashboard: the dashboards'
    own rule, :func:`kpi.views.scopes.resolve_scope_key` (404 outside the viewer's scope).
    """
    if scope.primary_role not in LEAD_ROLES:
        raise Http404
    # Every run is a lead's to read unless its scope says otherwise (below); the shared
    # getter answers 404 for an unknown or out-of-range id.
    run = get_visible_or_404(KpiRun.objects.all(), scope, pk=pk)
    if run.scope and not scope.is_admin and run.requested_by_id != scope.user_id:
        resolve_scope_key(scope, run.scope)
    return run


@login_required
@require_GET
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run panel (htmx polling while a run is queued or running). Leads only; a run
    outside the viewer's scope answers 404 (:func:`_visible_run`)."""
    scope = _scope(request)
    run = _visible_run(scope, pk)
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
