"""Dashboard scopes (rep, team, branch) the viewer may see, and period parameters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, active_memberships, local_today
from kpi import calculations as calc


def _user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required``."""
    return cast(User, request.user)


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


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
        rows = rows.filter(active_memberships(day))
    return sorted(set(rows.values_list("unit_id", flat=True)))


def resolve_rep(scope: Scope, username: str) -> DashScope:
    """The rep ``username`` if the viewer sees them (self, their team's leads), else 404."""
    user = User.objects.filter(username=username).first()
    if user is None or not scope.is_authenticated or not scope.can_see_user(user.pk):
        raise Http404
    return DashScope("rep", user.pk, user, f"rep:{user.username}")


def resolve_team(scope: Scope, code: str) -> DashScope:
    """A team the viewer leads or oversees (supervisor, manager above, admin), else 404.

    Reps see their own figures only (docs/domain section 1), so a team page is 404 to them."""
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
    Bad values fall back to the default (never an error page); a page says so with
    :func:`period_from_request`."""
    return _period_and_validity(params, today)[0]


def _period_and_validity(params: Any, today: dt.date | None) -> tuple[calc.Period, bool]:
    """(the period of :func:`parse_period_params`, False when a period was given but none
    of the given texts is a valid month or week between 2000 and 2100)."""
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
            return period, True
    return calc.period_of(today, "month"), not any(candidates)


def period_from_request(request: HttpRequest) -> calc.Period:
    """The period of a KPI page's GET parameters (:func:`parse_period_params`, the one
    period parser); when the given period is not valid (``2026-13``, ``1900-01``, ``abc``)
    the page shows the current month with a warning saying so (docs/domain, section 9)."""
    period, valid = _period_and_validity(request.GET, None)
    if not valid:
        messages.warning(
            request, _("The period in the address is not valid; showing the current month.")
        )
    return period


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
