"""The daily loop in Debian's chromium, in both languages ("Done when"): the supervisor
sets the team's DingTalk robot (a loopback robot that checks the signature), chases a
missing journal; the rep gets it in-app and in the robot channel, files the journal and
mentions the supervisor with the picker (and corrects the comment in place: marked
edited); the supervisor reads it (the read receipt shows
to the rep) and reviews it with a comment typed but not sent, which is posted, not lost."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.calendar import work_calendar
from accounts.models import Chase, Notification
from journals.models import Comment, Journal, JournalRead
from salesops.tests.robots import SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "en": {
        "saved": re.compile("Saved"),
        "submitted": "Submitted",
        "reviewed": "Reviewed",
        "sent": "Sent",
        "chased": "is asking for your journal of",
        "edited": "edited",
    },
    "zh-CN": {
        "saved": re.compile("已.*保存"),
        "submitted": "已提交",
        "reviewed": "已审阅",
        "sent": "已发送",
        "chased": "催您提交",
        "edited": "已编辑",
    },
}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_chase_file_mention_read_and_review(org, page_for, live_server, robot, locale):
    words = TEXTS[locale]
    day = work_calendar(org.team_a).previous_workday(timezone.localdate())
    base = live_server.url

    # the supervisor sets the team's DingTalk robot and sends a test message
    boss = page_for(org.supervisor, width=1280, locale=locale)
    boss.goto(f"{base}/accounts/teams/{org.team_a.code}/")
    boss.click("[data-testid=team-channels]")
    boss.select_option("select[name=platform]", "dingtalk")
    boss.fill("input[name=webhook_url]", f"{robot.url}/dingtalk")
    boss.fill("input[name=secret]", SECRET)
    boss.click("[data-testid=channel-form] button[type=submit]")
    expect(boss.locator("[data-testid=channel]")).to_have_count(1)
    boss.locator("[data-testid=channel] button").first.click()
    expect(boss.locator("[data-testid=deliveries]")).to_contain_text(words["sent"])
    assert len(robot.texts("dingtalk")) == 1

    # ... and chases the missing journals of the previous work day with one click
    boss.goto(f"{base}/journals/inbox/?team={org.team_a.pk}&day={day.isoformat()}")
    boss.click("[data-testid=chase-all]")
    expect(boss.locator("[data-testid=chased]")).to_have_count(2)  # rep and teammate
    assert Chase.objects.filter(user=org.rep, period=day).count() == 1
    assert org.rep.name in robot.texts("dingtalk")[-1]
    assert len(robot.texts("dingtalk")) == 2

    # the rep gets it in-app, follows it to the calendar and files the journal late
    rep = page_for(org.rep, width=375, locale=locale)
    rep.on("dialog", lambda dialog: dialog.accept())
    rep.goto(f"{base}/accounts/notifications/")
    note = rep.locator("main", has_text=org.supervisor.name)
    expect(note).to_contain_text(day.isoformat())
    expect(note).to_contain_text(words["chased"])  # a notice code, read in the page's language
    rep.locator(f"a[href*='/journals/calendar/?month={day:%Y-%m}']").first.click()
    rep.locator(f"form:has(input[name=day][value='{day.isoformat()}']) button").click()
    rep.fill("#id_summary", "补交：两次拜访")
    expect(rep.locator("#autosave-status")).to_contain_text(words["saved"])
    # Leaving the field sends its "change" autosave; let it answer before the submit, as
    # the live server shares one SQLite connection between its request threads.
    with rep.expect_response(lambda r: "/autosave/" in r.url):
        rep.locator("#id_summary").blur()
    rep.click("[data-testid=submit-journal]")
    expect(rep.locator("[data-testid=journal-status]")).to_have_text(words["submitted"])
    journal = Journal.objects.get(rep=org.rep, day=day)

    # ... and mentions the supervisor with the picker
    rep.goto(f"{base}/journals/{journal.pk}/")
    rep.fill("#mention-q", org.supervisor.name[:1])
    rep.click("[data-mention-pick=supervisor]")
    rep.locator("#id_comment_text").press("End")
    rep.locator("#id_comment_text").press_sequentially("请看我的补交", delay=5)
    rep.locator("#comments form:has(textarea) button[type=submit]").click()
    expect(rep.locator("#comments .mention[data-mention=supervisor]")).to_have_count(1)
    # ... corrects the comment in place: it shows as edited, the mention still highlighted
    rep.locator("#comments [data-testid=comment]").last.locator(
        "[data-testid=comment-edit]"
    ).click()
    box = rep.locator("[data-testid=comment-edit-form] textarea")
    box.press("End")
    box.press_sequentially("，谢谢", delay=5)
    rep.click("[data-testid=comment-save]")
    expect(rep.locator("#comments [data-testid=comment-edited]")).to_contain_text(words["edited"])
    expect(rep.locator("#comments .mention[data-mention=supervisor]")).to_have_count(1)
    assert Comment.objects.get(journal__rep=org.rep).text.endswith("请看我的补交，谢谢")
    assert Notification.objects.filter(user=org.supervisor, key__startswith="journal-mention:")
    assert rep.evaluate("document.documentElement.scrollWidth") <= 375

    # the supervisor reads it: the rep sees the read receipt
    boss.goto(f"{base}/journals/{journal.pk}/")
    expect(boss.locator("[data-testid=read-receipts]")).to_contain_text(org.supervisor.name)
    assert JournalRead.objects.filter(journal=journal, reader=org.supervisor).exists()
    rep.reload()
    expect(rep.locator("[data-testid=reader]")).to_contain_text(org.supervisor.name)

    # ... and reviews it with a comment typed but not sent: it is posted, not lost
    boss.fill("#id_comment_text", "记得周三前跟进报价")
    boss.fill("#id_evaluation", "补交及时")
    boss.click("[data-testid=mark-reviewed]")
    expect(boss.locator("[data-testid=journal-status]")).to_have_text(words["reviewed"])
    expect(boss.locator("#comments")).to_contain_text("记得周三前跟进报价")
    assert Comment.objects.filter(journal=journal, text="记得周三前跟进报价").count() == 1
    journal.refresh_from_db()
    assert (journal.status, journal.evaluation) == (Journal.Status.REVIEWED, "补交及时")
