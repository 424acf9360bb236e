"""The editor's form fields rendered once per language and initial values
(journals/views/form_html.py): the same HTML as a fresh render, per language, per
initial visit time, and never for a bound form."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from customers.models import Customer
from journals import services
from journals.forms import PlanItemForm, VisitForm
from journals.views import form_html

pytestmark = pytest.mark.django_db

VISIT = "journals/_visit_form_fields.html"
PLAN = "journals/_plan_form_fields.html"


@pytest.fixture(autouse=True)
def _empty_cache():
    form_html._RENDERED.clear()
    yield
    form_html._RENDERED.clear()


def _visit_form(hour: int = 10) -> VisitForm:
    return VisitForm(
        customers=Customer.objects.all(),
        auto_id="visit_%s",
        initial={"time": dt.time(hour, 0), "outcome": "info"},
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_kept_html_is_a_fresh_render_in_each_language(language):
    with translation.override(language):
        kept = form_html.form_fields_html(VISIT, _visit_form(), "visit_form")
        again = form_html.form_fields_html(VISIT, _visit_form(), "visit_form")
        fresh = render_to_string(VISIT, {"visit_form": _visit_form()})
        plan = form_html.form_fields_html(
            PLAN, PlanItemForm(customers=Customer.objects.all(), auto_id="plan_%s"), "plan_form"
        )
    assert kept == fresh
    assert again is kept  # served from memory
    assert 'value="10:00"' in kept
    label = {"en": "What was learned", "zh-hans": "信息收集"}[language]
    assert label in kept, label
    assert 'id="plan_preparation"' in plan


def test_each_language_and_visit_time_has_its_own_html():
    with translation.override("en"):
        english = form_html.form_fields_html(VISIT, _visit_form(), "visit_form")
        later = form_html.form_fields_html(VISIT, _visit_form(hour=11), "visit_form")
    with translation.override("zh-hans"):
        chinese = form_html.form_fields_html(VISIT, _visit_form(), "visit_form")
    assert english != chinese
    assert 'value="11:00"' in later
    assert 'value="11:00"' not in english
    assert len(form_html._RENDERED) == 3


def test_a_bound_form_is_rendered_each_time_with_its_errors():
    bound = VisitForm({"purpose": "nope", "time": "25:99"}, customers=Customer.objects.all())
    with translation.override("en"):
        html = form_html.form_fields_html(VISIT, bound, "visit_form")
    assert "invalid-feedback" in html
    assert form_html._RENDERED == {}


def test_the_memory_is_emptied_when_full(monkeypatch):
    monkeypatch.setattr(form_html, "MAX_ENTRIES", 2)
    with translation.override("en"):
        for hour in (8, 9, 10):
            form_html.form_fields_html(VISIT, _visit_form(hour), "visit_form")
    assert len(form_html._RENDERED) == 1


def test_the_editor_shows_the_forms_in_the_viewers_language(client, org):
    draft = services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 2))
    client.force_login(org.rep)
    url = reverse("journals:journal_edit", args=[draft.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "What was learned" in english
    assert "What was learned" not in chinese
    assert english.count('id="visit_learned"') == chinese.count('id="visit_learned"') == 1
    assert english.count('id="plan_preparation"') == 1
