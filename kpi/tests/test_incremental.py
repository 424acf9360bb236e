"""The incremental recompute (kpi/partials.py; docs/architecture.md, "Incremental
recompute") stores exactly the figures of a full recompute: after random changes made
through the services (stage changes, visits, submitted journals, reassignments, contracts,
new customers), each followed by the touch a worker would run, every stored snapshot of the
team, its people and its branch equals what ``compute_and_store`` writes from scratch."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Membership
from customers.models import Customer, Stage
from customers.records import contract_create
from customers.services import customer_assign, customer_change_stage
from customers.tests.factories import make_customer
from journals.services.journal import journal_amend, journal_get_or_create_today, journal_submit
from journals.services.visits import visit_record
from kpi import partials, services
from kpi.calculations import period_of
from kpi.models import KpiDirtyCustomer, KpiPartial, KpiRun, KpiSnapshot
from kpi.snapshots import compute_and_store

STAGES = [Stage.TARGET, Stage.RELATIONSHIP, Stage.INTENT, Stage.DEAL, Stage.LOST, Stage.LEAD]
OUTCOMES = ["nothing", "info", "next_step", "stage_advanced", "deal"]


def _rows(scope_ids: dict[str, list[int]], starts: list[dt.date]) -> dict:
    out = {}
    for kind, ids in scope_ids.items():
        for row in KpiSnapshot.objects.filter(
            scope_kind=kind, scope_id__in=ids, period_start__in=starts
        ).values_list(
            "scope_kind",
            "scope_id",
            "period_kind",
            "period_start",
            "metric",
            "value",
            "numerator",
            "denominator",
            "status",
        ):
            out[row[:5]] = row[5:]
    return out


@pytest.fixture
def touching(settings, django_capture_on_commit_callbacks):
    """Touches run (eagerly, inside the test) as the worker would run them."""
    settings.KPI_TOUCH_WHEN_EAGER = True
    return django_capture_on_commit_callbacks


def _check_equal_to_full(org, plist) -> None:
    people = [org.rep.pk, org.teammate.pk, org.supervisor.pk]
    scopes = {"rep": people, "team": [org.team_a.pk], "branch": [org.north.pk]}
    starts = [p.start for p in plist]
    incremental = _rows(scopes, starts)
    assert incremental, "the touches stored figures"
    keys = [p.key for p in plist]
    compute_and_store(periods=keys, team_ids=[org.team_a.pk], kinds=("rep", "team"))
    compute_and_store(periods=keys, team_ids=[org.team_a.pk, org.team_b.pk], kinds=("branch",))
    assert _rows(scopes, starts) == incremental


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_figures_equal_a_full_recompute_after_random_changes(org, touching, seed):
    rng = random.Random(seed)
    now = timezone.now()
    day = timezone.localdate()
    plist = [period_of(day, "month"), period_of(day, "week")]
    reps = [org.rep, org.teammate]
    with touching(execute=True):
        customers = [
            make_customer(
                rng.choice(reps), stage=rng.choice(STAGES[:3]), at=now - dt.timedelta(days=40)
            )
            for _ in range(6)
        ]
    for step in range(14):
        op = rng.choice(["stage", "stage", "visit", "visit", "submit", "assign", "contract", "new"])
        with touching(execute=True):
            customer = Customer.objects.get(pk=rng.choice(customers).pk)
            if op == "stage":
                customer_change_stage(
                    customer=customer,
                    to_stage=rng.choice(STAGES),
                    by=org.supervisor,
                    at=timezone.now() - dt.timedelta(minutes=rng.randint(1, 600)),
                    check_required=False,
                )
            elif op == "visit" and customer.owner_id is not None:
                rep = reps[0] if customer.owner_id == reps[0].pk else reps[1]
                journal = journal_get_or_create_today(rep=rep)
                if journal.status != "draft":
                    journal_amend(journal=journal, by=rep)
                outcome = rng.choice(OUTCOMES)
                next_step = rng.choice(["", "送方案"])
                visit_record(
                    journal=journal,
                    by=rep,
                    customer=customer,
                    purpose="first",
                    occurred_at=timezone.now() - dt.timedelta(seconds=step + 1),
                    outcome=outcome if outcome not in {"stage_advanced", "deal"} else "info",
                    next_step=next_step,
                    next_step_date=rng.choice([None, day + dt.timedelta(days=2)])
                    if next_step
                    else None,
                )
            elif op == "submit":
                for rep in reps:
                    journal = journal_get_or_create_today(rep=rep)
                    if journal.status == "draft":
                        journal_submit(journal=journal, by=rep)
            elif op == "assign":
                customer_assign(
                    customer=customer, owner=rng.choice([*reps, None]), by=org.supervisor
                )
            elif op == "contract" and customer.owner_id is not None:
                contract_create(
                    customer=customer,
                    by=org.supervisor,
                    signed_on=day,
                    products="宽带",
                    monthly_value=Decimal(rng.randint(100, 9000)),
                )
            elif op == "new":
                customers.append(make_customer(rng.choice(reps), at=timezone.now()))
        if step % 4 == 3:
            _check_equal_to_full(org, plist)
    _check_equal_to_full(org, plist)
    stored = set(KpiPartial.objects.filter(unit=org.team_a).values_list("period_start", flat=True))
    assert {p.start for p in plist} <= stored
    assert not KpiDirtyCustomer.objects.exists()


@pytest.mark.django_db
def test_a_membership_change_rebuilds_the_sums_and_a_run_rebuilds_them(org, touching):
    day = timezone.localdate()
    plist = [period_of(day, "month"), period_of(day, "week")]
    with touching(execute=True):
        customer = make_customer(org.rep, stage=Stage.TARGET)
        customer_change_stage(
            customer=customer, to_stage=Stage.INTENT, by=org.rep, check_required=False
        )
    before = KpiPartial.objects.get(unit=org.team_a, period_kind="month").fingerprint
    # The teammate leaves the team today: every customer's attribution may change, so the
    # next recompute rebuilds the sums (a new fingerprint), and still equals a full one.
    Membership.objects.filter(user=org.teammate, unit=org.team_a).update(end=day)
    with touching(execute=True):
        customer_change_stage(
            customer=customer, to_stage=Stage.DEAL, by=org.rep, check_required=False
        )
    after = KpiPartial.objects.get(unit=org.team_a, period_kind="month")
    assert after.fingerprint != before
    _check_equal_to_full(org, plist)
    # A full run (nightly, an import) may follow writes that marked nothing: it rebuilds
    # the sums from the whole history and keeps them.
    with touching(execute=True):
        run = services.kpi_run_start(trigger=KpiRun.Trigger.MANUAL, periods=[p.key for p in plist])
    run.refresh_from_db()
    assert run.status == KpiRun.Status.DONE
    rebuilt = KpiPartial.objects.get(unit=org.team_a, period_kind="month")
    assert rebuilt.fingerprint == after.fingerprint
    assert rebuilt.updated_at > after.updated_at


@pytest.mark.django_db
def test_after_a_full_run_the_next_change_is_incremental_and_equals_a_full_recompute(
    org, touching, monkeypatch
):
    """The full run keeps the sums it computes (kpi.services.kpi_run_part), so the first
    change after it reloads only its customer's bucket (no rebuild of all 16) and the
    stored figures still equal a full compute_and_store."""
    day = timezone.localdate()
    plist = [period_of(day, "month"), period_of(day, "week")]
    # Written without a touch (as an import writes): only the run covers these.
    customers = [make_customer(org.rep, stage=Stage.TARGET) for _ in range(3)]
    customers.append(make_customer(org.teammate, stage=Stage.INTENT))
    # An older period's stored sums (a change long ago): a run of it drops them, since it
    # computes periods a change no longer reaches in one load without keeping sums.
    old = period_of(day - dt.timedelta(days=120), "month")
    partials.compute_and_store_incremental(
        unit_id=org.team_a.pk, periods=[old], team_ids=[org.team_a.pk], kinds=("rep", "team")
    )
    assert KpiPartial.objects.filter(unit=org.team_a, period_start=old.start).exists()
    with touching(execute=True):
        run = services.kpi_run_start(
            trigger=KpiRun.Trigger.MANUAL, periods=[p.key for p in [*plist, old]]
        )
    run.refresh_from_db()
    assert run.status == KpiRun.Status.DONE
    for unit in (org.team_a, org.north):
        kept = KpiPartial.objects.filter(unit=unit)
        assert sorted(kept.values_list("period_start", flat=True)) == sorted(p.start for p in plist)
    assert KpiSnapshot.objects.filter(run=run, period_start=old.start).exists()
    assert KpiSnapshot.objects.filter(run=run).exists()

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the change after a full run rebuilt every bucket")

    loaded: list[list[int]] = []
    real_load = partials.load_input

    def spy(**kwargs):
        loaded.append(list(kwargs["customer_ids"]))
        return real_load(**kwargs)

    monkeypatch.setattr(partials, "compute_bucket_sums", no_rebuild)
    monkeypatch.setattr(partials, "load_input", spy)
    customer = customers[0]
    with touching(execute=True):
        customer_change_stage(
            customer=customer, to_stage=Stage.INTENT, by=org.rep, check_required=False
        )
    assert loaded, "the change was recomputed"
    bucket = partials.bucket_of(customer.pk)
    assert all(partials.bucket_of(c) == bucket for ids in loaded for c in ids)
    assert customer.pk in loaded[0]
    _check_equal_to_full(org, plist)


@pytest.mark.django_db
def test_a_change_marks_only_its_customer_and_a_history_import_marks_every_customer(org):
    day = dt.date(2026, 3, 10)
    periods = [period_of(day, "month"), period_of(day, "week")]
    partials.mark_dirty(unit_ids=[org.team_a.pk], periods=periods, customer_ids=[17, 33])
    partials.mark_dirty(unit_ids=[org.team_a.pk], periods=periods, customer_ids=[17])
    assert set(KpiDirtyCustomer.objects.values_list("customer_id", flat=True)) == {17, 33}
    assert KpiDirtyCustomer.objects.count() == 4  # two customers x two periods, once each
    partials.mark_dirty(unit_ids=[org.team_a.pk], periods=periods, customer_ids=None)
    assert KpiDirtyCustomer.objects.filter(customer_id=KpiDirtyCustomer.ALL).count() == 2


@pytest.mark.django_db
def test_a_submitted_journal_reloads_no_customer_its_visits_announced(org, touching, monkeypatch):
    """The figures do not read journals, so a submission changes no stored sum: its visits
    marked their customers when they were recorded, the submission's recompute reloads no
    customer bucket, and the figures still equal a full recompute. A visit that was not
    announced to the journal's team (recorded for another team) is still marked."""
    from journals.models import Visit

    day = timezone.localdate()
    plist = [period_of(day, "month"), period_of(day, "week")]
    with touching(execute=True):
        customer = make_customer(org.rep, stage=Stage.TARGET)
        quiet = make_customer(org.rep, stage=Stage.TARGET)
        journal = journal_get_or_create_today(rep=org.rep)
        for one in (customer, quiet):
            visit_record(
                journal=journal,
                by=org.rep,
                customer=one,
                purpose="first",
                occurred_at=timezone.now() - dt.timedelta(seconds=5),
                outcome="info",
                next_step="",
                next_step_date=None,
            )
    team_id = org.team_a.pk
    assert services.journal_customers(user_id=org.rep.pk, day=journal.day, team_id=team_id) == []
    loaded: list[list[int]] = []
    real_load = partials.load_input

    def spy(**kwargs):
        loaded.append(list(kwargs["customer_ids"]))
        return real_load(**kwargs)

    monkeypatch.setattr(partials, "load_input", spy)
    with touching(execute=True):
        journal_submit(journal=journal, by=org.rep)
    assert loaded, "the submission was recomputed"
    assert all(ids == [] for ids in loaded)
    _check_equal_to_full(org, plist)
    Visit.objects.filter(customer=quiet).update(team=org.team_b)
    assert services.journal_customers(user_id=org.rep.pk, day=journal.day, team_id=team_id) == [
        quiet.pk
    ]
    assert services.journal_customers(user_id=org.rep.pk, day=journal.day) == sorted(
        [customer.pk, quiet.pk]
    )


