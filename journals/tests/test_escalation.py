"""Follow-up escalation (OrgSettings days): an overdue next step alerts the rep, then the
supervisor, then the customer goes to the public pool; each step once, on the timeline."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Notification, OrgSettings
from customers.models import CustomerNote, Ownership, Stage
from journals import services
from journals.tests.factories import make_customer, visit

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 11, 2)


def overdue(org):
    customer = make_customer(org.rep, stage=Stage.TARGET)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DUE - dt.timedelta(days=3))
    visit(journal, customer, next_step="送报价", next_step_date=DUE)
    return customer


def test_overdue_follow_up_alerts_the_rep_then_the_supervisor_then_releases(org):
    OrgSettings.objects.update_or_create(
        pk=1,
        defaults={
            "follow_up_rep_days": 1,
            "follow_up_supervisor_days": 3,
            "follow_up_pool_days": 7,
        },
    )
    customer = overdue(org)
    assert services.follow_ups_escalate(today=DUE) == {"rep": 0, "supervisor": 0, "pool": 0}
    assert services.follow_ups_escalate(today=DUE + dt.timedelta(days=1))["rep"] == 1
    assert services.follow_ups_escalate(today=DUE + dt.timedelta(days=1))["rep"] == 0  # once a day
    assert services.follow_ups_escalate(today=DUE + dt.timedelta(days=2))["rep"] == 1  # daily
    assert services.follow_ups_escalate(today=DUE + dt.timedelta(days=3))["supervisor"] == 1
    assert (
        Notification.objects.filter(user=org.supervisor, key__startswith="follow-up").count() == 1
    )
    assert services.follow_ups_escalate(today=DUE + dt.timedelta(days=7))["pool"] == 1
    customer.refresh_from_db()
    assert customer.owner is None
    assert " 7 " in Ownership.objects.get(customer=customer, end=None).reason  # days overdue
    assert CustomerNote.objects.filter(customer=customer).count() == 2
    assert services.follow_ups_escalate(today=DUE + dt.timedelta(days=8)) == {
        "rep": 0,
        "supervisor": 0,
        "pool": 0,
    }


def test_a_step_set_to_zero_is_off(org):
    OrgSettings.objects.update_or_create(
        pk=1,
        defaults={
            "follow_up_rep_days": 0,
            "follow_up_supervisor_days": 0,
            "follow_up_pool_days": 0,
        },
    )
    overdue(org)
    assert services.follow_ups_escalate(today=DUE + dt.timedelta(days=30)) == {
        "rep": 0,
        "supervisor": 0,
        "pool": 0,
    }
