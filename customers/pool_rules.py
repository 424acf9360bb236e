"""Automatic release to the public pool (公海), configured per organisation
(``OrgSettings.auto_release_days``, docs/domain, section 1). Every move is an ownership
row, so it shows on the customer's timeline. The claim rules are in
``customers.claim_rules``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgSettings

from .models import Customer
from .selectors import no_follow_up_q
from .services import customer_assign


def customers_auto_release(*, now: dt.datetime | None = None) -> int:
    """Release to their team's pool every owned customer without follow-up for
    ``OrgSettings.auto_release_days`` (0: never); one transaction per customer. Returns
    how many were released. Idempotent: a released customer has no owner any more."""
    now = now or timezone.now()
    days = OrgSettings.load().auto_release_days
    if not days:
        return 0
    rows = Customer.objects.filter(owner__isnull=False).filter(
        no_follow_up_q(now - dt.timedelta(days=days))
    )
    released = 0
    for pk in list(rows.values_list("pk", flat=True)):
        with transaction.atomic():
            customer = (
                Customer.objects.select_for_update().filter(pk=pk, owner__isnull=False).first()
            )
            if customer is None:
                continue
            customer_assign(
                customer=customer,
                owner=None,
                by=None,
                team=customer.team,
                at=now,
                reason=_("Released automatically: no follow-up for %(days)d days") % {"days": days},
            )
            released += 1
    return released