@pytest.mark.django_db
def test_a_recompute_that_changes_no_figure_still_runs_the_diagnosis(org, touching):
    """A submitted journal without visits moves no figure, but the diagnosis reads the
    journal habits: the team's recompute still announces its snapshots."""
    from unittest import mock

    from kpi import tasks

    with touching(execute=True):
        make_customer(org.rep, stage=Stage.TARGET)
    with (
        mock.patch.object(tasks, "diagnose_after_recompute") as diagnose,
        touching(execute=True),
    ):
        journal = journal_get_or_create_today(rep=org.teammate)
        journal_submit(journal=journal, by=org.teammate)
    assert diagnose.call_count == 1
    assert diagnose.call_args.kwargs["team_ids"] == [org.team_a.pk]


@pytest.mark.django_db
def test_a_recompute_redoes_its_step_when_another_wrote_the_sums_meanwhile(org, touching):
    """The engine runs outside the write transaction: if another recompute of the unit wrote
    its sums in between, this one redoes its step instead of overwriting them."""
    from unittest import mock

    from kpi.calculations import sums as sums_module

    day = timezone.localdate()
    plist = [period_of(day, "month"), period_of(day, "week")]
    with touching(execute=True):
        customer = make_customer(org.rep, stage=Stage.TARGET)
    real = sums_module.compute_sums
    calls = []

    def racing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # another recompute writes the team's sums meanwhile
            for row in KpiPartial.objects.filter(unit=org.team_a):
                row.save(update_fields=["updated_at"])
        return real(*args, **kwargs)

    customer_change_stage(
        customer=customer, to_stage=Stage.INTENT, by=org.rep, check_required=False
    )
    units = [org.team_a.pk, org.north.pk]
    partials.mark_dirty(unit_ids=units, periods=plist, customer_ids=[customer.pk])
    keys = [p.key for p in plist]
    with mock.patch.object(partials, "compute_sums", side_effect=racing):
        services.kpi_recompute_touched(team_id=org.team_a.pk, periods=keys)
    assert len(calls) == 2  # the first attempt saw the sums change and was redone
    services.kpi_recompute_branch(branch_id=org.north.pk, periods=keys)
    assert not KpiDirtyCustomer.objects.exists()
    _check_equal_to_full(org, plist)
