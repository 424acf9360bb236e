"""Opening Today writes nothing; the day's journal is created by its first write (autosave,
a plan item, a visit, submit) through the journal service, on URLs keyed by the day."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import make_customer
from journals.models import Journal

pytestmark = pytest.mark.django_db


def _day_url(name: str, day: dt.date) -> str:
    return reverse(f"journals:{name}", kwargs={"day": day.isoformat()})


def test_opening_today_creates_no_journal_and_no_audit_entry(client, org):
    client.force_login(org.rep)
    entries = LogEntry.objects.count()
    for _ in range(2):
        assert client.get(reverse("journals:today")).status_code == 200
    assert not Journal.objects.exists()
    assert LogEntry.objects.count() == entries


def test_the_first_autosave_creates_the_journal_and_later_ones_reuse_it(client, org):
    client.force_login(org.rep)
    today = timezone.localdate()
    page = client.get(reverse("journals:today")).content.decode()
    url = _day_url("day_autosave", today)
    assert url in page
    first = client.post(url, {"summary": "两次拜访"}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    journal = Journal.objects.get(rep=org.rep)
    assert (journal.day, journal.team, journal.summary) == (today, org.team_a, "两次拜访")
    client.post(url, {"learning_topic": "专线资费"}, HTTP_HX_REQUEST="true")
    journal.refresh_from_db()
    assert (journal.learning_topic, journal.summary) == ("专线资费", "两次拜访")
    assert Journal.objects.count() == 1
    # Reloaded, Today shows the stored journal on the same day URLs.
    again = client.get(reverse("journals:today")).content.decode()
    assert "专线资费" in again
    assert url in again


def test_a_plan_item_a_visit_or_submit_creates_the_journal_on_first_write(client, org):
    customer = make_customer(org.rep)
    client.force_login(org.rep)
    today = timezone.localdate()
    planned = client.post(
        _day_url("day_plan", today),
        {"purpose": "explanation", "customer": customer.pk},
        HTTP_HX_REQUEST="true",
    )
    assert planned.status_code == 200
    journal = Journal.objects.get(rep=org.rep)
    assert journal.plan_items.count() == 1
    Journal.objects.all().delete()
    visited = client.post(
        _day_url("day_visit", today),
        {
            "customer": customer.pk,
            "purpose": "explanation",
            "time": "10:00",
            "outcome": "info",
            "learned": "客户关注千兆专线价格",
        },
        HTTP_HX_REQUEST="true",
    )
    assert visited.status_code == 200
    assert Journal.objects.get(rep=org.rep).visits.count() == 1
    Journal.objects.all().delete()
    submitted = client.post(_day_url("day_submit", today))
    assert submitted.status_code == 302
    assert Journal.objects.get(rep=org.rep).status != Journal.Status.DRAFT


def test_day_urls_write_only_the_viewers_own_journal(client, org):
    today = timezone.localdate()
    client.force_login(org.rep)
    client.post(_day_url("day_autosave", today), {"summary": "mine"}, HTTP_HX_REQUEST="true")
    mine = Journal.objects.get(rep=org.rep)
    # A teammate or another team's rep writes their own journal of that day, never the rep's.
    for other in (org.teammate, org.outsider):
        client.force_login(other)
        client.post(_day_url("day_autosave", today), {"summary": "x"}, HTTP_HX_REQUEST="true")
        assert Journal.objects.get(rep=other).summary == "x"
    mine.refresh_from_db()
    assert mine.summary == "mine"
    # Someone with no team that day may not start a journal: 403, nothing created.
    client.force_login(org.manager)
    refused = client.post(_day_url("day_autosave", today), {"summary": "x"})
    assert refused.status_code == 403
    assert not Journal.objects.filter(rep=org.manager).exists()


def test_day_urls_refuse_bad_and_far_days(client, org):
    client.force_login(org.rep)
    assert client.post("/journals/day/2026-13-45/autosave/", {"summary": "x"}).status_code == 404
    far = timezone.localdate() + dt.timedelta(days=5)
    assert client.post(_day_url("day_autosave", far), {"summary": "x"}).status_code == 403
    assert not Journal.objects.exists()


def test_a_submitted_journal_is_not_changed_through_its_day_url(client, org):
    client.force_login(org.rep)
    today = timezone.localdate()
    client.post(_day_url("day_autosave", today), {"summary": "写好了"}, HTTP_HX_REQUEST="true")
    client.post(_day_url("day_submit", today))
    answer = client.post(_day_url("day_autosave", today), {"summary": "改"})
    assert answer.status_code == 403
    assert Journal.objects.get(rep=org.rep).summary == "写好了"


#: Today before the day's first write: the editor's reads less the plan, visits and
#: comments (nothing is stored to read) and no validation queries (nothing is saved).
UNSAVED_TODAY_QUERIES = 12


def test_the_unsaved_today_page_reads_a_fixed_number_of_queries(client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(org.rep)
    client.get(reverse("journals:today"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("journals:today"))
    for i in range(5):
        make_customer(org.rep, name=f"客户{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("journals:today"))
    assert len(few.captured_queries) == UNSAVED_TODAY_QUERIES
    assert len(many.captured_queries) == UNSAVED_TODAY_QUERIES
    assert not any("INSERT" in q["sql"] for q in many.captured_queries)
