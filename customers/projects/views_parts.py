"""Writes of the project page's parts: control point updates, the decision chain,
documents (upload and the permission-checked download), competitors and support requests.
Each answers 404 outside the viewer's scope and 403 to a viewer who only reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import get_visible_or_404, visible_users
from customers.models import Contact, DecisionMember, SupportRequest

from . import selectors, services
from .documents import stored_name_is_safe
from .forms import AnswerForm, ChainForm, CompetitorForm, DocumentForm, PointForm, SupportForm
from .views import _scope, _user, add_errors, render_detail


def _back(pk: int, anchor: str) -> HttpResponse:
    return redirect(reverse("projects:project_detail", kwargs={"pk": pk}) + f"#{anchor}")


@login_required
@require_POST
def point_update(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """Update one control point (status, owner, dates, notes, a dated update)."""
    scope = _scope(request)
    project = selectors.project_get(scope=scope, pk=pk)
    services.project_check_can_edit(project=project, scope=scope)
    point = get_visible_or_404(project.points.all(), scope, position=position)
    point.project = project
    form = PointForm(
        request.POST, owners=visible_users(scope).order_by("username"), prefix=f"p{position}"
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.point_update(point=point, scope=scope, by=_user(request), **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Control point updated."))
            return _back(project.pk, f"point-{position}")
    return render_detail(request, project, {f"point-{position}": form}, open_point=position)


@login_required
@require_POST
def chain_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to the decision chain."""
    scope = _scope(request)
    project = selectors.project_get(scope=scope, pk=pk)
    services.project_check_can_edit(project=project, scope=scope)
    form = ChainForm(request.POST, contacts=Contact.objects.filter(customer=project.customer))
    if form.is_valid():
        try:
            services.chain_add(project=project, scope=scope, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Added to the decision chain."))
            return _back(project.pk, "chain")
    return render_detail(request, project, {"chain": form})


@login_required
@require_POST
def chain_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    """Take a person out of the decision chain."""
    scope = _scope(request)
    project = selectors.project_get(scope=scope, pk=pk)
    services.project_check_can_edit(project=project, scope=scope)
    row = get_visible_or_404(DecisionMember.objects.filter(project=project), scope, pk=member)
    row.project = project
    services.chain_remove(member=row, scope=scope)
    return _back(project.pk, "chain")


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a version of a proposal, agreement or other document (PDF, Office)."""
    scope = _scope(request)
    project = selectors.project_get(scope=scope, pk=pk)
    services.project_check_can_edit(project=project, scope=scope)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_upload(
                project=project,
                scope=scope,
                by=_user(request),
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                name=upload.name or "",
                data=upload.read(),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Document uploaded."))
            return _back(project.pk, "documents")
    return render_detail(request, project, {"document": form})


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
    scope = _scope(request)
    project = selectors.project_get(scope=scope, pk=pk)
    services.project_check_can_edit(project=project, scope=scope)
    form = CompetitorForm(request.POST)
    if form.is_valid():
        try:
            services.competitor_add(project=project, scope=scope, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Competitor recorded."))
            return _back(project.pk, "competitors")
    return render_detail(request, project, {"competitor": form})


@login_required
@require_POST
def support_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the supervisor or the company for support."""
    scope = _scope(request)
    project = selectors.project_get(scope=scope, pk=pk)
    services.project_check_can_edit(project=project, scope=scope)
    form = SupportForm(request.POST)
    if form.is_valid():
        try:
            services.support_ask(
                project=project, scope=scope, by=_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Support requested."))
            return _back(project.pk, "support")
    return render_detail(request, project, {"support": form})


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
