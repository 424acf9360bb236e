"""The rep's Today editor: create, edit, autosave, plan items, submit and amend
(see docs/domain, journals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scoping import local_today
from customers.models import Customer

from .. import calculations as calc
from .. import selectors, services
from ..forms import (
    CommentForm,
    JournalTextForm,
    PlanItemForm,
    VisitForm,
)
from ..models import Comment, Journal, PlanItem, Visit
from ..presentation import (
    ACHIEVEMENT_LABELS,
    contact_counts,
)
from ._common import _form_errors_from, _parse_day, _scope
from .form_html import form_fields_html

#: The plan item columns the work panel reads, and its customer's name.
PLAN_COLUMNS = (
    "journal",
    "kind",
    "position",
    "customer",
    "purpose",
    "preparation",
    "carried_from",
    "customer__name",
)


def _default_visit_time(journal: Journal) -> dt.time:
    now = timezone.localtime()
    if now.date() == journal.day:
        return now.time().replace(second=0, microsecond=0)
    return dt.time(10, 0)


#: An overdue step's customer columns left unread: all but the name, the stage and the owner.
_CUSTOMER_UNSHOWN_IN_STEPS = tuple(
    f for f in selectors.CUSTOMER_BUT_NAME if f not in ("customer__stage", "customer__owner")
)


def _work_context(
    request: HttpRequest,
    journal: Journal,
    *,
    plan_form: PlanItemForm | None = None,
    visit_form: VisitForm | None = None,
    saved: str = "",
) -> dict[str, object]:
    """Context of the work panel: plan, suggestions, visit records, plan achievement."""
    customers = selectors.own_customers(rep=journal.rep)
    editable = journal.rep_id == _scope(request).user_id and not journal.is_locked()
    stored = journal.pk is not None  # Today before the first write: nothing stored yet
    # Of a plan item's or visit's customer the panel shows the name only: the other
    # columns are left unread (their compilation and loading cost more than the query).
    plan = (
        list(
            journal.plan_items.select_related("customer")
            .only(*PLAN_COLUMNS)
            .order_by("kind", "position", "id")
        )
        if stored
        else []
    )
    visits = (
        list(
            journal.visits.select_related("customer", "plan_item")
            .defer(*selectors.CUSTOMER_BUT_NAME)
            .order_by("occurred_at", "id")
        )
        if stored
        else []
    )
    done = calc.plan_items_done(
        [(p.pk, p.customer_id, p.purpose) for p in plan],
        [(v.plan_item_id, v.customer_id, v.purpose) for v in visits],
    )
    for item in plan:
        item.done = item.pk in done  # type: ignore[attr-defined]
    plan_form = plan_form or PlanItemForm(customers=customers, auto_id="plan_%s")
    # A new visit form is only shown: its customer is a hidden input the picker fills
    # (journals:customer_search) and the POST is validated against the visitable customers
    # (visits.visit_add), so the shown form's queryset is never read; building
    # selectors.visitable_customers for it cost a scope and a union on every panel.
    visit_form = visit_form or VisitForm(
        customers=Customer.objects.none(),
        auto_id="visit_%s",
        initial={"time": _default_visit_time(journal), "outcome": Visit.Outcome.INFO},
    )
    groups = [
        (PlanItem.Kind.VISIT, _("Planned visits")),
        (PlanItem.Kind.APPOINTMENT, _("Planned appointments")),
        (PlanItem.Kind.FOLLOW_UP, _("Planned follow-ups")),
    ]
    return {
        "journal": journal,
        "editable": editable,
        "journal_urls": write_urls(journal),
        "journal_key": f"journal-{journal.rep_id}-{journal.day:%Y%m%d}",
        "plan_groups": [
            {"kind": kind, "label": label, "items": [p for p in plan if p.kind == kind]}
            for kind, label in groups
        ],
        "plan_count": len(plan),
        "visits": visits,
        "contact_counts": contact_counts(visits),
        "visits_by_others": selectors.visits_by_others(journal),
        "suggestions": selectors.plan_suggestions(journal=journal, planned=plan)
        if editable
        else [],
        # Each offered for the plan like a suggestion (its customer's stage gives the
        # purpose, its owner whether the customer's page may be linked).
        "overdue_steps": selectors.overdue_step_suggestions(
            steps=services.next_steps_open(rep_ids=[journal.rep_id], until=journal.day)
            .filter(next_step_date__lt=journal.day)
            .defer(*_CUSTOMER_UNSHOWN_IN_STEPS)[:20],
            planned=plan,
        )
        if editable
        else [],
        "achievement": _achievement_rows(
            [p.purpose for p in plan], [(v.purpose, v.channel) for v in visits]
        ),
        "plan_form": plan_form,
        "visit_form": visit_form,
        # Both forms' fields as HTML, the unbound ones rendered once per language and
        # initial values (form_html); only an editable panel shows them.
        "plan_fields": form_fields_html("journals/_plan_form_fields.html", plan_form, "plan_form")
        if editable
        else "",
        "visit_fields": form_fields_html(
            "journals/_visit_form_fields.html", visit_form, "visit_form"
        )
        if editable
        else "",
        "saved": saved,
    }


def write_urls(journal: Journal) -> dict[str, str]:
    """The editor's write URLs for ``journal``: keyed by the rep's local day
    (``/journals/day/2026-12-08/autosave/``, ...), so they work before the day's row exists
    (the first write creates it, :func:`_own_journal_of_day`) and after."""
    day = journal.day.isoformat()
    return {
        name: reverse(f"journals:day_{name}", kwargs={"day": day})
        for name in ("autosave", "plan", "visit", "submit")
    }


def _achievement_rows(
    plan: list[str], actual: list[tuple[str, str | None]]
) -> list[dict[str, object]]:
    return [
        {"row": row, "label": ACHIEVEMENT_LABELS.get(row.key, row.key)}
        for row in calc.plan_achievement(plan, actual)
    ]


def _editor(request: HttpRequest, journal: Journal) -> HttpResponse:
    comments = (
        list(
            Comment.objects.filter(journal=journal).select_related("author").order_by("created_at")
        )
        if journal.pk is not None
        else []
    )
    context = _work_context(request, journal)
    context.update(
        {
            "text_form": JournalTextForm(instance=journal),
            "comments": comments,
            "comment_form": CommentForm(),
            "is_today": journal.day == local_today(),
            "rule": selectors.effective_rule(journal.team_id),
        }
    )
    context["deadline"] = selectors.deadline_of(journal.day, context["rule"])  # type: ignore[arg-type]
    return render(request, "journals/editor.html", context)


@never_cache
@login_required
def today(request: HttpRequest) -> HttpResponse:
    """The rep's journal for the organisation's today. GET writes nothing: before the
    day's first write the editor shows an unsaved draft, and its forms post to the day's
    URLs (:func:`write_urls`), whose first write creates the row."""
    try:
        journal = services.journal_of_day(rep=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        return render(
            request, "journals/no_team.html", {"message": " ".join(exc.messages)}, status=200
        )
    if journal.is_locked():
        return redirect("journals:journal_detail", pk=journal.pk)
    return _editor(request, journal)


@login_required
@require_http_methods(["GET", "POST"])
def journal_create(request: HttpRequest) -> HttpResponse:
    """POST: start the viewer's own journal for ``day`` (e.g. a missing day from the
    calendar); a ``rep`` other than the viewer is refused with 403. GET (a bookmark or a
    typed URL): redirect to Today."""
    if request.method == "GET":
        return redirect("journals:today")
    scope = _scope(request)
    raw_rep = request.POST.get("rep")
    if raw_rep and raw_rep != str(request.user.pk):
        raise PermissionDenied(_("You can only write your own journal."))
    services.journal_check_can_create(rep=request.user, scope=scope)  # type: ignore[arg-type]
    day = _parse_day(request, request.POST.get("day"), local_today())
    try:
        journal = services.journal_get_or_create_today(rep=request.user, day=day)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("journals:calendar")
    return redirect(_edit_url(journal))


def _edit_url(journal: Journal) -> str:
    if journal.day == local_today() and not journal.is_locked():
        return reverse("journals:today")
    if journal.is_locked():
        return reverse("journals:journal_detail", args=[journal.pk])
    return reverse("journals:journal_edit", args=[journal.pk])


@never_cache
@login_required
def journal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor for one of the viewer's own draft journals (403 otherwise)."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_edit(journal=journal, scope=_scope(request))
    return _editor(request, journal)


def _editable(request: HttpRequest, pk: int) -> Journal:
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_edit(journal=journal, scope=_scope(request))
    if journal.rep_id == request.user.pk:
        journal.rep = request.user  # no query for journal.rep
    return journal


def _work_response(request: HttpRequest, journal: Journal, **kwargs: Any) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "journals/_work_panel.html", _work_context(request, journal, **kwargs)
        )
    for form in (kwargs.get("plan_form"), kwargs.get("visit_form")):
        if form is not None and form.errors:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return redirect(_edit_url(journal))


@login_required
@require_GET
def journal_work(request: HttpRequest, pk: int) -> HttpResponse:
    """The work panel alone (htmx refresh, e.g. after cancelling an edit)."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    return render(request, "journals/_work_panel.html", _work_context(request, journal))


