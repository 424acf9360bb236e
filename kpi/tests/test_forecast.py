"""The forecast read from the tables agrees with a hand computation (docs/domain, section 7,
"Forecast"), and its page follows the scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.services import customer_change_stage
from customers.tests.factories import make_customer
from domain import forecast as fc
from kpi import forecast


def _at(month: int, day: int = 10) -> dt.datetime:
    start = fc.month_start(month)
    return timezone.make_aware(dt.datetime(start.year, start.month, day, 10, 0))


@pytest.fixture
def cohort(org):
    """Three customers of the rep reach intent four months ago; one deals the month after,
    one is still open; a fourth reaches intent last month and is open."""
    today = dt.date(2026, 12, 7)
    now = fc.month_index(today)
    customers = []
    for _i in range(3):
        c = make_customer(org.rep, stage="lead", at=_at(now - 5))
        customer_change_stage(
            customer=c, to_stage="intent", by=org.rep, at=_at(now - 4), check_required=False
        )
        customers.append(c)
    customer_change_stage(customer=customers[0], to_stage="deal", by=org.rep, at=_at(now - 3))
    customer_change_stage(customer=customers[2], to_stage="lost", by=org.rep, at=_at(now - 4, 20))
    late = make_customer(org.rep, stage="lead", at=_at(now - 2))
    customer_change_stage(
        customer=late, to_stage="intent", by=org.rep, at=_at(now - 1), check_required=False
    )
    return today, now


def test_the_forecast_from_the_tables_equals_the_hand_computation(org, cohort, monkeypatch):
    # Every offset keeps its own rate here; the minimum cohort size is pinned in the domain
    # tests (docs/domain, section 7, "Forecast").
    monkeypatch.setattr(fc, "MIN_COHORT_SIZE", 1)
    today, now = cohort
    key = f"rep:{org.rep.pk}"
    data = forecast.forecast_for(key, today=today)
    # Intent cohort of month now-4: 3 members, one deal at offset 1 -> r(1) = 1/3, r(0) = 0,
    # r(2) = r(3) = 0; cohort now-1 adds one member at offset 0.  Forecast at now+1:
    # the customer open since now-4 has age 5 (rates 0) -> 0; the one since now-1 has age 2
    # -> r(2) / (1 - r(0) - r(1)) = 0.  So no deal is expected in the next three months.
    assert data["deals"] == [0.0, 0.0, 0.0]
    # Back-test of month now-3 (made at its start): the two open intent customers of cohort
    # now-4 (age 1; the lost one is out) with rates from months before now-3 only: cohort now-4
    # observed at offset 0 only -> r(1) unknown (0) -> forecast 0; actual 1 deal.
    rows = {b["month"]: b for b in data["backtest"]}
    month = rows[fc.month_start(now - 3)]
    assert (month["forecast"], month["actual"]) == (0.0, 1)
    # Month now-2: rates now know r(1) = 1/3 (cohort now-4, 3 members); the open customer of
    # cohort now-4 has age 2: r(2) = 0 -> 0 expected; actual 0.
    assert rows[fc.month_start(now - 2)]["actual"] == 0
    assert data["error"] == pytest.approx(1.0)
    assert data["revenue"] == [Decimal("0.00")] * 3


def test_forecast_page_follows_the_scope(org, cohort, client_for):
    url = reverse("kpi:forecast")
    assert client_for(org.supervisor).get(f"{url}?scope=team:{org.team_a.code}").status_code == 200
    assert client_for(org.outsider).get(f"{url}?scope=team:{org.team_a.code}").status_code == 404
    assert client_for(org.rep).get(url).status_code == 200
    page = client_for(org.manager).get(
        f"{url}?scope=branch:{org.north.code}", HTTP_HX_REQUEST="true"
    )
    assert b"backtest-table" in page.content
