"""Test helpers: point the Celery app of this process at another broker, and back."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from salesops.celery import app


def closed_port() -> int:
    """A loopback TCP port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reset_pools() -> None:
    """Close and forget every pooled connection and producer (kombu keeps global pools keyed
    by connection), so the next send connects to the broker now configured."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker(url: str, settings: object | None = None) -> Iterator[None]:
    """Send this process's tasks to ``url`` (no eager execution) inside the block; Django
    ``settings`` (the pytest-django fixture), when given, follow."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    _reset_pools()
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    if settings is not None:
        settings.CELERY_TASK_ALWAYS_EAGER = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _reset_pools()
        app.conf.broker_url, app.conf.task_always_eager = saved
        if settings is not None:
            settings.CELERY_TASK_ALWAYS_EAGER = saved[1]  # type: ignore[attr-defined]
