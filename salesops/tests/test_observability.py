"""Structured logs: one record per request with its id, user and duration, one per login
attempt and per denied access; JSON lines in production; /readyz."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _records(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, Any]]:
    """The attributes (the ``extra`` fields included) of the records of logger ``name``."""
    return [vars(r) for r in caplog.records if r.name == name]


def test_each_request_writes_one_record_with_id_user_status_and_duration(client, org, caplog):
    client.force_login(org.supervisor)
    with caplog.at_level(logging.INFO, logger="salesops.access"):
        response = client.get(reverse("journals:inbox"), HTTP_X_REQUEST_ID="proxy-id-12345")
    assert response["X-Request-ID"] == "proxy-id-12345"
    (record,) = _records(caplog, "salesops.access")
    assert (record["method"], record["path"], record["status"]) == ("GET", "/journals/inbox/", 200)
    assert (record["user"], record["request_id"]) == (org.supervisor.username, "proxy-id-12345")
    assert record["duration_ms"] > 0


def test_a_bad_incoming_request_id_is_replaced(client, caplog):
    with caplog.at_level(logging.INFO, logger="salesops.access"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(response["X-Request-ID"]) == 32
    assert _records(caplog, "salesops.access")[0]["user"] == ""


def test_every_login_attempt_writes_one_record(client, org, caplog):
    url = reverse("accounts:login")
    with caplog.at_level(logging.INFO, logger="salesops.security"):
        client.post(url, {"username": org.rep.username, "password": "wrong"})
        client.post(url, {"username": org.rep.username, "password": PASSWORD})
    logins = [r for r in _records(caplog, "salesops.security") if r["event"] == "login"]
    assert [(r["outcome"], r["username"]) for r in logins] == [
        ("failed", org.rep.username),
        ("ok", org.rep.username),
    ]


def test_a_denied_access_writes_one_record(client, org, caplog):
    client.force_login(org.rep)
    with caplog.at_level(logging.INFO, logger="salesops.security"):
        assert client.get(reverse("journals:inbox")).status_code == 403
    (denied,) = [r for r in _records(caplog, "salesops.security") if r["event"] == "access_denied"]
    assert (denied["user"], denied["path"], denied["status"]) == (
        org.rep.username,
        "/journals/inbox/",
        403,
    )


def test_the_json_formatter_writes_one_parseable_line_with_the_context():
    from django.conf import settings
    from pythonjsonlogger.json import JsonFormatter

    from salesops.observability import ContextFilter, request_id_var

    logging_config: dict[str, Any] = settings.LOGGING
    spec = dict(logging_config["formatters"]["json"])
    spec.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**spec))
    handler.addFilter(ContextFilter())
    log = logging.getLogger("salesops.test-json")
    log.addHandler(handler)
    token = request_id_var.set("abc123abc")
    try:
        log.warning("hello", extra={"duration_ms": 12.5})
    finally:
        request_id_var.reset(token)
        log.removeHandler(handler)
    line = json.loads(stream.getvalue().strip())
    assert line["message"] == "hello"
    assert (line["level"], line["logger"]) == ("WARNING", "salesops.test-json")
    assert (line["request_id"], line["duration_ms"]) == ("abc123abc", 12.5)


def test_readyz_without_a_broker_reports_eager_and_is_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "eager",
        "worker": "eager",
        "beat": "eager",
    }


def test_readyz_is_503_when_redis_is_unreachable(client, settings):
    from salesops.tests.brokers import closed_port

    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.REDIS_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from salesops.tests.brokers import broker

    with broker(url, settings):
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["broker"].startswith("error")
    assert body["worker"].startswith("error")
    assert body["beat"].startswith("error")


class _Replies:
    """Stands in for ``app.control.inspect(...)``: the workers' ``active_queues`` replies."""

    def __init__(self, replies: dict[str, list[dict[str, str]]]) -> None:
        self.replies = replies

    def active_queues(self) -> dict[str, list[dict[str, str]]]:
        return self.replies


def _ready_with_workers(client, settings, monkeypatch, replies, kpi_queue):
    """/readyz with Redis configured, the broker and beat fine, and these worker replies."""
    from salesops import views
    from salesops.celery import app

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.KPI_QUEUE = kpi_queue
    monkeypatch.setattr(views, "_broker_status", lambda: "ok")
    monkeypatch.setattr(views, "_beat_status", lambda: "ok: 3 s ago")
    monkeypatch.setattr(app.control, "inspect", lambda timeout: _Replies(replies))
    return client.get("/readyz")


def test_readyz_is_503_when_no_worker_consumes_the_kpi_queue(client, settings, monkeypatch):
    only_default = {"celery@web1": [{"name": "celery"}]}
    response = _ready_with_workers(client, settings, monkeypatch, only_default, "kpi")
    assert response.status_code == 503
    assert response.json()["worker"] == "ok: 1"
    assert response.json()["kpi_worker"] == "error: no worker consumes the queue kpi"


def test_readyz_counts_the_kpi_workers_when_the_kpi_queue_is_set(client, settings, monkeypatch):
    both = {
        "celery@web1": [{"name": "celery"}],
        "kpi@web1": [{"name": "kpi"}],
        "kpi@web2": [{"name": "kpi"}],
    }
    response = _ready_with_workers(client, settings, monkeypatch, both, "kpi")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "worker": "ok: 1",
        "kpi_worker": "ok: 2",
        "beat": "ok: 3 s ago",
    }


def test_readyz_is_503_when_only_the_kpi_worker_runs(client, settings, monkeypatch):
    only_kpi = {"kpi@web1": [{"name": "kpi"}]}
    response = _ready_with_workers(client, settings, monkeypatch, only_kpi, "kpi")
    assert response.status_code == 503
    assert response.json()["worker"] == "error: no worker consumes the queue celery"
    assert response.json()["kpi_worker"] == "ok: 1"


def test_readyz_without_a_kpi_queue_reports_no_kpi_worker(client, settings, monkeypatch):
    response = _ready_with_workers(client, settings, monkeypatch, {}, "")
    assert response.status_code == 503
    assert response.json()["worker"] == "error: no worker answered"
    assert "kpi_worker" not in response.json()


@pytest.mark.integration
def test_readyz_asks_the_real_workers_for_the_kpi_queue(client, settings):
    """Against CI's real worker (default queue only): a KPI queue nobody consumes is
    reported, the default queue is not."""
    settings.KPI_QUEUE = "kpi-nobody-consumes"
    body = client.get("/readyz").json()
    assert body["worker"].startswith("ok: ")
    assert body["kpi_worker"] == "error: no worker consumes the queue kpi-nobody-consumes"


def test_a_database_error_answers_503_with_retry_after(rf):
    from django.db import OperationalError

    from salesops.views import server_error

    request = rf.get("/journals/inbox/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
