"""`make loadtest`'s options, its report beside the "during recompute" phase, and that
phase's background work (loadtest/; docs/deploy.md, "Load"). No timing here: the figures
come from running `make loadtest`."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from customers.models import Customer, ImportJob
from kpi.models import KpiRun
from loadtest import background, cpu, options, report

ROOT = Path(__file__).resolve().parents[2]


def test_options_default_to_the_plain_mix_of_100_users_for_60_seconds():
    opts = options.parse({})
    assert opts == options.Options(
        users=100, seconds=60, port=8100, recompute=False, import_rows=2000
    )


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        ({"LOADTEST_RECOMPUTE": "1"}, "recompute", True),
        ({"LOADTEST_RECOMPUTE": "yes"}, "recompute", True),
        ({"LOADTEST_RECOMPUTE": "0"}, "recompute", False),
        ({"LOADTEST_TIME": "2m"}, "seconds", 120),
        ({"LOADTEST_TIME": "20"}, "seconds", 20),
        ({"LOADTEST_TIME": "45s"}, "seconds", 45),
        ({"LOADTEST_USERS": "20"}, "users", 20),
        ({"LOADTEST_IMPORT_ROWS": "0"}, "import_rows", 0),
    ],
)
def test_options_are_read_from_the_environment(env, field, value):
    assert getattr(options.parse(env), field) == value


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"LOADTEST_USERS": "301"}, "LOADTEST_USERS"),
        ({"LOADTEST_USERS": "0"}, "LOADTEST_USERS"),
        ({"LOADTEST_USERS": "ten"}, "LOADTEST_USERS"),
        ({"LOADTEST_TIME": "11m"}, "LOADTEST_TIME"),
        ({"LOADTEST_TIME": "1h"}, "LOADTEST_TIME"),
        ({"LOADTEST_TIME": "5s"}, "LOADTEST_TIME"),
        ({"LOADTEST_RECOMPUTE": "maybe"}, "LOADTEST_RECOMPUTE"),
        ({"LOADTEST_IMPORT_ROWS": "50000"}, "LOADTEST_IMPORT_ROWS"),
    ],
)
def test_options_out_of_bounds_are_refused_naming_the_variable(env, named):
    with pytest.raises(ValueError, match=named):
        options.parse(env)


def _shell(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = 'opts="$(python loadtest/options.py)" || exit $?; eval "$opts"; '
    script += 'echo "$users $seconds $port $recompute $import_rows"'
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOADTEST_")}
    path = f"{Path(sys.executable).parent}:{clean.get('PATH', '')}"
    return subprocess.run(  # noqa: S603 - our own script
        ["bash", "-c", script],  # noqa: S607
        env={**clean, **env, "PATH": path},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_shell_script_gets_the_options_as_assignments_and_stops_on_a_bad_one():
    done = _shell({"LOADTEST_RECOMPUTE": "1", "LOADTEST_TIME": "20s", "LOADTEST_USERS": "20"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["20", "20", "8100", "1", "2000"]
    refused = _shell({"LOADTEST_USERS": "1000"})
    assert refused.returncode == 2
    assert "LOADTEST_USERS=1000" in refused.stderr
    assert refused.stdout == ""


def test_loadtest_sh_runs_the_recompute_phase_only_when_asked():
    text = (ROOT / "scripts" / "loadtest.sh").read_text(encoding="utf-8")
    assert 'opts="$(.venv/bin/python loadtest/options.py)" || exit 2' in text
    assert 'if [ "$recompute" = 1 ]; then' in text
    assert "loadtest/background.py --ready" in text
    assert "--reset-stats" in text


def _stats(path: Path, rows: list[tuple[str, int, float, int, int, int]]) -> str:
    """Write a locust ``_stats.csv`` with (name, requests, req/s, p50, p95, p99) rows and
    the total; returns the prefix."""
    fields = ["Type", "Name", "Request Count", "Failure Count", "Requests/s", "50%", "95%", "99%"]
    with path.with_name(path.name + "_stats.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for name, n, rps, p50, p95, p99 in rows:
            writer.writerow(
                {
                    "Type": "" if name == "(all)" else "GET",
                    "Name": "Aggregated" if name == "(all)" else name,
                    "Request Count": n,
                    "Failure Count": 0,
                    "Requests/s": rps,
                    "50%": p50,
                    "95%": p95,
                    "99%": p99,
                }
            )
    return str(path)


def test_the_report_puts_the_recompute_figures_beside_the_plain_ones(tmp_path):
    plain = _stats(
        tmp_path / "plain",
        [("today", 100, 10.0, 100, 200, 300), ("(all)", 100, 10.0, 100, 200, 300)],
    )
    during = _stats(
        tmp_path / "during", [("today", 80, 8.0, 130, 400, 500), ("(all)", 80, 8.0, 130, 400, 500)]
    )
    summary = {
        "runs": [
            {"id": 7, "status": "done", "parts": "6/6", "seconds": 20.0},
            {"id": 8, "status": "running", "parts": "2/6", "seconds": None},
        ],
        "imports": [{"id": 3, "status": "done", "rows": 500, "created": 500, "seconds": 9.5}],
    }
    text = report.build(plain, during, summary, "1.00 0.50 0.20", "2.00 1.00 0.40")
    plain_part, during_part = text.split("== the same mix during full KPI recomputes")
    assert "today" in plain_part
    assert "p50 vs" not in plain_part
    assert "load average at the end: 1.00 0.50 0.20" in plain_part
    today = next(line for line in during_part.splitlines() if line.startswith("today"))
    assert today.split()[-2:] == ["1.30x", "2.00x"]
    assert "p50 1.30x, p95 2.00x: NOT met" in during_part
    assert "full KPI recomputes: 2 started, 1 done, 20 s each on average (wall)" in during_part
    assert "import 3: done, 500/500 created, 9.5 s" in during_part
    assert "load average at the end: 2.00 1.00 0.40" in during_part


def test_the_report_without_the_recompute_phase_is_the_plain_table(tmp_path):
    plain = _stats(tmp_path / "plain", [("(all)", 10, 1.0, 100, 140, 150)])
    text = report.build(plain)
    assert "during full KPI recomputes" not in text
    assert text.splitlines()[2].split()[:2] == ["(all)", "10"]
    assert "errors: 0" in text


def test_the_verdict_is_met_within_one_and_a_half_times():
    plain = [{"Name": "(all)", "50%": "100", "95%": "200"}]
    assert report.verdict([{"Name": "(all)", "50%": "150", "95%": "290"}], plain).endswith(": met")
    assert report.verdict([{"Name": "(all)", "50%": "151", "95%": "200"}], plain).endswith(
        "NOT met"
    )


def test_the_generated_import_file_maps_itself_and_imports_every_row(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    from customers.import_service import import_job_create, import_job_execute

    data = background.workbook(30, "t", ["rep", "teammate"])
    job = import_job_create(
        by=org.admin, upload=SimpleUploadedFile("x.xlsx", data), kind="customers"
    )
    assert set(job.mapping.values()) >= {"name", "owner"}
    job = import_job_execute(job=job)
    assert (job.status, job.created_count, job.rejected_count) == (ImportJob.Status.DONE, 30, 0)
    assert Customer.objects.filter(owner=org.rep, name__startswith="压测客户t-").count() == 15


@pytest.mark.django_db
def test_the_background_keeps_a_full_recompute_running_and_an_import_beside_it(
    org, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    # Nothing is sent: the run and the import stay queued until this test moves them on.
    monkeypatch.setattr("kpi.services._enqueue_run", lambda run_id: None)
    monkeypatch.setattr("customers.import_service.jobs._enqueue", lambda job_id: None)
    work = background.Background(import_rows=5)
    work.step()
    work.step()  # the run is queued: neither another run nor an import (it would queue one)
    assert (len(work.runs), len(work.imports)) == (1, 0)
    run = KpiRun.objects.get(pk=work.runs[0])
    assert (run.scope, run.trigger, run.requested_by) == ("", KpiRun.Trigger.MANUAL, org.admin)
    KpiRun.objects.filter(pk=run.pk).update(status=KpiRun.Status.RUNNING)
    work.step()  # the run computes: an import beside it
    work.step()  # the import is still queued: nothing more
    assert (len(work.runs), len(work.imports)) == (1, 1)
    assert background.active_imports() == 1
    assert background.settle(0.5) >= 0.5  # work is left: waits its whole limit
    KpiRun.objects.filter(pk=run.pk).update(status=KpiRun.Status.DONE)
    ImportJob.objects.filter(pk=work.imports[0]).update(status=ImportJob.Status.DONE)
    assert background.settle(30) < 5  # nothing left: at once
    work.step()  # the run ended: the next one
    assert (len(work.runs), len(work.imports)) == (2, 1)
    # Any full run counts (an import's own recompute): none of ours starts beside it.
    KpiRun.objects.filter(pk=work.runs[1]).update(status=KpiRun.Status.DONE)
    KpiRun.objects.create(trigger=KpiRun.Trigger.IMPORT, periods=["2026-03"], status="running")
    work.step()
    assert (len(work.runs), len(work.imports)) == (2, 2)
    summary = work.summary()
    assert [r["status"] for r in summary["runs"]] == ["done", "done"]
    assert [j["status"] for j in summary["imports"]] == ["done", "pending"]


def test_cpu_roles_come_from_the_procfile_command_lines():
    procs = dict(
        line.split(": ", 1)
        for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert {name: cpu.role_of(command) for name, command in procs.items()} == {
        "web": "web",
        "worker": "worker",
        "kpiworker": "kpiworker",
        "beat": "beat",
    }
    assert cpu.role_of("postgres: 15/main: postgres salesops idle") is None


def test_a_cpu_snapshot_counts_a_niced_descendant_by_its_role(tmp_path):
    # A child whose command line looks like the KPI worker's, niced, burning a little CPU.
    code = "import sys, time; t = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    code += "sys.stdout.write('ok\\n'); sys.stdout.flush(); time.sleep(30)"
    child = subprocess.Popen(  # noqa: S603 - our own interpreter
        ["nice", "-n", "7", sys.executable, "-c", code, "celery", "worker", "kpi@x"],  # noqa: S607
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "ok\n"
        seen = cpu.snapshot(os.getpid(), "no-such-database")
    finally:
        child.kill()
        child.wait()
    assert float(seen["kpiworker"]) >= 0.25
    assert seen["nice"]["kpiworker"] >= 7
    assert seen["postgres"] == 0


def test_the_report_gives_each_roles_cpu_seconds_in_the_phase():
    before = {
        "web": 10.0,
        "worker": 1.0,
        "kpiworker": 0.0,
        "beat": 0.5,
        "postgres": 2.0,
        "nice": {},
    }
    after = {
        "web": 52.5,
        "worker": 3.0,
        "kpiworker": 8.25,
        "beat": 0.6,
        "postgres": 6.0,
        "nice": {"kpiworker": 10},
    }
    assert report.cpu_line(before, after) == [
        "CPU seconds in the phase (processes alive at its end): web 42.5, worker 2.0, "
        "kpiworker 8.2 (nice 10), beat 0.1, postgres 4.0"
    ]
    assert report.cpu_line(None, after) == []


# Run in a child process: importing locust monkey-patches the standard library (gevent).
_LOCUST_CHECK = """
import json
from gevent.pywsgi import WSGIServer
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from loadtest import locustfile as lf

