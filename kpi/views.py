"""KPI pages (issue 6): role-aware dashboards for a rep, a team and a branch with
drill-down to the customers behind a count, the recompute button, targets (目标管理) and
the monthly business analysis (月度经营分析与计划).

Views are thin: resolve the scope the URL names (404 when the viewer may not see it,
accounts.scoping), read snapshots through kpi.selectors (a fixed number of queries
whatever the team size), render. Values None are shown as "-" (``kpi_value`` filter);
chart JSON goes through ``json_script`` with None instead of NaN.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, local_today
from customers.exporting import neutralise
from customers.importing import FileRefused
from customers.models import Customer

from . import analysis as analysis_services
from . import calculations as calc
from . import selectors
from . import targets as target_services
from .forms import AnalysisPlanForm, CommentForm, TargetImportForm
from .models import KpiRun, MonthlyAnalysis, MonthlyAnalysisComment, Target, TargetMetric
from .templatetags.kpi_format import as_number, format_value, metric_kind, metric_label


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


# --------------------------------------------------------------------------- scopes


@dataclass
class DashScope:
    """The scope a dashboard shows: kind 'rep' | 'team' | 'branch', its id and object,
    the key used in URLs ('team:CODE'), and the teams whose data it covers."""

    kind: str
    id: int
    obj: Any
    key: str
    team_ids: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.obj)

    @property
    def code(self) -> str:
        """The username or unit code of the URL."""
        return self.key.split(":", 1)[1]

    @property
    def url(self) -> str:
        return reverse(f"kpi:{self.kind}_dashboard", args=[self.code])


def _rep_team_ids(user_id: int, day: dt.date | None = None) -> list[int]:
    rows = Membership.objects.filter(user_id=user_id, role=Membership.Role.REP)
    if day is not None:
        rows = rows.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))
    return sorted(set(rows.values_list("unit_id", flat=True)))


def resolve_rep(scope: Scope, username: str) -> DashScope:
    """The rep ``username`` if the viewer sees them (self, their team's leads), else 404."""
    user = User.objects.filter(username=username).first()
    if user is None or not scope.is_authenticated or not scope.can_see_user(user.pk):
        raise Http404
    return DashScope("rep", user.pk, user, f"rep:{user.username}")


def resolve_team(scope: Scope, code: str) -> DashScope:
    """A team the viewer leads or oversees (supervisor, manager above, admin), else 404.

    Reps see their own figures only (DOMAIN.md section 1), so a team page is 404 to them."""
    team = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.TEAM).first()
    if team is None or not scope.is_authenticated or not scope.can_see_team(team.pk):
        raise Http404
    return DashScope("team", team.pk, team, f"team:{team.code}", [team.pk])


def resolve_branch(scope: Scope, code: str) -> DashScope:
    """A branch all of whose teams the viewer oversees (its manager, admin), else 404."""
    branch = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.BRANCH).first()
    if branch is None or not scope.is_authenticated:
        raise Http404
    team_ids = sorted(
        OrgUnit.objects.filter(parent=branch, kind=OrgUnit.Kind.TEAM).values_list("id", flat=True)
    )
    visible = scope.visible_team_ids
    if visible is not None and (
        branch.pk not in scope.managed_unit_ids and not (team_ids and set(team_ids) <= visible)
    ):
        raise Http404
    if visible is not None and not team_ids and branch.pk not in scope.managed_unit_ids:
        raise Http404
    return DashScope("branch", branch.pk, branch, f"branch:{branch.code}", team_ids)


def resolve_scope_key(scope: Scope, text: str) -> DashScope:
    """'rep:USERNAME' | 'team:CODE' | 'branch:CODE' -> a visible DashScope, else 404."""
    kind, _sep, key = (text or "").partition(":")
    if kind == "rep":
        return resolve_rep(scope, key)
    if kind == "team":
        return resolve_team(scope, key)
    if kind == "branch":
        return resolve_branch(scope, key)
    raise Http404


def _can_lead(scope: Scope, ds: DashScope) -> bool:
    if scope.is_admin:
        return True
    if ds.kind == "branch":
        return bool(ds.team_ids) and all(scope.can_lead_team(t) for t in ds.team_ids)
    if ds.kind == "team":
        return scope.can_lead_team(ds.id)
    return any(scope.can_lead_team(t) for t in _rep_team_ids(ds.id, scope.day))


# --------------------------------------------------------------------------- periods


