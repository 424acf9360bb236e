"""Public pool (公海) claim rules configured per organisation (``OrgSettings``, docs/domain,
section 1): how many customers a rep may claim in 30 days, and the cooldown before a rep
may claim again a customer they lost. Read by ``customer_claim``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgSettings, User

from .models import Customer, Ownership

#: The window the claim limit counts over, in days.
CLAIM_WINDOW_DAYS = 30


def claims_since(*, user: User, since: dt.datetime) -> int:
    """Customers ``user`` claimed from the pool since ``since``: ownership rows they gave
    themselves that start where a pool row (no owner) of the same customer ended."""
    from_pool = Ownership.objects.filter(
        customer=OuterRef("customer"), owner__isnull=True, end=OuterRef("start")
    )
    return (
        Ownership.objects.filter(owner=user, changed_by=user, start__gte=since)
        .filter(Exists(from_pool))
        .count()
    )


def claim_check_rules(*, customer: Customer, user: User, now: dt.datetime | None = None) -> None:
    """ValidationError when ``user`` may not claim ``customer`` under the organisation's
    rules: more than ``claim_limit`` claims in :data:`CLAIM_WINDOW_DAYS` days, or the
    customer was theirs until fewer than ``reclaim_cooldown_days`` days ago."""
    now = now or timezone.now()
    org = OrgSettings.load()
    if org.claim_limit:
        since = now - dt.timedelta(days=CLAIM_WINDOW_DAYS)
        if claims_since(user=user, since=since) >= org.claim_limit:
            raise ValidationError(
                _("You have claimed %(n)d customers in the last %(days)d days, the most allowed.")
                % {"n": org.claim_limit, "days": CLAIM_WINDOW_DAYS}
            )
    if org.reclaim_cooldown_days:
        cutoff = now - dt.timedelta(days=org.reclaim_cooldown_days)
        lost = Ownership.objects.filter(customer=customer, owner=user, end__gte=cutoff).first()
        if lost is not None and lost.end is not None:
            free_on = timezone.localdate(lost.end + dt.timedelta(days=org.reclaim_cooldown_days))
            raise ValidationError(
                _("This customer was yours until recently; you may claim it again from %(day)s.")
                % {"day": free_on.isoformat()}
            )
