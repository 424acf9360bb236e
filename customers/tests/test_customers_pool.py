"""Reassignment by a supervisor, the public pool (公海): release and claim."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, OrgSettings
from accounts.scoping import scope_for
from customers.models import Customer, Ownership
from customers.selectors import pool_release_candidates
from customers.services import customer_claim, customer_release
from customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def age(customer, days, *, activity=None):
    """Pretend the customer was created ``days`` ago (and owned since then)."""
    past = timezone.now() - dt.timedelta(days=days)
    Customer.objects.filter(pk=customer.pk).update(created_at=past, last_activity_at=activity)
    Ownership.objects.filter(customer=customer).update(start=past)
    customer.refresh_from_db()
    return customer


# reassignment ---------------------------------------------------------------


def test_supervisor_reassigns_and_the_ownership_row_is_closed(org, client):
    customer = make_customer(org.rep, name="转交客户")
    client.force_login(org.supervisor)
    response = client.post(
        reverse("customers:customer_reassign", args=[customer.pk]),
        {"reassign-owner": org.teammate.pk, "reassign-reason": "张伟调岗"},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner == org.teammate
    rows = list(Ownership.objects.filter(customer=customer).order_by("start", "id"))
    assert len(rows) == 2
    assert rows[0].owner == org.rep
    assert rows[0].end is not None
    assert rows[1].owner == org.teammate
    assert rows[1].end is None
    assert rows[1].reason == "张伟调岗"
    assert rows[1].changed_by == org.supervisor
    assert rows[0].end == rows[1].start
    assert Notification.objects.filter(user=org.teammate).count() == 1
    # the rep lost it: 404 now; the teammate sees it
    client.force_login(org.rep)
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 404


def test_reassignment_needs_a_rep_of_the_team_and_a_reason(org, client):
    customer = make_customer(org.rep)
    client.force_login(org.supervisor)
    url = reverse("customers:customer_reassign", args=[customer.pk])
    other_team = client.post(url, {"reassign-owner": org.rep_b.pk, "reassign-reason": "x"})
    assert other_team.status_code == 200
    assert "owner" in other_team.context["reassign_form"].errors
    no_reason = client.post(url, {"reassign-owner": org.teammate.pk, "reassign-reason": ""})
    assert "reason" in no_reason.context["reassign_form"].errors
    customer.refresh_from_db()
    assert customer.owner == org.rep


@pytest.mark.parametrize("who", ["rep", "manager", "supervisor_b"])
def test_only_the_teams_supervisor_reassigns(org, client, who):
    customer = make_customer(org.rep)
    client.force_login(getattr(org, who))
    response = client.post(
        reverse("customers:customer_reassign", args=[customer.pk]),
        {"reassign-owner": org.teammate.pk, "reassign-reason": "x"},
    )
    assert response.status_code == (404 if who == "supervisor_b" else 403)
    customer.refresh_from_db()
    assert customer.owner == org.rep


# release --------------------------------------------------------------------


def test_release_candidates_follow_the_pool_release_days(org):
    settings = OrgSettings.load()
    settings.pool_release_days = 30
    settings.save()
    now = timezone.now()
    never = age(make_customer(org.rep, name="从未跟进"), 40)
    old_visit = age(
        make_customer(org.rep, name="很久前拜访"), 90, activity=now - dt.timedelta(days=31)
    )
    recent = age(make_customer(org.rep, name="最近拜访"), 90, activity=now - dt.timedelta(days=3))
    new = make_customer(org.rep, name="新客户")
    age(make_customer(org.rep_b, name="别组客户"), 90)
    got = set(pool_release_candidates(scope_for(org.supervisor)).values_list("name", flat=True))
    assert got == {never.name, old_visit.name}
    assert recent.name not in got
    assert new.name not in got
    assert pool_release_candidates(scope_for(org.rep)).count() == 0  # reps release nothing
    assert pool_release_candidates(scope_for(org.admin)).count() == 3


def test_a_customer_just_taken_over_is_not_released(org):
    customer = age(make_customer(org.rep), 90)
    Customer.objects.filter(pk=customer.pk).update(owner=org.teammate)
    Ownership.objects.filter(customer=customer).update(end=timezone.now() - dt.timedelta(days=1))
    Ownership.objects.create(
        customer=customer,
        owner=org.teammate,
        team=org.team_a,
        start=timezone.now() - dt.timedelta(days=1),
    )
    assert not pool_release_candidates(scope_for(org.supervisor)).filter(pk=customer.pk).exists()


def test_supervisor_releases_one_customer(org, client):
    customer = age(make_customer(org.rep, name="放入公海"), 60)
    client.force_login(org.supervisor)
    response = client.post(reverse("customers:customer_release", args=[customer.pk]))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.owner is None
    assert customer.team == org.team_a
    assert customer.pool_since is not None
    open_row = Ownership.objects.get(customer=customer, end__isnull=True)
    assert open_row.owner is None
    assert Notification.objects.filter(user=org.rep).exists()  # the former owner is told


def test_a_customer_with_recent_follow_up_is_not_released(org, client):
    customer = make_customer(org.rep)
    client.force_login(org.supervisor)
    client.post(reverse("customers:customer_release", args=[customer.pk]))
    customer.refresh_from_db()
    assert customer.owner == org.rep
    with pytest.raises(ValidationError):
        customer_release(customer=customer, by=org.supervisor, scope=scope_for(org.supervisor))


def test_reps_and_managers_cannot_release(org, client):
    customer = age(make_customer(org.rep), 60)
    for user in (org.rep, org.manager):
        client.force_login(user)
        assert (
            client.post(reverse("customers:customer_release", args=[customer.pk])).status_code
            == 403
        )
        assert client.post(reverse("customers:pool_release"), {"all": "1"}).status_code == 403
    customer.refresh_from_db()
    assert customer.owner == org.rep


def test_bulk_release_of_stalled_customers(org, client):
    stale = [age(make_customer(org.rep, name=f"停滞{i}"), 45) for i in range(3)]
    fresh = make_customer(org.rep, name="活跃")
    other_team = age(make_customer(org.rep_b, name="别组"), 45)
    client.force_login(org.supervisor)
    page = client.get(reverse("customers:pool"))
    assert page.context["candidate_count"] == 3
    chosen = client.post(
        reverse("customers:pool_release"), {"ids": [stale[0].pk, other_team.pk, fresh.pk]}
    )
    assert chosen.status_code == 302
    assert Customer.objects.filter(owner__isnull=True).count() == 1
    client.post(reverse("customers:pool_release"), {"all": "1"})
    assert set(Customer.objects.filter(owner__isnull=True).values_list("pk", flat=True)) == {
        s.pk for s in stale
    }
    assert Customer.objects.get(pk=fresh.pk).owner == org.rep
    assert Customer.objects.get(pk=other_team.pk).owner == org.rep_b


# claim ----------------------------------------------------------------------


def test_pool_is_visible_to_the_teams_reps_and_a_rep_claims(org, client):
    pool_a = make_customer(None, team=org.team_a, name="公海客户甲")
    pool_b = make_customer(None, team=org.team_b, name="公海客户乙")
    client.force_login(org.teammate)
    page = client.get(reverse("customers:pool")).content.decode()
    assert pool_a.name in page
    assert pool_b.name not in page
    response = client.post(reverse("customers:customer_claim", args=[pool_a.pk]))
    assert response.status_code == 302
    pool_a.refresh_from_db()
    assert pool_a.owner == org.teammate
    assert pool_a.pool_since is None
    latest = Ownership.objects.get(customer=pool_a, end__isnull=True)
    assert latest.owner == org.teammate
    assert latest.changed_by == org.teammate
    # now it is the teammate's: the rep no longer sees it
    client.force_login(org.rep)
    assert client.get(reverse("customers:customer_detail", args=[pool_a.pk])).status_code == 404
    assert client.post(reverse("customers:customer_claim", args=[pool_b.pk])).status_code == 404


def test_second_claim_loses(org, client):
    customer = make_customer(None, team=org.team_a)
    customer_claim(customer=customer, user=org.rep, scope=scope_for(org.rep))
    stale_copy = Customer.objects.get(pk=customer.pk)
    stale_copy.owner = None  # what the teammate's page showed
    with pytest.raises(ValidationError):
        customer_claim(customer=stale_copy, user=org.teammate, scope=scope_for(org.teammate))
    assert Customer.objects.get(pk=customer.pk).owner == org.rep


def test_supervisors_and_managers_do_not_claim(org):
    customer = make_customer(None, team=org.team_a)
    with pytest.raises(PermissionDenied):
        customer_claim(customer=customer, user=org.supervisor, scope=scope_for(org.supervisor))


def test_rep_can_read_but_not_edit_a_pool_customer(org, client):
    customer = make_customer(None, team=org.team_a)
    client.force_login(org.rep)
    page = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert page.status_code == 200
    assert page.context["can_claim"]
    assert not page.context["can_edit"]
    assert client.get(reverse("customers:customer_update", args=[customer.pk])).status_code == 403


def test_pool_search_and_outsider(org, client):
    make_customer(None, team=org.team_a, name="深圳腾飞科技有限公司")
    make_customer(None, team=org.team_a, name="北京远航物流有限公司")
    client.force_login(org.rep)
    found = client.get(reverse("customers:pool"), {"q": "sztf"})
    assert [r["row"].customer.name for r in found.context["rows"]] == ["深圳腾飞科技有限公司"]
    client.force_login(org.outsider)
    assert client.get(reverse("customers:pool")).context["rows"] == []
