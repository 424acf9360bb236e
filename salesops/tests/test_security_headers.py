"""Response hardening: Content-Security-Policy, private caching, no server banner, safe
redirects, the API schema behind login, the login lockout behind reverse proxies."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Notification
from accounts.services import notification_send
from conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [p for p in ROOT.glob("**/templates") if ".venv" not in p.parts]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
                offenders += [
                    f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)
                ]
    assert offenders == []


def test_pages_send_a_content_security_policy_without_inline_scripts(client, org):
    client.force_login(org.rep)
    response = client.get(reverse("journals:today"))
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "Content-Security-Policy" in client.get(reverse("accounts:login")).headers


def test_logged_in_pages_and_exports_are_not_stored_by_caches(client, org):
    client.force_login(org.rep)
    for url in (reverse("journals:today"), reverse("customers:customer_list")):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control
        assert "private" in cache_control
    export = client.get(reverse("customers:customer_export") + "?format=xlsx")
    assert export.status_code == 200
    assert "attachment" in export["Content-Disposition"]
    assert "no-store" in export["Cache-Control"]
    assert "private" in export["Cache-Control"]


def test_no_server_header_leaves_the_app(client, org):
    client.force_login(org.rep)
    assert "Server" not in client.get(reverse("journals:today")).headers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_gunicorn_sends_no_server_banner(tmp_path):
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "salesops.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn from the venv
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "salesops.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        headers = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=2
                ) as r:  # noqa: S310
                    headers = r.headers
                    break
            except OSError:
                time.sleep(0.1)
        assert headers is not None, "gunicorn did not answer"
        assert headers.get("Server") is None
        assert "Content-Security-Policy" in headers
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_notification_read_never_redirects_off_site(client, org, target):
    client.force_login(org.rep)
    response = client.post(reverse("accounts:notification_read"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:notification_list")


def test_notification_read_follows_a_local_next_and_survives_a_huge_id(client, org):
    client.force_login(org.rep)
    local = client.post(reverse("accounts:notification_read"), {"next": "/journals/today/"})
    assert local["Location"] == "/journals/today/"
    notification_send(user=org.rep, key="hello", title="hello")
    huge = client.post(reverse("accounts:notification_read"), {"id": "9" * 30})
    assert huge.status_code == 302
    assert Notification.objects.filter(user=org.rep, read_at__isnull=True).exists()


def test_exemption_and_review_refuse_an_off_site_next(client, org):
    client.force_login(org.supervisor)
    response = client.post(reverse("journals:exemption_add"), {"next": "//evil.example/"})
    assert response["Location"] == reverse("journals:inbox")


def test_api_schema_and_docs_need_a_login(client, org):
    assert client.get("/api/schema/").status_code == 403
    assert client.get("/api/docs/").status_code == 403
    client.force_login(org.rep)
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert not INLINE_SCRIPT.search(docs.content.decode())


def _login(client, username, password, *, proxy_sees):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="10.9.9.9",  # the reverse proxy
        HTTP_X_FORWARDED_FOR=f"198.51.100.77, {proxy_sees}",  # left entry forged by the client
    )


def test_lockout_behind_one_proxy_keys_on_the_real_client(client, org, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(10):
        _login(client, "rep", "wrong", proxy_sees="203.0.113.1")
    assert _login(client, "rep", PASSWORD, proxy_sees="203.0.113.1").status_code == 429
    # The same user from another client behind the same proxy is not locked out.
    assert _login(client, "rep", PASSWORD, proxy_sees="203.0.113.2").status_code == 302


def test_without_trusted_proxies_forwarded_for_is_ignored(client, org, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        _login(client, "rep", "wrong", proxy_sees=f"203.0.113.{n}")  # a client faking addresses
    assert _login(client, "rep", PASSWORD, proxy_sees="203.0.113.99").status_code == 429
