"""Project pages (docs/domain, section 7): the team's list with filters, the board by current
control point, a new project, the project page (timeline, Gantt-style view, control points,
decision chain, documents, competitors, support) and its status.

Every project is read through :func:`customers.projects.selectors.project_get`: other
teams get 404; visible projects the viewer may not change answer 403 on write. The writes of
the project page's parts are in ``views_parts``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from accounts.models import User
from accounts.scoping import Scope, local_today, visible_teams, visible_users
from customers.models import Contact, Segment
from customers.selectors import customer_queryset
from domain import projects as rules

from . import selectors, services
from .forms import (
    AnswerForm,
    ChainForm,
    CompetitorForm,
    DocumentForm,
    PointForm,
    ProjectForm,
    StatusForm,
    SupportForm,
)


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def can_edit(project: Any, scope: Scope) -> bool:
    """True when the viewer may change the project (owner, supervisor, admin)."""
    try:
        services.project_check_can_edit(project=project, scope=scope)
    except PermissionDenied:
        return False
    return True


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    """The visible projects with filters: status, overdue, minimum value, owner, team."""
    scope = _scope(request)
    filters = selectors.ProjectFilters.from_query(request.GET)
    today = local_today()
    projects = selectors.project_list(scope=scope, filters=filters, today=today)
    return render(
        request,
        "customers/projects/project_list.html",
        {
            "projects": projects,
            "filters": filters,
            "statuses": rules.PROJECT_STATUSES,
            "owners": visible_users(scope).order_by("username"),
            "teams": visible_teams(scope),
            "today": today,
            "can_create": _can_create(scope),
        },
    )


def _can_create(scope: Scope) -> bool:
    try:
        services.project_check_can_create(scope=scope)
    except PermissionDenied:
        return False
    return True


@login_required
@require_GET
def project_board(request: HttpRequest) -> HttpResponse:
    """Open projects in one column per current control point."""
    scope = _scope(request)
    columns = selectors.project_board(
        scope=scope, today=local_today(), definitions=services.control_point_definitions()
    )
    return render(request, "customers/projects/project_board.html", {"columns": columns})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    """Open a project for a visible group customer (``?customer=`` preselects one)."""
    scope = _scope(request)
    services.project_check_can_create(scope=scope)
    customers = customer_queryset(scope).filter(segment=Segment.GROUP, team__isnull=False)
    owners = visible_users(scope).order_by("username")
    initial: dict[str, Any] = {"owner": scope.user_id}
    if (pk := request.GET.get("customer", "")).isdigit() and int(pk) < 2**31:
        initial["customer"] = int(pk)
    form = ProjectForm(request.POST or None, customers=customers, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(scope=scope, by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Project opened."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "customers/projects/project_form.html", {"form": form})


def render_detail(
    request: HttpRequest, project: Any, forms: dict[str, Any] | None = None, open_point: int = 0
) -> HttpResponse:
    """The project page, with ``forms`` replacing the blank ones (after an invalid POST)."""
    scope = _scope(request)
    today = local_today()
    project = selectors.project_detail(project)
    owners = visible_users(scope).order_by("username")
    points = list(project.points.all())
    current = rules.current_index([p.status for p in points])
    forms = forms or {}
    point_forms = []
    for i, point in enumerate(points):
        form = forms.get(f"point-{point.position}") or PointForm(
            owners=owners,
            prefix=f"p{point.position}",
            initial={
                "status": point.status,
                "owner": point.owner_id,
                "start": point.start,
                "due": point.due,
                "notes": point.notes,
            },
        )
        point_forms.append(
            {
                "point": point,
                "form": form,
                "current": i == current,
                "overdue": point.is_overdue(today),
            }
        )
    chain = sorted(project.chain.all(), key=lambda m: (m.order, m.pk))
    context = {
        "project": project,
        "can_edit": can_edit(project, scope),
        "can_answer": scope.can_manage_team(project.team_id),
        "points": point_forms,
        "open_point": open_point,
        "overdue_count": sum(1 for p in point_forms if p["overdue"]),
        "chain": chain,
        "timeline": selectors.timeline(project),
        "gantt": selectors.gantt(project, today),
        "chain_form": forms.get("chain")
        or ChainForm(contacts=Contact.objects.filter(customer=project.customer)),
        "document_form": forms.get("document") or DocumentForm(),
        "competitor_form": forms.get("competitor") or CompetitorForm(),
        "support_form": forms.get("support") or SupportForm(),
        "answer_form": AnswerForm(),
        "status_form": StatusForm(initial={"status": project.status}),
        "error_panel": next(iter(forms), ""),
    }
    return render(request, "customers/projects/project_detail.html", context)


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The project page (404 outside the viewer's scope)."""
    return render_detail(request, selectors.project_get(scope=_scope(request), pk=pk))


@login_required
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the project's status; winning moves the customer to deal."""
    scope = _scope(request)
    project = selectors.project_get(scope=scope, pk=pk)
    services.project_check_can_edit(project=project, scope=scope)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return render_detail(request, project, {"status": form})
    services.project_set_status(
        project=project, scope=scope, by=_user(request), status=form.cleaned_data["status"]
    )
    messages.success(request, _("Project status saved."))
    return redirect("projects:project_detail", pk=project.pk)
