"""Celery tasks of the journals app: thin wrappers around services (docs/architecture.md,
Background work). Both are idempotent: notification keys are unique per person and day,
so a task that runs twice (retry, two beat processes) notifies nobody twice."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services

# A run that fails on a passing database error is retried; notifications already sent
# are not sent again (their keys are unique), so a retry only finishes the job.
RETRY = {"autoretry_for": (OperationalError,), "max_retries": 3, "retry_backoff": True}


@shared_task(name="journals.remind_missing", time_limit=300, soft_time_limit=240, **RETRY)
def remind_missing() -> int:
    """At the deadline: remind each person whose journal for today is missing."""
    return services.journal_reminders_send()


@shared_task(name="journals.supervisor_digest", time_limit=300, soft_time_limit=240, **RETRY)
def supervisor_digest() -> int:
    """Morning digest: each supervisor gets the previous work day's missing and late."""
    return services.journal_digest_send()


@shared_task(name="journals.follow_up_escalate", time_limit=600, soft_time_limit=540, **RETRY)
def follow_up_escalate() -> dict[str, int]:
    """Every morning: overdue next steps alert the rep, then the supervisor, then go to
    the public pool (``OrgSettings`` days; idempotent through notification keys)."""
    return services.follow_ups_escalate()
