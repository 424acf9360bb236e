"""Drill-down: the customers behind a count on a dashboard."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.models import OrgSettings
from customers.models import Customer
from customers.selectors import customer_queryset
from journals.models import Visit
from kpi import calculations as calc
from kpi.templatetags.kpi_format import metric_label
from kpi.views.dashboard_data import DRILL_METRICS, VISIT_DRILL_METRICS
from kpi.views.scopes import (
    DashScope,
    _rep_team_ids,
    _scope,
    period_from_request,
    period_label,
    resolve_scope_key,
)
from spreadsheets.writing import safe_append


def drill_customer_ids(ds: DashScope, period: calc.Period, metric: str) -> list[int]:
    """Ids of the customers behind a count metric of a scope and period.

    The list is the engine's own mask for that metric, scope and period
    (:func:`kpi.calculations.compute_members`, one pass over the scope's loaded data), so it
    always has as many customers as the headline computed from the same data; no second
    implementation of the counting rules here (docs/domain, section 9). Raises ValueError
    for a metric without a customer list (not ``drillable`` in ``domain.metrics``).
    """
    if metric not in DRILL_METRICS:
        raise ValueError(metric)
    data, scope = _scope_input(ds)
    settings = OrgSettings.load()
    _value, ids = calc.compute_members(
        period,
        scope,
        data,
        metric,
        tz=timezone.get_default_timezone(),
        new_revenue_months=settings.new_revenue_months,
    )
    return ids


def drill_visit_ids(ds: DashScope, period: calc.Period, metric: str) -> list[int]:
    """Ids of the visit records behind ``visits`` (in-person visits) or ``follow_ups``
    (contacts of every channel) of a scope and period: the engine's own mask
    (:func:`kpi.calculations.compute_visit_members`), so the list has as many records as
    the headline. Raises ValueError for another metric."""
    if metric not in VISIT_DRILL_METRICS:
        raise ValueError(metric)
    data, scope = _scope_input(ds)
    _value, ids = calc.compute_visit_members(
        period,
        scope,
        data,
        metric,
        tz=timezone.get_default_timezone(),
        new_revenue_months=OrgSettings.load().new_revenue_months,
    )
    return ids


def _scope_input(ds: DashScope) -> tuple[calc.KpiInput, calc.Scope]:
    """The engine input and scope of a dashboard scope (as the stored figures load it)."""
    from kpi.loading import load_input

    if ds.kind == "rep":
        team_ids = _rep_team_ids(ds.id)
        # The rep's own rows count too (a stage change recorded without a team), as in
        # the stored figures (kpi.snapshots loads the same customers).
        data = load_input(team_ids=team_ids, rep_ids=[ds.id]) if team_ids else load_input()
        scope = calc.Scope.rep(ds.id)
    else:
        data = load_input(team_ids=ds.team_ids)
        scope = (
            calc.Scope.team(ds.id)
            if ds.kind == "team"
            else calc.Scope.branch(ds.team_ids or [], ds.id)
        )
    return data, scope


def drill_workbook(customers: list[Customer], visible: set[int], title: str) -> bytes:
    """The drill-down list as .xlsx: one row per customer in the page's order (name,
    stage, owner, team), written through the safe cell writer
    (``spreadsheets.writing.safe_append``), so a name such as ``=HYPERLINK(...)`` stays
    text. A customer not in ``visible`` (it moved to a team the viewer does not see) is
    a row that says so without naming it, as on the page: the rows always add up to the
    headline count (docs/domain, section 9, "Drill-down")."""
    wb = Workbook()
    ws = wb.active
    ws.title = (title or "-")[:31]
    for cell in safe_append(ws, [_("Customer"), _("Stage"), _("Owner"), _("Team")]):
        cell.font = Font(bold=True)
    hidden = _("A customer now in a team you do not see")
    for c in customers:
        if c.pk in visible:
            owner = c.owner.name if c.owner else "-"
            team = c.team.name if c.team else "-"
            safe_append(ws, [c.name, c.get_stage_display(), owner, team])
        else:
            safe_append(ws, [hidden, "", "", ""])
    for col, width in zip("ABCD", (40, 14, 16, 16), strict=True):
        ws.column_dimensions[col].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@login_required
@require_GET
def drilldown(request: HttpRequest) -> HttpResponse:
    """The customers behind a count: ?scope=team:CODE&period=2026-10&metric=intents.

    404 for a scope the viewer may not see and for a metric without a customer list (not
    ``drillable`` in ``domain.metrics``, or no metric at all). ``&format=xlsx`` downloads every
    row of the list (all pages) as .xlsx (:func:`drill_workbook`)."""
    scope = _scope(request)
    ds = resolve_scope_key(scope, request.GET.get("scope", ""))
    period = period_from_request(request)
    metric = request.GET.get("metric", "")
    if metric in VISIT_DRILL_METRICS:
        return _visit_drilldown(request, ds, period, metric)
    if metric not in DRILL_METRICS:
        raise Http404("No customer list for this figure")
    ids = drill_customer_ids(ds, period, metric)
    customers = (
        Customer.objects.filter(pk__in=ids).select_related("owner", "team").order_by("name", "pk")
    )
    if request.GET.get("format") == "xlsx":
        rows = list(customers)
        seen = set(customer_queryset(scope).filter(pk__in=ids).values_list("pk", flat=True))
        response = HttpResponse(
            drill_workbook(rows, seen, str(metric_label(metric))),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        safe_key = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{metric}-{ds.key}-{period.key}")
        name = f"drilldown-{safe_key}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    page = Paginator(customers, 50).get_page(request.GET.get("page"))
    # The figure counts customers by where they were in the period; one that has since
    # moved to a team the viewer does not see is counted but not named (its page is 404).
    shown = [c.pk for c in page.object_list]
    visible = set(customer_queryset(scope).filter(pk__in=shown).values_list("pk", flat=True))
    for customer in page.object_list:
        customer.is_visible = customer.pk in visible
    keep = urlencode({"scope": ds.key, "period": period.key, "metric": metric})
    context = {
        "ds": ds,
        "period": period,
        "period_label": period_label(period),
        "metric": metric,
        "metric_label": metric_label(metric),
        "count": len(ids),
        "page": page,
        "querystring": keep,
        "back_url": f"{ds.url}?{urlencode({'period': period.key})}",
    }
    return render(request, "kpi/drilldown.html", context)


def _visit_drilldown(
    request: HttpRequest, ds: DashScope, period: calc.Period, metric: str
) -> HttpResponse:
    """The visit records behind ``visits`` / ``follow_ups``, newest first, 50 a page; a
    customer now in a team the viewer does not see is not named (as on the customer list)."""
    scope = _scope(request)
    ids = drill_visit_ids(ds, period, metric)
    visits = (
        Visit.objects.filter(pk__in=ids)
        .select_related("customer", "rep")
        .order_by("-occurred_at", "-pk")
    )
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    shown = {v.customer_id for v in page.object_list}
    visible = set(customer_queryset(scope).filter(pk__in=shown).values_list("pk", flat=True))
    for visit in page.object_list:
        visit.customer_visible = visit.customer_id in visible
    context = {
        "ds": ds,
        "period": period,
        "period_label": period_label(period),
        "metric": metric,
        "metric_label": metric_label(metric),
        "count": len(ids),
        "page": page,
        "querystring": urlencode({"scope": ds.key, "period": period.key, "metric": metric}),
        "back_url": f"{ds.url}?{urlencode({'period': period.key})}",
    }
    return render(request, "kpi/drilldown_visits.html", context)
