"""The customer business rules live in customers.services, so every path that creates or
changes a customer (the customer form, its edit page, the journal picker's quick-create,
direct service calls) refuses the same things with the same messages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.scoping import Scope, scope_for
from customers.models import Customer
from customers.services import customer_create, customer_validate
from customers.tests.factories import make_customer
from customers.tests.test_import_support import run_import, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


CREATE = "/customers/new/"


def _scope(user) -> Scope:
    return scope_for(user)


def test_service_refuses_a_visible_duplicate_name(org):
    make_customer(org.rep, name="深圳腾飞科技有限公司")
    with pytest.raises(ValidationError) as exc:
        customer_create(
            by=org.rep, name="深圳腾飞科技有限公司 ", owner=org.rep, scope=_scope(org.rep)
        )
    assert "name" in exc.value.message_dict
    assert "already exists" in exc.value.message_dict["name"][0]
    assert Customer.objects.count() == 1


def test_service_refuses_a_duplicate_credit_code_and_an_owner_outside_the_team(org):
    make_customer(org.rep, name="甲公司", credit_code="91440300MA5ABCDE1H")
    with pytest.raises(ValidationError) as exc:
        customer_validate(
            scope=_scope(org.supervisor),
            name="乙公司",
            credit_code="91440300ma5abcde1h",
            owner=org.rep,
            team=org.team_b,
        )
    assert set(exc.value.message_dict) == {"credit_code", "team"}
    assert exc.value.message_dict["team"] == ["The owner is not a rep of this team."]


def test_service_without_scope_keeps_the_import_behaviour(org):
    make_customer(org.rep, name="丙公司")
    customer_create(by=None, name="丙公司", owner=org.rep)  # no scope: no visibility rules
    assert Customer.objects.count() == 2


def test_form_shows_the_same_duplicate_error(org, client):
    make_customer(org.rep, name="深圳腾飞科技有限公司")
    client.force_login(org.rep)
    response = client.post(
        CREATE, {"name": "深圳腾飞科技有限公司", "segment": "mass", "stage": "lead"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "已存在" in errors["name"][0]  # the page's language is Chinese
    assert Customer.objects.count() == 1


def test_form_refuses_an_owner_who_is_not_a_rep_of_the_chosen_team(org, client):
    client.force_login(org.admin)
    response = client.post(
        CREATE,
        {
            "name": "丁公司",
            "segment": "mass",
            "stage": "lead",
            "owner": org.rep.pk,
            "team": org.team_b.pk,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "team" in errors
    assert not Customer.objects.filter(name="丁公司").exists()


def test_editing_a_customer_to_a_visible_duplicate_name_is_refused(org, client):
    make_customer(org.rep, name="戊公司", credit_code="91440300MA5ABCDE1H")
    mine = make_customer(org.rep, name="己公司")
    client.force_login(org.rep)
    url = f"/customers/{mine.pk}/edit/"
    response = client.post(url, {"name": " 戊公司", "segment": "mass"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    response = client.post(
        url, {"name": "己公司", "segment": "mass", "credit_code": "91440300ma5abcde1h"}
    )
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    mine.refresh_from_db()
    assert (mine.name, mine.credit_code) == ("己公司", "")


def test_journal_picker_quick_create_refuses_a_visible_duplicate(org, client):
    make_customer(org.rep, name="庚公司")
    client.force_login(org.rep)
    response = client.post("/journals/customers/new/", {"name": "庚公司 "})
    assert response.status_code == 200
    assert "已存在" in response.content.decode()  # the page's language is Chinese
    assert "data-autopick" not in response.content.decode()
    assert Customer.objects.count() == 1


def test_import_rejects_a_row_whose_owner_is_not_a_rep_of_its_team(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"
    head: list[object] = ["客户名称", "客户经理", "团队"]
    data = xlsx_bytes(
        [head, ["壬公司", "rep", "north-2"], ["癸公司", "rep", "north-1"], ["子公司", "rep", ""]]
    )
    job = run_import(data)
    assert (job.created_count, job.rejected_count) == (2, 1)
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "team")]
    assert job.errors[0]["reason"] == "The owner is not a rep of this team."
    assert not Customer.objects.filter(name="壬公司").exists()
    assert Customer.objects.get(name="癸公司").team == org.team_a
    assert Customer.objects.get(name="子公司").team == org.team_a  # the owner's team
