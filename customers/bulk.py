"""Bulk work of a supervisor on many customers at once (docs/domain, section 1: reassignment,
release and stage changes are supervisor rights): a leaver hands over every customer in one
step, selected customers are reassigned or released to the public pool (公海), and a wrong
stage is corrected with a reason.

Every move goes through the one-customer writes (``customer_assign``,
``customer_change_stage``), so each customer keeps its dated ownership and stage history
and its timeline shows the move. A bulk action is all or nothing: one customer the viewer
may not change, or that the new owner cannot take, refuses the whole batch and names it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, User
from accounts.scoping import Scope, active_memberships
from accounts.services import notification_send

from .models import Customer, Stage, StageChange
from .selectors import customer_queryset
from .services import customer_assign, customer_change_stage

#: The most customers one bulk action changes (a page of a long list, a leaver's book).
BULK_MAX = 2000


def bulk_teams(scope: Scope) -> set[int] | None:
    """Teams whose customers the viewer may change in bulk: the teams they supervise
    (None: every team, for an admin)."""
    return None if scope.is_admin else set(scope.supervised_team_ids)


def bulk_queryset(scope: Scope) -> QuerySet[Customer]:
    """Customers the viewer may change in bulk: visible, and of a team they supervise."""
    qs = customer_queryset(scope)
    teams = bulk_teams(scope)
    return qs if teams is None else qs.filter(team_id__in=teams)


def handover_sources(scope: Scope) -> list[User]:
    """People who own customers the viewer may change in bulk (leavers included: a rep
    who left the team still owns their customers until they are handed over), by name."""
    owners = bulk_queryset(scope).exclude(owner=None).values("owner_id")
    return list(User.objects.filter(pk__in=owners).order_by("display_name", "username"))


def bulk_targets(scope: Scope, day: dt.date) -> list[User]:
    """Active reps of the teams the viewer may change in bulk on ``day``, by name."""
    reps = Membership.objects.filter(active_memberships(day), role=Membership.Role.REP)
    teams = bulk_teams(scope)
    if teams is not None:
        reps = reps.filter(unit_id__in=teams)
    return list(
        User.objects.filter(is_active=True, pk__in=reps.values("user_id")).order_by(
            "display_name", "username"
        )
    )


def _check(scope: Scope, customers: Sequence[Customer], reason: str) -> None:
    if not scope.is_admin and not scope.supervised_team_ids:
        raise PermissionDenied(_("Only a team's supervisor may change customers in bulk."))
    if not customers:
        raise ValidationError({"ids": _("Choose at least one customer.")})
    if len(customers) > BULK_MAX:
        raise ValidationError({"ids": _("At most %(n)d customers at once.") % {"n": BULK_MAX}})
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give a reason; it is kept in each customer's history.")}
        )
    teams = bulk_teams(scope)
    outside = [c.name for c in customers if teams is not None and c.team_id not in teams]
    if outside:
        raise PermissionDenied(
            _("Not customers of a team you supervise: %(names)s")
            % {"names": ", ".join(outside[:5])}
        )


def _load(scope: Scope, ids: Sequence[int]) -> list[Customer]:
    """The customers with ``ids`` the viewer may see, locked for the update, in id order.
    An id the viewer cannot see is left out (the view answers 404 before)."""
    visible = list(customer_queryset(scope).filter(pk__in=list(ids)).values_list("pk", flat=True))
    locked = (
        Customer.objects.filter(pk__in=visible)
        .select_related("owner", "team")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    return list(locked)


@transaction.atomic
def customers_reassign_many(
    *, scope: Scope, ids: Sequence[int], owner: User, by: User, reason: str
) -> int:
    """Give the customers ``ids`` to ``owner``, each keeping its history (a closed and a
    new ownership row). ``owner`` must be a rep of each customer's team today; the new
    owner gets one notification. Returns how many changed owner (those already theirs
    are skipped). PermissionDenied / ValidationError (``ids``, ``owner``, ``reason``)
    refuse the whole batch."""
    customers = _load(scope, ids)
    _check(scope, customers, reason)
    reps_by_team: dict[int, set[int]] = {}
    for m in Membership.objects.filter(
        active_memberships(scope.day), role=Membership.Role.REP, user=owner
    ):
        reps_by_team.setdefault(m.unit_id, set()).add(m.user_id)
    if not owner.is_active:
        raise ValidationError({"owner": _("%(name)s is not active.") % {"name": owner}})
    wrong = [c.name for c in customers if c.team_id is not None and c.team_id not in reps_by_team]
    if wrong:
        raise ValidationError(
            {
                "owner": _("%(name)s is not a rep of the team of: %(names)s")
                % {"name": owner, "names": ", ".join(wrong[:5])}
            }
        )
    moved = 0
    for customer in customers:
        if customer.owner_id == owner.pk:
            continue
        customer_assign(customer=customer, owner=owner, by=by, team=customer.team, reason=reason)
        moved += 1
    if moved:
        notification_send(
            user=owner,
            key=f"customers-bulk-{by.pk}-{owner.pk}-{timezone.now().timestamp():.0f}-{moved}",
            title=ngettext(
                "%(n)d customer assigned to you", "%(n)d customers assigned to you", moved
            )
            % {"n": moved},
            body=reason,
            url=reverse("customers:customer_list") + f"?owner={owner.pk}",
        )
    return moved


def customers_handover(*, scope: Scope, leaver: User, owner: User, by: User, reason: str) -> int:
    """A leaver hands over in one step: every customer ``leaver`` owns in the teams the
    viewer supervises goes to ``owner`` (see :func:`customers_reassign_many`). Returns
    how many moved; ValidationError when the leaver owns none there."""
    if leaver.pk == owner.pk:
        raise ValidationError({"owner": _("Choose a colleague other than the leaver.")})
    ids = list(bulk_queryset(scope).filter(owner=leaver).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(
            {"leaver": _("%(name)s owns no customers of your teams.") % {"name": leaver}}
        )
    return customers_reassign_many(scope=scope, ids=ids, owner=owner, by=by, reason=reason)


@transaction.atomic
def customers_release_many(*, scope: Scope, ids: Sequence[int], by: User, reason: str) -> int:
    """Release the customers ``ids`` to their team's public pool with ``reason`` (kept on
    each ownership row); former owners are told once each. Customers already in the pool
    are skipped. Returns how many were released."""
    customers = _load(scope, ids)
    _check(scope, customers, reason)
    released: dict[int, tuple[User, int]] = {}
    for customer in customers:
        former = customer.owner
        if former is None:
            continue
        customer_assign(customer=customer, owner=None, by=by, team=customer.team, reason=reason)
        count = released.get(former.pk, (former, 0))[1]
        released[former.pk] = (former, count + 1)
    for former, n in released.values():
        notification_send(
            user=former,
            key=f"customers-released-{by.pk}-{former.pk}-{timezone.now().timestamp():.0f}-{n}",
            title=ngettext(
                "%(n)d of your customers released to the public pool",
                "%(n)d of your customers released to the public pool",
                n,
            )
            % {"n": n},
            body=reason,
        )
    return sum(n for _u, n in released.values())


@transaction.atomic
def customers_correct_stage(
    *, scope: Scope, ids: Sequence[int], to_stage: str, by: User, reason: str
) -> int:
    """Correct the funnel stage of the customers ``ids`` to ``to_stage`` (a supervisor
    fixing what was recorded wrongly). Each change is a dated stage-change row with the
    reason, so the KPIs count it from now (docs/domain, section 9). A move must satisfy
    the requirements of every stage it enters, as on the customer's own page (e.g. the
    needs analysis before intent): when any customer does not, nothing changes and the
    ValidationError names each such customer and why. Customers already in that stage
    are skipped. Returns how many changed.

    Raises ValidationError (``to_stage`` empty or unknown, no reason, a customer whose
    required fields are missing) and PermissionDenied/Http404 from the scope checks."""
    if not to_stage:
        raise ValidationError({"to_stage": _("Choose a stage.")})
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    customers = _load(scope, ids)
    _check(scope, customers, reason)
    changed = 0
    refused: list[str] = []
    for customer in customers:
        try:
            with transaction.atomic():
                change = customer_change_stage(
                    customer=customer,
                    to_stage=to_stage,
                    by=by,
                    reason=_("Correction: %(reason)s") % {"reason": reason.strip()},
                    source=StageChange.Source.MANUAL,
                    check_required=True,
                )
        except ValidationError as exc:
            refused.append(f"{customer.name}: {' '.join(exc.messages)}")
            continue
        changed += change is not None
    if refused:
        raise ValidationError(
            _("No stage was changed. %(count)s customer(s) first need: %(details)s")
            % {"count": len(refused), "details": "; ".join(refused)}
        )
    return changed


def leaver_customer_count(user_id: int) -> int:
    """How many customers the person owns (every team): what a leaver has to hand over."""
    return Customer.objects.filter(owner_id=user_id).count()


def leaver_customer_teams(user_id: int) -> set[int]:
    """The teams of the customers the person owns: a colleague taking them over must be a
    rep of each (:func:`customers_handover`)."""
    return set(Customer.objects.filter(owner_id=user_id).values_list("team_id", flat=True))


def leaver_handover(
    *, scope: Scope, leaver: User, colleague: User | None, by: User, reason: str
) -> int:
    """The leaver step of the people area (``accounts.people.person_offboard``, through
    ``accounts.hooks``): every customer ``leaver`` owns that the viewer may change goes to
    ``colleague`` (:func:`customers_handover`), or to its team's public pool when
    ``colleague`` is None (:func:`customers_release_many`). Returns how many moved; 0 when
    the leaver owns none. ValidationError / PermissionDenied as those functions."""
    ids = list(bulk_queryset(scope).filter(owner=leaver).values_list("pk", flat=True))
    if not ids:
        return 0
    if colleague is None:
        return customers_release_many(scope=scope, ids=ids, by=by, reason=reason)
    return customers_handover(scope=scope, leaver=leaver, owner=colleague, by=by, reason=reason)
