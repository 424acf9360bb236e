"""Small defects of the daily loop: visit times later than now, far check-ins flagged to
the supervisor in m/km, no empty appointment row in the morning meeting, calendar-day
distances on the customer list (docs/domain, section 3)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from journals import services
from journals.models import Visit
from journals.tests.factories import make_customer, plan, submitted, visit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_visit_later_than_now_is_refused_with_a_message_on_the_time(client, org):
    now = timezone.localtime()
    if now.hour >= 23:
        pytest.skip("no later time left today")
    journal = services.journal_get_or_create_today(rep=org.rep, day=now.date())
    customer = make_customer(org.rep)
    client.force_login(org.rep)
    url = reverse("journals:visit_add", args=[journal.pk])
    later = (now + dt.timedelta(minutes=30)).strftime("%H:%M")
    if later < now.strftime("%H:%M"):
        pytest.skip("30 minutes from now is tomorrow")
    refused = client.post(
        url,
        {"customer": customer.pk, "purpose": "first", "time": later, "outcome": "info"},
        HTTP_ACCEPT_LANGUAGE="en",
        **HTMX,
    )
    assert refused.status_code == 200
    assert "later than now" in refused.content.decode()
    assert not Visit.objects.exists()
    ok = client.post(
        url,
        {
            "customer": customer.pk,
            "purpose": "first",
            "time": now.strftime("%H:%M"),
            "outcome": "info",
        },
        **HTMX,
    )
    assert ok.status_code == 200
    assert Visit.objects.count() == 1


def test_far_check_in_reads_in_km_and_is_flagged_in_the_supervisors_inbox(client, org):
    day = timezone.localdate() - dt.timedelta(days=1)
    journal = services.journal_get_or_create_today(rep=org.rep, day=day)
    customer = make_customer(org.rep)
    at = timezone.now()
    visit(journal, customer, checkin_distance_m=1_952_933, checkin_accuracy_m=25, checked_in_at=at)
    visit(journal, make_customer(org.rep), checkin_distance_m=120, checked_in_at=at)
    submitted(journal)
    client.force_login(org.supervisor)
    detail = reverse("journals:journal_detail", args=[journal.pk])
    zh = client.get(detail, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "签到位置距客户 1953 公里" in zh
    assert "120 米" in zh
    assert "(±25 米)" in zh
    en = client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Checked in 1,953 km from the customer" in en
    assert "(±25 m)" in en
    inbox = reverse("journals:inbox") + f"?team={org.team_a.pk}&day={day:%Y-%m-%d}"
    zh = client.get(inbox, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="far-checkin"' in zh
    assert "1 次远距离签到" in zh
    en = client.get(inbox, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 far check-in" in en
    assert "more than 500 m" in en


def test_no_far_flag_for_near_check_ins(client, org):
    day = timezone.localdate() - dt.timedelta(days=1)
    journal = services.journal_get_or_create_today(rep=org.rep, day=day)
    visit(journal, make_customer(org.rep), checkin_distance_m=500)
    submitted(journal)
    client.force_login(org.supervisor)
    inbox = reverse("journals:inbox") + f"?team={org.team_a.pk}&day={day:%Y-%m-%d}"
    assert 'data-testid="far-checkin"' not in client.get(inbox).content.decode()


def test_the_morning_meeting_shows_no_empty_appointment_row(client, org):
    day = dt.date(2026, 3, 3)  # a Tuesday; the previous work day is Monday 2 March
    monday = services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 2))
    plan(monday, "first", make_customer(org.rep))
    submitted(monday)
    client.force_login(org.supervisor)
    url = reverse("journals:morning_meeting") + f"?team={org.team_a.pk}&day={day}"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<td>约访</td>" not in page
    plan(monday, "appointment", make_customer(org.rep))
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<td>约访</td>" in page


def test_last_activity_reads_today_yesterday_tomorrow_never_minus_one_days(client, org):
    now = timezone.localtime()
    names = {
        "昨晚客户": now - dt.timedelta(days=1),
        "今天客户": now,
        "明天客户": now + dt.timedelta(days=1),
    }
    for name, when in names.items():
        customer = make_customer(org.rep, name=name)
        Customer.objects.filter(pk=customer.pk).update(last_activity_at=when)
    client.force_login(org.rep)
    page = client.get(reverse("customers:customer_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "(昨天)" in text
    assert "(今天)" in text
    assert "(明天)" in text
    assert "-1 天前" not in text
    assert "0 天前" not in text
