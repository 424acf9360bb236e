"""One phone rule for imports, the contact form and the API (domain.phones; docs/domain,
section 5, Imports): phones are stored in one form and duplicates are matched in it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from customers.models import Contact, Customer
from customers.tests.factories import make_customer
from customers.tests.test_import_support import (
    english,  # noqa: F401 - fixture
    media,  # noqa: F401 - fixture
    run_import,
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english")]

HEAD = ["客户名称", "联系人", "联系电话", "客户经理"]


def test_an_imported_phone_is_stored_normalised_and_a_later_file_matches_it(org):
    first = run_import(
        xlsx_bytes(
            [
                HEAD,
                ["甲公司", "王五", "138-0013-8001", "rep"],
                ["乙公司", "赵六", "+86 10 1234 5678", "rep"],
            ]
        ),
        team=org.team_a,
    )
    assert first.created_count == 2
    assert set(Contact.objects.values_list("phone", flat=True)) == {"13800138001", "010-12345678"}
    again = run_import(
        xlsx_bytes(
            [
                HEAD,
                ["甲公司（新）", "王五", "13800138001", "rep"],
                ["乙公司（新）", "赵六", "01012345678", "rep"],
            ]
        ),
        team=org.team_a,
    )
    assert (again.created_count, again.duplicate_count) == (0, 2)
    assert Customer.objects.count() == 2


def test_an_imported_phone_with_a_leading_minus_is_refused_with_the_reason(org):
    job = run_import(xlsx_bytes([HEAD, ["甲公司", "王五", "-13500135002", "rep"]]), team=org.team_a)
    assert job.rejected_count == 1
    assert job.errors[0]["field"] == "contact_phone"
    assert "minus" in job.errors[0]["message"]
    assert not Customer.objects.exists()


def test_the_contact_form_stores_the_same_form_and_refuses_a_minus(org, client_for):
    customer = make_customer(org.rep)
    rep = client_for(org.rep)
    url = reverse("customers:contact_create", args=[customer.pk])
    rep.post(
        url,
        {
            "contact-name": "王五",
            "contact-phone": "138-0013-8001",
            "contact-decision_role": "other",
        },
    )
    assert Contact.objects.get(customer=customer).phone == "13800138001"
    page = rep.post(
        url,
        {"contact-name": "赵六", "contact-phone": "-13500135002", "contact-decision_role": "other"},
    )
    assert "minus" in page.content.decode()
    assert Contact.objects.filter(customer=customer).count() == 1


def test_the_api_stores_the_same_form_and_refuses_a_minus(org):
    customer = make_customer(org.rep)
    api = APIClient()
    api.force_authenticate(org.rep)
    url = f"/api/v1/customers/{customer.pk}/contacts/"
    added = api.post(
        url, {"name": "王五", "phone": "+86 138 0013 8001", "phone2": "0755 8888 8888"}
    )
    assert added.status_code == 201, added.content
    assert (added.json()["phone"], added.json()["phone2"]) == ("13800138001", "0755-88888888")
    refused = api.post(url, {"name": "赵六", "phone": "-13500135002"})
    assert refused.status_code == 400
    assert "phone" in refused.content.decode()


def test_the_migration_brings_stored_contact_phones_to_the_one_form(org):
    from importlib import import_module

    from django.apps import apps

    customer = make_customer(org.rep)
    typed = ["138-0013-8001", "+86 10 1234 5678", "not a phone", ""]
    contacts = [
        Contact.objects.create(customer=customer, name=str(i), phone=p) for i, p in enumerate(typed)
    ]
    import_module("customers.migrations.0012_contact_phones_normalised").normalise(apps, None)
    stored = [Contact.objects.get(pk=c.pk).phone for c in contacts]
    assert stored == ["13800138001", "010-12345678", "not a phone", ""]
