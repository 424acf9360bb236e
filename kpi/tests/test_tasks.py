"""KPI runs on Celery: a run split by team completes with progress 100,
a failing part fails the run with its error, and touches are debounced."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings

from customers.models import Stage
from customers.tests.factories import make_customer
from kpi import selectors, services, tasks
from kpi.models import KpiDirty, KpiRun, KpiSnapshot

from .test_snapshots import MARCH, at, eager, make_cohort  # noqa: F401 - fixture


@pytest.mark.usefixtures("eager")
def test_run_start_with_eager_celery_completes_with_progress_100(
    org, django_capture_on_commit_callbacks
):
    make_cohort(org.rep)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.kpi_run_start(trigger="manual", periods=[MARCH, "2026-W11"], by=org.manager)
    run.refresh_from_db()
    assert run.status == KpiRun.Status.DONE
    assert run.progress_percent == 100
    # Three teams and two branches, each a part.
    assert (run.parts_done, run.parts_total) == (5, 5)
    assert run.snapshots_written == KpiSnapshot.objects.count() > 0
    assert run.finished_at is not None
    assert selectors.latest_run() == run
    m = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_a.pk, period=MARCH)
    assert m["intent_rate"].value == pytest.approx(0.24)
    assert KpiSnapshot.objects.filter(run=run).count() == run.snapshots_written


@pytest.mark.usefixtures("eager")
def test_a_run_queues_one_coaching_diagnosis_of_all_its_teams_and_periods(
    org, django_capture_on_commit_callbacks
):
    """Three teams and two periods: one diagnosis task for the whole run, not six."""
    from coaching import tasks as coaching_tasks

    with (
        mock.patch.object(coaching_tasks.findings_recompute_many, "delay") as diagnose,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.kpi_run_start(trigger="manual", periods=[MARCH, "2026-W11"], by=org.manager)
    assert diagnose.call_count == 1
    team_ids, periods = diagnose.call_args.args
    assert sorted(team_ids) == sorted([org.team_a.pk, org.team_b.pk, org.team_s.pk])
    assert sorted(periods) == sorted([MARCH, "2026-W11"])


@pytest.mark.usefixtures("eager")
def test_the_diagnosis_of_a_run_recomputes_every_team_and_period_once(
    org, django_capture_on_commit_callbacks
):
    from coaching import services as coaching_services

    make_cohort(org.rep)
    with (
        mock.patch.object(
            coaching_services,
            "findings_recompute_periods",
            wraps=coaching_services.findings_recompute_periods,
        ) as recompute,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.kpi_run_start(trigger="manual", periods=[MARCH, "2026-W11"], by=org.manager)
    # One pass over the three teams and both periods.
    assert recompute.call_count == 1
    assert len(recompute.call_args.kwargs["team_ids"]) == 3
    assert sorted(recompute.call_args.kwargs["periods"]) == sorted([MARCH, "2026-W11"])


@pytest.mark.usefixtures("eager")
def test_run_for_one_team_computes_its_people_team_and_branch(
    org, django_capture_on_commit_callbacks
):
    make_cohort(org.rep)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.kpi_run_start(trigger="command", periods=[MARCH], scope="team:north-1")
    run.refresh_from_db()
    assert run.status == KpiRun.Status.DONE
    assert run.parts_total == 2  # the team and its branch
    kinds = set(KpiSnapshot.objects.values_list("scope_kind", "scope_id").distinct())
    assert ("team", org.team_a.pk) in kinds
    assert ("branch", org.north.pk) in kinds
    assert ("rep", org.rep.pk) in kinds
    assert ("team", org.team_s.pk) not in kinds


def test_run_start_rejects_bad_input(org):
    with pytest.raises(ValueError, match="period"):
        services.kpi_run_start(trigger="manual", periods=["2026-13x"])
    with pytest.raises(LookupError):
        services.kpi_run_start(trigger="manual", periods=[MARCH], scope="team:nope")
    with pytest.raises(ValueError, match="trigger"):
        services.kpi_run_start(trigger="whenever", periods=[MARCH])
    assert not KpiRun.objects.exists()


@pytest.mark.usefixtures("eager")
def test_failing_part_fails_the_run_with_the_error(org, django_capture_on_commit_callbacks):
    with (
        mock.patch("kpi.services.kpi_run_part", side_effect=RuntimeError("disk full")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = services.kpi_run_start(trigger="manual", periods=[MARCH])
    run.refresh_from_db()
    assert run.status == KpiRun.Status.FAILED
    assert "disk full" in run.error
    assert run.progress_percent < 100


@pytest.mark.usefixtures("eager")
def test_duplicated_run_message_does_nothing(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.kpi_run_start(trigger="manual", periods=[MARCH])
    written = KpiRun.objects.get(pk=run.pk).snapshots_written
    tasks.kpi_run_execute.delay(run.pk)
    run.refresh_from_db()
    assert run.snapshots_written == written
    assert run.parts_done == run.parts_total


def test_default_periods_are_current_and_previous_month_and_week():
    assert services.default_periods(dt.date(2026, 10, 20)) == [
        "2026-10",
        "2026-09",
        "2026-W43",
        "2026-W42",
    ]
    assert services.default_periods(dt.date(2026, 1, 1)) == [
        "2026-01",
        "2025-12",
        "2026-W01",
        "2025-W52",
    ]


@pytest.mark.usefixtures("eager")
def test_nightly_task_is_scheduled_at_two_and_starts_a_run(org, django_capture_on_commit_callbacks):
    entry = django_settings.CELERY_BEAT_SCHEDULE["kpi-nightly"]
    assert entry["task"] == "kpi.nightly"
    schedule: Any = entry["schedule"]
    assert schedule.hour == {2}
    assert schedule.minute == {0}
    with (
        mock.patch("kpi.services._enqueue_run") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_id = tasks.kpi_nightly()
    run = KpiRun.objects.get(pk=run_id)
    assert run.trigger == KpiRun.Trigger.NIGHTLY
    assert len(run.periods) == 4
    assert enqueue.call_count == 1


def test_touch_schedules_one_task_per_team_and_period(
    org, django_capture_on_commit_callbacks, settings
):
    settings.KPI_TOUCH_WHEN_EAGER = True
    day = dt.date(2026, 3, 10)
    with (
        mock.patch.object(tasks.kpi_recompute_team, "apply_async") as send,
        mock.patch.object(tasks.kpi_recompute_branch, "apply_async"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for _ in range(3):
            services.kpi_touch(team_id=org.team_a.pk, day=day, trigger="journal")
        services.kpi_touch(team_id=org.team_b.pk, day=day, trigger="journal")
        # Same month, another week: only the week is new.
        services.kpi_touch(team_id=org.team_a.pk, day=dt.date(2026, 3, 20), trigger="stage")
    assert send.call_count == 3
    first = send.call_args_list[0]
    assert first.kwargs["args"] == [org.team_a.pk, ["2026-03", "2026-W11"], "journal"]
    assert first.kwargs["countdown"] == services.TOUCH_DELAY_SECONDS
    assert send.call_args_list[2].kwargs["args"] == [org.team_a.pk, ["2026-W12"], "stage"]
    # Five team marks and the branch's three (its month and two weeks).
    assert KpiDirty.objects.count() == 8


def test_a_dirty_mark_whose_task_was_lost_is_scheduled_again(
    org, django_capture_on_commit_callbacks, settings
):
    """A worker stopped before running a scheduled recompute leaves its dirty mark behind;
    a later touch must not be swallowed by it forever."""
    settings.KPI_TOUCH_WHEN_EAGER = True
    day = dt.date(2026, 3, 10)
    with mock.patch.object(tasks.kpi_recompute_team, "apply_async") as send:
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                services.kpi_touch(team_id=org.team_a.pk, day=day, trigger="journal")
        assert send.call_count == 1  # debounced while the task is pending
        old = dt.datetime.now(dt.UTC) - dt.timedelta(
            seconds=services.TOUCH_DELAY_SECONDS + services.DIRTY_STALE_SECONDS + 1
        )
        KpiDirty.objects.update(created_at=old)
        with django_capture_on_commit_callbacks(execute=True):
            services.kpi_touch(team_id=org.team_a.pk, day=day, trigger="stage")
    assert send.call_count == 2
    assert send.call_args.kwargs["args"] == [org.team_a.pk, ["2026-03", "2026-W11"], "stage"]
    assert KpiDirty.objects.filter(team_id=org.team_a.pk).count() == 2


def test_a_touch_costs_a_fixed_number_of_queries(
    org, django_capture_on_commit_callbacks, django_assert_max_num_queries, settings
):
    """A touch of a team in a branch: the branch lookup, the customer marks, and per unit one
    insert of the missing marks plus one read of the lost ones, whether the marks are new or
    already pending (before: a savepoint, an insert and an update per unit and period). A
    visit or stage change pays this in the user's request."""
    settings.KPI_TOUCH_WHEN_EAGER = True
    day = dt.date(2026, 3, 10)
    with (
        mock.patch.object(tasks.kpi_recompute_team, "apply_async") as send,
        mock.patch.object(tasks.kpi_recompute_branch, "apply_async"),
    ):
        for _ in range(2):
            with django_assert_max_num_queries(6), django_capture_on_commit_callbacks(execute=True):
                services.kpi_touch(
                    team_id=org.team_a.pk, day=day, trigger="visit", customer_ids=(1,)
                )
    assert send.call_count == 1
    assert sorted(
        KpiDirty.objects.filter(team=org.team_a).values_list("period_kind", "period_start")
    ) == [("month", dt.date(2026, 3, 1)), ("week", dt.date(2026, 3, 9))]
    assert KpiDirty.objects.filter(team=org.north).count() == 2


