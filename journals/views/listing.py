"""Reading many journals: the journal list, the calendar and the month export."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.http import id_param
from accounts.models import User
from accounts.scoping import local_today, visible_users

from .. import calculations as calc
from .. import selectors
from ..exporting import month_workbook
from ..forms import (
    JournalFilterForm,
)
from ..presentation import (
    STATUS_LABELS,
    status_class,
)
from ._common import _parse_month, _scope


@login_required
def journal_list(request: HttpRequest) -> HttpResponse:
    """Own journals for a rep; the visible teams' journals for leaders; filters, paging.

    An invalid filter (``?date_from=abc``; the API's names ``day_from`` / ``day_to`` are
    read too) shows the form's error and no journals, never the unfiltered list."""
    scope = _scope(request)
    is_leader = scope.is_admin or bool(scope.visible_team_ids)
    reps = visible_users(scope).order_by("username") if is_leader else User.objects.none()
    params = request.GET.copy()
    for api_name, name in (("day_from", "date_from"), ("day_to", "date_to")):
        if api_name in params and name not in params:
            params.setlist(name, params.getlist(api_name))
    form = JournalFilterForm(params or None, reps=reps)
    filters = selectors.ListFilters()
    journals = selectors.journal_list(scope=scope, filters=filters)
    if form.is_bound and not form.is_valid():
        journals = journals.none()
    elif form.is_valid():
        data = form.cleaned_data
        filters = selectors.ListFilters(
            rep_id=data["rep"].pk if data.get("rep") else None,
            status=data.get("status") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        journals = selectors.journal_list(scope=scope, filters=filters)
    page = Paginator(journals, 30).get_page(request.GET.get("page"))
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
    rep_id = id_param(raw)
    if rep_id is None or not scope.can_see_user(rep_id):
        raise Http404
    try:
        return User.objects.get(pk=rep_id)
    except User.DoesNotExist:
        raise Http404 from None


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """A rep's month of journals coloured by status; missing days can be written late."""
    rep = _calendar_rep(request)
    month = _parse_month(request, request.GET.get("month"), local_today())
    today_ = local_today()
    steps = selectors.next_step_days(rep=rep, month=month)
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
                "next_steps": steps.get(d.day, 0),
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
                status = str(cell["status"])
                counts[status] = counts.get(status, 0) + 1
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
