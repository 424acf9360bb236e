"""compute_kpis and kpi_report: output and exit codes."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kpi import selectors
from kpi.models import KpiRun, KpiSnapshot

from .test_snapshots import MARCH, eager, make_cohort  # noqa: F401 - fixture

# Every command test runs its tasks in-process (also in CI, where REDIS_URL is set).
pytestmark = pytest.mark.usefixtures("eager")


def run_command(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def computed(org, django_capture_on_commit_callbacks):
    make_cohort(org.rep)
    with django_capture_on_commit_callbacks(execute=True):
        out = run_command("compute_kpis", "--period", MARCH, "--period", "2026-W11")
    return org, out


def test_compute_kpis_prints_run_rows_and_seconds(computed):
    _org, out = computed
    run = KpiRun.objects.get()
    assert run.trigger == KpiRun.Trigger.COMMAND
    assert run.status == KpiRun.Status.DONE
    assert f"KPI run {run.pk}: done" in out
    assert f"{run.snapshots_written} snapshots written" in out
    assert run.snapshots_written == KpiSnapshot.objects.count() > 0
    assert " s" in out


def test_compute_kpis_for_one_rep_scope(org, django_capture_on_commit_callbacks):
    make_cohort(org.rep)
    with django_capture_on_commit_callbacks(execute=True):
        out = run_command("compute_kpis", "--period", MARCH, "--scope", "rep:rep")
    assert "scope rep:rep" in out
    assert KpiSnapshot.objects.filter(scope_kind="rep", scope_id=org.rep.pk).exists()
    assert not KpiSnapshot.objects.filter(scope_kind="team", scope_id=org.team_s.pk).exists()


def test_compute_kpis_defaults_to_current_and_previous_month_and_week(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_command("compute_kpis")
    run = KpiRun.objects.get()
    assert len(run.periods) == 4
    assert sum(1 for p in run.periods if "W" in p) == 2


def test_compute_kpis_rejects_unknown_scope_and_bad_period(org):
    with pytest.raises(CommandError, match="No team 'nope'"):
        run_command("compute_kpis", "--scope", "team:nope")
    with pytest.raises(CommandError, match="Not a period"):
        run_command("compute_kpis", "--period", "October")
    assert not KpiRun.objects.exists()


def test_kpi_report_json_has_the_cohort_rates_as_fractions(computed):
    out = run_command("kpi_report", "--scope", "team:north-1", "--period", MARCH)
    data = json.loads(out)
    assert data["intent_rate"] == pytest.approx(0.24)
    assert data["close_rate"] == pytest.approx(0.5)
    assert data["target_customers"] == 50
    assert data["deals"] == 6
    # No targets: completion is null, never NaN or 0.
    assert data["deals_completion"] is None
    json.dumps(data, allow_nan=False)
    rep = json.loads(run_command("kpi_report", "--scope", "rep:rep", "--period", MARCH))
    assert rep["intent_rate"] == pytest.approx(0.24)
    branch = json.loads(run_command("kpi_report", "--scope", "branch:north", "--period", MARCH))
    assert branch["intents"] == 12
    week = json.loads(run_command("kpi_report", "--scope", "team:north-1", "--period", "2026-W11"))
    assert "weekly_intent_rate" in week


def test_kpi_report_table_is_aligned(computed):
    out = run_command(
        "kpi_report", "--scope", "team:north-1", "--period", MARCH, "--format", "table"
    )
    lines = out.splitlines()
    assert lines[0].split() == ["metric", "value", "numerator", "denominator", "status"]
    intent = next(line for line in lines if line.startswith("intent_rate "))
    assert intent.split() == ["intent_rate", "0.24", "12", "50", "ok"]
    completion = next(line for line in lines if line.startswith("deals_completion "))
    assert completion.split() == ["deals_completion", "-", "6", "-", "no_data"]
    # Columns line up: every value column ends at the same place.
    value_end = lines[0].index("value") + len("value")
    assert intent[:value_end].endswith("0.24")


def test_kpi_report_unknown_scope_or_no_snapshots_fails_with_a_hint(computed):
    with pytest.raises(CommandError, match="No user 'ghost'"):
        run_command("kpi_report", "--scope", "rep:ghost", "--period", MARCH)
    with pytest.raises(CommandError, match="compute_kpis"):
        run_command("kpi_report", "--scope", "team:north-1", "--period", "2025-01")
    with pytest.raises(CommandError, match="Not a scope"):
        run_command("kpi_report", "--scope", "north-1", "--period", MARCH)


def test_kpi_report_exits_1_from_the_command_line(org, capsys):
    from kpi.management.commands.kpi_report import Command

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(
            ["manage.py", "kpi_report", "--scope", "team:north-1", "--period", MARCH]
        )
    assert exited.value.code == 1
    assert "compute_kpis" in capsys.readouterr().err


def test_demo_seed_sets_targets_and_computes_snapshots(org):
    from accounts.demo import DemoOrg
    from kpi import demo
    from kpi.models import Target

    make_cohort(org.rep, month_start=demo.demo_periods()[1].start)
    demo_org = DemoOrg(
        company=org.company,
        teams=[org.team_a, org.team_b],
        admin=org.admin,
        managers=[org.manager],
        supervisors={org.team_a.pk: org.supervisor, org.team_b.pk: org.supervisor_b},
        reps={org.team_a.pk: [org.rep, org.teammate], org.team_b.pk: [org.rep_b]},
    )
    out = StringIO()
    demo.seed(demo_org, __import__("random").Random(1), out)
    assert "targets" in out.getvalue()
    from kpi.models import KpiRun
    from kpi.selectors import latest_run

    run = latest_run()
    assert run is not None
    assert run.status == KpiRun.Status.DONE
    assert run.snapshots_written > 0
    last_month = demo.demo_periods()[1]
    # rep_b (last of the second team) has no targets; the others do, and so do the teams.
    assert not Target.objects.filter(rep=org.rep_b).exists()
    assert Target.objects.filter(rep=org.rep, month=last_month.start, metric="deals").exists()
    team_deals = Target.objects.get(team=org.team_a, month=last_month.start, metric="deals")
    rep_deals = Target.objects.filter(
        rep__in=[org.rep, org.teammate], month=last_month.start, metric="deals"
    )
    assert team_deals.value == sum(t.value for t in rep_deals)
    m = selectors.snapshot_metrics(scope_kind="rep", scope_id=org.rep.pk, period=last_month)
    assert m["deals"].value == 6
    assert m["deals_completion"].value is not None
    b = selectors.snapshot_metrics(scope_kind="rep", scope_id=org.rep_b.pk, period=last_month)
    assert b["deals_completion"].value is None
    weeks = {p for p in demo.demo_periods() if p.kind == "week"}
    assert len(weeks) == 13
    assert (
        KpiSnapshot.objects.filter(period_kind="week").values("period_start").distinct().count()
        == 13
    )
    # Idempotent: a second run adds nothing.
    count = Target.objects.count()
    demo.seed(demo_org, __import__("random").Random(1), StringIO())
    assert Target.objects.count() == count
