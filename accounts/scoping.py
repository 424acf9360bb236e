"""Who may see and change what: the one place that decides (docs/domain section 1).

Rules, for a user on a given local date:
- an admin (staff user) sees and manages everything;
- everyone sees their own data (objects they own or wrote);
- a supervisor sees the data of the teams they supervise that day, and manages them
  (comments, evaluations, reassignment);
- a manager sees every team below the unit they manage that day (a branch, or the
  company for a manager granted the whole company), and sets their targets;
- nobody sees another branch's data unless granted by such a membership.

Objects carry the team they belong to (for example ``Customer.team``) and their
owner; :func:`restrict` filters any queryset by those two fields. Views answer 404
for objects outside the scope, so existence never leaks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Membership, OrgUnit, User

M = TypeVar("M", bound="Model")


def local_today() -> dt.date:
    """The organisation's current local date (settings.TIME_ZONE), never the UTC date."""
    return timezone.localdate()


def active_memberships(day: dt.date) -> Q:
    """A Q filter for memberships active on ``day`` (start <= day <= end, open end)."""
    return memberships_during(day, day)


def memberships_during(first: dt.date, last: dt.date) -> Q:
    """A Q filter for memberships active on at least one day of ``first`` .. ``last``
    (local dates, both included; an open end never ends): start <= last and the end is
    open or on/after ``first``. The one "active during" rule for every app."""
    return Q(start__lte=last) & (Q(end__isnull=True) | Q(end__gte=first))


def memberships_in(first: dt.date, end: dt.date) -> Q:
    """:func:`memberships_during` for a half-open span ``first`` .. ``end`` (``end``
    excluded, as a ``Period``'s ``start`` / ``end``)."""
    return memberships_during(first, end - dt.timedelta(days=1))


def descendant_team_ids(unit_ids: Iterable[int]) -> set[int]:
    """Ids of all team units at or below the given units. One query over the tree."""
    wanted = set(unit_ids)
    if not wanted:
        return set()
    children: dict[int | None, list[int]] = defaultdict(list)
    kinds: dict[int, str] = {}
    for unit_id, parent_id, kind in OrgUnit.objects.values_list("id", "parent_id", "kind"):
        children[parent_id].append(unit_id)
        kinds[unit_id] = kind
    found: set[int] = set()
    stack = [u for u in wanted if u in kinds]
    while stack:
        current = stack.pop()
        if kinds[current] == OrgUnit.Kind.TEAM:
            found.add(current)
        stack.extend(children.get(current, ()))
    return found


@dataclass(frozen=True)
class Scope:
    """What one user may see and manage on one day. Build it with :func:`scope_for`.

    Attributes are sets of ids. ``visible_team_ids`` is None for admins (everything).
    """

    user_id: int | None
    day: dt.date
    is_admin: bool = False
    rep_team_ids: frozenset[int] = frozenset()
    supervised_team_ids: frozenset[int] = frozenset()
    managed_team_ids: frozenset[int] = frozenset()
    managed_unit_ids: frozenset[int] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        """False for the anonymous scope, which sees nothing."""
        return self.user_id is not None

    @property
    def visible_team_ids(self) -> frozenset[int] | None:
        """Teams whose data the user sees; None means all (admin)."""
        if self.is_admin:
            return None
        return self.supervised_team_ids | self.managed_team_ids

    @property
    def is_supervisor(self) -> bool:
        """Supervises at least one team today."""
        return bool(self.supervised_team_ids)

    @property
    def is_manager(self) -> bool:
        """Manages at least one unit today."""
        return bool(self.managed_unit_ids)

    @property
    def is_rep(self) -> bool:
        """Is a rep of some team today."""
        return bool(self.rep_team_ids)

    @property
    def primary_role(self) -> str:
        """The role whose first screen the user gets (docs/domain section 10):
        'admin', 'manager', 'supervisor', 'rep' or '' (no membership)."""
        if self.is_admin:
            return "admin"
        if self.is_manager:
            return "manager"
        if self.is_supervisor:
            return "supervisor"
        if self.is_rep:
            return "rep"
        return ""

    @property
    def home_team_id(self) -> int | None:
        """The team new objects of this user belong to: their rep or supervisor team."""
        for ids in (self.rep_team_ids, self.supervised_team_ids):
            if ids:
                return min(ids)
        return None

    def can_see_team(self, team_id: int | None) -> bool:
        """True when the team's data is visible (admin, its supervisor, a manager above)."""
        visible = self.visible_team_ids
        return visible is None or (team_id is not None and team_id in visible)

    def can_see(self, *, owner_id: int | None, team_id: int | None) -> bool:
        """True for the owner/author of an object, or a viewer of its team."""
        if not self.is_authenticated:
            return False
        return (owner_id is not None and owner_id == self.user_id) or self.can_see_team(team_id)

    def can_manage_team(self, team_id: int | None) -> bool:
        """Supervisor-level rights on the team (comment, evaluate, reassign); admins too."""
        return self.is_admin or (team_id is not None and team_id in self.supervised_team_ids)

    def can_lead_team(self, team_id: int | None) -> bool:
        """Supervisor or manager rights (targets, recompute); admins too."""
        return self.can_manage_team(team_id) or (
            team_id is not None and team_id in self.managed_team_ids
        )

    @cached_property
    def visible_user_ids(self) -> frozenset[int] | None:
        """Users whose data the viewer may see today (None: everyone). One query."""
        teams = self.visible_team_ids
        if teams is None:
            return None
        ids = set(
            Membership.objects.filter(active_memberships(self.day), unit_id__in=teams).values_list(
                "user_id", flat=True
            )
        )
        if self.user_id is not None:
            ids.add(self.user_id)
        return frozenset(ids)

    def can_see_user(self, user_id: int) -> bool:
        """True when the viewer may see this person's data."""
        visible = self.visible_user_ids
        return visible is None or user_id in visible