def parse_period_params(params: Any, today: dt.date | None = None) -> calc.Period:
    """The period of a request: ``period`` ('2026-10' / '2026-W43'), else ``week`` (from
    <input type=week>) when ``kind`` is week, else ``month``; default: this month.
    Bad values fall back to the default (never an error page)."""
    today = today or local_today()
    candidates = [params.get("period")]
    if params.get("kind") == "week":
        candidates.append(params.get("week"))
    candidates.append(params.get("month"))
    for text in candidates:
        if not text:
            continue
        try:
            period = calc.parse_period(text)
        except ValueError:
            continue
        if dt.date(2000, 1, 1) <= period.start <= dt.date(2100, 1, 1):
            return period
    return calc.period_of(today, "month")


def year_ago(period: calc.Period) -> calc.Period:
    """The same month last year, or the same ISO week number last ISO year (同比)."""
    if period.kind == "month":
        return calc.month_period(period.start.year - 1, period.start.month)
    iso = period.start.isocalendar()
    week = min(iso.week, calc.weeks_in_iso_year(iso.year - 1))
    return calc.iso_week_period(iso.year - 1, week)


def trailing(period: calc.Period, n: int = 12) -> list[calc.Period]:
    """``n`` periods ending with ``period``, oldest first."""
    out = [period]
    while len(out) < n:
        out.insert(0, out[0].previous())
    return out


def period_label(period: calc.Period) -> str:
    """'2026-10' or '2026-W43 (10-19 – 10-25)' for the week picker."""
    if period.kind == "month":
        return period.key
    last = period.end - dt.timedelta(days=1)
    return f"{period.key} ({period.start:%m-%d} – {last:%m-%d})"


# --------------------------------------------------------------------------- dashboard data

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
    "effective_activity_rate",
    "sales_revenue",
    "sales_revenue_completion",
)
#: Count metrics whose customers the drill-down lists.
DRILL_METRICS = frozenset(
    {
        "target_customers",
        "open_targets_at_start",
        "new_targets",
        "intents",
        "intent_pool",
        "deals",
        *(f"funnel_{s}" for s in calc.FUNNEL_STAGES),
        "funnel_lost",
    }
)
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


def _delta(metric: str, now: Any, before: Any) -> dict[str, Any] | None:
    """Change against an earlier value: rates in percentage points, others in percent."""
    a, b = as_number(now), as_number(before)
    if a is None or b is None:
        return None
    if metric_kind(metric) == "rate":
        diff = (a - b) * 100
        return {"text": f"{diff:+.1f} pp", "sign": (diff > 0) - (diff < 0)}
    if b == 0:
        return None
    pct = (a - b) / abs(b) * 100
    return {"text": f"{pct:+.1f}%", "sign": (pct > 0) - (pct < 0)}


def _drill_url(ds: DashScope, period: calc.Period, metric: str) -> str:
    query = urlencode({"scope": ds.key, "period": period.key, "metric": metric})
    return f"{reverse('kpi:drilldown')}?{query}"