@login_required
@require_POST
def journal_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the rep's text as they type (htmx, one or more fields); answers a small
    status line. Fields absent from the POST are left as they are."""
    journal = _editable(request, pk)
    form = JournalTextForm(request.POST, instance=journal)
    values = {}
    for name in ("learning_topic", "takeaways", "summary"):
        if name in request.POST:
            field = form.fields[name]
            try:
                values[name] = field.clean(request.POST.get(name, ""))
            except ValidationError as exc:
                return render(
                    request,
                    "journals/_autosave_status.html",
                    {"error": " ".join(exc.messages)},
                )
    services.journal_update_text(journal=journal, by=request.user, **values)  # type: ignore[arg-type]
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, _("Saved."))
        return redirect(_edit_url(journal))
    return render(request, "journals/_autosave_status.html", {"saved_at": timezone.localtime()})


@login_required
@require_POST
def plan_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a plan item (from the form or an offered suggestion)."""
    journal = _editable(request, pk)
    form = PlanItemForm(
        request.POST, customers=selectors.own_customers(rep=journal.rep), auto_id="plan_%s"
    )
    if form.is_valid():
        carried = None
        if form.cleaned_data.get("carried_from"):
            carried = PlanItem.objects.filter(
                pk=form.cleaned_data["carried_from"], journal__rep=journal.rep
            ).first()
        try:
            services.plan_item_add(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                purpose=form.cleaned_data["purpose"],
                customer=form.cleaned_data.get("customer"),
                preparation=form.cleaned_data.get("preparation") or "",
                carried_from=carried,
            )
            return _work_response(request, journal, saved="plan")
        except ValidationError as exc:
            _form_errors_from(form, exc)
    return _work_response(request, journal, plan_form=form)