ANONYMOUS = Scope(user_id=None, day=dt.date.min)


def scope_for(user: User | AnonymousUser | None, day: dt.date | None = None) -> Scope:
    """Build the :class:`Scope` of ``user`` on ``day`` (default: the local today).

    Two queries at most (memberships, then the unit tree for managers).
    Anonymous or inactive users get a scope that sees nothing.
    """
    day = day or local_today()
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None, day=day)
    if user.is_staff or user.is_superuser:
        return Scope(user_id=user.pk, day=day, is_admin=True)
    rep: set[int] = set()
    supervised: set[int] = set()
    managed_units: set[int] = set()
    rows = Membership.objects.filter(active_memberships(day), user=user).values_list(
        "unit_id", "role"
    )
    for unit_id, role in rows:
        if role == Membership.Role.REP:
            rep.add(unit_id)
        elif role == Membership.Role.SUPERVISOR:
            supervised.add(unit_id)
        elif role == Membership.Role.MANAGER:
            managed_units.add(unit_id)
    return Scope(
        user_id=user.pk,
        day=day,
        rep_team_ids=frozenset(rep),
        supervised_team_ids=frozenset(supervised),
        managed_team_ids=frozenset(descendant_team_ids(managed_units)),
        managed_unit_ids=frozenset(managed_units),
    )


def restrict(
    queryset: QuerySet[M],
    scope: Scope,
    *,
    owner_field: str | None = "owner",
    team_field: str | None = "team",
) -> QuerySet[M]:
    """Filter ``queryset`` to what ``scope`` may see.

    Rows are visible when ``owner_field`` is the viewer or ``team_field`` is one of
    the visible teams. Pass None for a field the model lacks. Admins see all rows,
    the anonymous scope none.
    """
    if not scope.is_authenticated:
        return queryset.none()
    if scope.is_admin:
        return queryset
    condition = Q(pk__in=[])
    if owner_field:
        condition |= Q(**{owner_field: scope.user_id})
    teams = scope.visible_team_ids or frozenset()
    if team_field and teams:
        condition |= Q(**{f"{team_field}__in": sorted(teams)})
    return queryset.filter(condition)


def visible_teams(scope: Scope) -> QuerySet[OrgUnit]:
    """Team units visible to ``scope``, ordered by name."""
    teams = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM)
    if scope.is_admin:
        return teams
    ids = (scope.visible_team_ids or frozenset()) | scope.rep_team_ids
    return teams.filter(pk__in=sorted(ids))


def visible_users(scope: Scope) -> QuerySet[User]:
    """Users visible to ``scope`` (self, members of visible teams), ordered by username."""
    ids = scope.visible_user_ids
    users = User.objects.filter(is_active=True)
    return users if ids is None else users.filter(pk__in=sorted(ids))


