"""Make the demo organisation agree with itself after every app seeded its part.

The customer import stamps ``created_at`` with the time of the import, while the demo's
story (stage history, ownership, visits, notes, the public pool) reaches back months. A
customer page that says "created today" above visits from September contradicts itself,
so every demo customer is dated to one hour before its earliest recorded event.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import IO, Any

from django.db.models import Min

from accounts.demo import DemoOrg
from customers.models import Customer

#: How long before its first event a demo customer was entered.
LEAD_TIME = dt.timedelta(hours=1)


def settle(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any) -> int:
    """Date each demo customer (of the demo teams) before its earliest event: visit, stage
    change, ownership start, note, contract signature or pool entry. Returns the number of
    customers changed; idempotent (a second run changes none)."""
    rows: Any = Customer.objects.filter(team__in=org.teams).annotate(
        first_visit=Min("visits__occurred_at"),
        first_stage=Min("stage_changes__at"),
        first_owner=Min("ownerships__start"),
        first_note=Min("notes_log__created_at"),
    )
    changed = []
    for customer in rows:
        events = [
            customer.first_visit,
            customer.first_stage,
            customer.first_owner,
            customer.first_note,
            customer.pool_since,
        ]
        known = [e for e in events if e is not None]
        if known and min(known) < customer.created_at:
            customer.created_at = min(known) - LEAD_TIME
            changed.append(customer)
    # created_at is auto_now_add: only a bulk update can set it.
    Customer.objects.bulk_update(changed, ["created_at"], batch_size=500)
    if changed:
        stdout.write(f"customers dated before their first event: {len(changed)}")
    return len(changed)
