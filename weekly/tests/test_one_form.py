"""Nothing typed is lost on the weekly report: text, goals, summary and the key customer
being added are one form; adding or removing a key customer saves the text first, and
typing is saved as it goes (htmx autosave)."""

import pytest
from django.urls import reverse

from journals.tests.factories import make_customer
from weekly.models import WeeklyKeyCustomer
from weekly.tests.factories import report

pytestmark = pytest.mark.django_db


def test_adding_a_key_customer_keeps_analysis_goals_and_summary(org, client_for):
    r = report(org.rep, org.team_a)
    customer = make_customer(org.rep, name="腾飞")
    client = client_for(org.rep)
    response = client.post(
        reverse("weekly:report_edit", args=[r.pk]),
        {
            "analysis": "拜访量不足",
            "summary": "SPIN",
            "goal_visits": "6",
            "customer": customer.pk,
            "needs_analysis": "宽带升级",
            "action": "add_key",
        },
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert (r.analysis, r.summary, r.next_goals) == ("拜访量不足", "SPIN", {"visits": "6"})
    item = WeeklyKeyCustomer.objects.get(report=r)
    page = client.get(reverse("weekly:report_edit", args=[r.pk])).content.decode()
    assert "拜访量不足" in page
    response = client.post(
        reverse("weekly:report_edit", args=[r.pk]),
        {"analysis": "拜访量不足，已改", "summary": "SPIN", "remove_key": item.pk},
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.analysis == "拜访量不足，已改"
    assert not WeeklyKeyCustomer.objects.exists()


def test_a_refused_key_customer_comes_back_with_everything_typed(org, client_for):
    r = report(org.rep, org.team_a)
    theirs = make_customer(org.teammate)
    response = client_for(org.rep).post(
        reverse("weekly:report_edit", args=[r.pk]),
        {
            "analysis": "结果分析文字",
            "customer": theirs.pk,
            "tracking_plan": "周三演示",
            "action": "add_key",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "结果分析文字" in page
    assert "周三演示" in page


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "已于"), ("en", "Saved at")])
def test_autosave_saves_the_text_and_answers_with_the_status(org, client_for, language, words):
    r = report(org.rep, org.team_a)
    response = client_for(org.rep).post(
        reverse("weekly:report_edit", args=[r.pk]),
        {"analysis": "边写边存", "action": "autosave"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert words in response.content.decode()
    r.refresh_from_db()
    assert r.analysis == "边写边存"


def test_another_persons_report_cannot_be_autosaved(org, client_for):
    r = report(org.rep, org.team_a)
    url = reverse("weekly:report_edit", args=[r.pk])
    assert (
        client_for(org.outsider).post(url, {"analysis": "x", "action": "autosave"}).status_code
        == 404
    )
    assert (
        client_for(org.supervisor).post(url, {"analysis": "x", "action": "autosave"}).status_code
        == 403
    )
