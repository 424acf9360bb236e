"""Journal pages: the rep's Today editor, journal list, detail and calendar; the supervisor
inbox, submission statistics and morning meeting. Views are thin: parse input, call a
service or selector, render. Objects outside the viewer's scope answer 404; visible but
read-only ones answer 403 on write (PermissionDenied from the services' checks).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.scoping import Scope, local_today, visible_users
from customers.services import customer_create as customers_customer_create
from customers.services import team_of

from . import calculations as calc
from . import selectors, services
from .exporting import month_workbook
from .forms import (
    EARLIEST_DAY,
    LATEST_DAY,
    CaseForm,
    CheckInForm,
    CommentForm,
    EvaluationForm,
    ExemptionForm,
    JournalFilterForm,
    JournalTextForm,
    PlanItemForm,
    VisitForm,
)
from .models import Comment, Journal, JournalRevision, PlanItem, Purpose, Visit
from .presentation import (
    ACHIEVEMENT_LABELS,
    FLAG_LABELS,
    STATUS_LABELS,
    diff_labels,
    status_class,
)


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def _form_errors_from(form: object, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors where the field exists."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None  # type: ignore[attr-defined]
            for error in errors:
                form.add_error(target, error)  # type: ignore[attr-defined]
    else:
        for message in exc.messages:
            form.add_error(None, message)  # type: ignore[attr-defined]


def _parse_day(request: HttpRequest, raw: str | None, default: dt.date) -> dt.date:
    """The day in ``raw`` (YYYY-MM-DD); ``default`` when empty. An unreadable or
    impossible date, or one outside EARLIEST_DAY..LATEST_DAY, gives ``default`` and a
    warning message (never a 500)."""
    if not raw:
        return default
    try:
        day = parse_date(raw.strip())
    except ValueError:
        day = None
    if day is None or not EARLIEST_DAY <= day <= LATEST_DAY:
        messages.warning(
            request, _("The date %(value)s is not valid; showing today.") % {"value": raw[:20]}
        )
        return default
    return day


def _parse_month(request: HttpRequest, raw: str | None, default: dt.date) -> dt.date:
    """The first day of the month in ``raw`` (YYYY-MM); ``default``'s month when empty,
    unreadable or outside EARLIEST_DAY..LATEST_DAY (with a warning message)."""
    if not raw:
        return default.replace(day=1)
    try:
        year, month = (int(x) for x in raw.strip().split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        first = None
    if first is None or not EARLIEST_DAY <= first <= LATEST_DAY:
        messages.warning(
            request,
            _("The month %(value)s is not valid; showing this month.") % {"value": raw[:20]},
        )
        return default.replace(day=1)
    return first


# --- the editor (Today) -------------------------------------------------------------------


def _default_visit_time(journal: Journal) -> dt.time:
    now = timezone.localtime()
    if now.date() == journal.day:
        return now.time().replace(second=0, microsecond=0)
    return dt.time(10, 0)


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
    plan = list(journal.plan_items.select_related("customer").order_by("kind", "position", "id"))
    visits = list(
        journal.visits.select_related("customer", "plan_item").order_by("occurred_at", "id")
    )
    done = calc.plan_items_done(
        [(p.pk, p.customer_id, p.purpose) for p in plan],
        [(v.plan_item_id, v.customer_id, v.purpose) for v in visits],
    )
    for item in plan:
        item.done = item.pk in done  # type: ignore[attr-defined]
    groups = [
        (PlanItem.Kind.VISIT, _("Planned visits")),
        (PlanItem.Kind.APPOINTMENT, _("Planned appointments")),
        (PlanItem.Kind.FOLLOW_UP, _("Planned follow-ups")),
    ]
    return {
        "journal": journal,
        "editable": editable,
        "plan_groups": [
            {"kind": kind, "label": label, "items": [p for p in plan if p.kind == kind]}
            for kind, label in groups
        ],
        "plan_count": len(plan),
        "visits": visits,
        "suggestions": selectors.plan_suggestions(journal=journal) if editable else [],
        "achievement": _achievement_rows([p.purpose for p in plan], [v.purpose for v in visits]),
        "plan_form": plan_form or PlanItemForm(customers=customers, auto_id="plan_%s"),
        "visit_form": visit_form
        or VisitForm(
            customers=customers,
            auto_id="visit_%s",
            initial={"time": _default_visit_time(journal), "outcome": Visit.Outcome.INFO},
        ),
        "saved": saved,
    }


def _achievement_rows(plan: list[str], actual: list[str]) -> list[dict[str, object]]:
    return [
        {"row": row, "label": ACHIEVEMENT_LABELS.get(row.key, row.key)}
        for row in calc.plan_achievement(plan, actual)
    ]


def _editor(request: HttpRequest, journal: Journal) -> HttpResponse:
    comments = list(
        Comment.objects.filter(journal=journal).select_related("author").order_by("created_at")
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
    """The rep's journal for the organisation's today, created on first visit."""
    try:
        journal = services.journal_get_or_create_today(rep=request.user)  # type: ignore[arg-type]
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
    return journal


def _work_response(request: HttpRequest, journal: Journal, **kwargs: object) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "journals/_work_panel.html", _work_context(request, journal, **kwargs)
        )
    for form in (kwargs.get("plan_form"), kwargs.get("visit_form")):
        if form is not None and form.errors:  # type: ignore[attr-defined]
            for errors in form.errors.values():  # type: ignore[attr-defined]
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
def visit_from_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: the planned visit becomes a visit record (customer, purpose carried)."""
    item = selectors.plan_item_get(scope=_scope(request), pk=pk)
    journal = item.journal
    services.journal_check_can_edit(journal=journal, scope=_scope(request))
    try:
        services.visit_from_plan(
            plan_item=item,
            by=request.user,  # type: ignore[arg-type]
            outcome=Visit.Outcome.INFO,
        )
    except ValidationError as exc:
        form = PlanItemForm(customers=selectors.own_customers(rep=journal.rep), auto_id="plan_%s")
        _form_errors_from(form, exc)
        return _work_response(request, journal, plan_form=form)
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
    form = VisitForm(
        request.POST,
        request.FILES,
        customers=selectors.own_customers(rep=journal.rep),
        auto_id="visit_%s",
    )
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
                customer=data["customer"],
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
                plan_item=plan_item,
                checkin=_checkin_from(data, data.get("photo")),
            )
            return _work_response(request, journal, saved="visit")
        except ValidationError as exc:
            _form_errors_from(form, exc)
    return _work_response(request, journal, visit_form=form)


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