seen = []

def app(environ, start_response):
    seen.append((environ["PATH_INFO"], environ.get("HTTP_COOKIE", ""),
                 environ.get("HTTP_X_CSRFTOKEN", ""), environ.get("HTTP_HX_REQUEST", "")))
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Set-Cookie", "csrftoken=tok42; Path=/")])
    return [b"ok"]

server = WSGIServer(("127.0.0.1", 0), app, log=None)
server.start()
lf.Rep.host = f"http://127.0.0.1:{server.server_port}"
rep = lf.Rep(Environment(user_classes=[lf.Rep]))
rep.on_start()
rep._post("/journals/1/autosave/", {"learning_topic": "x"}, "journal autosave")
rep.client.cookiejar.clear()
rep.client.get("/after-clear/")
print(json.dumps({
    "fast": all(issubclass(c, FastHttpUser) for c in (lf.Rep, lf.Supervisor, lf.Manager, lf.Login)),
    "seen": seen,
}))
"""


def test_the_locust_users_send_the_session_and_the_csrf_cookie_with_the_fast_client(tmp_path):
    users = tmp_path / "users.json"
    users.write_text('{"rep": [{"username": "r", "session": "sess1", "customers": [1]}]}')
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _LOCUST_CHECK],
        env={**os.environ, "LOADTEST_USERS": str(users)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["fast"] is True
    home, autosave, after_clear = result["seen"]
    assert home[0] == "/"
    assert "sessionid=sess1" in home[1]
    assert autosave[0] == "/journals/1/autosave/"
    assert "sessionid=sess1" in autosave[1]
    assert "csrftoken=tok42" in autosave[1]
    assert autosave[2:] == ["tok42", "true"]
    assert after_clear[1] == ""
