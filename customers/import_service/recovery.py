"""Recovery of import jobs whose worker or message was lost (docs/deploy.md, "Jobs recover").

A running job's task refreshes ``ImportJob.heartbeat_at`` every ``JOB_HEARTBEAT_SECONDS``
(``salesops.celery.Heartbeat``). ``customers.import_reconcile`` (beat, every
``RECONCILE_EVERY_SECONDS``) calls :func:`import_reconcile`:

- a *running* job whose heartbeat is older than ``JOB_STALE_SECONDS`` lost its worker
  (killed, machine gone): it goes back to *pending* and is sent again; the task resumes
  after the chunks already saved;
- a *pending* job not taken within ``JOB_STALE_SECONDS`` of being queued lost its message
  (broker down when it was sent, or Redis restarted): it is sent again, unless messages
  are still waiting in the queue;
- each re-queue counts one attempt (``ImportJob.attempts``); after ``JOB_MAX_ATTEMPTS`` the
  job fails with a message (Retry still works).

A redelivered task claims a running job whose heartbeat is stale the same way
(:func:`import_job_claim`). Every step is a conditional update, so two reconcilers or a
duplicated message never run one job twice at the same time.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.celery import enqueue, queue_length

from ..models import ImportJob
from .jobs import IMPORT_TASK, import_job_fail

logger = logging.getLogger(__name__)


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)


def import_job_claim(*, job_id: int, now: dt.datetime | None = None) -> bool:
    """Take job ``job_id`` for this worker: pending -> running, or a running job whose
    heartbeat is stale (its worker is gone; one more attempt is counted). Returns False
    when the job is gone, finished, or alive on another worker."""
    now = now or timezone.now()
    if ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now
    ):
        return True
    stale = _stale_before(now)
    return bool(
        ImportJob.objects.filter(
            Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale),
            pk=job_id,
            status=ImportJob.Status.RUNNING,
        ).update(heartbeat_at=now, attempts=F("attempts") + 1)
    )


def import_job_heartbeat(*, job_id: int) -> None:
    """Record that a worker is working on job ``job_id`` now."""
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def import_reconcile(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One reconciler pass; returns {"sent": n, "failed": n}."""
    now = now or timezone.now()
    stale = _stale_before(now)
    counts = {"sent": 0, "failed": 0}
    waiting = queue_length()
    jobs = ImportJob.objects.filter(
        Q(status=ImportJob.Status.RUNNING)
        & (Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale))
        | Q(status=ImportJob.Status.PENDING)
        & (Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale))
    ).order_by("created_at")[:50]
    for job in jobs:
        if job.status == ImportJob.Status.PENDING and waiting:
            continue  # its message may only be waiting for a free worker
        if job.attempts >= settings.JOB_MAX_ATTEMPTS:
            import_job_fail(
                job_id=job.pk,
                message=_(
                    "The import was interrupted %(n)s times and was stopped; the rows saved "
                    "so far are kept. Retry to continue."
                )
                % {"n": job.attempts},
            )
            logger.error("import job %s failed: out of attempts (%s)", job.pk, job.attempts)
            counts["failed"] += 1
            continue
        taken = ImportJob.objects.filter(
            pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at, attempts=job.attempts
        ).update(status=ImportJob.Status.PENDING, heartbeat_at=now, attempts=job.attempts + 1)
        if not taken:
            continue
        enqueue(IMPORT_TASK, args=[job.pk])
        logger.warning(
            "import job %s re-queued (was %s, attempt %s)", job.pk, job.status, job.attempts + 1
        )
        counts["sent"] += 1
    return counts
