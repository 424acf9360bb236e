"""Plan and write the rows of a revenue import (upsert on customer, month, product) and close
the billing months of a completed import (docs/domain, section 9)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from accounts.scoping import local_today

from ..importing import ParsedRow, dedupe_keys
from ..models import BillingMonth, Customer, ImportJob, RevenueRecord
from .resolving import _add_error, _Plan, _Resolver


# --------------------------------------------------------------------------- revenue
def _plan_revenue(
    job: ImportJob, rows: Sequence[ParsedRow], resolver: _Resolver, rejected: set[int]
) -> list[_Plan]:
    """Find each row's customer and what the upsert on (customer, month, product) does.
    Two queries for the whole chunk."""
    plans = [_Plan(row) for row in rows]
    ident: dict[int, list[tuple[str, str]]] = {}
    for plan in plans:
        if not plan.row.errors:
            ident[id(plan)] = dedupe_keys(
                {f: plan.row.values.get(f) for f in ("credit_code", "external_code", "name")}
            )
    wanted: dict[str, set[str]] = defaultdict(set)
    for keys in ident.values():
        for kind, value in keys:
            wanted[kind].add(value)
    matches: dict[tuple[str, str], list[int]] = defaultdict(list)
    condition = Q()
    for kind, column in (
        ("credit_code", "credit_code"),
        ("external_code", "external_code"),
        ("name", "name_key"),
    ):
        if wanted[kind]:
            condition |= Q(**{f"{column}__in": wanted[kind]})
    if condition:
        for pk, credit, code, key in (
            Customer.objects.filter(condition)
            .order_by("id")
            .values_list("id", "credit_code", "external_code", "name_key")
        ):
            for kind, value in (("credit_code", credit), ("external_code", code), ("name", key)):
                if value and value in wanted[kind]:
                    matches[(kind, value)].append(pk)
    for plan in plans:
        row = plan.row
        if row.errors:
            plan.action = "reject"
            continue
        if row.duplicate_of is not None:
            if row.duplicate_of in rejected:
                plan.action = "reject"
                _add_error(
                    row,
                    "",
                    gettext_noop("same customer and month as row %(row)d, which was rejected"),
                    row=row.duplicate_of,
                )
            else:
                plan.action = "duplicate"
                plan.note = _("duplicate of row %(row)d") % {"row": row.duplicate_of}
            continue
        for kind, value in ident[id(plan)]:
            found = matches.get((kind, value), [])
            if len(found) == 1:
                plan.customer_id = found[0]
                break
            if len(found) > 1:
                _add_error(
                    row,
                    kind,
                    gettext_noop(
                        "%(n)d customers match %(value)s; give the credit code or customer code"
                    ),
                    n=len(found),
                    value=value,
                )
                break
        if plan.customer_id is None:
            if not row.errors:
                label = ", ".join(v for _k, v in ident[id(plan)])
                _add_error(
                    row, "customer", gettext_noop("no customer matches %(value)s"), value=label
                )
            plan.action = "reject"
            continue
        plan.action = "create"
    # Existing records of the matched customers for the chunk's months: one query.
    live = [p for p in plans if p.action == "create"]
    if live:
        months = {p.row.values["month"] for p in live}
        existing = {
            (cid, month, product): (pk, billed)
            for pk, cid, month, product, billed in RevenueRecord.objects.filter(
                customer_id__in={p.customer_id for p in live}, month__in=months
            ).values_list("id", "customer_id", "month", "product", "billed")
        }
        for plan in live:
            values: dict[str, Any] = plan.row.values
            record: Any = (plan.customer_id, values["month"], values.get("product") or "")
            if record in existing:
                pk, billed = existing[record]
                plan.existing_id = pk
                if billed == values["billed"]:
                    plan.action = "unchanged"
                    plan.note = _("already up to date")
                else:
                    plan.action = "update"
    return plans


def _apply_revenue(job: ImportJob, plans: Sequence[_Plan]) -> None:
    rows: list[tuple[_Plan, dict[str, Any]]] = [(p, p.row.values) for p in plans]
    new = [
        RevenueRecord(
            customer_id=p.customer_id,  # type: ignore[misc]  # set: the row has a customer
            month=values["month"],
            product=values.get("product") or "",
            billed=values["billed"],
            import_job=job,
        )
        for p, values in rows
        if p.action == "create"
    ]
    RevenueRecord.objects.bulk_create(new)
    changed = [
        RevenueRecord(pk=p.existing_id, billed=values["billed"], import_job=job)
        for p, values in rows
        if p.action == "update"
    ]
    if changed:
        RevenueRecord.objects.bulk_update(changed, ["billed", "import_job"], batch_size=500)


def _close_billing_months(job: ImportJob, months: set[dt.date]) -> None:
    """A BillingMonth for each month the completed revenue import contained (docs/domain,
    section 9: month M's billing is in once a revenue import for M has completed)."""
    have = set(BillingMonth.objects.filter(month__in=months).values_list("month", flat=True))
    BillingMonth.objects.bulk_create(
        [
            BillingMonth(month=m, closed_by=job.created_by, import_job=job)
            for m in sorted(months - have)
        ]
    )


@transaction.atomic
def billing_month_close(*, month: dt.date, by: User | None) -> BillingMonth:
    """Close the billing of ``month`` by hand (its revenue is in even without an import),
    so lagged ARPU for the next month is no longer pending (docs/domain, section 9).

    ``month`` is any day of the month; idempotent (an already closed month is returned
    unchanged). Raises ValidationError for the current or a future month, whose
    billing cannot be complete.
    """
    first = month.replace(day=1)
    if first >= local_today().replace(day=1):
        raise ValidationError(
            {"month": _("Only a past month can be closed; its billing arrives the month after.")}
        )
    closed, _created = BillingMonth.objects.get_or_create(
        month=first, defaults={"closed_by": by, "closed_at": timezone.now()}
    )
    return closed
