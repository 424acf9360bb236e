"""Target pages: list, edit grid, acknowledge, Excel export and import."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Membership, OrgUnit
from accounts.scoping import Scope, local_today, memberships_during
from customers.import_messages import translate_refusal
from kpi import figures
from kpi import targets as target_services
from kpi.forms import TargetImportForm
from kpi.models import Target, TargetMetric
from kpi.templatetags.kpi_format import metric_label
from kpi.views.scopes import _scope, _user, resolve_team
from spreadsheets.reading import FileRefused


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
            .filter(memberships_during(month, target_services.month_end(month)))
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


_GRID_KEY = re.compile(r"^v-(team|\d{1,12})-(\w+)$")


def _posted_cells(data: QueryDict) -> list[tuple[str, int | None, str]]:
    """The grid cells in a POST, as (field name, rep id or None for the team, metric):
    the names :func:`_grid_key` makes, for known metrics only. Rep ids are not checked
    here: ``targets_save_grid`` refuses those outside the team."""
    known = set(TargetMetric.values)
    cells = []
    for key in data:
        match = _GRID_KEY.match(key)
        if match and match[2] in known:
            who = match[1]
            cells.append((key, None if who == "team" else int(who), match[2]))
    return cells


@login_required
def target_edit(request: HttpRequest, code: str, month: str) -> HttpResponse:
    """The target grid of a team and month: rows the team and its reps, columns the
    metrics (docs/domain section 4b). Supervisors and managers of the team only; 404 for
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
        for key, rep_id, metric in _posted_cells(request.POST):
            # Only the cells sent change; an empty one deletes its target.
            text = (request.POST.get(key) or "").strip().replace(",", "")
            posted[key] = text
            if not text:
                values[(rep_id, metric)] = None
                continue
            try:
                value = Decimal(text)
                if not value.is_finite() or value < 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                errors[key] = _("Enter a number of 0 or more.")
                continue
            problem = target_services.target_value_problem(metric, value)
            if problem:
                errors[key] = problem
                continue
            values[(rep_id, metric)] = value.quantize(Decimal("0.01"))
        if not errors:
            try:
                changed = target_services.targets_save_grid(
                    team=team, month=first, values=values, by=_user(request), scope=scope
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                errors["__all__"] = " ".join(exc.messages)
            else:
                messages.success(request, _("%(n)s targets saved.") % {"n": changed})
                return redirect("kpi:target_edit", code=team.code, month=f"{first:%Y-%m}")
        else:
            messages.error(request, _("Some values are not valid; nothing was saved."))
    rows = []
    for rep in [None, *reps]:
        rep_id = rep.pk if rep else None
        cells = []
        for metric, _label in metrics:
            key = _grid_key(rep_id, metric)
            t = existing.get((rep_id, metric))
            saved = f"{t.value.normalize():f}" if t else ""
            shown = posted.get(key, saved) if request.method == "POST" else saved
            cells.append(
                {
                    "name": key,
                    "value": shown,
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
        "mismatches": [
            {"label": metric_label(m), "team": team_value, "reps": reps_value}
            for m, team_value, reps_value in figures.team_targets_vs_reps(
                team_id=team.pk, month=first, rep_ids=[r.pk for r in reps]
            )
        ],
    }
    return render(request, "kpi/target_edit.html", context)


@login_required
@require_POST
def target_ack(request: HttpRequest) -> HttpResponse:
    """The rep acknowledges their targets of ``month`` (POST)."""
    month = _month_param(request)
    count = target_services.targets_acknowledge(rep=_user(request), month=month)
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
    # Reps of those teams in that month only: a rep who has moved to another team is no
    # longer the exporter's to see (docs/domain, section 1).
    reps = (
        Membership.objects.filter(unit_id__in=team_ids, role=Membership.Role.REP)
        .filter(start__lte=target_services.month_end(month))
        .filter(Q(end__isnull=True) | Q(end__gte=month))
        .values("user_id")
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
    """Upload targets from kpi.xlsx/.xls/.csv (leads only; others 404). Valid rows are
    written, each refused cell listed by row, field and reason in the reader's language
    (``kpi.targets.TargetRowError``); a refused file is a form error saying why."""
    scope = _scope(request)
    if not _is_lead(scope):
        raise Http404
    result = None
    form = TargetImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = target_services.targets_import(
                data=form.cleaned_data["file"].read(), by=_user(request), scope=scope
            )
        except FileRefused as exc:
            form.add_error("file", translate_refusal(exc))
        else:
            if result.written:
                messages.success(request, _("%(n)s targets imported.") % {"n": result.written})
    return render(
        request,
        "kpi/target_import.html",
        {"form": form, "result": result, "metrics": TargetMetric.choices},
    )
