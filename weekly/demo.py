"""Demo weekly reports for ``seed_demo``.

The last 12 complete ISO weeks of personal and team weekly reports for every demo team,
consistent with the journals: the figures are computed by kpi.calculations from the
visits, stage changes and contracts the customers and journals demos wrote (one
kpi.figures.compute per team for all 12 weeks), frozen as at submission. Each
week's plan is the previous week's next goals; goals grow a little on the week's actual.
Key customers come from the customers the rep visited that week and still works on;
team reports carry a summary, training topics, the key customers and a key coachee.
The current week is left open so a rep's report opens prefilled.

Idempotent: skips when the demo reps already have weekly reports.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from accounts.demo import TEAMS, DemoOrg
from accounts.models import Membership, OrgUnit, User
from journals.models import Visit
from kpi import figures as kpi_figures
from kpi.calculations import Period, Scope, period_of

from . import selectors as sel
from .models import (
    KeyCoachee,
    ReportStatus,
    TeamKeyCustomer,
    TeamWeeklyReport,
    WeeklyComment,
    WeeklyKeyCustomer,
    WeeklyReport,
)

WEEKS = 12
GOAL_METRICS = (
    "visits",
    "customers_visited",
    "target_customer_visits",
    "effective_customers",
    "new_targets",
    "intents",
    "deals",
)
ANALYSES = [
    "本周拜访量达到计划，有效活动率提升，主要得益于拜访前准备充分。",
    "目标客户拜访偏少，部分时间用于老客户回访，下周要多约访新目标客户。",
    "两家客户达成意向，但有一家客户的决策人还没见到，需要主管协助。",
    "拜访后没有及时约定下一步，有效客户数偏低，下周每次拜访都要约定后期安排。",
]
SUMMARIES = [
    "运用SPIN提问法挖掘需求，客户对宽带升级方案兴趣明显。",
    "按计划推进重点客户，演示方案时结合客户行业案例，效果较好。",
    "本周学习了异议处理话术，下周在促成拜访中实践。",
]
NEEDS = ["宽带提速与专线备份", "企业云与视频会议", "集团短信与物联网卡", "移动办公套餐"]
TRACKING = ["周二上门演示方案", "周四约见决策人", "本周内发报价", "周五回访确认需求"]
EVALUATIONS = [
    "分析到位，继续保持拜访节奏。",
    "目标客户拜访偏少，下周重点补上。",
    "有效活动率要提高，每次拜访都要约定下一步。",
]
TEAM_SUMMARIES = [
    "本周小组有效活动率稳中有升，新增意向客户集中在重点行业。",
    "部分组员拜访量不足，已安排一对一辅导。",
    "重点客户推进顺利，下周集中资源攻关两个大客户项目。",
]
TRAININGS = ["约访话术训练", "需求挖掘（SPIN）演练", "产品说明与异议处理", "促成技巧"]


def _weeks(today: dt.date) -> list[Period]:
    current = period_of(today, "week")
    out, p = [], current
    for _i in range(WEEKS):
        p = p.previous()
        out.append(p)
    return list(reversed(out))


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _goals(figures: dict[str, Any], rng: random.Random) -> dict[str, str]:
    goals: dict[str, str] = {}
    for m in GOAL_METRICS:
        actual = int(sel.figure_value(figures, m) or 0)
        low = 1 if m in ("visits", "customers_visited") else 0
        goals[m] = str(max(low, round(actual * rng.uniform(0.9, 1.2))))
    rate = sel.figure_value(figures, "effective_activity_rate")
    goals["effective_activity_rate"] = str(
        min(90, max(30, round((float(rate) * 100 if rate else 40) + rng.randint(0, 10))))
    )
    rev = sel.figure_value(figures, "sales_revenue") or Decimal(0)
    goals["sales_revenue"] = str(max(Decimal(1000), (Decimal(rev) * Decimal("1.1")).quantize(0)))
    return goals


def seed(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any) -> None:
    """Create 12 weeks of personal and team weekly reports for the demo teams."""
    reps = [r for team in org.teams for r in org.reps.get(team.pk, [])]
    if WeeklyReport.objects.filter(rep__in=reps).exists():
        stdout.write("weekly: demo weekly reports already there")
        return
    today = timezone.localdate()
    weeks = _weeks(today)
    totals: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        for team in org.teams:
            _seed_team(team, org.supervisors.get(team.pk), weeks, today, rng, totals)
    stdout.write(
        f"weekly: {totals['reports']} personal reports, {totals['team']} team reports, "
        f"{totals['key']} key customers"
    )


def _seed_team(
    team: OrgUnit,
    supervisor: User | None,
    weeks: list[Period],
    today: dt.date,
    rng: random.Random,
    totals: dict[str, int],
) -> None:
    members_by_week = {p: sel.team_members(team.pk, p) for p in weeks}
    rep_ids = sorted({u.pk for ms in members_by_week.values() for u in ms})
    scopes = [Scope.team(team.pk)] + [Scope.rep(rid) for rid in rep_ids]
    computed = kpi_figures.compute(weeks, scopes, team_ids=[team.pk], rep_ids=rep_ids)
    figures: dict[tuple[Period, str], dict[str, Any]] = {}
    for (period, scope), metrics in computed.items():
        key = "team" if scope.kind == "team" else str(scope.id)
        figures[(period, key)] = sel.week_json(metrics)
    visited = _visited(team, weeks)
    goals: dict[int, dict[str, str]] = {}
    for i, period in enumerate(weeks):
        last = i == len(weeks) - 1
        plans: dict[str, dict[str, str]] = {}
        week_reports = []
        for rep in members_by_week[period]:
            f = figures.get((period, str(rep.pk)), {})
            if not last and rng.random() < 0.05:
                goals.pop(rep.pk, None)  # a forgotten report: next week has no plan
                continue
            plan = goals.get(rep.pk, {})
            plans[str(rep.pk)] = plan
            reviewed = not last or rng.random() < 0.3
            sunday = period.end - dt.timedelta(days=1)
            submitted = _local(sunday - dt.timedelta(days=rng.randint(0, 2)), rng.randint(17, 23))
            report = WeeklyReport.objects.create(
                rep=rep,
                team=team,
                week=period.start,
                status=ReportStatus.REVIEWED if reviewed and supervisor else ReportStatus.SUBMITTED,
                figures=f,
                plan=plan,
                next_goals=_goals(f, rng),
                analysis=rng.choice(ANALYSES),
                summary=rng.choice(SUMMARIES),
                evaluation=rng.choice(EVALUATIONS) if reviewed and supervisor else "",
                submitted_at=submitted,
                reviewed_at=submitted + dt.timedelta(hours=14) if reviewed and supervisor else None,
                reviewed_by=supervisor if reviewed else None,
            )
            goals[rep.pk] = report.next_goals
            picks = visited.get((period, rep.pk), [])[:3]
            WeeklyKeyCustomer.objects.bulk_create(
                WeeklyKeyCustomer(
                    report=report,
                    customer_id=cid,
                    needs_analysis=rng.choice(NEEDS),
                    tracking_plan=rng.choice(TRACKING),
                )
                for cid in picks
            )
            if supervisor and rng.random() < 0.3:
                WeeklyComment.objects.create(
                    report=report, author=supervisor, text="下周晨会分享一下你的做法。"
                )
            totals["reports"] += 1
            totals["key"] += len(picks)
            week_reports.append((report, picks))
        if supervisor:
            _team_report(
                team,
                supervisor,
                period,
                members_by_week[period],
                figures,
                plans,
                week_reports,
                last,
                rng,
            )
            totals["team"] += 1


def _visited(team: OrgUnit, weeks: list[Period]) -> dict[tuple[Period, int], list[int]]:
    """Customers each rep visited per week that are still being worked on (target ..
    intent), most visited first. One query."""
    tz = timezone.get_current_timezone()
    start, end = weeks[0].start_at(tz), weeks[-1].end_at(tz)
    counts: dict[tuple[Period, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    rows = Visit.objects.filter(
        team=team,
        occurred_at__gte=start,
        occurred_at__lt=end,
        customer__stage__in=["target", "relationship", "intent"],
    ).values_list("rep_id", "customer_id", "occurred_at")
    for rep_id, cid, at in rows:
        counts[(period_of(timezone.localdate(at), "week"), rep_id)][cid] += 1
    return {k: sorted(v, key=lambda c: -v[c]) for k, v in counts.items()}


def _team_report(
    team: OrgUnit,
    supervisor: User,
    period: Period,
    members: list[User],
    figures: dict[tuple[Period, str], dict[str, Any]],
    plans: dict[str, dict[str, str]],
    week_reports: list[tuple[WeeklyReport, list[int]]],
    last: bool,
    rng: random.Random,
) -> None:
    snapshot = {
        "targets": sel.targets_json(sel.team_targets(team.pk, period)),
        "members": [{"id": u.pk, "name": u.name} for u in members],
        "figures": {
            "team": figures.get((period, "team"), {}),
            **{str(u.pk): figures.get((period, str(u.pk)), {}) for u in members},
        },
        "plans": plans,
    }
    sunday = period.end - dt.timedelta(days=1)
    manager = (
        Membership.objects.filter(unit_id=team.parent_id, role=Membership.Role.MANAGER)
        .select_related("user")
        .first()
    )
    report = TeamWeeklyReport.objects.create(
        team=team,
        week=period.start,
        author=supervisor,
        status=ReportStatus.SUBMITTED if last else ReportStatus.REVIEWED,
        figures=snapshot,
        summary=rng.choice(TEAM_SUMMARIES),
        training_topics=rng.choice(TRAININGS),
        submitted_at=_local(sunday, 21),
        reviewed_at=None if last else _local(sunday + dt.timedelta(days=1), 10),
        reviewed_by=None if last or manager is None else manager.user,
    )
    keys = [(r, cid) for r, picks in week_reports for cid in picks[:1]][:4]
    TeamKeyCustomer.objects.bulk_create(
        TeamKeyCustomer(
            report=report,
            customer_id=cid,
            owner_id=r.rep_id,
            needs_analysis=rng.choice(NEEDS),
            tracking_plan=rng.choice(TRACKING),
        )
        for r, cid in keys
    )
    rated = [
        (sel.figure_value(figures.get((period, str(u.pk)), {}), "effective_activity_rate"), u)
        for u in members
    ]
    known = [(v, u) for v, u in rated if v is not None]
    if known:
        value, coachee = min(known, key=lambda t: t[0])
        KeyCoachee.objects.create(
            report=report,
            rep=coachee,
            problem=f"有效活动率 {float(value) * 100:.0f}%，拜访后缺少约定的下一步",
            coaching_content="陪同拜访两次，练习拜访结束时的约定话术",
            tracked_effect="" if last else "下一周有效客户数有所增加",
        )


def reset() -> None:
    """Delete the demo teams' weekly reports (for ``seed_demo --reset``)."""
    codes = [t[0] for t in TEAMS]
    WeeklyReport.objects.filter(team__code__in=codes).delete()
    TeamWeeklyReport.objects.filter(team__code__in=codes).delete()
