"""The admin pages of the customer models open, search and filter without errors."""

import pytest
from django.contrib import admin
from django.urls import reverse

from customers.models import Customer, StageSetting
from customers.tests.factories import ContactFactory, make_customer

pytestmark = pytest.mark.django_db

MODELS = [m for m in admin.site._registry if m._meta.app_label == "customers"]


def test_every_customer_model_has_an_admin():
    names = {m.__name__ for m in MODELS}
    expected = "Customer Contact ProductUsage CustomerNote Contract RevenueRecord BillingMonth"
    expected += " ServiceEvaluation Ownership StageChange StageSetting ImportJob"
    assert names >= set(expected.split())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelists_open_and_search(org, client, model):
    customer = make_customer(org.rep, name="深圳腾飞科技有限公司")
    ContactFactory(customer=customer)
    client.force_login(org.admin)
    url = reverse(f"admin:customers_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "腾飞"}).status_code == 200


def test_customer_change_page_opens(org, client):
    customer = make_customer(org.rep, name="旧名")
    client.force_login(org.admin)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    assert client.get(url).status_code == 200


def test_stage_settings_list_creates_the_defaults(org, client):
    client.force_login(org.admin)
    client.get(reverse("admin:customers_stagesetting_changelist"))
    assert StageSetting.objects.get(stage="intent").required_fields == ["needs"]
    assert Customer.objects.count() == 0