@pytest.mark.usefixtures("eager")
def test_a_touch_marks_the_branch_at_once_with_its_own_debounce(
    org, django_capture_on_commit_callbacks, settings
):
    """The branch's recompute starts BRANCH_DELAY_SECONDS after the change, in parallel
    with the team's, not after the team's recompute (freshness, docs/architecture.md)."""
    settings.KPI_TOUCH_WHEN_EAGER = True
    day = dt.date(2026, 3, 10)
    with (
        mock.patch.object(tasks.kpi_recompute_team, "apply_async") as team_send,
        mock.patch.object(tasks.kpi_recompute_branch, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.kpi_touch(team_id=org.team_a.pk, day=day, trigger="journal")
        services.kpi_touch(team_id=org.team_b.pk, day=day, trigger="journal")
    assert team_send.call_count == 2
    assert send.call_count == 1  # both teams are in one branch: one debounced recompute
    assert send.call_args.kwargs["args"][:2] == [org.north.pk, ["2026-03", "2026-W11"]]
    assert send.call_args.kwargs["countdown"] == services.BRANCH_DELAY_SECONDS
    # The team's own recompute marks nothing more.
    with mock.patch.object(tasks.kpi_recompute_branch, "apply_async") as later:
        services.kpi_recompute_touched(team_id=org.team_a.pk, periods=[MARCH])
    assert later.call_count == 0
    assert KpiSnapshot.objects.filter(scope_kind="team", scope_id=org.team_a.pk).exists()
    assert not KpiSnapshot.objects.filter(scope_kind="branch").exists()
    services.kpi_recompute_branch(branch_id=org.north.pk, periods=[MARCH])
    assert KpiSnapshot.objects.filter(scope_kind="branch", scope_id=org.north.pk).exists()


@pytest.mark.usefixtures("eager")
def test_touch_in_eager_mode_recomputes_the_team_month_and_week(
    org, django_capture_on_commit_callbacks, settings
):
    settings.KPI_TOUCH_WHEN_EAGER = True
    make_customer(org.rep, stage=Stage.DEAL, at=at("2026-03-10"))
    with django_capture_on_commit_callbacks(execute=True):
        services.kpi_touch(team_id=org.team_a.pk, day=dt.date(2026, 3, 10), trigger="journal")
    m = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_a.pk, period=MARCH)
    w = selectors.snapshot_metrics(scope_kind="rep", scope_id=org.rep.pk, period="2026-W11")
    assert m["deals"].value == 1
    assert w["deals"].value == 1
    # The branch follows through its own debounced task (run at once when eager).
    b = selectors.snapshot_metrics(scope_kind="branch", scope_id=org.north.pk, period=MARCH)
    assert b["deals"].value == 1
    assert set(KpiSnapshot.objects.values_list("period_kind", flat=True)) == {"month", "week"}
    # The dirty marks are cleared when the recompute starts, so the next touch runs again.
    assert not KpiDirty.objects.exists()
    make_customer(org.rep, stage=Stage.DEAL, at=at("2026-03-11"))
    with django_capture_on_commit_callbacks(execute=True):
        services.kpi_touch(team_id=org.team_a.pk, day=dt.date(2026, 3, 11), trigger="journal")
    m = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_a.pk, period=MARCH)
    assert m["deals"].value == 2