def _children(ds: DashScope, period: calc.Period, segment: str) -> list[dict[str, Any]]:
    """Rows to rank under the scope: a team's reps, a branch's teams. One query."""
    if ds.kind == "team":
        rows = (
            Membership.objects.filter(unit_id=ds.id, role=Membership.Role.REP)
            .filter(start__lt=period.end)
            .filter(Q(end__isnull=True) | Q(end__gte=period.start))
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
    ds: DashScope, period: calc.Period, *, segment: str = "", rank_by: str = ""
) -> dict[str, Any]:
    """Everything a dashboard (or its xlsx export) shows for a scope and period.

    Queries: 3 snapshot reads (period, previous, year ago), one per trend metric, one for
    the children and one for their table: fixed whatever the team size."""
    is_month = period.kind == "month"
    metrics = selectors.snapshot_metrics(scope_kind=ds.kind, scope_id=ds.id, period=period)
    previous = selectors.snapshot_metrics(
        scope_kind=ds.kind, scope_id=ds.id, period=period.previous()
    )
    last_year = selectors.snapshot_metrics(
        scope_kind=ds.kind, scope_id=ds.id, period=year_ago(period)
    )
    tiles = []
    for m in TILE_METRICS_MONTH if is_month else TILE_METRICS_WEEK:
        mv = metrics.get(m)
        tiles.append(
            {
                "metric": m,
                "label": metric_label(m),
                "value": mv,
                "pending": getattr(mv, "status", "") == "pending",
                "mom": _delta(m, mv, previous.get(m)),
                "yoy": _delta(m, mv, last_year.get(m)),
                "drill": _drill_url(ds, period, m) if m in DRILL_METRICS else "",
            }
        )
    funnel = []
    before = None
    for stage in calc.FUNNEL_STAGES:
        name = f"funnel_{stage}"
        count = as_number(metrics.get(name))
        step = None if count is None or not before else count / before
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
    trend = {
        m: selectors.snapshot_series(
            scope_kind=ds.kind, scope_id=ds.id, metric=m, periods=trend_periods
        )
        for m in trend_names
    }
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
    composite = []
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
        selectors.snapshot_table(
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
            if cell["metric"] in DRILL_METRICS:
                child = DashScope(ds.kind, r["id"], r["label"], r["key"])
                cell["drill"] = _drill_url(child, period, cell["metric"])
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
    segments = OrgUnit._meta.get_field("segment").choices
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


def _render_dashboard(request: HttpRequest, ds: DashScope) -> HttpResponse:
    scope = _scope(request)
    period = parse_period_params(request.GET)
    filters = _filters(request, ds, period)
    data = dashboard_data(
        ds, period, segment=filters["segment"], rank_by=request.GET.get("rank", "")
    )
    query = urlencode({"scope": ds.key, "period": period.key, "segment": filters["segment"]})
    breadcrumbs = []
    if ds.kind == "team" and ds.obj.parent_id:
        # Link the branch only for those who may open its dashboard (not its supervisors).
        try:
            resolve_branch(scope, ds.obj.parent.code)
        except Http404:
            pass
        else:
            breadcrumbs.append(ds.obj.parent)
    context = {
        "ds": ds,
        "filters": filters,
        **_run_context(selectors.latest_run()),
        "can_recompute": _can_lead(scope, ds)
        and scope.primary_role in ("supervisor", "manager", "admin"),
        "export_url": f"{reverse('kpi:dashboard_export')}?{query}",
        "breadcrumbs": breadcrumbs,
        **data,
    }
    return render(request, "kpi/dashboard.html", context)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """/kpi/: the viewer's own dashboard (rep -> own, supervisor -> team, manager ->
    branch; DOMAIN.md section 10), or the team/branch picked in the filter."""
    scope = _scope(request)
    keep = {
        k: v for k, v in request.GET.items() if k in ("period", "kind", "month", "week", "segment")
    }
    suffix = f"?{urlencode(keep)}" if keep else ""
    if request.GET.get("team"):
        return redirect(reverse("kpi:team_dashboard", args=[request.GET["team"]]) + suffix)
    if request.GET.get("branch"):
        return redirect(reverse("kpi:branch_dashboard", args=[request.GET["branch"]]) + suffix)
    if request.GET.get("rep"):
        return redirect(reverse("kpi:rep_dashboard", args=[request.GET["rep"]]) + suffix)
    role = scope.primary_role
    if role in ("manager", "admin"):
        branches = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).order_by("name")
        if role == "manager":
            # a manager of a branch, or of a company above several branches
            branches = branches.filter(
                Q(pk__in=sorted(scope.managed_unit_ids))
                | Q(children__id__in=sorted(scope.managed_team_ids))
            ).distinct()
        branch = branches.first()
        if branch is not None:
            return redirect(reverse("kpi:branch_dashboard", args=[branch.code]) + suffix)
        team = (
            OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, pk__in=sorted(scope.managed_team_ids))
            .order_by("name")
            .first()
        )
        if team is not None:
            return redirect(reverse("kpi:team_dashboard", args=[team.code]) + suffix)
    if role == "supervisor" or (role == "manager" and scope.supervised_team_ids):
        team = OrgUnit.objects.filter(pk=min(scope.supervised_team_ids)).first()
        if team is not None:
            return redirect(reverse("kpi:team_dashboard", args=[team.code]) + suffix)
    if role == "rep":
        return redirect(reverse("kpi:rep_dashboard", args=[request.user.username]) + suffix)
    return render(request, "kpi/no_dashboard.html", status=200)


@login_required
@require_GET
def team_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A team's dashboard (supervisor, manager above, admin; others 404)."""
    return _render_dashboard(request, resolve_team(_scope(request), code))


@login_required
@require_GET
def rep_dashboard(request: HttpRequest, username: str) -> HttpResponse:
    """A rep's own dashboard (the rep, the team's leads, admin; others 404)."""
    return _render_dashboard(request, resolve_rep(_scope(request), username))


@login_required
@require_GET
def branch_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A branch's dashboard with its teams ranked (its manager, admin; others 404)."""
    return _render_dashboard(request, resolve_branch(_scope(request), code))


# --------------------------------------------------------------------------- drill-down


