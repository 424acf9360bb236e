"""Drill-down: the customers behind a count on a dashboard."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from customers.models import Customer
from customers.selectors import customer_queryset
from kpi import calculations as calc
from kpi.templatetags.kpi_format import metric_label
from kpi.views.dashboard_data import DRILL_METRICS
from kpi.views.scopes import (
    DashScope,
    _rep_team_ids,
    _scope,
    parse_period_params,
    period_label,
    resolve_scope_key,
)


def _attributed_team(owners: pd.DataFrame, teams_on_day: pd.Series) -> pd.Series:
    """Owner's team on the day (memberships), else the ownership row's team."""
    mapped = owners["owner_id"].map(teams_on_day)
    return mapped.fillna(owners["team_id"]).astype("Int64")


def drill_customer_ids(ds: DashScope, period: calc.Period, metric: str) -> list[int]:
    """Ids of the customers behind a count metric of a scope and period, recomputed from
    the pure functions (kpi.calculations.stage_reach_times, owner_at, team_of_user_at)
    over the scope's loaded data; same rules as the snapshot (docs/domain.md section 9):
    events (new_targets, intents, deals) go to the rep/team of the change that reached
    the stage; pools to the owner at the period's start for customers open then; the
    funnel to the owner at the period's last moment. Raises ValueError for a metric
    without a customer list."""
    from kpi.loading import load_input

    if metric not in DRILL_METRICS:
        raise ValueError(metric)
    tz = timezone.get_default_timezone()
    if ds.kind == "rep":
        team_ids = _rep_team_ids(ds.id)
        data = load_input(team_ids=team_ids) if team_ids else load_input()
    else:
        data = load_input(team_ids=ds.team_ids)
    start = pd.Timestamp(period.start_at(tz))
    end = pd.Timestamp(period.end_at(tz))
    reach = calc.stage_reach_times(data.stage_changes, tz)
    reach = reach.set_index("customer_id")

    def in_scope_event(stage: str) -> pd.Series:
        if ds.kind == "rep":
            return reach[f"{stage}_rep_id"] == ds.id
        return reach[f"{stage}_team_id"].isin(ds.team_ids or [ds.id])

    def owners_at(when: pd.Timestamp, day: dt.date) -> pd.Series:
        owners = calc.owner_at(data.ownerships, when.to_pydatetime(), tz).set_index("customer_id")
        if ds.kind == "rep":
            return (owners["owner_id"] == ds.id).fillna(False)
        teams = calc.team_of_user_at(data.memberships, day)
        return _attributed_team(owners, teams).isin(ds.team_ids or [ds.id]).fillna(False)

    def lost_at(when: pd.Timestamp) -> pd.Series:
        lost = reach["lost_at"].notna() & (reach["lost_at"] < when)
        reopened = reach["reopened_at"].notna() & (reach["reopened_at"] < when)
        return lost & ~reopened

    def reached(stage: str, when: pd.Timestamp) -> pd.Series:
        return reach[f"{stage}_at"].notna() & (reach[f"{stage}_at"] < when)

    def reached_in(stage: str) -> pd.Series:
        col = reach[f"{stage}_at"]
        return col.notna() & (col >= start) & (col < end)

    def ids(mask: pd.Series) -> set[int]:
        return {int(i) for i in mask[mask.fillna(False).astype(bool)].index}

    def pool(stage: str, nxt: str) -> tuple[set[int], set[int]]:
        open_start = reached(stage, start) & ~reached(nxt, start) & ~lost_at(start)
        owned = owners_at(start, period.start).reindex(reach.index, fill_value=False)
        at_start = ids(open_start & owned.astype(bool))
        return at_start, at_start | ids(reached_in(stage) & in_scope_event(stage))

    if metric in ("new_targets", "intents", "deals"):
        stage = {"new_targets": "target", "intents": "intent", "deals": "deal"}[metric]
        return sorted(ids(reached_in(stage) & in_scope_event(stage)))
    if metric in ("target_customers", "open_targets_at_start"):
        at_start, full = pool("target", "intent")
        return sorted(at_start if metric == "open_targets_at_start" else full)
    if metric == "intent_pool":
        return sorted(pool("intent", "deal")[1])
    last = end - pd.Timedelta(microseconds=1)
    owned_end = owners_at(last, period.end - dt.timedelta(days=1))
    if metric == "funnel_lead":
        customers = data.customers
        created = (
            pd.to_datetime(customers["created_at"], utc=True)
            if len(customers)
            else pd.Series([], dtype="datetime64[ns, UTC]")
        )
        existing = (
            set(customers["id"][(created < end).to_numpy()].astype(int))
            if len(customers)
            else set()
        )
        existing |= ids(reach["lead_at"].notna() & (reach["lead_at"] < end))
        return sorted(i for i in existing if bool(owned_end.get(i, False)))
    mask_owned = owned_end.reindex(reach.index, fill_value=False).astype(bool)
    if metric == "funnel_lost":
        return sorted(ids(lost_at(end) & mask_owned))
    stage = metric.removeprefix("funnel_")
    return sorted(ids(reached(stage, end) & mask_owned))


@login_required
@require_GET
def drilldown(request: HttpRequest) -> HttpResponse:
    """The customers behind a count: ?scope=team:CODE&period=2026-10&metric=intents.

    404 for a scope the viewer may not see; a metric without a customer list shows an
    empty state with the list of those that have one."""
    scope = _scope(request)
    ds = resolve_scope_key(scope, request.GET.get("scope", ""))
    period = parse_period_params(request.GET)
    metric = request.GET.get("metric", "")
    valid = metric in DRILL_METRICS
    ids = drill_customer_ids(ds, period, metric) if valid else []
    customers = (
        Customer.objects.filter(pk__in=ids).select_related("owner", "team").order_by("name", "pk")
    )
    page = Paginator(customers, 50).get_page(request.GET.get("page"))
    # The figure counts customers by where they were in the period; one that has since
    # moved to a team the viewer does not see is counted but not named (its page is 404).
    shown = [c.pk for c in page.object_list]
    visible = set(customer_queryset(scope).filter(pk__in=shown).values_list("pk", flat=True))
    for customer in page.object_list:
        customer.is_visible = customer.pk in visible  # type: ignore[attr-defined]
    keep = urlencode({"scope": ds.key, "period": period.key, "metric": metric})
    context = {
        "ds": ds,
        "period": period,
        "period_label": period_label(period),
        "metric": metric,
        "metric_label": metric_label(metric) if valid else metric,
        "valid": valid,
        "count": len(ids),
        "page": page,
        "querystring": keep,
        "choices": [(m, metric_label(m)) for m in sorted(DRILL_METRICS)],
        "back_url": f"{ds.url}?{urlencode({'period': period.key})}",
    }
    return render(request, "kpi/drilldown.html", context)
