"""Rules that forms used to hold live in the services, so the page and a direct service
call (an API later) refuse the same input with the same message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from coaching import services as coaching_services
from coaching.models import CoachingPlan
from journals import services as journal_services
from journals.models import PlanItem, Purpose

pytestmark = pytest.mark.django_db


def test_a_planned_visit_without_a_customer_is_refused_by_the_service_and_the_page(org, client):
    journal = journal_services.journal_get_or_create_today(rep=org.rep, day=timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        journal_services.plan_item_add(journal=journal, by=org.rep, purpose=Purpose.FIRST)
    assert set(exc.value.message_dict) == {"customer"}
    client.force_login(org.rep)
    response = client.post(
        reverse("journals:plan_item_add", args=[journal.pk]),
        {"purpose": "first"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    with translation.override(settings.LANGUAGE_CODE):
        message = gettext("A planned visit names its customer.")
    assert message in response.content.decode()
    assert not PlanItem.objects.exists()
    # an appointment or a follow-up needs no customer
    journal_services.plan_item_add(journal=journal, by=org.rep, purpose=Purpose.RESEARCH)
    assert PlanItem.objects.count() == 1


def test_a_plan_ending_before_it_starts_is_refused_by_the_service_and_the_page(org, client):
    start, end = dt.date(2026, 11, 30), dt.date(2026, 11, 2)
    with pytest.raises(ValidationError) as exc:
        coaching_services.plan_create(
            by=org.supervisor,
            coachee=org.rep,
            problem="p",
            cause_category="skill",
            start=start,
            end=end,
        )
    assert set(exc.value.message_dict) == {"end"}
    client.force_login(org.supervisor)
    response = client.post(
        reverse("coaching:plan_create"),
        {
            "coachee": org.rep.pk,
            "problem": "p",
            "cause_category": "skill",
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"end"}
    assert not CoachingPlan.objects.exists()
