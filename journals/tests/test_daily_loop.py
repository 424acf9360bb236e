"""The daily loop: chasing (催交) journals, the reminder before the deadline, read
receipts, @mentions (picker, highlighting, feedback, texts addressed to the reader) and
follow-up reminders, with the team's robot channel (a loopback robot)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts import delivery
from accounts.models import Chase, Notification
from journals import services
from journals.models import Journal, JournalRead
from journals.tests.factories import local_dt, make_customer, submitted, visit
from salesops.tests.robots import SECRET

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)  # a Monday, a work day
AFTER = local_dt(DAY, 22)  # after the default 21:00 deadline


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_supervisor_chases_everyone_who_owes_and_the_robot_channel_gets_it(
    org, robot, django_capture_on_commit_callbacks
):
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform="dingtalk",
        webhook_url=f"{robot.url}/dingtalk",
        secret=SECRET,
    )
    submitted(Journal.objects.create(rep=org.teammate, team=org.team_a, day=DAY))
    with django_capture_on_commit_callbacks(execute=True):
        chases = services.journal_chase(team=org.team_a, day=DAY, by=org.supervisor)
    assert [c.user for c in chases] == [org.rep]  # the teammate filed: not chased
    note = Notification.objects.get(user=org.rep, key=f"journal-chase:{chases[0].pk}")
    assert note.title == f"{org.supervisor.name} 催您提交 {DAY} 的工作日志"  # the org language
    assert len(robot.texts("dingtalk")) == 1
    assert org.rep.name in robot.texts("dingtalk")[0]
    # one person again: a second chase is recorded and shown
    services.journal_chase(team=org.team_a, day=DAY, by=org.supervisor, user=org.rep)
    assert Chase.objects.filter(user=org.rep, period=DAY, kind="journal").count() == 2
    with pytest.raises(ValidationError):
        services.journal_chase(team=org.team_a, day=DAY, by=org.supervisor, user=org.teammate)
    with pytest.raises(PermissionDenied):
        services.journal_chase(team=org.team_a, day=DAY, by=org.supervisor_b)


def test_chase_from_the_inbox_shows_who_was_chased(org, client_for):
    client = client_for(org.supervisor)
    day = timezone.localdate() - dt.timedelta(days=7)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    here = reverse("journals:inbox") + f"?team={org.team_a.pk}&day={day.isoformat()}"
    page = client.get(here)
    assert b'data-testid="chase-all"' in page.content
    response = client.post(
        reverse("journals:journal_chase"),
        {"team": org.team_a.pk, "day": day.isoformat(), "user": org.rep.pk, "next": here},
    )
    assert response.status_code == 302
    assert Chase.objects.get().user == org.rep
    page = client.get(here)
    assert b'data-testid="chased"' in page.content
    # another team's supervisor cannot chase team_a (the team is not theirs to see)
    other = client_for(org.outsider_supervisor).post(
        reverse("journals:journal_chase"), {"team": org.team_a.pk, "day": day.isoformat()}
    )
    assert other.status_code in (403, 404)
    assert Chase.objects.count() == 1


def test_reminder_before_the_deadline_goes_once_to_those_who_have_not_filed(org):
    submitted(Journal.objects.create(rep=org.teammate, team=org.team_a, day=DAY))
    early = local_dt(DAY, 15)
    assert services.journal_reminders_before_deadline(now=early) == 0
    soon = local_dt(DAY, 20, 15)
    assert services.journal_reminders_before_deadline(now=soon) == 3  # rep, rep_b, outsider
    assert services.journal_reminders_before_deadline(now=soon) == 0
    assert Notification.objects.filter(user=org.rep, key=f"journal-due:{DAY}").exists()
    assert not Notification.objects.filter(user=org.teammate).exists()
    assert Chase.objects.get(user=org.rep).by is None


def test_read_receipts_are_shown_to_the_author_and_supervisor(org, client_for):
    journal = submitted(Journal.objects.create(rep=org.rep, team=org.team_a, day=DAY))
    url = reverse("journals:journal_detail", args=[journal.pk])
    page = client_for(org.supervisor).get(url)
    assert JournalRead.objects.get(journal=journal).reader == org.supervisor
    assert b'data-testid="read-receipts"' in page.content
    client_for(org.manager).get(url)  # the manager reads: recorded, list not shown
    assert JournalRead.objects.filter(journal=journal).count() == 2
    own = client_for(org.rep).get(url)
    assert JournalRead.objects.filter(journal=journal, reader=org.rep).count() == 0
    assert org.supervisor.name in own.content.decode()
    assert b'data-testid="read-receipts"' not in client_for(org.manager).get(url).content


def test_mentions_are_highlighted_and_unreachable_names_are_reported(org, client_for):
    journal = submitted(Journal.objects.create(rep=org.rep, team=org.team_a, day=DAY))
    org.rep.language = "en"  # each notification in its reader's language, not the author's
    org.rep.save(update_fields=["language"])
    client = client_for(org.supervisor)
    response = client.post(
        reverse("journals:comment_add", args=[journal.pk]),
        {"text": "@manager 请看 @outsider @nobody"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert 'class="mention" data-mention="manager"' in html
    assert 'data-mention="outsider"' not in html
    assert 'data-testid="mention-unreachable"' in html
    assert "@outsider" in html
    assert "@nobody" in html
    titles = {n.user.username: n.title for n in Notification.objects.select_related("user")}
    assert titles["rep"] == f"{org.supervisor.name} commented on your journal of {DAY}"
    assert titles["manager"].startswith(f"{org.supervisor.name} 在 {org.rep.name}")  # zh-hans
    assert "outsider" not in titles


def test_the_mention_picker_lists_only_people_who_may_see_the_journal(org, client_for):
    journal = submitted(Journal.objects.create(rep=org.rep, team=org.team_a, day=DAY))
    url = reverse("journals:mention_candidates", args=[journal.pk])
    html = client_for(org.rep).get(url, {"q": ""}).content.decode()
    assert 'data-mention-pick="supervisor"' in html
    assert 'data-mention-pick="teammate"' not in html  # a rep does not see others' journals
    assert 'data-mention-pick="manager"' in html
    assert "outsider" not in html
    assert "rep_b" not in html
    assert 'data-mention-pick="rep"' not in html  # not oneself
    one = client_for(org.rep).get(url, {"q": "李"}).content.decode()
    assert 'data-mention-pick="supervisor"' in one
    assert "manager" not in one
    assert client_for(org.outsider).get(url).status_code == 404


def test_a_next_step_due_today_reminds_the_rep_and_overdue_ones_go_to_the_channel(
    org, robot, django_capture_on_commit_callbacks
):
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform="feishu",
        webhook_url=f"{robot.url}/feishu",
        secret=SECRET,
    )
    today = timezone.localdate()
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=today - dt.timedelta(3))
    customer = make_customer(org.rep, name="华信物流有限公司")
    visit(journal, customer, next_step="送报价", next_step_date=today)
    other = make_customer(org.rep, name="星河电子有限公司")
    visit(journal, other, next_step="回访", next_step_date=today - dt.timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_ups_due_send() == 1
    note = Notification.objects.get(user=org.rep, key=f"follow-ups-due:{today}")
    assert "华信物流有限公司: 送报价" in note.body
    assert any("星河电子有限公司" in t for t in robot.texts("feishu"))
    assert services.follow_ups_due_send() == 0


def test_the_private_calendar_feed_lists_plans_and_next_steps_and_can_be_revoked(
    org, client_for, client
):
    from icalendar import Calendar

    from journals.models import CalendarFeed
    from journals.tests.factories import plan

    today = timezone.localdate()
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=today)
    customer = make_customer(org.rep, name="华信物流有限公司")
    plan(journal, "explanation", customer)
    visit(journal, customer, next_step="送报价", next_step_date=today + dt.timedelta(days=2))
    manage = reverse("journals:calendar_feed_manage")
    client_for(org.rep).post(manage, {"action": "rotate"})
    token = CalendarFeed.objects.get(user=org.rep).token
    client.logout()
    feed = client.get(reverse("journals:calendar_feed", args=[token]))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert len(summaries) == 2
    assert any("华信物流有限公司" in s for s in summaries)
    assert {e.decoded("DTSTART") for e in events} == {today, today + dt.timedelta(days=2)}
    # a new address replaces the old; revoking removes it
    client_for(org.rep).post(manage, {"action": "rotate"})
    client.logout()
    assert client.get(reverse("journals:calendar_feed", args=[token])).status_code == 404
    client_for(org.rep).post(manage, {"action": "revoke"})
    assert not CalendarFeed.objects.exists()


def test_the_supervisor_sees_the_teams_overdue_follow_ups_and_the_rep_sees_them_today(
    org, client_for
):
    today = timezone.localdate()
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=today - dt.timedelta(5))
    visit(
        journal,
        make_customer(org.rep, name="星河电子有限公司"),
        next_step="回访",
        next_step_date=today - dt.timedelta(1),
    )
    other = Journal.objects.create(rep=org.rep_b, team=org.team_b, day=today - dt.timedelta(5))
    visit(
        other,
        make_customer(org.rep_b, name="南山软件有限公司"),
        next_step="催款",
        next_step_date=today - dt.timedelta(1),
    )
    page = client_for(org.supervisor).get(reverse("journals:follow_ups"))
    html = page.content.decode()
    assert "星河电子有限公司" in html
    assert "南山软件有限公司" not in html
    assert client_for(org.rep).get(reverse("journals:follow_ups")).status_code == 403
    today_page = client_for(org.rep).get(reverse("journals:today")).content.decode()
    assert 'data-testid="overdue-steps"' in today_page
    calendar = client_for(org.rep).get(reverse("journals:calendar")).content.decode()
    assert 'data-testid="next-steps"' in calendar or today.day == 1


def test_the_morning_digest_goes_to_the_team_robot(org, robot, django_capture_on_commit_callbacks):
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform="wecom",
        webhook_url=f"{robot.url}/wecom?key={SECRET}",
        topics=("digest",),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.journal_digest_send(now=local_dt(DAY + dt.timedelta(days=1), 8))
    texts = robot.texts("wecom")
    assert len(texts) == 1
    assert org.rep.name in texts[0]
