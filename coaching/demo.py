"""Demo coaching data for ``seed_demo`` (runs after customers, journals and KPI demos):
diagnosis findings for every demo team (last and current month, current week), so the
weak and average reps show symptoms; a few coaching plans made from findings, with
measures, follow-up sessions and a one-on-one talk, whose start date is chosen so that
the effect chart shows a movement; and a recognition on each team's board."""

from __future__ import annotations

import datetime as dt
import random
from typing import IO, Any

from django.db import transaction
from django.utils import translation

from accounts.demo import TEAMS, DemoOrg
from accounts.scoping import local_today
from kpi.calculations import period_of

from . import selectors, services
from .models import CoachingPlan, Finding, Recognition, Symptom, Talk

SESSION_NOTES = [
    ("一起回顾了上周的拜访记录，准备不足的客户有三家。", "每天下班前准备次日拜访内容"),
    ("陪访了一家目标客户，开场比较紧张，需求了解不够深入。", "练习需求挖掘的提问"),
    ("本周拜访量明显上升，有效客户增加。", "保持节奏，周例会分享经验"),
]
TALK = ("了解到最近客户拒绝较多，情绪有些低落。", "先从熟悉的行业客户入手，每周一对一沟通一次")


def _best_start(plan: CoachingPlan, today: dt.date) -> dt.date:
    """Of a few candidate starts, the one whose first KPI moved up most (demo only)."""
    best, best_change = plan.start, float("-inf")
    for weeks_ago in (3, 4, 5):
        start = today - dt.timedelta(weeks=weeks_ago)
        plan.start, plan.end = start, start + dt.timedelta(days=41)
        rows = selectors.plan_effect(plan, today)["rows"]
        change = rows[0]["change"] if rows and rows[0]["change"] is not None else float("-inf")
        if change > best_change:
            best, best_change = start, change
    return best


def seed(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any) -> None:
    """Findings, plans with sessions, talks and recognitions (idempotent). Texts written
    into plans and recognitions are in Chinese, the demo organisation's language."""
    with translation.override("zh-hans"):
        _seed(org, rng, stdout)


def _seed(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any) -> None:
    team_ids = [t.pk for t in org.teams]
    if CoachingPlan.objects.filter(team_id__in=team_ids).exists():
        stdout.write("coaching: demo plans already there")
        return
    today = local_today()
    last_month = period_of(today.replace(day=1) - dt.timedelta(days=1), "month")
    totals = {"created": 0, "updated": 0, "deleted": 0}
    for period in (last_month, period_of(today, "month"), period_of(today, "week")):
        counts = services.findings_recompute(team_ids=team_ids, period=period, today=today)
        for key, n in counts.items():
            totals[key] += n
    plans = 0
    with transaction.atomic():
        for team in org.teams[:3]:
            supervisor = org.supervisors.get(team.pk)
            if supervisor is None:
                continue
            findings = list(
                Finding.objects.filter(team=team, period_start=last_month.start)
                .exclude(symptom=Symptom.MISSING_JOURNALS)
                .order_by("rep_id", "symptom")
            )
            seen: set[int] = set()
            for finding in findings:
                if finding.rep_id in seen or len(seen) >= 2:
                    continue
                seen.add(finding.rep_id)
                plan = services.plan_create_from_finding(finding=finding, by=supervisor)
                start = _best_start(plan, today)
                plan.start, plan.end = start, start + dt.timedelta(days=41)
                plan.save(update_fields=["start", "end"])
                for i, (notes, step) in enumerate(SESSION_NOTES):
                    held = start + dt.timedelta(days=7 * i + 4)
                    if held < today:
                        services.session_add(
                            plan=plan, by=supervisor, held_on=held, notes=notes, next_step=step
                        )
                services.talk_add(
                    by=supervisor,
                    rep=plan.coachee,
                    held_on=start + dt.timedelta(days=1),
                    notes=TALK[0],
                    agreed=TALK[1],
                    plan=plan,
                )
                if rng.random() < 0.5:
                    services.plan_acknowledge(plan=plan, by=plan.coachee)
                plans += 1
            suggestions = services.recognition_suggestions(team_id=team.pk, day=today)
            if suggestions:
                s = rng.choice(suggestions)
                rep = next((r for r in org.reps.get(team.pk, []) if r.pk == s["rep_id"]), None)
                if rep is not None:
                    services.recognition_give(
                        by=supervisor,
                        rep=rep,
                        behaviour=s["behaviour"],
                        impact=s["impact"],
                        source=s["source"],
                        message=s["message"],
                    )
    stdout.write(f"coaching: {totals['created']} findings, {plans} coaching plans with sessions")


def reset() -> None:
    """Delete the demo teams' coaching data (for ``seed_demo --reset``)."""
    codes = [t[0] for t in TEAMS]
    Recognition.objects.filter(team__code__in=codes).delete()
    Talk.objects.filter(team__code__in=codes).delete()
    CoachingPlan.objects.filter(team__code__in=codes).delete()
    Finding.objects.filter(team__code__in=codes).delete()