@login_required
@require_POST
def plan_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a plan item from the viewer's own draft journal."""
    item = selectors.plan_item_get(scope=_scope(request), pk=pk)
    services.journal_check_can_edit(journal=item.journal, scope=_scope(request))
    journal = item.journal
    services.plan_item_remove(item=item, by=request.user)  # type: ignore[arg-type]
    return _work_response(request, journal)


@login_required
@require_POST
def journal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the viewer's draft; late or refused per the team's submission rule."""
    journal = _editable(request, pk)
    try:
        services.journal_submit(journal=journal, by=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_edit_url(journal))
    if journal.is_late:
        messages.warning(request, _("Journal submitted after the deadline (late)."))
    else:
        messages.success(request, _("Journal submitted. Well done!"))
    return redirect("journals:journal_detail", pk=journal.pk)


def _own_journal_of_day(request: HttpRequest, day: str) -> int:
    """The id of the viewer's own journal of local ``day`` (ISO date), created as a draft
    by the journal service on this first write (``journal_get_or_create_today``). 404 for
    a malformed day; 403 when the viewer may not start a journal (no team that day, more
    than a day ahead: the service's ValidationError)."""
    try:
        parsed = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    user = request.user
    services.journal_check_can_create(rep=user, scope=_scope(request))  # type: ignore[arg-type]
    try:
        journal = services.journal_get_or_create_today(rep=user, day=parsed)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise PermissionDenied(" ".join(exc.messages)) from None
    return journal.pk


@login_required
@require_POST
def day_autosave(request: HttpRequest, day: str) -> HttpResponse:
    """:func:`journal_autosave` on the viewer's journal of ``day``, created on this write."""
    return journal_autosave(request, _own_journal_of_day(request, day))


@login_required
@require_POST
def day_plan_add(request: HttpRequest, day: str) -> HttpResponse:
    """:func:`plan_item_add` on the viewer's journal of ``day``, created on this write."""
    return plan_item_add(request, _own_journal_of_day(request, day))


@login_required
@require_POST
def day_submit(request: HttpRequest, day: str) -> HttpResponse:
    """:func:`journal_submit` of the viewer's journal of ``day``, created on this write."""
    return journal_submit(request, _own_journal_of_day(request, day))


@login_required
@require_POST
def journal_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen the viewer's submitted journal as a new revision (the old one is kept)."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_amend(journal=journal, scope=_scope(request))
    services.journal_amend(journal=journal, by=request.user)  # type: ignore[arg-type]
    messages.info(
        request,
        _("Amending: the submitted version is kept as revision %(n)d.")
        % {"n": journal.revision - 1},
    )
    return redirect(_edit_url(journal))


# --- customer picker ----------------------------------------------------------------------
