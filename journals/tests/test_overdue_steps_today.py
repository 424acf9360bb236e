"""Today's overdue next steps (逾期的后期安排) link the customer and offer "+ Add" to the plan,
posting to the plan endpoint like the suggestions (docs/domain, section 3); a customer
already planned is shown as such, a covered colleague's customer is not linked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Stage
from journals.models import Journal, PlanItem
from journals.tests.factories import make_customer, visit

pytestmark = pytest.mark.django_db


def _overdue(journal, customer, text):
    return visit(
        journal,
        customer,
        next_step=text,
        next_step_date=timezone.localdate() - dt.timedelta(1),
    )


@pytest.mark.parametrize(("language", "add"), [("zh-hans", "+ 添加"), ("en", "+ Add")])
def test_an_overdue_step_links_the_customer_and_adds_it_to_todays_plan(
    org, client_for, language, add
):
    today = timezone.localdate()
    earlier = Journal.objects.create(rep=org.rep, team=org.team_a, day=today - dt.timedelta(5))
    customer = make_customer(org.rep, name="星河电子有限公司", stage=Stage.INTENT)
    _overdue(earlier, customer, "回访报价")
    client = client_for(org.rep)
    page = client.get(reverse("journals:today"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    block = _overdue_block(page)
    assert f'href="{reverse("customers:customer_detail", args=[customer.pk])}"' in block
    assert add in block
    assert f'name="customer" value="{customer.pk}"' in block
    plan_url = re.findall(r'action="([^"]+)"', block)[0]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', block))
    answer = client.post(plan_url, fields, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    item = PlanItem.objects.get(journal__day=today)
    assert (item.customer_id, item.purpose, item.preparation) == (
        customer.pk,
        "closing",
        "回访报价",
    )
    # once planned, the step shows so and is not offered again
    page = client.get(reverse("journals:today"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    block = _overdue_block(page)
    assert add not in block
    assert ("已在今日计划中" if language == "zh-hans" else "In today's plan") in block


def test_a_covered_colleagues_customer_is_not_linked(org, client_for):
    today = timezone.localdate()
    earlier = Journal.objects.create(rep=org.rep, team=org.team_a, day=today - dt.timedelta(5))
    theirs = make_customer(org.teammate, name="南山软件有限公司", stage=Stage.TARGET)
    _overdue(earlier, theirs, "代为回访")
    page = client_for(org.rep).get(reverse("journals:today")).content.decode()
    block = _overdue_block(page)
    assert "南山软件有限公司" in block
    assert reverse("customers:customer_detail", args=[theirs.pk]) not in block


def _overdue_block(page: str) -> str:
    found = re.search(r'data-testid="overdue-steps".*?</ul>', page, re.S)
    assert found is not None
    return found.group(0)
