"""The domain events a direct write of a journal or visit row means for the figures.

Used by the Django admin (``accounts.admin_changes.AnnouncingAdmin``), which writes rows
past the services; the services publish the same events (docs/architecture.md,
"Events"). A visit counts for its own team (the visitor's, docs/domain, section 3) and is
shown in the customer's team: both are announced for its customer, on the local day it
occurred. A journal row (status, submission) announces its author's activity of its day.
At most one query per row.
"""

from __future__ import annotations

from customers.models import Customer
from salesops.events import ActivityRecorded, CustomerChanged

from .models import Journal, Visit


def visit_events(visit: Visit) -> list[CustomerChanged]:
    """A visit row: its team and its customer's team, at the moment it occurred."""
    team = Customer.objects.filter(pk=visit.customer_id).values_list("team_id", flat=True).first()
    teams = tuple(sorted({t for t in (visit.team_id, team) if t is not None}))
    if visit.customer_id is None or not teams:
        return []
    return [
        CustomerChanged(
            customer_id=visit.customer_id, team_ids=teams, when=visit.occurred_at, reason="visit"
        )
    ]


def journal_events(journal: Journal) -> list[ActivityRecorded]:
    """A journal row: its author's activity of its day, in its team."""
    return [ActivityRecorded(user_id=journal.rep_id, team_id=journal.team_id, day=journal.day)]
