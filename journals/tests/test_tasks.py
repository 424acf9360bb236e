"""Reminders: at the deadline each person with a missing journal is notified in-app and
by email exactly once per day, however often the task runs; the supervisors' digest."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from journals import services, tasks
from journals.tests.factories import exempt, local_dt, submitted

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


@pytest.fixture
def at(monkeypatch):
    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def test_missing_journal_reminded_once_even_if_the_task_runs_twice(
    org, at, django_capture_on_commit_callbacks
):
    submitted(services.journal_get_or_create_today(rep=org.rep, day=MONDAY))
    at(local_dt(MONDAY, 21, 0))
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.remind_missing.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.remind_missing.delay().get()
    assert (first, second) == (3, 0)  # teammate; rep_b and outsider of other teams
    notes = Notification.objects.filter(key=f"journal-missing:{MONDAY}")
    assert {n.user for n in notes} == {org.teammate, org.rep_b, org.outsider}
    assert notes[0].url == "/journals/today/"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (org.teammate, org.rep_b, org.outsider)
    )


def test_no_reminder_before_the_deadline_on_days_off_or_when_exempt(org, at):
    at(local_dt(MONDAY, 20, 59))
    assert services.journal_reminders_send() == 0
    at(local_dt(dt.date(2026, 10, 1), 21, 30))  # national holiday
    assert services.journal_reminders_send() == 0
    exempt(org.rep, MONDAY)
    at(local_dt(MONDAY, 21, 30))
    assert services.journal_reminders_send() == 3  # teammate, rep_b, outsider
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"teammate", "rep_b", "outsider"}


def test_morning_digest_to_supervisors_once(org, at, django_capture_on_commit_callbacks):
    submitted(services.journal_get_or_create_today(rep=org.rep, day=MONDAY), late=True)
    at(local_dt(dt.date(2026, 3, 3), 8, 0))
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.supervisor_digest.delay().get()
        second = tasks.supervisor_digest.delay().get()
    # team_a, team_b (rep_b missing) and team_s (outsider missing): one digest each
    assert (first, second) == (3, 0)
    note = Notification.objects.get(user=org.supervisor)
    assert note.key == f"journal-digest:{org.team_a.pk}:{MONDAY}"
    assert org.teammate.name in note.body  # missing
    assert org.rep.name in note.body  # late
    assert f"day={MONDAY}" in note.url
    assert len(mail.outbox) == 3
    assert org.rep_b.name in Notification.objects.get(user=org.supervisor_b).body
    assert not Notification.objects.filter(user=org.manager).exists()


def test_beat_runs_the_reminders_in_the_evening_and_the_digest_at_eight(settings):
    from salesops.celery import app

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    remind = schedule["journals.remind_missing"]
    assert 21 in remind.hour
    assert 0 in remind.minute
    digest = schedule["journals.supervisor_digest"]
    assert (digest.hour, digest.minute) == ({8}, {0})
    assert {"journals.remind_missing", "journals.supervisor_digest"} <= set(app.tasks)
