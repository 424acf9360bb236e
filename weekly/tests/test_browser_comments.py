"""In Debian's chromium, both languages: the supervisor comments a rep's weekly report and
@mentions the rep and the manager with the picker (highlighted, notified); a name outside
the report's scope is reported as not notified; the supervisor corrects the comment in
place (marked edited) and deletes another after confirming."""

import pytest
from playwright.sync_api import expect

from accounts.models import Notification
from weekly.models import ReportStatus, WeeklyComment
from weekly.tests.factories import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh-CN": {"edited": "已编辑", "unreachable": "未通知"},
    "en": {"edited": "edited", "unreachable": "Not notified"},
}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_weekly_comment_mentions_edit_and_delete(org, page_for, live_server, locale):
    words = WORDS[locale]
    r = report(org.rep, org.team_a)
    r.status = ReportStatus.SUBMITTED
    r.save(update_fields=["status"])
    page = page_for(org.supervisor, width=375, locale=locale)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/weekly/{r.pk}/")

    # mention the rep and the manager with the picker, and someone outside the scope
    page.fill("#mention-q", "rep")
    page.click("[data-mention-pick=rep]")
    page.fill("#mention-q", org.manager.name[:1])
    page.click("[data-mention-pick=manager]")
    page.locator("#id_comment_text").press("End")
    page.locator("#id_comment_text").press_sequentially("本周拜访量不错 @outsider", delay=5)
    page.locator("#comments form:has(textarea) button[type=submit]").click()
    expect(page.locator("#comments .mention[data-mention=rep]")).to_have_count(1)
    expect(page.locator("#comments .mention[data-mention=manager]")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(words["unreachable"])
    assert Notification.objects.filter(user=org.rep, key__startswith="weekly-mention:")
    assert Notification.objects.filter(user=org.manager, key__startswith="weekly-mention:")
    assert not Notification.objects.filter(user=org.outsider).exists()

    # correct it in place: marked edited, mentions still highlighted
    page.locator("[data-testid=comment-edit]").first.click()
    box = page.locator("[data-testid=comment-edit-form] textarea")
    box.press("Control+End")
    box.press_sequentially("，继续保持", delay=5)
    page.click("[data-testid=comment-save]")
    expect(page.locator("#comments [data-testid=comment-edited]")).to_contain_text(words["edited"])
    expect(page.locator("#comments .mention[data-mention=manager]")).to_have_count(1)
    assert WeeklyComment.objects.get().text.endswith("继续保持")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # a second comment, deleted after confirming: gone from the page and the database
    page.fill("#id_comment_text", "发错了")
    page.locator("#comments form:has(textarea) button[type=submit]").click()
    expect(page.locator("#comments [data-testid=comment]")).to_have_count(2)
    page.locator("#comments [data-testid=comment]").last.locator(
        "[data-testid=comment-delete]"
    ).click()
    expect(page.locator("#comments [data-testid=comment]")).to_have_count(1)
    expect(page.locator("#comments h2 .badge")).to_have_text("1")
    assert WeeklyComment.objects.count() == 1