@login_required
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    """Picker results: the viewer's own customers by name or pinyin initials."""
    q = (request.GET.get("q") or "").strip()[:100]
    rows = selectors.picker_customers(
        scope=_scope(request),
        rep=request.user,  # type: ignore[arg-type]
        q=q,
    )
    return render(
        request,
        "journals/_picker_results.html",
        {"customers": rows, "q": q, "can_create": bool(q)},
    )


@login_required
@require_POST
def customer_create(request: HttpRequest) -> HttpResponse:
    """Create a new lead owned by the viewer, inline from the picker; it is picked."""
    name = (request.POST.get("name") or "").strip()[:200]
    if not name:
        return render(
            request,
            "journals/_picker_results.html",
            {"customers": [], "q": "", "error": _("Type the customer's name first.")},
        )
    if team_of(request.user, local_today()) is None:  # type: ignore[arg-type]
        raise PermissionDenied(_("Only members of a team create leads."))
    try:
        customer = customers_customer_create(by=request.user, name=name, owner=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        return render(
            request,
            "journals/_picker_results.html",
            {"customers": [], "q": name, "error": " ".join(exc.messages)},
        )
    return render(
        request,
        "journals/_picker_results.html",
        {"customers": [customer], "q": name, "created": customer},
    )


# --- reading: detail, list, calendar, export ----------------------------------------------


def _plan_groups(journal: Journal) -> tuple[list[dict[str, object]], list[PlanItem]]:
    plan = list(journal.plan_items.select_related("customer").order_by("kind", "position", "id"))
    groups = [
        (PlanItem.Kind.VISIT, _("Planned visits")),
        (PlanItem.Kind.APPOINTMENT, _("Planned appointments")),
        (PlanItem.Kind.FOLLOW_UP, _("Planned follow-ups")),
    ]
    return (
        [
            {"kind": kind, "label": label, "items": [p for p in plan if p.kind == kind]}
            for kind, label in groups
        ],
        plan,
    )


def _revision_diffs(journal: Journal, revisions: list[JournalRevision]) -> list[dict[str, object]]:
    """Each revision compared with the version that replaced it (the next one, or now)."""
    labels = diff_labels()
    versions = [(r.number, r.content) for r in sorted(revisions, key=lambda r: r.number)]
    versions.append((journal.revision, selectors.journal_content(journal)))
    out = []
    for (old_n, old), (new_n, new) in zip(versions, versions[1:], strict=False):
        rows = calc.revision_diff(calc.content_lines(old, labels), calc.content_lines(new, labels))
        out.append(
            {
                "old": old_n,
                "new": new_n,
                "rows": rows,
                "changed": any(kind != "same" for kind, _text in rows),
            }
        )
    out.reverse()
    return out


@never_cache
@login_required
def journal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A journal read-only: plan, visits, achievement, summary, evaluation, comments and
    revisions; for the supervisor, review tools and keyboard next/previous (j/k)."""
    scope = _scope(request)
    journal = selectors.journal_get(scope=scope, pk=pk)
    is_author = journal.rep_id == scope.user_id
    if is_author and not journal.is_locked():
        return redirect(_edit_url(journal))
    groups, plan = _plan_groups(journal)
    visits = list(
        journal.visits.select_related("customer", "plan_item", "stage_change").order_by(
            "occurred_at", "id"
        )
    )
    comments = list(
        Comment.objects.filter(journal=journal).select_related("author").order_by("created_at")
    )
    revisions = list(JournalRevision.objects.filter(journal=journal).select_related("created_by"))
    can_review = True
    try:
        services.journal_check_can_review(journal=journal, scope=scope)
    except PermissionDenied:
        can_review = False
    prev_id, next_id = selectors.journal_neighbours(journal=journal, scope=scope)
    inbox_url = (
        reverse("journals:inbox") + "?" + urlencode({"team": journal.team_id, "day": journal.day})
        if scope.can_see_team(journal.team_id)
        else ""
    )
    return render(
        request,
        "journals/detail.html",
        {
            "journal": journal,
            "is_author": is_author,
            "plan_groups": groups,
            "plan_count": len(plan),
            "visits": visits,
            "achievement": _achievement_rows(
                [p.purpose for p in plan], [v.purpose for v in visits]
            ),
            "comments": comments,
            "comment_form": CommentForm(),
            "evaluation_form": EvaluationForm(initial={"evaluation": journal.evaluation}),
            "can_review": can_review,
            "can_manage": scope.can_manage_team(journal.team_id),
            "revisions": _revision_diffs(journal, revisions) if revisions else [],
            "prev_id": prev_id,
            "next_id": next_id,
            "inbox_url": inbox_url,
            "quick_comments": QUICK_COMMENTS,
        },
    )


#: One-click comments on the journal page (the supervisor's usual advice).
QUICK_COMMENTS = [
    gettext_lazy("Good work, keep it up!"),
    gettext_lazy("Please write the preparation for each planned visit."),
    gettext_lazy("Your visit volume is below the standard; let's plan more visits."),
    gettext_lazy("Agree a dated next step with each customer."),
    gettext_lazy("Let's talk one-on-one after the morning meeting."),
]


@login_required
@require_POST
def journal_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the supervisor's evaluation and advice (and mark reviewed when asked)."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_review(journal=journal, scope=_scope(request))
    form = EvaluationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("journals:journal_detail", pk=pk)
    try:
        if request.POST.get("review"):
            services.journal_review(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                evaluation=form.cleaned_data["evaluation"],
            )
            messages.success(request, _("Marked as reviewed."))
        else:
            services.journal_evaluate(
                journal=journal,
                by=request.user,  # type: ignore[arg-type]
                evaluation=form.cleaned_data["evaluation"],
            )
            messages.success(request, _("Evaluation saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    next_id = request.POST.get("next")
    if request.POST.get("review") and next_id and next_id.isdigit():
        return redirect("journals:journal_detail", pk=int(next_id))
    return redirect("journals:journal_detail", pk=pk)


@login_required
@require_POST
def journal_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark reviewed (from the inbox or the journal); back to where it came from."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_review(journal=journal, scope=_scope(request))
    try:
        services.journal_review(journal=journal, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Marked as reviewed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("journals:journal_detail", pk=pk)


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a comment (with @mentions) to a journal the viewer sees."""
    journal = selectors.journal_get(scope=_scope(request), pk=pk)
    services.journal_check_can_comment(journal=journal, scope=_scope(request))
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(journal=journal, by=request.user, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except ValidationError as exc:
            _form_errors_from(form, exc)
    if request.htmx:  # type: ignore[attr-defined]
        comments = list(
            Comment.objects.filter(journal=journal).select_related("author").order_by("created_at")
        )
        return render(
            request,
            "journals/_comments.html",
            {
                "journal": journal,
                "comments": comments,
                "comment_form": form if form.errors else CommentForm(),
                "quick_comments": QUICK_COMMENTS,
                "can_review": _can_review(journal, _scope(request)),
            },
        )
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(reverse("journals:journal_detail", args=[pk]) + "#comments")


def _can_review(journal: Journal, scope: Scope) -> bool:
    try:
        services.journal_check_can_review(journal=journal, scope=scope)
    except PermissionDenied:
        return False
    return True


@login_required
def journal_list(request: HttpRequest) -> HttpResponse:
    """Own journals for a rep; the visible teams' journals for leaders; filters, paging."""
    scope = _scope(request)
    is_leader = scope.is_admin or bool(scope.visible_team_ids)
    reps = visible_users(scope).order_by("username") if is_leader else User.objects.none()
    form = JournalFilterForm(request.GET or None, reps=reps)
    filters = selectors.ListFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ListFilters(
            rep_id=data["rep"].pk if data.get("rep") else None,
            status=data.get("status") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
    page = Paginator(selectors.journal_list(scope=scope, filters=filters), 30).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "journals/journal_list.html",
        {
            "page": page,
            "form": form,
            "is_leader": is_leader,
            "querystring": query.urlencode(),
        },
    )


def _calendar_rep(request: HttpRequest) -> User:
    """The rep whose calendar/export is asked (``?rep=``, default the viewer); 404 when
    the viewer may not see that person."""
    scope = _scope(request)
    raw = request.GET.get("rep")
    if not raw:
        return request.user  # type: ignore[return-value]
    if not raw.isdigit() or not scope.can_see_user(int(raw)):
        raise Http404
    try:
        return User.objects.get(pk=int(raw))
    except User.DoesNotExist:
        raise Http404 from None


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """A rep's month of journals coloured by status; missing days can be written late."""
    rep = _calendar_rep(request)
    month = _parse_month(request, request.GET.get("month"), local_today())
    today_ = local_today()
    weeks = [
        [
            {
                "day": d.day,
                "status": d.status,
                "journal_id": d.journal_id,
                "in_month": d.in_month,
                "css": status_class(d.status),
                "label": STATUS_LABELS.get(d.status, ""),
                "can_write": d.status in (calc.MISSING, calc.PENDING) and d.day <= today_,
            }
            for d in week
        ]
        for week in selectors.rep_calendar(rep=rep, month=month)
    ]
    prev_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    counts: dict[str, int] = {}
    for week in weeks:
        for cell in week:
            if cell["in_month"]:
                counts[cell["status"]] = counts.get(cell["status"], 0) + 1
    rep_q = f"&rep={rep.pk}" if rep.pk != request.user.pk else ""
    return render(
        request,
        "journals/calendar.html",
        {
            "rep": rep,
            "is_self": rep.pk == request.user.pk,
            "month": month,
            "weeks": weeks,
            "prev_month": prev_month,
            "next_month": next_month,
            "rep_q": rep_q,
            "legend": [
                (s, STATUS_LABELS[s], status_class(s), counts.get(s, 0))
                for s in (
                    calc.ON_TIME,
                    calc.LATE,
                    calc.MISSING,
                    calc.PENDING,
                    calc.EXEMPT,
                    calc.NON_WORKING,
                )
            ],
            "weekday_names": [
                _("Mon"),
                _("Tue"),
                _("Wed"),
                _("Thu"),
                _("Fri"),
                _("Sat"),
                _("Sun"),
            ],
            "today": local_today(),
        },
    )


@login_required
def export_month(request: HttpRequest) -> HttpResponse:
    """A month of the rep's journals as .xlsx, one sheet per day in the seed's layout."""
    rep = _calendar_rep(request)
    month = _parse_month(request, request.GET.get("month"), local_today())
    journals = selectors.journal_queryset(_scope(request)).filter(
        rep=rep, day__year=month.year, day__month=month.month
    )
    data = month_workbook(rep=rep, month=month, journals=journals)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"journals-{rep.username}-{month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- supervisor: inbox, statistics, morning meeting, exemptions ---------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The team's journals of one day: submitted, late, missing, unreviewed. A fixed
    number of queries whatever the team size."""
    scope = _scope(request)
    team, teams = selectors.pick_team(scope, request.GET.get("team"))
    day = _parse_day(request, request.GET.get("day"), local_today())
    data = selectors.inbox(team=team, day=day, show=request.GET.get("show") or "all")
    rows = [
        {
            "member": r,
            "label": STATUS_LABELS.get(r.status, r.status),
            "css": status_class(r.status),
        }
        for r in data.visible_rows
    ]
    first_unread = next(
        (r.journal.pk for r in data.rows if r.is_unreviewed and r.journal is not None), None
    )
    return render(
        request,
        "journals/inbox.html",
        {
            "team": team,
            "teams": teams,
            "inbox": data,
            "rows": rows,
            "day": day,
            "prev_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "is_today": day == local_today(),
            "can_manage": scope.can_manage_team(team.pk),
            "filters": [
                ("all", _("All")),
                ("submitted", _("Submitted")),
                ("late", _("Late")),
                ("missing", _("Missing")),
                ("unreviewed", _("Not reviewed")),
            ],
            "first_unread": first_unread,
            "exemption_kinds": ExemptionForm.base_fields["kind"].choices,  # type: ignore[attr-defined]
            "here": request.get_full_path(),
        },
    )


@login_required
def submission_stats(request: HttpRequest) -> HttpResponse:
    """On time / late / missing by member and ISO week."""
    scope = _scope(request)
    team, teams = selectors.pick_team(scope, request.GET.get("team"))
    try:
        weeks = max(1, min(26, int(request.GET.get("weeks") or 8)))
    except ValueError:
        weeks = 8
    starts, rows = selectors.submission_stats(team=team, weeks=weeks)
    return render(
        request,
        "journals/stats.html",
        {
            "team": team,
            "teams": teams,
            "weeks": weeks,
            "starts": starts,
            "rows": [
                {"user": r.user, "cells": [r.weeks[w] for w in starts], "total": r.total}
                for r in rows
            ],
        },
    )


def _findings_by_rep(team_id: int, day: dt.date) -> dict[int, list[object]]:
    """The team's open diagnosis findings of the month, per rep (one query): the morning
    meeting shows them beside each rep (issue 7)."""
    from coaching.selectors import findings_for_team  # coaching reads journals
    from kpi.calculations import period_of

    grouped: dict[int, list[object]] = {}
    for finding in findings_for_team(team_id=team_id, period=period_of(day, "month")):
        grouped.setdefault(finding.rep_id, []).append(finding)
    return grouped


@login_required
def morning_meeting(request: HttpRequest) -> HttpResponse:
    """The morning meeting (晨会): per rep, today's plan beside the previous work day's
    plan vs actual, with flags; ``?present=1`` for full screen, print CSS for paper."""
    scope = _scope(request)
    team, teams = selectors.pick_team(scope, request.GET.get("team"))
    day = _parse_day(request, request.GET.get("day"), local_today())
    meeting = selectors.morning_meeting(team=team, day=day)
    findings = _findings_by_rep(team.pk, day)
    rows = [
        {
            "row": r,
            "findings": findings.get(r.user.pk, []),
            "flags": [(f, FLAG_LABELS[f]) for f in r.flags],
            "achievement": [
                {"row": a, "label": ACHIEVEMENT_LABELS.get(a.key, a.key)}
                for a in r.achievement
                if a.key in ("visits", Purpose.APPOINTMENT, "follow_ups")
            ],
            "prev_label": STATUS_LABELS.get(r.previous_status, ""),
            "prev_css": status_class(r.previous_status),
        }
        for r in meeting.rows
    ]
    flagged = sum(1 for r in meeting.rows if r.flags)
    present = request.GET.get("present") == "1"
    base_q = urlencode({"team": team.pk, "day": day.isoformat()})
    return render(
        request,
        "journals/morning_meeting.html",
        {
            "team": team,
            "teams": teams,
            "meeting": meeting,
            "rows": rows,
            "flagged": flagged,
            "present": present,
            "base_q": base_q,
            "day": day,
        },
    )


@login_required
@require_POST
def exemption_add(request: HttpRequest) -> HttpResponse:
    """The supervisor records leave or a trip for a team member (from the inbox)."""
    scope = _scope(request)
    form = ExemptionForm(request.POST)
    target = request.POST.get("next") or reverse("journals:inbox")
    if not (target.startswith("/") and not target.startswith("//")):
        target = reverse("journals:inbox")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    user_id = form.cleaned_data["user"]
    if not scope.can_see_user(user_id):
        raise Http404
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    try:
        services.exemption_add(
            user=user,
            by=request.user,  # type: ignore[arg-type]
            kind=form.cleaned_data["kind"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            note=form.cleaned_data.get("note") or "",
        )
        messages.success(
            request,
            _("Recorded: no journal is due from %(name)s on those days.") % {"name": user.name},
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(target)
