"""Who sees and changes which customer (docs/domain section 1), persona by persona."""

import pytest
from django.urls import reverse

from accounts.scoping import scope_for
from customers.models import Customer, Stage
from customers.selectors import customer_queryset, customer_search
from customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(org):
    """rep's customer, teammate's customer, rep_b's customer, a team_a pool customer,
    and the outsider's customer."""
    return {
        "rep": make_customer(org.rep, name="深圳腾飞科技有限公司"),
        "teammate": make_customer(org.teammate, name="广州星河电子有限公司"),
        "rep_b": make_customer(org.rep_b, name="北京远航物流有限公司"),
        "pool_a": make_customer(None, team=org.team_a, name="上海蓝海贸易有限公司"),
        "outsider": make_customer(org.outsider, name="南方海运有限公司"),
    }


def visible_names(user):
    return set(customer_queryset(scope_for(user)).values_list("name", flat=True))


def test_rep_sees_own_customers_and_the_team_pool_only(org, customers):
    assert visible_names(org.rep) == {"深圳腾飞科技有限公司", "上海蓝海贸易有限公司"}


def test_teammate_cannot_see_the_reps_customer(org, customers, client):
    client.force_login(org.teammate)
    c = customers["rep"]
    assert client.get(reverse("customers:customer_detail", args=[c.pk])).status_code == 404
    listing = client.get(reverse("customers:customer_list")).content.decode()
    assert c.name not in listing
    assert customers["teammate"].name in listing
    export = client.get(reverse("customers:customer_export") + "?format=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert c.name not in body
    assert customers["teammate"].name in body


def test_supervisor_sees_the_teams_customers(org, customers):
    assert visible_names(org.supervisor) == {
        "深圳腾飞科技有限公司",
        "广州星河电子有限公司",
        "上海蓝海贸易有限公司",
    }


def test_manager_sees_the_branch_but_may_not_write(org, customers, client):
    assert visible_names(org.manager) == {
        "深圳腾飞科技有限公司",
        "广州星河电子有限公司",
        "上海蓝海贸易有限公司",
        "北京远航物流有限公司",
    }
    client.force_login(org.manager)
    c = customers["rep_b"]
    assert client.get(reverse("customers:customer_detail", args=[c.pk])).status_code == 200
    assert client.get(reverse("customers:customer_update", args=[c.pk])).status_code == 403
    stage = client.post(reverse("customers:customer_stage", args=[c.pk]), {"to_stage": "target"})
    assert stage.status_code == 403
    contact = client.post(
        reverse("customers:contact_create", args=[c.pk]), {"contact-name": "王五"}
    )
    assert contact.status_code == 403
    assert client.get(reverse("customers:customer_create")).status_code == 403
    c.refresh_from_db()
    assert c.stage == Stage.LEAD
    assert not c.contacts.exists()


def test_admin_sees_everything(org, customers):
    assert visible_names(org.admin) == {c.name for c in customers.values()}


WRITE_URLS = [
    ("customers:customer_update", {}),
    ("customers:customer_stage", {"to_stage": "target"}),
    ("customers:customer_reassign", {"reassign-reason": "x"}),
    ("customers:customer_claim", {}),
    ("customers:customer_release", {}),
    ("customers:contact_create", {"contact-name": "x"}),
    ("customers:product_create", {"product-product": "x"}),
    ("customers:note_create", {"note-kind": "note", "note-text": "x"}),
    ("customers:contract_create", {"contract-products": "x"}),
    ("customers:evaluation_create", {"evaluation-score": "3"}),
]


@pytest.mark.parametrize("key", ["rep", "pool_a"])
def test_outsider_gets_404_on_every_customer_url(org, customers, client, key):
    client.force_login(org.outsider)
    c = customers[key]
    assert client.get(reverse("customers:customer_detail", args=[c.pk])).status_code == 404
    assert client.get(reverse("customers:customer_update", args=[c.pk])).status_code == 404
    for name, data in WRITE_URLS:
        response = client.post(reverse(name, args=[c.pk]), data)
        assert response.status_code == 404, name
    assert Customer.objects.get(pk=c.pk).owner_id == c.owner_id


def test_outsider_sees_none_of_it_in_lists_search_and_exports(org, customers, client):
    client.force_login(org.outsider)
    listing = client.get(reverse("customers:customer_list")).content.decode()
    pool = client.get(reverse("customers:pool")).content.decode()
    xlsx = client.get(reverse("customers:customer_export") + "?format=xlsx").content
    found = client.get(reverse("customers:customer_search") + "?q=有限公司").json()
    for key in ("rep", "teammate", "rep_b", "pool_a"):
        name = customers[key].name
        assert name not in listing
        assert name not in pool
        assert name.encode() not in xlsx
        assert name not in {r["name"] for r in found["results"]}
    assert customers["outsider"].name in listing
    assert [r["name"] for r in found["results"]] == ["南方海运有限公司"]


def test_anonymous_users_are_sent_to_login(customers, client):
    response = client.get(reverse("customers:customer_detail", args=[customers["rep"].pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_customer_search_for_pickers(org, customers):
    scope = scope_for(org.supervisor)
    assert [c.name for c in customer_search(scope=scope, q="sztf")] == ["深圳腾飞科技有限公司"]
    own = customer_search(scope=scope_for(org.rep), q="有限公司", own_only=True)
    assert [c.name for c in own] == ["深圳腾飞科技有限公司"]
    assert customer_search(scope=scope, q="  ") == []
    assert len(customer_search(scope=scope, q="有限公司", limit=2)) == 2
