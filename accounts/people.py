"""People administration in the product: who may read and manage people, the people
list, creating a person with their first membership, teams, moving a rep between teams on a
date and deactivating a leaver in one step (docs/domain, section 1: users, dated memberships;
docs/architecture.md, "Services and selectors").

Memberships are dated rights and history is never overwritten: a move ends the current row on
its last day and starts the new one the next day, so KPIs by date keep counting the old team
for the old period (docs/domain, section 9, "Attribution"). A leaver's customers are handed
over through the customers app's bulk reassignment, which accounts reaches through a hook
(``accounts.hooks.leaver_handover``), never by import.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import string
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from salesops.events import MembershipChanged, publish

from . import hooks
from .models import Membership, OrgUnit, User
from .scoping import Scope, active_memberships, local_today
from .services import membership_start, user_create, user_deactivate

#: Roles a new person may get: the membership roles plus "admin" (a staff account).
ROLE_ADMIN = "admin"
TEAM_ROLES = (Membership.Role.REP, Membership.Role.SUPERVISOR)
#: People per page of the people list.
PAGE_SIZE = 25
#: Characters of a generated first password (no 0/O, 1/l/I look-alikes).
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def people_check_can_read(scope: Scope) -> None:
    """Raise PermissionDenied unless the viewer may read the people area: admins (all
    people) and managers (the people of the units they manage, read only)."""
    if scope.is_admin or scope.managed_unit_ids:
        return
    raise PermissionDenied(_("Only admins and managers see the people list."))


def people_check_can_manage(scope: Scope) -> None:
    """Raise PermissionDenied unless the viewer is an admin: only admins create, change,
    move and deactivate people and teams (docs/domain, section 1)."""
    if not scope.is_admin:
        raise PermissionDenied(_("Only admins manage people and teams."))


def current_memberships(day: dt.date) -> Prefetch:
    """A prefetch of each user's memberships active on ``day`` with their unit, into
    ``user.current`` (a list), so a page of people costs one extra query."""
    rows = Membership.objects.filter(active_memberships(day)).select_related("unit")
    return Prefetch("memberships", queryset=rows.order_by("role", "unit__name"), to_attr="current")


def people_queryset(scope: Scope) -> QuerySet[User]:
    """People the viewer may see in the people area, by name: everyone (active or not) for
    an admin; for a manager the people with a membership today in a unit they manage or a
    team below it (docs/domain, section 1); nobody for anyone else. Each user carries
    ``current`` (today's memberships, :func:`current_memberships`)."""
    users = User.objects.order_by("display_name", "username")
    if not scope.is_admin:
        units = set(scope.managed_unit_ids) | set(scope.managed_team_ids)
        if not units:
            return users.none()
        members = Membership.objects.filter(active_memberships(scope.day), unit_id__in=units)
        users = users.filter(pk__in=members.values("user_id"))
    return users.prefetch_related(current_memberships(scope.day))


def people_filter(
    users: QuerySet[User],
    *,
    day: dt.date,
    q: str = "",
    team: OrgUnit | None = None,
    role: str = "",
    active: str = "",
) -> QuerySet[User]:
    """Narrow a people queryset: ``q`` (name, user name, e-mail or employee number,
    contains, case-insensitive), ``team`` (a membership there on ``day``), ``role`` (a
    membership role on ``day``, or ``admin`` for staff accounts), ``active`` ("1" active,
    "0" deactivated, "" both)."""
    if q:
        users = users.filter(
            Q(display_name__icontains=q)
            | Q(username__icontains=q)
            | Q(email__icontains=q)
            | Q(employee_no__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
        )
    on_day = Membership.objects.filter(active_memberships(day))
    if team is not None:
        users = users.filter(pk__in=on_day.filter(unit=team).values("user_id"))
    if role == ROLE_ADMIN:
        users = users.filter(Q(is_staff=True) | Q(is_superuser=True))
    elif role in Membership.Role.values:
        users = users.filter(pk__in=on_day.filter(role=role).values("user_id"))
    if active in {"0", "1"}:
        users = users.filter(is_active=active == "1")
    return users


def generate_password(length: int = 14) -> str:
    """A random first password of ``length`` characters (letters and digits without
    look-alikes), shown once to the admin who creates the person."""
    while True:
        text = "".join(secrets.choice(_PASSWORD_ALPHABET) for _i in range(length))
        if any(c.isdigit() for c in text) and any(c.isalpha() for c in text):
            return text


@transaction.atomic
def person_create(
    *,
    by: User,
    username: str,
    display_name: str,
    email: str,
    language: str,
    role: str,
    unit: OrgUnit | None,
    start: dt.date,
    employee_no: str = "",
) -> tuple[User, str]:
    """Create a person and their first membership; returns (user, first password).

    ``role`` is a membership role (rep, supervisor: ``unit`` must be a team; manager: any
    unit) or ``admin`` (a staff account; with a ``unit`` also its manager, so they appear
    among the unit's people). The password is generated
    (:func:`generate_password`), stored hashed and returned once for the admin to hand
    over. Raises ValidationError keyed by field: a taken user name, a bad e-mail, an
    unknown language or role, a missing unit, a rep in a branch.
    """
    if role not in {*Membership.Role.values, ROLE_ADMIN}:
        raise ValidationError({"role": _("Unknown role.")})
    if role != ROLE_ADMIN and unit is None:
        raise ValidationError({"unit": _("Choose the team (or, for a manager, the branch).")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    password = generate_password()
    user = user_create(
        username=username,
        password=password,
        is_staff=role == ROLE_ADMIN,
        display_name=display_name,
        email=email,
        employee_no=employee_no,
    )
    if language:
        user.language = language
        user.full_clean()
        user.save(update_fields=["language"])
    if unit is not None:
        membership_role = Membership.Role.MANAGER if role == ROLE_ADMIN else role
        membership_start(user=user, unit=unit, role=membership_role, start=start)
        publish(MembershipChanged(user_id=user.pk, team_ids=(unit.pk,)))
    return user, password


@transaction.atomic
def person_update(
    *, user: User, display_name: str, email: str, language: str, employee_no: str, phone: str
) -> User:
    """Change a person's name, e-mail, language, employee number and phone (the user name
    stays: it is their login). Raises ValidationError keyed by field (a bad e-mail, a
    taken employee number, an unknown language)."""
    user.display_name = display_name
    user.email = email
    user.language = language
    user.employee_no = employee_no
    user.phone = phone
    user.full_clean()
    user.save()
    return user


def team_branches() -> QuerySet[OrgUnit]:
    """Units a team may belong to: active branches (and the company), by name."""
    return OrgUnit.objects.filter(
        is_active=True, kind__in=[OrgUnit.Kind.BRANCH, OrgUnit.Kind.COMPANY]
    ).order_by("kind", "name")


def team_supervisor(team: OrgUnit, day: dt.date) -> User | None:
    """The supervisor of ``team`` on ``day`` (the latest start when several), or None."""
    row = (
        Membership.objects.filter(
            active_memberships(day), unit=team, role=Membership.Role.SUPERVISOR
        )
        .select_related("user")
        .order_by("-start", "-id")
        .first()
    )
    return row.user if row else None


def _set_supervisor(team: OrgUnit, supervisor: User | None, day: dt.date) -> None:
    """Make ``supervisor`` the team's supervisor from ``day``: the current supervisor's row
    ends the day before, the new one starts on ``day`` (their own earlier team row ends the
    day before too, :func:`accounts.services.membership_start`)."""
    current = team_supervisor(team, day)
    if supervisor is not None and current is not None and current.pk == supervisor.pk:
        return
    if current is not None:
        for row in Membership.objects.filter(
            active_memberships(day), unit=team, role=Membership.Role.SUPERVISOR
        ):
            if row.start >= day:
                raise ValidationError(
                    {
                        "supervisor": _(
                            "%(name)s became the supervisor on %(day)s; change it from the "
                            "next day on."
                        )
                        % {"name": row.user, "day": row.start}
                    }
                )
            row.end = day - dt.timedelta(days=1)
            row.save(update_fields=["end"])
    if supervisor is not None:
        try:
            membership_start(user=supervisor, unit=team, role=Membership.Role.SUPERVISOR, start=day)
        except ValidationError as exc:
            raise ValidationError({"supervisor": exc.messages}) from exc
        publish(MembershipChanged(user_id=supervisor.pk, team_ids=(team.pk,)))


@transaction.atomic
def team_save(
    *,
    team: OrgUnit | None,
    name: str,
    code: str,
    branch: OrgUnit,
    segment: str = "",
    supervisor: User | None = None,
    day: dt.date | None = None,
) -> OrgUnit:
    """Create a team (``team`` None) or change one: name, code (unique; its pages' address),
    branch (a branch or the company), segment and supervisor from ``day`` (default today).
    Raises ValidationError keyed by field: a taken code, a parent that is a team, a
    supervisor who cannot start on ``day``."""
    day = day or local_today()
    if OrgUnit.objects.filter(code=code).exclude(pk=team.pk if team else 0).exists():
        raise ValidationError({"code": _("Another unit has this code.")})
    row = team or OrgUnit(kind=OrgUnit.Kind.TEAM)
    row.name, row.code, row.parent, row.segment = name, code, branch, segment
    row.full_clean()
    row.save()
    if team is None and supervisor is None:
        return row
    _set_supervisor(row, supervisor, day)
    return row


def team_membership(user: User, day: dt.date) -> Membership | None:
    """The person's rep or supervisor membership covering ``day`` (the latest start), or
    None (docs/domain, section 9: only these roles say which team a person is in)."""
    return (
        Membership.objects.filter(active_memberships(day), user=user, role__in=TEAM_ROLES)
        .select_related("unit")
        .order_by("-start", "-id")
        .first()
    )


def earliest_move_day(today: dt.date) -> dt.date:
    """The earliest last day in the old team a move may have: yesterday, so the new team
    starts today at the latest. Earlier would re-team days whose journals, visits and KPI
    snapshots were recorded for the old team already (docs/domain, section 9)."""
    return today - dt.timedelta(days=1)


@transaction.atomic
def person_move(*, user: User, team: OrgUnit, last_day: dt.date) -> Membership:
    """Move a rep or supervisor to ``team``: their current team membership ends on
    ``last_day`` (inclusive) and a new one with the same role starts the next day; the old
    row stays, so the old team keeps the old period's KPIs (docs/domain, sections 1 and 9).

    Returns the new membership. Raises ValidationError keyed by field: ``team`` (not a
    team, the same team, no current team), ``last_day`` (before yesterday: backdated; a
    membership already starting after it: overlapping).
    """
    today = local_today()
    if team.kind != OrgUnit.Kind.TEAM:
        raise ValidationError({"team": _("Choose a team.")})
    current = team_membership(user, max(last_day, today))
    if current is None:
        raise ValidationError({"team": _("%(name)s is in no team to move from.") % {"name": user}})
    if current.unit_id == team.pk:
        raise ValidationError(
            {"team": _("%(name)s is in %(team)s already.") % {"name": user, "team": team}}
        )
    earliest = earliest_move_day(today)
    if last_day < earliest:
        raise ValidationError(
            {
                "last_day": _(
                    "A move cannot be backdated: the last day in %(team)s must be %(day)s or "
                    "later, since earlier days are recorded for that team."
                )
                % {"team": current.unit, "day": earliest.isoformat()}
            }
        )
    if last_day < current.start:
        raise ValidationError(
            {
                "last_day": _("%(name)s only joined %(team)s on %(day)s.")
                % {"name": user, "team": current.unit, "day": current.start.isoformat()}
            }
        )
    later = (
        Membership.objects.filter(user=user, role__in=TEAM_ROLES, start__gt=last_day)
        .exclude(pk=current.pk)
        .select_related("unit")
        .first()
    )
    if later is not None:
        raise ValidationError(
            {
                "last_day": _(
                    "This overlaps a membership in %(team)s from %(day)s; end or remove it first."
                )
                % {"team": later.unit, "day": later.start.isoformat()}
            }
        )
    if current.end is not None and current.end != last_day:
        current.end = None  # a planned end is replaced by the move's last day
        current.save(update_fields=["end"])
    new = membership_start(
        user=user, unit=team, role=current.role, start=last_day + dt.timedelta(days=1)
    )
    publish(MembershipChanged(user_id=user.pk, team_ids=(current.unit_id, team.pk)))
    return new


@dataclass(frozen=True)
class Offboarding:
    """What deactivating a leaver did: customers handed over (or released to the pool),
    memberships ended, and the colleague (None: the public pool)."""

    customers: int
    memberships: int
    colleague: User | None


def colleague_choices(leaver: User, day: dt.date) -> QuerySet[User]:
    """Active reps on ``day`` other than ``leaver`` who may take over their customers, by
    name: a rep of every team of those customers (the customers app refuses anyone else);
    when the leaver owns none, the reps of the leaver's own teams."""
    teams = hooks.leaver_owned_teams(leaver.pk) or set(
        Membership.objects.filter(active_memberships(day), user=leaver).values_list(
            "unit_id", flat=True
        )
    )
    users = User.objects.filter(is_active=True).exclude(pk=leaver.pk)
    for team_id in teams:
        reps = Membership.objects.filter(
            active_memberships(day), role=Membership.Role.REP, unit_id=team_id
        )
        users = users.filter(pk__in=reps.values("user_id"))
    if not teams:
        users = users.none()
    return users.order_by("display_name", "username")


@transaction.atomic
def person_offboard(
    *,
    scope: Scope,
    by: User,
    user: User,
    last_day: dt.date,
    colleague: User | None,
    reason: str,
) -> Offboarding:
    """Deactivate a leaver in one step (docs/domain, sections 1 and 5): hand every customer
    they own over to ``colleague`` (None: release them to their team's public pool) through
    the customers app's bulk reassignment, so each customer keeps its ownership history;
    end their memberships on ``last_day`` (a membership starting later is removed); block
    the login and end their sessions; write one audit log entry that says what happened.

    All or nothing. Raises PermissionDenied unless ``scope`` is an admin's, ValidationError
    keyed by field: ``user`` (oneself, inactive already), ``last_day`` (in the future, or
    before a membership's start), ``colleague`` (the leaver, or not a rep of a customer's
    team), ``reason`` (empty).
    """
    people_check_can_manage(scope)
    if user.pk == by.pk:
        raise ValidationError({"user": _("You cannot deactivate yourself.")})
    if not user.is_active:
        raise ValidationError({"user": _("%(name)s is deactivated already.") % {"name": user}})
    if last_day > scope.day:
        raise ValidationError({"last_day": _("The last day cannot be in the future.")})
    if colleague is not None and colleague.pk == user.pk:
        raise ValidationError({"colleague": _("Choose a colleague other than the leaver.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Give a reason; it is kept in each customer's history.")}
        )
    try:
        moved = hooks.leaver_handover(
            scope=scope, leaver=user, colleague=colleague, by=by, reason=reason
        )
    except ValidationError as exc:
        raise ValidationError({"colleague": exc.messages}) from exc
    rows = list(
        Membership.objects.select_for_update()
        .filter(Q(end__isnull=True) | Q(end__gt=last_day), user=user)
        .select_related("unit")
    )
    teams: set[int] = set()
    for row in rows:
        teams.add(row.unit_id)
        if row.start > last_day:
            row.delete()
            continue
        row.end = last_day
        row.save(update_fields=["end"])
    user_deactivate(user=user)
    LogEntry.objects.log_create(
        user,
        action=LogEntry.Action.UPDATE,
        actor=by,
        changes={
            # Codes with values, read in the viewer's language (accounts.audit_display).
            "offboarding": [
                "",
                json.dumps(
                    {
                        "customers": moved,
                        "to": str(colleague) if colleague is not None else "",
                        "memberships": len(rows),
                        "day": last_day.isoformat(),
                        "reason": reason,
                    },
                    ensure_ascii=False,
                ),
            ]
        },
    )
    if teams:
        publish(MembershipChanged(user_id=user.pk, team_ids=tuple(sorted(teams))))
    return Offboarding(customers=moved, memberships=len(rows), colleague=colleague)
