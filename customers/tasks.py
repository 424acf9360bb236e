"""Celery tasks of the customers app (docs/architecture.md, Background work): thin wrappers
that take ids, re-fetch rows and call one service. Tasks import the services, never the
other way round: the services enqueue by task name (``import_service.IMPORT_TASK``)."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.utils.translation import gettext as _

from salesops.celery import Heartbeat

from . import import_service, pool_rules
from .import_service import IMPORT_TASK, IMPORT_TIME_LIMIT
from .models import ImportJob

logger = logging.getLogger(__name__)

IMPORT_SOFT_TIME_LIMIT = 28 * 60
IMPORT_MAX_RETRIES = 3


@shared_task(
    bind=True,
    name=IMPORT_TASK,
    acks_late=True,
    time_limit=IMPORT_TIME_LIMIT,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    max_retries=IMPORT_MAX_RETRIES,
)
def import_job_run(self: Task, job_id: int) -> None:
    """Run the import job ``job_id`` once.

    Claims the job with a conditional update (pending -> running): a re-delivered or
    duplicated message finds it no longer pending and does nothing, unless the job's
    heartbeat is stale (its worker is gone): then it resumes the job. While it runs, the
    job's heartbeat is kept fresh (salesops.celery.Heartbeat). A lost database
    connection puts the job back to pending and retries (at most IMPORT_MAX_RETRIES, 30 s
    apart; not when running eagerly in the web process); the retry resumes after the
    chunks already saved. Any other error, or the
    soft time limit, fails the job with a message; saved chunks are kept.
    """
    if not import_service.import_job_claim(job_id=job_id):
        return
    job = ImportJob.objects.select_related("team", "owner", "created_by").get(pk=job_id)
    try:
        with Heartbeat(lambda: import_service.import_job_heartbeat(job_id=job_id)):
            import_service.import_job_execute(job=job)
    except OperationalError as exc:
        # Eager mode (no broker) runs inside the web request: no one would retry later.
        if self.request.is_eager or self.request.retries >= IMPORT_MAX_RETRIES:
            logger.exception("import job %s: database error, giving up", job_id)
            import_service.import_job_fail(
                job_id=job_id, message=_("The database was unavailable; retry later.")
            )
            return
        logger.warning("import job %s: database error, retrying: %s", job_id, exc)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.PENDING
        )
        raise self.retry(exc=exc, countdown=30) from exc
    except SoftTimeLimitExceeded:
        logger.warning("import job %s: soft time limit reached", job_id)
        import_service.import_job_fail(
            job_id=job_id,
            message=_(
                "The import took too long and was stopped; the rows saved so far are kept. "
                "Retry to continue."
            ),
        )
    except Exception:
        logger.exception("import job %s failed", job_id)
        import_service.import_job_fail(
            job_id=job_id,
            message=_(
                "The import stopped because of an unexpected error; the rows saved so far "
                "are kept. Retry to continue."
            ),
        )


@shared_task(name="customers.import_reconcile", time_limit=120, soft_time_limit=100)
def import_reconcile() -> dict[str, int]:
    """Beat, every RECONCILE_EVERY_SECONDS: re-queue import jobs whose worker or message
    was lost (customers.import_service.recovery). Idempotent; safe on several machines."""
    return import_service.import_reconcile()


@shared_task(
    name="customers.auto_release",
    time_limit=600,
    soft_time_limit=540,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
)
def auto_release() -> int:
    """Nightly: release customers without follow-up for ``OrgSettings.auto_release_days``
    to their team's public pool (0: off). Idempotent: a released customer has no owner."""
    return pool_rules.customers_auto_release()
