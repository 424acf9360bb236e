"""Recognition is posted to the team's group robot when the channel takes it."""

from __future__ import annotations

import pytest

from accounts import delivery
from coaching.services import recognition_give
from salesops.tests.robots import SECRET

pytestmark = pytest.mark.django_db


def test_recognition_is_posted_to_the_team_robot(org, robot, django_capture_on_commit_callbacks):
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform="feishu",
        webhook_url=f"{robot.url}/feishu",
        secret=SECRET,
        topics=("recognition",),
    )
    with django_capture_on_commit_callbacks(execute=True):
        recognition_give(
            by=org.supervisor, rep=org.rep, behaviour="当天回访三家", impact="带动全组"
        )
    assert len(robot.texts("feishu")) == 1
    assert "当天回访三家" in robot.texts("feishu")[0]
