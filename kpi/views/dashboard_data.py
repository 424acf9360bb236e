"""Dashboard figures: tiles, trends, rankings, composite KPIs and filters."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgUnit
from accounts.scoping import memberships_in
from domain import metrics as metric_registry
from kpi import calculations as calc
from kpi import figures
from kpi.templatetags.kpi_format import as_number, metric_kind, metric_label, rate_help
from kpi.views.scopes import DashScope, _scope, period_label, trailing

TILE_METRICS_MONTH = (
    "target_customers",
    "new_targets",
    "intents",
    "intent_rate",
    "deals",
    "close_rate",
    "effective_activity_rate",
    "arpu",
    "total_revenue",
    "new_revenue",
    "received",
    "collection_rate",
)
TILE_METRICS_WEEK = (
    "target_customer_visits",
    "new_targets",
    "intents",
    "weekly_intent_rate",
    "deals",
    "effective_activity_rate",
    "sales_revenue",
    "new_sales_revenue",
)
#: Activity counts on a rep's own card, beside the month's or week's tiles: in-person visits,
#: follow-ups of every channel and customers touched, each with its drill-down (docs/domain,
#: section 9, "Visits and follow-ups"; a team or branch compares them in its ranking).
REP_TILE_METRICS = ("visits", "follow_ups", "customers_touched")
TREND_METRICS = (
    "target_customers",
    "intents",
    "deals",
    "intent_rate",
    "close_rate",
    "effective_activity_rate",
    "total_revenue",
)
TREND_METRICS_WEEK = (
    "target_customers",
    "intents",
    "deals",
    "intent_rate",
    "close_rate",
    "effective_activity_rate",
    "sales_revenue",
)
RANK_METRICS = (
    "target_customers",
    "intents",
    "intent_rate",
    "deals",
    "close_rate",
    "visits",
    "follow_ups",  # every channel, beside the in-person visits (docs/domain, section 9)
    "effective_activity_rate",
    "total_revenue",
    "total_revenue_completion",
)
RANK_METRICS_WEEK = (
    "target_customers",
    "intents",
    "intent_rate",
    "deals",
    "close_rate",
    "visits",
    "follow_ups",  # every channel, beside the in-person visits (docs/domain, section 9)
    "effective_activity_rate",
    "sales_revenue",
    "sales_revenue_completion",
)
#: Count metrics whose customers the drill-down lists.
#: Metrics with a customer list (drill-down): the registry's ``drillable`` ones.
DRILL_METRICS = frozenset(m.name for m in metric_registry.METRICS.values() if m.drillable)
#: Count metrics whose visit records the drill-down lists (kpi.calculations.compute_visit_members).
VISIT_DRILL_METRICS = frozenset(calc.VISIT_MEMBER_METRICS)
#: Every figure with a drill-down link: a customer list or a visit list.
DRILLABLE = DRILL_METRICS | VISIT_DRILL_METRICS
#: Rates whose link lists the customers of their numerator (effective customers of the
#: effective activity rate; the page says how many of the customers visited they are).
RATE_DRILLS = {"effective_activity_rate": "effective_customers"}


def drill_metric(metric: str) -> str | None:
    """The list a figure's drill-down link opens: the metric itself when it has one
    (:data:`DRILLABLE`), the numerator's customers for a rate of :data:`RATE_DRILLS`,
    else None (no link)."""
    if metric in DRILLABLE:
        return metric
    return RATE_DRILLS.get(metric)


COMPOSITE_GROUPS = (
    ("product_share:", "product"),
    ("industry_share:", "industry"),
    ("revenue_band_share:", "band"),
)


_BAND_ORDER = {
    f"revenue_band_share:{label}": i for i, (label, _low) in enumerate(calc.DEFAULT_REVENUE_BANDS)
}


def _composite_order(item: tuple[str, Any]) -> tuple[int, str]:
    """Revenue bands in ascending order, other shares by name."""
    return _BAND_ORDER.get(item[0], len(_BAND_ORDER)), item[0]


def comparison_labels(period: calc.Period) -> dict[str, str]:
    """The names of the dashboard's two comparisons for ``period``, in the request's
    language: the previous period is the previous month for a month ("MoM", month on month)
    and the previous week for an ISO week ("WoW", week on week; zh 环比 for both); the other is
    the same period a year before ("YoY"). ``{"prev", "prev_title", "year", "year_title",
    "same_days"}``; ``same_days`` is the note for a period in progress. The one source of
    these words for the dashboard (team, branch, organisation and rep) and its export
    (docs/domain, section 9, like-for-like comparisons)."""
    if period.kind == "week":
        prev, prev_title = _("WoW"), _("Week on week")
        same_days = _("week on week and year on year compare the same first days")
    else:
        prev, prev_title = _("MoM"), _("Month on month")
        same_days = _("month on month and year on year compare the same first days")
    return {
        "prev": prev,
        "prev_title": prev_title,
        "year": _("YoY"),
        "year_title": _("Year on year"),
        "same_days": same_days,
    }


def _delta(metric: str, now: Any, before: Any) -> dict[str, Any] | None:
    """Change against an earlier value: rates in percentage points; counts and money in
    percent when the base is at least ``figures.PERCENT_MIN_BASE_COUNT`` customers or
    ``PERCENT_MIN_BASE_MONEY`` CNY, else the absolute change (+3, not +300.0% on a base of
    1; docs/domain, section 9, like spans). None when either value is missing."""
    a, b = as_number(now), as_number(before)
    if a is None or b is None:
        return None
    kind = metric_kind(metric)
    if kind == "rate":
        diff = (a - b) * 100
        return {"text": f"{diff:+.1f} pp", "sign": (diff > 0) - (diff < 0)}
    floor = figures.PERCENT_MIN_BASE_MONEY if kind == "money" else figures.PERCENT_MIN_BASE_COUNT
    change = a - b
    sign = (change > 0) - (change < 0)
    if abs(b) < float(floor):
        text = f"{change:+,.2f}" if kind == "money" else f"{change:+,.0f}"
        return {"text": text, "sign": sign, "absolute": True}
    pct = change / abs(b) * 100
    return {"text": f"{pct:+.1f}%", "sign": sign}


def _drill_url(ds: DashScope, period: calc.Period, metric: str) -> str:
    query = urlencode({"scope": ds.key, "period": period.key, "metric": metric})
    return f"{_url('kpi:drilldown')}?{query}"


def _url(name: str) -> str:
    """``reverse(name)`` of an argument-less URL, once per URL configuration (a dashboard
    builds up to a hundred drill links; reversing each costs about 0.1 ms of CPU)."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    found = _URLS.get(key)
    if found is None:
        found = _URLS[key] = reverse(name)
    return found


