"""The Celery application.

With ``REDIS_URL`` set, tasks go through Redis to ``make worker`` and the
periodic ones are scheduled by ``make beat``; without it, tasks run eagerly in
the calling process (settings.CELERY_TASK_ALWAYS_EAGER).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")

app = Celery("salesops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="salesops.ping", time_limit=10, soft_time_limit=8)
def ping(value: str = "pong") -> str:
    """Return ``value`` unchanged: a round trip through the broker and a worker."""
    return value
