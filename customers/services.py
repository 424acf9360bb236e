"""Writes for customer files (docs/architecture.md: services). Other apps (journals, imports) change
a customer's stage or owner only through these functions, so the history is recorded once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Membership, OrgUnit, User
from accounts.notifying import notice
from accounts.scoping import Scope, active_memberships, is_rep_of, team_of
from accounts.services import notification_send
from domain.credit_codes import credit_code_problem
from salesops.events import CustomerChanged, publish

from .claim_rules import claim_check_rules
from .importing import name_key
from .models import (
    FUNNEL,
    STAGE_ORDER,
    Customer,
    Ownership,
    Stage,
    StageChange,
    StageSetting,
)
from .pinyin import derived_initials, pinyin_initials, search_text
from .records import (
    contact_create,
    contract_create,
    customer_note_create,
    evaluation_create,
    product_usage_create,
)
from .selectors import customer_queryset, pool_release_candidates
from .stages import DEFAULT_STAGE_SETTINGS, stage_settings

# Re-exported: callers write customer records through customers.services.
__all__ = [
    "DEFAULT_STAGE_SETTINGS",
    "derived_initials",
    "pinyin_initials",
    "search_text",
    "contact_create",
    "contract_create",
    "customer_note_create",
    "evaluation_create",
    "product_usage_create",
    "stage_settings",
    "team_of",
]


def customer_fill_derived(customer: Customer) -> None:
    """Set the derived search fields (name key, pinyin initials, pinyin search text) from
    the name and short name."""
    customer.name_key = name_key(customer.name)
    customer.pinyin_initials = derived_initials(customer.name, customer.short_name)
    customer.pinyin_search = search_text(customer.name, customer.short_name)


@transaction.atomic
def customer_create(
    *,
    by: User | None,
    name: str,
    owner: User | None,
    team: OrgUnit | None = None,
    stage: str = Stage.LEAD,
    at: dt.datetime | None = None,
    check_required: bool = False,
    scope: Scope | None = None,
    **fields: object,
) -> Customer:
    """Create a customer owned by ``owner`` in ``team`` (default: the owner's team today).

    With ``scope`` (the viewer creating it by hand) the business rules of
    :func:`customer_validate` apply first: no visible duplicate, an owner who is a rep of
    the team.

    Records the first ownership row and, when ``stage`` is beyond lead, the stage change
    at ``at``. Raises ValidationError for invalid fields, and, with ``check_required``
    (the create form), when the stage's required fields are empty; imports record the
    stage as a fact and leave it off.
    """
    if scope is not None:
        customer_validate(
            scope=scope,
            name=name,
            credit_code=str(fields.get("credit_code") or ""),
            owner=owner,
            team=team,
        )
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
        customer=customer,
        owner=owner,
        team=team,
        start=at,
        changed_by=by,
        reason=gettext_noop("Created"),
    )
    if stage != Stage.LEAD:
        customer_change_stage(
            customer=customer,
            to_stage=stage,
            by=by,
            at=at,
            source=StageChange.Source.SYSTEM,
            check_required=check_required,
        )
    else:
        customer_announce(customer=customer, team_ids=(team.pk if team else None,), at=at)
    return customer


def customer_announce(
    *,
    customer: Customer,
    team_ids: tuple[int | None, ...],
    at: dt.datetime,
    reason: str = "customer",
) -> None:
    """Publish CustomerChanged for the teams (None left out) at ``at``: the KPIs recompute
    this customer's part of those teams' figures for the local day of ``at``
    (docs/architecture.md, "Events", "Incremental recompute")."""
    teams = tuple(sorted({t for t in team_ids if t is not None}))
    if teams:
        publish(CustomerChanged(customer_id=customer.pk, team_ids=teams, when=at, reason=reason))


def stages_entered(from_stage: str, to_stage: str) -> list[str]:
    """Stages a move enters: ``to_stage`` plus every funnel stage it skips on the way.

    ``stages_entered('lead', 'intent')`` == ``['target', 'relationship', 'intent']``.
    A skipped stage counts as reached at the same moment (docs/domain section 9), so its
    entry rules apply too. Backward moves and moves to lost enter only ``to_stage``.
    """
    if is_advance(from_stage, to_stage):
        low, high = STAGE_ORDER[from_stage], STAGE_ORDER[to_stage]
        return [s.value for s in FUNNEL if low < STAGE_ORDER[s] <= high]
    return [to_stage]


def required_field_names(
    settings_by_stage: dict[str, StageSetting], stages: Iterable[str]
) -> list[str]:
    """Customer field names required to enter any of ``stages``, in order, without
    repeats; names that are not customer fields are ignored (a typo in the admin)."""
    names: list[str] = []
    for stage in stages:
        setting = settings_by_stage.get(stage)
        for name in setting.required_fields if setting else []:
            try:
                Customer._meta.get_field(name)
            except (FieldDoesNotExist, TypeError):
                continue
            if name not in names:
                names.append(name)
    return names


def stage_missing_fields(customer: Customer, to_stage: str) -> list[str]:
    """Names of customer fields the stage settings require before entering ``to_stage``
    (and any stage the move skips) that are still empty on ``customer``."""
    names = required_field_names(stage_settings(), stages_entered(customer.stage, to_stage))
    return [f for f in names if not str(getattr(customer, f, "") or "").strip()]


@transaction.atomic
def customer_change_stage(
    *,
    customer: Customer,
    to_stage: str,
    by: User | None,
    at: dt.datetime | None = None,
    reason: str = "",
    source: str = StageChange.Source.MANUAL,
    check_required: bool | None = None,
) -> StageChange | None:
    """Move ``customer`` to ``to_stage`` at ``at`` and record the change.

    Returns the StageChange, or None when the customer is already in that stage.
    Skipped stages count as reached at the same moment (docs/domain section 9); that is
    derived from the row, nothing extra is stored. Attribution: the owner now and the
    owner's team on the local date of ``at``. Raises ValidationError when a field the
    stage (or a stage it skips) requires (StageSetting.required_fields) is empty, or for
    an unknown stage. ``check_required`` None checks manual and visit changes only:
    imported and system changes record facts and are never refused.
    """
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Unknown stage.")})
    if customer.stage == to_stage:
        return None
    if check_required is None:
        check_required = source in {StageChange.Source.MANUAL, StageChange.Source.VISIT}
    if check_required:
        missing = stage_missing_fields(customer, to_stage)
        if missing:
            labels = ", ".join(
                str(getattr(Customer._meta.get_field(f), "verbose_name", f)) for f in missing
            )
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
    if change.team_id is not None:
        # kpi subscribes and schedules its debounced recompute (docs/architecture.md, "Events").
        publish(
            CustomerChanged(
                customer_id=customer.pk, team_ids=(change.team_id,), when=at, reason="stage"
            )
        )
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
    before = customer.team_id
    Ownership.objects.filter(customer=customer, end__isnull=True).update(end=at)
    Ownership.objects.create(
        customer=customer, owner=owner, team=team, start=at, changed_by=by, reason=reason
    )
    customer.owner = owner
    customer.team = team
    customer.pool_since = at if owner is None else None
    customer.save(update_fields=["owner", "team", "pool_since", "updated_at"])
    customer_announce(
        customer=customer, team_ids=(before, team.pk if team else None), at=at, reason="owner"
    )
    return customer


def customer_check_can_edit(*, customer: Customer, scope: Scope) -> None:
    """Raise PermissionDenied unless the viewer owns the customer or manages its team.

    Call after the customer was fetched through a restricted queryset (so it is visible).
    """
    if customer.owner_id == scope.user_id or scope.can_manage_team(customer.team_id):
        return
    raise PermissionDenied(_("Only the owner or the team's supervisor may change this customer."))


# ---------------------------------------------------------------------------
# Customer file pages: create, edit, small records, pool.
# ---------------------------------------------------------------------------

#: Customer fields the create and edit forms may write (owner, team and stage have
#: their own actions so their history is recorded).
EDITABLE_FIELDS = (
    "name",
    "short_name",
    "credit_code",
    "external_code",
    "industry",
    "size",
    "province",
    "city",
    "address",
    "website",
    "segment",
    "source",
    "listed_on",
    "founded_on",
    "notes",
    "needs",
    "latest_news",
)


def customer_check_can_create(*, scope: Scope) -> None:
    """Raise PermissionDenied unless the viewer may create customers: a rep or a
    supervisor of some team today, or an admin. Managers only read (docs/domain section 1)."""
    if scope.is_admin or scope.is_rep or scope.is_supervisor:
        return
    raise PermissionDenied(_("Only reps, supervisors and admins create customers."))


def customer_validate(
    *,
    scope: Scope,
    name: str = "",
    credit_code: str = "",
    owner: User | None = None,
    team: OrgUnit | None = None,
    exclude_pk: int | None = None,
) -> None:
    """The business rules of a new or renamed customer, for every path (form, API,
    import of one customer); raises ValidationError keyed by field:

    - ``name`` / ``credit_code``: no visible customer has the same name (NFKC, case and
      spaces folded, as the import does) or credit code. Only customers the viewer may
      see are compared, so the message never reveals another team's customer.
    - ``credit_code``: a unified social credit code of GB 32100-2015 (length, characters,
      check character; ``domain.credit_codes``, the rule the import applies too).
    - ``team``: the owner must be a rep of the team on the scope's day.
    """
    errors: dict[str, list[str]] = {}
    visible = customer_queryset(scope)
    if exclude_pk is not None:
        visible = visible.exclude(pk=exclude_pk)
    if name:
        same = visible.filter(name_key=name_key(name)).select_related("owner").first()
        if same is not None:
            errors.setdefault("name", []).append(
                _("%(name)s already exists (owner: %(owner)s); open it instead.")
                % {"name": same.name, "owner": same.owner or _("public pool")}
            )
    code = (credit_code or "").strip()
    problem = credit_code_problem(code.upper())
    if problem is not None:
        message, params = problem
        errors.setdefault("credit_code", []).append(_(message) % params)
    elif code:
        same = visible.filter(credit_code__iexact=code).first()
        if same is not None:
            errors.setdefault("credit_code", []).append(
                _("This credit code belongs to %(name)s already.") % {"name": same.name}
            )
    if owner is not None and team is not None and not is_rep_of(owner, team.pk, scope.day):
        errors.setdefault("team", []).append(_("The owner is not a rep of this team."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def customer_update(
    *, customer: Customer, by: User | None, scope: Scope | None = None, **fields: object
) -> Customer:
    """Write the given :data:`EDITABLE_FIELDS` of ``customer`` and refresh the derived
    search fields. Raises ValidationError for invalid values or a field not editable here;
    with ``scope``, also when a changed name or credit code repeats another visible
    customer (:func:`customer_validate`)."""
    if scope is not None:
        # A ModelForm has already copied its data onto ``customer``: compare with the row.
        row = Customer.objects.filter(pk=customer.pk).values_list("name", "credit_code").first()
        stored = dict(zip(("name", "credit_code"), row or ("", ""), strict=True))
        new = {k: str(fields[k] or "") for k in ("name", "credit_code") if k in fields}
        new = {k: v for k, v in new.items() if v != str(stored.get(k) or "")}
        if new:
            customer_validate(
                scope=scope,
                exclude_pk=customer.pk,
                name=new.get("name", ""),
                credit_code=new.get("credit_code", ""),
            )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be edited here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(customer, name, value)
    customer_fill_derived(customer)
    customer.full_clean()
    customer.save()
    if {"industry", "segment"} & set(fields):  # the KPIs' industry shares read them
        customer_announce(customer=customer, team_ids=(customer.team_id,), at=timezone.now())
    return customer


@transaction.atomic
def customer_move(
    *,
    customer: Customer,
    to_stage: str,
    by: User | None,
    reason: str = "",
    fields: dict[str, str] | None = None,
    at: dt.datetime | None = None,
) -> StageChange | None:
    """The stage-change action of the detail page: first save the required ``fields``
    filled in with it (e.g. the needs analysis before intent), then change the stage.

    All or nothing: when the stage still refuses (ValidationError), the fields are not
    saved either. The caller must have checked :func:`customer_check_can_edit`.
    """
    filled: dict[str, Any] = {k: v for k, v in (fields or {}).items() if str(v or "").strip()}
    if filled:
        customer_update(customer=customer, by=by, **filled)
    return customer_change_stage(
        customer=customer,
        to_stage=to_stage,
        by=by,
        at=at,
        reason=reason,
        source=StageChange.Source.MANUAL,
        check_required=True,
    )


def customer_check_can_reassign(*, customer: Customer, scope: Scope) -> None:
    """Raise PermissionDenied unless the viewer supervises the customer's team (or is an
    admin): reassignment and release are supervisor rights (docs/domain section 1)."""
    if scope.can_manage_team(customer.team_id):
        return
    raise PermissionDenied(_("Only the team's supervisor may reassign this customer."))


def reassign_candidates(*, customer: Customer, day: dt.date) -> list[User]:
    """Reps of the customer's team on ``day`` (every active rep when it has no team),
    except the current owner, ordered by name. One query."""
    reps = Membership.objects.filter(active_memberships(day), role=Membership.Role.REP)
    if customer.team_id:
        reps = reps.filter(unit_id=customer.team_id)
    users = (
        User.objects.filter(is_active=True, pk__in=reps.values("user_id"))
        .exclude(pk=customer.owner_id or 0)
        .order_by("display_name", "username")
    )
    return list(users)


@transaction.atomic
def customer_reassign(
    *, customer: Customer, owner: User, by: User, scope: Scope, reason: str
) -> Customer:
    """Give ``customer`` to another rep of its team (a supervisor's action), closing the
    open ownership row and opening a new one, and notify the new owner.

    Raises PermissionDenied unless ``scope`` supervises the team, ValidationError when
    ``owner`` is not a rep of the team today or no reason is given.
    """
    customer_check_can_reassign(customer=customer, scope=scope)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the customer is reassigned.")})
    if owner.pk not in {u.pk for u in reassign_candidates(customer=customer, day=scope.day)}:
        raise ValidationError({"owner": _("Choose a rep of the customer's team.")})
    customer_assign(
        customer=customer, owner=owner, by=by, team=customer.team or None, reason=reason
    )
    _notify_owner(customer, owner, gettext_noop("Customer assigned to you: %(name)s"))
    return customer


def _notify_owner(customer: Customer, user: User, title: str) -> None:
    from django.urls import reverse

    row = Ownership.objects.filter(customer=customer).order_by("-start", "-id").first()
    notification_send(
        user=user,
        key=f"customer-ownership-{row.pk if row else customer.pk}",
        title=notice(title, name=customer.name),
        url=reverse("customers:customer_detail", args=[customer.pk]),
    )


@transaction.atomic
def customer_release(*, customer: Customer, by: User, scope: Scope, reason: str = "") -> Customer:
    """Release one customer to its team's public pool (公海).

    Allowed to the team's supervisor (or an admin) for a customer with no follow-up for
    ``OrgSettings.pool_release_days`` (see :func:`customers.selectors.pool_release_candidates`).
    Raises PermissionDenied / ValidationError otherwise. The former owner is notified.
    """
    customer_check_can_reassign(customer=customer, scope=scope)
    if customer.owner_id is None:
        raise ValidationError(_("The customer is already in the public pool."))
    if not pool_release_candidates(scope).filter(pk=customer.pk).exists():
        raise ValidationError(
            _("Only customers without follow-up for the configured number of days may be released.")
        )
    return _release(customer=customer, by=by, reason=reason)


def _release(*, customer: Customer, by: User, reason: str = "") -> Customer:
    former = customer.owner
    customer_assign(
        customer=customer,
        owner=None,
        by=by,
        team=customer.team,
        reason=reason or _("Released to the public pool: no follow-up"),
    )
    if former is not None:
        _notify_owner(
            customer, former, gettext_noop("Customer released to the public pool: %(name)s")
        )
    return customer


def customers_release_stalled(*, scope: Scope, by: User, ids: Iterable[int] | None = None) -> int:
    """Release every customer the viewer may release (``ids``: only those of them), i.e.
    :func:`customers.selectors.pool_release_candidates`. Returns how many were released.
    One transaction per customer, so a claim or visit on one does not undo the others."""
    candidates = pool_release_candidates(scope).select_related("owner", "team")
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    released = 0
    for customer in list(candidates):
        with transaction.atomic():
            _release(customer=customer, by=by)
        released += 1
    return released


@transaction.atomic
def customer_claim(*, customer: Customer, user: User, scope: Scope) -> Customer:
    """A rep takes a customer from their team's public pool and becomes its owner.

    The row is locked and re-read, so of two reps claiming at once only the first wins;
    the second gets ValidationError. PermissionDenied unless ``user`` is a rep of the
    customer's team today; ValidationError under the organisation's claim limit and
    reclaim cooldown (``customers.claim_rules``).
    """

    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.team_id is None or locked.team_id not in scope.rep_team_ids:
        raise PermissionDenied(_("Only reps of the customer's team may claim it."))
    if locked.owner_id is not None:
        raise ValidationError(_("Another rep has claimed this customer already."))
    claim_check_rules(customer=locked, user=user)
    customer_assign(
        customer=locked,
        owner=user,
        by=user,
        team=locked.team,
        reason=_("Claimed from the public pool"),
    )
    customer.owner, customer.team, customer.pool_since = user, locked.team, None
    return locked
