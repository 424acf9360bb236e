"""Writes for customer files (STYLE.md: services). Other apps (journals, imports) change
a customer's stage or owner only through these functions, so the history is recorded once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, active_memberships

from .importing import name_key
from .models import STAGE_ORDER, Customer, Ownership, Stage, StageChange, StageSetting


def pinyin_initials(text: str) -> str:
    """Lower-case pinyin initials of ``text``: '深圳腾飞' -> 'sztf'. Latin letters and digits
    are kept as they are (lower-cased); other characters are dropped."""
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    return "".join(ch for part in letters for ch in part.lower() if ch.isalnum())


def team_of(user: User | None, day: dt.date) -> OrgUnit | None:
    """The team ``user`` was a rep or supervisor of on local ``day`` (None if none).

    Source of the attribution rule "to that rep's team at that date" (DOMAIN.md section 9).
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


def customer_fill_derived(customer: Customer) -> None:
    """Set the derived search fields (name key, pinyin initials) from the name."""
    customer.name_key = name_key(customer.name)
    initials = pinyin_initials(customer.name)
    if customer.short_name:
        initials = f"{initials} {pinyin_initials(customer.short_name)}"
    customer.pinyin_initials = initials[:200]


@transaction.atomic
def customer_create(
    *,
    by: User | None,
    name: str,
    owner: User | None,
    team: OrgUnit | None = None,
    stage: str = Stage.LEAD,
    at: dt.datetime | None = None,
    **fields: object,
) -> Customer:
    """Create a customer owned by ``owner`` in ``team`` (default: the owner's team today).

    Records the first ownership row and, when ``stage`` is beyond lead, the stage change
    at ``at``. Raises ValidationError for invalid fields.
    """
    at = at or timezone.now()
    if team is None and owner is not None:
        team = team_of(owner, timezone.localdate(at))
    customer = Customer(name=name, owner=owner, team=team, created_by=by, **fields)
    customer.stage = Stage.LEAD
    customer.stage_changed_at = at
    customer_fill_derived(customer)
    customer.full_clean()
    customer.save()
    Ownership.objects.create(
        customer=customer, owner=owner, team=team, start=at, changed_by=by, reason=_("Created")
    )
    if stage != Stage.LEAD:
        customer_change_stage(
            customer=customer, to_stage=stage, by=by, at=at, source=StageChange.Source.SYSTEM
        )
    return customer


def stage_missing_fields(customer: Customer, to_stage: str) -> list[str]:
    """Names of customer fields the stage settings require before entering ``to_stage``."""
    setting = StageSetting.objects.filter(stage=to_stage).first()
    required: Iterable[str] = setting.required_fields if setting else []
    return [f for f in required if not str(getattr(customer, f, "") or "").strip()]


@transaction.atomic
def customer_change_stage(
    *,
    customer: Customer,
    to_stage: str,
    by: User | None,
    at: dt.datetime | None = None,
    reason: str = "",
    source: str = StageChange.Source.MANUAL,
    check_required: bool = True,
) -> StageChange | None:
    """Move ``customer`` to ``to_stage`` at ``at`` and record the change.

    Returns the StageChange, or None when the customer is already in that stage.
    Skipped stages count as reached at the same moment (DOMAIN.md section 9); that is
    derived from the row, nothing extra is stored. Attribution: the owner now and the
    owner's team on the local date of ``at``. Raises ValidationError when a field the
    stage requires (StageSetting.required_fields) is empty, or for an unknown stage.
    """
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    if customer.stage == to_stage:
        return None
    if check_required:
        missing = stage_missing_fields(customer, to_stage)
        if missing:
            labels = ", ".join(str(Customer._meta.get_field(f).verbose_name) for f in missing)
            raise ValidationError(
                _("Fill in %(fields)s before moving the customer to %(stage)s.")
                % {"fields": labels, "stage": Stage(to_stage).label}
            )
    at = at or timezone.now()
    rep = customer.owner
    change = StageChange.objects.create(
        customer=customer,
        from_stage=customer.stage,
        to_stage=to_stage,
        at=at,
        by=by,
        reason=reason,
        source=source,
        rep=rep,
        team=team_of(rep, timezone.localdate(at)) or customer.team,
    )
    customer.stage = to_stage
    customer.stage_changed_at = at
    customer.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    return change


def is_advance(from_stage: str, to_stage: str) -> bool:
    """True when ``to_stage`` is further down the funnel than ``from_stage`` (lost is not)."""
    if to_stage == Stage.LOST or from_stage not in STAGE_ORDER:
        return False
    return STAGE_ORDER[to_stage] > STAGE_ORDER[from_stage]


@transaction.atomic
def customer_assign(
    *,
    customer: Customer,
    owner: User | None,
    by: User | None,
    team: OrgUnit | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Customer:
    """Give ``customer`` to ``owner`` (None: release to the public pool) from ``at``.

    Closes the open ownership row and opens a new one, so history is kept. The team is
    the new owner's team today unless given; a pool customer keeps its team.
    """
    at = at or timezone.now()
    if team is None:
        team = team_of(owner, timezone.localdate(at)) if owner else customer.team
    Ownership.objects.filter(customer=customer, end__isnull=True).update(end=at)
    Ownership.objects.create(
        customer=customer, owner=owner, team=team, start=at, changed_by=by, reason=reason
    )
    customer.owner = owner
    customer.team = team
    customer.pool_since = at if owner is None else None
    customer.save(update_fields=["owner", "team", "pool_since", "updated_at"])
    return customer


def customer_check_can_edit(*, customer: Customer, scope: Scope) -> None:
    """Raise PermissionDenied unless the viewer owns the customer or manages its team.

    Call after the customer was fetched through a restricted queryset (so it is visible).
    """
    if customer.owner_id == scope.user_id or scope.can_manage_team(customer.team_id):
        return
    raise PermissionDenied(_("Only the owner or the team's supervisor may change this customer."))
