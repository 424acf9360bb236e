"""Benchmark the KPI engine.

Generates an organisation of ``--reps`` reps (default 1,000: 20 teams of 50 in 4 branches)
with 12 months of data per rep: 300 customers, ~1,000 visits (in ~250 journals), ~600
stage changes, contracts and monthly revenue of the deals, billing closed to last month.
Data goes into a database of its own: an SQLite file under var/bench/ (default; git-ignored,
kept for ``--keep``) or ``DATABASE_URL`` when given (PostgreSQL), with raw ``executemany``
inserts (1,000 reps: about 6.5 minutes). Then prints:

- full recompute (the nightly periods: current and previous month and ISO week) with one
  worker (one process, ``compute_and_store`` for all teams) and with two workers (the
  run's parts - one per team and per branch, as the Celery group sends them - split in
  two processes running in parallel): wall time and peak memory (ru_maxrss of the child);
- the plain SQL aggregation floor for the same counts (visits, customers visited and
  effective customers, stage reaches, contracts and revenue per rep and team and period,
  GROUP BY in the database) and the ratio recompute / floor;
- full recompute of 12 months for every rep, team and branch (the "1,000 reps x 12 months"
  case), split into a run's parts (one per team, one per branch), against the SQL floor of
  the same 12 months, with peak memory (aims: under 3x the floor, under 1 GB);
- the nightly task as users get it: ``kpi.nightly`` run eagerly (the run, its parts per team
  and branch, its completion) with the coaching diagnosis it triggers, the number of
  diagnosis tasks (one per run) and their time;
- median time of the dashboard reads for a 50-rep team (``kpi.figures.stored_table`` of the
  team's reps for 10 metrics + the team's metrics + a 12-month series);
- incremental update after one change: ``kpi.services.kpi_recompute_touched`` of one 50-rep
  team for one month and one week with one customer marked (what the worker runs after a
  visit or stage change, re-summing the stored per-bucket sums, docs/architecture.md,
  "Incremental recompute"), and the full recompute of the team with its branch; median of
  5, CPU ms.

Usage: ``.venv/bin/python bench/kpi.py [--reps N] [--keep] [--only year,...]``
(``--keep`` reuses the generated SQLite database when it has the same number of reps;
``--only`` runs some phases, e.g. ``--reps 100 --only year`` on a small machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: The generated database, kept between runs (``--keep``) under the git-ignored var/.
DB = ROOT / "var" / "bench" / "kpi.sqlite3"
TEAM_SIZE = 50
TEAMS_PER_BRANCH = 5
CUSTOMERS_PER_REP = 300
VISITS_PER_REP = 1000
STAGES = ["lead", "target", "relationship", "intent", "deal"]
# final stage rank -> share; 5 = lost (after two steps). Mean two stage changes per customer.
FINAL_SHARES = [0.15, 0.25, 0.20, 0.15, 0.15, 0.10]
INDUSTRIES = ["制造业", "信息技术", "批发零售", "金融", "教育", "卫生", "房地产", "物流"]


def setup_django(fresh: bool) -> None:
    """Point Django at the benchmark's own database (SQLite unless DATABASE_URL is set)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "salesops.settings"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)
    if not os.environ.get("BENCH_DATABASE_URL"):
        os.environ["BENCH_DATABASE_URL"] = os.environ.get("DATABASE_URL") or f"sqlite:///{DB}"
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    if os.environ["DATABASE_URL"].startswith("sqlite"):
        DB.parent.mkdir(parents=True, exist_ok=True)
    if fresh and os.environ["DATABASE_URL"].startswith("sqlite"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{DB}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("OPTIONS", {})["timeout"] = 120


def is_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


def _param(v: Any) -> Any:
    """SQLite gets text as Django stores it (naive UTC datetimes); PostgreSQL native types."""
    if not is_sqlite():
        return v
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, bool):
        return int(v)
    return v


