"""Writes of the project page's parts: control point updates, the decision chain,
documents (upload and the permission-checked download), competitors and support requests.
Each answers 404 outside the viewer's scope and 403 to a viewer who only reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_service_errors
from accounts.scoping import Scope, get_visible_or_404, visible_users
from customers.models import Contact, DecisionMember, Project, SupportRequest

from . import selectors, services
from .documents import stored_name_is_safe
from .forms import AnswerForm, ChainForm, CompetitorForm, DocumentForm, PointForm, SupportForm
from .views import _scope, _user, render_detail


def _back(pk: int, anchor: str) -> HttpResponse:
    return redirect(reverse("projects:project_detail", kwargs={"pk": pk}) + f"#{anchor}")


def _editable_project(request: HttpRequest, pk: int) -> tuple[Scope, Project]:
    """The project ``pk`` and the viewer's scope: 404 outside the scope, 403 to a reader."""
    scope = _scope(request)
    project = selectors.project_get(scope=scope, pk=pk)
    services.project_check_can_edit(project=project, scope=scope)
    return scope, project


def _save_part(
    request: HttpRequest,
    project: Project,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    *,
    key: str,
    done: str,
    **render: Any,
) -> HttpResponse:
    """The shape every part write shares: validate ``form``, call ``write`` with its cleaned
    data, then say ``done`` and go back to the part (anchor ``key``); a form error or a
    service's ValidationError shows the project page again with the form under ``key``."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return _back(project.pk, key)
    return render_detail(request, project, {key: form}, **render)


@login_required
@require_POST
def point_update(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """Update one control point (status, owner, dates, notes, a dated update)."""
    scope, project = _editable_project(request, pk)
    point = get_visible_or_404(project.points.all(), scope, position=position)
    point.project = project
    form = PointForm(
        request.POST, owners=visible_users(scope).order_by("username"), prefix=f"p{position}"
    )
    return _save_part(
        request,
        project,
        form,
        lambda data: services.point_update(point=point, scope=scope, by=_user(request), **data),
        key=f"point-{position}",
        done=_("Control point updated."),
        open_point=position,
    )


@login_required
@require_POST
def chain_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to the decision chain."""
    scope, project = _editable_project(request, pk)
    form = ChainForm(request.POST, contacts=Contact.objects.filter(customer=project.customer))
    return _save_part(
        request,
        project,
        form,
        lambda data: services.chain_add(project=project, scope=scope, **data),
        key="chain",
        done=_("Added to the decision chain."),
    )


@login_required
@require_POST
def chain_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """Take a person out of the decision chain."""
    scope, project = _editable_project(request, pk)
    row = get_visible_or_404(DecisionMember.objects.filter(project=project), scope, pk=member)
    row.project = project
    services.chain_remove(member=row, scope=scope)
    return _back(project.pk, "chain")


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a version of a proposal, agreement or other document (PDF, Office)."""
    scope, project = _editable_project(request, pk)

    def write(data: dict[str, Any]) -> object:
        upload = data["file"]
        return services.document_upload(
            project=project,
            scope=scope,
            by=_user(request),
            kind=data["kind"],
            title=data["title"],
            name=upload.name or "",
            data=upload.read(),
        )

    form = DocumentForm(request.POST, request.FILES)
    return _save_part(request, project, form, write, key="documents", done=_("Document uploaded."))


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """One document version of a visible project, as an attachment (404 otherwise).

    Files are never served from ``MEDIA_URL``: this view is the only way to them, and it
    opens only names inside the storage folder (docs/architecture.md, "Security")."""
    version = selectors.version_get(scope=_scope(request), pk=pk)
    if not stored_name_is_safe(version.file.name, services.UPLOAD_FOLDER):
        raise Http404
    try:
        handle = version.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type,
    )


@login_required
@require_POST
def competitor_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a competitor, their offer and our counter-measure."""
    scope, project = _editable_project(request, pk)
    return _save_part(
        request,
        project,
        CompetitorForm(request.POST),
        lambda data: services.competitor_add(project=project, scope=scope, **data),
        key="competitors",
        done=_("Competitor recorded."),
    )


@login_required
@require_POST
def support_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the supervisor or the company for support."""
    scope, project = _editable_project(request, pk)
    return _save_part(
        request,
        project,
        SupportForm(request.POST),
        lambda data: services.support_ask(project=project, scope=scope, by=_user(request), **data),
        key="support",
        done=_("Support requested."),
    )


@login_required
@require_POST
def support_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a support request (the team's supervisors, admins)."""
    scope = _scope(request)
    visible = selectors.project_queryset(scope).values("pk")
    row = get_visible_or_404(
        SupportRequest.objects.select_related("project").filter(project__in=visible), scope, pk=pk
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.support_answer(
                request=row, scope=scope, by=_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Answer saved."))
    else:
        if not scope.can_manage_team(row.project.team_id):
            services.support_answer(request=row, scope=scope, by=_user(request), answer="")
        messages.error(request, _("Write the answer."))
    return _back(row.project_id, "support")