def _attributed_team(owners: pd.DataFrame, teams_on_day: pd.Series) -> pd.Series:
    """Owner's team on the day (memberships), else the ownership row's team."""
    mapped = owners["owner_id"].map(teams_on_day)
    return mapped.fillna(owners["team_id"]).astype("Int64")


def drill_customer_ids(ds: DashScope, period: calc.Period, metric: str) -> list[int]:
    """Ids of the customers behind a count metric of a scope and period, recomputed from
    the pure functions (kpi.calculations.stage_reach_times, owner_at, team_of_user_at)
    over the scope's loaded data; same rules as the snapshot (DOMAIN.md section 9):
    events (new_targets, intents, deals) go to the rep/team of the change that reached
    the stage; pools to the owner at the period's start for customers open then; the
    funnel to the owner at the period's last moment. Raises ValueError for a metric
    without a customer list."""
    from .loading import load_input

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


# --------------------------------------------------------------------------- recompute


def _run_context(run: KpiRun | None) -> dict[str, Any]:
    active = run is not None and run.status in (KpiRun.Status.PENDING, KpiRun.Status.RUNNING)
    return {"run": run, "run_active": active}


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    """POST: start a manual KPI run for a scope the viewer leads (supervisor, manager,
    admin) over the chosen and the previous period. Answers the run panel (htmx) or
    redirects back. 404 for scopes not visible, 403 for visible ones the viewer does not
    lead (a rep)."""
    from .services import kpi_run_start

    scope = _scope(request)
    ds = resolve_scope_key(scope, request.POST.get("scope", ""))
    if not _can_lead(scope, ds) or scope.primary_role not in ("supervisor", "manager", "admin"):
        raise PermissionDenied
    period = parse_period_params(request.POST)
    run = kpi_run_start(
        trigger=KpiRun.Trigger.MANUAL,
        periods=[period.previous().key, period.key],
        scope=ds.key,
        by=request.user,
    )
    if request.headers.get("HX-Request"):
        run.refresh_from_db()
        return render(
            request,
            "kpi/_run_panel.html",
            {**_run_context(run), "can_recompute": True, "ds": ds, "filters": {"period": period}},
        )
    messages.success(request, _("Recompute started."))
    return redirect(f"{ds.url}?{urlencode({'period': period.key})}")


