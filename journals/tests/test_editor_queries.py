"""The rep's editor (Today, a draft's edit page) and a visit recorded from it: a fixed
number of queries however many plan items, visits, suggestions and visits by others the
journal has (they are the pages reps open most: docs/deploy.md, "Load")."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Stage
from journals import selectors, services
from journals.models import Purpose, Visit
from journals.tests.factories import local_dt, make_customer, plan, visit

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
HTMX = {"HTTP_HX_REQUEST": "true"}

#: Session, user, scope, journal, comments, plan, visits, overdue next steps, visits by
#: others, the suggestions (previous journal's open items, its visits, next steps due),
#: the submission rule (settings, team rule) and the unread notifications: the same on
#: Today. Was 18 (17 on Today) before the suggestions used the plan already read and found
#: the previous journal in the same query, and before the shown visit form stopped
#: building the visitable customers (a scope of the rep on the journal's day).
EDITOR_QUERIES = 15

#: A visit recorded (htmx) and the work panel answered: the editor's reads less the
#: comments and the submission rule, plus the form's customer, the write (customer locked,
#: visit inserted, last activity, earlier next steps done) and its savepoints. Was 29: the
#: visit's foreign keys and model constraint were checked again by a query each.
VISIT_QUERIES = 19


def _history(org, n: int) -> None:
    """``n`` of each: open plan items and visits of the previous journal, next steps due on
    DAY and overdue ones, plan items and visits of DAY's journal, visits of the rep's customers by a
    teammate (covering) on DAY."""
    previous = services.journal_get_or_create_today(rep=org.rep, day=DAY - dt.timedelta(days=3))
    draft = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    covering = services.journal_get_or_create_today(rep=org.teammate, day=DAY)
    for _ in range(n):
        open_one, done_one, due = (make_customer(org.rep, stage=Stage.TARGET) for _ in range(3))
        plan(previous, Purpose.EXPLANATION, open_one)
        visit(previous, done_one, plan_item=plan(previous, Purpose.FIRST, done_one))
        visit(previous, due, next_step="送方案", next_step_date=DAY)
        visit(previous, due, next_step="催报价单", next_step_date=DAY - dt.timedelta(days=1))
        visit(draft, done_one, plan_item=plan(draft, Purpose.CLOSING, done_one))
        visit(covering, open_one, relation="covering")


def test_the_editor_reads_a_fixed_number_of_queries(client, org):
    _history(org, 1)
    draft = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    client.force_login(org.rep)
    url = reverse("journals:journal_edit", args=[draft.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        first = client.get(url)
    assert len(few.captured_queries) == EDITOR_QUERIES
    assert len(first.context["suggestions"]) == 2
    _history(org, 6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == EDITOR_QUERIES
    assert len(response.context["suggestions"]) == 14
    assert len(response.context["visits"]) == 7
    assert len(response.context["visits_by_others"]) == 7
    assert len(response.context["overdue_steps"]) == 7
    page = response.content.decode()
    assert page.count('data-testid="overdue-steps"') == 1
    assert page.count('data-testid="overdue-step"') == 7
    assert page.count("催报价单") == 14  # each shown, and posted by its "+ Add" as preparation


def test_recording_a_visit_reads_a_fixed_number_of_queries(client, org):
    _history(org, 1)
    draft = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    customers = [make_customer(org.rep, stage=Stage.TARGET) for _ in range(2)]
    client.force_login(org.rep)
    url = reverse("journals:visit_add", args=[draft.pk])

    def record(customer, hour: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                url,
                {
                    "customer": customer.pk,
                    "purpose": "explanation",
                    "time": f"{hour}:00",
                    "outcome": "info",
                },
                **HTMX,
            )
        assert response.status_code == 200
        assert 'data-clear-backup="journal-' in response.content.decode()
        return len(ctx.captured_queries)

    assert record(customers[0], 9) == VISIT_QUERIES
    _history(org, 6)
    assert record(customers[1], 10) == VISIT_QUERIES
    assert Visit.objects.filter(journal=draft, customer__in=customers).count() == 2


def test_suggestions_read_the_plan_they_are_given(org, django_assert_num_queries):
    draft = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    _history(org, 2)
    planned = list(draft.plan_items.all())
    offered = selectors.plan_suggestions(journal=draft)
    assert len(offered) == 4
    with django_assert_num_queries(3):  # open items, their journal's visits, steps due
        given = selectors.plan_suggestions(journal=draft, planned=planned)
    assert [(s.customer, s.carried_from, s.from_visit) for s in given] == [
        (s.customer, s.carried_from, s.from_visit) for s in offered
    ]


def test_no_open_item_in_the_previous_journal_skips_its_visits(org, django_assert_num_queries):
    previous = services.journal_get_or_create_today(rep=org.rep, day=DAY - dt.timedelta(days=1))
    customer = make_customer(org.rep)
    visit(previous, customer, plan_item=plan(previous, Purpose.APPOINTMENT, customer))
    draft = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    with django_assert_num_queries(2):  # open items (none), steps due
        assert selectors.plan_suggestions(journal=draft, planned=[]) == []


def test_a_checked_in_visit_still_cannot_become_a_call(org):
    draft = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    customer = make_customer(org.rep, stage=Stage.TARGET)
    recorded = services.visit_record(
        journal=draft,
        by=org.rep,
        customer=customer,
        purpose=Purpose.APPOINTMENT,
        occurred_at=local_dt(DAY, 9),
        checkin=services.CheckIn(latitude=22.5, longitude=114.0),  # type: ignore[arg-type]
    )
    assert recorded.checked_in_at is not None
    with pytest.raises(ValidationError) as err:
        services.visit_update(
            visit=recorded,
            by=org.rep,
            purpose=Purpose.APPOINTMENT,
            occurred_at=local_dt(DAY, 9),
            channel="phone",
        )
    assert "channel" in err.value.error_dict
    recorded.refresh_from_db()
    assert recorded.channel == "visit"
