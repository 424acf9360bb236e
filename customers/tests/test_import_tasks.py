"""The Celery task ``import_job_run``: claims the job once (a re-delivered message does
nothing), retries on a lost database, fails the job with a message on other errors."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.utils import timezone

from customers import import_service
from customers.import_service import (
    import_job_confirm,
    import_job_create,
    import_job_is_stale,
    import_job_retry,
)
from customers.import_service import jobs as import_jobs
from customers.models import Customer, ImportJob, Ownership
from customers.tasks import IMPORT_TIME_LIMIT, import_job_run
from customers.tests.test_import_support import (
    english,  # noqa: F401 - fixture
    import_team,
    media,  # noqa: F401 - fixture
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english")]


def _pending_job() -> ImportJob:
    data = xlsx_bytes([["客户名称"], ["甲公司"], ["乙公司"], ["丙公司"]])
    job = import_job_create(
        by=None,
        upload=ContentFile(data, name="a.xlsx"),
        kind="customers",
        options={"team": import_team()},
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PENDING)
    return job


def test_a_redelivered_task_does_not_import_twice():
    job = _pending_job()
    import_job_run.apply(args=[job.pk])
    import_job_run.apply(args=[job.pk])  # the broker delivers the message again
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 3)
    assert Customer.objects.count() == 3
    assert Ownership.objects.count() == 3


def test_a_job_claimed_by_another_worker_is_left_alone():
    job = _pending_job()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    import_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == ("running", 0)
    assert Customer.objects.count() == 0


def test_a_missing_job_is_ignored():
    assert import_job_run.apply(args=[987654]).successful()


def test_a_worker_retries_a_lost_database_connection(monkeypatch):
    job = _pending_job()

    def flaky(*, job):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(import_service, "import_job_execute", flaky)
    with (
        mock.patch.object(import_job_run, "retry", side_effect=Retry()) as retry,
        pytest.raises(Retry),
    ):
        import_job_run(job.pk)  # as a worker runs it: not eager, first attempt
    assert retry.call_args.kwargs["countdown"] == 30
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING  # the retry claims it again
    monkeypatch.undo()
    import_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 3)


def test_a_database_error_in_eager_mode_fails_the_job(monkeypatch):
    job = _pending_job()

    def down(*, job):
        raise OperationalError("database is locked")

    monkeypatch.setattr(import_service, "import_job_execute", down)
    import_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "database was unavailable" in job.message


def test_an_unexpected_error_fails_the_job_with_a_message(monkeypatch):
    job = _pending_job()

    def broken(*, job):
        raise KeyError("bug")

    monkeypatch.setattr(import_service, "import_job_execute", broken)
    import_job_run.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "unexpected error" in job.message
    assert job.finished_at is not None


def test_a_running_job_past_the_time_limit_is_stale_and_can_be_retried(
    django_capture_on_commit_callbacks,
):
    job = _pending_job()
    started = timezone.now() - dt.timedelta(seconds=IMPORT_TIME_LIMIT + 60)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=started)
    job.refresh_from_db()
    assert import_job_is_stale(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_retry(job=job)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 3)


def test_a_fresh_running_job_cannot_be_retried():
    job = _pending_job()
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    job.refresh_from_db()
    assert not import_job_is_stale(job)
    assert not import_job_retry(job=job)


def test_confirm_runs_the_task_by_name_after_commit(django_capture_on_commit_callbacks):
    data = xlsx_bytes([["客户名称"], ["甲公司"]])
    job = import_job_create(
        by=None,
        upload=ContentFile(data, name="a.xlsx"),
        kind="customers",
        options={"team": import_team()},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_confirm(job=job)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 1)  # eager: ran inline


def test_a_job_the_broker_cannot_take_stays_queued_for_the_reconciler(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[tuple[str, object]] = []

    def broker_down(name: str, *, args: object = ()) -> bool:
        sent.append((name, args))
        return False

    monkeypatch.setattr(import_jobs, "enqueue", broker_down)
    data = xlsx_bytes([["客户名称"], ["甲公司"]])
    job = import_job_create(
        by=None,
        upload=ContentFile(data, name="a.xlsx"),
        kind="customers",
        options={"team": import_team()},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_confirm(job=job)
    job.refresh_from_db()
    assert sent == [("customers.import_job_run", [job.pk])]
    assert (job.status, job.message) == ("pending", "")
    assert Customer.objects.count() == 0
    monkeypatch.undo()
    # Later, the reconciler finds it still queued and sends it again.
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert import_service.import_reconcile() == {"sent": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.status, job.created_count, job.attempts) == ("done", 1, 1)
