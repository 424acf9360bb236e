"""Bulk work of a supervisor (docs/domain, section 1): a leaver's customers go to a colleague
in one step with their history kept; selected customers are released or have their stage
corrected with a reason; other teams and reps cannot do any of it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.scoping import scope_for
from customers import bulk
from customers.models import Customer, Ownership, Stage, StageChange
from customers.tests.factories import make_customer
from customers.timeline import customer_timeline

pytestmark = pytest.mark.django_db


def test_a_leavers_customers_move_to_a_colleague_in_one_step_with_history(org):
    mine = [make_customer(org.rep, stage=Stage.TARGET) for _ in range(3)]
    other = make_customer(org.teammate)
    n = bulk.customers_handover(
        scope=scope_for(org.supervisor),
        leaver=org.rep,
        owner=org.teammate,
        by=org.supervisor,
        reason="张伟离职",
    )
    assert n == 3
    assert set(Customer.objects.filter(owner=org.teammate)) == {*mine, other}
    for customer in mine:
        rows = list(Ownership.objects.filter(customer=customer).order_by("start", "id"))
        assert [r.owner_id for r in rows] == [org.rep.pk, org.teammate.pk]
        assert rows[0].end is not None
        assert rows[1].reason == "张伟离职"
    assert org.teammate.notifications.count() == 1
    assert any("张伟离职" in str(vars(e)) for e in customer_timeline(mine[0]))


def test_handover_refuses_a_colleague_of_another_team_and_changes_nothing(org):
    customer = make_customer(org.rep)
    with pytest.raises(ValidationError):
        bulk.customers_handover(
            scope=scope_for(org.supervisor),
            leaver=org.rep,
            owner=org.rep_b,
            by=org.supervisor,
            reason="x",
        )
    customer.refresh_from_db()
    assert customer.owner == org.rep


def test_bulk_needs_a_reason_and_a_supervisor_of_the_team(org):
    customer = make_customer(org.rep)
    with pytest.raises(ValidationError):
        bulk.customers_release_many(
            scope=scope_for(org.supervisor), ids=[customer.pk], by=org.supervisor, reason=" "
        )
    with pytest.raises(PermissionDenied):
        bulk.customers_release_many(
            scope=scope_for(org.rep), ids=[customer.pk], by=org.rep, reason="x"
        )
    with pytest.raises(
        ValidationError
    ):  # not visible to the other team's supervisor: nothing chosen
        bulk.customers_release_many(
            scope=scope_for(org.supervisor_b), ids=[customer.pk], by=org.supervisor_b, reason="x"
        )
    customer.refresh_from_db()
    assert customer.owner == org.rep


def test_bulk_release_and_stage_correction_keep_the_reason(org):
    a, b = (
        make_customer(org.rep, stage=Stage.INTENT),
        make_customer(org.teammate, stage=Stage.INTENT),
    )
    scope = scope_for(org.supervisor)
    assert (
        bulk.customers_correct_stage(
            scope=scope,
            ids=[a.pk, b.pk],
            to_stage=Stage.TARGET,
            by=org.supervisor,
            reason="误记为意向",
        )
        == 2
    )
    change = StageChange.objects.filter(customer=a).latest("at")
    assert (change.to_stage, change.by) == (Stage.TARGET, org.supervisor)
    assert "误记为意向" in change.reason
    assert (
        bulk.customers_release_many(
            scope=scope, ids=[a.pk, b.pk], by=org.supervisor, reason="长期未跟进"
        )
        == 2
    )
    assert Customer.objects.filter(pk__in=[a.pk, b.pk], owner=None).count() == 2
    assert Ownership.objects.get(customer=a, end=None).reason == "长期未跟进"


def test_bulk_pages_answer_other_teams_with_404_and_reps_with_403(org, client_for):
    customer = make_customer(org.rep)
    client = client_for(org.supervisor_b)
    response = client.post(
        "/customers/bulk/handover/", {"leaver": org.rep.pk, "owner": org.rep_b.pk, "reason": "x"}
    )
    assert response.status_code == 404
    response = client.post(
        "/customers/bulk/", {"action": "release", "ids": [customer.pk], "reason": "x"}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == org.rep
    assert client_for(org.rep).get("/customers/bulk/").status_code == 403
    page = client_for(org.supervisor).get("/customers/bulk/", {"owner": org.rep.pk})
    assert customer.name in page.content.decode()


def test_bulk_stage_correction_keeps_the_stage_requirements(org, client_for):
    """A correction to deal enters intent, which needs a needs analysis: as on the
    customer's own page, a customer without one is refused, by name, and nothing changes
    for the others either (no intent or deal counted for them)."""
    ready = make_customer(org.rep, stage=Stage.LEAD)
    ready.needs = "专线扩容"
    ready.save()
    missing = make_customer(org.rep, stage=Stage.LEAD)
    before = StageChange.objects.count()
    with pytest.raises(ValidationError) as refused:
        bulk.customers_correct_stage(
            scope=scope_for(org.supervisor),
            ids=[ready.pk, missing.pk],
            to_stage=Stage.DEAL,
            by=org.supervisor,
            reason="补录",
        )
    assert missing.name in " ".join(refused.value.messages)
    assert ready.name not in " ".join(refused.value.messages)
    assert StageChange.objects.count() == before
    assert set(
        Customer.objects.filter(pk__in=[ready.pk, missing.pk]).values_list("stage", flat=True)
    ) == {Stage.LEAD}
    response = client_for(org.supervisor).post(
        "/customers/bulk/",
        {"action": "stage", "ids": [ready.pk], "to_stage": "", "reason": "补录"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "Choose a stage." in response.content.decode()
