"""Chases and reminders are notice codes with values (``accounts.notifying``): each
recipient reads them in their own language, in-app and by e-mail; the robot channel gets
the organisation's language. Weekly chases go out like journal chases (in-app, e-mail,
robot). The morning reminder and the escalation share one rule: one reminder per overdue
next step and day (docs/domain, section 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accounts import delivery
from accounts.models import Notification, OrgSettings
from customers.models import CustomerNote, Stage
from domain.periods import period_of
from journals import services
from journals.models import Journal, Visit
from journals.tests.factories import local_dt, make_customer, submitted, visit
from salesops.tests.robots import SECRET
from weekly.chasing import weekly_chase, weekly_reminders_before_deadline

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)  # a Monday, a work day
WEEK = period_of(DAY, "week")


def _languages(org):
    org.rep.language = "zh-hans"
    org.rep.save(update_fields=["language"])
    org.teammate.language = "en"
    org.teammate.save(update_fields=["language"])


def _robot_channel(org, robot, platform="dingtalk"):
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform=platform,
        webhook_url=f"{robot.url}/{platform}",
        secret=SECRET,
    )


def test_one_journal_chase_reads_in_each_recipients_language_in_app_mail_and_robot(
    org, robot, client_for, django_capture_on_commit_callbacks
):
    _languages(org)
    _robot_channel(org, robot)
    with django_capture_on_commit_callbacks(execute=True):
        chases = services.journal_chase(team=org.team_a, day=DAY, by=org.supervisor)
    assert {c.user for c in chases} == {org.rep, org.teammate}
    boss = org.supervisor.name
    zh = f"{boss} 催您提交 {DAY} 的工作日志"
    en = f"{boss} is asking for your journal of {DAY}"
    zh_note = Notification.objects.get(user=org.rep, key__startswith="journal-chase:")
    en_note = Notification.objects.get(user=org.teammate, key__startswith="journal-chase:")
    assert zh_note.message["title"]["msgid"] == en_note.message["title"]["msgid"]  # a code
    assert (zh_note.title, en_note.title) == (zh, en)
    # in-app: each one's notification page, whatever the browser asks for
    page = reverse("accounts:notification_list")
    assert zh in client_for(org.rep).get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert en in client_for(org.teammate).get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # e-mail: each in their language
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[org.rep.email] == zh
    assert subjects[org.teammate.email] == en
    # the group's robot: one message in the organisation's language (zh-hans)
    [text] = robot.texts("dingtalk")
    assert "催交" in text
    assert org.rep.name in text
    assert org.teammate.name in text


def test_the_reminder_before_the_deadline_reads_in_each_recipients_language(org):
    _languages(org)
    assert services.journal_reminders_before_deadline(now=local_dt(DAY, 20, 15)) >= 2
    zh = Notification.objects.get(user=org.rep, key=f"journal-due:{DAY}")
    en = Notification.objects.get(user=org.teammate, key=f"journal-due:{DAY}")
    assert zh.title == f"您 {DAY} 的工作日志 21:00 截止"
    assert en.title == f"Your journal of {DAY} is due at 21:00"


def test_a_weekly_chase_goes_in_app_by_mail_and_to_the_robot_in_each_language(
    org, robot, django_capture_on_commit_callbacks
):
    _languages(org)
    _robot_channel(org, robot, "feishu")
    with django_capture_on_commit_callbacks(execute=True):
        chases = weekly_chase(team=org.team_a, period=WEEK, by=org.supervisor)
    assert {c.user for c in chases} == {org.rep, org.teammate}
    boss = org.supervisor.name
    zh = Notification.objects.get(user=org.rep, key__startswith="weekly-chase:")
    en = Notification.objects.get(user=org.teammate, key__startswith="weekly-chase:")
    assert en.title == f"{boss} is asking for your weekly report of {WEEK.key}"
    assert zh.title != en.title
    assert WEEK.key in zh.title
    assert "周报" in zh.title
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {org.rep.email: zh.title, org.teammate.email: en.title}
    [text] = robot.texts("feishu")
    assert org.rep.name in text
    assert WEEK.key in text
    assert "周报" in text


def test_the_weekly_reminder_before_the_deadline_reads_in_each_language(org):
    _languages(org)
    friday = WEEK.start + dt.timedelta(days=4)
    assert weekly_reminders_before_deadline(now=local_dt(friday, 20, 30)) >= 2
    en = Notification.objects.get(user=org.teammate, key=f"weekly-due:{WEEK.key}")
    zh = Notification.objects.get(user=org.rep, key=f"weekly-due:{WEEK.key}")
    assert en.title == f"Your weekly report of {WEEK.key} is due at 21:00"
    assert "周报" in zh.title


def test_an_overdue_next_step_reminds_its_rep_once_a_day_whichever_job_runs(org):
    OrgSettings.objects.update_or_create(
        pk=1,
        defaults={
            "follow_up_rep_days": 1,
            "follow_up_supervisor_days": 0,
            "follow_up_pool_days": 0,
        },
    )
    _languages(org)
    due = dt.date(2026, 11, 2)
    customer = make_customer(org.rep, stage=Stage.TARGET, name="华信物流有限公司")
    journal = services.journal_get_or_create_today(rep=org.rep, day=due - dt.timedelta(days=3))
    visit(journal, customer, next_step="送报价", next_step_date=due)

    def reminders():
        return Notification.objects.filter(user=org.rep, key__startswith="follow-up-rep:")

    day1 = due + dt.timedelta(days=1)
    services.follow_ups_due_send(now=local_dt(day1, 8))  # the morning reminder
    assert services.follow_ups_escalate(today=day1)["rep"] == 0  # already reminded today
    services.follow_ups_due_send(now=local_dt(day1, 8))
    assert reminders().count() == 1
    assert reminders().get().title == "跟进逾期：华信物流有限公司"  # the rep's language
    day2 = due + dt.timedelta(days=2)
    assert services.follow_ups_escalate(today=day2)["rep"] == 1  # escalation first this time
    services.follow_ups_due_send(now=local_dt(day2, 8))
    assert reminders().count() == 2  # one per step and day
    assert CustomerNote.objects.filter(customer=customer).count() == 1  # noted once
    # the next step done (a later visit marks it) ends the reminders
    Visit.objects.filter(customer=customer).update(next_step_done=True)
    day3 = due + dt.timedelta(days=3)
    services.follow_ups_due_send(now=local_dt(day3, 8))
    assert services.follow_ups_escalate(today=day3)["rep"] == 0
    assert reminders().count() == 2


def test_a_submitted_journal_is_not_chased(org):
    submitted(Journal.objects.create(rep=org.rep, team=org.team_a, day=DAY))
    chases = services.journal_chase(team=org.team_a, day=DAY, by=org.supervisor)
    assert org.rep not in {c.user for c in chases}
