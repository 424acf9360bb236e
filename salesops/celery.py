"""The Celery application and the helpers every app's background work shares.

With ``REDIS_URL`` set, tasks go through Redis to the workers and the periodic ones are
scheduled by beat (``salesops.beat``); without it, tasks run eagerly in the calling process
(settings.CELERY_TASK_ALWAYS_EAGER) or through the embedded filesystem broker.

- :func:`enqueue` sends a task from a web request without ever failing the request: a
  broker outage is bounded by short timeouts (settings, "Celery"), logged, and left to
  the reconcilers, which find the job row or dirty mark that was not sent.
- :class:`Heartbeat` keeps a job row's heartbeat fresh while a task works on it, so the
  reconcilers can tell a job whose worker is gone (docs/deploy.md, "Jobs recover").
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")

app = Celery("salesops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("salesops.tasks")


@app.task(name="salesops.ping", time_limit=10, soft_time_limit=8, ignore_result=False)
def ping(value: str = "pong") -> str:
    """Return ``value`` unchanged: a round trip through the broker and a worker."""
    return value


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import KombuError
    from redis.exceptions import RedisError

    return (KombuError, RedisError, OSError)


def enqueue(
    name: str,
    *,
    args: tuple[Any, ...] | list[Any] = (),
    kwargs: dict[str, Any] | None = None,
    countdown: float | None = None,
) -> bool:
    """Send the registered task ``name`` with ``args``/``kwargs`` (after ``countdown``
    seconds); True when the broker took it.

    Never raises for a broker outage: the attempt is bounded (about 1-3 s with the
    settings' timeouts), the failure is logged with the task name and arguments, and
    False is returned so the caller can leave a mark for a reconciler. With eager Celery
    the task runs here and its own errors propagate as usual.
    """
    task = app.tasks[name]
    if app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
        return True
    started = time.monotonic()
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except _broker_errors() as exc:
        logger.error(
            "enqueue failed: %s args=%s after %.1f s (%s: %s); left to the reconciler",
            name,
            list(args),
            time.monotonic() - started,
            exc.__class__.__name__,
            exc,
        )
        return False
    return True


def queue_length(*queues: str) -> int | None:
    """Messages waiting in the Redis queues ``queues`` together (default: the default queue
    ``celery``); None without Redis or when it is down. Empty names are skipped."""
    from django.conf import settings

    if not settings.REDIS_URL:
        return None
    import redis

    names = [q for q in queues or ("celery",) if q]
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return sum(int(client.llen(name)) for name in names)
    except redis.exceptions.RedisError:
        return None


def kpi_queues() -> tuple[str, ...]:
    """The queues a KPI run's messages may wait in: ``celery`` and, when set,
    settings.KPI_QUEUE (docs/deploy.md, "Load")."""
    from django.conf import settings

    return ("celery", settings.KPI_QUEUE) if settings.KPI_QUEUE else ("celery",)


class Heartbeat:
    """While the ``with`` block runs, call ``beat()`` every ``every`` seconds from a
    background thread (its own database connection, closed at the end); ``beat()`` is also
    called once on entry. With eager Celery (tests, inline runs) only the first beat is
    written: the caller's request finishes the job anyway. Errors in ``beat`` are logged,
    never raised into the task.
    """

    def __init__(self, beat: Callable[[], object], every: float | None = None) -> None:
        from django.conf import settings

        self._beat = beat
        self._every = float(every or settings.JOB_HEARTBEAT_SECONDS)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _loop(self) -> None:
        from django.db import connection

        try:
            while not self._stop.wait(self._every):
                try:
                    self._beat()
                except Exception:  # noqa: BLE001 - a missed beat only delays recovery
                    logger.warning("heartbeat failed", exc_info=True)
        finally:
            connection.close()

    def __enter__(self) -> Heartbeat:
        self._beat()
        if not app.conf.task_always_eager:
            self._thread = threading.Thread(target=self._loop, name="heartbeat", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