def insert(model: Any, columns: dict[str, Any], n: int) -> None:
    """INSERT ``n`` rows of ``model``: ``columns`` maps column -> list (per row) or scalar;
    every other NOT NULL column takes its default ('' for text, False, now)."""
    from django.db import connection
    from django.db.models import BooleanField, CharField, TextField
    from django.utils import timezone

    cols: list[str] = []
    values: list[Any] = []
    now = timezone.now()
    for f in model._meta.local_concrete_fields:
        if f.column in columns:
            cols.append(f.column)
            values.append(columns[f.column])
        elif f.primary_key or f.null:
            continue
        elif f.has_default():
            d = f.get_default()
            cols.append(f.column)
            values.append(_param(d))
        elif isinstance(f, BooleanField):
            cols.append(f.column)
            values.append(_param(False))
        elif isinstance(f, CharField | TextField):
            cols.append(f.column)
            values.append("")
        else:
            cols.append(f.column)
            values.append(_param(now))
    per_row = [v if isinstance(v, list) else None for v in values]
    scalars = [None if isinstance(v, list) else v for v in values]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in cols)
    marks = ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - model metadata
    chunk = 20000
    with connection.cursor() as cur:
        for start in range(0, n, chunk):
            rows = [
                tuple(
                    (pr[i] if pr is not None else sc)
                    for pr, sc in zip(per_row, scalars, strict=True)
                )
                for i in range(start, min(n, start + chunk))
            ]
            cur.executemany(sql, rows)


