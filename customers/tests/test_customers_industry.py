"""Industries in the viewer's language on the customer pages, stored values unchanged, and an
English label imported back to the stored Chinese form (docs/domain, section 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.models import Customer
from customers.tests.factories import make_customer
from customers.tests.test_import_support import media, run_import, xlsx_bytes  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "shown", "hidden"),
    [("en", "C Manufacturing", "C 制造业"), ("zh-hans", "C 制造业", "C Manufacturing")],
)
def test_list_detail_pool_and_filter_show_the_industry_in_the_viewers_language(
    org, client_for, lang, shown, hidden
):
    owned = make_customer(org.rep, name="甲公司", industry="C 制造业")
    pooled = make_customer(None, team=org.team_a, name="乙公司", industry="C 制造业")
    client = client_for(org.supervisor)
    pages = [
        reverse("customers:customer_list"),
        reverse("customers:customer_detail", args=[owned.pk]),
        reverse("customers:pool"),
    ]
    for url in pages:
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        html = html.replace('value="C 制造业"', "")  # the filter's value is the stored one
        assert shown in html, url
        assert hidden not in html, url
    listing = client.get(reverse("customers:customer_list"), HTTP_ACCEPT_LANGUAGE=lang)
    # The filter keeps the stored value as its value and labels it in the viewer's language.
    assert f'<option value="C 制造业">{shown}</option>' in listing.content.decode()
    filtered = client.get(
        reverse("customers:customer_list"), {"industry": "C 制造业"}, HTTP_ACCEPT_LANGUAGE=lang
    )
    assert {c.pk for c in filtered.context["page"].object_list} == {owned.pk, pooled.pk}
    assert set(Customer.objects.values_list("industry", flat=True)) == {"C 制造业"}


@pytest.mark.usefixtures("media")
def test_an_english_industry_label_is_imported_as_the_stored_chinese_form(org):
    data = xlsx_bytes(
        [
            ["Customer name", "Industry"],
            ["甲公司", "C Manufacturing"],
            ["乙公司", "Finance"],
            ["丙公司", "汽车零部件"],
        ]
    )
    job = run_import(data, team=org.team_a)
    assert job.created_count == 3
    assert dict(Customer.objects.values_list("name", "industry")) == {
        "甲公司": "C 制造业",
        "乙公司": "金融业",
        "丙公司": "汽车零部件",
    }
