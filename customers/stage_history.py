"""Stage history brought from another CRM: dated stage changes written as they happened
(docs/domain, sections 5 and 9). Journals' history import calls :func:`stage_history_import`;
no other module writes imported history rows of the customer file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User

from .models import Customer, StageChange


@dataclass(frozen=True)
class ImportedStageChange:
    """One change as the other CRM recorded it: the customer, the stages, when (aware), the
    owner then (``rep``, None = unknown) and that owner's team on that local day."""

    customer_id: int
    from_stage: str
    to_stage: str
    at: dt.datetime
    rep: User | None
    team: OrgUnit | None


def stage_history_known(changes: Sequence[ImportedStageChange]) -> set[int]:
    """Indexes of ``changes`` already in the history (same customer, to stage and time):
    importing the same file twice adds nothing. One query."""
    customers = {c.customer_id for c in changes}
    known = set(
        StageChange.objects.filter(customer_id__in=customers).values_list(
            "customer_id", "to_stage", "at"
        )
    )
    return {i for i, c in enumerate(changes) if (c.customer_id, c.to_stage, c.at) in known}


@transaction.atomic
def stage_history_import(
    *, by: User | None, changes: Sequence[ImportedStageChange]
) -> list[StageChange]:
    """Write ``changes`` as StageChange rows (source import) with their own dates, rep and
    team; the customer's owner is never changed. Changes already recorded are skipped
    (:func:`stage_history_known`). A customer whose newest change is now an imported one
    takes its stage and date (``stage`` and ``stage_changed_at``), so the file shows where
    the history ends; older imported changes only fill the history in. Returns the rows
    written. The caller publishes the event that makes the KPIs recompute."""
    known = stage_history_known(changes)
    fresh = [c for i, c in enumerate(changes) if i not in known]
    rows = StageChange.objects.bulk_create(
        StageChange(
            customer_id=c.customer_id,
            from_stage=c.from_stage,
            to_stage=c.to_stage,
            at=c.at,
            by=by,
            reason=_("Imported history"),
            source=StageChange.Source.IMPORT,
            rep=c.rep,
            team=c.team,
        )
        for c in fresh
    )
    latest: dict[int, ImportedStageChange] = {}
    for c in fresh:
        if c.customer_id not in latest or c.at >= latest[c.customer_id].at:
            latest[c.customer_id] = c
    customers = Customer.objects.select_for_update().in_bulk(latest)
    newest = dict(
        StageChange.objects.filter(customer_id__in=latest)
        .order_by()
        .values("customer_id")
        .annotate(last=Max("at"))
        .values_list("customer_id", "last")
    )
    for customer_id, change in latest.items():
        customer = customers.get(customer_id)
        if customer is None or newest.get(customer_id, change.at) > change.at:
            continue
        if (customer.stage, customer.stage_changed_at) != (change.to_stage, change.at):
            Customer.objects.filter(pk=customer_id).update(
                stage=change.to_stage, stage_changed_at=change.at
            )
    return rows
