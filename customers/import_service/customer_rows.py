"""Plan and write the rows of a customer import: duplicates against existing customers,
new customers with their ownership, stage change and contact, updates (docs/domain, section 5)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, cast

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..importing import ParsedRow, dedupe_keys, name_key
from ..models import Contact, Customer, ImportJob, Ownership, Segment, Stage, StageChange
from ..pinyin import derived_search_fields
from ..services import customer_fill_derived
from .fast_insert import fast_insert
from .fields import _CONTACT_COPY, _CUSTOMER_COPY, _KEY_LABELS
from .resolving import _add_error, _assign_owner, _Plan, _refuse_without_team, _Resolver


# --------------------------------------------------------------------------- customers
def _keys_of(row: ParsedRow) -> list[tuple[str, str]]:
    if row.keys is None:
        row.keys = dedupe_keys(row.values)
    return row.keys


def _customer_keys(plans: Sequence[_Plan]) -> dict[int, list[tuple[str, str]]]:
    return {id(p): _keys_of(p.row) for p in plans}


def _in_list(column: str, values: list[str], params: list[Any]) -> str:
    """``column IN (...)`` over ``values``, appending its one parameter to ``params``: a
    JSON array, read on PostgreSQL as an array (``= ANY(ARRAY(...))``, which an index scan
    serves) and on SQLite by ``json_each``. Django's client-side binding quoted a list of
    5,000 values one by one (PostgreSQL), and a statement with 15,000 parameters cost
    SQLite about five times more to prepare and bind than the lookups themselves; one
    string is quoted or bound once. The columns' indexes still serve (pinned in
    customers/tests/test_import_fast_path.py)."""
    params.append(json.dumps(values, ensure_ascii=False))
    if connection.vendor == "postgresql":
        return f"{column} = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))"
    return f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - fixed column, values are a parameter


def _find_existing_customers(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Map dedupe keys to the id of the oldest existing customer with that key.
    Two queries: customers by credit code / external code / name key, contacts by phone
    (raw SQL: preparing thousands of IN values through the ORM cost more than the query)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, value in keys:
        wanted[kind].add(value)
    found: dict[tuple[str, str], int] = {}
    customers = connection.ops.quote_name(Customer._meta.db_table)
    contacts = connection.ops.quote_name(Contact._meta.db_table)
    conditions: list[str] = []
    params: list[Any] = []
    for kind, column in (
        ("credit_code", "credit_code"),
        ("external_code", "external_code"),
        ("name", "name_key"),
    ):
        values = sorted(wanted[kind])
        if values:
            conditions.append(_in_list(column, values, params))
    with connection.cursor() as cursor:
        if conditions:
            cursor.execute(
                f"SELECT id, credit_code, external_code, name_key FROM {customers} "  # noqa: S608 - fixed columns, values are parameters
                f"WHERE {' OR '.join(conditions)} ORDER BY id",
                params,
            )
            for pk, credit, code, key in cursor.fetchall():
                for kind, value in (
                    ("credit_code", credit),
                    ("external_code", code),
                    ("name", key),
                ):
                    if value and value in wanted[kind]:
                        found.setdefault((kind, value), pk)
        phones = sorted(wanted["phone"])
        if phones:
            phone_params: list[Any] = []
            condition = _in_list("phone", phones, phone_params)
            cursor.execute(
                f"SELECT phone, customer_id FROM {contacts} "  # noqa: S608 - as above
                f"WHERE {condition} ORDER BY customer_id",
                phone_params,
            )
            for phone, pk in cursor.fetchall():
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
            if _refuse_without_team(plan):
                continue
            if job.to_pool and plan.team is not None:
                plan.note = _("into the public pool of %(team)s") % {"team": plan.team.name}
        elif mode == ImportJob.OnDuplicate.SKIP:
            plan.action = "duplicate"
        else:
            plan.action = "update"
    return plans


_CUSTOMER_DEFAULTS = {
    f: Customer._meta.get_field(f).get_default()  # type: ignore[union-attr]
    for f in _CUSTOMER_COPY
}
_COPY_DEFAULTS = tuple(_CUSTOMER_DEFAULTS.items())  # in the order of _CUSTOMER_COPY
_SEGMENTS = frozenset(Segment.values)
_SEGMENT_INDEX = _CUSTOMER_COPY.index("segment")
_CUSTOMER_INSERT = (
    *_CUSTOMER_COPY,
    "name_key",
    "pinyin_initials",
    "pinyin_search",
    "owner_id",
    "team_id",
    "stage",
    "stage_changed_at",
    "pool_since",
    "created_by_id",
)
_OWNERSHIP_INSERT = ("customer_id", "owner_id", "team_id", "start", "changed_by_id", "reason")
_STAGE_CHANGE_INSERT = (
    "customer_id",
    "from_stage",
    "to_stage",
    "at",
    "by_id",
    "reason",
    "source",
    "rep_id",
    "team_id",
)
_CONTACT_INSERT = ("customer_id", *_CONTACT_COPY.values())


def _new_customer_rows(
    plans: Sequence[_Plan], job: ImportJob, now: dt.datetime
) -> list[tuple[object, ...]]:
    """The values of :data:`_CUSTOMER_INSERT` for the new customers of ``plans``, one
    tuple each, in order (the rules of ``customer_fill_derived`` for the name key and
    pinyin search fields, docs/domain, section 5, "Search by pinyin").

    Built column by column: each copied field is read from every row's values in one
    C-level ``map`` and replaced by the model default where it is None; the name key
    comes from the row's duplicate keys when it has one (the last key,
    ``customers.importing.dedupe_keys``); the rows are one ``zip`` of the columns.
    Segment: the row's, else its team's, else mass-market."""
    values = [p.row.values for p in plans]
    count = len(plans)
    columns: list[list[object]] = []
    for fld, default in _COPY_DEFAULTS:
        column = list(map(dict.get, values, repeat(fld, count)))
        if default is not None and None in column:
            column = [default if v is None else v for v in column]
        columns.append(column)
    segments = columns[_SEGMENT_INDEX]
    for k, plan in enumerate(plans):
        if values[k].get("segment") is None:
            segment = plan.team.segment if plan.team else ""
            segments[k] = segment if segment in _SEGMENTS else Segment.MASS
    names = cast("list[str]", columns[0])
    short_names = cast("list[str]", columns[1])
    keys: list[object] = []
    for plan, name in zip(plans, names, strict=True):
        row_keys = plan.row.keys
        if row_keys and row_keys[-1][0] == "name":
            keys.append(row_keys[-1][1])
        else:
            keys.append(name_key(name))
    forms = list(map(derived_search_fields, names, short_names))
    initials = [f[0] for f in forms]
    searches = [f[1] for f in forms]
    owners = [p.owner.pk if p.owner else None for p in plans]
    teams = [p.team.pk if p.team else None for p in plans]
    stages = [v.get("stage") or Stage.LEAD for v in values]
    since = [p.stage_at or now for p in plans]
    pool_since = [at if p.owner is None else None for p, at in zip(plans, since, strict=True)]
    return list(
        zip(
            *columns,
            keys,
            initials,
            searches,
            owners,
            teams,
            stages,
            since,
            pool_since,
            repeat(job.created_by_id, count),
            strict=False,
        )
    )


def _new_contact(customer_id: int, values: dict[str, object]) -> Contact | None:
    data = {model: values.get(fld) for fld, model in _CONTACT_COPY.items()}
    if not any(data.values()):
        return None
    return Contact(customer_id=customer_id, **{k: str(v or "") for k, v in data.items()})


def _new_contact_row(customer_id: int, values: dict[str, object]) -> tuple[object, ...] | None:
    data = [values.get(fld) for fld in _CONTACT_COPY]
    if not any(data):
        return None
    return (customer_id, *(str(v or "") for v in data))


def _apply_customers(job: ImportJob, plans: Sequence[_Plan], resolver: _Resolver) -> None:
    """Write one chunk: bulk updates for existing customers, then raw inserts for new
    ones with their ownership, stage change and contact rows (:mod:`.fast_insert`)."""
    updates = [p for p in plans if p.action == "update"]
    if updates:
        _apply_updates(job, updates, resolver)
    by = job.created_by_id
    reason = _("Imported")
    creates = [p for p in plans if p.action == "create"]
    if not creates:
        return
    pool = job.to_pool
    pool_reason = _("Imported into the public pool")
    rows = _new_customer_rows(creates, job, resolver.now)
    ids = fast_insert(Customer, _CUSTOMER_INSERT, rows, with_ids=True)
    at_index = _CUSTOMER_INSERT.index("stage_changed_at")
    stage_index = _CUSTOMER_INSERT.index("stage")
    owner_index = _CUSTOMER_INSERT.index("owner_id")
    team_index = _CUSTOMER_INSERT.index("team_id")
    ownership_reason = pool_reason if pool else reason
    ownership_rows: list[tuple[object, ...]] = []
    change_rows: list[tuple[object, ...]] = []
    contact_rows: list[tuple[object, ...]] = []
    days: dict[object, dt.date] = {}
    for plan, pk, row in zip(creates, ids, rows, strict=True):
        plan.customer_id = pk
        owner_id = row[owner_index]
        team_id = row[team_index]
        since = row[at_index]
        ownership_rows.append((pk, owner_id, team_id, since, by, ownership_reason))
        stage = row[stage_index]
        if stage != Stage.LEAD:
            day = days.get(since)
            if day is None:
                day = days[since] = timezone.localdate(since)  # type: ignore[arg-type]
            team = resolver.team_of(plan.owner, day) or plan.team
            change_rows.append(
                (
                    pk,
                    Stage.LEAD,
                    stage,
                    since,
                    by,
                    reason,
                    StageChange.Source.IMPORT,
                    owner_id,
                    team.pk if team else None,
                )
            )
        contact = _new_contact_row(pk, plan.row.values)
        if contact is not None:
            contact_rows.append(contact)
    fast_insert(Ownership, _OWNERSHIP_INSERT, ownership_rows)
    fast_insert(StageChange, _STAGE_CHANGE_INSERT, change_rows)
    fast_insert(Contact, _CONTACT_INSERT, contact_rows)


@dataclass
class _UpdateWrites:
    """What the updates of one chunk will write (planned by :func:`_plan_updates`)."""

    to_save: dict[int, Customer] = field(default_factory=dict)
    changed_fields: set[str] = field(default_factory=set)
    reassigned: list[int] = field(default_factory=list)
    ownerships: list[Ownership] = field(default_factory=list)
    changes: list[StageChange] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


def _update_stage_at(
    plan: _Plan, customer: Customer, last: dt.datetime | None, now: dt.datetime
) -> dt.datetime:
    """The moment an "update" row's changed stage is dated (docs/domain, section 5,
    Imports, "Stage dates on update"): the file's stage date (``plan.stage_at``, local
    midnight) only when it is later than the customer's latest stage change (``last``, the
    newest ``StageChange.at``, and ``customer.stage_changed_at``), so it can only be the new
    stage's date; else ``now`` (the import), since the export's "entered this stage at" is
    the old stage's. Clears ``plan.stage_at`` when it is not used (the KPI recompute after
    the import covers the periods of the dates it used) and says so in ``plan.note``.
    Never earlier than the latest change: history stays in order (docs/architecture.md,
    Conventions)."""
    file_at = plan.stage_at
    known = [d for d in (last, customer.stage_changed_at) if d is not None]
    latest = max(known) if known else None
    stage = plan.row.values.get("stage")
    if not stage or stage == customer.stage:
        plan.stage_at = None  # no stage change: the file's date writes nothing
        return now
    if file_at is not None and (latest is None or file_at > latest) and file_at <= now:
        return file_at
    if file_at is not None:
        plan.stage_at = None
        dated = _(
            "stage change dated at the import: the file's stage date is not after "
            "the customer's last stage change (%(date)s)"
        ) % {"date": timezone.localdate(latest).isoformat() if latest else ""}
        plan.note = f"{plan.note}; {dated}" if plan.note else dated
    return max(now, latest) if latest is not None else now


def _plan_updates(job: ImportJob, plans: Sequence[_Plan], resolver: _Resolver) -> _UpdateWrites:
    """Decide what each "update" row changes on its existing customer, without writing.

    Sets ``plan.action`` to ``unchanged`` (counted as a duplicate) when the row changes
    nothing, ``create`` when the customer was deleted meanwhile; a changed stage is dated
    by :func:`_update_stage_at`; the preview calls this too, so
    it predicts exactly what the import does (docs/domain, section 5, Imports). Reads
    the customers, their last stage change and contacts: three queries for the chunk.
    """
    writes = _UpdateWrites()
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
    for plan in plans:
        customer = existing.get(plan.existing_id or 0)
        if customer is None:  # deleted meanwhile
            plan.action = "create"
            _refuse_without_team(plan)
            continue
        values: dict[str, Any] = plan.row.values
        stage = values.get("stage")
        at = _update_stage_at(plan, customer, last_change.get(customer.pk), now)
        touched: list[str] = []
        for fld in _CUSTOMER_COPY:
            value = values.get(fld)
            if value is not None and getattr(customer, fld) != value:
                setattr(customer, fld, value)
                touched.append(fld)
        if {"name", "short_name"} & set(touched):
            customer_fill_derived(customer)
            touched += ["name_key", "pinyin_initials", "pinyin_search"]
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
            writes.reassigned.append(customer.pk)
            writes.ownerships.append(
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
            writes.changes.append(
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
                writes.contacts.append(contact)
                touched.append("contacts")
        plan.customer_id = customer.pk
        if not touched:
            plan.action = "unchanged"
            plan.note = _("already up to date")
            continue
        plan.changes = touched
        writes.changed_fields.update(f for f in touched if f != "contacts")
        writes.to_save[customer.pk] = customer
    return writes


def _apply_updates(job: ImportJob, plans: Sequence[_Plan], resolver: _Resolver) -> None:
    """Fill/overwrite existing customers with the rows' non-empty values
    (:func:`_plan_updates`), closing the open ownership rows of reassigned customers."""
    writes = _plan_updates(job, plans, resolver)
    now = resolver.now
    if writes.reassigned:
        Ownership.objects.filter(customer_id__in=writes.reassigned, end__isnull=True).update(
            end=now
        )
    if writes.changed_fields:
        for customer in writes.to_save.values():
            customer.updated_at = now
        Customer.objects.bulk_update(
            list(writes.to_save.values()),
            sorted(writes.changed_fields | {"updated_at"}),
            batch_size=500,
        )
    Ownership.objects.bulk_create(writes.ownerships)
    StageChange.objects.bulk_create(writes.changes)
    Contact.objects.bulk_create(writes.contacts)
