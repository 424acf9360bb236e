"""Create and edit customers and add the small records of a customer file."""

import pytest
from django.urls import reverse

from customers.models import Contact, Contract, Customer, CustomerNote, Ownership, ServiceEvaluation
from customers.services import stage_settings
from customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db

CREATE = "/customers/new/"


def test_rep_creates_an_own_customer_in_their_team(org, client):
    client.force_login(org.rep)
    page = client.get(CREATE)
    assert page.status_code == 200
    assert "owner" not in page.context["form"].fields  # a rep cannot pick another owner
    response = client.post(
        CREATE,
        {
            "name": "深圳腾飞科技有限公司",
            "short_name": "腾飞",
            "segment": "mass",
            "stage": "lead",
            "owner": org.teammate.pk,
        },
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.owner == org.rep
    assert customer.team == org.team_a
    assert customer.created_by == org.rep
    assert customer.pinyin_initials.startswith("sztf")
    assert Ownership.objects.get(customer=customer).owner == org.rep


def test_supervisor_picks_an_owner_of_the_team_or_the_pool(org, client):
    client.force_login(org.supervisor)
    form = client.get(CREATE).context["form"]
    assert set(form.fields["owner"].queryset) == {org.rep, org.teammate}
    client.post(
        CREATE, {"name": "甲公司", "segment": "mass", "stage": "lead", "owner": org.teammate.pk}
    )
    client.post(CREATE, {"name": "乙公司", "segment": "mass", "stage": "lead", "owner": ""})
    a = Customer.objects.get(name="甲公司")
    b = Customer.objects.get(name="乙公司")
    assert (a.owner, a.team) == (org.teammate, org.team_a)
    assert (b.owner, b.team) == (None, org.team_a)
    refused = client.post(
        CREATE, {"name": "丙公司", "segment": "mass", "stage": "lead", "owner": org.rep_b.pk}
    )
    assert refused.status_code == 200
    assert "owner" in refused.context["form"].errors


def test_admin_gives_a_team_for_a_pool_customer(org, client):
    client.force_login(org.admin)
    missing = client.post(CREATE, {"name": "甲公司", "segment": "mass", "stage": "lead"})
    assert missing.status_code == 200
    assert "team" in missing.context["form"].errors
    client.post(
        CREATE, {"name": "甲公司", "segment": "mass", "stage": "lead", "team": org.team_b.pk}
    )
    assert Customer.objects.get().team == org.team_b
    wrong = client.post(
        CREATE,
        {
            "name": "乙公司",
            "segment": "mass",
            "stage": "lead",
            "owner": org.rep.pk,
            "team": org.team_b.pk,
        },
    )
    assert "team" in wrong.context["form"].errors


def test_create_at_a_stage_enforces_its_required_fields(org, client):
    stage_settings()
    client.force_login(org.rep)
    refused = client.post(CREATE, {"name": "意向客户", "segment": "mass", "stage": "intent"})
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    assert not Customer.objects.exists()
    ok = client.post(
        CREATE, {"name": "意向客户", "segment": "mass", "stage": "intent", "needs": "专线"}
    )
    assert ok.status_code == 302
    assert Customer.objects.get().stage == "intent"


def test_create_form_shows_field_errors(org, client):
    client.force_login(org.rep)
    response = client.post(
        CREATE, {"name": "  ", "segment": "x", "stage": "zzz", "listed_on": "2024-13-45"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "segment", "stage", "listed_on"} <= set(errors)


def test_owner_and_supervisor_edit_and_derived_fields_follow(org, client):
    customer = make_customer(org.rep, name="旧名字")
    url = reverse("customers:customer_update", args=[customer.pk])
    for user, name in ((org.rep, "深圳腾飞"), (org.supervisor, "北京远航")):
        client.force_login(user)
        assert client.get(url).status_code == 200
        response = client.post(
            url, {"name": name, "segment": "group", "credit_code": "91440300MA5F000007"}
        )
        assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "北京远航"
    assert customer.segment == "group"
    assert customer.pinyin_initials == "bjyh"
    assert customer.name_key == "北京远航"
    assert customer.credit_code == "91440300MA5F000007"


def test_teammate_edit_is_404_and_other_supervisor_404(org, client):
    customer = make_customer(org.rep)
    url = reverse("customers:customer_update", args=[customer.pk])
    for user in (org.teammate, org.supervisor_b, org.outsider_supervisor):
        client.force_login(user)
        assert client.post(url, {"name": "x", "segment": "mass"}).status_code == 404


def post(client, customer, name, data):
    return client.post(reverse(f"customers:{name}", args=[customer.pk]), data)


def test_add_contact_product_note_contract_evaluation(org, client):
    customer = make_customer(org.rep)
    client.force_login(org.rep)
    assert (
        post(
            client,
            customer,
            "contact_create",
            {
                "contact-name": "王总",
                "contact-phone": "13800138000",
                "contact-decision_role": "decision_maker",
                "contact-is_project_owner": "on",
            },
        ).status_code
        == 302
    )
    assert (
        post(
            client,
            customer,
            "contact_create",
            {
                "contact-name": "李工",
                "contact-decision_role": "user",
                "contact-is_project_owner": "on",
            },
        ).status_code
        == 302
    )
    assert list(Contact.objects.filter(is_project_owner=True).values_list("name", flat=True)) == [
        "李工"
    ]
    assert (
        post(
            client,
            customer,
            "product_create",
            {"product-product": "千兆宽带", "product-status": "needed"},
        ).status_code
        == 302
    )
    assert (
        post(
            client, customer, "note_create", {"note-kind": "news", "note-text": "完成融资"}
        ).status_code
        == 302
    )
    customer.refresh_from_db()
    assert customer.latest_news == "完成融资"
    assert CustomerNote.objects.get().author == org.rep
    assert (
        post(
            client,
            customer,
            "contract_create",
            {
                "contract-signed_on": "2026-01-05",
                "contract-products": "专线",
                "contract-monthly_value": "1200.50",
                "contract-term_months": "24",
            },
        ).status_code
        == 302
    )
    contract = Contract.objects.get()
    assert (contract.rep, contract.team) == (org.rep, org.team_a)  # attribution at signing
    assert (
        post(
            client,
            customer,
            "evaluation_create",
            {
                "evaluation-evaluated_on": "2026-02-01",
                "evaluation-score": "5",
                "evaluation-text": "满意",
            },
        ).status_code
        == 302
    )
    assert ServiceEvaluation.objects.get().score == 5
    assert {
        e.kind
        for e in client.get(reverse("customers:customer_detail", args=[customer.pk])).context[
            "timeline"
        ]
    } >= {"news", "contract", "evaluation"}


@pytest.mark.parametrize(
    ("name", "data", "field", "panel"),
    [
        ("contact_create", {"contact-name": "", "contact-email": "bad"}, "email", "contact"),
        ("product_create", {"product-product": ""}, "product", "product"),
        ("note_create", {"note-kind": "note", "note-text": ""}, "text", "note"),
        (
            "contract_create",
            {
                "contract-signed_on": "x",
                "contract-products": "p",
                "contract-monthly_value": "-1",
                "contract-term_months": "12",
            },
            "monthly_value",
            "contract",
        ),
        (
            "evaluation_create",
            {"evaluation-evaluated_on": "2026-02-01", "evaluation-score": "9"},
            "score",
            "evaluation",
        ),
    ],
)
def test_bad_record_input_shows_field_errors(org, client, name, data, field, panel):
    customer = make_customer(org.rep)
    client.force_login(org.rep)
    response = post(client, customer, name, data)
    assert response.status_code == 200
    assert field in response.context[f"{panel}_form"].errors
    assert response.context["open_panel"] == panel


def test_get_on_a_write_url_is_not_allowed(org, client):
    customer = make_customer(org.rep)
    client.force_login(org.rep)
    assert client.get(reverse("customers:contact_create", args=[customer.pk])).status_code == 405


def test_creating_a_customer_that_already_exists_is_refused(client, org):
    from customers.models import Customer
    from customers.services import customer_create

    customer_create(
        by=org.rep, name="深圳腾飞科技有限公司", owner=org.rep, credit_code="91440300MA5ABCDE1H"
    )
    client.force_login(org.rep)
    response = client.post(
        reverse("customers:customer_create"),
        {"name": " 深圳腾飞科技有限公司 ", "segment": "mass", "stage": "lead"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["name"]
    response = client.post(
        reverse("customers:customer_create"),
        {
            "name": "另一家公司",
            "segment": "mass",
            "stage": "lead",
            "credit_code": "91440300ma5abcde1h",
        },
    )
    assert list(response.context["form"].errors) == ["credit_code"]
    assert Customer.objects.count() == 1


def test_a_customer_of_another_team_does_not_block_or_leak(client, org):
    from customers.models import Customer
    from customers.services import customer_create

    customer_create(by=org.outsider, name="南方电网", owner=org.outsider)
    client.force_login(org.rep)
    response = client.post(
        reverse("customers:customer_create"),
        {"name": "南方电网", "segment": "mass", "stage": "lead"},
    )
    assert response.status_code == 302
    assert Customer.objects.filter(name="南方电网").count() == 2


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "the check character of 91440300MA5ABCDE1X is wrong (GB 32100-2015)"),
        ("zh-hans", "91440300MA5ABCDE1X 的校验码不正确（GB 32100-2015）"),
    ],
)
def test_the_form_refuses_a_bad_credit_code_like_the_import(org, client, lang, said):
    client.force_login(org.rep)
    response = client.post(
        CREATE,
        {"name": "甲公司", "segment": "mass", "stage": "lead", "credit_code": "91440300ma5abcde1x"},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    assert response.status_code == 200
    assert said in " ".join(response.context["form"].errors["credit_code"])
    assert not Customer.objects.exists()