_URLS: dict[tuple[object, str, str], str] = {}


def _children(ds: DashScope, period: calc.Period, segment: str) -> list[dict[str, Any]]:
    """Rows to rank under the scope: a team's reps, a branch's teams. One query."""
    if ds.kind == "team":
        rows = (
            Membership.objects.filter(unit_id=ds.id, role=Membership.Role.REP)
            .filter(memberships_in(period.start, period.end))
            .select_related("user")
            .order_by("user__username")
        )
        seen: dict[int, dict[str, Any]] = {}
        for m in rows:
            seen.setdefault(
                m.user_id,
                {
                    "id": m.user_id,
                    "label": str(m.user),
                    "url": reverse("kpi:rep_dashboard", args=[m.user.username]),
                    "key": f"rep:{m.user.username}",
                },
            )
        return list(seen.values())
    if ds.kind == "branch":
        teams = OrgUnit.objects.filter(pk__in=ds.team_ids).order_by("name")
        if segment:
            teams = teams.filter(segment=segment)
        return [
            {
                "id": t.pk,
                "label": t.name,
                "url": reverse("kpi:team_dashboard", args=[t.code]),
                "key": f"team:{t.code}",
            }
            for t in teams
        ]
    return []


def ranking(
    rows: list[dict[str, Any]], table: dict[int, dict[str, Any]], by: str, metrics: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Rank ``rows`` by metric ``by`` (highest first, no value last) and band them:
    the top third 'top', the bottom third 'bottom', the rest 'middle' (colour bands)."""
    out = []
    for row in rows:
        values = table.get(row["id"], {})
        out.append({**row, "values": values, "sort": as_number(values.get(by))})
    out.sort(key=lambda r: (r["sort"] is None, -(r["sort"] or 0), r["label"]))
    ranked = [r for r in out if r["sort"] is not None]
    third = len(ranked) // 3  # same size for the top and the bottom band
    for i, r in enumerate(out):
        r["rank"] = i + 1 if r["sort"] is not None else None
        if r["sort"] is None or third == 0:
            r["band"] = ""
        elif i < third:
            r["band"] = "top"
        elif i >= len(ranked) - third:
            r["band"] = "bottom"
        else:
            r["band"] = "middle"
        r["cells"] = [{"metric": m, "value": values_get(r["values"], m)} for m in metrics]
    return out


def values_get(values: dict[str, Any], metric: str) -> Any:
    return values.get(metric)


def dashboard_data(
    ds: DashScope,
    period: calc.Period,
    *,
    segment: str = "",
    rank_by: str = "",
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Everything a dashboard (or its xlsx export) shows for a scope and period, as seen on
    the local ``today`` (default: today in settings.TIME_ZONE).

    Month on month and year on year are like for like (``kpi.figures.comparison``): a
    period in progress is compared with the same first days of the earlier periods and
    labelled 本月至今 / 本周至今 (``to_date``). ``as_of``: when the stored figures were
    computed (shown as 截至 hh:mm). Queries: a fixed number whatever the team size (the
    snapshot reads, one per trend metric, the children and their table; for a period in
    progress one load of the scope's tables for the earlier spans)."""
    is_month = period.kind == "month"
    today = today or timezone.localdate()
    metrics = figures.stored_metrics(scope_kind=ds.kind, scope_id=ds.id, period=period)
    engine_scope, scope_teams = figures.scope_and_teams(
        scope_kind=ds.kind, scope_id=ds.id, period=period
    )
    compared = figures.cached_comparison(
        scope_kind=ds.kind,
        scope_id=ds.id,
        scope=engine_scope,
        team_ids=scope_teams,
        period=period,
        today=today,
    )
    previous, last_year = compared.previous, compared.year_before
    tiles = []
    tile_metrics = TILE_METRICS_MONTH if is_month else TILE_METRICS_WEEK
    if ds.kind == "rep":
        tile_metrics = (*tile_metrics, *REP_TILE_METRICS)
    for m in tile_metrics:
        mv = metrics.get(m)
        tiles.append(
            {
                "metric": m,
                "label": metric_label(m),
                "value": mv,
                "help": rate_help(m, mv),
                "pending": getattr(mv, "status", "") == "pending",
                "mom": _delta(m, mv, previous.get(m)),
                "yoy": _delta(m, mv, last_year.get(m)),
                "drill": _drill_url(ds, period, drill_metric(m) or "") if drill_metric(m) else "",
            }
        )
    funnel: list[dict[str, Any]] = []
    before: float | None = None
    for stage in calc.FUNNEL_STAGES:
        name = f"funnel_{stage}"
        count = as_number(metrics.get(name))
        step: float | None = None if count is None or not before else count / before
        funnel.append(
            {
                "metric": name,
                "label": metric_label(name),
                "value": metrics.get(name),
                "step": step,
                "drill": _drill_url(ds, period, name),
            }
        )
        before = count
    trend_periods = trailing(period, 12)
    trend_names = TREND_METRICS if is_month else TREND_METRICS_WEEK
    trend = figures.stored_series_many(
        scope_kind=ds.kind, scope_id=ds.id, metrics=trend_names, periods=trend_periods
    )
    trend_rows = [
        {"period": p.key, "cells": [{"metric": m, "value": trend[m][i]} for m in trend_names]}
        for i, p in enumerate(trend_periods)
    ]
    completion = []
    for m in calc.TARGETABLE_METRICS:
        mv = metrics.get(f"{m}_completion")
        if mv is None or mv.denominator in (None, 0):
            continue
        pct = as_number(mv)
        completion.append(
            {
                "metric": m,
                "label": metric_label(m),
                "actual": mv.numerator,
                "target": mv.denominator,
                "completion": mv,
                "bar": None if pct is None else max(0, min(100, round(pct * 100))),
                "over": pct is not None and pct >= 1,
            }
        )
    composite: list[dict[str, Any]] = []
    if is_month:
        for prefix, key in COMPOSITE_GROUPS:
            items = [
                {"metric": n, "label": metric_label(n), "value": mv}
                for n, mv in sorted(metrics.items(), key=_composite_order)
                if n.startswith(prefix)
            ]
            composite.append(
                {
                    "key": key,
                    "title": {
                        "product": _("Product mix"),
                        "industry": _("Customers by industry"),
                        "band": _("Customers by revenue band"),
                    }[key],
                    "items": items,
                }
            )
        composite.append(
            {
                "key": "health",
                "title": _("Zero-usage and in-arrears customers"),
                "items": [
                    {"metric": n, "label": metric_label(n), "value": metrics.get(n)}
                    for n in ("zero_usage_share", "in_arrears_share")
                ],
            }
        )
    rank_metrics = RANK_METRICS if is_month else RANK_METRICS_WEEK
    rank_by = rank_by if rank_by in rank_metrics else "deals"
    children = _children(ds, period, segment)
    table = (
        figures.stored_table(
            scope_kind="rep" if ds.kind == "team" else "team",
            scope_ids=[c["id"] for c in children],
            period=period,
            metrics=list(rank_metrics),
        )
        if children
        else {}
    )
    ranked = ranking(children, table, rank_by, rank_metrics)
    for r in ranked:
        for cell in r["cells"]:
            target = drill_metric(cell["metric"])
            if target:
                child = DashScope(ds.kind, r["id"], r["label"], r["key"])
                cell["drill"] = _drill_url(child, period, target)
    charts = {
        "funnel": [{"name": f["label"], "value": as_number(f["value"])} for f in funnel],
        "trend": {
            "labels": [p.key for p in trend_periods],
            "series": [
                {
                    "metric": m,
                    "name": metric_label(m),
                    "kind": metric_kind(m),
                    "data": [as_number(v) for v in trend[m]],
                }
                for m in trend_names
            ],
        },
        "composite": [
            {
                "key": g["key"],
                "title": str(g["title"]),
                "data": [
                    {"name": i["label"], "value": as_number(i["value"])}
                    for i in g["items"]
                    if as_number(i["value"]) is not None
                ],
            }
            for g in composite
        ],
        "completion": [
            {"name": c["label"], "value": as_number(c["completion"])} for c in completion
        ],
    }
    return {
        "metrics": metrics,
        "has_data": bool(metrics),
        "to_date": compared.to_date,
        "compare": comparison_labels(period),
        "as_of": figures.as_of(scope_kind=ds.kind, scope_ids=[ds.id], period=period),
        "tiles": tiles,
        "funnel": funnel,
        "trend_names": trend_names,
        "trend_rows": trend_rows,
        "completion": completion,
        "composite": composite,
        "rank_metrics": rank_metrics,
        "rank_by": rank_by,
        "ranking": ranked,
        "charts": charts,
    }


def _filters(request: HttpRequest, ds: DashScope, period: calc.Period) -> dict[str, Any]:
    """Filter choices: visible branches and teams (two queries), segments."""
    scope = _scope(request)
    segment = request.GET.get("segment", "")
    segments = OrgUnit._meta.get_field("segment").choices or []
    if segment not in {c[0] for c in segments}:
        segment = ""
    teams: list[OrgUnit] = []
    branches: list[OrgUnit] = []
    if scope.is_admin or scope.visible_team_ids:
        tq = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).order_by("name")
        if not scope.is_admin:
            tq = tq.filter(pk__in=sorted(scope.visible_team_ids or ()))
        if segment:
            tq = tq.filter(segment=segment)
        teams = list(tq)
        bq = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("name")
        if not scope.is_admin:
            bq = bq.filter(
                Q(pk__in=sorted(scope.managed_unit_ids))
                | Q(children__id__in=sorted(scope.managed_team_ids))
            ).distinct()
        branches = list(bq)
    return {
        "segment": segment,
        "segments": segments,
        "teams": teams,
        "branches": branches,
        "period": period,
        "period_label": period_label(period),
        "month_value": period.key if period.kind == "month" else f"{period.start:%Y-%m}",
        "week_value": period.key
        if period.kind == "week"
        else calc.period_of(period.start, "week").key,
    }
