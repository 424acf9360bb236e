"""Visits by someone who does not own the customer: a supervisor's accompanied visit
(陪同拜访) and a colleague covering. They can be recorded from the journal, count for the
visitor's activity, and show on the customer's timeline and in the owner's journal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.models import Stage
from journals import services
from journals.models import Visit
from journals.tests.factories import local_dt, make_customer
from kpi import figures
from kpi.calculations import iso_week_period

DAY = dt.date(2026, 3, 4)  # a Wednesday of 2026-W10
WEEK = iso_week_period(2026, 10)
HTMX = {"HTTP_HX_REQUEST": "true"}


def _record(visitor, customer, relation: str = "own") -> Visit:
    journal = services.journal_get_or_create_today(rep=visitor, day=DAY)
    return services.visit_record(
        journal=journal,
        by=visitor,
        customer=customer,
        purpose="explanation",
        occurred_at=local_dt(DAY, 10),
        learned="需求确认",
        outcome=Visit.Outcome.INFO,
        relation=relation,
    )


def test_a_supervisors_accompanied_visit_counts_for_the_supervisor(org) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET, at=local_dt(dt.date(2026, 1, 5)))
    visit = _record(org.supervisor, customer, "accompanied")
    assert (visit.rep_id, visit.relation) == (org.supervisor.pk, "accompanied")
    # The visitor's activity: 1 visit for the supervisor, 0 for the owner, 1 for the team.
    sup = figures.live_metrics(scope_kind="rep", scope_id=org.supervisor.pk, period=WEEK)
    rep = figures.live_metrics(scope_kind="rep", scope_id=org.rep.pk, period=WEEK)
    team = figures.live_metrics(scope_kind="team", scope_id=org.team_a.pk, period=WEEK)
    assert sup["visits"].value == 1
    assert rep["visits"].value == 0
    assert team["visits"].value == 1


def test_a_colleague_covering_needs_the_relation_and_counts_for_the_colleague(org) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET, at=local_dt(dt.date(2026, 1, 5)))
    with pytest.raises(ValidationError) as err:
        _record(org.teammate, customer)
    assert "customer" in err.value.error_dict
    visit = _record(org.teammate, customer, "covering")
    assert (visit.rep_id, visit.team_id, visit.relation) == (
        org.teammate.pk,
        org.team_a.pk,
        "covering",
    )
    mate = figures.live_metrics(scope_kind="rep", scope_id=org.teammate.pk, period=WEEK)
    assert mate["visits"].value == 1
    assert mate["target_customer_visits"].value == 1


def test_someone_outside_the_team_cannot_record_a_visit_to_the_customer(org) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET, at=local_dt(dt.date(2026, 1, 5)))
    for outsider in (org.outsider, org.rep_b):
        with pytest.raises(ValidationError):
            _record(outsider, customer, "covering")
    assert not Visit.objects.exists()


def test_own_customer_is_always_recorded_as_own(org) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET, at=local_dt(dt.date(2026, 1, 5)))
    assert _record(org.rep, customer, "covering").relation == "own"


def test_the_owner_sees_it_in_the_journal_and_on_the_timeline(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET, at=local_dt(dt.date(2026, 1, 5)))
    _record(org.teammate, customer, "covering")
    own = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    client = client_for(org.rep)
    # The owner's draft opens in the editor (the detail page redirects there).
    page = client.get(
        reverse("journals:journal_detail", args=[own.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        follow=True,
    ).content.decode()
    assert 'data-testid="visits-by-others"' in page
    assert customer.name in page
    assert "代为拜访" in page
    timeline = client.get(
        reverse("customers:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "代为拜访" in timeline


def test_recording_a_covering_visit_from_the_journal_page(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET, at=local_dt(dt.date(2026, 1, 5)))
    journal = services.journal_get_or_create_today(rep=org.teammate, day=DAY)
    client = client_for(org.teammate)
    # The picker offers the team's customers when the visit is not for an own customer.
    found = client.get(
        reverse("journals:customer_search"), {"q": customer.name[:4], "relation": "covering"}
    ).content.decode()
    assert f'data-pick="{customer.pk}"' in found
    assert (
        'data-pick="'
        not in client.get(
            reverse("journals:customer_search"), {"q": customer.name[:4]}
        ).content.decode()
    )
    url = reverse("journals:visit_add", args=[journal.pk])
    post = {"customer": customer.pk, "purpose": "explanation", "time": "10:00", "outcome": "info"}
    refused = client.post(url, post, **HTMX)
    assert refused.status_code == 200
    assert not Visit.objects.exists()
    done = client.post(url, {**post, "relation": "covering"}, **HTMX)
    assert done.status_code == 200
    visit = Visit.objects.get()
    assert (visit.rep_id, visit.customer_id, visit.relation) == (
        org.teammate.pk,
        customer.pk,
        "covering",
    )
