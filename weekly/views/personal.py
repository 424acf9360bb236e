"""The rep's personal weekly report (docs/domain, section 4): opened prefilled for the current
week, edited, submitted and amended; key customers of a draft.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import id_param
from accounts.middleware import ScopedRequest
from accounts.scoping import get_visible_or_404

from .. import selectors as sel
from .. import services
from ..forms import (
    KeyCustomerForm,
    ReportForm,
)
from ..models import WeeklyKeyCustomer, WeeklyReport
from ._common import _editable, _errors, _figures_context, _own_customers, _report, _scope


@login_required
def report_current(request: ScopedRequest) -> HttpResponse:
    """The viewer's own report of the current week (or ``?week=``). A GET writes nothing:
    without a report yet it shows the editor over an unsaved, prefilled draft
    (``services.report_draft``); its first POST (save, autosave, key customer, submit)
    creates the report and is then handled as the editor's. An existing draft opens in the
    editor, a submitted one in the detail page."""
    scope = _scope(request)
    period = sel.parse_week(request.GET.get("week"))
    if period.start > sel.current_period().start:
        messages.error(request, _("A weekly report can only be written once the week has begun."))
        return redirect("weekly:report_list")
    report = WeeklyReport.objects.filter(rep_id=scope.user_id, week=period.start).first()
    try:
        if report is None and request.method == "POST":
            report = services.report_get_or_create(rep=request.user, period=period)
        draft, carried = (
            (report, []) if report else services.report_draft(rep=request.user, period=period)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("weekly:report_list")
    if report is not None:
        if request.method == "POST":
            return report_edit(request, report.pk)
        if report.is_locked():
            return redirect("weekly:report_detail", pk=report.pk)
        return redirect("weekly:report_edit", pk=report.pk)
    return render(
        request,
        "weekly/report_edit.html",
        {
            "report": draft,
            "form_url": reverse("weekly:report_current") + f"?week={period.key}",
            "period": period,
            "week_label": sel.week_label(period),
            "form": ReportForm(
                initial=ReportForm.initial_for(draft.analysis, draft.summary, draft.next_goals)
            ),
            "key_form": KeyCustomerForm(None, customers=_own_customers(draft)),
            "key_customers": carried,
            "week_open": timezone.localdate() <= period.last_day,
            **_figures_context(draft),
        },
    )


@login_required
def report_edit(request: ScopedRequest, pk: int) -> HttpResponse:
    """The rep's editor: live figures vs plan, key customers, analysis, next week's goals,
    summary, all in ONE form, so nothing typed is lost. Author and draft only.

    POST always saves the text first, then: ``action=submit`` submits, ``action=add_key``
    adds the key customer typed in the same form, ``remove_key=<id>`` removes one;
    ``action=autosave`` (htmx, while typing) answers with the saved status only.
    """
    report = _editable(request, pk)
    form = ReportForm(
        request.POST or None,
        initial=ReportForm.initial_for(report.analysis, report.summary, report.next_goals),
    )
    customers = _own_customers(report)
    action = request.POST.get("action", "save")
    key_form = KeyCustomerForm(request.POST if action == "add_key" else None, customers=customers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_update(
                    report=report,
                    by=request.user,
                    analysis=form.cleaned_data["analysis"],
                    summary=form.cleaned_data["summary"],
                    next_goals=form.goals(),
                )
            except ValidationError as exc:
                _errors(form, exc)
        if action == "autosave":
            return render(
                request,
                "weekly/_autosave_status.html",
                {"form": form, "saved_at": None if form.errors else timezone.localtime()},
            )
        if not form.errors:
            done = _after_save(request, report, action, key_form)
            if done is not None:
                return done
            status = 400  # the key customer could not be added: shown with its errors
    return render(
        request,
        "weekly/report_edit.html",
        {
            "report": report,
            "form_url": reverse("weekly:report_edit", args=[report.pk]),
            "period": sel.week_period(report),
            "week_label": sel.week_label(sel.week_period(report)),
            "form": form,
            "key_form": key_form,
            "key_customers": list(report.key_customers.select_related("customer")),
            # Submitting before the week is over freezes figures still growing: ask first.
            "week_open": timezone.localdate() <= sel.week_period(report).last_day,
            **_figures_context(report),
        },
        status=status,
    )


def _after_save(
    request: ScopedRequest, report: WeeklyReport, action: str, key_form: KeyCustomerForm
) -> HttpResponse | None:
    """What the editor's button asked for once the text is saved: a redirect, or None
    when the key customer form has errors (the page is shown again with everything)."""
    edit_url = reverse("weekly:report_edit", args=[report.pk])
    remove_id = id_param(request.POST.get("remove_key"))
    if remove_id is not None:
        item = report.key_customers.filter(pk=remove_id).first()
        if item is not None:
            services.key_customer_remove(item=item, by=request.user)
        return redirect(edit_url + "#key-customers")
    if action == "add_key":
        if key_form.is_valid():
            try:
                services.key_customer_add(
                    report=report,
                    by=request.user,
                    customer=key_form.cleaned_data["customer"],
                    needs_analysis=key_form.cleaned_data["needs_analysis"],
                    tracking_plan=key_form.cleaned_data["tracking_plan"],
                )
                return redirect(edit_url + "#key-customers")
            except ValidationError as exc:
                _errors(key_form, exc)
        return None
    if action == "submit":
        services.report_submit(report=report, by=request.user)
        messages.success(request, _("Weekly report submitted."))
        return redirect("weekly:report_detail", pk=report.pk)
    messages.success(request, _("Weekly report saved."))
    return redirect(edit_url)


@login_required
@require_POST
def report_submit(request: ScopedRequest, pk: int) -> HttpResponse:
    """Submit the viewer's draft: the figures are frozen as computed now."""
    report = _editable(request, pk)
    services.report_submit(report=report, by=request.user)
    messages.success(request, _("Weekly report submitted."))
    return redirect("weekly:report_detail", pk=report.pk)


