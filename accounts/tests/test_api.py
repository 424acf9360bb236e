"""The accounts API: tokens (hashed, named, revoked), token and session auth, people,
memberships and moves between teams, throttling, JSON errors in the caller's language."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken, Membership, User
from accounts.services import api_token_create
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def token_client(user: User) -> APIClient:
    _row, text = api_token_create(user=user, name="test", expires_in_days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


def test_a_token_is_stored_hashed_and_authenticates_with_the_users_scope(org):
    row, text = api_token_create(user=org.rep, name="phone app", expires_in_days=90)
    stored = ApiToken.objects.get(pk=row.pk)
    assert text not in {stored.digest, stored.token_key}
    assert stored.digest == hashlib.sha512(text.encode()).hexdigest()
    assert text.startswith(stored.token_key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "rep"
    assert me.json()["role"] == "rep"
    assert me.json()["rep_team_ids"] == [org.team_a.pk]


def test_wrong_or_revoked_tokens_and_anonymous_callers_are_refused(org):
    client = APIClient()
    assert client.get("/api/v1/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token so_not-a-real-token")
    assert client.get("/api/v1/me/").status_code == 401
    row, text = api_token_create(user=org.rep, name="x", expires_in_days=None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    assert client.get("/api/v1/me/").status_code == 200
    session = APIClient()
    session.force_login(org.rep)
    assert session.delete(f"/api/v1/tokens/{row.token_key}/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_tokens_are_created_listed_and_revoked_on_the_profile_page(org, client):
    client.force_login(org.rep)
    response = client.post(
        reverse("accounts:token_create"), {"name": "HR sync", "expires_in_days": "365"}
    )
    assert response.status_code == 200
    text = response.context["new_token"]
    assert text
    assert text in response.content.decode()
    row = ApiToken.objects.get(user=org.rep)
    assert row.name == "HR sync"
    assert row.expiry is not None
    assert row.expiry.date() >= (dt.date.today() + dt.timedelta(days=364))
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "HR sync" in page
    assert text not in page  # shown once only
    again = client.post(reverse("accounts:token_create"), {"name": "HR sync"})
    assert again.status_code == 400
    assert ApiToken.objects.filter(user=org.rep).count() == 1
    # Somebody else's token cannot be revoked through my page.
    _other, _ = api_token_create(user=org.teammate, name="theirs")
    client.post(reverse("accounts:token_revoke", args=[_other.token_key]))
    assert ApiToken.objects.filter(user=org.teammate).exists()
    client.post(reverse("accounts:token_revoke", args=[row.token_key]))
    assert not ApiToken.objects.filter(user=org.rep).exists()


def test_token_endpoint_creates_once_visible_text_and_lists_without_it(org):
    client = APIClient()
    client.force_login(org.supervisor)
    created = client.post("/api/v1/tokens/", {"name": "BI tool", "expires_in_days": None})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["token"].startswith(body["token_key"])
    assert body["expiry"] is None
    listed = client.get("/api/v1/tokens/").json()
    assert [t["name"] for t in listed] == ["BI tool"]
    assert "token" not in listed[0]


def test_token_endpoints_are_throttled(org, monkeypatch):
    from accounts.api.common import TokenThrottle

    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {"tokens": "3/minute"})
    client = APIClient()
    client.force_login(org.rep)
    codes = [client.get("/api/v1/tokens/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_login_page_is_throttled_per_address_and_user(org, client, monkeypatch):
    from accounts.api.common import LoginUserThrottle

    monkeypatch.setattr(LoginUserThrottle, "THROTTLE_RATES", {"login_user": "2/minute"})
    url = reverse("accounts:login")
    for _ in range(2):
        assert client.post(url, {"username": "rep", "password": "wrong"}).status_code == 200
    blocked = client.post(url, {"username": "rep", "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    # Another user name from the same address is still let through.
    assert client.post(url, {"username": "teammate", "password": PASSWORD}).status_code == 302


def test_admin_creates_a_person_and_moves_them_between_teams(org):
    client = token_client(org.admin)
    created = client.post(
        "/api/v1/users/",
        {"username": "newrep", "display_name": "新人", "employee_no": "E900"},
        format="json",
    )
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    first = client.post(
        "/api/v1/memberships/",
        {"user": user_id, "unit": org.team_a.pk, "role": "rep", "start": "2026-01-01"},
        format="json",
    )
    assert first.status_code == 201, first.content
    moved = client.post(
        "/api/v1/memberships/",
        {"user": user_id, "unit": org.team_b.pk, "role": "rep", "start": "2026-06-01"},
        format="json",
    )
    assert moved.status_code == 201, moved.content
    rows = Membership.objects.filter(user_id=user_id).order_by("start")
    assert [(r.unit_id, r.start, r.end) for r in rows] == [
        (org.team_a.pk, dt.date(2026, 1, 1), dt.date(2026, 5, 31)),
        (org.team_b.pk, dt.date(2026, 6, 1), None),
    ]
    ended = client.post(
        f"/api/v1/memberships/{moved.json()['id']}/end/", {"end": "2026-12-31"}, format="json"
    )
    assert ended.status_code == 200
    assert ended.json()["end"] == "2026-12-31"
    # An HR sync finds the person by employee number.
    found = client.get("/api/v1/users/", {"employee_no": "E900"}).json()
    assert [u["username"] for u in found["results"]] == ["newrep"]


def test_only_admins_write_people_and_others_see_only_their_scope(org):
    client = token_client(org.supervisor)
    refused = client.post("/api/v1/users/", {"username": "x"}, format="json")
    assert refused.status_code == 403
    names = {u["username"] for u in client.get("/api/v1/users/").json()["results"]}
    assert names == {"rep", "teammate", "supervisor"}
    assert client.get(f"/api/v1/users/{org.outsider.pk}/").status_code == 404
    units = {u["code"] for u in client.get("/api/v1/units/").json()["results"]}
    assert units == {"north-1"}


def test_user_update_needs_the_current_etag(org):
    client = token_client(org.admin)
    url = f"/api/v1/users/{org.rep.pk}/"
    read = client.get(url)
    etag = read["ETag"]
    assert client.patch(url, {"phone": "1"}, format="json").status_code == 428
    ok = client.patch(url, {"phone": "13800000000"}, format="json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200
    assert ok["ETag"] != etag
    stale = client.patch(url, {"phone": "139"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert User.objects.get(pk=org.rep.pk).phone == "13800000000"


def test_errors_are_json_field_messages_in_the_requests_language(org):
    client = token_client(org.admin)
    zh = client.post(
        "/api/v1/users/", {"username": "rep"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    en = client.post(
        "/api/v1/users/", {"username": "rep"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert zh.status_code == en.status_code == 400
    assert "username" in zh.json()
    assert "username" in en.json()
    assert zh.json()["username"] != en.json()["username"]
    assert "already exists" in en.json()["username"][0]
    missing = client.post("/api/v1/memberships/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert set(missing.json()) == {"user", "unit", "role"}
    assert missing.json()["role"] == ["This field is required."]


def test_notifications_are_the_callers_own(org):
    from accounts.services import notification_send

    notification_send(user=org.rep, key="a", title="Hello")
    notification_send(user=org.teammate, key="b", title="Other")
    client = token_client(org.rep)
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert [r["title"] for r in rows] == ["Hello"]
    assert client.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0


def test_schema_and_docs_need_a_login_and_docs_assets_are_local(org, client):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code == 302
    client.force_login(org.rep)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs
