"""Project-level views: the health check and the 404 handler."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
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


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL nothing matches: JSON under ``/api/`` (an integration reads the same
    error shape as from any API view), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("Not found."))}, status=404)
    return page_not_found(request, exception)