def test_touch_inside_a_rolled_back_transaction_schedules_nothing(org, settings):
    settings.KPI_TOUCH_WHEN_EAGER = True
    from django.db import transaction

    with mock.patch.object(tasks.kpi_recompute_team, "apply_async") as send:
        try:
            with transaction.atomic():
                services.kpi_touch(team_id=org.team_a.pk, day=dt.date(2026, 3, 10), trigger="x")
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert send.call_count == 0
    assert not KpiDirty.objects.exists()


def test_touch_without_a_broker_stays_out_of_the_request(
    org, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.KPI_TOUCH_WHEN_EAGER = False
    with (
        mock.patch.object(tasks.kpi_recompute_team, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.kpi_touch(team_id=org.team_a.pk, day=dt.date(2026, 3, 10), trigger="stage")
    assert send.call_count == 0
    assert not KpiDirty.objects.exists()
    assert services.kpi_after_import() is None


def test_a_stage_change_touches_its_team_month_and_week(
    org, django_capture_on_commit_callbacks, settings
):
    settings.KPI_TOUCH_WHEN_EAGER = True
    from customers.services import customer_change_stage

    customer = make_customer(org.rep, stage=Stage.LEAD, at=at("2026-03-02"))
    with (
        mock.patch.object(tasks.kpi_recompute_team, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        customer_change_stage(
            customer=customer, to_stage=Stage.TARGET, by=org.rep, at=at("2026-03-10")
        )
    assert send.call_count == 1
    assert send.call_args.kwargs["args"] == [org.team_a.pk, ["2026-03", "2026-W11"], "stage"]


def test_a_submitted_journal_touches_its_team(org, django_capture_on_commit_callbacks, settings):
    settings.KPI_TOUCH_WHEN_EAGER = True
    from journals.services import journal_get_or_create_today, journal_submit

    day = dt.date(2026, 3, 10)
    journal = journal_get_or_create_today(rep=org.rep, day=day)
    with (
        mock.patch.object(tasks.kpi_recompute_team, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        journal_submit(journal=journal, by=org.rep, at=at("2026-03-10"))
    assert send.call_count == 1
    assert send.call_args.kwargs["args"] == [org.team_a.pk, ["2026-03", "2026-W11"], "journal"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_run_through_the_broker_completes_on_a_real_worker():
    from conftest import make_org

    org = make_org()
    make_cohort(org.rep)
    run = services.kpi_run_start(trigger="manual", periods=[MARCH])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in (KpiRun.Status.DONE, KpiRun.Status.FAILED):
            break
        time.sleep(0.5)
    assert run.status == KpiRun.Status.DONE, run.error
    assert run.progress_percent == 100
    m = selectors.snapshot_metrics(scope_kind="team", scope_id=org.team_a.pk, period=MARCH)
    assert m["intent_rate"].value == pytest.approx(0.24)
