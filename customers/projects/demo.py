"""Demo big-account projects (``seed_demo``): a handful per team at different control
points: one overdue, one won, one lost, one on hold, one with its decision chain, a
competitor, a support request and a proposal. Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.demo import TEAMS, DemoOrg
from accounts.scoping import scope_for
from customers.models import ControlPointUpdate, Customer, Project, Segment, Stage

from . import services

#: A one-page PDF, enough for the demo's proposal.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

#: (name suffix, status, points done, due offset of the current point in days, wanted stage)
PLANS = [
    ("云网融合", "open", 2, -10, Stage.RELATIONSHIP),  # overdue
    ("专线扩容", "won", 9, 0, Stage.DEAL),
    ("视频会议", "lost", 3, 0, Stage.INTENT),
    ("智慧园区", "open", 4, 14, Stage.INTENT),
    ("物联网卡", "on_hold", 1, 20, Stage.TARGET),
]


def seed(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any) -> None:
    """Create the demo projects of the first two teams (none when they exist)."""
    teams = org.teams[:2]
    if Project.objects.filter(team__in=teams).exists():
        return
    with transaction.atomic():
        count = sum(_seed_team(org, team, rng) for team in teams)
    stdout.write(f"projects: {count}")


def _seed_team(org: DemoOrg, team: Any, rng: random.Random) -> int:
    supervisor = org.supervisors.get(team.pk)
    if supervisor is None:
        return 0
    scope = scope_for(supervisor)
    today = timezone.localdate()
    made = 0
    for suffix, status, done, due_in, stage in PLANS:
        customer = (
            Customer.objects.filter(
                team=team, owner__isnull=False, stage=stage, projects__isnull=True
            )
            .order_by("id")
            .first()
        )
        if customer is None or customer.owner is None:
            continue
        if customer.segment != Segment.GROUP:
            customer.segment = Segment.GROUP
            customer.save(update_fields=["segment"])
        created = today - dt.timedelta(days=rng.randint(60, 120))
        try:
            project = services.project_create(
                scope=scope,
                by=supervisor,
                customer=customer,
                owner=customer.owner,
                name=f"{customer.short_name or customer.name[:6]}{suffix}项目",
                expected_value=Decimal(rng.choice([8000, 15000, 30000, 60000])),
                expected_signing=today + dt.timedelta(days=rng.randint(20, 100)),
            )
        except ValidationError:
            continue  # the owner left the team: no project for that customer
        project.created_at = timezone.make_aware(dt.datetime.combine(created, dt.time(9)))
        project.save(update_fields=["created_at"])
        _walk_points(project, scope, supervisor, done, due_in, created, today)
        if done >= 3:
            _chain_and_more(project, scope, supervisor)
        if status != "open":
            services.project_set_status(project=project, scope=scope, by=supervisor, status=status)
        made += 1
    return made


def _walk_points(
    project: Project, scope: Any, by: Any, done: int, due_in: int, created: dt.date, today: dt.date
) -> None:
    day = created
    for point in project.points.order_by("position"):
        start = day
        if point.position <= done:
            day = min(today - dt.timedelta(days=1), day + dt.timedelta(days=9))
            update = services.point_update(
                point=point, scope=scope, by=by, status="done", start=start, due=day, text="已完成"
            )
            ControlPointUpdate.objects.filter(pk=update.pk).update(
                at=timezone.make_aware(dt.datetime.combine(day, dt.time(17)))
            )
        elif point.position == done + 1:
            services.point_update(
                point=point,
                scope=scope,
                by=by,
                status="in_progress",
                start=min(start, today + dt.timedelta(days=due_in - 1)),
                due=today + dt.timedelta(days=due_in),
                text="推进中",
            )
            return


def _chain_and_more(project: Project, scope: Any, by: Any) -> None:
    for order, (name, title, role, attitude) in enumerate(
        [
            ("刘总", "总经理", "decision_maker", "neutral"),
            ("孙主任", "信息中心主任", "influencer", "supporter"),
            ("吴工", "网络工程师", "user", "supporter"),
        ],
        start=1,
    ):
        services.chain_add(
            project=project,
            scope=scope,
            role=role,
            attitude=attitude,
            order=order,
            new_name=name,
            new_title=title,
        )
    services.competitor_add(
        project=project,
        scope=scope,
        name="友商A",
        offer="首年资费八折",
        counter_measure="突出网络质量与本地服务团队",
    )
    services.support_ask(
        project=project,
        scope=scope,
        by=project.owner,
        kind="pricing",
        addressed_to="supervisor",
        question="客户要求专线资费下调 10%，能否支持？",
    )
    services.document_upload(
        project=project,
        scope=scope,
        by=project.owner,
        kind="proposal",
        title="解决方案建议书",
        name="proposal.pdf",
        data=DEMO_PDF,
    )


def reset() -> None:
    """Delete every project of the demo teams with its stored files (before the customers)."""
    codes = [t[0] for t in TEAMS]
    for project in Project.objects.filter(team__code__in=codes):
        for document in project.documents.all():
            for version in document.versions.all():
                version.file.delete(save=False)
        project.delete()