@login_required
@require_GET
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run panel (htmx polling while a run is queued or running). Leads only."""
    scope = _scope(request)
    if scope.primary_role not in ("supervisor", "manager", "admin"):
        raise Http404
    run = KpiRun.objects.filter(pk=pk).first()
    # Organisation-wide runs (scope "") are shown on every dashboard; scoped ones only
    # to viewers of that scope.
    if run is None or (
        run.scope
        and not scope.is_admin
        and run.requested_by_id != scope.user_id
        and not _run_visible(scope, run)
    ):
        raise Http404
    context: dict[str, Any] = {**_run_context(run), "can_recompute": False}
    if request.GET.get("scope"):
        # The dashboard's own scope, so the button comes back once the run is done.
        ds = resolve_scope_key(scope, request.GET["scope"])
        context.update(
            ds=ds,
            can_recompute=_can_lead(scope, ds),
            filters={"period": parse_period_params(request.GET)},
        )
    return render(request, "kpi/_run_panel.html", context)


def _run_visible(scope: Scope, run: KpiRun) -> bool:
    try:
        resolve_scope_key(scope, run.scope)
    except Http404:
        return False
    return True


# --------------------------------------------------------------------------- export


_FORMATS = {"rate": "0.0%", "money": "#,##0.00", "count": "0"}


def _sheet(
    wb: Workbook,
    title: str,
    headers: list[str],
    rows: list[list[Any]],
    kinds: list[list[str]] | None = None,
) -> None:
    """A sheet of plain cells. Text that a spreadsheet would run as a formula (=, +, -, @)
    is stored as text with Excel's quote-prefix flag instead of a visible apostrophe;
    ``kinds`` (per cell 'rate' | 'money' | 'count' | '') sets number formats."""
    ws = wb.create_sheet(title=title[:31])
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows):
        ws.append([None] * len(row))
        for c, value in enumerate(row):
            cell = ws.cell(row=r + 2, column=c + 1)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the first character
                if neutralise(value) != value:
                    cell.quotePrefix = True
            elif kinds and kinds[r][c] in _FORMATS:
                cell.number_format = _FORMATS[kinds[r][c]]


def _xlsx_cell(value: Any) -> Any:
    raw = as_number(value)
    return "-" if raw is None else raw


@login_required
@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as .xlsx (KPIs with MoM/YoY, funnel, trend, ranking,
    completion, composite). Rates as fractions, no value as "-". 404 outside scope."""
    ds = resolve_scope_key(_scope(request), request.GET.get("scope", ""))
    period = parse_period_params(request.GET)
    data = dashboard_data(ds, period, segment=request.GET.get("segment", ""))
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        _("KPIs"),
        [_("Metric"), _("Value"), _("Month on month"), _("Year on year")],
        [
            [
                t["label"],
                _xlsx_cell(t["value"]),
                (t["mom"] or {}).get("text", "-"),
                (t["yoy"] or {}).get("text", "-"),
            ]
            for t in data["tiles"]
        ],
        [["", metric_kind(t["metric"]), "", ""] for t in data["tiles"]],
    )
    _sheet(
        wb,
        _("Funnel"),
        [_("Stage"), _("Customers"), _("Step rate")],
        [[f["label"], _xlsx_cell(f["value"]), _xlsx_cell(f["step"])] for f in data["funnel"]],
        [["", "count", "rate"] for _f in data["funnel"]],
    )
    _sheet(
        wb,
        _("Trend"),
        [_("Period"), *[metric_label(m) for m in data["trend_names"]]],
        [[r["period"], *[_xlsx_cell(c["value"]) for c in r["cells"]]] for r in data["trend_rows"]],
        [["", *[metric_kind(m) for m in data["trend_names"]]] for _r in data["trend_rows"]],
    )
    _sheet(
        wb,
        _("Ranking"),
        [_("Rank"), _("Name"), *[metric_label(m) for m in data["rank_metrics"]]],
        [
            [r["rank"] or "-", r["label"], *[_xlsx_cell(c["value"]) for c in r["cells"]]]
            for r in data["ranking"]
        ],
        [["", "", *[metric_kind(m) for m in data["rank_metrics"]]] for _r in data["ranking"]],
    )
    _sheet(
        wb,
        _("Targets"),
        [_("Metric"), _("Actual"), _("Target"), _("Completion")],
        [
            [
                c["label"],
                _xlsx_cell(c["actual"]),
                _xlsx_cell(c["target"]),
                _xlsx_cell(c["completion"]),
            ]
            for c in data["completion"]
        ],
        [["", "", "", "rate"] for _c in data["completion"]],
    )
    _sheet(
        wb,
        _("Composite"),
        [_("Group"), _("Item"), _("Share")],
        [
            [str(g["title"]), i["label"], _xlsx_cell(i["value"])]
            for g in data["composite"]
            for i in g["items"]
        ],
        [["", "", "rate"] for g in data["composite"] for _i in g["items"]],
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    name = f"kpi-{ds.key.replace(':', '-')}-{period.key}.xlsx"
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --------------------------------------------------------------------------- targets


def _month_param(request: HttpRequest, name: str = "month") -> dt.date:
    return target_services.parse_month(
        request.GET.get(name) or request.POST.get(name), local_today().replace(day=1)
    ) or local_today().replace(day=1)


def _is_lead(scope: Scope) -> bool:
    return scope.primary_role in ("supervisor", "manager", "admin")


def _led_teams(scope: Scope) -> list[OrgUnit]:
    teams = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).order_by("name")
    if not scope.is_admin:
        ids = (scope.visible_team_ids or frozenset()) & (
            scope.supervised_team_ids | scope.managed_team_ids
        )
        teams = teams.filter(pk__in=sorted(ids))
    return list(teams)


