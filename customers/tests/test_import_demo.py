"""The demo customers (customers/demo.py): real companies imported through the engine,
spread over the demo teams with a funnel-shaped history, contacts, contracts, revenue
and closed billing months; idempotent, and removed by reset()."""

from __future__ import annotations

import io
import random

import pytest
from django.db.models import Count

from accounts import demo as accounts_demo
from accounts.scoping import local_today
from customers import demo
from customers.models import (
    FUNNEL,
    STAGE_ORDER,
    BillingMonth,
    Contact,
    Contract,
    Customer,
    ImportJob,
    RevenueRecord,
    StageChange,
)
from customers.tests.test_import_support import media  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def seeded():
    org = accounts_demo.seed_org(random.Random(1))
    out = io.StringIO()
    demo.seed(org, random.Random(2), out)
    return org, out.getvalue()


def _reached(stage: str) -> int:
    """Customers that reached ``stage`` (cumulative: a later stage counts, docs/domain 9)."""
    later = [s for s in FUNNEL if STAGE_ORDER[s] >= STAGE_ORDER[stage]]
    current = Customer.objects.filter(stage__in=later).count()
    lost_after = (
        StageChange.objects.filter(to_stage__in=later, customer__stage="lost")
        .values("customer")
        .distinct()
        .count()
    )
    return current + lost_after


def test_demo_imports_the_companies_through_the_engine(seeded):
    org, out = seeded
    job = ImportJob.objects.get(original_name=demo.CUSTOMERS_FILE)
    assert (job.status, job.created_count, job.rejected_count) == ("done", 600, 0)
    assert Customer.objects.count() == 600
    assert "600 imported" in out
    # Real companies from the exchange list, codes kept as text.
    assert Customer.objects.filter(external_code__regex=r"^[0-9]{6}$").count() == 600
    per_team = dict(Customer.objects.values_list("team__code").annotate(n=Count("id")))
    assert per_team == {code: 150 for code, *_ in accounts_demo.TEAMS}
    assert set(
        Customer.objects.filter(team__code="east-key").values_list("segment", flat=True)
    ) == {"group"}
    pool = Customer.objects.filter(owner__isnull=True)
    assert 0 < pool.count() < 100
    assert not pool.exclude(stage="lead").exists()


def test_demo_history_is_funnel_shaped_over_the_last_year(seeded):
    reached = [Customer.objects.count()] + [_reached(s) for s in FUNNEL[1:]]
    assert reached == sorted(reached, reverse=True)
    assert reached[0] == 600
    assert reached[1] < 500  # many stay leads
    assert reached[-1] >= 20  # some deals
    assert 0 < Customer.objects.filter(stage="lost").count() < 100
    today = local_today()
    days = [(today - c.at.date()).days for c in StageChange.objects.all()]
    assert max(days) <= 400
    assert min(days) >= -1
    assert StageChange.objects.filter(rep__isnull=True).count() == 0


def test_demo_contacts_contracts_and_revenue(seeded):
    assert Contact.objects.count() == 600
    assert all(
        len(p) == 11 and p.startswith("1") for p in Contact.objects.values_list("phone", flat=True)
    )
    deals = Customer.objects.filter(stage="deal")
    assert Contract.objects.count() == deals.count()
    this_month = local_today().replace(day=1)
    assert not RevenueRecord.objects.filter(month__gte=this_month).exists()
    for record in RevenueRecord.objects.select_related("customer")[:50]:
        contract = record.customer.contracts.get()
        assert record.month > contract.signed_on
        assert 0 < record.received <= record.billed
    months = set(BillingMonth.objects.values_list("month", flat=True))
    assert this_month not in months  # lagged ARPU for this month is pending
    assert len(months) == 12
    assert max(months) < this_month


def test_demo_is_idempotent_and_reset_removes_it(seeded):
    org, _out = seeded
    counts = (Customer.objects.count(), StageChange.objects.count(), RevenueRecord.objects.count())
    out = io.StringIO()
    demo.seed(org, random.Random(2), out)
    assert "already" in out.getvalue()
    assert counts == (
        Customer.objects.count(),
        StageChange.objects.count(),
        RevenueRecord.objects.count(),
    )
    demo.reset()
    assert Customer.objects.count() == 0
    assert ImportJob.objects.count() == 0
    assert BillingMonth.objects.count() == 0
    accounts_demo.reset_org()  # nothing of ours blocks deleting the teams
