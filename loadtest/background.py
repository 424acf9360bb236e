"""The background work of `make loadtest`'s "during recompute" phase (LOADTEST_RECOMPUTE=1;
docs/deploy.md, "Load").

Usage: ``python loadtest/background.py --ready FILE --summary OUT.json [--import-rows N]``
with the production settings in the environment (scripts/prod-env.sh). It waits until
FILE exists (the locustfile writes it when every user has spawned), then, until SIGTERM or
SIGINT:

- keeps a full KPI recompute running: when no run is queued or running, one of the whole
  organisation over the default periods, started through ``kpi.services.kpi_run_start``
  (what "Recompute now" and the nightly ``kpi.nightly`` call);
- keeps a customer import of N rows going (N > 0) while a run computes: a generated .xlsx
  uploaded with ``import_job_create`` and confirmed with ``import_job_confirm``, as the
  import page does. Its completion starts a full recompute of its own, as in production, so
  the next import waits until no run is queued (else runs would pile up).

``python loadtest/background.py --settle SECONDS`` waits (at most that long) until no KPI
run or import is queued or running: scripts/loadtest.sh starts each phase from quiet.

On exit it writes OUT.json: ``{"runs": [{"id", "status", "parts", "seconds"}],
"imports": [{"id", "status", "rows", "created", "seconds"}]}`` (seconds: wall clock from start to
finish as the rows record them; None for one still running) and prints one line per item.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLL_SECONDS = 1.0
READY_TIMEOUT_SECONDS = 900

_stop = False


def _request_stop(signum: int, frame: FrameType | None) -> None:
    global _stop  # noqa: PLW0603 - the signal handler's only way out of the loop
    _stop = True


def workbook(rows: int, prefix: str, owners: list[str], first_phone: int = 0) -> bytes:
    """An .xlsx customer list of ``rows`` new customers (names ``<prefix>-<n>`` unique per
    call; mobiles 19xxxxxxxxx from ``first_phone`` on, so that calls given disjoint ranges
    never repeat one), owned in turn by ``owners`` (usernames), with Chinese headers the
    import maps by itself."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户清单")
    ws.append(["客户名称", "手机号码", "客户经理", "阶段", "备注"])
    for i in range(rows):
        ws.append(
            [
                f"压测客户{prefix}-{i:05d}有限公司",
                f"19{(first_phone + i) % 10**9:09d}",
                owners[i % len(owners)] if owners else "",
                "客户资料",
                "loadtest",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def active_runs() -> dict[str, int]:
    """KPI runs not finished: ``{"pending": n, "running": n}``."""
    from kpi.models import KpiRun

    return {
        "pending": KpiRun.objects.filter(status=KpiRun.Status.PENDING).count(),
        "running": KpiRun.objects.filter(status=KpiRun.Status.RUNNING).count(),
    }


def active_imports(ids: list[int] | None = None) -> int:
    """Import jobs queued or running (among ``ids`` when given)."""
    from customers.models import ImportJob

    jobs = ImportJob.objects.filter(status__in=(ImportJob.Status.PENDING, ImportJob.Status.RUNNING))
    if ids is not None:
        if not ids:
            return 0
        jobs = jobs.filter(pk__in=ids)
    return jobs.count()


def settle(limit: float) -> float:
    """Wait until no KPI run and no import is queued or running (work left by an earlier
    phase or run), at most ``limit`` seconds; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit and not _stop:
        runs = active_runs()
        if not runs["pending"] and not runs["running"] and not active_imports():
            break
        time.sleep(POLL_SECONDS)
    return time.monotonic() - started


class Background:
    """The recompute loop and the import loop, advanced by :meth:`step`."""

    def __init__(self, import_rows: int) -> None:
        from accounts.models import Membership, User

        self.import_rows = import_rows
        self.runs: list[int] = []
        self.imports: list[int] = []
        self.admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        self.owners = list(
            Membership.objects.filter(end__isnull=True, role="rep", user__is_active=True)
            .order_by("user__username")
            .values_list("user__username", flat=True)[:20]
        )

    def step(self) -> None:
        """Start a full recompute when no KPI run is queued or running, and an import when
        none of ours is and no KPI run waits (an import's completion starts a recompute of
        its own: imports back to back would queue runs faster than they finish)."""
        from kpi.models import KpiRun
        from kpi.services import kpi_run_start

        runs = active_runs()
        if not runs["pending"] and not runs["running"]:
            run = kpi_run_start(trigger=KpiRun.Trigger.MANUAL, periods=[], by=self.admin)
            self.runs.append(run.pk)
            print(f"background: full recompute {run.pk} started", flush=True)
        elif self.import_rows and not runs["pending"] and not active_imports(self.imports[-1:]):
            self._start_import()

    def _start_import(self) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from customers.import_service import import_job_confirm, import_job_create

        prefix = f"{os.getpid()}-{len(self.imports)}-{int(time.time())}"
        # Mobiles of this process's n-th import: a range of their own (no duplicate skipped).
        first = (os.getpid() % 1000) * 10**6 + len(self.imports) * self.import_rows
        data = workbook(self.import_rows, prefix, self.owners, first_phone=first)
        upload = SimpleUploadedFile(f"loadtest-{prefix}.xlsx", data)
        job = import_job_create(by=self.admin, upload=upload, kind="customers")
        import_job_confirm(job=job)
        self.imports.append(job.pk)
        print(f"background: import {job.pk} of {self.import_rows} rows started", flush=True)

    def summary(self) -> dict[str, list[dict[str, Any]]]:
        """What ran: see the module docstring."""
        from customers.models import ImportJob
        from kpi.models import KpiRun

        def seconds(start: Any, end: Any) -> float | None:
            return round((end - start).total_seconds(), 1) if start and end else None

        runs = [
            {
                "id": r.pk,
                "status": r.status,
                "parts": f"{r.parts_done}/{r.parts_total}",
                "seconds": seconds(r.started_at or r.created_at, r.finished_at),
            }
            for r in KpiRun.objects.filter(pk__in=self.runs).order_by("pk")
        ]
        imports = [
            {
                "id": j.pk,
                "status": j.status,
                "rows": j.total_rows,
                "created": j.created_count,
                "seconds": seconds(j.created_at, j.finished_at),
            }
            for j in ImportJob.objects.filter(pk__in=self.imports).order_by("pk")
        ]
        return {"runs": runs, "imports": imports}


def main(argv: list[str] | None = None) -> int:
    """Run the loops until SIGTERM/SIGINT; write the summary. Exit status 1 when the ready
    file never appeared."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--summary", type=Path)
    parser.add_argument("--import-rows", type=int, default=2000)
    parser.add_argument("--settle", type=float, metavar="SECONDS")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")
    import django

    django.setup()
    if args.settle is not None:
        waited = settle(args.settle)
        left = active_runs()
        print(f"background: waited {waited:.0f} s for earlier KPI runs and imports; left {left}")
        return 0
    if args.ready is None or args.summary is None:
        parser.error("--ready and --summary are needed (or --settle)")
    waited = 0.0
    while not args.ready.exists():
        if _stop or waited > READY_TIMEOUT_SECONDS:
            print("background: locust never finished spawning", file=sys.stderr)
            return 1
        time.sleep(0.2)
        waited += 0.2
    work = Background(args.import_rows)
    while not _stop:
        work.step()
        time.sleep(POLL_SECONDS)
    summary = work.summary()
    args.summary.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    for run in summary["runs"]:
        print(f"background: KPI run {run}")
    for job in summary["imports"]:
        print(f"background: import {job}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
