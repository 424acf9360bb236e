"""Visit records in the editor: from a plan item, add, edit, delete, check-in, success case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from domain import visits as domain_visits

from .. import selectors, services
from ..forms import (
    CaseForm,
    CheckInForm,
    VisitForm,
)
from ..models import Visit
from ._common import _form_errors_from, _scope
from .journal import _editable, _own_journal_of_day, _work_context, _work_response


@login_required
@require_POST
def visit_from_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: the planned visit becomes a visit record (customer, purpose carried);
    ``channel`` in the form (``phone``, ``wechat``, ``email``) records a planned appointment
    or follow-up done at a distance instead (docs/domain, section 3)."""
    item = selectors.plan_item_get(scope=_scope(request), pk=pk)
    journal = item.journal
    services.journal_check_can_edit(journal=journal, scope=_scope(request))
    channel = request.POST.get("channel") or domain_visits.IN_PERSON
    try:
        services.visit_from_plan(
            plan_item=item,
            by=request.user,  # type: ignore[arg-type]
            outcome=Visit.Outcome.INFO,
            channel=channel,
        )
    except ValidationError as exc:
        # Said above the panel (the plan form is not what was sent): e.g. no customer named,
        # or a "call" for a planned first visit (docs/domain, section 3).
        messages.error(request, " ".join(exc.messages))
        if request.htmx:  # type: ignore[attr-defined]
            context = _work_context(request, journal)
            context["panel_error"] = " ".join(exc.messages)
            return render(request, "journals/_work_panel.html", context)
        return _work_response(request, journal)
    return _work_response(request, journal, saved="visit")


def _checkin_from(data: dict[str, object], photo: object = None) -> services.CheckIn | None:
    if data.get("latitude") is None or data.get("longitude") is None:
        return None
    return services.CheckIn(
        latitude=data["latitude"],  # type: ignore[arg-type]
        longitude=data["longitude"],  # type: ignore[arg-type]
        accuracy_m=data.get("accuracy"),  # type: ignore[arg-type]
        photo=photo,  # type: ignore[arg-type]
    )


@login_required
@require_POST
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a visit (with an optional check-in: position, accuracy, photo)."""
    journal = _editable(request, pk)
    customers = selectors.visitable_customers(
        rep=journal.rep, day=journal.day, scope=_scope(request)
    )
    form = VisitForm(request.POST, request.FILES, customers=customers, auto_id="visit_%s")
    if form.is_valid():
        data = form.cleaned_data
        plan_item = None
        if data.get("plan_item"):
            # The link is a convenience: ignore it when it names another customer.
            plan_item = journal.plan_items.filter(
                pk=data["plan_item"], customer=data["customer"]
            ).first()
        try:
            services.visit_record(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                plan_item=plan_item,
                checkin=_checkin_from(data, data.get("photo")),
                **form.record_fields(journal.day),
            )
            return _work_response(request, journal, saved="visit")
        except ValidationError as exc:
            _form_errors_from(form, exc)
    return _work_response(request, journal, visit_form=form)


@login_required
@require_POST
def day_visit_add(request: HttpRequest, day: str) -> HttpResponse:
    """:func:`visit_add` on the viewer's journal of ``day``, created on this write (the
    Today page posts here before the day's journal exists)."""
    return visit_add(request, _own_journal_of_day(request, day))