@login_required
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    """Targets of a month: the viewer's own (with acknowledge) and, for leads, each team
    they lead with how many targets are set and acknowledged. Fixed queries."""
    scope = _scope(request)
    month = _month_param(request)
    own = list(Target.objects.filter(rep_id=request.user.pk, month=month).order_by("metric"))
    teams = _led_teams(scope) if _is_lead(scope) else []
    team_ids = [t.pk for t in teams]
    members = (
        (
            Membership.objects.filter(unit_id__in=team_ids, role=Membership.Role.REP)
            .filter(start__lte=target_services.month_end(month))
            .filter(Q(end__isnull=True) | Q(end__gte=month))
            .values_list("unit_id", "user_id")
        )
        if team_ids
        else []
    )
    rep_team: dict[int, set[int]] = {}
    reps_per_team: dict[int, set[int]] = {}
    for unit_id, user_id in members:
        rep_team.setdefault(user_id, set()).add(unit_id)
        reps_per_team.setdefault(unit_id, set()).add(user_id)
    stats: dict[int, dict[str, int]] = {t: {"team_n": 0, "rep_n": 0, "ack_n": 0} for t in team_ids}
    if team_ids:
        rows = (
            Target.objects.filter(month=month)
            .filter(Q(team_id__in=team_ids) | Q(rep_id__in=list(rep_team)))
            .values_list("team_id", "rep_id", "acknowledged_at")
        )
        for team_id, rep_id, ack in rows:
            if team_id:
                stats[team_id]["team_n"] += 1
                continue
            for t in rep_team.get(rep_id, ()):
                stats[t]["rep_n"] += 1
                stats[t]["ack_n"] += 1 if ack else 0
    team_rows = [
        {
            "team": t,
            "reps": len(reps_per_team.get(t.pk, ())),
            **stats[t.pk],
            "can_edit": scope.can_lead_team(t.pk),
        }
        for t in teams
    ]
    context = {
        "month": month,
        "month_key": f"{month:%Y-%m}",
        "own": [{"target": t, "label": metric_label(t.metric)} for t in own],
        "unacknowledged": any(t.acknowledged_at is None for t in own),
        "team_rows": team_rows,
        "is_lead": _is_lead(scope),
        "prev_month": f"{(month - dt.timedelta(days=1)):%Y-%m}",
        "next_month": f"{(target_services.month_end(month) + dt.timedelta(days=1)):%Y-%m}",
    }
    return render(request, "kpi/target_list.html", context)


def _grid_key(rep_id: int | None, metric: str) -> str:
    return f"v-{rep_id or 'team'}-{metric}"


@login_required
def target_edit(request: HttpRequest, code: str, month: str) -> HttpResponse:
    """The target grid of a team and month: rows the team and its reps, columns the
    metrics (DOMAIN.md section 4b). Supervisors and managers of the team only; 404 for
    teams the viewer cannot see, 403 for those they see but do not lead. Empty cell = no
    target; the weekly split defaults to the month pro rata (kpi.loading)."""
    scope = _scope(request)
    team = resolve_team(scope, code).obj
    first = target_services.parse_month(month)
    if first is None:
        raise Http404
    if not scope.can_lead_team(team.pk):
        raise PermissionDenied
    reps = target_services.team_reps(team=team, month=first)
    metrics = list(TargetMetric.choices)
    existing = {
        (t.rep_id, t.metric): t
        for t in Target.objects.filter(month=first).filter(
            Q(team=team) | Q(rep_id__in=[r.pk for r in reps])
        )
    }
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        values: dict[tuple[int | None, str], Decimal | None] = {}
        for rep_id in [None, *[r.pk for r in reps]]:
            for metric, _label in metrics:
                key = _grid_key(rep_id, metric)
                text = (request.POST.get(key) or "").strip().replace(",", "")
                posted[key] = text
                if not text:
                    values[(rep_id, metric)] = None
                    continue
                try:
                    value = Decimal(text)
                    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
                        raise InvalidOperation
                except (InvalidOperation, ValueError):
                    errors[key] = _("Enter a number of 0 or more.")
                    continue
                values[(rep_id, metric)] = value.quantize(Decimal("0.01"))
        if not errors:
            changed = target_services.targets_save_grid(
                team=team, month=first, values=values, by=request.user, scope=scope
            )
            messages.success(request, _("%(n)s targets saved.") % {"n": changed})
            return redirect("kpi:target_edit", code=team.code, month=f"{first:%Y-%m}")
        messages.error(request, _("Some values are not valid; nothing was saved."))
    rows = []
    for rep in [None, *reps]:
        rep_id = rep.pk if rep else None
        cells = []
        for metric, _label in metrics:
            key = _grid_key(rep_id, metric)
            t = existing.get((rep_id, metric))
            value = (
                posted.get(key)
                if request.method == "POST"
                else (f"{t.value.normalize():f}" if t else "")
            )
            cells.append(
                {
                    "name": key,
                    "value": value,
                    "error": errors.get(key, ""),
                    "acknowledged": bool(t and t.acknowledged_at),
                    "split": ", ".join(f"{k}: {v}" for k, v in sorted((t.weeks or {}).items()))
                    if t
                    else "",
                }
            )
        rows.append(
            {"label": str(rep) if rep else _("Team total"), "is_team": rep is None, "cells": cells}
        )
    context = {
        "team": team,
        "month": first,
        "month_key": f"{first:%Y-%m}",
        "metrics": metrics,
        "rows": rows,
        "has_errors": bool(errors),
    }
    return render(request, "kpi/target_edit.html", context)


