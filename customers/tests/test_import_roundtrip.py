"""Every customer export imports back as it is (created=0 updated=0 rejected=0), in both
languages, .xlsx and CSV; and the import's team choice for rows that name an owner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from customers.models import Contact, Customer, Segment, Stage
from customers.tests.factories import ContactFactory, make_customer
from customers.tests.test_import_support import media, run_import, xlsx_bytes  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def customers(org):
    """Customers with every exported field filled in the ways that broke the round trip:
    a name that starts like a formula, codes with leading zeros, an international phone
    (the CSV export quotes it), the group segment, dates, an owner and a team, the pool."""
    a = make_customer(
        org.rep,
        name="=深圳腾飞科技有限公司",
        stage=Stage.TARGET,
        short_name="腾飞",
        credit_code="91440300MA5F000007",
        external_code="000123",
        industry="C 制造业",
        size="100-499",
        province="广东",
        city="深圳",
        address="南山区科技园",
        website="https://example.com",
        segment=Segment.GROUP,
        source="展会",
        listed_on=dt.date(2010, 5, 6),
        founded_on=dt.date(1998, 1, 2),
        notes="第一行\n第二行",
        needs="专线",
        latest_news="新厂房",
    )
    ContactFactory(customer=a, name="王经理", phone="+442071234567", is_project_owner=True)
    b = make_customer(org.rep_b, name="北京华信有限公司", external_code="0042")
    ContactFactory(customer=b, name="李四", phone="010-12345678", is_project_owner=True)
    make_customer(None, name="公海客户有限公司", team=org.team_a)
    return [a, b]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("on_duplicate", ["update", "skip"])
def test_every_customer_export_imports_back_unchanged(
    org, client_for, customers, fmt, lang, on_duplicate
):
    client = client_for(org.admin)
    response = client.get(
        reverse("customers:customer_export"), {"format": fmt}, HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    before = list(Customer.objects.order_by("pk").values())
    contacts = Contact.objects.count()

    # The import reads the headers of either language whatever the active one.
    job = run_import(data, name=f"export.{fmt}", on_duplicate=on_duplicate)

    assert job.errors == []
    assert (job.total_rows, job.created_count, job.updated_count, job.rejected_count) == (
        3,
        0,
        0,
        0,
    )
    assert job.duplicate_count == 3
    assert list(Customer.objects.order_by("pk").values()) == before
    assert Contact.objects.count() == contacts


def test_an_owner_outside_the_team_chosen_for_the_import_is_refused_not_ignored(org):
    data = xlsx_bytes(
        [["客户名称", "负责人"], ["甲公司", "rep"], ["乙公司", "rep_b"], ["丙公司", ""]]
    )
    job = run_import(data, team=org.team_a)
    assert (job.created_count, job.rejected_count) == (2, 1)
    assert job.errors[0]["row"] == 3
    assert job.errors[0]["reason"] == (
        "rep_b is not a rep of 北一组, the team chosen for this import; give the row its "
        "team or choose no team"
    )
    a = Customer.objects.get(name="甲公司")
    c = Customer.objects.get(name="丙公司")
    assert (a.owner, a.team) == (org.rep, org.team_a)
    assert (c.owner, c.team) == (None, org.team_a)


def test_without_a_chosen_team_an_owner_keeps_their_own_team(org):
    job = run_import(xlsx_bytes([["客户名称", "负责人"], ["乙公司", "rep_b"]]))
    assert job.created_count == 1
    assert Customer.objects.get().team == org.team_b
