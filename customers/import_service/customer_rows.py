"""Plan and write the rows of a customer import: duplicates against existing customers,
new customers with their ownership, stage change and contact, updates (docs/domain, section 5)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..importing import ParsedRow, dedupe_keys
from ..models import Contact, Customer, ImportJob, Ownership, Segment, Stage, StageChange
from ..services import customer_fill_derived
from .fields import _CONTACT_COPY, _CUSTOMER_COPY, _KEY_LABELS
from .resolving import _add_error, _assign_owner, _Plan, _Resolver


# --------------------------------------------------------------------------- customers
def _customer_keys(plans: Sequence[_Plan]) -> dict[int, list[tuple[str, str]]]:
    return {id(p): dedupe_keys(p.row.values) for p in plans}


def _find_existing_customers(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Map dedupe keys to the id of the oldest existing customer with that key.
    Two queries: customers by credit code / external code / name key, contacts by phone."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, value in keys:
        wanted[kind].add(value)
    found: dict[tuple[str, str], int] = {}
    condition = Q()
    if wanted["credit_code"]:
        condition |= Q(credit_code__in=wanted["credit_code"])
    if wanted["external_code"]:
        condition |= Q(external_code__in=wanted["external_code"])
    if wanted["name"]:
        condition |= Q(name_key__in=wanted["name"])
    if condition:
        rows = (
            Customer.objects.filter(condition)
            .order_by("id")
            .values_list("id", "credit_code", "external_code", "name_key")
        )
        for pk, credit, code, key in rows:
            for kind, value in (("credit_code", credit), ("external_code", code), ("name", key)):
                if value and value in wanted[kind]:
                    found.setdefault((kind, value), pk)
    if wanted["phone"]:
        phones = (
            Contact.objects.filter(phone__in=wanted["phone"])
            .order_by("customer_id")
            .values_list("phone", "customer_id")
        )
        for phone, pk in phones:
            found.setdefault(("phone", phone), pk)
    return found


def _plan_customers(
    job: ImportJob, rows: Sequence[ParsedRow], resolver: _Resolver, rejected: set[int]
) -> list[_Plan]:
    """Decide each row's action; two queries for the whole chunk."""
    plans = [_Plan(row) for row in rows]
    mode = job.on_duplicate
    candidates = [p for p in plans if not p.row.errors]
    keys = _customer_keys(candidates)
    existing = _find_existing_customers(k for ks in keys.values() for k in ks)
    for plan in plans:
        row = plan.row
        if row.errors:
            plan.action = "reject"
            continue
        if row.duplicate_of is not None and row.duplicate_of in rejected:
            plan.action = "reject"
            _add_error(
                row,
                "",
                gettext_noop("same customer as row %(row)d, which was rejected"),
                row=row.duplicate_of,
            )
            continue
        if row.duplicate_of is not None and mode != ImportJob.OnDuplicate.CREATE:
            plan.action = "duplicate"
            plan.note = _("duplicate of row %(row)d") % {"row": row.duplicate_of}
            continue
        _assign_owner(plan, job, resolver)
        for kind, value in keys[id(plan)]:
            pk = existing.get((kind, value))
            if pk is not None:
                plan.existing_id = pk
                plan.note = _("matches customer #%(id)d by %(key)s") % {
                    "id": pk,
                    "key": _KEY_LABELS[kind],
                }
                break
        if plan.existing_id is None or mode == ImportJob.OnDuplicate.CREATE:
            plan.action = "create"
        elif mode == ImportJob.OnDuplicate.SKIP:
            plan.action = "duplicate"
        else:
            plan.action = "update"
    return plans


def _new_customer(plan: _Plan, job: ImportJob, now: dt.datetime) -> Customer:
    values: dict[str, Any] = plan.row.values
    fields = {f: values[f] for f in _CUSTOMER_COPY if values.get(f) is not None}
    if "segment" not in fields:
        segment = plan.team.segment if plan.team else ""
        fields["segment"] = segment if segment in Segment.values else Segment.MASS
    stage = values.get("stage") or Stage.LEAD
    since = plan.stage_at or now
    customer = Customer(
        **fields,
        owner=plan.owner,
        team=plan.team,
        stage=stage,
        stage_changed_at=since,
        pool_since=since if plan.owner is None else None,
        created_by=job.created_by,
    )
    customer_fill_derived(customer)
    return customer


def _new_contact(customer_id: int, values: dict[str, object]) -> Contact | None:
    data = {model: values.get(fld) for fld, model in _CONTACT_COPY.items()}
    if not any(data.values()):
        return None
    return Contact(customer_id=customer_id, **{k: str(v or "") for k, v in data.items()})


