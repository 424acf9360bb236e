"""Meeting mode in Debian's chromium at phone size (375x812), in both languages: the
supervisor runs the morning meeting one rep per screen, types minutes, records two action
items and finds them again at the next meeting, where one is ticked off; the first
meeting's summary goes to the team's group robot (a loopback DingTalk robot)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import delivery
from journals.models import ActionItem, MeetingMinutes
from salesops.tests.robots import SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "next": "Next",
        "carried": "Open action items from earlier meetings",
        "saved": "Saved",
        "sent": "Summary sent to 1 group robot",
    },
    "zh-CN": {
        "next": "下一位",
        "carried": "以前会议未完成的行动项",
        "saved": "保存",
        "sent": "纪要摘要已发往 1 个群机器人",
    },
}


def no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_supervisor_runs_a_morning_meeting_and_sees_its_action_items_next_time(
    org, page_for, live_server, locale, robot
):
    words = TEXT[locale]
    delivery.channel_save(
        team=org.team_a,
        by=org.supervisor,
        platform="dingtalk",
        webhook_url=f"{robot.url}/dingtalk",
        secret=SECRET,
    )
    today = timezone.localdate()
    page = page_for(org.supervisor, width=375, locale=locale)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/journals/morning-meeting/?day={today.isoformat()}")
    no_overflow(page)
    page.click("[data-testid=present]")
    slides = page.locator("[data-testid=meeting-slide]")
    expect(slides).to_have_count(2)  # the two reps of team A
    expect(slides.nth(0)).to_be_visible()
    expect(slides.nth(1)).to_be_hidden()
    expect(page.locator("[data-testid=slide-counter]")).to_have_text("1 / 2")
    page.keyboard.press("ArrowRight")
    expect(slides.nth(1)).to_be_visible()
    expect(slides.nth(0)).to_be_hidden()
    page.keyboard.press("ArrowLeft")
    expect(slides.nth(0)).to_be_visible()
    page.locator("[data-testid=slide-next]").click()
    expect(page.locator("[data-testid=slide-counter]")).to_have_text("2 / 2")
    expect(page.locator("[data-testid=meeting-timer]")).to_contain_text("00:0")
    no_overflow(page)

    absent = page.locator("[data-testid=attendance-toggle][data-member=teammate]")
    expect(absent).to_have_attribute("aria-pressed", "true")
    absent.click()
    expect(page.locator("[data-testid=attendance-toggle][data-member=teammate]")).to_have_attribute(
        "aria-pressed", "false"
    )
    page.fill("[data-testid=minutes-notes]", "王芳的复访计划要具体")
    expect(page.locator("[data-testid=minutes-status]")).to_contain_text(words["saved"])
    due = (today + dt.timedelta(days=2)).isoformat()
    for text, owner in (("送报价给腾飞", org.rep), ("约华信复访", org.teammate)):
        page.fill("[data-testid=item-text]", text)
        page.select_option("[data-testid=item-owner]", str(owner.pk))
        page.fill("[data-testid=item-due]", due)
        page.click("[data-testid=item-add]")
        expect(page.locator("[data-testid=raised-items]")).to_contain_text(text)
    expect(page.locator("[data-testid=raised-items] [data-testid=meeting-item]")).to_have_count(2)
    no_overflow(page)
    assert MeetingMinutes.objects.get(day=today, kind="morning").notes == "王芳的复访计划要具体"
    assert ActionItem.objects.filter(minutes__day=today, kind="action").count() == 2

    tomorrow = today + dt.timedelta(days=1)
    page.goto(f"{live_server.url}/journals/morning-meeting/?day={tomorrow.isoformat()}&present=1")
    carried = page.locator("[data-testid=carried-items]")
    expect(page.locator("#meeting-items")).to_contain_text(words["carried"])
    expect(carried.locator("[data-testid=meeting-item]")).to_have_count(2)
    expect(carried).to_contain_text("送报价给腾飞")
    expect(carried).to_contain_text("约华信复访")
    carried.locator("[data-testid=meeting-item]", has_text="送报价给腾飞").locator(
        "[data-testid=item-toggle]"
    ).click()
    expect(
        carried.locator("[data-testid=meeting-item]", has_text="送报价给腾飞").locator(
            "[data-testid=item-toggle]"
        )
    ).to_have_attribute("aria-pressed", "true")
    done = ActionItem.objects.get(text="送报价给腾飞")
    assert done.done_in is not None
    assert done.done_in.day == tomorrow
    no_overflow(page)

    page.goto(f"{live_server.url}/journals/meetings/minutes/?kind=morning&day={today.isoformat()}")
    expect(page.locator("[data-testid=minutes-text]")).to_have_text("王芳的复访计划要具体")
    expect(page.locator("[data-testid=minutes-actions]")).to_contain_text("约华信复访")
    no_overflow(page)
    page.click("[data-testid=minutes-post]")
    expect(page.locator(".alert-success")).to_contain_text(words["sent"])
    no_overflow(page)
    (text,) = robot.texts("dingtalk")  # signed, accepted by the robot
    assert "送报价给腾飞" in text
    assert "约华信复访" in text
    assert "王芳的复访计划要具体" in text
    assert "出席 2/3" in text  # the teammate was marked absent
    assert "王芳（缺席）" in text
