"""Stage changes: recorded with attribution, entry rules of the stage settings,
skipped stages counting as reached (docs/domain sections 6 and 9)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customers.models import Stage, StageChange, StageSetting
from customers.selectors import stages_reached
from customers.services import (
    customer_change_stage,
    customer_move,
    stage_settings,
    stages_entered,
)
from customers.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def stage_url(customer):
    return reverse("customers:customer_stage", args=[customer.pk])


def test_default_stage_settings_are_created_lazily():
    assert not StageSetting.objects.exists()
    settings = stage_settings()
    assert set(settings) == set(Stage.values)
    assert settings["target"].stall_days == 30
    assert settings["relationship"].stall_days == 30
    assert settings["intent"].stall_days == 21
    assert settings["intent"].required_fields == ["needs"]
    assert settings["lead"].stall_days is None
    stage_settings()
    assert StageSetting.objects.count() == len(Stage.values)


def test_stage_change_records_history_with_attribution(org, client):
    customer = make_customer(org.rep, name="归属客户")
    client.force_login(org.supervisor)
    response = client.post(stage_url(customer), {"to_stage": "target", "reason": "有预算"})
    assert response.status_code == 302
    change = StageChange.objects.get(customer=customer)
    assert (change.from_stage, change.to_stage, change.reason) == ("lead", "target", "有预算")
    assert change.by == org.supervisor  # who did it
    assert change.rep == org.rep  # attributed to the owner then
    assert change.team == org.team_a  # and the owner's team at that date
    assert change.source == StageChange.Source.MANUAL
    customer.refresh_from_db()
    assert customer.stage == Stage.TARGET
    assert abs((customer.stage_changed_at - change.at).total_seconds()) < 1


def test_intent_is_refused_without_needs_and_nothing_typed_is_lost(org, client):
    customer = make_customer(org.rep, stage=Stage.RELATIONSHIP)
    client.force_login(org.rep)
    response = client.post(stage_url(customer), {"to_stage": "intent", "reason": "客户同意试用"})
    assert response.status_code == 200
    form = response.context["stage_form"]
    assert form.errors
    body = response.content.decode()
    assert "客户同意试用" in body  # the reason is still in the form
    assert "needs" in form.fields  # the missing field is offered right there
    assert response.context["open_panel"] == "stage"
    customer.refresh_from_db()
    assert customer.stage == Stage.RELATIONSHIP
    assert not customer.stage_changes.filter(to_stage="intent").exists()

    ok = client.post(
        stage_url(customer), {"to_stage": "intent", "reason": "客户同意试用", "needs": "千兆专线"}
    )
    assert ok.status_code == 302
    customer.refresh_from_db()
    assert customer.stage == Stage.INTENT
    assert customer.needs == "千兆专线"


def test_a_refused_stage_change_saves_none_of_the_fields(org):
    settings = stage_settings()
    settings["intent"].required_fields = ["needs", "industry"]
    settings["intent"].save()
    customer = make_customer(org.rep, stage=Stage.RELATIONSHIP)
    with pytest.raises(ValidationError):
        customer_move(customer=customer, to_stage="intent", by=org.rep, fields={"needs": "专线"})
    customer.refresh_from_db()
    assert customer.needs == ""
    assert customer.stage == Stage.RELATIONSHIP


def test_skipped_stages_count_as_reached_at_the_same_time(org):
    customer = make_customer(org.rep)
    assert stages_entered("lead", "deal") == ["target", "relationship", "intent", "deal"]
    with pytest.raises(ValidationError):  # jumping over intent still needs a needs analysis
        customer_change_stage(customer=customer, to_stage=Stage.DEAL, by=org.rep)
    customer.needs = "云服务"
    customer.save()
    at = timezone.now()
    change = customer_change_stage(customer=customer, to_stage=Stage.DEAL, by=org.rep, at=at)
    assert change is not None
    assert (change.from_stage, change.to_stage) == ("lead", "deal")
    assert customer.stage_changes.count() == 1  # one row; the skipped stages are derived
    reached = stages_reached(customer.stage_changes.all(), customer.created_at)
    assert (
        reached["target"] == reached["relationship"] == reached["intent"] == reached["deal"] == at
    )
    assert reached["lead"] == customer.created_at


def test_reached_stages_are_cumulative_and_keep_the_first_time(org):
    t0 = timezone.now() - dt.timedelta(days=10)
    customer = make_customer(org.rep, stage=Stage.TARGET, at=t0)
    t1 = t0 + dt.timedelta(days=2)
    customer_change_stage(customer=customer, to_stage=Stage.LEAD, by=org.rep, at=t1)
    t2 = t0 + dt.timedelta(days=4)
    customer_change_stage(customer=customer, to_stage=Stage.RELATIONSHIP, by=org.rep, at=t2)
    reached = stages_reached(customer.stage_changes.all())
    assert reached["target"] == t0
    assert reached["relationship"] == t2
    assert "intent" not in reached


def test_lost_is_reported_until_the_customer_comes_back(org):
    customer = make_customer(org.rep)
    customer_change_stage(customer=customer, to_stage=Stage.LOST, by=org.rep, reason="倒闭")
    assert "lost" in stages_reached(customer.stage_changes.all())
    customer_change_stage(customer=customer, to_stage=Stage.TARGET, by=org.rep, reason="重启")
    assert "lost" not in stages_reached(customer.stage_changes.all())


def test_imports_record_the_stage_as_a_fact(org):
    stage_settings()
    customer = make_customer(org.rep, stage=Stage.INTENT)  # customer_create: no check
    assert customer.stage == Stage.INTENT
    other = make_customer(org.rep)
    customer_change_stage(
        customer=other, to_stage=Stage.INTENT, by=None, source=StageChange.Source.IMPORT
    )
    assert other.stage == Stage.INTENT
    visit = make_customer(org.rep)
    with pytest.raises(ValidationError):
        customer_change_stage(
            customer=visit, to_stage=Stage.INTENT, by=org.rep, source=StageChange.Source.VISIT
        )


@pytest.mark.parametrize(("start", "to_stage"), [(Stage.TARGET, "lost"), (Stage.TARGET, "lead")])
def test_losing_or_moving_back_needs_a_reason(org, client, start, to_stage):
    customer = make_customer(org.rep, stage=start)
    client.force_login(org.rep)
    refused = client.post(stage_url(customer), {"to_stage": to_stage})
    assert refused.status_code == 200
    assert "reason" in refused.context["stage_form"].errors
    ok = client.post(stage_url(customer), {"to_stage": to_stage, "reason": "预算取消"})
    assert ok.status_code == 302
    customer.refresh_from_db()
    assert customer.stage == to_stage


def test_bad_stage_input_is_a_form_error(org, client):
    customer = make_customer(org.rep)
    client.force_login(org.rep)
    for data in ({"to_stage": "nonsense"}, {"to_stage": "lead"}, {}):
        response = client.post(stage_url(customer), data)
        assert response.status_code == 200
        assert "to_stage" in response.context["stage_form"].errors


def test_stage_setting_rejects_unknown_field_names():
    setting = StageSetting(stage="deal", required_fields=["needs", "no_such_field"])
    with pytest.raises(ValidationError):
        setting.full_clean()
    StageSetting(stage="deal", required_fields=["needs"]).full_clean()
