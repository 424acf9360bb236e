"""Celery tasks of the weekly app: thin wrappers around services (docs/architecture.md,
Background work); idempotent through unique notification keys."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .chasing import weekly_reminders_before_deadline

RETRY = {"autoretry_for": (OperationalError,), "max_retries": 3, "retry_backoff": True}


@shared_task(name="weekly.remind_before_deadline", time_limit=300, soft_time_limit=240, **RETRY)
def remind_before_deadline() -> int:
    """Before the week's deadline: remind reps whose weekly report is not submitted."""
    return weekly_reminders_before_deadline()