@login_required
@require_POST
def report_amend(request: ScopedRequest, pk: int) -> HttpResponse:
    """Reopen the viewer's submitted report; the submitted version is kept as a revision."""
    report = _report(request, pk)
    services.report_check_can_amend(report=report, scope=_scope(request))
    services.report_amend(report=report, by=request.user)
    messages.info(
        request,
        _("Amending: the submitted version is kept as revision %(n)d.")
        % {"n": report.revision - 1},
    )
    return redirect("weekly:report_edit", pk=report.pk)


@login_required
@require_POST
def key_customer_add(request: ScopedRequest, pk: int) -> HttpResponse:
    """Add a key customer in progress (one of the rep's own customers) to a draft."""
    report = _editable(request, pk)
    form = KeyCustomerForm(request.POST, customers=_own_customers(report))
    if form.is_valid():
        try:
            services.key_customer_add(
                report=report,
                by=request.user,
                customer=form.cleaned_data["customer"],
                needs_analysis=form.cleaned_data["needs_analysis"],
                tracking_plan=form.cleaned_data["tracking_plan"],
            )
            return redirect(reverse("weekly:report_edit", args=[report.pk]) + "#key-customers")
        except ValidationError as exc:
            _errors(form, exc)
    return render(
        request,
        "weekly/report_edit.html",
        {
            "report": report,
            "form_url": reverse("weekly:report_edit", args=[report.pk]),
            "period": sel.week_period(report),
            "week_label": sel.week_label(sel.week_period(report)),
            "form": ReportForm(
                initial=ReportForm.initial_for(report.analysis, report.summary, report.next_goals)
            ),
            "key_form": form,
            "key_customers": list(report.key_customers.select_related("customer")),
            **_figures_context(report),
        },
        status=400,
    )


@login_required
@require_POST
def key_customer_remove(request: ScopedRequest, pk: int) -> HttpResponse:
    """Remove a key customer from a draft."""
    scope = _scope(request)
    item = get_visible_or_404(
        WeeklyKeyCustomer.objects.filter(report__in=sel.report_queryset(scope)).select_related(
            "report"
        ),
        scope,
        pk=pk,
    )
    services.report_check_can_edit(report=item.report, scope=scope)
    services.key_customer_remove(item=item, by=request.user)
    return redirect(reverse("weekly:report_edit", args=[item.report_id]) + "#key-customers")
