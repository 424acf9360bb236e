"""The customers API: scope (other teams 404), the page's rules on create, optimistic
concurrency on updates, stage changes with history, contacts, filters and ordering."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from customers.models import Contact, Customer, Stage, StageChange
from customers.tests.factories import RevenueFactory, make_customer

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_reads_follow_the_scope_and_other_teams_get_404(org):
    mine = make_customer(org.rep, name="甲公司")
    theirs = make_customer(org.outsider, name="乙公司")
    rep = api(org.rep)
    names = [c["name"] for c in rep.get("/api/v1/customers/").json()["results"]]
    assert names == ["甲公司"]
    assert rep.get(f"/api/v1/customers/{theirs.pk}/").status_code == 404
    assert rep.get(f"/api/v1/customers/{theirs.pk}/contacts/").status_code == 404
    assert (
        rep.post(f"/api/v1/customers/{theirs.pk}/stage/", {"to_stage": "target"}).status_code == 404
    )
    supervisor = api(org.supervisor)
    assert supervisor.get(f"/api/v1/customers/{mine.pk}/").status_code == 200
    assert supervisor.get(f"/api/v1/customers/{theirs.pk}/").status_code == 404
    manager = api(org.manager)
    assert manager.get(f"/api/v1/customers/{mine.pk}/").status_code == 200


def test_a_rep_creates_their_own_customer_and_duplicates_are_refused_by_field(org):
    rep = api(org.rep)
    created = rep.post(
        "/api/v1/customers/",
        {"name": "深圳腾飞科技有限公司", "owner": org.teammate.pk, "industry": "软件"},
        format="json",
    )
    assert created.status_code == 201, created.content
    customer = Customer.objects.get(pk=created.json()["id"])
    assert customer.owner == org.rep  # a rep's customer is their own, whatever they send
    assert customer.team == org.team_a
    assert created["ETag"]
    again = rep.post(
        "/api/v1/customers/",
        {"name": "深圳腾飞科技 有限公司"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 400
    assert "already exists" in " ".join(again.json()["name"])


def test_managers_only_read_customers(org):
    refused = api(org.manager).post("/api/v1/customers/", {"name": "丙公司"}, format="json")
    assert refused.status_code == 403


def test_a_supervisor_may_not_give_a_customer_to_another_teams_rep(org):
    response = api(org.supervisor).post(
        "/api/v1/customers/", {"name": "丁公司", "owner": org.outsider.pk}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()
    assert not Customer.objects.filter(name="丁公司").exists()


def test_two_writers_cannot_silently_overwrite_each_other(org):
    customer = make_customer(org.rep, name="戊公司")
    rep, supervisor = api(org.rep), api(org.supervisor)
    url = f"/api/v1/customers/{customer.pk}/"
    etag_rep = rep.get(url)["ETag"]
    etag_sup = supervisor.get(url)["ETag"]
    assert etag_rep == etag_sup
    assert rep.patch(url, {"city": "深圳"}, format="json").status_code == 428
    first = rep.patch(url, {"city": "深圳"}, format="json", HTTP_IF_MATCH=etag_rep)
    assert first.status_code == 200, first.content
    second = supervisor.patch(url, {"city": "广州"}, format="json", HTTP_IF_MATCH=etag_sup)
    assert second.status_code == 412
    assert Customer.objects.get(pk=customer.pk).city == "深圳"
    fresh = supervisor.get(url)["ETag"]
    assert (
        supervisor.patch(url, {"city": "广州"}, format="json", HTTP_IF_MATCH=fresh).status_code
        == 200
    )


def test_teammates_cannot_edit_each_others_customers(org):
    customer = make_customer(org.rep)
    teammate = api(org.teammate)
    url = f"/api/v1/customers/{customer.pk}/"
    # The teammate does not even see it.
    assert teammate.patch(url, {"city": "x"}, format="json", HTTP_IF_MATCH="*").status_code == 404


def test_stage_change_goes_through_the_service_with_its_required_fields(org):
    from customers.models import StageSetting

    StageSetting.objects.update_or_create(
        stage=Stage.INTENT, defaults={"required_fields": ["needs"]}
    )
    customer = make_customer(org.rep, stage=Stage.TARGET)
    rep = api(org.rep)
    url = f"/api/v1/customers/{customer.pk}/stage/"
    refused = rep.post(url, {"to_stage": "intent"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "before moving" in str(refused.json())
    moved = rep.post(
        url,
        {"to_stage": "intent", "reason": "asked for a quote", "fields": {"needs": "两地专线"}},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "intent"
    change = StageChange.objects.filter(customer=customer).latest("at")
    assert (change.from_stage, change.to_stage, change.by) == ("target", "intent", org.rep)
    history = rep.get(f"/api/v1/customers/{customer.pk}/stage-changes/").json()
    assert history[0]["to_stage"] == "intent"
    stale = rep.post(url, {"to_stage": "lost"}, format="json", HTTP_IF_MATCH='"stale"')
    assert stale.status_code == 412


def test_contacts_and_revenue_of_a_customer(org):
    customer = make_customer(org.rep)
    RevenueFactory(customer=customer)
    rep = api(org.rep)
    url = f"/api/v1/customers/{customer.pk}/contacts/"
    added = rep.post(url, {"name": "王经理", "phone": "13800000001", "is_project_owner": True})
    assert added.status_code == 201, added.content
    assert Contact.objects.get(customer=customer).is_project_owner
    assert [c["name"] for c in rep.get(url).json()] == ["王经理"]
    assert len(rep.get(f"/api/v1/customers/{customer.pk}/revenue/").json()) == 1
    assert api(org.manager).post(url, {"name": "x"}).status_code == 403


def test_filters_search_ordering_and_pagination(org):
    make_customer(org.rep, name="阿尔法有限公司", stage=Stage.TARGET)
    make_customer(org.rep, name="贝塔有限公司", stage=Stage.LEAD)
    make_customer(org.rep, name="伽马有限公司", stage=Stage.TARGET)
    rep = api(org.rep)
    targets = rep.get("/api/v1/customers/", {"stage": "target", "ordering": "-name"}).json()
    ascending = rep.get("/api/v1/customers/", {"stage": "target", "ordering": "name"}).json()
    names = [c["name"] for c in targets["results"]]
    assert set(names) == {"阿尔法有限公司", "伽马有限公司"}
    assert names == [c["name"] for c in ascending["results"]][::-1]
    assert targets["count"] == 2
    found = rep.get("/api/v1/customers/", {"q": "贝塔"}).json()
    assert [c["name"] for c in found["results"]] == ["贝塔有限公司"]
    page = rep.get("/api/v1/customers/", {"page_size": 1, "page": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 1
    assert page["previous"]
    bad = rep.get("/api/v1/customers/", {"stage": "nonsense"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "not a unified social credit code: BADCODE has 7 characters; a code has 18"),
        ("zh-hans", "不是统一社会信用代码：BADCODE 有 7 个字符，应为 18 个"),
    ],
)
def test_the_api_refuses_a_bad_credit_code_like_the_import(org, lang, said):
    rep = api(org.rep)
    refused = rep.post(
        "/api/v1/customers/",
        {"name": "甲公司", "credit_code": "BADCODE"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert refused.status_code == 400
    assert refused.json()["credit_code"] == [said]
    assert not Customer.objects.exists()
    ok = rep.post(
        "/api/v1/customers/", {"name": "甲公司", "credit_code": "91440300MA5ABCDE1H"}, format="json"
    )
    assert ok.status_code == 201, ok.content


def test_a_write_that_changes_a_read_only_field_is_refused_and_says_where_stage_goes(org):
    """PATCH {"stage": "deal"} was a 200 that ignored the stage: now a 400 naming the
    stage-change endpoint; a PUT or PATCH that sends back the value it read passes."""
    customer = make_customer(org.rep, name="己公司")
    rep = api(org.rep)
    url = f"/api/v1/customers/{customer.pk}/"
    read = rep.get(url)
    refused = rep.patch(
        url,
        {"stage": "deal", "city": "深圳"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    message = " ".join(refused.json()["stage"])
    assert f"/api/v1/customers/{customer.pk}/stage/" in message
    assert "stage-change endpoint" in message
    customer.refresh_from_db()
    assert (customer.stage, customer.city) == (Stage.LEAD, "")
    other = rep.patch(
        url, {"created_at": "2020-01-01T00:00:00Z"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert other.status_code == 400
    assert "created_at" in other.json()
    same = rep.patch(
        url, {**read.json(), "city": "深圳"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert same.status_code == 200, same.content
    customer.refresh_from_db()
    assert customer.city == "深圳"
