"""Project-level views: the health check and the 404 handler."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found


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


def _queue_consumers() -> dict[str, list[str]] | str:
    """The queues each Celery worker consumes, from one broadcast (``active_queues``) that
    waits 1 s for replies: ``{worker hostname: [queue names]}``, empty when none answered,
    or ``"error: <exception class>"`` when the broadcast itself failed."""
    from .celery import app

    try:
        replies = app.control.inspect(timeout=1.0).active_queues() or {}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"error: {exc.__class__.__name__}"
    return {
        str(host): sorted(str(q.get("name", "")) for q in (queues or []))
        for host, queues in replies.items()
    }


def _consumer_status(consumers: dict[str, list[str]] | str, queue: str) -> str:
    """``"ok: N"`` (N workers consume ``queue``), or an ``"error: ..."`` saying why not."""
    if isinstance(consumers, str):
        return consumers
    count = sum(1 for queues in consumers.values() if queue in queues)
    if count:
        return f"ok: {count}"
    if not consumers:
        return "error: no worker answered"
    return f"error: no worker consumes the queue {queue}"


def _worker_statuses() -> dict[str, str]:
    """``{"worker": ...}`` and, when settings.KPI_QUEUE is set, ``{"kpi_worker": ...}``.

    ``worker`` counts the workers consuming the default queue (``celery``); ``kpi_worker``
    those consuming KPI_QUEUE (the niced ``kpiworker`` of the Procfile, docs/deploy.md,
    "Load"). Both come from one broadcast (:func:`_queue_consumers`). Values: ``"eager"``
    (tasks run in-process), ``"embedded"`` (``make run``'s filesystem broker: not checked),
    ``"ok: N"`` or ``"error: ..."``.
    """
    kpi_queue = settings.KPI_QUEUE
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        mode = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "embedded"
        return {"worker": mode, **({"kpi_worker": mode} if kpi_queue else {})}
    from .celery import app

    consumers = _queue_consumers()
    out = {"worker": _consumer_status(consumers, str(app.conf.task_default_queue))}
    if kpi_queue:
        out["kpi_worker"] = _consumer_status(consumers, kpi_queue)
    return out


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
    "worker", "beat"}``, plus ``"kpi_worker"`` when settings.KPI_QUEUE is set; 200 when the
    database and Redis answer, at least one Celery worker consuming the default queue (and,
    with KPI_QUEUE, one consuming that queue) answers within 1 s, and beat ticked within
    READY_BEAT_MAX_AGE seconds; else 503 (docs/deploy.md, "Health"). Without Redis, workers
    and beat are "eager" or "embedded" and not checked.
    """
    checks = {
        "database": _database_status(),
        "broker": _broker_status(),
        **_worker_statuses(),
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
            body = "<h1>503</h1><p>{}</p>".format(
                _("SalesOps is briefly unavailable. Please try again in a minute.")
            )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "30"
        return response
    return default_server_error(request)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL nothing matches: the usual page. Under ``/api/``
    ``salesops.middleware.ApiErrorJsonMiddleware`` turns it into the API's JSON error
    (the one place that rule lives, for every error status and with ``DEBUG`` on too)."""
    return page_not_found(request, exception)