class ScopedQuerySet(QuerySet[M]):
    """A queryset that knows its model's one scoping rule (docs/domain, section 1).

    Each scoped model declares, on its own subclass, which field names the row's owner
    (author, coachee, ...) and which its team, and who may change a row:

    - ``scope_owner_field`` / ``scope_team_field``: as for :func:`restrict` (None: lacking);
    - ``scope_editors``: ``"author"`` (only the owner changes the row's content: journals,
      visits, personal weekly reports), ``"owner_or_supervisor"`` (the owner, the team's
      supervisor, admins: customers), ``"supervisor"`` (the team's supervisor and admins:
      team reports), ``"lead"`` (the team's supervisor or a manager above it, and admins:
      coaching plans, findings, talks) or ``"admin"`` (admins only: import jobs).

    :meth:`visible_to` is what the viewer may read (404 outside it), :meth:`editable_by` what
    they may change (403 when visible but not editable); state rules (a submitted journal is
    read-only) stay in each app's ``..._check_can_...`` functions, which this complements.
    Use it as the model's manager: ``objects = JournalQuerySet.as_manager()``.
    """

    scope_owner_field: str | None = "owner"
    scope_team_field: str | None = "team"
    scope_editors: str = "owner_or_supervisor"

    def visible_to(self, scope: Scope) -> QuerySet[M]:
        """Rows ``scope`` may see: owned by the viewer or in a visible team; admins all,
        anonymous none."""
        return restrict(
            self, scope, owner_field=self.scope_owner_field, team_field=self.scope_team_field
        )

    def editable_by(self, scope: Scope) -> QuerySet[M]:
        """Rows ``scope`` may change (always a part of :meth:`visible_to`); see the class."""
        visible = self.visible_to(scope)
        if not scope.is_authenticated:
            return visible.none()
        owner, team = self.scope_owner_field, self.scope_team_field
        mine = Q(**{owner: scope.user_id}) if owner else Q(pk__in=[])
        if self.scope_editors == "author":
            return visible.filter(mine)
        if scope.is_admin:
            return visible
        if self.scope_editors == "admin":
            return visible.none()
        leads = self._leads(scope)
        led = Q(**{f"{team}__in": sorted(leads)}) if team and leads else Q(pk__in=[])
        if self.scope_editors in ("supervisor", "lead"):
            return visible.filter(led)
        return visible.filter(mine | led)

    @classmethod
    def can_edit(cls, row: Model, scope: Scope) -> bool:
        """:meth:`editable_by` for one row already read, without a query."""
        if not scope.is_authenticated:
            return False
        owner_id = getattr(row, f"{cls.scope_owner_field}_id") if cls.scope_owner_field else None
        team_id = getattr(row, f"{cls.scope_team_field}_id") if cls.scope_team_field else None
        mine = owner_id is not None and owner_id == scope.user_id
        if cls.scope_editors == "author":
            return mine
        if scope.is_admin:
            return True
        if cls.scope_editors == "admin":
            return False
        led = team_id is not None and team_id in cls._leads(scope)
        return led if cls.scope_editors in ("supervisor", "lead") else mine or led

    @classmethod
    def _leads(cls, scope: Scope) -> frozenset[int]:
        """The teams whose rows the viewer changes as a lead under this model's rule."""
        if cls.scope_editors == "lead":
            return scope.supervised_team_ids | scope.managed_team_ids
        return scope.supervised_team_ids


def get_visible_or_404(queryset: QuerySet[M], scope: Scope, **lookup: object) -> M:
    """Return the one visible row matching ``lookup``; Http404 when absent or hidden.

    A :class:`ScopedQuerySet` is narrowed with its own ``visible_to(scope)``; any other
    queryset must already be restricted (see :func:`restrict`).
    """
    if isinstance(queryset, ScopedQuerySet):
        queryset = queryset.visible_to(scope)
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def get_editable_or_403(queryset: QuerySet[M], scope: Scope, **lookup: object) -> M:
    """The one row matching ``lookup`` that ``scope`` may change: Http404 when it is absent or
    outside the scope (existence never leaks), PermissionDenied (403) when it is visible but
    read-only to the viewer (docs/domain, section 1). ``queryset`` must be a
    :class:`ScopedQuerySet` (its model's manager), optionally already filtered."""
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError(f"{queryset.model.__name__} has no scoped queryset")
    row = get_visible_or_404(queryset, scope, **lookup)
    if not type(queryset).can_edit(row, scope):
        raise PermissionDenied(_("You may read this but not change it."))
    return row


def team_of(user: User | None, day: dt.date) -> OrgUnit | None:
    """The team ``user`` was a rep or supervisor of on local ``day`` (None if none).

    Source of the attribution rule "to that rep's team at that date" (docs/domain,
    "Attribution").
    """
    if user is None:
        return None
    membership = (
        Membership.objects.filter(
            active_memberships(day),
            user=user,
            role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR],
        )
        .select_related("unit")
        .order_by("-start")
        .first()
    )
    return membership.unit if membership else None


def is_rep_of(user: User, team_id: int, day: dt.date) -> bool:
    """True when ``user`` is a rep of team ``team_id`` on local ``day``."""
    return Membership.objects.filter(
        active_memberships(day), user=user, unit_id=team_id, role=Membership.Role.REP
    ).exists()


def reps_during(team_id: int, first: dt.date, last: dt.date) -> list[User]:
    """Users who were a rep of team ``team_id`` on any day of ``first`` .. ``last`` (local
    dates, both included), each once, by username. One query."""
    rows = (
        Membership.objects.filter(
            memberships_during(first, last), unit_id=team_id, role=Membership.Role.REP
        )
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, User] = {}
    for m in rows:
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def rep_spans(team_id: int, first: dt.date, last: dt.date) -> dict[int, tuple[dt.date, dt.date]]:
    """Active users who were a rep of team ``team_id`` during ``first`` .. ``last`` (local
    dates, both included): ``{user id: (first day, last day) of their rep time inside
    the span}``; several memberships of one user give the outermost days. One query."""
    rows = Membership.objects.filter(
        memberships_during(first, last),
        unit_id=team_id,
        role=Membership.Role.REP,
        user__is_active=True,
    ).values_list("user_id", "start", "end")
    reps: dict[int, tuple[dt.date, dt.date]] = {}
    for user_id, start, end in rows:
        since, until = max(start, first), min(end or last, last)
        if user_id in reps:
            since, until = min(since, reps[user_id][0]), max(until, reps[user_id][1])
        reps[user_id] = (since, until)
    return reps
