"""Account pages: login, lockout, sessions, profile, team pages, notifications."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import Notification
from accounts.services import notification_send, user_deactivate
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_login_page_speaks_the_browsers_language(client):
    zh = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    en = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in zh.content.decode()
    assert "Log in" in en.content.decode()
    fallback = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "登录" in fallback.content.decode()


def test_every_page_has_the_language_switcher(client, org):
    client.force_login(org.rep)
    page = client.get(reverse("accounts:profile"))
    assert 'data-testid="language-switcher"' in page.content.decode()


def test_login_starts_a_new_session_and_shows_navigation(client, org):
    client.get(reverse("accounts:login"))
    before = client.session.session_key
    response = login(client, "rep")
    assert response.status_code == 302
    assert client.session.session_key != before
    profile = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Log out" in profile.content.decode()


def test_ten_wrong_passwords_lock_the_user_from_that_address_only(client, org):
    for _ in range(10):
        login(client, "rep", "wrong-password", ip="10.0.0.9")
    locked = login(client, "rep", ip="10.0.0.9")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    other_address = login(client, "rep", ip="10.0.0.10")
    assert other_address.status_code == 302
    client.logout()
    other_user = login(client, "teammate", ip="10.0.0.9")
    assert other_user.status_code == 302


def test_nine_wrong_passwords_do_not_lock(client, org):
    for _ in range(9):
        login(client, "rep", "wrong-password", ip="10.0.0.7")
    assert login(client, "rep", ip="10.0.0.7").status_code == 302


def test_password_validators_refuse_common_and_allow_passphrases(client, org):
    client.force_login(org.rep)
    url = reverse("accounts:password_change")
    common = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert common.status_code == 200
    assert common.context["form"].errors
    phrase = "the quick brown fox jumps over the lazy dog every morning at six"
    ok = client.post(
        url, {"old_password": PASSWORD, "new_password1": phrase, "new_password2": phrase}
    )
    assert ok.status_code == 302


def test_password_reset_sends_an_email_with_a_working_link(client, org):
    response = client.post(reverse("accounts:password_reset"), {"email": "rep@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    confirm = client.get(path, follow=True)
    assert confirm.context["validlink"]


def test_deactivating_a_user_ends_their_session(client, org):
    client.force_login(org.rep)
    assert client.get(reverse("accounts:profile")).status_code == 200
    user_deactivate(user=org.rep)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_sessions_expire_after_eight_idle_hours():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_REFRESH_SECONDS <= 5 * 60


def _session_row(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_session_expiry_moves_forward_at_most_every_refresh_interval(client, org):
    """The idle expiry is written again once the last write is older than
    SESSION_REFRESH_SECONDS, and not on the requests in between (accounts.middleware)."""
    from django.contrib.sessions.backends.db import SessionStore

    client.force_login(org.rep)
    profile = reverse("accounts:profile")
    assert client.get(profile).status_code == 200
    first = _session_row(client).expire_date
    assert client.get(profile).status_code == 200
    assert _session_row(client).expire_date == first  # within the interval: no write
    # Make the last write look six minutes old: the next request writes the expiry again.
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(session_key=key)
    store["_refreshed"] = store["_refreshed"] - 6 * 60
    store.save()
    before = _session_row(client).expire_date
    response = client.get(profile)
    assert response.status_code == 200
    assert _session_row(client).expire_date > before
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600


def test_anonymous_requests_create_no_session(client):
    from django.contrib.sessions.models import Session

    assert client.get(reverse("accounts:login")).status_code == 200
    assert not Session.objects.exists()


def test_profile_edit_saves_own_fields(client, org):
    client.force_login(org.rep)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "张伟伟", "email": "zw@example.com", "phone": "13800138000"},
    )
    assert response.status_code == 302
    org.rep.refresh_from_db()
    assert org.rep.display_name == "张伟伟"
    assert org.rep.phone == "13800138000"


def test_supervisor_sees_team_members_and_roles(client, org):
    client.force_login(org.supervisor)
    page = client.get(reverse("accounts:team_detail", args=[org.team_a.code]))
    assert page.status_code == 200
    names = {m.user.username for m in page.context["members"]}
    assert names == {"rep", "teammate", "supervisor"}


@pytest.mark.parametrize("persona", ["rep", "supervisor", "outsider"])
def test_other_team_pages_answer_404(client, org, persona):
    client.force_login(getattr(org, persona))
    other = org.team_s if persona != "outsider" else org.team_a
    assert client.get(reverse("accounts:team_detail", args=[other.code])).status_code == 404


def test_manager_sees_both_teams_of_the_branch_and_not_the_other(client, org):
    client.force_login(org.manager)
    page = client.get(reverse("accounts:team_list"))
    teams = {row["team"].code for row in page.context["rows"]}
    assert teams == {"north-1", "north-2"}
    assert client.get(reverse("accounts:team_detail", args=["south-1"])).status_code == 404


def test_notifications_are_sent_once_and_counted(client, org):
    assert notification_send(user=org.rep, key="k1", title="Hello") is not None
    assert notification_send(user=org.rep, key="k1", title="Hello") is None
    client.force_login(org.rep)
    page = client.get(reverse("accounts:notification_list"))
    assert page.context["unread_count"] == 1
    client.post(reverse("accounts:notification_read"))
    assert Notification.objects.get(user=org.rep).read_at is not None


def test_notifications_of_others_are_not_listed_or_markable(client, org):
    note = notification_send(user=org.teammate, key="k", title="private")
    assert note is not None
    client.force_login(org.rep)
    page = client.get(reverse("accounts:notification_list"))
    assert list(page.context["page"].object_list) == []
    client.post(reverse("accounts:notification_read"), {"id": note.pk})
    note.refresh_from_db()
    assert note.read_at is None


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_team_page_shows_findings_and_links_for_leads_only(client, org):
    from django.utils import timezone

    from accounts.scoping import local_today
    from coaching.models import Finding

    Finding.objects.create(
        rep=org.rep,
        team=org.team_a,
        period_kind="month",
        period_start=local_today().replace(day=1),
        symptom="few_targets",
        computed_at=timezone.now(),
    )
    client.force_login(org.supervisor)
    page = client.get(
        reverse("accounts:team_detail", args=[org.team_a.code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = page.content.decode()
    assert "Too few target customers" in body
    assert reverse("coaching:heatmap") in body
    client.force_login(org.rep)
    page = client.get(
        reverse("accounts:team_detail", args=[org.team_a.code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert "Too few target customers" not in page.content.decode()
