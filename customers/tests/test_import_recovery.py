"""Import jobs recover by themselves: a stale running job is re-queued by the reconciler
or resumed by a redelivered task, with a bounded, recorded number of attempts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from customers.import_service import import_job_create, import_reconcile
from customers.models import Customer, ImportJob
from customers.tasks import import_job_run
from customers.tests.test_import_support import (
    english,  # noqa: F401 - fixture
    import_team,
    media,  # noqa: F401 - fixture
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english")]


def _job(status: str, *, beat_age: int, attempts: int = 0) -> ImportJob:
    data = xlsx_bytes([["客户名称"], ["甲公司"], ["乙公司"], ["丙公司"]])
    job = import_job_create(
        by=None,
        upload=ContentFile(data, name="a.xlsx"),
        kind="customers",
        options={"team": import_team()},
    )
    then = timezone.now() - dt.timedelta(seconds=beat_age)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, started_at=then, heartbeat_at=then, created_at=then, attempts=attempts
    )
    job.refresh_from_db()
    return job


def test_the_reconciler_requeues_a_running_job_whose_worker_is_gone():
    job = _job(ImportJob.Status.RUNNING, beat_age=600)
    assert import_reconcile() == {"sent": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.attempts, job.created_count) == ("done", 1, 3)
    assert Customer.objects.count() == 3


def test_a_job_with_a_fresh_heartbeat_is_left_alone():
    job = _job(ImportJob.Status.RUNNING, beat_age=5)
    assert import_reconcile() == {"sent": 0, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 0)


def test_a_pending_job_whose_message_was_lost_is_sent_again():
    job = _job(ImportJob.Status.PENDING, beat_age=600)
    import_reconcile()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)


def test_a_job_out_of_attempts_fails_with_a_message(settings):
    job = _job(ImportJob.Status.RUNNING, beat_age=600, attempts=settings.JOB_MAX_ATTEMPTS)
    assert import_reconcile() == {"sent": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "failed"
    assert "interrupted 3 times" in job.message


def test_a_redelivered_task_resumes_a_job_whose_heartbeat_is_stale():
    job = _job(ImportJob.Status.RUNNING, beat_age=600)
    import_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.attempts, job.created_count) == ("done", 1, 3)


def test_a_redelivered_task_leaves_a_live_job_alone():
    job = _job(ImportJob.Status.RUNNING, beat_age=5)
    import_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == ("running", 0)
