"""Failure drills (marker ``drill``, ``make drills``): real Celery workers, beat, gunicorn and a
private redis-server on loopback, against the PostgreSQL test database. Each drill breaks
something the way production breaks, waits for the system to recover without a human, and
prints what it checked (``DRILL: ...``).

They need PostgreSQL (workers in other processes must see the drill's committed rows) and
skip on SQLite. Recovery timings are shortened for the drill processes (heartbeat 1 s, stale
after 5 s, reconciler every 2 s; production: 15 s, 90 s, 30 s).
"""

from __future__ import annotations

import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection

from kpi import services as kpi_services
from kpi.models import KpiRun, KpiRunPart, KpiSnapshot
from kpi.tests.test_snapshots import make_cohort
from salesops.celery import enqueue
from salesops.tests.brokers import broker
from salesops.tests.drilling import (
    VENV_BIN,
    Proc,
    TcpProxy,
    drill_env,
    free_port,
    say,
    start_beat,
    start_redis,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

YEAR = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]


def _database_url(port: int | None = None) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{port or s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def pg() -> str:
    """DATABASE_URL of the test database for the drill's child processes."""
    if connection.vendor != "postgresql":
        pytest.skip("drills need PostgreSQL (make drills sets DATABASE_URL)")
    return _database_url()


@dataclass
class DrillRedis:
    port: int
    proc: Proc

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def restart(self) -> None:
        """SIGKILL the server and start a new, empty one on the same port."""
        self.proc.signal(signal.SIGKILL)
        self.proc.popen.wait(10)
        self.proc.stop()
        self.proc = start_redis(self.port)


@pytest.fixture
def drill_redis(pg: str, settings) -> Iterator[DrillRedis]:
    """A private redis-server on a free loopback port; this process sends tasks to it."""
    port = free_port()
    redis = DrillRedis(port, start_redis(port))
    settings.REDIS_URL = redis.url
    settings.JOB_STALE_SECONDS = 5
    try:
        with broker(redis.url, settings):
            yield redis
    finally:
        redis.proc.stop()


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    """Child processes started by a drill, stopped at its end (their logs on failure)."""
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.stop()


def _run(run_id: int) -> KpiRun:
    return KpiRun.objects.get(pk=run_id)


def _finished(run_id: int) -> KpiRun | None:
    run = _run(run_id)
    return run if run.status in (KpiRun.Status.DONE, KpiRun.Status.FAILED) else None


def _values() -> dict[tuple[str, int, str, str], object]:
    return {
        (s.scope_kind, s.scope_id, str(s.period_start), s.metric): s.value
        for s in KpiSnapshot.objects.all()
    }


def test_drill_redis_restart_mid_recompute(org, pg, drill_redis, procs):
    make_cohort(org.rep)
    env = drill_env(DATABASE_URL=pg, REDIS_URL=drill_redis.url)
    procs.append(start_worker("drill-a", env))
    procs.append(start_beat(env))
    run = kpi_services.kpi_run_start(trigger="manual", periods=YEAR)
    wait_for(lambda: _run(run.pk).parts_done >= 1, 120, "the run's first part", every=0.02)
    drill_redis.restart()
    at_restart = _run(run.pk)
    say(
        f"Redis restarted (queue lost) with the run at {at_restart.parts_done}/"
        f"{at_restart.parts_total} parts"
    )
    assert at_restart.parts_done < at_restart.parts_total, "the run finished before the restart"
    done = wait_for(lambda: _finished(run.pk), 120, "the run to finish after the restart")
    assert done.status == KpiRun.Status.DONE, done.error
    counted = KpiRunPart.objects.filter(run=done).count()
    assert done.parts_done == done.parts_total == counted
    assert done.attempts >= 1
    say(
        f"run done {done.parts_done}/{done.parts_total} parts, each counted once, after "
        f"{done.attempts} re-queue(s) by the reconciler; no human"
    )
    before = _values()
    again = kpi_services.kpi_run_start(trigger="manual", periods=YEAR)
    rerun = wait_for(lambda: _finished(again.pk), 120, "the re-run")
    assert rerun.status == KpiRun.Status.DONE
    assert _values() == before
    say(f"a re-run gives identical snapshots ({len(before)} values)")


def test_drill_duplicate_delivery(org, pg, drill_redis, procs):
    make_cohort(org.rep)
    env = drill_env(DATABASE_URL=pg, REDIS_URL=drill_redis.url)
    procs.append(start_worker("drill-a", env))
    procs.append(start_worker("drill-b", env))
    run = KpiRun.objects.create(trigger="manual", periods=YEAR[-3:])
    parts = kpi_services.kpi_run_parts(run=run)
    assert kpi_services.kpi_run_claim(run_id=run.pk, parts_total=len(parts), plan=parts)
    for kind, unit in parts:
        for _ in range(2):
            assert enqueue("kpi.run_part", args=[run.pk, kind, unit])
    done = wait_for(lambda: _finished(run.pk), 120, "the run with every part sent twice")
    counted = list(KpiRunPart.objects.filter(run=done))
    assert done.status == KpiRun.Status.DONE
    assert done.parts_done == done.parts_total == len(counted) == len(parts)
    assert done.snapshots_written == sum(p.rows for p in counted)
    say(
        f"{len(parts)} parts each delivered twice to two workers: counted "
        f"{done.parts_done}/{done.parts_total}, snapshots written counted once"
    )
    twice = KpiRun.objects.create(trigger="manual", periods=YEAR[-1:])
    assert enqueue("kpi.run_execute", args=[twice.pk])
    assert enqueue("kpi.run_execute", args=[twice.pk])
    done = wait_for(lambda: _finished(twice.pk), 120, "the run planned twice")
    time.sleep(1)  # let a late duplicate finish, if any
    done.refresh_from_db()
    assert (done.status, done.parts_done, done.parts_total) == (
        KpiRun.Status.DONE,
        len(parts),
        len(parts),
    )
    say(f"kpi.run_execute delivered twice: one plan of {done.parts_total} parts, done once")


def _get(url: str, cookie: str = "") -> tuple[int, float]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.monotonic() - started


def test_drill_database_unreachable(client, org, pg, procs):
    port = int(connection.settings_dict["PORT"] or 5432)
    proxy = TcpProxy((connection.settings_dict["HOST"] or "127.0.0.1", port))
    web_port = free_port()
    env = drill_env(
        DATABASE_URL=_database_url(proxy.port),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        WEB_BIND=f"127.0.0.1:{web_port}",
        WEB_CONCURRENCY="1",
        WEB_THREADS="2",
        DB_CONNECT_TIMEOUT="2",
    )
    env.pop("REDIS_URL", None)
    try:
        web = Proc(
            "web",
            [str(VENV_BIN / "gunicorn"), "salesops.wsgi"],
            env,
        )
        procs.append(web)
        web.wait_output("Booting worker", timeout=60)
        client.force_login(org.supervisor)
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        inbox = f"http://127.0.0.1:{web_port}/journals/inbox/"
        health = f"http://127.0.0.1:{web_port}/healthz"
        assert wait_for(lambda: _get(inbox, cookie)[0] == 200, 60, "the inbox through the proxy")
        say("inbox 200 with the database reachable through the proxy")
        proxy.cut()
        status, took = _get(inbox, cookie)
        assert status == 503, status
        assert took < 5, f"{took:.1f} s"
        assert _get(health)[0] == 503
        say(f"database cut: inbox answers 503 in {took:.2f} s, /healthz 503")
        proxy.restore()
        wait_for(
            lambda: _get(inbox, cookie)[0] == 200, 20, "the inbox after the database came back"
        )
        say("database back: inbox 200 again without restarting anything")
    finally:
        proxy.close()


def test_drill_beat_runs_once_across_machines(procs):
    import redis as redis_lib

    from salesops.beat import BEAT_LOCK_KEY, BEAT_LOCK_SECONDS

    port = free_port()
    server = start_redis(port)
    procs.append(server)
    url = f"redis://127.0.0.1:{port}/0"
    first = start_beat(drill_env(REDIS_URL=url))
    procs.append(first)
    second = Proc(
        "beat-2",
        [
            str(VENV_BIN / "celery"),
            "-A",
            "salesops",
            "beat",
            "--loglevel=info",
            "--schedule",
            f"{first.log}.schedule2",
        ],
        drill_env(REDIS_URL=url),
    )
    procs.append(second)
    second.wait_output("beat: Starting", timeout=90)
    time.sleep(6)
    assert "beat lock taken" not in second.output()
    client = redis_lib.Redis.from_url(url)
    ttl = client.ttl(BEAT_LOCK_KEY)
    assert 0 < ttl <= BEAT_LOCK_SECONDS
    say(
        f"two beats on one Redis: one holds the lock (expires {ttl} s after its last renewal), "
        "the other stands by"
    )
    first.stop()
    second.wait_output("beat lock taken", timeout=30)
    say("the holder stopped: the other beat took the lock and schedules")


def test_drill_worker_killed_mid_import(org, pg, drill_redis, procs):
    from django.core.files.base import ContentFile

    from customers.import_service import import_job_confirm, import_job_create
    from customers.models import Customer, ImportJob
    from customers.tests.test_import_support import xlsx_bytes

    rows = [["客户名称"]] + [[f"演练客户{i:05d}有限公司"] for i in range(5000)]
    job = import_job_create(
        by=org.admin,
        upload=ContentFile(xlsx_bytes(rows), name="drill.xlsx"),
        kind="customers",
        options={"team": org.team_a, "owner": org.rep},
    )
    env = drill_env(DATABASE_URL=pg, REDIS_URL=drill_redis.url)
    worker = start_worker("drill-a", env)
    procs.append(worker)
    procs.append(start_beat(env))
    assert import_job_confirm(job=job)

    def mid_import() -> ImportJob | None:
        j = ImportJob.objects.get(pk=job.pk)
        return j if 0 < j.processed_rows < j.total_rows else None

    at_kill = wait_for(mid_import, 180, "the import to save its first chunk", every=0.05)
    worker.signal(signal.SIGKILL)
    worker.popen.wait(10)
    say(f"worker SIGKILLed with the import at {at_kill.processed_rows}/{at_kill.total_rows} rows")
    procs.append(start_worker("drill-b", env))

    def finished() -> ImportJob | None:
        j = ImportJob.objects.get(pk=job.pk)
        return j if j.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED) else None

    done = wait_for(finished, 240, "the import to finish on the other worker")
    assert done.status == ImportJob.Status.DONE, done.message
    assert done.attempts >= 1
    names = list(
        Customer.objects.filter(name__startswith="演练客户").values_list("name", flat=True)
    )
    assert len(names) == len(set(names)) == 5000
    say(
        f"import done on the other worker after {done.attempts} re-queue(s): "
        f"{len(names)} customers, no duplicates; no human"
    )
