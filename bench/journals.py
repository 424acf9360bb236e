"""Benchmark the supervisor's team pages.

Builds, in an SQLite database of its own (/tmp/salesops-bench-journals.sqlite3, migrated
here), one team with a supervisor and 30 reps, each with 10 customers and 90 days of
journals (work days of the Chinese calendar: a plan of visits, appointments and
follow-ups, three visit records with next steps), plus today's plans. Then, as the
supervisor, requests the inbox and the morning meeting through Django's test client
and prints the median response time of each and its number of SQL queries.

The query count must not depend on the team size (tests pin that); the times are
figures to watch, not asserted.

Usage: ``.venv/bin/python bench/journals.py [--reps N] [--days N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = Path(tempfile.gettempdir()) / "salesops-bench-journals.sqlite3"


def setup_django() -> None:
    """Point Django at the benchmark's own database before it starts."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "salesops.settings"
    os.environ["DEBUG"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("REDIS_URL", None)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(reps: int, days: int) -> tuple[object, object]:
    """The team, its supervisor and their journals; returns (team, supervisor)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.calendar import workdays_between as work_days
    from accounts.models import Membership, OrgUnit, User
    from customers.services import customer_create
    from journals.models import Journal, PlanItem, Purpose, Visit

    rng = random.Random(4)  # noqa: S311 - benchmark data
    today = timezone.localdate()
    with transaction.atomic():
        company = OrgUnit.objects.create(name="基准公司", code="bench", kind="company")
        branch = OrgUnit.objects.create(
            name="基准分公司", code="bench-b", kind="branch", parent=company
        )
        team = OrgUnit.objects.create(name="基准一组", code="bench-t", kind="team", parent=branch)
        start = today - dt.timedelta(days=days + 30)
        supervisor = User.objects.create_user("bench-sup", display_name="主管")
        Membership.objects.create(user=supervisor, unit=team, role="supervisor", start=start)
        people = []
        for i in range(reps):
            rep = User.objects.create_user(f"bench-rep-{i:02d}", display_name=f"销售{i:02d}")
            Membership.objects.create(user=rep, unit=team, role="rep", start=start)
            people.append(rep)
        customers = {
            rep.pk: [
                customer_create(
                    by=rep,
                    name=f"基准客户{rep.pk}-{n}有限公司",
                    owner=rep,
                    stage=rng.choice(["lead", "target", "relationship"]),
                    at=timezone.now() - dt.timedelta(days=days + 10),
                )
                for n in range(10)
            ]
            for rep in people
        }
        journals = []
        for rep in people:
            for day in work_days(today - dt.timedelta(days=days), today):
                status = "draft" if day == today else "reviewed"
                submitted = (
                    None
                    if day == today
                    else timezone.make_aware(dt.datetime.combine(day, dt.time(19, 30)))
                )
                journals.append(
                    Journal(rep=rep, team=team, day=day, status=status, submitted_at=submitted)
                )
        Journal.objects.bulk_create(journals, batch_size=1000)
        plan_items, visits = [], []
        for journal in journals:
            mine = customers[journal.rep_id]
            for n, purpose in enumerate(["first", "explanation", "closing", "appointment"]):
                plan_items.append(
                    PlanItem(
                        journal=journal,
                        kind="appointment" if purpose == "appointment" else "visit",
                        purpose=purpose,
                        customer=rng.choice(mine),
                        preparation="准备方案" if n % 2 else "",
                        position=n,
                    )
                )
            plan_items.append(
                PlanItem(journal=journal, kind="follow_up", purpose=Purpose.SERVICE, position=0)
            )
            if journal.day == today:
                continue
            for hour in (10, 14, 16):
                customer = rng.choice(mine)
                visits.append(
                    Visit(
                        journal=journal,
                        rep_id=journal.rep_id,
                        team=team,
                        customer=customer,
                        purpose=rng.choice(["first", "explanation", "closing"]),
                        occurred_at=timezone.make_aware(
                            dt.datetime.combine(journal.day, dt.time(hour))
                        ),
                        learned="了解需求",
                        next_step="送方案",
                        next_step_date=journal.day + dt.timedelta(days=rng.randint(1, 10)),
                        next_step_done=rng.random() < 0.8,
                        outcome="next_step",
                        stage_before=customer.stage,
                    )
                )
        PlanItem.objects.bulk_create(plan_items, batch_size=2000)
        Visit.objects.bulk_create(visits, batch_size=2000)
    print(
        f"built: 1 team, {reps} reps, {len(journals)} journals, {len(plan_items)} plan items, "
        f"{len(visits)} visits"
    )
    return team, supervisor


def measure(team: object, supervisor: object, runs: int) -> None:
    """Median time and query count of the inbox and the morning meeting."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(supervisor)  # type: ignore[arg-type]
    for name in ("journals:inbox", "journals:morning_meeting"):
        url = reverse(name)
        params = {"team": team.pk}  # type: ignore[attr-defined]
        response = client.get(url, params)  # warm-up (settings rows, caches)
        assert response.status_code == 200, response.status_code
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url, params)
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        queries = len(ctx.captured_queries)
        assert response.status_code == 200
        print(
            f"{name:<26} median {statistics.median(times) * 1000:7.1f} ms  "
            f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {runs} runs)  "
            f"{queries} SQL queries"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    setup_django()
    team, supervisor = build(args.reps, args.days)
    print(f"setup took {time.perf_counter() - started:.1f} s; database {DB}")
    measure(team, supervisor, args.runs)


if __name__ == "__main__":
    main()
