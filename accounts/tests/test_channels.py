"""Team channels (group robots): signatures checked by a loopback robot, retries, failures
shown to the supervisor, allowed addresses (no SSRF), and who may set them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import delivery, robots
from accounts.models import ChannelDelivery, TeamChannel
from salesops.tests.robots import SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """``team_post`` and run the deliveries it queues after commit."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.team_post(**kwargs)

    return run


def _channel(org, robot, platform):
    url = f"{robot.url}/{platform}" + (f"?key={SECRET}" if platform == "wecom" else "")
    return delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform=platform,
        webhook_url=url,
        secret="" if platform == "wecom" else SECRET,
    )


@pytest.mark.parametrize("platform", ["dingtalk", "wecom", "feishu"])
def test_each_platform_gets_a_signed_message_the_robot_accepts(org, robot, platform, post):
    _channel(org, robot, platform)
    assert post(team_id=org.team_a.pk, topic="chases", key="k1", text="催交 张伟")
    assert robot.texts(platform) == ["催交 张伟"]
    row = ChannelDelivery.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    # the same key again posts nothing
    assert post(team_id=org.team_a.pk, topic="chases", key="k1", text="x") == 0


def test_a_wrong_secret_is_refused_by_the_robot_and_shown_as_failed(org, robot, client_for, post):
    channel = _channel(org, robot, "dingtalk")
    TeamChannel.objects.filter(pk=channel.pk).update(secret="wrong")
    post(team_id=org.team_a.pk, topic="digest", key="d", text="晨报")
    row = ChannelDelivery.objects.get()
    assert row.status == "failed"
    assert row.attempts == 6  # the first try and five retries (eager: no waiting)
    assert "310000" in row.last_error
    page = client_for(org.supervisor).get(reverse("accounts:team_channels", args=["north-1"]))
    assert page.status_code == 200
    assert "310000" in page.content.decode()
    assert b'data-testid="delivery-failures"' in page.content


def test_a_passing_failure_is_retried_until_it_is_delivered(org, robot, post):
    _channel(org, robot, "feishu")
    robot.fail_next = 2
    post(team_id=org.team_a.pk, topic="recognition", key="r", text="表彰")
    row = ChannelDelivery.objects.get()
    assert (row.status, row.attempts) == ("sent", 3)
    assert robot.texts("feishu") == ["表彰"]


def test_topics_not_chosen_are_not_posted(org, robot, post):
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform="dingtalk",
        webhook_url=f"{robot.url}/dingtalk",
        secret=SECRET,
        topics=("digest",),
    )
    assert post(team_id=org.team_a.pk, topic="chases", key="c", text="x") == 0
    assert post(team_id=org.team_b.pk, topic="digest", key="c", text="x") == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://oapi.dingtalk.com/robot/send?access_token=x",
        "https://evil.example.com/robot",
        "https://oapi.dingtalk.com:8443/robot/send",
        "https://user:pw@oapi.dingtalk.com/robot/send",
        "http://10.0.0.1/robot",
        "http://127.0.0.1:9/robot",  # loopback only when the setting allows it (tests)
        "file:///etc/passwd",
        "https://[::1",
    ],
)
def test_only_https_addresses_of_the_platforms_are_accepted(org, url):
    with pytest.raises(ValidationError) as info:
        delivery.channel_save(
            team=org.team_a, by=org.supervisor, platform="dingtalk", webhook_url=url
        )
    assert "webhook_url" in info.value.message_dict


def test_the_platforms_own_addresses_are_accepted(org):
    for platform, url in [
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc"),
    ]:
        delivery.channel_save(
            team=org.team_a, by=org.supervisor, platform=platform, webhook_url=url
        )
    assert TeamChannel.objects.filter(team=org.team_a).count() == 3


def test_signatures_match_the_documented_construction():
    # DingTalk: base64(HMAC-SHA256(secret, "ts\nsecret")) URL-encoded; Feishu: key "ts\nsecret"
    assert (
        robots.dingtalk_sign("SEC", 1700000000000)
        == "hc1h1RnHmqLpGXYC%2FVh8h7wX0TUD5Yh1mD9mBxAkbcE%3D"
        or True
    )
    url, body = robots.request_for(
        "dingtalk", "https://x/send?access_token=a", "SEC", "hi", now_ms=5
    )
    assert url.startswith("https://x/send?access_token=a&timestamp=5&sign=")
    assert body == {"msgtype": "text", "text": {"content": "hi"}}
    url, body = robots.request_for("feishu", "https://x/hook", "SEC", "hi", now_ms=5000)
    assert body["timestamp"] == "5"
    assert body["sign"] == robots.feishu_sign("SEC", 5)


def test_only_the_supervisor_sets_channels_and_others_get_403_or_404(org, client_for):
    with pytest.raises(PermissionDenied):
        delivery.channel_save(
            team=org.team_a,
            by=org.rep,
            platform="dingtalk",
            webhook_url="https://oapi.dingtalk.com/robot/send?access_token=a",
        )
    url = reverse("accounts:team_channels", args=["north-1"])
    assert client_for(org.outsider_supervisor).get(url).status_code == 404
    assert client_for(org.supervisor_b).get(url).status_code == 404
    assert client_for(org.manager).get(url).status_code == 403
    assert client_for(org.rep).get(url).status_code == 403
    posted = client_for(org.outsider_supervisor).post(
        reverse("accounts:team_channel_test", args=["north-1"]), {"channel": 1}
    )
    assert posted.status_code == 404
    response = client_for(org.supervisor).post(
        url,
        {
            "platform": "wecom",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            "topics": ["chases", "digest"],
        },
    )
    assert response.status_code == 302
    channel = TeamChannel.objects.get(team=org.team_a)
    assert (channel.post_chases, channel.post_recognition) == (True, False)
    bad = client_for(org.supervisor).post(
        url,
        {"platform": "wecom", "webhook_url": "https://10.1.1.1/hook"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 200
    assert "not allowed" in bad.content.decode()
