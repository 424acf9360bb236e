"""A meeting's summary goes to the team's group robot (a loopback DingTalk/Feishu robot
checking signatures): attendance, decisions, action items with owners and due dates; the
button is the supervisor's, another team's supervisor cannot post or read it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import delivery
from accounts.models import ChannelDelivery
from accounts.scoping import scope_for
from journals.models import ActionItem, Exemption
from journals.services import action_item_add, minutes_save_notes
from salesops.tests.robots import SECRET

pytestmark = pytest.mark.django_db

POST = reverse("journals:minutes_post")


def _meeting(org, day: dt.date) -> None:
    scope = scope_for(org.supervisor, day)
    args = {"scope": scope, "team": org.team_a, "kind": "morning", "day": day, "by": org.supervisor}
    minutes_save_notes(**args, notes="王芳的复访计划要具体")
    action_item_add(**args, item_kind="decision", text="周五前清理公海", owner=None, due=None)
    for text, owner in (("送报价给腾飞", org.rep), ("约华信复访", org.teammate)):
        action_item_add(
            **args, item_kind="action", text=text, owner=owner, due=day + dt.timedelta(days=2)
        )


def _channel(org, robot, platform: str, topics=delivery.TOPICS) -> None:
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform=platform,
        webhook_url=f"{robot.url}/{platform}",
        secret=SECRET,
        topics=topics,
    )


def test_supervisor_posts_the_summary_to_the_team_robot(
    org, robot, client_for, django_capture_on_commit_callbacks
):
    day = timezone.localdate()
    _meeting(org, day)
    Exemption.objects.create(user=org.teammate, kind="leave", start=day, end=day)
    _channel(org, robot, "dingtalk")
    _channel(org, robot, "feishu")
    client = client_for(org.supervisor)
    page = client.get(reverse("journals:minutes_detail"), {"kind": "morning", "day": day})
    assert b'data-testid="minutes-post"' in page.content
    assert "王芳" in page.content.decode()  # teammate listed as absent on the page
    form = {"kind": "morning", "team": org.team_a.pk, "day": day.isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(POST, form, follow=True)
    assert answer.status_code == 200
    for platform in ("dingtalk", "feishu"):
        (text,) = robot.texts(platform)  # the signature was accepted
        assert "北一组" in text
        assert day.isoformat() in text
        assert "出席 2/3" in text  # rep and supervisor; the teammate is on leave
        assert "王芳（请假）" in text or "王芳 (请假)" in text
        assert "周五前清理公海" in text
        due = (day + dt.timedelta(days=2)).isoformat()
        assert f"送报价给腾飞（负责人 张伟，{due} 到期）" in text
        assert f"约华信复访（负责人 王芳，{due} 到期）" in text
        assert "王芳的复访计划要具体" in text
    assert set(ChannelDelivery.objects.values_list("status", flat=True)) == {"sent"}
    # a second click with nothing changed posts nothing; a change posts again
    with django_capture_on_commit_callbacks(execute=True):
        client.post(POST, form)
    assert len(robot.texts("dingtalk")) == 1
    ActionItem.objects.filter(text="送报价给腾飞").update(text="送报价给腾飞（含专线）")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(POST, form)
    assert len(robot.texts("dingtalk")) == 2
    assert "含专线" in robot.texts("dingtalk")[1]


def test_a_channel_without_the_meetings_topic_gets_nothing(
    org, robot, client_for, django_capture_on_commit_callbacks
):
    day = timezone.localdate()
    _meeting(org, day)
    _channel(org, robot, "feishu", topics=("digest",))
    form = {"kind": "morning", "team": org.team_a.pk, "day": day.isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for(org.supervisor).post(POST, form, follow=True)
    assert robot.texts("feishu") == []
    assert "没有接收会议纪要的群机器人" in answer.content.decode()


def test_only_the_teams_supervisor_posts(
    org, robot, client_for, django_capture_on_commit_callbacks
):
    day = timezone.localdate()
    _meeting(org, day)
    _channel(org, robot, "dingtalk")
    form = {"kind": "morning", "team": org.team_a.pk, "day": day.isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(org.rep).post(POST, form).status_code == 404
        assert client_for(org.supervisor_b).post(POST, form).status_code == 404
        assert client_for(org.outsider_supervisor).post(POST, form).status_code == 404
        # the manager reads the minutes but the team's robot is its supervisor's
        assert client_for(org.manager).post(POST, form).status_code == 403
    assert robot.received == []
    page = client_for(org.manager).get(
        reverse("journals:minutes_detail"), {"kind": "morning", "team": org.team_a.pk}
    )
    assert b'data-testid="minutes-post"' not in page.content


def test_a_member_marked_absent_is_absent_in_the_summary(
    org, robot, client_for, django_capture_on_commit_callbacks
):
    day = timezone.localdate()
    _meeting(org, day)
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform="feishu",
        webhook_url=f"{robot.url}/feishu",
        secret=SECRET,
    )
    client = client_for(org.supervisor)
    form = {"kind": "morning", "team": org.team_a.pk, "day": day.isoformat()}
    url = reverse("journals:meeting_attendance")
    answer = client.post(url, {**form, "user": org.rep.pk, "absent": "1"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert 'data-member="rep"' in answer.content.decode()
    assert 'aria-pressed="false"' in answer.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(POST, form)
    (text,) = robot.texts("feishu")
    assert "出席 2/3" in text
    assert "张伟（缺席）" in text
    # marked present again: the next summary counts them
    client.post(url, {**form, "user": org.rep.pk, "absent": "0"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(POST, form)
    assert "出席 3/3" in robot.texts("feishu")[1]


def test_attendance_refuses_outsiders_and_other_teams(org, client_for):
    day = timezone.localdate()
    url = reverse("journals:meeting_attendance")
    form = {"kind": "morning", "team": org.team_a.pk, "day": day.isoformat()}
    answer = client_for(org.supervisor).post(
        url, {**form, "user": org.rep_b.pk, "absent": "1"}, HTTP_HX_REQUEST="true"
    )
    assert "只有本组成员可以标记为缺席" in answer.content.decode()
    assert client_for(org.supervisor_b).post(url, {**form, "user": org.rep.pk}).status_code == 404
    assert client_for(org.rep).post(url, {**form, "user": org.rep.pk}).status_code == 404
    from journals.models import MeetingMinutes

    assert not MeetingMinutes.objects.filter(absent__isnull=False).exists()
