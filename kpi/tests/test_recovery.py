"""KPI work recovers by itself: parts count once, stale runs are re-queued with a bounded,
recorded number of attempts, and a broker outage never fails or blocks a user's write."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, Stage
from journals import services as journal_services
from journals.tests.factories import make_customer
from journals.tests.factories import visit as make_visit
from kpi import recovery, services, tasks
from kpi.models import KpiDirty, KpiRun, KpiRunPart
from salesops.tests.brokers import broker, closed_port

from .test_snapshots import MARCH, eager, make_cohort  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _running_run(org, *, stale: bool, attempts: int = 0) -> KpiRun:
    """A claimed run of three teams and two branches, none counted yet."""
    run = KpiRun.objects.create(trigger="manual", periods=[MARCH])
    parts = services.kpi_run_parts(run=run)
    assert services.kpi_run_claim(run_id=run.pk, parts_total=len(parts), plan=parts)
    beat = timezone.now() - dt.timedelta(seconds=600 if stale else 5)
    KpiRun.objects.filter(pk=run.pk).update(
        heartbeat_at=beat, started_at=beat, created_at=beat, attempts=attempts
    )
    run.refresh_from_db()
    return run


@pytest.mark.usefixtures("eager")
def test_a_part_delivered_twice_counts_once_and_the_run_ends_only_after_its_last_part(org):
    run = _running_run(org, stale=False)
    (kind, unit), *rest = [tuple(p) for p in run.plan]
    tasks.kpi_run_part(run.pk, kind, unit)
    tasks.kpi_run_part(run.pk, kind, unit)  # a redelivered message
    assert services.kpi_run_part_done(run_id=run.pk, kind=kind, unit_id=unit, rows=7) is False
    run.refresh_from_db()
    assert (run.parts_done, run.status) == (1, KpiRun.Status.RUNNING)
    for kind, unit in rest[:-1]:
        tasks.kpi_run_part(run.pk, kind, unit)
        tasks.kpi_run_part(run.pk, kind, unit)
    run.refresh_from_db()
    assert (run.parts_done, run.parts_total, run.status) == (4, 5, KpiRun.Status.RUNNING)
    tasks.kpi_run_part(run.pk, *rest[-1])
    run.refresh_from_db()
    assert (run.parts_done, run.status) == (5, KpiRun.Status.DONE)
    assert KpiRunPart.objects.filter(run=run).count() == 5


@pytest.mark.usefixtures("eager")
def test_the_reconciler_resends_only_the_missing_parts_of_a_stale_run(org):
    make_cohort(org.rep)
    run = _running_run(org, stale=True)
    first = tuple(run.plan[0])
    services.kpi_run_part_done(run_id=run.pk, kind=first[0], unit_id=first[1], rows=0)
    KpiRun.objects.filter(pk=run.pk).update(heartbeat_at=run.heartbeat_at)
    counts = recovery.kpi_reconcile()
    run.refresh_from_db()
    assert counts["runs_sent"] == 1
    assert (run.status, run.parts_done, run.attempts) == (KpiRun.Status.DONE, 5, 1)
    # The part counted before the loss was not computed again.
    assert KpiRunPart.objects.get(run=run, kind=first[0], unit_id=first[1]).rows == 0


@pytest.mark.usefixtures("eager")
def test_a_fresh_run_is_left_alone_and_an_exhausted_one_fails_with_a_message(org, settings):
    fresh = _running_run(org, stale=False)
    exhausted = _running_run(org, stale=True, attempts=settings.JOB_MAX_ATTEMPTS)
    counts = recovery.kpi_reconcile()
    fresh.refresh_from_db()
    exhausted.refresh_from_db()
    assert counts["runs_failed"] == 1
    assert (fresh.status, fresh.attempts) == (KpiRun.Status.RUNNING, 0)
    assert exhausted.status == KpiRun.Status.FAILED
    assert "3 attempts" in exhausted.error


@pytest.mark.usefixtures("eager")
def test_a_run_whose_message_was_lost_is_sent_again(org):
    run = KpiRun.objects.create(trigger="manual", periods=[MARCH])
    KpiRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    recovery.kpi_reconcile()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (KpiRun.Status.DONE, 1)


@pytest.mark.usefixtures("eager")
def test_a_redelivered_execute_resumes_a_run_whose_heartbeat_is_stale(org):
    run = _running_run(org, stale=True)
    tasks.kpi_run_execute(run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.parts_done) == (KpiRun.Status.DONE, 1, 5)


@pytest.mark.usefixtures("eager")
def test_a_redelivered_execute_leaves_a_live_run_alone(org):
    run = _running_run(org, stale=False)
    tasks.kpi_run_execute(run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.parts_done) == (KpiRun.Status.RUNNING, 0, 0)


@pytest.fixture
def broker_down(settings):
    """Tasks go to a broker URL on a closed loopback port (nothing listens there)."""
    with broker(f"redis://127.0.0.1:{closed_port()}/0", settings):
        yield


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_never_fails_or_slows_a_visit_and_never_blocks_later_recomputes(
    client, org, broker_down, settings
):
    customer = make_customer(org.rep, name="深圳腾飞科技有限公司", stage=Stage.TARGET)
    journal = journal_services.journal_get_or_create_today(rep=org.rep, day=timezone.localdate())
    visit = make_visit(journal, customer)
    client.force_login(org.rep)
    started = time.monotonic()
    response = client.post(
        reverse("journals:visit_edit", args=[visit.pk]),
        {
            "purpose": "first",
            "time": timezone.localtime().strftime("%H:%M"),  # not later than now
            "learned": "需要专线",
            "outcome": "stage_advanced",
            "new_stage": "intent",
            "needs": "千兆专线",
        },
        HTTP_HX_REQUEST="true",
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 5, f"the page took {elapsed:.1f} s with the broker down"
    assert Customer.objects.get(pk=customer.pk).stage == Stage.INTENT
    marks = list(KpiDirty.objects.filter(team=org.team_a))
    assert marks, "the change is remembered for a later recompute"
    assert all(m.enqueue_failed for m in marks)
    # The broker is back: the next change in the team is not blocked by the old marks.
    from salesops.celery import app

    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.KPI_TOUCH_WHEN_EAGER = True
    today = timezone.localdate()
    services._touch(org.team_a.pk, today, "journal")
    assert not KpiDirty.objects.filter(
        team=org.team_a, period_kind="month", period_start=today.replace(day=1)
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_the_reconciler_sends_recomputes_whose_message_never_left(org, broker_down, settings):
    services._touch(org.team_a.pk, timezone.localdate(), "journal")
    assert KpiDirty.objects.filter(team=org.team_a, enqueue_failed=True).count() == 2
    from salesops.celery import app

    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The team's marks and its branch's (a touch marks both at once).
    assert recovery.kpi_reconcile()["marks_sent"] == 2
    assert not KpiDirty.objects.filter(team=org.team_a).exists()
    assert not KpiDirty.objects.exists()
