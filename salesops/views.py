"""Project-level views: the health check."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    if not settings.REDIS_URL:  # embedded filesystem broker (`make run`)
        queue = settings.CELERY_DATA_DIR / "queue"
        return "embedded" if queue.is_dir() else "error: no queue folder"
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status", "database", "broker"}``; 200 when every configured service answers, else 503.

    ``broker`` is "eager" when tasks run in-process (no broker), "embedded" with the
    filesystem broker of ``make run``, "ok" when Redis answers.
    """
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok" and broker in {"ok", "eager", "embedded"}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


READY_BEAT_MAX_AGE = 120
"""Seconds since beat's last tick after which /readyz reports beat as late."""


def _worker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    if not settings.REDIS_URL:
        return "embedded"
    from .celery import app

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"error: {exc.__class__.__name__}"
    return f"ok: {len(replies)}" if replies else "error: no worker answered"


def _beat_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    if not settings.REDIS_URL:
        return "embedded"
    import time

    from .beat import beat_last_tick

    try:
        last = beat_last_tick()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"error: {exc.__class__.__name__}"
    if last is None:
        return "error: never ran"
    age = time.time() - last
    return f"ok: {age:.0f} s ago" if age <= READY_BEAT_MAX_AGE else f"error: {age:.0f} s ago"


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for a load balancer or an operator: ``{"status", "database", "broker",
    "worker", "beat"}``; 200 when the database and Redis answer, at least one Celery worker
    answers a ping within 1 s, and beat ticked within READY_BEAT_MAX_AGE seconds; else 503.
    Without Redis, worker and beat are "eager" or "embedded" and not checked.
    """
    checks = {
        "database": _database_status(),
        "broker": _broker_status(),
        "worker": _worker_status(),
        "beat": _beat_status(),
    }
    ready = all(not value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", **checks}, status=200 if ready else 503
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that cannot be reached answers 503 with ``Retry-After`` (the
    page is fine, the service is briefly unavailable: a proxy or a person retries); any
    other error gives Django's plain 500 page. Logged either way by ``django.request``."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.views.defaults import server_error as default_server_error

    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        body: str
        try:
            body = render_to_string("503.html", request=None)
        except Exception:  # noqa: BLE001 - the error page must never fail itself
            from django.utils.translation import gettext as _

            body = "<h1>503</h1><p>{}</p>".format(
                _("SalesOps is briefly unavailable. Please try again in a minute.")
            )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response
    return default_server_error(request)
