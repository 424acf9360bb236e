"""The projects API (``/api/v1/projects/``): the project pages' scope (other teams 404,
readers 403 on write), the pages' services and rules on every write, filters, paging,
token auth and a query count that does not grow with the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.scoping import local_today, scope_for
from accounts.services import api_token_create
from customers.models import Contact, Project, StageChange
from customers.projects import services
from customers.tests.factories import make_customer
from customers.tests.test_projects import PDF

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(user) -> APIClient:
    _row, text = api_token_create(user=user, name="crm", expires_in_days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


def make_project(owner, name="云网一体化项目", value="20000", days=60) -> Project:
    customer = make_customer(owner, segment="group", stage="relationship")
    return services.project_create(
        scope=scope_for(owner),
        by=owner,
        customer=customer,
        owner=owner,
        name=name,
        expected_value=Decimal(value),
        expected_signing=local_today() + dt.timedelta(days=days),
    )


@pytest.fixture
def project(org) -> Project:
    return make_project(org.rep)


def test_list_and_detail_follow_the_project_pages_scope(org, project):
    theirs = make_project(org.outsider, name="外部项目")
    rep = api(org.rep)
    listed = rep.get("/api/v1/projects/").json()
    assert [p["name"] for p in listed["results"]] == ["云网一体化项目"]
    assert listed["results"][0]["current_point"]["position"] == 1
    assert listed["results"][0]["has_overdue"] is False
    detail = rep.get(f"/api/v1/projects/{project.pk}/").json()
    assert len(detail["points"]) == 9
    assert detail["customer_name"] == project.customer.name
    assert api(org.supervisor).get(f"/api/v1/projects/{project.pk}/").status_code == 200
    assert api(org.manager).get(f"/api/v1/projects/{project.pk}/").status_code == 200
    # Another team, same branch or another branch: 404, as on the page.
    for other in (org.rep_b, org.supervisor_b, org.outsider, org.outsider_supervisor):
        assert api(other).get(f"/api/v1/projects/{project.pk}/").status_code == 404
        assert project.pk not in [
            p["id"] for p in api(other).get("/api/v1/projects/").json()["results"]
        ]
    assert rep.get(f"/api/v1/projects/{theirs.pk}/").status_code == 404


def test_another_teams_lead_cannot_write_and_nothing_changes(org, project):
    point = project.points.get(position=1)
    writes = [
        ("status/", {"status": "lost"}),
        ("points/1/", {"status": "in_progress"}),
        ("chain/", {"new_name": "王总", "role": "decision_maker"}),
        ("competitors/", {"name": "某运营商"}),
        ("support/", {"kind": "pricing", "addressed_to": "supervisor", "question": "底价？"}),
    ]
    for user in (org.supervisor_b, org.outsider_supervisor, org.rep_b):
        client = api(user)
        for path, body in writes:
            answer = client.post(f"/api/v1/projects/{project.pk}/{path}", body, format="json")
            assert answer.status_code == 404, (user, path)
    project.refresh_from_db()
    point.refresh_from_db()
    assert (project.status, point.status) == ("open", "not_started")
    assert not project.chain.exists()
    assert not project.competitors.exists()
    assert not project.support.exists()


def test_a_manager_reads_but_may_not_change_a_project(org, project):
    manager = api(org.manager)
    answer = manager.post(
        f"/api/v1/projects/{project.pk}/status/", {"status": "lost"}, format="json"
    )
    assert answer.status_code == 403
    create = manager.post(
        "/api/v1/projects/",
        {
            "customer": project.customer_id,
            "expected_value": "1",
            "expected_signing": "2027-01-01",
        },
        format="json",
    )
    assert create.status_code == 403
    project.refresh_from_db()
    assert project.status == "open"


def test_a_rep_opens_a_project_through_the_pages_service_with_a_token(org):
    customer = make_customer(org.rep, segment="group")
    mass = make_customer(org.rep, name="大众客户")
    client = token_client(org.rep)
    body = {"customer": customer.pk, "expected_value": "8000.50", "expected_signing": "2027-03-01"}
    created = client.post("/api/v1/projects/", body, format="json")
    assert created.status_code == 201, created.content
    project = Project.objects.get(pk=created.json()["id"])
    assert (project.owner, project.team, project.name) == (org.rep, org.team_a, customer.name)
    assert project.points.count() == 9
    assert created.json()["expected_value"] == "8000.50"
    # The service's rules: the owner must be a rep of the customer's team.
    wrong_owner = client.post("/api/v1/projects/", {**body, "owner": org.rep_b.pk}, format="json")
    assert wrong_owner.status_code == 400
    assert "owner" in wrong_owner.json()
    # Only group customers; another team's customer is simply not found.
    for pk in (mass.pk, make_customer(org.outsider, segment="group").pk):
        refused = client.post("/api/v1/projects/", {**body, "customer": pk}, format="json")
        assert refused.status_code == 400
        assert "customer" in refused.json()
    in_chinese = client.post(
        "/api/v1/projects/", {**body, "customer": mass.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert in_chinese.json() == {"customer": ["没有这个集团客户。"]}
    assert Project.objects.count() == 1


def test_point_updates_keep_the_order_rule_and_the_supervisors_override(org, project):
    rep = api(org.rep)
    early = rep.post(
        f"/api/v1/projects/{project.pk}/points/3/",
        {"status": "done"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert early.status_code == 400
    assert "status" in early.json()
    supervisor = api(org.supervisor)
    no_note = supervisor.post(
        f"/api/v1/projects/{project.pk}/points/3/", {"status": "done"}, format="json"
    )
    assert no_note.status_code == 400
    assert "override_note" in no_note.json()
    done = supervisor.post(
        f"/api/v1/projects/{project.pk}/points/3/",
        {"status": "done", "override_note": "客户已书面确认", "text": "提前确认"},
        format="json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    assert done.json()["overridden_by"] == org.supervisor.pk
    assert [u["text"] for u in done.json()["updates"]] == ["提前确认"]
    first = rep.post(
        f"/api/v1/projects/{project.pk}/points/1/",
        {"status": "in_progress", "due": "2026-01-01", "owner": org.rep.pk},
        format="json",
    )
    assert first.status_code == 200
    assert first.json()["due"] == "2026-01-01"
    assert rep.get(f"/api/v1/projects/{project.pk}/").json()["has_overdue"] is True
    assert rep.get("/api/v1/projects/?overdue=true").json()["count"] == 1
    missing = rep.post(
        f"/api/v1/projects/{project.pk}/points/99/", {"status": "done"}, format="json"
    )
    assert missing.status_code == 404


def test_winning_moves_the_customer_to_deal_through_the_customer_service(org, project):
    answer = api(org.rep).post(
        f"/api/v1/projects/{project.pk}/status/", {"status": "won"}, format="json"
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "won"
    assert answer.json()["closed_at"]
    project.customer.refresh_from_db()
    assert project.customer.stage == "deal"
    assert StageChange.objects.filter(customer=project.customer, to_stage="deal").count() == 1


def test_chain_competitors_documents_and_support_go_through_the_services(org, project):
    rep = api(org.rep)
    base = f"/api/v1/projects/{project.pk}"
    member = rep.post(
        f"{base}/chain/",
        {"new_name": "王总", "new_title": "CIO", "role": "decision_maker", "order": 1},
        format="json",
    )
    assert member.status_code == 201, member.content
    assert Contact.objects.filter(customer=project.customer, name="王总").exists()
    again = rep.post(
        f"{base}/chain/",
        {"contact": member.json()["contact"], "role": "decision_maker"},
        format="json",
    )
    assert again.status_code == 400  # already in the chain (the service's rule)
    other = make_customer(org.rep, name="别的客户")
    stranger = Contact.objects.create(customer=other, name="李四")
    foreign = rep.post(f"{base}/chain/", {"contact": stranger.pk, "role": "user"}, format="json")
    assert foreign.status_code == 400
    removed = rep.delete(f"{base}/chain/{member.json()['id']}/")
    assert removed.status_code == 204
    assert not project.chain.exists()

    competitor = rep.post(f"{base}/competitors/", {"name": "某运营商", "offer": "八折"})
    assert competitor.status_code == 201
    upload = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    document = rep.post(
        f"{base}/documents/",
        {"kind": "proposal", "title": "方案", "file": upload},
        format="multipart",
    )
    assert document.status_code == 201, document.content
    assert document.json()["number"] == 1
    fake = SimpleUploadedFile("x.pdf", b"not a pdf", content_type="application/pdf")
    refused = rep.post(f"{base}/documents/", {"kind": "proposal", "file": fake}, format="multipart")
    assert refused.status_code == 400

    asked = rep.post(
        f"{base}/support/",
        {"kind": "pricing", "addressed_to": "supervisor", "question": "底价？"},
        format="json",
    )
    assert asked.status_code == 201
    answer_url = f"{base}/support/{asked.json()['id']}/answer/"
    assert rep.post(answer_url, {"answer": "自己答"}, format="json").status_code == 403
    assert api(org.supervisor_b).post(answer_url, {"answer": "x"}, format="json").status_code == 404
    answered = api(org.supervisor).post(answer_url, {"answer": "可按 9 折报价"}, format="json")
    assert answered.status_code == 200
    assert (answered.json()["status"], answered.json()["answered_by"]) == (
        "answered",
        org.supervisor.pk,
    )
    detail = rep.get(base + "/").json()
    assert [c["name"] for c in detail["competitors"]] == ["某运营商"]
    assert detail["documents"][0]["versions"][0]["original_name"] == "方案.pdf"
    assert detail["support"][0]["answer"] == "可按 9 折报价"


def test_filters_paging_and_ordering(org):
    make_project(org.rep, name="甲", value="1000", days=30)
    make_project(org.rep, name="乙", value="50000", days=10)
    make_project(org.rep, name="丙", value="9000", days=20)
    rep = api(org.rep)
    assert [p["name"] for p in rep.get("/api/v1/projects/").json()["results"]] == [
        "乙",
        "丙",
        "甲",
    ]
    assert rep.get("/api/v1/projects/?min_value=9000").json()["count"] == 2
    assert rep.get("/api/v1/projects/?status=won").json()["count"] == 0
    paged = rep.get("/api/v1/projects/?page_size=2&ordering=-expected_value").json()
    assert paged["count"] == 3
    assert paged["next"]
    assert [p["name"] for p in paged["results"]] == ["乙", "丙"]
    assert rep.get("/api/v1/projects/?owner=notanid").status_code == 400


#: The project list's queries: session, user, the caller's scope, the count, one page of
#: annotated rows (customer, owner and team joined in).
QUERIES = 5


def test_list_query_count_does_not_grow_with_the_rows(org, django_assert_num_queries):
    make_project(org.rep, name="一")
    client = api(org.supervisor)
    for rows in (1, 6):
        while Project.objects.count() < rows:
            make_project(org.rep, name=f"项目{Project.objects.count()}")
        with django_assert_num_queries(QUERIES):
            answer = client.get("/api/v1/projects/")
        assert answer.json()["count"] == rows