def generate(reps: int) -> None:  # noqa: PLR0915 - one linear script
    """Build the organisation and its 12 months of history."""
    import numpy as np
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Membership, OrgUnit, User
    from customers.models import (
        BillingMonth,
        Contract,
        Customer,
        Ownership,
        RevenueRecord,
        StageChange,
    )
    from journals.models import Journal, Visit

    t0 = time.monotonic()
    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(6)
    tz = timezone.get_default_timezone()
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=365)
    start_ts = dt.datetime.combine(first_day, dt.time(), tzinfo=tz).timestamp()
    now_ts = timezone.now().timestamp()
    n_teams = max(1, -(-reps // TEAM_SIZE))
    n_branches = max(1, -(-n_teams // TEAMS_PER_BRANCH))

    def aware(ts: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(float(ts), tz=dt.UTC)

    with transaction.atomic():
        company = OrgUnit.objects.create(name="基准通信", code="bench", kind="company")
        branches = [
            OrgUnit.objects.create(name=f"分公司{b}", code=f"b{b}", kind="branch", parent=company)
            for b in range(n_branches)
        ]
        teams = [
            OrgUnit.objects.create(
                name=f"第{t}组",
                code=f"t{t}",
                kind="team",
                parent=branches[t // TEAMS_PER_BRANCH],
            )
            for t in range(n_teams)
        ]
        users = [
            User(username=f"rep{i:05d}", display_name=f"销售{i}", password="!")  # noqa: S106
            for i in range(reps)
        ]
        users += [
            User(username=f"sup{t:03d}", display_name=f"主管{t}", password="!")  # noqa: S106
            for t in range(n_teams)
        ]
        User.objects.bulk_create(users, batch_size=2000)
        by_name = dict(User.objects.values_list("username", "id"))
        rep_ids = np.array([by_name[f"rep{i:05d}"] for i in range(reps)])
        rep_team = np.array([teams[i // TEAM_SIZE].pk for i in range(reps)])
        mem_start = first_day - dt.timedelta(days=120)
        Membership.objects.bulk_create(
            [
                Membership(user_id=int(u), unit_id=int(t), role="rep", start=mem_start)
                for u, t in zip(rep_ids, rep_team, strict=True)
            ]
            + [
                Membership(
                    user_id=by_name[f"sup{t:03d}"],
                    unit=teams[t],
                    role="supervisor",
                    start=mem_start,
                )
                for t in range(n_teams)
            ],
            batch_size=2000,
        )

        # Customers: created over the year (a quarter of them before it, as leads in stock).
        n_c = reps * CUSTOMERS_PER_REP
        owner_idx = np.repeat(np.arange(reps), CUSTOMERS_PER_REP)
        created = rng.uniform(start_ts - 90 * 86400, now_ts - 86400, n_c)
        final = rng.choice(6, size=n_c, p=FINAL_SHARES)
        # Stage path: lead -> ... -> final (lost: two steps then lost); gaps ~ 25 days.
        steps = np.where(final == 5, 3, final)
        gaps = rng.exponential(25 * 86400, size=(n_c, 4)).cumsum(axis=1) + created[:, None]
        sc_cust, sc_from, sc_to, sc_at = [], [], [], []
        stage_now = np.zeros(n_c, dtype=int)  # index into STAGES, 5 = lost
        for k in range(4):
            take = (steps > k) & (gaps[:, k] < now_ts)
            idx = np.flatnonzero(take)
            is_lost_step = (final[idx] == 5) & (k == 2)
            to = np.where(is_lost_step, 5, k + 1)
            frm = stage_now[idx]
            sc_cust.append(idx)
            sc_from.append(frm)
            sc_to.append(to)
            sc_at.append(gaps[idx, k])
            stage_now[idx] = to
        sc_cust_a = np.concatenate(sc_cust)
        sc_from_a = np.concatenate(sc_from)
        sc_to_a = np.concatenate(sc_to)
        sc_at_a = np.concatenate(sc_at)
        names = [*STAGES, "lost"]
        insert(
            Customer,
            {
                "id": list(range(1, n_c + 1)),
                "name": [f"基准客户{i}有限公司" for i in range(n_c)],
                "name_key": [f"基准客户{i}" for i in range(n_c)],
                "industry": [INDUSTRIES[i % len(INDUSTRIES)] for i in range(n_c)],
                "segment": "mass",
                "stage": [names[s] for s in stage_now],
                "stage_changed_at": [_param(aware(t)) for t in created],
                "created_at": [_param(aware(t)) for t in created],
                "updated_at": _param(timezone.now()),
                "owner_id": [int(rep_ids[o]) for o in owner_idx],
                "team_id": [int(rep_team[o]) for o in owner_idx],
            },
            n_c,
        )
        insert(
            Ownership,
            {
                "customer_id": list(range(1, n_c + 1)),
                "owner_id": [int(rep_ids[o]) for o in owner_idx],
                "team_id": [int(rep_team[o]) for o in owner_idx],
                "start": [_param(aware(t)) for t in created],
            },
            n_c,
        )
        n_sc = len(sc_cust_a)
        insert(
            StageChange,
            {
                "customer_id": [int(c) + 1 for c in sc_cust_a],
                "from_stage": [names[s] for s in sc_from_a],
                "to_stage": [names[s] for s in sc_to_a],
                "at": [_param(aware(t)) for t in sc_at_a],
                "source": "manual",
                "rep_id": [int(rep_ids[owner_idx[c]]) for c in sc_cust_a],
                "team_id": [int(rep_team[owner_idx[c]]) for c in sc_cust_a],
            },
            n_sc,
        )

        # Journals on work days, ~4 visits each, to the rep's own customers.
        days = [
            first_day + dt.timedelta(days=d)
            for d in range((today - first_day).days)
            if (first_day + dt.timedelta(days=d)).weekday() < 5
        ]
        per_day = max(1, round(VISITS_PER_REP / len(days)))
        n_j = reps * len(days)
        j_rep = np.repeat(np.arange(reps), len(days))
        j_day = np.tile(np.arange(len(days)), reps)
        insert(
            Journal,
            {
                "id": list(range(1, n_j + 1)),
                "day": [_param(days[d]) for d in j_day],
                "status": "reviewed",
                "submitted_at": [
                    _param(dt.datetime.combine(days[d], dt.time(19), tzinfo=tz)) for d in j_day
                ],
                "revision": 1,
                "created_at": _param(timezone.now()),
                "updated_at": _param(timezone.now()),
                "rep_id": [int(rep_ids[r]) for r in j_rep],
                "team_id": [int(rep_team[r]) for r in j_rep],
            },
            n_j,
        )
        n_v = n_j * per_day
        v_j = np.repeat(np.arange(n_j), per_day)
        v_rep = j_rep[v_j]
        v_cust = v_rep * CUSTOMERS_PER_REP + rng.integers(0, CUSTOMERS_PER_REP, n_v)
        day_ts = np.array([dt.datetime.combine(d, dt.time(9), tzinfo=tz).timestamp() for d in days])
        v_at = day_ts[j_day[v_j]] + rng.integers(0, 9 * 3600, n_v)
        # stage_before: the customer's stage at the visit (changes sorted by customer, time).
        order = np.lexsort((sc_at_a, sc_cust_a))
        key_c, key_t, key_to = sc_cust_a[order], sc_at_a[order], sc_to_a[order]
        pos = np.searchsorted(key_c * 1e10 + key_t, v_cust * 1e10 + v_at, side="right") - 1
        valid = (pos >= 0) & (key_c[np.maximum(pos, 0)] == v_cust)
        before = np.where(valid, key_to[np.maximum(pos, 0)], 0)
        outcomes = rng.choice(["nothing", "info", "next_step"], size=n_v, p=[0.3, 0.3, 0.4])
        insert(
            Visit,
            {
                "journal_id": [int(j) + 1 for j in v_j],
                "purpose": "explanation",
                "occurred_at": [_param(aware(t)) for t in v_at],
                "outcome": list(outcomes),
                "stage_before": [names[s] for s in before],
                "next_step": ["送方案" if o == "next_step" else "" for o in outcomes],
                "next_step_date": [
                    _param(days[j_day[v_j[i]]] + dt.timedelta(days=3)) if o == "next_step" else None
                    for i, o in enumerate(outcomes)
                ],
                "created_at": _param(timezone.now()),
                "customer_id": [int(c) + 1 for c in v_cust],
                "rep_id": [int(rep_ids[r]) for r in v_rep],
                "team_id": [int(rep_team[r]) for r in v_rep],
            },
            n_v,
        )

        # Deals: a contract at the deal and monthly revenue from the month after it.
        deal_sel = sc_to_a == 4
        deal_c, deal_t = sc_cust_a[deal_sel], sc_at_a[deal_sel]
        value = rng.integers(200, 5000, len(deal_c))
        insert(
            Contract,
            {
                "customer_id": [int(c) + 1 for c in deal_c],
                "signed_on": [_param(timezone.localdate(aware(t))) for t in deal_t],
                "products": "宽带",
                "monthly_value": [_param(Decimal(int(v))) for v in value],
                "term_months": 12,
                "created_at": _param(timezone.now()),
                "rep_id": [int(rep_ids[owner_idx[c]]) for c in deal_c],
                "team_id": [int(rep_team[owner_idx[c]]) for c in deal_c],
            },
            len(deal_c),
        )
        this_month = today.replace(day=1)
        r_cust, r_month, r_billed, r_received = [], [], [], []
        for c, t, v in zip(deal_c, deal_t, value, strict=True):
            m = timezone.localdate(aware(t)).replace(day=1)
            while True:
                m = (m + dt.timedelta(days=32)).replace(day=1)
                if m >= this_month:
                    break
                billed = Decimal(int(v) + int(rng.integers(-100, 100)))
                r_cust.append(int(c) + 1)
                r_month.append(_param(m))
                r_billed.append(_param(billed))
                r_received.append(_param((billed * Decimal("0.9")).quantize(Decimal("0.01"))))
        insert(
            RevenueRecord,
            {
                "customer_id": r_cust,
                "month": r_month,
                "product": "宽带",
                "billed": r_billed,
                "received": r_received,
            },
            len(r_cust),
        )
        m = (first_day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        while m < this_month:
            BillingMonth.objects.create(month=m)
            m = (m + dt.timedelta(days=32)).replace(day=1)
        if not is_sqlite():
            with connection.cursor() as cur:
                for sql in connection.ops.sequence_reset_sql(
                    no_style(), [Customer, Journal, Visit, StageChange]
                ):
                    cur.execute(sql)
    if is_sqlite():
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(
        f"generated {reps} reps in {n_teams} teams / {n_branches} branches: {n_c:,} customers, "
        f"{n_sc:,} stage changes, {n_j:,} journals, {n_v:,} visits, {len(deal_c):,} contracts, "
        f"{len(r_cust):,} revenue rows in {time.monotonic() - t0:.1f} s",
        flush=True,
    )


def nightly_periods() -> list[str]:
    from kpi.services import default_periods

    return default_periods()


# --------------------------------------------------------------------------- phases


def phase_full() -> dict[str, Any]:
    """One worker: compute_and_store for all teams in this process."""
    from kpi.snapshots import compute_and_store

    t = time.monotonic()
    rows = compute_and_store(periods=nightly_periods())
    return {
        "seconds": time.monotonic() - t,
        "rows": rows,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def year_periods() -> list[str]:
    """The last 12 local months, newest first (the full recompute of a year)."""
    from kpi.calculations import parse_period

    month = parse_period(nightly_periods()[0])
    keys = [month.key]
    for _ in range(11):
        month = month.previous()
        keys.append(month.key)
    return keys


def phase_year() -> dict[str, Any]:
    """Full recompute of 12 months for every rep, team and branch in this process, split
    the way a KPI run splits it (``kpi.services.kpi_run_parts``: one part per team, then
    one per branch), so the peak memory is that of the largest part, not of the whole
    organisation at once."""
    from kpi.models import KpiRun
    from kpi.services import kpi_run_parts
    from kpi.snapshots import branch_teams, compute_and_store

    periods = year_periods()
    parts = kpi_run_parts(run=KpiRun(trigger="command", periods=periods, scope=""))
    t, cpu = time.monotonic(), time.process_time()
    rows = 0
    for kind, unit_id in parts:
        if kind == "team":
            rows += compute_and_store(periods=periods, team_ids=[unit_id], kinds=("rep", "team"))
        else:
            teams = branch_teams([unit_id])[unit_id]
            rows += compute_and_store(periods=periods, team_ids=teams, kinds=("branch",))
    return {
        "seconds": time.monotonic() - t,
        "cpu_seconds": time.process_time() - cpu,
        "rows": rows,
        "parts": len(parts),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def phase_nightly() -> dict[str, Any]:
    """What the beat runs at 02:00, as users get it: ``kpi.nightly`` (a run, its parts per
    team and branch, the run's completion) and the coaching diagnosis it triggers, all in
    this process with eager tasks (no broker). Counts the diagnosis tasks and their time."""
    from coaching import services as coaching_services
    from coaching import tasks as coaching_tasks
    from kpi.models import KpiRun
    from kpi.tasks import kpi_nightly
    from salesops.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    spent = {"diagnosis_s": 0.0, "diagnosis_tasks": 0, "findings_calls": 0}
    original_task = coaching_tasks.findings_recompute_many.run
    original_service = coaching_services.findings_recompute_periods

    def counted_task(*args: Any, **kwargs: Any) -> Any:
        spent["diagnosis_tasks"] += 1
        t0 = time.monotonic()
        try:
            return original_task(*args, **kwargs)
        finally:
            spent["diagnosis_s"] += time.monotonic() - t0

    def counted_service(*args: Any, **kwargs: Any) -> Any:
        spent["findings_calls"] += 1
        return original_service(*args, **kwargs)

    coaching_tasks.findings_recompute_many.run = counted_task
    coaching_services.findings_recompute_periods = counted_service
    t = time.monotonic()
    run_id = kpi_nightly.apply().get()
    seconds = time.monotonic() - t
    run = KpiRun.objects.get(pk=run_id)
    return {
        "seconds": seconds,
        "status": run.status,
        "parts": run.parts_total,
        "rows": run.snapshots_written,
        **spent,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def phase_parts(index: int, count: int) -> dict[str, Any]:
    """One of ``count`` workers: every count-th part of a run (teams, then branches), each
    computed as kpi.services.kpi_run_part does it."""
    from kpi.models import KpiRun
    from kpi.services import kpi_run_parts
    from kpi.snapshots import branch_teams, compute_and_store

    periods = nightly_periods()
    parts = kpi_run_parts(run=KpiRun(trigger="command", periods=periods, scope=""))
    mine = parts[index::count]
    t = time.monotonic()
    rows = 0
    for kind, unit_id in mine:
        if kind == "team":
            rows += compute_and_store(periods=periods, team_ids=[unit_id], kinds=("rep", "team"))
        else:
            teams = branch_teams([unit_id])[unit_id]
            rows += compute_and_store(periods=periods, team_ids=teams, kinds=("branch",))
    return {
        "seconds": time.monotonic() - t,
        "rows": rows,
        "parts": len(mine),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(phase: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    return subprocess.Popen(  # noqa: S603 - this script with fixed arguments
        [sys.executable, __file__, "--phase", phase, *args],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def result_of(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"child failed ({proc.returncode}): {out}")
    return json.loads(out.strip().splitlines()[-1])


def sql_floor(keys: list[str] | None = None) -> float:
    """The same counts as plain GROUP BY aggregations in the database, for every period of
    ``keys`` (default: the nightly periods): wall seconds (:func:`sql_floor_times` gives the
    CPU seconds too)."""
    return sql_floor_times(keys)[0]


def sql_floor_times(keys: list[str] | None = None) -> tuple[float, float]:
    """:func:`sql_floor` as (wall seconds, CPU seconds of this process: SQLite runs in the
    process, so with SQLite the CPU time is the database's work, also on a busy machine)."""
    from django.db import connection

    from kpi.calculations import parse_period
    from kpi.loading import org_zone

    zone = org_zone()
    t, cpu = time.monotonic(), time.process_time()
    with connection.cursor() as cur:
        for key in keys or nightly_periods():
            p = parse_period(key)
            lo, hi = (_param(p.start_at(zone)), _param(p.end_at(zone)))
            for grp in ("rep_id", "team_id"):
                cur.execute(
                    f"SELECT {grp}, COUNT(*), COUNT(DISTINCT customer_id), "  # noqa: S608
                    "COUNT(DISTINCT CASE WHEN outcome IN ('stage_advanced','deal') OR "
                    "(next_step_date IS NOT NULL AND TRIM(next_step) <> '') "
                    "THEN customer_id END), "
                    "COUNT(DISTINCT CASE WHEN stage_before IN ('target','relationship') "
                    "THEN customer_id END) "
                    "FROM journals_visit WHERE occurred_at >= %s AND occurred_at < %s "
                    f"GROUP BY {grp}",
                    [lo, hi],
                )
                cur.fetchall()
                cur.execute(
                    f"SELECT {grp}, to_stage, COUNT(DISTINCT customer_id) "  # noqa: S608
                    "FROM customers_stagechange WHERE at >= %s AND at < %s "
                    f"GROUP BY {grp}, to_stage",
                    [lo, hi],
                )
                cur.fetchall()
                # Open targets at the start: customers whose last change before it is target
                # or relationship (the pool's first half).
                cur.execute(
                    f"SELECT sc.{grp}, COUNT(*) FROM customers_stagechange sc "  # noqa: S608
                    "JOIN (SELECT customer_id, MAX(at) AS last FROM customers_stagechange "
                    "WHERE at < %s GROUP BY customer_id) m "
                    "ON m.customer_id = sc.customer_id AND m.last = sc.at "
                    f"WHERE sc.to_stage IN ('target','relationship') GROUP BY sc.{grp}",
                    [lo],
                )
                cur.fetchall()
                cur.execute(
                    f"SELECT {grp}, SUM(monthly_value) FROM customers_contract "  # noqa: S608
                    f"WHERE signed_on >= %s AND signed_on < %s GROUP BY {grp}",
                    [_param(p.start), _param(p.end)],
                )
                cur.fetchall()
            if p.kind == "month":
                cur.execute(
                    "SELECT c.owner_id, SUM(r.billed), SUM(r.received) "
                    "FROM customers_revenuerecord r JOIN customers_customer c "
                    "ON c.id = r.customer_id WHERE r.month = %s GROUP BY c.owner_id",
                    [_param(p.start)],
                )
                cur.fetchall()
    return time.monotonic() - t, time.process_time() - cpu


def dashboard_and_incremental() -> dict[str, Any]:
    from accounts.models import Membership, OrgUnit
    from customers.models import Customer
    from kpi import figures, partials, services
    from kpi.calculations import parse_period
    from kpi.snapshots import compute_and_store

    team = OrgUnit.objects.filter(kind="team").order_by("id").first()
    assert team is not None  # noqa: S101
    reps = list(Membership.objects.filter(unit=team, role="rep").values_list("user_id", flat=True))
    month = parse_period(nightly_periods()[0])
    week = parse_period(nightly_periods()[2])
    months = [month]
    for _ in range(11):
        months.append(months[-1].previous())
    metrics = [
        "target_customers",
        "new_targets",
        "intents",
        "intent_rate",
        "deals",
        "close_rate",
        "visits",
        "effective_activity_rate",
        "sales_revenue",
        "total_revenue",
    ]
    times = []
    for _ in range(20):
        t = time.perf_counter()
        figures.stored_table(scope_kind="rep", scope_ids=reps, period=month, metrics=metrics)
        figures.stored_metrics(scope_kind="team", scope_id=team.pk, period=month)
        figures.stored_series(
            scope_kind="team", scope_id=team.pk, metric="intent_rate", periods=months
        )
        times.append(time.perf_counter() - t)
    inc_team, inc_branch = [], []
    keys = [month.key, week.key]
    customers = list(
        Customer.objects.filter(team=team).order_by("pk").values_list("pk", flat=True)[::997]
    )
    services.kpi_recompute_touched(team_id=team.pk, periods=keys)  # builds the stored sums
    for i in range(5):
        # What the worker runs after one change of a customer (kpi.recompute_team with the
        # customer marked by the change's touch; CPU time of this process).
        partials.mark_dirty(
            unit_ids=[team.pk], periods=[month, week], customer_ids=[customers[i % len(customers)]]
        )
        t = time.process_time()
        services.kpi_recompute_touched(team_id=team.pk, periods=keys)
        inc_team.append(time.process_time() - t)
        t = time.process_time()
        compute_and_store(periods=[month, week], team_ids=[team.pk])
        inc_branch.append(time.process_time() - t)
    return {
        "team_reps": len(reps),
        "dashboard_ms": statistics.median(times) * 1000,
        "incremental_team_ms": statistics.median(inc_team) * 1000,
        "incremental_with_branch_ms": statistics.median(inc_branch) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="reuse the generated SQLite DB")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated phases to run: full, parts, year, nightly, reads "
        "(default: all; e.g. --reps 100 --only year on a small machine)",
    )
    parser.add_argument("--phase", default="", help=argparse.SUPPRESS)
    parser.add_argument("--part", default="0/1", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        setup_django(fresh=False)
        if args.phase == "full":
            print(json.dumps(phase_full()))
        elif args.phase == "year":
            print(json.dumps(phase_year()))
        elif args.phase == "nightly":
            print(json.dumps(phase_nightly()))
        else:
            i, n = (int(x) for x in args.part.split("/"))
            print(json.dumps(phase_parts(i, n)))
        return
    marker = Path(f"{DB}.reps")
    sqlite = not os.environ.get("DATABASE_URL", "").startswith("postgres")
    reuse = (
        args.keep
        and sqlite
        and DB.exists()
        and marker.exists()
        and marker.read_text() == str(args.reps)
    )
    setup_django(fresh=sqlite and not reuse)
    if reuse:
        print(f"reusing {DB} ({args.reps} reps)")
    else:
        generate(args.reps)
        if sqlite:
            marker.write_text(str(args.reps))
    from django.db import connections

    connections.close_all()
    print(f"periods: {', '.join(nightly_periods())}", flush=True)
    phases = {"full", "parts", "year", "nightly", "reads"}
    wanted = set(filter(None, args.only.split(","))) or phases
    if "full" in wanted or "parts" in wanted:
        nightly_phases()
    if "year" in wanted:
        year_phase()
    if "nightly" in wanted:
        nightly_task_phase()
    if "reads" in wanted:
        reads_phase()


def nightly_phases() -> None:
    """Full recompute of the nightly periods with one and two workers, against the floor."""
    one = result_of(child("full"))
    print(
        f"full recompute, 1 worker : {one['seconds']:.2f} s, {one['rows']:,} snapshots, "
        f"peak {one['maxrss_mb']:.0f} MB",
        flush=True,
    )
    t = time.monotonic()
    procs = [child("parts", "--part", f"{i}/2") for i in range(2)]
    two = [result_of(p) for p in procs]
    wall = time.monotonic() - t
    print(
        f"full recompute, 2 workers: {wall:.2f} s wall ({' + '.join(str(r['parts']) for r in two)}"
        f" parts, {sum(r['rows'] for r in two):,} rows), peak "
        f"{max(r['maxrss_mb'] for r in two):.0f} MB per worker",
        flush=True,
    )
    floor = sql_floor()
    print(
        f"SQL aggregation floor    : {floor:.2f} s; recompute / floor = "
        f"{one['seconds'] / floor:.1f}x (1 worker), {wall / floor:.1f}x (2 workers)",
        flush=True,
    )


def year_phase() -> None:
    """Full recompute of 12 months for everyone against the SQL floor of the same months."""
    year = result_of(child("year"))
    floor_wall, floor_cpu = sql_floor_times(year_periods())
    print(
        f"full recompute, 12 months, {year['parts']} parts, {year['rows']:,} snapshots "
        f"(load average {os.getloadavg()[0]:.1f}; aims: under 3x the floor, under 1,024 MB):\n"
        f"  SQL aggregation floor : {floor_wall:8.2f} s wall, {floor_cpu:8.2f} s CPU\n"
        f"  full recompute        : {year['seconds']:8.2f} s wall, "
        f"{year['cpu_seconds']:8.2f} s CPU\n"
        f"  ratio                 : {year['seconds'] / floor_wall:8.1f}x wall, "
        f"{year['cpu_seconds'] / floor_cpu:8.1f}x CPU\n"
        f"  peak RSS              : {year['maxrss_mb']:8.0f} MB",
        flush=True,
    )


def nightly_task_phase() -> None:
    """``kpi.nightly`` as users get it, with the diagnosis it triggers."""
    night = result_of(child("nightly"))
    print(
        f"nightly task (kpi.nightly, eager): {night['seconds']:.2f} s for {night['parts']} "
        f"parts ({night['status']}), of which coaching diagnosis {night['diagnosis_s']:.2f} s "
        f"in {night['diagnosis_tasks']} task(s) and {night['findings_calls']} "
        f"findings_recompute_periods call(s); peak {night['maxrss_mb']:.0f} MB",
        flush=True,
    )


def reads_phase() -> None:
    """Dashboard reads and the engine-level incremental recompute of one team."""
    extra = dashboard_and_incremental()
    print(
        f"dashboard reads, {extra['team_reps']}-rep team: median "
        f"{extra['dashboard_ms']:.1f} ms (rep table + team metrics + 12-month series)"
    )
    print(
        f"incremental after one change (kpi_recompute_touched of a "
        f"{extra['team_reps']}-rep team, month + week, one customer marked): median "
        f"{extra['incremental_team_ms']:.0f} ms CPU (aim with the diagnosis: under 100 ms; "
        "bench/kpi_incremental.py times the tasks); full recompute of the team and its "
        f"branch {extra['incremental_with_branch_ms']:.0f} ms CPU"
    )


if __name__ == "__main__":
    main()
