"""Dashboard pages: the viewer's own scope, a team, a rep, a branch."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from accounts.models import OrgUnit
from kpi import selectors
from kpi.views.dashboard_data import _filters, dashboard_data
from kpi.views.runs import _run_context
from kpi.views.scopes import (
    DashScope,
    _can_lead,
    _scope,
    period_from_request,
    resolve_branch,
    resolve_rep,
    resolve_team,
)


def _render_dashboard(request: HttpRequest, ds: DashScope) -> HttpResponse:
    scope = _scope(request)
    period = period_from_request(request)
    filters = _filters(request, ds, period)
    data = dashboard_data(
        ds, period, segment=filters["segment"], rank_by=request.GET.get("rank", "")
    )
    query = urlencode({"scope": ds.key, "period": period.key, "segment": filters["segment"]})
    breadcrumbs = []
    if ds.kind == "team" and ds.obj.parent_id:
        # Link the branch only for those who may open its dashboard (not its supervisors).
        try:
            resolve_branch(scope, ds.obj.parent.code)
        except Http404:
            pass
        else:
            breadcrumbs.append(ds.obj.parent)
    context = {
        "ds": ds,
        "filters": filters,
        **_run_context(selectors.latest_run()),
        "can_recompute": _can_lead(scope, ds)
        and scope.primary_role in ("supervisor", "manager", "admin"),
        "export_url": f"{reverse('kpi:dashboard_export')}?{query}",
        "breadcrumbs": breadcrumbs,
        **data,
    }
    return render(request, "kpi/dashboard.html", context)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """/kpi/: the viewer's own dashboard (rep -> own, supervisor -> team, manager ->
    branch; docs/domain section 10), or the team/branch picked in the filter."""
    scope = _scope(request)
    keep = {
        k: v for k, v in request.GET.items() if k in ("period", "kind", "month", "week", "segment")
    }
    suffix = f"?{urlencode(keep)}" if keep else ""
    for key, page in (
        ("team", "team_dashboard"),
        ("branch", "branch_dashboard"),
        ("rep", "rep_dashboard"),
    ):
        if value := request.GET.get(key):
            try:
                return redirect(reverse(f"kpi:{page}", args=[value]) + suffix)
            except NoReverseMatch:
                # Not a code or user name at all (``a/b``): no such team, branch or rep.
                raise Http404 from None
    role = scope.primary_role
    if role in ("manager", "admin"):
        branches = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("name")
        if role == "manager":
            # a manager of a branch, or of a company above several branches
            branches = branches.filter(
                Q(pk__in=sorted(scope.managed_unit_ids))
                | Q(children__id__in=sorted(scope.managed_team_ids))
            ).distinct()
        branch = branches.first()
        if branch is not None:
            return redirect(reverse("kpi:branch_dashboard", args=[branch.code]) + suffix)
        team = (
            OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, pk__in=sorted(scope.managed_team_ids))
            .order_by("name")
            .first()
        )
        if team is not None:
            return redirect(reverse("kpi:team_dashboard", args=[team.code]) + suffix)
    if role == "supervisor" or (role == "manager" and scope.supervised_team_ids):
        team = OrgUnit.objects.filter(pk=min(scope.supervised_team_ids)).first()
        if team is not None:
            return redirect(reverse("kpi:team_dashboard", args=[team.code]) + suffix)
    if role == "rep":
        return redirect(reverse("kpi:rep_dashboard", args=[request.user.username]) + suffix)
    return render(request, "kpi/no_dashboard.html", status=200)


@login_required
@require_GET
def team_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A team's dashboard (supervisor, manager above, admin; others 404)."""
    return _render_dashboard(request, resolve_team(_scope(request), code))


@login_required
@require_GET
def rep_dashboard(request: HttpRequest, username: str) -> HttpResponse:
    """A rep's own dashboard (the rep, the team's leads, admin; others 404)."""
    return _render_dashboard(request, resolve_rep(_scope(request), username))


@login_required
@require_GET
def branch_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A branch's dashboard with its teams ranked (its manager, admin; others 404)."""
    return _render_dashboard(request, resolve_branch(_scope(request), code))