@login_required
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the inline edit form of a visit record; POST: save it (author, draft only)."""
    visit = selectors.visit_get(scope=_scope(request), pk=pk)
    journal = visit.journal
    services.journal_check_can_edit(journal=journal, scope=_scope(request))
    if request.method == "POST":
        form = VisitForm(request.POST, auto_id=f"edit{visit.pk}_%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.visit_update(
                    visit=visit,
                    by=request.user,  # type: ignore[arg-type]
                    purpose=data["purpose"],
                    occurred_at=form.occurred_at(journal.day),
                    learned=data["learned"],
                    agreed=data["agreed"],
                    analysis=data["analysis"],
                    next_step=data["next_step"],
                    next_step_date=data["next_step_date"],
                    outcome=data["outcome"],
                    new_stage=data.get("new_stage") or "",
                    needs=data.get("needs") or "",
                    channel=data.get("channel") or None,
                )
                response = _work_response(request, journal)
                if request.htmx:  # type: ignore[attr-defined]
                    response["HX-Retarget"] = "#work-panel"
                    response["HX-Reswap"] = "outerHTML"
                return response
            except ValidationError as exc:
                _form_errors_from(form, exc)
    else:
        form = VisitForm(
            auto_id=f"edit{visit.pk}_%s",
            initial={
                "channel": visit.channel,
                "purpose": visit.purpose,
                "time": timezone.localtime(visit.occurred_at).time(),
                "learned": visit.learned,
                "agreed": visit.agreed,
                "analysis": visit.analysis,
                "next_step": visit.next_step,
                "next_step_date": visit.next_step_date,
                "outcome": visit.outcome,
                "new_stage": visit.new_stage,
            },
        )
    return render(request, "journals/_visit_edit.html", {"visit": visit, "form": form})


@login_required
@require_POST
def visit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a visit record of the viewer's draft (not one that moved a stage)."""
    visit = selectors.visit_get(scope=_scope(request), pk=pk)
    journal = visit.journal
    services.journal_check_can_edit(journal=journal, scope=_scope(request))
    try:
        services.visit_delete(visit=visit, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if request.htmx:  # type: ignore[attr-defined]
            context = _work_context(request, journal)
            context["panel_error"] = " ".join(exc.messages)
            return render(request, "journals/_work_panel.html", context)
    return _work_response(request, journal)


@login_required
@require_POST
def visit_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """Check in to an existing visit record (position from the browser, optional photo)."""
    visit = selectors.visit_get(scope=_scope(request), pk=pk)
    journal = visit.journal
    services.journal_check_can_edit(journal=journal, scope=_scope(request))
    form = CheckInForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.visit_checkin(
                visit=visit,
                by=request.user,  # type: ignore[arg-type]
                checkin=_checkin_from(form.cleaned_data, form.cleaned_data.get("photo")),  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    elif "photo" in form.errors:
        for error in form.errors["photo"]:
            messages.error(request, str(error))
    else:
        messages.error(request, _("The location could not be read; please try again."))
    return _work_response(request, journal, saved="checkin")


@login_required
@require_POST
def visit_case(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor marks a visit as a success case (or unmarks it)."""
    visit = selectors.visit_get(scope=_scope(request), pk=pk)
    services.visit_check_can_mark_case(visit=visit, scope=_scope(request))
    form = CaseForm(request.POST)
    form.is_valid()
    services.visit_mark_case(
        visit=visit,
        by=request.user,  # type: ignore[arg-type]
        is_case=bool(form.cleaned_data.get("is_case")),
        note=form.cleaned_data.get("note") or "",
    )
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "journals/_visit_card.html",
            {"visit": visit, "can_manage": True, "editable": False},
        )
    return redirect("journals:journal_detail", pk=visit.journal_id)


@login_required
@require_GET
def visit_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The check-in photo of a visit the viewer sees (404 otherwise, and when there is none).

    Uploaded files are never served from ``MEDIA_URL``: this view is the only way to a
    photo, so the scope decides who sees it (docs/architecture.md, "Security").
    """
    visit = selectors.visit_get(scope=_scope(request), pk=pk)
    if not visit.checkin_photo:
        raise Http404
    try:
        handle = visit.checkin_photo.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=_image_type(visit.checkin_photo.name))
    response["Content-Disposition"] = "inline"
    return response


def _image_type(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "webp": "image/webp",
        "gif": "image/gif",
        "heic": "image/heic",
    }.get(suffix, "application/octet-stream")
