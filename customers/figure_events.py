"""The domain events a direct write of a customer-file row means for the figures.

Used by the Django admin (``accounts.admin_changes.AnnouncingAdmin``), which writes rows
past the services; the services publish the same events themselves
(docs/architecture.md, "Events"). Each function takes one row as it is (before or after
the write) and returns the events: ``CustomerChanged`` for the teams whose figures read the
row, at the moment the row counts for (the KPIs recompute the month and ISO week of that
local day, for that customer only), or ``SharedInputsChanged`` for a billing month, which
every team's figures read. At most two queries per row.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from salesops.events import CustomerChanged, SharedInputsChanged

from .models import BillingMonth, Contract, Customer, Ownership, RevenueRecord, StageChange


def _at(day: dt.date) -> dt.datetime:
    """Noon of the local ``day`` (aware): a moment of that day in any zone offset."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def _changed(
    customer_id: int | None, team_ids: set[int | None], when: dt.datetime, reason: str
) -> list[CustomerChanged]:
    teams = tuple(sorted(t for t in team_ids if t is not None))
    if customer_id is None or not teams:
        return []
    return [CustomerChanged(customer_id=customer_id, team_ids=teams, when=when, reason=reason)]


def _customer_teams(customer_id: int) -> set[int | None]:
    """The customer's current team and every team that owned it (revenue and contracts
    count for the owner's team of their month)."""
    teams: set[int | None] = set(
        Ownership.objects.filter(customer_id=customer_id).values_list("team_id", flat=True)
    )
    teams.add(Customer.objects.filter(pk=customer_id).values_list("team_id", flat=True).first())
    return teams


def customer_events(customer: Customer) -> list[CustomerChanged]:
    """An edit of the customer row (industry, segment, ...): its team, now."""
    return _changed(customer.pk, {customer.team_id}, timezone.now(), "customer")


def stage_change_events(row: StageChange) -> list[CustomerChanged]:
    """A stage change row: its team and the customer's, at the change."""
    team = Customer.objects.filter(pk=row.customer_id).values_list("team_id", flat=True).first()
    return _changed(row.customer_id, {row.team_id, team}, row.at, "stage")


def ownership_events(row: Ownership) -> list[CustomerChanged]:
    """An ownership row: its team at its start, at its end, and now (the span between
    counts for the current figures)."""
    moments = [row.start, timezone.now()] + ([row.end] if row.end else [])
    return [
        event
        for when in moments
        if when is not None
        for event in _changed(row.customer_id, {row.team_id}, when, "owner")
    ]


def contract_events(row: Contract) -> list[CustomerChanged]:
    """A contract: its team and the customer's teams, on its signing day."""
    teams = _customer_teams(row.customer_id) | {row.team_id}
    return _changed(row.customer_id, teams, _at(row.signed_on), "contract")


def revenue_events(row: RevenueRecord) -> list[CustomerChanged]:
    """A revenue record: the customer's teams, in its month."""
    return _changed(row.customer_id, _customer_teams(row.customer_id), _at(row.month), "revenue")


def billing_month_events(row: BillingMonth) -> list[SharedInputsChanged]:
    """A billing month closed or reopened: every team's figures of that month and of now
    (pending billing is read by every unit's figures)."""
    return [
        SharedInputsChanged(day=row.month, reason="billing"),
        SharedInputsChanged(day=timezone.localdate(), reason="billing"),
    ]