@login_required
@require_POST
def target_ack(request: HttpRequest) -> HttpResponse:
    """The rep acknowledges their targets of ``month`` (POST)."""
    month = _month_param(request)
    count = target_services.targets_acknowledge(rep=request.user, month=month)
    if count:
        messages.success(request, _("Targets acknowledged."))
    return redirect(f"{reverse('kpi:target_list')}?month={month:%Y-%m}")


@login_required
@require_GET
def target_export(request: HttpRequest) -> HttpResponse:
    """Targets of a month as .xlsx in the import format: a team's (``?team=CODE``, 404
    unless visible), every team the viewer leads, or (a rep) their own."""
    scope = _scope(request)
    month = _month_param(request)
    if request.GET.get("team"):
        teams = [resolve_team(scope, request.GET["team"]).obj]
    elif _is_lead(scope):
        teams = _led_teams(scope)
    else:
        teams = []
    team_ids = [t.pk for t in teams]
    reps = Membership.objects.filter(unit_id__in=team_ids, role=Membership.Role.REP).values(
        "user_id"
    )
    rows = (
        Target.objects.filter(month=month)
        .filter(Q(team_id__in=team_ids) | Q(rep_id__in=reps) | Q(rep_id=request.user.pk))
        .select_related("rep", "team")
        .order_by("team__code", "rep__username", "metric")
    )
    response = HttpResponse(
        target_services.targets_xlsx(rows, month),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="targets-{month:%Y-%m}.xlsx"'
    return response


@login_required
def target_import(request: HttpRequest) -> HttpResponse:
    """Upload targets from .xlsx/.xls/.csv (leads only; others 404). Valid rows are
    written, bad rows listed ('row 7: month: expected YYYY-MM')."""
    scope = _scope(request)
    if not _is_lead(scope):
        raise Http404
    result = None
    form = TargetImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = target_services.targets_import(
                data=form.cleaned_data["file"].read(), by=request.user, scope=scope
            )
        except FileRefused as exc:
            form.add_error("file", str(exc))
        else:
            if result.written:
                messages.success(request, _("%(n)s targets imported.") % {"n": result.written})
    return render(
        request,
        "kpi/target_import.html",
        {"form": form, "result": result, "metrics": TargetMetric.choices},
    )


# --------------------------------------------------------------------------- analysis


def _visible_analysis(request: HttpRequest, pk: int) -> MonthlyAnalysis:
    analysis = (
        MonthlyAnalysis.objects.select_related("rep", "team", "author", "reviewed_by")
        .filter(pk=pk)
        .first()
    )
    if analysis is None or not analysis_services.analysis_can_see(analysis, _scope(request)):
        raise Http404
    return analysis


def _result_rows(results: dict[str, dict[str, Any]], gaps: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for metric, r in results.items():
        completion = as_number(r.get("completion"))
        rows.append(
            {
                "metric": metric,
                "label": metric_label(metric),
                "target": format_value(r.get("target"), metric),
                "actual": format_value(r.get("actual"), metric),
                "completion": format_value(r.get("completion"), "x_completion"),
                "bar": None if completion is None else max(0, min(100, round(completion * 100))),
                "short": completion is not None and completion < 1,
                "gap": gaps.get(metric, ""),
            }
        )
    return rows


@login_required
@require_GET
def analysis_list(request: HttpRequest) -> HttpResponse:
    """Monthly analyses the viewer may see (own, their team's), newest first, paged;
    with the forms to start a personal or team analysis."""
    scope = _scope(request)
    qs = MonthlyAnalysis.objects.select_related("rep", "team", "author")
    if not scope.is_admin:
        teams = sorted(scope.visible_team_ids or ())
        qs = qs.filter(Q(author_id=scope.user_id) | Q(rep_id=scope.user_id) | Q(team_id__in=teams))
    page = Paginator(qs.order_by("-month", "team__name", "rep__username"), 25).get_page(
        request.GET.get("page")
    )
    last_month = (local_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    supervised = (
        list(OrgUnit.objects.filter(pk__in=sorted(scope.supervised_team_ids)).order_by("name"))
        if not scope.is_admin
        else list(OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).order_by("name"))
    )
    context = {
        "page": page,
        "default_month": f"{last_month:%Y-%m}",
        "can_personal": bool(scope.rep_team_ids),
        "supervised": supervised,
    }
    return render(request, "kpi/analysis_list.html", context)


@login_required
@require_POST
def analysis_start(request: HttpRequest) -> HttpResponse:
    """POST: open the personal (``kind=personal``) or team (``team=CODE``) analysis of a
    month, or go to the existing one."""
    scope = _scope(request)
    month = target_services.parse_month(request.POST.get("month"))
    if month is None:
        messages.error(request, _("Choose a month."))
        return redirect("kpi:analysis_list")
    if request.POST.get("kind") == "personal":
        if not scope.rep_team_ids:
            raise PermissionDenied
        team = OrgUnit.objects.get(pk=min(scope.rep_team_ids))
        personal = True
    else:
        team = resolve_team(scope, request.POST.get("team", "")).obj
        personal = False
    analysis = analysis_services.analysis_start(
        by=request.user, scope=scope, month=month, team=team, personal=personal
    )
    return redirect("kpi:analysis_edit", pk=analysis.pk)


@login_required
@require_GET
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An analysis: targets vs results (frozen once submitted), the gap explanations,
    next month's plan, comments and the actions the viewer may take."""
    scope = _scope(request)
    analysis = _visible_analysis(request, pk)
    draft = analysis.status == MonthlyAnalysis.Status.DRAFT
    results = analysis_services.analysis_results(analysis) if draft else analysis.results
    comments = list(
        MonthlyAnalysisComment.objects.filter(analysis=analysis).select_related("author")
    )
    try:
        analysis_services.analysis_check_can_review(analysis=analysis, scope=scope)
        can_review = True
    except PermissionDenied:
        can_review = False
    scope_url = (
        reverse("kpi:rep_dashboard", args=[analysis.rep.username])
        if analysis.rep_id
        else reverse("kpi:team_dashboard", args=[analysis.team.code])
    )
    context = {
        "analysis": analysis,
        "rows": _result_rows(results, analysis.gaps),
        "comments": comments,
        "comment_form": CommentForm(),
        "can_edit": draft and analysis.author_id == request.user.pk,
        "can_review": can_review,
        "dashboard_url": f"{scope_url}?period={analysis.month:%Y-%m}",
    }
    return render(request, "kpi/analysis_detail.html", context)


@login_required
def analysis_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft analysis (its author only; others who see it get 403)."""
    analysis = _visible_analysis(request, pk)
    analysis_services.analysis_check_can_edit(analysis=analysis, user=request.user)
    results = analysis_services.analysis_results(analysis)
    metrics = [(m, metric_label(m)) for m in results]
    initial = {"plan": analysis.plan, **{f"gap_{m}": analysis.gaps.get(m, "") for m in results}}
    form = AnalysisPlanForm(request.POST or None, initial=initial, metrics=metrics)
    if request.method == "POST" and form.is_valid():
        analysis_services.analysis_update(
            analysis=analysis, user=request.user, gaps=form.gaps(), plan=form.cleaned_data["plan"]
        )
        if request.POST.get("submit"):
            try:
                analysis_services.analysis_submit(analysis=analysis, user=request.user)
            except ValidationError as exc:
                form.add_error("plan", exc.message_dict.get("plan", exc.messages))
            else:
                messages.success(request, _("Analysis submitted."))
                return redirect("kpi:analysis_detail", pk=analysis.pk)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("kpi:analysis_edit", pk=analysis.pk)
    rows = _result_rows(results, analysis.gaps)
    for row in rows:
        row["field"] = form[f"gap_{row['metric']}"]
    return render(
        request, "kpi/analysis_edit.html", {"analysis": analysis, "form": form, "rows": rows}
    )


@login_required
@require_POST
def analysis_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: submit a draft (author only); freezes the results."""
    analysis = _visible_analysis(request, pk)
    try:
        analysis_services.analysis_submit(analysis=analysis, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("kpi:analysis_edit", pk=analysis.pk)
    messages.success(request, _("Analysis submitted."))
    return redirect("kpi:analysis_detail", pk=analysis.pk)


@login_required
@require_POST
def analysis_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: add a comment to an analysis the viewer sees."""
    analysis = _visible_analysis(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        analysis_services.analysis_comment(
            analysis=analysis,
            by=request.user,
            scope=_scope(request),
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Comment added."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect("kpi:analysis_detail", pk=analysis.pk)


@login_required
@require_POST
def analysis_review(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: a supervisor/manager of the team marks a submitted analysis reviewed."""
    analysis = _visible_analysis(request, pk)
    analysis_services.analysis_review(
        analysis=analysis, by=request.user, scope=_scope(request), text=request.POST.get("text", "")
    )
    messages.success(request, _("Analysis reviewed."))
    return redirect("kpi:analysis_detail", pk=analysis.pk)
