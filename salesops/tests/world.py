"""A small organisation with one object of every kind that a URL can point at, and the
personas of the access matrix (docs/architecture.md, "Security").

Everything of interest belongs to ``rep`` in ``team_a`` (branch north), so each persona's
right to it is clear:

- ``rep``: the owner; ``teammate``: another rep of team_a (sees only own data);
- ``supervisor``: supervises team_a; ``supervisor_b``: supervises team_b (same branch);
- ``manager_south``: manages the other branch; ``former``: supervised team_a until
  60 days ago and is now a rep of team_s (keeps nothing of team_a);
- ``admin``: staff; ``anonymous``: not signed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Membership, Notification, User
from accounts.scoping import local_today
from coaching.models import CoachingPlan, Finding, Measure
from conftest import Org, _user, make_org
from customers.models import (
    Contact,
    ControlPoint,
    Customer,
    DecisionMember,
    DocumentVersion,
    ImportJob,
    Project,
    ProjectDocument,
    SupportRequest,
)
from customers.services import customer_create
from journals.models import Comment, Journal, PlanItem, Visit
from kpi.calculations import period_of
from kpi.models import KpiRun, MonthlyAnalysis, MonthlyAnalysisComment, Target
from weekly.models import (
    KeyCoachee,
    TeamKeyCustomer,
    TeamWeeklyComment,
    TeamWeeklyReport,
    WeeklyComment,
    WeeklyKeyCustomer,
    WeeklyReport,
)

PERSONAS = (
    "anonymous",
    "rep",
    "teammate",
    "supervisor",
    "supervisor_b",
    "manager_south",
    "former",
    "admin",
)


@dataclass
class World:
    """The persona organisation plus the objects URLs point at (``kwargs`` per URL name)."""

    org: Org
    users: dict[str, User | None]
    objects: dict[str, Any] = field(default_factory=dict)


def tiny_png(size: tuple[int, int] = (4, 4)) -> bytes:
    """A real PNG image of ``size`` pixels."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def build_world() -> World:
    """Create the world in the test database (about 60 queries)."""
    org = make_org()
    today = local_today()
    manager_south = _user("manager_south", "南区经理")
    former = _user("former", "前主管")
    Membership.objects.create(
        user=manager_south, unit=org.south, role="manager", start=dt.date(2020, 1, 1)
    )
    Membership.objects.create(
        user=former,
        unit=org.team_a,
        role="supervisor",
        start=dt.date(2020, 1, 1),
        end=today - dt.timedelta(days=60),
    )
    Membership.objects.create(
        user=former, unit=org.team_s, role="rep", start=today - dt.timedelta(days=59)
    )
    users: dict[str, User | None] = {
        "anonymous": None,
        "rep": org.rep,
        "teammate": org.teammate,
        "supervisor": org.supervisor,
        "supervisor_b": org.supervisor_b,
        "manager_south": manager_south,
        "former": former,
        "admin": org.admin,
    }
    rep, team = org.rep, org.team_a
    customer = customer_create(by=rep, name="矩阵测试客户有限公司", owner=rep, stage="lead")
    month = period_of(today, "month")
    week = period_of(today, "week")
    # Burn one journal id, so the journal's pk never equals the visit's or the plan item's
    # on a fresh database: a URL given the wrong object's pk then fails everywhere, not
    # only on PostgreSQL after other tests have moved its sequences.
    Journal.objects.create(rep=rep, team=team, day=today - dt.timedelta(days=1)).delete()
    journal = Journal.objects.create(rep=rep, team=team, day=today)
    plan_item = PlanItem.objects.create(
        journal=journal, kind="visit", purpose="first", customer=customer
    )
    visit = Visit.objects.create(
        journal=journal,
        rep=rep,
        team=team,
        customer=customer,
        purpose="first",
        occurred_at=timezone.now(),
        stage_before="lead",
        checkin_photo=ContentFile(tiny_png(), name="checkin.png"),
    )
    job = ImportJob.objects.create(
        kind="customers",
        file=ContentFile(b"name\n", name="matrix.csv"),
        original_name="matrix.csv",
        created_by=org.admin,
        team=team,
    )
    finding = Finding.objects.create(
        rep=rep,
        team=team,
        period_kind="month",
        period_start=month.start,
        symptom="no_follow_up",
        computed_at=timezone.now(),
    )
    plan = CoachingPlan.objects.create(
        coachee=rep,
        team=team,
        coach=org.supervisor,
        problem="跟进不足",
        cause_category="skill",
        start=today,
        end=today + dt.timedelta(days=30),
    )
    Measure.objects.create(plan=plan, kind="training", description="陪访")
    run = KpiRun.objects.create(
        trigger="manual", scope=f"team:{team.code}", requested_by=org.supervisor
    )
    analysis = MonthlyAnalysis.objects.create(rep=rep, team=team, month=month.start, author=rep)
    Target.objects.create(month=month.start, metric="new_targets", value=Decimal("5"), rep=rep)
    report = WeeklyReport.objects.create(rep=rep, team=team, week=week.start)
    key_customer = WeeklyKeyCustomer.objects.create(report=report, customer=customer)
    team_report = TeamWeeklyReport.objects.create(team=team, week=week.start, author=org.supervisor)
    team_key_customer = TeamKeyCustomer.objects.create(report=team_report, customer=customer)
    coachee = KeyCoachee.objects.create(report=team_report, rep=rep)
    notification = Notification.objects.create(user=rep, key="matrix", title="matrix")
    group_customer = customer_create(
        by=rep, name="矩阵集团客户有限公司", owner=rep, stage="relationship", segment="group"
    )
    project = Project.objects.create(
        customer=group_customer,
        name="矩阵项目",
        owner=rep,
        team=team,
        expected_value=Decimal("1000"),
        expected_signing=today + dt.timedelta(days=30),
    )
    point = ControlPoint.objects.create(
        project=project, position=1, code="relationship", name_zh="客户关系开发", name_en="R"
    )
    contact = Contact.objects.create(customer=group_customer, name="周总")
    member = DecisionMember.objects.create(project=project, contact=contact, role="decision_maker")
    document = ProjectDocument.objects.create(project=project, kind="proposal", title="方案")
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        file=ContentFile(b"%PDF-1.4\n", name="matrix.pdf"),
        original_name="matrix.pdf",
        size=9,
        content_type="application/pdf",
    )
    support = SupportRequest.objects.create(
        project=project, kind="pricing", addressed_to="supervisor", question="?"
    )
    journal_comment = Comment.objects.create(journal=journal, author=rep, text="@supervisor 请看")
    weekly_comment = WeeklyComment.objects.create(report=report, author=rep, text="本周小结")
    team_comment = TeamWeeklyComment.objects.create(
        report=team_report, author=org.supervisor, text="本周重点"
    )
    analysis_comment = MonthlyAnalysisComment.objects.create(
        analysis=analysis, author=rep, text="差距分析"
    )
    objects = {
        "journal_comment": journal_comment,
        "weekly_comment": weekly_comment,
        "team_comment": team_comment,
        "analysis_comment": analysis_comment,
        "customer": customer,
        "journal": journal,
        "plan_item": plan_item,
        "visit": visit,
        "import_job": job,
        "finding": finding,
        "plan": plan,
        "run": run,
        "analysis": analysis,
        "report": report,
        "key_customer": key_customer,
        "team_report": team_report,
        "team_key_customer": team_key_customer,
        "coachee": coachee,
        "notification": notification,
        "project": project,
        "point": point,
        "chain_member": member,
        "document_version": version,
        "support_request": support,
        "team": team,
        "month": month,
        "week": week,
    }
    return World(org=org, users=users, objects=objects)


def customer_of(world: World) -> Customer:
    """The customer every customer URL points at."""
    return world.objects["customer"]
