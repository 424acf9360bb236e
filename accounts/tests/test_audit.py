"""The audit log: changes to customers, journals, targets, memberships and rights are
recorded with the actor and the old and new values, and only admins read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Membership
from customers.services import customer_create
from journals.models import Journal
from kpi.models import Target

pytestmark = pytest.mark.django_db


def _changes(obj) -> list[dict]:
    return [e.changes_dict for e in LogEntry.objects.get_for_object(obj).order_by("pk")]


def test_reassigning_a_customer_through_the_page_logs_the_owner_and_the_actor(client, org):
    customer = customer_create(by=org.rep, name="审计客户有限公司", owner=org.rep, stage="lead")
    client.force_login(org.supervisor)
    response = client.post(
        reverse("customers:customer_reassign", args=[customer.pk]),
        {"reassign-owner": org.teammate.pk, "reassign-reason": "调整"},
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(customer).order_by("-pk").first()
    assert entry.actor == org.supervisor
    assert entry.changes_dict["owner"] == [str(org.rep.pk), str(org.teammate.pk)]


def test_journal_submission_target_membership_and_rights_are_logged(org):
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=dt.date(2026, 11, 2))
    journal.takeaways = "draft text"
    journal.save()  # a draft edit: not logged beyond the creation
    assert len(_changes(journal)) == 1
    journal.status = Journal.Status.SUBMITTED
    journal.submitted_at = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
    journal.save()
    assert _changes(journal)[-1]["status"] == ["draft", "submitted"]

    target = Target.objects.create(
        month=dt.date(2026, 11, 1), metric="deals", value=Decimal(3), rep=org.rep
    )
    target.value = Decimal(5)
    target.save()
    assert _changes(target)[-1]["value"][1] == "5"

    membership = Membership.objects.get(user=org.rep)
    membership.end = dt.date(2026, 12, 31)
    membership.save()
    assert _changes(membership)[-1]["end"] == ["None", "2026-12-31"]

    org.rep.is_staff = True
    org.rep.save()
    assert _changes(org.rep)[-1]["is_staff"] == ["False", "True"]
    org.rep.user_permissions.add(Permission.objects.first())
    assert LogEntry.objects.get_for_object(org.rep).count() >= 2


def test_only_admins_read_the_audit_log(client, org):
    customer_create(by=org.rep, name="审计客户二有限公司", owner=org.rep, stage="lead")
    url = reverse("accounts:audit_log")
    for user in (org.rep, org.supervisor, org.manager):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(org.admin)
    page = client.get(url, {"model": "customer"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "审计客户二有限公司" in page.content.decode()
    assert client.get(url, {"object": "9" * 30, "actor": "x y"}).status_code == 200
