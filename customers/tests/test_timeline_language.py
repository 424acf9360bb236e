"""The customer's timeline reads in the reader's language whoever wrote the entry: a stage
change made by a visit is explained from the visit, and fixed reasons ("Created") are stored
untranslated and translated when shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Stage
from journals import services
from journals.models import Visit
from journals.tests.factories import local_dt, make_customer

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 4)


def test_a_visit_recorded_in_english_reads_in_chinese_on_the_timeline(org, client_for):
    customer = make_customer(org.rep, stage=Stage.TARGET, at=local_dt(dt.date(2026, 1, 5)))
    with translation.override("en"):
        journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
        services.visit_record(
            journal=journal,
            by=org.rep,
            customer=customer,
            purpose="explanation",
            occurred_at=local_dt(DAY, 10),
            learned="需求确认",
            needs="需要宽带",
            outcome=Visit.Outcome.STAGE_ADVANCED,
            new_stage=Stage.RELATIONSHIP,
        )
    url = reverse("customers:customer_detail", args=[customer.pk])
    zh = client_for(org.rep).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Visit: Explanation" not in zh
    assert zh.count("拜访：说明") >= 1
    en = client_for(org.rep).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Visit: Explanation" in en


def test_the_created_reason_is_stored_untranslated_and_shown_translated(org, client_for):
    from customers.services import customer_create

    with translation.override("zh-hans"):
        customer = customer_create(name="语言测试客户", by=org.rep, owner=org.rep, team=org.team_a)
    assert customer.ownerships.get().reason == "Created"
    url = reverse("customers:customer_detail", args=[customer.pk])
    zh = client_for(org.rep).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">Created<" not in zh
    assert "新建" in zh
    en = client_for(org.rep).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Created" in en