def _apply_customers(job: ImportJob, plans: Sequence[_Plan], resolver: _Resolver) -> None:
    """Write one chunk: bulk updates for existing customers, then bulk inserts for new
    ones with their ownership, stage change and contact rows."""
    ownerships: list[Ownership] = []
    changes: list[StageChange] = []
    contacts: list[Contact] = []
    updates = [p for p in plans if p.action == "update"]
    if updates:
        _apply_updates(job, updates, resolver, ownerships, changes, contacts)
    by = job.created_by
    reason = _("Imported")
    creates = [p for p in plans if p.action == "create"]
    customers = [_new_customer(p, job, resolver.now) for p in creates]
    Customer.objects.bulk_create(customers)
    for plan, customer in zip(creates, customers, strict=True):
        plan.customer_id = customer.pk
        ownerships.append(
            Ownership(
                customer_id=customer.pk,
                owner=plan.owner,
                team=plan.team,
                start=customer.stage_changed_at,
                changed_by=by,
                reason=reason,
            )
        )
        if customer.stage != Stage.LEAD:
            day = timezone.localdate(customer.stage_changed_at)
            changes.append(
                StageChange(
                    customer_id=customer.pk,
                    from_stage=Stage.LEAD,
                    to_stage=customer.stage,
                    at=customer.stage_changed_at,
                    by=by,
                    reason=reason,
                    source=StageChange.Source.IMPORT,
                    rep=plan.owner,
                    team=resolver.team_of(plan.owner, day) or plan.team,
                )
            )
        contact = _new_contact(customer.pk, plan.row.values)
        if contact is not None:
            contacts.append(contact)
    Ownership.objects.bulk_create(ownerships)
    StageChange.objects.bulk_create(changes)
    Contact.objects.bulk_create(contacts)


def _apply_updates(
    job: ImportJob,
    plans: Sequence[_Plan],
    resolver: _Resolver,
    ownerships: list[Ownership],
    changes: list[StageChange],
    contacts: list[Contact],
) -> None:
    """Fill/overwrite existing customers with the rows' non-empty values."""
    now = resolver.now
    by = job.created_by
    reason = _("Imported")
    ids = {p.existing_id for p in plans}
    existing = Customer.objects.in_bulk(ids)
    last_change = dict(
        StageChange.objects.filter(customer_id__in=ids)
        .values("customer_id")
        .annotate(last=Max("at"))
        .values_list("customer_id", "last")
    )
    known_contacts: dict[int, set[str]] = defaultdict(set)
    for cid, name, phone in Contact.objects.filter(customer_id__in=ids).values_list(
        "customer_id", "name", "phone"
    ):
        known_contacts[cid].add(phone or f"name:{name}")
    changed_fields: set[str] = set()
    to_save: dict[int, Customer] = {}
    reassigned: list[int] = []
    for plan in plans:
        customer = existing.get(plan.existing_id or 0)
        if customer is None:  # deleted meanwhile
            plan.action = "create"
            continue
        values: dict[str, Any] = plan.row.values
        stage = values.get("stage")
        at = plan.stage_at or now
        last = last_change.get(customer.pk)
        if stage and stage != customer.stage and last is not None and at < last:
            # History is kept in order: a change dated before the last recorded one
            # would rewrite it (docs/architecture.md, Conventions: history is never overwritten).
            plan.action = "reject"
            _add_error(
                plan.row,
                "stage_date",
                gettext_noop("the customer's stage last changed on %(date)s, after this date"),
                date=timezone.localdate(last).isoformat(),
            )
            continue
        touched: list[str] = []
        for fld in _CUSTOMER_COPY:
            value = values.get(fld)
            if value is not None and getattr(customer, fld) != value:
                setattr(customer, fld, value)
                touched.append(fld)
        if {"name", "short_name"} & set(touched):
            customer_fill_derived(customer)
            touched += ["name_key", "pinyin_initials"]
        owner = plan.owner if plan.owner_given else customer.owner
        owner_id = owner.pk if owner else None
        if plan.team_given:
            team = plan.team
        elif owner_id != customer.owner_id:
            team = resolver.team_of(owner, resolver.today) or customer.team
        else:
            team = customer.team
        if owner_id != customer.owner_id or (team.pk if team else None) != customer.team_id:
            if owner_id != customer.owner_id:
                customer.pool_since = None if owner else now
            customer.owner = owner
            customer.team = team
            touched += ["owner", "team", "pool_since"]
            reassigned.append(customer.pk)
            ownerships.append(
                Ownership(
                    customer_id=customer.pk,
                    owner=owner,
                    team=team,
                    start=now,
                    changed_by=by,
                    reason=reason,
                )
            )
        if stage and stage != customer.stage:
            changes.append(
                StageChange(
                    customer_id=customer.pk,
                    from_stage=customer.stage,
                    to_stage=stage,
                    at=at,
                    by=by,
                    reason=reason,
                    source=StageChange.Source.IMPORT,
                    rep=customer.owner,
                    team=resolver.team_of(customer.owner, timezone.localdate(at)) or customer.team,
                )
            )
            customer.stage = stage
            customer.stage_changed_at = at
            touched += ["stage", "stage_changed_at"]
        contact = _new_contact(customer.pk, values)
        if contact is not None:
            marker = contact.phone or f"name:{contact.name}"
            if marker not in known_contacts[customer.pk]:
                known_contacts[customer.pk].add(marker)
                contacts.append(contact)
                touched.append("contacts")
        plan.customer_id = customer.pk
        if not touched:
            plan.action = "unchanged"
            plan.note = _("already up to date")
            continue
        plan.changes = touched
        changed_fields.update(f for f in touched if f != "contacts")
        to_save[customer.pk] = customer
    if reassigned:
        Ownership.objects.filter(customer_id__in=reassigned, end__isnull=True).update(end=now)
    if changed_fields:
        for customer in to_save.values():
            customer.updated_at = now
        Customer.objects.bulk_update(
            list(to_save.values()), sorted(changed_fields | {"updated_at"}), batch_size=500
        )
