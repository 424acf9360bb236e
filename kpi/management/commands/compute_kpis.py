"""``python manage.py compute_kpis [--period 2026-10|2026-W43 ...] [--scope team:CODE|
rep:USERNAME|branch:CODE]``: recompute KPI snapshots now.

Without ``--period``: the current and previous month and ISO week. Without ``--scope``:
every team. The run goes through the same Celery tasks as the "recompute now" button
(eagerly in-process without REDIS_URL; with a broker it waits for the workers).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpi.models import KpiRun
from kpi.services import default_periods, kpi_run_start
from kpi.tasks import kpi_run_execute


class Command(BaseCommand):
    help = "Recompute KPI snapshots for periods (default: current and previous month and week)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period",
            action="append",
            default=[],
            help="2026-10 (month) or 2026-W43 (ISO week); repeat for several",
        )
        parser.add_argument(
            "--scope", default="", help="team:CODE, branch:CODE or rep:USERNAME (default: all)"
        )
        parser.add_argument(
            "--timeout", type=float, default=3600, help="seconds to wait for the workers"
        )

    def handle(self, *args: object, **options: object) -> None:
        periods = list(options["period"]) or default_periods()  # type: ignore[call-overload]
        scope = str(options["scope"] or "")
        started = time.monotonic()
        try:
            run = kpi_run_start(trigger=KpiRun.Trigger.COMMAND, periods=periods, scope=scope)
        except LookupError as exc:
            raise CommandError(f"{exc.args[0] if exc.args else exc}") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        deadline = started + float(options["timeout"])  # type: ignore[arg-type]
        run.refresh_from_db()
        if run.status == KpiRun.Status.PENDING and kpi_run_execute.app.conf.task_always_eager:
            # Inside an outer transaction (tests, a calling script) on_commit has not fired
            # yet; running the task here is safe: the later message finds it claimed.
            kpi_run_execute(run.pk)
            run.refresh_from_db()
        while run.status in (KpiRun.Status.PENDING, KpiRun.Status.RUNNING):
            if time.monotonic() > deadline:
                raise CommandError(
                    f"KPI run {run.pk} still {run.status} after {options['timeout']} s "
                    f"({run.parts_done}/{run.parts_total} parts); are the workers running?"
                )
            time.sleep(0.5)
            run.refresh_from_db()
        seconds = time.monotonic() - started
        summary = (
            f"KPI run {run.pk}: {run.status}, periods {', '.join(run.periods)}, "
            f"scope {run.scope or 'all'}, {run.parts_done}/{run.parts_total} parts, "
            f"{run.snapshots_written} snapshots written in {seconds:.1f} s"
        )
        if run.status == KpiRun.Status.FAILED:
            raise CommandError(f"{summary}\n{run.error}")
        self.stdout.write(self.style.SUCCESS(summary))
