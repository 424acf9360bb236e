"""Public pool rules (OrgSettings): claim limit per rep, reclaim cooldown, automatic
release of customers without follow-up; every move is an ownership row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import OrgSettings
from accounts.scoping import scope_for
from customers import pool_rules
from customers.models import Customer, Ownership
from customers.services import customer_assign, customer_claim
from customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def pooled(org):
    customer = make_customer(org.teammate)
    customer_assign(customer=customer, owner=None, by=org.supervisor, team=org.team_a)
    return customer


def test_claim_limit_counts_the_claims_of_the_last_30_days(org):
    OrgSettings.objects.update_or_create(
        pk=1, defaults={"claim_limit": 2, "reclaim_cooldown_days": 0}
    )
    scope = scope_for(org.rep)
    for _ in range(2):
        customer_claim(customer=pooled(org), user=org.rep, scope=scope)
    third = pooled(org)
    with pytest.raises(ValidationError):
        customer_claim(customer=third, user=org.rep, scope=scope)
    assert Customer.objects.get(pk=third.pk).owner is None
    customer_claim(customer=third, user=org.teammate, scope=scope_for(org.teammate))


def test_a_rep_cannot_reclaim_a_lost_customer_during_the_cooldown(org):
    OrgSettings.objects.update_or_create(
        pk=1, defaults={"claim_limit": 0, "reclaim_cooldown_days": 30}
    )
    customer = make_customer(org.rep)
    customer_assign(customer=customer, owner=None, by=org.supervisor, team=org.team_a)
    with pytest.raises(ValidationError):
        customer_claim(customer=customer, user=org.rep, scope=scope_for(org.rep))
    customer_claim(customer=customer, user=org.teammate, scope=scope_for(org.teammate))


def test_customers_without_follow_up_are_released_automatically(org):
    OrgSettings.objects.update_or_create(pk=1, defaults={"auto_release_days": 20})
    old = timezone.now() - dt.timedelta(days=40)
    stale = make_customer(org.rep)
    Customer.objects.filter(pk=stale.pk).update(last_activity_at=old, created_at=old)
    Ownership.objects.filter(customer=stale).update(start=old)
    fresh = make_customer(org.rep)
    assert pool_rules.customers_auto_release() == 1
    assert Customer.objects.get(pk=stale.pk).owner is None
    assert Customer.objects.get(pk=fresh.pk).owner == org.rep
    assert pool_rules.customers_auto_release() == 0
